/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmicrohttpd adapter. The life of one request (MHD calls us in this
 * order, all on one pool thread):
 *
 * 1. on_uri (MHD_OPTION_URI_LOG_CALLBACK), once the request line is read:
 *    allocate the request context, note the time, split off the query.
 *    Because this runs before MHD parses the headers, the completion
 *    notice (5) also comes for requests MHD answers itself (431, 413).
 * 2. on_request, first call, headers complete: the router finds the route
 *    and runs the header checks. A failure on a request that carries a
 *    body is answered at once (MHD then closes the connection instead of
 *    reading a body nobody wants); any other failure waits for step 4.
 * 3. on_request with upload data: append to the body, capped at the
 *    route's limit; past it, drain a little and answer 413 in step 4.
 * 4. on_request, last call (no more data): dispatch, give a 200 JSON
 *    answer to a GET its ETag (a 304 when If-None-Match matches it), write
 *    the audit event and queue the reply.
 *    Queuing on the first call of a body-less request instead makes MHD
 *    0.9.75 answer "Connection: close" and throughput drops about 5x.
 * 5. on_completed (MHD_OPTION_NOTIFY_COMPLETED): access log, free.
 *
 * MHD's own URL unescaping is turned off (on_unescape) so that the router
 * sees the raw path and can tell "a%2Fb" from "a/b".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "b64.h"
#include "config.h"
#include "error.h"
#include "http.h"
#include "json.h"
#include "log.h"

/* TLS 1.2 and 1.3 only; GnuTLS's defaults otherwise. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* Sent when even building an error body failed (out of memory). */
static const char fallback_body[] =
	"{\"error\":{\"code\":\"internal_error\",\"message\":\"internal server error\"}}";

struct http_server {
	struct MHD_Daemon *daemon;
	const struct router *router;
	struct server_state *state;
	atomic_bool stopping; /* new connections are closed at once (http_server_quiesce) */
	atomic_uint active; /* requests whose headers are in, not yet completed */
	unsigned int port;
};

struct request_ctx {
	struct http_request req;
	struct http_server *srv;
	struct timespec start;
	char *path;  /* raw path, for the router and the access log */
	char *query; /* raw query, never logged */
	char method[16];
	char client[INET6_ADDRSTRLEN];
	bool started;	  /* the first on_request call has run (counted in active) */
	bool has_pending; /* an error decided early, sent on the last call */
	bool draining;	  /* the body went over its limit: drop the rest */
	size_t drained;
	struct http_reply pending;
	int status; /* what we queued, 0 when we queued nothing */
	/* The audit event of the reply in `pending` is being written (suspended). */
	struct MHD_Connection *conn;
	bool awaiting;
	atomic_bool audited;
	int audit_rc;
	/* A 200 JSON answer to a GET, serialised early for its ETag (apply_etag). */
	char *body_text;
	char etag[HTTP_ETAG_SIZE]; /* "" when the reply has none */
};

/* ---- helpers ---- */

static const char *lookup_header(void *cls, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)cls, MHD_HEADER_KIND, name);
}

/* A body follows the headers: chunked, or a Content-Length other than 0. */
static bool announces_body(struct MHD_Connection *conn)
{
	const char *cl = lookup_header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (lookup_header(conn, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return true;
	return cl && strspn(cl, "0") != strlen(cl);
}

static void client_address(struct MHD_Connection *conn, char *out, size_t cap)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, cap, "-");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
			  (socklen_t)cap);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)cap);
}

static long long elapsed_us(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - start->tv_sec) * 1000000LL +
	       (now.tv_nsec - start->tv_nsec) / 1000;
}

