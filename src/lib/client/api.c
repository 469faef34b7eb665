/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "b64.h"
#include "client/api.h"
#include "crypto/secmem.h"
#include "error.h"
#include "http/http_client.h"
#include "json.h"
#include "json_doc.h"
#include "sesame/version.h"

#define HEADER_MAX (API_SESSION_MAX + 64)

/*
 * What a call asks beyond api_call(): a conditional GET's tags
 * (api_get_conditional), or a 2xx answer as a document (api_call_doc).
 */
typedef struct {
	const char *etag_in; /* sent as If-None-Match; NULL or "": none */
	char *etag_out;	     /* API_ETAG_MAX bytes, or NULL */
	bool not_modified;
	jdoc **doc;	       /* non-NULL: a 2xx answer goes here, not to *out */
	const char *body_text; /* a JSON body already written, instead of a tree */
	size_t body_len;
} api_cond;

struct api {
	http_url url;
	http_conn *conn;
	char url_text[API_URL_MAX + 1];
	char integration[256];
	char *session; /* secure memory */
	bool refreshed;
	api_retry retry;
	long long retry_after; /* of the last answer */
	int last_status;
};

bool api_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static bool header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int api_new(api **out, const api_options *opts)
{
	api *a;
	int rc;
	size_t n;

	*out = NULL;
	if (!opts || !opts->url)
		return sesame_error_set(SESAME_EINVAL, "invalid_url", "no server address given");
	n = strlen(opts->url);
	while (n > 0 && opts->url[n - 1] == '/')
		n--;
	if (n == 0 || n > API_URL_MAX)
		return sesame_error_set(SESAME_EINVAL, "invalid_url",
					"server address is empty or longer than %d bytes",
					API_URL_MAX);
	a = calloc(1, sizeof *a);
	if (!a)
		return sesame_error_nomem();
	memcpy(a->url_text, opts->url, n);
	a->url_text[n] = '\0';
	rc = http_url_parse(&a->url, a->url_text);
	if (rc)
		goto fail;
	if (!a->url.tls && !opts->insecure && !api_host_is_loopback(a->url.host)) {
		rc = sesame_error_set(SESAME_EINVAL, "insecure_url",
				      "refusing plain http to '%s': use https, or allow it "
				      "explicitly (--insecure)",
				      a->url.host);
		goto fail;
	}
	const char *name = opts->integration_name ? opts->integration_name : "sesame-cli";
	const char *ver = opts->integration_version ? opts->integration_version : sesame_version();
	if (!header_safe(name) || !header_safe(ver) ||
	    (size_t)snprintf(a->integration, sizeof a->integration, "Sesame-Integration: %s/%s",
			     name, ver) >= sizeof a->integration) {
		rc = sesame_error_set(SESAME_EINVAL, "invalid_integration",
				      "integration name or version is too long or has control "
				      "characters");
		goto fail;
	}
	rc = http_conn_new(&a->conn, &a->url, opts->timeout_ms > 0 ? opts->timeout_ms : 30000);
	if (rc)
		goto fail;
	*out = a;
	return 0;
fail:
	free(a);
	return rc;
}

void api_free(api *a)
{
	if (!a)
		return;
	http_conn_free(a->conn);
	secmem_free(a->session);
	free(a);
}

const char *api_url(const api *a)
{
	return a->url_text;
}

int api_set_session(api *a, const char *token)
{
	char *copy = NULL;

	if (token) {
		if (strlen(token) > API_SESSION_MAX || !header_safe(token))
			return sesame_error_set(SESAME_EINVAL, "invalid_session",
						"session token is malformed");
		copy = secmem_strdup(token);
		if (!copy)
			return SESAME_ENOMEM;
	}
	secmem_free(a->session);
	a->session = copy;
	a->refreshed = false;
	return 0;
}

const char *api_session(const api *a)
{
	return a->session;
}

bool api_session_refreshed(const api *a)
{
	return a->refreshed;
}

