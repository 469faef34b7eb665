/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret references for the SDK: the cached vault list (names -> ids and
 * keys), and batch resolution in one round trip: every reference becomes
 * one or two queries of POST /v1/resolve (its item by id when the item
 * part looks like an id, and by title blind index), deduplicated, then the
 * resolver of src/lib/reference picks the item and field locally.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/resolve.h"
#include "crypto/blind_index.h"
#include "crypto/secmem.h"
#include "error.h"
#include "reference/resolve.h"
#include "sdk/sdk_internal.h"
#include "text.h"

#define QUERY_CHUNK 1000

/* ---- vault list ---- */

int sdk_vaults_refresh(sdk_ctx *ctx)
{
	sesame_client *c = ctx->c;
	client_vault *list = NULL, *old;
	size_t n = 0, oldn;
	int rc = vaults_list(&list, &n, &ctx->s);

	if (rc)
		return rc;
	pthread_mutex_lock(&c->vault_mu);
	old = c->vaults;
	oldn = c->nvaults;
	c->vaults = list;
	c->nvaults = n;
	c->vaults_loaded = true;
	pthread_mutex_unlock(&c->vault_mu);
	client_vaults_free(old, oldn);
	return 0;
}

void sdk_vaults_invalidate(sesame_client *c)
{
	pthread_mutex_lock(&c->vault_mu);
	c->vaults_loaded = false;
	pthread_mutex_unlock(&c->vault_mu);
}

static int copy_vault(client_vault *out, const client_vault *v)
{
	*out = *v;
	out->name = strdup(v->name ? v->name : "");
	out->description = strdup(v->description ? v->description : "");
	if (!out->name || !out->description) {
		client_vault_clear(out);
		return sesame_error_nomem();
	}
	return 0;
}

/* Picks the vault of `ref` from the cached list; SESAME_EAGAIN-like 1 when not loaded. */
static int pick_vault(client_vault *out, sesame_client *c, const sesame_reference *ref,
		      bool *loaded)
{
	ref_vault *rv = NULL;
	size_t idx = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&c->vault_mu);
	*loaded = c->vaults_loaded;
	if (!*loaded)
		goto out;
	rv = calloc(c->nvaults + 1, sizeof *rv);
	if (!rv) {
		rc = sesame_error_nomem();
		goto out;
	}
	for (size_t i = 0; i < c->nvaults; i++) {
		rv[i].id = c->vaults[i].id;
		rv[i].title = c->vaults[i].name;
	}
	rc = ref_resolve_vault(&idx, ref, rv, c->nvaults);
	rc = rc ? rc : copy_vault(out, &c->vaults[idx]);
out:
	pthread_mutex_unlock(&c->vault_mu);
	free(rv);
	return rc;
}

int sdk_vault_find(client_vault *out, sdk_ctx *ctx, const char *name_or_id)
{
	sesame_client *c = ctx->c;
	bool refreshed = false;
	int rc;

	memset(out, 0, sizeof *out);
	for (;;) {
		size_t hit = 0, hits = 0;
		pthread_mutex_lock(&c->vault_mu);
		bool loaded = c->vaults_loaded;
		for (size_t i = 0; loaded && i < c->nvaults; i++)
			if (strcmp(c->vaults[i].id, name_or_id) == 0) {
				hit = i;
				hits = 1;
				break;
			}
		for (int pass = 0; loaded && pass < 2 && hits == 0; pass++)
			for (size_t i = 0; i < c->nvaults; i++)
				if (pass == 0 ? strcmp(c->vaults[i].name, name_or_id) == 0
					      : ref_name_equal(c->vaults[i].name, name_or_id)) {
					hit = i;
					hits++;
				}
		rc = 0;
		if (loaded && hits == 1)
			rc = copy_vault(out, &c->vaults[hit]);
		pthread_mutex_unlock(&c->vault_mu);
		if (loaded && hits == 1)
			return rc;
		if (loaded && hits > 1)
			return sesame_error_set(SESAME_EAMBIGUOUS, "vault_ambiguous",
						"more than one vault is named '%s'; use its id",
						name_or_id);
		if (refreshed)
			return sesame_error_set(SESAME_ENOTFOUND, "vault_not_found",
						"vault '%s' not found", name_or_id);
		rc = sdk_vaults_refresh(ctx);
		if (rc)
			return rc;
		refreshed = true;
	}
}

