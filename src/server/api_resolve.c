/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /v1/resolve (docs/protocol.md §6): up to 1,000 queries, by item id
 * or by title blind index, answered in one round trip with each matching
 * item's details ciphertext. It is the hot path of `sesame read` and of
 * the SDK's resolve_all, so:
 *
 * - each vault's permission is decided once per request;
 * - title queries cost one SQL statement per vault, not one per query;
 * - each item is written once per request however many queries match it
 *   (found again through a small hash table of id and version);
 * - the answer is written straight into one buffer, not built as a jansson
 *   tree and dumped: every string in it is an id, a state, a time or
 *   base64url, and a batch of 100 spent a third of its server time in the
 *   tree and the dump (docs/decisions.md §10).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "error.h"
#include "json.h"

const char *const keys_resolve[] = {"queries", NULL};
static const char *const keys_query[] = {"vault_id", "item_id", "title", NULL};

#define ANSWER_MAX ((size_t)256 << 20) /* 1,000 items of the largest size, with room */

/* Effective permissions per vault, remembered for one request. */
struct vault_cache {
	size_t n;
	struct {
		char id[STORE_ID_SIZE];
		bool ok;
		json_t *error; /* why not, when !ok */
	} v[API_RESOLVE_MAX];
};

static bool vault_allowed(struct http_request *req, struct vault_cache *c, const char *vid,
			  json_t **error)
{
	struct authz_vault *v;
	struct http_reply r;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].id, vid) == 0)
			goto found;
	v = malloc(sizeof *v);
	if (!v) {
		*error = json_pack("{s:s,s:s}", "code", "out_of_memory", "message",
				   "the server cannot serve this now");
		return false;
	}
	i = c->n++;
	memcpy(c->v[i].id, vid, STORE_ID_SIZE);
	c->v[i].ok =
		authz_vault(req->state->store, &req->caller, vid, PERM_READ_DETAILS, v, &r) == 0;
	free(v);
	if (!c->v[i].ok) {
		c->v[i].error = json_object_get(r.json, "error");
		json_incref(c->v[i].error);
		reply_free(&r);
	}
found:
	if (!c->v[i].ok)
		*error = json_incref(c->v[i].error);
	return c->v[i].ok;
}

/* ---- writing the answer ---- */

/*
 * Base64url without padding (as b64_encode with B64_URL_NOPAD) of
 * ciphertext. Ciphertext is public, so this need not be constant-time as
 * libsodium's encoder is; a table lookup per 6 bits is about ten times
 * cheaper.
 */