int api_status_to_code(int status, const char *kind)
{
	if (status >= 200 && status < 300)
		return 0;
	switch (status) {
	case 400:
	case 422:
		return SESAME_EINVAL;
	case 401:
		if (kind &&
		    (strcmp(kind, "token_expired") == 0 || strcmp(kind, "session_expired") == 0))
			return SESAME_ETOKEN_EXPIRED;
		if (kind &&
		    (strcmp(kind, "token_revoked") == 0 || strcmp(kind, "session_revoked") == 0))
			return SESAME_ETOKEN_REVOKED;
		return SESAME_EAUTH;
	case 403:
		return SESAME_EPERM;
	case 404:
		return SESAME_ENOTFOUND;
	case 409:
		return SESAME_ECONFLICT;
	case 413:
		return SESAME_ETOOBIG;
	case 429:
		return SESAME_ERATELIMIT;
	default:
		return status >= 500 ? SESAME_ESERVER : SESAME_ERROR;
	}
}

/* Copies a server string for a message: printable ASCII only, bounded. */
static void clean_copy(char *out, size_t cap, const char *in)
{
	size_t j = 0;
	for (size_t i = 0; in && in[i] && j + 1 < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		out[j++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[j] = '\0';
}

static bool kind_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n > 0 && n < 64;
}

int api_map_response(int status, const char *body, size_t len, json_t **out)
{
	sjson_limits lim = {API_RESPONSE_MAX, API_JSON_MAX_DEPTH};
	char err[160];
	int code = 0;
	json_t *doc = NULL;

	if (out)
		*out = NULL;
	if (len > 0) {
		doc = sjson_parse(body, len, &lim, &code, err, sizeof err);
		if (!doc && status >= 200 && status < 300)
			return sesame_error_set(SESAME_EINVAL, "bad_response",
						"server answer is not valid json: %s", err);
	}
	if (status >= 200 && status < 300) {
		if (doc && !json_is_object(doc)) {
			json_decref(doc);
			return sesame_error_set(SESAME_EINVAL, "bad_response",
						"server answer is not a json object");
		}
		if (out)
			*out = doc;
		else
			json_decref(doc);
		return 0;
	}

	const char *kind = NULL, *msg = NULL;
	json_t *e = doc ? json_object_get(doc, "error") : NULL;
	if (json_is_object(e)) {
		kind = json_string_value(json_object_get(e, "code"));
		msg = json_string_value(json_object_get(e, "message"));
	}
	if (kind && !kind_ok(kind))
		kind = NULL;
	code = api_status_to_code(status, kind);
	char m[512];
	if (msg && *msg)
		clean_copy(m, sizeof m, msg);
	else
		snprintf(m, sizeof m, "server answered http %d", status);
	sesame_error_set(code, kind, "%s", m);
	json_decref(doc);
	return code;
}

/* A 2xx body as a document; it must be an object, as api_map_response() wants. */
static int map_doc(const char *body, size_t len, jdoc **out)
{
	sjson_limits lim = {API_RESPONSE_MAX, API_JSON_MAX_DEPTH};
	char err[160];
	int code;

	*out = jdoc_parse(body, len, &lim, &code, err, sizeof err);
	if (!*out)
		return code == SESAME_ENOMEM
			       ? sesame_error_nomem()
			       : sesame_error_set(SESAME_EINVAL, "bad_response",
						  "server answer is not valid json: %s", err);
	if (jdoc_root(*out)->type != JDOC_OBJECT) {
		jdoc_free(*out);
		*out = NULL;
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"server answer is not a json object");
	}
	return 0;
}

/*
 * An entity-tag we may keep and send back: "..." or W/"...", short, and
 * of the bytes RFC 9110 allows (so never a CR or LF in our header).
 */
static bool etag_ok(const char *t)
{
	size_t n = strlen(t);
	const char *q = strncmp(t, "W/", 2) == 0 ? t + 2 : t;

	if (n >= API_ETAG_MAX || strlen(q) < 2 || q[0] != '"' || t[n - 1] != '"')
		return false;
	for (const char *p = q + 1; p < t + n - 1; p++)
		if ((unsigned char)*p < 0x21 || *p == '"' || *p == 0x7f)
			return false;
	return true;
}

