/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SDK's optional in-memory cache of item reads: resolved references
 * and ItemsGet answers, each served without a request for cache_ttl_s
 * seconds. Values (plaintext) live in secure memory.
 *
 * ItemsGet entries keep the server's ETag of the item's answer. Once
 * expired, such an entry is revalidated: ItemsGet sends a conditional GET
 * (If-None-Match), and a 304 renews the entry for another TTL and serves
 * the value kept here, while a 200 replaces it. Resolved references stay
 * TTL-only: a reference names a vault and an item by title, and a title
 * may come to point at another item, which no one item's tag can tell.
 *
 * Every write through the client empties the cache (a write may change
 * any title a reference matched).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/secmem.h"
#include "sdk/sdk_internal.h"

/*
 * Milliseconds: with whole seconds an entry made late in a second with a
 * one-second TTL expired a few milliseconds later.
 */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void entry_clear(sdk_cache_entry *e)
{
	free(e->key);
	secmem_free(e->value);
	memset(e, 0, sizeof *e);
}

/* The entry of `key`, or NULL. The caller holds cache_mu. */
static sdk_cache_entry *entry_find(sesame_client *c, const char *key)
{
	for (size_t i = 0; i < c->ncache; i++)
		if (c->cache[i].key && strcmp(c->cache[i].key, key) == 0)
			return &c->cache[i];
	return NULL;
}

bool sdk_cache_get_tagged(sesame_client *c, const char *key, char **out_value, size_t *out_len,
			  char item_id[ID_SIZE], char vault_id[ID_SIZE], char etag[API_ETAG_MAX],
			  bool *fresh)
{
	bool hit = false;
	int64_t now = now_ms();
	sdk_cache_entry *e;

	if (etag)
		etag[0] = '\0';
	if (!c->cache_ttl)
		return false;
	pthread_mutex_lock(&c->cache_mu);
	e = entry_find(c, key);
	/* An expired entry is worth something only if it can be revalidated. */
	if (e && (e->expires > now || (etag && e->etag[0]))) {
		char *v = secmem_strndup(e->value, e->value_len);
		if (v) {
			*out_value = v;
			if (out_len)
				*out_len = e->value_len;
			memcpy(item_id, e->item_id, ID_SIZE);
			memcpy(vault_id, e->vault_id, ID_SIZE);
			if (etag)
				memcpy(etag, e->etag, API_ETAG_MAX);
			if (fresh)
				*fresh = e->expires > now;
			hit = true;
		}
	}
	pthread_mutex_unlock(&c->cache_mu);
	return hit;
}

bool sdk_cache_get(sesame_client *c, const char *key, char **out_value, size_t *out_len,
		   char item_id[ID_SIZE], char vault_id[ID_SIZE])
{
	return sdk_cache_get_tagged(c, key, out_value, out_len, item_id, vault_id, NULL, NULL);
}

/* Where `key` goes: its own entry, a free or expired one, a new one, or the oldest. */
static sdk_cache_entry *slot_for(sesame_client *c, const char *key, int64_t now)
{
	sdk_cache_entry *slot = entry_find(c, key);

	for (size_t i = 0; i < c->ncache && !slot; i++)
		if (!c->cache[i].key || c->cache[i].expires <= now)
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
	return slot;
}

void sdk_cache_put_tagged(sesame_client *c, const char *key, const char *value, size_t len,
			  const char *item_id, const char *vault_id, const char *etag)
{
	int64_t now = now_ms();
	sdk_cache_entry *slot;

	if (!c->cache_ttl)
		return;
	pthread_mutex_lock(&c->cache_mu);
	slot = slot_for(c, key, now);
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
	snprintf(slot->etag, sizeof slot->etag, "%s", etag ? etag : "");
	slot->expires = now + (int64_t)c->cache_ttl * 1000;
out:
	pthread_mutex_unlock(&c->cache_mu);
}

void sdk_cache_put(sesame_client *c, const char *key, const char *value, size_t len,
		   const char *item_id, const char *vault_id)
{
	sdk_cache_put_tagged(c, key, value, len, item_id, vault_id, NULL);
}

void sdk_cache_renew(sesame_client *c, const char *key, const char *etag)
{
	sdk_cache_entry *e;

	if (!c->cache_ttl || !etag || !etag[0])
		return;
	pthread_mutex_lock(&c->cache_mu);
	e = entry_find(c, key);
	if (e && strcmp(e->etag, etag) == 0)
		e->expires = now_ms() + (int64_t)c->cache_ttl * 1000;
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
