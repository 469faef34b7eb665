/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "crypto/hkdf.h"
#include "crypto/keyset.h"
#include "crypto/seal.h"
#include "crypto/secmem.h"
#include "error.h"

_Static_assert(KEYSET_BOX_PUBLICKEYBYTES == crypto_box_PUBLICKEYBYTES, "x25519 pk");
_Static_assert(KEYSET_BOX_SECRETKEYBYTES == crypto_box_SECRETKEYBYTES, "x25519 sk");
_Static_assert(KEYSET_SIGN_PUBLICKEYBYTES == crypto_sign_PUBLICKEYBYTES, "ed25519 pk");
_Static_assert(KEYSET_SIGNATUREBYTES == crypto_sign_BYTES, "ed25519 signature");
_Static_assert(KEYSET_SEED_BYTES == crypto_sign_SEEDBYTES, "ed25519 seed");

/*
 * Only unsigned char arrays, so the struct has alignment 1 and can live
 * whole in sodium_malloc() memory (which is not aligned; see secmem.h).
 */
struct keyset {
	unsigned char box_pk[crypto_box_PUBLICKEYBYTES];
	unsigned char box_sk[crypto_box_SECRETKEYBYTES];
	unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sign_sk[crypto_sign_SECRETKEYBYTES]; /* seed || pk, libsodium layout */
};

_Static_assert(_Alignof(struct keyset) == 1, "keyset must stay byte-aligned");

static keyset *keyset_alloc(void)
{
	return secmem_calloc(sizeof(keyset));
}

