/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <sodium.h>

#include "b64.h"
#include "crypto/hkdf.h"
#include "crypto/keyset.h"
#include "crypto/seal.h"
#include "sesame/errors.h"

static void fill(unsigned char *p, size_t n, unsigned char v)
{
	memset(p, v, n);
}

static void test_crypto_keyset__random_keysets_differ(void **state)
{
	(void)state;
	keyset *a = NULL, *b = NULL;
	assert_int_equal(keyset_new(&a), 0);
	assert_int_equal(keyset_new(&b), 0);
	assert_memory_not_equal(keyset_box_public_key(a), keyset_box_public_key(b), 32);
	assert_memory_not_equal(keyset_sign_public_key(a), keyset_sign_public_key(b), 32);
	/* Each public key matches its secret. */
	unsigned char pk[32];
	assert_int_equal(crypto_scalarmult_base(pk, keyset_box_secret_key(a)), 0);
	assert_memory_equal(pk, keyset_box_public_key(a), 32);
	keyset_free(a);
	keyset_free(b);
	keyset_free(NULL);
}

static void test_crypto_keyset__from_seed_is_deterministic(void **state)
{
	(void)state;
	unsigned char seed[32], seed2[32];
	keyset *a = NULL, *b = NULL, *c = NULL;
	fill(seed, 32, 0x42);
	fill(seed2, 32, 0x42);
	seed2[31] ^= 1;
	assert_int_equal(keyset_from_seed(&a, seed), 0);
	assert_int_equal(keyset_from_seed(&b, seed), 0);
	assert_int_equal(keyset_from_seed(&c, seed2), 0);
	assert_memory_equal(keyset_box_public_key(a), keyset_box_public_key(b), 32);
	assert_memory_equal(keyset_sign_public_key(a), keyset_sign_public_key(b), 32);
	assert_memory_not_equal(keyset_box_public_key(a), keyset_box_public_key(c), 32);
	assert_memory_not_equal(keyset_sign_public_key(a), keyset_sign_public_key(c), 32);
	keyset_free(a);
	keyset_free(b);
	keyset_free(c);
}

/*
 * The derivation recomputed outside keyset.c: with the RFC-tested hkdf
 * module, with libsodium directly, and against Python's hmac/hashlib
 * (HKDF(salt none, ikm 0x42 * 32, info label, 32)), whose outputs are
 * pasted below.
 */
static void test_crypto_keyset__seed_derivation_independent(void **state)
{
	(void)state;
	unsigned char seed[32], x_sk[32], ed_seed[32], x_pk[32], ed_pk[32], ed_sk[64];
	unsigned char py_x[32], py_ed[32];
	keyset *ks = NULL;

	fill(seed, 32, 0x42);
	assert_int_equal(hkdf_sha256(x_sk, 32, NULL, 0, seed, 32, "sesame keyset x25519", 20), 0);
	assert_int_equal(hkdf_sha256(ed_seed, 32, NULL, 0, seed, 32, "sesame keyset ed25519", 21),
			 0);
	test_unhex(py_x, 32, "4ab27dc5cc89e0bdf30e70a51338da484354f08cd0ae38ce8cb1395954cb2aaf");
	test_unhex(py_ed, 32, "6c50cc2200d5ea6ce6634cd27b2d476d2448bada2da90429e4420eb17d3a4a0e");
	assert_memory_equal(x_sk, py_x, 32);
	assert_memory_equal(ed_seed, py_ed, 32);

	assert_int_equal(keyset_from_seed(&ks, seed), 0);
	assert_memory_equal(keyset_box_secret_key(ks), x_sk, 32);
	assert_int_equal(crypto_scalarmult_base(x_pk, x_sk), 0);
	assert_memory_equal(keyset_box_public_key(ks), x_pk, 32);
	assert_int_equal(crypto_sign_seed_keypair(ed_pk, ed_sk, ed_seed), 0);
	assert_memory_equal(keyset_sign_public_key(ks), ed_pk, 32);
	/* The two halves are independent, not the same bytes reused. */
	assert_memory_not_equal(x_sk, ed_seed, 32);
	keyset_free(ks);
}

