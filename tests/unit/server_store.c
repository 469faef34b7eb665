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
		if (strstr(migrations[i].sql, "CREATE TABLE"))
			assert_non_null(strstr(migrations[i].sql, "STRICT"));
	}
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
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
