/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <stdio.h>

#include "item/item.h"
#include "item/item_json.h"
#include "sesame/errors.h"

#define SECRET "s3cr3t-hunter2-value"

/* Every field type, sections, an address, websites, files, a document,
 * tags and notes, in the canonical form the encoder writes. */
static const char full_json[] =
	"{\"id\":\"abcdefghijklmnopqrstuvwxyz\",\"title\":\"Everything \xc3\xa9\","
	"\"category\":\"Document\",\"vaultId\":\"0123456789abcdefghijklmnop\",\"fields\":["
	"{\"id\":\"username\",\"title\":\"username\",\"sectionId\":\"\",\"fieldType\":\"Text\","
	"\"value\":\"alice\",\"purpose\":\"Username\"},"
	"{\"id\":\"password\",\"title\":\"password\",\"sectionId\":\"\","
	"\"fieldType\":\"Concealed\",\"value\":\"" SECRET "\",\"purpose\":\"Password\"},"
	"{\"id\":\"email\",\"title\":\"email\",\"sectionId\":\"more\",\"fieldType\":\"Email\","
	"\"value\":\"a@example.com\"},"
	"{\"id\":\"url\",\"title\":\"url\",\"sectionId\":\"more\",\"fieldType\":\"Url\","
	"\"value\":\"https://example.com/a/b\"},"
	"{\"id\":\"phone\",\"title\":\"phone\",\"sectionId\":\"more\",\"fieldType\":\"Phone\","
	"\"value\":\"+1 555 0100\"},"
	"{\"id\":\"date\",\"title\":\"date\",\"sectionId\":\"more\",\"fieldType\":\"Date\","
	"\"value\":\"2026-11-26\"},"
	"{\"id\":\"expiry\",\"title\":\"expiry\",\"sectionId\":\"more\","
	"\"fieldType\":\"MonthYear\",\"value\":\"202611\"},"
	"{\"id\":\"TOTP_otp\",\"title\":\"one-time password\",\"sectionId\":\"more\","
	"\"fieldType\":\"Totp\",\"value\":\"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP\"},"
	"{\"id\":\"ref\",\"title\":\"ref\",\"sectionId\":\"more\",\"fieldType\":\"Reference\","
	"\"value\":\"zyxwvutsrqponmlkjihgfedcba\"},"
	"{\"id\":\"key\",\"title\":\"private key\",\"sectionId\":\"more\","
	"\"fieldType\":\"SshKey\",\"value\":\"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIE"
	"\\n-----END PRIVATE KEY-----\\n\"},"
	"{\"id\":\"menu\",\"title\":\"menu\",\"sectionId\":\"more\",\"fieldType\":\"Menu\","
	"\"value\":\"b\"},"
	"{\"id\":\"addr\",\"title\":\"address\",\"sectionId\":\"more\","
	"\"fieldType\":\"Address\",\"value\":\"\",\"details\":{\"address\":{"
	"\"street\":\"1 Main St\",\"city\":\"Springfield\",\"country\":\"us\","
	"\"zip\":\"12345\",\"state\":\"IL\"}}},"
	"{\"id\":\"ccnum\",\"title\":\"number\",\"sectionId\":\"card\","
	"\"fieldType\":\"CreditCardNumber\",\"value\":\"4111111111111111\"},"
	"{\"id\":\"cctype\",\"title\":\"type\",\"sectionId\":\"card\","
	"\"fieldType\":\"CreditCardType\",\"value\":\"visa\"},"
	"{\"id\":\"odd\",\"title\":\"odd\",\"sectionId\":\"card\",\"fieldType\":\"Unsupported\","
	"\"value\":\"tab\\there \\\"quoted\\\" back\\\\slash \\u0001 \xe2\x82\xac\"},"
	"{\"id\":\"notesPlain\",\"title\":\"notes\",\"sectionId\":\"\",\"fieldType\":\"Text\","
	"\"value\":\"\",\"purpose\":\"Notes\"}],"
	"\"sections\":[{\"id\":\"\",\"title\":\"\"},{\"id\":\"more\",\"title\":\"More\"},"
	"{\"id\":\"card\",\"title\":\"Card\"}],"
	"\"notes\":\"line 1\\nline 2\","
	"\"tags\":[\"prod\",\"team/ops\"],"
	"\"websites\":[{\"url\":\"https://example.com\",\"label\":\"site\","
	"\"autofillBehavior\":\"AnywhereOnWebsite\"},{\"url\":\"https://login.example.com\","
	"\"label\":\"\",\"autofillBehavior\":\"ExactDomain\"},{\"url\":\"android://app\","
	"\"label\":\"app\",\"autofillBehavior\":\"Never\"}],"
	"\"version\":7,"
	"\"files\":[{\"attributes\":{\"name\":\"a.txt\",\"id\":\"fileaaaaaaaaaaaaaaaaaaaaaa\","
	"\"size\":12},\"sectionId\":\"more\",\"fieldId\":\"filefield\"},"
	"{\"attributes\":{\"name\":\"b.bin\",\"id\":\"filebbbbbbbbbbbbbbbbbbbbbb\",\"size\":0},"
	"\"sectionId\":\"\",\"fieldId\":\"\"}],"
	"\"document\":{\"name\":\"contract.pdf\",\"id\":\"docdocdocdocdocdocdocdocdo\","
	"\"size\":123456},"
	"\"createdAt\":\"2026-11-26T10:50:48Z\",\"updatedAt\":\"2026-11-27T00:00:00Z\","
	"\"state\":\"archived\"}";

static const char full_overview_json[] =
	"{\"id\":\"abcdefghijklmnopqrstuvwxyz\",\"title\":\"Everything \xc3\xa9\","
	"\"category\":\"Document\",\"vaultId\":\"0123456789abcdefghijklmnop\","
	"\"websites\":[{\"url\":\"https://example.com\",\"label\":\"site\","
	"\"autofillBehavior\":\"AnywhereOnWebsite\"},{\"url\":\"https://login.example.com\","
	"\"label\":\"\",\"autofillBehavior\":\"ExactDomain\"},{\"url\":\"android://app\","
	"\"label\":\"app\",\"autofillBehavior\":\"Never\"}],"
	"\"tags\":[\"prod\",\"team/ops\"],"
	"\"createdAt\":\"2026-11-26T10:50:48Z\",\"updatedAt\":\"2026-11-27T00:00:00Z\","
	"\"state\":\"archived\"}";

