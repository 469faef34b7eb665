/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "b64.h"
#include "client/items.h"
#include "crypto/aead.h"
#include "crypto/blind_index.h"
#include "crypto/secmem.h"
#include "error.h"
#include "item/item_json.h"
#include "json.h"

#define ITEMS_LIST_MAX 100000
#define BLOB_MAX       (ITEM_MAX_JSON_BYTES + AEAD_OVERHEAD)

static void wipe_free(char *s)
{
	if (s) {
		secmem_wipe(s, strlen(s));
		free(s);
	}
}

static int encrypt_blob(json_t *body, const char *key, const char *pt, const char *account_id,
			const item *it, uint64_t version, const char *purpose,
			const unsigned char vkey[32])
{
	unsigned char ad[AEAD_ITEM_AD_MAX];
	size_t ad_len = 0, ct_len = 0, pt_len = strlen(pt);
	unsigned char *ct = malloc(pt_len + AEAD_OVERHEAD);
	int rc;

	if (!ct)
		return sesame_error_nomem();
	rc = aead_item_ad(ad, sizeof ad, &ad_len, account_id, it->vault_id, it->id, version,
			  purpose);
	rc = rc ? rc
		: aead_encrypt(ct, pt_len + AEAD_OVERHEAD, &ct_len, (const unsigned char *)pt,
			       pt_len, ad, ad_len, vkey);
	rc = rc ? rc : api_set_b64(body, key, ct, ct_len);
	free(ct);
	return rc;
}

int items_build_body(json_t **out, const char *account_id, const unsigned char vault_key[32],
		     const item *it, uint64_t version)
{
	unsigned char ikey[BLIND_INDEX_KEYBYTES];
	char idx[BLIND_INDEX_TEXT_SIZE];
	char *details = NULL, *overview = NULL;
	json_t *body = NULL, *tags;
	int rc;

	*out = NULL;
	item *copy = item_dup(it);
	if (!copy)
		return SESAME_ENOMEM;
	copy->version = version;
	rc = item_to_json(&details, copy);
	rc = rc ? rc : item_overview_to_json(&overview, copy);
	item_free(copy);
	if (rc)
		goto out;
	rc = blind_index_key(ikey, vault_key);
	rc = rc ? rc : blind_index_text(idx, ikey, it->title, strlen(it->title));
	if (rc)
		goto out;
	body = json_pack("{s:s,s:I,s:s,s:[]}", "id", it->id, "version", (json_int_t)version,
			 "title_index", idx, "tag_indexes");
	if (!body) {
		rc = sesame_error_nomem();
		goto out;
	}
	tags = json_object_get(body, "tag_indexes");
	for (size_t i = 0; !rc && i < it->ntags; i++) {
		rc = blind_index_text(idx, ikey, it->tags[i], strlen(it->tags[i]));
		if (!rc && json_array_append_new(tags, json_string(idx)))
			rc = sesame_error_nomem();
	}
	rc = rc ? rc
		: encrypt_blob(body, "overview", overview, account_id, it, version, "overview",
			       vault_key);
	rc = rc ? rc
		: encrypt_blob(body, "details", details, account_id, it, version, "details",
			       vault_key);
	if (rc)
		goto out;
	*out = body;
	body = NULL;
out:
	secmem_wipe(ikey, sizeof ikey);
	wipe_free(details);
	wipe_free(overview);
	json_decref(body);
	return rc;
}

