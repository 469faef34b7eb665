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

#define STORE_OPS_VERSION     3
#define STORE_OPTIONS_VERSION 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Sizes of what the store keeps (checked by the handlers before a write). */
#define STORE_ID_SIZE	    27	 /* 26 characters of [a-z0-9] and a NUL */
#define STORE_KEY_BYTES	    32	 /* X25519 / Ed25519 public keys */
#define STORE_SALT_BYTES    16	 /* the KDF salt */
#define STORE_EMAIL_MAX	    320	 /* bytes of an email address */
#define STORE_NAME_MAX	    256	 /* bytes of a person's or group's name */
#define STORE_KEYSET_MAX    512	 /* encrypted or sealed keyset, bytes */
#define STORE_SEALED_MAX    256	 /* a sealed vault key, bytes */
#define STORE_ATTRS_MAX	    8192 /* encrypted vault attributes, bytes */
#define STORE_INDEX_BYTES   32	 /* one blind index */
#define STORE_TAGS_MAX	    64	 /* tag indexes on one item */

/* A principal (user, group, service account) as stored. */
struct principal_row {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char type[24];	     /* "user", "group", "service_account" */
	char state[16];	     /* "active", "invited", "pending", "suspended", "deleted" */
	char group_type[24]; /* groups: "owners", "administrators", "team_members", "user_defined" */
	long long generation;
	unsigned char box_public_key[STORE_KEY_BYTES];
	unsigned char sign_public_key[STORE_KEY_BYTES];
	/* Users only (has_user false otherwise). */
	bool has_user;
	unsigned char signin_public_key[STORE_KEY_BYTES];
	unsigned char salt[STORE_SALT_BYTES];
	long long kdf_ops, kdf_mem;
	unsigned char keyset[STORE_KEYSET_MAX];
	size_t keyset_len;
	char email[STORE_EMAIL_MAX + 1]; /* users; "" otherwise */
	char name[STORE_NAME_MAX + 1];
	char description[STORE_NAME_MAX + 1]; /* groups */
	long long created_at, updated_at;
};

/* What every authenticated request needs to know about its caller. */
struct principal_auth {
	char account_id[STORE_ID_SIZE];
	char type[24];
	char state[16];
	long long generation;
	bool admin; /* member of the owners or administrators group */
	bool owner; /* member of the owners group */
};

struct vault_row {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char type[16]; /* "personal", "everyone", "user_created" */
	unsigned char attrs[STORE_ATTRS_MAX];
	size_t attrs_len;
	long long attribute_version, content_version;
	char created_by[STORE_ID_SIZE];
	bool allow_admins_to_manage;
	long long created_at, updated_at;
	long long items; /* get only: items in the vault (active and archived) */
};

/* One way a principal reaches a vault: its own row or a group's. */
struct vault_path {
	const char *vault_id;
	const char *group_id; /* NULL: the principal's own access row */
	uint32_t permissions;
	const unsigned char *sealed_key;
	size_t sealed_key_len;
};

struct access_entry {
	const char *principal_id;
	const char *principal_type;
	uint32_t permissions;
};

struct item_row {
	const char *vault_id;
	const char *id;
	long long version;
	const char *state; /* "active" or "archived" */
	const unsigned char *overview;
	size_t overview_len;
	const unsigned char *details; /* NULL in lists */
	size_t details_len;
	long long created_at, updated_at;
	const char *created_by, *updated_by;
};

/* Blind indexes written with an item version (replacing the old ones). */
struct item_indexes {
	const unsigned char *title; /* STORE_INDEX_BYTES, or NULL */
	size_t ntags;
	const unsigned char *tags[STORE_TAGS_MAX]; /* STORE_INDEX_BYTES each */
};

struct item_query {
	const char *vault_id;
	const char *state;	    /* "active", "archived", or NULL for all */
	const unsigned char *title; /* a title index, or NULL */
	const unsigned char *tag;   /* a tag index, or NULL */
	bool details;		    /* include the details blob */
	size_t limit;		    /* 0: no limit */
};

