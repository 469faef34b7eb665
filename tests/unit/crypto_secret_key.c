/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "crypto/secret_key.h"
#include "sesame/errors.h"

#define ACCOUNT "a7k3m9q2x8c4v6b1n5z0p7r2t4"
/* Account tags computed with Python: SHA-256(label || 0 || id)[i] % 31. */
#define ACCOUNT_TAG   "CKHDND"
#define ACCOUNT_2     "zzzzzzzzzzzzzzzzzzzzzzzzzz"
#define ACCOUNT_2_TAG "V5KHKN"

#define CANONICAL "S1CKHDND23456789ABCDEFGHJKLMNPQRST"
#define DISPLAY   "S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRST"

static void test_crypto_secret_key__entropy(void **state)
{
	(void)state;
	/*
	 * 26 symbols of 31 carry log2(31^26) = 128.8 bits. Shown without
	 * floating point: 31^26 does not fit in 128 bits (so it is >= 2^128),
	 * while 31^25 does (so 26 is the fewest symbols that reach 128 bits).
	 */
	unsigned __int128 v = 1;
	int overflowed_at = 0;
	for (int i = 1; i <= SECRET_KEY_RANDOM_CHARS; i++) {
		if (__builtin_mul_overflow(v, (unsigned __int128)SECRET_KEY_ALPHABET_SIZE, &v)) {
			overflowed_at = i;
			break;
		}
	}
	assert_int_equal(overflowed_at, 26);
	assert_int_equal(SECRET_KEY_RANDOM_CHARS, 26);
	assert_int_equal(SECRET_KEY_ALPHABET_SIZE, 31);
	assert_true(SECRET_KEY_ENTROPY_BITS >= 128);
	print_message("secret key entropy: 26 * log2(31) = 128.8 bits\n");
}

static void test_crypto_secret_key__alphabet(void **state)
{
	(void)state;
	const char *a = SECRET_KEY_ALPHABET;
	assert_int_equal(strlen(a), 31);
	/* None of the ambiguous characters. */
	assert_null(strpbrk(a, "01IOU"));
	/* No repeats. */
	for (size_t i = 0; i < 31; i++)
		assert_null(strchr(a + i + 1, a[i]));
}

static void test_crypto_secret_key__generate(void **state)
{
	(void)state;
	char k1[SECRET_KEY_CANONICAL_SIZE], k2[SECRET_KEY_CANONICAL_SIZE];
	char tag[SECRET_KEY_TAG_CHARS + 1];
	assert_int_equal(secret_key_account_tag(tag, ACCOUNT), 0);
	assert_string_equal(tag, ACCOUNT_TAG);
	assert_int_equal(secret_key_account_tag(tag, ACCOUNT_2), 0);
	assert_string_equal(tag, ACCOUNT_2_TAG);

	assert_int_equal(secret_key_generate(k1, ACCOUNT), 0);
	assert_int_equal(secret_key_generate(k2, ACCOUNT), 0);
	assert_int_equal(strlen(k1), 34);
	assert_memory_equal(k1, "S1" ACCOUNT_TAG, 8);
	assert_true(secret_key_is_canonical(k1));
	assert_string_not_equal(k1, k2);
	assert_int_equal(secret_key_check_account(k1, ACCOUNT), 0);
	assert_int_equal(secret_key_check_account(k1, ACCOUNT_2), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "secret_key_mismatch");
	assert_int_equal(secret_key_generate(k1, ""), SESAME_EINVAL);

	/* Over many keys, every symbol shows up in the random part, nothing else. */
	int seen[256] = {0};
	for (int n = 0; n < 500; n++) {
		assert_int_equal(secret_key_generate(k1, ACCOUNT), 0);
		for (int i = 8; i < 34; i++)
			seen[(unsigned char)k1[i]]++;
	}
	for (int c = 0; c < 256; c++)
		assert_int_equal(seen[c] > 0, strchr(SECRET_KEY_ALPHABET, c) != NULL && c != 0);
}

static void test_crypto_secret_key__format(void **state)
{
	(void)state;
	char out[SECRET_KEY_DISPLAY_SIZE];
	assert_int_equal(secret_key_format(out, CANONICAL), 0);
	assert_string_equal(out, DISPLAY);
	assert_int_equal(strlen(out), SECRET_KEY_DISPLAY_LEN);
	assert_int_equal(secret_key_format(out, DISPLAY), SESAME_EINVAL);
}

static void parses_to(const char *text, const char *want)
{
	char out[SECRET_KEY_CANONICAL_SIZE];
	assert_int_equal(secret_key_parse(out, text, strlen(text)), 0);
	assert_string_equal(out, want);
}

