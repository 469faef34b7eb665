/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/files.h"
#include "client/items.h"
#include "client/resolve.h"
#include "client/vcache.h"
#include "crypto/blind_index.h"
#include "crypto/secmem.h"
#include "error.h"
#include "item/item_json.h"
#include "json.h"
#include "sesame/errors.h"

#define NONE ((size_t)-1)

typedef struct {
	size_t vault; /* index in the cache */
	bool by_id;
	char key[BLIND_INDEX_TEXT_SIZE]; /* title index text, or the item id */
	item **items;			 /* decrypted candidates */
	size_t nitems;
	int code; /* per-query failure */
	char kind[CLIENT_RESOLVE_KIND_SIZE];
	char message[CLIENT_RESOLVE_MESSAGE_SIZE];
} query;

typedef struct {
	sesame_reference *ref;
	size_t q_title, q_id;
} slot;

typedef struct {
	query *q;
	size_t n;
	size_t *table; /* open addressing over q, NONE = empty */
	size_t cap;
} query_set;

static void set_error(client_resolution *r, int code)
{
	const sesame_error *e = sesame_error_last();
	r->code = code;
	snprintf(r->kind, sizeof r->kind, "%s", e && e->kind ? e->kind : "error");
	snprintf(r->message, sizeof r->message, "%s", e && e->message ? e->message : "failed");
}

static uint64_t hash_query(size_t vault, bool by_id, const char *key)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)vault ^ ((uint64_t)by_id << 40);
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

/* Index of the query (vault, by_id, key), added if new. */
static size_t query_add(query_set *qs, size_t vault, bool by_id, const char *key)
{
	size_t i = (size_t)(hash_query(vault, by_id, key) & (qs->cap - 1));
	for (; qs->table[i] != NONE; i = (i + 1) & (qs->cap - 1)) {
		query *q = &qs->q[qs->table[i]];
		if (q->vault == vault && q->by_id == by_id && strcmp(q->key, key) == 0)
			return qs->table[i];
	}
	query *q = &qs->q[qs->n];
	memset(q, 0, sizeof *q);
	q->vault = vault;
	q->by_id = by_id;
	snprintf(q->key, sizeof q->key, "%s", key);
	qs->table[i] = qs->n;
	return qs->n++;
}

static void queries_free(query_set *qs)
{
	for (size_t i = 0; qs->q && i < qs->n; i++) {
		for (size_t j = 0; j < qs->q[i].nitems; j++)
			item_free(qs->q[i].items[j]);
		free(qs->q[i].items);
	}
	free(qs->q);
	free(qs->table);
	memset(qs, 0, sizeof *qs);
}

/* The default file source: download and decrypt through client/files.h. */
static int file_content(void *ctx, const item *it, const item_file *file, sbuf *out)
{
	session *s = ctx;
	client_vault v = {0};
	unsigned char *content = NULL;
	size_t len = 0;
	int rc;

	memcpy(v.id, it->vault_id, ID_SIZE);
	v.name = (char *)"";
	rc = files_download(&content, &len, s, &v, it->id, file);
	if (rc)
		return rc;
	rc = sbuf_add(out, content, len);
	secmem_wipe(content, len);
	secmem_free(content);
	return rc;
}

