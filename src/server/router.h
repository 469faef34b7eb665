/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_ROUTER_H
#define SESAME_SERVER_ROUTER_H

/*
 * The request and reply types, the declarative route table, and the router
 * that runs every central check once (docs/internals/server.md).
 *
 * Nothing here knows libmicrohttpd: http.c fills a struct http_request
 * from a connection and turns a struct http_reply into a response, so the
 * router and the handlers can be unit-tested without a socket.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"

/* Path limits (docs/api.md, "Limits"). */
#define ROUTE_SEGMENTS_MAX 16  /* segments in a request path */
#define ROUTE_SEGMENT_MAX  256 /* bytes in one segment, after percent-decoding */
#define ROUTE_PARAMS_MAX   8   /* :params in one pattern */
#define REPLY_MESSAGE_MAX  256 /* bytes in an error message */
#define REPLY_ALLOW_MAX	   64  /* bytes in an Allow header */

struct server_state; /* what handlers share (routes.h) */

/* Who may call a route; checked by the router's authenticate hook. */
enum route_auth {
	ROUTE_AUTH_NONE = 0, /* anyone */
	ROUTE_AUTH_SESSION,  /* any signed-in principal (user or service account) */
	ROUTE_AUTH_USER,     /* a signed-in person */
	ROUTE_AUTH_ADMIN,    /* a signed-in owner or administrator */
};

#define REQUEST_ID_SIZE	     27	 /* 26 characters of [a-z0-9] and a NUL */
#define REPLY_SESSION_MAX    192 /* a session token in the Sesame-Session header */

/* Who is calling, filled by the authenticate hook before the handler runs. */
struct request_caller {
	bool authenticated;
	char id[REQUEST_ID_SIZE];
	char account_id[REQUEST_ID_SIZE];
	char type[24]; /* "user" or "service_account" */
	bool admin;    /* owner or administrator */
	bool owner;
	long long generation;
	long long expires;	 /* the session's expiry */
	unsigned char mac[32];	 /* the session's MAC (for sign-out) */
	bool can_create_vaults;	 /* service accounts: set at creation */
};

/* RateLimit-Limit, -Remaining and -Reset headers; limit 0: none. */
struct reply_ratelimit {
	long long limit, remaining, reset;
};

struct route_params {
	size_t n;
	struct {
		const char *name; /* points into the route's pattern, after ':' */
		size_t name_len;
		char value[ROUTE_SEGMENT_MAX + 1]; /* percent-decoded, NUL-terminated */
	} p[ROUTE_PARAMS_MAX];
};

/* One request as the router sees it. http.c owns the strings. */
struct http_request {
	const char *method; /* "GET", case-sensitive as HTTP says */
	const char *path;   /* raw, still percent-encoded, without the query */
	const char *query;  /* raw query string without '?', "" when absent */
	const char *client; /* numeric client address, e.g. "127.0.0.1" */
	/* Header lookup (case-insensitive name); NULL when absent. */
	const char *(*header_fn)(void *cls, const char *name);
	void *header_cls;
	sbuf body; /* the body, capped at the route's body_max */
	struct server_state *state;

	/* Filled by router_route(). */
	const struct route *route;
	struct route_params params;
	struct request_caller caller;
	char refreshed[REPLY_SESSION_MAX]; /* a fresh session for the reply, or "" */
	struct reply_ratelimit ratelimit;  /* set by the admit hook, copied to the reply */
};

/*
 * What a handler or the router answers. Exactly one of json and text is
 * set: json is owned by the reply (http.c serialises and frees it), text
 * is a static string sent as text/plain.
 */
struct http_reply {
	int status;
	json_t *json;
	const char *text;
	char allow[REPLY_ALLOW_MAX]; /* Allow header for a 405, else "" */
	char session[REPLY_SESSION_MAX]; /* Sesame-Session header, else "" */
	long long retry_after;		 /* Retry-After header (seconds) when > 0 */
	struct reply_ratelimit ratelimit; /* RateLimit-* headers when limit > 0 */
	/* Binary answers (application/octet-stream): malloc'd, owned by the reply. */
	unsigned char *bytes;
	size_t bytes_len;
	const char *bytes_type; /* their Content-Type when not application/octet-stream */
};

typedef struct http_reply (*route_handler)(struct http_request *req,
					   const struct route_params *params, json_t *body);