/* ---- batch resolution ---- */

void sdk_resolved_clear(sdk_resolved *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		sesame_free(r[i].value); /* wipes */
		memset(&r[i], 0, sizeof r[i]);
	}
}

static void set_error(sdk_resolved *r)
{
	const sesame_error *e = sesame_error_last();
	r->code = e->code ? e->code : SESAME_ERROR;
	text_copy(r->kind, sizeof r->kind, e->kind);
	text_copy(r->message, sizeof r->message, e->message);
}

typedef struct {
	sesame_reference *ref;
	client_vault vault;
	bool has_vault;
	int q[2]; /* query indexes, -1 none */
} ref_job;

/* One query of POST /v1/resolve: an item of a vault by title index or by id. */
typedef struct {
	const char *vault_id; /* the job's vault, alive as long as the batch */
	bool by_id;
	char value[BLIND_INDEX_TEXT_SIZE]; /* the title index, or the item id */
} rquery;

typedef struct {
	rquery *queries;
	size_t nqueries, capqueries;
	size_t *table; /* open addressing over queries (deduplication), SIZE_MAX empty */
	size_t captable;
	/* The answers, as documents (one per chunk), and each query's result object in them. */
	jdoc **docs;
	size_t ndocs;
	const jdoc_val **results;
	sdk_item_pool pool;
	/* Per query: indexes into the pool of its items, decoded on first use. */
	size_t **qitems;
	size_t *nqitems;
	bool *qdecoded;
} query_set;

static int decode_item(item **out, void *arg, const client_vault *v, const jdoc_val *obj)
{
	sdk_ctx *ctx = arg;
	return items_decode_doc(out, &ctx->s, v, obj, true);
}

