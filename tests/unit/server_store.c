/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store on temporary files: migrations, refusing a newer
 * database, write transactions, a full disk, threads.
 */
#include "test.h"

#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>



#include "../../src/server/store_sqlite.c"
#include "../../src/server/store_sqlite_schema.c"

static char dir[] = "/tmp/sesame-store-test-XXXXXX";
static char path[sizeof dir + 32];

static int setup(void **state)
{
	(void)state;
	log_configure(LOG_OFF, LOG_FORMAT_TEXT, NULL);
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/sesame.db", dir);
	return 0;
}

static void remove_db(void)
{
	char p[sizeof path + 8];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static int teardown(void **state)
{
	(void)state;
	remove_db();
	rmdir(dir);
	return 0;
}

/* Each test starts from no database. */
static int fresh(void **state)
{
	(void)state;
	remove_db();
	return 0;
}

static struct store *open_store(void)
{
	struct store_options opts = STORE_OPTIONS_INIT;
	struct store *st = NULL;
	opts.path = path;
	if (store_open(&store_sqlite_ops, &st, &opts) != 0)
		fail_msg("store open failed: %s", sesame_error_last()->message);
	return st;
}

/* The calling thread's raw connection, for looking behind the interface. */
static sqlite3 *raw_db(struct store *st)
{
	struct conn *c = NULL;
	assert_int_equal(conn_get((struct sqlite_store *)st, &c), 0);
	return c->db;
}

static void sql(struct store *st, const char *text)
{
	char *msg = NULL;
	if (sqlite3_exec(raw_db(st), text, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("'%s' failed: %s", text, msg ? msg : "?");
}

/* The first column of the first row as text (copied), or "" for none. */
static const char *query(struct store *st, const char *text)
{
	static char out[256];
	sqlite3_stmt *stmt = NULL;
	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(raw_db(st), text, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(out, sizeof out, "%s", sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return out;
}

static void test_server_store__fresh_db_migrates_to_latest(void **state)
{
	struct stat sb;
	int version = -1;
	(void)state;
	struct store *st = open_store();

	assert_string_equal(store_name(st), "sqlite");
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, store_sqlite_latest_version());
	assert_int_equal(version, (int)MIGRATION_COUNT);

	const char *id = query(st, "SELECT server_id FROM meta WHERE id = 1");
	assert_int_equal(strlen(id), 26);
	assert_int_equal(strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789"), 26);
	assert_string_equal(query(st, "SELECT count(*) FROM meta"), "1");
	assert_string_equal(query(st, "SELECT created_at > 1700000000 FROM meta"), "1");

	/* The pragmas the design asks for. */
	assert_string_equal(query(st, "PRAGMA journal_mode"), "wal");
	assert_string_equal(query(st, "PRAGMA synchronous"), "2"); /* FULL */
	assert_string_equal(query(st, "PRAGMA foreign_keys"), "1");
	assert_string_equal(query(st, "PRAGMA busy_timeout"), "5000");
	assert_string_equal(query(st, "SELECT strict FROM pragma_table_list WHERE name = 'meta'"),
			    "1");
	/* The meta table admits one row only. */
	assert_int_not_equal(
		sqlite3_exec(raw_db(st),
			     "INSERT INTO meta VALUES (2, 'abcdefghijklmnopqrstuvwxyz', 1)", NULL,
			     NULL, NULL),
		SQLITE_OK);

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(store_health(st), 0);
	store_close(st);
}

static void test_server_store__reopen_is_a_no_op(void **state)
{
	char first[32];
	int version = -1;
	(void)state;
	struct store *st = open_store();
	snprintf(first, sizeof first, "%s", query(st, "SELECT server_id FROM meta"));
	sql(st, "PRAGMA user_version"); /* a read, to use the connection */
	store_close(st);

	st = open_store();
	assert_string_equal(query(st, "SELECT server_id FROM meta"), first);
	assert_string_equal(query(st, "SELECT count(*) FROM meta"), "1");
	assert_int_equal(store_schema_version(st, &version), 0);
	assert_int_equal(version, store_sqlite_latest_version());
	store_close(st);
}

static void test_server_store__newer_db_is_refused(void **state)
{
	struct store_options opts = STORE_OPTIONS_INIT;
	struct store *st = open_store();
	char sqlv[64];
	(void)state;

	snprintf(sqlv, sizeof sqlv, "PRAGMA user_version = %d", store_sqlite_latest_version() + 1);
	sql(st, sqlv);
	store_close(st);

	opts.path = path;
	st = (struct store *)1;
	assert_int_equal(store_open(&store_sqlite_ops, &st, &opts), SESAME_EUNSUPPORTED);
	assert_null(st);
	const sesame_error *e = sesame_error_last();
	assert_string_equal(e->kind, "store_too_new");
	assert_non_null(strstr(e->message, "newer than this sesamed knows"));
	assert_non_null(strstr(e->message, path));
}

static void test_server_store__write_transactions(void **state)
{
	(void)state;
	struct store *st = open_store();
	sql(st, "CREATE TABLE t (x INTEGER) STRICT");

	assert_int_equal(store_begin_write(st), 0);
	sql(st, "INSERT INTO t VALUES (1)");
	assert_int_equal(store_rollback(st), 0);
	assert_string_equal(query(st, "SELECT count(*) FROM t"), "0");

	assert_int_equal(store_begin_write(st), 0);
	sql(st, "INSERT INTO t VALUES (2)");
	assert_int_equal(store_commit(st), 0);
	assert_string_equal(query(st, "SELECT x FROM t"), "2");

	/* Misuse is an error, not a hang or a crash. */
	assert_int_equal(store_commit(st), SESAME_EINVAL);
	assert_int_equal(store_rollback(st), SESAME_EINVAL);
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_begin_write(st), SESAME_EINVAL);
	assert_int_equal(store_rollback(st), 0);

	/* close rolls back a transaction left open. */
	assert_int_equal(store_begin_write(st), 0);
	sql(st, "INSERT INTO t VALUES (3)");
	store_close(st);
	st = open_store();
	assert_string_equal(query(st, "SELECT count(*) FROM t"), "1");
	store_close(st);
}

static void test_server_store__disk_full_is_a_clear_error(void **state)
{
	(void)state;
	struct store *st = open_store();
	sqlite3 *db = raw_db(st);
	char limit[64];
	int rc = SQLITE_OK;

	sql(st, "CREATE TABLE blobs (b BLOB) STRICT");
	/* Cap the file a few pages above its size: SQLite then reports SQLITE_FULL. */
	snprintf(limit, sizeof limit, "PRAGMA max_page_count = %d",
		 (int)strtol(query(st, "PRAGMA page_count"), NULL, 10) + 4);
	sql(st, limit);
	assert_int_equal(store_begin_write(st), 0);
	for (int i = 0; i < 100 && rc == SQLITE_OK; i++)
		rc = sqlite3_exec(db, "INSERT INTO blobs VALUES (zeroblob(4000))", NULL, NULL,
				  NULL);
	assert_int_equal(rc & 0xff, SQLITE_FULL);
	assert_int_equal(sql_fail((struct sqlite_store *)st, db, rc, "cannot add a blob"),
			 SESAME_EIO);
	const sesame_error *e = sesame_error_last();
	assert_string_equal(e->kind, "storage_full");
	assert_non_null(strstr(e->message, "cannot add a blob: database '"));
	assert_non_null(strstr(e->message, "is full"));
	/*
	 * SQLite may already have rolled the transaction back by itself after
	 * SQLITE_FULL: rollback still succeeds, and the store stays usable.
	 */
	assert_int_equal(store_rollback(st), 0);
	assert_int_equal(store_health(st), 0);
	/* A commit after such an error must fail, not claim success. */
	assert_int_equal(store_begin_write(st), 0);
	rc = SQLITE_OK;
	for (int i = 0; i < 100 && rc == SQLITE_OK; i++)
		rc = sqlite3_exec(db, "INSERT INTO blobs VALUES (zeroblob(4000))", NULL, NULL,
				  NULL);
	assert_int_equal(rc & 0xff, SQLITE_FULL);
	if (sqlite3_get_autocommit(db)) {
		assert_int_not_equal(store_commit(st), 0);
		assert_non_null(strstr(sesame_error_last()->message, "rolled back"));
	} else {
		assert_int_equal(store_commit(st), SESAME_EIO);
		assert_string_equal(sesame_error_last()->kind, "storage_full");
	}
	assert_int_equal(store_health(st), 0);
	store_close(st);
}

static void test_server_store__health_failure(void **state)
{
	(void)state;
	struct store *st = open_store();
	sql(st, "DELETE FROM meta");
	assert_int_not_equal(store_health(st), 0);
	assert_string_equal(sesame_error_last()->kind, "store_corrupt");
	store_close(st);
}

static void test_server_store__file_is_private(void **state)
{
	struct stat sb;
	(void)state;
	/* An existing empty file with a loose mode is adopted and tightened. */
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	fchmod(fd, 0644);
	close(fd);
	struct store *st = open_store();
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* The WAL files SQLite makes copy the database's mode. */
	char wal[sizeof path + 8];
	snprintf(wal, sizeof wal, "%s-wal", path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	store_close(st);
}

static void test_server_store__bad_paths(void **state)
{
	struct store_options opts = STORE_OPTIONS_INIT;
	struct store *st = NULL;
	(void)state;

	opts.path = dir; /* a directory */
	assert_int_not_equal(store_open(&store_sqlite_ops, &st, &opts), 0);
	assert_null(st);
	opts.path = "/nonexistent-dir/sesame.db";
	assert_int_equal(store_open(&store_sqlite_ops, &st, &opts), SESAME_EIO);
	assert_non_null(strstr(sesame_error_last()->message, "/nonexistent-dir/sesame.db"));
	opts.path = NULL;
	assert_int_equal(store_open(&store_sqlite_ops, &st, &opts), SESAME_EINVAL);

	/* Not a database at all. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not an sqlite database, not even close to one, at all......\n", f);
	fclose(f);
	opts.path = path;
	assert_int_equal(store_open(&store_sqlite_ops, &st, &opts), SESAME_EIO);
	assert_string_equal(sesame_error_last()->kind, "store_corrupt");
}

struct writer_arg {
	struct store *st;
	int failures;
};

#define WRITERS	    4
#define WRITES_EACH 50

static void *writer(void *p)
{
	struct writer_arg *a = p;
	for (int i = 0; i < WRITES_EACH; i++) {
		sqlite3 *db;
		struct conn *c;
		if (store_begin_write(a->st) != 0) {
			a->failures++;
			continue;
		}
		conn_get((struct sqlite_store *)a->st, &c);
		db = c->db;
		if (sqlite3_exec(db, "INSERT INTO t VALUES (1)", NULL, NULL, NULL) != SQLITE_OK)
			a->failures++;
		if (store_commit(a->st) != 0)
			a->failures++;
		if (store_health(a->st) != 0)
			a->failures++;
	}
	return NULL;
}

static void test_server_store__threads(void **state)
{
	pthread_t tid[WRITERS];
	struct writer_arg args[WRITERS];
	char want[16];
	(void)state;
	struct store *st = open_store();
	sql(st, "CREATE TABLE t (x INTEGER) STRICT");
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (struct writer_arg){st, 0};
		assert_int_equal(pthread_create(&tid[i], NULL, writer, &args[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(tid[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	snprintf(want, sizeof want, "%d", WRITERS * WRITES_EACH);
	assert_string_equal(query(st, "SELECT count(*) FROM t"), want);
	/* One connection per thread that used the store (and this one). */
	int conns = 0;
	for (struct conn *c = ((struct sqlite_store *)st)->conns; c; c = c->next)
		conns++;
	assert_int_equal(conns, WRITERS + 1);
	store_close(st);
}

static void test_server_store__migration_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < MIGRATION_COUNT; i++) {
		assert_int_equal(migrations[i].version, (int)i + 1);
		assert_non_null(migrations[i].name);
		assert_non_null(migrations[i].sql);
		/* Every table the schema makes is STRICT. */
		size_t tables = 0, strict = 0;
		for (const char *p = migrations[i].sql; (p = strstr(p, "CREATE TABLE")); p++)
			tables++;
		for (const char *p = migrations[i].sql; (p = strstr(p, ") STRICT")); p++)
			strict++;
		assert_int_equal(tables, strict);
	}
}

/* ---- version 2: accounts, principals, vaults, items ---- */

static int count_rows(void *ctx, const struct item_row *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

/* Rows of item_list_titles: counted, and their title checked against idx2. */
static const unsigned char *want_title;
static int count_title_rows(void *ctx, const unsigned char *title, const struct item_row *r)
{
	(void)r;
	assert_memory_equal(title, want_title, 32);
	(*(int *)ctx)++;
	return 0;
}

static int count_paths(void *ctx, const struct vault_path *p)
{
	(void)p;
	(*(int *)ctx)++;
	return 0;
}

static int count_principals(void *ctx, const struct principal_row *p)
{
	(void)p;
	(*(int *)ctx)++;
	return 0;
}

static int count_groups(void *ctx, const struct my_group *g)
{
	(void)g;
	(*(int *)ctx)++;
	return 0;
}

static int count_access(void *ctx, const struct access_entry *e)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static void principal(struct principal_row *p, const char *id, const char *type,
		      const char *group_type)
{
	memset(p, 0, sizeof *p);
	snprintf(p->id, sizeof p->id, "%s", id);
	snprintf(p->account_id, sizeof p->account_id, "acct0000000000000000000000");
	snprintf(p->type, sizeof p->type, "%s", type);
	snprintf(p->state, sizeof p->state, "active");
	snprintf(p->group_type, sizeof p->group_type, "%s", group_type);
	p->has_user = strcmp(type, "user") == 0;
	if (p->has_user)
		snprintf(p->email, sizeof p->email, "%s@example.com", id);
	p->keyset_len = 10;
}

#define USER  "user0000000000000000000000"
#define GROUP "group000000000000000000000"
#define VAULT "vault000000000000000000000"
#define ITEM  "item0000000000000000000000"

/* Service accounts (migration 4): every statement, and what they store. */
#define SA "sa00000000000000000000000a"

static int count_sa(void *ctx, const struct sa_row *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

/* The audit writer's cached statements: the chain's head and the insert. */
static void audit_statements(struct store *st)
{
	struct audit_row r;
	unsigned char head[32];
	bool found = true;

	memset(&r, 0, sizeof r);
	snprintf(r.id, sizeof r.id, "event0000000000000000000aa");
	snprintf(r.account_id, sizeof r.account_id, "acct0000000000000000000000");
	snprintf(r.actor_id, sizeof r.actor_id, USER);
	snprintf(r.actor_type, sizeof r.actor_type, "user");
	snprintf(r.action, sizeof r.action, "GET /v1/whoami");
	snprintf(r.client, sizeof r.client, "127.0.0.1");
	r.status = 200;
	r.hash[0] = 7;
	assert_int_equal(store_call(st, audit_head, r.account_id, head, &found), 0);
	assert_false(found);
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, audit_insert, &r, 1), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_call(st, audit_head, r.account_id, head, &found), 0);
	assert_true(found);
	assert_int_equal(head[0], 7);
}

static void sa_statements(struct store *st, struct principal_row *p)
{
	struct sa_row sa, got;
	int rows = 0;

	memset(&sa, 0, sizeof sa);
	snprintf(sa.id, sizeof sa.id, SA);
	snprintf(sa.account_id, sizeof sa.account_id, "acct0000000000000000000000");
	snprintf(sa.created_by, sizeof sa.created_by, USER);
	sa.created_at = 5;
	sa.expires_at = 100;
	sa.can_create_vaults = true;
	principal(p, SA, "service_account", "");
	snprintf(p->name, sizeof p->name, "ci bot");
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, principal_insert, p), 0);
	assert_int_equal(store_call(st, sa_insert, &sa), 0);
	assert_int_equal(store_call(st, sa_end, SA, 50, "sa00000000000000000000000b"), 0);
	assert_int_equal(store_call(st, sa_end, SA, 70, NULL), 0); /* keeps the earlier time */
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_call(st, sa_touch, SA, 60), 0);
	assert_int_equal(store_call(st, sa_get, SA, &got), 0);
	assert_string_equal(got.name, "ci bot");
	assert_int_equal(got.expires_at, 100);
	assert_int_equal(got.revoked_at, 50);
	assert_int_equal(got.last_used_at, 60);
	assert_true(got.can_create_vaults);
	assert_string_equal(got.rotated_to, "sa00000000000000000000000b");
	assert_int_equal(store_call(st, sa_get, "sa00000000000000000000000c", &got),
			 SESAME_ENOTFOUND);
	assert_int_equal(store_call(st, sa_list, "acct0000000000000000000000", count_sa, &rows), 0);
	assert_int_equal(rows, 1);
}

