/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_HTTP_HTTP_CLIENT_H
#define SESAME_LIB_HTTP_HTTP_CLIENT_H

/*
 * libsesame's one HTTP client: HTTP/1.1 over a socket, keep-alive,
 * bounded responses (http_parse.h). The CLI and every binding go through
 * it. Why not libcurl: merely linking Debian's libcurl costs ~5 ms of
 * process start-up and initialising it ~7 ms, more than the whole budget
 * of a warm `sesame read` (docs/decisions.md, measured there).
 *
 * https:// goes through GnuTLS, loaded on first use (http/tls.h).
 *
 * A connection is not thread-safe; the SDK keeps one per thread or a pool.
 * A connection that the server closed while idle is reopened before
 * the next request; a request that fails on a reused connection before any
 * response byte arrived is retried once when its method is idempotent.
 */

#include <stdbool.h>
#include <stddef.h>

#include "http/http_parse.h"

#define HTTP_HOST_MAX 255
#define HTTP_BASE_PATH_MAX 512

typedef struct {
	bool tls;
	char host[HTTP_HOST_MAX + 1]; /* name or IP literal, without [ ] */
	char port[6];
	char base_path[HTTP_BASE_PATH_MAX + 1]; /* "" or "/prefix", no trailing '/' */
} http_url;

/*
 * Parses "http[s]://host[:port][/base/path]". IPv6 literals in brackets.
 * No user info, query or fragment. Returns 0 or SESAME_EINVAL (error set).
 */
int http_url_parse(http_url *out, const char *url);

typedef struct http_conn http_conn;

/* Creates a connection handle; nothing is dialled until the first send. */
int http_conn_new(http_conn **out, const http_url *url, int timeout_ms);
void http_conn_free(http_conn *c);

typedef struct {
	const char *method;           /* "GET", "POST", ... */
	const char *path;             /* "/v1/..." with query; after base_path */
	const char *const *headers;   /* "Name: value", NULL-terminated; may be NULL */
	const void *body;
	size_t body_len;
	const char *content_type;     /* with a body; default application/json */
	size_t max_response_body;     /* 0: 16 MiB */
} http_request;

/*
 * Sends `req` and reads the response into `resp`, which this function
 * initialises (a wiped body) and the caller frees with http_parser_free(),
 * whatever the result. Returns 0 when a complete response arrived (any
 * status), or SESAME_ENETWORK / SESAME_EINVAL (malformed response) /
 * SESAME_ETOOBIG with the error set.
 */
int http_conn_send(http_conn *c, const http_request *req, http_parser *resp);

/* Number of TCP connections this handle has opened (for tests/bench). */
unsigned http_conn_dials(const http_conn *c);

#endif
