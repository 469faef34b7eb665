/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "http/http_parse.h"
#include "sesame/errors.h"

/* Feeds `text` in pieces of `step` bytes; returns the final feed result. */
static int feed_split(http_parser *p, const char *text, size_t step, size_t *leftover)
{
	size_t len = strlen(text), off = 0;
	int rc = 0;
	while (off < len) {
		size_t n = len - off < step ? len - off : step, used = 0;
		rc = http_parser_feed(p, text + off, n, &used);
		off += used;
		if (rc != 0 || used < n) {
			*leftover = len - off;
			return rc;
		}
	}
	*leftover = 0;
	return rc;
}

static void expect_ok(const char *text, int status, const char *body, bool keep_alive)
{
	for (size_t step = 1; step <= strlen(text); step = step * 2 + 1) {
		http_parser p;
		size_t left;
		http_parser_init(&p, 1024, step % 2, false);
		assert_int_equal(feed_split(&p, text, step, &left), 1);
		assert_int_equal(left, 0);
		assert_int_equal(p.status, status);
		assert_int_equal(p.body.len, strlen(body));
		assert_memory_equal(sbuf_cstr(&p.body), body, strlen(body));
		assert_int_equal(p.keep_alive, keep_alive);
		http_parser_free(&p);
	}
}

static int parse_all(const char *text, size_t max_body)
{
	http_parser p;
	size_t used;
	http_parser_init(&p, max_body, false, false);
	int rc = http_parser_feed(&p, text, strlen(text), &used);
	http_parser_free(&p);
	return rc;
}

static void test_http_parse__content_length(void **state)
{
	(void)state;
	expect_ok("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
		  "{\"ok\":true}",
		  200, "{\"ok\":true}", true);
}

static void test_http_parse__chunked(void **state)
{
	(void)state;
	expect_ok("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n",
		  201, "hello 0123456789", true);
}

static void test_http_parse__no_body_statuses(void **state)
{
	(void)state;
	expect_ok("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", 204, "", false);
	expect_ok("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", 304, "", true);
	expect_ok("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		  200, "ok", true);
}

static void test_http_parse__http10_and_connection(void **state)
{
	(void)state;
	expect_ok("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, "x", false);
	expect_ok("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx", 200,
		  "x", true);
	expect_ok("HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 1\r\n\r\nx", 200,
		  "x", false);
}

static void test_http_parse__headers_lowercased_and_trimmed(void **state)
{
	(void)state;
	http_parser p;
	size_t used;
	const char *t = "HTTP/1.1 429 Too Many\r\nRetry-After:  58 \r\nContent-Length: 0\r\n\r\n";
	http_parser_init(&p, 10, false, false);
	assert_int_equal(http_parser_feed(&p, t, strlen(t), &used), 1);
	assert_string_equal(http_parser_header(&p, "retry-after"), "58");
	assert_null(http_parser_header(&p, "Retry-After"));
	http_parser_free(&p);
}

static void test_http_parse__leaves_next_response(void **state)
{
	(void)state;
	http_parser p;
	size_t used;
	const char *t = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200";
	http_parser_init(&p, 10, false, false);
	assert_int_equal(http_parser_feed(&p, t, strlen(t), &used), 1);
	assert_int_equal(used, strlen(t) - strlen("HTTP/1.1 200"));
	http_parser_free(&p);
}

static void test_http_parse__head_request_has_no_body(void **state)
{
	(void)state;
	http_parser p;
	size_t used;
	const char *t = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
	http_parser_init(&p, 10, false, true);
	assert_int_equal(http_parser_feed(&p, t, strlen(t), &used), 1);
	http_parser_free(&p);
}

static void test_http_parse__rejects_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\n", /* no framing: close-delimited refused */
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse_all(bad[i], 100);
		if (rc >= 0)
			fail_msg("accepted malformed response %zu", i);
	}
}

static void test_http_parse__limits(void **state)
{
	(void)state;
	assert_int_equal(parse_all("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", 10),
			 SESAME_ETOOBIG);
	assert_int_equal(parse_all("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
				   10),
			 SESAME_ETOOBIG);
	assert_int_equal(parse_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n", 10),
			 SESAME_ETOOBIG);
	/* A head over 16 KiB. */
	char *big = malloc(20000);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 21);
	memset(big + strlen(big), 'a', 17000);
	big[20 + 17000] = '\0';
	assert_int_equal(parse_all(big, 10), SESAME_ETOOBIG);
	free(big);
	/* More than 64 headers. */
	char many[4096] = "HTTP/1.1 200 OK\r\n";
	for (int i = 0; i < 70; i++)
		strncat(many, "A: b\r\n", sizeof many - strlen(many) - 1);
	strncat(many, "\r\n", sizeof many - strlen(many) - 1);
	assert_int_equal(parse_all(many, 10), SESAME_ETOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_parse__content_length),
		cmocka_unit_test(test_http_parse__chunked),
		cmocka_unit_test(test_http_parse__no_body_statuses),
		cmocka_unit_test(test_http_parse__http10_and_connection),
		cmocka_unit_test(test_http_parse__headers_lowercased_and_trimmed),
		cmocka_unit_test(test_http_parse__leaves_next_response),
		cmocka_unit_test(test_http_parse__head_request_has_no_body),
		cmocka_unit_test(test_http_parse__rejects_malformed),
		cmocka_unit_test(test_http_parse__limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