static const char minimal_canonical[] =
	"{\"id\":\"\",\"title\":\"t\",\"category\":\"Login\",\"vaultId\":\"\",\"fields\":[],"
	"\"sections\":[],\"notes\":\"\",\"tags\":[],\"websites\":[],\"version\":0,\"files\":[],"
	"\"createdAt\":\"1970-01-01T00:00:00Z\",\"updatedAt\":\"1970-01-01T00:00:00Z\","
	"\"state\":\"active\"}";

static item *decode_ok(const char *json)
{
	item *it = NULL;
	int rc = item_from_json(&it, json, strlen(json));
	if (rc != 0)
		fail_msg("decode failed (%d): %s", rc, sesame_error_last()->message);
	assert_non_null(it);
	return it;
}

static char *encode_ok(const item *it)
{
	char *out = NULL;
	int rc = item_to_json(&out, it);
	if (rc != 0)
		fail_msg("encode failed (%d): %s", rc, sesame_error_last()->message);
	assert_non_null(out);
	return out;
}

/* Decoding `json` fails with `code`, and the message holds `needle` and
 * never the secret. */
static void expect_reject_len(const char *json, size_t len, int code, const char *needle)
{
	item *it = (item *)1;
	int rc = item_from_json(&it, json, len);
	const sesame_error *e = sesame_error_last();
	if (rc != code)
		fail_msg("want %d, got %d (%s) for %.200s", code, rc, e->message, json);
	assert_null(it);
	assert_int_equal(e->code, code);
	assert_string_equal(e->kind, code == SESAME_ETOOBIG ? "item_too_big" : "invalid_item");
	if (needle && !strstr(e->message, needle))
		fail_msg("message '%s' lacks '%s'", e->message, needle);
	if (strstr(e->message, SECRET) || strstr(e->message, "hunter2"))
		fail_msg("message '%s' holds the secret", e->message);
}

static void expect_reject(const char *json, int code, const char *needle)
{
	expect_reject_len(json, strlen(json), code, needle);
}

/* A valid item with one field holding the secret; `extra_field` and
 * `extra_top` are spliced in to break it. */
static char *with(const char *field_extra, const char *top_extra)
{
	static char buf[4096];
	snprintf(buf, sizeof buf,
		 "{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"id\":\"p\","
		 "\"fieldType\":\"Concealed\",\"value\":\"" SECRET "\"%s}]%s}",
		 field_extra, top_extra);
	return buf;
}

