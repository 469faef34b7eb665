/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decoded items of one batch resolution (sdk_internal.h): every
 * distinct (vault, item id, version) of the server's answer is decrypted
 * and parsed once, however many references point into it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sdk/sdk_internal.h"
#include "text.h"

#define EMPTY SIZE_MAX

void sdk_pool_init(sdk_item_pool *p, sdk_decode_fn decode, void *arg)
{
	memset(p, 0, sizeof *p);
	p->decode = decode;
	p->arg = arg;
}

void sdk_pool_free(sdk_item_pool *p)
{
	for (size_t i = 0; i < p->n; i++) {
		item_free(p->e[i].it); /* wipes */
	}
	free(p->e);
	free(p->table);
	memset(p, 0, sizeof *p);
}

static uint64_t hash(const char *vault_id, const char *id, long long version)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)version;
	for (const char *s = vault_id; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ '|') * 1099511628211ull;
	for (const char *s = id; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Grows the table to a power of two at least twice `need`. */
static int rehash(sdk_item_pool *p, size_t need)
{
	size_t cap = 16;
	while (cap < need * 2)
		cap *= 2;
	if (cap <= p->cap_table)
		return 0;
	size_t *t = malloc(cap * sizeof *t);
	if (!t)
		return sesame_error_nomem();
	for (size_t i = 0; i < cap; i++)
		t[i] = EMPTY;
	for (size_t k = 0; k < p->n; k++) {
		const sdk_pooled_item *e = &p->e[k];
		size_t i = (size_t)(hash(e->vault_id, e->id, e->version) & (cap - 1));
		while (t[i] != EMPTY)
			i = (i + 1) & (cap - 1);
		t[i] = k;
	}
	free(p->table);
	p->table = t;
	p->cap_table = cap;
	return 0;
}

int sdk_pool_item(size_t *out, sdk_item_pool *p, const client_vault *v, const jdoc_val *o)
{
	const jdoc_val *jid = jdoc_get(o, "id"), *jv = jdoc_get(o, "version");
	const char *id = jid && jid->type == JDOC_STRING ? jid->u.s : NULL;
	long long version = jv && jv->type == JDOC_INTEGER ? jv->u.i : 0;
	sdk_pooled_item *e;
	size_t i;

	if (!id)
		id = ""; /* malformed: the decoder says so */
	if (p->n + 1 > p->cap_table / 2 && rehash(p, p->n + 1))
		return SESAME_ENOMEM;
	i = (size_t)(hash(v->id, id, version) & (p->cap_table - 1));
	for (; p->table[i] != EMPTY; i = (i + 1) & (p->cap_table - 1)) {
		e = &p->e[p->table[i]];
		if (e->version == version && strcmp(e->id, id) == 0 &&
		    strcmp(e->vault_id, v->id) == 0) {
			*out = p->table[i];
			return 0;
		}
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		sdk_pooled_item *ne = realloc(p->e, cap * sizeof *ne);
		if (!ne)
			return sesame_error_nomem();
		p->e = ne;
		p->cap = cap;
	}
	e = &p->e[p->n];
	memset(e, 0, sizeof *e);
	text_copy(e->vault_id, sizeof e->vault_id, v->id);
	e->obj = o; /* its document outlives the pool */
	e->id = id;
	e->version = version;
	p->decodes++;
	if (p->decode(&e->it, p->arg, v, o) != 0) {
		const sesame_error *err = sesame_error_last();
		item_free(e->it);
		e->it = NULL;
		e->code = err->code ? err->code : SESAME_ERROR;
		if (e->code == SESAME_ENOMEM)
			return SESAME_ENOMEM;
		text_copy(e->kind, sizeof e->kind, err->kind);
		text_copy(e->message, sizeof e->message, err->message);
	}
	p->table[i] = p->n;
	*out = p->n++;
	return 0;
}
