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
	/* [file]: the value is a path, taken verbatim; the type is normalised. */
	check("key[file]=/tmp/a=b.pem", NULL, "key", "file", "/tmp/a=b.pem");
	check("tls.cert[FILE]=cert.pem", "tls", "cert", "file", "cert.pem");
	check("a\\.b[file]=./x", NULL, "a.b", "file", "./x");
	check("doc[delete]", NULL, "doc", "delete", NULL);

	assignment a;
	assert_int_equal(assignment_parse(&a, "k[file]=/p"), 0);
	assert_true(assignment_is_file(&a));
	assignment_clear(&a);
	assert_int_equal(assignment_parse(&a, "k[text]=/p"), 0);
	assert_false(assignment_is_file(&a));
	assignment_clear(&a);
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
	bad("x[file]=");
	bad("x[file]");
	bad("x[files]=hunter2");
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

static void apply_text(item *it, const char *text, int want)
{
	assignment a;
	assert_int_equal(assignment_parse(&a, text), 0);
	assert_int_equal(assignment_apply(it, &a), want);
	assignment_clear(&a);
}

static void add_file(item *it, const char *text, const char *file_id, uint64_t size, int want,
		     const char *want_replaced)
{
	assignment a;
	char replaced[ITEM_ID_LEN + 1] = "x";
	assert_int_equal(assignment_parse(&a, text), 0);
	assert_int_equal(assignment_add_file(it, &a, file_id, size, replaced), want);
	if (want == 0)
		assert_string_equal(replaced, want_replaced);
	assignment_clear(&a);
}

static void delete_file(item *it, const char *text, int want, const char *want_removed)
{
	assignment a;
	char removed[ITEM_ID_LEN + 1] = "x";
	assert_int_equal(assignment_parse(&a, text), 0);
	assert_int_equal(assignment_apply_ex(it, &a, removed), want);
	if (want == 0)
		assert_string_equal(removed, want_removed);
	assignment_clear(&a);
}

#define F1 "aaaaaaaaaaaaaaaaaaaaaaaaa1"
#define F2 "aaaaaaaaaaaaaaaaaaaaaaaaa2"
#define F3 "aaaaaaaaaaaaaaaaaaaaaaaaa3"
#define F4 "aaaaaaaaaaaaaaaaaaaaaaaaa4"

static void test_client_assign__files(void **state)
{
	item *it = item_new();
	assignment a;
	(void)state;
	it->title = strdup("t");
	apply_text(it, "username=jane", 0);
	apply_text(it, "db.host=h", 0);

	/* assignment_apply() does not attach: the caller reads and uploads. */
	assert_int_equal(assignment_parse(&a, "k[file]=/p"), 0);
	assert_int_equal(assignment_apply(it, &a), SESAME_EINVAL);
	assignment_clear(&a);
	/* Only [file] assignments list a file; the id must be valid. */
	assert_int_equal(assignment_parse(&a, "k[text]=v"), 0);
	char r[ITEM_ID_LEN + 1];
	assert_int_equal(assignment_add_file(it, &a, F1, 1, r), SESAME_EINVAL);
	assignment_clear(&a);
	add_file(it, "k[file]=/p", "not-an-id", 1, SESAME_EINVAL, NULL);

	/* The label is the file name; a section prefix places it (created when missing). */
	add_file(it, "key[file]=/tmp/key.bin", F1, 768, 0, "");
	add_file(it, "tls.cert[file]=/tmp/c.pem", F2, 12, 0, "");
	add_file(it, "db.dump[file]=/tmp/d", F3, 0, 0, "");
	assert_int_equal(it->nfiles, 3);
	assert_string_equal(it->files[0].id, F1);
	assert_string_equal(it->files[0].name, "key");
	assert_int_equal(it->files[0].size, 768);
	assert_null(it->files[0].section_id);
	assert_non_null(it->files[0].field_id);
	assert_int_equal(it->nsections, 2);
	const item_section *tls = item_section_by_id(it, it->files[1].section_id);
	assert_non_null(tls);
	assert_string_equal(tls->title, "tls");
	const item_section *db = item_section_by_id(it, it->files[2].section_id);
	assert_string_equal(db->title, "db");
	assert_int_equal(item_validate(it), 0);

	/* A field of that label in that section: refused (references would be ambiguous). */
	add_file(it, "username[file]=/p", F4, 1, SESAME_EEXISTS, NULL);
	add_file(it, "db.host[file]=/p", F4, 1, SESAME_EEXISTS, NULL);
	add_file(it, "notesPlain[file]=/p", F4, 1, SESAME_EEXISTS, NULL);
	assert_null(strstr(sesame_error_last()->message, "/p"));
	assert_int_equal(it->nfiles, 3);

	/* The same label in the same section replaces: new id, old id handed back. */
	add_file(it, "key[file]=/tmp/other", F4, 5, 0, F1);
	assert_int_equal(it->nfiles, 3);
	assert_string_equal(it->files[0].id, F4);
	assert_int_equal(it->files[0].size, 5);
	/* ... but another section is another file. */
	add_file(it, "tls.key[file]=/tmp/k", F1, 9, 0, "");
	assert_int_equal(it->nfiles, 4);

	/* assignment_apply() leaves files alone; _ex removes by name or id, in its section. */
	apply_text(it, "tls.cert[delete]", SESAME_ENOTFOUND);
	assert_int_equal(it->nfiles, 4);
	delete_file(it, "cert[delete]", SESAME_ENOTFOUND, NULL); /* in section tls */
	delete_file(it, "tls.cert[delete]", 0, F2);
	delete_file(it, "tls.cert[delete]", SESAME_ENOTFOUND, NULL);
	delete_file(it, "db.dump[delete]", 0, F3);
	delete_file(it, "tls." F1 "[delete]", 0, F1);
	delete_file(it, F4 "[delete]", 0, F4);
	assert_int_equal(it->nfiles, 0);
	/* Fields are still deleted first, with no file id. */
	delete_file(it, "username[delete]", 0, "");
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_assign__parse),
		cmocka_unit_test(test_client_assign__reject),
		cmocka_unit_test(test_client_assign__apply),
		cmocka_unit_test(test_client_assign__files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
