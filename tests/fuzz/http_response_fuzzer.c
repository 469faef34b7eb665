/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP response parser on arbitrary bytes, fed whole and then split at
 * a point taken from the first byte: both feeds must agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_parse.h"

static int run(const uint8_t *data, size_t size, size_t split, int *status, size_t *body)
{
	http_parser p;
	size_t used = 0, used2 = 0;
	int rc;
	http_parser_init(&p, 4096, false, false);
	rc = http_parser_feed(&p, (const char *)data, split, &used);
	if (rc == 0 && used == split && split < size)
		rc = http_parser_feed(&p, (const char *)data + split, size - split, &used2);
	*status = rc == 1 ? p.status : 0;
	*body = rc == 1 ? p.body.len : 0;
	if (rc == 1 && p.body.len && !p.body.ptr)
		abort();
	http_parser_free(&p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t split = size > 1 ? data[0] % size : size;
	int s1, s2;
	size_t b1, b2;
	int r1 = run(data + 1, size - 1, size - 1, &s1, &b1);
	int r2 = run(data + 1, size - 1, split < size - 1 ? split : size - 1, &s2, &b2);
	if (r1 != r2 || s1 != s2 || b1 != b2)
		abort();
	return 0;
}
