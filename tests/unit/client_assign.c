/* SPDX-License-Identifier: Apache-2.0 */
/* op's assignment statements: parsing and applying to an item. */
#include "test.h"

#include "client/assign.h"
#include "error.h"
#include "sesame/errors.h"

static void check(const char *text, const char *section, const char *field, const char *type,
		  const char *value)
{
	assignment a;
	assert_int_equal(assignment_parse(&a, text), 0);
	if (section)
		assert_string_equal(a.section, section);
	else
		assert_null(a.section);
	assert_string_equal(a.field, field);
	if (type)
		assert_string_equal(a.type, type);
	else
		assert_null(a.type);
	if (value)
		assert_string_equal(a.value, value);
	else
		assert_null(a.value);
	assignment_clear(&a);
}

static void test_client_assign__parse(void **state)
{
	(void)state;
	check("username=jane", NULL, "username", NULL, "jane");
	check("password[password]=s3=cret", NULL, "password", "password", "s3=cret");
	check("db.port[text]=5432", "db", "port", "text", "5432");
	check("db.host=a.b.c", "db", "host", NULL, "a.b.c");
	check("a\\.b=1", NULL, "a.b", NULL, "1");
	check("a\\=b=1", NULL, "a=b", NULL, "1");
	check("a\\\\b=1", NULL, "a\\b", NULL, "1");
	check("sec.a\\.b[url]=https://x", "sec", "a.b", "url", "https://x");
	check("empty=", NULL, "empty", NULL, "");
	check("old[delete]", NULL, "old", "delete", NULL);
	check("s.old[delete]", "s", "old", "delete", NULL);
	check("x[monthYear]=202611", NULL, "x", "monthYear", "202611");
}

static void bad(const char *text)
{
	assignment a;
	assert_int_equal(assignment_parse(&a, text), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "invalid_assignment");
	assert_null(a.field);
	/* The value never shows in the message. */
	assert_null(strstr(sesame_error_last()->message, "hunter2"));
}

static void test_client_assign__reject(void **state)
{
	(void)state;
	bad("novalue");
	bad("=hunter2");
	bad(".x=hunter2");
	bad("s.=hunter2");
	bad("x[password=hunter2");
	bad("x[bogus]=hunter2");
	bad("x[delete]=hunter2");
	bad("x[text]y=hunter2");
}

static void test_client_assign__apply(void **state)
{
	item *it = item_new();
	assignment a;
	(void)state;
	it->title = strdup("t");
	const char *stmts[] = {"username=jane", "password=pw1",	    "db.port[text]=5432",
			       "db.host=h",	"notesPlain=hello", "api key[password]=k"};
	for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
		assert_int_equal(assignment_parse(&a, stmts[i]), 0);
		assert_int_equal(assignment_apply(it, &a), 0);
		assignment_clear(&a);
	}
	assert_int_equal(it->nfields, 5);
	const item_field *u = item_field_by_id(it, "username");
	assert_non_null(u);
	assert_int_equal(u->purpose, FIELD_PURPOSE_USERNAME);
	const item_field *p = item_field_by_id(it, "password");
	assert_int_equal(p->type, FIELD_TYPE_CONCEALED);
	assert_int_equal(p->purpose, FIELD_PURPOSE_PASSWORD);
	assert_string_equal(it->notes, "hello");
	assert_int_equal(it->nsections, 1);
	assert_string_equal(it->sections[0].title, "db");
	assert_int_equal(it->fields[4].type, FIELD_TYPE_CONCEALED);
	assert_int_equal(item_validate(it), 0);

	/* Changing an existing field keeps its id; [delete] removes it. */
	assert_int_equal(assignment_parse(&a, "password=pw2"), 0);
	assert_int_equal(assignment_apply(it, &a), 0);
	assignment_clear(&a);
	assert_string_equal(item_field_by_id(it, "password")->value, "pw2");
	assert_int_equal(assignment_parse(&a, "db.port[delete]"), 0);
	assert_int_equal(assignment_apply(it, &a), 0);
	assignment_clear(&a);
	assert_int_equal(it->nfields, 4);
	assert_int_equal(assignment_parse(&a, "nope[delete]"), 0);
	assert_int_equal(assignment_apply(it, &a), SESAME_ENOTFOUND);
	assignment_clear(&a);
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_assign__parse),
		cmocka_unit_test(test_client_assign__reject),
		cmocka_unit_test(test_client_assign__apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
