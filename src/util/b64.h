/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_UTIL_B64_H
#define SESAME_UTIL_B64_H

/*
 * Base64 and base64url, constant-time (libsodium's codec), for keys,
 * ciphertext and tokens. Encoded text is NUL-terminated.
 */

#include <stddef.h>

typedef enum {
	B64_STANDARD,       /* A-Z a-z 0-9 + /, padded */
	B64_URL_NOPAD,      /* A-Z a-z 0-9 - _, no padding (tokens, wire ids) */
} b64_variant;

/* Size of the buffer b64_encode needs for `len` bytes, NUL included. */
size_t b64_encoded_size(size_t len, b64_variant v);

/* Encodes into `out` (capacity `cap`); returns 0 or SESAME_EBUFSIZE. */
int b64_encode(char *out, size_t cap, const void *bin, size_t len, b64_variant v);

/*
 * Decodes `text` (length `text_len`) into `out` (capacity `cap`), writing
 * the decoded length to `*out_len`. Rejects characters outside the
 * variant's alphabet, bad padding, and trailing garbage; SESAME_EINVAL on
 * bad input, SESAME_EBUFSIZE when `out` is too small.
 * URL variant: padding is tolerated (ignored) when present.
 */
int b64_decode(void *out, size_t cap, size_t *out_len, const char *text, size_t text_len,
	       b64_variant v);

/*
 * b64_decode() for PUBLIC data only (ciphertext, public keys): a plain
 * table decoder, several times faster than libsodium's constant-time one,
 * whose timing may depend on the bytes. Same strictness and results.
 * Never use it for keys, tokens or any other secret.
 */
int b64_decode_public(void *out, size_t cap, size_t *out_len, const char *text, size_t text_len,
		      b64_variant v);

/* Upper bound of the decoded size of `text_len` characters. */
size_t b64_decoded_max(size_t text_len);

#endif
