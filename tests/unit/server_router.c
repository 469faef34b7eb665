/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The router and the route table, without a socket. The server sources are
 * compiled into this test (the wireguard-tools pattern), since the unit
 * tests link libsesame.a only.
 */
#include "test.h"

#include <ctype.h>

#include "../../src/server/router.c"
#include "../../src/server/routes.c"

/* ---- fakes ---- */

struct fake_headers {
	const char *name[4];
	const char *value[4];
};

static const char *fake_header(void *cls, const char *name)
{
	const struct fake_headers *h = cls;
	for (int i = 0; h && i < 4 && h->name[i]; i++)
		if (strcasecmp(h->name[i], name) == 0)
			return h->value[i];
	return NULL;
}

static void req_init(struct http_request *req, const char *method, const char *path,
		     struct fake_headers *h)
{
	memset(req, 0, sizeof *req);
	req->method = method;
	req->path = path;
	req->query = "";
	req->client = "127.0.0.1";
	req->header_fn = fake_header;
	req->header_cls = h;
	sbuf_init(&req->body, 0);
}

struct fake_store {
	struct store base;
	int fail;
};

static int fake_health(struct store *st)
{
	if (((struct fake_store *)st)->fail)
		return sesame_error_set(SESAME_EIO, "store_io",
					"cannot read '/secret/path/sesame.db': disk on fire");
	return 0;
}

static const struct store_ops fake_ops = {
	.version = STORE_OPS_VERSION,
	.name = "sqlite",
	.health = fake_health,
};

/* Echoes the params and body back, so tests can see what the handler got. */
static struct http_reply h_echo(struct http_request *req, const struct route_params *params,
				json_t *body)
{
	json_t *o = json_object();
	(void)req;
	for (size_t i = 0; i < params->n; i++) {
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)params->p[i].name_len, params->p[i].name);
		json_object_set_new(o, name, json_string(params->p[i].value));
	}
	if (body)
		json_object_set(o, "body", body);
	return reply_json(200, o);
}

static const struct route test_routes[] = {
	{"GET", "/v1/vaults", ROUTE_AUTH_NONE, 0, false, h_echo, NULL},
	{"POST", "/v1/vaults", ROUTE_AUTH_NONE, 1024, true, h_echo, NULL},
	{"GET", "/v1/vaults/:vault", ROUTE_AUTH_NONE, 0, false, h_echo, NULL},
	{"DELETE", "/v1/vaults/:vault", ROUTE_AUTH_NONE, 0, false, h_echo, NULL},
	{"GET", "/v1/vaults/:vault/items/:item", ROUTE_AUTH_NONE, 0, false, h_echo, NULL},
	{"PUT", "/v1/vaults/:vault/items/:item", ROUTE_AUTH_NONE, 64, true, h_echo, NULL},
};

static const struct router test_router = {test_routes, sizeof test_routes / sizeof test_routes[0],
					  NULL, NULL, NULL, NULL};

static int setup(void **state)
{
	(void)state;
	log_configure(LOG_OFF, LOG_FORMAT_TEXT, NULL);
	return 0;
}

/* Checks the one error shape and frees the reply. */
static void assert_error(struct http_reply *r, int status, const char *code)
{
	json_t *e, *c, *m;
	assert_int_equal(r->status, status);
	assert_non_null(r->json);
	assert_int_equal(json_object_size(r->json), 1);
	e = json_object_get(r->json, "error");
	assert_true(json_is_object(e));
	assert_int_equal(json_object_size(e), 2);
	c = json_object_get(e, "code");
	m = json_object_get(e, "message");
	assert_true(json_is_string(c) && json_is_string(m));
	assert_string_equal(json_string_value(c), code);
	assert_true(json_string_length(m) > 0);
	assert_false(isupper((unsigned char)json_string_value(m)[0]));
	reply_free(r);
}

static const char *error_message(const struct http_reply *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "message"));
}

static int route_req(const char *method, const char *path, struct fake_headers *h,
		     struct http_request *req, struct http_reply *out)
{
	req_init(req, method, path, h);
	return router_route(&test_router, req, out);
}