/* Decrypts one item object of vault `v` (details) into *out. */
static int open_item(item **out, session *s, const vcache_vault *v, const json_t *obj)
{
	const char *id, *blob, *state;
	long long version = 0;
	char *pt = NULL;
	size_t pt_len = 0;
	item *it = NULL;
	int rc;

	*out = NULL;
	rc = api_get_str(obj, "id", &id);
	rc = rc ? rc : api_get_str(obj, "details", &blob);
	if (rc)
		return rc;
	if (!id_is_valid(id) || sjson_get_int(obj, "version", &version) || version < 1)
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed item object");
	const char *vid = json_string_value(json_object_get(obj, "vault_id"));
	if (vid && strcmp(vid, v->id) != 0)
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"item '%s' belongs to another vault", id);
	rc = items_decrypt_blob(&pt, &pt_len, s->me.account_id, v->id, id, (uint64_t)version,
				"details", v->key, blob);
	if (rc)
		return rc;
	rc = item_from_json(&it, pt, pt_len);
	secmem_wipe(pt, pt_len);
	free(pt);
	if (rc)
		return rc;
	if (strcmp(it->id, id) != 0 || (it->vault_id[0] && strcmp(it->vault_id, v->id) != 0) ||
	    it->version != (uint64_t)version) {
		item_free(it);
		return sesame_error_set(SESAME_EDECRYPT, "item_mismatch",
					"item '%s' does not match its envelope", id);
	}
	memcpy(it->vault_id, v->id, ID_SIZE);
	state = json_string_value(json_object_get(obj, "state"));
	it->state =
		state && strcmp(state, "archived") == 0 ? ITEM_STATE_ARCHIVED : ITEM_STATE_ACTIVE;
	*out = it;
	return 0;
}

static int code_of_kind(const char *kind)
{
	if (strstr(kind, "not_found"))
		return SESAME_ENOTFOUND;
	if (strstr(kind, "invalid") || strstr(kind, "too_many"))
		return SESAME_EINVAL;
	return SESAME_EPERM;
}

/* Reads one result object into query q; *stale when it suggests a stale cache. */
static int take_result(session *s, query *q, const json_t *res, bool *stale)
{
	const json_t *err = json_object_get(res, "error"), *items = json_object_get(res, "items");
	size_t i;
	json_t *o;

	if (err) {
		const char *kind = json_string_value(json_object_get(err, "code"));
		const char *msg = json_string_value(json_object_get(err, "message"));
		q->code = code_of_kind(kind ? kind : "");
		snprintf(q->kind, sizeof q->kind, "%s", kind ? kind : "error");
		snprintf(q->message, sizeof q->message, "%s", msg ? msg : "the server refused");
		*stale = true;
		return 0;
	}
	if (!json_is_array(items))
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed resolve answer");
	q->items = calloc(json_array_size(items) + 1, sizeof *q->items);
	if (!q->items)
		return sesame_error_nomem();
	json_array_foreach(items, i, o)
	{
		int rc = open_item(&q->items[q->nitems], s, &s->vcache->v[q->vault], o);
		if (rc == SESAME_ENOMEM)
			return rc;
		if (rc) {
			/* A candidate that does not open: a key changed, or a bad server. */
			const sesame_error *e = sesame_error_last();
			q->code = rc;
			snprintf(q->kind, sizeof q->kind, "%s", e->kind ? e->kind : "error");
			snprintf(q->message, sizeof q->message, "%s", e->message);
			*stale = true;
			continue;
		}
		q->nitems++;
	}
	return 0;
}

static int send_queries(session *s, query_set *qs, size_t from, size_t to, bool *stale,
			client_resolve_stats *st)
{
	json_t *body = json_pack("{s:[]}", "queries"), *resp = NULL, *arr, *res;
	size_t i;
	int rc = 0;

	if (!body)
		return sesame_error_nomem();
	arr = json_object_get(body, "queries");
	for (i = from; i < to; i++) {
		query *q = &qs->q[i];
		if (json_array_append_new(arr, json_pack("{s:s,s:s}", "vault_id",
							 s->vcache->v[q->vault].id,
							 q->by_id ? "item_id" : "title", q->key))) {
			json_decref(body);
			return sesame_error_nomem();
		}
	}
	if (st)
		st->requests++;
	rc = api_call(s->api, "POST", "/v1/resolve", body, &resp);
	json_decref(body);
	if (rc)
		return rc;
	arr = json_object_get(resp, "results");
	if (!json_is_array(arr) || json_array_size(arr) != to - from) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "server answer lacks 'results' for every query");
		goto out;
	}
	json_array_foreach(arr, i, res)
	{
		rc = take_result(s, &qs->q[from + i], res, stale);
		if (rc)
			break;
	}
