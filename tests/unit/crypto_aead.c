/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <sodium.h>

#include "crypto/aead.h"
#include "sesame/errors.h"

#define ACCT  "acct0000000000000000000001"
#define VAULT "vault000000000000000000001"
#define ITEM  "item0000000000000000000001"

static const char msg[] = "the launch code is 0000";

static void make_key(unsigned char key[AEAD_KEYBYTES], unsigned char fill)
{
	memset(key, fill, AEAD_KEYBYTES);
}

static size_t make_ad(unsigned char *ad, const char *acct, const char *vault, const char *item,
		      uint64_t version, const char *purpose)
{
	size_t len = 0;
	assert_int_equal(
	    aead_item_ad(ad, AEAD_ITEM_AD_MAX, &len, acct, vault, item, version, purpose), 0);
	return len;
}

static void test_crypto_aead__sizes(void **state)
{
	(void)state;
	assert_int_equal(AEAD_OVERHEAD, 40);
	assert_int_equal(aead_overhead(), AEAD_OVERHEAD);
	assert_int_equal(aead_keybytes(), crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	assert_int_equal(AEAD_NONCEBYTES, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	assert_int_equal(AEAD_TAGBYTES, crypto_aead_xchacha20poly1305_ietf_ABYTES);
}

static void test_crypto_aead__round_trip(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], ad[AEAD_ITEM_AD_MAX];
	unsigned char ct[sizeof msg + AEAD_OVERHEAD], pt[sizeof msg];
	size_t ad_len = make_ad(ad, ACCT, VAULT, ITEM, 3, "details");
	size_t ct_len = 0, pt_len = 0;

	assert_int_equal(aead_keygen(key), 0);
	assert_int_equal(aead_encrypt(ct, sizeof ct, &ct_len, (const unsigned char *)msg,
				      sizeof msg, ad, ad_len, key),
			 0);
	assert_int_equal(ct_len, sizeof msg + AEAD_OVERHEAD);
	/* The plaintext does not appear in the ciphertext. */
	assert_null(memmem(ct, ct_len, "launch", 6));
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, ad, ad_len, key), 0);
	assert_int_equal(pt_len, sizeof msg);
	assert_memory_equal(pt, msg, sizeof msg);
}

static void test_crypto_aead__empty_plaintext_and_ad(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], ct[AEAD_OVERHEAD], pt[1];
	size_t ct_len = 0, pt_len = 99;
	make_key(key, 3);
	assert_int_equal(aead_encrypt(ct, sizeof ct, &ct_len, NULL, 0, NULL, 0, key), 0);
	assert_int_equal(ct_len, AEAD_OVERHEAD);
	assert_int_equal(aead_decrypt(pt, 0, &pt_len, ct, ct_len, NULL, 0, key), 0);
	assert_int_equal(pt_len, 0);
	/* Even an empty message is authenticated: the wrong key fails. */
	key[0] ^= 1;
	assert_int_equal(aead_decrypt(pt, 0, &pt_len, ct, ct_len, NULL, 0, key), SESAME_EDECRYPT);
}

static void test_crypto_aead__fresh_nonce_each_time(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], a[sizeof msg + AEAD_OVERHEAD],
	    b[sizeof msg + AEAD_OVERHEAD];
	size_t la, lb;
	make_key(key, 9);
	assert_int_equal(
	    aead_encrypt(a, sizeof a, &la, (const unsigned char *)msg, sizeof msg, NULL, 0, key),
	    0);
	assert_int_equal(
	    aead_encrypt(b, sizeof b, &lb, (const unsigned char *)msg, sizeof msg, NULL, 0, key),
	    0);
	assert_memory_not_equal(a, b, AEAD_NONCEBYTES);
	assert_memory_not_equal(a + AEAD_NONCEBYTES, b + AEAD_NONCEBYTES, sizeof msg);
}

