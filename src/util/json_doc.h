/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_UTIL_JSON_DOC_H
#define SESAME_UTIL_JSON_DOC_H

/*
 * A read-only JSON document: what src/util/json_parse.c reads, before (or
 * instead of) jansson values. Every node and string of a document lives in
 * one arena that jdoc_free() wipes and releases at once, so reading an item
 * costs a few allocations instead of one or three per value, and no
 * hashing (docs/decisions.md §10). The hot decoders (item JSON) read it;
 * everything else gets jansson trees from sjson_parse(), built from it.
 *
 * Strings are NUL-terminated UTF-8 without NUL inside (the reader refuses
 * \u0000), so a string's length is also strlen() of it. Object members
 * keep their order; keys are unique (duplicates are refused).
 */

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

typedef enum {
	JDOC_NULL,
	JDOC_FALSE,
	JDOC_TRUE,
	JDOC_INTEGER,
	JDOC_REAL,
	JDOC_STRING,
	JDOC_ARRAY,
	JDOC_OBJECT,
} jdoc_type;

typedef struct jdoc jdoc;	  /* the arena and the root */
typedef struct jdoc_val jdoc_val; /* a value in it */

struct jdoc_val {
	jdoc_type type;
	size_t n;	 /* string: bytes; array or object: members */
	const char *key; /* the member's key inside an object, else NULL */
	size_t keylen;
	const char *pos; /* where it (or its key) starts in the text: valid while that is */
	union {
		const char *s;	   /* JDOC_STRING */
		long long i;	   /* JDOC_INTEGER */
		double d;	   /* JDOC_REAL */
		jdoc_val **items; /* JDOC_ARRAY, JDOC_OBJECT: n of them */
	} u;
};

/*
 * Parses `len` bytes with sjson_parse()'s rules (json.h) and limits. On
 * failure NULL, *code and the message in err as sjson_parse() gives them.
 * Its strings are copies; only jdoc_val.pos points into `text`.
 */
jdoc *jdoc_parse(const char *text, size_t len, const sjson_limits *limits, int *code, char *err,
		 size_t errcap);

/* Wipes (it may hold plaintext) and frees. NULL is fine. */
void jdoc_free(jdoc *d);

const jdoc_val *jdoc_root(const jdoc *d);

/* The member `key` of an object, or NULL (also when v is not an object). */
const jdoc_val *jdoc_get(const jdoc_val *v, const char *key);

/* The string member `key` of an object, or NULL (absent, or not a string). */
const char *jdoc_str(const jdoc_val *v, const char *key);

/* The first key of object v not in the NULL-terminated `allowed`, or NULL. */
const char *jdoc_unknown_key(const jdoc_val *v, const char *const *allowed);

/* A jansson value of the same content (for sjson_parse()), or NULL when out of memory. */
json_t *jdoc_to_jansson(const jdoc_val *v);

#endif
