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
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "error.h"
#include "log.h"
#include "store.h"

#define STMT_MAX 64 /* prepared statements cached per connection */

struct conn {
	sqlite3 *db;
	bool in_write;
	sqlite3_stmt *stmts[STMT_MAX];
	struct conn *next;
};

struct sqlite_store {
	struct store base;
	char *path;
	int busy_timeout_ms;
	pthread_key_t key;	    /* this thread's struct conn */
	pthread_mutex_t lock;	    /* guards conns */
	pthread_mutex_t write_lock; /* one writer at a time in this process */
	struct conn *conns;
};

/* ---- errors ---- */

/*
 * Maps an SQLite result to a SESAME_E* code and kind, and sets the thread
 * error as "<what>: <sqlite's message>". SQLITE_FULL is the disk (or the
 * page limit) running out: a clear error the HTTP layer answers with 507.
 */
static int sql_fail(const struct sqlite_store *st, sqlite3 *db, int rc, const char *what)
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

static int sql_exec(const struct sqlite_store *st, sqlite3 *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sql_fail(st, db, rc, what);
}

static int read_user_version(const struct sqlite_store *st, sqlite3 *db, int *out)
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

/* ---- migrations ---- */

/* 26 characters of [a-z0-9], the id format of DESIGN.md section 10. */
static void new_id(char out[27])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (int i = 0; i < 26; i++)
		out[i] = alphabet[randombytes_uniform(36)];
	out[26] = '\0';
}

