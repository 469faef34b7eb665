/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_VAULTS_H
#define SESAME_LIB_CLIENT_VAULTS_H

/*
 * Vaults as the client sees them: the server's vault object with the
 * attributes decrypted. The vault key stays in the session's keyring.
 */

#include <stdbool.h>
#include <stdint.h>

#include "client/session.h"

typedef struct {
	char id[ID_SIZE];
	char type[24]; /* personal | everyone | user_created */
	char *name;
	char *description;
	uint64_t attribute_version;
	uint64_t content_version;
	char created_at[32];
	char updated_at[32];
	long long items;
	long long permissions;
} client_vault;

void client_vault_clear(client_vault *v);
void client_vaults_free(client_vault *v, size_t n);

/* Opens one vault object (key into the keyring, attributes decrypted). */
int client_vault_from_json(client_vault *out, session *s, const json_t *obj);

int vaults_list(client_vault **out, size_t *n, session *s);

/* By id, else by exact name, else by name ignoring ASCII case. */
int vault_find(client_vault *out, session *s, const char *name_or_id);

int vault_create(client_vault *out, session *s, const char *name, const char *description,
		 bool allow_admins_to_manage);

/* Changes name and/or description (NULL keeps). `v` is updated. */
int vault_edit(session *s, client_vault *v, const char *name, const char *description);

int vault_delete(session *s, const client_vault *v);

#endif
