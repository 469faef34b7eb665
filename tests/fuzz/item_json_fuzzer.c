/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes the item JSON codec. Arbitrary bytes go to the item and overview
 * decoders; whatever decodes must survive a round trip: encode, decode
 * again, and the second item must equal the first and encode to the same
 * bytes. Any difference is a bug in the canonical form: abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "item/item.h"
#include "item/item_json.h"
#include "sesame/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*decode_fn)(item **, const char *, size_t);
typedef int (*encode_fn)(char **, const item *);

/* A full item's overview must decode and encode back to itself. */
static void check_overview(const item *it)
{
	item *o = NULL;
	char *e1 = NULL, *e2 = NULL;

	if (item_overview_to_json(&e1, it) != 0)
		abort();
	if (item_overview_from_json(&o, e1, strlen(e1)) != 0)
		abort();
	if (o->nfields || o->nsections || o->nfiles || o->notes || o->document)
		abort();
	if (item_overview_to_json(&e2, o) != 0 || strcmp(e1, e2) != 0)
		abort();
	item_free(o);
	free(e1);
	free(e2);
}

static void round_trip(const uint8_t *data, size_t size, decode_fn decode, encode_fn encode)
{
	item *a = NULL, *b = NULL, *c = NULL;
	char *e1 = NULL, *e2 = NULL;
	int rc;

	if (decode(&a, (const char *)data, size) != 0) {
		if (a)
			abort(); /* failure leaves *out NULL */
		return;
	}
	rc = encode(&e1, a);
	if (rc != 0) {
		/* Only a non-canonical input near the size limit may grow past it. */
		if (rc != SESAME_ETOOBIG && rc != SESAME_ENOMEM)
			abort();
		goto done;
	}
	if (decode(&b, e1, strlen(e1)) != 0)
		abort();
	if (!item_equal(a, b))
		abort();
	if (encode(&e2, b) != 0 || strcmp(e1, e2) != 0)
		abort();
	c = item_dup(a);
	if (c && !item_equal(a, c))
		abort();
	check_overview(a);
done:
	item_free(a);
	item_free(b);
	item_free(c);
	free(e1);
	free(e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size, item_from_json, item_to_json);
	round_trip(data, size, item_overview_from_json, item_overview_to_json);
	return 0;
}
