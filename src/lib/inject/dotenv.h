/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_INJECT_DOTENV_H
#define SESAME_LIB_INJECT_DOTENV_H

/*
 * dotenv files for `sesame run --env-file`, as dotenv and op read them:
 *
 *   # comment                 blank lines and comments are skipped
 *   export KEY=value          "export " is optional
 *   KEY = value # comment     unquoted: trimmed, " #" starts a comment
 *   KEY='literal $ \n'        single quotes: taken as is, may span lines
 *   KEY="a\nb \"q\" \\ \$"    double quotes: \n \r \t \" \\ \$ escapes,
 *                             may span lines
 *
 * Keys are [A-Za-z_][A-Za-z0-9_]*. A later key replaces an earlier one
 * (and a later file an earlier file, when the caller merges). Errors name
 * the line and never quote a value.
 */

#include <stddef.h>

#define DOTENV_MAX_ENTRIES 10000
#define DOTENV_MAX_VALUE_BYTES (1u << 20)

typedef struct {
	char *key;
	char *value;
} dotenv_entry;

typedef struct {
	dotenv_entry *entries;
	size_t n;
} dotenv;

/* Parses `len` bytes; `name` (the file name) is used in messages. */
int dotenv_parse(dotenv *out, const char *text, size_t len, const char *name);

/* Sets key=value, replacing an existing key; copies both. */
int dotenv_set(dotenv *env, const char *key, const char *value);

/* The value of `key`, or NULL. Borrowed. */
const char *dotenv_get(const dotenv *env, const char *key);

/* Wipes values (they may be secrets once resolved) and frees. */
void dotenv_free(dotenv *env);

#endif
