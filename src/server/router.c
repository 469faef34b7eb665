/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The router: path decoding, route matching and the central checks, in
 * that order, once per request (docs/internals/server.md). Handlers never
 * repeat a check made here.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "error.h"
#include "json.h"
#include "log.h"
#include "router.h"
#include "sesame/errors.h"
#include "text.h"

/* Longest method name we compare; anything longer is not in any table. */
#define METHOD_MAX 16
/* Longest piece of client input echoed back in an error message. */
#define ECHO_MAX 96

/* ---- replies ---- */

struct http_reply reply_json(int status, json_t *body)
{
	struct http_reply r = {.status = status, .json = body};
	if (!body)
		return reply_error(500, "internal_error",
				   "cannot build the response: out of memory");
	return r;
}

struct http_reply reply_text(int status, const char *static_text)
{
	struct http_reply r = {.status = status, .text = static_text};
	return r;
}

struct http_reply reply_bytes(int status, unsigned char *bytes, size_t len)
{
	struct http_reply r = {.status = status, .bytes = bytes, .bytes_len = len};
	return r;
}

/*
 * A message may quote the request (an unknown key, a path) and be cut by
 * its buffer in the middle of a character: what is not valid UTF-8, and
 * control bytes, become '?'. jansson refuses invalid UTF-8, and the
 * answer was a bare 500 instead of the 400 (found by the query-string
 * fuzzer).
 */
static void clean_message(char *msg)
{
	size_t i = 0, n = strlen(msg);

	while (i < n) {
		unsigned char c = (unsigned char)msg[i];
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (i + len > n || !text_utf8_valid(msg + i, len) || c < 0x20 || c == 0x7f) {
			msg[i++] = '?';
			continue;
		}
		i += len;
	}
}

static struct http_reply reply_errorv(int status, const char *code, const char *fmt, va_list ap)
{
	struct http_reply r = {.status = status};
	char msg[REPLY_MESSAGE_MAX];

	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	clean_message(msg);
	/* NULL json is sent as a fixed 500 body by http.c (out of memory). */
	r.json = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
	if (!r.json)
		r.status = 500;
	return r;
}

struct http_reply reply_error(int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct http_reply r = reply_errorv(status, code, fmt, ap);
	va_end(ap);
	return r;
}

void reply_free(struct http_reply *reply)
{
	json_decref(reply->json);
	reply->json = NULL;
	free(reply->bytes);
	reply->bytes = NULL;
	reply->bytes_len = 0;
	sodium_memzero(reply->session, sizeof reply->session);
}

/*
 * SESAME_E* code to HTTP status. A kind listed first overrides its code's
 * status (storage_full is an EIO, but the client should see 507).
 */
static const struct {
	const char *kind;
	int status;
} kind_status[] = {
	{"storage_full", 507},
};

static const struct {
	int code;
	int status;
} code_status[] = {
	{SESAME_EINVAL, 400},
	{SESAME_EAUTH, 401},
	{SESAME_ETOKEN_EXPIRED, 401},
	{SESAME_ETOKEN_REVOKED, 401},
	{SESAME_EPERM, 403},
	{SESAME_ENOTFOUND, 404},
	{SESAME_EAMBIGUOUS, 409},
	{SESAME_ECONFLICT, 409},
	{SESAME_EEXISTS, 409},
	{SESAME_ETOOBIG, 413},
	{SESAME_ERATELIMIT, 429},
	{SESAME_EUNSUPPORTED, 501},
	{SESAME_EIO, 503},
	{SESAME_ENOMEM, 503},
	{SESAME_ESERVER, 500},
};

int reply_status_for(int code, const char *kind)
{
	for (size_t i = 0; kind && i < sizeof kind_status / sizeof kind_status[0]; i++)
		if (strcmp(kind, kind_status[i].kind) == 0)
			return kind_status[i].status;
	for (size_t i = 0; i < sizeof code_status / sizeof code_status[0]; i++)
		if (code_status[i].code == code)
			return code_status[i].status;
	return 500;
}

struct http_reply reply_from_error(void)
{
	const sesame_error *e = sesame_error_last();
	int status = reply_status_for(e->code, e->kind);

