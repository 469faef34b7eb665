/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SDK's batch item pool (src/lib/sdk/sdk_pool.c): references into one
 * item decode it once; distinct ids, versions or vaults are distinct
 * entries; a decoding failure is kept for every reference that meets it.
 */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "sdk/sdk_internal.h"

static int decode_stub(item **out, void *arg, const client_vault *v, const jdoc_val *obj)
{
	size_t *calls = arg;
	const char *id = jdoc_get(obj, "id")->u.s;

	(void)v;
	(*calls)++;
	*out = NULL;
	if (strcmp(id, "broken") == 0)
		return sesame_error_set(SESAME_EDECRYPT, "decryption_failed", "cannot decrypt");
	*out = item_new();
	if (!*out)
		return sesame_error_nomem();
	snprintf((*out)->id, sizeof(*out)->id, "%s", id);
	return 0;
}

/* Item objects as a resolve answer holds them: documents, freed at the end of a test. */
static jdoc *docs[512];
static size_t ndocs;

static const jdoc_val *object(const char *id, int version)
{
	char text[96], err[160];
	int code;
	jdoc *d;

	snprintf(text, sizeof text, "{\"id\":\"%s\",\"version\":%d}", id, version);
	d = jdoc_parse(text, strlen(text), NULL, &code, err, sizeof err);
	assert_non_null(d);
	assert_true(ndocs < sizeof docs / sizeof docs[0]);
	docs[ndocs++] = d;
	return jdoc_root(d);
}

static void free_objects(void)
{
	while (ndocs)
		jdoc_free(docs[--ndocs]);
}

static void vault(client_vault *v, const char *id)
{
	memset(v, 0, sizeof *v);
	snprintf(v->id, sizeof v->id, "%s", id);
}

static void test_sdk_pool__one_decode_per_item(void **state)
{
	const jdoc_val *a = object("item1", 3);
	const jdoc_val *a_again = object("item1", 3);
	const jdoc_val *a_v4 = object("item1", 4);
	const jdoc_val *b = object("item2", 3);
	client_vault v1, v2;
	sdk_item_pool p;
	size_t calls = 0, i0, i1, i2, i3, i4;

	(void)state;
	vault(&v1, "vault1");
	vault(&v2, "vault2");
	sdk_pool_init(&p, decode_stub, &calls);
	/* 100 references into one item (its password, its username, ...). */
	for (int k = 0; k < 100; k++) {
		assert_int_equal(sdk_pool_item(&i0, &p, &v1, k % 2 ? a : a_again), 0);
		assert_int_equal(i0, 0);
	}
	assert_int_equal(calls, 1);
	assert_int_equal(p.decodes, 1);
	assert_non_null(p.e[i0].it);
	/* Another version, another item, the same id in another vault: new entries. */
	assert_int_equal(sdk_pool_item(&i1, &p, &v1, a_v4), 0);
	assert_int_equal(sdk_pool_item(&i2, &p, &v1, b), 0);
	assert_int_equal(sdk_pool_item(&i3, &p, &v2, a), 0);
	assert_int_equal(calls, 4);
	assert_true(i1 != i0 && i2 != i0 && i3 != i0 && i1 != i2 && i2 != i3 && i1 != i3);
	/* Many items: the table grows, and each is still found once. */
	for (int k = 0; k < 300; k++) {
		char id[16];
		snprintf(id, sizeof id, "many%d", k);
		const jdoc_val *o = object(id, 1);
		assert_int_equal(sdk_pool_item(&i4, &p, &v1, o), 0);
		}
	assert_int_equal(calls, 304);
	assert_int_equal(sdk_pool_item(&i4, &p, &v1, a), 0);
	assert_int_equal(i4, i0);
	assert_int_equal(calls, 304);
	sdk_pool_free(&p);
	free_objects();
}

static void test_sdk_pool__failure_is_kept(void **state)
{
	const jdoc_val *bad = object("broken", 1);
	client_vault v;
	sdk_item_pool p;
	size_t calls = 0, i;

	(void)state;
	vault(&v, "vault1");
	sdk_pool_init(&p, decode_stub, &calls);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(sdk_pool_item(&i, &p, &v, bad), 0);
		assert_null(p.e[i].it);
		assert_int_equal(p.e[i].code, SESAME_EDECRYPT);
		assert_string_equal(p.e[i].kind, "decryption_failed");
	}
	assert_int_equal(calls, 1);
	sdk_pool_free(&p);
	free_objects();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdk_pool__one_decode_per_item),
		cmocka_unit_test(test_sdk_pool__failure_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
