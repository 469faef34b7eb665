/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store: one database file in WAL mode.
 *
 * Threading: one connection per thread, opened on the thread's first use
 * and closed by store close. MHD runs handlers on a small fixed pool (one
 * thread per core), so that is a handful of connections. WAL lets every
 * reader run beside the one writer, with no lock of ours on the read path.
 * Writers in this process take `write_lock` before BEGIN IMMEDIATE, so
 * they queue on a mutex (woken at once) instead of in SQLite's busy
 * handler (which sleeps and polls, adding milliseconds under contention);
 * busy_timeout still covers other processes such as a backup tool.
 * BEGIN IMMEDIATE takes the write lock up front, so a write transaction
 * never fails half-way with SQLITE_BUSY when it upgrades from reading.
 *
 * Durability: synchronous=FULL, because a committed secret must survive a
 * power cut (WAL with NORMAL may lose the last commits).
 *
 * Migrations: an ordered array compiled in, PRAGMA user_version records
 * the last one applied, each step runs in its own BEGIN IMMEDIATE. A
 * shipped step is never edited: change the schema with a new step.
 */
#include "store_sqlite_internal.h"

/* ---- errors ---- */

/*
 * Maps an SQLite result to a SESAME_E* code and kind, and sets the thread
 * error as "<what>: <sqlite's message>". SQLITE_FULL is the disk (or the
 * page limit) running out: a clear error the HTTP layer answers with 507.
 */
int sql_fail(const struct sqlite_store *st, sqlite3 *db, int rc, const char *what)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	int code = SESAME_EIO;
	const char *kind;

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return sesame_error_set(SESAME_EIO, "storage_full",
					"%s: database '%s' is full: no space left on the device",
					what, st->path);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		kind = "store_busy";
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		kind = "store_corrupt";
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		kind = "store_read_only";
		break;
	case SQLITE_NOMEM:
		return sesame_error_nomem();
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		kind = "store_io";
		break;
	default:
		code = SESAME_ESERVER;
		kind = "store_error";
		break;
	}
	return sesame_error_set(code, kind, "%s: %s", what, msg);
}

int sql_exec(const struct sqlite_store *st, sqlite3 *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sql_fail(st, db, rc, what);
}

int read_user_version(const struct sqlite_store *st, sqlite3 *db, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int(stmt, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK) {
		int err = sql_fail(st, db, rc, "cannot read the schema version");
		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* ---- connections ---- */

static int conn_open(struct sqlite_store *st, struct conn **out)
{
	static const char setup[] = "PRAGMA synchronous = FULL;"
				    "PRAGMA foreign_keys = ON;"
				    "PRAGMA trusted_schema = OFF;";
	struct conn *c = calloc(1, sizeof *c);
	int rc;

	if (!c)
		return sesame_error_nomem();
	/*
	 * No SQLITE_OPEN_CREATE: store open created the file, so a database
	 * removed under us fails loudly instead of coming back empty.
	 * NOMUTEX: a connection is only ever used by its own thread.
	 */
	rc = sqlite3_open_v2(st->path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
			     NULL);
	if (rc != SQLITE_OK) {
		char what[64 + PATH_MAX];
		snprintf(what, sizeof what, "cannot open database '%s'", st->path);
		int err = sql_fail(st, c->db, rc, what);
		sqlite3_close_v2(c->db);
		free(c);
		return err;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, st->busy_timeout_ms);
	/* Defensive: no writes to the schema or shadow tables through SQL. */
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	rc = sql_exec(st, c->db, setup, "cannot configure the database connection");
	if (rc) {
		sqlite3_close_v2(c->db);
		free(c);
		return rc;
	}
	pthread_mutex_lock(&st->lock);
	c->next = st->conns;
	st->conns = c;
	pthread_mutex_unlock(&st->lock);
	pthread_setspecific(st->key, c);
	*out = c;
	return 0;
}

/* This thread's connection, opened on first use. */
int conn_get(struct sqlite_store *st, struct conn **out)
{
	struct conn *c = pthread_getspecific(st->key);
	if (c) {
		*out = c;
		return 0;
	}
	return conn_open(st, out);
}

/* WAL is a property of the file: set it once, from the first connection. */
static int set_wal(struct sqlite_store *st, sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
	bool wal = false;

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			const char *mode = (const char *)sqlite3_column_text(stmt, 0);
			wal = mode && strcmp(mode, "wal") == 0;
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK) {
		rc = sql_fail(st, db, rc, "cannot switch the database to wal mode");
		sqlite3_finalize(stmt);
		return rc;
	}
	sqlite3_finalize(stmt);
	if (!wal)
		return sesame_error_set(SESAME_EIO, "store_io",
					"cannot switch database '%s' to wal mode", st->path);
	return 0;
}

/*
 * Creates the file 0600 if needed (the -wal and -shm files SQLite makes
 * copy its mode) and tightens a looser existing mode: it will hold
 * ciphertext and metadata that are nobody else's business.
 */
static int prepare_file(const char *path)
{
	struct stat sb;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return sesame_error_set(SESAME_EIO, "store_io", "cannot open database '%s': %s",
					path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return sesame_error_set(SESAME_EIO, "store_io",
					"database '%s' is not a regular file", path);
	}
	if ((sb.st_mode & 077) != 0) {
		log_warn("store_mode_tightened", LOG_STR("path", path),
			 LOG_INT("old_mode", sb.st_mode & 0777), );
		if (fchmod(fd, 0600) != 0) {
			int e = errno;
			close(fd);
			return sesame_error_set(SESAME_EIO, "store_io",
						"cannot make database '%s' private: %s", path,
						strerror(e));
		}
	}
	close(fd);
	return 0;
}

void sqlst_close(struct store *base)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c, *next;

	if (!st)
		return;
	/*
	 * Every request has finished (MHD_stop_daemon returned), so no thread
	 * is using a connection and any thread may close them all.
	 */
	for (c = st->conns; c; c = next) {
		next = c->next;
		if (c->in_write)
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		for (int i = 0; i < STMT_MAX; i++)
			sqlite3_finalize(c->stmts[i]);
		sqlite3_close_v2(c->db);
		free(c);
	}
	pthread_setspecific(st->key, NULL);
	pthread_key_delete(st->key);
	pthread_mutex_destroy(&st->lock);
	pthread_mutex_destroy(&st->write_lock);
	free(st->path);
	free(st);
}