/* ---- matching ---- */

static void test_server_router__matches_literal(void **state)
{
	struct http_request req;
	struct http_reply r;
	(void)state;
	assert_int_equal(route_req("GET", "/v1/vaults", NULL, &req, &r), 0);
	assert_ptr_equal(req.route, &test_routes[0]);
	assert_int_equal(req.params.n, 0);
	assert_int_equal(route_req("POST", "/v1/vaults", NULL, &req, &r), -1);
	assert_error(&r, 415, "unsupported_media_type"); /* matched, then checked */
}

static void test_server_router__extracts_params(void **state)
{
	struct http_request req;
	struct http_reply r;
	(void)state;
	assert_int_equal(route_req("GET", "/v1/vaults/abc/items/x1y2", NULL, &req, &r), 0);
	assert_ptr_equal(req.route, &test_routes[4]);
	assert_int_equal(req.params.n, 2);
	assert_string_equal(route_param(&req.params, "vault"), "abc");
	assert_string_equal(route_param(&req.params, "item"), "x1y2");
	assert_null(route_param(&req.params, "vaul"));
	assert_null(route_param(&req.params, "items"));

	assert_int_equal(route_req("DELETE", "/v1/vaults/v9", NULL, &req, &r), 0);
	assert_ptr_equal(req.route, &test_routes[3]);
	assert_string_equal(route_param(&req.params, "vault"), "v9");
}

static void test_server_router__percent_decoding(void **state)
{
	static const struct {
		const char *path, *vault;
	} ok[] = {
		{"/v1/vaults/a%41b", "aAb"},
		{"/v1/vaults/%7e%7E", "~~"},
		{"/v1/vaults/caf%C3%A9", "caf\xc3\xa9"},
		{"/v1/vaults/a+b", "a+b"}, /* '+' is not a space in a path */
		{"/v1/vaults/a%20b", "a b"},
		{"/v1/vaults/%25", "%"},
		{"/v1/vaults/...", "..."},
		{"/v1/vaults/a.b", "a.b"},
		{"/v1/vaults/-._~!$&'()*,;=:@", "-._~!$&'()*,;=:@"},
		{"/v1/vaults/%e2%82%ac", "\xe2\x82\xac"},
		{"/v1/vaults/%f0%9f%94%91", "\xf0\x9f\x94\x91"},
	};
	struct http_request req;
	struct http_reply r;
	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(route_req("GET", ok[i].path, NULL, &req, &r), 0);
		assert_string_equal(route_param(&req.params, "vault"), ok[i].vault);
	}
	/* Literal segments compare after decoding. */
	assert_int_equal(route_req("GET", "/v1/%76aults", NULL, &req, &r), 0);
	assert_ptr_equal(req.route, &test_routes[0]);
}

static void test_server_router__rejects_bad_segments(void **state)
{
	static const char *const bad[] = {
		"/v1//vaults",	 /* empty segment */
		"/v1/vaults/",	 /* trailing slash is an empty segment */
		"//",		 /* two empty segments */
		"/v1/vaults/..", /* dot segments */
		"/v1/vaults/.",
		"/v1/../vaults",
		"/v1/vaults/%2e%2e", /* ... also when encoded */
		"/v1/vaults/%2E",
		"/v1/vaults/.%2e",
		"/v1/vaults/a%2Fb", /* encoded separators */
		"/v1/vaults/a%2fb",
		"/v1/vaults/a%5Cb",
		"/v1/vaults/%00", /* control characters */
		"/v1/vaults/a%0ab",
		"/v1/vaults/%7f",
		"/v1/vaults/%zz", /* bad escapes */
		"/v1/vaults/%4",
		"/v1/vaults/%",
		"/v1/vaults/%%41",
		"/v1/vaults/a b", /* raw bytes outside pchar */
		"/v1/vaults/a\"b",
		"/v1/vaults/a<b",
		"/v1/vaults/a\\b",
		"/v1/vaults/caf\xc3\xa9",  /* raw non-ASCII must be encoded */
		"/v1/vaults/%ff",	   /* invalid utf-8 */
		"/v1/vaults/%c0%af",	   /* overlong '/' */
		"/v1/vaults/%ed%a0%80",	   /* surrogate */
		"/v1/vaults/%f4%90%80%80", /* above U+10FFFF */
		"/v1/vaults/%c3",	   /* truncated sequence */
		"v1/vaults",		   /* no leading slash */
		"",
	};
	struct http_request req;
	struct http_reply r;
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (route_req("GET", bad[i], NULL, &req, &r) != -1)
			fail_msg("path '%s' was accepted", bad[i]);
		assert_error(&r, 400, "invalid_path");
	}
}

