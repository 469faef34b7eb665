/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SDK's named operations: JSON parameters in, JSON in the SDK's
 * shapes out (1Password's operation names where the operation is the
 * same). docs/sdk.md lists each with its parameters and result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/account.h"
#include "crypto/secmem.h"
#include "error.h"
#include "item/item_json.h"
#include "json.h"
#include "sdk/sdk_internal.h"

#define BATCH_MAX 50

typedef int (*op_fn)(sdk_ctx *ctx, const json_t *p, json_t **out);

/* ---- parameter helpers ---- */

__attribute__((format(printf, 1, 2))) int sdk_bad(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return sesame_error_set(SESAME_EINVAL, "invalid_params", "%s", msg);
}

#define bad sdk_bad

int sdk_req_str(const json_t *p, const char *key, const char **out)
{
	*out = json_string_value(json_object_get(p, key));
	if (!*out || !**out)
		return bad("missing string parameter '%s'", key);
	return 0;
}

#define req_str sdk_req_str

static int req_id(const json_t *p, const char *key, const char **out)
{
	int rc = req_str(p, key, out);
	if (rc == 0 && !id_is_valid(*out))
		return sesame_error_set(SESAME_ENOTFOUND, "not_found", "'%s' is not a valid id",
					key);
	return rc;
}

static json_t *str_or_empty(const char *s)
{
	return json_string(s ? s : "");
}

static int set(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v) ? sesame_error_nomem() : 0;
}

/* "user_created" -> "userCreated". */
json_t *sdk_camel(const char *s)
{
	char buf[64];
	size_t j = 0;
	bool up = false;

	for (; s && *s && j + 1 < sizeof buf; s++) {
		if (*s == '_') {
			up = true;
			continue;
		}
		buf[j++] = up && *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;
		up = false;
	}
	buf[j] = '\0';
	return json_string(buf);
}

#define camel sdk_camel

static json_t *vault_json(const client_vault *v)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:I,s:I,s:I,s:s,s:s}", "id", v->id, "title",
			 v->name ? v->name : "", "description",
			 v->description ? v->description : "", "vaultType", camel(v->type),
			 "activeItemCount", (json_int_t)v->items, "contentVersion",
			 (json_int_t)v->content_version, "attributeVersion",
			 (json_int_t)v->attribute_version, "createdAt", v->created_at, "updatedAt",
			 v->updated_at);
}

static int item_out(json_t **out, const item *it, bool overview)
{
	*out = overview ? item_overview_to_jsonv(it) : item_to_jsonv(it);
	return *out ? 0 : sesame_error_last()->code ? sesame_error_last()->code : SESAME_ENOMEM;
}

static int find_vault(client_vault *v, sdk_ctx *ctx, const json_t *p, const char *key)
{
	const char *vid;
	int rc = req_str(p, key, &vid);
	return rc ? rc : sdk_vault_find(v, ctx, vid);
}

/* ---- secrets ---- */

static const char *error_type(const char *kind)
{
	static const struct {
		const char *kind, *type;
	} map[] = {
		{"invalid_reference", "parsing"},
		{"vault_not_found", "vaultNotFound"},
		{"too_many_vaults", "tooManyVaults"},
		{"item_not_found", "itemNotFound"},
		{"too_many_items", "tooManyItems"},
		{"too_many_matching_fields", "tooManyMatchingFields"},
		{"no_matching_sections", "noMatchingSections"},
		{"field_not_found", "fieldNotFound"},
		{"incompatible_totp_query_parameter_field", "incompatibleTOTPQueryParameterField"},
		{"unable_to_generate_totp_code", "unableToGenerateTotpCode"},
		{"incompatible_ssh_key_query_parameter_field",
		 "incompatibleSshKeyQueryParameterField"},
		{"unable_to_parse_private_key", "unableToParsePrivateKey"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].kind, kind) == 0)
			return map[i].type;
	return "other";
}

static int op_secrets_resolve(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	sdk_resolved r;
	const char *ref;
	int rc = req_str(p, "secret_reference", &ref);

	if (rc)
		return rc;
	memset(&r, 0, sizeof r);
	rc = sdk_resolve_many(ctx, &ref, 1, &r);
	if (rc == 0 && r.code)
		rc = sesame_error_set(r.code, r.kind, "%s", r.message);
	if (rc == 0) {
		*out = json_string(r.value);
		if (!*out)
			rc = sesame_error_set(SESAME_EINVAL, "invalid_utf8",
					      "the secret is not valid utf-8");
	}
	sdk_resolved_clear(&r, 1);
	return rc;
}

