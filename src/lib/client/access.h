/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_ACCESS_H
#define SESAME_LIB_CLIENT_ACCESS_H

/*
 * Vault access for people and groups (protocol section 4, "Granting"):
 * permissions by 1Password name, their dependencies (checked here, never
 * filled in: a missing one is an error naming it, as op does when it
 * cannot ask), and grant / revoke / list. Granting seals the vault key,
 * which the caller must be able to open, to the grantee's box key.
 */

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "client/session.h"
#include "client/vaults.h"

/* Every permission bit (docs/api.md "Permissions"). */
#define ACCESS_PERM_ALL 15730674u

/*
 * Parses "name[,name...]" (1Password names; allow_viewing, allow_editing
 * and allow_managing expand to their granular sets; spaces around names
 * are ignored). SESAME_EINVAL (kind "invalid_permissions") for an
 * unknown or empty name.
 */
int access_perms_parse(uint32_t *out, const char *list);

/*
 * Checks the dependency table on a complete set. SESAME_EINVAL
 * ("permission 'edit_items' requires 'view_and_copy_passwords'"), naming
 * the first missing one, as the server does.
 */
int access_perms_check(uint32_t perms);

/* The names of the bits of `perms`, in table order, as a JSON array. */
json_t *access_perms_json(uint32_t perms);

/* "view_items, edit_items" into out (truncated to cap). */
void access_perms_text(char *out, size_t cap, uint32_t perms);

typedef struct {
	char principal_id[ID_SIZE];
	char principal_type[24]; /* user | group | service_account */
	uint32_t permissions;
} client_access;

/* GET /v1/vaults/{v}/access; *out is malloc'ed (free()). */
int access_list(client_access **out, size_t *n, session *s, const client_vault *v);

/*
 * Adds `perms` to what the principal has on the vault (a new row when it
 * has none) and checks the dependencies of the result. `label` names the
 * principal in messages. *result is the new set.
 */
int access_grant(uint32_t *result, session *s, const client_vault *v, const char *principal_id,
		 const char *label, uint32_t perms);

/*
 * Removes `perms` (0: all) from what the principal has. When nothing is
 * left the row is deleted. *result is what is left (0 when removed).
 */
int access_revoke(uint32_t *result, session *s, const client_vault *v, const char *principal_id,
		  const char *label, uint32_t perms);

#endif
