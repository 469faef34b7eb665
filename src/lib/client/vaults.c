/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "client/account.h"
#include "client/vaults.h"
#include "crypto/secmem.h"
#include "error.h"
#include "json.h"

#define VAULTS_MAX 10000

void client_vault_clear(client_vault *v)
{
	free(v->name);
	free(v->description);
	memset(v, 0, sizeof *v);
}

void client_vaults_free(client_vault *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		client_vault_clear(&v[i]);
	free(v);
}

static void copy_opt(char *dst, size_t cap, const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	snprintf(dst, cap, "%s", s ? s : "");
}

int client_vault_from_json(client_vault *out, session *s, const json_t *obj)
{
	const unsigned char *key;
	const char *id, *attrs;
	long long av = 0, cv = 0;
	int rc;

	memset(out, 0, sizeof *out);
	rc = api_get_str(obj, "id", &id);
	rc = rc ? rc : api_get_str(obj, "encrypted_attrs", &attrs);
	if (rc)
		return rc;
	if (!id_is_valid(id) || sjson_get_int(obj, "attribute_version", &av) || av < 1 ||
	    sjson_get_int(obj, "content_version", &cv) ||
	    sjson_get_int(obj, "items", &out->items) ||
	    sjson_get_int(obj, "permissions", &out->permissions))
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed vault object");
	memcpy(out->id, id, ID_SIZE);
	out->attribute_version = (uint64_t)av;
	out->content_version = (uint64_t)cv;
	copy_opt(out->type, sizeof out->type, obj, "type");
	copy_opt(out->created_at, sizeof out->created_at, obj, "created_at");
	copy_opt(out->updated_at, sizeof out->updated_at, obj, "updated_at");
	rc = keyring_open_vault(s->kr, s->api, obj, &key);
	rc = rc ? rc
		: vault_attrs_decrypt(&out->name, &out->description, key, s->me.account_id, id,
				      out->attribute_version, attrs);
	if (rc)
		client_vault_clear(out);
	return rc;
}

int vaults_list(client_vault **out, size_t *n, session *s)
{
	json_t *resp = NULL, *arr, *v;
	client_vault *list = NULL;
	size_t i, cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = api_call(s->api, "GET", "/v1/vaults", NULL, &resp);
	if (rc)
		return rc;
	arr = json_object_get(resp, "vaults");
	if (!json_is_array(arr) || json_array_size(arr) > VAULTS_MAX) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "server answer lacks 'vaults'");
		goto out;
	}
	list = calloc(json_array_size(arr) + 1, sizeof *list);
	if (!list) {
		rc = sesame_error_nomem();
		goto out;
	}
	json_array_foreach(arr, i, v)
	{
		rc = client_vault_from_json(&list[cnt], s, v);
		if (rc)
			goto out;
		cnt++;
	}
	*out = list;
	*n = cnt;
	list = NULL;
out:
	client_vaults_free(list, cnt);
	json_decref(resp);
	return rc;
}

static int vault_get_id(client_vault *out, session *s, const char *id)
{
	char path[64];
	json_t *resp = NULL;
	int rc;

	snprintf(path, sizeof path, "/v1/vaults/%s", id);
	rc = api_call(s->api, "GET", path, NULL, &resp);
	rc = rc ? rc : client_vault_from_json(out, s, resp);
	json_decref(resp);
	return rc;
}

int vault_find(client_vault *out, session *s, const char *name_or_id)
{
	client_vault *list = NULL;
	size_t n = 0, hit = 0, hits = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (id_is_valid(name_or_id)) {
		rc = vault_get_id(out, s, name_or_id);
		if (rc != SESAME_ENOTFOUND)
			return rc;
	}
	rc = vaults_list(&list, &n, s);
	if (rc)
		return rc;
	for (int pass = 0; pass < 2 && hits == 0; pass++) {
		for (size_t i = 0; i < n; i++) {
			bool eq = pass == 0 ? strcmp(list[i].name, name_or_id) == 0
					    : strcasecmp(list[i].name, name_or_id) == 0;
			if (eq) {
				hit = i;
				hits++;
			}
		}
	}
	if (hits == 0)
		rc = sesame_error_set(SESAME_ENOTFOUND, "vault_not_found", "vault '%s' not found",
				      name_or_id);
	else if (hits > 1)
		rc = sesame_error_set(SESAME_EAMBIGUOUS, "vault_ambiguous",
				      "more than one vault is named '%s'; use its id", name_or_id);
	if (rc == 0) {
		*out = list[hit];
		memset(&list[hit], 0, sizeof list[hit]);
	}
	client_vaults_free(list, n);
	return rc;
}