static void test_item_json__full_round_trip(void **state)
{
	(void)state;
	item *it = decode_ok(full_json);

	assert_string_equal(it->id, "abcdefghijklmnopqrstuvwxyz");
	assert_string_equal(it->vault_id, "0123456789abcdefghijklmnop");
	assert_string_equal(it->title, "Everything \xc3\xa9");
	assert_int_equal(it->category, ITEM_CATEGORY_DOCUMENT);
	assert_int_equal(it->state, ITEM_STATE_ARCHIVED);
	assert_int_equal(it->version, 7);
	assert_int_equal(it->created_at, 1795690248);
	assert_int_equal(it->updated_at, 1795737600);
	assert_string_equal(it->notes, "line 1\nline 2");
	assert_int_equal(it->nfields, 16);
	assert_int_equal(it->nsections, 3);
	assert_int_equal(it->ntags, 2);
	assert_int_equal(it->nwebsites, 3);
	assert_int_equal(it->nfiles, 2);

	/* Every field type appears once, in enum order after the first two. */
	static const field_type types[] = {
		FIELD_TYPE_TEXT,	FIELD_TYPE_CONCEALED,	   FIELD_TYPE_EMAIL,
		FIELD_TYPE_URL,		FIELD_TYPE_PHONE,	   FIELD_TYPE_DATE,
		FIELD_TYPE_MONTH_YEAR,	FIELD_TYPE_TOTP,	   FIELD_TYPE_REFERENCE,
		FIELD_TYPE_SSH_KEY,	FIELD_TYPE_MENU,	   FIELD_TYPE_ADDRESS,
		FIELD_TYPE_CREDIT_CARD_NUMBER, FIELD_TYPE_CREDIT_CARD_TYPE,
		FIELD_TYPE_UNSUPPORTED, FIELD_TYPE_TEXT,
	};
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(it->fields[i].type, types[i]);
	assert_int_equal(it->fields[0].purpose, FIELD_PURPOSE_USERNAME);
	assert_int_equal(it->fields[1].purpose, FIELD_PURPOSE_PASSWORD);
	assert_int_equal(it->fields[15].purpose, FIELD_PURPOSE_NOTES);
	assert_int_equal(it->fields[2].purpose, FIELD_PURPOSE_NONE);
	assert_string_equal(it->fields[1].value, SECRET);
	assert_null(it->fields[0].section_id); /* "" reads back as the default: NULL */
	assert_string_equal(it->fields[2].section_id, "more");
	assert_non_null(it->fields[11].address);
	assert_string_equal(it->fields[11].address->city, "Springfield");
	assert_string_equal(it->fields[11].address->state, "IL");
	assert_null(it->fields[10].address);
	assert_string_equal(it->fields[14].value,
			    "tab\there \"quoted\" back\\slash \x01 \xe2\x82\xac");
	assert_string_equal(it->sections[0].id, "");
	assert_string_equal(it->sections[1].title, "More");
	assert_string_equal(it->tags[1], "team/ops");
	assert_int_equal(it->websites[1].autofill, AUTOFILL_EXACT_DOMAIN);
	assert_int_equal(it->websites[2].autofill, AUTOFILL_NEVER);
	assert_string_equal(it->websites[1].label, "");
	assert_string_equal(it->files[0].id, "fileaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(it->files[0].size, 12);
	assert_string_equal(it->files[0].field_id, "filefield");
	assert_null(it->files[1].section_id);
	assert_non_null(it->document);
	assert_string_equal(it->document->name, "contract.pdf");
	assert_int_equal(it->document->size, 123456);

	/* Canonical: encoding gives back the very same bytes. */
	char *e1 = encode_ok(it);
	assert_string_equal(e1, full_json);
	item *again = decode_ok(e1);
	assert_true(item_equal(it, again));
	char *e2 = encode_ok(again);
	assert_string_equal(e1, e2);

	free(e1);
	free(e2);
	item_free(again);
	item_free(it);
}

static void test_item_json__code_item_round_trip(void **state)
{
	(void)state;
	item *it = item_new();
	it->title = strdup("Built in code");
	it->category = ITEM_CATEGORY_API_CREDENTIALS;
	it->notes = strdup(""); /* "" notes read back as NULL: still equal */
	it->fields = calloc(2, sizeof *it->fields);
	it->nfields = 2;
	it->fields[0].id = strdup("credential");
	it->fields[0].type = FIELD_TYPE_CONCEALED;
	it->fields[0].value = strdup(SECRET);
	it->fields[1].id = strdup("home");
	it->fields[1].type = FIELD_TYPE_ADDRESS;
	it->fields[1].section_id = strdup("");
	it->fields[1].address = calloc(1, sizeof *it->fields[1].address);
	it->fields[1].address->city = strdup("Oslo"); /* other parts NULL */
	it->created_at = 951868800;
	it->updated_at = ITEM_MAX_TIME;

	char *e1 = encode_ok(it);
	item *back = decode_ok(e1);
	assert_true(item_equal(it, back));
	assert_null(back->notes);
	assert_string_equal(back->fields[0].title, "");
	assert_string_equal(back->fields[1].address->street, "");
	char *e2 = encode_ok(back);
	assert_string_equal(e1, e2);
	assert_non_null(strstr(e1, "\"createdAt\":\"2000-03-01T00:00:00Z\""));
	assert_non_null(strstr(e1, "\"updatedAt\":\"9999-12-31T23:59:59Z\""));
	assert_non_null(strstr(e1, "\"category\":\"ApiCredentials\""));
	free(e1);
	free(e2);
	item_free(back);
	item_free(it);
}

static void test_item_json__minimal_defaults(void **state)
{
	(void)state;
	item *it = decode_ok("{\"title\":\"t\",\"category\":\"Login\"}");
	assert_string_equal(it->id, "");
	assert_string_equal(it->vault_id, "");
	assert_int_equal(it->nfields, 0);
	assert_null(it->fields);
	assert_null(it->notes);
	assert_null(it->document);
	assert_int_equal(it->version, 0);
	assert_int_equal(it->state, ITEM_STATE_ACTIVE);
	char *e = encode_ok(it);
	assert_string_equal(e, minimal_canonical);
	free(e);
	item_free(it);
}

static void test_item_json__non_canonical_input(void **state)
{
	(void)state;
	/* Any key order, white space, nulls for optional members, other time
	 * forms, empty arrays: all read, and written canonically. */
	const char *in =
		" {\n\t\"state\" : \"active\", \"category\":\"Password\", \"title\":\"pw\",\n"
		"  \"document\": null, \"notes\": \"\", \"version\": 2,\n"
		"  \"fields\": [ {\"value\":\"v\", \"fieldType\":\"Concealed\","
		"   \"id\":\"password\","
		"   \"sectionId\": null, \"purpose\": null, \"details\": null},"
		"   {\"id\":\"a\",\"fieldType\":\"Address\",\"details\":{\"address\":null}},"
		"   {\"id\":\"b\",\"fieldType\":\"Address\",\"details\":{}},"
		"   {\"id\":\"c\",\"fieldType\":\"Address\",\"details\":{\"address\":{}}} ],\n"
		"  \"createdAt\": \"2026-11-26T11:50:48.123456+01:00\",\n"
		"  \"updatedAt\": \"2026-11-26t10:50:48z\","
		"  \"websites\": [{\"url\":\"https://x\"}],"
		"  \"files\": [{\"attributes\":{\"size\":1,\"id\":\"\",\"name\":\"n\"},"
		"\"fieldId\":null}] }\n";
	const char *want =
		"{\"id\":\"\",\"title\":\"pw\",\"category\":\"Password\",\"vaultId\":\"\","
		"\"fields\":[{\"id\":\"password\",\"title\":\"\",\"sectionId\":\"\","
		"\"fieldType\":\"Concealed\",\"value\":\"v\"},{\"id\":\"a\",\"title\":\"\","
		"\"sectionId\":\"\",\"fieldType\":\"Address\",\"value\":\"\"},{\"id\":\"b\","
		"\"title\":\"\",\"sectionId\":\"\",\"fieldType\":\"Address\",\"value\":\"\"},"
		"{\"id\":\"c\",\"title\":\"\",\"sectionId\":\"\",\"fieldType\":\"Address\","
		"\"value\":\"\",\"details\":{\"address\":{\"street\":\"\",\"city\":\"\","
		"\"country\":\"\",\"zip\":\"\",\"state\":\"\"}}}],"
		"\"sections\":[],\"notes\":\"\",\"tags\":[],\"websites\":[{\"url\":\"https://x\","
		"\"label\":\"\",\"autofillBehavior\":\"AnywhereOnWebsite\"}],\"version\":2,"
		"\"files\":[{\"attributes\":{\"name\":\"n\",\"id\":\"\",\"size\":1},"
		"\"sectionId\":\"\",\"fieldId\":\"\"}],"
		"\"createdAt\":\"2026-11-26T10:50:48Z\",\"updatedAt\":\"2026-11-26T10:50:48Z\","
		"\"state\":\"active\"}";
	item *it = decode_ok(in);
	assert_int_equal(it->created_at, 1795690248);
	assert_int_equal(it->updated_at, 1795690248);
	char *e = encode_ok(it);
	assert_string_equal(e, want);
	item *again = decode_ok(e);
	char *e2 = encode_ok(again);
	assert_string_equal(e, e2);
	free(e);
	free(e2);
	item_free(again);
	item_free(it);
}

static void test_item_json__overview(void **state)
{
	(void)state;
	item *it = decode_ok(full_json);
	char *ov = NULL;
	assert_int_equal(item_overview_to_json(&ov, it), 0);
	assert_string_equal(ov, full_overview_json);
	assert_null(strstr(ov, SECRET));

	/* An overview decodes into an item without the details. */
	item *o = NULL;
	assert_int_equal(item_overview_from_json(&o, ov, strlen(ov)), 0);
	assert_non_null(o);
	assert_string_equal(o->title, it->title);
	assert_string_equal(o->id, it->id);
	assert_int_equal(o->category, ITEM_CATEGORY_DOCUMENT);
	assert_int_equal(o->state, ITEM_STATE_ARCHIVED);
	assert_int_equal(o->created_at, it->created_at);
	assert_int_equal(o->ntags, 2);
	assert_int_equal(o->nwebsites, 3);
	assert_int_equal(o->nfields, 0);
	assert_int_equal(o->nsections, 0);
	assert_int_equal(o->nfiles, 0);
	assert_null(o->notes);
	assert_null(o->document);
	assert_int_equal(o->version, 0);
	char *ov2 = NULL;
	assert_int_equal(item_overview_to_json(&ov2, o), 0);
	assert_string_equal(ov, ov2);

	/* The details are not part of an overview. */
	const char *bad = "{\"title\":\"t\",\"category\":\"Login\",\"fields\":[]}";
	item *x = (item *)1;
	assert_int_equal(item_overview_from_json(&x, bad, strlen(bad)), SESAME_EINVAL);
	assert_null(x);
	assert_string_equal(sesame_error_last()->message, "unknown key 'fields'");
	bad = "{\"title\":\"t\",\"category\":\"Login\",\"version\":1}";
	assert_int_equal(item_overview_from_json(&x, bad, strlen(bad)), SESAME_EINVAL);
	bad = "{\"category\":\"Login\"}";
	assert_int_equal(item_overview_from_json(&x, bad, strlen(bad)), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->message, "missing 'title'");
	bad = "[]";
	assert_int_equal(item_overview_from_json(&x, bad, strlen(bad)), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->message, "an item overview must be a json object");

	/* And the tree forms. */
	json_t *v = item_overview_to_jsonv(it);
	assert_non_null(v);
	item *y = NULL;
	assert_int_equal(item_overview_from_jsonv(&y, v), 0);
	assert_true(item_equal(o, y));
	item_jsonv_free(v);

	free(ov);
	free(ov2);
	item_free(o);
	item_free(y);
	item_free(it);
}

static void test_item_json__rejects_malformed(void **state)
{
	(void)state;
	expect_reject("", SESAME_EINVAL, "malformed json");
	expect_reject("{", SESAME_EINVAL, "malformed json at line 1");
	expect_reject("{\"title\":\"t\",}", SESAME_EINVAL, "malformed json");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\"} x", SESAME_EINVAL,
		      "malformed json");
	expect_reject("[]", SESAME_EINVAL, "an item must be a json object");
	expect_reject("null", SESAME_EINVAL, "'[' or '{' expected");
	expect_reject("\"x\"", SESAME_EINVAL, "malformed json");
	/* Embedded NUL bytes are rejected, raw or escaped. */
	expect_reject_len("{\"title\":\"a\0b\",\"category\":\"Login\"}", 35, SESAME_EINVAL,
			  "malformed json");
	expect_reject("{\"title\":\"a\\u0000b\",\"category\":\"Login\"}", SESAME_EINVAL,
		      "malformed json");
	/* Invalid UTF-8 in a string. */
	expect_reject("{\"title\":\"\xff\",\"category\":\"Login\"}", SESAME_EINVAL,
		      "malformed json");

	/* NULL arguments. */
	item *it = NULL;
	assert_int_equal(item_from_json(NULL, "{}", 2), SESAME_EINVAL);
	assert_int_equal(item_from_json(&it, NULL, 3), SESAME_EINVAL);
	assert_null(it);
	assert_int_equal(item_from_jsonv(&it, NULL), SESAME_EINVAL);
}