static int m1_fill(const struct sqlite_store *st, sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	char id[27];
	int rc;

	new_id(id);
	rc = sqlite3_prepare_v2(db, "INSERT INTO meta (id, server_id, created_at) VALUES (1, ?, ?)",
				-1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 2, (sqlite3_int64)time(NULL));
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	if (rc != SQLITE_OK) {
		int err = sql_fail(st, db, rc, "cannot write the server id");
		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/*
 * The schema, in order. NEVER edit a step that has shipped: databases in
 * the field have run it already. Add step N+1 instead. `fill` runs in the
 * same transaction, after `sql`, for data SQL cannot make (random ids).
 */
static const struct migration {
	int version;
	const char *name;
	const char *sql;
	int (*fill)(const struct sqlite_store *st, sqlite3 *db);
} migrations[] = {
	{1, "meta",
	 "CREATE TABLE meta ("
	 " id INTEGER PRIMARY KEY CHECK (id = 1),"
	 " server_id TEXT NOT NULL CHECK (length(server_id) = 26),"
	 " created_at INTEGER NOT NULL"
	 ") STRICT;",
	 m1_fill},
	/*
	 * Accounts, principals, vaults and items (docs/internals/server.md,
	 * "Schema"). Every route's hot query is one lookup in an index named
	 * here; ids are the clients' 26-character ids.
	 */
	{2, "accounts, principals, vaults, items",
	 "CREATE TABLE accounts ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " name TEXT NOT NULL,"
	 " created_at INTEGER NOT NULL"
	 ") STRICT;"
	 "CREATE TABLE principals ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " account_id TEXT NOT NULL REFERENCES accounts(id),"
	 " type TEXT NOT NULL CHECK (type IN ('user', 'group', 'service_account')),"
	 " state TEXT NOT NULL CHECK (state IN"
	 "  ('active', 'invited', 'pending', 'suspended', 'deleted')),"
	 " generation INTEGER NOT NULL DEFAULT 1,"
	 " group_type TEXT CHECK (group_type IN"
	 "  ('owners', 'administrators', 'team_members', 'user_defined')),"
	 " box_public_key BLOB CHECK (length(box_public_key) = 32),"
	 " sign_public_key BLOB CHECK (length(sign_public_key) = 32),"
	 " email TEXT,"
	 " name TEXT NOT NULL DEFAULT '',"
	 " description TEXT NOT NULL DEFAULT '',"
	 " salt BLOB CHECK (length(salt) = 16),"
	 " kdf_ops INTEGER,"
	 " kdf_mem INTEGER,"
	 " signin_public_key BLOB CHECK (length(signin_public_key) = 32),"
	 " encrypted_keyset BLOB,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " last_auth_at INTEGER"
	 ") STRICT;"
	 "CREATE UNIQUE INDEX principals_email ON principals (account_id, email)"
	 " WHERE email IS NOT NULL;"
	 "CREATE INDEX principals_account ON principals (account_id, type);"
	 "CREATE TABLE group_members ("
	 " group_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,"
	 " member_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,"
	 " sealed_keyset BLOB NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " PRIMARY KEY (group_id, member_id)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE INDEX group_members_member ON group_members (member_id, group_id);"
	 "CREATE TABLE vaults ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " account_id TEXT NOT NULL REFERENCES accounts(id),"
	 " type TEXT NOT NULL CHECK (type IN ('personal', 'everyone', 'user_created')),"
	 " encrypted_attrs BLOB NOT NULL,"
	 " attribute_version INTEGER NOT NULL,"
	 " content_version INTEGER NOT NULL,"
	 " created_by TEXT NOT NULL REFERENCES principals(id),"
	 " allow_admins_to_manage INTEGER NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX vaults_account ON vaults (account_id);"
	 /* Foreign-key checks when a principal is deleted look vaults up by creator. */
	 "CREATE INDEX vaults_created_by ON vaults (created_by);"
	 "CREATE TABLE vault_access ("
	 " vault_id TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,"
	 " principal_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,"
	 " permissions INTEGER NOT NULL,"
	 " sealed_key BLOB NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " PRIMARY KEY (vault_id, principal_id)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE INDEX vault_access_principal ON vault_access (principal_id, vault_id);"
	 "CREATE TABLE items ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " vault_id TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,"
	 " version INTEGER NOT NULL,"
	 " state TEXT NOT NULL CHECK (state IN ('active', 'archived')),"
	 " overview BLOB NOT NULL,"
	 " details BLOB NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " created_by TEXT NOT NULL,"
	 " updated_by TEXT NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX items_vault ON items (vault_id, state);"
	 "CREATE TABLE item_versions ("
	 " item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	 " version INTEGER NOT NULL,"
	 " overview BLOB NOT NULL,"
	 " details BLOB NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " updated_by TEXT NOT NULL,"
	 " PRIMARY KEY (item_id, version)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE TABLE item_indexes ("
	 " item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	 " vault_id TEXT NOT NULL,"
	 " kind TEXT NOT NULL CHECK (kind IN ('title', 'tag')),"
	 " value BLOB NOT NULL CHECK (length(value) = 32),"
	 " PRIMARY KEY (item_id, kind, value)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE INDEX item_indexes_lookup ON item_indexes (vault_id, kind, value);"
	 "CREATE TABLE invites ("
	 " user_id TEXT PRIMARY KEY REFERENCES principals(id) ON DELETE CASCADE,"
	 " code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),"
	 " created_by TEXT NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " expires_at INTEGER NOT NULL"
	 ") STRICT;",
	 NULL},
};

#define MIGRATION_COUNT (sizeof migrations / sizeof migrations[0])

int store_sqlite_latest_version(void)
{
	return migrations[MIGRATION_COUNT - 1].version;
}

static int apply_migration(const struct sqlite_store *st, sqlite3 *db, const struct migration *m,
			   int *version)
{
	char sql[64];
	int cur, rc;

	rc = sql_exec(st, db, "BEGIN IMMEDIATE", "cannot start a migration");
	if (rc)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	rc = read_user_version(st, db, &cur);
	if (rc)
		goto fail;
	if (cur >= m->version) {
		*version = cur;
		return sql_exec(st, db, "COMMIT", "cannot end a migration");
	}
	if (cur != m->version - 1) {
		rc = sesame_error_set(SESAME_ESERVER, "store_error",
				      "database '%s' is at schema version %d, expected %d",
				      st->path, cur, m->version - 1);
		goto fail;
	}
	rc = sql_exec(st, db, m->sql, "cannot create the schema");
	if (!rc && m->fill)
		rc = m->fill(st, db);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
	if (!rc)
		rc = sql_exec(st, db, sql, "cannot record the schema version");
	if (!rc)
		rc = sql_exec(st, db, "COMMIT", "cannot commit");
	if (rc)
		goto fail;
	*version = m->version;
	log_info("store_migrated", LOG_INT("version", m->version), LOG_STR("name", m->name), );
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return sesame_error_prefix("cannot apply migration %d ('%s') to '%s'", m->version, m->name,
				   st->path);
}

static int migrate(const struct sqlite_store *st, sqlite3 *db)
{
	int version, rc;

	for (size_t i = 0; i < MIGRATION_COUNT; i++)
		if (migrations[i].version != (int)i + 1)
			return sesame_error_set(SESAME_ESERVER, "store_error",
						"migration table is not numbered 1, 2, 3, ...");
	rc = read_user_version(st, db, &version);
	if (rc)
		return rc;
	if (version > store_sqlite_latest_version())
		return sesame_error_set(SESAME_EUNSUPPORTED, "store_too_new",
					"database '%s' has schema version %d, newer than this "
					"sesamed knows (%d): run a newer sesamed",
					st->path, version, store_sqlite_latest_version());
	for (size_t i = 0; i < MIGRATION_COUNT; i++) {
		if (migrations[i].version <= version)
			continue;
		rc = apply_migration(st, db, &migrations[i], &version);
		if (rc)
			return rc;
	}
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
static int conn_get(struct sqlite_store *st, struct conn **out)
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

static void sqlite_close(struct store *base)
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

static int sqlite_open(struct store **out, const struct store_options *opts)
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
		sqlite_close(&st->base);
		return rc;
	}
	*out = &st->base;
	return 0;
}

static int sqlite_health(struct store *base)
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

static int sqlite_schema_version(struct store *base, int *out)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c;
	int rc = conn_get(st, &c);
	return rc ? rc : read_user_version(st, c->db, out);
}