out:
	json_decref(resp);
	return rc;
}

/* One pass over the batch with the current cache. */
static int attempt(client_resolution *r, slot *sl, size_t n, session *s, const ref_options *ro,
		   bool fresh, bool *stale, client_resolve_stats *st)
{
	vcache *c = s->vcache;
	ref_vault *rv = calloc(c->n + 1, sizeof *rv);
	unsigned char *ikeys = secmem_calloc((c->n + 1) * BLIND_INDEX_KEYBYTES);
	bool *ikey_done = calloc(c->n + 1, sizeof *ikey_done);
	query_set qs = {0};
	item **cand = NULL;
	size_t cand_cap = 64;
	int rc = 0;

	qs.cap = 16;
	while (qs.cap < 4 * n + 16)
		qs.cap <<= 1;
	qs.q = calloc(2 * n + 1, sizeof *qs.q);
	qs.table = malloc(qs.cap * sizeof *qs.table);
	cand = calloc(cand_cap, sizeof *cand);
	if (!rv || !ikeys || !ikey_done || !qs.q || !qs.table || !cand) {
		rc = sesame_error_nomem();
		goto out;
	}
	memset(qs.table, 0xff, qs.cap * sizeof *qs.table);
	for (size_t i = 0; i < c->n; i++) {
		rv[i].id = c->v[i].id;
		rv[i].title = c->v[i].name;
	}
	/* Vaults locally, then the queries. */
	for (size_t i = 0; i < n; i++) {
		size_t vi = 0;
		sl[i].q_title = sl[i].q_id = NONE;
		if (!sl[i].ref || r[i].code)
			continue;
		int e = ref_resolve_vault(&vi, sl[i].ref, rv, c->n);
		if (e) {
			if (e == SESAME_ENOTFOUND && !fresh)
				*stale = true; /* a vault created or shared since the cache */
			set_error(&r[i], e);
			continue;
		}
		const char *part = sesame_reference_item(sl[i].ref);
		if (!ikey_done[vi]) {
			rc = blind_index_key(ikeys + vi * BLIND_INDEX_KEYBYTES, c->v[vi].key);
			if (rc)
				goto out;
			ikey_done[vi] = true;
		}
		char idx[BLIND_INDEX_TEXT_SIZE];
		rc = blind_index_text(idx, ikeys + vi * BLIND_INDEX_KEYBYTES, part, strlen(part));
		if (rc)
			goto out;
		sl[i].q_title = query_add(&qs, vi, false, idx);
		if (ref_part_is_id(part))
			sl[i].q_id = query_add(&qs, vi, true, part);
	}
	if (*stale)
		goto out; /* refresh first: no request with a cache we know is stale */
	for (size_t from = 0; from < qs.n; from += CLIENT_RESOLVE_BATCH) {
		size_t to = from + CLIENT_RESOLVE_BATCH < qs.n ? from + CLIENT_RESOLVE_BATCH : qs.n;
		rc = send_queries(s, &qs, from, to, stale, st);
		if (rc)
			goto out;
	}
	if (*stale && !fresh)
		goto out;
	*stale = false;
	/* Per reference: candidates -> item -> field. */
	for (size_t i = 0; i < n; i++) {
		size_t nc = 0, idx = 0;
		if (sl[i].q_title == NONE)
			continue;
		const size_t qi[2] = {sl[i].q_title, sl[i].q_id};
		const query *failed = NULL;
		for (int k = 0; k < 2; k++) {
			if (qi[k] == NONE)
				continue;
			const query *q = &qs.q[qi[k]];
			if (q->code)
				failed = q;
			for (size_t j = 0; j < q->nitems; j++) {
				bool dup = false;
				for (size_t m = 0; m < nc; m++)
					dup = dup || strcmp(cand[m]->id, q->items[j]->id) == 0;
				if (dup)
					continue;
				if (nc >= cand_cap) {
					item **bigger = realloc(cand, 2 * cand_cap * sizeof *cand);
					if (!bigger) {
						rc = sesame_error_nomem();
						goto out;
					}
					cand = bigger;
					cand_cap *= 2;
				}
				cand[nc++] = q->items[j];
			}
		}
		if (failed && nc == 0) {
			r[i].code = failed->code;
			snprintf(r[i].kind, sizeof r[i].kind, "%s", failed->kind);
			snprintf(r[i].message, sizeof r[i].message, "%s", failed->message);
			continue;
		}
		int e = ref_resolve_item(&idx, sl[i].ref, c->v[qs.q[sl[i].q_title].vault].id,
					 (const item *const *)cand, nc);
		e = e ? e : ref_resolve_in_item(&r[i].result, sl[i].ref, cand[idx], ro);
		if (e == SESAME_ENOMEM) {
			rc = e;
			goto out;
		}
		if (e)
			set_error(&r[i], e);
	}
out:
	queries_free(&qs);
	free(cand);
	free(rv);
	free(ikey_done);
	secmem_free(ikeys);
	return rc;
}