static void test_item_json__rejects_duplicate_keys(void **state)
{
	(void)state;
	expect_reject("{\"title\":\"a\",\"title\":\"b\",\"category\":\"Login\"}", SESAME_EINVAL,
		      "duplicate");
	expect_reject(with(",\"value\":\"x\"", ""), SESAME_EINVAL, "duplicate");
	expect_reject("{\"title\":\"t\",\"category\":\"Identity\",\"fields\":[{\"id\":\"a\","
		      "\"fieldType\":\"Address\",\"details\":{\"address\":{\"zip\":\"1\","
		      "\"zip\":\"2\"}}}]}",
		      SESAME_EINVAL, "duplicate");
}

static void test_item_json__rejects_unknown_keys(void **state)
{
	(void)state;
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"favorite\":true}", SESAME_EINVAL,
		      "unknown key 'favorite'");
	assert_string_equal(sesame_error_last()->message, "unknown key 'favorite'");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":["
		      "{\"id\":\"a\",\"fieldType\":\"Text\"},{\"id\":\"b\",\"fieldType\":\"Text\"},"
		      "{\"id\":\"c\",\"fieldType\":\"Text\"},"
		      "{\"id\":\"d\",\"fieldType\":\"Text\",\"foo\":1}]}",
		      SESAME_EINVAL, NULL);
	assert_string_equal(sesame_error_last()->message, "unknown key 'foo' in fields[3]");
	expect_reject(with(",\"label\":\"x\"", ""), SESAME_EINVAL,
		      "unknown key 'label' in fields[0]");
	expect_reject(with(",\"details\":{\"otp\":{}}", ""), SESAME_EINVAL,
		      "unknown key 'otp' in fields[0].details");
	expect_reject(with(",\"details\":{\"address\":{\"street\":\"s\",\"town\":\"x\"}}", ""),
		      SESAME_EINVAL, "unknown key 'town' in fields[0].details.address");
	expect_reject(with("", ",\"sections\":[{\"id\":\"s\",\"label\":\"x\"}]"), SESAME_EINVAL,
		      "unknown key 'label' in sections[0]");
	expect_reject(with("", ",\"websites\":[{\"url\":\"u\",\"primary\":true}]"),
		      SESAME_EINVAL, "unknown key 'primary' in websites[0]");
	expect_reject(with("", ",\"files\":[{\"attributes\":{\"name\":\"n\",\"id\":\"\","
			       "\"size\":1},\"content\":\"x\"}]"),
		      SESAME_EINVAL, "unknown key 'content' in files[0]");
	expect_reject(with("", ",\"files\":[{\"attributes\":{\"name\":\"n\",\"id\":\"\","
			       "\"size\":1,\"path\":\"x\"}}]"),
		      SESAME_EINVAL, "unknown key 'path' in files[0].attributes");
	expect_reject("{\"title\":\"t\",\"category\":\"Document\",\"document\":{\"name\":\"n\","
		      "\"id\":\"\",\"size\":1,\"mime\":\"x\"}}",
		      SESAME_EINVAL, "unknown key 'mime' in document");
	/* Long or odd keys are cut and made printable. */
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"a\\nb\":1}", SESAME_EINVAL,
		      "unknown key 'a?b'");
}

