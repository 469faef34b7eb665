/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_SDK_SDK_INTERNAL_H
#define SESAME_LIB_SDK_SDK_INTERNAL_H

/*
 * The SDK client (include/sesame/client.h) inside: a signed-in base
 * session (keyset, keyring, principal), a pool of keep-alive connections
 * that concurrent callers take one each, the current session token shared
 * by the pool, a cached vault list for reference resolution, and an
 * optional TTL cache of item reads (ItemsGet entries revalidated with
 * their ETag once expired). docs/sdk.md describes the design.
 *
 * Locks: `mu` guards the pool and the token; `vault_mu` the vault list;
 * the keyring has its own rwlock; the cache has its own mutex. No lock is
 * held across network I/O except `auth_mu` while a service account signs
 * in again (one sign-in for all waiting callers).
 */

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/api.h"
#include "client/items.h"
#include "client/session.h"
#include "client/vaults.h"
#include "sesame/client.h"

#define SDK_MAX_CONNECTIONS 64
#define SDK_RESOLVE_MAX	    1000
#define SDK_PARAMS_MAX	    (8u * 1024 * 1024)
#define SDK_CACHE_MAX	    1024

typedef struct {
	api *a; /* NULL: not made yet, or dropped after a network failure */
	unsigned gen;
	bool busy;
} sdk_conn;

typedef struct {
	char *key;	  /* malloc'ed */
	char *value;	  /* secure memory */
	size_t value_len;
	char item_id[ID_SIZE];
	char vault_id[ID_SIZE];
	char etag[API_ETAG_MAX]; /* the server's ETag of what value came from, or "" */
	int64_t expires; /* CLOCK_MONOTONIC milliseconds */
} sdk_cache_entry;

struct sesame_client {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_mutex_t auth_mu;
	pthread_mutex_t vault_mu;
	pthread_mutex_t cache_mu;

	session *base; /* keyset, keyring and principal; its api is not used */
	api_options aopts;
	char url[API_URL_MAX + 1];
	char iname[128];
	char iver[64];
	api_retry retry;
	char *sa_token; /* secure memory; NULL for a CLI session */
	char *token;	/* secure memory: the current session token */
	unsigned token_gen;

	sdk_conn conns[SDK_MAX_CONNECTIONS];
	size_t max_conns;

	client_vault *vaults; /* cached list (guarded by vault_mu) */
	size_t nvaults;
	bool vaults_loaded;

	unsigned cache_ttl;
	sdk_cache_entry cache[SDK_CACHE_MAX];
	size_t ncache;
};

/* One call's view: a connection of the pool and a session that uses it. */
typedef struct {
	sesame_client *c;
	size_t slot;
	unsigned gen; /* token generation when taken */
	session s;    /* shallow copy of c->base with s.api = the connection */
} sdk_ctx;

int sdk_acquire(sdk_ctx *ctx, sesame_client *c);
/* Returns the connection; `rc` of the call decides whether it is dropped. */
void sdk_release(sdk_ctx *ctx, int rc);
/* A service account signs in again (unless another caller already did). */
int sdk_reauth(sesame_client *c, unsigned seen_gen);

/* Operations (sdk_ops.c): runs `name` with parsed params; *out a new tree. */
int sdk_run_operation(sdk_ctx *ctx, const char *name, const json_t *params, json_t **out);
bool sdk_operation_known(const char *name);
/* True when the operation only reads (its retry and re-auth are safe). */
bool sdk_operation_is_write(const char *name);

/* Parameter helpers (sdk_ops.c). */
__attribute__((format(printf, 1, 2))) int sdk_bad(const char *fmt, ...);
int sdk_req_str(const json_t *p, const char *key, const char **out);
json_t *sdk_camel(const char *s);

/* Files, rate-limit usage and events (sdk_ops_ext.c). */
int sdk_op_files_attach(sdk_ctx *ctx, const json_t *p, json_t **out);
int sdk_op_files_read(sdk_ctx *ctx, const json_t *p, json_t **out);
int sdk_op_files_delete(sdk_ctx *ctx, const json_t *p, json_t **out);
int sdk_op_files_replace_document(sdk_ctx *ctx, const json_t *p, json_t **out);
int sdk_op_ratelimit_usage(sdk_ctx *ctx, const json_t *p, json_t **out);
int sdk_op_events(sdk_ctx *ctx, const json_t *p, json_t **out);