/* Flips one bit at every position (nonce, ciphertext and tag alike). */
static void test_crypto_aead__tampering_fails(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], ad[AEAD_ITEM_AD_MAX];
	unsigned char ct[sizeof msg + AEAD_OVERHEAD], pt[sizeof msg];
	static const unsigned char zero[sizeof msg];
	size_t ad_len = make_ad(ad, ACCT, VAULT, ITEM, 1, "overview");
	size_t ct_len, pt_len;

	make_key(key, 0x11);
	assert_int_equal(aead_encrypt(ct, sizeof ct, &ct_len, (const unsigned char *)msg,
				      sizeof msg, ad, ad_len, key),
			 0);
	for (size_t i = 0; i < ct_len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			ct[i] ^= (unsigned char)(1u << bit);
			memset(pt, 0x55, sizeof pt);
			assert_int_equal(
			    aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, ad, ad_len, key),
			    SESAME_EDECRYPT);
			assert_memory_equal(pt, zero, sizeof pt); /* no partial plaintext */
			ct[i] ^= (unsigned char)(1u << bit);
		}
	}
	assert_string_equal(sesame_error_last()->kind, "decryption_failed");
	/* Untouched again: it decrypts. */
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, ad, ad_len, key), 0);
}

static void test_crypto_aead__wrong_ad_fails(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], ad[AEAD_ITEM_AD_MAX], other[AEAD_ITEM_AD_MAX];
	unsigned char ct[sizeof msg + AEAD_OVERHEAD], pt[sizeof msg];
	size_t ad_len = make_ad(ad, ACCT, VAULT, ITEM, 5, "details");
	size_t ct_len, pt_len, other_len;

	make_key(key, 0x22);
	assert_int_equal(aead_encrypt(ct, sizeof ct, &ct_len, (const unsigned char *)msg,
				      sizeof msg, ad, ad_len, key),
			 0);
	/* Each bound field changed on its own: the server swapping or replaying. */
	other_len = make_ad(other, "acct0000000000000000000002", VAULT, ITEM, 5, "details");
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, other, other_len, key),
			 SESAME_EDECRYPT);
	other_len = make_ad(other, ACCT, "vault000000000000000000002", ITEM, 5, "details");
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, other, other_len, key),
			 SESAME_EDECRYPT);
	other_len = make_ad(other, ACCT, VAULT, "item0000000000000000000002", 5, "details");
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, other, other_len, key),
			 SESAME_EDECRYPT);
	other_len = make_ad(other, ACCT, VAULT, ITEM, 4, "details"); /* rollback */
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, other, other_len, key),
			 SESAME_EDECRYPT);
	other_len = make_ad(other, ACCT, VAULT, ITEM, 5, "overview"); /* blob swap */
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, other, other_len, key),
			 SESAME_EDECRYPT);
	/* No associated data at all. */
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, NULL, 0, key),
			 SESAME_EDECRYPT);
	/* The right one still works. */
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, ad, ad_len, key), 0);
}

static void test_crypto_aead__wrong_key_fails(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], ct[sizeof msg + AEAD_OVERHEAD], pt[sizeof msg];
	size_t ct_len, pt_len;
	make_key(key, 0x33);
	assert_int_equal(aead_encrypt(ct, sizeof ct, &ct_len, (const unsigned char *)msg,
				      sizeof msg, NULL, 0, key),
			 0);
	for (size_t i = 0; i < AEAD_KEYBYTES; i++) {
		key[i] ^= 0x80;
		assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, ct_len, NULL, 0, key),
				 SESAME_EDECRYPT);
		key[i] ^= 0x80;
	}
}

static void test_crypto_aead__truncated_fails(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], ct[sizeof msg + AEAD_OVERHEAD], pt[sizeof msg];
	size_t ct_len, pt_len;
	make_key(key, 0x44);
	assert_int_equal(aead_encrypt(ct, sizeof ct, &ct_len, (const unsigned char *)msg,
				      sizeof msg, NULL, 0, key),
			 0);
	for (size_t len = 0; len < ct_len; len++)
		assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, ct, len, NULL, 0, key),
				 SESAME_EDECRYPT);
	assert_int_equal(aead_decrypt(pt, sizeof pt, &pt_len, NULL, 0, NULL, 0, key),
			 SESAME_EDECRYPT);
	assert_string_equal(sesame_error_last()->kind, "decryption_failed");
}

