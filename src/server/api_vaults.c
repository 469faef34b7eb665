/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vaults and vault access (docs/api.md "Vaults"). Every permission
 * decision is authz's; these handlers read, write and shape JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "error.h"
#include "json.h"
#include "log.h"

const char *const keys_vault_create[] = {"vault_id", "encrypted_attrs", "allow_admins_to_manage",
					 "access", NULL};
const char *const keys_vault_update[] = {"encrypted_attrs", "attribute_version", NULL};
const char *const keys_access_put[] = {"sealed_key", "permissions", NULL};
static const char *const keys_access_row[] = {"principal_id", "sealed_key", "permissions", NULL};

static int add_key(void *ctx, const struct vault_path *p)
{
	json_t *k = p->group_id
			    ? json_pack("{s:s,s:s,s:o}", "via", "group", "group_id", p->group_id,
					"sealed_key", j_b64(p->sealed_key, p->sealed_key_len))
			    : json_pack("{s:s,s:o}", "via", "direct", "sealed_key",
					j_b64(p->sealed_key, p->sealed_key_len));
	if (!k || json_array_append_new(ctx, k))
		return sesame_error_nomem();
	return 0;
}

/* The vault object, with the caller's permissions and key paths. */
static json_t *j_vault(const struct vault_row *v, uint32_t perms, json_t *keys)
{
	return json_pack("{s:s,s:s,s:o,s:I,s:I,s:s,s:o,s:o,s:I,s:I,s:o}", "id", v->id, "type",
			 v->type, "encrypted_attrs", j_b64(v->attrs, v->attrs_len),
			 "attribute_version", (json_int_t)v->attribute_version, "content_version",
			 (json_int_t)v->content_version, "created_by", v->created_by, "created_at",
			 j_time(v->created_at), "updated_at", j_time(v->updated_at), "items",
			 (json_int_t)v->items, "permissions", (json_int_t)perms, "keys", keys);
}

/* The vault object of one vault the caller reached through authz. */
static struct http_reply vault_reply(struct http_request *req, int status,
				     const struct authz_vault *v)
{
	json_t *keys = json_array();
	if (!keys)
		return api_oom();
	if (store_call(req->state->store, vault_paths, req->caller.id, v->row.id, add_key, keys) !=
	    0) {
		json_decref(keys);
		return reply_from_error();
	}
	return reply_json(status, j_vault(&v->row, v->permissions, keys));
}

HANDLER(handle_vault_create)
{
	struct store *st = req->state->store;
	struct input in = INPUT_INIT;
	struct authz_vault *v = NULL;
	struct principal_row *target = NULL;
	struct http_reply r;
	const json_t *access, *row;
	const char *vid;
	bool creator_manages = false;
	long long now = api_now();
	size_t i;
	int rc;
	(void)params;

	if (authz_vault_create(&req->caller, &r))
		return r;
	v = calloc(1, sizeof *v);
	target = malloc(sizeof *target);
	if (!v || !target) {
		free(v);
		free(target);
		return api_oom();
	}
	vid = in_id(&in, body, "vault_id");
	v->row.attrs_len = in_b64(&in, body, "encrypted_attrs", v->row.attrs, STORE_ATTRS_MAX, 0);
	v->row.allow_admins_to_manage = in_bool(&in, body, "allow_admins_to_manage", true);
	access = in_array(&in, body, "access", 1, 100);
	if (in.bad)
		goto bad;
	memcpy(v->row.id, vid, STORE_ID_SIZE);
	memcpy(v->row.account_id, req->caller.account_id, STORE_ID_SIZE);
	snprintf(v->row.type, sizeof v->row.type, "user_created");
	v->row.attribute_version = 1;
	v->row.content_version = 1;
	memcpy(v->row.created_by, req->caller.id, STORE_ID_SIZE);
	v->row.created_at = v->row.updated_at = now;

	rc = store_begin_write(st);
	if (rc)
		goto fail;
	rc = store_call(st, vault_insert, &v->row);
	json_array_foreach(access, i, row)
	{
		unsigned char sealed[STORE_SEALED_MAX];
		size_t slen;
		const char *pid;
		uint32_t perms;
		if (rc)
			break;
		if (!json_is_object(row)) {
			in_fail(&in, "each access row must be an object");
			break;
		}
		in_keys(&in, row, keys_access_row);
		pid = in_id(&in, row, "principal_id");
		perms = (uint32_t)in_int(&in, row, "permissions", 0, 0xffffffffLL, true, 0);
		slen = in_b64(&in, row, "sealed_key", sealed, sizeof sealed, 0);
		if (in.bad)
			break;
		rc = store_call(st, principal_get, pid, target);
		if (rc == SESAME_ENOTFOUND) {
			in_fail_code(&in, 404, "principal_not_found", "principal '%s' not found",
				     pid);
			break;
		}
		if (!rc && authz_vault_grant(&req->caller, v, target, perms, false, &r)) {
			api_rollback(st);
			free(v);
			free(target);
			return r;
		}
		if (!rc && strcmp(pid, req->caller.id) == 0 && (perms & PERM_MANAGE_VAULT))
			creator_manages = true;
		rc = rc ? rc : store_call(st, access_put, vid, pid, perms, sealed, slen, now);
	}
	if (!rc && !in.bad && !creator_manages)
		in_fail(&in, "the creator must be in 'access' with manage_vault");
	if (in.bad) {
		api_rollback(st);
		goto bad;
	}
	if (rc) {
		api_rollback(st);
		goto fail;
	}
	rc = store_commit(st);
	if (rc)
		goto fail;
	free(target);
	if (authz_vault(st, &req->caller, vid, 0, v, &r) == 0)
		r = vault_reply(req, 201, v);
	free(v);
	return r;
bad:
	free(v);
	free(target);
	return in_reply(&in);
fail:
	free(v);
	free(target);
	if (rc == SESAME_EEXISTS)
		return reply_error(409, "already_exists", "vault '%s' already exists", vid);
	return reply_from_error();
}