/* content_type NULL: none (a 304); etag NULL: none. */
static enum MHD_Result add_headers(struct MHD_Response *resp, const struct http_reply *reply,
				   const char *content_type, const char *etag)
{
	/*
	 * Responses carry ciphertext and metadata: never cached, never
	 * sniffed into another type, never framed or run as a page. The
	 * ETag is for the SDK's own cache; no-store still keeps every shared
	 * or browser cache from storing the answer.
	 */
	if ((content_type && MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
						     content_type) != MHD_YES) ||
	    (etag && MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag) != MHD_YES) ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    MHD_add_response_header(resp, "Content-Security-Policy",
				    "default-src 'none'; frame-ancestors 'none'") != MHD_YES)
		return MHD_NO;
	if (reply->allow[0] &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, reply->allow) != MHD_YES)
		return MHD_NO;
	if (reply->session[0] &&
	    MHD_add_response_header(resp, "Sesame-Session", reply->session) != MHD_YES)
		return MHD_NO;
	if (reply->ratelimit.limit > 0) {
		char v[3][24];
		snprintf(v[0], sizeof v[0], "%lld", reply->ratelimit.limit);
		snprintf(v[1], sizeof v[1], "%lld", reply->ratelimit.remaining);
		snprintf(v[2], sizeof v[2], "%lld", reply->ratelimit.reset);
		if (MHD_add_response_header(resp, "RateLimit-Limit", v[0]) != MHD_YES ||
		    MHD_add_response_header(resp, "RateLimit-Remaining", v[1]) != MHD_YES ||
		    MHD_add_response_header(resp, "RateLimit-Reset", v[2]) != MHD_YES)
			return MHD_NO;
	}
	if (reply->retry_after > 0) {
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", reply->retry_after);
		if (MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs) != MHD_YES)
			return MHD_NO;
	}
	return MHD_YES;
}

/* ---- conditional reads ---- */