/* Vault list (sdk_resolve.c). */
int sdk_vaults_refresh(sdk_ctx *ctx);
void sdk_vaults_invalidate(sesame_client *c);
/* Finds a vault by id or name in the cached list (refreshed once on a miss). */
int sdk_vault_find(client_vault *out, sdk_ctx *ctx, const char *name_or_id);

/*
 * Resolves n references. value is NULL or a block of sdk_strdup_out(),
 * wiped and released by sesame_free() (sdk_resolved_clear() does it; a
 * caller may take it over and hand it to the application as it is); code
 * the per-reference code; kind/message the per-reference error; ids the
 * item and vault ids.
 */
typedef struct {
	char *value;
	int code;
	char kind[64];
	char message[512];
	char item_id[ID_SIZE];
	char vault_id[ID_SIZE];
} sdk_resolved;

int sdk_resolve_many(sdk_ctx *ctx, const char *const *refs, size_t n, sdk_resolved *out);
void sdk_resolved_clear(sdk_resolved *r, size_t n);

/*
 * Decoded items of one batch (sdk_pool.c): each distinct (vault, item id,
 * version) of the server's answer is decoded once, however many
 * references (or queries: its title and its id) lead to it. `decode` is
 * items_decode_doc() in the SDK, a stub in the unit test.
 */
typedef int (*sdk_decode_fn)(item **out, void *arg, const client_vault *v, const jdoc_val *obj);
typedef struct {
	char vault_id[ID_SIZE];
	const jdoc_val *obj; /* the item object of the answer (its document outlives the pool) */
	const char *id; /* in obj */
	long long version;
	item *it; /* NULL when it could not be decoded: code/kind/message say why */
	int code;
	char kind[64];
	char message[256];
} sdk_pooled_item;
typedef struct {
	sdk_decode_fn decode;
	void *arg;
	sdk_pooled_item *e;
	size_t n, cap;
	size_t *table; /* open addressing over e, SIZE_MAX empty */
	size_t cap_table;
	size_t decodes; /* calls of decode so far */
} sdk_item_pool;

void sdk_pool_init(sdk_item_pool *p, sdk_decode_fn decode, void *arg);
/*
 * The index in p->e of item object `obj` of vault `v`, decoded the first
 * time it is seen. A decoding failure is kept in the entry (it == NULL);
 * only running out of memory fails the call.
 */
int sdk_pool_item(size_t *out, sdk_item_pool *p, const client_vault *v, const jdoc_val *obj);
void sdk_pool_free(sdk_item_pool *p);

/*
 * Cache (sdk_cache.c). *out_value secure memory, caller frees with
 * secmem_free. sdk_cache_get() returns live entries only.
 */
bool sdk_cache_get(sesame_client *c, const char *key, char **out_value, size_t *out_len,
		   char item_id[ID_SIZE], char vault_id[ID_SIZE]);
void sdk_cache_put(sesame_client *c, const char *key, const char *value, size_t len,
		   const char *item_id, const char *vault_id);
/*
 * For revalidation (ItemsGet): as sdk_cache_get(), but an expired entry
 * that has an ETag is returned too, with *fresh false; `etag` gets the
 * entry's tag ("" for none).
 */
bool sdk_cache_get_tagged(sesame_client *c, const char *key, char **out_value, size_t *out_len,
			  char item_id[ID_SIZE], char vault_id[ID_SIZE], char etag[API_ETAG_MAX],
			  bool *fresh);
/* As sdk_cache_put(), keeping the server's ETag (NULL or "": none) with the value. */
void sdk_cache_put_tagged(sesame_client *c, const char *key, const char *value, size_t len,
			  const char *item_id, const char *vault_id, const char *etag);
/*
 * A 304 for `etag`: the entry of `key` lives another cache_ttl_s. Does
 * nothing when the entry is gone or now holds another tag.
 */
void sdk_cache_renew(sesame_client *c, const char *key, const char *etag);
void sdk_cache_clear(sesame_client *c);

/* Allocations handed to callers: released (and wiped) by sesame_free(). */
char *sdk_strdup_out(const char *s, size_t len);

/* Sets the thread's Retry-After for sesame_error_retry_after(). */
void sdk_set_retry_after(long long secs);

#endif
