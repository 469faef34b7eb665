/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HOTP/TOTP vectors are the RFCs' own tables (RFC 4226 appendix D, RFC 6238
 * appendix B). The otpauth expectations that the RFCs do not cover
 * (7 digits, other periods) were computed with Python's hmac module:
 *   mac = hmac.new(key, struct.pack(">Q", t // period), alg).digest()
 *   o = mac[-1] & 15
 *   (int.from_bytes(mac[o:o+4], "big") & 0x7fffffff) % 10**digits
 */
#include "test.h"

#include "otp/totp.h"
#include "sesame/errors.h"

#include <stdio.h>

#define SEED20 "12345678901234567890"
#define SEED32 "12345678901234567890123456789012"
#define SEED64 "1234567890123456789012345678901234567890123456789012345678901234"
/* The same seeds in base32 (Python base64.b32encode, padding dropped). */
#define B32_20 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define B32_32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
#define B32_64                                                                                     \
	"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBV" \
	"GY3TQOJQGEZDGNA"

static const struct {
	int64_t time;
	const char *sha1, *sha256, *sha512;
} rfc6238[] = {
	{59, "94287082", "46119246", "90693936"},
	{1111111109, "07081804", "68084774", "25091201"},
	{1111111111, "14050471", "67062674", "99943326"},
	{1234567890, "89005924", "91819424", "93441116"},
	{2000000000, "69279037", "90698825", "38618901"},
	{20000000000, "65353130", "77737706", "47863826"},
};

static void expect_error(int rc, int code, const char *kind)
{
	assert_int_equal(rc, code);
	assert_string_equal(sesame_error_last()->kind, kind);
}

/* The message of the last error never shows the secret, in any case. */
static void assert_message_hides(const char *secret)
{
	const char *msg = sesame_error_last()->message;
	assert_null(strstr(msg, secret));
	assert_null(strstr(msg, "GEZDGNBV"));
}

static void test_totp__rfc4226_hotp(void **state)
{
	(void)state;
	static const char *const expect[] = {"755224", "287082", "359152", "969429", "338314",
					     "254676", "287922", "162583", "399871", "520489"};
	char code[TOTP_CODE_MAX];
	for (uint64_t c = 0; c < 10; c++) {
		assert_int_equal(hotp_code(code, (const unsigned char *)SEED20, 20, OTP_ALG_SHA1,
					   6, c),
				 0);
		assert_string_equal(code, expect[c]);
	}
}

static void check_table(otp_algorithm alg, const char *seed, size_t seed_len)
{
	totp_params p = {(unsigned char *)seed, seed_len, alg, 8, 30, NULL, NULL};
	char code[TOTP_CODE_MAX];
	for (size_t i = 0; i < sizeof rfc6238 / sizeof rfc6238[0]; i++) {
		const char *want = alg == OTP_ALG_SHA1     ? rfc6238[i].sha1
				   : alg == OTP_ALG_SHA256 ? rfc6238[i].sha256
							   : rfc6238[i].sha512;
		assert_int_equal(totp_code(code, &p, rfc6238[i].time), 0);
		assert_string_equal(code, want);
	}
}

static void test_totp__rfc6238_sha1(void **state)
{
	(void)state;
	check_table(OTP_ALG_SHA1, SEED20, 20);
}

static void test_totp__rfc6238_sha256(void **state)
{
	(void)state;
	check_table(OTP_ALG_SHA256, SEED32, 32);
}

static void test_totp__rfc6238_sha512(void **state)
{
	(void)state;
	check_table(OTP_ALG_SHA512, SEED64, 64);
}

/* The whole table again, this time going through otpauth URIs. */
static void test_totp__rfc6238_via_uri(void **state)
{
	(void)state;
	static const char *const uris[] = {
		"otpauth://totp/RFC:6238?secret=" B32_20 "&algorithm=SHA1&digits=8",
		"otpauth://totp/RFC:6238?secret=" B32_32 "&algorithm=SHA256&digits=8",
		"otpauth://totp/RFC:6238?secret=" B32_64 "&algorithm=SHA512&digits=8",
	};
	char code[TOTP_CODE_MAX];
	for (size_t i = 0; i < sizeof rfc6238 / sizeof rfc6238[0]; i++) {
		const char *want[] = {rfc6238[i].sha1, rfc6238[i].sha256, rfc6238[i].sha512};
		for (int a = 0; a < 3; a++) {
			assert_int_equal(totp_code_from_value(code, uris[a], rfc6238[i].time), 0);
			assert_string_equal(code, want[a]);
		}
	}
}

static void test_totp__six_digits_keep_leading_zeros(void **state)
{
	(void)state;
	totp_params p = {(unsigned char *)SEED20, 20, OTP_ALG_SHA1, 6, 30, NULL, NULL};
	char code[TOTP_CODE_MAX];
	/* 8 digits 07081804 and 89005924: the last six start with zeros. */
	assert_int_equal(totp_code(code, &p, 1111111109), 0);
	assert_string_equal(code, "081804");
	assert_int_equal(totp_code(code, &p, 1234567890), 0);
	assert_string_equal(code, "005924");
	p.digits = 7;
	assert_int_equal(totp_code(code, &p, 1234567890), 0);
	assert_string_equal(code, "9005924");
	p.digits = 8;
	assert_int_equal(totp_code(code, &p, 1111111109), 0);
	assert_string_equal(code, "07081804");
	assert_int_equal(strlen(code), 8);
}

static void test_totp__uri_all_parameters(void **state)
{
	(void)state;
	totp_params p;
	char code[TOTP_CODE_MAX];
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/ACME%20Co:john.doe%40email.com"
					       "?secret=" B32_32 "&issuer=ACME%20Co"
					       "&algorithm=SHA256&digits=7&period=60"),
			 0);
	assert_int_equal(p.secret_len, 32);
	assert_memory_equal(p.secret, SEED32, 32);
	assert_int_equal(p.algorithm, OTP_ALG_SHA256);
	assert_int_equal(p.digits, 7);
	assert_int_equal(p.period, 60);
	assert_string_equal(p.issuer, "ACME Co");
	assert_string_equal(p.account, "john.doe@email.com");
	/* Python: SHA256, 7 digits, period 60, t = 1111111111. */
	assert_int_equal(totp_code(code, &p, 1111111111), 0);
	assert_string_equal(code, "0857319");
	totp_params_free(&p);
	assert_null(p.secret);
	assert_null(p.issuer);
	assert_null(p.account);

	/* Parameter names and algorithm values in any case, in any order. */
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/x?PERIOD=45&Algorithm=sha512"
					       "&DIGITS=6&Secret=" B32_64),
			 0);
	assert_int_equal(p.algorithm, OTP_ALG_SHA512);
	assert_int_equal(p.period, 45);
	assert_int_equal(p.digits, 6);
	/* Python: SHA512, 6 digits, period 45, t = 2000000000. */
	assert_int_equal(totp_code(code, &p, 2000000000), 0);
	assert_string_equal(code, "856446");
	totp_params_free(&p);
}