static int sqlite_begin_write(struct store *base)
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

static int sqlite_commit(struct store *base)
{
	return end_write(base, true);
}

static int sqlite_rollback(struct store *base)
{
	return end_write(base, false);
}

/* ---- version 2: accounts, principals, vaults, items ---- */

/* One index per statement in the per-connection cache. */
enum stmt_id {
	S_ACCOUNT_COUNT,
	S_ACCOUNT_INSERT,
	S_PRINCIPAL_INSERT,
	S_PRINCIPAL_GET,
	S_PRINCIPAL_BY_EMAIL,
	S_PRINCIPAL_AUTH,
	S_GROUP_LIST,
	S_GROUP_GET,
	S_MEMBER_INSERT,
	S_MY_GROUPS,
	S_VAULT_INSERT,
	S_VAULT_GET,
	S_VAULT_COUNT_ITEMS,
	S_VAULT_UPDATE_ATTRS,
	S_VAULT_EXISTS,
	S_VAULT_DELETE,
	S_VAULT_PATHS_ALL,
	S_VAULT_PATHS_ONE,
	S_VAULT_PERMISSIONS,
	S_ACCESS_PUT,
	S_ACCESS_DELETE,
	S_ACCESS_LIST,
	S_VAULT_TOUCH,
	S_ITEM_INSERT,
	S_ITEM_VERSION_INSERT,
	S_ITEM_INDEX_INSERT,
	S_ITEM_INDEX_CLEAR,
	S_ITEM_UPDATE,
	S_ITEM_EXISTS,
	S_ITEM_SET_STATE,
	S_ITEM_DELETE,
	S_ITEM_GET,
	S_ITEM_LIST,
	S_ITEM_LIST_TITLE,
	S_ITEM_LIST_TAG,
	S_ITEM_VERSIONS,
	S_USER_LIST,
	S_USER_GET,
	S_SET_STATE,
	S_USER_SET_KEYS,
	S_INVITE_PUT,
	S_INVITE_GET,
	S_INVITE_DELETE,
	S_GROUP_DELETE,
	S_MEMBER_DELETE,
	S_MEMBER_LIST,
	S_COUNT
};

_Static_assert(S_COUNT <= STMT_MAX, "raise STMT_MAX");

/*
 * This thread's cached statement `id`, prepared on first use, reset and
 * with its bindings cleared. The SQL of an id never changes.
 */
