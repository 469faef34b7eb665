/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_RESOLVE_H
#define SESAME_LIB_CLIENT_RESOLVE_H

/*
 * Resolving many secret references in one round trip (protocol section 6,
 * docs/internals/client.md "Resolving references"):
 *
 *   1. parse every reference (a syntax error is that reference's error);
 *   2. vault part -> vault id and key, locally, from the session's vault
 *      cache (client/vcache.h; filled with GET /v1/vaults when empty, or
 *      refreshed once when a vault name is not in it);
 *   3. item part -> one query {vault_id, title: blind index} (and
 *      {vault_id, item_id} when the part looks like an id), de-duplicated;
 *   4. one POST /v1/resolve for all queries (1,000 per request);
 *   5. decrypt the candidates and apply the resolver's rules
 *      (reference/resolve.h) per reference.
 *
 * If the server's answers suggest the cache is stale (a vault answered
 * 403 or 404, a candidate does not decrypt), the cache is dropped, refilled
 * from the server and the batch is retried once. Secret values are never
 * cached; only vault names and keys are.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "client/session.h"
#include "reference/resolve.h"

#define CLIENT_RESOLVE_MAX	    10000 /* references per call */
/*
 * Appends one query of a POST /v1/resolve body, {"vault_id":...,"title"|
 * "item_id":...}, after a ',' unless it is the first: the one place both
 * batch resolvers (this one and the SDK's) write the wire form. Returns 0
 * or SESAME_ENOMEM.
 */
int client_resolve_query_json(sbuf *b, bool first, const char *vault_id, bool by_id,
			      const char *value);

#define CLIENT_RESOLVE_BATCH	    1000  /* queries per POST /v1/resolve (server limit) */
#define CLIENT_RESOLVE_KIND_SIZE    64
#define CLIENT_RESOLVE_MESSAGE_SIZE 512

/* The outcome of one reference. */
typedef struct {
	int code;				   /* 0, or this reference's SESAME_E* code */
	char kind[CLIENT_RESOLVE_KIND_SIZE];	   /* error kind, e.g. "vault_not_found" */
	char message[CLIENT_RESOLVE_MESSAGE_SIZE]; /* error message; never a value */
	ref_result result;			   /* when code == 0: value (secure) and ids */
} client_resolution;

typedef struct {
	int version;			  /* 1 */
	int64_t now;			  /* unix time for ?attribute=otp; 0: now */
	ref_file_content_fn file_content; /* NULL: files_download() with the session */
	void *file_ctx;
	size_t max_value_bytes; /* 0: REF_DEFAULT_MAX_VALUE_BYTES */
} client_resolve_options;

#define CLIENT_RESOLVE_OPTIONS_INIT                                                                \
	{                                                                                          \
		1, 0, NULL, NULL, 0                                                                \
	}

/* Counters for tests and benchmarks. */
typedef struct {
	unsigned requests;    /* HTTP requests made by this call */
	unsigned cache_fills; /* vault list fetched */
	unsigned retries;     /* batches retried after a stale-cache answer */
} client_resolve_stats;

/*
 * Resolves `n` references (`refs`, NUL-terminated text) for session `s`.
 * *out receives an array of n results in the same order, which the caller
 * releases with client_resolutions_free(); each holds either a value or an
 * error. Returns 0 when every reference has its outcome, or a SESAME_E*
 * code (error set, *out NULL) when the batch as a whole failed: network,
 * authentication (SESAME_ETOKEN_EXPIRED / SESAME_ETOKEN_REVOKED /
 * SESAME_EAUTH: the caller may sign in again and retry), rate limit,
 * memory, too many references. `opts` and `stats` may be NULL.
 * s->vcache->dirty tells whether the cache changed (to persist it).
 */
int client_resolve(client_resolution **out, session *s, const char *const *refs, size_t n,
		   const client_resolve_options *opts, client_resolve_stats *stats);

/* Wipes every value and frees. NULL is fine. */
void client_resolutions_free(client_resolution *r, size_t n);

#endif
