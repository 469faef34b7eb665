/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_AEAD_H
#define SESAME_LIB_CRYPTO_AEAD_H

/*
 * Authenticated encryption for everything Sesame stores under a symmetric
 * key (items under the vault key, a user's private keyset under the unlock
 * key): XChaCha20-Poly1305-IETF from libsodium.
 *
 * Why XChaCha: its 192-bit nonce can be drawn at random for every message
 * with no realistic risk of reuse, so no counter has to be kept in step
 * across devices.
 *
 * Wire format (what the server stores): nonce (24) || ciphertext || tag (16),
 * so a ciphertext is AEAD_OVERHEAD bytes longer than its plaintext.
 *
 * Associated data is authenticated but not encrypted; it binds a
 * ciphertext to its place (see aead_item_ad()), so the server cannot move
 * a ciphertext to another item or roll an item back to an old version.
 */

#include <stddef.h>
#include <stdint.h>

#define AEAD_KEYBYTES   32
#define AEAD_NONCEBYTES 24
#define AEAD_TAGBYTES   16
#define AEAD_OVERHEAD   (AEAD_NONCEBYTES + AEAD_TAGBYTES)

/* The same sizes as functions, for bindings that cannot see macros. */
size_t aead_keybytes(void);
size_t aead_overhead(void);

/* Fills `key` with a fresh random key (e.g. a new vault key). */
int aead_keygen(unsigned char key[AEAD_KEYBYTES]);

/*
 * Encrypts `pt` (`pt_len` bytes; NULL allowed when 0) with associated data
 * `ad` (NULL/0 for none) under `key`, with a fresh random nonce. Writes
 * pt_len + AEAD_OVERHEAD bytes to `out` (capacity `out_cap`) and that
 * length to *out_len. `out` must not overlap `pt`.
 * Returns 0, SESAME_EBUFSIZE or SESAME_ETOOBIG.
 */
int aead_encrypt(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *pt,
		 size_t pt_len, const unsigned char *ad, size_t ad_len,
		 const unsigned char key[AEAD_KEYBYTES]);

/*
 * Verifies and decrypts `in` (nonce || ciphertext || tag). Writes
 * in_len - AEAD_OVERHEAD bytes of plaintext to `out` and that length to
 * *out_len. Any failure to authenticate (wrong key, wrong associated data,
 * a changed byte, truncation) returns SESAME_EDECRYPT, kind
 * "decryption_failed", and leaves `out` zeroed: no partial plaintext is
 * ever released. SESAME_EBUFSIZE when `out` is too small.
 * `out` must not overlap `in`.
 */
int aead_decrypt(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *in,
		 size_t in_len, const unsigned char *ad, size_t ad_len,
		 const unsigned char key[AEAD_KEYBYTES]) __attribute__((warn_unused_result));

/*
 * Canonical associated data for an item blob. Fields, in this order, each
 * written as a 4-byte big-endian length then its bytes:
 *
 *   "sesame item ad v1" | account id | vault id | item id |
 *   version (8 bytes, big-endian) | purpose ("overview", "details", ...)
 *
 * Length prefixes make the encoding injective: no two different field
 * tuples give the same bytes (plain concatenation would let "ab"+"c"
 * collide with "a"+"bc"). The leading label separates it from any other
 * use of the same key. Every string must be 1 to AEAD_AD_FIELD_MAX bytes.
 * Returns 0, SESAME_EINVAL or SESAME_EBUFSIZE.
 */
#define AEAD_AD_FIELD_MAX  128
#define AEAD_ITEM_AD_LABEL "sesame item ad v1"
#define AEAD_ITEM_AD_MAX   (6 * 4 + (sizeof AEAD_ITEM_AD_LABEL - 1) + 4 * AEAD_AD_FIELD_MAX + 8)

int aead_item_ad(unsigned char *out, size_t out_cap, size_t *out_len, const char *account_id,
		 const char *vault_id, const char *item_id, uint64_t version, const char *purpose);

#endif
