/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "buf.h"
#include "sesame/errors.h"

static void test_buf__append_and_terminate(void **state)
{
	(void)state;
	sbuf b = SBUF_INIT(100);
	assert_string_equal(sbuf_cstr(&b), "");
	assert_int_equal(sbuf_adds(&b, "hello"), 0);
	assert_int_equal(sbuf_addc(&b, ' '), 0);
	assert_int_equal(sbuf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.ptr, "hello 42-x");
	sbuf_free(&b);
	assert_null(b.ptr);
}

static void test_buf__max_is_enforced_and_frees(void **state)
{
	(void)state;
	sbuf b = SBUF_INIT(8);
	assert_int_equal(sbuf_adds(&b, "12345678"), 0);
	assert_int_equal(sbuf_addc(&b, '9'), SESAME_ETOOBIG);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
}

static void test_buf__huge_request_does_not_overflow(void **state)
{
	(void)state;
	sbuf b = SBUF_INIT((size_t)-1);
	assert_int_equal(sbuf_adds(&b, "ab"), 0);
	assert_int_equal(sbuf_grow(&b, (size_t)-1), SESAME_ETOOBIG);
}

static void test_buf__secure_grows_and_keeps_content(void **state)
{
	(void)state;
	sbuf b = SBUF_INIT_SECURE(1 << 20);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(sbuf_adds(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10000);
	assert_memory_equal(b.ptr + 9990, "0123456789", 10);
	sbuf_free(&b);
}

static void test_buf__detach(void **state)
{
	(void)state;
	sbuf b = SBUF_INIT(100);
	sbuf_adds(&b, "abc");
	size_t len;
	char *p = sbuf_detach(&b, &len);
	assert_int_equal(len, 3);
	assert_string_equal(p, "abc");
	assert_null(b.ptr);
	free(p);
}

static void test_buf__reset_wipes(void **state)
{
	(void)state;
	sbuf b = SBUF_INIT(100);
	sbuf_adds(&b, "secret");
	char *p = b.ptr;
	sbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.ptr, p);
	for (int i = 0; i < 6; i++)
		assert_int_equal(p[i], 0);
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__append_and_terminate),
		cmocka_unit_test(test_buf__max_is_enforced_and_frees),
		cmocka_unit_test(test_buf__huge_request_does_not_overflow),
		cmocka_unit_test(test_buf__secure_grows_and_keeps_content),
		cmocka_unit_test(test_buf__detach),
		cmocka_unit_test(test_buf__reset_wipes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
