/* SPDX-License-Identifier: Apache-2.0 */
/*
 * People: list, invite, accept, confirm, suspend, reactivate
 * (docs/api.md "People"). An invitation code is 128 random bits, shown
 * once, stored as its BLAKE2b hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "crypto/kdf2s.h"
#include "error.h"
#include "json.h"
#include "log.h"

#define INVITE_CODE_BYTES 16
#define INVITE_TTL	  (7 * 24 * 3600)

const char *const keys_invite[] = {"user_id", "email", "name", NULL};
const char *const keys_accept[] = {"account_id",
				   "user_id",
				   "invite_code",
				   "salt",
				   "kdf",
				   "signin_public_key",
				   "box_public_key",
				   "sign_public_key",
				   "encrypted_keyset",
				   "private_vault",
				   NULL};
const char *const keys_confirm[] = {"memberships", NULL};
static const char *const keys_kdf2[] = {"ops", "mem", NULL};
static const char *const keys_private_vault[] = {"vault_id", "encrypted_attrs", "sealed_key", NULL};
static const char *const keys_membership[] = {"group_id", "sealed_keyset", NULL};

static json_t *j_user(const struct principal_row *p)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:n}", "id", p->id, "email", p->email,
			 "name", p->name, "state", p->state, "type",
			 strcmp(p->type, "user") == 0 ? "member" : "service_account", "created_at",
			 j_time(p->created_at), "updated_at", j_time(p->updated_at),
			 "last_auth_at");
}

static int add_user(void *ctx, const struct principal_row *p)
{
	json_t *o = j_user(p);
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

HANDLER(handle_user_list)
{
	json_t *arr = json_array();
	(void)params;
	(void)body;
	if (!arr)
		return api_oom();
	if (store_call(req->state->store, user_list, req->caller.account_id, NULL, add_user, arr) !=
	    0) {
		json_decref(arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "users", arr));
}

/* The user `id` of the caller's account, into *p (a 404 reply otherwise). */
static int load_user(struct http_request *req, const char *id, struct principal_row *p,
		     struct http_reply *r)
{
	int rc = store_call(req->state->store, principal_get, id, p);
	if (rc == SESAME_ENOTFOUND || (!rc && (strcmp(p->account_id, req->caller.account_id) != 0 ||
					       strcmp(p->type, "group") == 0))) {
		*r = reply_error(404, "user_not_found", "user '%s' not found", id);
		return -1;
	}
	if (rc) {
		*r = reply_from_error();
		return -1;
	}
	return 0;
}

HANDLER(handle_user_get)
{
	struct principal_row *p = malloc(sizeof *p);
	struct http_reply r;
	const char *id;
	(void)body;

	if (!p)
		return api_oom();
	if (param_id(params, "id", &id, &r) == 0 && load_user(req, id, p, &r) == 0)
		r = reply_json(200, j_user(p));
	free(p);
	return r;
}

HANDLER(handle_user_invite)
{
	struct store *st = req->state->store;
	struct principal_row *p = calloc(1, sizeof *p);
	struct input in = INPUT_INIT;
	unsigned char code[INVITE_CODE_BYTES], hash[32];
	char code_text[32];
	const char *uid, *email, *name;
	long long now = api_now();
	int rc;
	(void)params;

	if (!p)
		return api_oom();
	uid = in_id(&in, body, "user_id");
	email = in_str(&in, body, "email", STORE_EMAIL_MAX, true);
	name = in_str(&in, body, "name", STORE_NAME_MAX, false);
	if (email && (!*email || !strchr(email, '@')))
		in_fail(&in, "'email' must be an email address");
	if (in.bad) {
		free(p);
		return in_reply(&in);
	}
	memcpy(p->id, uid, STORE_ID_SIZE);
	memcpy(p->account_id, req->caller.account_id, STORE_ID_SIZE);
	snprintf(p->type, sizeof p->type, "user");
	snprintf(p->state, sizeof p->state, "invited");
	snprintf(p->email, sizeof p->email, "%s", email);
	api_lower(p->email);
	snprintf(p->name, sizeof p->name, "%s", name ? name : "");
	p->created_at = p->updated_at = now;

	randombytes_buf(code, sizeof code);
	crypto_generichash(hash, sizeof hash, code, sizeof code, NULL, 0);
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, principal_insert, p);
	rc = rc ? rc : store_call(st, invite_put, uid, hash, req->caller.id, now, now + INVITE_TTL);
	if (rc) {
		api_rollback(st);
		free(p);
		if (rc == SESAME_EEXISTS)
			return reply_error(409, "already_exists",
					   "a user with this id or email already exists");
		return reply_from_error();
	}
	free(p);
	if (store_commit(st) != 0)
		return reply_from_error();
	json_t *j = j_b64(code, sizeof code);
	sodium_memzero(code, sizeof code);
	snprintf(code_text, sizeof code_text, "%s",
		 json_string_value(j) ? json_string_value(j) : "");
	json_decref(j);
	log_info("user_invited", LOG_STR("user", uid), LOG_STR("by", req->caller.id), );
	struct http_reply r =
		reply_json(201, json_pack("{s:s,s:s}", "user_id", uid, "invite_code", code_text));
	sodium_memzero(code_text, sizeof code_text);
	return r;
}

