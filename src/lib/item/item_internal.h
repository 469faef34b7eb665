/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_ITEM_ITEM_INTERNAL_H
#define SESAME_LIB_ITEM_ITEM_INTERNAL_H

/* Helpers shared by item.c, names.c and item_json.c; not for other modules. */

#include <stdbool.h>
#include <stddef.h>

/* Error kinds of the item module. */
#define ITEM_KIND_INVALID "invalid_item"
#define ITEM_KIND_TOO_BIG "item_too_big"

/* Room for a quoted subject: 40 bytes of text, "..." and the NUL. */
#define ITEM_QUOTE_MAX 48

/*
 * Makes `s` safe to quote in an error message: at most 40 bytes (cut at a
 * character boundary, "..." appended when cut), control characters
 * replaced by '?'. Returns `buf`. Never pass a field value or the notes.
 */
const char *item__quote(char buf[ITEM_QUOTE_MAX], const char *s);

/* Strict UTF-8 (no overlong forms, surrogates or code points > U+10FFFF). */
bool item__utf8_valid(const char *s, size_t len);

/* True when `s` holds a C0 control character or DEL. */
bool item__has_control(const char *s);

/* ASCII-only case-insensitive comparison, independent of the locale. */
int item__ascii_casecmp(const char *a, const char *b);

#endif
