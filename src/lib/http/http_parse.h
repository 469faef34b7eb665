/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_HTTP_HTTP_PARSE_H
#define SESAME_LIB_HTTP_HTTP_PARSE_H

/*
 * An incremental HTTP/1.1 response parser, bounded and strict.
 *
 * It takes bytes as they arrive (any split) and reports when one response
 * is complete, so a keep-alive connection can carry the next. It accepts
 * exactly what our server sends and what a well-behaved proxy may add:
 * a status line, at most HTTP_MAX_HEADERS headers in at most
 * HTTP_MAX_HEADER_BYTES, and a body framed by Content-Length or chunked
 * transfer coding (chunk extensions and trailers ignored), or no body
 * (1xx, 204, 304, HEAD). A response framed only by closing the connection
 * is refused: without framing a truncated secret could pass as whole.
 * Everything else (obs-fold, both framings at once, bad numbers, a body
 * over the caller's limit) is an error.
 */

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_HEADER_BYTES (16u * 1024)

typedef struct {
	char *name; /* lowercased */
	char *value;
} http_header;

typedef enum {
	HTTP_PARSE_HEAD = 0,
	HTTP_PARSE_BODY_LENGTH,
	HTTP_PARSE_CHUNK_SIZE,
	HTTP_PARSE_CHUNK_DATA,
	HTTP_PARSE_CHUNK_DATA_END,
	HTTP_PARSE_TRAILERS,
	HTTP_PARSE_DONE,
} http_parse_state;

typedef struct {
	/* Results, valid once http_parser_feed() returned 1. */
	int status;
	http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	sbuf body;
	bool keep_alive; /* false when the server said Connection: close */

	/* Internal state. */
	http_parse_state state;
	bool head_request;
	sbuf line;        /* the head, or the current chunk-size/trailer line */
	unsigned long long remaining; /* body bytes left, or trailer bytes seen */
	int interim;                  /* 1xx responses skipped */
} http_parser;

/*
 * Prepares a parser. `max_body` bounds the body; `wipe_body` keeps it in
 * heap memory wiped when it grows and when it is freed (responses carry
 * session tokens, sealed keys and ciphertext; never a plaintext secret, so
 * sodium_malloc's guard pages and mlock, about ten system calls per
 * buffer, would buy nothing). For a response to HEAD pass head_request =
 * true (no body follows).
 */
void http_parser_init(http_parser *p, size_t max_body, bool wipe_body, bool head_request);

/*
 * Feeds `len` bytes. Sets *consumed to the bytes used (the rest belongs to
 * the next response). Returns 1 when the response is complete, 0 when more
 * bytes are needed, or a negative SESAME_E* code (SESAME_EINVAL malformed,
 * SESAME_ETOOBIG over a limit), after which the parser must be freed.
 */
int http_parser_feed(http_parser *p, const char *data, size_t len, size_t *consumed);

/* The first header named `name` (lowercase), or NULL. Borrowed. */
const char *http_parser_header(const http_parser *p, const char *name);

/* Frees headers and body (wiping a secure body). */
void http_parser_free(http_parser *p);

#endif
