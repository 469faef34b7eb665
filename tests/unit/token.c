/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Service-account tokens. The golden tokens were computed independently
 * with Python 3 (hashlib, base64), from the format in sa_token.h:
 *
 *   p = bytes([1]) + acct + sa + bytes(range(32)) + struct.pack(">H", len(url)) + url
 *   c = hashlib.blake2b(b"sesame_sa_" + p, digest_size=32).digest()[:4]
 *   b"sesame_sa_" + base64.urlsafe_b64encode(p + c).rstrip(b"=")
 *
 * with acct = b"k7tq2mz4xw9b3nf6hp8rjc5vda", sa = b"s3q8wz7m2k4x9p6v5b1n0t7cry",
 * url = b"https://sesame.example.com" (and the variants named below).
 * Other malformed inputs are crafted here with libsodium's BLAKE2b, which
 * the golden vectors show agrees with the reference computation.
 */
#include "test.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>

#include "token/sa_token.h"
#include "sesame/errors.h"

#define ACCT "k7tq2mz4xw9b3nf6hp8rjc5vda"
#define SAID "s3q8wz7m2k4x9p6v5b1n0t7cry"
#define URL "https://sesame.example.com"

static const char golden[] =
	"sesame_sa_AWs3dHEybXo0eHc5YjNuZjZocDhyamM1dmRhczNxOHd6N20yazR4OXA2djViMW4wdDdjcnkAAQIDBA"
	"UGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHwAaaHR0cHM6Ly9zZXNhbWUuZXhhbXBsZS5jb21I9Sl9";
/* Python, version byte 2 (checksum valid). */
static const char golden_v2[] =
	"sesame_sa_Ams3dHEybXo0eHc5YjNuZjZocDhyamM1dmRhczNxOHd6N20yazR4OXA2djViMW4wdDdjcnkAAQIDBA"
	"UGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHwAaaHR0cHM6Ly9zZXNhbWUuZXhhbXBsZS5jb23xivFn";
/* Python, account id "K7tq2..." with an upper-case K (checksum valid). */
static const char golden_bad_id[] =
	"sesame_sa_AUs3dHEybXo0eHc5YjNuZjZocDhyamM1dmRhczNxOHd6N20yazR4OXA2djViMW4wdDdjcnkAAQIDBA"
	"UGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHwAaaHR0cHM6Ly9zZXNhbWUuZXhhbXBsZS5jb22pPk8R";
/* Python, url "ftp://sesame.example.com" (checksum valid). */
static const char golden_ftp[] =
	"sesame_sa_AWs3dHEybXo0eHc5YjNuZjZocDhyamM1dmRhczNxOHd6N20yazR4OXA2djViMW4wdDdjcnkAAQIDBA"
	"UGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHwAYZnRwOi8vc2VzYW1lLmV4YW1wbGUuY29tbM7Q2g";

static void fixed_seed(unsigned char seed[SA_TOKEN_SEED_BYTES])
{
	for (int i = 0; i < SA_TOKEN_SEED_BYTES; i++)
		seed[i] = (unsigned char)i;
}

/* Payload bytes, with the URL length field given separately. */
static size_t build_payload(unsigned char *p, unsigned version, const char *acct,
			    const char *sa, const char *url, size_t url_len_field)
{
	size_t n = 0, ulen = strlen(url);
	p[n++] = (unsigned char)version;
	memcpy(p + n, acct, 26), n += 26;
	memcpy(p + n, sa, 26), n += 26;
	fixed_seed(p + n), n += 32;
	p[n++] = (unsigned char)(url_len_field >> 8);
	p[n++] = (unsigned char)url_len_field;
	memcpy(p + n, url, ulen), n += ulen;
	return n;
}

/*
 * "sesame_sa_" + base64url(payload || checksum || `tail` zero bytes);
 * with `good_sum` false the checksum's first byte is flipped. free().
 */
