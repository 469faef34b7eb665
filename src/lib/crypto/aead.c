/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/aead.h"
#include "crypto/secmem.h"
#include "error.h"

_Static_assert(AEAD_KEYBYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert(AEAD_NONCEBYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce size");
_Static_assert(AEAD_TAGBYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag size");

size_t aead_keybytes(void)
{
	return AEAD_KEYBYTES;
}

size_t aead_overhead(void)
{
	return AEAD_OVERHEAD;
}

int aead_keygen(unsigned char key[AEAD_KEYBYTES])
{
	if (secmem_init() != 0)
		return SESAME_ERROR;
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	return 0;
}

int aead_encrypt(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *pt,
		 size_t pt_len, const unsigned char *ad, size_t ad_len,
		 const unsigned char key[AEAD_KEYBYTES])
{
	unsigned long long clen = 0;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (pt_len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    pt_len > SIZE_MAX - AEAD_OVERHEAD)
		return sesame_error_set(SESAME_ETOOBIG, NULL, "plaintext too large to encrypt");
	if (out_cap < pt_len + AEAD_OVERHEAD)
		return sesame_error_set(SESAME_EBUFSIZE, NULL,
					"ciphertext buffer too small: %zu bytes, need %zu", out_cap,
					pt_len + AEAD_OVERHEAD);
	if ((pt == NULL && pt_len != 0) || (ad == NULL && ad_len != 0))
		return sesame_error_set(SESAME_EINVAL, NULL, "null input to encrypt");

	/* A fresh random nonce per message: 192 bits make collisions moot. */
	randombytes_buf(out, AEAD_NONCEBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + AEAD_NONCEBYTES, &clen, pt, pt_len, ad,
						   ad_len, NULL, out, key);
	*out_len = AEAD_NONCEBYTES + (size_t)clen;
	return 0;
}

int aead_decrypt(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *in,
		 size_t in_len, const unsigned char *ad, size_t ad_len,
		 const unsigned char key[AEAD_KEYBYTES])
{
	unsigned long long mlen = 0;
	size_t pt_len;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	/* Too short to hold a nonce and a tag: it cannot be authentic. */
	if (in == NULL || in_len < AEAD_OVERHEAD)
		return sesame_error_set(SESAME_EDECRYPT, "decryption_failed",
					"ciphertext too short: %zu bytes", in_len);
	pt_len = in_len - AEAD_OVERHEAD;
	if (out_cap < pt_len)
		return sesame_error_set(SESAME_EBUFSIZE, NULL,
					"plaintext buffer too small: %zu bytes, need %zu", out_cap,
					pt_len);
	if (ad == NULL && ad_len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "null associated data");

	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, in + AEAD_NONCEBYTES,
						       in_len - AEAD_NONCEBYTES, ad, ad_len, in,
						       key) != 0) {
		/* libsodium writes nothing on failure; make that a promise. */
		if (out != NULL && pt_len > 0)
			sodium_memzero(out, pt_len);
		return sesame_error_set(SESAME_EDECRYPT, "decryption_failed",
					"ciphertext failed authentication "
					"(wrong key, wrong context or tampered)");
	}
	*out_len = (size_t)mlen;
	return 0;
}

/* Appends a 4-byte big-endian length and the bytes; the caller checked room. */
static size_t aead_ad_put(unsigned char *p, const void *data, size_t len)
{
	p[0] = (unsigned char)(len >> 24);
	p[1] = (unsigned char)(len >> 16);
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
	memcpy(p + 4, data, len);
	return 4 + len;
}

static int aead_ad_check(const char *value, const char *name, size_t *len)
{
	if (value == NULL || value[0] == '\0')
		return sesame_error_set(SESAME_EINVAL, NULL, "associated data: %s is empty", name);
	*len = strnlen(value, AEAD_AD_FIELD_MAX + 1);
	if (*len > AEAD_AD_FIELD_MAX)
		return sesame_error_set(SESAME_EINVAL, NULL,
					"associated data: %s longer than %d bytes", name,
					AEAD_AD_FIELD_MAX);
	return 0;
}

int aead_item_ad(unsigned char *out, size_t out_cap, size_t *out_len, const char *account_id,
		 const char *vault_id, const char *item_id, uint64_t version, const char *purpose)
{
	const char *values[] = {account_id, vault_id, item_id, purpose};
	static const char *const names[] = {"account id", "vault id", "item id", "purpose"};
	size_t lens[4];
	size_t need = 4 + (sizeof AEAD_ITEM_AD_LABEL - 1) + 4 + 8;
	unsigned char ver[8];
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < 4; i++) {
		rc = aead_ad_check(values[i], names[i], &lens[i]);
		if (rc != 0)
			return rc;
		need += 4 + lens[i];
	}
	if (out_cap < need)
		return sesame_error_set(SESAME_EBUFSIZE, NULL,
					"associated data buffer too small: %zu bytes, need %zu",
					out_cap, need);
	for (int i = 0; i < 8; i++)
		ver[i] = (unsigned char)(version >> (56 - 8 * i));

	n += aead_ad_put(out + n, AEAD_ITEM_AD_LABEL, sizeof AEAD_ITEM_AD_LABEL - 1);
	n += aead_ad_put(out + n, account_id, lens[0]);
	n += aead_ad_put(out + n, vault_id, lens[1]);
	n += aead_ad_put(out + n, item_id, lens[2]);
	n += aead_ad_put(out + n, ver, sizeof ver);
	n += aead_ad_put(out + n, purpose, lens[3]);
	*out_len = n;
	return 0;
}
