/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_INJECT_TEMPLATE_H
#define SESAME_LIB_INJECT_TEMPLATE_H

/*
 * Secret-reference templates, as `op inject` reads them.
 *
 * - Enclosed: `{{ op://vault/item/field }}`; spaces inside the braces are
 *   optional, and the reference itself may contain spaces (names may).
 * - Unenclosed: `op://...` where the character before is not a letter,
 *   digit, '-', '+', '\' or '.', running to the first character outside
 *   letters, digits, '-', '_', '.', '/', '?', '=', '&'. (op's rule; a
 *   name with a space must be written enclosed.)
 * - Inside a reference, `$VAR`, `${VAR}` and `${VAR:-default}` expand from
 *   the environment before it is parsed (an unset variable without a
 *   default is an error: a silently empty vault name would be a trap).
 *
 * template_scan() finds every reference once, so the caller can resolve
 * them all in one batch and then render the output with the values.
 */

#include <stddef.h>

#include "buf.h"

#define TEMPLATE_MAX_REFS 10000
#define TEMPLATE_MAX_REF_BYTES 4096

typedef struct {
	size_t start, end; /* span in the template replaced by the value */
	char *reference;   /* the reference after variable expansion */
	unsigned line;     /* 1-based line of `start`, for messages */
} template_ref;

typedef struct {
	template_ref *refs;
	size_t nrefs;
} template_scan_result;

/*
 * Looks up an environment variable; NULL when unset. `ctx` is passed
 * through. (A function, not getenv, so tests and `run` can supply their
 * own environment.)
 */
typedef const char *(*template_getenv_fn)(void *ctx, const char *name);

/*
 * Scans `len` bytes of `text`. On error returns SESAME_EINVAL or
 * SESAME_ETOOBIG with the error set (quoting the line, never a value) and
 * leaves `out` empty.
 */
int template_scan(template_scan_result *out, const char *text, size_t len,
		  template_getenv_fn getenv_fn, void *ctx);

void template_scan_free(template_scan_result *r);

/*
 * Writes `text` to `out` with reference i replaced by values[i] (lengths
 * in value_lens). `out` should be a secure buffer: it holds secrets.
 */
int template_render(sbuf *out, const char *text, size_t len, const template_scan_result *r,
		    const char *const *values, const size_t *value_lens);

/*
 * Expands $VAR, ${VAR} and ${VAR:-default} in `in` into `out` (a plain
 * buffer). Shared with `run`, whose environment values are references.
 */
int template_expand_vars(sbuf *out, const char *in, size_t len, template_getenv_fn getenv_fn,
			 void *ctx);

#endif
