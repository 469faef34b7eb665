/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read-only JSON document (src/util/json_doc.h): values, member
 * lookup, the unknown-key check, duplicate keys in small and large
 * objects (member by member, and by sorting when a large one closes),
 * limits, and the message's line and column. The grammar itself is
 * checked against jansson by tests/fuzz/json_fuzzer.c.
 */
#include "test.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_doc.h"
#include "sesame/errors.h"

static jdoc *parse(const char *s, size_t len, int depth, int *code, char *err, size_t errcap)
{
	sjson_limits lim = {0, depth};
	return jdoc_parse(s, len, &lim, code, err, errcap);
}

static void test_json_doc__values_and_lookup(void **state)
{
	static const char text[] =
		"{\"s\":\"caf\\u00e9 \\ud83d\\ude00\\n\",\"i\":-9223372036854775808,\"r\":2.5,"
		"\"t\":true,\"f\":false,\"n\":null,\"a\":[1,{\"k\":\"v\"},[]],\"o\":{}}";
	char err[256];
	int code = -1;
	jdoc *d = parse(text, sizeof text - 1, 0, &code, err, sizeof err);
	const jdoc_val *root, *v;
	(void)state;

	assert_non_null(d);
	assert_int_equal(code, 0);
	root = jdoc_root(d);
	assert_int_equal(root->type, JDOC_OBJECT);
	assert_int_equal(root->n, 8);
	v = jdoc_get(root, "s");
	assert_int_equal(v->type, JDOC_STRING);
	assert_string_equal(v->u.s, "caf\xc3\xa9 \xf0\x9f\x98\x80\n");
	assert_int_equal(v->n, strlen(v->u.s));
	assert_int_equal(jdoc_get(root, "i")->u.i, LLONG_MIN);
	assert_true(jdoc_get(root, "r")->u.d == 2.5);
	assert_int_equal(jdoc_get(root, "t")->type, JDOC_TRUE);
	assert_int_equal(jdoc_get(root, "f")->type, JDOC_FALSE);
	assert_int_equal(jdoc_get(root, "n")->type, JDOC_NULL);
	v = jdoc_get(root, "a");
	assert_int_equal(v->type, JDOC_ARRAY);
	assert_int_equal(v->n, 3);
	assert_null(v->u.items[0]->key); /* array members have no key */
	assert_string_equal(jdoc_get(v->u.items[1], "k")->u.s, "v");
	assert_int_equal(v->u.items[2]->n, 0);
	assert_int_equal(jdoc_get(root, "o")->n, 0);
	assert_null(jdoc_get(root, "missing"));
	assert_null(jdoc_get(v, "k")); /* not an object */
	assert_null(jdoc_get(NULL, "k"));
	/* Members keep their order. */
	assert_string_equal(root->u.items[0]->key, "s");
	assert_string_equal(root->u.items[7]->key, "o");

	static const char *const allowed[] = {"s", "i", "r", "t", "f", "n", "a", "o", NULL};
	static const char *const fewer[] = {"s", "i", "r", "t", "f", "n", "a", NULL};
	assert_null(jdoc_unknown_key(root, allowed));
	assert_string_equal(jdoc_unknown_key(root, fewer), "o");
	jdoc_free(d);
	jdoc_free(NULL);
}

/* An object of n members "k0".."k<n-1>", with "k<dup>" once more at the end when dup >= 0. */
static char *object_text(int n, int dup)
{
	size_t cap = (size_t)n * 24 + 64, len = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	len += (size_t)snprintf(s + len, cap - len, "{");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s\"k%d\":%d", i ? "," : "", i, i);
	if (dup >= 0)
		len += (size_t)snprintf(s + len, cap - len, ",\"k%d\":0", dup);
	snprintf(s + len, cap - len, "}");
	return s;
}