/* Fills a keyset from its two secrets: the X25519 scalar and the Ed25519 seed. */
static int keyset_fill(keyset *ks, const unsigned char box_sk[crypto_box_SECRETKEYBYTES],
		       const unsigned char sign_seed[crypto_sign_SEEDBYTES])
{
	memcpy(ks->box_sk, box_sk, sizeof ks->box_sk);
	/* Clamping happens inside scalarmult, so any 32 bytes are a valid secret. */
	if (crypto_scalarmult_base(ks->box_pk, ks->box_sk) != 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot compute x25519 public key");
	if (crypto_sign_seed_keypair(ks->sign_pk, ks->sign_sk, sign_seed) != 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot compute ed25519 key pair");
	return 0;
}

int keyset_new(keyset **out)
{
	unsigned char *secrets;
	keyset *ks;
	int rc;

	*out = NULL;
	ks = keyset_alloc();
	if (ks == NULL)
		return SESAME_ENOMEM;
	secrets = secmem_alloc(2 * 32);
	if (secrets == NULL) {
		secmem_free(ks);
		return SESAME_ENOMEM;
	}
	randombytes_buf(secrets, 2 * 32);
	rc = keyset_fill(ks, secrets, secrets + 32);
	secmem_free(secrets);
	if (rc != 0) {
		secmem_free(ks);
		return rc;
	}
	*out = ks;
	return 0;
}

int keyset_from_seed(keyset **out, const unsigned char seed[KEYSET_SEED_BYTES])
{
	unsigned char *tmp; /* prk (32) || x25519 secret (32) || ed25519 seed (32) */
	keyset *ks;
	int rc;

	*out = NULL;
	ks = keyset_alloc();
	if (ks == NULL)
		return SESAME_ENOMEM;
	tmp = secmem_alloc(3 * 32);
	if (tmp == NULL) {
		secmem_free(ks);
		return SESAME_ENOMEM;
	}
	rc = hkdf_sha256_extract(tmp, NULL, 0, seed, KEYSET_SEED_BYTES);
	if (rc == 0)
		rc = hkdf_sha256_expand(tmp + 32, 32, tmp, KEYSET_X25519_LABEL,
					sizeof KEYSET_X25519_LABEL - 1);
	if (rc == 0)
		rc = hkdf_sha256_expand(tmp + 64, 32, tmp, KEYSET_ED25519_LABEL,
					sizeof KEYSET_ED25519_LABEL - 1);
	if (rc == 0)
		rc = keyset_fill(ks, tmp + 32, tmp + 64);
	secmem_free(tmp);
	if (rc != 0) {
		secmem_free(ks);
		return rc;
	}
	*out = ks;
	return 0;
}

void keyset_free(keyset *ks)
{
	secmem_free(ks);
}

const unsigned char *keyset_box_public_key(const keyset *ks)
{
	return ks->box_pk;
}

const unsigned char *keyset_sign_public_key(const keyset *ks)
{
	return ks->sign_pk;
}

const unsigned char *keyset_box_secret_key(const keyset *ks)
{
	return ks->box_sk;
}

int keyset_box_public_b64(char *out, size_t out_cap, const keyset *ks)
{
	if (b64_encode(out, out_cap, ks->box_pk, sizeof ks->box_pk, B64_URL_NOPAD) != 0)
		return sesame_error_set(SESAME_EBUFSIZE, NULL, "public key buffer too small");
	return 0;
}

int keyset_sign_public_b64(char *out, size_t out_cap, const keyset *ks)
{
	if (b64_encode(out, out_cap, ks->sign_pk, sizeof ks->sign_pk, B64_URL_NOPAD) != 0)
		return sesame_error_set(SESAME_EBUFSIZE, NULL, "public key buffer too small");
	return 0;
}

int keyset_encrypt(unsigned char *out, size_t out_cap, size_t *out_len, const keyset *ks,
		   const unsigned char key[AEAD_KEYBYTES])
{
	unsigned char *pt;
	int rc;

	pt = secmem_alloc(KEYSET_PRIVATE_BYTES);
	if (pt == NULL)
		return SESAME_ENOMEM;
	pt[0] = KEYSET_FORMAT_V1;
	memcpy(pt + 1, ks->box_sk, 32);
	memcpy(pt + 33, ks->sign_sk, crypto_sign_SEEDBYTES); /* the seed is the first half */
	rc = aead_encrypt(out, out_cap, out_len, pt, KEYSET_PRIVATE_BYTES,
			  (const unsigned char *)KEYSET_AD, sizeof KEYSET_AD - 1, key);
	secmem_free(pt);
	return rc;
}

int keyset_decrypt(keyset **out, const unsigned char *in, size_t in_len,
		   const unsigned char key[AEAD_KEYBYTES])
{
	unsigned char *pt = NULL;
	keyset *ks = NULL;
	size_t pt_len = 0;
	int rc;

	*out = NULL;
	if (in_len != KEYSET_ENCRYPTED_BYTES)
		return sesame_error_set(SESAME_EDECRYPT, "decryption_failed",
					"encrypted keyset has %zu bytes, expected %d", in_len,
					KEYSET_ENCRYPTED_BYTES);
	pt = secmem_alloc(KEYSET_PRIVATE_BYTES);
	ks = keyset_alloc();
	if (pt == NULL || ks == NULL) {
		rc = SESAME_ENOMEM;
		goto cleanup;
	}
	rc = aead_decrypt(pt, KEYSET_PRIVATE_BYTES, &pt_len, in, in_len,
			  (const unsigned char *)KEYSET_AD, sizeof KEYSET_AD - 1, key);
	if (rc != 0)
		goto cleanup;
	if (pt[0] != KEYSET_FORMAT_V1) {
		rc = sesame_error_set(SESAME_EUNSUPPORTED, NULL,
				      "encrypted keyset has unknown format %u", pt[0]);
		goto cleanup;
	}
	rc = keyset_fill(ks, pt + 1, pt + 33);
	if (rc != 0)
		goto cleanup;
	*out = ks;
	ks = NULL;
cleanup:
	secmem_free(pt);
	secmem_free(ks);
	return rc;
}

int keyset_seal_open(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *in,
		     size_t in_len, const keyset *ks)
{
	return seal_open(out, out_cap, out_len, in, in_len, ks->box_pk, ks->box_sk);
}

int keyset_sign(unsigned char sig[KEYSET_SIGNATUREBYTES], const unsigned char *msg, size_t msg_len,
		const keyset *ks)
{
	if (msg == NULL && msg_len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "null message to sign");
	crypto_sign_detached(sig, NULL, msg, msg_len, ks->sign_sk);
	return 0;
}

int keyset_verify(const unsigned char sig[KEYSET_SIGNATUREBYTES], const unsigned char *msg,
		  size_t msg_len, const unsigned char pk[KEYSET_SIGN_PUBLICKEYBYTES])
{
	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (msg == NULL && msg_len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "null message to verify");
	if (crypto_sign_verify_detached(sig, msg, msg_len, pk) != 0)
		return sesame_error_set(SESAME_EAUTH, "invalid_signature",
					"signature is not valid");
	return 0;
}
