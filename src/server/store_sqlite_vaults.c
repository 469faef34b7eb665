/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite store: vaults and who may open them. */
#include "store_sqlite_internal.h"

int sqlst_vault_insert(struct store *base, const struct vault_row *v)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_VAULT_INSERT,
		      "INSERT INTO vaults (id, account_id, type, encrypted_attrs, attribute_version,"
		      " content_version, created_by, allow_admins_to_manage, created_at, updated_at)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, v->id);
	bind_text(s, 2, v->account_id);
	bind_text(s, 3, v->type);
	bind_blob(s, 4, v->attrs, v->attrs_len);
	sqlite3_bind_int64(s, 5, v->attribute_version);
	sqlite3_bind_int64(s, 6, v->content_version);
	bind_text(s, 7, v->created_by);
	sqlite3_bind_int(s, 8, v->allow_admins_to_manage);
	sqlite3_bind_int64(s, 9, v->created_at);
	return run_done(ST(base), c, s, "cannot store the vault", NULL);
}

int sqlst_vault_get(struct store *base, const char *id, struct vault_row *out)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_VAULT_GET,
		      "SELECT id, account_id, type, encrypted_attrs, attribute_version,"
		      " content_version, created_by, allow_admins_to_manage, created_at, updated_at"
		      " FROM vaults WHERE id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return sesame_error_set(SESAME_ENOTFOUND, "vault_not_found",
						"vault '%s' not found", id);
		return sql_fail(ST(base), c->db, rc, "cannot read the vault");
	}
	col_text(s, 0, out->id, sizeof out->id);
	col_text(s, 1, out->account_id, sizeof out->account_id);
	col_text(s, 2, out->type, sizeof out->type);
	out->attrs_len = col_blob(s, 3, out->attrs, sizeof out->attrs);
	out->attribute_version = sqlite3_column_int64(s, 4);
	out->content_version = sqlite3_column_int64(s, 5);
	col_text(s, 6, out->created_by, sizeof out->created_by);
	out->allow_admins_to_manage = sqlite3_column_int(s, 7) != 0;
	out->created_at = sqlite3_column_int64(s, 8);
	out->updated_at = sqlite3_column_int64(s, 9);
	sqlite3_reset(s);

	rc = stmt(ST(base), S_VAULT_COUNT_ITEMS, "SELECT count(*) FROM items WHERE vault_id = ?",
		  &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return sql_fail(ST(base), c->db, rc, "cannot count the vault's items");
	}
	out->items = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* ENOTFOUND unless the vault exists. */
static int vault_must_exist(struct sqlite_store *st, const char *id)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(st, S_VAULT_EXISTS, "SELECT 1 FROM vaults WHERE id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "vault_not_found", "vault '%s' not found",
					id);
	return sql_fail(st, c->db, rc, "cannot read the vault");
}

int sqlst_vault_update_attrs(struct store *base, const char *id, const unsigned char *attrs,
				     size_t len, long long new_version, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_VAULT_UPDATE_ATTRS,
		      "UPDATE vaults SET encrypted_attrs = ?2, attribute_version = ?3, updated_at = ?4"
		      " WHERE id = ?1 AND attribute_version = ?3 - 1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_blob(s, 2, attrs, len);
	sqlite3_bind_int64(s, 3, new_version);
	sqlite3_bind_int64(s, 4, now);
	rc = run_done(ST(base), c, s, "cannot update the vault", &changes);
	if (rc || changes)
		return rc;
	rc = vault_must_exist(ST(base), id);
	return rc ? rc
		  : sesame_error_set(SESAME_ECONFLICT, "conflict",
				     "vault '%s' changed since attribute version %lld; fetch it "
				     "and retry",
				     id, new_version - 1);
}

int sqlst_vault_delete(struct store *base, const char *id)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_VAULT_DELETE, "DELETE FROM vaults WHERE id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	rc = run_done(ST(base), c, s, "cannot delete the vault", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "vault_not_found", "vault '%s' not found",
				      id);
	return rc;
}

