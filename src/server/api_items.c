/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Items and batches (docs/api.md "Items"; resolve is in api_resolve.c).
 * The server stores ciphertext and blind indexes; it never learns a title
 * or a secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "b64.h"
#include "error.h"
#include "json.h"
#include "log.h"

const char *const keys_item[] = {"id",		"version",     "overview", "details",
				 "title_index", "tag_indexes", NULL};
const char *const keys_batch[] = {"get", "create", "delete", NULL};

/* ---- reading an item body ---- */

struct item_in {
	const char *id;
	long long version;
	unsigned char *overview, *details;
	size_t overview_len, details_len;
	unsigned char title[STORE_INDEX_BYTES];
	bool has_title;
	unsigned char tags[STORE_TAGS_MAX][STORE_INDEX_BYTES];
	size_t ntags;
};

static void item_in_free(struct item_in *it)
{
	free(it->overview);
	free(it->details);
	it->overview = it->details = NULL;
}

static void item_in_read(struct input *in, const json_t *o, struct item_in *it)
{
	const json_t *tags, *t;
	size_t i;

	memset(it, 0, sizeof *it);
	it->id = in_id(in, o, "id");
	it->version = in_int(in, o, "version", 1, 1LL << 53, true, 0);
	it->overview = in_b64_alloc(in, o, "overview", API_BLOB_MAX, &it->overview_len);
	it->details = in_b64_alloc(in, o, "details", API_BLOB_MAX, &it->details_len);
	if (json_object_get(o, "title_index")) {
		in_b64(in, o, "title_index", it->title, STORE_INDEX_BYTES, STORE_INDEX_BYTES);
		it->has_title = true;
	}
	if (json_object_get(o, "tag_indexes")) {
		tags = in_array(in, o, "tag_indexes", 0, STORE_TAGS_MAX);
		json_array_foreach(tags, i, t)
		{
			size_t len = 0;
			if (!json_is_string(t) ||
			    b64_decode(it->tags[i], STORE_INDEX_BYTES, &len, json_string_value(t),
				       json_string_length(t), B64_URL_NOPAD) != 0 ||
			    len != STORE_INDEX_BYTES) {
				in_fail(in, "each of 'tag_indexes' must be base64url of %d bytes",
					STORE_INDEX_BYTES);
				break;
			}
			it->ntags = i + 1;
		}
	}
}

static void item_to_row(const struct item_in *it, const char *vault_id, const char *by,
			long long now, struct item_row *r, struct item_indexes *idx)
{
	memset(r, 0, sizeof *r);
	r->vault_id = vault_id;
	r->id = it->id;
	r->version = it->version;
	r->state = "active";
	r->overview = it->overview;
	r->overview_len = it->overview_len;
	r->details = it->details;
	r->details_len = it->details_len;
	r->created_at = r->updated_at = now;
	r->created_by = r->updated_by = by;
	idx->title = it->has_title ? it->title : NULL;
	idx->ntags = it->ntags;
	for (size_t i = 0; i < it->ntags; i++)
		idx->tags[i] = it->tags[i];
}

/* ---- callbacks ---- */