static int stmt(struct sqlite_store *st, enum stmt_id id, const char *sql, struct conn **cout,
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
static int step_fail(struct sqlite_store *st, sqlite3 *db, int rc, const char *what)
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
static int run_done(struct sqlite_store *st, struct conn *c, sqlite3_stmt *s, const char *what,
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

#define ST(base) ((struct sqlite_store *)(base))

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_blob(sqlite3_stmt *s, int i, const void *v, size_t len)
{
	if (v)
		sqlite3_bind_blob(s, i, v, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *out, size_t cap)
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
static size_t col_blob(sqlite3_stmt *s, int i, unsigned char *out, size_t cap)
{
	const void *b = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);
	if (!b || n > cap)
		return 0;
	memcpy(out, b, n);
	return n;
}

static int sqlite_account_count(struct store *base, long long *out)
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

static int sqlite_account_insert(struct store *base, const char *id, const char *name,
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

static int sqlite_principal_insert(struct store *base, const struct principal_row *p)
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

static int sqlite_principal_get(struct store *base, const char *id, struct principal_row *out)
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

static int sqlite_principal_by_email(struct store *base, const char *account_id, const char *email,
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

static int sqlite_principal_auth(struct store *base, const char *id, struct principal_auth *out)
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

static int sqlite_group_list(struct store *base, const char *account_id, const char *group_id,
			     principal_cb cb, void *ctx)
{
	struct principal_row p;
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
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		principal_from_row(s, &p);
		int stop = cb(ctx, &p);
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, "cannot list groups");
}

static int sqlite_member_insert(struct store *base, const char *group_id, const char *member_id,
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

static int sqlite_my_groups(struct store *base, const char *member_id, my_group_cb cb, void *ctx)
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

static int sqlite_vault_insert(struct store *base, const struct vault_row *v)
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

static int sqlite_vault_get(struct store *base, const char *id, struct vault_row *out)
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

static int sqlite_vault_update_attrs(struct store *base, const char *id, const unsigned char *attrs,
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

static int sqlite_vault_delete(struct store *base, const char *id)
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

static int sqlite_vault_paths(struct store *base, const char *principal_id, const char *vault_id,
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

static int sqlite_vault_permissions(struct store *base, const char *principal_id,
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

static int sqlite_access_put(struct store *base, const char *vault_id, const char *principal_id,
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

static int sqlite_access_delete(struct store *base, const char *vault_id, const char *principal_id)
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

static int sqlite_access_list(struct store *base, const char *vault_id, access_cb cb, void *ctx)
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
static int vault_touch(struct sqlite_store *st, const char *vault_id, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(st, S_VAULT_TOUCH,
		      "UPDATE vaults SET content_version = content_version + 1, updated_at = ?2"
		      " WHERE id = ?1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, vault_id);
	sqlite3_bind_int64(s, 2, now);
	return run_done(st, c, s, "cannot update the vault", NULL);
}

static int write_version_and_indexes(struct sqlite_store *st, const struct item_row *it,
				     const struct item_indexes *idx, bool clear)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(st, S_ITEM_VERSION_INSERT,
		      "INSERT INTO item_versions (item_id, version, overview, details, updated_at,"
		      " updated_by) VALUES (?, ?, ?, ?, ?, ?)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, it->id);
	sqlite3_bind_int64(s, 2, it->version);
	bind_blob(s, 3, it->overview, it->overview_len);
	bind_blob(s, 4, it->details, it->details_len);
	sqlite3_bind_int64(s, 5, it->updated_at);
	bind_text(s, 6, it->updated_by);
	rc = run_done(st, c, s, "cannot store the item version", NULL);
	if (rc)
		return rc;
	if (clear) {
		rc = stmt(st, S_ITEM_INDEX_CLEAR, "DELETE FROM item_indexes WHERE item_id = ?", &c,
			  &s);
		if (rc)
			return rc;
		bind_text(s, 1, it->id);
		rc = run_done(st, c, s, "cannot update the item's indexes", NULL);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i <= idx->ntags; i++) {
		const unsigned char *v = i == 0 ? idx->title : idx->tags[i - 1];
		if (!v)
			continue;
		rc = stmt(st, S_ITEM_INDEX_INSERT,
			  "INSERT OR IGNORE INTO item_indexes (item_id, vault_id, kind, value)"
			  " VALUES (?, ?, ?, ?)",
			  &c, &s);
		if (rc)
			return rc;
		bind_text(s, 1, it->id);
		bind_text(s, 2, it->vault_id);
		bind_text(s, 3, i == 0 ? "title" : "tag");
		bind_blob(s, 4, v, STORE_INDEX_BYTES);
		rc = run_done(st, c, s, "cannot store the item's indexes", NULL);
		if (rc)
			return rc;
	}
	return vault_touch(st, it->vault_id, it->updated_at);
}

static int sqlite_item_insert(struct store *base, const struct item_row *it,
			      const struct item_indexes *idx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_ITEM_INSERT,
		      "INSERT INTO items (id, vault_id, version, state, overview, details,"
		      " created_at, updated_at, created_by, updated_by)"
		      " VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6, ?6, ?7, ?7)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, it->id);
	bind_text(s, 2, it->vault_id);
	sqlite3_bind_int64(s, 3, it->version);
	bind_blob(s, 4, it->overview, it->overview_len);
	bind_blob(s, 5, it->details, it->details_len);
	sqlite3_bind_int64(s, 6, it->created_at);
	bind_text(s, 7, it->created_by);
	rc = run_done(ST(base), c, s, "cannot store the item", NULL);
	if (rc == SESAME_EEXISTS)
		return sesame_error_set(SESAME_EEXISTS, "already_exists",
					"item '%s' already exists", it->id);
	return rc ? rc : write_version_and_indexes(ST(base), it, idx, false);
}

/* ENOTFOUND unless the item is in the vault. */
static int item_must_exist(struct sqlite_store *st, const char *vault_id, const char *id,
			   long long *version)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(st, S_ITEM_EXISTS, "SELECT version FROM items WHERE id = ? AND vault_id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && version)
		*version = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
					id);
	return sql_fail(st, c->db, rc, "cannot read the item");
}

static int sqlite_item_update(struct store *base, const struct item_row *it,
			      const struct item_indexes *idx)
{
	struct conn *c;
	sqlite3_stmt *s;
	long long stored = 0;
	int changes = 0;
	int rc = stmt(ST(base), S_ITEM_UPDATE,
		      "UPDATE items SET version = ?3, overview = ?4, details = ?5, updated_at = ?6,"
		      " updated_by = ?7 WHERE id = ?1 AND vault_id = ?2 AND version = ?3 - 1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, it->id);
	bind_text(s, 2, it->vault_id);
	sqlite3_bind_int64(s, 3, it->version);
	bind_blob(s, 4, it->overview, it->overview_len);
	bind_blob(s, 5, it->details, it->details_len);
	sqlite3_bind_int64(s, 6, it->updated_at);
	bind_text(s, 7, it->updated_by);
	rc = run_done(ST(base), c, s, "cannot update the item", &changes);
	if (rc)
		return rc;
	if (!changes) {
		rc = item_must_exist(ST(base), it->vault_id, it->id, &stored);
		return rc ? rc
			  : sesame_error_set(SESAME_ECONFLICT, "conflict",
					     "item '%s' changed since version %lld (it is at "
					     "version %lld); fetch it and retry",
					     it->id, it->version - 1, stored);
	}
	return write_version_and_indexes(ST(base), it, idx, true);
}

static int sqlite_item_set_state(struct store *base, const char *vault_id, const char *id,
				 const char *state, const char *by, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_ITEM_SET_STATE,
		      "UPDATE items SET state = ?3, updated_at = ?4, updated_by = ?5"
		      " WHERE id = ?1 AND vault_id = ?2",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	bind_text(s, 3, state);
	sqlite3_bind_int64(s, 4, now);
	bind_text(s, 5, by);
	rc = run_done(ST(base), c, s, "cannot change the item", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
				      id);
	return rc ? rc : vault_touch(ST(base), vault_id, now);
}

static int sqlite_item_delete(struct store *base, const char *vault_id, const char *id)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_ITEM_DELETE, "DELETE FROM items WHERE id = ? AND vault_id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	rc = run_done(ST(base), c, s, "cannot delete the item", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
				      id);
	return rc ? rc : vault_touch(ST(base), vault_id, (long long)time(NULL));
}

#define ITEM_COLUMNS                                                                               \
	"i.id, i.vault_id, i.version, i.state, i.overview, i.details, i.created_at,"              \
	" i.updated_at, i.created_by, i.updated_by"

/* Steps an item query, calling cb per row. */
static int item_rows(struct sqlite_store *st, struct conn *c, sqlite3_stmt *s, bool details,
		     item_cb cb, void *ctx, size_t limit, size_t *rows)
{
	int rc;
	size_t n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct item_row r = {
			.id = (const char *)sqlite3_column_text(s, 0),
			.vault_id = (const char *)sqlite3_column_text(s, 1),
			.version = sqlite3_column_int64(s, 2),
			.state = (const char *)sqlite3_column_text(s, 3),
			.overview = sqlite3_column_blob(s, 4),
			.overview_len = (size_t)sqlite3_column_bytes(s, 4),
			.created_at = sqlite3_column_int64(s, 6),
			.updated_at = sqlite3_column_int64(s, 7),
			.created_by = (const char *)sqlite3_column_text(s, 8),
			.updated_by = (const char *)sqlite3_column_text(s, 9),
		};
		if (details) {
			r.details = sqlite3_column_blob(s, 5);
			r.details_len = (size_t)sqlite3_column_bytes(s, 5);
		}
		n++;
		int stop = cb(ctx, &r);
		if (stop || (limit && n >= limit)) {
			sqlite3_reset(s);
			if (rows)
				*rows = n;
			return stop;
		}
	}
	sqlite3_reset(s);
	if (rows)
		*rows = n;
	return rc == SQLITE_DONE ? 0 : sql_fail(st, c->db, rc, "cannot read items");
}

static int sqlite_item_get(struct store *base, const char *vault_id, const char *id, bool details,
			   item_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	size_t rows = 0;
	int rc = stmt(ST(base), S_ITEM_GET,
		      "SELECT " ITEM_COLUMNS " FROM items i WHERE i.id = ? AND i.vault_id = ?", &c,
		      &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	rc = item_rows(ST(base), c, s, details, cb, ctx, 0, &rows);
	if (!rc && !rows)
		rc = sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
				      id);
	return rc;
}

static int sqlite_item_list(struct store *base, const struct item_query *q, item_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc;

	/* ?2 NULL means any state. An index lookup drives the title and tag queries. */
	if (q->tag) {
		/* The tag drives; a title, if also given, filters. */
		rc = stmt(ST(base), S_ITEM_LIST_TAG,
			  "SELECT " ITEM_COLUMNS " FROM item_indexes x"
			  " JOIN items i ON i.id = x.item_id"
			  " WHERE x.vault_id = ?1 AND x.kind = 'tag' AND x.value = ?3"
			  " AND (?2 IS NULL OR i.state = ?2)"
			  " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM item_indexes t"
			  "  WHERE t.item_id = i.id AND t.kind = 'title' AND t.value = ?4))"
			  " ORDER BY i.id",
			  &c, &s);
		if (rc)
			return rc;
		bind_blob(s, 3, q->tag, STORE_INDEX_BYTES);
		bind_blob(s, 4, q->title, STORE_INDEX_BYTES);
	} else if (q->title) {
		rc = stmt(ST(base), S_ITEM_LIST_TITLE,
			  "SELECT " ITEM_COLUMNS " FROM item_indexes x"
			  " JOIN items i ON i.id = x.item_id"
			  " WHERE x.vault_id = ?1 AND x.kind = 'title' AND x.value = ?3"
			  " AND (?2 IS NULL OR i.state = ?2) ORDER BY i.id",
			  &c, &s);
		if (rc)
			return rc;
		bind_blob(s, 3, q->title, STORE_INDEX_BYTES);
	} else {
		rc = stmt(ST(base), S_ITEM_LIST,
			  "SELECT " ITEM_COLUMNS " FROM items i WHERE i.vault_id = ?1"
			  " AND (?2 IS NULL OR i.state = ?2) ORDER BY i.id",
			  &c, &s);
		if (rc)
			return rc;
	}
	bind_text(s, 1, q->vault_id);
	bind_text(s, 2, q->state);
	return item_rows(ST(base), c, s, q->details, cb, ctx, q->limit, NULL);
}

static int sqlite_item_versions(struct store *base, const char *vault_id, const char *id,
				item_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = item_must_exist(ST(base), vault_id, id, NULL);
	if (rc)
		return rc;
	rc = stmt(ST(base), S_ITEM_VERSIONS,
		  "SELECT v.item_id, i.vault_id, v.version, i.state, v.overview, v.details,"
		  " i.created_at, v.updated_at, i.created_by, v.updated_by"
		  " FROM item_versions v JOIN items i ON i.id = v.item_id"
		  " WHERE v.item_id = ? ORDER BY v.version",
		  &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	return item_rows(ST(base), c, s, true, cb, ctx, 0, NULL);
}


static int sqlite_user_list(struct store *base, const char *account_id, const char *id,
			    principal_cb cb, void *ctx)
{
	struct principal_row p;
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
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		principal_from_row(s, &p);
		int stop = cb(ctx, &p);
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, "cannot list users");
}

static int sqlite_principal_set_state(struct store *base, const char *id, const char *state,
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

static int sqlite_user_set_keys(struct store *base, const struct principal_row *p, long long now)
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

static int sqlite_invite_put(struct store *base, const char *user_id, const unsigned char hash[32],
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

static int sqlite_invite_get(struct store *base, const char *user_id, unsigned char hash[32],
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


static int sqlite_group_delete(struct store *base, const char *id)
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

static int sqlite_member_delete(struct store *base, const char *group_id, const char *member_id)
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

static int sqlite_member_list(struct store *base, const char *group_id, principal_cb cb,
			      void *ctx)
{
	struct principal_row p;
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_MEMBER_LIST,
		      "SELECT " PRINCIPAL_COLUMNS " FROM principals WHERE id IN"
		      " (SELECT member_id FROM group_members WHERE group_id = ?) ORDER BY id",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, group_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		principal_from_row(s, &p);
		int stop = cb(ctx, &p);
		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(ST(base), c->db, rc, "cannot list members");
}

const struct store_ops store_sqlite_ops = {
	.version = STORE_OPS_VERSION,
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.health = sqlite_health,
	.schema_version = sqlite_schema_version,
	.begin_write = sqlite_begin_write,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.account_count = sqlite_account_count,
	.account_insert = sqlite_account_insert,
	.principal_insert = sqlite_principal_insert,
	.principal_get = sqlite_principal_get,
	.principal_by_email = sqlite_principal_by_email,
	.principal_auth = sqlite_principal_auth,
	.group_list = sqlite_group_list,
	.member_insert = sqlite_member_insert,
	.my_groups = sqlite_my_groups,
	.vault_insert = sqlite_vault_insert,
	.vault_get = sqlite_vault_get,
	.vault_update_attrs = sqlite_vault_update_attrs,
	.vault_delete = sqlite_vault_delete,
	.vault_paths = sqlite_vault_paths,
	.vault_permissions = sqlite_vault_permissions,
	.access_put = sqlite_access_put,
	.access_delete = sqlite_access_delete,
	.access_list = sqlite_access_list,
	.item_insert = sqlite_item_insert,
	.item_update = sqlite_item_update,
	.item_set_state = sqlite_item_set_state,
	.item_delete = sqlite_item_delete,
	.item_get = sqlite_item_get,
	.item_list = sqlite_item_list,
	.item_versions = sqlite_item_versions,
	.user_list = sqlite_user_list,
	.principal_set_state = sqlite_principal_set_state,
	.user_set_keys = sqlite_user_set_keys,
	.invite_put = sqlite_invite_put,
	.invite_get = sqlite_invite_get,
	.group_delete = sqlite_group_delete,
	.member_delete = sqlite_member_delete,
	.member_list = sqlite_member_list,
};