static int op_secrets_resolve_all(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *arr = json_object_get(p, "secret_references"), *res = NULL, *v;
	const char **refs = NULL;
	sdk_resolved *r = NULL;
	size_t n = json_array_size(arr), i;
	int rc = 0;

	if (!json_is_array(arr))
		return bad("missing array parameter '%s'", "secret_references");
	if (n > SDK_RESOLVE_MAX)
		return sesame_error_set(SESAME_ETOOBIG, "too_many",
					"at most %d references per call", SDK_RESOLVE_MAX);
	refs = calloc(n + 1, sizeof *refs);
	r = calloc(n + 1, sizeof *r);
	res = json_object();
	if (!refs || !r || !res) {
		rc = sesame_error_nomem();
		goto out;
	}
	json_array_foreach(arr, i, v)
	{
		refs[i] = json_string_value(v);
		if (!refs[i]) {
			rc = bad("'%s' must hold strings", "secret_references");
			goto out;
		}
	}
	rc = sdk_resolve_many(ctx, refs, n, r);
	for (i = 0; rc == 0 && i < n; i++) {
		json_t *one;
		if (r[i].code == 0)
			one = json_pack("{s:{s:s,s:s,s:s}}", "content", "secret", r[i].value,
					"itemId", r[i].item_id, "vaultId", r[i].vault_id);
		else
			one = json_pack("{s:{s:s,s:s,s:s}}", "error", "type", error_type(r[i].kind),
					"kind", r[i].kind, "message", r[i].message);
		if (!one)
			rc = sesame_error_set(SESAME_EINVAL, "invalid_utf8",
					      "a secret is not valid utf-8");
		else
			rc = set(res, refs[i], one);
	}
	if (rc == 0) {
		*out = json_pack("{s:o}", "individualResponses", res);
		res = NULL;
		if (!*out)
			rc = sesame_error_nomem();
	}
out:
	if (r) {
		sdk_resolved_clear(r, n);
		free(r);
	}
	free(refs);
	item_jsonv_free(res);
	return rc;
}

/* ---- items ---- */

/* The cache key of an ItemsGet answer. */
static void item_cache_key(char key[80], const char *vid, const char *iid)
{
	snprintf(key, 80, "item:%.26s/%.26s", vid, iid);
}

/* Answers from a cached item (its plaintext JSON). */
static int cached_item_out(json_t **out, const char *text, size_t len)
{
	item *it = NULL;
	int rc = item_from_json(&it, text, len);

	rc = rc ? rc : item_out(out, it, false);
	item_free(it);
	return rc;
}

/* Keeps an item's plaintext, with the ETag of its answer, for later reads. */
static void item_cache_put(sdk_ctx *ctx, const item *it, const client_vault *v, const char *etag)
{
	char key[80], *text = NULL;

	if (!ctx->c->cache_ttl || item_to_json(&text, it) != 0)
		return;
	item_cache_key(key, v->id, it->id);
	sdk_cache_put_tagged(ctx->c, key, text, strlen(text), it->id, v->id, etag);
	secmem_wipe(text, strlen(text));
	free(text);
}

/*
 * GETs item `iid` of `v` by id, conditionally when `etag` is set: on a
 * 304, *out stays NULL and *not_modified is true. `etag_out` gets the
 * answer's tag.
 */
static int item_fetch(item **out, sdk_ctx *ctx, const client_vault *v, const char *iid,
		      const char *etag, char etag_out[API_ETAG_MAX], bool *not_modified)
{
	char path[96];
	json_t *resp = NULL;
	int rc;

	*out = NULL;
	snprintf(path, sizeof path, "/v1/vaults/%s/items/%s", v->id, iid);
	rc = api_get_conditional(ctx->s.api, path, etag, &resp, etag_out, not_modified);
	if (rc == 0 && !*not_modified)
		rc = items_decode_object(out, &ctx->s, v, resp, true);
	json_decref(resp);
	return rc;
}

/*
 * An expired entry with a tag: one conditional GET. A 304 says the cached
 * plaintext is still what the server holds (the tag is a hash of the whole
 * answer, ciphertext and version included): the entry lives another TTL
 * and answers. A 200 brings the new item, which replaces it.
 */
static int item_revalidate(sdk_ctx *ctx, const char *key, const char *cached, size_t clen,
			   const char *cid, const char *cvid, const char *etag, json_t **out)
{
	client_vault v;
	item *it = NULL;
	char tag[API_ETAG_MAX];
	bool not_modified = false;
	int rc = sdk_vault_find(&v, ctx, cvid);

	if (rc)
		return rc;
	rc = item_fetch(&it, ctx, &v, cid, etag, tag, &not_modified);
	if (rc == 0 && not_modified) {
		sdk_cache_renew(ctx->c, key, etag);
		rc = cached_item_out(out, cached, clen);
	} else if (rc == 0) {
		rc = item_out(out, it, false);
		if (rc == 0)
			item_cache_put(ctx, it, &v, tag);
	}
	item_free(it);
	client_vault_clear(&v);
	return rc;
}

