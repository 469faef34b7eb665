/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <sodium.h>

#include "crypto/hkdf.h"
#include "crypto/secmem.h"
#include "error.h"

_Static_assert(HKDF_SHA256_HASH_BYTES == crypto_auth_hmacsha256_BYTES, "HashLen");

int hkdf_sha256_extract(unsigned char prk[HKDF_SHA256_PRK_BYTES], const void *salt, size_t salt_len,
			const void *ikm, size_t ikm_len)
{
	static const unsigned char zero_salt[HKDF_SHA256_HASH_BYTES];
	crypto_auth_hmacsha256_state st;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (ikm == NULL && ikm_len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "hkdf input key material is null");
	if (salt == NULL || salt_len == 0) {
		salt = zero_salt;
		salt_len = sizeof zero_salt;
	}
	/* The salt is the HMAC key; libsodium hashes keys longer than a block. */
	crypto_auth_hmacsha256_init(&st, salt, salt_len);
	if (ikm_len > 0)
		crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	sodium_memzero(&st, sizeof st);
	return 0;
}

int hkdf_sha256_expand(unsigned char *out, size_t out_len,
		       const unsigned char prk[HKDF_SHA256_PRK_BYTES], const void *info,
		       size_t info_len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char t[HKDF_SHA256_HASH_BYTES];
	size_t done = 0;
	unsigned char counter = 0;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (out == NULL || out_len == 0 || out_len > HKDF_SHA256_OUT_MAX)
		return sesame_error_set(SESAME_EINVAL, NULL,
					"hkdf output length must be 1 to %d bytes",
					HKDF_SHA256_OUT_MAX);
	if (info == NULL && info_len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "hkdf info is null");

	/* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty, i from 1. */
	while (done < out_len) {
		size_t n = out_len - done;

		counter++;
		crypto_auth_hmacsha256_init(&st, prk, HKDF_SHA256_PRK_BYTES);
		if (counter > 1)
			crypto_auth_hmacsha256_update(&st, t, sizeof t);
		if (info_len > 0)
			crypto_auth_hmacsha256_update(&st, info, info_len);
		crypto_auth_hmacsha256_update(&st, &counter, 1);
		crypto_auth_hmacsha256_final(&st, t);
		if (n > sizeof t)
			n = sizeof t;
		memcpy(out + done, t, n);
		done += n;
	}
	sodium_memzero(&st, sizeof st);
	sodium_memzero(t, sizeof t);
	return 0;
}

int hkdf_sha256(unsigned char *out, size_t out_len, const void *salt, size_t salt_len,
		const void *ikm, size_t ikm_len, const void *info, size_t info_len)
{
	unsigned char prk[HKDF_SHA256_PRK_BYTES];
	int rc;

	rc = hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len);
	if (rc == 0)
		rc = hkdf_sha256_expand(out, out_len, prk, info, info_len);
	sodium_memzero(prk, sizeof prk);
	return rc;
}
