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

#define API_URL_MAX	   2048
#define API_RESPONSE_MAX   (16u * 1024 * 1024)
#define API_REQUEST_MAX	   (4u * 1024 * 1024)
#define API_JSON_MAX_DEPTH 16
#define API_SESSION_MAX	   512

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
 * The mapping alone, for tests: turns a response (status, body bytes)
 * into 0 + *out, or an error code with the error set.
 */
int api_map_response(int status, const char *body, size_t len, json_t **out);

/* HTTP status + server error code -> SESAME_E* code. */
int api_status_to_code(int status, const char *kind);

/* Helpers for response objects: a required string member, else EINVAL (kind "bad_response"). */
int api_get_str(const json_t *obj, const char *key, const char **out);
/* Decodes a required b64u member into exactly `len` bytes (or up to `cap` if len is 0). */
int api_get_b64(const json_t *obj, const char *key, unsigned char *out, size_t cap, size_t len,
		size_t *out_len);
/* Adds a b64u string member. */
int api_set_b64(json_t *obj, const char *key, const unsigned char *bin, size_t len);

/* URL-escapes one path segment or query value into `out`. */
int api_escape(char *out, size_t cap, const char *s);

#endif