static void test_json_doc__duplicate_keys_small_and_large(void **state)
{
	static const int sizes[] = {2, 16, 17, 100, 5000};
	char err[256];
	int code;
	(void)state;

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		int n = sizes[k];
		char *ok = object_text(n, -1), *first = object_text(n, 0),
		     *last = object_text(n, n - 1);
		jdoc *d = parse(ok, strlen(ok), 0, &code, err, sizeof err);
		assert_non_null(d);
		assert_int_equal(jdoc_root(d)->n, (size_t)n);
		jdoc_free(d);
		assert_null(parse(first, strlen(first), 0, &code, err, sizeof err));
		assert_int_equal(code, SESAME_EINVAL);
		assert_non_null(strstr(err, "duplicate object key"));
		/* The position named is the second "k0": the last member. */
		char want[64];
		snprintf(want, sizeof want,
			 "column %zu:", strlen(first) - strlen(",\"k0\":0}") + 2);
		assert_non_null(strstr(err, want));
		assert_null(parse(last, strlen(last), 0, &code, err, sizeof err));
		assert_non_null(strstr(err, "duplicate object key"));
		free(ok);
		free(first);
		free(last);
	}
	/* The same key in two different objects is no duplicate. */
	static const char two[] = "[{\"a\":1},{\"a\":2}]";
	jdoc *d = parse(two, sizeof two - 1, 0, &code, err, sizeof err);
	assert_non_null(d);
	jdoc_free(d);
	/* Keys differing only after an escape are distinct; equal after decoding are not. */
	static const char esc_ok[] = "{\"a\\u0062\":1,\"ab\\n\":2}";
	static const char esc_dup[] = "{\"a\\u0062\":1,\"ab\":2}";
	d = parse(esc_ok, sizeof esc_ok - 1, 0, &code, err, sizeof err);
	assert_non_null(d);
	assert_non_null(jdoc_get(jdoc_root(d), "ab"));
	jdoc_free(d);
	assert_null(parse(esc_dup, sizeof esc_dup - 1, 0, &code, err, sizeof err));
}

static void test_json_doc__limits_and_messages(void **state)
{
	char err[256];
	int code;
	sjson_limits lim = {8, 0};
	(void)state;

	assert_null(jdoc_parse("[1,2,3,4,5]", 11, &lim, &code, err, sizeof err));
	assert_int_equal(code, SESAME_ETOOBIG);
	assert_null(parse("[[[1]]]", 7, 2, &code, err, sizeof err));
	assert_int_equal(code, SESAME_ETOOBIG);
	assert_non_null(strstr(err, "deeper than 2"));
	jdoc *d = parse("[[1]]", 5, 2, &code, err, sizeof err);
	assert_non_null(d);
	jdoc_free(d);
	assert_null(parse("{\n  \"a\": 1,\n  \"b\" 2\n}", 21, 0, &code, err, sizeof err));
	assert_int_equal(code, SESAME_EINVAL);
	assert_string_equal(err, "malformed json at line 3 column 7: ':' expected");
	assert_null(parse("\"x\"", 3, 0, &code, err, sizeof err));
	assert_non_null(strstr(err, "'[' or '{' expected"));
	assert_null(parse("[1] [2]", 7, 0, &code, err, sizeof err));
	assert_non_null(strstr(err, "end of file expected"));
	/* A NUL, raw or escaped, never gets in. */
	assert_null(parse("[\"a\0\"]", 6, 0, &code, err, sizeof err));
	assert_null(parse("[\"\\u0000\"]", 10, 0, &code, err, sizeof err));
	assert_null(parse("[0\0]", 4, 0, &code, err, sizeof err));
}

/* A large document crosses several arena blocks and stays intact. */
static void test_json_doc__large_document(void **state)
{
	size_t n = 20000, cap = n * 40 + 16, len = 0;
	char *s = malloc(cap), err[256];
	int code;
	(void)state;

	assert_non_null(s);
	s[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s{\"i\":%zu,\"s\":\"x%zu\"}",
					i ? "," : "", i, i);
	s[len++] = ']';
	jdoc *d = parse(s, len, 0, &code, err, sizeof err);
	assert_non_null(d);
	const jdoc_val *root = jdoc_root(d);
	assert_int_equal(root->n, n);
	for (size_t i = 0; i < n; i += 997) {
		char want[32];
		snprintf(want, sizeof want, "x%zu", i);
		assert_int_equal(jdoc_get(root->u.items[i], "i")->u.i, (long long)i);
		assert_string_equal(jdoc_get(root->u.items[i], "s")->u.s, want);
	}
	json_t *j = jdoc_to_jansson(root);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), n);
	json_decref(j);
	jdoc_free(d);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_doc__values_and_lookup),
		cmocka_unit_test(test_json_doc__duplicate_keys_small_and_large),
		cmocka_unit_test(test_json_doc__limits_and_messages),
		cmocka_unit_test(test_json_doc__large_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
