/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "crypto/hkdf.h"
#include "sesame/errors.h"

/*
 * RFC 5869 appendix A, test cases 1-3 (HKDF-SHA256), typed in from the RFC
 * and cross-checked with Python's hmac/hashlib before being pasted here.
 */
struct rfc_case {
	const char *ikm, *salt, *info;
	size_t l;
	const char *prk, *okm;
};

static const struct rfc_case rfc_a1 = {
    "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
    "000102030405060708090a0b0c",
    "f0f1f2f3f4f5f6f7f8f9",
    42,
    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
    "34007208d5b887185865",
};

static const struct rfc_case rfc_a3 = {
    "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
    "",
    "",
    42,
    "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
    "9d201395faa4b61a96c8",
};

static void run_case(const unsigned char *ikm, size_t ikm_len, const unsigned char *salt,
		     size_t salt_len, const unsigned char *info, size_t info_len, size_t l,
		     const char *prk_hex, const char *okm_hex)
{
	unsigned char want_prk[32], want_okm[128], prk[32], okm[128];

	assert_int_equal(test_unhex(want_prk, sizeof want_prk, prk_hex), 32);
	assert_int_equal(test_unhex(want_okm, sizeof want_okm, okm_hex), l);

	assert_int_equal(hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len), 0);
	assert_memory_equal(prk, want_prk, 32);

	memset(okm, 0xee, sizeof okm);
	assert_int_equal(hkdf_sha256_expand(okm, l, prk, info, info_len), 0);
	assert_memory_equal(okm, want_okm, l);
	assert_int_equal(okm[l], 0xee); /* nothing written past L */

	memset(okm, 0, sizeof okm);
	assert_int_equal(hkdf_sha256(okm, l, salt, salt_len, ikm, ikm_len, info, info_len), 0);
	assert_memory_equal(okm, want_okm, l);
}

static void run_hex_case(const struct rfc_case *c)
{
	unsigned char ikm[80], salt[80], info[80];
	size_t ikm_len = test_unhex(ikm, sizeof ikm, c->ikm);
	size_t salt_len = test_unhex(salt, sizeof salt, c->salt);
	size_t info_len = test_unhex(info, sizeof info, c->info);

	run_case(ikm, ikm_len, salt_len ? salt : NULL, salt_len, info_len ? info : NULL, info_len,
		 c->l, c->prk, c->okm);
}

static void test_crypto_hkdf__rfc5869_a1(void **state)
{
	(void)state;
	run_hex_case(&rfc_a1);
}

static void test_crypto_hkdf__rfc5869_a2(void **state)
{
	(void)state;
	unsigned char ikm[80], salt[80], info[80];
	for (int i = 0; i < 80; i++) {
		ikm[i] = (unsigned char)i;
		salt[i] = (unsigned char)(0x60 + i);
		info[i] = (unsigned char)(0xb0 + i);
	}
	run_case(ikm, 80, salt, 80, info, 80, 82,
		 "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
		 "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
		 "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
		 "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

static void test_crypto_hkdf__rfc5869_a3(void **state)
{
	(void)state;
	/* No salt and no info: exercises the "HashLen zeros" default. */
	run_hex_case(&rfc_a3);
}

static void test_crypto_hkdf__empty_salt_is_zeros(void **state)
{
	(void)state;
	static const unsigned char zeros[32];
	unsigned char a[32], b[32], c[32];
	assert_int_equal(hkdf_sha256_extract(a, NULL, 0, "ikm", 3), 0);
	assert_int_equal(hkdf_sha256_extract(b, zeros, sizeof zeros, "ikm", 3), 0);
	assert_int_equal(hkdf_sha256_extract(c, "x", 1, "ikm", 3), 0);
	assert_memory_equal(a, b, 32);
	assert_memory_not_equal(a, c, 32);
}

static void test_crypto_hkdf__length_limits(void **state)
{
	(void)state;
	static unsigned char big[HKDF_SHA256_OUT_MAX + 1];
	unsigned char prk[32];
	memset(prk, 7, sizeof prk);
	assert_int_equal(hkdf_sha256_expand(big, 0, prk, NULL, 0), SESAME_EINVAL);
	assert_int_equal(hkdf_sha256_expand(big, HKDF_SHA256_OUT_MAX + 1, prk, NULL, 0),
			 SESAME_EINVAL);
	/* The largest L (255 blocks: the counter byte must not wrap) works. */
	assert_int_equal(hkdf_sha256_expand(big, HKDF_SHA256_OUT_MAX, prk, "i", 1), 0);

	/* A shorter output is a prefix of a longer one (same T(i) chain). */
	unsigned char s[40];
	assert_int_equal(hkdf_sha256_expand(s, sizeof s, prk, "i", 1), 0);
	assert_memory_equal(s, big, sizeof s);
	/* Blocks differ from each other: the counter is mixed in. */
	assert_memory_not_equal(big, big + 32, 32);
	assert_memory_not_equal(big + 254 * 32, big + 253 * 32, 32);
}

static void test_crypto_hkdf__info_separates(void **state)
{
	(void)state;
	unsigned char prk[32], a[32], b[32];
	memset(prk, 1, sizeof prk);
	assert_int_equal(hkdf_sha256_expand(a, 32, prk, "sesame unlock key", 17), 0);
	assert_int_equal(hkdf_sha256_expand(b, 32, prk, "sesame auth seed", 16), 0);
	assert_memory_not_equal(a, b, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_hkdf__rfc5869_a1),
	    cmocka_unit_test(test_crypto_hkdf__rfc5869_a2),
	    cmocka_unit_test(test_crypto_hkdf__rfc5869_a3),
	    cmocka_unit_test(test_crypto_hkdf__empty_salt_is_zeros),
	    cmocka_unit_test(test_crypto_hkdf__length_limits),
	    cmocka_unit_test(test_crypto_hkdf__info_separates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