/* The administrators group's id and box public key. */
static int admins_group(session *s, char id[ID_SIZE], unsigned char pk[32])
{
	json_t *resp = NULL, *arr, *g;
	char path[64];
	size_t i;
	int rc = api_call(s->api, "GET", "/v1/groups", NULL, &resp);
	if (rc)
		return rc;
	arr = json_object_get(resp, "groups");
	rc = sesame_error_set(SESAME_ENOTFOUND, "group_not_found",
			      "group 'Administrators' not found");
	json_array_foreach(arr, i, g)
	{
		const char *t = json_string_value(json_object_get(g, "type"));
		const char *gid = json_string_value(json_object_get(g, "id"));
		if (t && gid && strcmp(t, "administrators") == 0 && id_is_valid(gid)) {
			memcpy(id, gid, ID_SIZE);
			rc = 0;
			break;
		}
	}
	json_decref(resp);
	resp = NULL;
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/v1/principals/%s/keys", id);
	rc = api_call(s->api, "GET", path, NULL, &resp);
	rc = rc ? rc : api_get_b64(resp, "box_public_key", pk, 32, 32, NULL);
	json_decref(resp);
	return rc;
}

int vault_create(client_vault *out, session *s, const char *name, const char *description,
		 bool allow_admins_to_manage)
{
	char vid[ID_SIZE], gid[ID_SIZE];
	unsigned char gpk[32];
	unsigned char *key = NULL;
	char *attrs = NULL;
	json_t *body = NULL, *resp = NULL, *acc, *row;
	int rc;

	memset(out, 0, sizeof *out);
	if (!name || !*name)
		return sesame_error_set(SESAME_EINVAL, "invalid_name", "vault name is empty");
	key = secmem_alloc(VAULT_KEY_BYTES);
	if (!key)
		return SESAME_ENOMEM;
	id_new(vid);
	randombytes_buf(key, VAULT_KEY_BYTES);
	rc = vault_attrs_encrypt(&attrs, key, s->me.account_id, vid, 1, name, description);
	if (rc)
		goto out;
	body = json_pack("{s:s,s:s,s:b,s:[{s:s,s:I}]}", "vault_id", vid, "encrypted_attrs", attrs,
			 "allow_admins_to_manage", allow_admins_to_manage, "access", "principal_id",
			 s->me.id, "permissions", (json_int_t)PERM_ALL);
	if (!body) {
		rc = sesame_error_nomem();
		goto out;
	}
	acc = json_object_get(body, "access");
	rc = seal_to_json(json_array_get(acc, 0), "sealed_key", key, VAULT_KEY_BYTES,
			  keyset_box_public_key(s->ks));
	if (rc == 0 && allow_admins_to_manage) {
		rc = admins_group(s, gid, gpk);
		if (rc == 0 && strcmp(gid, s->me.id) != 0) {
			row = json_pack("{s:s,s:I}", "principal_id", gid, "permissions",
					(json_int_t)PERM_ALL);
			if (!row || json_array_append_new(acc, row))
				rc = sesame_error_nomem();
			rc = rc ? rc : seal_to_json(row, "sealed_key", key, VAULT_KEY_BYTES, gpk);
		}
	}
	rc = rc ? rc : api_call(s->api, "POST", "/v1/vaults", body, &resp);
	rc = rc ? rc : keyring_add_vault(s->kr, vid, key);
	rc = rc ? rc : client_vault_from_json(out, s, resp);
out:
	free(attrs);
	json_decref(body);
	json_decref(resp);
	secmem_free(key);
	return rc;
}

int vault_edit(session *s, client_vault *v, const char *name, const char *description)
{
	const unsigned char *key = keyring_vault_key(s->kr, v->id);
	char *attrs = NULL;
	char path[64];
	json_t *body = NULL, *resp = NULL;
	client_vault nv;
	int rc;

	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", v->name);
	if (name && !*name)
		return sesame_error_set(SESAME_EINVAL, "invalid_name", "vault name is empty");
	uint64_t next = v->attribute_version + 1;
	rc = vault_attrs_encrypt(&attrs, key, s->me.account_id, v->id, next, name ? name : v->name,
				 description ? description : v->description);
	if (rc)
		return rc;
	body = json_pack("{s:s,s:I}", "encrypted_attrs", attrs, "attribute_version",
			 (json_int_t)next);
	free(attrs);
	if (!body)
		return sesame_error_nomem();
	snprintf(path, sizeof path, "/v1/vaults/%s", v->id);
	rc = api_call(s->api, "PATCH", path, body, &resp);
	if (rc == SESAME_ECONFLICT)
		sesame_error_set(rc, sesame_error_last()->kind,
				 "vault '%s' changed since attribute version %llu; fetch it and "
				 "retry",
				 v->name, (unsigned long long)v->attribute_version);
	if (rc == 0 && resp) {
		rc = client_vault_from_json(&nv, s, resp);
		if (rc == 0) {
			client_vault_clear(v);
			*v = nv;
		}
	} else if (rc == 0) {
		rc = vault_get_id(&nv, s, v->id);
		if (rc == 0) {
			client_vault_clear(v);
			*v = nv;
		}
	}
	json_decref(body);
	json_decref(resp);
	return rc;
}

int vault_delete(session *s, const client_vault *v)
{
	char path[64];
	snprintf(path, sizeof path, "/v1/vaults/%s", v->id);
	return api_call(s->api, "DELETE", path, NULL, NULL);
}
