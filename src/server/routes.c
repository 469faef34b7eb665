/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route table and its handlers. A row says everything the router
 * checks before the handler runs: method, path, who may call, how large a
 * body may be and whether it is JSON. Handlers only do their job.
 */
#include "error.h"
#include "log.h"
#include "routes.h"
#include "sesame/version.h"

/* GET /v1/health: the server and its dependencies (Connect's shape). */
static struct http_reply handle_health(struct http_request *req, const struct route_params *params,
				       json_t *body)
{
	struct store *st = req->state->store;
	(void)params;
	(void)body;

	if (store_health(st) != 0) {
		/* The detail (a path, SQLite's words) goes to the log only. */
		const sesame_error *e = sesame_error_last();
		log_error("health_check_failed", LOG_STR("service", store_name(st)),
			  LOG_STR("kind", e->kind), LOG_STR("message", e->message), );
		return reply_error(503, "store_unavailable", "store '%s' failed its health check",
				   store_name(st));
	}
	return reply_json(200, json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "name", SESAMED_NAME, "version",
					 SESAME_VERSION_STRING, "dependencies", "service",
					 store_name(st), "status", "ok"));
}

/* GET /v1/heartbeat: alive, nothing else (Connect's /heartbeat). */
static struct http_reply handle_heartbeat(struct http_request *req,
					  const struct route_params *params, json_t *body)
{
	(void)req;
	(void)params;
	(void)body;
	return reply_text(200, ".");
}

/* clang-format off */
static const struct route server_routes[] = {
	/* method  pattern          auth             body  json   handler */
	{"GET",    "/v1/health",    ROUTE_AUTH_NONE, 0,    false, handle_health},
	{"GET",    "/v1/heartbeat", ROUTE_AUTH_NONE, 0,    false, handle_heartbeat},
	/* Aliases at 1Password Connect's paths, for its health probes. */
	{"GET",    "/health",       ROUTE_AUTH_NONE, 0,    false, handle_health},
	{"GET",    "/heartbeat",    ROUTE_AUTH_NONE, 0,    false, handle_heartbeat},
};
/* clang-format on */

const struct router server_router = {server_routes, sizeof server_routes / sizeof server_routes[0]};