/* One row of the route table. */
struct route {
	const char *method;  /* "GET", "POST", ... (HEAD is answered by GET routes) */
	const char *pattern; /* "/v1/vaults/:vault/items/:item" */
	enum route_auth auth;
	size_t body_max; /* bytes; 0 means the route takes no body */
	bool json;	 /* the body must be a JSON object (application/json) */
	route_handler handler;
	/* JSON routes: the top-level keys the body may have (NULL-terminated). */
	const char *const *keys;
};

/*
 * Checks a request against its route's auth rule before anything else
 * looks at it. Returns 0 with req->caller filled, or -1 with *out set.
 */
typedef int (*router_auth_fn)(struct http_request *req, enum route_auth rule,
			      struct http_reply *out);

/*
 * Runs after authentication, before the body is read (rate limits).
 * Returns 0 to go on, or -1 with *out set (429).
 */
typedef int (*router_admit_fn)(struct http_request *req, struct http_reply *out);

/*
 * Runs for every authenticated request once its reply is decided, before
 * it is sent (the audit event). Returns 1 when the reply may go now, or 0
 * when done(arg, rc) will be called later, from another thread, once it
 * may (rc != 0: the event could not be written).
 */
typedef int (*router_finish_fn)(struct http_request *req, const struct http_reply *reply,
				void (*done)(void *arg, int rc), void *arg);

struct router {
	const struct route *routes;
	size_t count;
	router_auth_fn authenticate; /* NULL: only ROUTE_AUTH_NONE routes are allowed */
	/*
	 * Optional: a route's body limit at run time (a setting such as
	 * --max-file-size); used when smaller than the row's body_max.
	 */
	size_t (*body_limit)(const struct http_request *req, const struct route *rt);
	router_admit_fn admit;	 /* NULL: no rate limits */
	router_finish_fn finish; /* NULL: no audit */
};

static inline const char *http_request_header(const struct http_request *req, const char *name)
{
	return req->header_fn ? req->header_fn(req->header_cls, name) : NULL;
}

/* Returns the value of :name, or NULL when the route has no such param. */
const char *route_param(const struct route_params *params, const char *name);

/*
 * Checks a route table once at start-up: patterns well formed, param names
 * unique, no two rows with the same method and shape, limits coherent, no
 * auth rule this build cannot enforce. Returns 0, or SESAME_EINVAL with a
 * message in `err`.
 */
int router_check(const struct router *r, char *err, size_t errcap);

/*
 * Step 1, when the headers are in: validates and decodes the path, finds
 * the route (404, or 405 with Allow), and runs the checks that need only
 * headers: a body on a route that takes none (400), Content-Length over
 * the route's limit (413), Content-Type for a JSON route (415). Returns 0
 * with req->route and req->params set, or -1 with *out set to the error.
 */
int router_route(const struct router *r, struct http_request *req, struct http_reply *out);

/*
 * Step 2, when the body is complete: parses the JSON body once (400 on
 * malformed, duplicate keys, too deep, or not an object) and calls the
 * handler. Always fills *out.
 */
void router_dispatch(struct http_request *req, struct http_reply *out);

/*
 * Percent-decodes one raw path segment of `len` bytes into `out` (capacity
 * ROUTE_SEGMENT_MAX + 1). Rules (docs/api.md "Paths"): only RFC 3986
 * pchar bytes raw; %XX with two hex digits; the result is valid UTF-8, has
 * no control character, no '/' or '\\', is not empty, "." or "..", and
 * fits ROUTE_SEGMENT_MAX bytes. Returns 0 or -1 with a reason in `why`.
 */
int route_decode_segment(const char *raw, size_t len, char *out, const char **why);

/* Reply helpers: the only ways to build a reply. */
struct http_reply reply_json(int status, json_t *body); /* steals body */
struct http_reply reply_text(int status, const char *static_text);
/* application/octet-stream; steals `bytes` (malloc'd; NULL when len is 0). */
struct http_reply reply_bytes(int status, unsigned char *bytes, size_t len);
/* {"error":{"code":code,"message":...}}; the message is lowercase. */
struct http_reply reply_error(int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Maps the thread's sesame_error_last() to a status and an error body. */
struct http_reply reply_from_error(void);
/* The status for a SESAME_E* code and kind (the table in router.c). */
int reply_status_for(int code, const char *kind);
/* Releases what a reply owns. */
void reply_free(struct http_reply *reply);

#endif
