/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authorization: the permission table, effective permissions, and the
 * vault rules (authz.h).
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "error.h"
#include "log.h"

/*
 * 1Password's permissions and their dependencies (docs/api.md,
 * "Permissions"), each with the full set it needs.
 */
static const struct perm {
	uint32_t bit;
	const char *name;
	uint32_t requires;
} perm_table[] = {
	{PERM_MANAGE_VAULT, "manage_vault", 0},
	{PERM_VIEW_ITEMS, "view_items", 0},
	{PERM_VIEW_AND_COPY_PASSWORDS, "view_and_copy_passwords", PERM_VIEW_ITEMS},
	{PERM_CREATE_ITEMS, "create_items", PERM_VIEW_ITEMS},
	{PERM_VIEW_ITEM_HISTORY, "view_item_history",
	 PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS},
	{PERM_EDIT_ITEMS, "edit_items", PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS},
	{PERM_ARCHIVE_ITEMS, "archive_items",
	 PERM_EDIT_ITEMS | PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS},
	{PERM_DELETE_ITEMS, "delete_items",
	 PERM_EDIT_ITEMS | PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS},
	{PERM_IMPORT_ITEMS, "import_items", PERM_CREATE_ITEMS | PERM_VIEW_ITEMS},
	{PERM_EXPORT_ITEMS, "export_items",
	 PERM_VIEW_ITEM_HISTORY | PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS},
	{PERM_COPY_AND_SHARE_ITEMS, "copy_and_share_items",
	 PERM_VIEW_ITEM_HISTORY | PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS},
	{PERM_PRINT_ITEMS, "print_items",
	 PERM_VIEW_ITEM_HISTORY | PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS},
};

#define NPERMS (sizeof perm_table / sizeof perm_table[0])

const char *authz_perm_name(uint32_t bit)
{
	for (size_t i = 0; i < NPERMS; i++)
		if (perm_table[i].bit == bit)
			return perm_table[i].name;
	return NULL;
}

int authz_check_permissions(uint32_t p)
{
	uint32_t known = 0;

	for (size_t i = 0; i < NPERMS; i++)
		known |= perm_table[i].bit;
	if (p & ~known)
		return sesame_error_set(SESAME_EINVAL, "invalid_permissions",
					"permissions %u has unknown bits (%u)", p, p & ~known);
	for (size_t i = 0; i < NPERMS; i++) {
		uint32_t missing;
		if (!(p & perm_table[i].bit))
			continue;
		missing = perm_table[i].requires & ~p;
		if (!missing)
			continue;
		/* Name the first missing dependency, in table order. */
		for (size_t j = 0; j < NPERMS; j++)
			if (missing & perm_table[j].bit)
				return sesame_error_set(SESAME_EINVAL, "invalid_permissions",
							"permission '%s' requires '%s'",
							perm_table[i].name, perm_table[j].name);
	}
	return 0;
}

/* The names of the bits in `need` that `have` lacks, for a 403 message. */
static void missing_names(uint32_t need, uint32_t have, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NPERMS && n < cap; i++) {
		if ((need & perm_table[i].bit) && !(have & perm_table[i].bit)) {
			int w = snprintf(buf + n, cap - n, "%s'%s'", n ? ", " : "",
					 perm_table[i].name);
			if (w < 0)
				break;
			n += (size_t)w;
		}
	}
}

int authz_vault_permissions(struct store *st, const struct request_caller *caller,
			    const char *vault_id, uint32_t *out)
{
	bool found = false;
	int rc = store_call(st, vault_permissions, caller->id, vault_id, out, &found);
	if (!rc && !found)
		*out = 0;
	return rc;
}