/* A 304 (only an answer to an If-None-Match we sent) or the response's ETag. */
static int conditional_result(api_cond *cond, const http_parser *resp)
{
	const char *tag = http_parser_header(resp, "etag");

	cond->etag_out[0] = '\0';
	if (tag && etag_ok(tag))
		snprintf(cond->etag_out, API_ETAG_MAX, "%s", tag);
	if (resp->status != 304)
		return 0;
	if (!cond->etag_in || !cond->etag_in[0])
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"server answered 304 to an unconditional request");
	/* A 304 without a tag confirms the one we sent. */
	if (!cond->etag_out[0])
		snprintf(cond->etag_out, API_ETAG_MAX, "%s", cond->etag_in);
	cond->not_modified = true;
	return 0;
}

/* "Authorization: Bearer <session>" into auth (HEADER_MAX bytes); the caller wipes it. */
static int auth_header(char *auth, const char *session)
{
	if ((size_t)snprintf(auth, HEADER_MAX, "Authorization: Bearer %s", session) >= HEADER_MAX) {
		secmem_wipe(auth, HEADER_MAX); /* it holds part of the token */
		return sesame_error_set(SESAME_EINVAL, "invalid_session",
					"session token is too long");
	}
	return 0;
}

static int api_call_once(api *a, const char *method, const char *path, const json_t *body,
			 json_t **out, api_cond *cond)
{
	char auth[HEADER_MAX];
	char inm[API_ETAG_MAX + 32];
	const char *headers[5];
	size_t nh = 0;
	char *text = NULL;
	size_t text_len = 0;
	http_parser resp;
	int rc;

	if (out)
		*out = NULL;
	headers[nh++] = a->integration;
	if (cond && cond->etag_in && cond->etag_in[0]) {
		if (!etag_ok(cond->etag_in))
			return sesame_error_set(SESAME_EINVAL, "invalid_etag",
						"entity-tag is malformed");
		snprintf(inm, sizeof inm, "If-None-Match: %s", cond->etag_in);
		headers[nh++] = inm;
	}
	if (a->session) {
		if (auth_header(auth, a->session))
			return SESAME_EINVAL;
		headers[nh++] = auth;
	}
	headers[nh] = NULL;
	if (body) {
		text = sjson_dump_wiped(body); /* wiped after sending, and while it grows */
		if (!text) {
			rc = sesame_error_nomem();
			goto out;
		}
		text_len = strlen(text);
		if (text_len > API_REQUEST_MAX) {
			rc = sesame_error_set(SESAME_ETOOBIG, "request_too_big",
					      "request for '%s' is larger than %u bytes", path,
					      API_REQUEST_MAX);
			goto out;
		}
	}
	bool given = cond && cond->body_text; /* written by the caller */
	http_request req = {
		.method = method,
		.path = path,
		.headers = headers,
		.body = given ? cond->body_text : text,
		.body_len = given ? cond->body_len : text_len,
		.content_type = body || given ? "application/json" : NULL,
		.max_response_body = API_RESPONSE_MAX,
	};
	a->retry_after = 0;
	a->last_status = 0;
	rc = http_conn_send(a->conn, &req, &resp);
	if (rc == 0) {
		const char *ra = http_parser_header(&resp, "retry-after");
		a->last_status = resp.status;
		if (ra) {
			char *end = NULL;
			long long v = strtoll(ra, &end, 10);
			if (end && end != ra && *end == '\0' && v > 0 && v < 86400 * 365)
				a->retry_after = v;
		}
		const char *fresh = http_parser_header(&resp, "sesame-session");
		bool ok = (resp.status >= 200 && resp.status < 300) || (cond && resp.status == 304);
		if (fresh && a->session && ok && strcmp(fresh, a->session) != 0 &&
		    api_set_session(a, fresh) == 0)
			a->refreshed = true;
		rc = cond && cond->etag_out ? conditional_result(cond, &resp) : 0;
		if (rc == 0 && cond && cond->doc && resp.status >= 200 && resp.status < 300)
			rc = map_doc(resp.body.ptr, resp.body.len, cond->doc);
		else if (rc == 0 && !(cond && cond->not_modified))
			rc = api_map_response(resp.status, resp.body.ptr, resp.body.len, out);
	} else if (rc == SESAME_ENETWORK) {
		sesame_error_prefix("cannot reach '%s'", a->url_text);
	}
	http_parser_free(&resp);
out:
	secmem_wipe(auth, sizeof auth);
	if (text) {
		secmem_wipe(text, text_len);
		free(text);
	}
	return rc;
}

