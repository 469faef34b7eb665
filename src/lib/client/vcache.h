/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_VCACHE_H
#define SESAME_LIB_CLIENT_VCACHE_H

/*
 * The vault list a session caches for secret references: for every
 * visible vault its id, decrypted name and opened key (secure memory).
 * With it, a vault name in `op://vault/...` resolves locally and the blind
 * index of an item title is computed locally, so a warm read is one
 * request (protocol section 6). Item contents are never cached here.
 *
 * The cache belongs to the session (session.vcache) and is written to the
 * CLI's encrypted session file (sessfile.h). It is dropped and refilled
 * from the server when the server's answers suggest it is stale (see
 * client/resolve.h).
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/session.h"
#include "crypto/ids.h"

#define VCACHE_MAX 10000

typedef struct {
	char id[ID_SIZE];
	char *name;	    /* decrypted name */
	unsigned char *key; /* 32 bytes, secure memory */
} vcache_vault;

typedef struct vcache {
	vcache_vault *v;
	size_t n;
	bool dirty; /* changed since loaded: the session file should be rewritten */
} vcache;

void vcache_free(vcache *c);

/*
 * Fetches the vault list (GET /v1/vaults), opens every key it can (a vault
 * whose key does not open is left out) and replaces s->vcache. Marks it
 * dirty.
 */
int vcache_fill(session *s);

/* Drops the session's cache (the next resolve refetches). */
void vcache_drop(session *s);

/* [{"id","name","key"}]; the caller wipes and frees (vcache_json_wipe). */
json_t *vcache_to_json(const vcache *c);

/* Reads what vcache_to_json wrote; NULL on malformed input. */
vcache *vcache_from_json(const json_t *arr);

/* Wipes the key strings of a vcache_to_json() array before json_decref. */
void vcache_json_wipe(json_t *arr);

#endif
