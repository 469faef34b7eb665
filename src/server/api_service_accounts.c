/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Service accounts (docs/api.md "Service accounts"): create, list, get,
 * revoke, rotate. The server receives only public keys and vault keys
 * sealed to them: the token and its seed never leave the creator's
 * client. Every rule is authz's (authz_sa_*); these handlers read, write
 * and shape JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "error.h"
#include "json.h"
#include "log.h"

#define SA_VAULTS_MAX	  100
#define SA_EXPIRES_IN_MAX (10LL * 366 * 24 * 3600) /* ten years */
#define SA_GRACE_MAX	  (7LL * 24 * 3600)	   /* a week */

const char *const keys_sa_create[] = {"service_account_id",
				      "name",
				      "box_public_key",
				      "sign_public_key",
				      "expires_in",
				      "can_create_vaults",
				      "vaults",
				      NULL};
const char *const keys_sa_rotate[] = {"service_account_id", "box_public_key", "sign_public_key",
				      "grace_seconds",	    "vaults",	      NULL};
static const char *const keys_sa_vault[] = {"vault_id", "sealed_key", "permissions", NULL};
static const char *const keys_sa_reseal[] = {"vault_id", "sealed_key", NULL};

/* One vault of a request, checked before anything is written. */
struct sa_grant {
	char vault_id[STORE_ID_SIZE];
	unsigned char sealed[STORE_SEALED_MAX];
	size_t sealed_len;
	uint32_t bits;
};

/* ---- the service-account object ---- */

static int add_sa_vault(void *ctx, const struct vault_path *p)
{
	json_t *perms = json_array(), *o;
	uint32_t sa = authz_sa_from_bits(p->permissions);

	if (p->group_id)
		return 0; /* service accounts are in no group; only own rows count */
	for (uint32_t bit = 1; perms && bit <= SA_PERM_SHARE; bit <<= 1)
		if ((sa & bit) &&
		    json_array_append_new(perms, json_string(authz_sa_perm_name(bit))))
			return sesame_error_nomem();
	o = perms ? json_pack("{s:s,s:o,s:I}", "vault_id", p->vault_id, "permissions", perms,
			      "vault_permissions", (json_int_t)p->permissions)
		  : NULL;
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

static json_t *j_opt_time(long long t)
{
	return t ? j_time(t) : json_null();
}

static const char *sa_state(const struct sa_row *sa, long long now)
{
	if (sa->revoked_at && sa->revoked_at <= now)
		return "revoked";
	if (sa->expires_at && sa->expires_at <= now)
		return "expired";
	return "active";
}

/* The service-account object, with its vaults; NULL with the error set. */
static json_t *j_sa(struct store *st, const struct sa_row *sa, long long now)
{
	json_t *vaults = json_array(), *o;

	if (!vaults) {
		sesame_error_nomem();
		return NULL;
	}
	if (store_call(st, vault_paths, sa->id, NULL, add_sa_vault, vaults) != 0) {
		json_decref(vaults);
		return NULL;
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:o}", "id", sa->id, "type",
		      "service_account", "name", sa->name, "state", sa_state(sa, now), "created_by",
		      sa->created_by, "created_at", j_time(sa->created_at), "expires_at",
		      j_opt_time(sa->expires_at), "last_used_at", j_opt_time(sa->last_used_at),
		      "revoked_at", j_opt_time(sa->revoked_at), "can_create_vaults",
		      sa->can_create_vaults, "vaults", vaults);
	if (o && sa->rotated_from[0])
		json_object_set_new(o, "rotated_from", json_string(sa->rotated_from));
	if (o && sa->rotated_to[0])
		json_object_set_new(o, "rotated_to", json_string(sa->rotated_to));
	if (!o)
		sesame_error_nomem();
	return o;
}

static struct http_reply sa_reply(struct store *st, int status, const char *id)
{
	struct sa_row sa;
	json_t *o;

	if (store_call(st, sa_get, id, &sa) != 0)
		return reply_from_error();
	o = j_sa(st, &sa, api_now());
	return o ? reply_json(status, o) : reply_from_error();
}

/* The service account of the path, in the caller's account; -1 with a 404 otherwise. */
static int sa_of_path(struct http_request *req, const struct route_params *params,
		      struct sa_row *sa, struct http_reply *r)
{
	const char *id;
	int rc;