struct vault_list_ctx {
	json_t *map; /* vault id -> {"permissions": n, "keys": [...]} */
};

static int collect_path(void *ctx, const struct vault_path *p)
{
	struct vault_list_ctx *c = ctx;
	json_t *e = json_object_get(c->map, p->vault_id);
	if (!e) {
		e = json_pack("{s:I,s:[]}", "permissions", (json_int_t)0, "keys");
		if (!e || json_object_set_new(c->map, p->vault_id, e))
			return sesame_error_nomem();
	}
	json_int_t perms = json_integer_value(json_object_get(e, "permissions"));
	if (json_object_set_new(e, "permissions", json_integer(perms | p->permissions)))
		return sesame_error_nomem();
	return add_key(json_object_get(e, "keys"), p);
}

HANDLER(handle_vault_list)
{
	struct store *st = req->state->store;
	struct vault_list_ctx c = {json_object()};
	struct vault_row *row = malloc(sizeof *row);
	json_t *out = json_array(), *e;
	const char *vid;
	int rc;
	(void)params;
	(void)body;

	if (!c.map || !row || !out) {
		json_decref(c.map);
		json_decref(out);
		free(row);
		return api_oom();
	}
	rc = store_call(st, vault_paths, req->caller.id, NULL, collect_path, &c);
	json_object_foreach(c.map, vid, e)
	{
		if (rc)
			break;
		rc = store_call(st, vault_get, vid, row);
		if (rc == SESAME_ENOTFOUND) {
			rc = 0;
			continue;
		}
		/* Same rules as authz_vault: own account; a personal vault only for its owner. */
		if (rc || strcmp(row->account_id, req->caller.account_id) != 0 ||
		    (strcmp(row->type, "personal") == 0 &&
		     strcmp(row->created_by, req->caller.id) != 0))
			continue;
		json_t *keys = json_object_get(e, "keys");
		json_incref(keys);
		json_t *vo = j_vault(
			row, (uint32_t)json_integer_value(json_object_get(e, "permissions")), keys);
		if (!vo || json_array_append_new(out, vo))
			rc = sesame_error_nomem();
	}
	free(row);
	json_decref(c.map);
	if (rc) {
		json_decref(out);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "vaults", out));
}

HANDLER(handle_vault_get)
{
	struct authz_vault *v = malloc(sizeof *v);
	struct http_reply r;
	const char *vid;
	(void)body;

	if (!v)
		return api_oom();
	if (param_id(params, "vault", &vid, &r) == 0 &&
	    authz_vault(req->state->store, &req->caller, vid, 0, v, &r) == 0)
		r = vault_reply(req, 200, v);
	free(v);
	return r;
}

HANDLER(handle_vault_update)
{
	struct store *st = req->state->store;
	struct authz_vault *v = malloc(sizeof *v);
	unsigned char *attrs = malloc(STORE_ATTRS_MAX);
	struct input in = INPUT_INIT;
	struct http_reply r;
	const char *vid;
	long long version;
	size_t len;
	int rc;

	if (!v || !attrs) {
		free(v);
		free(attrs);
		return api_oom();
	}
	if (param_id(params, "vault", &vid, &r) ||
	    authz_vault(st, &req->caller, vid, PERM_MANAGE_VAULT, v, &r))
		goto out;
	len = in_b64(&in, body, "encrypted_attrs", attrs, STORE_ATTRS_MAX, 0);
	version = in_int(&in, body, "attribute_version", 2, 1LL << 53, true, 0);
	if (in.bad) {
		r = in_reply(&in);
		goto out;
	}
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, vault_update_attrs, vid, attrs, len, version, api_now());
	if (rc) {
		api_rollback(st);
		r = reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	if (authz_vault(st, &req->caller, vid, 0, v, &r) == 0)
		r = vault_reply(req, 200, v);
out:
	free(v);
	free(attrs);
	return r;
}

