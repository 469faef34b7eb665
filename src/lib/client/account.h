/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_ACCOUNT_H
#define SESAME_LIB_CLIENT_ACCOUNT_H

/*
 * Creating an account (protocol section 2 and 7): every key is made here,
 * on the client; POST /v1/accounts carries only public keys, sealed keys,
 * ciphertext, the salt and the KDF cost. The result is the emergency kit,
 * which holds the Secret Key: it lives in secure memory.
 */

#include <jansson.h>
#include <stddef.h>

#include "client/api.h"
#include "crypto/ids.h"
#include "crypto/kdf2s.h"
#include "crypto/secret_key.h"

/* Every vault permission bit (protocol section 7). */
#define PERM_MANAGE_VAULT   2
#define PERM_ALL	    15730674LL
#define PERM_ALL_BUT_MANAGE (PERM_ALL & ~(long long)PERM_MANAGE_VAULT)

typedef struct {
	const char *account_name;
	const char *email;
	const char *user_name;
	const char *password; /* as typed */
	size_t password_len;
	kdf2s_params kdf;
} account_create_input;

/* Plain arrays only: it is allocated in secure memory. */
typedef struct {
	char address[API_URL_MAX + 1];
	char email[KDF2S_EMAIL_MAX + 1];
	char account_id[ID_SIZE];
	char user_id[ID_SIZE];
	char secret_key[SECRET_KEY_DISPLAY_SIZE]; /* display form */
} account_kit;

/*
 * KDF cost from the environment: SESAME_KDF=interactive (libsodium's
 * INTERACTIVE, 2 passes, 64 MiB; for tests and --dev servers only) or
 * moderate (the default, 3 passes, 256 MiB). Anything else: SESAME_EINVAL.
 */
int client_kdf_params(kdf2s_params *out);

/*
 * Builds the POST /v1/accounts body and the kit (kit->address left empty).
 * Split from account_create() so tests can inspect the payload.
 * *kit is secure memory: release with account_kit_free().
 */
int account_build_payload(json_t **out, account_kit **kit, const account_create_input *in);

/* Builds, posts, and returns the kit with the sign-in address filled in. */
int account_create(account_kit **out, api *a, const account_create_input *in);

void account_kit_free(account_kit *kit);

#endif