static struct http_reply accept_failed(struct http_request *req, long long now)
{
	auth_signin_failed(req->state->auth, req->client, now);
	return reply_error(401, "unauthenticated", "invitation is not valid");
}

HANDLER(handle_user_accept)
{
	struct store *st = req->state->store;
	struct principal_row *p = malloc(sizeof *p);
	struct vault_row *v = calloc(1, sizeof *v);
	struct input in = INPUT_INIT;
	unsigned char code[INVITE_CODE_BYTES + 4], hash[32], stored[32], sealed[STORE_SEALED_MAX];
	const char *aid, *uid, *vid = NULL;
	const json_t *kdf, *pv;
	long long now = api_now(), expires = 0, retry = 0;
	size_t clen, slen = 0;
	struct http_reply r;
	int rc;
	(void)params;

	if (!p || !v) {
		free(p);
		free(v);
		return api_oom();
	}
	if (auth_signin_limited(req->state->auth, req->client, now, &retry)) {
		r = reply_error(429, "rate_limited",
				"too many failed attempts from this address; retry in %lld seconds",
				retry);
		r.retry_after = retry;
		goto out;
	}
	aid = in_id(&in, body, "account_id");
	uid = in_id(&in, body, "user_id");
	clen = in_b64(&in, body, "invite_code", code, sizeof code, INVITE_CODE_BYTES);
	if (in.bad) {
		r = in_reply(&in);
		goto out;
	}
	rc = store_call(st, principal_get, uid, p);
	if (rc == SESAME_ENOTFOUND ||
	    (!rc && (strcmp(p->account_id, aid) != 0 || strcmp(p->type, "user") != 0 ||
		     strcmp(p->state, "invited") != 0))) {
		r = accept_failed(req, now);
		goto out;
	}
	if (rc || (rc = store_call(st, invite_get, uid, stored, &expires, false)) != 0) {
		r = rc == SESAME_ENOTFOUND ? accept_failed(req, now) : reply_from_error();
		goto out;
	}
	crypto_generichash(hash, sizeof hash, code, clen, NULL, 0);
	sodium_memzero(code, sizeof code);
	if (crypto_verify_32(hash, stored) != 0 || expires < now) {
		r = accept_failed(req, now);
		goto out;
	}
	in_b64(&in, body, "salt", p->salt, STORE_SALT_BYTES, STORE_SALT_BYTES);
	kdf = in_object(&in, body, "kdf", keys_kdf2);
	if (kdf) {
		p->kdf_ops =
			in_int(&in, kdf, "ops", KDF2S_OPSLIMIT_MIN, KDF2S_OPSLIMIT_MAX, true, 0);
		p->kdf_mem = in_int(&in, kdf, "mem", (long long)KDF2S_MEMLIMIT_MIN,
				    (long long)KDF2S_MEMLIMIT_MAX, true, 0);
	}
	in_b64(&in, body, "signin_public_key", p->signin_public_key, STORE_KEY_BYTES,
	       STORE_KEY_BYTES);
	in_b64(&in, body, "box_public_key", p->box_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	in_b64(&in, body, "sign_public_key", p->sign_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	p->keyset_len = in_b64(&in, body, "encrypted_keyset", p->keyset, STORE_KEYSET_MAX, 0);
	pv = in_object(&in, body, "private_vault", keys_private_vault);
	if (pv) {
		vid = in_id(&in, pv, "vault_id");
		v->attrs_len = in_b64(&in, pv, "encrypted_attrs", v->attrs, STORE_ATTRS_MAX, 0);
		slen = in_b64(&in, pv, "sealed_key", sealed, sizeof sealed, 0);
	}
	if (in.bad) {
		r = in_reply(&in);
		goto out;
	}
	snprintf(p->state, sizeof p->state, "pending");
	memcpy(v->id, vid, STORE_ID_SIZE);
	memcpy(v->account_id, aid, STORE_ID_SIZE);
	snprintf(v->type, sizeof v->type, "personal");
	v->attribute_version = v->content_version = 1;
	memcpy(v->created_by, uid, STORE_ID_SIZE);
	v->created_at = v->updated_at = now;

	rc = store_begin_write(st);
	/* Taking the invitation inside the transaction makes it single-use. */
	rc = rc ? rc : store_call(st, invite_get, uid, stored, &expires, true);
	rc = rc ? rc : store_call(st, user_set_keys, p, now);
	rc = rc ? rc : store_call(st, vault_insert, v);
	rc = rc ? rc : store_call(st, access_put, vid, uid, PERM_ALL, sealed, slen, now);
	if (rc) {
		api_rollback(st);
		r = rc == SESAME_EEXISTS
			    ? reply_error(409, "already_exists", "vault '%s' already exists", vid)
			    : reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info("user_accepted", LOG_STR("user", uid), );
	r = reply_json(200, json_pack("{s:s,s:s}", "user_id", uid, "state", "pending"));
out:
	free(p);
	free(v);
	return r;
}

HANDLER(handle_user_confirm)
{
	struct store *st = req->state->store;
	struct principal_row *p = malloc(sizeof *p), *g = malloc(sizeof *g);
	struct input in = INPUT_INIT;
	const json_t *list, *m;
	struct http_reply r;
	const char *uid;
	bool team = false;
	long long now = api_now();
	size_t i;
	int rc = 0;

	if (!p || !g) {
		free(p);
		free(g);
		return api_oom();
	}
	if (param_id(params, "id", &uid, &r) || load_user(req, uid, p, &r))
		goto out;
	if (strcmp(p->state, "pending") != 0) {
		r = reply_error(409, "conflict", "user '%s' is %s, not pending", uid, p->state);
		goto out;
	}
	list = in_array(&in, body, "memberships", 1, 64);
	if (in.bad) {
		r = in_reply(&in);
		goto out;
	}
	rc = store_begin_write(st);
	json_array_foreach(list, i, m)
	{
		unsigned char sealed[STORE_KEYSET_MAX];
		size_t slen;
		const char *gid;
		if (rc)
			break;
		if (!json_is_object(m)) {
			in_fail(&in, "each membership must be an object");
			break;
		}
		in_keys(&in, m, keys_membership);
		gid = in_id(&in, m, "group_id");
		slen = in_b64(&in, m, "sealed_keyset", sealed, sizeof sealed, 0);
		if (in.bad)
			break;
		rc = store_call(st, principal_get, gid, g);
		if (rc == SESAME_ENOTFOUND ||
		    (!rc && (strcmp(g->type, "group") != 0 ||
			     strcmp(g->account_id, p->account_id) != 0))) {
			rc = 0;
			in_fail_code(&in, 404, "group_not_found", "group '%s' not found", gid);
			break;
		}
		if (!rc && strcmp(g->group_type, "team_members") == 0)
			team = true;
		rc = rc ? rc : store_call(st, member_insert, gid, uid, sealed, slen, now);
	}
	if (!rc && !in.bad && !team)
		in_fail(&in, "a confirmed user must be in the team_members group");
	rc = rc	      ? rc
	     : in.bad ? SESAME_EINVAL
		      : store_call(st, principal_set_state, uid, "active", false, now);
	if (rc) {
		api_rollback(st);
		r = in.bad ? in_reply(&in) : reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info("user_confirmed", LOG_STR("user", uid), LOG_STR("by", req->caller.id), );
	snprintf(p->state, sizeof p->state, "active");
	r = reply_json(200, j_user(p));
out:
	free(p);
	free(g);
	return r;
}

/* Suspend and reactivate: both bump the generation, so sessions end at once. */
static struct http_reply set_state(struct http_request *req, const struct route_params *params,
				   const char *from, const char *to)
{
	struct store *st = req->state->store;
	struct principal_row *p = malloc(sizeof *p);
	struct http_reply r;
	const char *uid;
	int rc;

	if (!p)
		return api_oom();
	if (param_id(params, "id", &uid, &r) || load_user(req, uid, p, &r))
		goto out;
	if (strcmp(uid, req->caller.id) == 0) {
		r = reply_error(400, "invalid_request", "you cannot %s yourself",
				strcmp(to, "suspended") == 0 ? "suspend" : "reactivate");
		goto out;
	}
	if (strcmp(p->state, from) != 0 &&
	    !(strcmp(to, "suspended") == 0 && strcmp(p->state, "pending") == 0)) {
		r = reply_error(409, "conflict", "user '%s' is %s", uid, p->state);
		goto out;
	}
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, principal_set_state, uid, to, true, api_now());
	if (rc) {
		api_rollback(st);
		r = reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	log_info(strcmp(to, "suspended") == 0 ? "user_suspended" : "user_reactivated",
		 LOG_STR("user", uid), LOG_STR("by", req->caller.id), );
	snprintf(p->state, sizeof p->state, "%s", to);
	r = reply_json(200, j_user(p));
out:
	free(p);
	return r;
}

HANDLER(handle_user_suspend)
{
	(void)body;
	return set_state(req, params, "active", "suspended");
}

HANDLER(handle_user_reactivate)
{
	(void)body;
	return set_state(req, params, "suspended", "active");
}
