/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>

#include "base32.h"
#include "sesame/errors.h"

/* All ones when lo <= c <= hi, else zero; c, lo, hi below 256. */
static unsigned ct_range_mask(unsigned c, unsigned lo, unsigned hi)
{
	unsigned in = (((lo - 1u - c) & (c - hi - 1u)) >> 8) & 1u;
	return 0u - in;
}

/* Value of base32 character `c` in *val; returns all ones if valid. */
static unsigned b32_value(unsigned char ch, unsigned *val)
{
	unsigned c = ch;
	unsigned upper = ct_range_mask(c, 'A', 'Z');
	unsigned lower = ct_range_mask(c, 'a', 'z');
	unsigned digit = ct_range_mask(c, '2', '7');
	*val = ((upper & (c - 'A')) | (lower & (c - 'a')) | (digit & (c - '2' + 26u))) & 31u;
	return upper | lower | digit;
}

static char b32_char(unsigned v)
{
	/* 0..25 -> 'A'..'Z', 26..31 -> '2'..'7' ('2' - 26 == 'A' - 41). */
	return (char)(v + 'A' - (ct_range_mask(v, 26, 31) & 41u));
}

static int is_ignored(char c)
{
	return c == ' ' || c == '=';
}

size_t base32_decoded_max(size_t text_len)
{
	return text_len / 8 * 5 + 5;
}

int base32_decode(unsigned char *out, size_t cap, size_t *out_len, const char *text,
		  size_t text_len)
{
	unsigned bad = 0, v;
	size_t count = 0;

	for (size_t i = 0; i < text_len; i++) {
		if (is_ignored(text[i]))
			continue;
		bad |= ~b32_value((unsigned char)text[i], &v);
		count++;
	}
	if (bad)
		return SESAME_EINVAL;
	switch (count % 8) {
	case 1:
	case 3:
	case 6:
		return SESAME_EINVAL;
	default:
		break;
	}
	size_t need = count / 8 * 5 + (count % 8) * 5 / 8;
	if (need > cap)
		return SESAME_EBUFSIZE;

	uint_fast32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < text_len; i++) {
		if (is_ignored(text[i]))
			continue;
		(void)b32_value((unsigned char)text[i], &v);
		acc = ((acc << 5) | v) & 0x1fff; /* at most 12 live bits + 5 */
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	acc = 0;
	*out_len = n;
	return 0;
}

size_t base32_encoded_size(size_t len, bool pad)
{
	if (len > (SIZE_MAX - 16) / 8)
		return SIZE_MAX;
	size_t chars = pad ? (len + 4) / 5 * 8 : (len * 8 + 4) / 5;
	return chars + 1;
}

int base32_encode(char *out, size_t cap, const void *bin, size_t len, bool pad)
{
	const unsigned char *in = bin;
	size_t need = base32_encoded_size(len, pad);
	if (need == SIZE_MAX || cap < need)
		return SESAME_EBUFSIZE;

	uint_fast32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		acc = ((acc << 8) | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = b32_char((unsigned)(acc >> bits) & 31u);
		}
	}
	if (bits > 0)
		out[n++] = b32_char((unsigned)(acc << (5 - bits)) & 31u);
	while (pad && n % 8 != 0)
		out[n++] = '=';
	out[n] = '\0';
	acc = 0;
	return 0;
}
