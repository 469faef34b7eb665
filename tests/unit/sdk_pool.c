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

static int decode_stub(item **out, void *arg, const client_vault *v, const json_t *obj)
{
	size_t *calls = arg;
	const char *id = json_string_value(json_object_get(obj, "id"));

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

static void vault(client_vault *v, const char *id)
{
	memset(v, 0, sizeof *v);
	snprintf(v->id, sizeof v->id, "%s", id);
}

static void test_sdk_pool__one_decode_per_item(void **state)
{
	json_t *a = json_pack("{s:s,s:i}", "id", "item1", "version", 3);
	json_t *a_again = json_pack("{s:s,s:i}", "id", "item1", "version", 3);
	json_t *a_v4 = json_pack("{s:s,s:i}", "id", "item1", "version", 4);
	json_t *b = json_pack("{s:s,s:i}", "id", "item2", "version", 3);
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
		json_t *o = json_pack("{s:s,s:i}", "id", id, "version", 1);
		assert_int_equal(sdk_pool_item(&i4, &p, &v1, o), 0);
		json_decref(o);
	}
	assert_int_equal(calls, 304);
	assert_int_equal(sdk_pool_item(&i4, &p, &v1, a), 0);
	assert_int_equal(i4, i0);
	assert_int_equal(calls, 304);
	sdk_pool_free(&p);
	json_decref(a);
	json_decref(a_again);
	json_decref(a_v4);
	json_decref(b);
}

static void test_sdk_pool__failure_is_kept(void **state)
{
	json_t *bad = json_pack("{s:s,s:i}", "id", "broken", "version", 1);
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
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdk_pool__one_decode_per_item),
		cmocka_unit_test(test_sdk_pool__failure_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