	if (status < 500)
		return reply_error(status, e->kind, "%s", e->message);
	/*
	 * A server-side failure's message may name files or SQLite details:
	 * log it whole, send the client only the kind and a fixed sentence.
	 */
	log_error("request_failed", LOG_STR("kind", e->kind), LOG_STR("message", e->message), );
	if (status == 507)
		return reply_error(status, e->kind, "the server's storage is full");
	if (status == 503)
		return reply_error(status, e->kind,
				   "the server cannot serve this now; retry later");
	return reply_error(status, e->kind, "internal server error");
}

/* ---- path decoding ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 pchar minus pct-encoded: unreserved, sub-delims, ':' and '@'. */
static bool is_pchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

/* Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t extra;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			extra = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			extra = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= extra)
			return false;
		for (size_t k = 1; k <= extra; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((extra == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += extra + 1;
	}
	return true;
}

int route_decode_segment(const char *raw, size_t len, char *out, const char **why)
{
	size_t n = 0;

	if (len == 0) {
		*why = "empty path segment";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '%') {
			if (len - i < 3 || hexval(raw[i + 1]) < 0 || hexval(raw[i + 2]) < 0) {
				*why = "bad percent-escape in path";
				return -1;
			}
			c = (unsigned char)(hexval(raw[i + 1]) * 16 + hexval(raw[i + 2]));
			i += 2;
			if (c == '/' || c == '\\') {
				*why = "encoded path separator";
				return -1;
			}
			if (c < 0x20 || c == 0x7f) {
				*why = "control character in path";
				return -1;
			}
		} else if (!is_pchar(c)) {
			*why = "character not allowed in path";
			return -1;
		}
		if (n == ROUTE_SEGMENT_MAX) {
			*why = "path segment too long";
			return -1;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0) {
		*why = "dot segment in path";
		return -1;
	}
	if (!utf8_valid((const unsigned char *)out, n)) {
		*why = "path is not valid utf-8";
		return -1;
	}
	return 0;
}

/* A decoded path: segment i is seg[i] (NUL-terminated). */
struct decoded_path {
	size_t n;
	char seg[ROUTE_SEGMENTS_MAX][ROUTE_SEGMENT_MAX + 1];
};

/*
 * Splits and decodes a raw path. Returns 0, -1 for an invalid path (400,
 * reason in *why) or -2 for more segments than any route has (404).
 */
static int decode_path(const char *path, struct decoded_path *dp, const char **why)
{
	dp->n = 0;
	if (path[0] != '/') {
		*why = "path must start with '/'";
		return -1;
	}
	if (path[1] == '\0')
		return 0; /* "/" has no segments */
	const char *p = path + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (dp->n == ROUTE_SEGMENTS_MAX)
			return -2;
		if (route_decode_segment(p, len, dp->seg[dp->n], why))
			return -1;
		dp->n++;
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

/* ---- patterns ---- */

/* Splits a pattern into segments; returns how many (0 for a bad pattern). */
static size_t pattern_segments(const char *pattern, const char *seg[ROUTE_SEGMENTS_MAX + 1],
			       size_t len[ROUTE_SEGMENTS_MAX + 1])
{
	size_t n = 0;
	const char *p = pattern + 1;
	if (pattern[0] != '/' || pattern[1] == '\0')
		return 0;
	while (n <= ROUTE_SEGMENTS_MAX) {
		const char *slash = strchr(p, '/');
		seg[n] = p;
		len[n] = slash ? (size_t)(slash - p) : strlen(p);
		n++;
		if (!slash)
			break;
		p = slash + 1;
	}
	return n;
}

/* Matches a decoded path against a pattern; fills params when given. */
static bool pattern_match(const char *pattern, const struct decoded_path *dp,
			  struct route_params *params)
{
	const char *seg[ROUTE_SEGMENTS_MAX + 1];
	size_t len[ROUTE_SEGMENTS_MAX + 1];
	size_t n = pattern_segments(pattern, seg, len);

	if (n != dp->n)
		return false;
	if (params)
		params->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (seg[i][0] == ':') {
			if (params) {
				size_t k = params->n++;
				params->p[k].name = seg[i] + 1;
				params->p[k].name_len = len[i] - 1;
				memcpy(params->p[k].value, dp->seg[i], strlen(dp->seg[i]) + 1);
			}
			continue;
		}
		if (strlen(dp->seg[i]) != len[i] || memcmp(dp->seg[i], seg[i], len[i]) != 0)
			return false;
	}
	return true;
}

