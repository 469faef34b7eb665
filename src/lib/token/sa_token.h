/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_TOKEN_SA_TOKEN_H
#define SESAME_LIB_TOKEN_SA_TOKEN_H

/*
 * Service-account tokens: the bearer credential a machine is given once
 * (DESIGN.md section 4). Text form:
 *
 *     "sesame_sa_" || base64url-no-padding(payload || checksum)
 *
 * Payload (binary, big-endian integers):
 *
 *     offset  size  field
 *     0       1     version, = 1
 *     1       26    account id, ASCII [a-z0-9]
 *     27      26    service-account id, ASCII [a-z0-9]
 *     53      32    seed (both key pairs are derived from it)
 *     85      2     server URL length L, 1..2048
 *     87      L     server URL: "http://" or "https://" followed by at
 *                   least one byte, printable ASCII 0x21..0x7e (no spaces)
 *
 * Checksum: the first 4 bytes of BLAKE2b-256 (crypto_generichash with a
 * 32-byte output, no key) over the prefix string "sesame_sa_" followed by
 * the payload. A secret scanner that matches `sesame_sa_[A-Za-z0-9_-]+`
 * can decode the match and check the last 4 bytes: a random string passes
 * with probability 2^-32. The checksum is not a MAC; it only tells a real
 * token from a typo or a lookalike.
 *
 * The encoding is canonical (no padding, no non-zero trailing bits), so a
 * token has exactly one text form. docs/internals/token.md has the
 * rationale and a worked example.
 *
 * The seed is the credential: it lives in sodium_malloc memory, is wiped
 * on free, and no message or log line ever contains it or the token text.
 */

#include <stddef.h>
#include <stdint.h>

#define SA_TOKEN_PREFIX "sesame_sa_"
#define SA_TOKEN_VERSION 1
#define SA_TOKEN_ID_LEN 26
#define SA_TOKEN_SEED_BYTES 32
#define SA_TOKEN_URL_MAX 2048
#define SA_TOKEN_CHECKSUM_BYTES 4
/* Payload bytes before the URL: version, two ids, seed, URL length. */
#define SA_TOKEN_FIXED_BYTES (1 + 2 * SA_TOKEN_ID_LEN + SA_TOKEN_SEED_BYTES + 2)

typedef struct {
	uint8_t version;                       /* SA_TOKEN_VERSION */
	char account_id[SA_TOKEN_ID_LEN + 1];  /* NUL-terminated */
	char sa_id[SA_TOKEN_ID_LEN + 1];       /* NUL-terminated */
	char *server_url;                      /* malloc'ed, NUL-terminated */
	unsigned char *seed;                   /* SA_TOKEN_SEED_BYTES, sodium_malloc'ed */
} sa_token;

/*
 * Builds a token from its parts, validating them as sa_token_decode does
 * (kind "token_invalid"). `seed` NULL means a fresh random seed. Release
 * with sa_token_free().
 */
int sa_token_new(sa_token **out, const char *account_id, const char *sa_id,
		 const char *server_url, const unsigned char *seed);

/*
 * Encodes `t` as text. *out is sodium_malloc'ed (it is the credential) and
 * must be released with sa_token_string_free(). Fails with SESAME_EINVAL
 * (kind "token_invalid") if a field is invalid.
 */
int sa_token_encode(char **out, const sa_token *t) __attribute__((warn_unused_result));

/*
 * Decodes `text`; leading and trailing whitespace is ignored. Errors, all
 * SESAME_EINVAL, checked in this order (the kind names the first failure):
 *   token_bad_prefix       does not start with "sesame_sa_"
 *   token_bad_encoding     a character outside base64url, or a length or
 *                          trailing bits no encoder produces
 *   token_truncated        shorter than the fixed part, URL length running
 *                          past the end, or bytes after the checksum
 *   token_bad_checksum     checksum mismatch (compared in constant time)
 *   token_unknown_version  version other than 1
 *   token_invalid          a malformed id or server URL
 * On failure *out is NULL and everything partially decoded is wiped.
 */
int sa_token_decode(sa_token **out, const char *text) __attribute__((warn_unused_result));

/* Wipes and frees a token. NULL is fine. */
void sa_token_free(sa_token *t);

/* Wipes and frees a string from sa_token_encode(). NULL is fine. */
void sa_token_string_free(char *s);

#endif
