/* SPDX-License-Identifier: Apache-2.0 */
/* Service accounts: create, list, get, revoke, rotate (service_accounts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "client/keyring.h"
#include "client/service_accounts.h"
#include "client/vaults.h"
#include "crypto/ids.h"
#include "crypto/secmem.h"
#include "error.h"
#include "token/sa_token.h"

static const struct {
	unsigned bit;
	const char *name;
} perm_names[] = {
	{SA_CLIENT_READ, "read_items"},
	{SA_CLIENT_WRITE, "write_items"},
	{SA_CLIENT_SHARE, "share_items"},
};

#define NPERM_NAMES (sizeof perm_names / sizeof perm_names[0])

unsigned sa_perm_parse(const char *name, size_t len)
{
	for (size_t i = 0; i < NPERM_NAMES; i++)
		if (strlen(perm_names[i].name) == len &&
		    strncmp(perm_names[i].name, name, len) == 0)
			return perm_names[i].bit;
	return 0;
}

/* A vault of the list by id, exact name, then name ignoring ASCII case. */
static client_vault *pick_vault(client_vault *list, size_t n, const char *want)
{
	client_vault *hit = NULL;
	size_t hits = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].id, want) == 0)
			return &list[i];
	for (size_t i = 0; i < n; i++)
		if (list[i].name && strcmp(list[i].name, want) == 0) {
			hit = &list[i];
			hits++;
		}
	if (hits == 0)
		for (size_t i = 0; i < n; i++)
			if (list[i].name && strcasecmp(list[i].name, want) == 0) {
				hit = &list[i];
				hits++;
			}
	if (hits > 1) {
		sesame_error_set(SESAME_EAMBIGUOUS, "vault_ambiguous",
				 "more than one vault is named '%s'; use its id", want);
		return NULL;
	}
	if (!hit)
		sesame_error_set(SESAME_ENOTFOUND, "vault_not_found", "vault '%s' not found", want);
	return hit;
}

/*
 * A fresh identity: id, seed, keyset and token. *token in secure memory;
 * the body gets the id and public keys.
 */
static int new_identity(char **token, keyset **ks, json_t *body, session *s)
{
	char id[ID_SIZE], box[KEYSET_PUBLIC_B64_SIZE], sign[KEYSET_PUBLIC_B64_SIZE];
	unsigned char *seed = secmem_alloc(SA_TOKEN_SEED_BYTES);
	sa_token *t = NULL;
	int rc;

	*token = NULL;
	*ks = NULL;
	if (!seed)
		return SESAME_ENOMEM;
	id_new(id);
	randombytes_buf(seed, SA_TOKEN_SEED_BYTES);
	rc = keyset_from_seed(ks, seed);
	rc = rc ? rc : sa_token_new(&t, s->me.account_id, id, api_url(s->api), seed);
	rc = rc ? rc : sa_token_encode(token, t);
	rc = rc ? rc : keyset_box_public_b64(box, sizeof box, *ks);
	rc = rc ? rc : keyset_sign_public_b64(sign, sizeof sign, *ks);
	if (!rc && (json_object_set_new(body, "service_account_id", json_string(id)) ||
		    json_object_set_new(body, "box_public_key", json_string(box)) ||
		    json_object_set_new(body, "sign_public_key", json_string(sign))))
		rc = sesame_error_nomem();
	sa_token_free(t);
	secmem_free(seed);
	if (rc) {
		sa_token_string_free(*token);
		*token = NULL;
		keyset_free(*ks);
		*ks = NULL;
	}
	return rc;
}

int sa_create(char **token, json_t **sa, session *s, const sa_create_input *in)
{
	client_vault *list = NULL;
	size_t n = 0;
	keyset *ks = NULL;
	json_t *body = NULL, *vaults;
	int rc;

	*token = NULL;
	*sa = NULL;
	if (!in->name || !*in->name)
		return sesame_error_set(SESAME_EINVAL, "invalid_name",
					"service account name is empty");
	body = json_pack("{s:s,s:b,s:[]}", "name", in->name, "can_create_vaults",
			 in->can_create_vaults, "vaults");
	if (!body)
		return sesame_error_set(SESAME_EINVAL, "invalid_name",
					"service account name is not valid utf-8");
	if (in->expires_in > 0 &&
	    json_object_set_new(body, "expires_in", json_integer(in->expires_in))) {
		rc = sesame_error_nomem();
		goto out;
	}
	rc = in->nvaults ? vaults_list(&list, &n, s) : 0;
	if (rc)
		goto out;
	rc = new_identity(token, &ks, body, s);
	if (rc)
		goto out;
	vaults = json_object_get(body, "vaults");
	for (size_t i = 0; i < in->nvaults && !rc; i++) {
		client_vault *v = pick_vault(list, n, in->vaults[i].vault);
		const unsigned char *key;
		unsigned perms = in->vaults[i].perms ? in->vaults[i].perms : SA_CLIENT_READ;
		json_t *row, *names;
		if (!v) {
			rc = sesame_error_last()->code;
			break;
		}
		if (strcmp(v->type, "personal") == 0 || strcmp(v->type, "everyone") == 0) {
			rc = sesame_error_set(SESAME_EPERM, "forbidden",
					      "vault '%s' is %s: it cannot be granted to a service "
					      "account",
					      v->name,
					      strcmp(v->type, "personal") == 0
						      ? "a personal (Private) vault"
						      : "the account's default Shared vault");
			break;
		}
		key = keyring_vault_key(s->kr, v->id);
		if (!key) {
			rc = sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					      "cannot open the key of vault '%s'", v->name);
			break;
		}
		names = json_array();
		for (size_t k = 0; names && k < NPERM_NAMES; k++)
			if (perms & perm_names[k].bit)
				json_array_append_new(names, json_string(perm_names[k].name));
		row = names ? json_pack("{s:s,s:o}", "vault_id", v->id, "permissions", names)
			    : NULL;
		if (!row || json_array_append_new(vaults, row)) {
			rc = sesame_error_nomem();
			break;
		}
		rc = seal_to_json(row, "sealed_key", key, VAULT_KEY_BYTES,
				  keyset_box_public_key(ks));
	}
	rc = rc ? rc : api_call(s->api, "POST", "/v1/service-accounts", body, sa);
