/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Groups: create, delete, members (docs/api.md "Groups"). A group's
 * private keyset is sealed to each member by the client; the server keeps
 * the sealed copies in group_members. Membership is read on every
 * request, so adding or removing a member changes vault access at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "json.h"
#include "log.h"

const char *const keys_group_create[] = {
	"group_id", "name", "description", "box_public_key", "sign_public_key", "members", NULL};
const char *const keys_member_put[] = {"sealed_keyset", NULL};
static const char *const keys_member[] = {"user_id", "sealed_keyset", NULL};

/* The group `id` of the caller's account into *g (a 404 reply otherwise). */
static int load_group(struct http_request *req, const char *id, struct principal_row *g,
		      struct http_reply *r)
{
	int rc = store_call(req->state->store, principal_get, id, g);
	if (rc == SESAME_ENOTFOUND ||
	    (!rc && (strcmp(g->type, "group") != 0 ||
		     strcmp(g->account_id, req->caller.account_id) != 0))) {
		*r = reply_error(404, "group_not_found", "group '%s' not found", id);
		return -1;
	}
	if (rc) {
		*r = reply_from_error();
		return -1;
	}
	return 0;
}

/* A user (person) of the caller's account who can be a member. */
static int load_member(struct http_request *req, const char *id, struct principal_row *u,
		       struct http_reply *r)
{
	int rc = store_call(req->state->store, principal_get, id, u);
	if (rc == SESAME_ENOTFOUND ||
	    (!rc && (strcmp(u->type, "group") == 0 ||
		     strcmp(u->account_id, req->caller.account_id) != 0))) {
		*r = reply_error(404, "user_not_found", "user '%s' not found", id);
		return -1;
	}
	if (rc) {
		*r = reply_from_error();
		return -1;
	}
	/* A group would change a service account's vaults: they are fixed (authz.c). */
	return authz_sa_access_fixed(u, r);
}