static int op_items_get(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	const char *vid, *iid;
	client_vault v;
	item *it = NULL;
	char key[80], *cached = NULL;
	char cid[ID_SIZE], cvid[ID_SIZE], etag[API_ETAG_MAX], tag[API_ETAG_MAX] = "";
	size_t clen = 0;
	bool fresh = false, not_modified = false;
	int rc = req_str(p, "vault_id", &vid);

	rc = rc ? rc : req_str(p, "item_id", &iid);
	if (rc)
		return rc;
	item_cache_key(key, vid, iid);
	if (sdk_cache_get_tagged(ctx->c, key, &cached, &clen, cid, cvid, etag, &fresh)) {
		rc = fresh ? cached_item_out(out, cached, clen)
			   : item_revalidate(ctx, key, cached, clen, cid, cvid, etag, out);
		secmem_free(cached);
		if (rc == 0 || !fresh)
			return rc;
		/* A live entry that no longer decodes: read the item again. */
	}
	rc = sdk_vault_find(&v, ctx, vid);
	if (rc)
		return rc;
	/*
	 * By id, the answer's ETag comes along for the cache. An id-shaped
	 * title (no item has that id) and other titles go through
	 * items_find(): those entries have no tag and only expire.
	 */
	rc = id_is_valid(iid) ? item_fetch(&it, ctx, &v, iid, NULL, tag, &not_modified)
			      : SESAME_ENOTFOUND;
	if (rc == SESAME_ENOTFOUND) {
		tag[0] = '\0';
		rc = items_find(&it, &ctx->s, &v, iid);
	}
	rc = rc ? rc : item_out(out, it, false);
	if (rc == 0)
		item_cache_put(ctx, it, &v, tag);
	item_free(it);
	client_vault_clear(&v);
	return rc;
}

static int op_items_create(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *params = json_object_get(p, "params");
	client_vault v;
	item *it = NULL;
	int rc;

	if (!json_is_object(params))
		return bad("missing object parameter '%s'", "params");
	rc = item_from_jsonv(&it, params);
	if (rc)
		return rc;
	rc = sdk_vault_find(&v, ctx, it->vault_id[0] ? it->vault_id : "");
	if (rc == 0) {
		rc = items_create(&ctx->s, &v, it);
		rc = rc ? rc : item_out(out, it, false);
		client_vault_clear(&v);
	}
	item_free(it);
	return rc;
}

static int op_items_put(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *params = json_object_get(p, "item");
	client_vault v;
	item *it = NULL;
	int rc;

	if (!json_is_object(params))
		return bad("missing object parameter '%s'", "item");
	rc = item_from_jsonv(&it, params);
	if (rc)
		return rc;
	if (!id_is_valid(it->id) || !it->vault_id[0] || it->version < 1) {
		item_free(it);
		return bad("the %s needs its id, vaultId and version", "item");
	}
	rc = sdk_vault_find(&v, ctx, it->vault_id);
	if (rc == 0) {
		rc = items_update(&ctx->s, &v, it);
		rc = rc ? rc : item_out(out, it, false);
		client_vault_clear(&v);
	}
	item_free(it);
	return rc;
}

static int item_simple(sdk_ctx *ctx, const json_t *p, json_t **out,
		       int (*fn)(session *, const client_vault *, const char *))
{
	const char *iid;
	client_vault v;
	int rc = req_id(p, "item_id", &iid);

	rc = rc ? rc : find_vault(&v, ctx, p, "vault_id");
	if (rc)
		return rc;
	rc = fn(&ctx->s, &v, iid);
	client_vault_clear(&v);
	if (rc == 0) {
		*out = json_null();
	}
	return rc;
}

static int op_items_delete(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return item_simple(ctx, p, out, items_delete);
}

static int op_items_archive(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return item_simple(ctx, p, out, items_archive);
}

static int op_items_restore(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return item_simple(ctx, p, out, items_restore);
}