static size_t query_slot(const query_set *qs, const char *vault_id, bool by_id, const char *value)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)by_id;
	for (const char *s = vault_id; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	for (const char *s = value; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	size_t i = (size_t)h & (qs->captable - 1);
	for (; qs->table[i] != SIZE_MAX; i = (i + 1) & (qs->captable - 1)) {
		const rquery *q = &qs->queries[qs->table[i]];
		if (q->by_id == by_id && strcmp(q->value, value) == 0 &&
		    strcmp(q->vault_id, vault_id) == 0)
			break;
	}
	return i;
}

static int grow_queries(query_set *qs)
{
	size_t cap = qs->capqueries ? qs->capqueries * 2 : 64;
	rquery *nq = realloc(qs->queries, cap * sizeof *nq);
	size_t *nt = malloc(cap * 2 * sizeof *nt);

	if (nq)
		qs->queries = nq;
	if (!nq || !nt) {
		free(nt);
		return sesame_error_nomem();
	}
	free(qs->table);
	qs->table = nt;
	qs->capqueries = cap;
	qs->captable = cap * 2;
	for (size_t i = 0; i < qs->captable; i++)
		qs->table[i] = SIZE_MAX;
	for (size_t k = 0; k < qs->nqueries; k++) {
		const rquery *q = &qs->queries[k];
		qs->table[query_slot(qs, q->vault_id, q->by_id, q->value)] = k;
	}
	return 0;
}

/* The index of the query for (vault, title index or id), added once per batch. */
static int add_query(query_set *qs, ref_job *jobs, size_t job, bool by_id, const char *value,
		     int *out)
{
	const char *vid = jobs[job].vault.id;
	size_t slot;

	if (strlen(value) >= sizeof qs->queries[0].value)
		return sesame_error_set(SESAME_EINVAL, "invalid_reference", "item part too long");
	if (qs->nqueries == qs->capqueries && grow_queries(qs))
		return SESAME_ENOMEM;
	slot = query_slot(qs, vid, by_id, value);
	if (qs->table[slot] == SIZE_MAX) {
		rquery *q = &qs->queries[qs->nqueries];
		q->vault_id = vid;
		q->by_id = by_id;
		text_copy(q->value, sizeof q->value, value);
		qs->table[slot] = qs->nqueries++;
	}
	*out = (int)qs->table[slot];
	return 0;
}

/* {"queries":[{"vault_id":"...","title"|"item_id":"..."}, ...]} of queries [off, end). */
static int query_body(sbuf *b, const query_set *qs, size_t off, size_t end)
{
	int rc = sbuf_adds(b, "{\"queries\":[") ? sesame_error_nomem() : 0;

	for (size_t i = off; i < end && !rc; i++)
		rc = client_resolve_query_json(b, i == off, qs->queries[i].vault_id,
					       qs->queries[i].by_id, qs->queries[i].value);
	return rc || sbuf_adds(b, "]}") ? sesame_error_nomem() : 0;
}

/*
 * One POST /v1/resolve per QUERY_CHUNK queries. The answers stay
 * documents (api_call_doc): a hundred items as jansson values cost more
 * than decrypting them.
 */
static int post_queries(sdk_ctx *ctx, query_set *qs)
{
	size_t total = qs->nqueries, nchunks = (total + QUERY_CHUNK - 1) / QUERY_CHUNK;
	int rc = 0;

	qs->results = calloc(total + 1, sizeof *qs->results);
	qs->docs = calloc(nchunks + 1, sizeof *qs->docs);
	qs->qitems = calloc(total + 1, sizeof *qs->qitems);
	qs->nqitems = calloc(total + 1, sizeof *qs->nqitems);
	qs->qdecoded = calloc(total + 1, sizeof *qs->qdecoded);
	if (!qs->results || !qs->docs || !qs->qitems || !qs->nqitems || !qs->qdecoded)
		return sesame_error_nomem();
	for (size_t off = 0; off < total && !rc; off += QUERY_CHUNK) {
		size_t end = total - off < QUERY_CHUNK ? total : off + QUERY_CHUNK;
		sbuf body = SBUF_INIT(API_REQUEST_MAX);
		jdoc *doc = NULL;
		rc = query_body(&body, qs, off, end);
		rc = rc ? rc
			: api_call_doc(ctx->s.api, "POST", "/v1/resolve", body.ptr, body.len, &doc);
		sbuf_free(&body);
		if (rc)
			break;
		qs->docs[qs->ndocs++] = doc;
		const jdoc_val *arr = jdoc_get(jdoc_root(doc), "results");
		size_t want = total - off < QUERY_CHUNK ? total - off : QUERY_CHUNK;
		if (!arr || arr->type != JDOC_ARRAY || arr->n != want)
			rc = sesame_error_set(SESAME_EINVAL, "bad_response",
					      "resolve answer has the wrong number of results");
		else
			memcpy(qs->results + off, arr->u.items, want * sizeof *qs->results);
	}
	return rc;
}

static void query_set_free(query_set *qs)
{
	sdk_pool_free(&qs->pool);
	for (size_t i = 0; qs->qitems && i < qs->nqueries; i++)
		free(qs->qitems[i]);
	free(qs->qitems);
	free(qs->nqitems);
	free(qs->qdecoded);
	free(qs->queries);
	free(qs->table);
	free(qs->results);
	for (size_t i = 0; i < qs->ndocs; i++)
		jdoc_free(qs->docs[i]); /* ciphertext only, wiped anyway */
	free(qs->docs);
}

/* Decodes the items of query q once; the error object of its result in *err. */
static int query_items(query_set *qs, const ref_job *job, int q, const jdoc_val **err)
{
	const jdoc_val *r = qs->results[q], *items;

	*err = jdoc_get(r, "error");
	if ((*err && (*err)->type == JDOC_OBJECT) || qs->qdecoded[q])
		return 0;
	*err = NULL;
	items = jdoc_get(r, "items");
	if (!items || items->type != JDOC_ARRAY)
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"resolve result lacks 'items'");
	free(qs->qitems[q]); /* a first attempt that ran out of memory */
	qs->nqitems[q] = 0;
	qs->qitems[q] = calloc(items->n + 1, sizeof **qs->qitems);
	if (!qs->qitems[q])
		return sesame_error_nomem();
	for (size_t i = 0; i < items->n; i++) {
		int rc = sdk_pool_item(&qs->qitems[q][qs->nqitems[q]], &qs->pool, &job->vault,
				       items->u.items[i]);
		if (rc)
			return rc;
		qs->nqitems[q]++;
	}
	qs->qdecoded[q] = true;
	return 0;
}

