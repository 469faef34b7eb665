/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "base32.h"
#include "sesame/errors.h"

/* RFC 4648 section 10. */
static const char *const rfc_in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const rfc_b32[] = {"",         "MY======", "MZXQ====",        "MZXW6===",
				      "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};

static void test_base32__rfc4648_decode(void **state)
{
	(void)state;
	unsigned char bin[16];
	size_t n;
	for (int i = 0; i < 7; i++) {
		n = 99;
		assert_int_equal(base32_decode(bin, sizeof bin, &n, rfc_b32[i], strlen(rfc_b32[i])),
				 0);
		assert_int_equal(n, strlen(rfc_in[i]));
		assert_memory_equal(bin, rfc_in[i], n);
	}
}

static void test_base32__rfc4648_encode(void **state)
{
	(void)state;
	static const char *const nopad[] = {"",      "MY",       "MZXQ",      "MZXW6",
					    "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
	char out[32];
	for (int i = 0; i < 7; i++) {
		size_t len = strlen(rfc_in[i]);
		assert_int_equal(base32_encode(out, sizeof out, rfc_in[i], len, true), 0);
		assert_string_equal(out, rfc_b32[i]);
		assert_int_equal(base32_encoded_size(len, true), strlen(rfc_b32[i]) + 1);
		assert_int_equal(base32_encode(out, sizeof out, rfc_in[i], len, false), 0);
		assert_string_equal(out, nopad[i]);
		assert_int_equal(base32_encoded_size(len, false), strlen(nopad[i]) + 1);
	}
}

/* Unpadded, lower case and grouped with spaces: how secrets get pasted. */
static void test_base32__lenient_forms(void **state)
{
	(void)state;
	static const char *const forms[] = {"MZXW6YTBOI", "mzxw6ytboi", "MzXw6YtBoI",
					    "MZXW 6YTB OI", " MZXW6YTBOI ", "MZXW6YTBOI======",
					    "MZ=XW6YTBOI"};
	unsigned char bin[16];
	size_t n;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		assert_int_equal(base32_decode(bin, sizeof bin, &n, forms[i], strlen(forms[i])), 0);
		assert_int_equal(n, 6);
		assert_memory_equal(bin, "foobar", 6);
	}
}

/* Every character of the alphabet maps to its value, in both cases. */
static void test_base32__whole_alphabet(void **state)
{
	(void)state;
	const char *upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	const char *lower = "abcdefghijklmnopqrstuvwxyz234567";
	/* 32 values of 5 bits, 0..31 in order, are these 20 bytes. */
	unsigned char expect[20];
	test_unhex(expect, sizeof expect, "00443214c74254b635cf84653a56d7c675be77df");
	unsigned char bin[24];
	size_t n;
	assert_int_equal(base32_decode(bin, sizeof bin, &n, upper, 32), 0);
	assert_int_equal(n, 20);
	assert_memory_equal(bin, expect, 20);
	assert_int_equal(base32_decode(bin, sizeof bin, &n, lower, 32), 0);
	assert_int_equal(n, 20);
	assert_memory_equal(bin, expect, 20);

	char out[40];
	assert_int_equal(base32_encode(out, sizeof out, expect, 20, false), 0);
	assert_string_equal(out, upper);
}

static void test_base32__rejects_characters(void **state)
{
	(void)state;
	/* 0, 1, 8 and 9 are not in the alphabet; nor is anything else. */
	static const char *const bad[] = {"MZXW6YT0", "MZXW6YT1", "MZXW6YT8", "MZXW6YT9",
					  "MZXW6YT!", "MZXW\t6YTB", "MZXW\n6YTB", "MZXW-6YTB",
					  "MZXW6YT\xc3\x89"};
	unsigned char bin[16];
	size_t n;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(base32_decode(bin, sizeof bin, &n, bad[i], strlen(bad[i])),
				 SESAME_EINVAL);
	/* An embedded NUL inside the given length is a bad character too. */
	assert_int_equal(base32_decode(bin, sizeof bin, &n, "MZ\0W6YTB", 8), SESAME_EINVAL);
}

/* 1, 3 or 6 significant characters mod 8 cannot come from any encoder. */
static void test_base32__rejects_impossible_lengths(void **state)
{
	(void)state;
	unsigned char bin[16];
	size_t n;
	assert_int_equal(base32_decode(bin, sizeof bin, &n, "M", 1), SESAME_EINVAL);
	assert_int_equal(base32_decode(bin, sizeof bin, &n, "MZX", 3), SESAME_EINVAL);
	assert_int_equal(base32_decode(bin, sizeof bin, &n, "MZXW6Y", 6), SESAME_EINVAL);
	assert_int_equal(base32_decode(bin, sizeof bin, &n, "MZXW6YTBO", 9), SESAME_EINVAL);
	/* Only '=' and spaces: nothing to decode, which is not an error. */
	assert_int_equal(base32_decode(bin, sizeof bin, &n, " == ", 4), 0);
	assert_int_equal(n, 0);
}

static void test_base32__small_buffers(void **state)
{
	(void)state;
	unsigned char bin[5];
	char out[16];
	size_t n;
	assert_int_equal(base32_decode(bin, sizeof bin, &n, "MZXW6YTBOI", 10), SESAME_EBUFSIZE);
	assert_int_equal(base32_decode(bin, sizeof bin, &n, "MZXW6YTB", 8), 0);
	assert_int_equal(n, 5);
	/* "foobar" needs 16 + NUL padded, 10 + NUL unpadded. */
	assert_int_equal(base32_encode(out, sizeof out, "foobar", 6, true), SESAME_EBUFSIZE);
	assert_int_equal(base32_encode(out, 11, "foobar", 6, false), 0);
	assert_int_equal(base32_encode(out, 10, "foobar", 6, false), SESAME_EBUFSIZE);
	assert_true(base32_decoded_max(10) >= 6);
}

/* Round trip over every length 0..64 with all byte values. */
static void test_base32__round_trip(void **state)
{
	(void)state;
	unsigned char in[64], bin[64];
	char text[128];
	size_t n;
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof in; len++) {
		for (int pad = 0; pad < 2; pad++) {
			assert_int_equal(base32_encode(text, sizeof text, in, len, pad), 0);
			assert_int_equal(base32_decode(bin, sizeof bin, &n, text, strlen(text)), 0);
			assert_int_equal(n, len);
			assert_memory_equal(bin, in, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base32__rfc4648_decode),
		cmocka_unit_test(test_base32__rfc4648_encode),
		cmocka_unit_test(test_base32__lenient_forms),
		cmocka_unit_test(test_base32__whole_alphabet),
		cmocka_unit_test(test_base32__rejects_characters),
		cmocka_unit_test(test_base32__rejects_impossible_lengths),
		cmocka_unit_test(test_base32__small_buffers),
		cmocka_unit_test(test_base32__round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
