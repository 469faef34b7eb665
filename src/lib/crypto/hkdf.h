/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_HKDF_H
#define SESAME_LIB_CRYPTO_HKDF_H

/*
 * HKDF-SHA256 (RFC 5869), built on libsodium's crypto_auth_hmacsha256
 * because libsodium 1.0.18 has no HKDF. Checked against the RFC's test
 * cases A.1-A.3 (tests/unit/crypto_hkdf.c).
 *
 * Use: turn one good secret into several independent keys, each bound to
 * a distinct `info` label ("sesame unlock key", ...). Extract concentrates
 * the entropy of `ikm` (under an optional, non-secret `salt`) into a
 * pseudorandom key; expand stretches that key into `out_len` bytes for
 * one purpose. When `ikm` is already a uniformly random key, HKDF-Expand
 * alone is enough.
 *
 * Every function wipes its intermediate state; the caller owns `out` (put
 * it in secure memory when it is a key).
 */

#include <stddef.h>

#define HKDF_SHA256_HASH_BYTES 32                             /* HashLen */
#define HKDF_SHA256_PRK_BYTES  HKDF_SHA256_HASH_BYTES         /* extract output */
#define HKDF_SHA256_OUT_MAX    (255 * HKDF_SHA256_HASH_BYTES) /* RFC 5869 limit on L */

/*
 * HKDF-Extract: prk = HMAC-SHA256(salt, ikm). A NULL or empty salt means
 * HashLen zero bytes, as the RFC says. Returns 0 or SESAME_ERROR.
 */
int hkdf_sha256_extract(unsigned char prk[HKDF_SHA256_PRK_BYTES], const void *salt, size_t salt_len,
			const void *ikm, size_t ikm_len);

/*
 * HKDF-Expand: `out_len` bytes (1 to HKDF_SHA256_OUT_MAX) from `prk` and
 * `info` (NULL/0 for none). SESAME_EINVAL for a bad length.
 */
int hkdf_sha256_expand(unsigned char *out, size_t out_len,
		       const unsigned char prk[HKDF_SHA256_PRK_BYTES], const void *info,
		       size_t info_len);

/* Extract then expand, the usual one-shot HKDF. */
int hkdf_sha256(unsigned char *out, size_t out_len, const void *salt, size_t salt_len,
		const void *ikm, size_t ikm_len, const void *info, size_t info_len);

#endif
