/* SPDX-License-Identifier: Apache-2.0 */
/*
 * More SDK operations: files of items (1Password's Items.Files:
 * ItemsFilesAttach, ItemsFilesRead, ItemsFilesDelete,
 * ItemsFilesReplaceDocument, built on client/files.h), the caller's
 * rate-limit usage (RateLimitUsage, GET /v1/ratelimit) and the audit
 * events (Events, GET /v1/events with its cursor). docs/sdk.md lists
 * their parameters and results.
 *
 * File content travels in JSON as standard base64 (a JSON array of byte
 * values, 1Password's serialisation, is accepted on input too). Decoded
 * content lives in secure memory and is wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/files.h"
#include "client/items.h"
#include "b64.h"
#include "crypto/secmem.h"
#include "error.h"
#include "item/item_json.h"
#include "sdk/sdk_internal.h"

/* ---- content ---- */

/* A JSON base64 string or byte array into secure memory (*out may be NULL when empty). */
static int content_in(unsigned char **out, size_t *len, const json_t *v, const char *what)
{
	size_t cap, n = 0;
	unsigned char *buf;

	*out = NULL;
	*len = 0;
	if (json_is_string(v)) {
		const char *b64 = json_string_value(v);
		size_t tlen = json_string_length(v);
		cap = tlen / 4 * 3 + 3;
		if (cap > FILES_MAX + 3)
			return sesame_error_set(SESAME_ETOOBIG, "file_too_big",
						"%s is over the limit of %u bytes", what, FILES_MAX);
		buf = secmem_alloc(cap ? cap : 1);
		if (!buf)
			return sesame_error_nomem();
		/* b64_decode, not libsodium's directly: it refuses bytes >= 0x80 too. */
		if (b64_decode(buf, cap, &n, b64, tlen, B64_STANDARD) != 0) {
			secmem_free(buf);
			return sdk_bad("'%s' must be base64 (or an array of bytes)", what);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *b;
		cap = json_array_size(v);
		if (cap > FILES_MAX)
			return sesame_error_set(SESAME_ETOOBIG, "file_too_big",
						"%s is over the limit of %u bytes", what, FILES_MAX);
		buf = secmem_alloc(cap ? cap : 1);
		if (!buf)
			return sesame_error_nomem();
		json_array_foreach(v, i, b)
		{
			json_int_t x = json_integer_value(b);
			if (!json_is_integer(b) || x < 0 || x > 255) {
				secmem_free(buf);
				return sdk_bad("'%s' must hold bytes (0-255)", what);
			}
			buf[n++] = (unsigned char)x;
		}
	} else {
		return sdk_bad("missing parameter '%s' (base64 or an array of bytes)", what);
	}
	if (n > FILES_MAX) {
		secmem_free(buf);
		return sesame_error_set(SESAME_ETOOBIG, "file_too_big",
					"%s is over the limit of %u bytes", what, FILES_MAX);
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Content as a base64 JSON string; the temporary text is wiped. */
static json_t *content_out(const unsigned char *p, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = secmem_alloc(cap);
	json_t *s;

	if (!b64)
		return NULL;
	sodium_bin2base64(b64, cap, p ? p : (const unsigned char *)"", len,
			  sodium_base64_VARIANT_ORIGINAL);
	s = json_stringn(b64, strlen(b64));
	secmem_free(b64);
	return s;
}

/* ---- item in, item out ---- */

static int item_param(item **it, client_vault *v, sdk_ctx *ctx, const json_t *p)
{
	const json_t *o = json_object_get(p, "item");
	int rc;

	*it = NULL;
	memset(v, 0, sizeof *v);
	if (!json_is_object(o))
		return sdk_bad("missing object parameter '%s'", "item");
	rc = item_from_jsonv(it, o);
	if (rc)
		return rc;
	if (!id_is_valid((*it)->id) || !(*it)->vault_id[0] || (*it)->version < 1) {
		item_free(*it);
		*it = NULL;
		return sdk_bad("the %s needs its id, vaultId and version", "item");
	}
	rc = sdk_vault_find(v, ctx, (*it)->vault_id);
	if (rc) {
		item_free(*it);
		*it = NULL;
	}
	return rc;
}

static int item_result(json_t **out, const item *it)
{
	*out = item_to_jsonv(it);
	return *out ? 0 : sesame_error_last()->code ? sesame_error_last()->code : SESAME_ENOMEM;
}

static const char *opt_str(const json_t *o, const char *camel, const char *snake)
{
	const char *s = json_string_value(json_object_get(o, camel));
	if (!s && snake)
		s = json_string_value(json_object_get(o, snake));
	return s && *s ? s : NULL;
}

/* ---- files ---- */

int sdk_op_files_attach(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	const json_t *fp = json_object_get(p, "file_params");
	unsigned char *content = NULL;
	size_t len = 0;
	client_vault v;
	item *it = NULL;
	const char *name;
	int rc;

	if (!json_is_object(fp))
		return sdk_bad("missing object parameter '%s'", "file_params");
	name = opt_str(fp, "name", NULL);
	if (!name)
		return sdk_bad("missing string parameter '%s'", "file_params.name");
	rc = content_in(&content, &len, json_object_get(fp, "content"), "file_params.content");
	rc = rc ? rc : item_param(&it, &v, ctx, p);
	if (rc == 0) {
		rc = files_attach(&ctx->s, &v, it, name, content, len,
				  opt_str(fp, "sectionId", "section_id"),
				  opt_str(fp, "fieldId", "field_id"));
		rc = rc ? rc : item_result(out, it);
		client_vault_clear(&v);
		item_free(it);
	}
	secmem_free(content);
	return rc;
}

int sdk_op_files_read(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	const json_t *attr = json_object_get(p, "attr");
	const char *vid, *iid, *fid;
	unsigned char *content = NULL;
	size_t len = 0;
	client_vault v;
	item *it = NULL;
	item_file f;
	int rc = sdk_req_str(p, "vault_id", &vid);

	rc = rc ? rc : sdk_req_str(p, "item_id", &iid);
	if (rc)
		return rc;
	if (!json_is_object(attr))
		return sdk_bad("missing object parameter '%s' (the file's attributes)", "attr");
	fid = opt_str(attr, "id", NULL);
	if (!fid)
		return sdk_bad("missing string parameter '%s'", "attr.id");
	rc = sdk_vault_find(&v, ctx, vid);
	if (rc)
		return rc;
	memset(&f, 0, sizeof f);
	if (json_is_integer(json_object_get(attr, "size")) && id_is_valid(fid) &&
	    id_is_valid(iid)) {
		json_int_t sz = json_integer_value(json_object_get(attr, "size"));
		if (sz < 0 || sz > FILES_MAX) {
			client_vault_clear(&v);
			return sdk_bad("'%s' is out of range", "attr.size");
		}
		snprintf(f.id, sizeof f.id, "%s", fid);
		f.size = (uint64_t)sz;
		rc = files_download(&content, &len, &ctx->s, &v, iid, &f);
	} else {
		/* No size given (or names instead of ids): read the item's own attributes. */
		rc = items_find(&it, &ctx->s, &v, iid);
		const item_file *hit = rc ? NULL : files_find(it, fid);
		if (rc == 0 && !hit)
			rc = sesame_error_set(SESAME_ENOTFOUND, "file_not_found",
					      "the item has no file '%s'", fid);
		rc = rc ? rc : files_download(&content, &len, &ctx->s, &v, it->id, hit);
		item_free(it);
	}
	if (rc == 0) {
		*out = content_out(content, len);
		rc = *out ? 0 : sesame_error_nomem();
	}
	secmem_free(content);
	client_vault_clear(&v);
	return rc;
}

static void file_clear(item_file *f)
{
	if (f->name) {
		secmem_wipe(f->name, strlen(f->name));
		free(f->name);
	}
	free(f->section_id);
	free(f->field_id);
	memset(f, 0, sizeof *f);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int sdk_op_files_delete(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	const char *sid = opt_str(p, "section_id", NULL), *fld = opt_str(p, "field_id", NULL);
	const char *fid = opt_str(p, "file_id", NULL);
	client_vault v;
	item *it = NULL;
	item_file gone;
	size_t i;
	int rc;

	if (!fid && (!sid || !fld))
		return sdk_bad("give '%s' and 'field_id' (or 'file_id')", "section_id");
	rc = item_param(&it, &v, ctx, p);
	if (rc)
		return rc;
	for (i = 0; i < it->nfiles; i++)
		if (fid ? strcmp(it->files[i].id, fid) == 0
			: str_eq(it->files[i].section_id, sid) && str_eq(it->files[i].field_id, fld))
			break;
	if (i == it->nfiles) {
		rc = sesame_error_set(SESAME_ENOTFOUND, "file_not_found",
				      "the item has no such file");
		goto out;
	}
	gone = it->files[i];
	memmove(&it->files[i], &it->files[i + 1], (it->nfiles - i - 1) * sizeof *it->files);
	it->nfiles--;
	rc = items_update(&ctx->s, &v, it);
	if (rc) {
		/* Put it back so the item is freed whole. */
		memmove(&it->files[i + 1], &it->files[i], (it->nfiles - i) * sizeof *it->files);
		it->files[i] = gone;
		it->nfiles++;
		goto out;
	}
	/* The item no longer lists it: a failure here leaves unreferenced ciphertext only. */
	(void)files_delete_content(&ctx->s, &v, it->id, gone.id);
	file_clear(&gone);
	sesame_error_clear();
	rc = item_result(out, it);
out:
	client_vault_clear(&v);
	item_free(it);
	return rc;
}

int sdk_op_files_replace_document(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	const json_t *dp = json_object_get(p, "doc_params");
	unsigned char *content = NULL;
	size_t len = 0;
	client_vault v;
	item *it = NULL;
	int rc;

	if (!json_is_object(dp))
		return sdk_bad("missing object parameter '%s'", "doc_params");
	rc = content_in(&content, &len, json_object_get(dp, "content"), "doc_params.content");
	rc = rc ? rc : item_param(&it, &v, ctx, p);
	if (rc == 0) {
		rc = documents_replace(&ctx->s, &v, it, opt_str(dp, "name", NULL), content, len);
		rc = rc ? rc : item_result(out, it);
		client_vault_clear(&v);
		item_free(it);
	}
	secmem_free(content);
	return rc;
}

/* ---- rate limits ---- */

int sdk_op_ratelimit_usage(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	const char *who = opt_str(p, "principal_id", NULL);
	char path[96];
	json_t *resp = NULL, *rows;
	int rc;

	if (who && !id_is_valid(who))
		return sesame_error_set(SESAME_ENOTFOUND, "principal_not_found",
					"'%s' is not a valid id", "principal_id");
	if (who)
		snprintf(path, sizeof path, "/v1/ratelimit?principal=%s", who);
	else
		snprintf(path, sizeof path, "/v1/ratelimit");
	rc = api_call(ctx->s.api, "GET", path, NULL, &resp);
	if (rc)
		return rc;
	rows = json_object_get(resp, "ratelimits");
	if (!json_is_array(rows))
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "rate-limit answer lacks 'ratelimits'");
	else
		*out = json_incref(rows);
	json_decref(resp);
	return rc;
}

/* ---- events ---- */

/* An event with its members in camelCase ("actor_id" -> "actorId"). */
static json_t *event_json(const json_t *e)
{
	json_t *o = json_object(), *v;
	const char *k;

	if (!o)
		return NULL;
	json_object_foreach((json_t *)e, k, v)
	{
		json_t *ck = sdk_camel(k);
		if (!ck || json_object_set(o, json_string_value(ck), v)) {
			json_decref(ck);
			json_decref(o);
			return NULL;
		}
		json_decref(ck);
	}
	return o;
}

static int add_query(char *q, size_t cap, size_t *len, const char *name, const char *value)
{
	char esc[512];
	int rc = api_escape(esc, sizeof esc, value);
	int n;

	if (rc)
		return sdk_bad("parameter '%s' is too long", name);
	n = snprintf(q + *len, cap - *len, "%c%s=%s", *len ? '&' : '?', name, esc);
	if (n < 0 || (size_t)n >= cap - *len)
		return sdk_bad("parameter '%s' is too long", name);
	*len += (size_t)n;
	return 0;
}

int sdk_op_events(sdk_ctx *ctx, const json_t *p, json_t **out)
{
	static const struct {
		const char *param, *query;
	} map[] = {
		{"cursor", "cursor"},	      {"actor_id", "actor"},	 {"vault_id", "vault"},
		{"item_id", "item"},	      {"start_time", "start_time"}, {"end_time", "end_time"},
	};
	char q[2048], path[2200];
	size_t qlen = 0;
	json_t *resp = NULL, *evs, *e, *arr = NULL;
	size_t i;
	int rc = 0;

	q[0] = '\0';
	for (i = 0; rc == 0 && i < sizeof map / sizeof map[0]; i++) {
		const json_t *v = json_object_get(p, map[i].param);
		char num[32];
		if (!v || json_is_null(v))
			continue;
		if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
			rc = add_query(q, sizeof q, &qlen, map[i].query, num);
		} else if (json_is_string(v)) {
			rc = add_query(q, sizeof q, &qlen, map[i].query, json_string_value(v));
		} else {
			rc = sdk_bad("parameter '%s' must be a string", map[i].param);
		}
	}
	const json_t *lim = json_object_get(p, "limit");
	if (rc == 0 && lim && !json_is_null(lim)) {
		char num[32];
		if (!json_is_integer(lim))
			return sdk_bad("parameter '%s' must be an integer", "limit");
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(lim));
		rc = add_query(q, sizeof q, &qlen, "limit", num);
	}
	if (rc)
		return rc;
	snprintf(path, sizeof path, "/v1/events%s", q);
	rc = api_call(ctx->s.api, "GET", path, NULL, &resp);
	if (rc)
		return rc;
	evs = json_object_get(resp, "events");
	arr = json_array();
	if (!json_is_array(evs) || !arr) {
		rc = arr ? sesame_error_set(SESAME_EINVAL, "bad_response",
					    "events answer lacks 'events'")
			 : sesame_error_nomem();
		goto out;
	}
	json_array_foreach(evs, i, e)
	{
		if (json_array_append_new(arr, event_json(e))) {
			rc = sesame_error_nomem();
			goto out;
		}
	}
	const char *cur = json_string_value(json_object_get(resp, "cursor"));
	*out = json_pack("{s:O,s:s,s:b}", "events", arr, "cursor", cur ? cur : "", "hasMore",
			 json_is_true(json_object_get(resp, "has_more")));
	rc = *out ? 0 : sesame_error_nomem();
out:
	json_decref(arr);
	json_decref(resp);
	return rc;
}