static void test_totp__uri_defaults(void **state)
{
	(void)state;
	totp_params p;
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/alice@example.com?secret=" B32_20),
			 0);
	assert_int_equal(p.algorithm, OTP_ALG_SHA1);
	assert_int_equal(p.digits, 6);
	assert_int_equal(p.period, 30);
	assert_null(p.issuer);
	assert_string_equal(p.account, "alice@example.com");
	assert_int_equal(p.secret_len, 20);
	assert_memory_equal(p.secret, SEED20, 20);
	totp_params_free(&p);

	/* No label at all, and an upper-case scheme and type. */
	assert_int_equal(totp_params_parse(&p, "OTPAUTH://TOTP/?secret=" B32_20), 0);
	assert_null(p.issuer);
	assert_null(p.account);
	totp_params_free(&p);
}

static void test_totp__uri_label_forms(void **state)
{
	(void)state;
	totp_params p;
	/* "Issuer: account" with the optional space(s) before the account. */
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/Example:%20%20alice?secret=" B32_20),
			 0);
	assert_string_equal(p.issuer, "Example");
	assert_string_equal(p.account, "alice");
	totp_params_free(&p);

	/* An encoded colon separates like a literal one. */
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/Example%3Aalice?secret=" B32_20), 0);
	assert_string_equal(p.issuer, "Example");
	assert_string_equal(p.account, "alice");
	totp_params_free(&p);

	/* The issuer parameter wins over the label's prefix. */
	assert_int_equal(
		totp_params_parse(&p, "otpauth://totp/Old:alice?issuer=New&secret=" B32_20), 0);
	assert_string_equal(p.issuer, "New");
	assert_string_equal(p.account, "alice");
	totp_params_free(&p);

	/* In the label path '+' is a plus; in a query value it is a space. */
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/A+B:c+d?secret=" B32_20
					       "&issuer=Big+Corp%2B"),
			 0);
	assert_string_equal(p.issuer, "Big Corp+");
	assert_string_equal(p.account, "c+d");
	totp_params_free(&p);

	/* An empty issuer prefix leaves the issuer unset. */
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/:bob?secret=" B32_20), 0);
	assert_null(p.issuer);
	assert_string_equal(p.account, "bob");
	totp_params_free(&p);
}

