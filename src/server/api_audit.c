/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rate limits and the audit trail at the HTTP edge (api_audit.h).
 * Nothing here reads a body, a token or a header other than
 * Sesame-Integration, whose two short, sanitised parts go into events.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strptime, timegm */
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api_audit.h"
#include "audit.h"
#include "error.h"
#include "log.h"
#include "ratelimit.h"

#define EVENTS_LIMIT_DEFAULT 100
#define EVENTS_LIMIT_MAX     1000

/* ---- what a route costs ---- */

enum cost { COST_READ, COST_WRITE, COST_FREE };

/*
 * By method: GET (and HEAD) read, everything else writes. The exceptions,
 * by route: reading one's usage and whoami are free (as in 1Password);
 * resolve is a read however many references it carries.
 */
static const struct {
	const char *method, *pattern;
	enum cost cost;
} cost_overrides[] = {
	{"GET", "/v1/ratelimit", COST_FREE},
	{"GET", "/v1/whoami", COST_FREE},
	{"POST", "/v1/auth/signout", COST_FREE},
	{"POST", "/v1/resolve", COST_READ},
};

static enum cost route_cost(const struct route *rt)
{
	for (size_t i = 0; i < sizeof cost_overrides / sizeof cost_overrides[0]; i++)
		if (strcmp(rt->method, cost_overrides[i].method) == 0 &&
		    strcmp(rt->pattern, cost_overrides[i].pattern) == 0)
			return cost_overrides[i].cost;
	return strcmp(rt->method, "GET") == 0 ? COST_READ : COST_WRITE;
}

int api_admit(struct http_request *req, struct http_reply *out)
{
	struct server_state *S = req->state;
	struct rl_verdict v;
	enum cost c;

	if (!S || !S->ratelimit || !req->caller.authenticated)
		return 0;
	c = route_cost(req->route);
	if (c == COST_FREE)
		return 0;
	if (ratelimit_take(S->ratelimit, req->caller.id, req->caller.type, req->caller.account_id,
			   c == COST_READ ? RL_READ : RL_WRITE, api_now(), &v) != 0) {
		*out = reply_from_error();
		return -1;
	}
	if (!v.counted)
		return 0;
	if (v.limited) {
		*out = reply_error(429, "rate_limited", "%s", v.message);
		out->retry_after = v.reset;
		out->ratelimit = (struct reply_ratelimit){v.limit, 0, v.reset};
		return -1;
	}
	req->ratelimit = (struct reply_ratelimit){v.limit, v.remaining, v.reset};
	return 0;
}

/* ---- the audit event ---- */

/* Keeps a header part only if it is short and plainly printable. */
static void integration_part(char *out, size_t cap, const char *s, size_t len)
{
	out[0] = '\0';
	if (len == 0 || len >= cap)
		return;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("._-+ ", c)))
			return;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

static void param_copy(char *out, size_t cap, const struct route_params *p, const char *name)
{
	const char *v = route_param(p, name);
	out[0] = '\0';
	if (v && api_id_valid(v))
		snprintf(out, cap, "%s", v);
}

int api_finish(struct http_request *req, const struct http_reply *reply,
	       void (*done)(void *arg, int rc), void *arg)
{
	struct server_state *S = req->state;
	struct audit_row row;
	const char *integ;

	if (!S || !S->audit || !req->caller.authenticated || !req->route)
		return 1;
	memset(&row, 0, sizeof row);
	row.time = api_now();
	memcpy(row.account_id, req->caller.account_id, sizeof row.account_id);
	memcpy(row.actor_id, req->caller.id, sizeof row.actor_id);
	snprintf(row.actor_type, sizeof row.actor_type, "%s", req->caller.type);
	snprintf(row.action, sizeof row.action, "%s %s", req->route->method, req->route->pattern);
	param_copy(row.vault_id, sizeof row.vault_id, &req->params, "vault");
	param_copy(row.item_id, sizeof row.item_id, &req->params, "item");
	row.status = reply->status;
	snprintf(row.client, sizeof row.client, "%s", req->client ? req->client : "-");
	integ = http_request_header(req, "Sesame-Integration");
	if (integ) {
		const char *slash = strrchr(integ, '/');
		size_t n = strlen(integ);
		if (slash) {
			integration_part(row.integration_name, sizeof row.integration_name, integ,
					 (size_t)(slash - integ));
			integration_part(row.integration_version, sizeof row.integration_version,
					 slash + 1, n - (size_t)(slash - integ) - 1);
		} else {
			integration_part(row.integration_name, sizeof row.integration_name, integ,
					 n);
		}
	}
	if (audit_submit(S->audit, &row, done, arg) != 0) {
		const sesame_error *e = sesame_error_last();
		log_error("audit_submit_failed", LOG_STR("kind", e->kind),
			  LOG_STR("message", e->message), );
		return -1;
	}
	return 0;
}