void api_set_retry(api *a, const api_retry *r)
{
	if (r)
		a->retry = *r;
	else
		memset(&a->retry, 0, sizeof a->retry);
}

long long api_retry_after(const api *a)
{
	return a->retry_after;
}

static bool idempotent(const char *method, const char *path)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	       (strcmp(method, "POST") == 0 && strcmp(path, "/v1/resolve") == 0);
}

static void sleep_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int call_retrying(api *a, const char *method, const char *path, const json_t *body,
			 json_t **out, api_cond *cond)
{
	int attempts =
		a->retry.max_attempts > 1 && idempotent(method, path) ? a->retry.max_attempts : 1;
	long long base = a->retry.base_delay_ms > 0 ? a->retry.base_delay_ms : 50;
	int rc = 0;

	for (int n = 0; n < attempts; n++) {
		if (cond)
			cond->not_modified = false;
		rc = api_call_once(a, method, path, body, out, cond);
		if (rc == 0 || n + 1 == attempts)
			break;
		long long delay;
		if (rc == SESAME_ERATELIMIT) {
			if (a->retry_after <= 0 || a->retry_after > a->retry.max_retry_after_s)
				break;
			delay = a->retry_after * 1000 + randombytes_uniform(250);
		} else if (rc == SESAME_ENETWORK ||
			   (rc == SESAME_ESERVER &&
			    (a->last_status == 502 || a->last_status == 503 ||
			     a->last_status == 504))) {
			delay = base << n;
			delay += randombytes_uniform((uint32_t)delay + 1);
			if (a->retry_after > 0 && a->retry_after * 1000 > delay) {
				if (a->retry_after > a->retry.max_retry_after_s)
					break;
				delay = a->retry_after * 1000;
			}
		} else {
			break;
		}
		sleep_ms(delay);
	}
	return rc;
}

int api_call(api *a, const char *method, const char *path, const json_t *body, json_t **out)
{
	return call_retrying(a, method, path, body, out, NULL);
}

int api_call_doc(api *a, const char *method, const char *path, const char *body, size_t len,
		 jdoc **out)
{
	api_cond cond = {.doc = out, .body_text = body, .body_len = len};

	*out = NULL;
	return call_retrying(a, method, path, NULL, NULL, &cond);
}

int api_get_conditional(api *a, const char *path, const char *etag, json_t **out,
			char etag_out[API_ETAG_MAX], bool *not_modified)
{
	api_cond cond = {.etag_in = etag, .etag_out = etag_out};
	int rc;

	*not_modified = false;
	etag_out[0] = '\0';
	rc = call_retrying(a, "GET", path, NULL, out, &cond);
	if (rc == 0)
		*not_modified = cond.not_modified;
	else
		etag_out[0] = '\0';
	return rc;
}

int api_get_records(void **out, size_t *n, api *a, const char *path, const char *key, size_t max,
		    size_t size, int (*decode)(void *record, const json_t *obj))
{
	json_t *resp = NULL, *arr;
	unsigned char *list = NULL;
	size_t count;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = api_call(a, "GET", path, NULL, &resp)) != 0)
		return rc;
	arr = json_object_get(resp, key);
	count = json_array_size(arr);
	if (!json_is_array(arr) || count > max) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response", "server answer lacks '%s'",
				      key);
		goto out;
	}
	list = calloc(count + 1, size);
	if (!list) {
		rc = sesame_error_nomem();
		goto out;
	}
	for (size_t i = 0; i < count && rc == 0; i++)
		rc = decode(list + i * size, json_array_get(arr, i));
	if (rc == 0) {
		*out = list;
		*n = count;
		list = NULL;
	}