HANDLER(handle_group_create)
{
	struct store *st = req->state->store;
	struct principal_row *g = calloc(1, sizeof *g), *u = malloc(sizeof *u);
	struct input in = INPUT_INIT;
	const json_t *members, *m;
	struct http_reply r;
	const char *gid, *name, *desc;
	long long now = api_now();
	size_t i;
	int rc;
	(void)params;

	if (!g || !u) {
		free(g);
		free(u);
		return api_oom();
	}
	gid = in_id(&in, body, "group_id");
	name = in_str(&in, body, "name", STORE_NAME_MAX, true);
	desc = in_str(&in, body, "description", STORE_NAME_MAX, false);
	in_b64(&in, body, "box_public_key", g->box_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	in_b64(&in, body, "sign_public_key", g->sign_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	members = in_array(&in, body, "members", 0, 1000);
	if (name && !*name)
		in_fail(&in, "'name' must not be empty");
	if (in.bad) {
		r = in_reply(&in);
		goto out;
	}
	memcpy(g->id, gid, STORE_ID_SIZE);
	memcpy(g->account_id, req->caller.account_id, STORE_ID_SIZE);
	snprintf(g->type, sizeof g->type, "group");
	snprintf(g->state, sizeof g->state, "active");
	snprintf(g->group_type, sizeof g->group_type, "user_defined");
	snprintf(g->name, sizeof g->name, "%s", name);
	snprintf(g->description, sizeof g->description, "%s", desc ? desc : "");
	g->created_at = g->updated_at = now;

	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, principal_insert, g);
	json_array_foreach(members, i, m)
	{
		unsigned char sealed[STORE_KEYSET_MAX];
		const char *uid;
		size_t slen;
		if (rc)
			break;
		if (!json_is_object(m)) {
			in_fail(&in, "each member must be an object");
			break;
		}
		in_keys(&in, m, keys_member);
		uid = in_id(&in, m, "user_id");
		slen = in_b64(&in, m, "sealed_keyset", sealed, sizeof sealed, 0);
		if (in.bad)
			break;
		if (load_member(req, uid, u, &r)) {
			api_rollback(st);
			goto out;
		}
		rc = store_call(st, member_insert, gid, uid, sealed, slen, now);
	}
	if (rc || in.bad) {
		api_rollback(st);
		r = in.bad ? in_reply(&in)
		    : rc == SESAME_EEXISTS
			    ? reply_error(409, "already_exists", "group '%s' already exists", gid)
			    : reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info("group_created", LOG_STR("group", gid), LOG_STR("by", req->caller.id), );
	json_t *arr = json_array();
	if (!arr || api_add_group(arr, g) != 0) {
		json_decref(arr);
		r = api_oom();
		goto out;
	}
	json_t *obj = json_array_get(arr, 0);
	json_incref(obj);
	json_decref(arr);
	r = reply_json(201, obj);
out:
	free(g);
	free(u);
	return r;
}

HANDLER(handle_group_delete)
{
	struct store *st = req->state->store;
	struct principal_row *g = malloc(sizeof *g);
	struct http_reply r;
	const char *gid;
	int rc;
	(void)body;

	if (!g)
		return api_oom();
	if (param_id(params, "id", &gid, &r) || load_group(req, gid, g, &r))
		goto out;
	if (strcmp(g->group_type, "user_defined") != 0) {
		r = reply_error(403, "forbidden", "the built-in group '%s' cannot be deleted",
				g->group_type);
		goto out;
	}
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, group_delete, gid);
	if (rc) {
		api_rollback(st);
		r = reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info("group_deleted", LOG_STR("group", gid), LOG_STR("by", req->caller.id), );
	r = reply_text(204, "");
out:
	free(g);
	return r;
}

static int add_member_json(void *ctx, const struct principal_row *p)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "user_id", p->id, "email", p->email, "name",
			      p->name, "state", p->state);
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

HANDLER(handle_group_members)
{
	struct principal_row *g = malloc(sizeof *g);
	struct http_reply r;
	const char *gid;
	json_t *arr;
	(void)body;

	if (!g)
		return api_oom();
	if (param_id(params, "id", &gid, &r) || load_group(req, gid, g, &r)) {
		free(g);
		return r;
	}
	free(g);
	arr = json_array();
	if (!arr)
		return api_oom();
	if (store_call(req->state->store, member_list, gid, add_member_json, arr) != 0) {
		json_decref(arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "members", arr));
}

/* PUT and DELETE of /v1/groups/{id}/members/{user}. */
static struct http_reply member_change(struct http_request *req, const struct route_params *params,
				       json_t *body, bool remove)
{
	struct store *st = req->state->store;
	struct principal_row *g = malloc(sizeof *g), *u = malloc(sizeof *u);
	unsigned char sealed[STORE_KEYSET_MAX];
	struct input in = INPUT_INIT;
	struct http_reply r;
	const char *gid, *uid;
	size_t slen = 0;
	int rc;

	if (!g || !u) {
		free(g);
		free(u);
		return api_oom();
	}
	if (param_id(params, "id", &gid, &r) || param_id(params, "user", &uid, &r) ||
	    load_group(req, gid, g, &r) || load_member(req, uid, u, &r))
		goto out;
	if (!remove) {
		slen = in_b64(&in, body, "sealed_keyset", sealed, sizeof sealed, 0);
		if (in.bad) {
			r = in_reply(&in);
			goto out;
		}
	}
	if (remove && strcmp(uid, req->caller.id) == 0 &&
	    (strcmp(g->group_type, "owners") == 0 ||
	     strcmp(g->group_type, "administrators") == 0)) {
		r = reply_error(400, "invalid_request", "you cannot remove yourself from '%s'",
				g->group_type);
		goto out;
	}
	rc = store_begin_write(st);
	if (!rc)
		rc = remove ? store_call(st, member_delete, gid, uid)
			    : store_call(st, member_insert, gid, uid, sealed, slen, api_now());
	if (rc) {
		api_rollback(st);
		r = reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info(remove ? "group_member_removed" : "group_member_added", LOG_STR("group", gid),
		 LOG_STR("user", uid), LOG_STR("by", req->caller.id), );
	r = remove ? reply_text(204, "")
		   : reply_json(200, json_pack("{s:s,s:s}", "group_id", gid, "user_id", uid));
out:
	free(g);
	free(u);
	return r;
}

HANDLER(handle_member_put)
{
	return member_change(req, params, body, false);
}

HANDLER(handle_member_delete)
{
	return member_change(req, params, body, true);
}