static void test_totp__uri_percent_encoded_secret(void **state)
{
	(void)state;
	totp_params p;
	/* %47 is 'G', %20 a space (ignored by base32), '=' padding tolerated. */
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/x?secret=%47EZD%20GNBV+GY3TQOJQ"
					       "GEZDGNBVGY3TQOJQ%3D%3D"),
			 0);
	assert_int_equal(p.secret_len, 20);
	assert_memory_equal(p.secret, SEED20, 20);
	totp_params_free(&p);
}

static void test_totp__uri_unknown_parameters_ignored(void **state)
{
	(void)state;
	totp_params p;
	char code[TOTP_CODE_MAX];
	assert_int_equal(
		totp_params_parse(&p, "otpauth://totp/x?image=https%3A%2F%2Fexample.com%2Fa.png"
				      "&&counter=7&flag&secret=" B32_20 "&color=%zz#fragment"),
		0);
	assert_int_equal(p.digits, 6);
	assert_int_equal(totp_code(code, &p, 59), 0);
	assert_string_equal(code, "287082");
	totp_params_free(&p);
}

static void test_totp__uri_errors(void **state)
{
	(void)state;
	totp_params p;
	const char *secret = B32_20;

	expect_error(totp_params_parse(&p, "otpauth://hotp/x?secret=" B32_20 "&counter=1"),
		     SESAME_EUNSUPPORTED, "otp_unsupported");
	assert_non_null(strstr(sesame_error_last()->message, "hotp"));
	assert_null(p.secret);
	expect_error(totp_params_parse(&p, "otpauth://motp/x?secret=" B32_20), SESAME_EINVAL,
		     "otp_invalid_uri");
	expect_error(totp_params_parse(&p, "otpauth://totp"), SESAME_EINVAL, "otp_invalid_uri");
	expect_error(totp_params_parse(&p, "otpauth://totp/alice"), SESAME_EINVAL,
		     "otp_missing_secret");
	expect_error(totp_params_parse(&p, "otpauth://totp/alice?issuer=X&digits=6"),
		     SESAME_EINVAL, "otp_missing_secret");
	expect_error(totp_params_parse(&p, "otpauth://totp/alice?secret="), SESAME_EINVAL,
		     "otp_missing_secret");
	expect_error(totp_params_parse(&p, "otpauth://totp/alice?secret=%20%3D"), SESAME_EINVAL,
		     "otp_missing_secret");

	expect_error(totp_params_parse(&p, "otpauth://totp/a?secret=GEZDGNBVGY3TQOJ0"),
		     SESAME_EINVAL, "otp_invalid_secret");
	assert_message_hides("GEZDGNBVGY3TQOJ0");
	expect_error(totp_params_parse(&p, "otpauth://totp/a?secret=GEZDG%4"), SESAME_EINVAL,
		     "otp_invalid_secret");
	expect_error(totp_params_parse(&p, "otpauth://totp/a?secret=GEZD%00GNBV"), SESAME_EINVAL,
		     "otp_invalid_secret");

	static const char *const bad_digits[] = {"5", "9", "10", "", "6a", "+6", "-6",
						 "99999999999999999999"};
	char uri[256];
	for (size_t i = 0; i < sizeof bad_digits / sizeof bad_digits[0]; i++) {
		snprintf(uri, sizeof uri, "otpauth://totp/a?secret=%s&digits=%s", secret,
			 bad_digits[i]);
		expect_error(totp_params_parse(&p, uri), SESAME_EINVAL, "otp_invalid_parameter");
		assert_message_hides(secret);
	}
	static const char *const bad_period[] = {"0", "-30", "86401", "", "30s", "4294967326"};
	for (size_t i = 0; i < sizeof bad_period / sizeof bad_period[0]; i++) {
		snprintf(uri, sizeof uri, "otpauth://totp/a?secret=%s&period=%s", secret,
			 bad_period[i]);
		expect_error(totp_params_parse(&p, uri), SESAME_EINVAL, "otp_invalid_parameter");
	}
	assert_int_equal(totp_params_parse(&p, "otpauth://totp/a?period=86400&secret=" B32_20), 0);
	totp_params_free(&p);

	expect_error(totp_params_parse(&p, "otpauth://totp/a?secret=" B32_20 "&algorithm=MD5"),
		     SESAME_EUNSUPPORTED, "otp_unsupported");
	assert_non_null(strstr(sesame_error_last()->message, "'MD5'"));
	assert_message_hides(secret);
	expect_error(totp_params_parse(&p, "otpauth://totp/a?secret=" B32_20 "&algorithm=SHA-1"),
		     SESAME_EUNSUPPORTED, "otp_unsupported");

	expect_error(totp_params_parse(&p, "otpauth://totp/a?secret=" B32_20 "&secret=" B32_32),
		     SESAME_EINVAL, "otp_invalid_uri");
	assert_message_hides(secret);
	expect_error(totp_params_parse(&p, "otpauth://totp/a?digits=6&secret=" B32_20 "&digits=8"),
		     SESAME_EINVAL, "otp_invalid_uri");
	expect_error(totp_params_parse(&p, "otpauth://totp/a%2?secret=" B32_20), SESAME_EINVAL,
		     "otp_invalid_uri");
	expect_error(totp_params_parse(&p, "otpauth://totp/a?secret=" B32_20 "&issuer=%zz"),
		     SESAME_EINVAL, "otp_invalid_uri");
	/* A failed parse leaves nothing behind to free. */
	assert_null(p.secret);
	assert_null(p.issuer);
	assert_null(p.account);
	totp_params_free(&p);
}