int authz_vault(struct store *st, const struct request_caller *caller, const char *vault_id,
		uint32_t need, struct authz_vault *v, struct http_reply *out)
{
	bool found = false;
	char names[256];
	int rc;

	rc = store_call(st, vault_permissions, caller->id, vault_id, &v->permissions, &found);
	if (rc) {
		*out = reply_from_error();
		return -1;
	}
	if (!found) {
		/* Not yours, or no such vault: the same answer. */
		*out = reply_error(404, "vault_not_found", "vault '%s' not found", vault_id);
		return -1;
	}
	rc = store_call(st, vault_get, vault_id, &v->row);
	if (rc) {
		*out = reply_from_error();
		return -1;
	}
	if (strcmp(v->row.account_id, caller->account_id) != 0) {
		*out = reply_error(404, "vault_not_found", "vault '%s' not found", vault_id);
		return -1;
	}
	/* A personal vault is its owner's alone, whatever rows say. */
	if (strcmp(v->row.type, "personal") == 0 && strcmp(v->row.created_by, caller->id) != 0) {
		*out = reply_error(404, "vault_not_found", "vault '%s' not found", vault_id);
		return -1;
	}
	if ((v->permissions & need) != need) {
		missing_names(need, v->permissions, names, sizeof names);
		*out = reply_error(403, "forbidden", "you lack %s on vault '%s'", names, vault_id);
		return -1;
	}
	return 0;
}

int authz_vault_any(struct store *st, const struct request_caller *caller, const char *vault_id,
		    uint32_t need, uint32_t any, struct authz_vault *v, struct http_reply *out)
{
	char names[256];

	if (authz_vault(st, caller, vault_id, need, v, out) != 0)
		return -1;
	if (any && !(v->permissions & any)) {
		missing_names(any, v->permissions, names, sizeof names);
		*out = reply_error(403, "forbidden", "you lack one of %s on vault '%s'", names,
				   vault_id);
		return -1;
	}
	return 0;
}

int authz_vault_create(const struct request_caller *caller, struct http_reply *out)
{
	if (strcmp(caller->type, "user") != 0 && !caller->can_create_vaults) {
		*out = reply_error(403, "forbidden", "this service account may not create vaults");
		return -1;
	}
	return 0;
}

int authz_vault_delete(const struct authz_vault *v, struct http_reply *out)
{
	if (strcmp(v->row.type, "user_created") != 0) {
		*out = reply_error(403, "forbidden", "the %s vault '%s' cannot be deleted",
				   v->row.type, v->row.id);
		return -1;
	}
	return 0;
}

int authz_vault_grant(const struct request_caller *caller, const struct authz_vault *v,
		      const struct principal_row *target, uint32_t p, bool revoke,
		      struct http_reply *out)
{
	if (strcmp(target->account_id, caller->account_id) != 0 ||
	    strcmp(target->state, "deleted") == 0) {
		*out = reply_error(404, "principal_not_found", "principal '%s' not found",
				   target->id);
		return -1;
	}
	if (strcmp(v->row.type, "personal") == 0) {
		*out = reply_error(403, "forbidden",
				   "vault '%s' is a personal vault: its access cannot change",
				   v->row.id);
		return -1;
	}
	/* A service account's access is fixed: only its own new vault may name it. */
	if (!revoke && strcmp(target->type, "service_account") == 0 &&
	    strcmp(target->id, caller->id) != 0 && authz_sa_access_fixed(target, out))
		return -1;
	if (!revoke && strcmp(v->row.type, "everyone") == 0 &&
	    strcmp(target->type, "service_account") == 0) {
		*out = reply_error(403, "forbidden",
				   "the everyone vault cannot be granted to a service account");
		return -1;
	}
	if (!revoke && authz_check_permissions(p) != 0) {
		*out = reply_from_error();
		return -1;
	}
	if (!revoke && p == 0) {
		*out = reply_error(400, "invalid_permissions",
				   "permissions must not be empty; revoke access instead");
		return -1;
	}
	return 0;
}

/* ---- service accounts ---- */

static const struct sa_perm {
	uint32_t bit;
	const char *name;
	uint32_t vault_bits;
} sa_perm_table[] = {
	{SA_PERM_READ, "read_items", SA_BITS_READ},
	{SA_PERM_WRITE, "write_items", SA_BITS_WRITE},
	{SA_PERM_SHARE, "share_items", SA_BITS_SHARE},
};

#define NSAPERMS (sizeof sa_perm_table / sizeof sa_perm_table[0])

uint32_t authz_sa_perm(const char *name)
{
	for (size_t i = 0; i < NSAPERMS; i++)
		if (strcmp(sa_perm_table[i].name, name) == 0)
			return sa_perm_table[i].bit;
	return 0;
}

const char *authz_sa_perm_name(uint32_t sa_bit)
{
	for (size_t i = 0; i < NSAPERMS; i++)
		if (sa_perm_table[i].bit == sa_bit)
			return sa_perm_table[i].name;
	return NULL;
}

