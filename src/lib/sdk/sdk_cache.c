/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SDK's optional in-memory cache of item reads: resolved references
 * and ItemsGet answers, each for cache_ttl_s seconds. Values live in
 * secure memory. The server sends no ETag yet, so entries are never
 * revalidated, only expired; every write through the client empties the
 * cache (a write may change any title a reference matched).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/secmem.h"
#include "sdk/sdk_internal.h"

static int64_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static void entry_clear(sdk_cache_entry *e)
{
	free(e->key);
	secmem_free(e->value);
	memset(e, 0, sizeof *e);
}

bool sdk_cache_get(sesame_client *c, const char *key, char **out_value, size_t *out_len,
		   char item_id[ID_SIZE], char vault_id[ID_SIZE])
{
	bool hit = false;
	int64_t now = now_s();

	if (!c->cache_ttl)
		return false;
	pthread_mutex_lock(&c->cache_mu);
	for (size_t i = 0; i < c->ncache; i++) {
		sdk_cache_entry *e = &c->cache[i];
		if (!e->key || strcmp(e->key, key) != 0)
			continue;
		if (e->expires <= now)
			break;
		char *v = secmem_strndup(e->value, e->value_len);
		if (v) {
			*out_value = v;
			if (out_len)
				*out_len = e->value_len;
			memcpy(item_id, e->item_id, ID_SIZE);
			memcpy(vault_id, e->vault_id, ID_SIZE);
			hit = true;
		}
		break;
	}
	pthread_mutex_unlock(&c->cache_mu);
	return hit;
}

void sdk_cache_put(sesame_client *c, const char *key, const char *value, size_t len,
		   const char *item_id, const char *vault_id)
{
	int64_t now = now_s();
	sdk_cache_entry *slot = NULL;

	if (!c->cache_ttl)
		return;
	pthread_mutex_lock(&c->cache_mu);
	for (size_t i = 0; i < c->ncache && !slot; i++)
		if (!c->cache[i].key || strcmp(c->cache[i].key, key) == 0 ||
		    c->cache[i].expires <= now)
			slot = &c->cache[i];
	if (!slot && c->ncache < SDK_CACHE_MAX)
		slot = &c->cache[c->ncache++];
	if (!slot) {
		/* Full of live entries: replace the one that expires first. */
		slot = &c->cache[0];
		for (size_t i = 1; i < c->ncache; i++)
			if (c->cache[i].expires < slot->expires)
				slot = &c->cache[i];
	}
	entry_clear(slot);
	slot->key = strdup(key);
	slot->value = secmem_strndup(value, len);
	if (!slot->key || !slot->value) {
		entry_clear(slot);
		slot->key = strdup(""); /* keeps strcmp() safe; expired at once */
		goto out;
	}
	slot->value_len = len;
	snprintf(slot->item_id, sizeof slot->item_id, "%s", item_id ? item_id : "");
	snprintf(slot->vault_id, sizeof slot->vault_id, "%s", vault_id ? vault_id : "");
	slot->expires = now + (int64_t)c->cache_ttl;
out:
	pthread_mutex_unlock(&c->cache_mu);
}

void sdk_cache_clear(sesame_client *c)
{
	pthread_mutex_lock(&c->cache_mu);
	for (size_t i = 0; i < c->ncache; i++)
		entry_clear(&c->cache[i]);
	c->ncache = 0;
	pthread_mutex_unlock(&c->cache_mu);
}
