/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite store: accounts, principals (users, groups, service accounts), memberships, invites. */
#include "store_sqlite_internal.h"

int sqlst_account_count(struct store *base, long long *out)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_ACCOUNT_COUNT, "SELECT count(*) FROM accounts", &c, &s);
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return sql_fail(ST(base), c->db, rc, "cannot count accounts");
	*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int sqlst_account_insert(struct store *base, const char *id, const char *name,
				 long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_ACCOUNT_INSERT,
		      "INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, now);
	return run_done(ST(base), c, s, "cannot create the account", NULL);
}

int sqlst_principal_insert(struct store *base, const struct principal_row *p)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_PRINCIPAL_INSERT,
		      "INSERT INTO principals (id, account_id, type, state, generation, group_type,"
		      " box_public_key, sign_public_key, email, name, salt, kdf_ops, kdf_mem,"
		      " signin_public_key, encrypted_keyset, created_at, updated_at, description)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
		      " ?16, ?16, ?17)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, p->id);
	bind_text(s, 2, p->account_id);
	bind_text(s, 3, p->type);
	bind_text(s, 4, p->state);
	sqlite3_bind_int64(s, 5, p->generation > 0 ? p->generation : 1);
	bind_text(s, 6, p->group_type[0] ? p->group_type : NULL);
	/* An invited user has no keys yet: NULL, not zeros. */
	if (!sodium_is_zero(p->box_public_key, STORE_KEY_BYTES))
		bind_blob(s, 7, p->box_public_key, STORE_KEY_BYTES);
	if (!sodium_is_zero(p->sign_public_key, STORE_KEY_BYTES))
		bind_blob(s, 8, p->sign_public_key, STORE_KEY_BYTES);
	bind_text(s, 9, p->email[0] ? p->email : NULL);
	if (p->has_user) {
		bind_blob(s, 11, p->salt, STORE_SALT_BYTES);
		sqlite3_bind_int64(s, 12, p->kdf_ops);
		sqlite3_bind_int64(s, 13, p->kdf_mem);
		bind_blob(s, 14, p->signin_public_key, STORE_KEY_BYTES);
		bind_blob(s, 15, p->keyset, p->keyset_len);
	}
	bind_text(s, 10, p->name);
	sqlite3_bind_int64(s, 16, p->created_at);
	bind_text(s, 17, p->description);
	return run_done(ST(base), c, s, "cannot store the principal", NULL);
}

#define PRINCIPAL_COLUMNS                                                                          \
	"id, account_id, type, state, generation, group_type, box_public_key, sign_public_key,"   \
	" email, name, salt, kdf_ops, kdf_mem, signin_public_key, encrypted_keyset, created_at,"  \
	" updated_at, description"

static void principal_from_row(sqlite3_stmt *s, struct principal_row *p)
{
	memset(p, 0, sizeof *p);
	col_text(s, 0, p->id, sizeof p->id);
	col_text(s, 1, p->account_id, sizeof p->account_id);
	col_text(s, 2, p->type, sizeof p->type);
	col_text(s, 3, p->state, sizeof p->state);
	p->generation = sqlite3_column_int64(s, 4);
	col_text(s, 5, p->group_type, sizeof p->group_type);
	col_blob(s, 6, p->box_public_key, STORE_KEY_BYTES);
	col_blob(s, 7, p->sign_public_key, STORE_KEY_BYTES);
	col_text(s, 8, p->email, sizeof p->email);
	col_text(s, 9, p->name, sizeof p->name);
	p->has_user = sqlite3_column_type(s, 13) != SQLITE_NULL;
	if (p->has_user) {
		col_blob(s, 10, p->salt, STORE_SALT_BYTES);
		p->kdf_ops = sqlite3_column_int64(s, 11);
		p->kdf_mem = sqlite3_column_int64(s, 12);
		col_blob(s, 13, p->signin_public_key, STORE_KEY_BYTES);
		p->keyset_len = col_blob(s, 14, p->keyset, STORE_KEYSET_MAX);
	}
	p->created_at = sqlite3_column_int64(s, 15);
	p->updated_at = sqlite3_column_int64(s, 16);
	col_text(s, 17, p->description, sizeof p->description);
}

/* Hands each row of a principal statement to cb until it returns non-zero; resets s. */
static int principal_rows(struct store *base, struct conn *c, sqlite3_stmt *s, principal_cb cb,
			  void *ctx, const char *failure)
{
	struct principal_row p;
	int rc, stop = 0;

	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		principal_from_row(s, &p);
		stop = cb(ctx, &p);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, failure);
}

