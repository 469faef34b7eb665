/* SPDX-License-Identifier: Apache-2.0 */
/* op's JSON shape for items and vaults. */
#include "test.h"

#include "client/assign.h"
#include "client/opjson.h"
#include "item/item_json.h"

static item *sample(void)
{
	item *it = item_new();
	memcpy(it->id, "abcdefghijklmnopqrstuvwxyz", 27);
	memcpy(it->vault_id, "01234567890123456789012345", 27);
	it->title = strdup("GitHub");
	it->version = 3;
	it->created_at = 1790000000;
	it->updated_at = 1790000100;
	assert_int_equal(item_set_field(it, NULL, "username", NULL, "jane"), 0);
	assert_int_equal(item_set_field(it, NULL, "password", NULL, "hunter2"), 0);
	assert_int_equal(item_set_field(it, "db", "port", "text", "5432"), 0);
	it->tags = calloc(1, sizeof *it->tags);
	it->tags[0] = strdup("dev");
	it->ntags = 1;
	it->websites = calloc(1, sizeof *it->websites);
	it->websites[0].url = strdup("https://github.com");
	it->nwebsites = 1;
	return it;
}

static void test_client_opjson__item_shape(void **state)
{
	item *it = sample();
	(void)state;
	json_t *o = opjson_item(it, "Private", "uuuuuuuuuuuuuuuuuuuuuuuuuu");
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "id")), it->id);
	assert_string_equal(json_string_value(json_object_get(o, "title")), "GitHub");
	assert_int_equal(json_integer_value(json_object_get(o, "version")), 3);
	json_t *v = json_object_get(o, "vault");
	assert_string_equal(json_string_value(json_object_get(v, "id")), it->vault_id);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "Private");
	assert_string_equal(json_string_value(json_object_get(o, "category")), "LOGIN");
	assert_string_equal(json_string_value(json_object_get(o, "created_at")),
			    "2026-09-21T14:13:20Z");
	assert_string_equal(json_string_value(json_object_get(o, "last_edited_by")),
			    "uuuuuuuuuuuuuuuuuuuuuuuuuu");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "tags"), 0)),
			    "dev");
	json_t *u = json_array_get(json_object_get(o, "urls"), 0);
	assert_true(json_is_true(json_object_get(u, "primary")));
	assert_string_equal(json_string_value(json_object_get(u, "href")), "https://github.com");

	json_t *fields = json_object_get(o, "fields");
	assert_int_equal(json_array_size(fields), 4); /* username, password, port, notesPlain */
	json_t *f0 = json_array_get(fields, 0);
	assert_string_equal(json_string_value(json_object_get(f0, "id")), "username");
	assert_string_equal(json_string_value(json_object_get(f0, "type")), "STRING");
	assert_string_equal(json_string_value(json_object_get(f0, "purpose")), "USERNAME");
	assert_string_equal(json_string_value(json_object_get(f0, "label")), "username");
	assert_string_equal(json_string_value(json_object_get(f0, "value")), "jane");
	assert_string_equal(json_string_value(json_object_get(f0, "reference")),
			    "op://Private/GitHub/username");
	json_t *f1 = json_array_get(fields, 1);
	assert_string_equal(json_string_value(json_object_get(f1, "type")), "CONCEALED");
	assert_string_equal(json_string_value(json_object_get(f1, "purpose")), "PASSWORD");
	json_t *f2 = json_array_get(fields, 2);
	assert_null(json_object_get(f2, "purpose"));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(f2, "section"), "label")), "db");
	assert_string_equal(json_string_value(json_object_get(f2, "reference")),
			    "op://Private/GitHub/db/port");
	json_t *f3 = json_array_get(fields, 3);
	assert_string_equal(json_string_value(json_object_get(f3, "id")), "notesPlain");
	assert_string_equal(json_string_value(json_object_get(f3, "purpose")), "NOTES");
	json_t *secs = json_object_get(o, "sections");
	assert_string_equal(json_string_value(json_object_get(json_array_get(secs, 0), "label")),
			    "db");
	item_jsonv_free(o);

	/* The overview has no fields; names with '/' fall back to ids in references. */
	o = opjson_item_overview(it, "Private");
	assert_null(json_object_get(o, "fields"));
	json_decref(o);
	free(it->title);
	it->title = strdup("a/b");
	char ref[256];
	assert_int_equal(opjson_reference(ref, sizeof ref, it, &it->fields[0], "Private"), 0);
	assert_string_equal(ref, "op://Private/abcdefghijklmnopqrstuvwxyz/username");
	item_free(it);
}

static void test_client_opjson__vault_shape(void **state)
{
	client_vault v;
	(void)state;
	memset(&v, 0, sizeof v);
	memcpy(v.id, "01234567890123456789012345", 27);
	v.name = "Prod";
	v.description = "d";
	v.attribute_version = 2;
	v.content_version = 7;
	v.items = 4;
	snprintf(v.type, sizeof v.type, "user_created");
	json_t *o = opjson_vault(&v, true);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "Prod");
	assert_string_equal(json_string_value(json_object_get(o, "type")), "USER_CREATED");
	assert_int_equal(json_integer_value(json_object_get(o, "attribute_version")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "content_version")), 7);
	assert_int_equal(json_integer_value(json_object_get(o, "items")), 4);
	json_decref(o);
	o = opjson_vault(&v, false);
	assert_null(json_object_get(o, "type"));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_opjson__item_shape),
		cmocka_unit_test(test_client_opjson__vault_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