static int parse_count(const char *s, long long min, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Unix seconds, or RFC 3339 UTC ("2026-01-02T03:04:05Z"). */
static int parse_time(const char *s, long long *out)
{
	struct tm tm;
	const char *end;

	if (parse_count(s, 0, 253402300799LL, out) == 0)
		return 0;
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || !(strcmp(end, "Z") == 0 || strcmp(end, "+00:00") == 0))
		return -1;
	*out = (long long)timegm(&tm);
	return *out < 0 ? -1 : 0;
}

static json_t *j_hex(const unsigned char *p, size_t n)
{
	char hex[2 * AUDIT_HASH_BYTES + 1];
	if (n > AUDIT_HASH_BYTES)
		return NULL;
	sodium_bin2hex(hex, sizeof hex, p, n);
	return json_string(hex);
}

static json_t *j_opt(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *event_json(const struct audit_row *r)
{
	char seq[24];
	snprintf(seq, sizeof seq, "%lld", r->seq);
	return json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:o,s:i,s:s,s:o,s:o,s:o,s:o}", "id", r->id,
			 "seq", seq, "time", j_time(r->time), "actor_id", r->actor_id, "actor_type",
			 r->actor_type, "action", r->action, "vault_id", j_opt(r->vault_id),
			 "item_id", j_opt(r->item_id), "status", r->status, "client_ip", r->client,
			 "integration_name", j_opt(r->integration_name), "integration_version",
			 j_opt(r->integration_version), "prev_hash", j_hex(r->prev_hash, 32),
			 "hash", j_hex(r->hash, 32));
}

static int id_param(struct api_query_param *p, const char *what, const char **out, struct http_reply *r);

/* ---- GET /v1/ratelimit ---- */

HANDLER(handle_ratelimit_usage)
{
	struct server_state *S = req->state;
	struct api_query_param q[] = {{.name = "principal"}};
	struct rl_usage u[3];
	struct http_reply r;
	const char *who = req->caller.id;
	json_t *arr;
	(void)params;
	(void)body;

	if (api_query_parse(req->query, q, 1, &r) || id_param(&q[0], "principal", &who, &r))
		return r;
	if (!who) {
		who = req->caller.id;
	} else if (strcmp(who, req->caller.id) != 0) {
		/* Another principal's usage: owners and administrators, same account. */
		struct principal_row *p = calloc(1, sizeof *p);
		bool ok;
		if (!p)
			return api_oom();
		ok = req->caller.admin && store_call(S->store, principal_get, who, p) == 0 &&
		     strcmp(p->account_id, req->caller.account_id) == 0;
		free(p);
		if (!ok)
			return reply_error(404, "principal_not_found", "principal '%s' not found",
					   who);
	}
	if (ratelimit_usage(S->ratelimit, who, req->caller.account_id, api_now(), u))
		return reply_from_error();
	arr = json_array();
	for (int i = 0; arr && i < 3; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "type", u[i].type,
						     "action", u[i].action, "limit",
						     (json_int_t)u[i].limit, "used",
						     (json_int_t)u[i].used, "remaining",
						     (json_int_t)u[i].remaining, "reset",
						     (json_int_t)u[i].reset));
	/* An object, as every answer of the API; the CLI prints op's bare array. */
	return reply_json(200, arr ? json_pack("{s:o}", "ratelimits", arr) : NULL);
}

/* ---- GET and PUT /v1/account/ratelimits ---- */

const char *const keys_ratelimits_put[] = {"reads_per_hour", "writes_per_hour", "per_day", NULL};

