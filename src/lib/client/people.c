/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "client/groups.h"
#include "client/keyring.h"
#include "client/people.h"
#include "crypto/secmem.h"
#include "error.h"
#include "json.h"

#define USERS_MAX 100000

static int copy_field(char *dst, size_t cap, const json_t *obj, const char *key, bool required)
{
	const char *v = json_string_value(json_object_get(obj, key));

	dst[0] = '\0';
	if (!v)
		return required ? sesame_error_set(SESAME_EINVAL, "bad_response",
						   "user object lacks '%s'", key)
				: 0;
	if (strlen(v) >= cap)
		return sesame_error_set(SESAME_EINVAL, "bad_response", "user '%s' is too long",
					key);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int client_user_from_json(client_user *out, const json_t *obj)
{
	const char *idkey = json_object_get(obj, "id") ? "id" : "user_id";
	int rc;

	memset(out, 0, sizeof *out);
	if (!json_is_object(obj))
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed user object");
	rc = copy_field(out->id, sizeof out->id, obj, idkey, true);
	rc = rc ? rc : copy_field(out->email, sizeof out->email, obj, "email", false);
	rc = rc ? rc : copy_field(out->name, sizeof out->name, obj, "name", false);
	rc = rc ? rc : copy_field(out->state, sizeof out->state, obj, "state", false);
	rc = rc ? rc : copy_field(out->type, sizeof out->type, obj, "type", false);
	rc = rc ? rc
		: copy_field(out->created_at, sizeof out->created_at, obj, "created_at", false);
	rc = rc ? rc
		: copy_field(out->updated_at, sizeof out->updated_at, obj, "updated_at", false);
	rc = rc ? rc
		: copy_field(out->last_auth_at, sizeof out->last_auth_at, obj, "last_auth_at",
			     false);
	if (rc == 0 && !id_is_valid(out->id))
		rc = sesame_error_set(SESAME_EINVAL, "bad_response", "user has a malformed id");
	if (rc == 0 && !out->type[0])
		snprintf(out->type, sizeof out->type, "member");
	return rc;
}

static int user_record(void *record, const json_t *obj)
{
	return client_user_from_json(record, obj);
}

int people_list(client_user **out, size_t *n, session *s)
{
	void *list = NULL;
	int rc = api_get_records(&list, n, s->api, "/v1/users", "users", USERS_MAX, sizeof **out,
				 user_record);

	*out = list;
	return rc;
}

static int user_get_id(client_user *out, session *s, const char *id)
{
	char path[64];
	json_t *resp = NULL;
	int rc;

	snprintf(path, sizeof path, "/v1/users/%s", id);
	rc = api_call(s->api, "GET", path, NULL, &resp);
	rc = rc ? rc : client_user_from_json(out, resp);
	json_decref(resp);
	return rc;
}

int people_find(client_user *out, session *s, const char *key)
{
	client_user *list = NULL;
	size_t n = 0, hit = 0, hits = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (!key || !*key)
		return sesame_error_set(SESAME_EINVAL, "invalid_user", "user is empty");
	if (id_is_valid(key)) {
		rc = user_get_id(out, s, key);
		if (rc != SESAME_ENOTFOUND)
			return rc;
	}
	rc = people_list(&list, &n, s);
	if (rc)
		return rc;
	for (int pass = 0; pass < 2 && hits == 0; pass++) {
		for (size_t i = 0; i < n; i++) {
			bool eq = pass == 0 ? strcasecmp(list[i].email, key) == 0
					    : strcmp(list[i].name, key) == 0;
			if (eq) {
				hit = i;
				hits++;
			}
		}
	}
	if (hits == 0)
		rc = sesame_error_set(SESAME_ENOTFOUND, "user_not_found", "user '%s' not found",
				      key);
	else if (hits > 1)
		rc = sesame_error_set(SESAME_EAMBIGUOUS, "user_ambiguous",
				      "more than one user is named '%s'; use the email or id", key);
	else
		*out = list[hit];
	free(list);
	return rc;
}

int people_invite(client_user *out, char **code_out, session *s, const char *email,
		  const char *name)
{
	char uid[ID_SIZE];
	json_t *body = NULL, *resp = NULL;
	const char *code;
	char *copy = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	*code_out = NULL;
	if (!email || !*email || !strchr(email, '@') || strlen(email) > KDF2S_EMAIL_MAX)
		return sesame_error_set(SESAME_EINVAL, "invalid_email",
					"'%s' is not an email address", email ? email : "");
	id_new(uid);
	body = json_pack("{s:s,s:s,s:s}", "user_id", uid, "email", email, "name", name ? name : "");
	if (!body)
		return sesame_error_set(SESAME_EINVAL, NULL, "email or name is not valid utf-8");
	rc = api_call(s->api, "POST", "/v1/users/invite", body, &resp);
	if (rc == SESAME_ECONFLICT)
		sesame_error_set(rc, "already_exists", "user '%s' already exists", email);
	rc = rc ? rc : api_get_str(resp, "invite_code", &code);
	if (rc)
		goto out;
	copy = secmem_calloc(strlen(code) + 1);
	if (!copy) {
		rc = SESAME_ENOMEM;
		goto out;
	}
	memcpy(copy, code, strlen(code));
	sodium_memzero((char *)code, strlen(code));
	rc = user_get_id(out, s, uid);
	if (rc)
		goto out;
	*code_out = copy;
	copy = NULL;
out:
	secmem_free(copy);
	json_decref(body);
	json_decref(resp);
	return rc;
}

static int add_keys(json_t *obj, const keyset *ks)
{
	char box[KEYSET_PUBLIC_B64_SIZE], sign[KEYSET_PUBLIC_B64_SIZE];
	int rc = keyset_box_public_b64(box, sizeof box, ks);

	rc = rc ? rc : keyset_sign_public_b64(sign, sizeof sign, ks);
	if (rc)
		return rc;
	if (json_object_set_new(obj, "box_public_key", json_string(box)) ||
	    json_object_set_new(obj, "sign_public_key", json_string(sign)))
		return sesame_error_nomem();
	return 0;
}

int people_accept(account_kit **out, api *a, const people_accept_input *in)
{
	unsigned char salt[KDF2S_SALTBYTES];
	unsigned char *secrets = NULL; /* unlock | auth seed | wrap | vault key */
	char *sk = NULL, *attrs = NULL;
	account_kit *kit = NULL;
	keyset *own = NULL, *signer = NULL;
	json_t *body = NULL, *resp = NULL, *pv;
	char vid[ID_SIZE], signpk[KEYSET_PUBLIC_B64_SIZE];
	int rc;

	*out = NULL;
	if (!in->account_id || !id_is_valid(in->account_id))
		return sesame_error_set(SESAME_EINVAL, "invalid_account",
					"account id '%s' is not valid",
					in->account_id ? in->account_id : "");
	if (!in->user_id || !id_is_valid(in->user_id))
		return sesame_error_set(SESAME_EINVAL, "invalid_user", "user id '%s' is not valid",
					in->user_id ? in->user_id : "");
	if (!in->email || !*in->email || strlen(in->email) > KDF2S_EMAIL_MAX)
		return sesame_error_set(SESAME_EINVAL, "invalid_email",
					"email is empty or too long");
	if (!in->invite_code || !*in->invite_code)
		return sesame_error_set(SESAME_EINVAL, "invalid_invite",
					"invitation code is empty");
	secrets = secmem_calloc(32 * 4);
	sk = secmem_calloc(SECRET_KEY_CANONICAL_SIZE);
	kit = secmem_calloc(sizeof *kit);
	if (!secrets || !sk || !kit) {
		rc = SESAME_ENOMEM;
		goto out;
	}
	unsigned char *unlock = secrets, *seed = secrets + 32, *wrap = secrets + 64;
	unsigned char *vkey = secrets + 96;

	randombytes_buf(salt, sizeof salt);
	rc = secret_key_generate(sk, in->account_id);
	rc = rc ? rc : keyset_new(&own);
	if (rc)
		goto out;
	kdf2s_input kin = {in->password, in->password_len, sk, salt, in->email, in->account_id};
	rc = kdf2s_derive(unlock, seed, &kin, &in->kdf);
	rc = rc ? rc : keyset_from_seed(&signer, seed);
	rc = rc ? rc : user_keyset_key(wrap, unlock, in->account_id, in->user_id);
	if (rc)
		goto out;
	unsigned char blob[KEYSET_ENCRYPTED_BYTES];
	size_t blen = 0;
	rc = keyset_encrypt(blob, sizeof blob, &blen, own, wrap);
	if (rc)
		goto out;
	id_new(vid);
	randombytes_buf(vkey, VAULT_KEY_BYTES);
	rc = vault_attrs_encrypt(&attrs, vkey, in->account_id, vid, 1, "Private",
				 "Your private vault");
	if (rc)
		goto out;
	body = json_pack("{s:s,s:s,s:s,s:{s:I,s:I},s:{s:s,s:s}}", "account_id", in->account_id,
			 "user_id", in->user_id, "invite_code", in->invite_code, "kdf", "ops",
			 (json_int_t)in->kdf.opslimit, "mem", (json_int_t)in->kdf.memlimit,
			 "private_vault", "vault_id", vid, "encrypted_attrs", attrs);
	if (!body) {
		rc = sesame_error_set(SESAME_EINVAL, NULL, "invitation code is not valid utf-8");
		goto out;
	}
	pv = json_object_get(body, "private_vault");
	rc = api_set_b64(body, "salt", salt, sizeof salt);
	rc = rc ? rc : keyset_sign_public_b64(signpk, sizeof signpk, signer);
	if (!rc && json_object_set_new(body, "signin_public_key", json_string(signpk)))
		rc = sesame_error_nomem();
	rc = rc ? rc : add_keys(body, own);
	rc = rc ? rc : api_set_b64(body, "encrypted_keyset", blob, blen);
	rc = rc ? rc
		: seal_to_json(pv, "sealed_key", vkey, VAULT_KEY_BYTES, keyset_box_public_key(own));
	rc = rc ? rc : api_call(a, "POST", "/v1/users/accept", body, &resp);
	if (rc) {
		if (rc == SESAME_EAUTH)
			sesame_error_set(rc, sesame_error_last()->kind,
					 "invitation for user '%s' is not valid: it is wrong, "
					 "used or expired",
					 in->user_id);
		goto out;
	}
	memcpy(kit->email, in->email, strlen(in->email) + 1);
	memcpy(kit->account_id, in->account_id, ID_SIZE);
	memcpy(kit->user_id, in->user_id, ID_SIZE);
	memcpy(kit->address, api_url(a), strlen(api_url(a)) + 1);
	rc = secret_key_format(kit->secret_key, sk);
	if (rc)
		goto out;
	*out = kit;
	kit = NULL;
out:
	if (body) {
		/* the body carries the invitation code */
		json_t *c = json_object_get(body, "invite_code");
		if (json_string_value(c))
			sodium_memzero((char *)json_string_value(c), strlen(json_string_value(c)));
	}
	json_decref(body);
	json_decref(resp);
	free(attrs);
	keyset_free(own);
	keyset_free(signer);
	secmem_free(secrets);
	secmem_free(sk);
	account_kit_free(kit);
	return rc;
}

int principal_box_key(session *s, const char *principal_id, unsigned char pk[32])
{
	char path[64];
	json_t *resp = NULL;
	int rc;

	if (!id_is_valid(principal_id))
		return sesame_error_set(SESAME_EINVAL, "invalid_id", "invalid principal id '%s'",
					principal_id);
	snprintf(path, sizeof path, "/v1/principals/%s/keys", principal_id);
	rc = api_call(s->api, "GET", path, NULL, &resp);
	rc = rc ? rc : api_get_b64(resp, "box_public_key", pk, 32, 32, NULL);
	json_decref(resp);
	return rc;
}

/* POST /v1/users/{id}/<verb> with `body`; the answer (a user object) replaces *u. */
static int user_post(session *s, client_user *u, const char *verb, const json_t *body)
{
	char path[96];
	json_t *resp = NULL;
	client_user nu;
	int rc;

	snprintf(path, sizeof path, "/v1/users/%s/%s", u->id, verb);
	rc = api_call(s->api, "POST", path, body, &resp);
	if (rc == SESAME_ECONFLICT)
		sesame_error_set(rc, sesame_error_last()->kind, "user '%s' is %s", u->email,
				 u->state);
	rc = rc ? rc : client_user_from_json(&nu, resp);
	if (rc == 0)
		*u = nu;
	json_decref(resp);
	return rc;
}

int people_confirm(session *s, client_user *u)
{
	client_group *groups = NULL;
	size_t n = 0, i;
	unsigned char pk[32];
	unsigned char *seed = NULL;
	json_t *body = NULL, *m;
	int rc;

	if (strcmp(u->state, "pending") != 0)
		return sesame_error_set(SESAME_ECONFLICT, "conflict",
					"user '%s' is %s, not pending: only a person who accepted "
					"the invitation can be confirmed",
					u->email, u->state);
	rc = groups_list(&groups, &n, s);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		if (strcmp(groups[i].type, "team_members") == 0)
			break;
	if (i == n) {
		rc = sesame_error_set(SESAME_ENOTFOUND, "group_not_found",
				      "group 'Team Members' not found");
		goto out;
	}
	seed = secmem_alloc(GROUP_SEED_BYTES);
	if (!seed) {
		rc = SESAME_ENOMEM;
		goto out;
	}
	rc = group_open_seed(seed, s, &groups[i]);
	rc = rc ? rc : principal_box_key(s, u->id, pk);
	if (rc)
		goto out;
	body = json_pack("{s:[{s:s}]}", "memberships", "group_id", groups[i].id);
	m = body ? json_array_get(json_object_get(body, "memberships"), 0) : NULL;
	rc = m ? seal_to_json(m, "sealed_keyset", seed, GROUP_SEED_BYTES, pk)
	       : sesame_error_nomem();
	rc = rc ? rc : user_post(s, u, "confirm", body);
out:
	json_decref(body);
	secmem_free(seed);
	free(groups);
	return rc;
}

int people_suspend(session *s, client_user *u)
{
	return user_post(s, u, "suspend", NULL);
}

int people_reactivate(session *s, client_user *u)
{
	return user_post(s, u, "reactivate", NULL);
}

json_t *client_enum_json(const char *s)
{
	char buf[64];
	size_t i;

	for (i = 0; s && s[i] && i + 1 < sizeof buf; i++)
		buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
	buf[i] = '\0';
	return json_string(buf);
}

json_t *people_user_json(const client_user *u)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s}", "id", u->id, "name", u->name, "email",
			 u->email, "type", client_enum_json(u->type), "state",
			 client_enum_json(u->state), "created_at", u->created_at, "updated_at",
			 u->updated_at, "last_auth_at",
			 u->last_auth_at[0] ? u->last_auth_at : "0001-01-01T00:00:00Z");
}
