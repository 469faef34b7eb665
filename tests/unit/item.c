/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "item/item.h"
#include "item/item_json.h"
#include "sesame/errors.h"

#define SECRET "s3cr3t-hunter2-value"

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	assert_non_null(p);
	return p;
}

static item_field *add_field(item *it, const char *id, field_type type, const char *section,
			     const char *value)
{
	item_field *fields = realloc(it->fields, (it->nfields + 1) * sizeof *fields);
	assert_non_null(fields);
	it->fields = fields;
	item_field *f = &it->fields[it->nfields++];
	memset(f, 0, sizeof *f);
	f->id = xstrdup(id);
	f->title = xstrdup(id);
	f->section_id = section ? xstrdup(section) : NULL;
	f->type = type;
	f->value = xstrdup(value);
	return f;
}

static void add_section(item *it, const char *id, const char *title)
{
	item_section *s = realloc(it->sections, (it->nsections + 1) * sizeof *s);
	assert_non_null(s);
	it->sections = s;
	it->sections[it->nsections].id = xstrdup(id);
	it->sections[it->nsections].title = xstrdup(title);
	it->nsections++;
}

static void add_tag(item *it, const char *tag)
{
	char **t = realloc(it->tags, (it->ntags + 1) * sizeof *t);
	assert_non_null(t);
	it->tags = t;
	it->tags[it->ntags++] = xstrdup(tag);
}

/* An item using every part of the model. */
static item *make_item(void)
{
	item *it = item_new();
	assert_non_null(it);
	memcpy(it->id, "abcdefghijklmnopqrstuvwxyz", ITEM_ID_LEN + 1);
	memcpy(it->vault_id, "0123456789abcdefghijklmnop", ITEM_ID_LEN + 1);
	it->title = xstrdup("Prod DB");
	it->category = ITEM_CATEGORY_DATABASE;
	it->version = 3;
	it->created_at = 1795690248;
	it->updated_at = 1795690300;
	it->notes = xstrdup("rotate monthly");
	add_section(it, "", "");
	add_section(it, "conn", "Connection");
	add_field(it, "username", FIELD_TYPE_TEXT, NULL, "admin")->purpose =
		FIELD_PURPOSE_USERNAME;
	add_field(it, "password", FIELD_TYPE_CONCEALED, NULL, SECRET)->purpose =
		FIELD_PURPOSE_PASSWORD;
	add_field(it, "host", FIELD_TYPE_URL, "conn", "db.example.com");
	item_field *addr = add_field(it, "office", FIELD_TYPE_ADDRESS, "", "");
	addr->address = calloc(1, sizeof *addr->address);
	assert_non_null(addr->address);
	addr->address->street = xstrdup("1 Main St");
	addr->address->city = xstrdup("Springfield");
	addr->address->country = xstrdup("us");
	addr->address->zip = xstrdup("12345");
	addr->address->state = xstrdup("IL");
	add_tag(it, "prod");
	add_tag(it, "db");
	it->websites = calloc(1, sizeof *it->websites);
	assert_non_null(it->websites);
	it->nwebsites = 1;
	it->websites[0].url = xstrdup("https://db.example.com");
	it->websites[0].label = xstrdup("console");
	it->websites[0].autofill = AUTOFILL_EXACT_DOMAIN;
	it->files = calloc(1, sizeof *it->files);
	assert_non_null(it->files);
	it->nfiles = 1;
	memcpy(it->files[0].id, "zyxwvutsrqponmlkjihgfedcba", ITEM_ID_LEN + 1);
	it->files[0].name = xstrdup("ca.pem");
	it->files[0].size = 1234;
	it->files[0].section_id = xstrdup("conn");
	it->files[0].field_id = xstrdup("cafile");
	return it;
}

static void expect_error(int rc, int code, const char *needle)
{
	const sesame_error *e = sesame_error_last();
	assert_int_equal(rc, code);
	assert_int_equal(e->code, code);
	if (needle && !strstr(e->message, needle))
		fail_msg("message '%s' lacks '%s'", e->message, needle);
	assert_null(strstr(e->message, SECRET));
	assert_string_equal(e->kind, code == SESAME_ETOOBIG ? "item_too_big" : "invalid_item");
}