static char *craft(const unsigned char *payload, size_t len, bool good_sum, size_t tail)
{
	unsigned char digest[32];
	crypto_generichash_state st;
	assert_int_equal(sodium_init() >= 0, 1);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)"sesame_sa_", 10);
	crypto_generichash_update(&st, payload, len);
	crypto_generichash_final(&st, digest, 32);
	if (!good_sum)
		digest[0] ^= 0xff;
	size_t total = len + 4 + tail;
	unsigned char *bin = calloc(1, total);
	assert_non_null(bin);
	memcpy(bin, payload, len);
	memcpy(bin + len, digest, 4);
	const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	size_t cap = 10 + sodium_base64_ENCODED_LEN(total, variant);
	char *s = malloc(cap);
	assert_non_null(s);
	memcpy(s, "sesame_sa_", 10);
	sodium_bin2base64(s + 10, cap - 10, bin, total, variant);
	free(bin);
	return s;
}

static char *craft_simple(unsigned version, const char *acct, const char *sa, const char *url)
{
	unsigned char p[4096];
	size_t n = build_payload(p, version, acct, sa, url, strlen(url));
	return craft(p, n, true, 0);
}

/* Decoding `text` fails with `kind`; the message never shows the token. */
static void expect_decode_error(const char *text, const char *kind)
{
	sa_token *t = (sa_token *)(uintptr_t)1;
	assert_int_equal(sa_token_decode(&t, text), SESAME_EINVAL);
	assert_null(t);
	const sesame_error *e = sesame_error_last();
	assert_int_equal(e->code, SESAME_EINVAL);
	assert_string_equal(e->kind, kind);
	/* Lower case, and no 8-character window of the body appears in it. */
	for (const char *m = e->message; *m; m++)
		assert_false(*m >= 'A' && *m <= 'Z');
	const char *body = strstr(text, "sesame_sa_");
	body = body ? body + 10 : text;
	size_t blen = strlen(body);
	for (size_t i = 0; i + 8 <= blen; i++) {
		char window[9];
		memcpy(window, body + i, 8);
		window[8] = '\0';
		/* Spaces cannot be told apart; the prefix itself may be quoted. */
		if (strchr(window, ' ') || strchr(window, '\n') || strstr(SA_TOKEN_PREFIX, window))
			continue;
		assert_null(strstr(e->message, window));
	}
}

static void assert_golden_fields(const sa_token *t)
{
	unsigned char seed[SA_TOKEN_SEED_BYTES];
	fixed_seed(seed);
	assert_int_equal(t->version, 1);
	assert_string_equal(t->account_id, ACCT);
	assert_string_equal(t->sa_id, SAID);
	assert_string_equal(t->server_url, URL);
	assert_memory_equal(t->seed, seed, SA_TOKEN_SEED_BYTES);
}

static void test_token__golden_encode(void **state)
{
	(void)state;
	unsigned char seed[SA_TOKEN_SEED_BYTES];
	sa_token *t = NULL;
	char *s = NULL;
	fixed_seed(seed);
	assert_int_equal(sa_token_new(&t, ACCT, SAID, URL, seed), 0);
	assert_int_equal(sa_token_encode(&s, t), 0);
	assert_string_equal(s, golden);
	sa_token_string_free(s);
	sa_token_free(t);
}

static void test_token__golden_decode(void **state)
{
	(void)state;
	sa_token *t = NULL;
	assert_int_equal(sa_token_decode(&t, golden), 0);
	assert_golden_fields(t);
	sa_token_free(t);
}