const char *route_param(const struct route_params *params, const char *name)
{
	size_t nlen = strlen(name);
	for (size_t i = 0; i < params->n; i++)
		if (params->p[i].name_len == nlen && memcmp(params->p[i].name, name, nlen) == 0)
			return params->p[i].value;
	return NULL;
}

static bool seg_is_literal_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_pchar((unsigned char)s[i]) || s[i] == ':')
			return false;
	return len > 0 && !(len == 1 && s[0] == '.') && !(len == 2 && s[0] == '.' && s[1] == '.');
}

static bool param_name_ok(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Same shape: same length, and literals equal where both are literals. */
static bool patterns_overlap(const char *a, const char *b)
{
	const char *sa[ROUTE_SEGMENTS_MAX + 1], *sb[ROUTE_SEGMENTS_MAX + 1];
	size_t la[ROUTE_SEGMENTS_MAX + 1], lb[ROUTE_SEGMENTS_MAX + 1];
	size_t na = pattern_segments(a, sa, la), nb = pattern_segments(b, sb, lb);

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		if (sa[i][0] == ':' || sb[i][0] == ':')
			continue;
		if (la[i] != lb[i] || memcmp(sa[i], sb[i], la[i]) != 0)
			return false;
	}
	return true;
}

int router_check(const struct router *r, char *err, size_t errcap)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct route *rt = &r->routes[i];
		const char *seg[ROUTE_SEGMENTS_MAX + 1];
		size_t len[ROUTE_SEGMENTS_MAX + 1];
		size_t n, params = 0;

		if (!rt->method || !rt->pattern || !rt->handler) {
			snprintf(err, errcap, "route %zu: method, pattern and handler are required",
				 i);
			return SESAME_EINVAL;
		}
		if (strlen(rt->method) == 0 || strlen(rt->method) > METHOD_MAX ||
		    strcmp(rt->method, "HEAD") == 0) {
			snprintf(err, errcap, "route '%s %s': bad method (HEAD comes from GET)",
				 rt->method, rt->pattern);
			return SESAME_EINVAL;
		}
		n = pattern_segments(rt->pattern, seg, len);
		if (n == 0 || n > ROUTE_SEGMENTS_MAX) {
			snprintf(err, errcap,
				 "route '%s %s': pattern must be '/' and 1 to %d segments",
				 rt->method, rt->pattern, ROUTE_SEGMENTS_MAX);
			return SESAME_EINVAL;
		}
		for (size_t s = 0; s < n; s++) {
			if (seg[s][0] == ':') {
				if (!param_name_ok(seg[s] + 1, len[s] - 1)) {
					snprintf(err, errcap,
						 "route '%s %s': bad param name in segment %zu",
						 rt->method, rt->pattern, s + 1);
					return SESAME_EINVAL;
				}
				for (size_t t = 0; t < s; t++) {
					if (seg[t][0] == ':' && len[t] == len[s] &&
					    memcmp(seg[t], seg[s], len[s]) == 0) {
						snprintf(err, errcap,
							 "route '%s %s': param '%.*s' repeated",
							 rt->method, rt->pattern, (int)len[s] - 1,
							 seg[s] + 1);
						return SESAME_EINVAL;
					}
				}
				params++;
			} else if (!seg_is_literal_ok(seg[s], len[s])) {
				snprintf(err, errcap, "route '%s %s': bad literal segment %zu",
					 rt->method, rt->pattern, s + 1);
				return SESAME_EINVAL;
			}
		}
		if (params > ROUTE_PARAMS_MAX) {
			snprintf(err, errcap, "route '%s %s': more than %d params", rt->method,
				 rt->pattern, ROUTE_PARAMS_MAX);
			return SESAME_EINVAL;
		}
		if (rt->auth > ROUTE_AUTH_ADMIN) {
			snprintf(err, errcap, "route '%s %s': unknown auth rule %d", rt->method,
				 rt->pattern, (int)rt->auth);
			return SESAME_EINVAL;
		}
		if (rt->keys && !rt->json) {
			snprintf(err, errcap, "route '%s %s': body keys on a route without json",
				 rt->method, rt->pattern);
			return SESAME_EINVAL;
		}
		if (rt->json && rt->body_max == 0) {
			snprintf(err, errcap, "route '%s %s': a json route needs a body limit",
				 rt->method, rt->pattern);
			return SESAME_EINVAL;
		}
		if (rt->auth != ROUTE_AUTH_NONE && !r->authenticate) {
			/* Refuse rather than serve a route unprotected. */
			snprintf(err, errcap, "route '%s %s': auth rule %d is not implemented",
				 rt->method, rt->pattern, (int)rt->auth);
			return SESAME_EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			const struct route *o = &r->routes[j];
			if (strcmp(o->method, rt->method) == 0 &&
			    patterns_overlap(o->pattern, rt->pattern)) {
				snprintf(err, errcap, "route '%s %s' overlaps route '%s %s'",
					 rt->method, rt->pattern, o->method, o->pattern);
				return SESAME_EINVAL;
			}
		}
	}
	return 0;
}

