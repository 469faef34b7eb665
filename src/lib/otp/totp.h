/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_OTP_TOTP_H
#define SESAME_LIB_OTP_TOTP_H

/*
 * One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238) with SHA-1,
 * SHA-256 and SHA-512, and otpauth:// URIs (Key Uri Format).
 * The shared secret is key material: it lives in secure memory and is
 * wiped after use; codes are written to caller buffers.
 */

#include <stddef.h>
#include <stdint.h>

#define TOTP_CODE_MAX 10 /* digits, at most 8, + NUL, rounded up */

typedef enum { OTP_ALG_SHA1 = 0, OTP_ALG_SHA256, OTP_ALG_SHA512 } otp_algorithm;

typedef struct {
	unsigned char *secret; /* sodium_malloc'ed; wiped and freed by totp_params_free */
	size_t secret_len;
	otp_algorithm algorithm; /* default SHA1 */
	unsigned digits;         /* 6 (default), 7 or 8 */
	unsigned period;         /* seconds, default 30 */
	char *issuer;            /* may be NULL */
	char *account;           /* the label's account part, may be NULL */
} totp_params;

/*
 * Parses a TOTP field value: an otpauth://totp/... URI, or a bare base32
 * secret (case-insensitive, spaces and '=' padding ignored) meaning the
 * defaults. Returns 0 or SESAME_EINVAL with the error set (the message
 * never quotes the secret); SESAME_EUNSUPPORTED for a well-formed URI we
 * do not handle (type hotp, an algorithm other than SHA1/SHA256/SHA512).
 * `out` is always initialised (defaults, NULL pointers) and, on failure,
 * left holding nothing, so totp_params_free() is safe either way.
 * Details: docs/internals/totp.md.
 */
int totp_params_parse(totp_params *out, const char *value);
void totp_params_free(totp_params *p);

/* HOTP code for a counter, as `digits` decimal digits, NUL-terminated. */
int hotp_code(char out[TOTP_CODE_MAX], const unsigned char *secret, size_t secret_len,
	      otp_algorithm alg, unsigned digits, uint64_t counter);

/* TOTP code at unix time `now`. */
int totp_code(char out[TOTP_CODE_MAX], const totp_params *p, int64_t now);

/* Convenience for references (attribute=otp): parse `value`, code at `now`. */
int totp_code_from_value(char out[TOTP_CODE_MAX], const char *value, int64_t now);

#endif