static void test_token__round_trip(void **state)
{
	(void)state;
	static const char *const urls[] = {URL, "http://127.0.0.1:8080",
					   "https://vault.example.org:8443/sesame/api?x=1&y=%41",
					   "http://a"};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		sa_token *t = NULL, *u = NULL;
		char *s = NULL;
		const char *acct = "0123456789abcdefghijklmnop";
		assert_int_equal(sa_token_new(&t, acct, SAID, urls[i], NULL), 0);
		assert_int_equal(sa_token_encode(&s, t), 0);
		assert_int_equal(strncmp(s, "sesame_sa_", 10), 0);
		assert_int_equal(sa_token_decode(&u, s), 0);
		assert_int_equal(u->version, 1);
		assert_string_equal(u->account_id, t->account_id);
		assert_string_equal(u->sa_id, t->sa_id);
		assert_string_equal(u->server_url, urls[i]);
		assert_memory_equal(u->seed, t->seed, SA_TOKEN_SEED_BYTES);
		sa_token_string_free(s);
		sa_token_free(u);
		sa_token_free(t);
	}

	/* Two new tokens get different random seeds. */
	sa_token *a = NULL, *b = NULL;
	assert_int_equal(sa_token_new(&a, ACCT, SAID, URL, NULL), 0);
	assert_int_equal(sa_token_new(&b, ACCT, SAID, URL, NULL), 0);
	assert_memory_not_equal(a->seed, b->seed, SA_TOKEN_SEED_BYTES);
	sa_token_free(a);
	sa_token_free(b);
}

/* The longest URL (2048 bytes) round-trips; 2049 is refused. */
static void test_token__url_length_limits(void **state)
{
	(void)state;
	char url[2050];
	memcpy(url, "https://", 8);
	memset(url + 8, 'a', sizeof url - 8);
	url[2048] = '\0';
	sa_token *t = NULL, *u = NULL;
	char *s = NULL;
	assert_int_equal(sa_token_new(&t, ACCT, SAID, url, NULL), 0);
	assert_int_equal(sa_token_encode(&s, t), 0);
	assert_int_equal(sa_token_decode(&u, s), 0);
	assert_string_equal(u->server_url, url);
	sa_token_string_free(s);
	sa_token_free(u);
	sa_token_free(t);

	url[2048] = 'a';
	url[2049] = '\0';
	t = (sa_token *)(uintptr_t)1;
	assert_int_equal(sa_token_new(&t, ACCT, SAID, url, NULL), SESAME_EINVAL);
	assert_null(t);
	assert_string_equal(sesame_error_last()->kind, "token_invalid");

	/* A decoded URL of 2049 bytes, with a good checksum, is token_invalid. */
	s = craft_simple(1, ACCT, SAID, url);
	expect_decode_error(s, "token_invalid");
	free(s);
}

static void test_token__whitespace_tolerated(void **state)
{
	(void)state;
	static const char *const around[][2] = {
		{"", "\n"}, {"", "\r\n"}, {"  ", "  "}, {"\t\n", "\n\n"}, {" \r\n", ""}};
	char buf[sizeof golden + 16];
	for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
		sa_token *t = NULL;
		snprintf(buf, sizeof buf, "%s%s%s", around[i][0], golden, around[i][1]);
		assert_int_equal(sa_token_decode(&t, buf), 0);
		assert_golden_fields(t);
		sa_token_free(t);
	}
	/* Inside the token, whitespace is an encoding error. */
	char split[sizeof golden + 1];
	memcpy(split, golden, 40);
	split[40] = '\n';
	memcpy(split + 41, golden + 40, sizeof golden - 40);
	expect_decode_error(split, "token_bad_encoding");
}

