/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thread-local last error, in the manner of libgit2's git_error_last().
 * Fixed-size storage: setting an error never allocates, so it works when
 * memory has run out.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"

#define MESSAGE_MAX 512
#define KIND_MAX 64

struct error_state {
	sesame_error pub;
	char kind[KIND_MAX];
	char message[MESSAGE_MAX];
};

static _Thread_local struct error_state last_error;

static const struct {
	int code;
	const char *kind;
	const char *text;
} error_table[] = {
	{SESAME_OK, "ok", "no error"},
	{SESAME_ERROR, "error", "error"},
	{SESAME_ENOMEM, "out_of_memory", "out of memory"},
	{SESAME_EINVAL, "invalid_argument", "invalid argument"},
	{SESAME_ENOTFOUND, "not_found", "not found"},
	{SESAME_EAMBIGUOUS, "ambiguous", "ambiguous name"},
	{SESAME_EAUTH, "unauthenticated", "authentication failed"},
	{SESAME_EPERM, "permission_denied", "permission denied"},
	{SESAME_ECONFLICT, "conflict", "conflicting change"},
	{SESAME_ERATELIMIT, "rate_limited", "rate limit exceeded"},
	{SESAME_ETOKEN_EXPIRED, "token_expired", "token expired"},
	{SESAME_ETOKEN_REVOKED, "token_revoked", "token revoked"},
	{SESAME_ENETWORK, "network", "network error"},
	{SESAME_EDECRYPT, "decryption_failed", "decryption failed"},
	{SESAME_ETOOBIG, "too_big", "input too large"},
	{SESAME_EIO, "io", "input/output error"},
	{SESAME_EEXISTS, "already_exists", "already exists"},
	{SESAME_EUNSUPPORTED, "unsupported", "not supported"},
	{SESAME_ESERVER, "server_error", "server error"},
	{SESAME_EBUFSIZE, "buffer_too_small", "output buffer too small"},
};

static size_t error_index(int code)
{
	for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
		if (error_table[i].code == code)
			return i;
	return 1; /* SESAME_ERROR */
}

const char *sesame_strerror(int code)
{
	for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
		if (error_table[i].code == code)
			return error_table[i].text;
	return "unknown error";
}

const char *sesame_error_kind(int code)
{
	return error_table[error_index(code)].kind;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int sesame_error_setv(int code, const char *kind, const char *fmt, va_list ap)
{
	struct error_state *e = &last_error;
	copy_str(e->kind, sizeof e->kind, kind ? kind : sesame_error_kind(code));
	if (vsnprintf(e->message, sizeof e->message, fmt, ap) < 0)
		copy_str(e->message, sizeof e->message, sesame_strerror(code));
	e->pub.code = code;
	e->pub.kind = e->kind;
	e->pub.message = e->message;
	return code;
}

int sesame_error_set(int code, const char *kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sesame_error_setv(code, kind, fmt, ap);
	va_end(ap);
	return code;
}

int sesame_error_nomem(void)
{
	return sesame_error_set(SESAME_ENOMEM, NULL, "out of memory");
}

int sesame_error_prefix(const char *fmt, ...)
{
	struct error_state *e = &last_error;
	char prefix[MESSAGE_MAX], joined[MESSAGE_MAX];
	va_list ap;

	if (e->pub.message == NULL)
		return e->pub.code;
	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return e->pub.code;
	/* Truncation is fine: a long message loses its tail, never memory. */
	size_t plen = strlen(prefix);
	if (plen > sizeof joined - 3)
		plen = sizeof joined - 3;
	memcpy(joined, prefix, plen);
	memcpy(joined + plen, ": ", 2);
	copy_str(joined + plen + 2, sizeof joined - plen - 2, e->message);
	copy_str(e->message, sizeof e->message, joined);
	return e->pub.code;
}

const sesame_error *sesame_error_last(void)
{
	struct error_state *e = &last_error;
	if (e->pub.message == NULL) {
		e->pub.code = SESAME_OK;
		e->pub.kind = "ok";
		e->pub.message = "no error";
	}
	return &e->pub;
}

void sesame_error_clear(void)
{
	struct error_state *e = &last_error;
	e->pub.message = NULL;
	e->kind[0] = e->message[0] = '\0';
}
