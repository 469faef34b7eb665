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
 * phone, otp, ...; see field_type_parse()), `file` or `delete`.
 *
 * `[section.]name[file]=PATH` attaches the file at PATH (the value is the
 * path, not the content) as an attachment named `name`, as op does: the
 * label is the file name. Attaching needs the server (the content is
 * uploaded under the vault key), so the caller reads the file and calls
 * assignment_add_file(); assignment_apply() refuses a [file] assignment.
 */

#include <stdbool.h>
#include <stdint.h>

#include "item/item.h"

typedef struct {
	char *section; /* NULL: the default section */
	char *field;
	char *type;  /* NULL when none given; "delete" to remove; "file" to attach */
	char *value; /* secure memory; NULL for [delete]; the path for [file] */
} assignment;

/* Parses one statement; SESAME_EINVAL (kind "invalid_assignment") with a message quoting the name.
 */
int assignment_parse(assignment *out, const char *text);
void assignment_clear(assignment *a);

/*
 * Applies to an item: sets the field's value (and type), creating the
 * section and field as needed; `username`, `password` and `notesPlain`
 * in the default section are the built-in fields. [delete] removes a
 * field (never a file: see assignment_apply_ex()).
 */
int assignment_apply(item *it, const assignment *a);

/* True for a `[file]` assignment. */
bool assignment_is_file(const assignment *a);

/*
 * As assignment_apply(), and a `[delete]` naming no field removes the file
 * attachment of that name (or id) in that section from it->files, copying
 * its id to `removed_file_id` (else "") so that the caller can delete the
 * stored content once the item is saved.
 */
int assignment_apply_ex(item *it, const assignment *a, char removed_file_id[ITEM_ID_LEN + 1]);

/*
 * Lists the attachment of a `[file]` assignment in `it`: file `file_id`
 * of `size` bytes named a->field, in section a->section (created when
 * missing), with a new field id. An attachment of the same name in the
 * same section is replaced: its id goes to `replaced_file_id` (else "")
 * for the caller to delete its content once the item is saved. A field
 * with that label in that section is an error (references would be
 * ambiguous).
 */
int assignment_add_file(item *it, const assignment *a, const char *file_id, uint64_t size,
			char replaced_file_id[ITEM_ID_LEN + 1]);

/* Sets (creating if needed) a built-in or custom field value in the default section. */
int item_set_field(item *it, const char *section, const char *label, const char *type,
		   const char *value);

#endif