static void test_server_router__segment_length_limit(void **state)
{
	char path[64 + 3 * ROUTE_SEGMENT_MAX + 8];
	struct http_request req;
	struct http_reply r;
	(void)state;

	memcpy(path, "/v1/vaults/", 11);
	memset(path + 11, 'a', ROUTE_SEGMENT_MAX);
	path[11 + ROUTE_SEGMENT_MAX] = '\0';
	assert_int_equal(route_req("GET", path, NULL, &req, &r), 0);
	assert_int_equal(strlen(route_param(&req.params, "vault")), ROUTE_SEGMENT_MAX);

	path[11 + ROUTE_SEGMENT_MAX] = 'a';
	path[12 + ROUTE_SEGMENT_MAX] = '\0';
	assert_int_equal(route_req("GET", path, NULL, &req, &r), -1);
	assert_error(&r, 400, "invalid_path");

	/* The limit applies after decoding: 256 escapes decode to 256 bytes. */
	size_t n = 11;
	for (int i = 0; i < ROUTE_SEGMENT_MAX; i++) {
		memcpy(path + n, "%41", 3);
		n += 3;
	}
	path[n] = '\0';
	assert_int_equal(route_req("GET", path, NULL, &req, &r), 0);
}

static void test_server_router__not_found(void **state)
{
	static const char *const missing[] = {
		"/",	     "/v2/vaults",	   "/v1",
		"/v1/vault", "/v1/vaults/a/items", "/v1/vaults/a/items/b/c",
		"/V1/vaults"};
	char deep[128] = "";
	struct http_request req;
	struct http_reply r;
	(void)state;
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		assert_int_equal(route_req("GET", missing[i], NULL, &req, &r), -1);
		assert_error(&r, 404, "not_found");
	}
	for (int i = 0; i <= ROUTE_SEGMENTS_MAX; i++)
		memcpy(deep + 2 * i, "/a", 3); /* one segment more than the limit */
	assert_int_equal(route_req("GET", deep, NULL, &req, &r), -1);
	assert_error(&r, 404, "not_found");
	/* The message quotes the path, shortened when long. */
	assert_int_equal(route_req("GET", "/nope", NULL, &req, &r), -1);
	assert_string_equal(error_message(&r), "no route for '/nope'");
	reply_free(&r);
}

static void test_server_router__method_not_allowed(void **state)
{
	struct http_request req;
	struct http_reply r;
	(void)state;
	assert_int_equal(route_req("DELETE", "/v1/vaults", NULL, &req, &r), -1);
	assert_string_equal(r.allow, "GET, HEAD, POST");
	assert_string_equal(error_message(&r), "method 'DELETE' is not allowed on '/v1/vaults'");
	assert_error(&r, 405, "method_not_allowed");

	assert_int_equal(route_req("PATCH", "/v1/vaults/x", NULL, &req, &r), -1);
	assert_string_equal(r.allow, "GET, HEAD, DELETE");
	assert_error(&r, 405, "method_not_allowed");

	/* Methods are case-sensitive. */
	assert_int_equal(route_req("get", "/v1/vaults", NULL, &req, &r), -1);
	assert_error(&r, 405, "method_not_allowed");
}

static void test_server_router__head_is_get(void **state)
{
	struct http_request req;
	struct http_reply r;
	(void)state;
	assert_int_equal(route_req("HEAD", "/v1/vaults/x/items/y", NULL, &req, &r), 0);
	assert_ptr_equal(req.route, &test_routes[4]);
}

