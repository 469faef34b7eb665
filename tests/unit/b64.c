/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "b64.h"
#include "sesame/errors.h"

/* RFC 4648 section 10 vectors. */
static void test_b64__rfc4648_vectors(void **state)
{
	(void)state;
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const std[] = {"",     "Zg==",     "Zm8=",    "Zm9v",
					  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	char out[32];
	unsigned char bin[32];
	size_t n;
	for (int i = 0; i < 7; i++) {
		assert_int_equal(b64_encode(out, sizeof out, in[i], strlen(in[i]), B64_STANDARD), 0);
		assert_string_equal(out, std[i]);
		assert_int_equal(b64_encode(out, sizeof out, in[i], strlen(in[i]), B64_URL_NOPAD), 0);
		assert_string_equal(out, url[i]);
		assert_int_equal(b64_decode(bin, sizeof bin, &n, std[i], strlen(std[i]), B64_STANDARD), 0);
		assert_int_equal(n, strlen(in[i]));
		assert_memory_equal(bin, in[i], n);
		assert_int_equal(b64_decode(bin, sizeof bin, &n, url[i], strlen(url[i]), B64_URL_NOPAD), 0);
		assert_int_equal(n, strlen(in[i]));
	}
}

static void test_b64__url_alphabet(void **state)
{
	(void)state;
	const unsigned char bin[] = {0xfb, 0xff, 0xbf};
	char out[8];
	assert_int_equal(b64_encode(out, sizeof out, bin, 3, B64_URL_NOPAD), 0);
	assert_string_equal(out, "-_-_");
	assert_int_equal(b64_encode(out, sizeof out, bin, 3, B64_STANDARD), 0);
	assert_string_equal(out, "+/+/");
}

static void test_b64__rejects_garbage(void **state)
{
	(void)state;
	unsigned char bin[32];
	size_t n;
	assert_int_equal(b64_decode(bin, sizeof bin, &n, "Zm9v!", 5, B64_STANDARD), SESAME_EINVAL);
	assert_int_equal(b64_decode(bin, sizeof bin, &n, "Zm+v", 4, B64_URL_NOPAD), SESAME_EINVAL);
	assert_int_equal(b64_decode(bin, sizeof bin, &n, "Zm9v Zg", 7, B64_URL_NOPAD), SESAME_EINVAL);
	assert_int_equal(b64_decode(bin, sizeof bin, &n, "Z", 1, B64_URL_NOPAD), SESAME_EINVAL);
}

static void test_b64__small_output_buffer(void **state)
{
	(void)state;
	unsigned char bin[2];
	char out[4];
	size_t n;
	assert_int_equal(b64_decode(bin, sizeof bin, &n, "Zm9v", 4, B64_STANDARD), SESAME_EBUFSIZE);
	assert_int_equal(b64_encode(out, sizeof out, "foo", 3, B64_STANDARD), SESAME_EBUFSIZE);
}

static void test_b64__url_tolerates_padding(void **state)
{
	(void)state;
	unsigned char bin[8];
	size_t n;
	assert_int_equal(b64_decode(bin, sizeof bin, &n, "Zg==", 4, B64_URL_NOPAD), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bin[0], 'f');
}

/* The public decoder agrees with libsodium's on every input it is given. */
static void test_b64__public_decoder_agrees(void **state)
{
	(void)state;
	unsigned char bin[64], a[64], b[64];
	char text[100];
	size_t na, nb;
	for (size_t len = 0; len < 40; len++) {
		for (size_t i = 0; i < len; i++)
			bin[i] = (unsigned char)(i * 37 + len);
		for (int v = 0; v < 2; v++) {
			assert_int_equal(b64_encode(text, sizeof text, bin, len, (b64_variant)v), 0);
			assert_int_equal(b64_decode(a, sizeof a, &na, text, strlen(text), (b64_variant)v), 0);
			assert_int_equal(b64_decode_public(b, sizeof b, &nb, text, strlen(text),
							   (b64_variant)v),
					 0);
			assert_int_equal(na, nb);
			assert_memory_equal(a, b, na);
		}
	}
	static const char *const bad[] = {"Zm9v!", "Zm+v", "Z", "Zh", "Zm9vYh", "Zm9v Zg"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rs = b64_decode(a, sizeof a, &na, bad[i], strlen(bad[i]), B64_URL_NOPAD);
		int rp = b64_decode_public(b, sizeof b, &nb, bad[i], strlen(bad[i]), B64_URL_NOPAD);
		if ((rs == 0) != (rp == 0))
			fail_msg("decoders disagree on '%s': %d vs %d", bad[i], rs, rp);
	}
	assert_int_equal(b64_decode_public(a, 2, &na, "Zm9v", 4, B64_STANDARD), SESAME_EBUFSIZE);
}

/*
 * Random strings over both alphabets, '=' and a stray character: the
 * public decoder accepts exactly what libsodium's accepts, with the same
 * bytes, in both variants (the table decoder's four-at-a-time loop and
 * its tail of one to three characters).
 */
static void test_b64__public_decoder_agrees_on_random_text(void **state)
{
	static const char alphabet[] = "AQgwZaz09+/-_=!\xc3\xdb";
	unsigned char a[64], b[64];
	char text[48];
	size_t na, nb;
	uint32_t x = 12345;
	int accepted = 0;
	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		x = x * 1103515245u + 12345u;
		size_t len = (x >> 16) % 13;
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			text[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
		}
		text[len] = '\0';
		for (int v = 0; v < 2; v++) {
			int rs = b64_decode(a, sizeof a, &na, text, len, (b64_variant)v);
			int rp = b64_decode_public(b, sizeof b, &nb, text, len, (b64_variant)v);
			if ((rs == 0) != (rp == 0))
				fail_msg("decoders disagree on '%s' (variant %d): %d vs %d", text, v,
					 rs, rp);
			if (rs == 0) {
				accepted++;
				assert_int_equal(na, nb);
				assert_memory_equal(a, b, na);
			}
		}
	}
	assert_true(accepted > 1000); /* the test saw valid text, not only rejections */
}

/*
 * A byte >= 0x80 is never base64: libsodium's decoder alone took it for
 * '-' or '_', so a session token with one changed byte still verified
 * (found by tests/fuzz/server_session_fuzzer.c).
 */
static void test_b64__high_bytes_refused(void **state)
{
	unsigned char out[16];
	size_t n;
	char text[] = "AAAA-AAA";
	(void)state;

	assert_int_equal(b64_decode(out, sizeof out, &n, text, 8, B64_URL_NOPAD), 0);
	for (int c = 0x80; c <= 0xff; c++) {
		text[4] = (char)c;
		assert_int_equal(b64_decode(out, sizeof out, &n, text, 8, B64_URL_NOPAD),
				 SESAME_EINVAL);
		assert_int_equal(b64_decode(out, sizeof out, &n, text, 8, B64_STANDARD),
				 SESAME_EINVAL);
		assert_int_equal(b64_decode_public(out, sizeof out, &n, text, 8, B64_URL_NOPAD),
				 SESAME_EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64__rfc4648_vectors),
		cmocka_unit_test(test_b64__url_alphabet),
		cmocka_unit_test(test_b64__rejects_garbage),
		cmocka_unit_test(test_b64__small_output_buffer),
		cmocka_unit_test(test_b64__url_tolerates_padding),
		cmocka_unit_test(test_b64__public_decoder_agrees),
		cmocka_unit_test(test_b64__public_decoder_agrees_on_random_text),
		cmocka_unit_test(test_b64__high_bytes_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