static void test_crypto_keyset__public_b64(void **state)
{
	(void)state;
	keyset *ks = NULL;
	char text[KEYSET_PUBLIC_B64_SIZE];
	unsigned char back[33];
	size_t n = 0;
	assert_int_equal(keyset_new(&ks), 0);

	assert_int_equal(keyset_box_public_b64(text, sizeof text, ks), 0);
	assert_int_equal(strlen(text), 43);
	assert_null(strpbrk(text, "+/="));
	assert_int_equal(b64_decode(back, sizeof back, &n, text, strlen(text), B64_URL_NOPAD), 0);
	assert_int_equal(n, 32);
	assert_memory_equal(back, keyset_box_public_key(ks), 32);

	assert_int_equal(keyset_sign_public_b64(text, sizeof text, ks), 0);
	assert_int_equal(b64_decode(back, sizeof back, &n, text, strlen(text), B64_URL_NOPAD), 0);
	assert_memory_equal(back, keyset_sign_public_key(ks), 32);

	assert_int_equal(keyset_sign_public_b64(text, sizeof text - 1, ks), SESAME_EBUFSIZE);
	keyset_free(ks);
}

static void test_crypto_keyset__encrypt_decrypt_round_trip(void **state)
{
	(void)state;
	unsigned char key[32], blob[KEYSET_ENCRYPTED_BYTES], sig[64];
	size_t blob_len = 0;
	keyset *ks = NULL, *back = NULL;
	fill(key, 32, 0x10);
	assert_int_equal(keyset_new(&ks), 0);
	assert_int_equal(keyset_encrypt(blob, sizeof blob, &blob_len, ks, key), 0);
	assert_int_equal(blob_len, KEYSET_ENCRYPTED_BYTES);
	/* Neither secret appears in the blob. */
	assert_null(memmem(blob, blob_len, keyset_box_secret_key(ks), 32));

	assert_int_equal(keyset_decrypt(&back, blob, blob_len, key), 0);
	assert_memory_equal(keyset_box_public_key(back), keyset_box_public_key(ks), 32);
	assert_memory_equal(keyset_box_secret_key(back), keyset_box_secret_key(ks), 32);
	assert_memory_equal(keyset_sign_public_key(back), keyset_sign_public_key(ks), 32);
	/* The restored signing key works against the original public key. */
	assert_int_equal(keyset_sign(sig, (const unsigned char *)"x", 1, back), 0);
	assert_int_equal(
	    keyset_verify(sig, (const unsigned char *)"x", 1, keyset_sign_public_key(ks)), 0);
	keyset_free(ks);
	keyset_free(back);
}

static void test_crypto_keyset__decrypt_wrong_key_or_tamper_fails(void **state)
{
	(void)state;
	unsigned char key[32], blob[KEYSET_ENCRYPTED_BYTES];
	size_t blob_len = 0;
	keyset *ks = NULL, *back = NULL;
	fill(key, 32, 0x20);
	assert_int_equal(keyset_from_seed(&ks, key), 0);
	assert_int_equal(keyset_encrypt(blob, sizeof blob, &blob_len, ks, key), 0);

	key[5] ^= 1;
	assert_int_equal(keyset_decrypt(&back, blob, blob_len, key), SESAME_EDECRYPT);
	assert_null(back);
	key[5] ^= 1;

	blob[AEAD_NONCEBYTES + 3] ^= 0x40;
	assert_int_equal(keyset_decrypt(&back, blob, blob_len, key), SESAME_EDECRYPT);
	assert_null(back);
	blob[AEAD_NONCEBYTES + 3] ^= 0x40;

	assert_int_equal(keyset_decrypt(&back, blob, blob_len - 1, key), SESAME_EDECRYPT);
	assert_null(back);

	/* A ciphertext of the same bytes under other associated data is refused. */
	unsigned char pt[KEYSET_PRIVATE_BYTES], other[KEYSET_ENCRYPTED_BYTES];
	size_t other_len;
	memset(pt, 0, sizeof pt);
	pt[0] = KEYSET_FORMAT_V1;
	assert_int_equal(aead_encrypt(other, sizeof other, &other_len, pt, sizeof pt, NULL, 0, key),
			 0);
	assert_int_equal(keyset_decrypt(&back, other, other_len, key), SESAME_EDECRYPT);
	assert_null(back);

	assert_int_equal(keyset_decrypt(&back, blob, blob_len, key), 0);
	keyset_free(back);
	keyset_free(ks);
}