/* Files of an item: insert, read back, delete, and the item's files go with it. */
static int copy_file_size(void *ctx, const struct file_row *r)
{
	*(long long *)ctx = r->size;
	return 0;
}

static void file_statements(struct store *st, const unsigned char *blob, size_t len)
{
	struct file_row f = {"file0000000000000000000000", VAULT, ITEM, (long long)len, blob, USER, 5};
	struct file_row g = f;
	long long size = 0;

	g.id = "file1111111111111111111111";
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, file_insert, &f), 0);
	assert_int_equal(store_call(st, file_insert, &f), SESAME_EEXISTS);
	assert_int_equal(store_call(st, file_insert, &g), 0);
	g.item_id = "nope000000000000000000000x";
	assert_int_equal(store_call(st, file_insert, &g), SESAME_ENOTFOUND);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_call(st, file_get, VAULT, ITEM, f.id, copy_file_size, &size), 0);
	assert_int_equal(size, (long long)len);
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, file_delete, VAULT, ITEM, f.id, 6), 0);
	assert_int_equal(store_call(st, file_delete, VAULT, ITEM, f.id, 6), SESAME_ENOTFOUND);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_call(st, file_get, VAULT, ITEM, f.id, copy_file_size, &size),
			 SESAME_ENOTFOUND);
	/* file1... stays until the item is deleted (checked by the caller's count). */
}

