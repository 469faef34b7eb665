/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_RATELIMIT_H
#define SESAME_SERVER_RATELIMIT_H

/*
 * Request budgets (DESIGN.md section 7, docs/internals/server.md "Rate
 * limits"): per principal (token) per hour, reads and writes counted
 * apart, and per account per day, every limited principal together.
 * Windows are fixed and start at the first request, as 1Password's do.
 *
 * Counters live in memory, under one mutex: exact for one process. A
 * restart starts every window afresh; several sesamed processes each count
 * on their own (docs/internals/server.md says what a shared store needs).
 * Nothing here knows HTTP or the store: the caller passes the time and a
 * loader for per-account limits, so the unit tests drive it directly.
 */

#include <stdbool.h>
#include <stddef.h>

#define RL_READS_PER_HOUR  10000
#define RL_WRITES_PER_HOUR 1000
#define RL_PER_DAY	   50000
#define RL_HOUR		   3600
#define RL_DAY		   86400
#define RL_ACCOUNT_TTL	   60 /* seconds a loaded per-account setting is trusted */
#define RL_LIMIT_MAX	   1000000000LL
#define RL_MESSAGE_MAX	   200

enum rl_action { RL_READ = 0, RL_WRITE = 1 };

struct rl_limits {
	long long reads_per_hour;
	long long writes_per_hour;
	long long per_day;
};

/* Fills *out with an account's own limits and returns 1, 0 when it has none, <0 on error. */
typedef int (*rl_load_fn)(void *ctx, const char *account_id, struct rl_limits *out);

struct rl_options {
	struct rl_limits defaults; /* the server's (config); zeros: the built-in ones */
	long long hour;		   /* window lengths in seconds; 0: 3600 and 86400 */
	long long day;
	bool people;	 /* limit people too, not only service accounts */
	rl_load_fn load; /* NULL: every account has the defaults */
	void *load_ctx;
};

/* The outcome of one request's check. */
struct rl_verdict {
	bool limited;	 /* false: counted (or free) and allowed */
	bool counted;	 /* the principal is subject to limits */
	long long limit; /* the budget nearest to its end (for RateLimit-* headers) */
	long long remaining;
	long long reset; /* seconds until that window ends */
	char message[RL_MESSAGE_MAX];
};

/* One row of GET /v1/ratelimit (1Password's shape). */
struct rl_usage {
	const char *type;   /* "token" or "account" */
	const char *action; /* "read", "write" or "read_write" */
	long long limit, used, remaining, reset;
};

struct ratelimit;

int ratelimit_new(struct ratelimit **out, const struct rl_options *opts);
void ratelimit_free(struct ratelimit *rl);

/* True when principals of `type` ("user", "service_account") are limited. */
bool ratelimit_applies(const struct ratelimit *rl, const char *type);

/*
 * Counts one request of `principal_id` (of `type`, in `account_id`).
 * Over a budget, nothing is counted and v->limited is set with the
 * message and the reset. Returns 0, or <0 when the account's limits
 * could not be loaded (the request is then allowed and not counted).
 */
int ratelimit_take(struct ratelimit *rl, const char *principal_id, const char *type,
		   const char *account_id, enum rl_action action, long long now,
		   struct rl_verdict *v);

/* The three rows of a principal's usage (token read, token write, account). */
int ratelimit_usage(struct ratelimit *rl, const char *principal_id, const char *account_id,
		    long long now, struct rl_usage out[3]);

/* The limits in force for an account (its own, or the server's). */
int ratelimit_limits(struct ratelimit *rl, const char *account_id, long long now,
		     struct rl_limits *out);
/* An owner changed the account's limits: forget the cached ones. */
void ratelimit_forget_account(struct ratelimit *rl, const char *account_id);

/* "58 minutes", "3 hours", "12 seconds" (rounded up). */
void ratelimit_format_reset(char *out, size_t cap, long long seconds);

#endif
