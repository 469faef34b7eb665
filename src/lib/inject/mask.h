/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_INJECT_MASK_H
#define SESAME_LIB_INJECT_MASK_H

/*
 * Streaming masking of secret values for `sesame run`: whatever the child
 * writes passes through a filter that replaces every occurrence of a
 * secret with "<concealed by sesame>".
 *
 * - Occurrences split across writes are found: the filter holds back only
 *   the shortest tail that is still the start of some secret, and emits
 *   everything before it at once. Output that cannot be part of a secret
 *   is never delayed.
 * - Where secrets overlap (one is a substring of another), the longest
 *   match at a position wins, so no part of the longer secret leaks.
 * - Works on bytes: binary output and multi-line secrets are handled alike.
 * - At end of stream, mask_filter_finish() emits what was held back.
 */

#include <stddef.h>

#include "buf.h"

#define MASK_REPLACEMENT "<concealed by sesame>"

typedef struct mask_filter mask_filter;

/*
 * Builds a filter for `n` secrets (copied into secure memory; empty ones
 * are ignored).
 */
int mask_filter_new(mask_filter **out, const char *const *secrets, const size_t *lens, size_t n);

/* Filters `len` bytes, appending what is safe to emit to `out`. */
int mask_filter_write(mask_filter *f, const char *data, size_t len, sbuf *out);

/* End of stream: appends the held-back bytes (masked where complete). */
int mask_filter_finish(mask_filter *f, sbuf *out);

/* Bytes currently held back (for tests and diagnostics). */
size_t mask_filter_pending(const mask_filter *f);

void mask_filter_free(mask_filter *f);

#endif