static void test_item_json__rejects_wrong_types(void **state)
{
	(void)state;
	static const struct {
		const char *top, *field, *msg;
	} cases[] = {
		{",\"version\":\"1\"", "", "'version' must be an integer"},
		{",\"version\":1.5", "", "'version' must be an integer"},
		{",\"version\":-1", "", "'version' must not be negative"},
		{",\"version\":true", "", "'version' must be an integer"},
		{",\"notes\":5", "", "'notes' must be a string"},
		{",\"tags\":\"a\"", "", "'tags' must be an array"},
		{",\"tags\":[1]", "", "tags[0] must be a string"},
		{",\"tags\":[\"a\",null]", "", "tags[1] must be a string"},
		{",\"sections\":{}", "", "'sections' must be an array"},
		{",\"sections\":[[]]", "", "sections[0] must be an object"},
		{",\"sections\":[{\"id\":1}]", "", "'id' in sections[0] must be a string"},
		{",\"websites\":[{\"url\":\"u\",\"autofillBehavior\":0}]", "",
		 "'autofillBehavior' in websites[0] must be a string"},
		{",\"files\":[{\"attributes\":\"x\"}]", "",
		 "'attributes' in files[0] must be an object"},
		{",\"files\":[{\"attributes\":{\"name\":\"n\",\"id\":\"\",\"size\":\"1\"}}]", "",
		 "'size' in files[0].attributes must be an integer"},
		{",\"files\":[{\"attributes\":{\"name\":\"n\",\"id\":\"\",\"size\":-5}}]", "",
		 "'size' in files[0].attributes must not be negative"},
		{",\"document\":[]", "", "'document' must be an object"},
		{",\"createdAt\":1795690248", "", "'createdAt' must be a string"},
		{",\"state\":null", "", "'state' must be a string"},
		{",\"id\":null", "", "'id' must be a string"},
		{",\"vaultId\":7", "", "'vaultId' must be a string"},
		{"", ",\"title\":7", "'title' in fields[0] must be a string"},
		{"", ",\"details\":[]", "'details' in fields[0] must be an object"},
		{"", ",\"details\":{\"address\":\"x\"}",
		 "'address' in fields[0].details must be an object"},
		{"", ",\"details\":{\"address\":{\"zip\":12345}}",
		 "'zip' in fields[0].details.address must be a string"},
		{"", ",\"purpose\":1", "'purpose' in fields[0] must be a string"},
		{"", ",\"sectionId\":[]", "'sectionId' in fields[0] must be a string"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_reject(with(cases[i].field, cases[i].top), SESAME_EINVAL, cases[i].msg);
	expect_reject("{\"title\":5,\"category\":\"Login\"}", SESAME_EINVAL,
		      "'title' must be a string");
	expect_reject("{\"title\":\"t\",\"category\":[\"Login\"]}", SESAME_EINVAL,
		      "'category' must be a string");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":{}}", SESAME_EINVAL,
		      "'fields' must be an array");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[\"x\"]}",
		      SESAME_EINVAL, "fields[0] must be an object");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"id\":\"a\","
		      "\"fieldType\":\"Concealed\",\"value\":5}]}",
		      SESAME_EINVAL, "'value' in fields[0] must be a string");
	/* null is "absent" only where a member is optional in the SDK. */
	expect_reject("{\"title\":null,\"category\":\"Login\"}", SESAME_EINVAL,
		      "'title' must be a string");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":null}", SESAME_EINVAL,
		      "'fields' must be an array");
}

static void test_item_json__rejects_missing(void **state)
{
	(void)state;
	expect_reject("{\"category\":\"Login\"}", SESAME_EINVAL, "missing 'title'");
	expect_reject("{\"title\":\"t\"}", SESAME_EINVAL, "missing 'category'");
	expect_reject("{}", SESAME_EINVAL, "missing 'title'");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"fieldType\":"
		      "\"Text\"}]}",
		      SESAME_EINVAL, "missing 'id' in fields[0]");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"id\":\"x\"}]}",
		      SESAME_EINVAL, "missing 'fieldType' in fields[0]");
	expect_reject(with("", ",\"sections\":[{\"title\":\"x\"}]"), SESAME_EINVAL,
		      "missing 'id' in sections[0]");
	expect_reject(with("", ",\"websites\":[{\"label\":\"x\"}]"), SESAME_EINVAL,
		      "missing 'url' in websites[0]");
	expect_reject(with("", ",\"files\":[{\"sectionId\":\"\"}]"), SESAME_EINVAL,
		      "missing 'attributes' in files[0]");
	expect_reject(with("", ",\"files\":[{\"attributes\":{\"id\":\"\",\"size\":1}}]"),
		      SESAME_EINVAL, "missing 'name' in files[0].attributes");
	expect_reject(with("", ",\"files\":[{\"attributes\":{\"name\":\"n\",\"size\":1}}]"),
		      SESAME_EINVAL, "missing 'id' in files[0].attributes");
	expect_reject(with("", ",\"files\":[{\"attributes\":{\"name\":\"n\",\"id\":\"\"}}]"),
		      SESAME_EINVAL, "missing 'size' in files[0].attributes");
}