static int append_item(void *ctx, const struct item_row *r)
{
	json_t *o = j_item(r);
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

static int keep_item(void *ctx, const struct item_row *r)
{
	json_t **out = ctx;
	*out = j_item(r);
	return *out ? 0 : sesame_error_nomem();
}

/* Re-reads one item as its JSON object. */
static struct http_reply item_reply(struct store *st, int status, const char *vid, const char *iid)
{
	json_t *o = NULL;
	if (store_call(st, item_get, vid, iid, true, keep_item, &o) != 0) {
		json_decref(o);
		return reply_from_error();
	}
	return reply_json(status, o);
}

/* A vault param and the caller's permission on it. */
static int vault_for(struct http_request *req, const struct route_params *params, uint32_t need,
		     const char **vid, struct http_reply *r)
{
	struct authz_vault *v = malloc(sizeof *v);
	int rc;
	if (!v) {
		*r = api_oom();
		return -1;
	}
	rc = param_id(params, "vault", vid, r) ||
	     authz_vault(req->state->store, &req->caller, *vid, need, v, r);
	free(v);
	return rc ? -1 : 0;
}

/* ---- query strings ---- */

/* Parses ?state=&title=&tag= into q. */
static int parse_item_query(const char *query, struct item_query *q,
			    unsigned char title[STORE_INDEX_BYTES],
			    unsigned char tag[STORE_INDEX_BYTES], struct http_reply *r)
{
	struct api_query_param p[] = {{.name = "state"}, {.name = "title"}, {.name = "tag"}};
	unsigned char *dst[] = {NULL, title, tag};

	q->state = "active";
	if (api_query_parse(query, p, 3, r))
		return -1;
	if (p[0].set) {
		if (strcmp(p[0].value, "all") == 0) {
			q->state = NULL;
		} else if (strcmp(p[0].value, "active") == 0 ||
			   strcmp(p[0].value, "archived") == 0) {
			q->state = strcmp(p[0].value, "active") == 0 ? "active" : "archived";
		} else {
			*r = reply_error(400, "invalid_request",
					 "'state' must be active, archived or all");
			return -1;
		}
	}
	for (int k = 1; k < 3; k++) {
		size_t blen = 0;
		if (!p[k].set)
			continue;
		if (b64_decode_public(dst[k], STORE_INDEX_BYTES, &blen, p[k].value,
				      strlen(p[k].value), B64_URL_NOPAD) != 0 ||
		    blen != STORE_INDEX_BYTES) {
			*r = reply_error(400, "invalid_request",
					 "'%s' must be a blind index (base64url of %d bytes)",
					 p[k].name, STORE_INDEX_BYTES);
			return -1;
		}
		if (k == 1)
			q->title = title;
		else
			q->tag = tag;
	}
	return 0;
}

/* ---- routes ---- */

HANDLER(handle_item_list)
{
	unsigned char title[STORE_INDEX_BYTES], tag[STORE_INDEX_BYTES];
	struct item_query q = {0};
	struct http_reply r;
	json_t *arr;
	const char *vid;
	(void)body;

	if (vault_for(req, params, PERM_VIEW_ITEMS, &vid, &r) ||
	    parse_item_query(req->query, &q, title, tag, &r))
		return r;
	q.vault_id = vid;
	arr = json_array();
	if (!arr)
		return api_oom();
	if (store_call(req->state->store, item_list, &q, append_item, arr) != 0) {
		json_decref(arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "items", arr));
}

/* Writes one new item (the caller holds the write transaction). */
static int create_one(struct store *st, struct http_request *req, const char *vid,
		      struct item_in *it, struct input *in)
{
	struct item_row row;
	struct item_indexes *idx = malloc(sizeof *idx);
	int rc;

	if (!idx)
		return sesame_error_nomem();
	if (it->version != 1) {
		in_fail(in, "a new item has version 1");
		free(idx);
		return SESAME_EINVAL;
	}
	item_to_row(it, vid, req->caller.id, api_now(), &row, idx);
	rc = store_call(st, item_insert, &row, idx);
	free(idx);
	return rc;
}

HANDLER(handle_item_create)
{
	struct store *st = req->state->store;
	struct input in = INPUT_INIT;
	struct item_in *it = malloc(sizeof *it);
	struct http_reply r;
	const char *vid;
	int rc;

	if (!it)
		return api_oom();
	if (vault_for(req, params, PERM_CREATE_ITEMS, &vid, &r)) {
		free(it);
		return r;
	}
	item_in_read(&in, body, it);
	if (in.bad)
		goto bad;
	rc = store_begin_write(st);
	if (!rc) {
		rc = create_one(st, req, vid, it, &in);
		if (rc)
			api_rollback(st);
		else
			rc = store_commit(st);
	}
	if (in.bad)
		goto bad;
	if (rc) {
		r = reply_from_error();
		goto out;
	}
	r = item_reply(st, 201, vid, it->id);
out:
	item_in_free(it);
	free(it);
	return r;
bad:
	r = in_reply(&in);
	goto out;
}

HANDLER(handle_item_get)
{
	struct http_reply r;
	const char *vid, *iid;
	(void)body;

	if (vault_for(req, params, PERM_READ_DETAILS, &vid, &r) ||
	    param_id(params, "item", &iid, &r))
		return r;
	return item_reply(req->state->store, 200, vid, iid);
}

HANDLER(handle_item_update)
{
	struct store *st = req->state->store;
	struct input in = INPUT_INIT;
	struct item_in *it = malloc(sizeof *it);
	struct item_indexes *idx = malloc(sizeof *idx);
	struct item_row row;
	struct http_reply r;
	const char *vid, *iid;
	int rc;

	if (!it || !idx) {
		free(it);
		free(idx);
		return api_oom();
	}
	memset(it, 0, sizeof *it);
	if (vault_for(req, params, PERM_EDIT_ITEMS, &vid, &r) || param_id(params, "item", &iid, &r))
		goto out;
	item_in_read(&in, body, it);
	if (!in.bad && strcmp(it->id, iid) != 0)
		in_fail(&in, "'id' is '%s' but the path names item '%s'", it->id, iid);
	if (!in.bad && it->version < 2)
		in_fail(&in, "'version' must be the stored version + 1");
	if (in.bad) {
		r = in_reply(&in);
		goto out;
	}
	item_to_row(it, vid, req->caller.id, api_now(), &row, idx);
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, item_update, &row, idx);
	if (rc) {
		api_rollback(st);
		r = reply_from_error();
		goto out;
	}
	if (store_commit(st) != 0) {
		r = reply_from_error();
		goto out;
	}
	r = item_reply(st, 200, vid, iid);
out:
	item_in_free(it);
	free(it);
	free(idx);
	return r;
}

