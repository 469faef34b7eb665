/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "error.h"
#include "sesame/errors.h"

static void test_errors__last_is_never_null(void **state)
{
	(void)state;
	sesame_error_clear();
	const sesame_error *e = sesame_error_last();
	assert_non_null(e);
	assert_int_equal(e->code, SESAME_OK);
	assert_string_equal(e->kind, "ok");
}

static void test_errors__set_returns_code_and_keeps_message(void **state)
{
	(void)state;
	int rc = sesame_error_set(SESAME_ENOTFOUND, "vault_not_found", "vault '%s' not found",
				  "prod");
	assert_int_equal(rc, SESAME_ENOTFOUND);
	const sesame_error *e = sesame_error_last();
	assert_int_equal(e->code, SESAME_ENOTFOUND);
	assert_string_equal(e->kind, "vault_not_found");
	assert_string_equal(e->message, "vault 'prod' not found");
}

static void test_errors__default_kind(void **state)
{
	(void)state;
	sesame_error_set(SESAME_ECONFLICT, NULL, "stale version");
	assert_string_equal(sesame_error_last()->kind, "conflict");
	assert_string_equal(sesame_error_kind(SESAME_ERATELIMIT), "rate_limited");
	assert_string_equal(sesame_error_kind(12345), "error");
}

static void test_errors__prefix(void **state)
{
	(void)state;
	sesame_error_set(SESAME_EIO, NULL, "disk full");
	assert_int_equal(sesame_error_prefix("cannot write '%s'", "x.db"), SESAME_EIO);
	assert_string_equal(sesame_error_last()->message, "cannot write 'x.db': disk full");
}

static void test_errors__long_message_truncated(void **state)
{
	(void)state;
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	sesame_error_set(SESAME_EINVAL, NULL, "%s", big);
	assert_true(strlen(sesame_error_last()->message) < 600);
}

static void test_errors__strerror_covers_every_code(void **state)
{
	(void)state;
	for (int code = SESAME_OK; code >= SESAME_EBUFSIZE; code--)
		assert_string_not_equal(sesame_strerror(code), "unknown error");
	assert_string_equal(sesame_strerror(-999), "unknown error");
}

static void test_errors__thread_local(void **state)
{
	(void)state;
	/* Covered more fully by the SDK's thread tests; here: clear works. */
	sesame_error_set(SESAME_EAUTH, NULL, "bad");
	sesame_error_clear();
	assert_int_equal(sesame_error_last()->code, SESAME_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors__last_is_never_null),
		cmocka_unit_test(test_errors__set_returns_code_and_keeps_message),
		cmocka_unit_test(test_errors__default_kind),
		cmocka_unit_test(test_errors__prefix),
		cmocka_unit_test(test_errors__long_message_truncated),
		cmocka_unit_test(test_errors__strerror_covers_every_code),
		cmocka_unit_test(test_errors__thread_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