void http_etag_of(char out[HTTP_ETAG_SIZE], const void *body, size_t len)
{
	unsigned char h[HTTP_ETAG_HASH_BYTES];

	/* Unkeyed: the tag only names a body its holder may read anyway. */
	crypto_generichash(h, sizeof h, body, len, NULL, 0);
	out[0] = '"';
	if (b64_encode(out + 1, HTTP_ETAG_SIZE - 2, h, sizeof h, B64_URL_NOPAD) != 0) {
		out[0] = '\0'; /* cannot happen: the size is exact */
		return;
	}
	out[HTTP_ETAG_SIZE - 2] = '"';
	out[HTTP_ETAG_SIZE - 1] = '\0';
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* etagc (RFC 9110 8.8.3): %x21 / %x23-7E / obs-text. */
static bool is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

bool http_if_none_match(const char *field, const char *etag)
{
	size_t elen = strlen(etag);
	bool match = false;
	const char *p = skip_ows(field);

	if (*p == '*')
		return *skip_ows(p + 1) == '\0';
	for (;;) {
		const char *tag;
		p = skip_ows(p);
		if (*p == ',') { /* empty list elements are allowed (RFC 9110 5.6.1) */
			p++;
			continue;
		}
		if (*p == '\0')
			return match;
		if (p[0] == 'W' && p[1] == '/')
			p += 2; /* weak comparison: W/ does not matter */
		if (*p != '"')
			return false;
		tag = p++;
		while (is_etagc((unsigned char)*p))
			p++;
		if (*p++ != '"')
			return false;
		if ((size_t)(p - tag) == elen && memcmp(tag, etag, elen) == 0)
			match = true;
		p = skip_ows(p);
		if (*p != ',' && *p != '\0')
			return false;
	}
}

static void etag_drop(struct request_ctx *ctx)
{
	free(ctx->body_text);
	ctx->body_text = NULL;
	ctx->etag[0] = '\0';
}

/*
 * Gives a 200 JSON answer to a GET (or HEAD) its ETag, and turns it into a
 * 304 when If-None-Match matches. A JSON tree is serialised here, once,
 * for the hash; send_reply() sends that text. This runs before the audit
 * event, so the event records the status actually sent.
 */
static void apply_etag(struct request_ctx *ctx, struct http_reply *reply)
{
	const char *inm, *body;
	size_t len;

	if (reply->status != 200 ||
	    (strcmp(ctx->method, "GET") != 0 && strcmp(ctx->method, "HEAD") != 0))
		return;
	if (reply->json) {
		ctx->body_text = sjson_dump(reply->json);
		if (!ctx->body_text)
			return; /* send_reply() tries again, or answers 500 */
		body = ctx->body_text;
		len = strlen(body);
	} else if (reply->bytes && reply->bytes_type &&
		   strncmp(reply->bytes_type, "application/json", 16) == 0) {
		body = (const char *)reply->bytes; /* JSON written without a tree */
		len = reply->bytes_len;
	} else {
		return;
	}
	http_etag_of(ctx->etag, body, len);
	inm = http_request_header(&ctx->req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (ctx->etag[0] && inm && http_if_none_match(inm, ctx->etag)) {
		free(ctx->body_text);
		ctx->body_text = NULL;
		json_decref(reply->json);
		reply->json = NULL;
		free(reply->bytes);
		reply->bytes = NULL;
		reply->bytes_len = 0;
		reply->status = 304;
	}
}

/* Queues a reply and releases it. */
static enum MHD_Result send_reply(struct MHD_Connection *conn, struct request_ctx *ctx,
				  struct http_reply *reply)
{
	struct MHD_Response *resp = NULL;
	const char *ctype = "application/json";
	const char *etag = NULL;
	int status = reply->status;
	enum MHD_Result ret;

	if (ctx->etag[0] && (status == 200 || status == 304))
		etag = ctx->etag;
	if (status == 304) {
		/*
		 * No body and no Content-Type: the client keeps what it has.
		 * MHD 0.9.75 adds "Content-Length: 0" (one of ours, the
		 * 200's length, would only come in addition); harmless, since
		 * a 304 ends at its blank line whatever it says (RFC 9112 6.3).
		 */
		ctype = NULL;
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else if (reply->json) {
		char *body =
			ctx->body_text && status == 200 ? ctx->body_text : sjson_dump(reply->json);
		if (body == ctx->body_text)
			ctx->body_text = NULL; /* MHD frees it now */
		if (body)
			resp = MHD_create_response_from_buffer(strlen(body), body,
							       MHD_RESPMEM_MUST_FREE);
		if (body && !resp)
			free(body);
	} else if (reply->bytes) {
		/* Binary (file ciphertext) or JSON written without a tree; MHD frees it. */
		ctype = reply->bytes_type ? reply->bytes_type : "application/octet-stream";
		resp = MHD_create_response_from_buffer(reply->bytes_len, reply->bytes,
						       MHD_RESPMEM_MUST_FREE);
		if (resp)
			reply->bytes = NULL;
	} else if (reply->text) {
		ctype = "text/plain; charset=utf-8";
		resp = MHD_create_response_from_buffer(strlen(reply->text), (void *)reply->text,
						       MHD_RESPMEM_PERSISTENT);
	}
	if (resp && add_headers(resp, reply, ctype, etag) != MHD_YES) {
		MHD_destroy_response(resp);
		resp = NULL;
	}
	if (!resp) {
		struct http_reply bare = {.status = 500};
		status = 500;
		ctype = "application/json";
		resp = MHD_create_response_from_buffer(
			sizeof fallback_body - 1, (void *)fallback_body, MHD_RESPMEM_PERSISTENT);
		if (!resp) {
			reply_free(reply);
			return MHD_NO; /* MHD closes the connection */
		}
		add_headers(resp, &bare, ctype, NULL);
	}
	ret = MHD_queue_response(conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	reply_free(reply);
	ctx->status = ret == MHD_YES ? status : 0;
	return ret;
}

/* ---- MHD callbacks ---- */

/* Once stopping, a new connection is closed as soon as it is accepted. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *srv = cls;
	(void)addr;
	(void)addrlen;
	return atomic_load(&srv->stopping) ? MHD_NO : MHD_YES;
}

static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *uri)
{
	(void)cls;
	(void)conn;
	return strlen(uri); /* keep percent-escapes: the router decodes per segment */
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	struct request_ctx *ctx = calloc(1, sizeof *ctx);
	const char *q = strchr(uri, '?');

	if (!ctx)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &ctx->start);
	ctx->srv = srv;
	ctx->path = q ? strndup(uri, (size_t)(q - uri)) : strdup(uri);
	ctx->query = strdup(q ? q + 1 : "");
	snprintf(ctx->method, sizeof ctx->method, "-");
	client_address(conn, ctx->client, sizeof ctx->client);
	if (!ctx->path || !ctx->query) {
		free(ctx->path);
		free(ctx->query);
		free(ctx);
		return NULL;
	}
	return ctx;
}

/* ---- the audit event before the reply (router_finish_fn) ---- */

/* From the audit writer's thread: the event is durable (or failed); answer. */
static void audit_done(void *arg, int rc)
{
	struct request_ctx *ctx = arg;
	ctx->audit_rc = rc;
	atomic_store(&ctx->audited, true);
	MHD_resume_connection(ctx->conn);
}

/* Replaces a reply whose event could not be written: no answer without a trace. */
static void audit_failed(struct http_reply *reply)
{
	reply_free(reply);
	*reply = reply_error(503, "audit_unavailable",
			     "the server cannot record this request now; retry later");
}

/*
 * Sends `reply` once its audit event is durable: suspends the connection
 * and lets audit_done() resume it; on_request() then sends it.
 */
static enum MHD_Result send_audited(struct MHD_Connection *conn, struct request_ctx *ctx,
				    struct http_reply *reply)
{
	const struct router *r = ctx->srv->router;

	if (!r->finish || !ctx->req.caller.authenticated)
		return send_reply(conn, ctx, reply);
	ctx->pending = *reply;
	ctx->awaiting = true;
	ctx->conn = conn;
	atomic_store(&ctx->audited, false);
	MHD_suspend_connection(conn);
	int f = r->finish(&ctx->req, &ctx->pending, audit_done, ctx);
	if (f != 0) {
		/* Nothing pending: answer now (or 503 when the event was refused). */
		ctx->audit_rc = f < 0 ? -1 : 0;
		atomic_store(&ctx->audited, true);
		MHD_resume_connection(conn);
	}
	return MHD_YES;
}

struct audit_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int rc;
};

static void audit_wait_done(void *arg, int rc)
{
	struct audit_wait *w = arg;
	pthread_mutex_lock(&w->lock);
	w->rc = rc;
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* The same, blocking: for the rare answer queued before the body (a 429 with a body). */
static void audit_sync(struct request_ctx *ctx, struct http_reply *reply)
{
	const struct router *r = ctx->srv->router;
	struct audit_wait w = {.done = false};
	int f;

	if (!r->finish || !ctx->req.caller.authenticated)
		return;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	f = r->finish(&ctx->req, reply, audit_wait_done, &w);
	if (f == 0) {
		pthread_mutex_lock(&w.lock);
		while (!w.done)
			pthread_cond_wait(&w.cond, &w.lock);
		pthread_mutex_unlock(&w.lock);
		f = w.rc ? -1 : 1;
	}
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	if (f < 0)
		audit_failed(reply);
}

static enum MHD_Result first_call(struct MHD_Connection *conn, struct request_ctx *ctx,
				  const char *method)
{
	struct http_request *req = &ctx->req;
	struct http_reply reply;

	/*
	 * From here the request is in flight: a graceful stop waits for it.
	 * A client still sending its headers is not waited for.
	 */
	ctx->started = true;
	atomic_fetch_add(&ctx->srv->active, 1);
	snprintf(ctx->method, sizeof ctx->method, "%s", method);
	req->method = method; /* MHD keeps it until the request completes */
	req->path = ctx->path;
	req->query = ctx->query;
	req->client = ctx->client;
	req->header_fn = lookup_header;
	req->header_cls = conn;
	req->state = ctx->srv->state;
	sbuf_init(&req->body, 0);

	if (router_route(ctx->srv->router, req, &reply) == 0)
		return MHD_YES;
	if (announces_body(conn)) {
		audit_sync(ctx, &reply);
		return send_reply(conn, ctx, &reply);
	}
	ctx->pending = reply;
	ctx->has_pending = true;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct request_ctx *ctx = *con_cls;
	struct http_reply reply;
	(void)cls;
	(void)url; /* the same as ctx->path, since unescaping is off */
	(void)version;

	if (!ctx)
		return MHD_NO; /* on_uri ran out of memory */
	if (!ctx->started)
		return first_call(conn, ctx, method);
	if (ctx->awaiting) {
		/* Called again after audit_done() resumed us. */
		if (!atomic_load(&ctx->audited))
			return MHD_YES;
		ctx->awaiting = false;
		if (ctx->audit_rc) {
			audit_failed(&ctx->pending);
			etag_drop(ctx);
		}
		return send_reply(conn, ctx, &ctx->pending);
	}

	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (ctx->has_pending || ctx->draining) {
			ctx->drained += n;
			return ctx->drained > HTTP_DRAIN_MAX ? MHD_NO : MHD_YES;
		}
		int rc = sbuf_add(&ctx->req.body, upload, n);
		if (rc == SESAME_ETOOBIG) {
			/* A chunked body passed the limit Content-Length could not show. */
			ctx->pending = reply_error(413, "body_too_large",
						   "request body is over the limit of %zu bytes",
						   ctx->req.body.max);
			ctx->has_pending = ctx->draining = true;
			ctx->drained = n;
		} else if (rc) {
			ctx->pending = reply_error(503, "out_of_memory",
						   "the server cannot serve this now; retry later");
			ctx->has_pending = true;
		}
		return MHD_YES;
	}

	if (ctx->has_pending) {
		ctx->has_pending = false;
		reply = ctx->pending;
		memset(&ctx->pending, 0, sizeof ctx->pending);
		return send_audited(conn, ctx, &reply);
	}
	router_dispatch(&ctx->req, &reply);
	apply_etag(ctx, &reply);
	return send_audited(conn, ctx, &reply);
}

static const char *outcome_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return "ok";
	case MHD_REQUEST_TERMINATED_WITH_ERROR:
		return "error";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "shutdown";
	case MHD_REQUEST_TERMINATED_READ_ERROR:
		return "read_error";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client_abort";
	}
	return "unknown";
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct request_ctx *ctx = *con_cls;
	(void)conn;

	if (!ctx)
		return;
	/*
	 * The access log: method, path without the query, status, time.
	 * Never a header (Authorization) or a body. Status 0 means MHD answered
	 * (431, 413 on Content-Length) or the connection ended first.
	 */
	log_info("request", LOG_STR("method", ctx->method), LOG_STR("path", ctx->path),
		 LOG_INT("status", ctx->status), LOG_INT("duration_us", elapsed_us(&ctx->start)),
		 LOG_STR("client", ctx->client[0] ? ctx->client : "-"),
		 LOG_STR("outcome", outcome_name(toe)), );
	if (ctx->has_pending)
		reply_free(&ctx->pending);
	/* A renewed session token may still be here. */
	explicit_bzero(ctx->req.refreshed, sizeof ctx->req.refreshed);
	sbuf_free(&ctx->req.body);
	free(ctx->body_text);
	free(ctx->path);
	free(ctx->query);
	if (ctx->started)
		atomic_fetch_sub(&srv->active, 1);
	free(ctx);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;
	(void)cls;

	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		return;
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_info("http_daemon", LOG_STR("detail", msg), );
}