int sqlst_vault_paths(struct store *base, const char *principal_id, const char *vault_id,
			      vault_path_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = vault_id
			 ? stmt(ST(base), S_VAULT_PATHS_ONE,
				"SELECT vault_id, NULL, permissions, sealed_key FROM vault_access"
				" WHERE principal_id = ?1 AND vault_id = ?2"
				" UNION ALL"
				" SELECT a.vault_id, a.principal_id, a.permissions, a.sealed_key"
				" FROM group_members m JOIN vault_access a ON a.principal_id ="
				" m.group_id WHERE m.member_id = ?1 AND a.vault_id = ?2",
				&c, &s)
			 : stmt(ST(base), S_VAULT_PATHS_ALL,
				"SELECT vault_id, NULL, permissions, sealed_key FROM vault_access"
				" WHERE principal_id = ?1"
				" UNION ALL"
				" SELECT a.vault_id, a.principal_id, a.permissions, a.sealed_key"
				" FROM group_members m JOIN vault_access a ON a.principal_id ="
				" m.group_id WHERE m.member_id = ?1 ORDER BY 1",
				&c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, principal_id);
	if (vault_id)
		bind_text(s, 2, vault_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct vault_path p = {
			.vault_id = (const char *)sqlite3_column_text(s, 0),
			.group_id = (const char *)sqlite3_column_text(s, 1),
			.permissions = (uint32_t)sqlite3_column_int64(s, 2),
			.sealed_key = sqlite3_column_blob(s, 3),
			.sealed_key_len = (size_t)sqlite3_column_bytes(s, 3),
		};
		int stop = cb(ctx, &p);
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, "cannot read vault access");
}

int sqlst_vault_permissions(struct store *base, const char *principal_id,
				    const char *vault_id, uint32_t *out, bool *found)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_VAULT_PERMISSIONS,
		      "SELECT permissions FROM vault_access WHERE vault_id = ?2 AND principal_id = ?1"
		      " UNION ALL"
		      " SELECT a.permissions FROM group_members m JOIN vault_access a"
		      " ON a.principal_id = m.group_id WHERE m.member_id = ?1 AND a.vault_id = ?2",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, principal_id);
	bind_text(s, 2, vault_id);
	*out = 0;
	*found = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out |= (uint32_t)sqlite3_column_int64(s, 0);
		*found = true;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, "cannot read vault access");
}

int sqlst_access_put(struct store *base, const char *vault_id, const char *principal_id,
			     uint32_t permissions, const unsigned char *sealed, size_t len,
			     long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_ACCESS_PUT,
		      "INSERT INTO vault_access (vault_id, principal_id, permissions, sealed_key,"
		      " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
		      " ON CONFLICT (vault_id, principal_id) DO UPDATE SET"
		      " permissions = excluded.permissions, sealed_key = excluded.sealed_key,"
		      " updated_at = excluded.updated_at",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, vault_id);
	bind_text(s, 2, principal_id);
	sqlite3_bind_int64(s, 3, permissions);
	bind_blob(s, 4, sealed, len);
	sqlite3_bind_int64(s, 5, now);
	return run_done(ST(base), c, s, "cannot grant vault access", NULL);
}

int sqlst_access_delete(struct store *base, const char *vault_id, const char *principal_id)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_ACCESS_DELETE,
		      "DELETE FROM vault_access WHERE vault_id = ? AND principal_id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, vault_id);
	bind_text(s, 2, principal_id);
	rc = run_done(ST(base), c, s, "cannot revoke vault access", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "not_found",
				      "principal '%s' has no access to vault '%s'", principal_id,
				      vault_id);
	return rc;
}

int sqlst_access_list(struct store *base, const char *vault_id, access_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_ACCESS_LIST,
		      "SELECT a.principal_id, p.type, a.permissions FROM vault_access a"
		      " JOIN principals p ON p.id = a.principal_id WHERE a.vault_id = ?"
		      " ORDER BY a.principal_id",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, vault_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct access_entry e = {
			.principal_id = (const char *)sqlite3_column_text(s, 0),
			.principal_type = (const char *)sqlite3_column_text(s, 1),
			.permissions = (uint32_t)sqlite3_column_int64(s, 2),
		};
		int stop = cb(ctx, &e);
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, "cannot list vault access");
}

/* Bumps the vault's content version after any item write. */