struct my_group {
	const char *group_id;
	const unsigned char *sealed_keyset;
	size_t sealed_keyset_len;
	const unsigned char *box_public_key;
};

/*
 * Row callbacks: pointers in the row are valid only during the call.
 * Return 0 to go on, anything else to stop (passed back to the caller).
 */
typedef int (*principal_cb)(void *ctx, const struct principal_row *row);
typedef int (*vault_path_cb)(void *ctx, const struct vault_path *path);
typedef int (*access_cb)(void *ctx, const struct access_entry *entry);
typedef int (*item_cb)(void *ctx, const struct item_row *row);
/* A row of item_list_titles: the title index it matched, and the item. */
typedef int (*item_title_cb)(void *ctx, const unsigned char *title, const struct item_row *row);
#define STORE_TITLES_CHUNK 128 /* title indexes one item_list_titles statement takes */
typedef int (*my_group_cb)(void *ctx, const struct my_group *g);

/* A file attached to an item: its ciphertext and metadata. */
struct file_row {
	const char *id;
	const char *vault_id;
	const char *item_id;
	long long size; /* bytes of content */
	const unsigned char *content;
	const char *created_by;
	long long created_at;
};
typedef int (*file_cb)(void *ctx, const struct file_row *row);

/* Audit events and per-account rate limits (store_sqlite_audit.c, migration 5). */
#define STORE_ACTION_MAX      96 /* "GET /v1/vaults/:vault/items/:item" */
#define STORE_INTEGRATION_MAX 64 /* bytes of an integration name or version */
#define STORE_CLIENT_MAX      48 /* a numeric client address */

struct audit_row {
	long long seq; /* order of the chain; assigned by audit_insert */
	char id[STORE_ID_SIZE];
	long long time; /* Unix seconds */
	char account_id[STORE_ID_SIZE];
	char actor_id[STORE_ID_SIZE];
	char actor_type[24];
	char action[STORE_ACTION_MAX];
	char vault_id[STORE_ID_SIZE]; /* "" when the route names none */
	char item_id[STORE_ID_SIZE];
	int status;
	char client[STORE_CLIENT_MAX];
	char integration_name[STORE_INTEGRATION_MAX + 1];
	char integration_version[STORE_INTEGRATION_MAX + 1];
	unsigned char prev_hash[32];
	unsigned char hash[32];
};

struct audit_query {
	const char *account_id;
	long long after_seq;	       /* the cursor: events after this one */
	const char *actor_id;	       /* NULL: any */
	const char *vault_id;	       /* NULL: any */
	const char *item_id;	       /* NULL: any */
	long long start_time, end_time; /* inclusive; 0: open */
	size_t limit;
};

struct audit_usage_row {
	const char *vault_id; /* NULL for requests that name no vault */
	const char *item_id;  /* NULL for requests that name no item */
	long long count;
	long long last_used;
};

struct store_ratelimits {
	long long reads_per_hour, writes_per_hour, per_day;
};

typedef int (*audit_cb)(void *ctx, const struct audit_row *row);
typedef int (*audit_usage_cb)(void *ctx, const struct audit_usage_row *row);

/* A service account's own row (the principal row has its name and keys). */
struct sa_row {
	char id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	char name[STORE_NAME_MAX + 1];
	char created_by[STORE_ID_SIZE];
	long long created_at;
	long long expires_at;	/* 0: never */
	long long last_used_at; /* 0: never used */
	long long revoked_at;	/* 0: not revoked; later than now during a rotation's grace */
	bool can_create_vaults;
	char rotated_from[STORE_ID_SIZE]; /* "" unless made by a rotation */
	char rotated_to[STORE_ID_SIZE];	  /* "" unless replaced by a rotation */
};

