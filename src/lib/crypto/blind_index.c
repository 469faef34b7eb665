/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "crypto/blind_index.h"
#include "crypto/hkdf.h"
#include "crypto/secmem.h"
#include "error.h"

_Static_assert(BLIND_INDEX_BYTES == crypto_auth_hmacsha256_BYTES, "hmac size");

int blind_index_key(unsigned char out[BLIND_INDEX_KEYBYTES],
		    const unsigned char vault_key[BLIND_INDEX_KEYBYTES])
{
	return hkdf_sha256(out, BLIND_INDEX_KEYBYTES, NULL, 0, vault_key, BLIND_INDEX_KEYBYTES,
			   BLIND_INDEX_LABEL, sizeof BLIND_INDEX_LABEL - 1);
}

static bool blind_index_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Feeds casefold(text) to `st`, a state that has absorbed the key, and finishes it. */
static int mac_casefolded(unsigned char out[BLIND_INDEX_BYTES], crypto_auth_hmacsha256_state *st,
			  const char *text, size_t len)
{
	char chunk[64]; /* lowered text, fed to the MAC piece by piece: no copy of it all */
	size_t start = 0, end = len;

	if (text == NULL && len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "blind index of a null text");
	while (start < end && blind_index_is_space(text[start]))
		start++;
	while (end > start && blind_index_is_space(text[end - 1]))
		end--;
	while (start < end) {
		size_t n = end - start;

		if (n > sizeof chunk)
			n = sizeof chunk;
		for (size_t i = 0; i < n; i++) {
			char c = text[start + i];

			chunk[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		crypto_auth_hmacsha256_update(st, (const unsigned char *)chunk, n);
		start += n;
	}
	crypto_auth_hmacsha256_final(st, out);
	/* The title is secret from the server; leave no copy of it behind. */
	sodium_memzero(chunk, sizeof chunk);
	sodium_memzero(st, sizeof *st);
	return 0;
}

int blind_index_compute(unsigned char out[BLIND_INDEX_BYTES],
			const unsigned char index_key[BLIND_INDEX_KEYBYTES], const char *text,
			size_t len)
{
	crypto_auth_hmacsha256_state st;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (text == NULL && len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "blind index of a null text");
	crypto_auth_hmacsha256_init(&st, index_key, BLIND_INDEX_KEYBYTES);
	return mac_casefolded(out, &st, text, len);
}

static int to_text(char out[BLIND_INDEX_TEXT_SIZE], unsigned char mac[BLIND_INDEX_BYTES], int rc)
{
	if (rc == 0 &&
	    b64_encode(out, BLIND_INDEX_TEXT_SIZE, mac, BLIND_INDEX_BYTES, B64_URL_NOPAD) != 0)
		rc = sesame_error_set(SESAME_EBUFSIZE, NULL, "blind index buffer too small");
	sodium_memzero(mac, BLIND_INDEX_BYTES);
	return rc;
}

int blind_indexer_init(blind_indexer *bi, const unsigned char index_key[BLIND_INDEX_KEYBYTES])
{
	if (secmem_init() != 0)
		return SESAME_ERROR;
	crypto_auth_hmacsha256_init(&bi->keyed, index_key, BLIND_INDEX_KEYBYTES);
	return 0;
}

int blind_indexer_text(char out[BLIND_INDEX_TEXT_SIZE], const blind_indexer *bi, const char *text,
		       size_t len)
{
	crypto_auth_hmacsha256_state st = bi->keyed;
	unsigned char mac[BLIND_INDEX_BYTES];

	return to_text(out, mac, mac_casefolded(mac, &st, text, len));
}

void blind_indexer_wipe(blind_indexer *bi)
{
	sodium_memzero(bi, sizeof *bi);
}

int blind_index_text(char out[BLIND_INDEX_TEXT_SIZE],
		     const unsigned char index_key[BLIND_INDEX_KEYBYTES], const char *text,
		     size_t len)
{
	unsigned char mac[BLIND_INDEX_BYTES];

	return to_text(out, mac, blind_index_compute(mac, index_key, text, len));
}