static void test_item__new_defaults(void **state)
{
	(void)state;
	item *it = item_new();
	assert_non_null(it);
	assert_int_equal(it->category, ITEM_CATEGORY_LOGIN);
	assert_int_equal(it->state, ITEM_STATE_ACTIVE);
	assert_int_equal(it->nfields, 0);
	assert_null(it->title);
	assert_string_equal(it->id, "");
	/* An item needs a title before it is valid. */
	expect_error(item_validate(it), SESAME_EINVAL, "title is empty");
	it->title = xstrdup("x");
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

static void test_item__free_null(void **state)
{
	(void)state;
	item_free(NULL);
	/* A half-made item (counts set, members NULL) frees cleanly too. */
	item *it = item_new();
	it->fields = calloc(3, sizeof *it->fields);
	it->nfields = 3;
	it->tags = calloc(2, sizeof *it->tags);
	it->ntags = 2;
	it->document = calloc(1, sizeof *it->document);
	item_free(it);
}

static void test_item__validate_full(void **state)
{
	(void)state;
	item *it = make_item();
	assert_int_equal(item_validate(it), 0);
	assert_int_equal(item_validate(NULL), SESAME_EINVAL);
	item_free(it);
}

static void test_item__validate_ids(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ", /* upper case */
		"abcdefghijklmnopqrstuvwxy",  /* 25 */
		"abc",
		"abcdefghijklmnopqrstuvwx-z",
		"abcdefghijklmnopqrstuvwxy\n",
	};
	item *it = make_item();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(it->id, 0, sizeof it->id);
		memcpy(it->id, bad[i], strlen(bad[i]));
		expect_error(item_validate(it), SESAME_EINVAL, "item id '");
		assert_null(strchr(sesame_error_last()->message, '\n'));
	}
	/* Not yet created: no id. */
	memset(it->id, 0, sizeof it->id);
	assert_int_equal(item_validate(it), 0);
	/* Not NUL-terminated within the array. */
	memset(it->id, 'a', sizeof it->id);
	expect_error(item_validate(it), SESAME_EINVAL, "item id");
	memset(it->id, 0, sizeof it->id);
	memcpy(it->vault_id, "0123456789abcdefghijklmnoP", ITEM_ID_LEN);
	expect_error(item_validate(it), SESAME_EINVAL, "vault id '0123456789abcdefghijklmnoP'");
	it->vault_id[0] = '\0';
	assert_int_equal(item_validate(it), 0);
	/* File ids follow the same rule. */
	memcpy(it->files[0].id, "short", 6);
	expect_error(item_validate(it), SESAME_EINVAL, "file id 'short' in files[0]");
	item_free(it);
}

static void test_item__validate_title(void **state)
{
	(void)state;
	item *it = make_item();
	free(it->title);
	it->title = xstrdup("");
	expect_error(item_validate(it), SESAME_EINVAL, "title is empty");
	free(it->title);
	it->title = NULL;
	expect_error(item_validate(it), SESAME_EINVAL, "title is empty");
	it->title = malloc(ITEM_MAX_TITLE_BYTES + 2);
	assert_non_null(it->title);
	memset(it->title, 'x', ITEM_MAX_TITLE_BYTES);
	it->title[ITEM_MAX_TITLE_BYTES] = '\0';
	assert_int_equal(item_validate(it), 0);
	it->title[ITEM_MAX_TITLE_BYTES] = 'x';
	it->title[ITEM_MAX_TITLE_BYTES + 1] = '\0';
	expect_error(item_validate(it), SESAME_ETOOBIG, "'title' is 1025 bytes");
	item_free(it);
}

static void test_item__validate_duplicate_field_ids(void **state)
{
	(void)state;
	item *it = make_item();
	add_field(it, "password", FIELD_TYPE_TEXT, NULL, SECRET);
	expect_error(item_validate(it), SESAME_EINVAL,
		     "duplicate field id 'password' in fields[4]");
	item_free(it);

	it = make_item();
	free(it->fields[1].id);
	it->fields[1].id = xstrdup("");
	expect_error(item_validate(it), SESAME_EINVAL, "'id' in fields[1] is empty");
	item_free(it);
}

