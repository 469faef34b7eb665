/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_ASSIGN_H
#define SESAME_LIB_CLIENT_ASSIGN_H

/*
 * op's assignment statements for `item create` and `item edit`:
 *
 *     [section.]field[[type]]=value        field[delete]   section.field[delete]
 *
 * A backslash escapes the next character of the name (`\.`, `\=`, `\[`,
 * `\\`); the value is taken verbatim after the first unescaped `=`.
 * Types are op's words (password, text, email, url, date, monthYear,
 * phone, otp, ...; see field_type_parse()) or `delete`.
 */

#include <stdbool.h>

#include "item/item.h"

typedef struct {
	char *section; /* NULL: the default section */
	char *field;
	char *type;  /* NULL when none given; "delete" to remove */
	char *value; /* secure memory; NULL for [delete] */
} assignment;

/* Parses one statement; SESAME_EINVAL (kind "invalid_assignment") with a message quoting the name.
 */
int assignment_parse(assignment *out, const char *text);
void assignment_clear(assignment *a);

/*
 * Applies to an item: sets the field's value (and type), creating the
 * section and field as needed; `username`, `password` and `notesPlain`
 * in the default section are the built-in fields. [delete] removes.
 */
int assignment_apply(item *it, const assignment *a);

/* Sets (creating if needed) a built-in or custom field value in the default section. */
int item_set_field(item *it, const char *section, const char *label, const char *type,
		   const char *value);

#endif