static void test_crypto_aead__buffer_too_small(void **state)
{
	(void)state;
	unsigned char key[AEAD_KEYBYTES], ct[sizeof msg + AEAD_OVERHEAD], pt[sizeof msg];
	size_t ct_len, pt_len;
	make_key(key, 0x55);
	assert_int_equal(aead_encrypt(ct, sizeof ct - 1, &ct_len, (const unsigned char *)msg,
				      sizeof msg, NULL, 0, key),
			 SESAME_EBUFSIZE);
	assert_int_equal(aead_encrypt(ct, sizeof ct, &ct_len, (const unsigned char *)msg,
				      sizeof msg, NULL, 0, key),
			 0);
	assert_int_equal(aead_decrypt(pt, sizeof pt - 1, &pt_len, ct, ct_len, NULL, 0, key),
			 SESAME_EBUFSIZE);
}

/*
 * Known answer: draft-irtf-cfrg-xchacha-03 (draft-arciszewski-xchacha),
 * appendix A.3.1, typed in from the draft. Before being pasted here it was
 * reproduced independently of libsodium: HChaCha20 in Python (checked
 * against the draft's section 2.2.1 vector) followed by OpenSSL's
 * ChaCha20-Poly1305 (python3-cryptography) with nonce 0^4 || iv[16..24].
 */
static const char kat_pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
			     "only one tip for the future, sunscreen would be it.";
#define KAT_AAD "50515253c0c1c2c3c4c5c6c7"
#define KAT_KEY "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
#define KAT_IV  "404142434445464748494a4b4c4d4e4f5051525354555657"
#define KAT_CT                                                                                     \
	"bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"                         \
	"731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"                         \
	"2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"                         \
	"21f9664c97637da9768812f615c68b13b52e"
#define KAT_TAG "c0875924c1c7987947deafd8780acf49"

static void test_crypto_aead__known_answer_xchacha_draft(void **state)
{
	(void)state;
	unsigned char aad[12], key[32], iv[24], want[114 + 16], out[114 + 16];
	unsigned char wire[24 + 114 + 16], pt[114];
	unsigned long long out_len = 0;
	size_t pt_len = 0;

	assert_int_equal(sizeof kat_pt - 1, 114);
	assert_int_equal(test_unhex(aad, sizeof aad, KAT_AAD), 12);
	assert_int_equal(test_unhex(key, sizeof key, KAT_KEY), 32);
	assert_int_equal(test_unhex(iv, sizeof iv, KAT_IV), 24);
	assert_int_equal(test_unhex(want, sizeof want, KAT_CT), 114);
	assert_int_equal(test_unhex(want + 114, 16, KAT_TAG), 16);

	/* The primitive under aead_encrypt(), with the draft's fixed nonce. */
	assert_int_equal(sodium_init() >= 0, 1);
	assert_int_equal(
	    crypto_aead_xchacha20poly1305_ietf_encrypt(out, &out_len, (const unsigned char *)kat_pt,
						       114, aad, sizeof aad, NULL, iv, key),
	    0);
	assert_int_equal(out_len, sizeof want);
	assert_memory_equal(out, want, sizeof want);

	/* And our wire format around it: iv || ciphertext || tag decrypts. */
	memcpy(wire, iv, 24);
	memcpy(wire + 24, want, sizeof want);
	assert_int_equal(
	    aead_decrypt(pt, sizeof pt, &pt_len, wire, sizeof wire, aad, sizeof aad, key), 0);
	assert_int_equal(pt_len, 114);
	assert_memory_equal(pt, kat_pt, 114);
}

