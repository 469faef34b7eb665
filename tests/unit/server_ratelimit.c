/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request limiter without a server: windows that start at the first
 * request and end, reads and writes apart, the account's daily total,
 * per-account settings, who is limited, and the messages.
 */
#include "test.h"

#include <stdio.h>

#include "ratelimit.h"

static const char SA1[] = "s1aaaaaaaaaaaaaaaaaaaaaaaa";
static const char SA2[] = "s2aaaaaaaaaaaaaaaaaaaaaaaa";
static const char USR[] = "u1aaaaaaaaaaaaaaaaaaaaaaaa";
static const char ACC[] = "acaaaaaaaaaaaaaaaaaaaaaaaa";

static struct ratelimit *limiter(long long r, long long w, long long d, bool people)
{
	struct rl_options o = {.defaults = {r, w, d}, .people = people};
	struct ratelimit *rl = NULL;
	assert_int_equal(ratelimit_new(&rl, &o), 0);
	return rl;
}

static bool take(struct ratelimit *rl, const char *who, enum rl_action a, long long now,
		 struct rl_verdict *v)
{
	struct rl_verdict tmp;
	if (!v)
		v = &tmp;
	assert_int_equal(
		ratelimit_take(rl, who, who == USR ? "user" : "service_account", ACC, a, now, v),
		0);
	return !v->limited;
}

static void test_server_ratelimit__defaults(void **state)
{
	struct ratelimit *rl = limiter(0, 0, 0, false);
	struct rl_usage u[3];
	(void)state;
	assert_int_equal(ratelimit_usage(rl, SA1, ACC, 1000, u), 0);
	assert_string_equal(u[0].type, "token");
	assert_string_equal(u[0].action, "write");
	assert_int_equal(u[0].limit, 1000);
	assert_string_equal(u[1].action, "read");
	assert_int_equal(u[1].limit, 10000);
	assert_string_equal(u[2].type, "account");
	assert_string_equal(u[2].action, "read_write");
	assert_int_equal(u[2].limit, 50000);
	assert_int_equal(u[2].used, 0);
	assert_int_equal(u[2].reset, 86400);
	ratelimit_free(rl);
}

static void test_server_ratelimit__read_write_split(void **state)
{
	struct ratelimit *rl = limiter(3, 2, 100, false);
	struct rl_verdict v;
	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_true(take(rl, SA1, RL_READ, 1000, &v));
		assert_int_equal(v.limit, 3);
		assert_int_equal(v.remaining, 2 - i);
	}
	assert_false(take(rl, SA1, RL_READ, 1001, &v));
	assert_string_equal(v.message, "hourly read limit of 3 for this service account reached; "
				       "resets in 60 minutes");
	assert_int_equal(v.reset, 3599);
	/* Writes are counted apart; another token has its own budget. */
	assert_true(take(rl, SA1, RL_WRITE, 1001, NULL));
	assert_true(take(rl, SA1, RL_WRITE, 1001, NULL));
	assert_false(take(rl, SA1, RL_WRITE, 1001, &v));
	assert_string_equal(v.message, "hourly write limit of 2 for this service account reached; "
				       "resets in 60 minutes");
	assert_true(take(rl, SA2, RL_READ, 1001, NULL));
	ratelimit_free(rl);
}

static void test_server_ratelimit__window_reset(void **state)
{
	struct ratelimit *rl = limiter(2, 2, 100, false);
	struct rl_verdict v;
	(void)state;
	assert_true(take(rl, SA1, RL_READ, 1000, NULL)); /* the window starts here */
	assert_true(take(rl, SA1, RL_READ, 2000, NULL));
	assert_false(take(rl, SA1, RL_READ, 4599, &v));
	assert_int_equal(v.reset, 1);
	assert_string_equal(
		v.message,
		"hourly read limit of 2 for this service account reached; resets in 1 second");
	assert_true(take(rl, SA1, RL_READ, 4600, &v)); /* a new window */
	assert_int_equal(v.remaining, 1);
	assert_int_equal(v.reset, 3600);
	ratelimit_free(rl);
}

