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
#include "text.h"

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

static int code_of_kind(const char *kind)
{
	if (strstr(kind, "not_found"))
		return SESAME_ENOTFOUND;
	if (strstr(kind, "invalid") || strstr(kind, "too_many"))
		return SESAME_EINVAL;
	return SESAME_EPERM;
}

/* Reads one result object into query q; *stale when it suggests a stale cache. */
static int take_result(session *s, query *q, const jdoc_val *res, bool *stale)
{
	const jdoc_val *err = jdoc_get(res, "error"), *items = jdoc_get(res, "items");
	const vcache_vault *v = &s->vcache->v[q->vault];

	if (err) {
		const char *kind = jdoc_str(err, "code"), *msg = jdoc_str(err, "message");
		q->code = code_of_kind(kind ? kind : "");
		text_copy(q->kind, sizeof q->kind, kind ? kind : "error");
		text_copy(q->message, sizeof q->message, msg ? msg : "the server refused");
		*stale = true;
		return 0;
	}
	if (!items || items->type != JDOC_ARRAY)
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed resolve answer");
	q->items = calloc(items->n + 1, sizeof *q->items);
	if (!q->items)
		return sesame_error_nomem();
	for (size_t i = 0; i < items->n; i++) {
		int rc = items_open_doc(&q->items[q->nitems], s->me.account_id, v->id, v->key,
					items->u.items[i]);
		if (rc == SESAME_ENOMEM)
			return rc;
		if (rc) {
			/* A candidate that does not open: a key changed, or a bad server. */
			const sesame_error *e = sesame_error_last();
			q->code = rc;
			text_copy(q->kind, sizeof q->kind, e->kind ? e->kind : "error");
			text_copy(q->message, sizeof q->message, e->message);
			*stale = true;
			continue;
		}
		q->nitems++;
	}
	return 0;
}

/* {"queries":[{"vault_id":"...","title"|"item_id":"..."}, ...]} of queries [from, to). */
int client_resolve_query_json(sbuf *b, bool first, const char *vault_id, bool by_id,
			      const char *value)
{
	if ((!first && sbuf_addc(b, ',')) || sbuf_adds(b, "{\"vault_id\":") ||
	    sjson_put_string(b, vault_id, strlen(vault_id)) ||
	    sbuf_adds(b, by_id ? ",\"item_id\":" : ",\"title\":") ||
	    sjson_put_string(b, value, strlen(value)) || sbuf_addc(b, '}'))
		return sesame_error_nomem();
	return 0;
}

static int query_body(sbuf *b, const session *s, const query_set *qs, size_t from, size_t to)
{
	int rc = sbuf_adds(b, "{\"queries\":[") ? sesame_error_nomem() : 0;

	for (size_t i = from; i < to && !rc; i++)
		rc = client_resolve_query_json(b, i == from, s->vcache->v[qs->q[i].vault].id,
					       qs->q[i].by_id, qs->q[i].key);
	return rc || sbuf_adds(b, "]}") ? sesame_error_nomem() : 0;
}

/* One POST /v1/resolve; its answer read as a document (no jansson values). */
static int send_queries(session *s, query_set *qs, size_t from, size_t to, bool *stale,
			client_resolve_stats *st)
{
	sbuf body = SBUF_INIT(API_REQUEST_MAX);
	const jdoc_val *arr;
	jdoc *doc = NULL;
	int rc;

	rc = query_body(&body, s, qs, from, to);
	if (rc == 0 && st)
		st->requests++;
	rc = rc ? rc : api_call_doc(s->api, "POST", "/v1/resolve", body.ptr, body.len, &doc);
	sbuf_free(&body);
	if (rc)
		return rc;
	arr = jdoc_get(jdoc_root(doc), "results");
	if (!arr || arr->type != JDOC_ARRAY || arr->n != to - from)
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "server answer lacks 'results' for every query");
	for (size_t i = 0; rc == 0 && i < to - from; i++)
		rc = take_result(s, &qs->q[from + i], arr->u.items[i], stale);
	jdoc_free(doc);
	return rc;
}

/* One pass over the batch with the current cache. */
static int attempt(client_resolution *r, slot *sl, size_t n, session *s, const ref_options *ro,
		   bool fresh, bool *stale, client_resolve_stats *st)
{
	vcache *c = s->vcache;
	ref_vault *rv = calloc(c->n + 1, sizeof *rv);
	/* Blind-index HMACs keyed once per vault; key material: secure memory. */
	blind_indexer *ikeys = secmem_calloc((c->n + 1) * sizeof *ikeys);
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
			unsigned char ikey[BLIND_INDEX_KEYBYTES];
			rc = blind_index_key(ikey, c->v[vi].key);
			rc = rc ? rc : blind_indexer_init(&ikeys[vi], ikey);
			secmem_wipe(ikey, sizeof ikey);
			if (rc)
				goto out;
			ikey_done[vi] = true;
		}
		char idx[BLIND_INDEX_TEXT_SIZE];
		rc = blind_indexer_text(idx, &ikeys[vi], part, strlen(part));
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