/* The candidates of job j from its queries' results (deduplicated by item). */
static int candidates(const item ***out, size_t *n, query_set *qs, ref_job *job)
{
	const item **list = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (int k = 0; k < 2 && !rc; k++) {
		const jdoc_val *err = NULL;
		int q = job->q[k];
		if (q < 0)
			continue;
		rc = query_items(qs, job, q, &err);
		if (rc)
			break;
		if (err) {
			const char *code = jdoc_str(err, "code");
			const char *msg = jdoc_str(err, "message");
			int ec = SESAME_ERROR;
			if (code && strstr(code, "not_found"))
				ec = SESAME_ENOTFOUND;
			else if (code && (strstr(code, "permission") || strstr(code, "forbidden")))
				ec = SESAME_EPERM;
			else if (code && strcmp(code, "invalid_request") == 0)
				ec = SESAME_EINVAL;
			/* An item asked for by id that does not exist: the title may match. */
			if (k == 1 && ec == SESAME_ENOTFOUND && code &&
			    strcmp(code, "item_not_found") == 0)
				continue;
			rc = sesame_error_set(ec, code, "%s", msg ? msg : "resolve failed");
			break;
		}
		for (size_t i = 0; i < qs->nqitems[q]; i++) {
			const sdk_pooled_item *p = &qs->pool.e[qs->qitems[q][i]];
			bool dup = false;
			if (!p->it) {
				rc = sesame_error_set(p->code, p->kind, "%s", p->message);
				break;
			}
			for (size_t m = 0; m < cnt; m++)
				dup |= strcmp(list[m]->id, p->it->id) == 0;
			if (dup)
				continue;
			if (cnt == cap) {
				cap = cap ? cap * 2 : 4;
				const item **nl = realloc(list, cap * sizeof *nl);
				if (!nl) {
					rc = sesame_error_nomem();
					break;
				}
				list = nl;
			}
			list[cnt++] = p->it;
		}
	}
	if (rc) {
		free(list);
		return rc;
	}
	*out = list;
	*n = cnt;
	return 0;
}

static int resolve_one(sdk_resolved *res, query_set *qs, ref_job *job)
{
	ref_options opts = REF_OPTIONS_INIT;
	ref_result rr;
	const item **items = NULL;
	size_t n = 0, idx = 0;
	int rc;

	opts.now = (int64_t)time(NULL);
	rc = candidates(&items, &n, qs, job);
	rc = rc ? rc : ref_resolve_item(&idx, job->ref, job->vault.id, items, n);
	rc = rc ? rc : ref_resolve_in_item(&rr, job->ref, items[idx], &opts);
	if (rc == 0) {
		/*
		 * The resolver's buffer is wiped heap memory; the value goes
		 * to the caller as a block sesame_free() wipes and releases,
		 * handed to the application as it is. No sodium_malloc: each
		 * costs about ten system calls (mmap, mlock, mprotect, ...),
		 * which were 40% of a batch of 100 (docs/sdk.md).
		 */
		res->value = sdk_strdup_out(sbuf_cstr(&rr.value), rr.value.len);
		text_copy(res->item_id, sizeof res->item_id, rr.item_id);
		text_copy(res->vault_id, sizeof res->vault_id, job->vault.id);
		ref_result_free(&rr);
		if (!res->value)
			rc = sesame_error_nomem();
	}
	free(items);
	return rc;
}

/*
 * Blind indexers of one batch: the key derived and absorbed into the HMAC
 * once per vault, not per reference.
 */
#define IKEY_CACHE 8
typedef struct {
	size_t n;
	char vault_id[IKEY_CACHE][ID_SIZE];
	blind_indexer bi[IKEY_CACHE];
} ikey_cache;

static int title_index(char out[BLIND_INDEX_TEXT_SIZE], sdk_ctx *ctx, ikey_cache *ic,
		       const char *vault_id, const char *title)
{
	const unsigned char *key;
	unsigned char ikey[BLIND_INDEX_KEYBYTES];
	int rc;

	for (size_t i = 0; i < ic->n; i++)
		if (strcmp(ic->vault_id[i], vault_id) == 0)
			return blind_indexer_text(out, &ic->bi[i], title, strlen(title));
	key = keyring_vault_key(ctx->s.kr, vault_id);
	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", vault_id);
	rc = blind_index_key(ikey, key);
	if (rc == 0 && ic->n < IKEY_CACHE) {
		rc = blind_indexer_init(&ic->bi[ic->n], ikey);
		if (rc == 0) {
			text_copy(ic->vault_id[ic->n], ID_SIZE, vault_id);
			rc = blind_indexer_text(out, &ic->bi[ic->n++], title, strlen(title));
		}
	} else if (rc == 0) {
		rc = blind_index_text(out, ikey, title, strlen(title));
	}
	secmem_wipe(ikey, sizeof ikey);
	return rc;
}