static struct http_reply item_state(struct http_request *req, const struct route_params *params,
				    const char *state)
{
	struct store *st = req->state->store;
	struct http_reply r;
	const char *vid, *iid;
	int rc;

	if (vault_for(req, params, PERM_ARCHIVE_ITEMS, &vid, &r) ||
	    param_id(params, "item", &iid, &r))
		return r;
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, item_set_state, vid, iid, state, req->caller.id, api_now());
	if (rc) {
		api_rollback(st);
		return reply_from_error();
	}
	if (store_commit(st) != 0)
		return reply_from_error();
	return item_reply(st, 200, vid, iid);
}

HANDLER(handle_item_archive)
{
	(void)body;
	return item_state(req, params, "archived");
}

HANDLER(handle_item_restore)
{
	(void)body;
	return item_state(req, params, "active");
}

HANDLER(handle_item_delete)
{
	struct store *st = req->state->store;
	struct http_reply r;
	const char *vid, *iid;
	int rc;
	(void)body;

	if (vault_for(req, params, PERM_DELETE_ITEMS, &vid, &r) ||
	    param_id(params, "item", &iid, &r))
		return r;
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, item_delete, vid, iid);
	if (rc) {
		api_rollback(st);
		return reply_from_error();
	}
	if (store_commit(st) != 0)
		return reply_from_error();
	return reply_text(204, "");
}

static int append_version(void *ctx, const struct item_row *r)
{
	json_t *o = json_pack("{s:I,s:o,s:o,s:o,s:s}", "version", (json_int_t)r->version,
			      "overview", j_b64(r->overview, r->overview_len), "details",
			      j_b64(r->details, r->details_len), "updated_at",
			      j_time(r->updated_at), "updated_by", r->updated_by);
	if (!o || json_array_append_new(ctx, o))
		return sesame_error_nomem();
	return 0;
}