static void test_item_json__rejects_bad_enums(void **state)
{
	(void)state;
	/* The codec takes the SDK's spelling only; the tolerant parsers are
	 * for people, not for stored data. */
	expect_reject("{\"title\":\"t\",\"category\":\"LOGIN\"}", SESAME_EINVAL,
		      "unknown category 'LOGIN'");
	expect_reject("{\"title\":\"t\",\"category\":\"Spaceship\"}", SESAME_EINVAL,
		      "unknown category 'Spaceship'");
	expect_reject("{\"title\":\"t\",\"category\":\"\"}", SESAME_EINVAL,
		      "unknown category ''");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"id\":\"a\","
		      "\"fieldType\":\"STRING\"}]}",
		      SESAME_EINVAL, "unknown fieldType 'STRING' in fields[0]");
	expect_reject(with(",\"purpose\":\"USERNAME\"", ""), SESAME_EINVAL,
		      "unknown purpose 'USERNAME' in fields[0]");
	expect_reject(with(",\"purpose\":\"\"", ""), SESAME_EINVAL,
		      "unknown purpose '' in fields[0]");
	expect_reject(with("", ",\"websites\":[{\"url\":\"u\",\"autofillBehavior\":\"Always\"}]"),
		      SESAME_EINVAL, "unknown autofillBehavior 'Always' in websites[0]");
	expect_reject(with("", ",\"state\":\"deleted\""), SESAME_EINVAL,
		      "unknown state 'deleted'");
	expect_reject(with("", ",\"state\":\"ACTIVE\""), SESAME_EINVAL, "unknown state 'ACTIVE'");
}

/* prefix + n copies of c + suffix, malloc'ed. */
static char *filled(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t a = strlen(prefix), b = strlen(suffix);
	char *s = malloc(a + n + b + 1);
	assert_non_null(s);
	memcpy(s, prefix, a);
	memset(s + a, c, n);
	memcpy(s + a + n, suffix, b + 1);
	return s;
}

/* Builds {"title":"t","category":"Login","fields":[ n fields ]}. */
static char *many_fields(size_t n)
{
	size_t cap = 128 + n * 64;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t len = (size_t)snprintf(buf, cap,
				      "{\"title\":\"t\",\"category\":\"Login\",\"fields\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len,
					"%s{\"id\":\"f%zu\",\"fieldType\":\"Text\"}", i ? "," : "",
					i);
	snprintf(buf + len, cap - len, "]}");
	return buf;
}

static void test_item_json__limits(void **state)
{
	(void)state;
	char *json = many_fields(ITEM_MAX_FIELDS);
	item *it = decode_ok(json);
	assert_int_equal(it->nfields, ITEM_MAX_FIELDS);
	item_free(it);
	free(json);
	json = many_fields(ITEM_MAX_FIELDS + 1);
	expect_reject(json, SESAME_ETOOBIG,
		      "'fields' has 1001 entries, more than the limit of 1000");
	free(json);

	/* A value at and past the limit. */
	size_t cap = ITEM_MAX_VALUE_BYTES + 256;
	json = malloc(cap);
	assert_non_null(json);
	for (size_t extra = 0; extra < 2; extra++) {
		size_t n = (size_t)snprintf(json, cap, "{\"title\":\"t\",\"category\":\"Login\","
						       "\"fields\":[{\"id\":\"p\",\"fieldType\":"
						       "\"Concealed\",\"value\":\"");
		memset(json + n, 'k', ITEM_MAX_VALUE_BYTES + extra);
		n += ITEM_MAX_VALUE_BYTES + extra;
		snprintf(json + n, cap - n, "\"}]}");
		if (extra == 0) {
			it = decode_ok(json);
			item_free(it);
		} else {
			expect_reject(json, SESAME_ETOOBIG,
				      "'value' in fields[0] is 262145 bytes, more than the limit "
				      "of 262144");
			assert_null(strstr(sesame_error_last()->message, "kkkk"));
		}
	}
	free(json);

	/* Title, tags, field ids. */
	json = filled("{\"category\":\"Login\",\"title\":\"", 'x', ITEM_MAX_TITLE_BYTES + 1,
		      "\"}");
	expect_reject(json, SESAME_ETOOBIG, "'title' is 1025 bytes");
	free(json);
	json = filled("{\"title\":\"t\",\"category\":\"Login\",\"tags\":[\"", 'g',
		      ITEM_MAX_TAG_BYTES + 1, "\"]}");
	expect_reject(json, SESAME_ETOOBIG, "tags[0] is 129 bytes");
	free(json);
	json = filled("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"fieldType\":"
		      "\"Text\",\"id\":\"",
		      'i', ITEM_MAX_FIELD_ID_BYTES + 1, "\"}]}");
	expect_reject(json, SESAME_ETOOBIG, "'id' in fields[0] is 129 bytes");
	free(json);

	char tags[2048];
	size_t len = (size_t)snprintf(tags, sizeof tags,
				      "{\"title\":\"t\",\"category\":\"Login\",\"tags\":[");
	for (int i = 0; i <= ITEM_MAX_TAGS; i++)
		len += (size_t)snprintf(tags + len, sizeof tags - len, "%s\"t%d\"", i ? "," : "",
					i);
	snprintf(tags + len, sizeof tags - len, "]}");
	expect_reject(tags, SESAME_ETOOBIG, "'tags' has 101 entries");

	/* The whole text, and nesting. */
	size_t big = ITEM_MAX_JSON_BYTES + 1;
	json = malloc(big + 1);
	assert_non_null(json);
	memset(json, ' ', big);
	json[0] = '{';
	memcpy(json + big - 1, "}", 1);
	json[big] = '\0';
	expect_reject(json, SESAME_ETOOBIG, "more than the limit");
	free(json);
	expect_reject(with(",\"details\":{\"address\":{\"zip\":[[[[[[[1]]]]]]]}}", ""),
		      SESAME_ETOOBIG, "deeper than 8");
}

static void test_item_json__rejects_bad_ids(void **state)
{
	(void)state;
	expect_reject(with("", ",\"id\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\""), SESAME_EINVAL,
		      "item id 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' is not 26 characters of [a-z0-9]");
	expect_reject(with("", ",\"id\":\"abc\""), SESAME_EINVAL, "item id 'abc'");
	expect_reject(with("", ",\"id\":\"abcdefghijklmnopqrstuvwxyz0\""), SESAME_EINVAL,
		      "'id' is not 26 characters of [a-z0-9]");
	expect_reject(with("", ",\"vaultId\":\"abcdefghijklmnopqrstuvwxy_\""), SESAME_EINVAL,
		      "vault id 'abcdefghijklmnopqrstuvwxy_'");
	expect_reject(with("", ",\"files\":[{\"attributes\":{\"name\":\"n\",\"id\":\"x\","
			       "\"size\":1}}]"),
		      SESAME_EINVAL, "file id 'x' in files[0] is not 26 characters");
	expect_reject(with("", ",\"files\":[{\"attributes\":{\"name\":\"n\","
			       "\"id\":\"abcdefghijklmnopqrstuvwxyz0\",\"size\":1}}]"),
		      SESAME_EINVAL, "'id' in files[0].attributes is not 26 characters");
}