	if (param_id(params, "id", &id, r))
		return -1;
	rc = store_call(req->state->store, sa_get, id, sa);
	if (rc == 0 && strcmp(sa->account_id, req->caller.account_id) == 0)
		return 0;
	if (rc && rc != SESAME_ENOTFOUND) {
		*r = reply_from_error();
		return -1;
	}
	*r = reply_error(404, "service_account_not_found", "service account '%s' not found", id);
	return -1;
}

/* Reads the principal part of a create or rotate body. */
static void read_principal(struct input *in, const json_t *body, struct principal_row *p,
			   const struct request_caller *caller, long long now)
{
	const char *id = in_id(in, body, "service_account_id");

	memset(p, 0, sizeof *p);
	in_b64(in, body, "box_public_key", p->box_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	in_b64(in, body, "sign_public_key", p->sign_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	if (in->bad)
		return;
	memcpy(p->id, id, STORE_ID_SIZE);
	memcpy(p->account_id, caller->account_id, STORE_ID_SIZE);
	snprintf(p->type, sizeof p->type, "service_account");
	snprintf(p->state, sizeof p->state, "active");
	p->generation = 1;
	p->created_at = p->updated_at = now;
}

/* Writes the principal, its service-account row and its access rows. */
static int sa_write(struct store *st, const struct principal_row *p, const struct sa_row *sa,
		    const struct sa_grant *g, size_t ng, long long now)
{
	int rc = store_call(st, principal_insert, p);
	rc = rc ? rc : store_call(st, sa_insert, sa);
	for (size_t i = 0; !rc && i < ng; i++)
		rc = store_call(st, access_put, g[i].vault_id, p->id, g[i].bits, g[i].sealed,
				g[i].sealed_len, now);
	return rc;
}

/* ---- POST /v1/service-accounts ---- */

HANDLER(handle_sa_create)
{
	struct store *st = req->state->store;
	struct input in = INPUT_INIT;
	struct principal_row *p = malloc(sizeof *p);
	struct sa_grant *g = calloc(SA_VAULTS_MAX, sizeof *g);
	struct authz_vault *v = malloc(sizeof *v);
	struct sa_row sa;
	struct http_reply r;
	const json_t *vaults, *row, *perms, *name_j;
	const char *name;
	long long now = api_now(), expires_in;
	size_t i, j, ng = 0;
	int rc;
	(void)params;

	if (!p || !g || !v) {
		r = api_oom();
		goto out;
	}
	read_principal(&in, body, p, &req->caller, now);
	name = in_str(&in, body, "name", STORE_NAME_MAX, true);
	expires_in = in_int(&in, body, "expires_in", 1, SA_EXPIRES_IN_MAX, false, 0);
	memset(&sa, 0, sizeof sa);
	sa.can_create_vaults = in_bool(&in, body, "can_create_vaults", false);
	vaults = in_array(&in, body, "vaults", 0, SA_VAULTS_MAX);
	if (!in.bad && !*name)
		in_fail(&in, "'name' must not be empty");
	if (in.bad)
		goto bad;
	json_array_foreach(vaults, i, row)
	{
		struct sa_grant *e = &g[ng];
		const char *vid;
		uint32_t mask = 0;
		if (!json_is_object(row)) {
			in_fail(&in, "each element of 'vaults' must be an object");
			break;
		}
		in_keys(&in, row, keys_sa_vault);
		vid = in_id(&in, row, "vault_id");
		e->sealed_len = in_b64(&in, row, "sealed_key", e->sealed, sizeof e->sealed, 0);
		perms = in_array(&in, row, "permissions", 0, 8);
		if (in.bad)
			break;
		json_array_foreach(perms, j, name_j)
		{
			uint32_t b = json_is_string(name_j)
					     ? authz_sa_perm(json_string_value(name_j))
					     : 0;
			if (!b) {
				in_fail_code(&in, 400, "invalid_permissions",
					     "unknown permission in vault '%s'; use read_items, "
					     "write_items or share_items",
					     vid);
				break;
			}
			mask |= b;
		}
		if (in.bad)
			break;
		/* 1Password's default: read_items when none is named. */
		if (json_array_size(perms) == 0)
			mask = SA_PERM_READ;
		for (size_t k = 0; k < ng; k++)
			if (strcmp(g[k].vault_id, vid) == 0)
				in_fail(&in, "vault '%s' is named twice", vid);
		if (in.bad)
			break;
		if (authz_sa_permissions(mask, &e->bits, &r) ||
		    authz_sa_vault_grant(st, &req->caller, vid, v, &r))
			goto out;
		memcpy(e->vault_id, vid, STORE_ID_SIZE);
		ng++;
	}
	if (in.bad)
		goto bad;
	snprintf(p->name, sizeof p->name, "%s", name);
	memcpy(sa.id, p->id, STORE_ID_SIZE);
	memcpy(sa.account_id, p->account_id, STORE_ID_SIZE);
	snprintf(sa.name, sizeof sa.name, "%s", name);
	memcpy(sa.created_by, req->caller.id, STORE_ID_SIZE);
	sa.created_at = now;
	sa.expires_at = expires_in ? now + expires_in : 0;

	rc = store_begin_write(st);
	rc = rc ? rc : sa_write(st, p, &sa, g, ng, now);
	if (rc) {
		api_rollback(st);
		r = rc == SESAME_EEXISTS ? reply_error(409, "already_exists",
						       "service account '%s' already exists", p->id)
					 : reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info("service_account_created", LOG_STR("service_account", p->id),
		 LOG_STR("by", req->caller.id), );
	r = sa_reply(st, 201, p->id);
	goto out;
bad:
	r = in_reply(&in);
out:
	if (g)
		sodium_memzero(g, SA_VAULTS_MAX * sizeof *g);
	free(g);
	free(p);
	free(v);
	return r;
}

/* ---- GET /v1/service-accounts, GET /v1/service-accounts/{id} ---- */

struct sa_list_ctx {
	struct store *st;
	json_t *arr;
	long long now;
};

static int add_sa(void *ctx, const struct sa_row *sa)
{
	struct sa_list_ctx *c = ctx;
	json_t *o = j_sa(c->st, sa, c->now);
	if (!o || json_array_append_new(c->arr, o))
		return o ? sesame_error_nomem() : SESAME_ENOMEM;
	return 0;
}

HANDLER(handle_sa_list)
{
	struct sa_list_ctx c = {req->state->store, json_array(), api_now()};
	(void)params;
	(void)body;

	if (!c.arr)
		return api_oom();
	if (store_call(c.st, sa_list, req->caller.account_id, add_sa, &c) != 0) {
		json_decref(c.arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "service_accounts", c.arr));
}

HANDLER(handle_sa_get)
{
	struct sa_row sa;
	struct http_reply r;
	json_t *o;
	(void)body;

	if (sa_of_path(req, params, &sa, &r))
		return r;
	o = j_sa(req->state->store, &sa, api_now());
	return o ? reply_json(200, o) : reply_from_error();
}

/* ---- revoke: DELETE /v1/service-accounts/{id}, POST .../revoke ---- */

static struct http_reply sa_revoke(struct http_request *req, const struct route_params *params,
				   bool object)
{
	struct store *st = req->state->store;
	struct sa_row sa;
	struct http_reply r;
	long long now = api_now();
	int rc;

	if (sa_of_path(req, params, &sa, &r))
		return r;
	/* Revocation ends every session at once: the generation moves too. */
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, sa_end, sa.id, now, NULL);
	rc = rc ? rc : store_call(st, principal_set_state, sa.id, "deleted", true, now);
	if (rc) {
		api_rollback(st);
		return reply_from_error();
	}
	if (store_commit(st) != 0)
		return reply_from_error();
	log_info("service_account_revoked", LOG_STR("service_account", sa.id),
		 LOG_STR("by", req->caller.id), );
	return object ? sa_reply(st, 200, sa.id) : reply_text(204, "");
}

HANDLER(handle_sa_delete)
{
	(void)body;
	return sa_revoke(req, params, false);
}

HANDLER(handle_sa_revoke)
{
	(void)body;
	return sa_revoke(req, params, true);
}

/* ---- POST /v1/service-accounts/{id}/rotate ---- */

struct old_vaults {
	struct sa_grant *g;
	size_t n;
};

static int collect_old(void *ctx, const struct vault_path *p)
{
	struct old_vaults *o = ctx;
	if (p->group_id)
		return 0;
	if (o->n == SA_VAULTS_MAX)
		return sesame_error_set(SESAME_ETOOBIG, "too_many",
					"the service account has too many vaults");
	snprintf(o->g[o->n].vault_id, STORE_ID_SIZE, "%s", p->vault_id);
	o->g[o->n].bits = p->permissions;
	o->n++;
	return 0;
}

HANDLER(handle_sa_rotate)
{
	struct store *st = req->state->store;
	struct input in = INPUT_INIT;
	struct principal_row *p = malloc(sizeof *p);
	struct old_vaults old = {calloc(SA_VAULTS_MAX, sizeof(struct sa_grant)), 0};
	struct authz_vault *v = malloc(sizeof *v);
	struct sa_row sa, nsa;
	struct http_reply r;
	const json_t *vaults, *row;
	long long now = api_now(), grace;
	size_t i;
	int rc;

	if (!p || !old.g || !v) {
		r = api_oom();
		goto out;
	}
	if (sa_of_path(req, params, &sa, &r))
		goto out;
	if (strcmp(sa_state(&sa, now), "active") != 0 || sa.rotated_to[0]) {
		r = reply_error(409, "conflict", "service account '%s' is %s; it cannot be rotated",
				sa.id, sa.rotated_to[0] ? "rotated already" : sa_state(&sa, now));
		goto out;
	}
	rc = store_call(st, vault_paths, sa.id, NULL, collect_old, &old);
	if (rc) {
		r = reply_from_error();
		goto out;
	}
	/* The new one is granted the old one's vaults: the rule of a create. */
	for (i = 0; i < old.n; i++)
		if (authz_sa_vault_grant(st, &req->caller, old.g[i].vault_id, v, &r))
			goto out;
	read_principal(&in, body, p, &req->caller, now);
	grace = in_int(&in, body, "grace_seconds", 0, SA_GRACE_MAX, false, 0);
	vaults = in_array(&in, body, "vaults", 0, SA_VAULTS_MAX);
	if (in.bad)
		goto bad;
	if (json_array_size(vaults) != old.n) {
		in_fail(&in, "'vaults' must re-seal each of the %zu vaults of service account '%s'",
			old.n, sa.id);
		goto bad;
	}
	json_array_foreach(vaults, i, row)
	{
		struct sa_grant *e = NULL;
		const char *vid;
		if (!json_is_object(row)) {
			in_fail(&in, "each element of 'vaults' must be an object");
			break;
		}
		in_keys(&in, row, keys_sa_reseal);
		vid = in_id(&in, row, "vault_id");
		if (in.bad)
			break;
		for (size_t k = 0; k < old.n; k++)
			if (strcmp(old.g[k].vault_id, vid) == 0)
				e = &old.g[k];
		if (!e || e->sealed_len) {
			in_fail(&in,
				e ? "vault '%s' is named twice"
				  : "vault '%s' is not a vault of the service account",
				vid);
			break;
		}
		e->sealed_len = in_b64(&in, row, "sealed_key", e->sealed, sizeof e->sealed, 0);
	}
	if (in.bad)
		goto bad;
	/* The new service account: same name, vaults, permissions, expiry and rights. */
	snprintf(p->name, sizeof p->name, "%s", sa.name);
	nsa = sa;
	memcpy(nsa.id, p->id, STORE_ID_SIZE);
	nsa.created_at = now;
	nsa.last_used_at = 0;
	nsa.revoked_at = 0;
	memcpy(nsa.rotated_from, sa.id, STORE_ID_SIZE);
	nsa.rotated_to[0] = '\0';

	rc = store_begin_write(st);
	rc = rc ? rc : sa_write(st, p, &nsa, old.g, old.n, now);
	rc = rc ? rc : store_call(st, sa_end, sa.id, now + grace, p->id);
	if (!rc && grace == 0)
		rc = store_call(st, principal_set_state, sa.id, "deleted", true, now);
	if (rc) {
		api_rollback(st);
		r = rc == SESAME_EEXISTS ? reply_error(409, "already_exists",
						       "service account '%s' already exists", p->id)
					 : reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info("service_account_rotated", LOG_STR("service_account", sa.id),
		 LOG_STR("new", p->id), LOG_INT("grace", grace), LOG_STR("by", req->caller.id), );
	r = sa_reply(st, 201, p->id);
	goto out;
bad:
	r = in_reply(&in);
out:
	if (old.g)
		sodium_memzero(old.g, SA_VAULTS_MAX * sizeof *old.g);
	free(old.g);
	free(p);
	free(v);
	return r;
}
