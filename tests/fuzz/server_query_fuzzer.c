/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes sesamed's query-string parser (api_query_parse, api_common.c)
 * with three known parameters. A success sets only known parameters, each
 * once, to values of at most API_QUERY_VALUE_MAX bytes without a NUL; a
 * failure answers 400 and says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_query_param p[] = {{.name = "state"}, {.name = "title"}, {.name = "a b"}};
	struct http_reply r = {0};
	char *query = malloc(size + 1);

	if (!query)
		return 0;
	memcpy(query, data, size);
	query[size] = '\0'; /* what MHD hands over is a C string */
	if (api_query_parse(query, p, 3, &r) == 0) {
		if (r.status != 0)
			abort();
		for (int k = 0; k < 3; k++)
			if (p[k].set && strlen(p[k].value) > API_QUERY_VALUE_MAX)
				abort();
		if (!strchr(query, '=') && (p[0].set || p[1].set || p[2].set))
			abort(); /* a parameter from nothing */
	} else if (r.status != 400 || !r.json) {
		abort();
	}
	reply_free(&r);
	free(query);
	return 0;
}