/* Steps a one-row query into *out; ENOTFOUND when there is no row. */
static int one_principal(struct sqlite_store *st, struct conn *c, sqlite3_stmt *s,
			 struct principal_row *out, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		principal_from_row(s, out);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "not_found", "%s: no such principal",
					what);
	return sql_fail(st, c->db, rc, what);
}

int sqlst_principal_get(struct store *base, const char *id, struct principal_row *out)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_PRINCIPAL_GET,
		      "SELECT " PRINCIPAL_COLUMNS " FROM principals WHERE id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	return one_principal(ST(base), c, s, out, "cannot read the principal");
}

int sqlst_principal_by_email(struct store *base, const char *account_id, const char *email,
				     struct principal_row *out)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_PRINCIPAL_BY_EMAIL,
		      "SELECT " PRINCIPAL_COLUMNS
		      " FROM principals WHERE account_id = ? AND email = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	bind_text(s, 2, email);
	return one_principal(ST(base), c, s, out, "cannot read the user");
}

int sqlst_principal_auth(struct store *base, const char *id, struct principal_auth *out)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_PRINCIPAL_AUTH,
		      "SELECT p.account_id, p.type, p.state, p.generation,"
		      " EXISTS (SELECT 1 FROM group_members m JOIN principals g ON g.id = m.group_id"
		      "  WHERE m.member_id = p.id AND g.group_type IN ('owners', 'administrators')),"
		      " EXISTS (SELECT 1 FROM group_members m JOIN principals g ON g.id = m.group_id"
		      "  WHERE m.member_id = p.id AND g.group_type = 'owners')"
		      " FROM principals p WHERE p.id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		col_text(s, 0, out->account_id, sizeof out->account_id);
		col_text(s, 1, out->type, sizeof out->type);
		col_text(s, 2, out->state, sizeof out->state);
		out->generation = sqlite3_column_int64(s, 3);
		out->admin = sqlite3_column_int(s, 4) != 0;
		out->owner = sqlite3_column_int(s, 5) != 0;
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "not_found", "no such principal");
	return sql_fail(ST(base), c->db, rc, "cannot read the principal");
}

int sqlst_group_list(struct store *base, const char *account_id, const char *group_id,
			     principal_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = group_id ? stmt(ST(base), S_GROUP_GET,
				 "SELECT " PRINCIPAL_COLUMNS " FROM principals"
				 " WHERE account_id = ?1 AND id = ?2 AND type = 'group'",
				 &c, &s)
			  : stmt(ST(base), S_GROUP_LIST,
				 "SELECT " PRINCIPAL_COLUMNS " FROM principals"
				 " WHERE account_id = ?1 AND type = 'group' ORDER BY created_at, id",
				 &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	if (group_id)
		bind_text(s, 2, group_id);
	return principal_rows(base, c, s, cb, ctx, "cannot list groups");
}

int sqlst_member_insert(struct store *base, const char *group_id, const char *member_id,
				const unsigned char *sealed, size_t len, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_MEMBER_INSERT,
		      "INSERT INTO group_members (group_id, member_id, sealed_keyset, created_at)"
		      " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, member_id) DO UPDATE SET"
		      " sealed_keyset = excluded.sealed_keyset",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, group_id);
	bind_text(s, 2, member_id);
	bind_blob(s, 3, sealed, len);
	sqlite3_bind_int64(s, 4, now);
	return run_done(ST(base), c, s, "cannot add the group member", NULL);
}

int sqlst_my_groups(struct store *base, const char *member_id, my_group_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_MY_GROUPS,
		      "SELECT m.group_id, m.sealed_keyset, g.box_public_key FROM group_members m"
		      " JOIN principals g ON g.id = m.group_id"
		      " WHERE m.member_id = ? AND g.state = 'active' ORDER BY m.group_id",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, member_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct my_group g = {
			.group_id = (const char *)sqlite3_column_text(s, 0),
			.sealed_keyset = sqlite3_column_blob(s, 1),
			.sealed_keyset_len = (size_t)sqlite3_column_bytes(s, 1),
			.box_public_key = sqlite3_column_blob(s, 2),
		};
		if (!g.box_public_key || sqlite3_column_bytes(s, 2) != STORE_KEY_BYTES)
			continue;
		int stop = cb(ctx, &g);
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, "cannot list groups");
}

