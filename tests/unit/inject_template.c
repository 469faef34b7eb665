/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "inject/template.h"
#include "sesame/errors.h"

static const char *fake_env(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "APP_ENV") == 0)
		return "prod";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	return NULL;
}

static template_scan_result scan_ok(const char *text, size_t expect)
{
	template_scan_result r;
	int rc = template_scan(&r, text, strlen(text), fake_env, NULL);
	if (rc)
		fail_msg("scan failed: %s", sesame_error_last()->message);
	assert_int_equal(r.nrefs, expect);
	return r;
}

static void test_inject_template__enclosed_and_unenclosed(void **state)
{
	(void)state;
	const char *t = "user: {{ op://prod/db/username }}\npass: {{op://prod/db/password}}\n"
			"url: postgres://op://prod/db/host:5432 x=op://prod/db/port.\n";
	template_scan_result r = scan_ok(t, 4);
	assert_string_equal(r.refs[0].reference, "op://prod/db/username");
	assert_int_equal(r.refs[0].line, 1);
	assert_string_equal(r.refs[1].reference, "op://prod/db/password");
	assert_int_equal(r.refs[1].line, 2);
	/* '/' does not block a reference; ':' ends one; '.' belongs to it (op). */
	assert_string_equal(r.refs[2].reference, "op://prod/db/host");
	assert_string_equal(r.refs[3].reference, "op://prod/db/port.");
	template_scan_free(&r);
}

static void test_inject_template__unenclosed_blocked_by_prefix(void **state)
{
	(void)state;
	/* After a letter, digit, '-', '+', '\' or '.' it is not a reference. */
	template_scan_result r = scan_ok("xop://a/b/c -op://a/b/c +op://a/b/c \\op://a/b/c .op://a/b/c",
					 0);
	template_scan_free(&r);
	r = scan_ok("=op://a/b/c (op://a/b/c) \"op://a/b/c\"", 3);
	assert_string_equal(r.refs[1].reference, "op://a/b/c");
	template_scan_free(&r);
}

static void test_inject_template__spaces_in_enclosed_names(void **state)
{
	(void)state;
	template_scan_result r = scan_ok("{{   op://My Vault/My Item/sec one/pass word   }}", 1);
	assert_string_equal(r.refs[0].reference, "op://My Vault/My Item/sec one/pass word");
	assert_int_equal(r.refs[0].start, 0);
	template_scan_free(&r);
}

static void test_inject_template__variables(void **state)
{
	(void)state;
	template_scan_result r =
		scan_ok("{{ op://$APP_ENV/db/pw }} op://${APP_ENV}/db/pw {{ op://${NOPE:-dev}/x/y }} "
			"op://${EMPTY:-fallback}/x/y",
			4);
	assert_string_equal(r.refs[0].reference, "op://prod/db/pw");
	assert_string_equal(r.refs[1].reference, "op://prod/db/pw");
	assert_string_equal(r.refs[2].reference, "op://dev/x/y");
	assert_string_equal(r.refs[3].reference, "op://fallback/x/y");
	template_scan_free(&r);
}

static void test_inject_template__errors_name_the_line(void **state)
{
	(void)state;
	template_scan_result r;
	const char *t = "ok\n{{ op://$UNSET/x/y }}\n";
	assert_int_equal(template_scan(&r, t, strlen(t), fake_env, NULL), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->message,
			    "line 2: environment variable 'UNSET' is not set");
	assert_null(r.refs);
	t = "a\nb\nop://vault/only-two\n";
	assert_int_equal(template_scan(&r, t, strlen(t), fake_env, NULL), SESAME_EINVAL);
	assert_non_null(strstr(sesame_error_last()->message, "line 3: "));
	t = "{{ op://${BROKEN/x/y }}";
	assert_int_equal(template_scan(&r, t, strlen(t), fake_env, NULL), SESAME_EINVAL);
}

static void test_inject_template__not_references(void **state)
{
	(void)state;
	/* Braces without a reference and "op:/" are plain text. */
	template_scan_result r = scan_ok("{{ .Values.x }} {{ op:/x }} op:/a/b {{", 0);
	template_scan_free(&r);
}

static void test_inject_template__render(void **state)
{
	(void)state;
	const char *t = "a={{ op://v/i/f }};b=op://v/i/g\n";
	template_scan_result r = scan_ok(t, 2);
	const char *values[] = {"s3cr\net", ""};
	size_t lens[] = {7, 0};
	sbuf out = SBUF_INIT_SECURE(1024);
	assert_int_equal(template_render(&out, t, strlen(t), &r, values, lens), 0);
	assert_string_equal(out.ptr, "a=s3cr\net;b=\n");
	sbuf_free(&out);
	template_scan_free(&r);
}

static void test_inject_template__many_references(void **state)
{
	(void)state;
	sbuf t = SBUF_INIT(1 << 20);
	for (int i = 0; i < 1000; i++)
		sbuf_printf(&t, "K%d={{ op://vault/item%d/field }}\n", i, i);
	template_scan_result r = scan_ok(t.ptr, 1000);
	assert_string_equal(r.refs[999].reference, "op://vault/item999/field");
	assert_int_equal(r.refs[999].line, 1000);
	template_scan_free(&r);
	sbuf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_template__enclosed_and_unenclosed),
		cmocka_unit_test(test_inject_template__unenclosed_blocked_by_prefix),
		cmocka_unit_test(test_inject_template__spaces_in_enclosed_names),
		cmocka_unit_test(test_inject_template__variables),
		cmocka_unit_test(test_inject_template__errors_name_the_line),
		cmocka_unit_test(test_inject_template__not_references),
		cmocka_unit_test(test_inject_template__render),
		cmocka_unit_test(test_inject_template__many_references),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