static void test_server_store__accounts_vaults_items(void **state)
{
	struct store *st = open_store();
	struct principal_row *p = malloc(sizeof *p);
	struct vault_row *v = calloc(1, sizeof *v);
	struct principal_auth pa;
	unsigned char idx[32], idx2[32], blob[8] = "blob";
	struct item_indexes ix = {idx, 0, {NULL}};
	struct item_row it = {VAULT, ITEM, 1, "active", blob, 4, blob, 4, 1, 1, USER, USER};
	struct item_query q = {VAULT, NULL, idx, NULL, true, 0};
	uint32_t perms = 0;
	bool found = false;
	long long n = 0;
	int rows = 0;
	(void)state;

	memset(idx, 7, sizeof idx);
	memset(idx2, 8, sizeof idx2);
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, account_insert, "acct0000000000000000000000", "A", 1), 0);
	principal(p, USER, "user", "");
	assert_int_equal(store_call(st, principal_insert, p), 0);
	assert_int_equal(store_call(st, principal_insert, p), SESAME_EEXISTS);
	principal(p, GROUP, "group", "administrators");
	assert_int_equal(store_call(st, principal_insert, p), 0);
	assert_int_equal(store_call(st, member_insert, GROUP, USER, blob, 4, 1), 0);
	snprintf(v->id, sizeof v->id, VAULT);
	snprintf(v->account_id, sizeof v->account_id, "acct0000000000000000000000");
	snprintf(v->type, sizeof v->type, "user_created");
	snprintf(v->created_by, sizeof v->created_by, USER);
	v->attrs_len = 4;
	v->attribute_version = v->content_version = 1;
	assert_int_equal(store_call(st, vault_insert, v), 0);
	assert_int_equal(store_call(st, access_put, VAULT, USER, 32, blob, 4, 1), 0);
	assert_int_equal(store_call(st, access_put, VAULT, GROUP, 48, blob, 4, 1), 0);
	/* A row for a principal that does not exist is refused by the foreign key. */
	assert_int_equal(store_call(st, access_put, VAULT, ITEM, 48, blob, 4, 1),
			 SESAME_ENOTFOUND);
	assert_int_equal(store_call(st, item_insert, &it, &ix), 0);
	assert_int_equal(store_call(st, item_insert, &it, &ix), SESAME_EEXISTS);
	assert_int_equal(store_commit(st), 0);

	assert_int_equal(store_call(st, account_count, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_call(st, principal_auth, USER, &pa), 0);
	assert_true(pa.admin);
	assert_false(pa.owner);
	assert_int_equal(pa.generation, 1);
	assert_int_equal(store_call(st, principal_by_email, "acct0000000000000000000000",
				    USER "@example.com", p),
			 0);
	assert_string_equal(p->id, USER);
	/* Direct OR group. */
	assert_int_equal(store_call(st, vault_permissions, USER, VAULT, &perms, &found), 0);
	assert_true(found);
	assert_int_equal(perms, 48);
	assert_int_equal(store_call(st, vault_paths, USER, NULL, count_paths, &rows), 0);
	assert_int_equal(rows, 2);

	/* Optimistic concurrency: version 2 once, then a stale version 2 conflicts. */
	it.version = 2;
	ix.title = idx2;
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, item_update, &it, &ix), 0);
	assert_int_equal(store_call(st, item_update, &it, &ix), SESAME_ECONFLICT);
	it.id = "nope000000000000000000000x";
	assert_int_equal(store_call(st, item_update, &it, &ix), SESAME_ENOTFOUND);
	assert_int_equal(store_commit(st), 0);
	rows = 0;
	assert_int_equal(store_call(st, item_list, &q, count_rows, &rows), 0);
	assert_int_equal(rows, 0); /* the old title index is gone */
	q.title = idx2;
	assert_int_equal(store_call(st, item_list, &q, count_rows, &rows), 0);
	assert_int_equal(rows, 1);
	{
		/*
		 * The resolve route's title lookup: 200 titles of one vault (the
		 * one that matches given twice) are one statement per
		 * STORE_TITLES_CHUNK, not one per title; each match comes once
		 * per distinct title with the title it matched.
		 */
		unsigned char other[200][32];
		const unsigned char *titles[200];
		struct conn *tc = pthread_getspecific(((struct sqlite_store *)st)->key);
		for (int k = 0; k < 200; k++) {
			memset(other[k], k + 1, 32);
			titles[k] = other[k];
		}
		titles[7] = idx2;
		want_title = idx2;
		rows = 0;
		assert_int_equal(store_call(st, item_list_titles, VAULT, "active", titles, 100,
					    true, count_title_rows, &rows),
				 0);
		assert_int_equal(rows, 1);
		assert_int_equal(sqlite3_stmt_status(tc->stmts[S_ITEM_LIST_TITLES],
						     SQLITE_STMTSTATUS_RUN, 0),
				 1);
		rows = 0;
		assert_int_equal(store_call(st, item_list_titles, VAULT, "active", titles, 200,
					    false, count_title_rows, &rows),
				 0);
		assert_int_equal(rows, 1);
		assert_int_equal(sqlite3_stmt_status(tc->stmts[S_ITEM_LIST_TITLES],
						     SQLITE_STMTSTATUS_RUN, 0),
				 1 + (200 + STORE_TITLES_CHUNK - 1) / STORE_TITLES_CHUNK);
		rows = 0;
		assert_int_equal(store_call(st, item_list_titles, VAULT, "archived", titles, 100,
					    true, count_title_rows, &rows),
				 0);
		assert_int_equal(rows, 0);
	}
	rows = 0;
	assert_int_equal(store_call(st, item_versions, VAULT, ITEM, count_rows, &rows), 0);
	assert_int_equal(rows, 2);
	assert_int_equal(store_call(st, vault_get, VAULT, v), 0);
	assert_int_equal(v->items, 1);
	assert_int_equal(v->content_version, 3);

	/* Every other operation once, so that every statement is prepared. */
	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, vault_update_attrs, VAULT, blob, 4, 2, 2), 0);
	assert_int_equal(store_call(st, vault_update_attrs, VAULT, blob, 4, 2, 2),
			 SESAME_ECONFLICT);
	assert_int_equal(store_call(st, item_set_state, VAULT, ITEM, "archived", USER, 3), 0);
	assert_int_equal(store_call(st, principal_set_state, USER, "suspended", true, 3), 0);
	assert_int_equal(store_call(st, invite_put, USER, idx, USER, 3, 4), 0);
	assert_int_equal(store_call(st, invite_get, USER, idx2, &n, true), 0);
	assert_memory_equal(idx, idx2, 32);
	assert_int_equal(store_call(st, invite_get, USER, idx2, &n, false), SESAME_ENOTFOUND);
	principal(p, USER, "user", "");
	assert_int_equal(store_call(st, user_set_keys, p, 4), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_call(st, principal_auth, USER, &pa), 0);
	assert_int_equal(pa.generation, 3);
	rows = 0;
	assert_int_equal(store_call(st, group_list, "acct0000000000000000000000", NULL,
				    count_principals, &rows), 0);
	assert_int_equal(store_call(st, group_list, "acct0000000000000000000000", GROUP,
				    count_principals, &rows), 0);
	assert_int_equal(store_call(st, user_list, "acct0000000000000000000000", NULL,
				    count_principals, &rows), 0);
	assert_int_equal(store_call(st, user_list, "acct0000000000000000000000", USER,
				    count_principals, &rows), 0);
	assert_int_equal(rows, 4);
	assert_int_equal(store_call(st, my_groups, USER, count_groups, &rows), 0);
	assert_int_equal(store_call(st, access_list, VAULT, count_access, &rows), 0);
	assert_int_equal(store_call(st, vault_paths, USER, VAULT, count_paths, &rows), 0);
	assert_int_equal(store_call(st, item_get, VAULT, ITEM, false, count_rows, &rows), 0);
	q.title = NULL;
	assert_int_equal(store_call(st, item_list, &q, count_rows, &rows), 0);
	q.tag = idx;
	assert_int_equal(store_call(st, item_list, &q, count_rows, &rows), 0);
	assert_int_equal(store_call(st, principal_get, USER, p), 0);
	file_statements(st, blob, sizeof blob);

	assert_int_equal(store_begin_write(st), 0);
	assert_int_equal(store_call(st, item_delete, VAULT, ITEM), 0);
	assert_int_equal(store_call(st, access_delete, VAULT, GROUP), 0);
	assert_int_equal(store_call(st, access_delete, VAULT, GROUP), SESAME_ENOTFOUND);
	assert_int_equal(store_call(st, vault_delete, VAULT), 0);
	assert_int_equal(store_call(st, member_list, GROUP, count_principals, &rows), 0);
	assert_int_equal(store_call(st, member_delete, GROUP, USER), 0);
	assert_int_equal(store_call(st, member_delete, GROUP, USER), SESAME_ENOTFOUND);
	assert_int_equal(store_call(st, group_delete, GROUP), 0);
	assert_int_equal(store_commit(st), 0);
	sa_statements(st, p);
	audit_statements(st);
	/*
	 * Every statement a route runs is an indexed search: no full scan of a
	 * table that grows with the data (accounts is one row per account).
	 */
	struct conn *c = pthread_getspecific(((struct sqlite_store *)st)->key);
	int checked = 0;
	for (int i = 0; i < S_COUNT; i++) {
		char plan[2048] = "", eqp[4096];
		sqlite3_stmt *e = NULL;
		if (!c->stmts[i])
			continue;
		snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sqlite3_sql(c->stmts[i]));
		assert_int_equal(sqlite3_prepare_v2(c->db, eqp, -1, &e, NULL), SQLITE_OK);
		while (sqlite3_step(e) == SQLITE_ROW) {
			size_t len = strlen(plan);
			snprintf(plan + len, sizeof plan - len, "%s; ",
				 (const char *)sqlite3_column_text(e, 3));
		}
		sqlite3_finalize(e);
		checked++;
		if (strstr(plan, "SCAN") && !strstr(plan, "SCAN accounts"))
			fail_msg("statement %d scans: %s\n%s", i, plan, sqlite3_sql(c->stmts[i]));
	}
	/* Every statement was prepared above, except the tag-only list. */
	assert_true(checked >= S_COUNT - 1);

	assert_string_equal(query(st, "SELECT count(*) FROM item_versions"), "0");
	assert_string_equal(query(st, "SELECT count(*) FROM files"), "0");
	assert_string_equal(query(st, "SELECT count(*) FROM vault_access"), "0");
	free(p);
	free(v);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_server_store__fresh_db_migrates_to_latest, fresh),
		cmocka_unit_test_setup(test_server_store__reopen_is_a_no_op, fresh),
		cmocka_unit_test_setup(test_server_store__newer_db_is_refused, fresh),
		cmocka_unit_test_setup(test_server_store__write_transactions, fresh),
		cmocka_unit_test_setup(test_server_store__disk_full_is_a_clear_error, fresh),
		cmocka_unit_test_setup(test_server_store__health_failure, fresh),
		cmocka_unit_test_setup(test_server_store__file_is_private, fresh),
		cmocka_unit_test_setup(test_server_store__bad_paths, fresh),
		cmocka_unit_test_setup(test_server_store__threads, fresh),
		cmocka_unit_test(test_server_store__migration_table),
		cmocka_unit_test_setup(test_server_store__accounts_vaults_items, fresh),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
