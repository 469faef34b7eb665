/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <sodium.h>

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

/* ---- wiped buffers: heap memory wiped on resize and free ---- */

static size_t released, released_nonzero;

static void check_released(const void *p, size_t cap)
{
	const unsigned char *c = p;
	released++;
	for (size_t i = 0; i < cap; i++)
		if (c[i])
			released_nonzero++;
}

static void test_buf__wiped_grows_shrinks_and_wipes(void **state)
{
	(void)state;
	released = released_nonzero = 0;
	sbuf_set_release_hook(check_released);
	sbuf b = SBUF_INIT_WIPED(1 << 20);
	assert_true(b.wiped);
	assert_false(b.secure);
	assert_int_equal(sbuf_adds(&b, "s3cr3t"), 0);
	/* Growing copies to a new block and wipes the old one. */
	for (int i = 0; i < 200; i++)
		assert_int_equal(sbuf_adds(&b, "0123456789"), 0);
	assert_true(released >= 1);
	assert_int_equal(b.len, 6 + 2000);
	assert_memory_equal(b.ptr, "s3cr3t0123456789", 16);
	assert_memory_equal(b.ptr + b.len - 10, "0123456789", 10);
	assert_int_equal(b.ptr[b.len], '\0');
	/* Shrinking (reset, then smaller content) keeps the memory, wiped. */
	size_t cap = b.cap;
	sbuf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	for (size_t i = 0; i < cap; i++)
		assert_int_equal(b.ptr[i], 0);
	assert_int_equal(sbuf_adds(&b, "ab"), 0);
	assert_string_equal(b.ptr, "ab");
	size_t before = released;
	sbuf_free(&b);
	assert_null(b.ptr);
	assert_int_equal(released, before + 1);
	/* Every released block was all zeros when it went back to malloc. */
	assert_int_equal(released_nonzero, 0);
	sbuf_set_release_hook(NULL);
}

static void test_buf__wiped_too_big_frees_wiped(void **state)
{
	(void)state;
	released = released_nonzero = 0;
	sbuf_set_release_hook(check_released);
	sbuf b;
	sbuf_init_wiped(&b, 8);
	assert_int_equal(sbuf_adds(&b, "12345678"), 0);
	assert_int_equal(sbuf_addc(&b, '9'), SESAME_ETOOBIG);
	assert_null(b.ptr);
	assert_int_equal(released, 1);
	assert_int_equal(released_nonzero, 0);
	sbuf_set_release_hook(NULL);
}

static void test_buf__wiped_detach_is_secure(void **state)
{
	(void)state;
	released = released_nonzero = 0;
	sbuf_set_release_hook(check_released);
	sbuf b = SBUF_INIT_WIPED(100);
	assert_int_equal(sbuf_adds(&b, "value"), 0);
	size_t len = 0;
	char *p = sbuf_detach(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_string_equal(p, "value");
	assert_null(b.ptr);
	/* The heap block went back wiped; the copy is sodium_malloc'ed. */
	assert_int_equal(released, 1);
	assert_int_equal(released_nonzero, 0);
	sodium_free(p);
	/* A wiped buffer that never allocated detaches to NULL. */
	sbuf e = SBUF_INIT_WIPED(100);
	assert_null(sbuf_detach(&e, &len));
	assert_int_equal(len, 0);
	sbuf_set_release_hook(NULL);
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
		cmocka_unit_test(test_buf__wiped_grows_shrinks_and_wipes),
		cmocka_unit_test(test_buf__wiped_too_big_frees_wiped),
		cmocka_unit_test(test_buf__wiped_detach_is_secure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
