/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_AUTHZ_H
#define SESAME_SERVER_AUTHZ_H

/*
 * Authorization, all of it: every route asks here, no handler decides a
 * permission itself (DESIGN.md section 6, docs/protocol.md section 7).
 *
 * - Vault permissions are 1Password's bits. A principal's effective
 *   permissions on a vault are the OR of its own access row and the rows
 *   of every group it belongs to.
 * - Grants must satisfy 1Password's dependency table; a missing
 *   dependency is refused with its name, never added silently.
 * - Personal vaults belong to their owner alone; personal and everyone
 *   vaults cannot be deleted; the everyone vault cannot be granted to a
 *   service account.
 *
 * Every function returns 0 when allowed, or -1 with the error reply in
 * *out (404 when the caller cannot see the vault at all, so that ids of
 * other people's vaults cannot be probed; 403 when it can see it but
 * lacks the permission; 400 for an invalid grant).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router.h"
#include "store.h"

#define PERM_MANAGE_VAULT	     2u
#define PERM_VIEW_AND_COPY_PASSWORDS 16u
#define PERM_VIEW_ITEMS		     32u
#define PERM_EDIT_ITEMS		     64u
#define PERM_CREATE_ITEMS	     128u
#define PERM_ARCHIVE_ITEMS	     256u
#define PERM_DELETE_ITEMS	     512u
#define PERM_VIEW_ITEM_HISTORY	     1024u
#define PERM_COPY_AND_SHARE_ITEMS    1048576u
#define PERM_IMPORT_ITEMS	     2097152u
#define PERM_EXPORT_ITEMS	     4194304u
#define PERM_PRINT_ITEMS	     8388608u
#define PERM_ALL		     15730674u

/* What reading an item's details (its secrets) takes. */
#define PERM_READ_DETAILS (PERM_VIEW_ITEMS | PERM_VIEW_AND_COPY_PASSWORDS)

/* The name of one permission bit ("edit_items"), or NULL. */
const char *authz_perm_name(uint32_t bit);

/*
 * Checks a permission set for a grant: only known bits, and every bit's
 * dependencies present. 0, or SESAME_EINVAL with a message naming the
 * first unknown bit or missing dependency.
 */
int authz_check_permissions(uint32_t perms);

/* A vault, as authz found it for the caller. */
struct authz_vault {
	struct vault_row row;
	uint32_t permissions; /* the caller's effective permissions */
};

/*
 * The caller's access to `vault_id`: must exist in the caller's account
 * and be reachable by a path; then every bit of `need` must be present.
 * Fills *v (the vault row and the effective permissions).
 */
int authz_vault(struct store *st, const struct request_caller *caller, const char *vault_id,
		uint32_t need, struct authz_vault *v, struct http_reply *out);

/*
 * As authz_vault, and besides `need` at least one bit of `any` (uploading
 * a file takes create_items or edit_items).
 */
int authz_vault_any(struct store *st, const struct request_caller *caller, const char *vault_id,
		    uint32_t need, uint32_t any, struct authz_vault *v, struct http_reply *out);

/* The caller's effective permissions on a vault without the 403/404 replies. */
int authz_vault_permissions(struct store *st, const struct request_caller *caller,
			    const char *vault_id, uint32_t *out);

/* May the caller create vaults at all? (People yes; service accounts with can_create_vaults.) */
int authz_vault_create(const struct request_caller *caller, struct http_reply *out);

/* May the vault be deleted (manage_vault already checked)? */
int authz_vault_delete(const struct authz_vault *v, struct http_reply *out);

/*
 * May the caller give `target` the permissions `perms` on the vault (or,
 * with perms 0 and revoke true, take its access away)? The caller's
 * manage_vault is checked by authz_vault before.
 */
int authz_vault_grant(const struct request_caller *caller, const struct authz_vault *v,
		      const struct principal_row *target, uint32_t perms, bool revoke,
		      struct http_reply *out);


/* ---- service accounts (DESIGN.md section 6, docs/api.md "Service accounts") ---- */

/* A service account's permissions on a vault, as the API names them. */
#define SA_PERM_READ  1u /* read_items */
#define SA_PERM_WRITE 2u /* write_items, needs read_items */
#define SA_PERM_SHARE 4u /* share_items, needs read_items */

/* The vault bits each stands for (stored in the ordinary access row). */
#define SA_BITS_READ  (PERM_VIEW_ITEMS | PERM_VIEW_AND_COPY_PASSWORDS)
#define SA_BITS_WRITE (PERM_CREATE_ITEMS | PERM_EDIT_ITEMS | PERM_ARCHIVE_ITEMS | PERM_DELETE_ITEMS)
#define SA_BITS_SHARE (PERM_VIEW_ITEM_HISTORY | PERM_COPY_AND_SHARE_ITEMS)

/* "read_items" -> SA_PERM_READ, ...; 0 for an unknown name. */
uint32_t authz_sa_perm(const char *name);
/* The name of one SA_PERM_* bit. */
const char *authz_sa_perm_name(uint32_t sa_bit);
/*
 * Checks a service account's permission set (SA_PERM_*) and gives its
 * vault bits: not empty, write_items and share_items each need
 * read_items (400 invalid_permissions naming it; nothing is added).
 */
int authz_sa_permissions(uint32_t sa, uint32_t *bits, struct http_reply *out);
/* The SA_PERM_* set that vault bits stand for (for answers). */
uint32_t authz_sa_from_bits(uint32_t bits);

/*
 * May the caller (an owner or administrator) grant `vault_id` to a new
 * service account? It needs manage_vault there; personal vaults and the
 * everyone (default Shared) vault are never granted (403, naming it).
 */
int authz_sa_vault_grant(struct store *st, const struct request_caller *caller,
			 const char *vault_id, struct authz_vault *v, struct http_reply *out);

/*
 * The token check of every service-account request and sign-in: 401
 * token_revoked after a revoke (or a rotation's grace), 401
 * token_expired after its expiry. Records last_used_at (at most once a
 * minute) and gives can_create_vaults.
 */
int authz_sa_session(struct store *st, const char *principal_id, long long now,
		     bool *can_create_vaults, struct http_reply *out);

/* Access rows of service accounts are fixed at creation: no grant, no revoke. */
int authz_sa_access_fixed(const struct principal_row *target, struct http_reply *out);

/* A service account deletes only vaults it created. */
int authz_sa_vault_delete(const struct request_caller *caller, const struct authz_vault *v,
			  struct http_reply *out);

#endif