static void reset_results(client_resolution *r, size_t n, const slot *sl)
{
	for (size_t i = 0; i < n; i++) {
		if (!sl[i].ref)
			continue; /* keep the syntax error */
		ref_result_free(&r[i].result);
		r[i].code = 0;
		r[i].kind[0] = r[i].message[0] = '\0';
	}
}

int client_resolve(client_resolution **out, session *s, const char *const *refs, size_t n,
		   const client_resolve_options *opts, client_resolve_stats *stats)
{
	client_resolve_options o = CLIENT_RESOLVE_OPTIONS_INIT;
	client_resolution *r = NULL;
	slot *sl = NULL;
	bool fresh = false;
	int rc = 0;

	*out = NULL;
	if (opts)
		o = *opts;
	if (stats)
		memset(stats, 0, sizeof *stats);
	if (n > CLIENT_RESOLVE_MAX)
		return sesame_error_set(SESAME_ETOOBIG, "too_many",
					"too many secret references (more than %d)",
					CLIENT_RESOLVE_MAX);
	ref_options ro = {o.now ? o.now : (int64_t)time(NULL),
			  o.file_content ? o.file_content : file_content,
			  o.file_content ? o.file_ctx : s, o.max_value_bytes};
	r = calloc(n + 1, sizeof *r);
	sl = calloc(n + 1, sizeof *sl);
	if (!r || !sl) {
		rc = sesame_error_nomem();
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int e = sesame_reference_parse(&sl[i].ref, refs[i]);
		if (e == SESAME_ENOMEM) {
			rc = e;
			goto out;
		}
		if (e)
			set_error(&r[i], e);
	}
	for (int pass = 0; pass < 2; pass++) {
		bool stale = false;
		if (!s->vcache) {
			if (stats)
				stats->cache_fills++, stats->requests++;
			rc = vcache_fill(s);
			if (rc)
				goto out;
			fresh = true;
		}
		rc = attempt(r, sl, n, s, &ro, fresh, &stale, stats);
		if (rc)
			goto out;
		if (!stale)
			break;
		/* The cache looks stale: drop it and try once more from the server. */
		if (stats)
			stats->retries++;
		reset_results(r, n, sl);
		vcache_drop(s);
	}
	*out = r;
	r = NULL;
out:
	for (size_t i = 0; sl && i < n; i++)
		sesame_reference_free(sl[i].ref);
	free(sl);
	client_resolutions_free(r, n);
	return rc;
}

void client_resolutions_free(client_resolution *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		ref_result_free(&r[i].result);
	free(r);
}
