/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <stdio.h>

#include "sesame/errors.h"
#include "sesame/reference.h"
#include "reference/resolve.h"

#define FORMAT_MSG                                                                                 \
	"secret reference has invalid format - must be \"op://<vault>/<item>/[section/]field\""

/* Parses `text`, which must succeed, and checks every accessor. */
static void expect_parts(const char *text, const char *vault, const char *itm, const char *section,
                         const char *field, sesame_reference_attr attr, int ssh)
{
	sesame_reference *ref = NULL;
	int rc = sesame_reference_parse(&ref, text);
	if (rc != 0)
		fail_msg("'%s' did not parse: %s", text, sesame_error_last()->message);
	assert_non_null(ref);
	assert_string_equal(sesame_reference_vault(ref), vault);
	assert_string_equal(sesame_reference_item(ref), itm);
	if (section)
		assert_string_equal(sesame_reference_section(ref), section);
	else
		assert_null(sesame_reference_section(ref));
	assert_string_equal(sesame_reference_field(ref), field);
	assert_int_equal(sesame_reference_attribute(ref), attr);
	assert_int_equal(sesame_reference_ssh_format_openssh(ref), ssh);
	sesame_reference_free(ref);
	assert_int_equal(sesame_reference_validate(text), 0);
}

/* Parsing `text` must fail with `code` and, if given, exactly `message`. */
static void expect_error(const char *text, int code, const char *message)
{
	sesame_reference *ref = (sesame_reference *)(uintptr_t)1;
	sesame_error_clear();
	int rc = sesame_reference_parse(&ref, text);
	if (rc != code)
		fail_msg("'%s': expected %d, got %d (%s)", text ? text : "(null)", code, rc,
		         sesame_error_last()->message);
	assert_null(ref);
	const sesame_error *e = sesame_error_last();
	assert_int_equal(e->code, code);
	assert_string_equal(e->kind, "invalid_reference");
	if (message)
		assert_string_equal(e->message, message);
	/* validate() gives the same verdict and the same message. */
	char saved[600];
	snprintf(saved, sizeof saved, "%s", e->message);
	sesame_error_clear();
	assert_int_equal(sesame_reference_validate(text), code);
	assert_string_equal(sesame_error_last()->message, saved);
}

static void expect_invalid(const char *text, const char *message)
{
	expect_error(text, SESAME_EINVAL, message);
}

static void test_reference_parse__three_parts(void **state)
{
	(void)state;
	expect_parts("op://prod/db/password", "prod", "db", NULL, "password",
	             SESAME_REFERENCE_ATTR_VALUE, 0);
}

static void test_reference_parse__four_parts(void **state)
{
	(void)state;
	expect_parts("op://prod/db/admin/password", "prod", "db", "admin", "password",
	             SESAME_REFERENCE_ATTR_VALUE, 0);
}

static void test_reference_parse__ids(void **state)
{
	(void)state;
	expect_parts("op://abcdefghijklmnopqrstuvwxyz/0123456789abcdefghijklmnop/"
	             "zyxwvutsrqponmlkjihgfedcba/9876543210zyxwvutsrqponm",
	             "abcdefghijklmnopqrstuvwxyz", "0123456789abcdefghijklmnop",
	             "zyxwvutsrqponmlkjihgfedcba", "9876543210zyxwvutsrqponm",
	             SESAME_REFERENCE_ATTR_VALUE, 0);
}

static void test_reference_parse__name_characters(void **state)
{
	(void)state;
	expect_parts("op://My Vault/db-main_1.2/Section A/API Key", "My Vault", "db-main_1.2",
	             "Section A", "API Key", SESAME_REFERENCE_ATTR_VALUE, 0);
	expect_parts("op://ABC/xYz/F", "ABC", "xYz", NULL, "F", SESAME_REFERENCE_ATTR_VALUE, 0);
	/* Spaces anywhere, single characters, dots alone: all names. */
	expect_parts("op:// v / i /f ", " v ", " i ", NULL, "f ", SESAME_REFERENCE_ATTR_VALUE, 0);
	expect_parts("op://./../-/_", ".", "..", "-", "_", SESAME_REFERENCE_ATTR_VALUE, 0);
}

