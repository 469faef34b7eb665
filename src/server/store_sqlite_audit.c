/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store: audit events and per-account rate limits (migration
 * 5). The audit writer's two statements (the chain's head, the insert)
 * are in the per-connection cache, so its connection prepares them once;
 * the other queries are rare (lists, verification, a setting read once a
 * minute) and prepared per call.
 */
#include "store_sqlite_internal.h"

const char sqlite_migration_audit_sql[] =
	"CREATE TABLE audit_events ("
	" seq INTEGER PRIMARY KEY,"
	" id TEXT NOT NULL UNIQUE CHECK (length(id) = 26),"
	" time INTEGER NOT NULL,"
	" account_id TEXT NOT NULL CHECK (length(account_id) = 26),"
	" actor_id TEXT NOT NULL CHECK (length(actor_id) = 26),"
	" actor_type TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" vault_id TEXT CHECK (vault_id IS NULL OR length(vault_id) = 26),"
	" item_id TEXT CHECK (item_id IS NULL OR length(item_id) = 26),"
	" status INTEGER NOT NULL,"
	" client TEXT NOT NULL,"
	" integration_name TEXT,"
	" integration_version TEXT,"
	" prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),"
	" hash BLOB NOT NULL CHECK (length(hash) = 32)"
	") STRICT;"
	"CREATE INDEX audit_events_account ON audit_events (account_id, seq);"
	"CREATE INDEX audit_events_actor ON audit_events (account_id, actor_id, seq);"
	"CREATE INDEX audit_events_vault ON audit_events (account_id, vault_id, seq);"
	"CREATE INDEX audit_events_item ON audit_events (account_id, item_id, seq);"
	"CREATE TABLE account_ratelimits ("
	" account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,"
	" reads_per_hour INTEGER NOT NULL CHECK (reads_per_hour > 0),"
	" writes_per_hour INTEGER NOT NULL CHECK (writes_per_hour > 0),"
	" per_day INTEGER NOT NULL CHECK (per_day > 0),"
	" updated_by TEXT NOT NULL,"
	" updated_at INTEGER NOT NULL"
	") STRICT;";

/* Prepares `sql` on this thread's connection. */
static int prep(struct sqlite_store *st, const char *sql, struct conn **cout, sqlite3_stmt **out)
{
	struct conn *c = NULL;
	int rc = conn_get(st, &c);

	*out = NULL;
	if (rc)
		return rc;
	rc = sqlite3_prepare_v3(c->db, sql, -1, 0, out, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, c->db, rc, "cannot prepare a statement");
	*cout = c;
	return 0;
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		bind_text(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

int sqlst_server_id(struct store *base, char out[STORE_ID_SIZE])
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	sqlite3_stmt *s;
	int rc = prep(st, "SELECT server_id FROM meta WHERE id = 1", &c, &s);

	if (rc)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col_text(s, 0, out, STORE_ID_SIZE);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = sesame_error_set(SESAME_EIO, "store_corrupt", "database '%s' has no server id",
				      st->path);
	} else {
		rc = sql_fail(st, c->db, rc, "cannot read the server id");
	}
	sqlite3_finalize(s);
	return rc;
}

int sqlst_audit_head(struct store *base, const char *account_id, unsigned char hash[32],
		     bool *found)
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	sqlite3_stmt *s;
	int rc = stmt(st, S_AUDIT_HEAD,
		      "SELECT hash FROM audit_events WHERE account_id = ?"
		      " ORDER BY seq DESC LIMIT 1",
		      &c, &s);

	*found = false;
	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = col_blob(s, 0, hash, 32) == 32;
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = sql_fail(st, c->db, rc, "cannot read the audit chain");
	}
	/* Reset at once: a cached statement left on a row would pin a WAL snapshot. */
	sqlite3_reset(s);
	return rc;
}

int sqlst_audit_insert(struct store *base, struct audit_row *rows, size_t n)
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	sqlite3_stmt *s;
	int rc = stmt(st, S_AUDIT_INSERT,
		      "INSERT INTO audit_events (id, time, account_id, actor_id, actor_type,"
		      " action, vault_id, item_id, status, client, integration_name,"
		      " integration_version, prev_hash, hash)"
		      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		      &c, &s);

	/* Cached on the writer's connection: prepared once, reset per row. */
	for (size_t i = 0; !rc && i < n; i++) {
		struct audit_row *r = &rows[i];
		bind_text(s, 1, r->id);
		sqlite3_bind_int64(s, 2, r->time);
		bind_text(s, 3, r->account_id);
		bind_text(s, 4, r->actor_id);
		bind_text(s, 5, r->actor_type);
		bind_text(s, 6, r->action);
		bind_opt(s, 7, r->vault_id);
		bind_opt(s, 8, r->item_id);
		sqlite3_bind_int(s, 9, r->status);
		bind_text(s, 10, r->client);
		bind_opt(s, 11, r->integration_name);
		bind_opt(s, 12, r->integration_version);
		bind_blob(s, 13, r->prev_hash, 32);
		bind_blob(s, 14, r->hash, 32);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			r->seq = sqlite3_last_insert_rowid(c->db);
			rc = 0;
		} else {
			rc = step_fail(st, c->db, rc, "cannot store the audit event");
		}
		sqlite3_reset(s);
	}
	return rc;
}

