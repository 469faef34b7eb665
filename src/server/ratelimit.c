/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request budgets per principal and per account (ratelimit.h says what;
 * docs/internals/server.md says why it is in memory).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "error.h"
#include "ratelimit.h"

#define RL_BUCKETS 4096
#define RL_ID_SIZE 27

struct window {
	long long start; /* 0: not started */
	long long used;
};

struct rl_entry {
	char id[RL_ID_SIZE];
	struct rl_entry *next;
	/* principals */
	struct window reads, writes;
	/* accounts */
	struct window day;
	struct rl_limits limits;
	long long loaded_at; /* 0: limits not loaded */
};

struct ratelimit {
	struct rl_options opts;
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	pthread_mutex_t lock;
	struct rl_entry *principals[RL_BUCKETS];
	struct rl_entry *accounts[RL_BUCKETS];
};

int ratelimit_new(struct ratelimit **out, const struct rl_options *opts)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);

	*out = NULL;
	if (!rl)
		return sesame_error_nomem();
	rl->opts = *opts;
	if (rl->opts.defaults.reads_per_hour <= 0)
		rl->opts.defaults.reads_per_hour = RL_READS_PER_HOUR;
	if (rl->opts.defaults.writes_per_hour <= 0)
		rl->opts.defaults.writes_per_hour = RL_WRITES_PER_HOUR;
	if (rl->opts.defaults.per_day <= 0)
		rl->opts.defaults.per_day = RL_PER_DAY;
	if (rl->opts.hour <= 0)
		rl->opts.hour = RL_HOUR;
	if (rl->opts.day <= 0)
		rl->opts.day = RL_DAY;
	randombytes_buf(rl->hash_key, sizeof rl->hash_key);
	pthread_mutex_init(&rl->lock, NULL);
	*out = rl;
	return 0;
}

static void free_chain(struct rl_entry **table)
{
	for (size_t i = 0; i < RL_BUCKETS; i++) {
		struct rl_entry *e = table[i];
		while (e) {
			struct rl_entry *next = e->next;
			free(e);
			e = next;
		}
	}
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	free_chain(rl->principals);
	free_chain(rl->accounts);
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

bool ratelimit_applies(const struct ratelimit *rl, const char *type)
{
	return strcmp(type, "service_account") == 0 || rl->opts.people;
}

/* The entry for `id` (created when `create`); NULL when absent or out of memory. Locked. */
static struct rl_entry *entry(struct ratelimit *rl, struct rl_entry **table, const char *id,
			      bool create)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t idx = 0;
	struct rl_entry *e;

	crypto_shorthash(h, (const unsigned char *)id, strlen(id), rl->hash_key);
	for (int i = 0; i < 8; i++)
		idx = (idx << 8) | h[i];
	idx %= RL_BUCKETS;
	for (e = table[idx]; e; e = e->next)
		if (strcmp(e->id, id) == 0)
			return e;
	if (!create)
		return NULL;
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	snprintf(e->id, sizeof e->id, "%s", id);
	e->next = table[idx];
	table[idx] = e;
	return e;
}

/* A window that has ended starts over (at the next request). */
static void roll(struct window *w, long long len, long long now)
{
	if (w->start && now >= w->start + len) {
		w->start = 0;
		w->used = 0;
	}
}

static long long reset_of(const struct window *w, long long len, long long now)
{
	return w->start ? w->start + len - now : len;
}

/* The account's limits, loading them outside the lock when stale. */
static int account_limits(struct ratelimit *rl, const char *account_id, long long now,
			  struct rl_limits *out)
{
	struct rl_limits own;
	int found = 0;

	pthread_mutex_lock(&rl->lock);
	struct rl_entry *a = entry(rl, rl->accounts, account_id, true);
	if (a && a->loaded_at && now - a->loaded_at < RL_ACCOUNT_TTL && now >= a->loaded_at) {
		*out = a->limits;
		pthread_mutex_unlock(&rl->lock);
		return 0;
	}
	pthread_mutex_unlock(&rl->lock);
	if (!a)
		return sesame_error_nomem();

	if (rl->opts.load) {
		found = rl->opts.load(rl->opts.load_ctx, account_id, &own);
		if (found < 0)
			return found;
	}
	*out = found ? own : rl->opts.defaults;
	pthread_mutex_lock(&rl->lock);
	a->limits = *out;
	a->loaded_at = now ? now : 1;
	pthread_mutex_unlock(&rl->lock);
	return 0;
}

int ratelimit_limits(struct ratelimit *rl, const char *account_id, long long now,
		     struct rl_limits *out)
{
	return account_limits(rl, account_id, now, out);
}

void ratelimit_forget_account(struct ratelimit *rl, const char *account_id)
{
	pthread_mutex_lock(&rl->lock);
	struct rl_entry *a = entry(rl, rl->accounts, account_id, false);
	if (a)
		a->loaded_at = 0;
	pthread_mutex_unlock(&rl->lock);
}