out:
	if (rc) {
		sa_token_string_free(*token);
		*token = NULL;
	}
	keyset_free(ks);
	json_decref(body);
	client_vaults_free(list, n);
	return rc;
}

int sa_list(json_t **out, session *s)
{
	return api_call(s->api, "GET", "/v1/service-accounts", NULL, out);
}

static bool is_live(const json_t *o)
{
	const char *st = json_string_value(json_object_get(o, "state"));
	return st && strcmp(st, "active") == 0 && !json_object_get(o, "rotated_to");
}

int sa_get(json_t **out, session *s, const char *name_or_id)
{
	json_t *resp = NULL, *arr, *o, *live = NULL, *last = NULL;
	size_t i, nlive = 0;
	int rc;

	*out = NULL;
	if (id_is_valid(name_or_id)) {
		char path[64];
		snprintf(path, sizeof path, "/v1/service-accounts/%s", name_or_id);
		rc = api_call(s->api, "GET", path, NULL, out);
		if (rc != SESAME_ENOTFOUND)
			return rc;
	}
	rc = sa_list(&resp, s);
	if (rc)
		return rc;
	arr = json_object_get(resp, "service_accounts");
	json_array_foreach(arr, i, o)
	{
		const char *name = json_string_value(json_object_get(o, "name"));
		if (!name || strcmp(name, name_or_id) != 0)
			continue;
		last = o;
		if (is_live(o)) {
			live = o;
			nlive++;
		}
	}
	if (nlive > 1)
		rc = sesame_error_set(SESAME_EAMBIGUOUS, "service_account_ambiguous",
				      "more than one service account is named '%s'; use its id",
				      name_or_id);
	else if (!live && !last)
		rc = sesame_error_set(SESAME_ENOTFOUND, "service_account_not_found",
				      "service account '%s' not found", name_or_id);
	else
		*out = json_incref(live ? live : last);
	json_decref(resp);
	return rc;
}

int sa_revoke(json_t **out, session *s, const char *name_or_id)
{
	json_t *sa = NULL;
	char path[96];
	int rc = sa_get(&sa, s, name_or_id);

	if (out)
		*out = NULL;
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/v1/service-accounts/%s/revoke",
		 json_string_value(json_object_get(sa, "id")));
	json_decref(sa);
	return api_call(s->api, "POST", path, NULL, out);
}

int sa_rotate(char **token, json_t **out, session *s, const char *name_or_id, long long grace)
{
	client_vault *list = NULL;
	size_t n = 0, i;
	keyset *ks = NULL;
	json_t *sa = NULL, *body = NULL, *vaults, *row;
	char path[96];
	int rc;

	*token = NULL;
	*out = NULL;
	rc = sa_get(&sa, s, name_or_id);
	if (rc)
		return rc;
	body = json_pack("{s:I,s:[]}", "grace_seconds", (json_int_t)grace, "vaults");
	if (!body) {
		rc = sesame_error_nomem();
		goto out;
	}
	rc = vaults_list(&list, &n, s);
	rc = rc ? rc : new_identity(token, &ks, body, s);
	if (rc)
		goto out;
	vaults = json_object_get(body, "vaults");
	json_array_foreach(json_object_get(sa, "vaults"), i, row)
	{
		const char *vid = json_string_value(json_object_get(row, "vault_id"));
		const unsigned char *key = vid ? keyring_vault_key(s->kr, vid) : NULL;
		json_t *o;
		if (!key) {
			rc = sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					      "cannot open the key of vault '%s': rotating needs "
					      "access to every vault of the service account",
					      vid ? vid : "?");
			break;
		}
		o = json_pack("{s:s}", "vault_id", vid);
		if (!o || json_array_append_new(vaults, o)) {
			rc = sesame_error_nomem();
			break;
		}
		rc = seal_to_json(o, "sealed_key", key, VAULT_KEY_BYTES, keyset_box_public_key(ks));
		if (rc)
			break;
	}
	if (rc)
		goto out;
	snprintf(path, sizeof path, "/v1/service-accounts/%s/rotate",
		 json_string_value(json_object_get(sa, "id")));
	rc = api_call(s->api, "POST", path, body, out);
out:
	if (rc) {
		sa_token_string_free(*token);
		*token = NULL;
	}
	keyset_free(ks);
	json_decref(sa);
	json_decref(body);
	client_vaults_free(list, n);
	return rc;
}
