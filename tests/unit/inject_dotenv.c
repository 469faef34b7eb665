/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "inject/dotenv.h"
#include "sesame/errors.h"

static dotenv parse_ok(const char *text)
{
	dotenv env;
	if (dotenv_parse(&env, text, strlen(text), ".env") != 0)
		fail_msg("parse failed: %s", sesame_error_last()->message);
	return env;
}

static void test_inject_dotenv__forms(void **state)
{
	(void)state;
	dotenv env = parse_ok("# comment\n"
			      "\n"
			      "PLAIN=value\n"
			      "export EXPORTED=yes\n"
			      "  SPACED  =  padded value   \n"
			      "COMMENTED=abc # trailing\n"
			      "HASH=abc#not-a-comment\n"
			      "SINGLE='lit $HOME \\n'\n"
			      "DOUBLE=\"a\\nb \\\"q\\\" \\\\ \\$ \\t\"\n"
			      "EMPTY=\n"
			      "REF=op://vault/item/field\n"
			      "QUOTED_HASH=\"x # y\" # real comment\n");
	assert_string_equal(dotenv_get(&env, "PLAIN"), "value");
	assert_string_equal(dotenv_get(&env, "EXPORTED"), "yes");
	assert_string_equal(dotenv_get(&env, "SPACED"), "padded value");
	assert_string_equal(dotenv_get(&env, "COMMENTED"), "abc");
	assert_string_equal(dotenv_get(&env, "HASH"), "abc#not-a-comment");
	assert_string_equal(dotenv_get(&env, "SINGLE"), "lit $HOME \\n");
	assert_string_equal(dotenv_get(&env, "DOUBLE"), "a\nb \"q\" \\ $ \t");
	assert_string_equal(dotenv_get(&env, "EMPTY"), "");
	assert_string_equal(dotenv_get(&env, "REF"), "op://vault/item/field");
	assert_string_equal(dotenv_get(&env, "QUOTED_HASH"), "x # y");
	assert_int_equal(env.n, 10);
	dotenv_free(&env);
}

static void test_inject_dotenv__multiline_values(void **state)
{
	(void)state;
	dotenv env = parse_ok("KEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nAFTER=1\n"
			      "S='two\nlines'\n");
	assert_string_equal(dotenv_get(&env, "KEY"), "-----BEGIN KEY-----\nabc\n-----END KEY-----");
	assert_string_equal(dotenv_get(&env, "AFTER"), "1");
	assert_string_equal(dotenv_get(&env, "S"), "two\nlines");
	dotenv_free(&env);
}

static void test_inject_dotenv__later_wins_and_crlf(void **state)
{
	(void)state;
	dotenv env = parse_ok("A=1\r\nA=2\r\nB=x\r\n");
	assert_string_equal(dotenv_get(&env, "A"), "2");
	assert_string_equal(dotenv_get(&env, "B"), "x");
	assert_int_equal(env.n, 2);
	assert_int_equal(dotenv_set(&env, "B", "y"), 0);
	assert_string_equal(dotenv_get(&env, "B"), "y");
	dotenv_free(&env);
}

static void test_inject_dotenv__errors_name_file_and_line(void **state)
{
	(void)state;
	dotenv env;
	const char *t = "A=1\nB=\"unterminated\nC=3\n";
	assert_int_equal(dotenv_parse(&env, t, strlen(t), "prod.env"), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->message,
			    "prod.env:2: unterminated double-quoted value");
	t = "A=1\n\nNOEQUALS\n";
	assert_int_equal(dotenv_parse(&env, t, strlen(t), "x.env"), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->message, "x.env:3: expected '=' after 'NOEQUALS'");
	t = "1BAD=x\n";
	assert_int_equal(dotenv_parse(&env, t, strlen(t), "x.env"), SESAME_EINVAL);
	t = "A='x' trailing-secret\n";
	assert_int_equal(dotenv_parse(&env, t, strlen(t), "x.env"), SESAME_EINVAL);
	assert_null(strstr(sesame_error_last()->message, "trailing-secret"));
	assert_null(env.entries);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_dotenv__forms),
		cmocka_unit_test(test_inject_dotenv__multiline_values),
		cmocka_unit_test(test_inject_dotenv__later_wins_and_crlf),
		cmocka_unit_test(test_inject_dotenv__errors_name_file_and_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
