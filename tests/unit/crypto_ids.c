/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <sodium.h>

#include "crypto/ids.h"

#define SAMPLE_IDS 20000

/*
 * Chi-square thresholds, computed with mpmath's regularised upper gamma:
 * - 36 symbols, 35 degrees of freedom: P(chi2 > 130) = 5e-13;
 * - 26 positions x 36 symbols, 935 degrees of freedom:
 *   P(chi2 > 1275) < 1e-12.
 * So an unbiased generator fails this test about once in a trillion runs,
 * while a `byte % 36` generator (symbols a-d at 8/256, the rest at 7/256)
 * scores about 1050 on the first statistic with 520,000 draws; the
 * power check below shows that on the spot.
 */
#define CHI2_SYMBOLS_MAX 130.0
#define CHI2_CELLS_MAX   1275.0

static int symbol_index(char c)
{
	const char *p = strchr(ID_ALPHABET, c);
	assert_non_null(p);
	return (int)(p - ID_ALPHABET);
}

static double chi2(const unsigned long *counts, size_t cells, double expected)
{
	double sum = 0;
	for (size_t i = 0; i < cells; i++) {
		double d = (double)counts[i] - expected;
		sum += d * d / expected;
	}
	return sum;
}

static void test_crypto_ids__format(void **state)
{
	(void)state;
	char id[ID_SIZE];
	for (int n = 0; n < 1000; n++) {
		memset(id, 'X', sizeof id);
		id_new(id);
		assert_int_equal(strlen(id), ID_LEN);
		assert_int_equal(strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789"), ID_LEN);
		assert_true(id_is_valid(id));
	}
}

static void test_crypto_ids__validity(void **state)
{
	(void)state;
	assert_true(id_is_valid("abcdefghijklmnopqrstuvwxyz"));
	assert_true(id_is_valid("0123456789abcdef0123456789"));
	assert_false(id_is_valid("abcdefghijklmnopqrstuvwxy"));   /* 25 */
	assert_false(id_is_valid("abcdefghijklmnopqrstuvwxyz0")); /* 27 */
	assert_false(id_is_valid("Abcdefghijklmnopqrstuvwxyz"));  /* uppercase */
	assert_false(id_is_valid("abcdefghijklm-opqrstuvwxyz"));  /* punctuation */
	assert_false(id_is_valid("abcdefghijklm_opqrstuvwxyz"));
	assert_false(id_is_valid("abcdefghijklm opqrstuvwxyz"));
	assert_false(id_is_valid("abcdefghijklm\xc3\xa9pqrstuvwxy"));
	assert_false(id_is_valid(""));
	assert_false(id_is_valid(NULL));
	/* An embedded NUL ends the string early. */
	assert_false(id_is_valid("abcdefghijklm\0opqrstuvwxyz"));
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_crypto_ids__no_duplicates(void **state)
{
	(void)state;
	enum { N = 2000 };
	char(*ids)[ID_SIZE] = calloc(N, ID_SIZE);
	assert_non_null(ids);
	for (int i = 0; i < N; i++)
		id_new(ids[i]);
	qsort(ids, N, ID_SIZE, compare_ids);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
}

static void test_crypto_ids__uniform_chi_square(void **state)
{
	(void)state;
	static unsigned long symbols[ID_ALPHABET_SIZE];
	static unsigned long cells[ID_LEN * ID_ALPHABET_SIZE];
	char id[ID_SIZE];
	const double draws = (double)SAMPLE_IDS * ID_LEN;

	memset(symbols, 0, sizeof symbols);
	memset(cells, 0, sizeof cells);
	for (int n = 0; n < SAMPLE_IDS; n++) {
		id_new(id);
		for (int i = 0; i < ID_LEN; i++) {
			int s = symbol_index(id[i]);
			symbols[s]++;
			cells[i * ID_ALPHABET_SIZE + s]++;
		}
	}
	double x_sym = chi2(symbols, ID_ALPHABET_SIZE, draws / ID_ALPHABET_SIZE);
	double x_cell =
	    chi2(cells, ID_LEN * ID_ALPHABET_SIZE, (double)SAMPLE_IDS / ID_ALPHABET_SIZE);
	print_message("chi2 symbols %.1f (df 35, max %.0f), cells %.1f (df 935, max %.0f)\n", x_sym,
		      CHI2_SYMBOLS_MAX, x_cell, CHI2_CELLS_MAX);
	assert_true(x_sym < CHI2_SYMBOLS_MAX);
	assert_true(x_cell < CHI2_CELLS_MAX);
	/* Every symbol turns up at every position. */
	for (size_t i = 0; i < ID_LEN * ID_ALPHABET_SIZE; i++)
		assert_true(cells[i] > 0);
}

/* The statistic has teeth: the classic modulo-biased generator fails it. */
static void test_crypto_ids__chi_square_catches_modulo_bias(void **state)
{
	(void)state;
	static unsigned long symbols[ID_ALPHABET_SIZE];
	unsigned char buf[ID_LEN];
	const double draws = (double)SAMPLE_IDS * ID_LEN;

	assert_true(sodium_init() >= 0);
	memset(symbols, 0, sizeof symbols);
	for (int n = 0; n < SAMPLE_IDS; n++) {
		randombytes_buf(buf, sizeof buf);
		for (int i = 0; i < ID_LEN; i++)
			symbols[buf[i] % ID_ALPHABET_SIZE]++;
	}
	double x = chi2(symbols, ID_ALPHABET_SIZE, draws / ID_ALPHABET_SIZE);
	print_message("chi2 of byte %% 36: %.1f\n", x);
	assert_true(x > CHI2_SYMBOLS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_ids__format),
	    cmocka_unit_test(test_crypto_ids__validity),
	    cmocka_unit_test(test_crypto_ids__no_duplicates),
	    cmocka_unit_test(test_crypto_ids__uniform_chi_square),
	    cmocka_unit_test(test_crypto_ids__chi_square_catches_modulo_bias),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