static int put_b64(sbuf *b, const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i = 0;
	char *o;

	if (sbuf_grow(b, (n / 3) * 4 + 6))
		return -1;
	o = b->ptr + b->len;
	*o++ = '"';
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = t[v >> 18];
		*o++ = t[(v >> 12) & 63];
		*o++ = t[(v >> 6) & 63];
		*o++ = t[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		*o++ = t[v >> 18];
		*o++ = t[(v >> 12) & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		*o++ = t[v >> 18];
		*o++ = t[(v >> 12) & 63];
		*o++ = t[(v >> 6) & 63];
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->ptr);
	return 0;
}

/* A decimal integer without printf (a call per item added up). */
static int put_integer(sbuf *b, long long v)
{
	char digits[24], *p = digits + sizeof digits;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return sbuf_add(b, p, (size_t)(digits + sizeof digits - p));
}

static int put_member(sbuf *b, const char *key, const char *value)
{
	return sbuf_adds(b, key) || sjson_put_string(b, value, strlen(value));
}

/*
 * An item object as GET .../items/{i} writes it, with only what a client
 * needs to decrypt and check it: no overview (a reference resolves from
 * the details alone) and no times or authors (the details carry their
 * own). Together they were over a third of each answer's bytes to write,
 * send and parse.
 */
static int put_item(sbuf *b, const struct item_row *r)
{
	return put_member(b, "{\"id\":", r->id) || put_member(b, ",\"vault_id\":", r->vault_id) ||
	       sbuf_adds(b, ",\"version\":") || put_integer(b, r->version) ||
	       put_member(b, ",\"state\":", r->state) ||
	       (r->details &&
		(sbuf_adds(b, ",\"details\":") || put_b64(b, r->details, r->details_len))) ||
	       sbuf_addc(b, '}');
}

/* ---- the queries ---- */

struct span {
	size_t off, len;
};

/* One query of a resolve request. */
struct rquery {
	const char *vid;
	const char *iid; /* NULL for a title query */
	unsigned char title[STORE_INDEX_BYTES];
	bool open;    /* allowed and well-formed: collects hits */
	size_t *hits; /* indexes into resolve_ctx.items */
	size_t nhits, caphits;
	json_t *err; /* why not */
};

struct resolve_ctx {
	struct rquery *q;
	size_t *order; /* the title queries of one vault, sorted by title */
	size_t n;
	sbuf text;	    /* every distinct item object, written once */
	struct span *items; /* where each is in `text` */
	size_t nitems, capitems;
	/* (id, version) -> index in items: open addressing, SIZE_MAX empty */
	struct seen {
		char id[STORE_ID_SIZE];
		long long version;
		size_t index;
	} * seen;
	size_t capseen; /* a power of two, at least twice nitems */
};

static size_t seen_slot(const struct resolve_ctx *rc, const char *id, long long version)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)version;
	for (const char *s = id; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	size_t i = (size_t)h & (rc->capseen - 1);
	while (rc->seen[i].index != SIZE_MAX &&
	       (rc->seen[i].version != version || strcmp(rc->seen[i].id, id) != 0))
		i = (i + 1) & (rc->capseen - 1);
	return i;
}

static int seen_grow(struct resolve_ctx *rc)
{
	size_t cap = rc->capseen ? rc->capseen * 2 : 256;
	struct seen *old = rc->seen;
	size_t oldcap = rc->capseen;

	rc->seen = malloc(cap * sizeof *rc->seen);
	if (!rc->seen) {
		rc->seen = old;
		return sesame_error_nomem();
	}
	rc->capseen = cap;
	for (size_t i = 0; i < cap; i++)
		rc->seen[i].index = SIZE_MAX;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].index != SIZE_MAX)
			rc->seen[seen_slot(rc, old[i].id, old[i].version)] = old[i];
	free(old);
	return 0;
}

/* The index of the row's item object, written on its first sight. */
static int item_index(struct resolve_ctx *rc, const struct item_row *r, size_t *out)
{
	size_t slot;

	if (strlen(r->id) >= STORE_ID_SIZE)
		return sesame_error_set(SESAME_ERROR, "internal", "an item id is malformed");
	if ((rc->nitems + 1) * 2 > rc->capseen && seen_grow(rc))
		return SESAME_ENOMEM;
	slot = seen_slot(rc, r->id, r->version);
	if (rc->seen[slot].index != SIZE_MAX) {
		*out = rc->seen[slot].index;
		return 0;
	}
	if (rc->nitems == rc->capitems) {
		size_t cap = rc->capitems ? rc->capitems * 2 : 64;
		struct span *n = realloc(rc->items, cap * sizeof *n);
		if (!n)
			return sesame_error_nomem();
		rc->items = n;
		rc->capitems = cap;
	}
	size_t off = rc->text.len;
	if (put_item(&rc->text, r))
		return sesame_error_nomem();
	rc->items[rc->nitems] = (struct span){off, rc->text.len - off};
	memcpy(rc->seen[slot].id, r->id, strlen(r->id) + 1);
	rc->seen[slot].version = r->version;
	rc->seen[slot].index = rc->nitems;
	*out = rc->nitems++;
	return 0;
}

static int add_hit(struct resolve_ctx *rc, struct rquery *q, const struct item_row *r)
{
	size_t idx = 0;
	int err = item_index(rc, r, &idx);

	if (err)
		return err;
	if (q->nhits == q->caphits) {
		size_t cap = q->caphits ? q->caphits * 2 : 2;
		size_t *n = realloc(q->hits, cap * sizeof *n);
		if (!n)
			return sesame_error_nomem();
		q->hits = n;
		q->caphits = cap;
	}
	q->hits[q->nhits++] = idx;
	return 0;
}