static void test_token__bad_prefix(void **state)
{
	(void)state;
	char buf[sizeof golden + 8];
	expect_decode_error("", "token_bad_prefix");
	expect_decode_error("   \n", "token_bad_prefix");
	expect_decode_error("sesame_sa", "token_bad_prefix");
	expect_decode_error("sesame_", "token_bad_prefix");
	expect_decode_error(golden + 1, "token_bad_prefix");
	snprintf(buf, sizeof buf, "x%s", golden);
	expect_decode_error(buf, "token_bad_prefix");
	snprintf(buf, sizeof buf, "%s", golden);
	buf[7] = 'u'; /* sesame_ua_ */
	expect_decode_error(buf, "token_bad_prefix");
	snprintf(buf, sizeof buf, "%s", golden);
	memcpy(buf, "SESAME_SA_", 10);
	expect_decode_error(buf, "token_bad_prefix");
	snprintf(buf, sizeof buf, "%s", golden);
	buf[9] = '-';
	expect_decode_error(buf, "token_bad_prefix");
	/* A session or user credential is not a service-account token. */
	expect_decode_error("sesame_session_abc", "token_bad_prefix");

	sa_token *t = (sa_token *)(uintptr_t)1;
	assert_int_equal(sa_token_decode(&t, NULL), SESAME_EINVAL);
	assert_null(t);
	assert_string_equal(sesame_error_last()->kind, "token_bad_prefix");
}

static void test_token__bad_encoding(void **state)
{
	(void)state;
	char buf[sizeof golden + 8];
	/* Standard base64's '+' and '/', padding, a space, a non-ASCII byte. */
	static const char subst[] = {'+', '/', '=', ' ', '.', '\x80', '\t'};
	for (size_t i = 0; i < sizeof subst; i++) {
		snprintf(buf, sizeof buf, "%s", golden);
		buf[30] = subst[i];
		expect_decode_error(buf, "token_bad_encoding");
	}
	/* Padding after the canonical text is not part of the format. */
	snprintf(buf, sizeof buf, "%s==", golden);
	expect_decode_error(buf, "token_bad_encoding");
	/* A body length of 1 mod 4 is impossible base64. */
	expect_decode_error("sesame_sa_A", "token_bad_encoding");
	snprintf(buf, sizeof buf, "%sA", golden); /* 156 + 1 characters */
	assert_int_equal((strlen(buf) - 10) % 4, 1);
	expect_decode_error(buf, "token_bad_encoding");
	/*
	 * Non-canonical: golden_ftp's body is 154 characters for 115 bytes, so
	 * the low 4 bits of its last character ('g', 100000) are padding and
	 * must be zero; 'h' (100001) sets one. (The encoding is checked before
	 * the fields, so its bad URL does not matter.)
	 */
	snprintf(buf, sizeof buf, "%s", golden_ftp);
	assert_int_equal((strlen(buf) - 10) % 4, 2);
	assert_int_equal(buf[strlen(buf) - 1], 'g');
	buf[strlen(buf) - 1] = 'h';
	expect_decode_error(buf, "token_bad_encoding");
}

static void test_token__truncated(void **state)
{
	(void)state;
	unsigned char p[4096];
	char *s;

	/* Nothing, or less than the fixed part plus the checksum. */
	expect_decode_error("sesame_sa_", "token_truncated");
	expect_decode_error("sesame_sa_AQ", "token_truncated");
	size_t n = build_payload(p, 1, ACCT, SAID, URL, strlen(URL));
	s = craft(p, SA_TOKEN_FIXED_BYTES - 1, true, 0);
	expect_decode_error(s, "token_truncated");
	free(s);
	/* The golden token cut short at a 4-character boundary. */
	char cut[sizeof golden];
	memcpy(cut, golden, 10 + 100);
	cut[110] = '\0';
	expect_decode_error(cut, "token_truncated");

	/* The URL length field says more than there is. */
	n = build_payload(p, 1, ACCT, SAID, URL, strlen(URL) + 1);
	s = craft(p, n, true, 0);
	expect_decode_error(s, "token_truncated");
	free(s);
	n = build_payload(p, 1, ACCT, SAID, URL, 0xffff);
	s = craft(p, n, true, 0);
	expect_decode_error(s, "token_truncated");
	free(s);

	/* Bytes after the checksum (the URL length field says less). */
	n = build_payload(p, 1, ACCT, SAID, URL, strlen(URL));
	s = craft(p, n, true, 1);
	expect_decode_error(s, "token_truncated");
	free(s);
	n = build_payload(p, 1, ACCT, SAID, URL, strlen(URL) - 1);
	s = craft(p, n, true, 0);
	expect_decode_error(s, "token_truncated");
	free(s);

	/* Longer than the length field could ever describe. */
	size_t big = 100000;
	char *huge = malloc(10 + big + 1);
	assert_non_null(huge);
	memcpy(huge, "sesame_sa_", 10);
	memset(huge + 10, 'A', big);
	huge[10 + big] = '\0';
	expect_decode_error(huge, "token_truncated");
	free(huge);
}

