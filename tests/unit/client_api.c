/* SPDX-License-Identifier: Apache-2.0 */
/* The client's error mapping from canned responses, and the URL policy. */
#include "test.h"

#include "client/api.h"
#include "error.h"
#include "sesame/errors.h"

static int map(int status, const char *body, json_t **out)
{
	return api_map_response(status, body, strlen(body), out);
}

static void test_client_api__success_parses_object(void **state)
{
	json_t *out = NULL;
	(void)state;
	assert_int_equal(map(200, "{\"a\":1}", &out), 0);
	assert_non_null(out);
	assert_int_equal(json_integer_value(json_object_get(out, "a")), 1);
	json_decref(out);
	assert_int_equal(map(204, "", &out), 0);
	assert_null(out);
}

static void test_client_api__success_with_bad_json(void **state)
{
	json_t *out = NULL;
	(void)state;
	assert_int_equal(map(200, "{\"a\":", &out), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "bad_response");
	assert_int_equal(map(200, "[1]", &out), SESAME_EINVAL);
	assert_int_equal(map(200, "{\"a\":1,\"a\":2}", &out), SESAME_EINVAL);
	assert_null(out);
}

static void expect(int status, const char *code, int want, const char *want_kind)
{
	char body[256];
	snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"it failed\"}}",
		 code);
	assert_int_equal(map(status, body, NULL), want);
	assert_int_equal(sesame_error_last()->code, want);
	assert_string_equal(sesame_error_last()->kind, want_kind);
	assert_string_equal(sesame_error_last()->message, "it failed");
}

static void test_client_api__statuses(void **state)
{
	(void)state;
	expect(400, "invalid_request", SESAME_EINVAL, "invalid_request");
	expect(401, "unauthenticated", SESAME_EAUTH, "unauthenticated");
	expect(401, "account_suspended", SESAME_EAUTH, "account_suspended");
	expect(401, "token_expired", SESAME_ETOKEN_EXPIRED, "token_expired");
	expect(401, "token_revoked", SESAME_ETOKEN_REVOKED, "token_revoked");
	expect(403, "signup_closed", SESAME_EPERM, "signup_closed");
	expect(404, "vault_not_found", SESAME_ENOTFOUND, "vault_not_found");
	expect(409, "conflict", SESAME_ECONFLICT, "conflict");
	expect(413, "too_big", SESAME_ETOOBIG, "too_big");
	expect(429, "rate_limited", SESAME_ERATELIMIT, "rate_limited");
	expect(500, "internal", SESAME_ESERVER, "internal");
	expect(503, "unavailable", SESAME_ESERVER, "unavailable");
}

static void test_client_api__no_error_body(void **state)
{
	(void)state;
	assert_int_equal(map(502, "<html>bad gateway</html>", NULL), SESAME_ESERVER);
	assert_string_equal(sesame_error_last()->message, "server answered http 502");
	assert_string_equal(sesame_error_last()->kind, "server_error");
	assert_int_equal(map(404, "", NULL), SESAME_ENOTFOUND);
	assert_string_equal(sesame_error_last()->kind, "not_found");
}

static void test_client_api__hostile_error_body(void **state)
{
	(void)state;
	/* Control characters cannot reach a terminal; a bogus kind falls back. */
	assert_int_equal(
		map(409, "{\"error\":{\"code\":\"Bad Kind!\",\"message\":\"a\\u001b[31mb\\n\"}}",
		    NULL),
		SESAME_ECONFLICT);
	assert_string_equal(sesame_error_last()->message, "a?[31mb?");
	assert_string_equal(sesame_error_last()->kind, "conflict");
}

static void test_client_api__url_policy(void **state)
{
	api *a = NULL;
	(void)state;
	api_options o = {.url = "http://example.com"};
	assert_int_equal(api_new(&a, &o), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "insecure_url");
	assert_null(a);
	o.insecure = true;
	assert_int_equal(api_new(&a, &o), 0);
	api_free(a);
	const char *ok[] = {"http://127.0.0.1:8080", "http://[::1]:1/", "http://localhost",
			    "https://example.com/base/", "http://127.1.2.3"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		api_options o2 = {.url = ok[i]};
		assert_int_equal(api_new(&a, &o2), 0);
		api_free(a);
	}
	api_options o3 = {.url = "http://localhost/x/"};
	assert_int_equal(api_new(&a, &o3), 0);
	assert_string_equal(api_url(a), "http://localhost/x");
	assert_int_equal(api_set_session(a, "sesame_ses_abc"), 0);
	assert_string_equal(api_session(a), "sesame_ses_abc");
	assert_int_equal(api_set_session(a, "bad\r\ntoken"), SESAME_EINVAL);
	api_free(a);
	api_options o4 = {.url = "ftp://x"};
	assert_int_equal(api_new(&a, &o4), SESAME_EINVAL);
}

static void test_client_api__unreachable_server(void **state)
{
	api *a = NULL;
	json_t *out = NULL;
	(void)state;
	/* Port 1 on loopback: nothing listens there. */
	api_options o = {.url = "http://127.0.0.1:1", .timeout_ms = 2000};
	assert_int_equal(api_new(&a, &o), 0);
	assert_int_equal(api_call(a, "GET", "/v1/health", NULL, &out), SESAME_ENETWORK);
	assert_non_null(strstr(sesame_error_last()->message, "cannot reach 'http://127.0.0.1:1'"));
	api_free(a);
}

static void test_client_api__escape(void **state)
{
	char out[64];
	(void)state;
	assert_int_equal(api_escape(out, sizeof out, "a b/c?d"), 0);
	assert_string_equal(out, "a%20b%2Fc%3Fd");
	assert_int_equal(api_escape(out, 4, "abcd"), SESAME_ETOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_api__success_parses_object),
		cmocka_unit_test(test_client_api__success_with_bad_json),
		cmocka_unit_test(test_client_api__statuses),
		cmocka_unit_test(test_client_api__no_error_body),
		cmocka_unit_test(test_client_api__hostile_error_body),
		cmocka_unit_test(test_client_api__url_policy),
		cmocka_unit_test(test_client_api__unreachable_server),
		cmocka_unit_test(test_client_api__escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
