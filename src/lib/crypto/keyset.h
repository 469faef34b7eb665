/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_KEYSET_H
#define SESAME_LIB_CRYPTO_KEYSET_H

/*
 * A principal's keyset (user, group or service account): an X25519 key
 * pair that others seal vault keys to, and an Ed25519 key pair that signs.
 * The secret halves live in secure memory (crypto/secmem.h) for the life
 * of the handle and are wiped by keyset_free().
 *
 * Two ways to get one:
 * - keyset_new(): random, for users and groups; the private half is
 *   stored on the server encrypted with keyset_encrypt() under the user's
 *   unlock key (or sealed to group members).
 * - keyset_from_seed(): deterministic from a 32-byte seed, for service
 *   accounts whose token carries the seed, so no private key is stored
 *   anywhere. With PRK = HKDF-Extract(salt = none, ikm = seed):
 *     x25519 secret = HKDF-Expand(PRK, "sesame keyset x25519", 32)
 *     ed25519 seed  = HKDF-Expand(PRK, "sesame keyset ed25519", 32)
 *   (distinct labels give independent keys); the public keys follow with
 *   crypto_scalarmult_base() and crypto_sign_seed_keypair().
 */

#include <stddef.h>

#include "crypto/aead.h"

#define KEYSET_SEED_BYTES          32
#define KEYSET_BOX_PUBLICKEYBYTES  32
#define KEYSET_BOX_SECRETKEYBYTES  32
#define KEYSET_SIGN_PUBLICKEYBYTES 32
#define KEYSET_SIGNATUREBYTES      64
/* Base64url (no padding) of a 32-byte public key, NUL included: 43 + 1. */
#define KEYSET_PUBLIC_B64_SIZE 44

#define KEYSET_X25519_LABEL  "sesame keyset x25519"
#define KEYSET_ED25519_LABEL "sesame keyset ed25519"

/*
 * The private keyset as stored: format byte (1) || X25519 secret (32) ||
 * Ed25519 seed (32), encrypted with aead_encrypt() under associated data
 * KEYSET_AD, so the blob cannot be passed off as any other ciphertext
 * made under the same key.
 */
#define KEYSET_FORMAT_V1       1
#define KEYSET_PRIVATE_BYTES   (1 + 32 + 32)
#define KEYSET_ENCRYPTED_BYTES (KEYSET_PRIVATE_BYTES + AEAD_OVERHEAD)
#define KEYSET_AD              "sesame keyset v1"

typedef struct keyset keyset;

/* Generates a random keyset. *out must be released with keyset_free(). */
int keyset_new(keyset **out);

/* Derives a keyset from `seed` as described above. */
int keyset_from_seed(keyset **out, const unsigned char seed[KEYSET_SEED_BYTES]);

/* Wipes and frees; NULL is ignored. */
void keyset_free(keyset *ks);

/* Public keys, borrowed from `ks` (valid until keyset_free()). */
const unsigned char *keyset_box_public_key(const keyset *ks);
const unsigned char *keyset_sign_public_key(const keyset *ks);

/*
 * The X25519 secret key, borrowed, in secure memory: pass it to seal_open()
 * and never copy it out. (Exposed so tests can check the seed derivation.)
 */
const unsigned char *keyset_box_secret_key(const keyset *ks);

/* Public keys as base64url text into `out` (KEYSET_PUBLIC_B64_SIZE bytes). */
int keyset_box_public_b64(char *out, size_t out_cap, const keyset *ks);
int keyset_sign_public_b64(char *out, size_t out_cap, const keyset *ks);

/*
 * Encrypts the private keyset under `key` (32 bytes, e.g. the unlock key)
 * into `out` (KEYSET_ENCRYPTED_BYTES), for storage on the server.
 */
int keyset_encrypt(unsigned char *out, size_t out_cap, size_t *out_len, const keyset *ks,
		   const unsigned char key[AEAD_KEYBYTES]);

/*
 * Decrypts a blob from keyset_encrypt(). SESAME_EDECRYPT for a wrong key
 * or a changed blob; SESAME_EUNSUPPORTED for an unknown format byte.
 */
int keyset_decrypt(keyset **out, const unsigned char *in, size_t in_len,
		   const unsigned char key[AEAD_KEYBYTES]) __attribute__((warn_unused_result));

/* Opens a sealed box addressed to this keyset (see crypto/seal.h). */
int keyset_seal_open(unsigned char *out, size_t out_cap, size_t *out_len, const unsigned char *in,
		     size_t in_len, const keyset *ks) __attribute__((warn_unused_result));

/* Detached Ed25519 signature of `msg`. */
int keyset_sign(unsigned char sig[KEYSET_SIGNATUREBYTES], const unsigned char *msg, size_t msg_len,
		const keyset *ks);

/*
 * Verifies a detached Ed25519 signature against a signing public key.
 * 0 when valid, else SESAME_EAUTH (kind "invalid_signature").
 */
int keyset_verify(const unsigned char sig[KEYSET_SIGNATUREBYTES], const unsigned char *msg,
		  size_t msg_len, const unsigned char pk[KEYSET_SIGN_PUBLICKEYBYTES])
    __attribute__((warn_unused_result));

#endif