static int op_items_list(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *filters = json_object_get(p, "filters"), *f, *arr = NULL;
	items_state state = ITEMS_ACTIVE;
	const char *title = NULL, *tag = NULL;
	client_vault v;
	item **list = NULL;
	size_t n = 0, i;
	int rc;

	if (filters && !json_is_array(filters) && !json_is_null(filters))
		return bad("'%s' must be an array", "filters");
	json_array_foreach(filters, i, f)
	{
		const char *type = json_string_value(json_object_get(f, "type"));
		json_t *content = json_object_get(f, "content");
		if (type && strcmp(type, "ByState") == 0 && json_is_object(content)) {
			bool act = json_is_true(json_object_get(content, "active"));
			bool arc = json_is_true(json_object_get(content, "archived"));
			state = act && arc ? ITEMS_ALL : arc ? ITEMS_ARCHIVED : ITEMS_ACTIVE;
		} else if (type && strcmp(type, "ByTitle") == 0 && json_is_string(content)) {
			title = json_string_value(content);
		} else if (type && strcmp(type, "ByTag") == 0 && json_is_string(content)) {
			tag = json_string_value(content);
		} else {
			return bad("unknown filter in '%s' (ByState, ByTitle, ByTag)", "filters");
		}
	}
	rc = find_vault(&v, ctx, p, "vault_id");
	if (rc)
		return rc;
	rc = items_list_filtered(&list, &n, &ctx->s, &v, state, title, tag);
	arr = rc ? NULL : json_array();
	if (!rc && !arr)
		rc = sesame_error_nomem();
	for (i = 0; rc == 0 && i < n; i++) {
		json_t *o = NULL;
		rc = item_out(&o, list[i], true);
		if (rc == 0 && json_array_append_new(arr, o))
			rc = sesame_error_nomem();
	}
	if (rc == 0) {
		*out = arr;
		arr = NULL;
	}
	json_decref(arr);
	items_list_free(list, n);
	client_vault_clear(&v);
	return rc;
}

/* One batch request; *results is its "results" array (new reference). */
static int batch_call(sdk_ctx *ctx, const client_vault *v, json_t *body, json_t **results)
{
	char path[96];
	json_t *resp = NULL;
	int rc;

	snprintf(path, sizeof path, "/v1/vaults/%s/items/batch", v->id);
	rc = api_call(ctx->s.api, "POST", path, body, &resp);
	if (rc)
		return rc;
	*results = json_incref(json_object_get(resp, "results"));
	json_decref(resp);
	if (!json_is_array(*results)) {
		json_decref(*results);
		*results = NULL;
		return sesame_error_set(SESAME_EINVAL, "bad_response", "batch answer lacks results");
	}
	return 0;
}

static json_t *failure(const json_t *err, const char *fallback_type)
{
	const char *code = json_string_value(json_object_get(err, "code"));
	const char *msg = json_string_value(json_object_get(err, "message"));
	const char *type = fallback_type;

	if (code && strstr(code, "not_found"))
		type = "itemNotFound";
	else if (code && (strcmp(code, "permission_denied") == 0 || strcmp(code, "forbidden") == 0))
		type = "itemStatusPermissionError";
	else if (code && strcmp(code, "conflict") == 0)
		type = "itemStatusIncorrectItemVersion";
	else if (code && strcmp(code, "too_big") == 0)
		type = "itemStatusTooBig";
	return json_pack("{s:{s:s,s:s,s:s}}", "error", "type", type, "kind", code ? code : "error",
			 "message", msg ? msg : "");
}

static int ids_param(const json_t *p, json_t **ids)
{
	json_t *arr = json_object_get(p, "item_ids"), *v;
	size_t i;

	*ids = arr;
	if (!json_is_array(arr))
		return bad("missing array parameter '%s'", "item_ids");
	json_array_foreach(arr, i, v) if (!json_is_string(v)) return bad("'%s' must hold strings",
									  "item_ids");
	return 0;
}

static int op_items_get_all(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *ids, *res = NULL, *results = NULL;
	client_vault v;
	int rc = ids_param(p, &ids);

	rc = rc ? rc : find_vault(&v, ctx, p, "vault_id");
	if (rc)
		return rc;
	res = json_array();
	if (!res)
		rc = sesame_error_nomem();
	for (size_t off = 0; rc == 0 && off < json_array_size(ids); off += BATCH_MAX) {
		json_t *chunk = json_array(), *r;
		size_t i;
		for (i = off; i < json_array_size(ids) && i < off + BATCH_MAX; i++)
			json_array_append(chunk, json_array_get(ids, i));
		json_t *body = json_pack("{s:o}", "get", chunk);
		rc = body ? batch_call(ctx, &v, body, &results) : sesame_error_nomem();
		json_decref(body);
		json_array_foreach(results, i, r)
		{
			json_t *one = NULL, *obj = json_object_get(r, "item");
			item *it = NULL;
			if (json_is_object(obj) &&
			    items_decode_object(&it, &ctx->s, &v, obj, true) == 0) {
				json_t *content = item_to_jsonv(it);
				one = content ? json_pack("{s:o}", "content", content) : NULL;
				item_free(it);
			} else if (json_is_object(obj)) {
				const sesame_error *e = sesame_error_last();
				one = json_pack("{s:{s:s,s:s,s:s}}", "error", "type", "internal",
						"kind", e->kind, "message", e->message);
			} else {
				one = failure(json_object_get(r, "error"), "internal");
			}
			if (!one || json_array_append_new(res, one)) {
				rc = sesame_error_nomem();
				break;
			}
		}
		json_decref(results);
		results = NULL;
	}
	if (rc == 0) {
		*out = json_pack("{s:o}", "individualResponses", res);
		res = NULL;
	}
	item_jsonv_free(res);
	client_vault_clear(&v);
	return rc;
}

