/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential fuzzer for sjson_parse() (src/util/json_parse.c) against
 * jansson's json_loadb() with the rules sjson_parse() replaced: the same
 * depth limit, JSON_REJECT_DUPLICATES. Both must accept the same inputs
 * and build equal values; whatever is accepted must survive a dump and a
 * second parse unchanged. Any difference: abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/errors.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	sjson_limits limits = {0, 8};
	json_error_t jerr;
	char err[256];
	int code = -1;
	json_t *ours, *theirs = NULL;

	ours = sjson_parse(text, size, &limits, &code, err, sizeof err);
	/*
	 * A NUL byte is never valid JSON, raw in a string or outside one, and
	 * we refuse it; jansson's lexer skips one that follows a number or a
	 * literal ("[0\0]" parses as [0]), so it is no referee for those.
	 */
	if (memchr(data, 0, size)) {
		if (ours)
			abort();
		return 0;
	}
	if (sjson_depth(text, size) <= limits.max_depth)
		theirs = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!ours != !theirs)
		abort(); /* one accepts what the other refuses */
	if (!ours) {
		if (code != SESAME_EINVAL && code != SESAME_ETOOBIG)
			abort();
		if (!memchr(err, '\0', sizeof err) || !err[0])
			abort();
		return 0;
	}
	if (code != 0 || !json_equal(ours, theirs))
		abort();

	/* sjson_dump() writes what jansson writes, byte for byte. */
	char *dump = sjson_dump(ours);
	char *jdump = json_dumps(theirs, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (!dump || !jdump || strcmp(dump, jdump) != 0)
		abort();
	free(jdump);
	json_t *again = sjson_parse(dump, strlen(dump), &limits, &code, err, sizeof err);
	if (!again || !json_equal(again, ours))
		abort();
	json_decref(again);
	free(dump);
	json_decref(ours);
	json_decref(theirs);
	return 0;
}