int sdk_resolve_many(sdk_ctx *ctx, const char *const *refs, size_t n, sdk_resolved *out)
{
	sesame_client *c = ctx->c;
	ref_job *jobs = calloc(n, sizeof *jobs);
	query_set qs = {0};
	bool refreshed = false;
	size_t pending = 0;
	ikey_cache ic;
	int rc = 0;

	ic.n = 0;
	sdk_pool_init(&qs.pool, decode_item, ctx);
	if (!jobs) {
		rc = sesame_error_nomem();
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i].q[0] = jobs[i].q[1] = -1;
		if (!refs[i] || sesame_reference_parse(&jobs[i].ref, refs[i]) != 0) {
			if (!refs[i])
				sesame_error_set(SESAME_EINVAL, "invalid_reference",
						 "reference %zu is missing", i);
			set_error(&out[i]);
			continue;
		}
		char *cached = NULL;
		size_t clen = 0;
		if (c->cache_ttl &&
		    sdk_cache_get(c, refs[i], &cached, &clen, out[i].item_id, out[i].vault_id)) {
			out[i].value = sdk_strdup_out(cached, clen);
			secmem_free(cached);
			if (!out[i].value) {
				rc = SESAME_ENOMEM;
				goto out;
			}
			sesame_reference_free(jobs[i].ref);
			jobs[i].ref = NULL;
			continue;
		}
		pending++;
	}
	/* Vaults: the cached list, refreshed once when empty or on a miss. */
	for (int pass = 0; pass < 2 && pending; pass++) {
		bool again = false;
		for (size_t i = 0; i < n; i++) {
			bool loaded = false;
			if (!jobs[i].ref || jobs[i].has_vault)
				continue;
			rc = pick_vault(&jobs[i].vault, c, jobs[i].ref, &loaded);
			if (rc == 0 && loaded) {
				jobs[i].has_vault = true;
				out[i].code = 0;
				continue;
			}
			if (rc == SESAME_ENOMEM)
				goto out;
			if (!loaded || (rc == SESAME_ENOTFOUND && !refreshed)) {
				again = true;
				continue;
			}
			set_error(&out[i]);
		}
		rc = 0;
		if (!again || refreshed)
			break;
		rc = sdk_vaults_refresh(ctx);
		if (rc)
			goto out;
		refreshed = true;
	}
	for (size_t i = 0; i < n; i++) {
		char idx[BLIND_INDEX_TEXT_SIZE];
		if (!jobs[i].ref)
			continue;
		if (!jobs[i].has_vault) {
			if (out[i].code == 0)
				set_error(&out[i]);
			sesame_reference_free(jobs[i].ref);
			jobs[i].ref = NULL;
			continue;
		}
		const char *part = sesame_reference_item(jobs[i].ref);
		rc = title_index(idx, ctx, &ic, jobs[i].vault.id, part);
		rc = rc ? rc : add_query(&qs, jobs, i, false, idx, &jobs[i].q[0]);
		if (rc == 0 && ref_part_is_id(part))
			rc = add_query(&qs, jobs, i, true, part, &jobs[i].q[1]);
		if (rc == SESAME_ENOMEM)
			goto out;
		if (rc) {
			set_error(&out[i]);
			sesame_reference_free(jobs[i].ref);
			jobs[i].ref = NULL;
			rc = 0;
		}
	}
	if (qs.nqueries == 0)
		goto out;
	rc = post_queries(ctx, &qs);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].ref)
			continue;
		if (resolve_one(&out[i], &qs, &jobs[i]) != 0) {
			set_error(&out[i]);
			continue;
		}
		out[i].code = 0;
		if (c->cache_ttl)
			sdk_cache_put(c, refs[i], out[i].value, strlen(out[i].value),
				      out[i].item_id, out[i].vault_id);
	}
out:
	for (size_t i = 0; i < ic.n; i++)
		blind_indexer_wipe(&ic.bi[i]);
	for (size_t i = 0; jobs && i < n; i++) {
		sesame_reference_free(jobs[i].ref);
		client_vault_clear(&jobs[i].vault);
	}
	free(jobs);
	query_set_free(&qs);
	return rc;
}
