/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the secret reference parser. Every input is parsed; validate()
 * must agree with parse(); and when it parses, the reference rebuilt from
 * its parts must parse again to exactly the same parts (the parser neither
 * loses nor invents anything).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/errors.h"
#include "sesame/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Appends `s` at *pos in `buf` (capacity cap); aborts if it does not fit. */
static void put(char *buf, size_t cap, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (*pos + n >= cap)
		abort();
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 2 * SESAME_REFERENCE_MAX_BYTES)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	sesame_reference *ref = NULL;
	int rc = sesame_reference_parse(&ref, text);
	int vrc = sesame_reference_validate(text);
	if (rc != vrc)
		abort();
	if (rc != 0) {
		if (ref != NULL || sesame_error_last()->code != rc)
			abort();
		free(text);
		return 0;
	}

	/* Rebuild: the canonical form of the same reference. */
	size_t cap = size + 64, pos = 0;
	char *again = malloc(cap);
	if (!again)
		abort();
	again[0] = '\0';
	put(again, cap, &pos, "op://");
	put(again, cap, &pos, sesame_reference_vault(ref));
	put(again, cap, &pos, "/");
	put(again, cap, &pos, sesame_reference_item(ref));
	put(again, cap, &pos, "/");
	if (sesame_reference_section(ref)) {
		put(again, cap, &pos, sesame_reference_section(ref));
		put(again, cap, &pos, "/");
	}
	put(again, cap, &pos, sesame_reference_field(ref));
	const char *sep = "?";
	if (sesame_reference_attribute(ref) != SESAME_REFERENCE_ATTR_VALUE) {
		const char *name = sesame_reference_attr_name(sesame_reference_attribute(ref));
		if (!name)
			abort();
		put(again, cap, &pos, "?attr=");
		put(again, cap, &pos, name);
		sep = "&";
	}
	if (sesame_reference_ssh_format_openssh(ref)) {
		put(again, cap, &pos, sep);
		put(again, cap, &pos, "ssh-format=openssh");
	}

	sesame_reference *ref2 = NULL;
	if (sesame_reference_parse(&ref2, again) != 0) {
		fprintf(stderr, "rebuilt reference does not parse: %s\n",
		        sesame_error_last()->message);
		abort();
	}
	if (!same(sesame_reference_vault(ref), sesame_reference_vault(ref2)) ||
	    !same(sesame_reference_item(ref), sesame_reference_item(ref2)) ||
	    !same(sesame_reference_section(ref), sesame_reference_section(ref2)) ||
	    !same(sesame_reference_field(ref), sesame_reference_field(ref2)) ||
	    sesame_reference_attribute(ref) != sesame_reference_attribute(ref2) ||
	    sesame_reference_ssh_format_openssh(ref) != sesame_reference_ssh_format_openssh(ref2))
		abort();
	/* Parts never hold a separator. */
	const char *parts[] = {sesame_reference_vault(ref), sesame_reference_item(ref),
	                       sesame_reference_section(ref), sesame_reference_field(ref)};
	for (size_t i = 0; i < 4; i++)
		if (parts[i] && (parts[i][0] == '\0' || strpbrk(parts[i], "/?&=")))
			abort();

	sesame_reference_free(ref2);
	sesame_reference_free(ref);
	free(again);
	free(text);
	return 0;
}
