/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_ITEMS_H
#define SESAME_LIB_CLIENT_ITEMS_H

/*
 * Items through the API (protocol section 5): two AEAD blobs per version
 * (overview and details, AD from aead_item_ad() binding account, vault,
 * item and version), blind indexes for the title and each tag.
 *
 * Items returned here carry the server's version and state and the
 * owner's metadata in `item_meta`.
 */

#include "client/session.h"
#include "client/vaults.h"
#include "item/item.h"
#include "json_doc.h"

typedef struct {
	char created_by[ID_SIZE];
	char updated_by[ID_SIZE];
} item_meta;

typedef enum { ITEMS_ACTIVE = 0, ITEMS_ARCHIVED, ITEMS_ALL } items_state;

/*
 * Creates `it` in vault `v`: sets it->id (new), vault_id, version 1 and
 * the times, then uploads. On failure `it` keeps its content.
 */
int items_create(session *s, const client_vault *v, item *it);

/* Fetches and decrypts one item by id. */
int items_get(item **out, session *s, const client_vault *v, const char *item_id);

/* Lists items (overviews only: no fields). *out is an array of n items. */
int items_list(item ***out, size_t *n, session *s, const client_vault *v, items_state state);
void items_list_free(item **list, size_t n);

/*
 * Finds an item by id, else by title through the blind index (exact after
 * ASCII case folding). SESAME_EAMBIGUOUS when several share the title.
 */
int items_find(item **out, session *s, const client_vault *v, const char *name_or_id);

/*
 * Uploads `it` as version it->version + 1. On success it->version is
 * bumped. On a 409, SESAME_ECONFLICT (kind "conflict") and `it` unchanged.
 */
int items_update(session *s, const client_vault *v, item *it);

int items_archive(session *s, const client_vault *v, const char *item_id);
int items_restore(session *s, const client_vault *v, const char *item_id);
int items_delete(session *s, const client_vault *v, const char *item_id);

/*
 * Decodes an item object of a server answer (details when `full`, else
 * the overview) of vault `v`; the vault key must be in the keyring. For
 * the SDK's batch and resolve answers.
 */
int items_decode_object(item **out, session *s, const client_vault *v, const json_t *obj,
			bool full);
/* The same for an item object of a document answer (api_call_doc). */
int items_decode_doc(item **out, session *s, const client_vault *v, const jdoc_val *obj,
		     bool full);
/* The details of a document's item object, under a vault key the caller holds. */
int items_open_doc(item **out, const char *account_id, const char *vault_id,
		   const unsigned char key[32], const jdoc_val *obj);

/*
 * Lists overviews with the server-side filters: state, and (when not
 * NULL) exact title and/or tag through the blind index (both: items with
 * both).
 */
int items_list_filtered(item ***out, size_t *n, session *s, const client_vault *v,
			items_state state, const char *title, const char *tag);

/* Builds the upload body (tests use it to check what leaves the client). */
int items_build_body(json_t **out, const char *account_id, const unsigned char vault_key[32],
		     const item *it, uint64_t version);

/* Decrypts a blob of an item object with the AD for `purpose`. */
int items_decrypt_blob(char **out, size_t *out_len, const char *account_id, const char *vault_id,
		       const char *item_id, uint64_t version, const char *purpose,
		       const unsigned char vault_key[32], const char *b64);

#endif