/* ---- routing ---- */

static bool method_is(const struct route *rt, const char *method)
{
	if (strcmp(rt->method, method) == 0)
		return true;
	/* HEAD is GET without the body (MHD drops the body for us). */
	return strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0;
}

static void allow_add(char *allow, const char *method)
{
	size_t len = strlen(allow), mlen = strlen(method);

	/* Skip duplicates: "GET" appears once even if two GET routes match. */
	for (const char *p = allow; (p = strstr(p, method)) != NULL; p += mlen)
		if ((p == allow || p[-1] == ' ') && (p[mlen] == ',' || p[mlen] == '\0'))
			return;
	if (len + mlen + 3 > REPLY_ALLOW_MAX)
		return;
	if (len) {
		memcpy(allow + len, ", ", 2);
		len += 2;
	}
	memcpy(allow + len, method, mlen + 1);
}

/* Copies at most ECHO_MAX bytes of s for an error message. */
static const char *echo(const char *s, char buf[ECHO_MAX + 4])
{
	size_t n = strlen(s);
	if (n <= ECHO_MAX)
		return s;
	memcpy(buf, s, ECHO_MAX);
	memcpy(buf + ECHO_MAX, "...", 4);
	return buf;
}

/* True when the request announces a body (Content-Length > 0 or chunked). */
static bool has_body(const struct http_request *req, unsigned long long *length, bool *known)
{
	const char *cl = http_request_header(req, "Content-Length");
	*known = false;
	*length = 0;
	if (http_request_header(req, "Transfer-Encoding"))
		return true;
	if (!cl)
		return false;
	/* MHD has already refused a malformed Content-Length with 400. */
	char *end;
	errno = 0;
	unsigned long long v = strtoull(cl, &end, 10);
	if (errno || end == cl || *end != '\0') {
		*length = ULLONG_MAX;
		*known = true;
		return true;
	}
	*length = v;
	*known = true;
	return v > 0;
}

/* "application/json", optionally with parameters ("; charset=utf-8"). */
static bool is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	if (!ct || strncasecmp(ct, want, sizeof want - 1) != 0)
		return false;
	ct += sizeof want - 1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