/* ---- lifecycle ---- */

static unsigned int pool_size(unsigned int asked)
{
	long cores;
	if (asked)
		return asked;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		return 1;
	return cores > 64 ? 64 : (unsigned int)cores;
}

int http_server_start(struct http_server **out, const struct http_options *opts)
{
	struct sockaddr_storage ss;
	struct http_server *srv;
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
			     MHD_ALLOW_SUSPEND_RESUME;
	bool tls = opts->tls_cert_pem != NULL;
	size_t n = 0;

	*out = NULL;
	if (opts->version != HTTP_OPTIONS_VERSION || !opts->listen || !opts->router ||
	    opts->port > 65535 || !opts->tls_cert_pem != !opts->tls_key_pem)
		return sesame_error_set(SESAME_EINVAL, NULL, "invalid http server options");

	memset(&ss, 0, sizeof ss);
	if (config_addr_is_ipv6(opts->listen)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)opts->port);
		inet_pton(AF_INET6, opts->listen, &s6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)opts->port);
		if (inet_pton(AF_INET, opts->listen, &s4->sin_addr) != 1)
			return sesame_error_set(SESAME_EINVAL, NULL, "invalid listen address '%s'",
						opts->listen);
	}
	if (tls)
		flags |= MHD_USE_TLS;

	srv = calloc(1, sizeof *srv);
	if (!srv)
		return sesame_error_nomem();
	srv->router = opts->router;
	srv->state = opts->state;
	atomic_store(&srv->stopping, false);
	atomic_init(&srv->active, 0);

	struct MHD_OptionItem o[24];