static void test_server_router__body_not_allowed(void **state)
{
	struct fake_headers cl = {{"Content-Length"}, {"5"}};
	struct fake_headers te = {{"Transfer-Encoding"}, {"chunked"}};
	struct fake_headers zero = {{"content-length"}, {"0"}};
	struct http_request req;
	struct http_reply r;
	(void)state;
	assert_int_equal(route_req("GET", "/v1/vaults", &cl, &req, &r), -1);
	assert_string_equal(error_message(&r), "'GET /v1/vaults' takes no request body");
	assert_error(&r, 400, "body_not_allowed");
	assert_int_equal(route_req("GET", "/v1/vaults", &te, &req, &r), -1);
	assert_error(&r, 400, "body_not_allowed");
	assert_int_equal(route_req("GET", "/v1/vaults", &zero, &req, &r), 0);
}

static void test_server_router__body_limit(void **state)
{
	struct fake_headers big = {{"Content-Type", "Content-Length"},
				   {"application/json", "1025"}};
	struct fake_headers fits = {{"Content-Type", "Content-Length"},
				    {"application/json", "1024"}};
	struct fake_headers huge = {{"Content-Type", "Content-Length"},
				    {"application/json", "99999999999999999999999"}};
	struct http_request req;
	struct http_reply r;
	(void)state;
	assert_int_equal(route_req("POST", "/v1/vaults", &big, &req, &r), -1);
	assert_string_equal(error_message(&r),
			    "request body of 1025 bytes is over the limit of 1024 bytes");
	assert_error(&r, 413, "body_too_large");
	assert_int_equal(route_req("POST", "/v1/vaults", &huge, &req, &r), -1);
	assert_error(&r, 413, "body_too_large");
	assert_int_equal(route_req("POST", "/v1/vaults", &fits, &req, &r), 0);
	/* The router hands the limit to the body buffer for streaming. */
	assert_int_equal(req.body.max, 1024);
}

static void test_server_router__json_content_type(void **state)
{
	static const struct {
		const char *ct;
		int ok;
	} cases[] = {
		{NULL, 0},
		{"text/plain", 0},
		{"application/jsonx", 0},
		{"application/x-www-form-urlencoded", 0},
		{"application/json", 1},
		{"APPLICATION/JSON", 1},
		{"application/json; charset=utf-8", 1},
		{"application/json ;charset=utf-8", 1},
	};
	struct http_request req;
	struct http_reply r;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fake_headers h = {{"Content-Type", "Content-Length"}, {cases[i].ct, "2"}};
		if (!cases[i].ct)
			h = (struct fake_headers){{"Content-Length"}, {"2"}};
		int rc = route_req("POST", "/v1/vaults", &h, &req, &r);
		if (cases[i].ok) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_error(&r, 415, "unsupported_media_type");
		}
	}
}

/* Routes a JSON PUT and dispatches it with `body`. */
static struct http_reply put_json(const char *body)
{
	struct fake_headers h = {{"Content-Type"}, {"application/json"}};
	struct http_request req;
	struct http_reply r;
	assert_int_equal(route_req("PUT", "/v1/vaults/v1/items/i1", &h, &req, &r), 0);
	req.body.max = req.route->body_max;
	assert_int_equal(sbuf_adds(&req.body, body), 0);
	router_dispatch(&req, &r);
	sbuf_free(&req.body);
	return r;
}