static void test_totp__bare_secret(void **state)
{
	(void)state;
	static const char *const forms[] = {B32_20, "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
					    "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ",
					    B32_20 "\n", "  " B32_20 "==== \r\n"};
	char code[TOTP_CODE_MAX];
	totp_params p;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		assert_int_equal(totp_params_parse(&p, forms[i]), 0);
		assert_int_equal(p.secret_len, 20);
		assert_memory_equal(p.secret, SEED20, 20);
		assert_int_equal(p.algorithm, OTP_ALG_SHA1);
		assert_int_equal(p.digits, 6);
		assert_int_equal(p.period, 30);
		assert_null(p.issuer);
		assert_null(p.account);
		assert_int_equal(totp_code(code, &p, 59), 0);
		assert_string_equal(code, "287082");
		totp_params_free(&p);
	}
	/* Python: JBSWY3DPEHPK3PXP, the defaults, t = 1700000000. */
	assert_int_equal(totp_code_from_value(code, "JBSWY3DPEHPK3PXP", 1700000000), 0);
	assert_string_equal(code, "324550");
}

static void test_totp__bare_secret_errors(void **state)
{
	(void)state;
	totp_params p;
	char code[TOTP_CODE_MAX];
	expect_error(totp_params_parse(&p, "JBSWY3DPEHPK3PX1"), SESAME_EINVAL,
		     "otp_invalid_secret");
	assert_message_hides("JBSWY3DPEHPK3PX1");
	expect_error(totp_params_parse(&p, "https://example.com/?secret=" B32_20), SESAME_EINVAL,
		     "otp_invalid_uri");
	assert_message_hides(B32_20);
	expect_error(totp_params_parse(&p, ""), SESAME_EINVAL, "otp_missing_secret");
	expect_error(totp_params_parse(&p, " \n\t"), SESAME_EINVAL, "otp_missing_secret");
	expect_error(totp_params_parse(&p, "===="), SESAME_EINVAL, "otp_missing_secret");
	expect_error(totp_params_parse(&p, NULL), SESAME_EINVAL, "otp_missing_secret");
	expect_error(totp_code_from_value(code, "JBSW!", 0), SESAME_EINVAL, "otp_invalid_secret");

	/* Over-long values are refused before any parsing. */
	size_t big = 5000;
	char *s = malloc(big + 1);
	assert_non_null(s);
	memset(s, 'A', big);
	s[big] = '\0';
	assert_int_equal(totp_params_parse(&p, s), SESAME_EINVAL);
	free(s);
}

