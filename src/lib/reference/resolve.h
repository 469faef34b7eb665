/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_REFERENCE_RESOLVE_H
#define SESAME_LIB_REFERENCE_RESOLVE_H

/*
 * Resolving a parsed secret reference against decrypted data.
 *
 * The resolver does no I/O and no decryption: callers hand it the vaults
 * the principal can see and the decrypted items that could match, and it
 * applies 1Password's rules (docs/internals/reference.md). It works in
 * three steps, so that a client never has to download a whole vault:
 *
 *   (a) ref_resolve_vault(): pick the vault among the visible vaults
 *       (the list is small and the client has their titles decrypted).
 *   (b) Fetch only the candidate items of that vault:
 *         - if ref_part_is_id(item part), the item with that id, and
 *         - the items whose title blind index equals
 *           HMAC(index key, casefold(item part)).
 *       Both lookups are indexed on the server, so a read by name is one
 *       request, however large the vault. Reference names are ASCII-only
 *       and the resolver compares them ASCII-case-insensitively, so any
 *       casefold that at least lowercases A-Z finds every item that can
 *       match; the resolver filters the candidates again, so extra
 *       candidates (other vaults, archived items, index collisions) are
 *       harmless. Then ref_resolve_item() picks the item.
 *   (c) ref_resolve_in_item(): pick the section(s) and the field or file,
 *       apply the attribute and produce the value.
 *
 * ref_resolve() chains the three for callers that hold everything.
 *
 * Matching rule shared by every part: a candidate matches when the part
 * equals its id or its title, ASCII-case-insensitively. When several
 * match and exactly one of them matched by id, that one wins (an id is
 * unique, so it always disambiguates).
 *
 * Errors are set with the kinds the SDKs report (ResolveReferenceError):
 *   vault_not_found, item_not_found, no_matching_sections, field_not_found
 *       SESAME_ENOTFOUND
 *   too_many_vaults, too_many_items, too_many_matching_fields
 *       SESAME_EAMBIGUOUS
 *   incompatible_totp_query_parameter_field, unable_to_generate_totp_code,
 *   incompatible_ssh_key_query_parameter_field, unable_to_parse_private_key,
 *   incompatible_attribute (a file attribute on a field or the reverse)
 *       SESAME_EINVAL (or the code of the failing module, e.g.
 *       SESAME_EUNSUPPORTED for a non-Ed25519 key)
 *   file content wanted but no callback: SESAME_EUNSUPPORTED "unsupported"
 * Messages quote the reference's parts and ids, never a value.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sesame/reference.h"
#include "item/item.h"
#include "buf.h"

#define REF_ID_LEN 26

/* Default ceiling of a resolved value (file contents included). */
#define REF_DEFAULT_MAX_VALUE_BYTES (64u * 1024 * 1024)

/* True if `part` has the form of an id: exactly 26 of [a-z0-9]. */
bool ref_part_is_id(const char *part);

/* ASCII-case-insensitive equality, independent of the locale. */
bool ref_name_equal(const char *a, const char *b);

/* A vault as the client sees it: id and decrypted title. */
typedef struct {
	const char *id;
	const char *title;
} ref_vault;

/*
 * Step (a). Sets *out_index to the vault the reference's vault part
 * names. Errors: vault_not_found, too_many_vaults.
 */
int ref_resolve_vault(size_t *out_index, const sesame_reference *ref, const ref_vault *vaults,
                      size_t nvaults);

/*
 * Step (b). Among `items` (pointers, borrowed), sets *out_index to the
 * item the reference's item part names. Archived items are ignored, and
 * so are items of another vault when `vault_id` is not NULL.
 * Errors: item_not_found, too_many_items.
 */
int ref_resolve_item(size_t *out_index, const sesame_reference *ref, const char *vault_id,
                     const item *const *items, size_t nitems);

/*
 * Fetches and decrypts a file attachment's content into `out`, a secure
 * buffer that the resolver has initialised (with its ceiling). Returns 0,
 * or a SESAME_E* code with the error set. The resolver frees `out` on
 * failure. `ctx` is ref_options.file_ctx.
 */
typedef int (*ref_file_content_fn)(void *ctx, const item *it, const item_file *file, sbuf *out);

typedef struct {
	int64_t now;                      /* unix time for ?attribute=otp */
	ref_file_content_fn file_content; /* NULL: file content is unsupported */
	void *file_ctx;
	size_t max_value_bytes; /* 0: REF_DEFAULT_MAX_VALUE_BYTES */
} ref_options;

#define REF_OPTIONS_INIT                                                                           \
	{                                                                                          \
		0, NULL, NULL, 0                                                                   \
	}

typedef enum {
	REF_TARGET_FIELD = 0, /* an item field, the notes, or an SSH key pseudo-field */
	REF_TARGET_FILE,      /* a file attachment (or a Document item's document) */
} ref_target;

/*
 * The outcome, for the SDK's {secret, itemId, vaultId}. `value` is a
 * wiped buffer (heap memory wiped on resize and free; sbuf_detach() hands
 * it over as secure memory) and always allocated on success, "" for
 * an empty value. `field_id` is the matched field's id, the file's id,
 * "notesPlain" for the notes, or "public_key" / "fingerprint" /
 * "key_type" for an SSH key's pseudo-fields. Release with
 * ref_result_free().
 */
typedef struct {
	sbuf value;
	char vault_id[REF_ID_LEN + 1];
	char item_id[REF_ID_LEN + 1];
	char *field_id;
	ref_target target;
} ref_result;

/*
 * Step (c). Resolves section, field and attribute within one item (which
 * the caller has already chosen; its state is not checked here).
 * `out` is overwritten; on failure it holds nothing to free, on success
 * release it with ref_result_free(). `opts` may be NULL (time 0, no file
 * content). vault_id comes from it->vault_id.
 */
int ref_resolve_in_item(ref_result *out, const sesame_reference *ref, const item *it,
                        const ref_options *opts);

/*
 * Steps (a)-(c) at once: `items` may hold items of any vault; only those
 * of the chosen vault are considered. vault_id in the result is the
 * chosen vault's id.
 */
int ref_resolve(ref_result *out, const sesame_reference *ref, const ref_vault *vaults,
                size_t nvaults, const item *const *items, size_t nitems, const ref_options *opts);

/* Wipes the value, frees everything, leaves *r empty. NULL is fine. */
void ref_result_free(ref_result *r);

#endif