struct by_id {
	struct resolve_ctx *rc;
	struct rquery *q;
};

static int id_hit(void *ctx, const struct item_row *r)
{
	struct by_id *a = ctx;
	return add_hit(a->rc, a->q, r);
}

static _Thread_local struct rquery *tl_sort_base; /* qsort takes no context */

static int by_title(const void *a, const void *b)
{
	return memcmp(tl_sort_base[*(const size_t *)a].title,
		      tl_sort_base[*(const size_t *)b].title, STORE_INDEX_BYTES);
}

/* A row of the vault's title statement: into every query with its title. */
static int title_hit(void *ctx, const unsigned char *title, const struct item_row *r)
{
	struct resolve_ctx *rc = ctx;
	size_t lo = 0, hi = rc->n;

	while (lo < hi) { /* the first query with this title */
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(rc->q[rc->order[mid]].title, title, STORE_INDEX_BYTES) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < rc->n; lo++) {
		struct rquery *q = &rc->q[rc->order[lo]];
		if (memcmp(q->title, title, STORE_INDEX_BYTES) != 0)
			break;
		int err = add_hit(rc, q, r);
		if (err)
			return err;
	}
	return 0;
}

/* A failed store call: the error of each of these queries instead of hits. */
static void fail_queries(struct resolve_ctx *rc, const size_t *which, size_t n)
{
	json_t *err = api_error_last_json();

	for (size_t k = 0; k < n; k++) {
		struct rquery *q = &rc->q[which[k]];
		q->open = false;
		q->nhits = 0;
		json_decref(q->err);
		q->err = json_incref(err);
	}
	json_decref(err);
}

/*
 * The title queries of vault `vid`: one SQL statement for all their titles
 * (per STORE_TITLES_CHUNK), not one per query.
 */
static int resolve_titles(struct store *st, struct resolve_ctx *rc, size_t nq, const char *vid)
{
	const unsigned char **titles;
	size_t n = 0, nt = 0;
	int c;

	for (size_t i = 0; i < nq; i++)
		if (rc->q[i].open && !rc->q[i].iid && strcmp(rc->q[i].vid, vid) == 0)
			rc->order[n++] = i;
	if (!n)
		return 0;
	tl_sort_base = rc->q;
	qsort(rc->order, n, sizeof *rc->order, by_title);
	titles = malloc(n * sizeof *titles);
	if (!titles)
		return sesame_error_nomem();
	for (size_t k = 0; k < n; k++)
		if (k == 0 ||
		    memcmp(rc->q[rc->order[k]].title, titles[nt - 1], STORE_INDEX_BYTES) != 0)
			titles[nt++] = rc->q[rc->order[k]].title;
	rc->n = n;
	c = store_call(st, item_list_titles, vid, "active", titles, nt, true, title_hit, rc);
	free(titles);
	if (c == SESAME_ENOMEM)
		return c;
	if (c)
		fail_queries(rc, rc->order, n);
	return 0;
}

/* Checks query i and its vault's permission. */
static void read_query(struct http_request *req, struct vault_cache *cache, struct rquery *r,
		       const json_t *q)
{
	struct input one = INPUT_INIT;

	if (!json_is_object(q)) {
		in_fail(&one, "each query must be an object");
	} else {
		in_keys(&one, q, keys_query);
		r->vid = in_id(&one, q, "vault_id");
		if (json_object_get(q, "item_id"))
			r->iid = in_id(&one, q, "item_id");
		if (json_object_get(q, "title"))
			in_b64(&one, q, "title", r->title, sizeof r->title, sizeof r->title);
		if (!one.bad && !r->iid == !json_object_get(q, "title"))
			in_fail(&one, "give exactly one of 'item_id' and 'title'");
	}
	if (one.bad)
		r->err = in_error_json(&one);
	else
		r->open = vault_allowed(req, cache, r->vid, &r->err);
}

