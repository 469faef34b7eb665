/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>

#include "b64.h"
#include "sesame/errors.h"

static int sodium_variant(b64_variant v)
{
	return v == B64_STANDARD ? sodium_base64_VARIANT_ORIGINAL
				 : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

size_t b64_encoded_size(size_t len, b64_variant v)
{
	return sodium_base64_encoded_len(len, sodium_variant(v));
}

int b64_encode(char *out, size_t cap, const void *bin, size_t len, b64_variant v)
{
	if (cap < b64_encoded_size(len, v))
		return SESAME_EBUFSIZE;
	sodium_bin2base64(out, cap, bin, len, sodium_variant(v));
	return 0;
}

size_t b64_decoded_max(size_t text_len)
{
	return text_len / 4 * 3 + 3;
}

int b64_decode(void *out, size_t cap, size_t *out_len, const char *text, size_t text_len,
	       b64_variant v)
{
	const char *end = NULL;
	size_t n = 0;

	/* The URL variant is decoded without padding; strip a tolerated tail. */
	if (v == B64_URL_NOPAD)
		while (text_len > 0 && text[text_len - 1] == '=')
			text_len--;
	/*
	 * libsodium reports a short buffer and bad input alike, so check the
	 * size first: the exact decoded length follows from the text length.
	 */
	size_t pad = 0;
	while (pad < 2 && pad < text_len && text[text_len - 1 - pad] == '=')
		pad++;
	size_t need = (text_len - pad) * 3 / 4;
	if (cap < need)
		return SESAME_EBUFSIZE;
	/*
	 * libsodium's decoder takes a byte >= 0x80 for '-' or '_' (its
	 * constant-time comparisons assume 7-bit input: tokens with such a
	 * byte decoded, and verified, as if it were one of those). Refuse them
	 * first, without branching on any one byte.
	 */
	unsigned high = 0;
	for (size_t i = 0; i < text_len; i++)
		high |= (unsigned char)text[i];
	if (high & 0x80)
		return SESAME_EINVAL;
	if (sodium_init() < 0)
		return SESAME_ERROR;
	if (sodium_base642bin(out, cap, text, text_len, NULL, &n, &end, sodium_variant(v)) != 0)
		return SESAME_EINVAL;
	if (end != text + text_len)
		return SESAME_EINVAL;
	*out_len = n;
	return 0;
}

/* Sextet of each byte, -1 for a byte outside the alphabet: standard, then URL-safe. */
static const signed char sextets[2][256] = {
	{
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, 62, -1, -1, -1, 63, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1,
		-1, -1, -1, -1, -1, 0,	1,  2,	3,  4,	5,  6,	7,  8,	9,  10, 11, 12, 13, 14,
		15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1, -1, 26, 27, 28,
		29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
		49, 50, 51, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	},
	{
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, 62, -1, -1, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1,
		-1, -1, -1, -1, -1, 0,	1,  2,	3,  4,	5,  6,	7,  8,	9,  10, 11, 12, 13, 14,
		15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63, -1, 26, 27, 28,
		29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
		49, 50, 51, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	},
};

/*
 * Not constant-time (table lookups indexed by the text): for public data
 * only, such as ciphertext (b64.h). Four characters at a time into three
 * bytes, then the one to three left over.
 */
int b64_decode_public(void *out, size_t cap, size_t *out_len, const char *text, size_t text_len,
		      b64_variant v)
{
	const signed char *t = sextets[v == B64_STANDARD ? 0 : 1];
	const unsigned char *s = (const unsigned char *)text;
	unsigned char *o = out;
	size_t pad = 0, i = 0, n = 0;

	if (v == B64_URL_NOPAD)
		while (text_len > 0 && text[text_len - 1] == '=')
			text_len--;
	else
		while (pad < 2 && pad < text_len && text[text_len - 1 - pad] == '=')
			pad++;
	size_t len = text_len - pad;
	if (v == B64_STANDARD && (text_len % 4) != 0)
		return SESAME_EINVAL;
	if (len % 4 == 1)
		return SESAME_EINVAL;
	if (cap < len * 3 / 4)
		return SESAME_EBUFSIZE;
	for (; i + 4 <= len; i += 4) {
		int a = t[s[i]], b = t[s[i + 1]], c = t[s[i + 2]], d = t[s[i + 3]];
		if ((a | b | c | d) < 0)
			return SESAME_EINVAL;
		unsigned w = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
		o[n++] = (unsigned char)(w >> 16);
		o[n++] = (unsigned char)(w >> 8);
		o[n++] = (unsigned char)w;
	}
	if (len - i >= 2) {
		int a = t[s[i]], b = t[s[i + 1]], c = len - i == 3 ? t[s[i + 2]] : 0;
		if ((a | b | c) < 0)
			return SESAME_EINVAL;
		unsigned w = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6;
		/* Leftover bits must be zero, as libsodium requires (canonical input). */
		if (len - i == 2 ? (b & 0x0f) : (c & 0x03))
			return SESAME_EINVAL;
		o[n++] = (unsigned char)(w >> 16);
		if (len - i == 3)
			o[n++] = (unsigned char)(w >> 8);
	}
	*out_len = n;
	return 0;
}