static int op_items_create_all(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *params = json_object_get(p, "params"), *res = NULL;
	const unsigned char *key;
	client_vault v;
	int rc;

	if (!json_is_array(params))
		return bad("missing array parameter '%s'", "params");
	rc = find_vault(&v, ctx, p, "vault_id");
	if (rc)
		return rc;
	key = keyring_vault_key(ctx->s.kr, v.id);
	res = json_array();
	if (!res)
		rc = sesame_error_nomem();
	for (size_t off = 0; rc == 0 && off < json_array_size(params); off += BATCH_MAX) {
		size_t cnt = 0, i;
		item *its[BATCH_MAX] = {NULL};
		json_t *one[BATCH_MAX] = {NULL};
		json_t *creates = json_array(), *results = NULL, *r;
		for (i = off; i < json_array_size(params) && i < off + BATCH_MAX; i++, cnt++) {
			item *it = NULL;
			json_t *body = NULL;
			if (item_from_jsonv(&it, json_array_get(params, i)) == 0) {
				id_new(it->id);
				memcpy(it->vault_id, v.id, ID_SIZE);
				it->created_at = it->updated_at = (int64_t)time(NULL);
				it->version = 1;
				if (items_build_body(&body, ctx->s.me.account_id, key, it, 1) != 0) {
					item_free(it);
					it = NULL;
				}
			}
			if (!it) {
				const sesame_error *e = sesame_error_last();
				one[cnt] = json_pack("{s:{s:s,s:s,s:s}}", "error", "type",
						     "itemValidationError", "kind", e->kind,
						     "message", e->message);
				continue;
			}
			its[cnt] = it;
			json_array_append_new(creates, body);
		}
		if (json_array_size(creates) > 0) {
			json_t *body = json_pack("{s:O}", "create", creates);
			rc = body ? batch_call(ctx, &v, body, &results) : sesame_error_nomem();
			json_decref(body);
		}
		size_t k = 0;
		for (i = 0; rc == 0 && i < cnt; i++) {
			if (!its[i])
				continue;
			r = json_array_get(results, k++);
			if (r && !json_object_get(r, "error")) {
				json_t *content = item_to_jsonv(its[i]);
				one[i] = content ? json_pack("{s:o}", "content", content) : NULL;
			} else {
				one[i] = failure(json_object_get(r, "error"), "internal");
			}
		}
		for (i = 0; i < cnt; i++) {
			if (rc == 0 && (!one[i] || json_array_append_new(res, one[i])))
				rc = sesame_error_nomem();
			else if (rc)
				item_jsonv_free(one[i]);
			item_free(its[i]);
		}
		/* Request bodies held ciphertext only. */
		json_decref(creates);
		json_decref(results);
	}
	if (rc == 0) {
		*out = json_pack("{s:o}", "individualResponses", res);
		res = NULL;
	}
	item_jsonv_free(res);
	client_vault_clear(&v);
	return rc;
}

static int op_items_delete_all(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *ids, *res = NULL, *results = NULL;
	client_vault v;
	int rc = ids_param(p, &ids);

	rc = rc ? rc : find_vault(&v, ctx, p, "vault_id");
	if (rc)
		return rc;
	res = json_object();
	if (!res)
		rc = sesame_error_nomem();
	for (size_t off = 0; rc == 0 && off < json_array_size(ids); off += BATCH_MAX) {
		json_t *chunk = json_array(), *r;
		size_t i;
		for (i = off; i < json_array_size(ids) && i < off + BATCH_MAX; i++)
			json_array_append(chunk, json_array_get(ids, i));
		json_t *body = json_pack("{s:o}", "delete", chunk);
		rc = body ? batch_call(ctx, &v, body, &results) : sesame_error_nomem();
		json_decref(body);
		json_array_foreach(results, i, r)
		{
			const char *id = json_string_value(json_object_get(r, "id"));
			json_t *err = json_object_get(r, "error");
			json_t *one = err ? failure(err, "internal") : json_object();
			if (!id || !one || json_object_set_new(res, id, one)) {
				rc = sesame_error_nomem();
				break;
			}
		}
		json_decref(results);
		results = NULL;
	}
	if (rc == 0) {
		*out = json_pack("{s:o}", "individualResponses", res);
		res = NULL;
	}
	json_decref(res);
	client_vault_clear(&v);
	return rc;
}