int items_decrypt_blob(char **out, size_t *out_len, const char *account_id, const char *vault_id,
		       const char *item_id, uint64_t version, const char *purpose,
		       const unsigned char vault_key[32], const char *b64)
{
	unsigned char ad[AEAD_ITEM_AD_MAX];
	size_t ad_len = 0, ct_len = 0, tlen = strlen(b64), pt_len = 0;
	unsigned char *ct = NULL;
	char *pt = NULL;
	int rc;

	*out = NULL;
	if (tlen > b64_encoded_size(BLOB_MAX, B64_URL_NOPAD))
		return sesame_error_set(SESAME_ETOOBIG, "bad_response", "item '%s' is too big",
					item_id);
	size_t cap = b64_decoded_max(tlen) + 1;
	ct = malloc(cap);
	pt = malloc(cap + 1);
	if (!ct || !pt) {
		rc = sesame_error_nomem();
		goto out;
	}
	/* Ciphertext is public: the fast decoder is fine here. */
	if (b64_decode_public(ct, cap, &ct_len, b64, tlen, B64_URL_NOPAD) != 0 ||
	    ct_len < AEAD_OVERHEAD) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response", "item '%s' has a malformed %s",
				      item_id, purpose);
		goto out;
	}
	rc = aead_item_ad(ad, sizeof ad, &ad_len, account_id, vault_id, item_id, version, purpose);
	if (rc)
		goto out;
	rc = aead_decrypt((unsigned char *)pt, cap, &pt_len, ct, ct_len, ad, ad_len, vault_key);
	if (rc) {
		sesame_error_set(rc, "decryption_failed",
				 "cannot decrypt the %s of item '%s' version %llu (wrong key, or "
				 "the server changed it)",
				 purpose, item_id, (unsigned long long)version);
		goto out;
	}
	pt[pt_len] = '\0';
	*out = pt;
	*out_len = pt_len;
	pt = NULL;
out:
	free(ct);
	if (pt) {
		secmem_wipe(pt, cap + 1);
		free(pt);
	}
	return rc;
}

/* What an item object of an answer carries around its ciphertext. */
typedef struct {
	const char *id;	      /* NULL: missing */
	const char *blob;     /* the details or overview, b64u; NULL: missing */
	const char *vault_id; /* NULL: not given */
	const char *state;    /* NULL: not given (active) */
	long long version;    /* 0: missing or not an integer */
} envelope;

/*
 * Decrypts and decodes an item of vault `vault_id` under `key` from its
 * envelope (details when `full`, else the overview).
 */
static int open_envelope(item **out, const char *account_id, const char *vault_id,
			 const unsigned char *key, const envelope *env, bool full)
{
	char *pt = NULL;
	size_t pt_len = 0;
	item *it = NULL;
	int rc;

	*out = NULL;
	if (!env->id || !env->blob)
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"server answer lacks the string '%s'",
					!env->id ? "id" : full ? "details" : "overview");
	if (!id_is_valid(env->id) || env->version < 1)
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed item object");
	if (env->vault_id && strcmp(env->vault_id, vault_id) != 0)
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"item '%s' belongs to another vault", env->id);
	rc = items_decrypt_blob(&pt, &pt_len, account_id, vault_id, env->id,
				(uint64_t)env->version, full ? "details" : "overview", key,
				env->blob);
	if (rc)
		return rc;
	rc = full ? item_from_json(&it, pt, pt_len) : item_overview_from_json(&it, pt, pt_len);
	secmem_wipe(pt, pt_len);
	free(pt);
	if (rc)
		return rc;
	if (strcmp(it->id, env->id) != 0 || (it->vault_id[0] && strcmp(it->vault_id, vault_id) != 0) ||
	    (full && it->version != (uint64_t)env->version)) {
		item_free(it);
		return sesame_error_set(SESAME_EDECRYPT, "item_mismatch",
					"item '%s' does not match its envelope", env->id);
	}
	memcpy(it->vault_id, vault_id, ID_SIZE);
	it->version = (uint64_t)env->version;
	it->state = env->state && strcmp(env->state, "archived") == 0 ? ITEM_STATE_ARCHIVED
								       : ITEM_STATE_ACTIVE;
	*out = it;
	return 0;
}

/* As open_envelope(), with the vault's key from the session's keyring. */
static int item_from_envelope(item **out, session *s, const client_vault *v, const envelope *env,
			      bool full)
{
	const unsigned char *key = keyring_vault_key(s->kr, v->id);

	*out = NULL;
	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", v->name);
	return open_envelope(out, s->me.account_id, v->id, key, env, full);
}

/* Decodes an item object of a jansson answer. */
static int item_from_object(item **out, session *s, const client_vault *v, const json_t *obj,
			    bool full)
{
	const json_t *jv = json_object_get(obj, "version");
	envelope env = {
		.id = json_string_value(json_object_get(obj, "id")),
		.blob = json_string_value(json_object_get(obj, full ? "details" : "overview")),
		.vault_id = json_string_value(json_object_get(obj, "vault_id")),
		.state = json_string_value(json_object_get(obj, "state")),
		.version = json_is_integer(jv) ? (long long)json_integer_value(jv) : 0,
	};
	return item_from_envelope(out, s, v, &env, full);
}

