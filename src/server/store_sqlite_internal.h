/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_STORE_SQLITE_INTERNAL_H
#define SESAME_SERVER_STORE_SQLITE_INTERNAL_H

/*
 * Shared by the files of the SQLite store: store_sqlite.c (connections,
 * transactions, the ops table), store_sqlite_schema.c (migrations) and one
 * file per domain (principals, vaults, items). Not for other code.
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

#define ST(base) ((struct sqlite_store *)(base))

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
	S_ITEM_LIST_TITLES,
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
	S_FILE_INSERT,
	S_FILE_GET,
	S_FILE_DELETE,
	S_SA_INSERT,
	S_SA_GET,
	S_SA_LIST,
	S_SA_END,
	S_SA_TOUCH,
	S_AUDIT_HEAD,
	S_AUDIT_INSERT,
	S_COUNT
};

_Static_assert(S_COUNT <= STMT_MAX, "raise STMT_MAX");

/* Helpers (store_sqlite.c). */
int sql_fail(const struct sqlite_store *st, sqlite3 *db, int rc, const char *what);
int sql_exec(const struct sqlite_store *st, sqlite3 *db, const char *sql, const char *what);
int read_user_version(const struct sqlite_store *st, sqlite3 *db, int *out);
int migrate(const struct sqlite_store *st, sqlite3 *db);
int conn_get(struct sqlite_store *st, struct conn **out);
int stmt(struct sqlite_store *st, enum stmt_id id, const char *sql, struct conn **cout,
		sqlite3_stmt **out);
int step_fail(struct sqlite_store *st, sqlite3 *db, int rc, const char *what);
int run_done(struct sqlite_store *st, struct conn *c, sqlite3_stmt *s, const char *what,
		    int *changes);
void bind_text(sqlite3_stmt *s, int i, const char *v);
void bind_blob(sqlite3_stmt *s, int i, const void *v, size_t len);
void col_text(sqlite3_stmt *s, int i, char *out, size_t cap);
size_t col_blob(sqlite3_stmt *s, int i, unsigned char *out, size_t cap);
int vault_touch(struct sqlite_store *st, const char *vault_id, long long now);

/* Operations (one file per domain). */
void sqlst_close(struct store *base);
int sqlst_open(struct store **out, const struct store_options *opts);
int sqlst_health(struct store *base);
int sqlst_schema_version(struct store *base, int *out);
int sqlst_begin_write(struct store *base);
int sqlst_commit(struct store *base);
int sqlst_rollback(struct store *base);
int sqlst_account_count(struct store *base, long long *out);
int sqlst_account_insert(struct store *base, const char *id, const char *name,
				 long long now);
int sqlst_principal_insert(struct store *base, const struct principal_row *p);
int sqlst_principal_get(struct store *base, const char *id, struct principal_row *out);
int sqlst_principal_by_email(struct store *base, const char *account_id, const char *email,
				     struct principal_row *out);
int sqlst_principal_auth(struct store *base, const char *id, struct principal_auth *out);
int sqlst_group_list(struct store *base, const char *account_id, const char *group_id,
			     principal_cb cb, void *ctx);
int sqlst_member_insert(struct store *base, const char *group_id, const char *member_id,
				const unsigned char *sealed, size_t len, long long now);
int sqlst_my_groups(struct store *base, const char *member_id, my_group_cb cb, void *ctx);
int sqlst_vault_insert(struct store *base, const struct vault_row *v);
int sqlst_vault_get(struct store *base, const char *id, struct vault_row *out);
int sqlst_vault_update_attrs(struct store *base, const char *id, const unsigned char *attrs,
				     size_t len, long long new_version, long long now);
int sqlst_vault_delete(struct store *base, const char *id);
int sqlst_vault_paths(struct store *base, const char *principal_id, const char *vault_id,
			      vault_path_cb cb, void *ctx);
int sqlst_vault_permissions(struct store *base, const char *principal_id,
				    const char *vault_id, uint32_t *out, bool *found);
