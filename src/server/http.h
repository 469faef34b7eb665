/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_HTTP_H
#define SESAME_SERVER_HTTP_H

/*
 * The HTTP layer: libmicrohttpd 0.9.75 with an internal epoll thread pool
 * (one thread per core), TLS through MHD's GnuTLS support, and the limits
 * below. It turns each request into a struct http_request for the router
 * and queues the router's reply only once the body is complete, which is
 * what keeps keep-alive working in MHD 0.9.75 (docs/internals/server.md).
 */

#include <stdbool.h>

#include "router.h"

/*
 * Limits (docs/api.md, "Limits").
 * - Connection memory: MHD keeps the request line, the headers and its
 *   read/write buffers in one pool of this size; headers that do not fit
 *   are answered 431 by MHD itself.
 * - Drain: after a chunked body has passed its route's limit, up to this
 *   many more bytes are read and dropped so that the 413 can be sent;
 *   beyond that the connection is closed without an answer.
 */
#define HTTP_CONNECTION_MEMORY	     (32 * 1024)
#define HTTP_CONNECTION_LIMIT	     1024
#define HTTP_PER_IP_CONNECTION_LIMIT 128
#define HTTP_CONNECTION_TIMEOUT_S    30
#define HTTP_DRAIN_MAX		     (64 * 1024)

#define HTTP_OPTIONS_VERSION 1

struct http_options {
	unsigned int version;	  /* HTTP_OPTIONS_VERSION */
	const char *listen;	  /* numeric IPv4 or IPv6 address */
	unsigned int port;	  /* 0: any free port (see http_server_port) */
	const char *tls_cert_pem; /* NUL-terminated PEM, or NULL for plain http */
	const char *tls_key_pem;  /* must stay valid until http_server_stop */
	unsigned int threads;	  /* 0: one per online core */
	const struct router *router;
	struct server_state *state;
};

#define HTTP_OPTIONS_INIT                                                                          \
	{                                                                                          \
		HTTP_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, NULL, NULL                           \
	}

struct http_server;

/* Starts serving. Returns 0, or a SESAME_E* code with the thread error set. */
int http_server_start(struct http_server **out, const struct http_options *opts);

/* The port actually bound (the answer to port 0). */
unsigned int http_server_port(const struct http_server *srv);

/* Closes new connections as they arrive; requests already received go on. */
void http_server_quiesce(struct http_server *srv);

/*
 * Waits until no request is in progress, or `timeout_ms` has passed.
 * Returns true when idle. Idle keep-alive connections do not count.
 */
bool http_server_wait_idle(struct http_server *srv, unsigned int timeout_ms);

/* Closes every connection, joins the threads and frees the server. */
void http_server_stop(struct http_server *srv);

/*
 * Conditional reads (docs/protocol.md, "Conditional reads"). A GET (or
 * HEAD) answered 200 with a JSON body carries a strong ETag: the quoted
 * base64url of a 16-byte BLAKE2b of the body. When the request's
 * If-None-Match matches it, the answer becomes a bodyless 304 with the
 * same headers; auth, rate limit and audit event have happened as for any
 * read (the event records 304).
 */
#define HTTP_ETAG_HASH_BYTES 16
#define HTTP_ETAG_SIZE	     25 /* '"', 22 base64url characters, '"', NUL */

/* Writes the ETag of `len` bytes of `body` into `out`. */
void http_etag_of(char out[HTTP_ETAG_SIZE], const void *body, size_t len);

/*
 * True when an If-None-Match field value matches the strong tag `etag`
 * (quoted): "*", or a comma-separated list of entity-tags one of which
 * has the same opaque-tag, W/ or not (RFC 9110 weak comparison, 13.1.2).
 * A malformed value matches nothing (the full answer is always correct).
 */
bool http_if_none_match(const char *field, const char *etag);

#endif