static void test_token__bad_checksum(void **state)
{
	(void)state;
	unsigned char p[4096];
	size_t n = build_payload(p, 1, ACCT, SAID, URL, strlen(URL));
	char *s = craft(p, n, false, 0);
	expect_decode_error(s, "token_bad_checksum");
	free(s);

	/* The payload changed (seed byte), the checksum kept. */
	char buf[sizeof golden];
	memcpy(buf, golden, sizeof golden);
	/* Body character 80 encodes seed bytes: 'B' (1) -> 'A' (0) flips one bit. */
	assert_int_equal(buf[10 + 80], 'B');
	buf[10 + 80] = 'A';
	expect_decode_error(buf, "token_bad_checksum");

	/* The checksum is checked before the version and the fields. */
	n = build_payload(p, 9, "NOT-AN-ID-NOT-AN-ID-NOT-AN", SAID, "ftp://x", 7);
	s = craft(p, n, false, 0);
	expect_decode_error(s, "token_bad_checksum");
	free(s);
}

static void test_token__unknown_version(void **state)
{
	(void)state;
	expect_decode_error(golden_v2, "token_unknown_version");
	assert_non_null(strstr(sesame_error_last()->message, "version 2"));
	static const unsigned versions[] = {0, 2, 255};
	for (size_t i = 0; i < 3; i++) {
		char *s = craft_simple(versions[i], ACCT, SAID, URL);
		expect_decode_error(s, "token_unknown_version");
		free(s);
	}
	/* The version is checked before the fields. */
	char *s = craft_simple(2, "NOT-AN-ID-NOT-AN-ID-NOT-AN", SAID, "ftp://x");
	expect_decode_error(s, "token_unknown_version");
	free(s);
}

static void test_token__invalid_fields(void **state)
{
	(void)state;
	expect_decode_error(golden_bad_id, "token_invalid");
	assert_non_null(strstr(sesame_error_last()->message, "account id"));
	expect_decode_error(golden_ftp, "token_invalid");
	assert_non_null(strstr(sesame_error_last()->message, "server url"));

	static const char *const bad_ids[] = {
		"k7tq2mz4xw9b3nf6hp8rjc5vd-", "k7tq2mz4xw9b3nf6hp8rjc5vd ",
		"k7tq2mz4xw9b3nf6hp8rjc5vd\x80", "K7TQ2MZ4XW9B3NF6HP8RJC5VDA"};
	for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
		char *s = craft_simple(1, bad_ids[i], SAID, URL);
		expect_decode_error(s, "token_invalid");
		free(s);
		s = craft_simple(1, ACCT, bad_ids[i], URL);
		expect_decode_error(s, "token_invalid");
		assert_non_null(strstr(sesame_error_last()->message, "service account id"));
		free(s);
	}
	/* An id with a NUL inside (26 bytes, but not 26 characters). */
	unsigned char p[256];
	size_t n = build_payload(p, 1, ACCT, SAID, URL, strlen(URL));
	p[1 + 5] = '\0';
	char *s = craft(p, n, true, 0);
	expect_decode_error(s, "token_invalid");
	free(s);

	static const char *const bad_urls[] = {"ftp://example.com", "https://",  "http://",
					       "https//example.com", "HTTPS://example.com",
					       "https://exa mple.com", "https://example.com\t",
					       "https://ex\x7f.com", "https://\xc3\xa9.com",
					       "example.com"};
	for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
		s = craft_simple(1, ACCT, SAID, bad_urls[i]);
		expect_decode_error(s, "token_invalid");
		free(s);
	}
	/* A URL of length 0, and one with a NUL inside. */
	n = build_payload(p, 1, ACCT, SAID, "", 0);
	s = craft(p, n, true, 0);
	expect_decode_error(s, "token_invalid");
	free(s);
	n = build_payload(p, 1, ACCT, SAID, URL, strlen(URL));
	p[n - 3] = '\0';
	s = craft(p, n, true, 0);
	expect_decode_error(s, "token_invalid");
	free(s);
}