/* The envelope of a document's item object; false when it is not an object. */
static bool doc_envelope(envelope *env, const jdoc_val *obj, bool full)
{
	const jdoc_val *jv = jdoc_get(obj, "version");

	*env = (envelope){
		.id = jdoc_str(obj, "id"),
		.blob = jdoc_str(obj, full ? "details" : "overview"),
		.vault_id = jdoc_str(obj, "vault_id"),
		.state = jdoc_str(obj, "state"),
		.version = jv && jv->type == JDOC_INTEGER ? jv->u.i : 0,
	};
	return obj && obj->type == JDOC_OBJECT;
}

int items_decode_doc(item **out, session *s, const client_vault *v, const jdoc_val *obj,
		     bool full)
{
	envelope env;

	*out = NULL;
	if (!doc_envelope(&env, obj, full))
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed item object");
	return item_from_envelope(out, s, v, &env, full);
}

int items_open_doc(item **out, const char *account_id, const char *vault_id,
		   const unsigned char key[32], const jdoc_val *obj)
{
	envelope env;

	*out = NULL;
	if (!doc_envelope(&env, obj, true))
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed item object");
	return open_envelope(out, account_id, vault_id, key, &env, true);
}

int items_create(session *s, const client_vault *v, item *it)
{
	const unsigned char *key = keyring_vault_key(s->kr, v->id);
	char path[96];
	json_t *body = NULL, *resp = NULL;
	item saved = *it;
	int rc;

	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", v->name);
	id_new(it->id);
	memcpy(it->vault_id, v->id, ID_SIZE);
	it->created_at = it->updated_at = (int64_t)time(NULL);
	rc = items_build_body(&body, s->me.account_id, key, it, 1);
	snprintf(path, sizeof path, "/v1/vaults/%s/items", v->id);
	rc = rc ? rc : api_call(s->api, "POST", path, body, &resp);
	json_decref(body);
	json_decref(resp);
	if (rc) {
		memcpy(it->id, saved.id, sizeof it->id);
		memcpy(it->vault_id, saved.vault_id, sizeof it->vault_id);
		it->created_at = saved.created_at;
		it->updated_at = saved.updated_at;
		return rc;
	}
	it->version = 1;
	return 0;
}

int items_get(item **out, session *s, const client_vault *v, const char *item_id)
{
	char path[96];
	json_t *resp = NULL;
	int rc;

	*out = NULL;
	if (!id_is_valid(item_id))
		return sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
					item_id);
	snprintf(path, sizeof path, "/v1/vaults/%s/items/%s", v->id, item_id);
	rc = api_call(s->api, "GET", path, NULL, &resp);
	rc = rc ? rc : item_from_object(out, s, v, resp, true);
	json_decref(resp);
	return rc;
}

void items_list_free(item **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		item_free(list[i]);
	free(list);
}

static int list_query(item ***out, size_t *n, session *s, const client_vault *v, const char *query)
{
	char path[256];
	json_t *resp = NULL, *arr, *o;
	item **list = NULL;
	size_t i, cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof path, "/v1/vaults/%s/items%s", v->id, query);
	rc = api_call(s->api, "GET", path, NULL, &resp);
	if (rc)
		return rc;
	arr = json_object_get(resp, "items");
	if (!json_is_array(arr) || json_array_size(arr) > ITEMS_LIST_MAX) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response", "server answer lacks 'items'");
		goto out;
	}
	list = calloc(json_array_size(arr) + 1, sizeof *list);
	if (!list) {
		rc = sesame_error_nomem();
		goto out;
	}
	json_array_foreach(arr, i, o)
	{
		rc = item_from_object(&list[cnt], s, v, o, false);
		if (rc)
			goto out;
		cnt++;
	}
	*out = list;
	*n = cnt;
	list = NULL;
out:
	items_list_free(list, cnt);
	json_decref(resp);
	return rc;
}

int items_list(item ***out, size_t *n, session *s, const client_vault *v, items_state state)
{
	static const char *const q[] = {"?state=active", "?state=archived", "?state=all"};
	return list_query(out, n, s, v, q[state]);
}