static void test_crypto_secret_key__parse_tolerant(void **state)
{
	(void)state;
	parses_to(CANONICAL, CANONICAL);
	parses_to(DISPLAY, CANONICAL);
	parses_to("s1-ckhdnd-234567-89abc-defgh-jklmn-pqrst", CANONICAL);
	parses_to("S1 CKHDND 234567 89ABC DEFGH JKLMN PQRST", CANONICAL);
	parses_to("  s1ckhdnd23456789abcdefghjklmnpqrst\n", CANONICAL);
	parses_to("S1-CKH-DND2-3456789ABCDEF--GHJKLMNPQRST", CANONICAL);

	/* generate -> format -> parse is the identity. */
	char k[SECRET_KEY_CANONICAL_SIZE], d[SECRET_KEY_DISPLAY_SIZE];
	assert_int_equal(secret_key_generate(k, ACCOUNT), 0);
	assert_int_equal(secret_key_format(d, k), 0);
	parses_to(d, k);
}

/* Fails with `code` and a message that contains none of the key's text. */
static void parse_fails(const char *text, int code, const char *kind)
{
	char out[SECRET_KEY_CANONICAL_SIZE];
	assert_int_equal(secret_key_parse(out, text, strlen(text)), code);
	assert_string_equal(sesame_error_last()->kind, kind);
	const char *msg = sesame_error_last()->message;
	assert_null(strstr(msg, "CKHDND"));
	assert_null(strstr(msg, "ckhdnd"));
	assert_null(strstr(msg, "PQRS"));
	assert_null(strstr(msg, "89AB"));
	/* Nothing half-parsed is left behind. */
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0);
}

static void test_crypto_secret_key__parse_errors(void **state)
{
	(void)state;
	/* Wrong length. */
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRS", SESAME_EINVAL, "invalid_secret_key");
	assert_non_null(strstr(sesame_error_last()->message, "33 characters"));
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRST2", SESAME_EINVAL,
		    "invalid_secret_key");
	parse_fails("", SESAME_EINVAL, "invalid_secret_key");
	parse_fails(" - ", SESAME_EINVAL, "invalid_secret_key");

	/* Characters outside the alphabet: 0, O, 1, I, U, and punctuation. */
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRS0", SESAME_EINVAL,
		    "invalid_secret_key");
	assert_non_null(strstr(sesame_error_last()->message, "position 40"));
	parse_fails("S1-CKHDND-O34567-89ABC-DEFGH-JKLMN-PQRST", SESAME_EINVAL,
		    "invalid_secret_key");
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRS1", SESAME_EINVAL,
		    "invalid_secret_key");
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRSI", SESAME_EINVAL,
		    "invalid_secret_key");
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRSU", SESAME_EINVAL,
		    "invalid_secret_key");
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRS.", SESAME_EINVAL,
		    "invalid_secret_key");
	parse_fails("S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRS\xc3\xa9", SESAME_EINVAL,
		    "invalid_secret_key");

	/* Version. */
	parse_fails("S2-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRST", SESAME_EUNSUPPORTED,
		    "unsupported_secret_key");
	parse_fails("CKHDND-234567-89ABC-DEFGH-JKLMN-PQRST", SESAME_EINVAL, "invalid_secret_key");
	assert_non_null(strstr(sesame_error_last()->message, "'S1'"));

	/* A NULL text or an absurd length. */
	char out[SECRET_KEY_CANONICAL_SIZE];
	assert_int_equal(secret_key_parse(out, NULL, 0), SESAME_EINVAL);
	char big[SECRET_KEY_TEXT_MAX + 2];
	memset(big, '-', sizeof big);
	assert_int_equal(secret_key_parse(out, big, sizeof big), SESAME_EINVAL);
}

static void test_crypto_secret_key__is_canonical(void **state)
{
	(void)state;
	assert_true(secret_key_is_canonical(CANONICAL));
	assert_false(secret_key_is_canonical(DISPLAY));
	assert_false(secret_key_is_canonical("s1ckhdnd23456789abcdefghjklmnpqrst"));
	assert_false(secret_key_is_canonical("S1CKHDND23456789ABCDEFGHJKLMNPQRS"));
	assert_false(secret_key_is_canonical("S1CKHDND23456789ABCDEFGHJKLMNPQRSTV"));
	assert_false(secret_key_is_canonical("S2CKHDND23456789ABCDEFGHJKLMNPQRST"));
	assert_false(secret_key_is_canonical("S1CKHDND23456789ABCDEFGHJKLMNPQRS0"));
	assert_false(secret_key_is_canonical(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_secret_key__entropy),
	    cmocka_unit_test(test_crypto_secret_key__alphabet),
	    cmocka_unit_test(test_crypto_secret_key__generate),
	    cmocka_unit_test(test_crypto_secret_key__format),
	    cmocka_unit_test(test_crypto_secret_key__parse_tolerant),
	    cmocka_unit_test(test_crypto_secret_key__parse_errors),
	    cmocka_unit_test(test_crypto_secret_key__is_canonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