/* ---- vaults ---- */

static int op_vaults_list(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	sesame_client *c = ctx->c;
	json_t *arr;
	int rc;

	(void)p;
	rc = sdk_vaults_refresh(ctx);
	if (rc)
		return rc;
	arr = json_array();
	if (!arr)
		return sesame_error_nomem();
	pthread_mutex_lock(&c->vault_mu);
	for (size_t i = 0; i < c->nvaults && rc == 0; i++)
		if (json_array_append_new(arr, vault_json(&c->vaults[i])))
			rc = sesame_error_nomem();
	pthread_mutex_unlock(&c->vault_mu);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

static int access_list(sdk_ctx *ctx, const char *vid, json_t **out)
{
	char path[96];
	json_t *resp = NULL, *arr, *a, *res;
	size_t i;
	int rc;

	snprintf(path, sizeof path, "/v1/vaults/%s/access", vid);
	rc = api_call(ctx->s.api, "GET", path, NULL, &resp);
	if (rc)
		return rc;
	res = json_array();
	arr = json_object_get(resp, "access");
	json_array_foreach(arr, i, a)
	{
		const char *pid = json_string_value(json_object_get(a, "principal_id"));
		const char *pt = json_string_value(json_object_get(a, "principal_type"));
		json_t *perm = json_object_get(a, "permissions");
		json_array_append_new(
			res, json_pack("{s:s,s:o,s:s,s:O}", "vaultUuid", vid, "accessorType",
				       camel(pt && strcmp(pt, "group") == 0 ? "group" : "user"),
				       "accessorUuid", pid ? pid : "", "permissions",
				       perm ? perm : json_integer(0)));
	}
	json_decref(resp);
	*out = res;
	return 0;
}

static int op_vaults_get(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *vp = json_object_get(p, "vault_params");
	client_vault v;
	const char *vid;
	int rc = req_str(p, "vault_id", &vid);

	rc = rc ? rc : vault_find(&v, &ctx->s, vid);
	if (rc)
		return rc;
	*out = vault_json(&v);
	if (!*out)
		rc = sesame_error_nomem();
	if (rc == 0 && json_is_true(json_object_get(vp, "accessors"))) {
		json_t *acc = NULL;
		rc = access_list(ctx, v.id, &acc);
		if (rc == 0)
			json_object_set_new(*out, "access", acc);
		else {
			json_decref(*out);
			*out = NULL;
		}
	}
	client_vault_clear(&v);
	return rc;
}

static int op_vaults_create(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *params = json_object_get(p, "params");
	const char *title = json_string_value(json_object_get(params, "title"));
	const char *desc = json_string_value(json_object_get(params, "description"));
	json_t *admins = json_object_get(params, "allowAdminsAccess");
	client_vault v;
	int rc;

	if (!title || !*title)
		return bad("missing string parameter '%s'", "params.title");
	rc = vault_create(&v, &ctx->s, title, desc ? desc : "", admins ? json_is_true(admins) : true);
	if (rc)
		return rc;
	sdk_vaults_invalidate(ctx->c);
	*out = vault_json(&v);
	client_vault_clear(&v);
	return *out ? 0 : sesame_error_nomem();
}

static int op_vaults_update(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	json_t *params = json_object_get(p, "params");
	const char *title = json_string_value(json_object_get(params, "title"));
	const char *desc = json_string_value(json_object_get(params, "description"));
	client_vault v;
	const char *vid;
	int rc = req_str(p, "vault_id", &vid);

	if (!json_is_object(params))
		return bad("missing object parameter '%s'", "params");
	rc = rc ? rc : vault_find(&v, &ctx->s, vid);
	if (rc)
		return rc;
	rc = vault_edit(&ctx->s, &v, title, desc);
	if (rc == 0) {
		sdk_vaults_invalidate(ctx->c);
		*out = vault_json(&v);
		rc = *out ? 0 : sesame_error_nomem();
	}
	client_vault_clear(&v);
	return rc;
}

static int op_vaults_delete(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	client_vault v;
	const char *vid;
	int rc = req_id(p, "vault_id", &vid);

	if (rc)
		return rc;
	memset(&v, 0, sizeof v);
	memcpy(v.id, vid, ID_SIZE);
	rc = vault_delete(&ctx->s, &v);
	if (rc == 0) {
		sdk_vaults_invalidate(ctx->c);
		*out = json_null();
	}
	return rc;
}

/* Seals the vault key to a principal and stores its permissions (grant or update). */
static int grant(sdk_ctx *ctx, const char *vault_id, const char *principal, json_int_t perms)
{
	unsigned char pk[32];
	char path[160];
	json_t *resp = NULL, *body = NULL;
	const unsigned char *key;
	client_vault v;
	int rc;

	if (!id_is_valid(principal))
		return sesame_error_set(SESAME_ENOTFOUND, "principal_not_found",
					"'%s' is not a valid principal id", principal);
	rc = sdk_vault_find(&v, ctx, vault_id);
	if (rc)
		return rc;
	key = keyring_vault_key(ctx->s.kr, v.id);
	snprintf(path, sizeof path, "/v1/principals/%s/keys", principal);
	rc = key ? api_call(ctx->s.api, "GET", path, NULL, &resp)
		 : sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
				    "cannot open the key of vault '%s'", v.id);
	rc = rc ? rc : api_get_b64(resp, "box_public_key", pk, 32, 32, NULL);
	if (rc == 0) {
		body = json_pack("{s:I}", "permissions", perms);
		rc = body ? seal_to_json(body, "sealed_key", key, VAULT_KEY_BYTES, pk)
			  : sesame_error_nomem();
	}
	if (rc == 0) {
		snprintf(path, sizeof path, "/v1/vaults/%s/access/%s", v.id, principal);
		rc = api_call(ctx->s.api, "PUT", path, body, NULL);
	}
	json_decref(resp);
	json_decref(body);
	client_vault_clear(&v);
	return rc;
}

