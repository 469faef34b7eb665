/* SPDX-License-Identifier: Apache-2.0 */
/* dotenv files: parse arbitrary text; every key must be a valid name. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include "inject/dotenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dotenv env;
	if (dotenv_parse(&env, (const char *)data, size, "fuzz.env") != 0)
		return 0;
	for (size_t i = 0; i < env.n; i++) {
		const char *k = env.entries[i].key;
		if (!(isalpha((unsigned char)k[0]) || k[0] == '_'))
			abort();
		for (const char *c = k; *c; c++)
			if (!(isalnum((unsigned char)*c) || *c == '_'))
				abort();
		if (!env.entries[i].value)
			abort();
	}
	dotenv_free(&env);
	return 0;
}