/* The exact bytes, built by hand (and with Python's struct) from the spec. */
static void test_crypto_aead__item_ad_encoding(void **state)
{
	(void)state;
	unsigned char ad[AEAD_ITEM_AD_MAX], want[70];
	size_t len = 0;
	assert_int_equal(test_unhex(want, sizeof want,
				    "00000011736573616d65206974656d206164207631"
				    "0000000461636374"
				    "000000057661756c74"
				    "000000046974656d"
				    "000000080102030405060708"
				    "000000086f76657276696577"),
			 70);
	assert_int_equal(aead_item_ad(ad, sizeof ad, &len, "acct", "vault", "item",
				      0x0102030405060708ULL, "overview"),
			 0);
	assert_int_equal(len, 70);
	assert_memory_equal(ad, want, 70);
	assert_int_equal(
	    aead_item_ad(ad, 69, &len, "acct", "vault", "item", 0x0102030405060708ULL, "overview"),
	    SESAME_EBUFSIZE);
}

static void test_crypto_aead__item_ad_is_injective(void **state)
{
	(void)state;
	unsigned char a[AEAD_ITEM_AD_MAX], b[AEAD_ITEM_AD_MAX];
	size_t la, lb;
	/* Same concatenation, different split: must not collide. */
	la = make_ad(a, "ab", "c", "item", 1, "details");
	lb = make_ad(b, "a", "bc", "item", 1, "details");
	assert_true(la != lb || memcmp(a, b, la) != 0);
	la = make_ad(a, "acct", "vault", "item1", 1, "details");
	lb = make_ad(b, "acct", "vault", "item", 1, "1details");
	assert_true(la != lb || memcmp(a, b, la) != 0);
}

static void test_crypto_aead__item_ad_rejects_bad_fields(void **state)
{
	(void)state;
	unsigned char ad[AEAD_ITEM_AD_MAX];
	char longest[AEAD_AD_FIELD_MAX + 2];
	size_t len;
	assert_int_equal(aead_item_ad(ad, sizeof ad, &len, NULL, "v", "i", 1, "details"),
			 SESAME_EINVAL);
	assert_int_equal(aead_item_ad(ad, sizeof ad, &len, "a", "", "i", 1, "details"),
			 SESAME_EINVAL);
	assert_int_equal(aead_item_ad(ad, sizeof ad, &len, "a", "v", NULL, 1, "details"),
			 SESAME_EINVAL);
	assert_int_equal(aead_item_ad(ad, sizeof ad, &len, "a", "v", "i", 1, ""), SESAME_EINVAL);

	memset(longest, 'x', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	assert_int_equal(aead_item_ad(ad, sizeof ad, &len, longest, "v", "i", 1, "details"),
			 SESAME_EINVAL);
	/* Every field at its maximum fits in AEAD_ITEM_AD_MAX exactly. */
	longest[AEAD_AD_FIELD_MAX] = '\0';
	assert_int_equal(
	    aead_item_ad(ad, sizeof ad, &len, longest, longest, longest, UINT64_MAX, longest), 0);
	assert_int_equal(len, AEAD_ITEM_AD_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_aead__sizes),
	    cmocka_unit_test(test_crypto_aead__round_trip),
	    cmocka_unit_test(test_crypto_aead__empty_plaintext_and_ad),
	    cmocka_unit_test(test_crypto_aead__fresh_nonce_each_time),
	    cmocka_unit_test(test_crypto_aead__tampering_fails),
	    cmocka_unit_test(test_crypto_aead__wrong_ad_fails),
	    cmocka_unit_test(test_crypto_aead__wrong_key_fails),
	    cmocka_unit_test(test_crypto_aead__truncated_fails),
	    cmocka_unit_test(test_crypto_aead__buffer_too_small),
	    cmocka_unit_test(test_crypto_aead__known_answer_xchacha_draft),
	    cmocka_unit_test(test_crypto_aead__item_ad_encoding),
	    cmocka_unit_test(test_crypto_aead__item_ad_is_injective),
	    cmocka_unit_test(test_crypto_aead__item_ad_rejects_bad_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