int authz_sa_permissions(uint32_t sa, uint32_t *bits, struct http_reply *out)
{
	*bits = 0;
	if (!sa) {
		*out = reply_error(400, "invalid_permissions",
				   "a vault needs at least 'read_items'");
		return -1;
	}
	for (size_t i = 1; i < NSAPERMS; i++) {
		if ((sa & sa_perm_table[i].bit) && !(sa & SA_PERM_READ)) {
			*out = reply_error(400, "invalid_permissions",
					   "permission '%s' requires 'read_items'",
					   sa_perm_table[i].name);
			return -1;
		}
	}
	for (size_t i = 0; i < NSAPERMS; i++)
		if (sa & sa_perm_table[i].bit)
			*bits |= sa_perm_table[i].vault_bits;
	/* The mapping is built to satisfy 1Password's dependency table. */
	if (authz_check_permissions(*bits) != 0) {
		*out = reply_from_error();
		return -1;
	}
	return 0;
}

uint32_t authz_sa_from_bits(uint32_t bits)
{
	uint32_t sa = 0;
	for (size_t i = 0; i < NSAPERMS; i++)
		if ((bits & sa_perm_table[i].vault_bits) == sa_perm_table[i].vault_bits)
			sa |= sa_perm_table[i].bit;
	return sa;
}

int authz_sa_vault_grant(struct store *st, const struct request_caller *caller,
			 const char *vault_id, struct authz_vault *v, struct http_reply *out)
{
	if (authz_vault(st, caller, vault_id, PERM_MANAGE_VAULT, v, out) != 0)
		return -1;
	if (strcmp(v->row.type, "personal") == 0) {
		*out = reply_error(403, "forbidden",
				   "vault '%s' is a personal (Private) vault: it cannot be granted "
				   "to a service account",
				   vault_id);
		return -1;
	}
	if (strcmp(v->row.type, "everyone") == 0) {
		*out = reply_error(403, "forbidden",
				   "vault '%s' is the account's default Shared vault: it cannot be "
				   "granted to a service account",
				   vault_id);
		return -1;
	}
	return 0;
}

int authz_sa_session(struct store *st, const char *principal_id, long long now,
		     bool *can_create_vaults, struct http_reply *out)
{
	struct sa_row sa;
	int rc;

	*can_create_vaults = false;
	if (!st->ops->sa_get) {
		/* A store without service accounts (unit-test fakes): nothing to check. */
		return 0;
	}
	rc = store_call(st, sa_get, principal_id, &sa);
	if (rc == SESAME_ENOTFOUND) {
		*out = reply_error(401, "token_revoked",
				   "service account token was revoked");
		return -1;
	}
	if (rc) {
		*out = reply_from_error();
		return -1;
	}
	if (sa.revoked_at && sa.revoked_at <= now) {
		*out = reply_error(401, "token_revoked",
				   "service account token was revoked%s",
				   sa.rotated_to[0] ? " (rotated)" : "");
		return -1;
	}
	if (sa.expires_at && sa.expires_at <= now) {
		*out = reply_error(401, "token_expired", "service account token expired");
		return -1;
	}
	/* Cheap: one write per service account per minute at most. */
	if (now - sa.last_used_at >= 60 && store_call(st, sa_touch, principal_id, now) != 0)
		log_warn("sa_touch_failed", LOG_STR("principal", principal_id),
			 LOG_STR("message", sesame_error_last()->message), );
	*can_create_vaults = sa.can_create_vaults;
	return 0;
}

int authz_sa_access_fixed(const struct principal_row *target, struct http_reply *out)
{
	if (strcmp(target->type, "service_account") != 0)
		return 0;
	*out = reply_error(403, "forbidden",
			   "the vaults and permissions of service account '%s' are fixed at "
			   "creation; create a new service account instead",
			   target->id);
	return -1;
}

int authz_sa_vault_delete(const struct request_caller *caller, const struct authz_vault *v,
			  struct http_reply *out)
{
	if (strcmp(caller->type, "service_account") != 0)
		return 0;
	if (strcmp(v->row.created_by, caller->id) != 0) {
		*out = reply_error(403, "forbidden",
				   "a service account may delete only vaults it created; vault "
				   "'%s' is not one",
				   v->row.id);
		return -1;
	}
	return 0;
}
