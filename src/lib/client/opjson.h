/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_OPJSON_H
#define SESAME_LIB_CLIENT_OPJSON_H

/*
 * op's JSON output shapes (reference section 3.5), shared by the CLI and
 * its tests: item {id,title,version,vault:{id,name},category,
 * last_edited_by,created_at,updated_at,tags,sections,urls,files[{id,name,
 * size,content_path,section}],fields[{id,type,purpose,label,value,reference,
 * section}]} and vault {id,name,...}.
 * Trees holding item values must be released with item_jsonv_free().
 */

#include <jansson.h>
#include <stdbool.h>

#include "client/vaults.h"
#include "item/item.h"

/* A full item (with field values). */
json_t *opjson_item(const item *it, const char *vault_name, const char *last_edited_by);

/* An item as `item list` shows it (no fields). */
json_t *opjson_item_overview(const item *it, const char *vault_name);

/* One field object of the item, as in opjson_item(). */
json_t *opjson_field(const item *it, const item_field *f, const char *vault_name);

/*
 * A file of the item (an attachment or the document) as op shows it:
 * {id,name,size,content_path:"/v1/vaults/V/items/I/files/F/content",section?{id,label}}.
 */
json_t *opjson_file(const item *it, const item_file *f);

/* A vault; `full` adds attribute_version, type, description. */
json_t *opjson_vault(const client_vault *v, bool full);

/* The secret reference of a field: op://vault/item/[section/]field. */
int opjson_reference(char *out, size_t cap, const item *it, const item_field *f,
		     const char *vault_name);

/* A unix time as RFC 3339 text ("" for 0). */
void opjson_time(char out[32], int64_t t);

/* True when op would show the notesPlain pseudo-field for this item. */
bool opjson_has_notes_field(const item *it);

#endif