static void row_from(sqlite3_stmt *s, struct audit_row *r)
{
	memset(r, 0, sizeof *r);
	r->seq = sqlite3_column_int64(s, 0);
	col_text(s, 1, r->id, sizeof r->id);
	r->time = sqlite3_column_int64(s, 2);
	col_text(s, 3, r->account_id, sizeof r->account_id);
	col_text(s, 4, r->actor_id, sizeof r->actor_id);
	col_text(s, 5, r->actor_type, sizeof r->actor_type);
	col_text(s, 6, r->action, sizeof r->action);
	col_text(s, 7, r->vault_id, sizeof r->vault_id);
	col_text(s, 8, r->item_id, sizeof r->item_id);
	r->status = sqlite3_column_int(s, 9);
	col_text(s, 10, r->client, sizeof r->client);
	col_text(s, 11, r->integration_name, sizeof r->integration_name);
	col_text(s, 12, r->integration_version, sizeof r->integration_version);
	col_blob(s, 13, r->prev_hash, 32);
	col_blob(s, 14, r->hash, 32);
}

int sqlst_audit_list(struct store *base, const struct audit_query *q, audit_cb cb, void *ctx)
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	sqlite3_stmt *s;
	struct audit_row row;
	/* One statement per filter, so that each uses its own index. */
	const char *pick = q->actor_id	 ? "AND actor_id = ?3"
			   : q->vault_id ? "AND vault_id = ?4"
			   : q->item_id	 ? "AND item_id = ?5"
					 : "";
	char sql[768];

	snprintf(sql, sizeof sql,
		 "SELECT seq, id, time, account_id, actor_id, actor_type, action, vault_id,"
		 " item_id, status, client, integration_name, integration_version, prev_hash,"
		 " hash FROM audit_events WHERE account_id = ?1 %s AND seq > ?2"
		 " AND (?3 IS NULL OR actor_id = ?3) AND (?4 IS NULL OR vault_id = ?4)"
		 " AND (?5 IS NULL OR item_id = ?5) AND time >= ?6 AND time <= ?7"
		 " ORDER BY seq LIMIT ?8",
		 pick);
	int rc = prep(st, sql, &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, q->account_id);
	sqlite3_bind_int64(s, 2, q->after_seq);
	bind_opt(s, 3, q->actor_id);
	bind_opt(s, 4, q->vault_id);
	bind_opt(s, 5, q->item_id);
	sqlite3_bind_int64(s, 6, q->start_time);
	sqlite3_bind_int64(s, 7, q->end_time > 0 ? q->end_time : LLONG_MAX);
	sqlite3_bind_int64(s, 8, q->limit ? (long long)q->limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_from(s, &row);
		rc = cb(ctx, &row);
		if (rc)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0 && rc != SQLITE_ROW)
		rc = sql_fail(st, c->db, rc, "cannot list audit events");
	sqlite3_finalize(s);
	return rc;
}

int sqlst_audit_usage(struct store *base, const char *account_id, const char *actor_id,
		      audit_usage_cb cb, void *ctx)
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	sqlite3_stmt *s;
	int rc = prep(st,
		      "SELECT vault_id, item_id, count(*), max(time) FROM audit_events"
		      " WHERE account_id = ? AND actor_id = ?"
		      " GROUP BY vault_id, item_id ORDER BY max(time) DESC, vault_id, item_id",
		      &c, &s);

	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	bind_text(s, 2, actor_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct audit_usage_row u = {
			(const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int64(s, 2),
			sqlite3_column_int64(s, 3),
		};
		rc = cb(ctx, &u);
		if (rc)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0 && rc != SQLITE_ROW)
		rc = sql_fail(st, c->db, rc, "cannot read usage");
	sqlite3_finalize(s);
	return rc;
}

int sqlst_ratelimits_get(struct store *base, const char *account_id, struct store_ratelimits *out,
			 bool *found)
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	sqlite3_stmt *s;
	int rc = prep(st,
		      "SELECT reads_per_hour, writes_per_hour, per_day FROM account_ratelimits"
		      " WHERE account_id = ?",
		      &c, &s);

	*found = false;
	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->reads_per_hour = sqlite3_column_int64(s, 0);
		out->writes_per_hour = sqlite3_column_int64(s, 1);
		out->per_day = sqlite3_column_int64(s, 2);
		*found = true;
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = sql_fail(st, c->db, rc, "cannot read the rate limits");
	}
	sqlite3_finalize(s);
	return rc;
}

int sqlst_ratelimits_put(struct store *base, const char *account_id,
			 const struct store_ratelimits *l, const char *by, long long now)
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	sqlite3_stmt *s;
	int rc = prep(
		st,
		"INSERT INTO account_ratelimits (account_id, reads_per_hour, writes_per_hour,"
		" per_day, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (account_id) DO UPDATE SET reads_per_hour = excluded.reads_per_hour,"
		" writes_per_hour = excluded.writes_per_hour, per_day = excluded.per_day,"
		" updated_by = excluded.updated_by, updated_at = excluded.updated_at",
		&c, &s);

	if (rc)
		return rc;
	bind_text(s, 1, account_id);
	sqlite3_bind_int64(s, 2, l->reads_per_hour);
	sqlite3_bind_int64(s, 3, l->writes_per_hour);
	sqlite3_bind_int64(s, 4, l->per_day);
	bind_text(s, 5, by);
	sqlite3_bind_int64(s, 6, now);
	rc = sqlite3_step(s);
	rc = rc == SQLITE_DONE ? 0 : step_fail(st, c->db, rc, "cannot store the rate limits");
	sqlite3_finalize(s);
	return rc;
}

/*
 * Connections are per thread, so this sets the durability of the audit
 * writer's commits only; everything else keeps synchronous=FULL. In WAL
 * mode NORMAL means a commit is in the log (and survives the process)
 * before we answer, and only an OS crash or power cut may lose the last
 * events; FULL also waits for fsync (docs/decisions.md 9).
 */
int sqlst_audit_sync(struct store *base, bool full)
{
	struct sqlite_store *st = ST(base);
	struct conn *c = NULL;
	int rc = conn_get(st, &c);

	if (rc)
		return rc;
	return sql_exec(st, c->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
			"cannot set the audit durability");
}
