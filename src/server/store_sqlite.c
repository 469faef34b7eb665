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

struct conn {
	sqlite3 *db;
	bool in_write;
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
};