static int grant_list(sdk_ctx *ctx, const json_t *p, const char *list_key, const char *who_key,
		      json_t **out)
{
	const char *vid = json_string_value(json_object_get(p, "vault_id"));
	json_t *list = json_object_get(p, list_key), *g;
	size_t i;
	int rc = 0;

	if (!json_is_array(list))
		return bad("missing array parameter '%s'", list_key);
	json_array_foreach(list, i, g)
	{
		const char *who = json_string_value(json_object_get(g, who_key));
		const char *v = json_string_value(json_object_get(g, "vaultId"));
		json_t *perm = json_object_get(g, "permissions");
		if (!v)
			v = vid;
		if (!who || !v || !json_is_integer(perm))
			return bad("each entry of '%s' needs an id, a vault and permissions",
				   list_key);
		rc = grant(ctx, v, who, json_integer_value(perm));
		if (rc)
			return rc;
	}
	*out = json_null();
	return 0;
}

static int op_grant_group(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return grant_list(ctx, p, "group_permissions_list", "groupId", out);
}

static int op_grant_user(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return grant_list(ctx, p, "user_permissions_list", "userId", out);
}

static int revoke(sdk_ctx *ctx, const json_t *p, const char *who_key, json_t **out)
{
	const char *vid, *who;
	char path[160];
	int rc = req_id(p, "vault_id", &vid);

	rc = rc ? rc : req_id(p, who_key, &who);
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/v1/vaults/%s/access/%s", vid, who);
	rc = api_call(ctx->s.api, "DELETE", path, NULL, NULL);
	if (rc == 0)
		*out = json_null();
	return rc;
}

static int op_revoke_group(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return revoke(ctx, p, "group_id", out);
}

static int op_revoke_user(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return revoke(ctx, p, "user_id", out);
}

/* ---- groups and users ---- */

static json_t *group_json(const json_t *g)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			 str_or_empty(json_string_value(json_object_get(g, "id"))), "title",
			 str_or_empty(json_string_value(json_object_get(g, "name"))),
			 "description",
			 str_or_empty(json_string_value(json_object_get(g, "description"))),
			 "groupType", camel(json_string_value(json_object_get(g, "type"))),
			 "state", str_or_empty(json_string_value(json_object_get(g, "state"))),
			 "createdAt",
			 str_or_empty(json_string_value(json_object_get(g, "created_at"))),
			 "updatedAt",
			 str_or_empty(json_string_value(json_object_get(g, "updated_at"))));
}

static json_t *user_json(const json_t *u)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
			 str_or_empty(json_string_value(json_object_get(u, "id"))), "email",
			 str_or_empty(json_string_value(json_object_get(u, "email"))), "name",
			 str_or_empty(json_string_value(json_object_get(u, "name"))), "state",
			 str_or_empty(json_string_value(json_object_get(u, "state"))), "userType",
			 camel(json_string_value(json_object_get(u, "type"))), "createdAt",
			 str_or_empty(json_string_value(json_object_get(u, "created_at"))),
			 "updatedAt",
			 str_or_empty(json_string_value(json_object_get(u, "updated_at"))));
}