static void test_totp__argument_errors(void **state)
{
	(void)state;
	char code[TOTP_CODE_MAX];
	const unsigned char *k = (const unsigned char *)SEED20;
	expect_error(hotp_code(code, k, 20, OTP_ALG_SHA1, 5, 0), SESAME_EINVAL,
		     "otp_invalid_parameter");
	expect_error(hotp_code(code, k, 20, OTP_ALG_SHA1, 9, 0), SESAME_EINVAL,
		     "otp_invalid_parameter");
	expect_error(hotp_code(code, k, 20, (otp_algorithm)7, 6, 0), SESAME_EINVAL,
		     "otp_invalid_parameter");
	expect_error(hotp_code(code, k, 0, OTP_ALG_SHA1, 6, 0), SESAME_EINVAL,
		     "otp_invalid_secret");
	expect_error(hotp_code(code, NULL, 20, OTP_ALG_SHA1, 6, 0), SESAME_EINVAL,
		     "otp_invalid_secret");
	expect_error(hotp_code(NULL, k, 20, OTP_ALG_SHA1, 6, 0), SESAME_EINVAL,
		     "otp_invalid_parameter");

	totp_params p = {(unsigned char *)SEED20, 20, OTP_ALG_SHA1, 6, 0, NULL, NULL};
	expect_error(totp_code(code, &p, 59), SESAME_EINVAL, "otp_invalid_parameter");
	p.period = 30;
	expect_error(totp_code(code, &p, -1), SESAME_EINVAL, "otp_invalid_parameter");
	assert_int_equal(totp_code(code, &p, 0), 0);
	assert_string_equal(code, "755224"); /* counter 0 */
	assert_int_equal(totp_code(code, &p, 29), 0);
	assert_string_equal(code, "755224");
	assert_int_equal(totp_code(code, &p, 30), 0);
	assert_string_equal(code, "287082"); /* counter 1 */
	expect_error(totp_code(code, NULL, 0), SESAME_EINVAL, "otp_invalid_parameter");

	/* Freeing twice, or freeing NULL, is harmless. */
	totp_params q;
	assert_int_equal(totp_params_parse(&q, B32_20), 0);
	totp_params_free(&q);
	totp_params_free(&q);
	totp_params_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totp__rfc4226_hotp),
		cmocka_unit_test(test_totp__rfc6238_sha1),
		cmocka_unit_test(test_totp__rfc6238_sha256),
		cmocka_unit_test(test_totp__rfc6238_sha512),
		cmocka_unit_test(test_totp__rfc6238_via_uri),
		cmocka_unit_test(test_totp__six_digits_keep_leading_zeros),
		cmocka_unit_test(test_totp__uri_all_parameters),
		cmocka_unit_test(test_totp__uri_defaults),
		cmocka_unit_test(test_totp__uri_label_forms),
		cmocka_unit_test(test_totp__uri_percent_encoded_secret),
		cmocka_unit_test(test_totp__uri_unknown_parameters_ignored),
		cmocka_unit_test(test_totp__uri_errors),
		cmocka_unit_test(test_totp__bare_secret),
		cmocka_unit_test(test_totp__bare_secret_errors),
		cmocka_unit_test(test_totp__argument_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
