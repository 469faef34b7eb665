/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route table and its handlers. A row says everything the router
 * checks before the handler runs: method, path, who may call, how large a
 * body may be and whether it is JSON. Handlers only do their job.
 */
#include "api.h"
#include "api_audit.h"
#include "auth.h"
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

/* The router's authenticate hook: every non-public route passes here first. */
static int authenticate(struct http_request *req, enum route_auth rule, struct http_reply *out)
{
	struct server_state *S = req->state;
	if (!S || !S->auth) {
		*out = reply_error(500, "internal_error", "internal server error");
		return -1;
	}
	return auth_request(S->auth, S->store, req, rule, out, api_now());
}

#define NONE	ROUTE_AUTH_NONE
#define SESSION ROUTE_AUTH_SESSION
#define ADMIN	ROUTE_AUTH_ADMIN
#define KiB	1024
#define V	"/v1/vaults/:vault"
#define I	"/v1/vaults/:vault/items/:item"

/* clang-format off */
static const struct route server_routes[] = {
	/* method  pattern          auth     body  json   handler  body keys */
	{"GET",    "/v1/health",    NONE,    0,    false, handle_health, NULL},
	{"GET",    "/v1/heartbeat", NONE,    0,    false, handle_heartbeat, NULL},
	/* Aliases at 1Password Connect's paths, for its health probes. */
	{"GET",    "/health",       NONE,    0,    false, handle_health, NULL},
	{"GET",    "/heartbeat",    NONE,    0,    false, handle_heartbeat, NULL},

	/* Accounts and sign-in. */
	{"POST",   "/v1/accounts",       NONE,    256 * KiB, true, handle_account_create, keys_account_create},
	{"POST",   "/v1/auth/challenge", NONE,    4 * KiB,   true, handle_challenge, keys_challenge},
	{"POST",   "/v1/auth/signin",    NONE,    4 * KiB,   true, handle_signin, keys_signin},
	{"POST",   "/v1/auth/signout",   SESSION, 0,    false, handle_signout, NULL},
	{"GET",    "/v1/whoami",         SESSION, 0,    false, handle_whoami, NULL},

	/* People. */
	{"GET",    "/v1/users",          SESSION, 0,    false, handle_user_list, NULL},
	{"GET",    "/v1/users/:id",      SESSION, 0,    false, handle_user_get, NULL},
	{"POST",   "/v1/users/invite",   ADMIN,   4 * KiB, true, handle_user_invite, keys_invite},
	{"POST",   "/v1/users/accept",   NONE,    256 * KiB, true, handle_user_accept, keys_accept},
	{"POST",   "/v1/users/:id/confirm", ADMIN, 64 * KiB, true, handle_user_confirm, keys_confirm},
	{"POST",   "/v1/users/:id/suspend", ADMIN, 0,   false, handle_user_suspend, NULL},
	{"POST",   "/v1/users/:id/reactivate", ADMIN, 0, false, handle_user_reactivate, NULL},

	/* Principals and groups. */
	{"GET",    "/v1/principals/:id/keys", SESSION, 0, false, handle_principal_keys, NULL},
	{"GET",    "/v1/me/groups",      SESSION, 0,    false, handle_me_groups, NULL},
	{"GET",    "/v1/groups",         SESSION, 0,    false, handle_group_list, NULL},
	{"GET",    "/v1/groups/:id",     SESSION, 0,    false, handle_group_get, NULL},
	{"POST",   "/v1/groups",         ADMIN,   512 * KiB, true, handle_group_create, keys_group_create},
	{"DELETE", "/v1/groups/:id",     ADMIN,   0,    false, handle_group_delete, NULL},
	{"GET",    "/v1/groups/:id/members", SESSION, 0, false, handle_group_members, NULL},
	{"PUT",    "/v1/groups/:id/members/:user", ADMIN, 4 * KiB, true, handle_member_put, keys_member_put},
	{"DELETE", "/v1/groups/:id/members/:user", ADMIN, 0, false, handle_member_delete, NULL},

	/* Vaults. */
	{"POST",   "/v1/vaults",         SESSION, 256 * KiB, true, handle_vault_create, keys_vault_create},
	{"GET",    "/v1/vaults",         SESSION, 0,    false, handle_vault_list, NULL},
	{"GET",    V,                    SESSION, 0,    false, handle_vault_get, NULL},
	{"PATCH",  V,                    SESSION, 64 * KiB, true, handle_vault_update, keys_vault_update},
	{"DELETE", V,                    SESSION, 0,    false, handle_vault_delete, NULL},
	{"GET",    V "/access",          SESSION, 0,    false, handle_access_list, NULL},
	{"PUT",    V "/access/:principal", SESSION, 4 * KiB, true, handle_access_put, keys_access_put},
	{"DELETE", V "/access/:principal", SESSION, 0, false, handle_access_delete, NULL},

	/* Items. */
	{"GET",    V "/items",           SESSION, 0,    false, handle_item_list, NULL},
	{"POST",   V "/items",           SESSION, API_ITEM_BODY_MAX, true, handle_item_create, keys_item},
	{"POST",   V "/items/batch",     SESSION, API_BATCH_BODY_MAX, true, handle_item_batch, keys_batch},
	{"GET",    I,                    SESSION, 0,    false, handle_item_get, NULL},
	{"PUT",    I,                    SESSION, API_ITEM_BODY_MAX, true, handle_item_update, keys_item},
	{"DELETE", I,                    SESSION, 0,    false, handle_item_delete, NULL},
	{"POST",   I "/archive",         SESSION, 0,    false, handle_item_archive, NULL},
	{"POST",   I "/restore",         SESSION, 0,    false, handle_item_restore, NULL},
	{"GET",    I "/versions",        SESSION, 0,    false, handle_item_versions, NULL},

	/* Files of items: raw ciphertext bodies (application/octet-stream). */
	{"PUT",    I "/files/:file",     SESSION, API_FILE_BODY_MAX, false, handle_file_put, NULL},
	{"GET",    I "/files/:file",     SESSION, 0,    false, handle_file_get, NULL},
	{"DELETE", I "/files/:file",     SESSION, 0,    false, handle_file_delete, NULL},
	{"POST",   "/v1/resolve",        SESSION, 256 * KiB, true, handle_resolve, keys_resolve},

	/* Service accounts (owners and administrators). */
	{"POST",   "/v1/service-accounts", ADMIN, 256 * KiB, true, handle_sa_create, keys_sa_create},
	{"GET",    "/v1/service-accounts", ADMIN, 0,    false, handle_sa_list, NULL},
	{"GET",    "/v1/service-accounts/:id", ADMIN, 0, false, handle_sa_get, NULL},
	{"DELETE", "/v1/service-accounts/:id", ADMIN, 0, false, handle_sa_delete, NULL},
	{"POST",   "/v1/service-accounts/:id/revoke", ADMIN, 0, false, handle_sa_revoke, NULL},
	{"POST",   "/v1/service-accounts/:id/rotate", ADMIN, 256 * KiB, true, handle_sa_rotate, keys_sa_rotate},

	/* Rate limits and the audit trail (api_audit.c). */
	{"GET",    "/v1/ratelimit",      SESSION, 0,    false, handle_ratelimit_usage, NULL},
	{"GET",    "/v1/account/ratelimits", SESSION, 0, false, handle_account_ratelimits_get, NULL},
	{"PUT",    "/v1/account/ratelimits", SESSION, 4 * KiB, true, handle_account_ratelimits_put, keys_ratelimits_put},
	{"GET",    "/v1/events",         ADMIN,   0,    false, handle_events_list, NULL},
	{"GET",    "/v1/events/verify",  ADMIN,   0,    false, handle_events_verify, NULL},
	{"GET",    "/v1/events/usage",   ADMIN,   0,    false, handle_events_usage, NULL},
};
/* clang-format on */

/* Run-time body limits: file uploads follow --max-file-size. */
static size_t body_limit(const struct http_request *req, const struct route *rt)
{
	return rt->handler == handle_file_put ? api_file_body_limit(req) : rt->body_max;
}

const struct router server_router = {server_routes, sizeof server_routes / sizeof server_routes[0],
				     authenticate, body_limit, api_admit, api_finish};
