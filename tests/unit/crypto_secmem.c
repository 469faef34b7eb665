/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "crypto/secmem.h"
#include "sesame/errors.h"

static void test_crypto_secmem__alloc_and_free(void **state)
{
	(void)state;
	unsigned char *p = secmem_alloc(100);
	assert_non_null(p);
	memset(p, 0xaa, 100); /* the whole block is writable */
	secmem_free(p);
	secmem_free(NULL); /* a no-op, like free() */
}

static void test_crypto_secmem__calloc_is_zeroed(void **state)
{
	(void)state;
	static const unsigned char zero[77];
	unsigned char *p = secmem_calloc(sizeof zero);
	assert_non_null(p);
	assert_memory_equal(p, zero, sizeof zero);
	secmem_free(p);
}

static void test_crypto_secmem__strdup_copies(void **state)
{
	(void)state;
	const char *src = "hunter2";
	char *p = secmem_strdup(src);
	assert_non_null(p);
	assert_ptr_not_equal(p, src);
	assert_string_equal(p, "hunter2");
	secmem_free(p);

	p = secmem_strdup("");
	assert_non_null(p);
	assert_string_equal(p, "");
	secmem_free(p);
}

static void test_crypto_secmem__strndup_copies_exactly(void **state)
{
	(void)state;
	const char src[] = {'a', '\0', 'b', 'c', 'd'};
	char *p = secmem_strndup(src, 4);
	assert_non_null(p);
	assert_memory_equal(p, src, 4); /* embedded NUL kept */
	assert_int_equal(p[4], '\0');
	secmem_free(p);
}

static void test_crypto_secmem__strdup_null(void **state)
{
	(void)state;
	assert_null(secmem_strdup(NULL));
	assert_int_equal(sesame_error_last()->code, SESAME_EINVAL);
	assert_null(secmem_strndup(NULL, 3));
}

static void test_crypto_secmem__wipe(void **state)
{
	(void)state;
	unsigned char buf[33];
	static const unsigned char zero[33];
	memset(buf, 0x5c, sizeof buf);
	secmem_wipe(buf, sizeof buf);
	assert_memory_equal(buf, zero, sizeof buf);
	secmem_wipe(NULL, 10); /* tolerated */
	assert_int_equal(secmem_init(), 0);
	assert_int_equal(secmem_init(), 0); /* idempotent */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_secmem__alloc_and_free),
	    cmocka_unit_test(test_crypto_secmem__calloc_is_zeroed),
	    cmocka_unit_test(test_crypto_secmem__strdup_copies),
	    cmocka_unit_test(test_crypto_secmem__strndup_copies_exactly),
	    cmocka_unit_test(test_crypto_secmem__strdup_null),
	    cmocka_unit_test(test_crypto_secmem__wipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
