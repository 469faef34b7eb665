/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_STORE_H
#define SESAME_SERVER_STORE_H

/*
 * The storage interface: a versioned table of functions, in the manner of
 * libgit2's git_odb_backend. A backend (store_sqlite.c today, a PostgreSQL
 * one later) fills a `struct store_ops`; everything else calls through the
 * store_* wrappers below and never sees SQL.
 *
 * Conventions:
 * - Every function returns 0 or a negative SESAME_E* code and sets the
 *   thread's error (src/lib/error.h) with a message that says what failed
 *   first. Kinds a backend may set: "store_busy", "store_corrupt",
 *   "store_read_only", "store_io", "storage_full" (disk full, answered
 *   as 507), "store_too_new" (the database is newer than this binary).
 * - Transactions belong to the calling thread: begin_write, then commit
 *   or rollback on the same thread. Write transactions are serialised
 *   (one writer at a time); reads never wait for a writer.
 * - Later work adds operations (accounts, vaults, items, ...) at the end
 *   of the table and bumps STORE_OPS_VERSION.
 */

#define STORE_OPS_VERSION     1
#define STORE_OPTIONS_VERSION 1

struct store;

struct store_options {
	unsigned int version; /* STORE_OPTIONS_VERSION */
	const char *path;     /* sqlite: the database file, created 0600 */
	int busy_timeout_ms;  /* how long to wait for another process's lock */
};

#define STORE_OPTIONS_INIT                                                                         \
	{                                                                                          \
		STORE_OPTIONS_VERSION, NULL, 5000                                                  \
	}

struct store_ops {
	unsigned int version; /* STORE_OPS_VERSION */
	const char *name;     /* "sqlite": shown in /v1/health */

	/* Opens the store and brings its schema to the latest version. */
	int (*open)(struct store **out, const struct store_options *opts);
	/* Closes every connection. No request may be running. NULL is fine. */
	void (*close)(struct store *st);
	/* A real, cheap round trip to the data (for /v1/health). */
	int (*health)(struct store *st);
	/* The schema version of the open store (PRAGMA user_version). */
	int (*schema_version)(struct store *st, int *out);

	/* Write transactions on the calling thread. */
	int (*begin_write)(struct store *st);
	int (*commit)(struct store *st);
	int (*rollback)(struct store *st);
};

/* Every backend's handle starts with this. */
struct store {
	const struct store_ops *ops;
};

extern const struct store_ops store_sqlite_ops;

/* The schema version this binary migrates to. */
int store_sqlite_latest_version(void);

static inline int store_open(const struct store_ops *ops, struct store **out,
			     const struct store_options *opts)
{
	return ops->open(out, opts);
}

static inline void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

static inline int store_health(struct store *st)
{
	return st->ops->health(st);
}

static inline int store_schema_version(struct store *st, int *out)
{
	return st->ops->schema_version(st, out);
}

static inline int store_begin_write(struct store *st)
{
	return st->ops->begin_write(st);
}

static inline int store_commit(struct store *st)
{
	return st->ops->commit(st);
}

static inline int store_rollback(struct store *st)
{
	return st->ops->rollback(st);
}

static inline const char *store_name(const struct store *st)
{
	return st->ops->name;
}

#endif