#define OPT(opt, val, ptr) o[n++] = (struct MHD_OptionItem){(opt), (intptr_t)(val), (ptr)}
	OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, pool_size(opts->threads), NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, HTTP_CONNECTION_LIMIT, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, HTTP_PER_IP_CONNECTION_LIMIT, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, HTTP_CONNECTION_TIMEOUT_S, NULL);
	/*
	 * No MHD_OPTION_LISTENING_ADDRESS_REUSE: its 1 means SO_REUSEPORT,
	 * which would let a second sesamed share the port instead of failing.
	 * MHD sets SO_REUSEADDR by itself, so a restart can rebind at once.
	 */
	/* Refuse sloppy requests (bare LF, spaces in odd places, no Host). */
	OPT(MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL);
	OPT(MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, NULL); /* main ignores SIGPIPE */
	OPT(MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL);
	OPT(MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv);
	if (tls) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)opts->tls_cert_pem);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)opts->tls_key_pem);
		OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT

	/* The logger goes first, or MHD logs the options before it itself. */
	srv->daemon =
		MHD_start_daemon(flags, 0, on_accept, srv, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
				 on_mhd_log, NULL, MHD_OPTION_ARRAY, o, MHD_OPTION_END);
	if (!srv->daemon) {
		int e = errno;
		free(srv);
		return sesame_error_set(SESAME_EIO, "listen_failed",
					"cannot listen on '%s' port %u%s%s", opts->listen,
					opts->port, e ? ": " : "", e ? strerror(e) : "");
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : opts->port;
	*out = srv;
	return 0;
}

unsigned int http_server_port(const struct http_server *srv)
{
	return srv->port;
}

/*
 * Not MHD_quiesce_daemon(): in libmicrohttpd 0.9.75 it races with the epoll
 * thread, which may take the listen socket out of the epoll set once more
 * after quiescing invalidated it, and MHD then aborts the process ("Failed
 * to remove listen FD from epoll set"; seen when a suspended request was
 * resumed during shutdown). The accept policy (on_accept) closes new
 * connections instead; the listen socket stays where MHD expects it until
 * the stop.
 */
void http_server_quiesce(struct http_server *srv)
{
	atomic_store(&srv->stopping, true);
}


bool http_server_wait_idle(struct http_server *srv, unsigned int timeout_ms)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	for (unsigned int waited = 0; atomic_load(&srv->active) > 0; waited += 10) {
		if (waited >= timeout_ms)
			return false;
		nanosleep(&tick, NULL);
	}
	return true;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