/* Flipping any one bit of any character of a valid token is caught. */
static void test_token__every_bit_flip_rejected(void **state)
{
	(void)state;
	char buf[sizeof golden];
	size_t len = strlen(golden), tried = 0;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(buf, golden, sizeof golden);
			buf[i] = (char)(buf[i] ^ (1 << bit));
			if (buf[i] == '\0')
				continue; /* would only shorten the C string */
			sa_token *t = (sa_token *)(uintptr_t)1;
			assert_int_equal(sa_token_decode(&t, buf), SESAME_EINVAL);
			assert_null(t);
			tried++;
		}
	}
	assert_int_equal(tried, len * 8);
}

static void test_token__encode_errors(void **state)
{
	(void)state;
	sa_token *t = (sa_token *)(uintptr_t)1;
	char *s = (char *)(uintptr_t)1;

	assert_int_equal(sa_token_new(&t, "short", SAID, URL, NULL), SESAME_EINVAL);
	assert_null(t);
	assert_string_equal(sesame_error_last()->kind, "token_invalid");
	assert_int_equal(sa_token_new(&t, ACCT "x", SAID, URL, NULL), SESAME_EINVAL);
	assert_int_equal(sa_token_new(&t, ACCT, "S3Q8WZ7M2K4X9P6V5B1N0T7CRY", URL, NULL),
			 SESAME_EINVAL);
	assert_int_equal(sa_token_new(&t, ACCT, SAID, "sesame.example.com", NULL), SESAME_EINVAL);
	assert_int_equal(sa_token_new(&t, ACCT, SAID, NULL, NULL), SESAME_EINVAL);
	assert_int_equal(sa_token_new(&t, NULL, SAID, URL, NULL), SESAME_EINVAL);

	assert_int_equal(sa_token_new(&t, ACCT, SAID, URL, NULL), 0);
	t->version = 2;
	assert_int_equal(sa_token_encode(&s, t), SESAME_EINVAL);
	assert_null(s);
	assert_string_equal(sesame_error_last()->kind, "token_unknown_version");
	t->version = 1;
	t->sa_id[3] = 'Q';
	assert_int_equal(sa_token_encode(&s, t), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "token_invalid");
	t->sa_id[3] = 'q';
	t->server_url[4] = 'x'; /* httxs:// */
	assert_int_equal(sa_token_encode(&s, t), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "token_invalid");
	t->server_url[4] = 's';
	assert_int_equal(sa_token_encode(&s, t), 0);
	sa_token_string_free(s);
	sa_token_free(t);

	assert_int_equal(sa_token_encode(&s, NULL), SESAME_EINVAL);
	sa_token_free(NULL);
	sa_token_string_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token__golden_encode),
		cmocka_unit_test(test_token__golden_decode),
		cmocka_unit_test(test_token__round_trip),
		cmocka_unit_test(test_token__url_length_limits),
		cmocka_unit_test(test_token__whitespace_tolerated),
		cmocka_unit_test(test_token__bad_prefix),
		cmocka_unit_test(test_token__bad_encoding),
		cmocka_unit_test(test_token__truncated),
		cmocka_unit_test(test_token__bad_checksum),
		cmocka_unit_test(test_token__unknown_version),
		cmocka_unit_test(test_token__invalid_fields),
		cmocka_unit_test(test_token__every_bit_flip_rejected),
		cmocka_unit_test(test_token__encode_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