static void test_reference_parse__every_attribute(void **state)
{
	(void)state;
	static const struct {
		const char *query;
		sesame_reference_attr attr;
	} cases[] = {
	    {"attribute=value", SESAME_REFERENCE_ATTR_VALUE},
	    {"attribute=type", SESAME_REFERENCE_ATTR_TYPE},
	    {"attribute=id", SESAME_REFERENCE_ATTR_ID},
	    {"attribute=purpose", SESAME_REFERENCE_ATTR_PURPOSE},
	    {"attribute=otp", SESAME_REFERENCE_ATTR_OTP},
	    {"attribute=totp", SESAME_REFERENCE_ATTR_OTP},
	    {"attribute=content", SESAME_REFERENCE_ATTR_CONTENT},
	    {"attribute=size", SESAME_REFERENCE_ATTR_SIZE},
	    {"attribute=name", SESAME_REFERENCE_ATTR_NAME},
	    {"attr=value", SESAME_REFERENCE_ATTR_VALUE},
	    {"attr=type", SESAME_REFERENCE_ATTR_TYPE},
	    {"attr=id", SESAME_REFERENCE_ATTR_ID},
	    {"attr=purpose", SESAME_REFERENCE_ATTR_PURPOSE},
	    {"attr=otp", SESAME_REFERENCE_ATTR_OTP},
	    {"attr=totp", SESAME_REFERENCE_ATTR_OTP},
	    {"attr=content", SESAME_REFERENCE_ATTR_CONTENT},
	    {"attr=size", SESAME_REFERENCE_ATTR_SIZE},
	    {"attr=name", SESAME_REFERENCE_ATTR_NAME},
	    /* Keys and values are case-insensitive. */
	    {"ATTRIBUTE=TOTP", SESAME_REFERENCE_ATTR_OTP},
	    {"Attr=Purpose", SESAME_REFERENCE_ATTR_PURPOSE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "op://v/i/f?%s", cases[i].query);
		expect_parts(text, "v", "i", NULL, "f", cases[i].attr, 0);
		snprintf(text, sizeof text, "op://v/i/s/f?%s", cases[i].query);
		expect_parts(text, "v", "i", "s", "f", cases[i].attr, 0);
	}
}

static void test_reference_parse__attr_names(void **state)
{
	(void)state;
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_VALUE), "value");
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_TYPE), "type");
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_ID), "id");
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_PURPOSE), "purpose");
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_OTP), "otp");
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_CONTENT), "content");
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_SIZE), "size");
	assert_string_equal(sesame_reference_attr_name(SESAME_REFERENCE_ATTR_NAME), "name");
	assert_null(sesame_reference_attr_name((sesame_reference_attr)99));
}

static void test_reference_parse__ssh_format(void **state)
{
	(void)state;
	expect_parts("op://v/ssh/private key?ssh-format=openssh", "v", "ssh", NULL, "private key",
	             SESAME_REFERENCE_ATTR_VALUE, 1);
	expect_parts("op://v/ssh/private key?ssh-format=OpenSSH&attribute=value", "v", "ssh", NULL,
	             "private key", SESAME_REFERENCE_ATTR_VALUE, 1);
	expect_parts("op://v/ssh/s/private key?attr=value&ssh-format=openssh", "v", "ssh", "s",
	             "private key", SESAME_REFERENCE_ATTR_VALUE, 1);
	expect_invalid("op://v/ssh/private key?ssh-format=pem",
	               "unknown ssh-format 'pem', only 'openssh' is supported");
	expect_invalid("op://v/ssh/private key?ssh-format=openssh&attribute=type",
	               "query parameter 'ssh-format' cannot be combined with attribute 'type'");
	expect_invalid("op://v/ssh/private key?attribute=totp&ssh-format=openssh",
	               "query parameter 'ssh-format' cannot be combined with attribute 'otp'");
}

static void test_reference_parse__missing_scheme(void **state)
{
	(void)state;
	const char *msg = "secret reference is not prefixed with \"op://\"";
	expect_invalid("prod/db/password", msg);
	expect_invalid("", msg);
	expect_invalid("op:/", msg);
	expect_invalid("op:/prod/db/password", msg);
	expect_invalid("OP://prod/db/password", msg); /* the scheme is case-sensitive */
	expect_invalid("Op://prod/db/password", msg);
	expect_invalid(" op://prod/db/password", msg);
	expect_invalid("https://prod/db/password", msg);
}

