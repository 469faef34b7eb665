/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <sodium.h>

#include "crypto/blind_index.h"
#include "sesame/errors.h"

/*
 * Expected values from Python:
 *   ik = HKDF-SHA256(salt none, ikm = bytes(range(32)), info "sesame blind index", 32)
 *   hmac.new(ik, text, hashlib.sha256), base64.urlsafe_b64encode without '='
 */
#define INDEX_KEY    "6fc541f72f0e828fc4de1ebc6956913190eea71d0817dcc780aa56ef5e9672a9"
#define PROD_DB      "a3be22035eb4d2aefb211131c3d4e5dc26739bf1f71f706b2e1b90d9fc8ca324"
#define PROD_DB_B64  "o74iA1600q77IRExw9Tl3CZzm_H3H3BrLhuQ2fyMoyQ"
#define PROD_DASH_DB "a66e879b4d764905c0f62638765a7b6afa87f4f7e57734bbf69d2e7690d0e72f"
#define CAFE_UTF8    "8f9e666a5d7682083506db3de449577fb4795fddeab925655146fcad74d4adad"
#define EMPTY        "0908a5145565d51d859f01056f0dc27d3548d160d8bd86ab73b137677f26e7b0"

static unsigned char ik[BLIND_INDEX_KEYBYTES];

static int setup(void **state)
{
	(void)state;
	unsigned char vault_key[32];
	for (int i = 0; i < 32; i++)
		vault_key[i] = (unsigned char)i;
	return blind_index_key(ik, vault_key);
}

static void check(const char *text, const char *want_hex)
{
	unsigned char got[BLIND_INDEX_BYTES], want[BLIND_INDEX_BYTES];
	test_unhex(want, sizeof want, want_hex);
	assert_int_equal(blind_index_compute(got, ik, text, strlen(text)), 0);
	assert_memory_equal(got, want, sizeof want);
}

static void test_crypto_blind_index__key_matches_python(void **state)
{
	(void)state;
	unsigned char want[32];
	test_unhex(want, 32, INDEX_KEY);
	assert_memory_equal(ik, want, 32);
}

static void test_crypto_blind_index__known_answers(void **state)
{
	(void)state;
	char text[BLIND_INDEX_TEXT_SIZE];
	check("prod db", PROD_DB);
	check("prod-db", PROD_DASH_DB);
	check("", EMPTY);
	assert_int_equal(blind_index_text(text, ik, "prod db", 7), 0);
	assert_string_equal(text, PROD_DB_B64);
}

static void test_crypto_blind_index__casefold(void **state)
{
	(void)state;
	/* Case and surrounding whitespace do not matter... */
	check("Prod DB", PROD_DB);
	check("  prod db ", PROD_DB);
	check("\tPROD DB\r\n", PROD_DB);
	check("   ", EMPTY);
	/* ...punctuation and inner spacing do. */
	check("Prod-DB", PROD_DASH_DB);
	unsigned char a[32], b[32];
	assert_int_equal(blind_index_compute(a, ik, "prod  db", 8), 0);
	assert_int_equal(blind_index_compute(b, ik, "prod db", 7), 0);
	assert_memory_not_equal(a, b, 32);
	/* Only `len` bytes count, not up to a NUL. */
	assert_int_equal(blind_index_compute(a, ik, "prod dbXYZ", 7), 0);
	assert_memory_equal(a, b, 32);
}

/* The documented limitation: non-ASCII is compared byte for byte. */
static void test_crypto_blind_index__non_ascii_is_exact(void **state)
{
	(void)state;
	unsigned char a[32], b[32];
	check("caf\xc3\xa9", CAFE_UTF8);
	check("CAF\xc3\xa9", CAFE_UTF8); /* ASCII part folded */
	assert_int_equal(blind_index_compute(a, ik, "caf\xc3\xa9", 5), 0);
	assert_int_equal(blind_index_compute(b, ik, "CAF\xc3\x89", 5), 0); /* É */
	assert_memory_not_equal(a, b, 32);
}

/* Longer than the internal 64-byte chunk: compare with a one-shot HMAC. */
static void test_crypto_blind_index__long_text(void **state)
{
	(void)state;
	char text[300], lower[300];
	unsigned char got[32], want[32];
	for (size_t i = 0; i < sizeof text; i++) {
		text[i] = (char)('A' + i % 26);
		lower[i] = (char)('a' + i % 26);
	}
	text[0] = ' ';
	text[sizeof text - 1] = '\n';
	assert_int_equal(blind_index_compute(got, ik, text, sizeof text), 0);
	assert_int_equal(
	    crypto_auth_hmacsha256(want, (const unsigned char *)lower + 1, sizeof lower - 2, ik),
	    0);
	assert_memory_equal(got, want, 32);
}

static void test_crypto_blind_index__vault_key_matters(void **state)
{
	(void)state;
	unsigned char vk[32], ik2[32], a[32], b[32];
	memset(vk, 0xab, sizeof vk);
	assert_int_equal(blind_index_key(ik2, vk), 0);
	assert_memory_not_equal(ik2, ik, 32);
	/* The index key is not the vault key itself. */
	assert_memory_not_equal(ik2, vk, 32);
	assert_int_equal(blind_index_compute(a, ik, "prod db", 7), 0);
	assert_int_equal(blind_index_compute(b, ik2, "prod db", 7), 0);
	assert_memory_not_equal(a, b, 32);
}

/*
 * An indexer (the keyed state kept for a batch) gives the same text as
 * blind_index_text() for every input, however many times it is used, and
 * another key's indexer gives other indexes.
 */
static void test_crypto_blind_index__indexer_matches_one_shot(void **state)
{
	static const char *const texts[] = {"", "  Prod DB ", "prod db", "\xc3\x84rger",
					    "a title longer than one sixty-four byte chunk of "
					    "lowered text, to cross the boundary"};
	unsigned char vk[32], key1[32], key2[32];
	char want[BLIND_INDEX_TEXT_SIZE], got[BLIND_INDEX_TEXT_SIZE];
	blind_indexer bi, other;
	(void)state;

	memset(vk, 7, sizeof vk);
	assert_int_equal(blind_index_key(key1, vk), 0);
	vk[0] ^= 1;
	assert_int_equal(blind_index_key(key2, vk), 0);
	assert_int_equal(blind_indexer_init(&bi, key1), 0);
	assert_int_equal(blind_indexer_init(&other, key2), 0);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
			assert_int_equal(blind_index_text(want, key1, texts[i], strlen(texts[i])), 0);
			assert_int_equal(blind_indexer_text(got, &bi, texts[i], strlen(texts[i])), 0);
			assert_string_equal(got, want);
			assert_int_equal(
				blind_indexer_text(got, &other, texts[i], strlen(texts[i])), 0);
			assert_string_not_equal(got, want);
		}
	blind_indexer_wipe(&bi);
	blind_indexer_wipe(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_blind_index__key_matches_python),
	    cmocka_unit_test(test_crypto_blind_index__known_answers),
	    cmocka_unit_test(test_crypto_blind_index__casefold),
	    cmocka_unit_test(test_crypto_blind_index__non_ascii_is_exact),
	    cmocka_unit_test(test_crypto_blind_index__long_text),
	    cmocka_unit_test(test_crypto_blind_index__vault_key_matters),
	    cmocka_unit_test(test_crypto_blind_index__indexer_matches_one_shot),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
