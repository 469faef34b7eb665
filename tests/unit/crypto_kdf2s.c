/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "crypto/kdf2s.h"
#include "crypto/secret_key.h"
#include "sesame/errors.h"

/*
 * Known answers were computed outside libsodium:
 * - Argon2id with the reference implementation's command-line tool
 *   (Debian package argon2), e.g.
 *     echo -n 'correct horse battery staple' |
 *       argon2 sesame-test-salt -id -t 2 -k 8192 -p 1 -l 32 -r
 * - the HKDF steps, the XOR and the account tag with Python's hmac and
 *   hashlib; Python passed the binary salt' to the argon2 tool as a raw
 *   argv byte string (it holds no NUL byte).
 */

/* 2 passes, 8 MiB: the floor, so the tests stay fast. */
static const kdf2s_params cheap = {2, 8192 * 1024};

#define ACCOUNT "a7k3m9q2x8c4v6b1n5z0p7r2t4"
/* "S1" + account tag of ACCOUNT (CKHDND, per Python) + 26 fixed symbols. */
#define SECRET_KEY   "S1CKHDND23456789ABCDEFGHJKLMNPQRST"
#define SECRET_KEY_2 "S1CKHDND23456789ABCDEFGHJKLMNPQRSV"

static const unsigned char salt[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static kdf2s_input input(const char *password, const char *secret_key)
{
	kdf2s_input in = {password, strlen(password),      secret_key,
			  salt,     " Alice@Example.COM ", ACCOUNT};
	return in;
}

static void test_crypto_kdf2s__argon2id_matches_reference(void **state)
{
	(void)state;
	unsigned char out[32], want[32];
	const char *pw = "correct horse battery staple";
	test_unhex(want, 32, "cf732c3222e55adf558fcb9e61f7940fb0d804f69045d568bcc2871aed5c211b");
	assert_int_equal(
	    kdf2s_argon2id(out, pw, strlen(pw), (const unsigned char *)"sesame-test-salt", &cheap),
	    0);
	assert_memory_equal(out, want, 32);

	/* One character more in the password: a different key. */
	test_unhex(want, 32, "eb58636c234163f399f650d4d61ed87c404ea3925c3ed96b4034faddd1be457e");
	assert_int_equal(kdf2s_argon2id(out, "correct horse battery stapler", 29,
					(const unsigned char *)"sesame-test-salt", &cheap),
			 0);
	assert_memory_equal(out, want, 32);
}

/* The one test at the real default cost (3 passes, 256 MiB): about a second. */
static void test_crypto_kdf2s__default_cost_matches_reference(void **state)
{
	(void)state;
	unsigned char out[32], want[32];
	const char *pw = "correct horse battery staple";
	/* argon2 sesame-test-salt -id -t 3 -k 262144 -p 1 -l 32 -r */
	test_unhex(want, 32, "e36198cfb7354310873e37c16500818e03884bcac1e4203de0c5e2d8c87fef6e");
	assert_int_equal(
	    kdf2s_argon2id(out, pw, strlen(pw), (const unsigned char *)"sesame-test-salt", NULL),
	    0);
	assert_memory_equal(out, want, 32);
}

static void test_crypto_kdf2s__derive_known_answer(void **state)
{
	(void)state;
	unsigned char unlock[32], auth[32], want_unlock[32], want_auth[32];
	/*
	 * Python: salt' = d10a79c66014f0bb15778dad19ce1c9b,
	 * k1 (argon2 tool) = 3ca839be2ddf5b5e9b853ebbddc553d04f1e8748658c8528b5100c38ed6234ac,
	 * k2 = 8636502ff22162f709266eabc000bb325385ca7a65f29c3980647c3fa1f5ddb6.
	 * Whitespace around the password and the email, and the email's
	 * capitals, must not matter: Python used the trimmed, lowered forms.
	 */
	kdf2s_input in = input("  Correct Horse Battery Staple \n", SECRET_KEY);
	test_unhex(want_unlock, 32,
		   "ce213f28a00b83211b4fdaa2e24295dffca1e4145d995c67d6319e3f4e4bf71a");
	test_unhex(want_auth, 32,
		   "88db720dad0bdb7a9eb39f57d357842142680e108c6a977ecff24382de05d2f5");
	assert_int_equal(kdf2s_derive(unlock, auth, &in, &cheap), 0);
	assert_memory_equal(unlock, want_unlock, 32);
	assert_memory_equal(auth, want_auth, 32);

	/* Same result with the whitespace already gone. */
	in = input("Correct Horse Battery Staple", SECRET_KEY);
	in.email = "alice@example.com";
	assert_int_equal(kdf2s_derive(unlock, auth, &in, &cheap), 0);
	assert_memory_equal(unlock, want_unlock, 32);
	assert_memory_equal(auth, want_auth, 32);
}

static void test_crypto_kdf2s__each_input_matters(void **state)
{
	(void)state;
	unsigned char u0[32], a0[32], u[32], a[32];
	kdf2s_input in = input("Correct Horse Battery Staple", SECRET_KEY);
	assert_int_equal(kdf2s_derive(u0, a0, &in, &cheap), 0);
	/* The two outputs are independent of each other. */
	assert_memory_not_equal(u0, a0, 32);

	in = input("correct horse battery staple", SECRET_KEY); /* case matters */
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), 0);
	assert_memory_not_equal(u, u0, 32);
	assert_memory_not_equal(a, a0, 32);

	in = input("Correct Horse Battery Staple", SECRET_KEY_2); /* last symbol differs */
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), 0);
	assert_memory_not_equal(u, u0, 32);
	assert_memory_not_equal(a, a0, 32);

	in = input("Correct Horse Battery Staple", SECRET_KEY);
	in.email = "bob@example.com";
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), 0);
	assert_memory_not_equal(u, u0, 32);

	unsigned char salt2[16];
	memcpy(salt2, salt, 16);
	salt2[15] ^= 1;
	in = input("Correct Horse Battery Staple", SECRET_KEY);
	in.salt = salt2;
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), 0);
	assert_memory_not_equal(u, u0, 32);

	kdf2s_params more = {3, 8192 * 1024};
	in = input("Correct Horse Battery Staple", SECRET_KEY);
	assert_int_equal(kdf2s_derive(u, a, &in, &more), 0);
	assert_memory_not_equal(u, u0, 32);
}

