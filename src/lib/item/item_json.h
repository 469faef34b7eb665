/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_ITEM_ITEM_JSON_H
#define SESAME_LIB_ITEM_ITEM_JSON_H

/*
 * The item <-> JSON codec, in the SDK's shape (camelCase keys; see
 * docs/internals/item.md for the full shape and the limits).
 *
 * Decoding is strict: unknown keys, wrong types, unknown enum names,
 * missing "title" or "category" and anything over a limit in item.h are
 * rejected, then item_validate() runs. Errors quote keys, ids and indexes
 * ("unknown key 'foo' in fields[3]"), never a field value.
 *
 * Encoding is canonical: a fixed key order, compact, so that
 * encode(decode(encode(x))) == encode(x) byte for byte and
 * item_equal(decode(encode(x)), x). Every item is validated before it is
 * encoded.
 *
 * Two documents exist per item, matching the two encrypted blobs:
 * - the item ("details"): everything;
 * - the overview: id, title, category, vaultId, websites, tags, createdAt,
 *   updatedAt, state. An overview decodes into an ordinary `item` with no
 *   fields, sections, files, notes or document (version 0), so listing
 *   code handles one type.
 *
 * Secrets: the text item_to_json() returns holds every field value;
 * the caller wipes it (sodium_memzero(s, strlen(s))) before free(). Trees
 * from item_to_jsonv() hold the same values: release them with
 * item_jsonv_free(), which wipes their strings first.
 */

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "item/item.h"

/* Nesting the codec accepts (the item shape itself is 5 deep). */
#define ITEM_JSON_MAX_DEPTH 8

/* "YYYY-MM-DDTHH:MM:SSZ" plus the NUL. */
#define ITEM_TIME_BUFSZ 21

/*
 * Decodes one item from `len` bytes of JSON text (at most
 * ITEM_MAX_JSON_BYTES). On success *out is a new item the caller frees
 * with item_free(); on failure *out is NULL and the error is set
 * (SESAME_EINVAL kind "invalid_item", SESAME_ETOOBIG kind "item_too_big",
 * SESAME_ENOMEM).
 */
int item_from_json(item **out, const char *text, size_t len);

/* The same from a parsed tree, which stays the caller's. */
int item_from_jsonv(item **out, const json_t *v);

/*
 * Encodes an item canonically. *out is malloc'ed and NUL-terminated; the
 * caller wipes and frees it. SESAME_ETOOBIG when the text would exceed
 * ITEM_MAX_JSON_BYTES, SESAME_EINVAL when the item does not validate.
 */
int item_to_json(char **out, const item *it);

/* The same as a tree (new reference, or NULL with the error set). */
json_t *item_to_jsonv(const item *it);

/*
 * The overview: the same four functions for the overview document. An
 * overview decodes into an item with only the overview members set; an
 * item of any kind encodes to its overview (the rest is left out).
 */
int item_overview_from_json(item **out, const char *text, size_t len);
int item_overview_from_jsonv(item **out, const json_t *v);
int item_overview_to_json(char **out, const item *it);
json_t *item_overview_to_jsonv(const item *it);

/*
 * Wipes every string in a tree this module built (only the parts no one
 * else holds a reference to), then releases it. NULL is fine.
 */
void item_jsonv_free(json_t *v);

/* Unix seconds <-> RFC 3339 UTC ("2026-11-26T10:50:48Z"). */
int item_time_format(char out[ITEM_TIME_BUFSZ], int64_t t);
/*
 * Accepts "YYYY-MM-DD(T|t| )HH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM)"; the
 * fraction is dropped. Returns 0, or SESAME_EINVAL with the error set for
 * anything else or a time outside 1970-01-01T00:00:00Z .. ITEM_MAX_TIME.
 */
int item_time_parse(int64_t *out, const char *s);

#endif