static struct http_reply limits_reply(const struct rl_limits *l)
{
	return reply_json(200, json_pack("{s:I,s:I,s:I}", "reads_per_hour",
					 (json_int_t)l->reads_per_hour, "writes_per_hour",
					 (json_int_t)l->writes_per_hour, "per_day",
					 (json_int_t)l->per_day));
}

HANDLER(handle_account_ratelimits_get)
{
	struct rl_limits l;
	(void)params;
	(void)body;
	if (ratelimit_limits(req->state->ratelimit, req->caller.account_id, api_now(), &l))
		return reply_from_error();
	return limits_reply(&l);
}

HANDLER(handle_account_ratelimits_put)
{
	struct server_state *S = req->state;
	struct input in = INPUT_INIT;
	struct rl_limits cur;
	struct store_ratelimits l;
	long long now = api_now();
	(void)params;

	if (!req->caller.owner)
		return reply_error(403, "forbidden", "only owners may change the rate limits");
	if (ratelimit_limits(S->ratelimit, req->caller.account_id, now, &cur))
		return reply_from_error();
	l.reads_per_hour =
		in_int(&in, body, "reads_per_hour", 1, RL_LIMIT_MAX, false, cur.reads_per_hour);
	l.writes_per_hour =
		in_int(&in, body, "writes_per_hour", 1, RL_LIMIT_MAX, false, cur.writes_per_hour);
	l.per_day = in_int(&in, body, "per_day", 1, RL_LIMIT_MAX, false, cur.per_day);
	if (in.bad)
		return in_reply(&in);
	if (json_object_size(body) == 0)
		return reply_error(400, "invalid_request",
				   "give at least one of reads_per_hour, writes_per_hour, per_day");
	if (store_begin_write(S->store) ||
	    store_call(S->store, ratelimits_put, req->caller.account_id, &l, req->caller.id, now)) {
		api_rollback(S->store);
		return reply_from_error();
	}
	if (store_commit(S->store))
		return reply_from_error();
	ratelimit_forget_account(S->ratelimit, req->caller.account_id);
	cur = (struct rl_limits){l.reads_per_hour, l.writes_per_hour, l.per_day};
	log_info("ratelimits_changed", LOG_STR("account", req->caller.account_id), );
	return limits_reply(&cur);
}

/* ---- GET /v1/events ---- */

struct list_ctx {
	json_t *arr;
	size_t want;
	size_t got;
	long long last_seq;
	bool more;
};

static int list_one(void *ctx, const struct audit_row *row)
{
	struct list_ctx *l = ctx;
	if (l->got == l->want) {
		l->more = true;
		return 0;
	}
	json_t *e = event_json(row);
	if (!e || json_array_append_new(l->arr, e))
		return sesame_error_nomem();
	l->got++;
	l->last_seq = row->seq;
	return 0;
}

static int id_param(struct api_query_param *p, const char *what, const char **out, struct http_reply *r)
{
	*out = NULL;
	if (!p->set)
		return 0;
	if (!api_id_valid(p->value)) {
		*r = reply_error(400, "invalid_request", "invalid %s id: '%s'", what, p->value);
		return -1;
	}
	*out = p->value;
	return 0;
}

