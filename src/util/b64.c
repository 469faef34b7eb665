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
	if (sodium_init() < 0)
		return SESAME_ERROR;
	if (sodium_base642bin(out, cap, text, text_len, NULL, &n, &end, sodium_variant(v)) != 0)
		return SESAME_EINVAL;
	if (end != text + text_len)
		return SESAME_EINVAL;
	*out_len = n;
	return 0;
}

/* Sextet of a base64 character in variant `v`, or -1. */
static int sextet(unsigned char c, b64_variant v)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (v == B64_STANDARD ? '+' : '-'))
		return 62;
	if (c == (v == B64_STANDARD ? '/' : '_'))
		return 63;
	return -1;
}

int b64_decode_public(void *out, size_t cap, size_t *out_len, const char *text, size_t text_len,
		      b64_variant v)
{
	unsigned char *o = out;
	size_t pad = 0, n = 0;

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
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int s = sextet((unsigned char)text[i], v);
		if (s < 0)
			return SESAME_EINVAL;
		acc = (acc << 6) | (unsigned)s;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* Leftover bits must be zero, as libsodium requires (canonical input). */
	if (bits && (acc & ((1u << bits) - 1)) != 0)
		return SESAME_EINVAL;
	*out_len = n;
	return 0;
}
