/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <sodium.h>

#include "crypto/seal.h"
#include "sesame/errors.h"

static const unsigned char vault_key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
					    12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
					    23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void keypair(unsigned char pk[32], unsigned char sk[32])
{
	assert_true(sodium_init() >= 0);
	assert_int_equal(crypto_box_keypair(pk, sk), 0);
}

static void test_crypto_seal__sizes(void **state)
{
	(void)state;
	assert_int_equal(SEAL_OVERHEAD, crypto_box_SEALBYTES);
	assert_int_equal(seal_overhead(), 48);
}

static void test_crypto_seal__round_trip(void **state)
{
	(void)state;
	unsigned char pk[32], sk[32], box[32 + SEAL_OVERHEAD], out[32];
	size_t box_len = 0, out_len = 0;
	keypair(pk, sk);
	assert_int_equal(seal_encrypt(box, sizeof box, &box_len, vault_key, 32, pk), 0);
	assert_int_equal(box_len, 32 + SEAL_OVERHEAD);
	assert_int_equal(seal_open(out, sizeof out, &out_len, box, box_len, pk, sk), 0);
	assert_int_equal(out_len, 32);
	assert_memory_equal(out, vault_key, 32);

	/* Sealing is randomised (a fresh ephemeral key each time). */
	unsigned char box2[32 + SEAL_OVERHEAD];
	assert_int_equal(seal_encrypt(box2, sizeof box2, &box_len, vault_key, 32, pk), 0);
	assert_memory_not_equal(box, box2, sizeof box);
}

static void test_crypto_seal__wrong_key_fails(void **state)
{
	(void)state;
	unsigned char pk[32], sk[32], pk2[32], sk2[32], box[32 + SEAL_OVERHEAD], out[32];
	static const unsigned char zero[32];
	size_t box_len, out_len;
	keypair(pk, sk);
	keypair(pk2, sk2);
	assert_int_equal(seal_encrypt(box, sizeof box, &box_len, vault_key, 32, pk), 0);
	memset(out, 0x77, sizeof out);
	assert_int_equal(seal_open(out, sizeof out, &out_len, box, box_len, pk2, sk2),
			 SESAME_EDECRYPT);
	assert_memory_equal(out, zero, sizeof out);
	assert_string_equal(sesame_error_last()->kind, "decryption_failed");
	/* The right secret key with someone else's public key fails too. */
	assert_int_equal(seal_open(out, sizeof out, &out_len, box, box_len, pk2, sk),
			 SESAME_EDECRYPT);
}

static void test_crypto_seal__tamper_fails(void **state)
{
	(void)state;
	unsigned char pk[32], sk[32], box[32 + SEAL_OVERHEAD], out[32];
	size_t box_len, out_len;
	keypair(pk, sk);
	assert_int_equal(seal_encrypt(box, sizeof box, &box_len, vault_key, 32, pk), 0);
	/* Every byte: ephemeral key, ciphertext and tag. */
	for (size_t i = 0; i < box_len; i++) {
		box[i] ^= 0x01;
		assert_int_equal(seal_open(out, sizeof out, &out_len, box, box_len, pk, sk),
				 SESAME_EDECRYPT);
		box[i] ^= 0x01;
	}
	for (size_t len = 0; len < box_len; len++)
		assert_int_equal(seal_open(out, sizeof out, &out_len, box, len, pk, sk),
				 SESAME_EDECRYPT);
	assert_int_equal(seal_open(out, sizeof out, &out_len, box, box_len, pk, sk), 0);
}

static void test_crypto_seal__buffer_checks(void **state)
{
	(void)state;
	unsigned char pk[32], sk[32], box[32 + SEAL_OVERHEAD], out[32];
	size_t box_len, out_len;
	keypair(pk, sk);
	assert_int_equal(seal_encrypt(box, sizeof box - 1, &box_len, vault_key, 32, pk),
			 SESAME_EBUFSIZE);
	assert_int_equal(seal_encrypt(box, sizeof box, &box_len, vault_key, 32, pk), 0);
	assert_int_equal(seal_open(out, sizeof out - 1, &out_len, box, box_len, pk, sk),
			 SESAME_EBUFSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_seal__sizes),
	    cmocka_unit_test(test_crypto_seal__round_trip),
	    cmocka_unit_test(test_crypto_seal__wrong_key_fails),
	    cmocka_unit_test(test_crypto_seal__tamper_fails),
	    cmocka_unit_test(test_crypto_seal__buffer_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