int sqlst_user_list(struct store *base, const char *account_id, const char *id,
			    principal_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = id ? stmt(ST(base), S_USER_GET,
			   "SELECT " PRINCIPAL_COLUMNS " FROM principals WHERE account_id = ?1"
			   " AND id = ?2 AND type IN ('user', 'service_account')",
			   &c, &s)
		    : stmt(ST(base), S_USER_LIST,
			   "SELECT " PRINCIPAL_COLUMNS " FROM principals WHERE account_id = ?1"
			   " AND type IN ('user', 'service_account') ORDER BY created_at, id",
			   &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	if (id)
		bind_text(s, 2, id);
	return principal_rows(base, c, s, cb, ctx, "cannot list users");
}

int sqlst_principal_set_state(struct store *base, const char *id, const char *state,
				      bool bump, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_SET_STATE,
		      "UPDATE principals SET state = ?2, generation = generation + ?3,"
		      " updated_at = ?4 WHERE id = ?1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, state);
	sqlite3_bind_int(s, 3, bump ? 1 : 0);
	sqlite3_bind_int64(s, 4, now);
	rc = run_done(ST(base), c, s, "cannot change the principal", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "not_found", "no such principal");
	return rc;
}

int sqlst_user_set_keys(struct store *base, const struct principal_row *p, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_USER_SET_KEYS,
		      "UPDATE principals SET state = ?2, box_public_key = ?3, sign_public_key = ?4,"
		      " salt = ?5, kdf_ops = ?6, kdf_mem = ?7, signin_public_key = ?8,"
		      " encrypted_keyset = ?9, generation = generation + 1, updated_at = ?10"
		      " WHERE id = ?1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, p->id);
	bind_text(s, 2, p->state);
	bind_blob(s, 3, p->box_public_key, STORE_KEY_BYTES);
	bind_blob(s, 4, p->sign_public_key, STORE_KEY_BYTES);
	bind_blob(s, 5, p->salt, STORE_SALT_BYTES);
	sqlite3_bind_int64(s, 6, p->kdf_ops);
	sqlite3_bind_int64(s, 7, p->kdf_mem);
	bind_blob(s, 8, p->signin_public_key, STORE_KEY_BYTES);
	bind_blob(s, 9, p->keyset, p->keyset_len);
	sqlite3_bind_int64(s, 10, now);
	rc = run_done(ST(base), c, s, "cannot store the user's keys", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "not_found", "no such user");
	return rc;
}

int sqlst_invite_put(struct store *base, const char *user_id, const unsigned char hash[32],
			     const char *by, long long now, long long expires)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_INVITE_PUT,
		      "INSERT OR REPLACE INTO invites (user_id, code_hash, created_by, created_at,"
		      " expires_at) VALUES (?, ?, ?, ?, ?)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, user_id);
	bind_blob(s, 2, hash, 32);
	bind_text(s, 3, by);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, expires);
	return run_done(ST(base), c, s, "cannot store the invitation", NULL);
}

int sqlst_invite_get(struct store *base, const char *user_id, unsigned char hash[32],
			     long long *expires, bool take)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_INVITE_GET,
		      "SELECT code_hash, expires_at FROM invites WHERE user_id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, user_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (col_blob(s, 0, hash, 32) != 32)
			memset(hash, 0, 32);
		*expires = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "not_found", "no invitation");
	if (rc != SQLITE_ROW)
		return sql_fail(ST(base), c->db, rc, "cannot read the invitation");
	if (!take)
		return 0;
	rc = stmt(ST(base), S_INVITE_DELETE, "DELETE FROM invites WHERE user_id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, user_id);
	return run_done(ST(base), c, s, "cannot use the invitation", NULL);
}


int sqlst_group_delete(struct store *base, const char *id)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_GROUP_DELETE,
		      "DELETE FROM principals WHERE id = ? AND type = 'group'", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	rc = run_done(ST(base), c, s, "cannot delete the group", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "group_not_found", "group '%s' not found",
				      id);
	return rc;
}

int sqlst_member_delete(struct store *base, const char *group_id, const char *member_id)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_MEMBER_DELETE,
		      "DELETE FROM group_members WHERE group_id = ? AND member_id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, group_id);
	bind_text(s, 2, member_id);
	rc = run_done(ST(base), c, s, "cannot remove the group member", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "not_found",
				      "'%s' is not a member of group '%s'", member_id, group_id);
	return rc;
}

int sqlst_member_list(struct store *base, const char *group_id, principal_cb cb,
			      void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_MEMBER_LIST,
		      "SELECT " PRINCIPAL_COLUMNS " FROM principals WHERE id IN"
		      " (SELECT member_id FROM group_members WHERE group_id = ?) ORDER BY id",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, group_id);
	return principal_rows(base, c, s, cb, ctx, "cannot list members");
}