static void test_server_ratelimit__account_total(void **state)
{
	struct ratelimit *rl = limiter(100, 100, 3, false);
	struct rl_verdict v;
	struct rl_usage u[3];
	(void)state;
	assert_true(take(rl, SA1, RL_READ, 1000, NULL));
	assert_true(take(rl, SA2, RL_WRITE, 1000, NULL));
	assert_true(take(rl, SA2, RL_READ, 1000, &v));
	assert_int_equal(v.limit, 3); /* the nearest budget is the account's */
	assert_int_equal(v.remaining, 0);
	assert_false(take(rl, SA1, RL_READ, 1000, &v));
	assert_string_equal(v.message,
			    "daily limit of 3 for this account reached; resets in 24 hours");
	/* A refused request costs nothing. */
	assert_int_equal(ratelimit_usage(rl, SA1, ACC, 1000, u), 0);
	assert_int_equal(u[1].used, 1);
	assert_int_equal(u[2].used, 3);
	assert_int_equal(u[2].remaining, 0);
	/* The day ends; the hour windows ended long before. */
	assert_false(take(rl, SA1, RL_READ, 1000 + 86399, NULL));
	assert_true(take(rl, SA1, RL_READ, 1000 + 86400, NULL));
	ratelimit_free(rl);
}

static void test_server_ratelimit__people(void **state)
{
	struct ratelimit *off = limiter(1, 1, 1, false), *on = limiter(1, 1, 1, true);
	struct rl_verdict v;
	(void)state;
	assert_false(ratelimit_applies(off, "user"));
	assert_true(ratelimit_applies(off, "service_account"));
	assert_true(take(off, USR, RL_READ, 1, &v));
	assert_false(v.counted);
	assert_true(take(off, USR, RL_READ, 1, NULL));
	assert_true(take(on, USR, RL_READ, 1, &v));
	assert_true(v.counted);
	assert_false(take(on, USR, RL_READ, 1, &v));
	assert_non_null(strstr(v.message, "for this user"));
	ratelimit_free(off);
	ratelimit_free(on);
}

static int loads;

static int fake_load(void *ctx, const char *account_id, struct rl_limits *out)
{
	(void)ctx;
	(void)account_id;
	loads++;
	*out = (struct rl_limits){1, 5, 50};
	return 1;
}

static void test_server_ratelimit__account_settings(void **state)
{
	struct rl_options o = {.load = fake_load, .hour = 10, .day = 100};
	struct ratelimit *rl = NULL;
	struct rl_verdict v;
	(void)state;
	loads = 0;
	assert_int_equal(ratelimit_new(&rl, &o), 0);
	assert_true(take(rl, SA1, RL_READ, 1000, NULL));
	assert_false(take(rl, SA1, RL_READ, 1001, &v));
	assert_int_equal(v.reset, 9); /* the configured window length */
	assert_int_equal(loads, 1);   /* cached */
	assert_true(take(rl, SA1, RL_READ, 1010, NULL));
	assert_int_equal(loads, 1);
	ratelimit_forget_account(rl, ACC);
	assert_true(take(rl, SA1, RL_WRITE, 1011, NULL));
	assert_int_equal(loads, 2);
	assert_true(take(rl, SA1, RL_WRITE, 1011 + RL_ACCOUNT_TTL, NULL));
	assert_int_equal(loads, 3); /* stale after the TTL */
	ratelimit_free(rl);
}

static void test_server_ratelimit__format(void **state)
{
	char b[32];
	(void)state;
	ratelimit_format_reset(b, sizeof b, 0);
	assert_string_equal(b, "1 second");
	ratelimit_format_reset(b, sizeof b, 59);
	assert_string_equal(b, "59 seconds");
	ratelimit_format_reset(b, sizeof b, 3480);
	assert_string_equal(b, "58 minutes");
	ratelimit_format_reset(b, sizeof b, 7200);
	assert_string_equal(b, "2 hours");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_ratelimit__defaults),
		cmocka_unit_test(test_server_ratelimit__read_write_split),
		cmocka_unit_test(test_server_ratelimit__window_reset),
		cmocka_unit_test(test_server_ratelimit__account_total),
		cmocka_unit_test(test_server_ratelimit__people),
		cmocka_unit_test(test_server_ratelimit__account_settings),
		cmocka_unit_test(test_server_ratelimit__format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
