/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output masking: input = 1 byte split point, 1 byte secret count (0..3),
 * then secrets of (1 length byte + bytes), then the stream. Filtering the
 * stream whole and in two writes must give identical output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inject/mask.h"

static char *filter(const char *const *s, const size_t *l, size_t n, const uint8_t *in, size_t len,
		    size_t split, size_t *out_len)
{
	mask_filter *f;
	sbuf out = SBUF_INIT(1 << 24);
	if (mask_filter_new(&f, s, l, n) != 0)
		abort();
	if (mask_filter_write(f, (const char *)in, split, &out) ||
	    mask_filter_write(f, (const char *)in + split, len - split, &out) ||
	    mask_filter_finish(f, &out))
		abort();
	mask_filter_free(f);
	return sbuf_detach(&out, out_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *secrets[3];
	size_t lens[3], n, pos = 2;
	if (size < 2)
		return 0;
	n = data[1] % 4;
	for (size_t i = 0; i < n; i++) {
		if (pos >= size)
			return 0;
		size_t l = data[pos++] % 16;
		if (pos + l > size)
			return 0;
		secrets[i] = (const char *)data + pos;
		lens[i] = l;
		pos += l;
	}
	const uint8_t *stream = data + pos;
	size_t len = size - pos, split = len ? data[0] % (len + 1) : 0, l1, l2;
	char *a = filter(secrets, lens, n, stream, len, len, &l1);
	char *b = filter(secrets, lens, n, stream, len, split, &l2);
	if (l1 != l2 || (l1 && memcmp(a, b, l1) != 0))
		abort();
	free(a);
	free(b);
	return 0;
}