static void test_reference_parse__wrong_number_of_parts(void **state)
{
	(void)state;
	expect_invalid("op://", FORMAT_MSG);
	expect_invalid("op://prod", FORMAT_MSG);
	expect_invalid("op://prod/db", FORMAT_MSG);
	expect_invalid("op://prod/db?attribute=type", FORMAT_MSG);
	const char *many =
	    FORMAT_MSG ": too many parts (a name that contains '/' must be written as its id)";
	expect_invalid("op://prod/db/a/b/password", many);
	expect_invalid("op://prod/db/s/f/", many);
	expect_invalid("op://prod/db/a/b/c/d/e/f", many);
}

static void test_reference_parse__empty_parts(void **state)
{
	(void)state;
	expect_invalid("op:///db/password", FORMAT_MSG ": the vault name is empty");
	expect_invalid("op://prod//password", FORMAT_MSG ": the item name is empty");
	expect_invalid("op://prod/db/", FORMAT_MSG ": the field name is empty");
	expect_invalid("op://prod/db//password", FORMAT_MSG ": the section name is empty");
	expect_invalid("op://prod/db/password/", FORMAT_MSG ": the field name is empty");
	expect_invalid("op://prod/db/s/?attr=id", FORMAT_MSG ": the field name is empty");
	expect_invalid("op:////", FORMAT_MSG ": the vault name is empty");
	expect_invalid("op://prod/db/password?", "secret reference has an empty query after '?'");
}

static void test_reference_parse__bad_characters(void **state)
{
	(void)state;
	expect_invalid("op://prod/db%x/password", "invalid character '%' in item name 'db%x'");
	expect_invalid("op://pr*d/db/password", "invalid character '*' in vault name 'pr*d'");
	expect_invalid("op://prod/db/sec:1/password",
	               "invalid character ':' in section name 'sec:1'");
	expect_invalid("op://prod/db/pass$word", "invalid character '$' in field name 'pass$word'");
	expect_invalid("op://prod/db/a\\b", "invalid character '\\' in field name 'a\\b'");
	expect_invalid("op://prod/db/a'b", "invalid character ''' in field name 'a'b'");
	expect_invalid("op://prod/db/pass\tword",
	               "invalid character '\\x09' in field name 'pass\\x09word'");
	expect_invalid("op://prod/db/password\n",
	               "invalid character '\\x0a' in field name 'password\\x0a'");
	/* Non-ASCII letters are not name characters: use the id. */
	expect_invalid("op://Caf\xc3\xa9/db/password",
	               "invalid character '\\xc3' in vault name 'Caf\\xc3\\xa9'");
	/* The first problem wins, left to right. */
	expect_invalid("op://a%/b%/c%", "invalid character '%' in vault name 'a%'");
	expect_invalid("op://a/b%/?x", "invalid character '%' in item name 'b%'");
	expect_invalid("op://a/{b}/c", "invalid character '{' in item name '{b}'");
}

static void test_reference_parse__query_errors(void **state)
{
	(void)state;
	expect_invalid("op://v/i/f?foo=bar", "unknown query parameter 'foo'");
	expect_invalid("op://v/i/f?attribute=colour", "unknown attribute 'colour'");
	expect_invalid("op://v/i/f?attribute=otp&attr=type", "repeated query parameter 'attr'");
	expect_invalid("op://v/i/f?attribute=otp&attribute=otp",
	               "repeated query parameter 'attribute'");
	expect_invalid("op://v/i/f?ssh-format=openssh&ssh-format=openssh",
	               "repeated query parameter 'ssh-format'");
	expect_invalid("op://v/i/f?attribute=", "empty value for query parameter 'attribute'");
	expect_invalid("op://v/i/f?ssh-format=", "empty value for query parameter 'ssh-format'");
	expect_invalid("op://v/i/f?attribute", "query parameter 'attribute' has no value");
	expect_invalid("op://v/i/f?=otp", "query parameter has no name");
	expect_invalid("op://v/i/f?attribute=otp&", "empty query parameter in secret reference");
	expect_invalid("op://v/i/f?&attribute=otp", "empty query parameter in secret reference");
	expect_invalid("op://v/i/f?attribute=otp&&attr=id",
	               "empty query parameter in secret reference");
	expect_invalid("op://v/i/f?attribute=type=id", "unknown attribute 'type=id'");
	expect_invalid("op://v/i/f?attribute=otp?x", "unknown attribute 'otp?x'");
	expect_invalid("op://v/i/f?attribute=ot%70", "unknown attribute 'ot%70'");
	expect_invalid("op://v/i/f?attribute=value ", "unknown attribute 'value '");
	expect_invalid("op://v/i/f?attributes=value", "unknown query parameter 'attributes'");
	expect_invalid("op://v/i/f?attribute=\x01", "unknown attribute '\\x01'");
}