int sqlst_access_put(struct store *base, const char *vault_id, const char *principal_id,
			     uint32_t permissions, const unsigned char *sealed, size_t len,
			     long long now);
int sqlst_access_delete(struct store *base, const char *vault_id, const char *principal_id);
int sqlst_access_list(struct store *base, const char *vault_id, access_cb cb, void *ctx);
int sqlst_item_insert(struct store *base, const struct item_row *it,
			      const struct item_indexes *idx);
int sqlst_item_update(struct store *base, const struct item_row *it,
			      const struct item_indexes *idx);
int sqlst_item_set_state(struct store *base, const char *vault_id, const char *id,
				 const char *state, const char *by, long long now);
int sqlst_item_delete(struct store *base, const char *vault_id, const char *id);
int sqlst_item_get(struct store *base, const char *vault_id, const char *id, bool details,
			   item_cb cb, void *ctx);
int sqlst_item_list(struct store *base, const struct item_query *q, item_cb cb, void *ctx);
int sqlst_item_list_titles(struct store *base, const char *vault_id, const char *state,
			   const unsigned char *const *titles, size_t n, bool details,
			   item_title_cb cb, void *ctx);
int sqlst_item_versions(struct store *base, const char *vault_id, const char *id,
				item_cb cb, void *ctx);
int sqlst_user_list(struct store *base, const char *account_id, const char *id,
			    principal_cb cb, void *ctx);
int sqlst_principal_set_state(struct store *base, const char *id, const char *state,
				      bool bump, long long now);
int sqlst_user_set_keys(struct store *base, const struct principal_row *p, long long now);
int sqlst_invite_put(struct store *base, const char *user_id, const unsigned char hash[32],
			     const char *by, long long now, long long expires);
int sqlst_invite_get(struct store *base, const char *user_id, unsigned char hash[32],
			     long long *expires, bool take);
int sqlst_group_delete(struct store *base, const char *id);
int sqlst_member_delete(struct store *base, const char *group_id, const char *member_id);
int sqlst_member_list(struct store *base, const char *group_id, principal_cb cb,
			      void *ctx);
int sqlst_file_insert(struct store *base, const struct file_row *f);
int sqlst_file_get(struct store *base, const char *vault_id, const char *item_id, const char *id,
		   file_cb cb, void *ctx);
int sqlst_file_delete(struct store *base, const char *vault_id, const char *item_id,
		      const char *id, long long now);

/* Service accounts (store_sqlite_service_accounts.c). */
int sqlst_sa_insert(struct store *base, const struct sa_row *sa);
int sqlst_sa_get(struct store *base, const char *id, struct sa_row *out);
int sqlst_sa_list(struct store *base, const char *account_id, sa_cb cb, void *ctx);
int sqlst_sa_end(struct store *base, const char *id, long long revoked_at, const char *rotated_to);
int sqlst_sa_touch(struct store *base, const char *id, long long now);

/* Audit events and rate limits (store_sqlite_audit.c). */
extern const char sqlite_migration_audit_sql[];
int sqlst_server_id(struct store *base, char out[STORE_ID_SIZE]);
int sqlst_audit_head(struct store *base, const char *account_id, unsigned char hash[32],
		     bool *found);
int sqlst_audit_insert(struct store *base, struct audit_row *rows, size_t n);
int sqlst_audit_sync(struct store *base, bool full);
int sqlst_audit_list(struct store *base, const struct audit_query *q, audit_cb cb, void *ctx);
int sqlst_audit_usage(struct store *base, const char *account_id, const char *actor_id,
		      audit_usage_cb cb, void *ctx);
int sqlst_ratelimits_get(struct store *base, const char *account_id,
			 struct store_ratelimits *out, bool *found);
int sqlst_ratelimits_put(struct store *base, const char *account_id,
			 const struct store_ratelimits *l, const char *by, long long now);


#endif