static int get_one(sdk_ctx *ctx, const json_t *p, const char *key, const char *base,
		   json_t *(*shape)(const json_t *), json_t **out)
{
	const char *id;
	char path[96];
	json_t *resp = NULL;
	int rc = req_id(p, key, &id);

	if (rc)
		return rc;
	snprintf(path, sizeof path, "%s/%s", base, id);
	rc = api_call(ctx->s.api, "GET", path, NULL, &resp);
	if (rc == 0) {
		*out = shape(resp);
		rc = *out ? 0 : sesame_error_nomem();
	}
	json_decref(resp);
	return rc;
}

static int list_all(sdk_ctx *ctx, const char *path, const char *key,
		    json_t *(*shape)(const json_t *), json_t **out)
{
	json_t *resp = NULL, *arr, *o, *res;
	size_t i;
	int rc = api_call(ctx->s.api, "GET", path, NULL, &resp);

	if (rc)
		return rc;
	res = json_array();
	arr = json_object_get(resp, key);
	json_array_foreach(arr, i, o) json_array_append_new(res, shape(o));
	json_decref(resp);
	*out = res;
	return res ? 0 : sesame_error_nomem();
}

static int op_groups_get(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return get_one(ctx, p, "group_id", "/v1/groups", group_json, out);
}

static int op_groups_list(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	(void)p;
	return list_all(ctx, "/v1/groups", "groups", group_json, out);
}

static int op_users_get(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	return get_one(ctx, p, "user_id", "/v1/users", user_json, out);
}

static int op_users_list(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	(void)p;
	return list_all(ctx, "/v1/users", "users", user_json, out);
}

/* ---- the table ---- */

static const struct {
	const char *name;
	op_fn fn;
	bool write;
} ops[] = {
	{"SecretsResolve", op_secrets_resolve, false},
	{"SecretsResolveAll", op_secrets_resolve_all, false},
	{"ItemsCreate", op_items_create, true},
	{"ItemsCreateAll", op_items_create_all, true},
	{"ItemsGet", op_items_get, false},
	{"ItemsGetAll", op_items_get_all, false},
	{"ItemsPut", op_items_put, true},
	{"ItemsDelete", op_items_delete, true},
	{"ItemsDeleteAll", op_items_delete_all, true},
	{"ItemsArchive", op_items_archive, true},
	{"ItemsRestore", op_items_restore, true},
	{"ItemsList", op_items_list, false},
	{"VaultsList", op_vaults_list, false},
	{"VaultsGetOverview", op_vaults_get, false},
	{"VaultsGet", op_vaults_get, false},
	{"VaultsCreate", op_vaults_create, true},
	{"VaultsUpdate", op_vaults_update, true},
	{"VaultsDelete", op_vaults_delete, true},
	{"VaultsGrantGroupPermissions", op_grant_group, true},
	{"VaultsUpdateGroupPermissions", op_grant_group, true},
	{"VaultsRevokeGroupPermissions", op_revoke_group, true},
	{"VaultsGrantUserPermissions", op_grant_user, true},
	{"VaultsUpdateUserPermissions", op_grant_user, true},
	{"VaultsRevokeUserPermissions", op_revoke_user, true},
	{"GroupsGet", op_groups_get, false},
	{"GroupsList", op_groups_list, false},
	{"UsersGet", op_users_get, false},
	{"UsersList", op_users_list, false},
	{"ItemsFilesAttach", sdk_op_files_attach, true},
	{"ItemsFilesRead", sdk_op_files_read, false},
	{"ItemsFilesDelete", sdk_op_files_delete, true},
	{"ItemsFilesReplaceDocument", sdk_op_files_replace_document, true},
	{"RateLimitUsage", sdk_op_ratelimit_usage, false},
	{"Events", sdk_op_events, false},
};

static int op_index(const char *name)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool sdk_operation_known(const char *name)
{
	return op_index(name) >= 0;
}

bool sdk_operation_is_write(const char *name)
{
	int i = op_index(name);
	return i >= 0 && ops[i].write;
}

int sdk_run_operation(sdk_ctx *ctx, const char *name, const json_t *params, json_t **out)
{
	int i = op_index(name);
	int rc;

	*out = NULL;
	if (i < 0)
		return sesame_error_set(SESAME_EUNSUPPORTED, "unknown_operation",
					"unknown operation '%.64s'", name);
	rc = ops[i].fn(ctx, params, out);
	if (ops[i].write)
		sdk_cache_clear(ctx->c);
	if (rc == 0 && !*out)
		rc = sesame_error_nomem();
	if (rc) {
		item_jsonv_free(*out);
		*out = NULL;
	}
	return rc;
}