HANDLER(handle_vault_delete)
{
	struct store *st = req->state->store;
	struct authz_vault *v = malloc(sizeof *v);
	struct http_reply r;
	const char *vid;
	int rc;
	(void)body;

	if (!v)
		return api_oom();
	if (param_id(params, "vault", &vid, &r) ||
	    authz_vault(st, &req->caller, vid, PERM_MANAGE_VAULT, v, &r) ||
	    authz_vault_delete(v, &r) || authz_sa_vault_delete(&req->caller, v, &r)) {
		free(v);
		return r;
	}
	free(v);
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, vault_delete, vid);
	if (rc) {
		api_rollback(st);
		return reply_from_error();
	}
	if (store_commit(st) != 0)
		return reply_from_error();
	log_info("vault_deleted", LOG_STR("vault", vid), LOG_STR("by", req->caller.id), );
	return reply_text(204, "");
}

static int add_access(void *ctx, const struct access_entry *e)
{
	json_t *o = json_pack("{s:s,s:s,s:I}", "principal_id", e->principal_id, "principal_type",
			      e->principal_type, "permissions", (json_int_t)e->permissions);
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

HANDLER(handle_access_list)
{
	struct store *st = req->state->store;
	struct authz_vault *v = malloc(sizeof *v);
	json_t *arr = json_array();
	struct http_reply r;
	const char *vid;
	(void)body;

	if (!v || !arr) {
		free(v);
		json_decref(arr);
		return api_oom();
	}
	if (param_id(params, "vault", &vid, &r) ||
	    authz_vault(st, &req->caller, vid, PERM_MANAGE_VAULT, v, &r)) {
		free(v);
		json_decref(arr);
		return r;
	}
	free(v);
	if (store_call(st, access_list, vid, add_access, arr) != 0) {
		json_decref(arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "access", arr));
}

/* PUT and DELETE of /v1/vaults/{v}/access/{principal}. */
static struct http_reply access_change(struct http_request *req, const struct route_params *params,
				       json_t *body, bool revoke)
{
	struct store *st = req->state->store;
	struct authz_vault *v = malloc(sizeof *v);
	struct principal_row *target = malloc(sizeof *target);
	unsigned char sealed[STORE_SEALED_MAX];
	struct input in = INPUT_INIT;
	struct http_reply r;
	const char *vid, *pid;
	uint32_t perms = 0;
	size_t slen = 0;
	int rc;

	if (!v || !target) {
		free(v);
		free(target);
		return api_oom();
	}
	if (param_id(params, "vault", &vid, &r) || param_id(params, "principal", &pid, &r) ||
	    authz_vault(st, &req->caller, vid, PERM_MANAGE_VAULT, v, &r))
		goto out;
	if (!revoke) {
		slen = in_b64(&in, body, "sealed_key", sealed, sizeof sealed, 0);
		perms = (uint32_t)in_int(&in, body, "permissions", 0, 0xffffffffLL, true, 0);
		if (in.bad) {
			r = in_reply(&in);
			goto out;
		}
	}
	rc = store_call(st, principal_get, pid, target);
	if (rc == SESAME_ENOTFOUND) {
		r = reply_error(404, "principal_not_found", "principal '%s' not found", pid);
		goto out;
	}
	if (rc) {
		r = reply_from_error();
		goto out;
	}
	if (authz_sa_access_fixed(target, &r) ||
	    authz_vault_grant(&req->caller, v, target, perms, revoke, &r))
		goto out;
	rc = store_begin_write(st);
	if (!rc)
		rc = revoke ? store_call(st, access_delete, vid, pid)
			    : store_call(st, access_put, vid, pid, perms, sealed, slen, api_now());
	if (rc) {
		api_rollback(st);
		r = reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info(revoke ? "vault_access_revoked" : "vault_access_granted", LOG_STR("vault", vid),
		 LOG_STR("principal", pid), LOG_STR("by", req->caller.id), );
	r = revoke ? reply_text(204, "")
		   : reply_json(200,
				json_pack("{s:s,s:s,s:I}", "principal_id", pid, "principal_type",
					  target->type, "permissions", (json_int_t)perms));
out:
	free(v);
	free(target);
	return r;
}

HANDLER(handle_access_put)
{
	return access_change(req, params, body, false);
}

HANDLER(handle_access_delete)
{
	return access_change(req, params, body, true);
}
