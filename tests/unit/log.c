/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <stdio.h>

#include "log.h"

static char captured[8192];

static void capture_begin(log_format fmt, FILE **f)
{
	memset(captured, 0, sizeof captured);
	*f = fmemopen(captured, sizeof captured - 1, "w");
	log_configure(LOG_DEBUG, fmt, *f);
}

static void capture_end(FILE *f)
{
	fclose(f);
	log_configure(LOG_INFO, LOG_FORMAT_TEXT, NULL);
}

static void test_log__secret_keys_are_redacted(void **state)
{
	(void)state;
	FILE *f;
	capture_begin(LOG_FORMAT_TEXT, &f);
	log_info("signin", LOG_STR("user", "alice"), LOG_STR("password", "hunter2"),
		 LOG_STR("Authorization", "Bearer abc"), LOG_STR("vault_key", "k"), );
	capture_end(f);
	assert_non_null(strstr(captured, "user=\"alice\""));
	assert_null(strstr(captured, "hunter2"));
	assert_null(strstr(captured, "Bearer abc"));
	assert_non_null(strstr(captured, "password=\"[redacted]\""));
}

static void test_log__tokens_in_values_are_redacted(void **state)
{
	(void)state;
	FILE *f;
	capture_begin(LOG_FORMAT_JSON, &f);
	log_warn("bad request",
		 LOG_STR("path", "/v1/x?t=sesame_sa_AAAAbbbbCCCCdddd1234&y=1"), );
	capture_end(f);
	assert_null(strstr(captured, "AAAAbbbb"));
	assert_non_null(strstr(captured, "[redacted]&y=1"));
	assert_non_null(strstr(captured, "\"event\":\"bad request\""));
}

static void test_log__short_prefix_is_not_a_token(void **state)
{
	(void)state;
	FILE *f;
	capture_begin(LOG_FORMAT_TEXT, &f);
	log_info("start", LOG_STR("name", "sesame_dev"), );
	capture_end(f);
	assert_non_null(strstr(captured, "sesame_dev"));
}

static void test_log__control_chars_cannot_forge_lines(void **state)
{
	(void)state;
	FILE *f;
	capture_begin(LOG_FORMAT_TEXT, &f);
	log_info("req", LOG_STR("ua", "x\n2026 error forged"), LOG_INT("status", 200), );
	capture_end(f);
	assert_non_null(strstr(captured, "x\\x0a2026"));
	assert_non_null(strstr(captured, "status=200"));
	assert_non_null(strchr(captured, '\n'));
	assert_ptr_equal(strchr(captured, '\n'), captured + strlen(captured) - 1);
}

static void test_log__level_filter(void **state)
{
	(void)state;
	memset(captured, 0, sizeof captured);
	FILE *f = fmemopen(captured, sizeof captured - 1, "w");
	log_configure(LOG_WARN, LOG_FORMAT_TEXT, f);
	log_info("hidden", );
	log_error("shown", );
	fclose(f);
	log_configure(LOG_INFO, LOG_FORMAT_TEXT, NULL);
	assert_null(strstr(captured, "hidden"));
	assert_non_null(strstr(captured, "error shown"));
	assert_int_equal(log_level_parse("warn"), LOG_WARN);
	assert_int_equal(log_level_parse("loud"), -1);
	assert_int_equal(log_format_parse("json"), LOG_FORMAT_JSON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log__secret_keys_are_redacted),
		cmocka_unit_test(test_log__tokens_in_values_are_redacted),
		cmocka_unit_test(test_log__short_prefix_is_not_a_token),
		cmocka_unit_test(test_log__control_chars_cannot_forge_lines),
		cmocka_unit_test(test_log__level_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
