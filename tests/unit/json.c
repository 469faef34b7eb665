/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "buf.h"
#include "json.h"
#include "sesame/errors.h"

static json_t *parse(const char *s, int depth, size_t max, int *code)
{
	char err[256];
	sjson_limits lim = {max, depth};
	return sjson_parse(s, strlen(s), &lim, code, err, sizeof err);
}

static void test_json__parses_object(void **state)
{
	(void)state;
	int code;
	json_t *v = parse("{\"a\":1,\"b\":\"x\"}", 0, 0, &code);
	assert_non_null(v);
	assert_int_equal(code, 0);
	const char *s = NULL;
	long long i = 0;
	assert_int_equal(sjson_get_string(v, "b", &s), 0);
	assert_string_equal(s, "x");
	assert_int_equal(sjson_get_int(v, "a", &i), 0);
	assert_int_equal(i, 1);
	assert_int_equal(sjson_get_string(v, "a", &s), SESAME_EINVAL);
	json_decref(v);
}

static void test_json__rejects_duplicate_keys(void **state)
{
	(void)state;
	int code;
	char err[256];
	const char *s = "{\"a\":1,\"a\":2}";
	assert_null(sjson_parse(s, strlen(s), NULL, &code, err, sizeof err));
	assert_int_equal(code, SESAME_EINVAL);
	assert_non_null(strstr(err, "duplicate"));
}

static void test_json__depth_limit(void **state)
{
	(void)state;
	int code;
	assert_null(parse("[[[[1]]]]", 3, 0, &code));
	assert_int_equal(code, SESAME_ETOOBIG);
	json_t *v = parse("[[[1]]]", 3, 0, &code);
	assert_non_null(v);
	json_decref(v);
	/* Brackets inside strings do not count. */
	v = parse("{\"a\":\"[[[[[[[[\"}", 2, 0, &code);
	assert_non_null(v);
	json_decref(v);
}

static void test_json__size_limit(void **state)
{
	(void)state;
	int code;
	assert_null(parse("[1,2,3]", 0, 4, &code));
	assert_int_equal(code, SESAME_ETOOBIG);
}

static void test_json__rejects_malformed_and_nul(void **state)
{
	(void)state;
	int code;
	assert_null(parse("{\"a\":", 0, 0, &code));
	assert_int_equal(code, SESAME_EINVAL);
	assert_null(parse("{\"a\":\"x\\u0000y\"}", 0, 0, &code));
	assert_int_equal(code, SESAME_EINVAL);
}

static void test_json__unknown_key(void **state)
{
	(void)state;
	int code;
	static const char *const allowed[] = {"a", "b", NULL};
	json_t *v = parse("{\"a\":1,\"c\":2}", 0, 0, &code);
	assert_string_equal(sjson_unknown_key(v, allowed), "c");
	json_object_del(v, "c");
	assert_null(sjson_unknown_key(v, allowed));
	json_decref(v);
}

static void test_json__dump_compact_in_order(void **state)
{
	(void)state;
	json_t *o = json_object();
	json_object_set_new(o, "z", json_integer(1));
	json_object_set_new(o, "a", json_string("x"));
	char *s = sjson_dump(o);
	assert_string_equal(s, "{\"z\":1,\"a\":\"x\"}");
	free(s);
	json_decref(o);
}

static size_t released_blocks, released_nonzero;

static void check_released(const void *p, size_t cap)
{
	const unsigned char *c = p;
	released_blocks++;
	for (size_t i = 0; i < cap; i++)
		released_nonzero += c[i] != 0;
}

/*
 * sjson_dump_wiped writes what sjson_dump writes, and every smaller block
 * the text grew through is wiped before it is freed.
 */
static void test_json__dump_wiped_leaves_no_copy(void **state)
{
	json_t *arr = json_array();
	char *plain, *wiped;
	(void)state;

	for (int i = 0; i < 500; i++)
		json_array_append_new(arr, json_pack("{s:s,s:i}", "value", "hunter2-secret", "i", i));
	released_blocks = released_nonzero = 0;
	sbuf_set_release_hook(check_released);
	wiped = sjson_dump_wiped(arr);
	sbuf_set_release_hook(NULL);
	plain = sjson_dump(arr);
	assert_non_null(wiped);
	assert_non_null(plain);
	assert_string_equal(wiped, plain);
	assert_true(strlen(wiped) > 10000);
	assert_true(released_blocks >= 5); /* it grew several times */
	assert_int_equal(released_nonzero, 0);
	free(wiped);
	free(plain);
	json_decref(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json__parses_object),
		cmocka_unit_test(test_json__rejects_duplicate_keys),
		cmocka_unit_test(test_json__depth_limit),
		cmocka_unit_test(test_json__size_limit),
		cmocka_unit_test(test_json__rejects_malformed_and_nul),
		cmocka_unit_test(test_json__unknown_key),
		cmocka_unit_test(test_json__dump_compact_in_order),
		cmocka_unit_test(test_json__dump_wiped_leaves_no_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
