/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_UTIL_JSON_H
#define SESAME_UTIL_JSON_H

/*
 * JSON on jansson with Sesame's rules applied once, here:
 * - duplicate object keys are rejected (JSON_REJECT_DUPLICATES);
 * - nesting deeper than a caller-given limit is rejected before jansson
 *   parses anything (jansson's own limit is 2048, far too deep for us);
 * - input longer than a caller-given limit is rejected;
 * - NUL bytes inside strings are rejected (jansson's default).
 * Reference counting rule: functions named *_new or *_parse return a new
 * reference the caller must json_decref(); json_object_set_new() and
 * json_array_append_new() steal the reference they are given.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define SJSON_DEFAULT_MAX_DEPTH 32

typedef struct {
	size_t max_bytes; /* 0 means no size limit beyond memory */
	int max_depth;    /* 0 means SJSON_DEFAULT_MAX_DEPTH */
} sjson_limits;

/*
 * Parses `len` bytes of JSON text. On failure returns NULL and writes a
 * lowercase message (with line and column) into `err` (capacity `errcap`)
 * and the matching SESAME_E* code into *code (SESAME_ETOOBIG for limits,
 * SESAME_EINVAL otherwise).
 */
json_t *sjson_parse(const char *text, size_t len, const sjson_limits *limits, int *code,
		    char *err, size_t errcap);

/* Depth of the deepest array/object nesting in the text (0 for scalars). */
int sjson_depth(const char *text, size_t len);

/*
 * Checks that every key of `obj` is in the NULL-terminated `allowed` list.
 * Returns NULL when all are known, else the first unknown key.
 */
const char *sjson_unknown_key(const json_t *obj, const char *const *allowed);

/*
 * Typed getters for optional members. Return 0 when the member is absent
 * (output untouched) or has the type; SESAME_EINVAL when present with
 * another type. Strings are borrowed from the object.
 */
int sjson_get_string(const json_t *obj, const char *key, const char **out);
int sjson_get_bool(const json_t *obj, const char *key, bool *out);
int sjson_get_int(const json_t *obj, const char *key, long long *out);

/*
 * Serialises compactly (no spaces), keys in insertion order, exactly as
 * json_dumps() with JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY.
 * malloc'ed; NULL when out of memory.
 */
char *sjson_dump(const json_t *v);

/*
 * The same for values that hold plaintext: every smaller buffer the text
 * grew through is wiped before it is freed (json_dumps leaves them). The
 * caller wipes the result before free().
 */
char *sjson_dump_wiped(const json_t *v);

/*
 * Appends `n` bytes of UTF-8 text as a JSON string (quoted, escaped as
 * sjson_dump() does), for answers written without building a tree.
 * Returns 0 or the sbuf error (the buffer is then freed).
 */
int sjson_put_string(sbuf *b, const char *s, size_t n);

#endif