static void test_item_json__rejects_invalid_items(void **state)
{
	(void)state;
	expect_reject(with(",\"sectionId\":\"nowhere\"", ""), SESAME_EINVAL,
		      "fields[0] refers to section 'nowhere', which does not exist");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"id\":\"p\","
		      "\"fieldType\":\"Concealed\",\"value\":\"" SECRET "\"},{\"id\":\"p\","
		      "\"fieldType\":\"Text\",\"value\":\"" SECRET "\"}]}",
		      SESAME_EINVAL, "duplicate field id 'p' in fields[1]");
	expect_reject(with("", ",\"sections\":[{\"id\":\"s\"},{\"id\":\"s\"}]"), SESAME_EINVAL,
		      "duplicate section id 's' in sections[1]");
	expect_reject(with(",\"details\":{\"address\":{\"city\":\"x\"}}", ""), SESAME_EINVAL,
		      "fields[0] has an address but is not of type Address");
	expect_reject(with("", ",\"document\":{\"name\":\"n\",\"id\":\"\",\"size\":1}"),
		      SESAME_EINVAL, "only Document items have a 'document'");
	expect_reject(with("", ",\"tags\":[\"Prod\",\"prod\"]"), SESAME_EINVAL,
		      "duplicate tag 'prod' in tags[1]");
	expect_reject(with("", ",\"tags\":[\"\"]"), SESAME_EINVAL, "tags[0] is empty");
	expect_reject(with("", ",\"websites\":[{\"url\":\"\"}]"), SESAME_EINVAL,
		      "'url' in websites[0] is empty");
	expect_reject("{\"title\":\"\",\"category\":\"Login\"}", SESAME_EINVAL,
		      "item title is empty");
	expect_reject("{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"id\":\"\","
		      "\"fieldType\":\"Text\"}]}",
		      SESAME_EINVAL, "'id' in fields[0] is empty");
}

static void test_item_json__times(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t t;
	} good[] = {
		{"1970-01-01T00:00:00Z", 0},
		{"2026-11-26T10:50:48Z", 1795690248},
		{"2026-11-26T10:50:48.999Z", 1795690248},
		{"2026-11-26T12:50:48+02:00", 1795690248},
		{"2026-11-26T05:20:48-05:30", 1795690248},
		{"2026-11-26 10:50:48z", 1795690248},
		{"2024-02-29T12:00:00Z", 1709208000},
		{"2000-03-01T00:00:00Z", 951868800},
		{"9999-12-31T23:59:59Z", ITEM_MAX_TIME},
	};
	static const char *const bad[] = {
		"",
		"2026-11-26",
		"2026-11-26T10:50:48",
		"2026-11-26T10:50:48ZZ",
		"2026-02-29T00:00:00Z",
		"2023-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z",
		"2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z",
		"2026-11-00T00:00:00Z",
		"2026-11-26T24:00:00Z",
		"2026-11-26T10:60:00Z",
		"2026-11-26T10:50:60Z",
		"2026-11-26T10:50:48.Z",
		"2026-11-26T10:50:48+0100",
		"2026-11-26T10:50:48+24:00",
		"1969-12-31T23:59:59Z",
		"1970-01-01T00:00:00+00:01",
		"9999-12-31T23:59:59-00:01",
		"+2026-11-26T10:50:48Z",
		"2026-1-26T10:50:48Z",
		"2026-11-26T10:50:48 Z",
		"２026-11-26T10:50:48Z",
	};
	char buf[ITEM_TIME_BUFSZ];
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t t = -1;
		if (item_time_parse(&t, good[i].s) != 0)
			fail_msg("'%s' should parse", good[i].s);
		assert_int_equal(t, good[i].t);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t = 42;
		if (item_time_parse(&t, bad[i]) != SESAME_EINVAL)
			fail_msg("'%s' should not parse", bad[i]);
		assert_int_equal(t, 42);
	}
	assert_int_equal(item_time_parse(&(int64_t){0}, NULL), SESAME_EINVAL);
	assert_int_equal(item_time_format(buf, 0), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(item_time_format(buf, 1709208000), 0);
	assert_string_equal(buf, "2024-02-29T12:00:00Z");
	assert_int_equal(item_time_format(buf, ITEM_MAX_TIME), 0);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	assert_int_equal(item_time_format(buf, -1), SESAME_EINVAL);
	assert_int_equal(item_time_format(buf, ITEM_MAX_TIME + 1), SESAME_EINVAL);
	/* Every day of a few years survives format then parse. */
	for (int64_t t = 0; t < 4 * 366 * 86400LL; t += 86400 + 3601) {
		int64_t back = -1;
		assert_int_equal(item_time_format(buf, t), 0);
		assert_int_equal(item_time_parse(&back, buf), 0);
		assert_int_equal(back, t);
	}
	for (int64_t t = ITEM_MAX_TIME; t > ITEM_MAX_TIME - 800 * 86400LL; t -= 86399) {
		int64_t back = -1;
		assert_int_equal(item_time_format(buf, t), 0);
		assert_int_equal(item_time_parse(&back, buf), 0);
		assert_int_equal(back, t);
	}
	/* In an item. */
	expect_reject(with("", ",\"createdAt\":\"2026-02-30T00:00:00Z\""), SESAME_EINVAL,
		      "'createdAt' must be an RFC 3339 time");
	expect_reject(with("", ",\"updatedAt\":\"yesterday\""), SESAME_EINVAL,
		      "'updatedAt' must be an RFC 3339 time");
}