HANDLER(handle_events_list)
{
	struct server_state *S = req->state;
	struct api_query_param q[] = {{.name = "cursor"},  {.name = "limit"}, {.name = "actor"},
			     {.name = "vault"},	  {.name = "item"},  {.name = "start_time"},
			     {.name = "end_time"}};
	struct audit_query aq = {.account_id = req->caller.account_id};
	struct list_ctx l = {0};
	struct http_reply r;
	long long limit = EVENTS_LIMIT_DEFAULT;
	(void)params;
	(void)body;

	if (api_query_parse(req->query, q, sizeof q / sizeof q[0], &r))
		return r;
	if (q[0].set && parse_count(q[0].value, 0, LLONG_MAX, &aq.after_seq))
		return reply_error(400, "invalid_request", "invalid cursor");
	if (q[1].set && parse_count(q[1].value, 1, EVENTS_LIMIT_MAX, &limit))
		return reply_error(400, "invalid_request", "limit must be from 1 to %d",
				   EVENTS_LIMIT_MAX);
	if (id_param(&q[2], "actor", &aq.actor_id, &r) ||
	    id_param(&q[3], "vault", &aq.vault_id, &r) || id_param(&q[4], "item", &aq.item_id, &r))
		return r;
	if (q[5].set && parse_time(q[5].value, &aq.start_time))
		return reply_error(400, "invalid_request",
				   "start_time must be Unix seconds or RFC 3339 UTC");
	if (q[6].set && parse_time(q[6].value, &aq.end_time))
		return reply_error(400, "invalid_request",
				   "end_time must be Unix seconds or RFC 3339 UTC");
	aq.limit = (size_t)limit + 1;
	l.want = (size_t)limit;
	l.last_seq = aq.after_seq;
	l.arr = json_array();
	if (!l.arr)
		return api_oom();
	if (store_call(S->store, audit_list, &aq, list_one, &l)) {
		json_decref(l.arr);
		return reply_from_error();
	}
	char cursor[24];
	snprintf(cursor, sizeof cursor, "%lld", l.last_seq);
	return reply_json(200, json_pack("{s:o,s:s,s:b}", "events", l.arr, "cursor", cursor,
					 "has_more", l.more));
}

/* ---- GET /v1/events/verify ---- */

HANDLER(handle_events_verify)
{
	struct audit_verify_result v;
	(void)params;
	(void)body;

	if (audit_verify(req->state->store, req->caller.account_id, &v))
		return reply_from_error();
	if (v.ok)
		return reply_json(200, json_pack("{s:b,s:I,s:o}", "ok", 1, "events",
						 (json_int_t)v.events, "head",
						 j_hex(v.head, AUDIT_HASH_BYTES)));
	char seq[24];
	snprintf(seq, sizeof seq, "%lld", v.broken_seq);
	return reply_json(200, json_pack("{s:b,s:I,s:{s:s,s:s},s:s}", "ok", 0, "events",
					 (json_int_t)v.events, "broken", "id", v.broken_id, "seq",
					 seq, "reason", v.reason));
}

/* ---- GET /v1/events/usage?actor=ID ---- */

struct usage_ctx {
	json_t *arr;
	long long total, last;
};

static int usage_one(void *ctx, const struct audit_usage_row *u)
{
	struct usage_ctx *c = ctx;
	json_t *o = json_pack("{s:o,s:o,s:I,s:o}", "vault_id", j_opt(u->vault_id), "item_id",
			      j_opt(u->item_id), "count", (json_int_t)u->count, "last_used",
			      j_time(u->last_used));
	if (!o || json_array_append_new(c->arr, o))
		return sesame_error_nomem();
	c->total += u->count;
	if (u->last_used > c->last)
		c->last = u->last_used;
	return 0;
}

HANDLER(handle_events_usage)
{
	struct api_query_param q[] = {{.name = "actor"}};
	struct usage_ctx c = {0};
	struct http_reply r;
	const char *actor;
	(void)params;
	(void)body;

	if (api_query_parse(req->query, q, 1, &r))
		return r;
	if (!q[0].set)
		return reply_error(400, "invalid_request", "missing query parameter 'actor'");
	if (id_param(&q[0], "actor", &actor, &r))
		return r;
	c.arr = json_array();
	if (!c.arr)
		return api_oom();
	if (store_call(req->state->store, audit_usage, req->caller.account_id, actor, usage_one,
		       &c)) {
		json_decref(c.arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:s,s:I,s:o,s:o}", "actor_id", actor, "requests",
					 (json_int_t)c.total, "last_used",
					 c.total ? j_time(c.last) : json_null(), "usage", c.arr));
}

/* ---- the limiter's view of per-account settings ---- */

int api_ratelimit_load(void *ctx, const char *account_id, struct rl_limits *out)
{
	struct store_ratelimits l;
	bool found;
	int rc = store_call((struct store *)ctx, ratelimits_get, account_id, &l, &found);

	if (rc)
		return rc;
	if (!found)
		return 0;
	*out = (struct rl_limits){l.reads_per_hour, l.writes_per_hour, l.per_day};
	return 1;
}
