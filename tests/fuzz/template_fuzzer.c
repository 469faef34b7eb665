/* SPDX-License-Identifier: Apache-2.0 */
/* inject templates: scan arbitrary text; spans must be ordered, in bounds,
 * and rendering with placeholder values must succeed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inject/template.h"

static const char *env(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "SET") == 0 ? "value" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	template_scan_result r;
	const char *text = (const char *)data;
	if (template_scan(&r, text, size, env, NULL) != 0)
		return 0;
	size_t prev_end = 0;
	const char **values = calloc(r.nrefs + 1, sizeof *values);
	size_t *lens = calloc(r.nrefs + 1, sizeof *lens);
	if (!values || !lens)
		abort();
	for (size_t i = 0; i < r.nrefs; i++) {
		if (r.refs[i].start < prev_end || r.refs[i].end > size ||
		    r.refs[i].start >= r.refs[i].end || strncmp(r.refs[i].reference, "op://", 5) != 0)
			abort();
		prev_end = r.refs[i].end;
		values[i] = "V";
		lens[i] = 1;
	}
	sbuf out = SBUF_INIT(size + r.nrefs + 1);
	if (template_render(&out, text, size, &r, values, lens) != 0)
		abort();
	sbuf_free(&out);
	free(values);
	free(lens);
	template_scan_free(&r);
	return 0;
}