HANDLER(handle_item_versions)
{
	struct http_reply r;
	const char *vid, *iid;
	json_t *arr;
	(void)body;

	if (vault_for(req, params, PERM_VIEW_ITEM_HISTORY | PERM_READ_DETAILS, &vid, &r) ||
	    param_id(params, "item", &iid, &r))
		return r;
	arr = json_array();
	if (!arr)
		return api_oom();
	if (store_call(req->state->store, item_versions, vid, iid, append_version, arr) != 0) {
		json_decref(arr);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "versions", arr));
}

/* ---- batch ---- */

static int add_result(json_t *results, const char *id, const char *key, json_t *value)
{
	json_t *o = json_pack("{s:s?,s:o}", "id", id, key, value);
	if (!o || json_array_append_new(results, o))
		return sesame_error_nomem();
	return 0;
}

HANDLER(handle_item_batch)
{
	struct store *st = req->state->store;
	const char *ops[3] = {"get", "create", "delete"};
	const uint32_t need[3] = {PERM_READ_DETAILS, PERM_CREATE_ITEMS, PERM_DELETE_ITEMS};
	struct input in = INPUT_INIT;
	struct http_reply r;
	const json_t *list = NULL, *e;
	json_t *results;
	const char *vid;
	int op = -1, rc = 0;
	size_t i;

	for (int k = 0; k < 3; k++) {
		if (!json_object_get(body, ops[k]))
			continue;
		if (op >= 0) {
			in_fail(&in, "give exactly one of 'get', 'create' and 'delete'");
			break;
		}
		op = k;
	}
	if (op < 0)
		in_fail(&in, "give exactly one of 'get', 'create' and 'delete'");
	if (!in.bad)
		list = in_array(&in, body, ops[op], 1, API_BATCH_MAX);
	if (in.bad)
		return in_reply(&in);
	if (vault_for(req, params, need[op], &vid, &r))
		return r;
	results = json_array();
	if (!results)
		return api_oom();
	if (op != 0 && (rc = store_begin_write(st)) != 0) {
		json_decref(results);
		return reply_from_error();
	}
	json_array_foreach(list, i, e)
	{
		struct input one = INPUT_INIT;
		const char *id = json_string_value(e);
		json_t *item = NULL;

		if (rc)
			break;
		if (op == 1) {
			struct item_in *it = malloc(sizeof *it);
			if (!it) {
				rc = sesame_error_nomem();
				break;
			}
			if (!json_is_object(e)) {
				memset(it, 0, sizeof *it);
				in_fail(&one, "each item must be an object");
			} else {
				in_keys(&one, e, keys_item);
				item_in_read(&one, e, it);
			}
			id = one.bad ? json_string_value(json_object_get(e, "id")) : it->id;
			if (!one.bad) {
				int c = create_one(st, req, vid, it, &one);
				if (!c)
					c = store_call(st, item_get, vid, it->id, false, keep_item,
						       &item);
				if (c && !one.bad) {
					rc = add_result(results, id, "error", api_error_last_json());
					item_in_free(it);
					free(it);
					continue;
				}
			}
			item_in_free(it);
			free(it);
			rc = one.bad ? add_result(results, id, "error", in_error_json(&one))
				     : add_result(results, id, "item", item);
			continue;
		}
		if (!id || !api_id_valid(id)) {
			in_fail(&one, "each id must be 26 characters of [a-z0-9]");
			rc = add_result(results, NULL, "error", in_error_json(&one));
			continue;
		}
		int c = op == 0 ? store_call(st, item_get, vid, id, true, keep_item, &item)
				: store_call(st, item_delete, vid, id);
		if (c)
			rc = add_result(results, id, "error", api_error_last_json());
		else if (op == 0)
			rc = add_result(results, id, "item", item);
		else
			rc = add_result(results, id, "deleted", json_true());
	}
	if (op != 0) {
		if (rc)
			api_rollback(st);
		else
			rc = store_commit(st);
	}
	if (rc) {
		json_decref(results);
		return reply_from_error();
	}
	return reply_json(200, json_pack("{s:o}", "results", results));
}