out:
	free(list);
	json_decref(resp);
	return rc;
}

int api_get_str(const json_t *obj, const char *key, const char **out)
{
	const char *s = json_string_value(json_object_get(obj, key));
	if (!s)
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"server answer lacks the string '%s'", key);
	*out = s;
	return 0;
}

int api_get_b64(const json_t *obj, const char *key, unsigned char *out, size_t cap, size_t len,
		size_t *out_len)
{
	const char *s = NULL;
	size_t n = 0;
	int rc = api_get_str(obj, key, &s);
	if (rc)
		return rc;
	rc = b64_decode(out, cap, &n, s, strlen(s), B64_URL_NOPAD);
	if (rc || (len && n != len))
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"server answer has a malformed '%s'", key);
	if (out_len)
		*out_len = n;
	return 0;
}

int api_set_b64(json_t *obj, const char *key, const unsigned char *bin, size_t len)
{
	size_t cap = b64_encoded_size(len, B64_URL_NOPAD);
	char *text = malloc(cap);
	int rc;

	if (!text)
		return sesame_error_nomem();
	rc = b64_encode(text, cap, bin, len, B64_URL_NOPAD);
	if (rc == 0 && json_object_set_new(obj, key, json_string(text)) != 0)
		rc = sesame_error_nomem();
	free(text);
	return rc;
}

int api_escape(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t j = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
		if (j + (plain ? 1 : 3) >= cap)
			return sesame_error_set(SESAME_ETOOBIG, NULL, "url component is too long");
		if (plain) {
			out[j++] = (char)c;
		} else {
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = '\0';
	return 0;
}

int api_call_bytes(api *a, const char *method, const char *path, const void *body, size_t len,
		   json_t **out, unsigned char **out_bytes, size_t *out_len, size_t max)
{
	char auth[HEADER_MAX];
	const char *headers[4];
	size_t nh = 0;
	http_parser resp;
	int rc;

	if (out)
		*out = NULL;
	if (out_bytes)
		*out_bytes = NULL;
	if (out_len)
		*out_len = 0;
	headers[nh++] = a->integration;
	if (a->session) {
		if (auth_header(auth, a->session))
			return SESAME_EINVAL;
		headers[nh++] = auth;
	}
	headers[nh] = NULL;
	http_request req = {
		.method = method,
		.path = path,
		.headers = headers,
		.body = body,
		.body_len = len,
		.content_type = body ? "application/octet-stream" : NULL,
		.max_response_body = max ? max : API_RESPONSE_MAX,
	};
	rc = http_conn_send(a->conn, &req, &resp);
	if (rc == 0) {
		const char *fresh = http_parser_header(&resp, "sesame-session");
		const char *ct = http_parser_header(&resp, "content-type");
		if (fresh && a->session && resp.status >= 200 && resp.status < 300 &&
		    strcmp(fresh, a->session) != 0 && api_set_session(a, fresh) == 0)
			a->refreshed = true;
		if (resp.status >= 200 && resp.status < 300 && out_bytes && ct &&
		    strncasecmp(ct, "application/octet-stream", 24) == 0) {
			*out_bytes = malloc(resp.body.len ? resp.body.len : 1);
			if (!*out_bytes) {
				rc = sesame_error_nomem();
			} else {
				if (resp.body.len)
					memcpy(*out_bytes, resp.body.ptr, resp.body.len);
				*out_len = resp.body.len;
			}
		} else if (resp.status >= 200 && resp.status < 300 && out_bytes) {
			rc = sesame_error_set(SESAME_EINVAL, "bad_response",
					      "server answer to '%s' is not binary", path);
		} else {
			rc = api_map_response(resp.status, resp.body.ptr, resp.body.len, out);
		}
	} else if (rc == SESAME_ENETWORK) {
		sesame_error_prefix("cannot reach '%s'", a->url_text);
	}
	http_parser_free(&resp);
	secmem_wipe(auth, sizeof auth);
	return rc;
}
