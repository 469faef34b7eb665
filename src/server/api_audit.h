/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_API_AUDIT_H
#define SESAME_SERVER_API_AUDIT_H

/*
 * Rate limits and the audit trail at the HTTP edge: the router's admit
 * and finish hooks, and the routes that read them (docs/api.md).
 */

#include "api.h"

/* The router's admit hook: counts the request against its budgets (429 over). */
int api_admit(struct http_request *req, struct http_reply *out);
/* The router's finish hook: queues the audit event (see router_finish_fn). */
int api_finish(struct http_request *req, const struct http_reply *reply,
	       void (*done)(void *arg, int rc), void *arg);

struct rl_limits;
/* The limiter's loader (rl_load_fn): an account's own limits from the store (ctx). */
int api_ratelimit_load(void *ctx, const char *account_id, struct rl_limits *out);

HANDLER(handle_ratelimit_usage);
HANDLER(handle_account_ratelimits_get);
HANDLER(handle_account_ratelimits_put);
HANDLER(handle_events_list);
HANDLER(handle_events_verify);
HANDLER(handle_events_usage);

extern const char *const keys_ratelimits_put[];

#endif
