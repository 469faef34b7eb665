/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_TESTS_UNIT_TEST_H
#define SESAME_TESTS_UNIT_TEST_H

/* Common includes for cmocka unit tests (cmocka needs these first). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

/* Hex string to bytes; returns the byte count. Test-only helper. */
static inline size_t test_unhex(unsigned char *out, size_t cap, const char *hex)
{
	size_t n = 0;
	while (hex[0] && hex[1] && n < cap) {
		unsigned v;
		char pair[3] = {hex[0], hex[1], 0};
		v = (unsigned)strtoul(pair, NULL, 16);
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

#endif