static void test_server_router__json_body_checks(void **state)
{
	struct http_reply r;
	(void)state;

	r = put_json("{\"a\":1");
	assert_non_null(strstr(error_message(&r), "malformed json"));
	assert_error(&r, 400, "invalid_json");

	r = put_json("{\"a\":1,\"a\":2}");
	assert_non_null(strstr(error_message(&r), "duplicate"));
	assert_error(&r, 400, "invalid_json");

	r = put_json("[1,2]");
	assert_string_equal(error_message(&r), "invalid json body: expected an object");
	assert_error(&r, 400, "invalid_json");

	r = put_json("");
	assert_error(&r, 400, "invalid_json");

	r = put_json("{\"a\":\"\\u0000\"}");
	assert_error(&r, 400, "invalid_json");

	/* 33 levels: one over the default depth limit (fits in 64 bytes). */
	char deep[70] = "";
	for (int i = 0; i < 33; i++)
		deep[i] = '[';
	deep[33] = '\0';
	r = put_json(deep);
	assert_non_null(strstr(error_message(&r), "deeper"));
	assert_error(&r, 400, "invalid_json");

	r = put_json("{\"title\":\"x\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "vault")), "v1");
	assert_string_equal(json_string_value(json_object_get(r.json, "item")), "i1");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(r.json, "body"), "title")), "x");
	reply_free(&r);
}

/* ---- the authenticate hook and body keys, checked centrally ---- */

static int hook_calls;

static int fake_authenticate(struct http_request *req, enum route_auth rule,
			     struct http_reply *out)
{
	hook_calls++;
	if (rule == ROUTE_AUTH_ADMIN) {
		*out = reply_error(403, "forbidden", "only owners and administrators may do this");
		return -1;
	}
	req->caller.authenticated = true;
	snprintf(req->caller.id, sizeof req->caller.id, "me");
	snprintf(req->refreshed, sizeof req->refreshed, "sesame_ses_fresh");
	return 0;
}

static int handler_calls;

static struct http_reply h_who(struct http_request *req, const struct route_params *params,
			       json_t *body)
{
	(void)params;
	(void)body;
	handler_calls++;
	return reply_json(200, json_pack("{s:s,s:b}", "id", req->caller.id, "auth",
					 req->caller.authenticated));
}

static const char *const who_keys[] = {"title", "tags", NULL};

static const struct route auth_routes[] = {
	{"POST", "/v1/open", ROUTE_AUTH_NONE, 64, true, h_who, who_keys},
	{"POST", "/v1/closed", ROUTE_AUTH_SESSION, 64, true, h_who, who_keys},
	{"GET", "/v1/admin", ROUTE_AUTH_ADMIN, 0, false, h_who, NULL},
};

static const struct router auth_router = {auth_routes, 3, fake_authenticate, NULL, NULL, NULL};

static struct http_reply auth_call(const char *method, const char *path, const char *body,
				   int *routed)
{
	struct fake_headers h = {{"Content-Type"}, {"application/json"}};
	struct http_request req;
	struct http_reply r;

	req_init(&req, method, path, body ? &h : NULL);
	*routed = router_route(&auth_router, &req, &r);
	if (*routed != 0)
		return r;
	if (body)
		assert_int_equal(sbuf_adds(&req.body, body), 0);
	router_dispatch(&req, &r);
	sbuf_free(&req.body);
	return r;
}

static void test_server_router__auth_and_keys_are_central(void **state)
{
	struct http_reply r;
	int routed;
	char err[256];
	(void)state;

	assert_int_equal(router_check(&auth_router, err, sizeof err), 0);
	hook_calls = handler_calls = 0;
	r = auth_call("POST", "/v1/open", "{\"title\":\"x\"}", &routed);
	assert_int_equal(r.status, 200);
	assert_int_equal(hook_calls, 0); /* a public route is not authenticated */
	assert_false(json_is_true(json_object_get(r.json, "auth")));
	assert_string_equal(r.session, "");
	reply_free(&r);

	r = auth_call("POST", "/v1/closed", "{\"title\":\"x\"}", &routed);
	assert_int_equal(r.status, 200);
	assert_int_equal(hook_calls, 1);
	assert_string_equal(json_string_value(json_object_get(r.json, "id")), "me");
	assert_string_equal(r.session, "sesame_ses_fresh"); /* the renewed session rides along */
	reply_free(&r);

	/* Refused by the hook in router_route: before any body, never the handler. */
	handler_calls = 0;
	r = auth_call("GET", "/v1/admin", NULL, &routed);
	assert_int_equal(routed, -1);
	assert_error(&r, 403, "forbidden");
	assert_int_equal(handler_calls, 0);

	/* Unknown top-level keys never reach the handler. */
	r = auth_call("POST", "/v1/closed", "{\"title\":\"x\",\"evil\":1}", &routed);
	assert_string_equal(error_message(&r), "unknown key 'evil'");
	assert_error(&r, 400, "invalid_request");
	assert_int_equal(handler_calls, 0);
}