int sqlst_open(struct store **out, const struct store_options *opts)
{
	struct sqlite_store *st;
	struct conn *c;
	int rc;

	*out = NULL;
	if (!opts || opts->version != STORE_OPTIONS_VERSION || !opts->path || !*opts->path)
		return sesame_error_set(SESAME_EINVAL, NULL, "store options need a database path");
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot initialise libsodium");
	st = calloc(1, sizeof *st);
	if (!st)
		return sesame_error_nomem();
	st->base.ops = &store_sqlite_ops;
	st->busy_timeout_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : 5000;
	st->path = strdup(opts->path);
	if (!st->path) {
		free(st);
		return sesame_error_nomem();
	}
	if (pthread_key_create(&st->key, NULL) != 0) {
		free(st->path);
		free(st);
		return sesame_error_set(SESAME_ERROR, NULL, "cannot create a thread key");
	}
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->write_lock, NULL);

	rc = prepare_file(st->path);
	if (!rc)
		rc = conn_open(st, &c);
	if (!rc)
		rc = set_wal(st, c->db);
	if (!rc)
		rc = migrate(st, c->db);
	if (rc) {
		sqlst_close(&st->base);
		return rc;
	}
	*out = &st->base;
	return 0;
}

int sqlst_health(struct store *base)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	sqlite3_stmt *stmt = NULL;
	struct conn *c;
	int rc = conn_get(st, &c);

	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(c->db, "SELECT server_id FROM meta WHERE id = 1", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return 0;
	}
	if (rc == SQLITE_DONE)
		rc = sesame_error_set(SESAME_EIO, "store_corrupt", "database '%s' has no server id",
				      st->path);
	else
		rc = sql_fail(st, c->db, rc, "health check failed");
	sqlite3_finalize(stmt);
	return rc;
}

int sqlst_schema_version(struct store *base, int *out)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c;
	int rc = conn_get(st, &c);
	return rc ? rc : read_user_version(st, c->db, out);
}

int sqlst_begin_write(struct store *base)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c;
	int rc = conn_get(st, &c);

	if (rc)
		return rc;
	if (c->in_write)
		return sesame_error_set(SESAME_EINVAL, NULL,
					"a write transaction is already open on this thread");
	pthread_mutex_lock(&st->write_lock);
	rc = sql_exec(st, c->db, "BEGIN IMMEDIATE", "cannot begin a write transaction");
	if (rc) {
		pthread_mutex_unlock(&st->write_lock);
		return rc;
	}
	c->in_write = true;
	return 0;
}

static int end_write(struct store *base, bool commit)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c = pthread_getspecific(st->key);
	int rc;

	if (!c || !c->in_write)
		return sesame_error_set(SESAME_EINVAL, NULL,
					"no write transaction is open on this thread");
	if (sqlite3_get_autocommit(c->db)) {
		/*
		 * SQLite rolls a transaction back by itself after some errors
		 * (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): nothing is left to
		 * roll back, and nothing may be reported as committed.
		 */
		rc = commit ? sesame_error_set(SESAME_ESERVER, "store_error",
					       "cannot commit: the transaction was rolled back "
					       "after an earlier error")
			    : 0;
	} else {
		rc = sql_exec(st, c->db, commit ? "COMMIT" : "ROLLBACK",
			      commit ? "cannot commit" : "cannot roll back");
		/* A failed COMMIT (disk full) leaves the transaction open: end it. */
		if (rc && !sqlite3_get_autocommit(c->db))
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	}
	c->in_write = false;
	pthread_mutex_unlock(&st->write_lock);
	return rc;
}

int sqlst_commit(struct store *base)
{
	return end_write(base, true);
}