int router_route(const struct router *r, struct http_request *req, struct http_reply *out)
{
	struct decoded_path dp;
	const char *why = NULL;
	char allow[REPLY_ALLOW_MAX] = "";
	char ebuf[ECHO_MAX + 4];
	int rc;

	req->route = NULL;
	req->params.n = 0;
	rc = decode_path(req->path, &dp, &why);
	if (rc == -1) {
		*out = reply_error(400, "invalid_path", "invalid path '%s': %s",
				   echo(req->path, ebuf), why);
		return -1;
	}
	if (rc == 0) {
		for (size_t i = 0; i < r->count; i++) {
			const struct route *rt = &r->routes[i];
			if (!pattern_match(rt->pattern, &dp, NULL))
				continue;
			if (method_is(rt, req->method)) {
				pattern_match(rt->pattern, &dp, &req->params);
				req->route = rt;
				break;
			}
			allow_add(allow, rt->method);
			if (strcmp(rt->method, "GET") == 0)
				allow_add(allow, "HEAD");
		}
	}
	if (!req->route && allow[0]) {
		*out = reply_error(405, "method_not_allowed", "method '%s' is not allowed on '%s'",
				   strlen(req->method) > METHOD_MAX ? "?" : req->method,
				   echo(req->path, ebuf));
		memcpy(out->allow, allow, sizeof allow);
		return -1;
	}
	if (!req->route) {
		*out = reply_error(404, "not_found", "no route for '%s'", echo(req->path, ebuf));
		return -1;
	}

	const struct route *rt = req->route;
	unsigned long long length;
	bool known;
	size_t body_max = rt->body_max;
	if (r->body_limit) {
		size_t lim = r->body_limit(req, rt);
		if (lim < body_max)
			body_max = lim;
	}
	if (has_body(req, &length, &known)) {
		if (rt->body_max == 0) {
			*out = reply_error(400, "body_not_allowed", "'%s %s' takes no request body",
					   rt->method, rt->pattern);
			return -1;
		}
		if (known && length > body_max) {
			*out = reply_error(
				413, "body_too_large",
				"request body of %llu bytes is over the limit of %zu bytes", length,
				body_max);
			return -1;
		}
	}
	if (rt->json && !is_json_type(http_request_header(req, "Content-Type"))) {
		*out = reply_error(415, "unsupported_media_type",
				   "request body must be 'application/json'");
		return -1;
	}
	req->body.max = body_max;
	/*
	 * Authentication comes last among the header checks and before any
	 * body is read: an unauthenticated client never makes us buffer one.
	 */
	memset(&req->caller, 0, sizeof req->caller);
	memset(&req->ratelimit, 0, sizeof req->ratelimit);
	req->refreshed[0] = '\0';
	if (rt->auth != ROUTE_AUTH_NONE) {
		if (!r->authenticate) {
			*out = reply_error(500, "internal_error", "internal server error");
			return -1;
		}
		if (r->authenticate(req, rt->auth, out) != 0)
			return -1;
		/* Budgets: only an authenticated request can spend one. */
		if (r->admit && r->admit(req, out) != 0)
			return -1;
	}
	return 0;
}

void router_dispatch(struct http_request *req, struct http_reply *out)
{
	const struct route *rt = req->route;
	json_t *body = NULL;

	if (rt->json) {
		char err[160];
		int code;
		sjson_limits lim = {rt->body_max, SJSON_DEFAULT_MAX_DEPTH};

		if (req->body.len == 0) {
			*out = reply_error(400, "invalid_json",
					   "request body is empty; expected json");
			return;
		}
		body = sjson_parse(sbuf_cstr(&req->body), req->body.len, &lim, &code, err,
				   sizeof err);
		if (!body) {
			*out = reply_error(400, "invalid_json", "invalid json body: %s", err);
			return;
		}
		if (!json_is_object(body)) {
			json_decref(body);
			*out = reply_error(400, "invalid_json",
					   "invalid json body: expected an object");
			return;
		}
		const char *unknown = rt->keys ? sjson_unknown_key(body, rt->keys) : NULL;
		if (unknown) {
			char ebuf[ECHO_MAX + 4];
			*out = reply_error(400, "invalid_request", "unknown key '%s'",
					   echo(unknown, ebuf));
			json_decref(body);
			return;
		}
	}
	sesame_error_clear();
	*out = rt->handler(req, &req->params, body);
	json_decref(body);
	/* A sliding session: the fresh token rides on any successful answer. */
	if (req->refreshed[0] && out->status < 400 && !out->session[0])
		memcpy(out->session, req->refreshed, sizeof out->session);
	if (req->ratelimit.limit > 0 && out->ratelimit.limit == 0)
		out->ratelimit = req->ratelimit;
}