typedef int (*sa_cb)(void *ctx, const struct sa_row *row);

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

	/*
	 * Version 2: accounts, principals, vaults, items. Writes that touch
	 * more than one row expect the caller's write transaction. Errors:
	 * SESAME_ENOTFOUND (nothing matched), SESAME_EEXISTS (a primary or
	 * unique key is taken), SESAME_ECONFLICT (a version check failed).
	 */
	int (*account_count)(struct store *st, long long *out);
	int (*account_insert)(struct store *st, const char *id, const char *name, long long now);

	int (*principal_insert)(struct store *st, const struct principal_row *p);
	int (*principal_get)(struct store *st, const char *id, struct principal_row *out);
	int (*principal_by_email)(struct store *st, const char *account_id, const char *email,
				  struct principal_row *out);
	int (*principal_auth)(struct store *st, const char *id, struct principal_auth *out);
	/* Groups of an account, or one group with `group_id` (NULL: all). */
	int (*group_list)(struct store *st, const char *account_id, const char *group_id,
			  principal_cb cb, void *ctx);
	/* Adds a member, or replaces its sealed keyset. */
	int (*member_insert)(struct store *st, const char *group_id, const char *member_id,
			     const unsigned char *sealed_keyset, size_t len, long long now);
	int (*my_groups)(struct store *st, const char *member_id, my_group_cb cb, void *ctx);

	int (*vault_insert)(struct store *st, const struct vault_row *v);
	int (*vault_get)(struct store *st, const char *id, struct vault_row *out);
	/* Sets the attributes if the stored attribute_version is new_version - 1. */
	int (*vault_update_attrs)(struct store *st, const char *id, const unsigned char *attrs,
				  size_t len, long long new_version, long long now);
	int (*vault_delete)(struct store *st, const char *id);
	/* Every path from `principal_id` to `vault_id` (NULL: to any vault), by vault. */
	int (*vault_paths)(struct store *st, const char *principal_id, const char *vault_id,
			   vault_path_cb cb, void *ctx);
	/* The OR of the permissions of every path; *found false when there is none. */
	int (*vault_permissions)(struct store *st, const char *principal_id, const char *vault_id,
				 uint32_t *out, bool *found);
	int (*access_put)(struct store *st, const char *vault_id, const char *principal_id,
			  uint32_t permissions, const unsigned char *sealed_key, size_t len,
			  long long now);
	int (*access_delete)(struct store *st, const char *vault_id, const char *principal_id);
	int (*access_list)(struct store *st, const char *vault_id, access_cb cb, void *ctx);

	/* Inserts version 1 of an item (and its history row and indexes). */
	int (*item_insert)(struct store *st, const struct item_row *it,
			   const struct item_indexes *idx);
	/* Writes it->version if the stored version is it->version - 1 (ECONFLICT else). */
	int (*item_update)(struct store *st, const struct item_row *it,
			   const struct item_indexes *idx);
	int (*item_set_state)(struct store *st, const char *vault_id, const char *id,
			      const char *state, const char *by, long long now);
	int (*item_delete)(struct store *st, const char *vault_id, const char *id);
	int (*item_get)(struct store *st, const char *vault_id, const char *id, bool details,
			item_cb cb, void *ctx);
	int (*item_list)(struct store *st, const struct item_query *q, item_cb cb, void *ctx);
	/* Every version, oldest first (overview, details, updated_at, updated_by). */
	int (*item_versions)(struct store *st, const char *vault_id, const char *id, item_cb cb,
			     void *ctx);

	/* People: users and service accounts of an account (one with `id`; NULL: all). */
	int (*user_list)(struct store *st, const char *account_id, const char *id,
			 principal_cb cb, void *ctx);
	/* Sets the state; bump adds one to the generation (ends every session). */
	int (*principal_set_state)(struct store *st, const char *id, const char *state, bool bump,
				   long long now);
	/* An invited user's keys and KDF settings (from the accept step). */
	int (*user_set_keys)(struct store *st, const struct principal_row *p, long long now);
	int (*invite_put)(struct store *st, const char *user_id, const unsigned char hash[32],
			  const char *by, long long now, long long expires);
	/* The stored hash and expiry; ENOTFOUND when there is none. Deletes it when take. */
	int (*invite_get)(struct store *st, const char *user_id, unsigned char hash[32],
			  long long *expires, bool take);

	/* Deletes a group with its memberships and vault access rows. */
	int (*group_delete)(struct store *st, const char *id);
	int (*member_delete)(struct store *st, const char *group_id, const char *member_id);
	int (*member_list)(struct store *st, const char *group_id, principal_cb cb, void *ctx);

	/* Audit and rate limits (store_sqlite_audit.c). */
	int (*server_id)(struct store *st, char out[STORE_ID_SIZE]);
	/* The hash of an account's last event; *found false when it has none. */
	int (*audit_head)(struct store *st, const char *account_id, unsigned char hash[32],
			  bool *found);
	/* Appends events in order (in the caller's write transaction); each seq is set. */
	int (*audit_insert)(struct store *st, struct audit_row *rows, size_t n);
	/* Durability of the calling thread's commits: full (fsync) or normal. */
	int (*audit_sync)(struct store *st, bool full);
	/* An account's events in chain order, after q->after_seq, filtered. */
	int (*audit_list)(struct store *st, const struct audit_query *q, audit_cb cb, void *ctx);
	/* Per vault and item: how often and when last `actor_id` called. */
	int (*audit_usage)(struct store *st, const char *account_id, const char *actor_id,
			   audit_usage_cb cb, void *ctx);
	int (*ratelimits_get)(struct store *st, const char *account_id,
			      struct store_ratelimits *out, bool *found);
	int (*ratelimits_put)(struct store *st, const char *account_id,
			      const struct store_ratelimits *l, const char *by, long long now);
	/*
	 * Files (ciphertext) of an item. file_insert: ENOTFOUND unless the item
	 * is in the vault, EEXISTS when the id is taken. file_get calls cb once.
	 */
	int (*file_insert)(struct store *st, const struct file_row *f);
	int (*file_get)(struct store *st, const char *vault_id, const char *item_id,
			const char *id, file_cb cb, void *ctx);
	int (*file_delete)(struct store *st, const char *vault_id, const char *item_id,
			   const char *id, long long now);
	/*
	 * Service accounts (store_sqlite_service_accounts.c, migration 4).
	 * sa_insert adds the row of a principal already inserted; sa_end sets
	 * revoked_at (kept when already earlier) and rotated_to (NULL: keep);
	 * sa_touch sets last_used_at unless it was set in the last minute,
	 * in its own write (no caller transaction).
	 */
	int (*sa_insert)(struct store *st, const struct sa_row *sa);
	int (*sa_get)(struct store *st, const char *id, struct sa_row *out);
	int (*sa_list)(struct store *st, const char *account_id, sa_cb cb, void *ctx);
	int (*sa_end)(struct store *st, const char *id, long long revoked_at,
		      const char *rotated_to);
	int (*sa_touch)(struct store *st, const char *id, long long now);
	/* Version 3 (the resolve route). */
	/*
	 * Items of one vault (in `state`, NULL for any) whose title index is
	 * one of the n `titles` (STORE_INDEX_BYTES each): one SQL statement
	 * per STORE_TITLES_CHUNK titles, not one per title. Rows in order of
	 * title index, then item id; a title that matches nothing has none.
	 */
	int (*item_list_titles)(struct store *st, const char *vault_id, const char *state,
				const unsigned char *const *titles, size_t n, bool details,
				item_title_cb cb, void *ctx);
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

/* Calls a version-2 operation: store_call(st, vault_get, id, &row). */
#define store_call(st, op, ...) ((st)->ops->op((st), __VA_ARGS__))

static inline const char *store_name(const struct store *st)
{
	return st->ops->name;
}

#endif
