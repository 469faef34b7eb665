/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_KEYRING_H
#define SESAME_LIB_CLIENT_KEYRING_H

/*
 * The keys a signed-in principal can open: its own keyset, the keysets of
 * its groups (GET /v1/me/groups, each a 32-byte keyset seed sealed to the
 * member), and vault keys (from the `keys` paths of vault objects).
 * Every secret lives in secure memory and is wiped by keyring_free().
 *
 * Also the client's small key-derivation conventions (see
 * docs/internals/client.md and "Notes from the client" in
 * docs/protocol.md): the vault-attribute associated data, the key that
 * wraps a user's private keyset, and group keysets made from seeds.
 */

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "client/api.h"
#include "crypto/keyset.h"

#define VAULT_KEY_BYTES	     32
#define GROUP_SEED_BYTES     KEYSET_SEED_BYTES
#define VAULT_ATTRS_AD_LABEL "sesame vault attrs"
#define USER_KEYSET_AD_LABEL "sesame keyset"
#define VAULT_ATTRS_MAX	     (64u * 1024)

typedef struct keyring keyring;

/* `own` is borrowed and must outlive the keyring. */
int keyring_new(keyring **out, const keyset *own);
void keyring_free(keyring *kr);

/* Fetches and opens the caller's group keysets once (later calls: no-op). */
int keyring_load_groups(keyring *kr, api *a);

/* An opened group keyset, or NULL. Borrowed. */
const keyset *keyring_group(const keyring *kr, const char *group_id);

/*
 * Opens the key of a vault object (`id` and `keys`), trying each path in
 * order, and caches it. *key_out is borrowed (secure memory). SESAME_EPERM
 * (kind "vault_key_unavailable") when no path opens.
 */
int keyring_open_vault(keyring *kr, api *a, const json_t *vault, const unsigned char **key_out);

/* Adds a vault key the caller just made (copied). */
int keyring_add_vault(keyring *kr, const char *vault_id, const unsigned char key[VAULT_KEY_BYTES]);

/* A cached vault key, or NULL. */
const unsigned char *keyring_vault_key(const keyring *kr, const char *vault_id);

/* Length-prefixed AD: label | account | vault | version (8 bytes BE). */
int vault_attrs_ad(unsigned char *out, size_t cap, size_t *out_len, const char *account_id,
		   const char *vault_id, uint64_t attr_version);

/*
 * Encrypts {"name","description"} under the vault key; *out is a malloc'ed
 * b64u string.
 */
int vault_attrs_encrypt(char **out, const unsigned char key[VAULT_KEY_BYTES],
			const char *account_id, const char *vault_id, uint64_t attr_version,
			const char *name, const char *description);

/* Decrypts; *name and *description are malloc'ed ("" when absent). */
int vault_attrs_decrypt(char **name, char **description, const unsigned char key[VAULT_KEY_BYTES],
			const char *account_id, const char *vault_id, uint64_t attr_version,
			const char *b64);

/*
 * The key that wraps a user's private keyset: HKDF-SHA256(ikm = unlock
 * key, salt = none, info = "sesame keyset" | account id | user id), each
 * part length-prefixed, so a blob cannot be handed to another user.
 */
int user_keyset_key(unsigned char out[AEAD_KEYBYTES], const unsigned char unlock[AEAD_KEYBYTES],
		    const char *account_id, const char *user_id);

/* Seals (to `pk`) a b64u string of `len` bytes into obj[key]. */
int seal_to_json(json_t *obj, const char *key, const unsigned char *pt, size_t len,
		 const unsigned char pk[KEYSET_BOX_PUBLICKEYBYTES]);

/* Opens a b64u sealed box of exactly `len` bytes to `ks` into `out`. */
int open_sealed_b64(unsigned char *out, size_t len, const char *b64, const keyset *ks);

#endif