void ratelimit_format_reset(char *out, size_t cap, long long s)
{
	long long n;
	const char *unit;

	if (s < 1)
		s = 1;
	if (s < 60) {
		n = s;
		unit = "second";
	} else if (s < 2 * 3600) {
		n = (s + 59) / 60;
		unit = "minute";
	} else {
		n = (s + 3599) / 3600;
		unit = "hour";
	}
	snprintf(out, cap, "%lld %s%s", n, unit, n == 1 ? "" : "s");
}

static void deny(struct rl_verdict *v, const char *what, const char *whose, long long limit,
		 long long reset)
{
	char when[32];

	ratelimit_format_reset(when, sizeof when, reset);
	v->limited = true;
	v->limit = limit;
	v->remaining = 0;
	v->reset = reset < 1 ? 1 : reset;
	snprintf(v->message, sizeof v->message, "%s limit of %lld for %s reached; resets in %s",
		 what, limit, whose, when);
}

int ratelimit_take(struct ratelimit *rl, const char *principal_id, const char *type,
		   const char *account_id, enum rl_action action, long long now,
		   struct rl_verdict *v)
{
	struct rl_limits lim;
	int rc;

	memset(v, 0, sizeof *v);
	if (!ratelimit_applies(rl, type))
		return 0;
	rc = account_limits(rl, account_id, now, &lim);
	if (rc)
		return rc;

	pthread_mutex_lock(&rl->lock);
	struct rl_entry *p = entry(rl, rl->principals, principal_id, true);
	struct rl_entry *a = entry(rl, rl->accounts, account_id, true);
	if (!p || !a) {
		pthread_mutex_unlock(&rl->lock);
		return sesame_error_nomem();
	}
	struct window *w = action == RL_READ ? &p->reads : &p->writes;
	long long plimit = action == RL_READ ? lim.reads_per_hour : lim.writes_per_hour;
	roll(w, rl->opts.hour, now);
	roll(&a->day, rl->opts.day, now);

	v->counted = true;
	if (w->used >= plimit) {
		deny(v, action == RL_READ ? "hourly read" : "hourly write",
		     strcmp(type, "service_account") == 0 ? "this service account" : "this user",
		     plimit, reset_of(w, rl->opts.hour, now));
	} else if (a->day.used >= lim.per_day) {
		deny(v, "daily", "this account", lim.per_day, reset_of(&a->day, rl->opts.day, now));
	} else {
		if (!w->start)
			w->start = now;
		if (!a->day.start)
			a->day.start = now;
		w->used++;
		a->day.used++;
		long long prem = plimit - w->used, arem = lim.per_day - a->day.used;
		/* Report the budget nearest to its end. */
		if (prem <= arem) {
			v->limit = plimit;
			v->remaining = prem;
			v->reset = reset_of(w, rl->opts.hour, now);
		} else {
			v->limit = lim.per_day;
			v->remaining = arem;
			v->reset = reset_of(&a->day, rl->opts.day, now);
		}
	}
	pthread_mutex_unlock(&rl->lock);
	return 0;
}

int ratelimit_usage(struct ratelimit *rl, const char *principal_id, const char *account_id,
		    long long now, struct rl_usage out[3])
{
	struct rl_limits lim;
	int rc = account_limits(rl, account_id, now, &lim);

	if (rc)
		return rc;
	pthread_mutex_lock(&rl->lock);
	struct rl_entry *p = entry(rl, rl->principals, principal_id, false);
	struct rl_entry *a = entry(rl, rl->accounts, account_id, false);
	struct window r = p ? p->reads : (struct window){0, 0};
	struct window wr = p ? p->writes : (struct window){0, 0};
	struct window d = a ? a->day : (struct window){0, 0};
	pthread_mutex_unlock(&rl->lock);

	roll(&r, rl->opts.hour, now);
	roll(&wr, rl->opts.hour, now);
	roll(&d, rl->opts.day, now);
	out[0] = (struct rl_usage){"token",
				   "write",
				   lim.writes_per_hour,
				   wr.used,
				   lim.writes_per_hour - wr.used,
				   reset_of(&wr, rl->opts.hour, now)};
	out[1] = (struct rl_usage){"token",
				   "read",
				   lim.reads_per_hour,
				   r.used,
				   lim.reads_per_hour - r.used,
				   reset_of(&r, rl->opts.hour, now)};
	out[2] =
		(struct rl_usage){"account", "read_write",	   lim.per_day,
				  d.used,    lim.per_day - d.used, reset_of(&d, rl->opts.day, now)};
	for (int i = 0; i < 3; i++)
		if (out[i].remaining < 0)
			out[i].remaining = 0;
	return 0;
}