static void test_crypto_kdf2s__params_validated(void **state)
{
	(void)state;
	unsigned char out[32], u[32], a[32];
	kdf2s_params p;
	assert_int_equal(kdf2s_params_check(&cheap), 0);
	p = (kdf2s_params)KDF2S_PARAMS_DEFAULT;
	assert_int_equal(kdf2s_params_check(&p), 0);

	p = (kdf2s_params){0, 8192 * 1024}; /* no pass at all */
	assert_int_equal(kdf2s_params_check(&p), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "invalid_kdf_params");
	p = (kdf2s_params){1, 8192 * 1024}; /* one pass: libsodium allows it, we do not */
	assert_int_equal(kdf2s_params_check(&p), SESAME_EINVAL);
	p = (kdf2s_params){2, 8192 * 1024 - 1024}; /* just under 8 MiB */
	assert_int_equal(kdf2s_params_check(&p), SESAME_EINVAL);
	p = (kdf2s_params){2, 8192}; /* libsodium's own minimum: still too small */
	assert_int_equal(kdf2s_params_check(&p), SESAME_EINVAL);
	p = (kdf2s_params){KDF2S_OPSLIMIT_MAX + 1, 8192 * 1024};
	assert_int_equal(kdf2s_params_check(&p), SESAME_EINVAL);
	p = (kdf2s_params){2, KDF2S_MEMLIMIT_MAX + 1};
	assert_int_equal(kdf2s_params_check(&p), SESAME_EINVAL);

	/* Both entry points refuse them, and the outputs stay zero. */
	p = (kdf2s_params){2, 4096 * 1024};
	assert_int_equal(kdf2s_argon2id(out, "pw", 2, salt, &p), SESAME_EINVAL);
	kdf2s_input in = input("pw", SECRET_KEY);
	memset(u, 1, 32);
	memset(a, 1, 32);
	assert_int_equal(kdf2s_derive(u, a, &in, &p), SESAME_EINVAL);
	static const unsigned char zero[32];
	assert_memory_equal(u, zero, 32);
	assert_memory_equal(a, zero, 32);
}

static void test_crypto_kdf2s__bad_inputs_rejected(void **state)
{
	(void)state;
	unsigned char u[32], a[32];
	kdf2s_input in;

	in = input(" \t\n ", SECRET_KEY); /* only whitespace */
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), SESAME_EINVAL);

	/* The display form is not canonical: refused, not silently used. */
	in = input("pw", "S1-CKHDND-234567-89ABC-DEFGH-JKLMN-PQRST");
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "invalid_secret_key");

	/* A key for another account is refused before Argon2id runs. */
	in = input("hunter2-distinct", SECRET_KEY);
	in.account_id = "zzzzzzzzzzzzzzzzzzzzzzzzzz";
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "secret_key_mismatch");
	/* Messages quote neither secret. */
	assert_null(strstr(sesame_error_last()->message, "hunter2"));
	assert_null(strstr(sesame_error_last()->message, "CKHDND"));
	assert_null(strstr(sesame_error_last()->message, "PQRST"));

	in = input("pw", SECRET_KEY);
	in.email = "  ";
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), SESAME_EINVAL);
	in = input("pw", SECRET_KEY);
	in.salt = NULL;
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), SESAME_EINVAL);
	in = input("pw", SECRET_KEY);
	in.account_id = "";
	assert_int_equal(kdf2s_derive(u, a, &in, &cheap), SESAME_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_kdf2s__argon2id_matches_reference),
	    cmocka_unit_test(test_crypto_kdf2s__default_cost_matches_reference),
	    cmocka_unit_test(test_crypto_kdf2s__derive_known_answer),
	    cmocka_unit_test(test_crypto_kdf2s__each_input_matters),
	    cmocka_unit_test(test_crypto_kdf2s__params_validated),
	    cmocka_unit_test(test_crypto_kdf2s__bad_inputs_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
