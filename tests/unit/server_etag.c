/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Conditional reads without a socket: the ETag of a body (its shape and
 * that it follows the body) and the If-None-Match matcher (RFC 9110 weak
 * comparison, "*", lists, malformed values).
 */
#include "test.h"

#include <sodium.h>

#include "b64.h"
#include "http.h"

static const char TAG[] = "\"yaSgiVbXlHNIyUcuPsM2HA\"";

static void test_server_etag__shape(void **state)
{
	char a[HTTP_ETAG_SIZE], b[HTTP_ETAG_SIZE], c[HTTP_ETAG_SIZE];
	unsigned char h[HTTP_ETAG_HASH_BYTES], back[HTTP_ETAG_HASH_BYTES];
	size_t n = 0;
	(void)state;

	assert_int_equal(sodium_init() >= 0, 1);
	http_etag_of(a, "{\"id\":1}", 8);
	http_etag_of(b, "{\"id\":1}", 8);
	http_etag_of(c, "{\"id\":2}", 8);
	assert_int_equal(strlen(a), HTTP_ETAG_SIZE - 1);
	assert_int_equal(a[0], '"');
	assert_int_equal(a[HTTP_ETAG_SIZE - 2], '"');
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	/* The quoted text is base64url of a 16-byte BLAKE2b of the body. */
	crypto_generichash(h, sizeof h, (const unsigned char *)"{\"id\":1}", 8, NULL, 0);
	assert_int_equal(
		b64_decode(back, sizeof back, &n, a + 1, HTTP_ETAG_SIZE - 3, B64_URL_NOPAD), 0);
	assert_int_equal(n, sizeof h);
	assert_memory_equal(back, h, sizeof h);
	/* Its own tag matches it. */
	assert_true(http_if_none_match(a, a));
	assert_false(http_if_none_match(c, a));
}

static void test_server_etag__match(void **state)
{
	(void)state;
	assert_true(http_if_none_match(TAG, TAG));
	assert_true(http_if_none_match("W/\"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
	assert_true(http_if_none_match("  \"yaSgiVbXlHNIyUcuPsM2HA\"\t", TAG));
	assert_true(http_if_none_match("*", TAG));
	assert_true(http_if_none_match(" * ", TAG));
}

static void test_server_etag__lists(void **state)
{
	(void)state;
	assert_true(http_if_none_match("\"a\", \"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
	assert_true(http_if_none_match("\"yaSgiVbXlHNIyUcuPsM2HA\",\"b\"", TAG));
	assert_true(http_if_none_match("W/\"a\" ,W/\"yaSgiVbXlHNIyUcuPsM2HA\" , \"c\"", TAG));
	/* Empty list elements are allowed. */
	assert_true(http_if_none_match(", ,\"yaSgiVbXlHNIyUcuPsM2HA\",", TAG));
	assert_false(http_if_none_match("\"a\", \"b\", W/\"c\"", TAG));
	assert_false(http_if_none_match("", TAG));
	assert_false(http_if_none_match(" , ", TAG));
}

static void test_server_etag__no_match(void **state)
{
	(void)state;
	/* Another tag, a prefix, a longer one, other case. */
	assert_false(http_if_none_match("\"yaSgiVbXlHNIyUcuPsM2H\"", TAG));
	assert_false(http_if_none_match("\"yaSgiVbXlHNIyUcuPsM2HAx\"", TAG));
	assert_false(http_if_none_match("\"YASGIVBXLHNIYUCUPSM2HA\"", TAG));
	/* Weak prefix is "W/", case-sensitive. */
	assert_false(http_if_none_match("w/\"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
}

static void test_server_etag__malformed(void **state)
{
	(void)state;
	/* Unquoted, unterminated, junk between or after tags: no match at all. */
	assert_false(http_if_none_match("yaSgiVbXlHNIyUcuPsM2HA", TAG));
	assert_false(http_if_none_match("\"yaSgiVbXlHNIyUcuPsM2HA", TAG));
	assert_false(http_if_none_match("\"yaSgiVbXlHNIyUcuPsM2HA\" x", TAG));
	assert_false(http_if_none_match("\"yaSgiVbXlHNIyUcuPsM2HA\" \"a\"", TAG));
	assert_false(http_if_none_match("\"yaSgiVbXlHNIyUcuPsM2HA\", junk", TAG));
	assert_false(http_if_none_match("W/ \"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
	/* "*" only alone. */
	assert_false(http_if_none_match("*, \"a\"", TAG));
	assert_false(http_if_none_match("\"a\", *", TAG));
	/* No space, control character or DEL inside a tag. */
	assert_false(http_if_none_match("\"a b\", \"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
	assert_false(http_if_none_match("\"a\x01\", \"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
	assert_false(http_if_none_match("\"a\x7f\", \"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
	/* obs-text is allowed in a tag (and simply does not match). */
	assert_true(http_if_none_match("\"\xc3\xa9\", \"yaSgiVbXlHNIyUcuPsM2HA\"", TAG));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_etag__shape),
		cmocka_unit_test(test_server_etag__match),
		cmocka_unit_test(test_server_etag__lists),
		cmocka_unit_test(test_server_etag__no_match),
		cmocka_unit_test(test_server_etag__malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