static void test_crypto_keyset__unknown_format_rejected(void **state)
{
	(void)state;
	unsigned char key[32], pt[KEYSET_PRIVATE_BYTES], blob[KEYSET_ENCRYPTED_BYTES];
	size_t blob_len;
	keyset *back = NULL;
	fill(key, 32, 0x30);
	memset(pt, 0x01, sizeof pt);
	pt[0] = 2; /* a future format */
	assert_int_equal(aead_encrypt(blob, sizeof blob, &blob_len, pt, sizeof pt,
				      (const unsigned char *)KEYSET_AD, strlen(KEYSET_AD), key),
			 0);
	assert_int_equal(keyset_decrypt(&back, blob, blob_len, key), SESAME_EUNSUPPORTED);
	assert_null(back);
}

static void test_crypto_keyset__sign_verify(void **state)
{
	(void)state;
	static const char msg[] = "challenge 1234567890";
	unsigned char sig[KEYSET_SIGNATUREBYTES], tampered[sizeof msg];
	keyset *ks = NULL, *other = NULL;
	assert_int_equal(keyset_new(&ks), 0);
	assert_int_equal(keyset_new(&other), 0);
	assert_int_equal(keyset_sign(sig, (const unsigned char *)msg, sizeof msg, ks), 0);
	assert_int_equal(
	    keyset_verify(sig, (const unsigned char *)msg, sizeof msg, keyset_sign_public_key(ks)),
	    0);
	/* Cross-check with libsodium directly. */
	assert_int_equal(crypto_sign_verify_detached(sig, (const unsigned char *)msg, sizeof msg,
						     keyset_sign_public_key(ks)),
			 0);

	memcpy(tampered, msg, sizeof msg);
	tampered[0] ^= 1;
	assert_int_equal(keyset_verify(sig, tampered, sizeof tampered, keyset_sign_public_key(ks)),
			 SESAME_EAUTH);
	assert_string_equal(sesame_error_last()->kind, "invalid_signature");
	assert_int_equal(keyset_verify(sig, (const unsigned char *)msg, sizeof msg - 1,
				       keyset_sign_public_key(ks)),
			 SESAME_EAUTH);
	assert_int_equal(keyset_verify(sig, (const unsigned char *)msg, sizeof msg,
				       keyset_sign_public_key(other)),
			 SESAME_EAUTH);
	sig[10] ^= 0x08;
	assert_int_equal(
	    keyset_verify(sig, (const unsigned char *)msg, sizeof msg, keyset_sign_public_key(ks)),
	    SESAME_EAUTH);
	keyset_free(ks);
	keyset_free(other);
}

static void test_crypto_keyset__seal_open(void **state)
{
	(void)state;
	unsigned char vault_key[32], box[32 + SEAL_OVERHEAD], out[32];
	size_t box_len, out_len;
	keyset *ks = NULL, *other = NULL;
	fill(vault_key, 32, 0x99);
	assert_int_equal(keyset_new(&ks), 0);
	assert_int_equal(keyset_new(&other), 0);
	assert_int_equal(
	    seal_encrypt(box, sizeof box, &box_len, vault_key, 32, keyset_box_public_key(ks)), 0);
	assert_int_equal(keyset_seal_open(out, sizeof out, &out_len, box, box_len, ks), 0);
	assert_memory_equal(out, vault_key, 32);
	assert_int_equal(keyset_seal_open(out, sizeof out, &out_len, box, box_len, other),
			 SESAME_EDECRYPT);
	keyset_free(ks);
	keyset_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_keyset__random_keysets_differ),
	    cmocka_unit_test(test_crypto_keyset__from_seed_is_deterministic),
	    cmocka_unit_test(test_crypto_keyset__seed_derivation_independent),
	    cmocka_unit_test(test_crypto_keyset__public_b64),
	    cmocka_unit_test(test_crypto_keyset__encrypt_decrypt_round_trip),
	    cmocka_unit_test(test_crypto_keyset__decrypt_wrong_key_or_tamper_fails),
	    cmocka_unit_test(test_crypto_keyset__unknown_format_rejected),
	    cmocka_unit_test(test_crypto_keyset__sign_verify),
	    cmocka_unit_test(test_crypto_keyset__seal_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
