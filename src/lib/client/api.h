/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_API_H
#define SESAME_LIB_CLIENT_API_H

/*
 * A connection to one sesamed: the parsed server URL, one keep-alive HTTP
 * connection, the session token (secure memory) and the integration name
 * and version sent with every request. api_call() sends JSON and maps the
 * answer onto the error model (docs/internals/client.md has the table).
 *
 * Not thread-safe: one api per thread.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "json_doc.h"

#define API_URL_MAX	   2048
#define API_RESPONSE_MAX   (16u * 1024 * 1024)
#define API_REQUEST_MAX	   (4u * 1024 * 1024)
#define API_JSON_MAX_DEPTH 16
#define API_SESSION_MAX	   512
#define API_ETAG_MAX	   128 /* an entity-tag with its quotes (and W/), NUL included */

typedef struct {
	const char *url;		 /* "http[s]://host[:port][/base]" */
	bool insecure;			 /* allow plain http to a non-loopback host */
	const char *integration_name;	 /* NULL: "sesame-cli" */
	const char *integration_version; /* NULL: the library version */
	int timeout_ms;			 /* 0: 30 s */
} api_options;

typedef struct api api;

/*
 * Parses the URL and prepares a connection (nothing is dialled yet).
 * Plain http:// to anything but a loopback address is refused with
 * SESAME_EINVAL (kind "insecure_url") unless opts->insecure is set.
 */
int api_new(api **out, const api_options *opts);
void api_free(api *a);

/* The server URL as given (no trailing '/'). Borrowed. */
const char *api_url(const api *a);

/* True when `host` is a loopback name or address. */
bool api_host_is_loopback(const char *host);

/* Sets (copy in secure memory) or clears (NULL) the session token. */
int api_set_session(api *a, const char *token);
/* The current session token, or NULL. Borrowed, secure memory. */
const char *api_session(const api *a);
/* True when the server sent a fresh token since the last api_set_session(). */
bool api_session_refreshed(const api *a);

/*
 * Sends `body` (NULL: none; stays the caller's) to `path` ("/v1/...")
 * and parses the answer. On 2xx, *out (if `out` is not NULL) is the parsed
 * JSON (NULL for an empty body) and the caller json_decref()s it. Any
 * other status becomes a SESAME_E* code with the server's error code as
 * the kind and its message as the message.
 */
int api_call(api *a, const char *method, const char *path, const json_t *body, json_t **out);

/*
 * As api_call(), for large answers read once (a batch resolve), where
 * jansson values would cost an allocation or three per value: `body` is
 * JSON text the caller wrote (`len` bytes, at most API_REQUEST_MAX), and
 * a 2xx answer is a read-only document (json_doc.h) in *out, which the
 * caller jdoc_free()s. Errors as api_call().
 */
int api_call_doc(api *a, const char *method, const char *path, const char *body, size_t len,
		 jdoc **out);

/*
 * A conditional GET (docs/protocol.md, "Conditional reads"): `etag`
 * (NULL or "": none) is sent as If-None-Match. On 200, *out is the parsed
 * JSON as with api_call() and `etag_out` the answer's ETag ("" when it has
 * none or a malformed one). On 304, *out is NULL, *not_modified is true
 * and `etag_out` the tag (the one sent, if the 304 repeats none): the
 * caller's copy is current. On error, as api_call(), with etag_out "".
 * Retried as api_call() retries a GET.
 */
int api_get_conditional(api *a, const char *path, const char *etag, json_t **out,
			char etag_out[API_ETAG_MAX], bool *not_modified);

/*
 * The mapping alone, for tests: turns a response (status, body bytes)
 * into 0 + *out, or an error code with the error set.
 */
int api_map_response(int status, const char *body, size_t len, json_t **out);

/*
 * GET `path`, then each element of its array member `key` (at most `max`)
 * decoded by `decode` into the next `size`-byte record of a new array:
 * *out (free() it) and *n. For flat records only (no memory of their
 * own), since a failure frees the array alone. Errors as api_call(), or
 * EINVAL (kind "bad_response") for an answer without the array.
 */
int api_get_records(void **out, size_t *n, api *a, const char *path, const char *key, size_t max,
		    size_t size, int (*decode)(void *record, const json_t *obj));

/* HTTP status + server error code -> SESAME_E* code. */
int api_status_to_code(int status, const char *kind);

/* Helpers for response objects: a required string member, else EINVAL (kind "bad_response"). */
int api_get_str(const json_t *obj, const char *key, const char **out);
/* Decodes a required b64u member into exactly `len` bytes (or up to `cap` if len is 0). */
int api_get_b64(const json_t *obj, const char *key, unsigned char *out, size_t cap, size_t len,
		size_t *out_len);
/* Adds a b64u string member. */
int api_set_b64(json_t *obj, const char *key, const unsigned char *bin, size_t len);

/*
 * Retries (used by the SDK; off unless set, so the CLI is unchanged). Only
 * idempotent requests are retried: GET, and POST /v1/resolve (a read).
 * A network failure, a 502/503/504 or a 429 whose Retry-After is at most
 * `max_retry_after_s` is retried up to `max_attempts` - 1 times, after
 * base_delay_ms * 2^n plus up to as much random jitter, or after the
 * Retry-After the server asked for.
 */
typedef struct {
	int max_attempts;      /* 1 or less: no retry */
	int base_delay_ms;     /* 0: 50 ms */
	int max_retry_after_s; /* 0: never wait for a 429 */
} api_retry;

void api_set_retry(api *a, const api_retry *r);

/* Retry-After (seconds) of the last answer on this api, 0 when it had none. */
long long api_retry_after(const api *a);

/* URL-escapes one path segment or query value into `out`. */
int api_escape(char *out, size_t cap, const char *s);

/*
 * A request with a raw body (application/octet-stream; NULL: none) and,
 * when `out_bytes` is set, a binary answer of at most `max` bytes (0: the
 * default) copied into a malloc'd buffer. JSON answers (an upload's 201,
 * errors) are handled as api_call() does.
 */
int api_call_bytes(api *a, const char *method, const char *path, const void *body, size_t len,
		   json_t **out, unsigned char **out_bytes, size_t *out_len, size_t max);

#endif
