/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_BLIND_INDEX_H
#define SESAME_LIB_CRYPTO_BLIND_INDEX_H

/*
 * Blind indexes let the server find an item by exact title or tag without
 * learning either: the client stores HMAC(index key, casefold(text)) next
 * to the item, and later asks for that value.
 *
 *   index key = HKDF-SHA256(ikm = vault key, salt = none,
 *                           info = "sesame blind index", L = 32)
 *   index     = HMAC-SHA256(index key, casefold(text))     (32 bytes)
 *   text form = base64url, no padding                      (43 characters)
 *
 * A separate key (not the vault key itself) keeps MAC and encryption uses
 * apart. Anyone with the vault key can compute indexes; the server cannot.
 * What the server does learn: which items share a title or tag, and, for a
 * guessable title, a dictionary attack needs the vault key first.
 *
 * casefold: leading and trailing ASCII whitespace removed, ASCII A-Z
 * lowered. Limitation: there is no Unicode case folding or normalisation
 * in C without ICU, so non-ASCII bytes are compared exactly ("Ä" and "ä",
 * or composed and decomposed "é", give different indexes).
 */

#include <stddef.h>

#include <sodium.h>

#define BLIND_INDEX_KEYBYTES  32
#define BLIND_INDEX_BYTES     32
#define BLIND_INDEX_TEXT_SIZE 44 /* 43 base64url characters + NUL */
#define BLIND_INDEX_LABEL     "sesame blind index"

/* Derives the index key from a vault key. */
int blind_index_key(unsigned char out[BLIND_INDEX_KEYBYTES],
		    const unsigned char vault_key[BLIND_INDEX_KEYBYTES]);

/* The index of `text` (`len` bytes; need not be NUL-terminated). */
int blind_index_compute(unsigned char out[BLIND_INDEX_BYTES],
			const unsigned char index_key[BLIND_INDEX_KEYBYTES], const char *text,
			size_t len);

/* The same, as base64url text in `out` (BLIND_INDEX_TEXT_SIZE bytes). */
int blind_index_text(char out[BLIND_INDEX_TEXT_SIZE],
		     const unsigned char index_key[BLIND_INDEX_KEYBYTES], const char *text,
		     size_t len);

/*
 * Many indexes under one key (a batch of references): the HMAC state
 * after the key is absorbed, kept so that each index costs two SHA-256
 * blocks instead of four. Holds key material: blind_indexer_wipe() it.
 */
typedef struct {
	crypto_auth_hmacsha256_state keyed;
} blind_indexer;

int blind_indexer_init(blind_indexer *bi, const unsigned char index_key[BLIND_INDEX_KEYBYTES]);
/* As blind_index_text(), under the indexer's key. */
int blind_indexer_text(char out[BLIND_INDEX_TEXT_SIZE], const blind_indexer *bi, const char *text,
		       size_t len);
void blind_indexer_wipe(blind_indexer *bi);

#endif
