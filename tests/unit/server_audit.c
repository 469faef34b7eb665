/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit chain against a real SQLite store: append (group commit from
 * many threads), verify, and tamper detection (an edited field, a removed
 * event), per account; the queries use their indexes.
 */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "audit.h"
#include "log.h"
#include "sesame/sesame.h"
#include "store.h"

static char dir[] = "/tmp/sesame-audit-test-XXXXXX";
static char path[sizeof dir + 32];

static const char ACC1[] = "acc1aaaaaaaaaaaaaaaaaaaaaa";
static const char ACC2[] = "acc2aaaaaaaaaaaaaaaaaaaaaa";
static const char ACTOR[] = "actoraaaaaaaaaaaaaaaaaaaaa";

static void remove_db(void)
{
	char p[sizeof path + 8];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static int setup(void **state)
{
	(void)state;
	log_configure(LOG_OFF, LOG_FORMAT_TEXT, NULL);
	if (sesame_init() != 0 || !mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/sesame.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_db();
	rmdir(dir);
	return 0;
}

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

static struct audit_row event(const char *account, int status)
{
	struct audit_row r;
	memset(&r, 0, sizeof r);
	r.time = 1700000000;
	snprintf(r.account_id, sizeof r.account_id, "%s", account);
	snprintf(r.actor_id, sizeof r.actor_id, "%s", ACTOR);
	snprintf(r.actor_type, sizeof r.actor_type, "service_account");
	snprintf(r.action, sizeof r.action, "GET /v1/vaults/:vault/items/:item");
	snprintf(r.vault_id, sizeof r.vault_id, "vaultaaaaaaaaaaaaaaaaaaaaa");
	r.status = status;
	snprintf(r.client, sizeof r.client, "127.0.0.1");
	snprintf(r.integration_name, sizeof r.integration_name, "k8s-operator");
	snprintf(r.integration_version, sizeof r.integration_version, "1.0");
	return r;
}

static void exec_sql(const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_server_audit__hash_covers_every_field(void **state)
{
	struct audit_row a = event(ACC1, 200), b;
	unsigned char h1[32], h2[32], g1[32], g2[32];
	(void)state;
	audit_hash(h1, &a);
	b = a;
	audit_hash(h2, &b);
	assert_memory_equal(h1, h2, 32);
	b.status = 201;
	audit_hash(h2, &b);
	assert_memory_not_equal(h1, h2, 32);
	b = a;
	b.prev_hash[31] ^= 1;
	audit_hash(h2, &b);
	assert_memory_not_equal(h1, h2, 32);
	/* Field boundaries: moving a byte between two fields changes the hash. */
	b = a;
	snprintf(b.integration_name, sizeof b.integration_name, "k8s-operator1");
	snprintf(b.integration_version, sizeof b.integration_version, ".0");
	audit_hash(h2, &b);
	assert_memory_not_equal(h1, h2, 32);
	audit_genesis(g1, "serveraaaaaaaaaaaaaaaaaaaa", ACC1);
	audit_genesis(g2, "serveraaaaaaaaaaaaaaaaaaaa", ACC2);
	assert_memory_not_equal(g1, g2, 32);
}

static void test_server_audit__append_verify_tamper(void **state)
{
	struct store *st = open_store();
	struct audit *a = NULL;
	struct audit_verify_result v;
	(void)state;

	assert_int_equal(audit_open(&a, st), 0);
	for (int i = 0; i < 10; i++) {
		struct audit_row r = event(i % 2 ? ACC2 : ACC1, 200 + i);
		assert_int_equal(audit_append(a, &r), 0);
	}
	assert_int_equal(audit_verify(st, ACC1, &v), 0);
	assert_true(v.ok);
	assert_int_equal(v.events, 5);
	assert_int_equal(audit_verify(st, ACC2, &v), 0);
	assert_true(v.ok);
	assert_int_equal(v.events, 5);

	/* An edited field: the event's own hash no longer matches. */
	exec_sql("UPDATE audit_events SET status = 500 WHERE seq = 5");
	assert_int_equal(audit_verify(st, ACC1, &v), 0);
	assert_false(v.ok);
	assert_int_equal(v.broken_seq, 5);
	assert_int_equal(v.events, 2);
	assert_non_null(strstr(v.reason, "edited"));
	/* The other account's chain is its own. */
	assert_int_equal(audit_verify(st, ACC2, &v), 0);
	assert_true(v.ok);

	/* A removed event: the next one does not link. */
	exec_sql("DELETE FROM audit_events WHERE seq = 4");
	assert_int_equal(audit_verify(st, ACC2, &v), 0);
	assert_false(v.ok);
	assert_int_equal(v.broken_seq, 6);
	assert_non_null(strstr(v.reason, "link"));

	/* New events still link to the last stored one. */
	audit_close(a);
	store_close(st);
}

struct hammer {
	struct audit *a;
	int failures;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;
	for (int i = 0; i < 50; i++) {
		struct audit_row r = event(i % 3 ? ACC1 : ACC2, 200);
		if (audit_append(h->a, &r) != 0)
			h->failures++;
	}
	return NULL;
}

static int submit_failures;

static void count_done(void *arg, int rc)
{
	(void)arg;
	if (rc)
		submit_failures++; /* the writer's thread only */
}

static int count_cb(void *ctx, const struct audit_row *row)
{
	(void)row;
	(*(long long *)ctx)++;
	return 0;
}

static void test_server_audit__group_commit_many_threads(void **state)
{
	struct store *st = open_store();
	struct hammer h[8];
	pthread_t t[8];
	struct audit_verify_result v;
	long long n = 0;
	struct audit_query q = {.account_id = ACC1};
	(void)state;

	for (int i = 0; i < 8; i++) {
		h[i].failures = 0;
		assert_int_equal(audit_open(&h[i].a, st), 0);
		audit_close(h[i].a); /* open and close are clean */
	}
	struct audit *a = NULL;
	assert_int_equal(audit_open(&a, st), 0);
	for (int i = 0; i < 8; i++) {
		h[i].a = a;
		pthread_create(&t[i], NULL, hammer, &h[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(h[i].failures, 0);
	}
	audit_close(a);
	assert_int_equal(audit_verify(st, ACC1, &v), 0);
	assert_true(v.ok);
	assert_int_equal(store_call(st, audit_list, &q, count_cb, &n), 0);
	assert_int_equal(n, v.events);
	assert_int_equal(audit_verify(st, ACC2, &v), 0);
	assert_true(v.ok);
	assert_int_equal(n + v.events, 400);

	/* More accounts in one batch than the writer caches heads for (16). */
	assert_int_equal(audit_open(&a, st), 0);
	submit_failures = 0;
	for (int i = 0; i < 8 * 120; i++) {
		char acc[STORE_ID_SIZE];
		snprintf(acc, sizeof acc, "many%022d", i % 40);
		struct audit_row r = event(acc, 200);
		assert_int_equal(audit_submit(a, &r, count_done, NULL), 0);
	}
	audit_close(a); /* writes what is queued */
	assert_int_equal(submit_failures, 0);
	for (int k = 0; k < 40; k++) {
		char acc[STORE_ID_SIZE];
		snprintf(acc, sizeof acc, "many%022d", k);
		assert_int_equal(audit_verify(st, acc, &v), 0);
		assert_true(v.ok);
		assert_int_equal(v.events, 8 * 3);
	}
	store_close(st);
}

/*
 * Group commit under load: many threads queue events without waiting (big
 * batches, queue nodes reused), each event is committed (visible to another
 * connection) when its callback runs, the chain verifies, and each thread's
 * events are stored in the order it queued them.
 */
#define ORDER_THREADS 8
#define ORDER_EVENTS  400

struct order_thread {
	struct audit *a;
	int t;
	int failures;
};

static atomic_int order_done, order_bad;

struct order_arg {
	int t, i;
};

static struct order_arg order_args[ORDER_THREADS][ORDER_EVENTS];

static int stored(int t, int i)
{
	char sql[160];
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM audit_events WHERE client = 't%d'"
		 " AND status = %d",
		 t, i);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return n;
}

static void order_cb(void *arg, int rc)
{
	struct order_arg *o = arg;
	/* Durable before the callback: another connection sees it (a sample). */
	if (rc || (o->i % 100 == 0 && stored(o->t, o->i) != 1))
		atomic_fetch_add(&order_bad, 1);
	atomic_fetch_add(&order_done, 1);
}

static void *order_submit(void *arg)
{
	struct order_thread *h = arg;
	for (int i = 0; i < ORDER_EVENTS; i++) {
		struct audit_row r = event(i % 4 ? ACC1 : ACC2, i);
		snprintf(r.client, sizeof r.client, "t%d", h->t);
		order_args[h->t][i] = (struct order_arg){h->t, i};
		if (audit_submit(h->a, &r, order_cb, &order_args[h->t][i]) != 0)
			h->failures++;
	}
	return NULL;
}

struct order_check {
	int last[ORDER_THREADS];
	int bad;
	long long n;
};

static int order_row(void *ctx, const struct audit_row *row)
{
	struct order_check *c = ctx;
	int t = row->client[1] - '0';
	if (t < 0 || t >= ORDER_THREADS || row->status <= c->last[t] || strlen(row->id) != 26 ||
	    strspn(row->id, "abcdefghijklmnopqrstuvwxyz0123456789") != 26)
		c->bad++;
	else
		c->last[t] = row->status;
	c->n++;
	return 0;
}

static void test_server_audit__group_commit_durable_in_order(void **state)
{
	struct store *st = open_store();
	struct audit *a = NULL;
	struct order_thread h[ORDER_THREADS];
	pthread_t t[ORDER_THREADS];
	struct audit_verify_result v;
	struct timespec tick = {0, 1000000};
	(void)state;

	atomic_store(&order_done, 0);
	atomic_store(&order_bad, 0);
	assert_int_equal(audit_open(&a, st), 0);
	for (int i = 0; i < ORDER_THREADS; i++) {
		h[i] = (struct order_thread){.a = a, .t = i};
		pthread_create(&t[i], NULL, order_submit, &h[i]);
	}
	for (int i = 0; i < ORDER_THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(h[i].failures, 0);
	}
	/* Every callback, before the writer is stopped. */
	for (int w = 0; atomic_load(&order_done) < ORDER_THREADS * ORDER_EVENTS; w++) {
		assert_true(w < 60000);
		nanosleep(&tick, NULL);
	}
	assert_int_equal(atomic_load(&order_bad), 0);
	for (int k = 0; k < 2; k++) {
		const char *acc = k ? ACC2 : ACC1;
		struct audit_query q = {.account_id = acc};
		struct order_check c;
		memset(&c, 0, sizeof c);
		for (int i = 0; i < ORDER_THREADS; i++)
			c.last[i] = -1;
		assert_int_equal(store_call(st, audit_list, &q, order_row, &c), 0);
		assert_int_equal(c.bad, 0);
		assert_int_equal(c.n, ORDER_THREADS * ORDER_EVENTS / 4 * (k ? 1 : 3));
		assert_int_equal(audit_verify(st, acc, &v), 0);
		assert_true(v.ok);
		assert_int_equal(v.events, c.n);
	}
	audit_close(a);
	store_close(st);
}

/* Every query of the audit store uses an index (no full scan of the events). */
static void test_server_audit__query_plans(void **state)
{
	static const char *const sql[] = {
		"SELECT hash FROM audit_events WHERE account_id = 'a' ORDER BY seq DESC LIMIT 1",
		"SELECT * FROM audit_events WHERE account_id = 'a' AND seq > 0 ORDER BY seq LIMIT "
		"5",
		"SELECT * FROM audit_events WHERE account_id = 'a' AND actor_id = 'b' AND seq > 0"
		" ORDER BY seq LIMIT 5",
		"SELECT * FROM audit_events WHERE account_id = 'a' AND vault_id = 'b' AND seq > 0"
		" ORDER BY seq LIMIT 5",
		"SELECT * FROM audit_events WHERE account_id = 'a' AND item_id = 'b' AND seq > 0"
		" ORDER BY seq LIMIT 5",
		"SELECT vault_id, item_id, count(*), max(time) FROM audit_events"
		" WHERE account_id = 'a' AND actor_id = 'b' GROUP BY vault_id, item_id",
	};
	struct store *st = open_store();
	sqlite3 *db;
	(void)state;
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		char q[600];
		sqlite3_stmt *s;
		snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql[i]);
		assert_int_equal(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(s, 3);
			if (strstr(d, "SCAN audit_events"))
				fail_msg("full scan in '%s': %s", sql[i], d);
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_audit__hash_covers_every_field),
		cmocka_unit_test_setup(test_server_audit__append_verify_tamper, fresh),
		cmocka_unit_test_setup(test_server_audit__group_commit_many_threads, fresh),
		cmocka_unit_test_setup(test_server_audit__group_commit_durable_in_order, fresh),
		cmocka_unit_test_setup(test_server_audit__query_plans, fresh),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
