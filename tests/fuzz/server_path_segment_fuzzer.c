/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the router's percent-decoding of one path segment
 * (route_decode_segment, router.c). What it accepts must obey its rules:
 * at most ROUTE_SEGMENT_MAX bytes, not empty, "." or "..", no '/', '\\'
 * or control byte, and valid UTF-8; a refusal must give a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[ROUTE_SEGMENT_MAX + 1];
	const char *why = NULL;

	if (route_decode_segment((const char *)data, size, out, &why) != 0) {
		if (!why || !*why)
			abort();
		return 0;
	}
	size_t n = strlen(out);
	if (n == 0 || n > ROUTE_SEGMENT_MAX || strcmp(out, ".") == 0 || strcmp(out, "..") == 0 ||
	    strchr(out, '/') || strchr(out, '\\') || !text_utf8_valid(out, n))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	return 0;
}
