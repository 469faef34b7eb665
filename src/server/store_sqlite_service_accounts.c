/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store: service accounts (migration 4). The principal row
 * (store_sqlite_principals.c) has the name, keys, state and generation;
 * the service_accounts row has what only service accounts have.
 */
#include "store_sqlite_internal.h"

#define SA_COLUMNS                                                                                 \
	"s.id, s.account_id, p.name, s.created_by, s.created_at, s.expires_at, s.last_used_at,"    \
	" s.can_create_vaults, s.revoked_at, s.rotated_from, s.rotated_to"

/* Seconds between two writes of last_used_at for one service account. */
#define SA_TOUCH_EVERY 60

static void sa_from_row(sqlite3_stmt *s, struct sa_row *r)
{
	memset(r, 0, sizeof *r);
	col_text(s, 0, r->id, sizeof r->id);
	col_text(s, 1, r->account_id, sizeof r->account_id);
	col_text(s, 2, r->name, sizeof r->name);
	col_text(s, 3, r->created_by, sizeof r->created_by);
	r->created_at = sqlite3_column_int64(s, 4);
	r->expires_at = sqlite3_column_int64(s, 5);
	r->last_used_at = sqlite3_column_int64(s, 6);
	r->can_create_vaults = sqlite3_column_int(s, 7) != 0;
	r->revoked_at = sqlite3_column_int64(s, 8);
	col_text(s, 9, r->rotated_from, sizeof r->rotated_from);
	col_text(s, 10, r->rotated_to, sizeof r->rotated_to);
}

int sqlst_sa_insert(struct store *base, const struct sa_row *sa)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_SA_INSERT,
		      "INSERT INTO service_accounts (id, account_id, created_by, created_at,"
		      " expires_at, last_used_at, can_create_vaults, revoked_at, rotated_from,"
		      " rotated_to) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, NULL, ?7, NULL)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, sa->id);
	bind_text(s, 2, sa->account_id);
	bind_text(s, 3, sa->created_by);
	sqlite3_bind_int64(s, 4, sa->created_at);
	if (sa->expires_at > 0)
		sqlite3_bind_int64(s, 5, sa->expires_at);
	sqlite3_bind_int(s, 6, sa->can_create_vaults ? 1 : 0);
	bind_text(s, 7, sa->rotated_from[0] ? sa->rotated_from : NULL);
	return run_done(ST(base), c, s, "cannot store the service account", NULL);
}

int sqlst_sa_get(struct store *base, const char *id, struct sa_row *out)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_SA_GET,
		      "SELECT " SA_COLUMNS " FROM service_accounts s JOIN principals p"
		      " ON p.id = s.id WHERE s.id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sa_from_row(s, out);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "service_account_not_found",
					"service account '%s' not found", id);
	return sql_fail(ST(base), c->db, rc, "cannot read the service account");
}

int sqlst_sa_list(struct store *base, const char *account_id, sa_cb cb, void *ctx)
{
	struct sa_row r;
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_SA_LIST,
		      "SELECT " SA_COLUMNS " FROM service_accounts s JOIN principals p"
		      " ON p.id = s.id WHERE s.account_id = ? ORDER BY s.created_at, s.id",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sa_from_row(s, &r);
		int stop = cb(ctx, &r);
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sql_fail(ST(base), c->db, rc, "cannot list service accounts");
	return 0;
}

int sqlst_sa_end(struct store *base, const char *id, long long revoked_at, const char *rotated_to)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_SA_END,
		      "UPDATE service_accounts SET"
		      " revoked_at = CASE WHEN revoked_at IS NULL OR revoked_at > ?2 THEN ?2"
		      "  ELSE revoked_at END,"
		      " rotated_to = coalesce(?3, rotated_to) WHERE id = ?1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, revoked_at);
	bind_text(s, 3, rotated_to);
	rc = run_done(ST(base), c, s, "cannot revoke the service account", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "service_account_not_found",
				      "service account '%s' not found", id);
	return rc;
}

int sqlst_sa_touch(struct store *base, const char *id, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = sqlst_begin_write(base);

	if (rc)
		return rc;
	rc = stmt(ST(base), S_SA_TOUCH,
		  "UPDATE service_accounts SET last_used_at = ?2 WHERE id = ?1"
		  " AND (last_used_at IS NULL OR last_used_at <= ?2 - " /* seconds */
		  "60)",
		  &c, &s);
	if (!rc) {
		bind_text(s, 1, id);
		sqlite3_bind_int64(s, 2, now);
		rc = run_done(ST(base), c, s, "cannot record the service account's use", NULL);
	}
	if (rc) {
		sqlst_rollback(base);
		return rc;
	}
	return sqlst_commit(base);
}

_Static_assert(SA_TOUCH_EVERY == 60, "keep the SQL of sqlst_sa_touch in step");