int items_find(item **out, session *s, const client_vault *v, const char *name_or_id)
{
	const unsigned char *key = keyring_vault_key(s->kr, v->id);
	unsigned char ikey[BLIND_INDEX_KEYBYTES];
	char idx[BLIND_INDEX_TEXT_SIZE], query[128];
	item **list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if (id_is_valid(name_or_id)) {
		rc = items_get(out, s, v, name_or_id);
		if (rc != SESAME_ENOTFOUND)
			return rc;
	}
	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", v->name);
	rc = blind_index_key(ikey, key);
	rc = rc ? rc : blind_index_text(idx, ikey, name_or_id, strlen(name_or_id));
	secmem_wipe(ikey, sizeof ikey);
	if (rc)
		return rc;
	snprintf(query, sizeof query, "?state=all&title=%s", idx);
	rc = list_query(&list, &n, s, v, query);
	if (rc)
		return rc;
	if (n == 0)
		rc = sesame_error_set(SESAME_ENOTFOUND, "item_not_found",
				      "item '%s' not found in vault '%s'", name_or_id, v->name);
	else if (n > 1)
		rc = sesame_error_set(SESAME_EAMBIGUOUS, "item_ambiguous",
				      "more than one item in vault '%s' is titled '%s'; use its id",
				      v->name, name_or_id);
	else
		rc = items_get(out, s, v, list[0]->id);
	items_list_free(list, n);
	return rc;
}

int items_update(session *s, const client_vault *v, item *it)
{
	const unsigned char *key = keyring_vault_key(s->kr, v->id);
	char path[96];
	json_t *body = NULL, *resp = NULL;
	int64_t saved = it->updated_at;
	int rc;

	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", v->name);
	it->updated_at = (int64_t)time(NULL);
	if (it->updated_at < it->created_at)
		it->updated_at = it->created_at;
	rc = items_build_body(&body, s->me.account_id, key, it, it->version + 1);
	snprintf(path, sizeof path, "/v1/vaults/%s/items/%s", v->id, it->id);
	rc = rc ? rc : api_call(s->api, "PUT", path, body, &resp);
	json_decref(body);
	json_decref(resp);
	if (rc == SESAME_ECONFLICT)
		sesame_error_set(rc, "conflict",
				 "item '%s' changed since version %llu; fetch it and retry",
				 it->title, (unsigned long long)it->version);
	if (rc) {
		it->updated_at = saved;
		return rc;
	}
	it->version++;
	return 0;
}

static int item_post(session *s, const client_vault *v, const char *item_id, const char *what)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/vaults/%s/items/%s/%s", v->id, item_id, what);
	return api_call(s->api, "POST", path, NULL, NULL);
}

int items_archive(session *s, const client_vault *v, const char *item_id)
{
	return item_post(s, v, item_id, "archive");
}

int items_restore(session *s, const client_vault *v, const char *item_id)
{
	return item_post(s, v, item_id, "restore");
}

int items_delete(session *s, const client_vault *v, const char *item_id)
{
	char path[96];
	snprintf(path, sizeof path, "/v1/vaults/%s/items/%s", v->id, item_id);
	return api_call(s->api, "DELETE", path, NULL, NULL);
}

int items_decode_object(item **out, session *s, const client_vault *v, const json_t *obj,
			bool full)
{
	return item_from_object(out, s, v, obj, full);
}

int items_list_filtered(item ***out, size_t *n, session *s, const client_vault *v,
			items_state state, const char *title, const char *tag)
{
	static const char *const q[] = {"?state=active", "?state=archived", "?state=all"};
	const unsigned char *key = keyring_vault_key(s->kr, v->id);
	unsigned char ikey[BLIND_INDEX_KEYBYTES];
	char idx[BLIND_INDEX_TEXT_SIZE], query[256];
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!title && !tag)
		return list_query(out, n, s, v, q[state]);
	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", v->name);
	snprintf(query, sizeof query, "%s", q[state]);
	rc = blind_index_key(ikey, key);
	if (rc == 0 && title) {
		rc = blind_index_text(idx, ikey, title, strlen(title));
		if (rc == 0)
			snprintf(query + strlen(query), sizeof query - strlen(query), "&title=%s",
				 idx);
	}
	if (rc == 0 && tag) {
		rc = blind_index_text(idx, ikey, tag, strlen(tag));
		if (rc == 0)
			snprintf(query + strlen(query), sizeof query - strlen(query), "&tag=%s",
				 idx);
	}
	secmem_wipe(ikey, sizeof ikey);
	return rc ? rc : list_query(out, n, s, v, query);
}
