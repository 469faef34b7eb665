/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes sesamed's If-None-Match matcher (http_if_none_match, http.c).
 * The input is the header's value (a C string: it ends at the first NUL),
 * matched against a fixed strong tag. Beyond not crashing or reading past
 * the value:
 * - a match means the value is "*" alone, or holds the tag's opaque text;
 * - a matching list still matches with another element appended;
 * - the tag alone, weak or not, always matches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OPAQUE "AAAAAAAAAAAAAAAAAAAAAA"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char tag[] = "\"" OPAQUE "\"";
	char *field = malloc(size + 1), *more;
	const char *p;

	if (!field)
		return 0;
	memcpy(field, data, size);
	field[size] = '\0';
	for (p = field; *p == ' ' || *p == '\t'; p++)
		;
	if (http_if_none_match(field, tag)) {
		if (*p != '*' && !strstr(field, OPAQUE))
			abort(); /* matched without the tag in it */
		size_t cap = strlen(field) + 8;
		more = malloc(cap);
		if (more) {
			snprintf(more, cap, "%s, \"x\"", field);
			if (*p != '*' && !http_if_none_match(more, tag))
				abort(); /* another element broke a matching list */
			free(more);
		}
	}
	if (!http_if_none_match(tag, tag) || !http_if_none_match("W/" "\"" OPAQUE "\"", tag))
		abort();
	free(field);
	return 0;
}
