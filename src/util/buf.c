/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "sesame/errors.h"

static void (*release_hook)(const void *p, size_t cap);

void sbuf_set_release_hook(void (*hook)(const void *p, size_t cap))
{
	release_hook = hook;
}

void sbuf_init(sbuf *b, size_t max)
{
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->secure = false;
	b->wiped = false;
}

void sbuf_init_secure(sbuf *b, size_t max)
{
	sbuf_init(b, max);
	b->secure = true;
}

void sbuf_init_wiped(sbuf *b, size_t max)
{
	sbuf_init(b, max);
	b->wiped = true;
}

static void release(char *p, size_t cap, const sbuf *b)
{
	if (!p)
		return;
	if (b->secure) {
		sodium_free(p); /* wipes before unmapping */
	} else if (b->wiped) {
		sodium_memzero(p, cap);
		if (release_hook)
			release_hook(p, cap);
		free(p);
	} else {
		free(p);
	}
}

void sbuf_free(sbuf *b)
{
	release(b->ptr, b->cap, b);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

void sbuf_reset(sbuf *b)
{
	if (b->ptr) {
		sodium_memzero(b->ptr, b->cap);
	}
	b->len = 0;
}

int sbuf_grow(sbuf *b, size_t extra)
{
	/* +1 for the terminating NUL, which max does not count. */
	if (extra > b->max || b->len > b->max - extra) {
		sbuf_free(b);
		return SESAME_ETOOBIG;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->max < SIZE_MAX && cap > b->max + 1)
		cap = b->max + 1; /* max + 1 would wrap for an unbounded buffer */
	char *p;
	if (b->secure) {
		/* sodium memory cannot be realloc'ed: copy, then wipe the old. */
		if (sodium_init() < 0) {
			sbuf_free(b);
			return SESAME_ENOMEM;
		}
		p = sodium_malloc(cap);
		if (p && b->ptr)
			memcpy(p, b->ptr, b->len + 1);
		if (p)
			release(b->ptr, b->cap, b);
	} else if (b->wiped) {
		/* realloc could move the block and leave the old copy unwiped. */
		p = malloc(cap);
		if (p && b->ptr)
			memcpy(p, b->ptr, b->len + 1);
		if (p)
			release(b->ptr, b->cap, b);
	} else {
		p = realloc(b->ptr, cap);
	}
	if (!p) {
		sbuf_free(b);
		return SESAME_ENOMEM;
	}
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int sbuf_add(sbuf *b, const void *data, size_t len)
{
	int rc = sbuf_grow(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int sbuf_adds(sbuf *b, const char *str)
{
	return sbuf_add(b, str, strlen(str));
}

int sbuf_addc(sbuf *b, char c)
{
	return sbuf_add(b, &c, 1);
}

int sbuf_vprintf(sbuf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0) {
		sbuf_free(b);
		return SESAME_EINVAL;
	}
	int rc = sbuf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int sbuf_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = sbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *sbuf_detach(sbuf *b, size_t *len_out)
{
	char *p = b->ptr;
	if (p && b->wiped && !b->secure) {
		if (sodium_init() < 0 || !(p = sodium_malloc(b->len + 1))) {
			sbuf_free(b);
			if (len_out)
				*len_out = 0;
			return NULL;
		}
		memcpy(p, b->ptr, b->len + 1);
		release(b->ptr, b->cap, b);
	}
	if (len_out)
		*len_out = b->len;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}
