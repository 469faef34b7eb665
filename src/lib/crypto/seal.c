/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>

#include <sodium.h>

#include "crypto/seal.h"
#include "crypto/secmem.h"
#include "error.h"

_Static_assert(SEAL_PUBLICKEYBYTES == crypto_box_PUBLICKEYBYTES, "public key size");
_Static_assert(SEAL_SECRETKEYBYTES == crypto_box_SECRETKEYBYTES, "secret key size");
_Static_assert(SEAL_OVERHEAD == crypto_box_SEALBYTES, "sealed box overhead");

size_t seal_overhead(void)
{
	return SEAL_OVERHEAD;
}

int seal_encrypt(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *pt,
		 size_t pt_len, const unsigned char pk[SEAL_PUBLICKEYBYTES])
{
	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (pt_len > crypto_box_MESSAGEBYTES_MAX || pt_len > SIZE_MAX - SEAL_OVERHEAD)
		return sesame_error_set(SESAME_ETOOBIG, NULL, "plaintext too large to seal");
	if (out_cap < pt_len + SEAL_OVERHEAD)
		return sesame_error_set(SESAME_EBUFSIZE, NULL,
					"sealed box buffer too small: %zu bytes, need %zu", out_cap,
					pt_len + SEAL_OVERHEAD);
	if (pt == NULL && pt_len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "null input to seal");
	if (crypto_box_seal(out, pt, pt_len, pk) != 0)
		return sesame_error_set(SESAME_EINVAL, "invalid_public_key",
					"cannot seal to this public key");
	*out_len = pt_len + SEAL_OVERHEAD;
	return 0;
}

int seal_open(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *in,
	      size_t in_len, const unsigned char pk[SEAL_PUBLICKEYBYTES],
	      const unsigned char sk[SEAL_SECRETKEYBYTES])
{
	size_t pt_len;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (in == NULL || in_len < SEAL_OVERHEAD)
		return sesame_error_set(SESAME_EDECRYPT, "decryption_failed",
					"sealed box too short: %zu bytes", in_len);
	pt_len = in_len - SEAL_OVERHEAD;
	if (out_cap < pt_len)
		return sesame_error_set(SESAME_EBUFSIZE, NULL,
					"plaintext buffer too small: %zu bytes, need %zu", out_cap,
					pt_len);
	if (crypto_box_seal_open(out, in, in_len, pk, sk) != 0) {
		if (out != NULL && pt_len > 0)
			sodium_memzero(out, pt_len);
		return sesame_error_set(SESAME_EDECRYPT, "decryption_failed",
					"sealed box failed authentication "
					"(not sealed to this key, or tampered)");
	}
	*out_len = pt_len;
	return 0;
}
