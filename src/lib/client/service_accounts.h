/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_SERVICE_ACCOUNTS_H
#define SESAME_LIB_CLIENT_SERVICE_ACCOUNTS_H

/*
 * Service accounts (DESIGN.md section 4, docs/api.md "Service accounts").
 *
 * Creating one happens here, on the creator's machine: a random 32-byte
 * seed, the keyset derived from it (keyset_from_seed), each granted
 * vault's key sealed to that keyset, and the token
 * (sesame_sa_..., token/sa_token.h) carrying the seed and the server URL.
 * The server receives only the public keys and the sealed vault keys;
 * the token and the seed never leave this process except to the caller,
 * in secure memory.
 *
 * Rotation does the same for a new service account that replaces the old
 * one (same name, vaults, permissions, expiry): the caller must be able
 * to open every vault of the service account to re-seal its key.
 */

#include <jansson.h>
#include <stdbool.h>

#include "client/session.h"

/* Permissions of a service account on a vault (names as in the API). */
#define SA_CLIENT_READ	1u /* read_items */
#define SA_CLIENT_WRITE 2u /* write_items */
#define SA_CLIENT_SHARE 4u /* share_items */

typedef struct {
	const char *vault; /* name or id */
	unsigned perms;	   /* SA_CLIENT_*; 0 means read_items */
} sa_vault_grant;

typedef struct {
	const char *name;
	const sa_vault_grant *vaults;
	size_t nvaults;
	bool can_create_vaults;
	long long expires_in; /* seconds; 0: never */
} sa_create_input;

/*
 * Creates a service account. *token is the token text in secure memory
 * (release with sa_token_string_free()); *sa the server's object (caller
 * decrefs). A personal or the default Shared vault is refused here,
 * naming it, before anything is sent.
 */
int sa_create(char **token, json_t **sa, session *s, const sa_create_input *in);

/* GET /v1/service-accounts: *out is {"service_accounts":[...]}. */
int sa_list(json_t **out, session *s);

/*
 * One service account by id, else by name (the live one when several
 * share it; else the most recent). *out is the object (caller decrefs).
 */
int sa_get(json_t **out, session *s, const char *name_or_id);

/* Revokes (every session and the token stop at once). *out: the object, or NULL. */
int sa_revoke(json_t **out, session *s, const char *name_or_id);

/*
 * Rotates: a new token for a new service account with the same vaults;
 * the old token stops now (grace 0) or after `grace` seconds.
 */
int sa_rotate(char **token, json_t **sa, session *s, const char *name_or_id, long long grace);

/* "read_items" etc. -> SA_CLIENT_*; 0 if unknown. */
unsigned sa_perm_parse(const char *name, size_t len);

#endif