/* {"results":[{"items":[...]} | {"error":{...}}, ...]} in query order. */
static int write_answer(sbuf *out, struct resolve_ctx *rc, size_t nq)
{
	size_t need = 32;

	for (size_t i = 0; i < nq; i++)
		for (size_t k = 0; k < rc->q[i].nhits; k++)
			need += rc->items[rc->q[i].hits[k]].len + 1;
	if (sbuf_grow(out, need + nq * 16) || sbuf_adds(out, "{\"results\":["))
		return sesame_error_nomem();
	for (size_t i = 0; i < nq; i++) {
		struct rquery *q = &rc->q[i];
		if (i && sbuf_addc(out, ','))
			return sesame_error_nomem();
		if (!q->open) {
			char *e = sjson_dump(q->err);
			int bad = !e || sbuf_adds(out, "{\"error\":") || sbuf_adds(out, e) ||
				  sbuf_addc(out, '}');
			free(e);
			if (bad)
				return sesame_error_nomem();
			continue;
		}
		if (sbuf_adds(out, "{\"items\":["))
			return sesame_error_nomem();
		for (size_t k = 0; k < q->nhits; k++) {
			const struct span *s = &rc->items[q->hits[k]];
			if ((k && sbuf_addc(out, ',')) ||
			    sbuf_add(out, rc->text.ptr + s->off, s->len))
				return sesame_error_nomem();
		}
		if (sbuf_adds(out, "]}"))
			return sesame_error_nomem();
	}
	return sbuf_adds(out, "]}") ? sesame_error_nomem() : 0;
}

HANDLER(handle_resolve)
{
	struct input in = INPUT_INIT;
	struct vault_cache *cache;
	struct resolve_ctx rc = {0};
	const json_t *queries, *q;
	sbuf answer = SBUF_INIT(ANSWER_MAX);
	size_t i, nq;
	int err = 0;
	(void)params;

	queries = in_array(&in, body, "queries", 1, API_RESOLVE_MAX);
	if (in.bad)
		return in_reply(&in);
	nq = json_array_size(queries);
	sbuf_init(&rc.text, ANSWER_MAX);
	cache = calloc(1, sizeof *cache);
	rc.q = calloc(nq, sizeof *rc.q);
	rc.order = calloc(nq, sizeof *rc.order);
	if (!cache || !rc.q || !rc.order) {
		err = SESAME_ENOMEM;
		goto out;
	}
	json_array_foreach(queries, i, q) read_query(req, cache, &rc.q[i], q);

	/* By id: one statement each (an id names one item). */
	for (i = 0; i < nq; i++) {
		struct rquery *r = &rc.q[i];
		struct by_id a = {&rc, r};
		if (!r->open || !r->iid)
			continue;
		int c = store_call(req->state->store, item_get, r->vid, r->iid, true, id_hit, &a);
		if (c == SESAME_ENOTFOUND)
			c = 0; /* no match: an empty list */
		if (c == SESAME_ENOMEM) {
			err = c;
			goto out;
		}
		if (c)
			fail_queries(&rc, &i, 1);
	}
	/* By title: one statement per vault. */
	for (size_t v = 0; v < cache->n; v++) {
		if (!cache->v[v].ok)
			continue;
		err = resolve_titles(req->state->store, &rc, nq, cache->v[v].id);
		if (err)
			goto out;
	}
	err = write_answer(&answer, &rc, nq);
out:
	for (i = 0; rc.q && i < nq; i++) {
		free(rc.q[i].hits);
		json_decref(rc.q[i].err);
	}
	free(rc.q);
	free(rc.order);
	free(rc.items);
	sbuf_free(&rc.text);
	free(rc.seen);
	for (i = 0; cache && i < cache->n; i++)
		json_decref(cache->v[i].error);
	free(cache);
	if (err) {
		sbuf_free(&answer);
		if (err == SESAME_ENOMEM)
			return api_oom();
		return reply_from_error();
	}
	struct http_reply r = reply_bytes(200, (unsigned char *)answer.ptr, answer.len);
	r.bytes_type = "application/json";
	return r;
}