static void test_item__validate_duplicate_section_ids(void **state)
{
	(void)state;
	item *it = make_item();
	add_section(it, "conn", "Again");
	expect_error(item_validate(it), SESAME_EINVAL,
		     "duplicate section id 'conn' in sections[2]");
	item_free(it);
	/* NULL and "" are both the default section. */
	it = make_item();
	free(it->sections[0].id);
	it->sections[0].id = NULL;
	add_section(it, "", "");
	expect_error(item_validate(it), SESAME_EINVAL, "duplicate section id ''");
	item_free(it);
}

static void test_item__validate_sections(void **state)
{
	(void)state;
	item *it = make_item();
	/* Dangling. */
	add_field(it, "port", FIELD_TYPE_TEXT, "nowhere", "5432");
	expect_error(item_validate(it), SESAME_EINVAL,
		     "fields[4] refers to section 'nowhere', which does not exist");
	item_free(it);
	/* The default section needs no entry in sections[]. */
	it = make_item();
	add_field(it, "port", FIELD_TYPE_TEXT, "", "5432");
	add_field(it, "port2", FIELD_TYPE_TEXT, NULL, "5433");
	for (size_t i = 0; i < it->nsections; i++) {
		free(it->sections[i].id);
		free(it->sections[i].title);
	}
	it->nsections = 0;
	free(it->fields[2].section_id);
	it->fields[2].section_id = NULL;
	free(it->files[0].section_id);
	it->files[0].section_id = NULL;
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

static void test_item__validate_address(void **state)
{
	(void)state;
	item *it = make_item();
	it->fields[3].type = FIELD_TYPE_TEXT;
	expect_error(item_validate(it), SESAME_EINVAL,
		     "fields[3] has an address but is not of type Address");
	it->fields[3].type = FIELD_TYPE_ADDRESS;
	assert_int_equal(item_validate(it), 0);
	/* Address without details is fine. */
	add_field(it, "home", FIELD_TYPE_ADDRESS, NULL, "");
	assert_int_equal(item_validate(it), 0);
	free(it->fields[3].address->zip);
	it->fields[3].address->zip = calloc(1, ITEM_MAX_LABEL_BYTES + 2);
	memset(it->fields[3].address->zip, '9', ITEM_MAX_LABEL_BYTES + 1);
	expect_error(item_validate(it), SESAME_ETOOBIG, "'zip' in fields[3].details.address");
	item_free(it);
}

static void test_item__validate_limits(void **state)
{
	(void)state;
	char id[32];
	item *it = make_item();

	/* Too many fields. */
	while (it->nfields < ITEM_MAX_FIELDS) {
		snprintf(id, sizeof id, "f%zu", it->nfields);
		add_field(it, id, FIELD_TYPE_TEXT, NULL, "v");
	}
	assert_int_equal(item_validate(it), 0);
	add_field(it, "one-too-many", FIELD_TYPE_TEXT, NULL, "v");
	expect_error(item_validate(it), SESAME_ETOOBIG, "'fields' has 1001 entries");
	item_free(it);

	/* A value at and over the limit. */
	it = make_item();
	free(it->fields[1].value);
	it->fields[1].value = malloc(ITEM_MAX_VALUE_BYTES + 2);
	memset(it->fields[1].value, 'k', ITEM_MAX_VALUE_BYTES);
	it->fields[1].value[ITEM_MAX_VALUE_BYTES] = '\0';
	assert_int_equal(item_validate(it), 0);
	it->fields[1].value[ITEM_MAX_VALUE_BYTES] = 'k';
	it->fields[1].value[ITEM_MAX_VALUE_BYTES + 1] = '\0';
	expect_error(item_validate(it), SESAME_ETOOBIG, "'value' in fields[1] is 262145 bytes");
	item_free(it);

	/* Notes. */
	it = make_item();
	free(it->notes);
	it->notes = calloc(1, ITEM_MAX_VALUE_BYTES + 2);
	memset(it->notes, 'n', ITEM_MAX_VALUE_BYTES + 1);
	expect_error(item_validate(it), SESAME_ETOOBIG, "'notes'");
	item_free(it);

	/* Field id length. */
	it = make_item();
	free(it->fields[0].id);
	it->fields[0].id = calloc(1, ITEM_MAX_FIELD_ID_BYTES + 2);
	memset(it->fields[0].id, 'i', ITEM_MAX_FIELD_ID_BYTES + 1);
	expect_error(item_validate(it), SESAME_ETOOBIG, "'id' in fields[0]");
	item_free(it);

	/* Tags. */
	it = make_item();
	while (it->ntags < ITEM_MAX_TAGS) {
		snprintf(id, sizeof id, "t%zu", it->ntags);
		add_tag(it, id);
	}
	assert_int_equal(item_validate(it), 0);
	add_tag(it, "extra");
	expect_error(item_validate(it), SESAME_ETOOBIG, "'tags' has 101 entries");
	item_free(it);

	it = make_item();
	char longtag[ITEM_MAX_TAG_BYTES + 2];
	memset(longtag, 't', sizeof longtag - 1);
	longtag[sizeof longtag - 1] = '\0';
	add_tag(it, longtag);
	expect_error(item_validate(it), SESAME_ETOOBIG, "tags[2] is 129 bytes");
	item_free(it);

	/* Sections, websites and files counts. */
	it = make_item();
	while (it->nsections <= ITEM_MAX_SECTIONS) {
		snprintf(id, sizeof id, "s%zu", it->nsections);
		add_section(it, id, id);
	}
	expect_error(item_validate(it), SESAME_ETOOBIG, "'sections' has 201 entries");
	item_free(it);

	it = make_item();
	it->nwebsites = ITEM_MAX_WEBSITES + 1; /* checked before the array is read */
	expect_error(item_validate(it), SESAME_ETOOBIG, "'websites' has 101 entries");
	it->nwebsites = 1;
	it->nfiles = ITEM_MAX_FILES + 1;
	expect_error(item_validate(it), SESAME_ETOOBIG, "'files' has 101 entries");
	it->nfiles = 1;
	item_free(it);
}

static void test_item__validate_tags(void **state)
{
	(void)state;
	item *it = make_item();
	add_tag(it, "PROD");
	expect_error(item_validate(it), SESAME_EINVAL, "duplicate tag 'PROD' in tags[2]");
	item_free(it);

	it = make_item();
	add_tag(it, "");
	expect_error(item_validate(it), SESAME_EINVAL, "tags[2] is empty");
	item_free(it);

	it = make_item();
	add_tag(it, "a\tb");
	expect_error(item_validate(it), SESAME_EINVAL, "tags[2] contains a control character");
	item_free(it);

	/* Case-insensitive only for ASCII: distinct bytes otherwise. */
	it = make_item();
	add_tag(it, "\xc3\xa9t\xc3\xa9");
	add_tag(it, "\xc3\x89T\xc3\x89");
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

static void test_item__validate_websites(void **state)
{
	(void)state;
	item *it = make_item();
	free(it->websites[0].url);
	it->websites[0].url = xstrdup("");
	expect_error(item_validate(it), SESAME_EINVAL, "'url' in websites[0] is empty");
	free(it->websites[0].url);
	it->websites[0].url = NULL;
	expect_error(item_validate(it), SESAME_EINVAL, "'url' in websites[0] is empty");
	it->websites[0].url = xstrdup("https://x");
	it->websites[0].autofill = (autofill_behavior)7;
	expect_error(item_validate(it), SESAME_EINVAL, "'autofillBehavior' in websites[0]");
	it->websites[0].autofill = AUTOFILL_NEVER;
	free(it->websites[0].label);
	it->websites[0].label = NULL; /* labels are optional */
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

static void test_item__validate_enums(void **state)
{
	(void)state;
	item *it = make_item();
	it->category = ITEM_CATEGORY_COUNT;
	expect_error(item_validate(it), SESAME_EINVAL, "'category'");
	it->category = ITEM_CATEGORY_UNSUPPORTED;
	assert_int_equal(item_validate(it), 0);
	it->state = (item_state)2;
	expect_error(item_validate(it), SESAME_EINVAL, "'state'");
	it->state = ITEM_STATE_ARCHIVED;
	it->fields[0].type = FIELD_TYPE_COUNT;
	expect_error(item_validate(it), SESAME_EINVAL, "'fieldType' in fields[0]");
	it->fields[0].type = FIELD_TYPE_UNSUPPORTED;
	it->fields[0].purpose = (field_purpose)9;
	expect_error(item_validate(it), SESAME_EINVAL, "'purpose' in fields[0]");
	it->fields[0].purpose = FIELD_PURPOSE_NOTES;
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

static void test_item__validate_numbers(void **state)
{
	(void)state;
	item *it = make_item();
	it->version = (uint64_t)INT64_MAX + 1;
	expect_error(item_validate(it), SESAME_EINVAL, "'version'");
	it->version = (uint64_t)INT64_MAX;
	assert_int_equal(item_validate(it), 0);
	it->created_at = -1;
	expect_error(item_validate(it), SESAME_EINVAL, "'createdAt'");
	it->created_at = ITEM_MAX_TIME;
	assert_int_equal(item_validate(it), 0);
	it->updated_at = ITEM_MAX_TIME + 1;
	expect_error(item_validate(it), SESAME_EINVAL, "'updatedAt'");
	it->updated_at = 0;
	it->files[0].size = (uint64_t)INT64_MAX + 1;
	expect_error(item_validate(it), SESAME_EINVAL, "'size' in files[0]");
	item_free(it);
}

static void test_item__validate_files(void **state)
{
	(void)state;
	item *it = make_item();
	free(it->files[0].name);
	it->files[0].name = xstrdup("");
	expect_error(item_validate(it), SESAME_EINVAL, "'name' in files[0] is empty");
	free(it->files[0].name);
	it->files[0].name = xstrdup("a.txt");
	/* Duplicate file ids. */
	item_file *files = realloc(it->files, 2 * sizeof *files);
	assert_non_null(files);
	it->files = files;
	memset(&it->files[1], 0, sizeof it->files[1]);
	memcpy(it->files[1].id, it->files[0].id, sizeof it->files[1].id);
	it->files[1].name = xstrdup("b.txt");
	it->nfiles = 2;
	expect_error(item_validate(it), SESAME_EINVAL, "duplicate file id");
	it->files[1].id[0] = '\0'; /* not uploaded yet */
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

static void test_item__validate_document(void **state)
{
	(void)state;
	item *it = make_item();
	it->document = calloc(1, sizeof *it->document);
	assert_non_null(it->document);
	memcpy(it->document->id, "docdocdocdocdocdocdocdocdo", ITEM_ID_LEN + 1);
	it->document->name = xstrdup("contract.pdf");
	it->document->size = 99;
	expect_error(item_validate(it), SESAME_EINVAL, "only Document items");
	it->category = ITEM_CATEGORY_DOCUMENT;
	assert_int_equal(item_validate(it), 0);
	it->document->section_id = xstrdup("conn");
	expect_error(item_validate(it), SESAME_EINVAL, "the document has a section");
	free(it->document->section_id);
	it->document->section_id = NULL;
	free(it->document->name);
	it->document->name = NULL;
	expect_error(item_validate(it), SESAME_EINVAL, "'name' in document is empty");
	item_free(it);
}

static void test_item__validate_utf8(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\xff", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3",
		"ok\xe2\x82",
	};
	item *it = make_item();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		free(it->fields[1].value);
		it->fields[1].value = xstrdup(bad[i]);
		expect_error(item_validate(it), SESAME_EINVAL,
			     "'value' in fields[1] is not valid utf-8");
	}
	free(it->fields[1].value);
	it->fields[1].value = xstrdup("\xe2\x82\xac \xf0\x9f\x94\x91 \xc3\xa9");
	assert_int_equal(item_validate(it), 0);
	item_free(it);
}

static void test_item__category_names(void **state)
{
	(void)state;
	for (int c = 0; c < ITEM_CATEGORY_COUNT; c++) {
		const char *names[] = {item_category_name((item_category)c),
				       item_category_op_name((item_category)c),
				       item_category_human_name((item_category)c)};
		for (size_t k = 0; k < 3; k++) {
			item_category got = ITEM_CATEGORY_COUNT;
			char buf[64];
			assert_non_null(names[k]);
			assert_int_equal(item_category_parse(&got, names[k]), 0);
			assert_int_equal(got, c);
			/* Lower case, spaces and underscores changed. */
			size_t n = 0;
			for (const char *p = names[k]; *p && n + 1 < sizeof buf; p++)
				buf[n++] = (*p == ' ' || *p == '_') ? '-'
					 : (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32)
								    : *p;
			buf[n] = '\0';
			got = ITEM_CATEGORY_COUNT;
			assert_int_equal(item_category_parse(&got, buf), 0);
			assert_int_equal(got, c);
		}
		/* Every name is distinct from every other category's. */
		for (int d = 0; d < c; d++)
			assert_string_not_equal(item_category_name((item_category)c),
						item_category_name((item_category)d));
	}
	assert_string_equal(item_category_name(ITEM_CATEGORY_API_CREDENTIALS), "ApiCredentials");
	assert_string_equal(item_category_op_name(ITEM_CATEGORY_API_CREDENTIALS), "API_CREDENTIAL");
	assert_string_equal(item_category_human_name(ITEM_CATEGORY_API_CREDENTIALS),
			    "API Credential");
	assert_string_equal(item_category_op_name(ITEM_CATEGORY_SECURE_NOTE), "SECURE_NOTE");
	assert_string_equal(item_category_human_name(ITEM_CATEGORY_SSH_KEY), "SSH Key");
	assert_string_equal(item_category_op_name(ITEM_CATEGORY_EMAIL), "EMAIL_ACCOUNT");
	assert_string_equal(item_category_op_name(ITEM_CATEGORY_REWARDS), "REWARD_PROGRAM");
	assert_string_equal(item_category_human_name(ITEM_CATEGORY_ROUTER), "Wireless Router");
	/* Out of range gives the Unsupported names, never NULL. */
	assert_string_equal(item_category_name(ITEM_CATEGORY_COUNT), "Unsupported");
	assert_string_equal(item_category_op_name((item_category)-1), "CUSTOM");

	static const struct {
		const char *in;
		item_category want;
	} extra[] = {
		{"api credential", ITEM_CATEGORY_API_CREDENTIALS},
		{"Api_Credentials", ITEM_CATEGORY_API_CREDENTIALS},
		{"secure note", ITEM_CATEGORY_SECURE_NOTE},
		{"SECURENOTE", ITEM_CATEGORY_SECURE_NOTE},
		{"ssh-key", ITEM_CATEGORY_SSH_KEY},
		{"email", ITEM_CATEGORY_EMAIL},
		{"Email Account", ITEM_CATEGORY_EMAIL},
		{"custom", ITEM_CATEGORY_UNSUPPORTED},
		{" login ", ITEM_CATEGORY_LOGIN},
	};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		item_category got = ITEM_CATEGORY_COUNT;
		assert_int_equal(item_category_parse(&got, extra[i].in), 0);
		assert_int_equal(got, extra[i].want);
	}
}

static void test_item__field_type_names(void **state)
{
	(void)state;
	for (int t = 0; t < FIELD_TYPE_COUNT; t++) {
		const char *names[] = {field_type_name((field_type)t),
				       field_type_op_name((field_type)t)};
		for (size_t k = 0; k < 2; k++) {
			field_type got = FIELD_TYPE_COUNT;
			assert_non_null(names[k]);
			assert_int_equal(field_type_parse(&got, names[k]), 0);
			assert_int_equal(got, t);
		}
	}
	assert_string_equal(field_type_name(FIELD_TYPE_TEXT), "Text");
	assert_string_equal(field_type_op_name(FIELD_TYPE_TEXT), "STRING");
	assert_string_equal(field_type_name(FIELD_TYPE_TOTP), "Totp");
	assert_string_equal(field_type_op_name(FIELD_TYPE_TOTP), "OTP");
	assert_string_equal(field_type_op_name(FIELD_TYPE_SSH_KEY), "SSHKEY");
	assert_string_equal(field_type_op_name(FIELD_TYPE_MONTH_YEAR), "MONTH_YEAR");
	assert_string_equal(field_type_op_name(FIELD_TYPE_UNSUPPORTED), "UNKNOWN");
	assert_string_equal(field_type_name(FIELD_TYPE_COUNT), "Unsupported");

	/* op's assignment words. */
	static const struct {
		const char *in;
		field_type want;
	} words[] = {
		{"password", FIELD_TYPE_CONCEALED}, {"text", FIELD_TYPE_TEXT},
		{"email", FIELD_TYPE_EMAIL},	    {"url", FIELD_TYPE_URL},
		{"date", FIELD_TYPE_DATE},	    {"monthYear", FIELD_TYPE_MONTH_YEAR},
		{"phone", FIELD_TYPE_PHONE},	    {"otp", FIELD_TYPE_TOTP},
		{"TOTP", FIELD_TYPE_TOTP},	    {"ssh_key", FIELD_TYPE_SSH_KEY},
		{"credit-card-number", FIELD_TYPE_CREDIT_CARD_NUMBER},
		{"string", FIELD_TYPE_TEXT},	    {"unknown", FIELD_TYPE_UNSUPPORTED},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		field_type got = FIELD_TYPE_COUNT;
		assert_int_equal(field_type_parse(&got, words[i].in), 0);
		assert_int_equal(got, words[i].want);
	}
}

static void test_item__parse_rejects_unknown(void **state)
{
	(void)state;
	item_category c = ITEM_CATEGORY_PASSPORT;
	field_type t = FIELD_TYPE_MENU;

	expect_error(item_category_parse(&c, "Spaceship"), SESAME_EINVAL,
		     "unknown category 'Spaceship'");
	assert_int_equal(c, ITEM_CATEGORY_PASSPORT); /* untouched */
	expect_error(item_category_parse(&c, ""), SESAME_EINVAL, "unknown category ''");
	expect_error(item_category_parse(&c, " _-"), SESAME_EINVAL, "unknown category");
	expect_error(item_category_parse(&c, NULL), SESAME_EINVAL, "unknown category");
	expect_error(field_type_parse(&t, "file"), SESAME_EINVAL, "unknown field type 'file'");
	expect_error(field_type_parse(&t, "delete"), SESAME_EINVAL, "unknown field type");
	assert_int_equal(t, FIELD_TYPE_MENU);
	/* Long input is cut in the message and does not overflow. */
	char big[300];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	expect_error(field_type_parse(&t, big), SESAME_EINVAL, "...'");
	assert_true(strlen(sesame_error_last()->message) < 100);
	expect_error(item_category_parse(&c, "log\nin"), SESAME_EINVAL, "'log?in'");
}

static void test_item__dup_equal(void **state)
{
	(void)state;
	item *a = make_item();
	item *b = item_dup(a);
	assert_non_null(b);
	assert_true(item_equal(a, b));
	assert_true(item_equal(a, a));
	assert_false(item_equal(a, NULL));
	assert_true(item_equal(NULL, NULL));
	/* Deep: no shared pointers. */
	assert_ptr_not_equal(a->fields, b->fields);
	assert_ptr_not_equal(a->fields[1].value, b->fields[1].value);
	assert_ptr_not_equal(a->fields[3].address, b->fields[3].address);
	assert_string_equal(b->fields[3].address->city, "Springfield");
	assert_string_equal(b->files[0].field_id, "cafile");

	/* Each difference is seen. */
	b->fields[1].value[0] = 'S';
	assert_false(item_equal(a, b));
	b->fields[1].value[0] = 's';
	assert_true(item_equal(a, b));
	b->fields[3].address->zip[0] = '0';
	assert_false(item_equal(a, b));
	b->fields[3].address->zip[0] = '1';
	b->websites[0].autofill = AUTOFILL_NEVER;
	assert_false(item_equal(a, b));
	b->websites[0].autofill = AUTOFILL_EXACT_DOMAIN;
	b->files[0].size++;
	assert_false(item_equal(a, b));
	b->files[0].size--;
	b->version++;
	assert_false(item_equal(a, b));
	b->version--;
	assert_true(item_equal(a, b));

	/* NULL and "" are the same. */
	free(b->notes);
	b->notes = NULL;
	free(a->notes);
	a->notes = xstrdup("");
	assert_true(item_equal(a, b));

	/* With a document. */
	a->category = b->category = ITEM_CATEGORY_DOCUMENT;
	a->document = calloc(1, sizeof *a->document);
	a->document->name = xstrdup("doc.pdf");
	assert_false(item_equal(a, b));
	item *c = item_dup(a);
	assert_non_null(c->document);
	assert_true(item_equal(a, c));
	item_free(c);

	/* An empty item copies too. */
	item *e = item_new();
	item *f = item_dup(e);
	assert_non_null(f);
	assert_true(item_equal(e, f));
	item_free(e);
	item_free(f);

	assert_null(item_dup(NULL));
	item_free(a);
	item_free(b);
}

static void test_item__lookups(void **state)
{
	(void)state;
	item *it = make_item();
	const item_field *f = item_field_by_id(it, "password");
	assert_non_null(f);
	assert_string_equal(f->value, SECRET);
	assert_null(item_field_by_id(it, "Password")); /* exact */
	assert_null(item_field_by_id(it, NULL));
	assert_null(item_field_by_id(NULL, "password"));
	const item_section *s = item_section_by_id(it, "conn");
	assert_non_null(s);
	assert_string_equal(s->title, "Connection");
	s = item_section_by_id(it, "");
	assert_non_null(s);
	assert_ptr_equal(s, &it->sections[0]);
	assert_null(item_section_by_id(it, "CONN"));
	assert_null(item_section_by_id(NULL, "conn"));
	item_free(it);
}

static void test_item__messages_never_hold_values(void **state)
{
	(void)state;
	/* A secret in a field whose problem is elsewhere, and in a bad value. */
	item *it = make_item();
	free(it->fields[1].section_id);
	it->fields[1].section_id = xstrdup("missing");
	expect_error(item_validate(it), SESAME_EINVAL, "fields[1]");
	item_free(it);

	it = make_item();
	free(it->fields[1].value);
	it->fields[1].value = xstrdup(SECRET "\xff");
	expect_error(item_validate(it), SESAME_EINVAL, "fields[1]");
	item_free(it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item__new_defaults),
		cmocka_unit_test(test_item__free_null),
		cmocka_unit_test(test_item__validate_full),
		cmocka_unit_test(test_item__validate_ids),
		cmocka_unit_test(test_item__validate_title),
		cmocka_unit_test(test_item__validate_duplicate_field_ids),
		cmocka_unit_test(test_item__validate_duplicate_section_ids),
		cmocka_unit_test(test_item__validate_sections),
		cmocka_unit_test(test_item__validate_address),
		cmocka_unit_test(test_item__validate_limits),
		cmocka_unit_test(test_item__validate_tags),
		cmocka_unit_test(test_item__validate_websites),
		cmocka_unit_test(test_item__validate_enums),
		cmocka_unit_test(test_item__validate_numbers),
		cmocka_unit_test(test_item__validate_files),
		cmocka_unit_test(test_item__validate_document),
		cmocka_unit_test(test_item__validate_utf8),
		cmocka_unit_test(test_item__category_names),
		cmocka_unit_test(test_item__field_type_names),
		cmocka_unit_test(test_item__parse_rejects_unknown),
		cmocka_unit_test(test_item__dup_equal),
		cmocka_unit_test(test_item__lookups),
		cmocka_unit_test(test_item__messages_never_hold_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