static void test_item_json__secrets_not_in_messages(void **state)
{
	(void)state;
	/* Each input has the secret in a field value and breaks somewhere. */
#define PRE "{\"title\":\"t\",\"category\":\"Login\",\"fields\":[{\"id\":\"p\",\"value\":"
	const char *cases[] = {
		PRE "\"" SECRET,
		PRE "\"" SECRET "\"",
		PRE "\"" SECRET "\" x}]}",
		PRE "\"" SECRET "\\uZZZZ\"}]}",
		PRE "\"" SECRET "\\ud800\"}]}",
		PRE "\"" SECRET "\\q\"}]}",
		PRE "\"" SECRET "\x01\"}]}",
		PRE SECRET "}]}",
		PRE "\"" SECRET "\xc3\x28\"}]}",
		PRE "\"" SECRET "\",\"value\":\"" SECRET "\"}]}",
		PRE "\"" SECRET "\",\"fieldType\":\"Nope\"}]}",
		PRE "\"" SECRET "\",\"fieldType\":\"Text\",\"x\":1}]}",
		PRE "\"" SECRET "\",\"fieldType\":\"Text\",\"sectionId\":\"s\"}]}",
		PRE "\"" SECRET "\",\"fieldType\":\"Text\"},"
		    "{\"id\":\"p\",\"fieldType\":\"Text\"}]}",
		PRE "\"" SECRET "\",\"fieldType\":\"Text\"}],\"notes\":\"" SECRET "\","
		    "\"version\":\"" SECRET "\"}",
	};
#undef PRE
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_reject(cases[i], SESAME_EINVAL, NULL);
	/* A value over the limit made of the secret. */
	size_t reps = ITEM_MAX_VALUE_BYTES / (sizeof SECRET - 1) + 1;
	size_t cap = reps * (sizeof SECRET - 1) + 256;
	char *json = malloc(cap);
	assert_non_null(json);
	size_t n = (size_t)snprintf(json, cap,
				    "{\"title\":\"t\",\"category\":\"Login\",\"notes\":\"");
	for (size_t i = 0; i < reps; i++) {
		memcpy(json + n, SECRET, sizeof SECRET - 1);
		n += sizeof SECRET - 1;
	}
	snprintf(json + n, cap - n, "\"}");
	expect_reject(json, SESAME_ETOOBIG, "'notes' is");
	free(json);
}

static void test_item_json__trees(void **state)
{
	(void)state;
	item *it = decode_ok(full_json);
	json_t *v = item_to_jsonv(it);
	assert_non_null(v);
	item *back = NULL;
	assert_int_equal(item_from_jsonv(&back, v), 0);
	assert_true(item_equal(it, back));
	/* A tree someone else also holds is left intact. */
	json_incref(v);
	item_jsonv_free(v);
	assert_string_equal(json_string_value(json_object_get(v, "title")), it->title);
	item_jsonv_free(v);
	item_jsonv_free(NULL);

	/* Trees built in code can hold what JSON text cannot: a NUL byte. */
	json_t *t = json_pack("{s:s%,s:s}", "title", "a\0b", (size_t)3, "category", "Login");
	assert_non_null(t);
	item *x = (item *)1;
	assert_int_equal(item_from_jsonv(&x, t), SESAME_EINVAL);
	assert_null(x);
	/* A tree is decoded through its text, where the NUL is an escape. */
	assert_non_null(strstr(sesame_error_last()->message, "\\u0000 is not allowed"));
	json_decref(t);

	item_free(back);
	item_free(it);
}

static void test_item_json__encode_checks(void **state)
{
	(void)state;
	char *out = (char *)1;
	item *it = item_new(); /* no title: invalid */
	assert_int_equal(item_to_json(&out, it), SESAME_EINVAL);
	assert_null(out);
	assert_null(item_to_jsonv(it));
	assert_null(item_overview_to_jsonv(it));
	out = (char *)1;
	assert_int_equal(item_overview_to_json(&out, it), SESAME_EINVAL);
	assert_null(out);
	assert_int_equal(item_to_json(NULL, it), SESAME_EINVAL);
	assert_int_equal(item_to_json(&out, NULL), SESAME_EINVAL);

	/* Valid, but over the size limit once encoded: five values at the
	 * limit. */
	it->title = strdup("big");
	it->fields = calloc(5, sizeof *it->fields);
	it->nfields = 5;
	for (size_t i = 0; i < 5; i++) {
		char id[8];
		snprintf(id, sizeof id, "f%zu", i);
		it->fields[i].id = strdup(id);
		it->fields[i].value = malloc(ITEM_MAX_VALUE_BYTES + 1);
		memset(it->fields[i].value, 'v', ITEM_MAX_VALUE_BYTES);
		it->fields[i].value[ITEM_MAX_VALUE_BYTES] = '\0';
	}
	assert_int_equal(item_validate(it), 0);
	out = (char *)1;
	assert_int_equal(item_to_json(&out, it), SESAME_ETOOBIG);
	assert_null(out);
	assert_string_equal(sesame_error_last()->kind, "item_too_big");
	assert_non_null(strstr(sesame_error_last()->message, "the encoded item is"));
	/* Its overview is small. */
	assert_int_equal(item_overview_to_json(&out, it), 0);
	free(out);
	item_free(it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_json__full_round_trip),
		cmocka_unit_test(test_item_json__code_item_round_trip),
		cmocka_unit_test(test_item_json__minimal_defaults),
		cmocka_unit_test(test_item_json__non_canonical_input),
		cmocka_unit_test(test_item_json__overview),
		cmocka_unit_test(test_item_json__rejects_malformed),
		cmocka_unit_test(test_item_json__rejects_duplicate_keys),
		cmocka_unit_test(test_item_json__rejects_unknown_keys),
		cmocka_unit_test(test_item_json__rejects_wrong_types),
		cmocka_unit_test(test_item_json__rejects_missing),
		cmocka_unit_test(test_item_json__rejects_bad_enums),
		cmocka_unit_test(test_item_json__limits),
		cmocka_unit_test(test_item_json__rejects_bad_ids),
		cmocka_unit_test(test_item_json__rejects_invalid_items),
		cmocka_unit_test(test_item_json__times),
		cmocka_unit_test(test_item_json__secrets_not_in_messages),
		cmocka_unit_test(test_item_json__trees),
		cmocka_unit_test(test_item_json__encode_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
