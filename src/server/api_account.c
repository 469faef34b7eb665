/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Accounts, sign-in, sessions, principals and groups (docs/api.md).
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

const char *const keys_account_create[] = {"account_id", "name", "owner", "groups", "vaults", NULL};
const char *const keys_challenge[] = {"account_id", "email", "principal_id", NULL};
const char *const keys_signin[] = {"principal_id", "challenge", "signature", NULL};

static const char *const keys_owner[] = {"user_id",
					 "email",
					 "name",
					 "salt",
					 "kdf",
					 "signin_public_key",
					 "box_public_key",
					 "sign_public_key",
					 "encrypted_keyset",
					 NULL};
static const char *const keys_kdf[] = {"ops", "mem", NULL};
static const char *const keys_group[] = {
	"group_id", "type", "name", "box_public_key", "sign_public_key", "sealed_keyset", NULL};
static const char *const keys_vault[] = {"vault_id", "type", "encrypted_attrs", "access", NULL};
static const char *const keys_access[] = {"principal_id", "sealed_key", "permissions", NULL};

static const char *const group_types[3] = {"owners", "administrators", "team_members"};

/* The principal object of sign-in and whoami. */
static json_t *j_principal(const struct principal_row *p)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", p->id, "type", p->type, "account_id",
			      p->account_id, "state", p->state);
	if (o && strcmp(p->type, "user") == 0 &&
	    (json_object_set_new(o, "email", json_string(p->email)) ||
	     json_object_set_new(o, "name", json_string(p->name)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- POST /v1/accounts ---- */

struct new_vault {
	const char *id, *type;
	unsigned char attrs[STORE_ATTRS_MAX];
	size_t attrs_len;
	const json_t *access;
};

static void read_keys(struct input *in, const json_t *o, struct principal_row *p)
{
	in_b64(in, o, "box_public_key", p->box_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	in_b64(in, o, "sign_public_key", p->sign_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
}

static void copy_id(char dst[STORE_ID_SIZE], const char *src)
{
	if (src)
		memcpy(dst, src, STORE_ID_SIZE);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Reads the owner; returns its row (in *u). */
static void read_owner(struct input *in, const json_t *o, const char *account_id,
		       struct principal_row *u)
{
	const json_t *kdf;
	const char *s;

	memset(u, 0, sizeof *u);
	copy_id(u->id, in_id(in, o, "user_id"));
	copy_id(u->account_id, account_id);
	copy_text(u->type, sizeof u->type, "user");
	copy_text(u->state, sizeof u->state, "active");
	u->has_user = true;
	s = in_str(in, o, "email", STORE_EMAIL_MAX, true);
	if (s && (!*s || !strchr(s, '@')))
		in_fail(in, "'email' must be an email address");
	copy_text(u->email, sizeof u->email, s);
	api_lower(u->email);
	copy_text(u->name, sizeof u->name, in_str(in, o, "name", STORE_NAME_MAX, true));
	in_b64(in, o, "salt", u->salt, STORE_SALT_BYTES, STORE_SALT_BYTES);
	kdf = in_object(in, o, "kdf", keys_kdf);
	if (kdf) {
		u->kdf_ops =
			in_int(in, kdf, "ops", KDF2S_OPSLIMIT_MIN, KDF2S_OPSLIMIT_MAX, true, 0);
		u->kdf_mem = in_int(in, kdf, "mem", (long long)KDF2S_MEMLIMIT_MIN,
				    (long long)KDF2S_MEMLIMIT_MAX, true, 0);
	}
	in_b64(in, o, "signin_public_key", u->signin_public_key, STORE_KEY_BYTES, STORE_KEY_BYTES);
	read_keys(in, o, u);
	u->keyset_len = in_b64(in, o, "encrypted_keyset", u->keyset, STORE_KEYSET_MAX, 0);
}

/* Checks one access row of a new vault; returns the principal id. */
static const char *read_access(struct input *in, const json_t *row, uint32_t *perms,
			       unsigned char *sealed, size_t *sealed_len)
{
	const char *pid;
	long long p;

	if (!json_is_object(row)) {
		in_fail(in, "each access row must be an object");
		return NULL;
	}
	in_keys(in, row, keys_access);
	pid = in_id(in, row, "principal_id");
	p = in_int(in, row, "permissions", 0, 0xffffffffLL, true, 0);
	*sealed_len = in_b64(in, row, "sealed_key", sealed, STORE_SEALED_MAX, 0);
	if (!in->bad && authz_check_permissions((uint32_t)p) != 0)
		in_fail_code(in, 400, "invalid_permissions", "%s", sesame_error_last()->message);
	*perms = (uint32_t)p;
	return in->bad ? NULL : pid;
}

HANDLER(handle_account_create)
{
	struct server_state *S = req->state;
	struct store *st = S->store;
	struct input in = INPUT_INIT;
	struct principal_row owner, groups[3];
	struct new_vault *vaults = NULL;
	const json_t *jgroups, *jvaults, *g, *v;
	const char *account_id, *name;
	long long now = api_now(), count = 0;
	size_t i;
	int rc;
	(void)params;

	account_id = in_id(&in, body, "account_id");
	name = in_str(&in, body, "name", STORE_NAME_MAX, true);
	const json_t *jowner = in_object(&in, body, "owner", keys_owner);
	if (jowner)
		read_owner(&in, jowner, account_id, &owner);
	jgroups = in_array(&in, body, "groups", 3, 3);
	memset(groups, 0, sizeof groups);
	json_array_foreach(jgroups, i, g)
	{
		const char *type;
		int slot = -1;
		if (!json_is_object(g)) {
			in_fail(&in, "each group must be an object");
			break;
		}
		in_keys(&in, g, keys_group);
		type = in_str(&in, g, "type", 32, true);
		for (int t = 0; type && t < 3; t++)
			if (strcmp(type, group_types[t]) == 0)
				slot = t;
		if (!in.bad && slot < 0) {
			in_fail(&in, "group type must be owners, administrators or team_members");
			break;
		}
		if (in.bad)
			break;
		if (groups[slot].id[0]) {
			in_fail(&in, "more than one '%s' group", type);
			break;
		}
		struct principal_row *p = &groups[slot];
		copy_id(p->id, in_id(&in, g, "group_id"));
		copy_id(p->account_id, account_id);
		copy_text(p->type, sizeof p->type, "group");
		copy_text(p->state, sizeof p->state, "active");
		copy_text(p->group_type, sizeof p->group_type, type);
		copy_text(p->name, sizeof p->name, in_str(&in, g, "name", STORE_NAME_MAX, true));
		read_keys(&in, g, p);
		/* The group's keyset sealed to the owner: kept as the membership row. */
		p->keyset_len = in_b64(&in, g, "sealed_keyset", p->keyset, STORE_KEYSET_MAX, 0);
		p->created_at = p->updated_at = now;
	}
	jvaults = in_array(&in, body, "vaults", 2, 2);
	if (!in.bad) {
		vaults = calloc(2, sizeof *vaults);
		if (!vaults)
			return api_oom();
	}
	json_array_foreach(jvaults, i, v)
	{
		if (!json_is_object(v)) {
			in_fail(&in, "each vault must be an object");
			break;
		}
		in_keys(&in, v, keys_vault);
		vaults[i].id = in_id(&in, v, "vault_id");
		vaults[i].type = in_str(&in, v, "type", 32, true);
		vaults[i].attrs_len =
			in_b64(&in, v, "encrypted_attrs", vaults[i].attrs, STORE_ATTRS_MAX, 0);
		vaults[i].access = in_array(&in, v, "access", 1, 3);
	}
	if (in.bad)
		goto bad;
	/* One personal vault for the owner alone, one everyone vault for the three groups. */
	bool personal_ok = false, everyone_ok = false;
	for (i = 0; i < 2; i++) {
		size_t n = json_array_size(vaults[i].access);
		bool seen[3] = {false, false, false};
		const json_t *row;
		size_t k;
		if (strcmp(vaults[i].type, "personal") == 0 && !personal_ok) {
			const char *only = json_string_value(json_object_get(
				json_array_get(vaults[i].access, 0), "principal_id"));
			personal_ok = n == 1 && only && strcmp(only, owner.id) == 0;
			if (!personal_ok)
				in_fail(&in,
					"the personal vault must be shared with the owner only");
		} else if (strcmp(vaults[i].type, "everyone") == 0 && !everyone_ok) {
			json_array_foreach(vaults[i].access, k, row)
			{
				const char *pid =
					json_string_value(json_object_get(row, "principal_id"));
				for (int t = 0; pid && t < 3; t++)
					if (strcmp(pid, groups[t].id) == 0)
						seen[t] = true;
			}
			everyone_ok = n == 3 && seen[0] && seen[1] && seen[2];
			if (!everyone_ok)
				in_fail(&in, "the everyone vault must be shared with the three "
					     "built-in groups");
		} else {
			in_fail(&in, "vaults must be one 'personal' and one 'everyone' vault");
		}
	}
	/* Ids must be distinct across everything the account creates. */
	const char *ids[8] = {account_id,   owner.id,	  groups[0].id, groups[1].id,
			      groups[2].id, vaults[0].id, vaults[1].id, NULL};
	for (int a = 0; ids[a] && !in.bad; a++)
		for (int b = a + 1; ids[b]; b++)
			if (strcmp(ids[a], ids[b]) == 0)
				in_fail(&in, "id '%s' is used twice", ids[a]);
	if (in.bad)
		goto bad;

	rc = store_begin_write(st);
	if (rc)
		goto fail;
	rc = store_call(st, account_count, &count);
	if (!rc && count > 0 && !S->allow_signup) {
		api_rollback(st);
		free(vaults);
		return reply_error(403, "signup_closed",
				   "this server already has an account; sign-up is closed");
	}
	owner.created_at = owner.updated_at = now;
	rc = rc ? rc : store_call(st, account_insert, account_id, name, now);
	rc = rc ? rc : store_call(st, principal_insert, &owner);
	for (int t = 0; !rc && t < 3; t++) {
		struct principal_row *p = &groups[t];
		size_t klen = p->keyset_len;
		p->keyset_len = 0; /* a group's own row holds no keyset */
		rc = store_call(st, principal_insert, p);
		rc = rc ? rc : store_call(st, member_insert, p->id, owner.id, p->keyset, klen, now);
	}
	for (i = 0; !rc && i < 2; i++) {
		struct vault_row *vr = calloc(1, sizeof *vr);
		const json_t *row;
		size_t k;
		if (!vr) {
			rc = sesame_error_nomem();
			break;
		}
		copy_id(vr->id, vaults[i].id);
		copy_id(vr->account_id, account_id);
		copy_text(vr->type, sizeof vr->type, vaults[i].type);
		memcpy(vr->attrs, vaults[i].attrs, vaults[i].attrs_len);
		vr->attrs_len = vaults[i].attrs_len;
		vr->attribute_version = 1;
		vr->content_version = 1;
		copy_id(vr->created_by, owner.id);
		vr->allow_admins_to_manage = true;
		vr->created_at = vr->updated_at = now;
		rc = store_call(st, vault_insert, vr);
		free(vr);
		json_array_foreach(vaults[i].access, k, row)
		{
			unsigned char sealed[STORE_SEALED_MAX];
			size_t slen = 0;
			uint32_t perms = 0;
			const char *pid = read_access(&in, row, &perms, sealed, &slen);
			if (rc || in.bad)
				break;
			rc = store_call(st, access_put, vaults[i].id, pid, perms, sealed, slen,
					now);
		}
	}
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
	free(vaults);
	log_info("account_created", LOG_STR("account", account_id), LOG_STR("user", owner.id), );
	return reply_json(201,
			  json_pack("{s:s,s:s}", "account_id", account_id, "user_id", owner.id));
bad:
	free(vaults);
	return in_reply(&in);
fail:
	free(vaults);
	if (rc == SESAME_EEXISTS)
		return reply_error(409, "already_exists",
				   "an account, user, group or vault with one of these ids or "
				   "this email already exists");
	return reply_from_error();
}

/* ---- sign-in ---- */

HANDLER(handle_challenge)
{
	struct server_state *S = req->state;
	struct input in = INPUT_INIT;
	struct principal_row *p;
	unsigned char challenge[AUTH_CHALLENGE_BYTES];
	char email[STORE_EMAIL_MAX + 1];
	const char *account_id, *em, *pid;
	json_t *o;
	int rc;
	(void)params;

	account_id = in_id(&in, body, "account_id");
	em = in_str(&in, body, "email", STORE_EMAIL_MAX, false);
	pid = json_object_get(body, "principal_id") ? in_id(&in, body, "principal_id") : NULL;
	if (!in.bad && !em == !pid)
		in_fail(&in, "give exactly one of 'email' and 'principal_id'");
	if (in.bad)
		return in_reply(&in);
	p = malloc(sizeof *p);
	if (!p)
		return api_oom();
	if (em) {
		copy_text(email, sizeof email, em);
		api_lower(email);
		rc = store_call(S->store, principal_by_email, account_id, email, p);
	} else {
		rc = store_call(S->store, principal_get, pid, p);
		if (!rc && (strcmp(p->account_id, account_id) != 0 ||
			    strcmp(p->type, "service_account") != 0))
			rc = SESAME_ENOTFOUND;
	}
	if (rc && rc != SESAME_ENOTFOUND) {
		free(p);
		return reply_from_error();
	}
	if (rc == SESAME_ENOTFOUND) {
		if (!em) {
			free(p);
			/* A service account id is not a secret worth hiding. */
			return reply_error(401, "unauthenticated", "sign-in failed");
		}
		/*
		 * Unknown email: answer as for a real one, with a salt and id
		 * derived from a server secret, so presence cannot be probed.
		 */
		memset(p, 0, sizeof *p);
		auth_fake_principal(S->auth, account_id, email, p->id, p->salt);
		p->has_user = true;
		p->kdf_ops = KDF2S_OPSLIMIT_DEFAULT;
		p->kdf_mem = (long long)KDF2S_MEMLIMIT_DEFAULT;
	}
	auth_challenge_new(S->auth, challenge, p->id, api_now());
	o = json_pack("{s:s,s:o}", "principal_id", p->id, "challenge",
		      j_b64(challenge, sizeof challenge));
	if (o && em &&
	    (json_object_set_new(o, "salt", j_b64(p->salt, STORE_SALT_BYTES)) != 0 ||
	     json_object_set_new(o, "kdf",
				 json_pack("{s:I,s:I}", "ops", (json_int_t)p->kdf_ops, "mem",
					   (json_int_t)p->kdf_mem)) != 0)) {
		json_decref(o);
		o = NULL;
	}
	free(p);
	return reply_json(200, o);
}

/* The one answer for every failed sign-in; counts against the address. */
static struct http_reply signin_failed(struct server_state *S, const char *client, long long now)
{
	auth_signin_failed(S->auth, client, now);
	log_info("signin_failed", LOG_STR("client", client), );
	return reply_error(401, "unauthenticated", "sign-in failed");
}

HANDLER(handle_signin)
{
	struct server_state *S = req->state;
	struct input in = INPUT_INIT;
	struct principal_row *p;
	struct session_claims c;
	unsigned char challenge[AUTH_CHALLENGE_BYTES + 8], sig[64 + 8];
	size_t clen, slen;
	char token[AUTH_SESSION_TOKEN_SIZE];
	long long now = api_now(), retry = 0;
	const char *pid;
	json_t *o;
	int rc;
	(void)params;

	if (auth_signin_limited(S->auth, req->client, now, &retry)) {
		struct http_reply r = reply_error(
			429, "rate_limited",
			"too many failed sign-ins from this address; retry in %lld seconds", retry);
		r.retry_after = retry;
		return r;
	}
	pid = in_id(&in, body, "principal_id");
	clen = in_b64(&in, body, "challenge", challenge, sizeof challenge, 0);
	slen = in_b64(&in, body, "signature", sig, sizeof sig, 0);
	if (in.bad) {
		auth_signin_failed(S->auth, req->client, now);
		return in_reply(&in);
	}
	if (auth_challenge_check(S->auth, challenge, clen, pid, now) != 0)
		return signin_failed(S, req->client, now);
	p = malloc(sizeof *p);
	if (!p)
		return api_oom();
	rc = store_call(S->store, principal_get, pid, p);
	if (rc == SESAME_ENOTFOUND || (!rc && strcmp(p->type, "group") == 0)) {
		free(p);
		return signin_failed(S, req->client, now);
	}
	if (rc) {
		free(p);
		return reply_from_error();
	}
	bool user = strcmp(p->type, "user") == 0;
	if (auth_signature_check(sig, slen, challenge, clen, pid,
				 user ? p->signin_public_key : p->sign_public_key) != 0) {
		free(p);
		return signin_failed(S, req->client, now);
	}
	/* Service accounts: a revoked or expired token says so (authz.c). */
	bool sa_can_create = false;
	if (!user) {
		struct http_reply sr;
		if (authz_sa_session(S->store, p->id, now, &sa_can_create, &sr) != 0) {
			free(p);
			return sr;
		}
	}
	/* Only the key's holder learns the state. */
	if (strcmp(p->state, "active") != 0) {
		bool suspended = strcmp(p->state, "suspended") == 0;
		free(p);
		if (suspended)
			return reply_error(401, "account_suspended", "this account is suspended");
		return reply_error(401, "unauthenticated", "sign-in failed");
	}
	memset(&c, 0, sizeof c);
	memcpy(c.principal_id, p->id, sizeof c.principal_id);
	memcpy(c.account_id, p->account_id, sizeof c.account_id);
	c.generation = p->generation;
	c.type = user ? AUTH_TYPE_USER : AUTH_TYPE_SERVICE_ACCOUNT;
	c.expires = now + (user ? AUTH_SESSION_USER_TTL : AUTH_SESSION_SA_TTL);
	if (auth_session_mint(S->auth, &c, token, sizeof token) != 0) {
		free(p);
		return reply_from_error();
	}
	o = json_pack("{s:s,s:o,s:o,s:o,s:o}", "session", token, "expires_at", j_time(c.expires),
		      "principal", j_principal(p), "box_public_key",
		      j_b64(p->box_public_key, STORE_KEY_BYTES), "sign_public_key",
		      j_b64(p->sign_public_key, STORE_KEY_BYTES));
	if (o && user &&
	    json_object_set_new(o, "encrypted_keyset", j_b64(p->keyset, p->keyset_len)) != 0) {
		json_decref(o);
		o = NULL;
	}
	log_info("signin", LOG_STR("principal", p->id), LOG_STR("client", req->client), );
	sodium_memzero(token, sizeof token);
	sodium_memzero(&c, sizeof c);
	free(p);
	return reply_json(200, o);
}

HANDLER(handle_signout)
{
	struct server_state *S = req->state;
	(void)params;
	(void)body;

	if (auth_session_deny(S->auth, req->caller.mac, req->caller.expires, api_now()) != 0)
		return reply_from_error();
	req->refreshed[0] = '\0'; /* a signed-out session is not renewed */
	return reply_text(204, "");
}

HANDLER(handle_whoami)
{
	struct server_state *S = req->state;
	struct principal_row *p = malloc(sizeof *p);
	json_t *o;
	(void)params;
	(void)body;

	if (!p)
		return api_oom();
	if (store_call(S->store, principal_get, req->caller.id, p) != 0) {
		free(p);
		return reply_from_error();
	}
	o = json_pack("{s:o,s:s}", "principal", j_principal(p), "url", S->url);
	free(p);
	return reply_json(200, o);
}

/* ---- principals and groups ---- */

HANDLER(handle_principal_keys)
{
	struct server_state *S = req->state;
	struct principal_row *p;
	struct http_reply r;
	const char *id;
	json_t *o;
	int rc;
	(void)body;

	if (param_id(params, "id", &id, &r))
		return r;
	p = malloc(sizeof *p);
	if (!p)
		return api_oom();
	rc = store_call(S->store, principal_get, id, p);
	if (rc == SESAME_ENOTFOUND || (!rc && strcmp(p->account_id, req->caller.account_id) != 0)) {
		free(p);
		return reply_error(404, "principal_not_found", "principal '%s' not found", id);
	}
	if (rc) {
		free(p);
		return reply_from_error();
	}
	if (sodium_is_zero(p->box_public_key, STORE_KEY_BYTES)) {
		free(p);
		return reply_error(404, "principal_not_found", "principal '%s' has no keys yet", id);
	}
	o = json_pack("{s:s,s:s,s:o,s:o}", "id", p->id, "type", p->type, "box_public_key",
		      j_b64(p->box_public_key, STORE_KEY_BYTES), "sign_public_key",
		      j_b64(p->sign_public_key, STORE_KEY_BYTES));
	free(p);
	return reply_json(200, o);
}

static int add_my_group(void *ctx, const struct my_group *g)
{
	json_t *o = json_pack("{s:s,s:o,s:o}", "group_id", g->group_id, "sealed_keyset",
			      j_b64(g->sealed_keyset, g->sealed_keyset_len), "box_public_key",
			      j_b64(g->box_public_key, STORE_KEY_BYTES));
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

HANDLER(handle_me_groups)
{
	json_t *arr = json_array();
	int rc;
	(void)params;
	(void)body;

	if (!arr)
		return api_oom();
	rc = store_call(req->state->store, my_groups, req->caller.id, add_my_group, arr);
	if (rc) {
		json_decref(arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "groups", arr));
}

int api_add_group(void *ctx, const struct principal_row *p)
{
	json_t *o =
		json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", p->id, "name", p->name,
			  "description", p->description, "type", p->group_type, "state", p->state, "created_at",
			  j_time(p->created_at), "updated_at", j_time(p->updated_at));
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

HANDLER(handle_group_list)
{
	json_t *arr = json_array();
	int rc;
	(void)params;
	(void)body;

	if (!arr)
		return api_oom();
	rc = store_call(req->state->store, group_list, req->caller.account_id, NULL, api_add_group,
			arr);
	if (rc) {
		json_decref(arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "groups", arr));
}

HANDLER(handle_group_get)
{
	json_t *arr = json_array(), *g;
	struct http_reply r;
	const char *id;
	int rc;
	(void)body;

	if (!arr)
		return api_oom();
	if (param_id(params, "id", &id, &r)) {
		json_decref(arr);
		return r;
	}
	rc = store_call(req->state->store, group_list, req->caller.account_id, id, api_add_group, arr);
	if (rc) {
		json_decref(arr);
		return reply_from_error();
	}
	g = json_array_get(arr, 0);
	if (!g) {
		json_decref(arr);
		return reply_error(404, "group_not_found", "group '%s' not found", id);
	}
	json_incref(g);
	json_decref(arr);
	return reply_json(200, g);
}
