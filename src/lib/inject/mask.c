/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "error.h"
#include "inject/mask.h"

typedef struct {
	char *bytes; /* inside mask_filter.block */
	size_t len;
} secret;

struct mask_filter {
	char *block; /* every secret, one sodium_malloc'ed block (one mapping, not n) */
	secret *secrets;
	size_t n;
	size_t max_len;
	bool first_byte[256]; /* quick rejection: can a secret start here? */
	sbuf pending;          /* held back: a prefix of some secret */
};

void mask_filter_free(mask_filter *f)
{
	if (!f)
		return;
	sodium_free(f->block);
	free(f->secrets);
	sbuf_free(&f->pending);
	free(f);
}

int mask_filter_new(mask_filter **out, const char *const *secrets, const size_t *lens, size_t n)
{
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot initialise libsodium");
	mask_filter *f = calloc(1, sizeof *f);
	if (!f || (n && !(f->secrets = calloc(n, sizeof *f->secrets)))) {
		free(f);
		return sesame_error_nomem();
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > SIZE_MAX - total - 1) {
			mask_filter_free(f);
			return sesame_error_nomem();
		}
		total += lens[i];
	}
	f->block = sodium_malloc(total + 1);
	if (!f->block) {
		mask_filter_free(f);
		return sesame_error_nomem();
	}
	char *next = f->block;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] == 0)
			continue;
		secret *s = &f->secrets[f->n];
		s->bytes = next;
		next += lens[i];
		memcpy(s->bytes, secrets[i], lens[i]);
		s->len = lens[i];
		f->first_byte[(unsigned char)s->bytes[0]] = true;
		if (s->len > f->max_len)
			f->max_len = s->len;
		f->n++;
	}
	/* Pending never exceeds the longest secret; it holds secret bytes. */
	sbuf_init_secure(&f->pending, f->max_len + 1);
	*out = f;
	return 0;
}

size_t mask_filter_pending(const mask_filter *f)
{
	return f->pending.len;
}

/*
 * At `p` (with `avail` bytes after it): the length of the longest secret
 * matching entirely, or 0; *partial is set when some longer secret's
 * prefix runs to the end of the data (so more bytes could complete it).
 */
static size_t match_at(const mask_filter *f, const char *p, size_t avail, bool *partial)
{
	size_t best = 0;
	*partial = false;
	if (!f->first_byte[(unsigned char)p[0]])
		return 0;
	for (size_t i = 0; i < f->n; i++) {
		const secret *s = &f->secrets[i];
		if (s->len <= avail) {
			if (s->len > best && memcmp(p, s->bytes, s->len) == 0)
				best = s->len;
		} else if (memcmp(p, s->bytes, avail) == 0) {
			*partial = true;
		}
	}
	return best;
}

/*
 * Scans data = pending || new bytes. Emits up to the first position where
 * a partial match reaches the end (when !final), and keeps the rest.
 */
static int process(mask_filter *f, const char *data, size_t len, sbuf *out, bool final)
{
	size_t i = 0, emit_from = 0;
	int rc = 0;

	while (i < len) {
		bool partial;
		size_t m = match_at(f, data + i, len - i, &partial);
		if (partial && !final)
			break; /* a secret may start here: wait for more bytes */
		if (m) {
			rc = sbuf_add(out, data + emit_from, i - emit_from);
			if (!rc)
				rc = sbuf_adds(out, MASK_REPLACEMENT);
			if (rc)
				return rc;
			i += m;
			emit_from = i;
			continue;
		}
		i++;
	}
	rc = sbuf_add(out, data + emit_from, i - emit_from);
	if (rc)
		return rc;
	/* Keep the undecided tail [i, len). */
	sbuf_reset(&f->pending);
	return sbuf_add(&f->pending, data + i, len - i);
}

static int filter(mask_filter *f, const char *data, size_t len, sbuf *out, bool final)
{
	int rc;
	if (f->n == 0) {
		rc = sbuf_add(out, data, len);
	} else if (f->pending.len == 0) {
		rc = process(f, data, len, out, final);
	} else {
		/* Join the held-back tail with the new bytes, in wiped memory. */
		sbuf joined = SBUF_INIT_SECURE(f->pending.len + len);
		rc = sbuf_add(&joined, f->pending.ptr, f->pending.len);
		if (!rc)
			rc = sbuf_add(&joined, data, len);
		if (!rc)
			rc = process(f, joined.ptr, joined.len, out, final);
		sbuf_free(&joined);
	}
	return rc ? sesame_error_set(rc, NULL, "cannot mask output: out of memory") : 0;
}

int mask_filter_write(mask_filter *f, const char *data, size_t len, sbuf *out)
{
	return filter(f, data, len, out, false);
}

int mask_filter_finish(mask_filter *f, sbuf *out)
{
	if (f->pending.len == 0)
		return 0;
	return filter(f, "", 0, out, true);
}