int sqlst_rollback(struct store *base)
{
	return end_write(base, false);
}



/*
 * This thread's cached statement `id`, prepared on first use, reset and
 * with its bindings cleared. The SQL of an id never changes.
 */
int stmt(struct sqlite_store *st, enum stmt_id id, const char *sql, struct conn **cout,
		sqlite3_stmt **out)
{
	struct conn *c;
	int rc = conn_get(st, &c);

	if (rc)
		return rc;
	if (!c->stmts[id]) {
		rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[id],
					NULL);
		if (rc != SQLITE_OK)
			return sql_fail(st, c->db, rc, "cannot prepare a statement");
	} else {
		sqlite3_reset(c->stmts[id]);
		sqlite3_clear_bindings(c->stmts[id]);
	}
	*cout = c;
	*out = c->stmts[id];
	return 0;
}

/* Maps a constraint failure to what it means for the caller; else sql_fail. */
int step_fail(struct sqlite_store *st, sqlite3 *db, int rc, const char *what)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		return sesame_error_set(SESAME_EEXISTS, "already_exists", "%s: it already exists",
					what);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return sesame_error_set(SESAME_ENOTFOUND, "not_found",
					"%s: a principal, vault or item it names does not exist",
					what);
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return sesame_error_set(SESAME_EINVAL, "invalid_request", "%s: invalid value", what);
	default:
		return sql_fail(st, db, rc, what);
	}
}

/* Runs a statement that returns no rows; *changes gets the rows changed. */
int run_done(struct sqlite_store *st, struct conn *c, sqlite3_stmt *s, const char *what,
		    int *changes)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return step_fail(st, c->db, rc, what);
	if (changes)
		*changes = sqlite3_changes(c->db);
	return 0;
}


void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void bind_blob(sqlite3_stmt *s, int i, const void *v, size_t len)
{
	if (v)
		sqlite3_bind_blob(s, i, v, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void col_text(sqlite3_stmt *s, int i, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

/* Copies a blob column into a fixed buffer; returns its length (0 if NULL or too long). */
size_t col_blob(sqlite3_stmt *s, int i, unsigned char *out, size_t cap)
{
	const void *b = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);
	if (!b || n > cap)
		return 0;
	memcpy(out, b, n);
	return n;
}

const struct store_ops store_sqlite_ops = {
	.version = STORE_OPS_VERSION,
	.name = "sqlite",
	.open = sqlst_open,
	.close = sqlst_close,
	.health = sqlst_health,
	.schema_version = sqlst_schema_version,
	.begin_write = sqlst_begin_write,
	.commit = sqlst_commit,
	.rollback = sqlst_rollback,
	.account_count = sqlst_account_count,
	.account_insert = sqlst_account_insert,
	.principal_insert = sqlst_principal_insert,
	.principal_get = sqlst_principal_get,
	.principal_by_email = sqlst_principal_by_email,
	.principal_auth = sqlst_principal_auth,
	.group_list = sqlst_group_list,
	.member_insert = sqlst_member_insert,
	.my_groups = sqlst_my_groups,
	.vault_insert = sqlst_vault_insert,
	.vault_get = sqlst_vault_get,
	.vault_update_attrs = sqlst_vault_update_attrs,
	.vault_delete = sqlst_vault_delete,
	.vault_paths = sqlst_vault_paths,
	.vault_permissions = sqlst_vault_permissions,
	.access_put = sqlst_access_put,
	.access_delete = sqlst_access_delete,
	.access_list = sqlst_access_list,
	.item_insert = sqlst_item_insert,
	.item_update = sqlst_item_update,
	.item_set_state = sqlst_item_set_state,
	.item_delete = sqlst_item_delete,
	.item_get = sqlst_item_get,
	.item_list = sqlst_item_list,
	.item_versions = sqlst_item_versions,
	.user_list = sqlst_user_list,
	.principal_set_state = sqlst_principal_set_state,
	.user_set_keys = sqlst_user_set_keys,
	.invite_put = sqlst_invite_put,
	.invite_get = sqlst_invite_get,
	.group_delete = sqlst_group_delete,
	.member_delete = sqlst_member_delete,
	.member_list = sqlst_member_list,
	.file_insert = sqlst_file_insert,
	.file_get = sqlst_file_get,
	.file_delete = sqlst_file_delete,
	.sa_insert = sqlst_sa_insert,
	.sa_get = sqlst_sa_get,
	.sa_list = sqlst_sa_list,
	.sa_end = sqlst_sa_end,
	.sa_touch = sqlst_sa_touch,
	.server_id = sqlst_server_id,
	.audit_head = sqlst_audit_head,
	.audit_insert = sqlst_audit_insert,
	.audit_sync = sqlst_audit_sync,
	.audit_list = sqlst_audit_list,
	.audit_usage = sqlst_audit_usage,
	.ratelimits_get = sqlst_ratelimits_get,
	.ratelimits_put = sqlst_ratelimits_put,
	.item_list_titles = sqlst_item_list_titles,
};