/* ---- the table check ---- */

static int check_routes(const struct route *rows, size_t n, char *err, size_t errcap)
{
	struct router r = {rows, n, NULL, NULL, NULL, NULL};
	return router_check(&r, err, errcap);
}

static void test_server_router__table_check(void **state)
{
	char err[256];
	(void)state;
	assert_int_equal(router_check(&server_router, err, sizeof err), 0);
	assert_int_equal(router_check(&test_router, err, sizeof err), 0);

	static const struct {
		struct route row;
		const char *why;
	} bad[] = {
		{{"GET", "/v1/vaults", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "overlaps"},
		{{"GET", "/v1/vaults/search", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "overlaps"},
		{{"GET", "v1/x", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "pattern"},
		{{"GET", "/", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "pattern"},
		{{"GET", "/v1/x/", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "literal"},
		{{"GET", "/v1//x", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "literal"},
		{{"GET", "/v1/../x", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "literal"},
		{{"GET", "/v1/:a/:a", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "repeated"},
		{{"GET", "/v1/:Vault", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "param name"},
		{{"GET", "/v1/:", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "param name"},
		{{"POST", "/v1/x", ROUTE_AUTH_NONE, 0, true, h_echo, NULL}, "body limit"},
		{{"GET", "/v1/x", ROUTE_AUTH_SESSION, 0, false, h_echo, NULL}, "not implemented"},
		{{"HEAD", "/v1/x", ROUTE_AUTH_NONE, 0, false, h_echo, NULL}, "method"},
		{{"GET", "/v1/x", ROUTE_AUTH_NONE, 0, false, NULL, NULL}, "required"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct route rows[sizeof test_routes / sizeof test_routes[0] + 1];
		memcpy(rows, test_routes, sizeof test_routes);
		rows[sizeof test_routes / sizeof test_routes[0]] = bad[i].row;
		assert_int_equal(check_routes(rows, sizeof rows / sizeof rows[0], err, sizeof err),
				 SESAME_EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("row %zu: '%s' does not say '%s'", i, err, bad[i].why);
	}
}

/* ---- the real routes ---- */

static struct http_reply call_route(struct fake_store *fs, const char *path)
{
	struct http_request req;
	struct http_reply r;
	req_init(&req, "GET", path, NULL);
	req.state = &(struct server_state){.store = &fs->base};
	assert_int_equal(router_route(&server_router, &req, &r), 0);
	router_dispatch(&req, &r);
	return r;
}

static void test_server_router__health(void **state)
{
	struct fake_store fs = {{&fake_ops}, 0};
	(void)state;
	static const char *const paths[] = {"/v1/health", "/health"};
	for (int i = 0; i < 2; i++) {
		struct http_reply r = call_route(&fs, paths[i]);
		char *text = sjson_dump(r.json);
		assert_int_equal(r.status, 200);
		assert_string_equal(
			text, "{\"name\":\"sesamed\",\"version\":\"0.1.0\","
			      "\"dependencies\":[{\"service\":\"sqlite\",\"status\":\"ok\"}]}");
		free(text);
		reply_free(&r);
	}
}

static void test_server_router__health_store_failure(void **state)
{
	struct fake_store fs = {{&fake_ops}, 1};
	(void)state;
	struct http_reply r = call_route(&fs, "/v1/health");
	/* The store's detail (a path) stays in the log, out of the response. */
	assert_null(strstr(error_message(&r), "/secret"));
	assert_string_equal(error_message(&r), "store 'sqlite' failed its health check");
	assert_error(&r, 503, "store_unavailable");
}

static void test_server_router__heartbeat(void **state)
{
	struct fake_store fs = {{&fake_ops}, 1}; /* a heartbeat does not touch the store */
	(void)state;
	static const char *const paths[] = {"/v1/heartbeat", "/heartbeat"};
	for (int i = 0; i < 2; i++) {
		struct http_reply r = call_route(&fs, paths[i]);
		assert_int_equal(r.status, 200);
		assert_null(r.json);
		assert_string_equal(r.text, ".");
	}
}

/* ---- errors to statuses ---- */

static void test_server_router__error_statuses(void **state)
{
	struct http_reply r;
	(void)state;
	assert_int_equal(reply_status_for(SESAME_EINVAL, "invalid_argument"), 400);
	assert_int_equal(reply_status_for(SESAME_EAUTH, NULL), 401);
	assert_int_equal(reply_status_for(SESAME_EPERM, NULL), 403);
	assert_int_equal(reply_status_for(SESAME_ENOTFOUND, "vault_not_found"), 404);
	assert_int_equal(reply_status_for(SESAME_ECONFLICT, NULL), 409);
	assert_int_equal(reply_status_for(SESAME_ETOOBIG, NULL), 413);
	assert_int_equal(reply_status_for(SESAME_ERATELIMIT, NULL), 429);
	assert_int_equal(reply_status_for(SESAME_EIO, "store_busy"), 503);
	assert_int_equal(reply_status_for(SESAME_EIO, "storage_full"), 507);
	assert_int_equal(reply_status_for(SESAME_ERROR, NULL), 500);
	assert_int_equal(reply_status_for(-999, NULL), 500);

	/* A 4xx passes the handler's message on. */
	sesame_error_set(SESAME_ENOTFOUND, "vault_not_found", "vault 'prod' not found");
	r = reply_from_error();
	assert_string_equal(error_message(&r), "vault 'prod' not found");
	assert_error(&r, 404, "vault_not_found");

	/* A 5xx does not: its message may name files. */
	sesame_error_set(SESAME_EIO, "storage_full", "cannot commit: database '/var/x' is full");
	r = reply_from_error();
	assert_string_equal(error_message(&r), "the server's storage is full");
	assert_error(&r, 507, "storage_full");

	sesame_error_set(SESAME_ESERVER, "store_error", "sql said '/var/x'");
	r = reply_from_error();
	assert_null(strstr(error_message(&r), "/var/x"));
	assert_error(&r, 500, "store_error");
}

static void test_server_router__reply_helpers(void **state)
{
	struct http_reply r;
	char longmsg[600];
	(void)state;
	memset(longmsg, 'x', sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = '\0';
	r = reply_error(400, "bad_thing", "%s", longmsg);
	assert_int_equal(strlen(error_message(&r)), REPLY_MESSAGE_MAX - 1);
	assert_error(&r, 400, "bad_thing");

	r = reply_json(200, NULL); /* allocation failure upstream */
	assert_error(&r, 500, "internal_error");

	r = reply_text(200, ".");
	assert_null(r.json);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_router__matches_literal),
		cmocka_unit_test(test_server_router__extracts_params),
		cmocka_unit_test(test_server_router__percent_decoding),
		cmocka_unit_test(test_server_router__rejects_bad_segments),
		cmocka_unit_test(test_server_router__segment_length_limit),
		cmocka_unit_test(test_server_router__not_found),
		cmocka_unit_test(test_server_router__method_not_allowed),
		cmocka_unit_test(test_server_router__head_is_get),
		cmocka_unit_test(test_server_router__body_not_allowed),
		cmocka_unit_test(test_server_router__body_limit),
		cmocka_unit_test(test_server_router__json_content_type),
		cmocka_unit_test(test_server_router__json_body_checks),
		cmocka_unit_test(test_server_router__auth_and_keys_are_central),
		cmocka_unit_test(test_server_router__table_check),
		cmocka_unit_test(test_server_router__health),
		cmocka_unit_test(test_server_router__health_store_failure),
		cmocka_unit_test(test_server_router__heartbeat),
		cmocka_unit_test(test_server_router__error_statuses),
		cmocka_unit_test(test_server_router__reply_helpers),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