static void test_reference_parse__too_long(void **state)
{
	(void)state;
	char *text = malloc(SESAME_REFERENCE_MAX_BYTES + 2);
	assert_non_null(text);
	/* Exactly at the limit: valid. */
	memcpy(text, "op://v/i/", 9);
	memset(text + 9, 'f', SESAME_REFERENCE_MAX_BYTES - 9);
	text[SESAME_REFERENCE_MAX_BYTES] = '\0';
	sesame_reference *ref = NULL;
	assert_int_equal(sesame_reference_parse(&ref, text), 0);
	assert_int_equal(strlen(sesame_reference_field(ref)), SESAME_REFERENCE_MAX_BYTES - 9);
	sesame_reference_free(ref);
	/* One more byte: too big, before any syntax check. */
	text[SESAME_REFERENCE_MAX_BYTES] = 'f';
	text[SESAME_REFERENCE_MAX_BYTES + 1] = '\0';
	expect_error(text, SESAME_ETOOBIG, "secret reference is too long (more than 4096 bytes)");
	text[0] = 'x';
	expect_error(text, SESAME_ETOOBIG, NULL);
	free(text);
}

static void test_reference_parse__long_subject_is_cut_in_message(void **state)
{
	(void)state;
	char text[400];
	memcpy(text, "op://v/i/", 9);
	memset(text + 9, 'a', 300);
	text[309] = '%';
	text[310] = '\0';
	expect_error(text, SESAME_EINVAL, NULL);
	const char *msg = sesame_error_last()->message;
	assert_non_null(strstr(msg, "invalid character '%' in field name 'aaaa"));
	assert_non_null(strstr(msg, "...'"));
	assert_true(strlen(msg) < 200);
}

static void test_reference_parse__null_arguments(void **state)
{
	(void)state;
	expect_invalid(NULL, "secret reference is NULL");
	assert_int_equal(sesame_reference_parse(NULL, "op://v/i/f"), SESAME_EINVAL);
	assert_null(sesame_reference_vault(NULL));
	assert_null(sesame_reference_item(NULL));
	assert_null(sesame_reference_section(NULL));
	assert_null(sesame_reference_field(NULL));
	assert_int_equal(sesame_reference_attribute(NULL), SESAME_REFERENCE_ATTR_VALUE);
	assert_int_equal(sesame_reference_ssh_format_openssh(NULL), 0);
	sesame_reference_free(NULL);
}

static void test_reference_parse__part_is_id(void **state)
{
	(void)state;
	assert_true(ref_part_is_id("abcdefghijklmnopqrstuvwxyz"));
	assert_true(ref_part_is_id("0123456789abcdefghijklmnop"));
	assert_false(ref_part_is_id("abcdefghijklmnopqrstuvwxy"));   /* 25 */
	assert_false(ref_part_is_id("abcdefghijklmnopqrstuvwxyz0")); /* 27 */
	assert_false(ref_part_is_id("Abcdefghijklmnopqrstuvwxyz"));  /* upper case */
	assert_false(ref_part_is_id("abcdefghijklm opqrstuvwxyz"));
	assert_false(ref_part_is_id(""));
	assert_false(ref_part_is_id(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reference_parse__three_parts),
	    cmocka_unit_test(test_reference_parse__four_parts),
	    cmocka_unit_test(test_reference_parse__ids),
	    cmocka_unit_test(test_reference_parse__name_characters),
	    cmocka_unit_test(test_reference_parse__every_attribute),
	    cmocka_unit_test(test_reference_parse__attr_names),
	    cmocka_unit_test(test_reference_parse__ssh_format),
	    cmocka_unit_test(test_reference_parse__missing_scheme),
	    cmocka_unit_test(test_reference_parse__wrong_number_of_parts),
	    cmocka_unit_test(test_reference_parse__empty_parts),
	    cmocka_unit_test(test_reference_parse__bad_characters),
	    cmocka_unit_test(test_reference_parse__query_errors),
	    cmocka_unit_test(test_reference_parse__too_long),
	    cmocka_unit_test(test_reference_parse__long_subject_is_cut_in_message),
	    cmocka_unit_test(test_reference_parse__null_arguments),
	    cmocka_unit_test(test_reference_parse__part_is_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
