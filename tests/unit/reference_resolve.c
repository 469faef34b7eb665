/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <stdio.h>

#include "error.h"
#include "sesame/errors.h"
#include "sesame/reference.h"
#include "item/item.h"
#include "reference/resolve.h"

/* ---- building items in C ---- */

#define V_PROD    "prodvault00000000000000000"
#define V_STAGING "stagingvault00000000000000"
#define V_SHARED1 "sharedvault000000000000001"
#define V_SHARED2 "sharedvault000000000000002"
#define V_IDLIKE  "idlikevault000000000000000"

#define I_DB         "dbitem00000000000000000000"
#define I_DB_OLD     "dbitemarchived000000000000"
#define I_DB_STAGING "dbitemstaging0000000000000"
#define I_OLD        "olditem0000000000000000000"
#define I_TWIN1      "twin0000000000000000000001"
#define I_TWIN2      "twin0000000000000000000002"
#define I_FIELDS     "fieldsitem0000000000000000"
#define I_SSH        "sshitem0000000000000000000"
#define I_BADSSH     "badsshitem0000000000000000"
#define I_DOC        "docitem0000000000000000000"
#define I_A          "aaaaaaaaaaaaaaaaaaaaaaaaaa"
#define I_B          "bbbbbbbbbbbbbbbbbbbbbbbbbb"

#define F_CERT   "certfile000000000000000000"
#define F_REPORT "reportfile0000000000000000"
#define F_DOC    "docfile0000000000000000000"

/* RFC 6238's SHA-1 secret "12345678901234567890", base32. */
#define TOTP_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* openssl genpkey -algorithm ed25519 */
#define SSH_PEM                                                                                    \
	"-----BEGIN PRIVATE KEY-----\n"                                                            \
	"MC4CAQAwBQYDK2VwBCIEIJa+1G/2+Ga4+stt9BdJExxOjFIALD7ALjVQqi9CHRz8\n"                       \
	"-----END PRIVATE KEY-----\n"
/* The public key in OpenSSH form, and `ssh-keygen -lf` of it. */
#define SSH_PUB "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJY7rzkMlQ2DXps46BSSD0Ey76twU6DMspAvkfX8SYI0"
#define SSH_FP  "SHA256:XtFhwYU2+Qigu74VEu/Susb2bYXZqKo2IK4KoSugV0Y"

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

static item *mk_item(const char *id, const char *vault_id, const char *title)
{
	item *it = item_new();
	assert_non_null(it);
	snprintf(it->id, sizeof it->id, "%s", id);
	snprintf(it->vault_id, sizeof it->vault_id, "%s", vault_id);
	it->title = xstrdup(title);
	it->version = 1;
	return it;
}

static void add_field(item *it, const char *id, const char *title, const char *section_id,
                      field_type type, field_purpose purpose, const char *value)
{
	item_field *f = realloc(it->fields, (it->nfields + 1) * sizeof *f);
	assert_non_null(f);
	it->fields = f;
	f = &it->fields[it->nfields++];
	memset(f, 0, sizeof *f);
	f->id = xstrdup(id);
	f->title = xstrdup(title);
	f->section_id = xstrdup(section_id);
	f->type = type;
	f->purpose = purpose;
	f->value = xstrdup(value);
}

static void add_section(item *it, const char *id, const char *title)
{
	item_section *s = realloc(it->sections, (it->nsections + 1) * sizeof *s);
	assert_non_null(s);
	it->sections = s;
	s = &it->sections[it->nsections++];
	s->id = xstrdup(id);
	s->title = xstrdup(title);
}

static void fill_file(item_file *f, const char *id, const char *name, uint64_t size,
                      const char *section_id)
{
	memset(f, 0, sizeof *f);
	snprintf(f->id, sizeof f->id, "%s", id);
	f->name = xstrdup(name);
	f->size = size;
	f->section_id = xstrdup(section_id);
}

static void add_file(item *it, const char *id, const char *name, uint64_t size,
                     const char *section_id)
{
	item_file *f = realloc(it->files, (it->nfiles + 1) * sizeof *f);
	assert_non_null(f);
	it->files = f;
	fill_file(&it->files[it->nfiles++], id, name, size, section_id);
}

/* ---- the world the tests resolve against ---- */

#define MAX_ITEMS 16

struct world {
	ref_vault vaults[5];
	item *items[MAX_ITEMS];
	size_t nitems;
};

static struct world W;

static item *put_item(item *it)
{
	assert_true(W.nitems < MAX_ITEMS);
	W.items[W.nitems++] = it;
	return it;
}

static int setup(void **state)
{
	(void)state;
	item *it;

	memset(&W, 0, sizeof W);
	W.vaults[0] = (ref_vault){V_PROD, "Prod"};
	W.vaults[1] = (ref_vault){V_STAGING, "Staging"};
	W.vaults[2] = (ref_vault){V_SHARED1, "Shared"};
	W.vaults[3] = (ref_vault){V_SHARED2, "SHARED"};
	/* A vault whose title is another vault's id. */
	W.vaults[4] = (ref_vault){V_IDLIKE, V_STAGING};

	it = put_item(mk_item(I_DB, V_PROD, "Database"));
	it->notes = xstrdup("line one\nline two");
	add_section(it, "", "");
	add_section(it, "sec1", "Admin");
	add_section(it, "sec2", "Replica");
	add_section(it, "x1", "Extra");
	add_section(it, "x2", "extra");
	add_field(it, "username", "username", NULL, FIELD_TYPE_TEXT, FIELD_PURPOSE_USERNAME,
	          "admin");
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "s3cret-value");
	add_field(it, "f1", "password", "sec1", FIELD_TYPE_CONCEALED, FIELD_PURPOSE_NONE,
	          "admin-pw");
	add_field(it, "f2", "host", "sec2", FIELD_TYPE_URL, FIELD_PURPOSE_NONE, "replica.example");
	add_field(it, "fa", "a", "x1", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "value-a");
	add_field(it, "fb", "b", "x2", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "value-b");
	add_field(it, "fc1", "c", "x1", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "value-c1");
	add_field(it, "fc2", "c", "x2", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "value-c2");
	add_field(it, "otp1", "one-time password", "", FIELD_TYPE_TOTP, FIELD_PURPOSE_NONE,
	          "otpauth://totp/Example:alice?secret=" TOTP_SECRET "&issuer=Example");
	add_field(it, "otp2", "bare otp", NULL, FIELD_TYPE_TOTP, FIELD_PURPOSE_NONE,
	          "gezd gnbv gy3t qojq gezd gnbv gy3t qojq");
	add_field(it, "otp3", "bad otp", NULL, FIELD_TYPE_TOTP, FIELD_PURPOSE_NONE,
	          "not!base32!secret");
	add_field(it, "mail", "email", NULL, FIELD_TYPE_EMAIL, FIELD_PURPOSE_NONE, "");
	add_file(it, F_CERT, "cert.pem", 1234, NULL);
	add_file(it, F_REPORT, "report.txt", 7, "sec2");

	it = put_item(mk_item(I_DB_OLD, V_PROD, "database"));
	it->state = ITEM_STATE_ARCHIVED;
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "old-archived");
	it = put_item(mk_item(I_OLD, V_PROD, "Old"));
	it->state = ITEM_STATE_ARCHIVED;
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "old");

	it = put_item(mk_item(I_DB_STAGING, V_STAGING, "Database"));
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "staging-pw");
	it = put_item(mk_item("stagingonly000000000000000", V_STAGING, "Staging Only"));
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "x");

	it = put_item(mk_item(I_TWIN1, V_PROD, "Twin"));
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "twin-1");
	it = put_item(mk_item(I_TWIN2, V_PROD, "TWIN"));
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "twin-2");

	/* I_A's id is I_B's title. */
	it = put_item(mk_item(I_A, V_PROD, "A"));
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "item-a");
	it = put_item(mk_item(I_B, V_PROD, I_A));
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_PASSWORD,
	          "item-b");

	it = put_item(mk_item(I_FIELDS, V_PROD, "Fields"));
	add_section(it, "s1", "One");
	add_section(it, "s2", "Two");
	add_field(it, "t1", "token", "s1", FIELD_TYPE_CONCEALED, FIELD_PURPOSE_NONE, "token-1");
	add_field(it, "t2", "token", "s2", FIELD_TYPE_CONCEALED, FIELD_PURPOSE_NONE, "token-2");
	add_field(it, "d1", "dup", NULL, FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "dup-1");
	add_field(it, "d2", "DUP", "", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "dup-2");
	add_field(it, "k2", "key", "s2", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "key-named");
	add_field(it, "k1", "key", NULL, FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "key-default");
	add_field(it, "k3", "key", "s1", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "key-named-2");
	/* A field whose id is another field's title. */
	add_field(it, "idlike", "plain", NULL, FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "by-id");
	add_field(it, "other", "idlike", NULL, FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "by-title");
	/* A field and a file of the same name. */
	add_field(it, "clashfield", "clash", NULL, FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "field");
	add_file(it, "clashfile00000000000000000", "clash", 1, NULL);
	/* A real field called "notes" in a named section; the notes still win. */
	add_field(it, "n1", "notes", "s1", FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE, "not the notes");

	it = put_item(mk_item(I_SSH, V_PROD, "Deploy Key"));
	it->category = ITEM_CATEGORY_SSH_KEY;
	add_field(it, "private_key", "private key", NULL, FIELD_TYPE_SSH_KEY, FIELD_PURPOSE_NONE,
	          SSH_PEM);
	add_field(it, "password", "password", NULL, FIELD_TYPE_CONCEALED, FIELD_PURPOSE_NONE,
	          "passphrase");

	it = put_item(mk_item(I_BADSSH, V_PROD, "Bad Key"));
	it->category = ITEM_CATEGORY_SSH_KEY;
	add_field(it, "private_key", "private key", NULL, FIELD_TYPE_SSH_KEY, FIELD_PURPOSE_NONE,
	          "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
	/* A real "fingerprint" field beats the derived one. */
	add_field(it, "fingerprint", "fingerprint", NULL, FIELD_TYPE_TEXT, FIELD_PURPOSE_NONE,
	          "stored fingerprint");

	it = put_item(mk_item(I_DOC, V_PROD, "Contract"));
	it->category = ITEM_CATEGORY_DOCUMENT;
	it->document = malloc(sizeof *it->document);
	assert_non_null(it->document);
	fill_file(it->document, F_DOC, "contract.pdf", 99, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < W.nitems; i++)
		item_free(W.items[i]);
	memset(&W, 0, sizeof W);
	return 0;
}

/* ---- resolving ---- */

struct file_source {
	int calls;
	int fail;
	char last_id[REF_ID_LEN + 1];
};

static int fetch_file(void *ctx, const item *it, const item_file *file, sbuf *out)
{
	struct file_source *src = ctx;
	src->calls++;
	snprintf(src->last_id, sizeof src->last_id, "%s", file->id);
	if (src->fail == 2)
		return SESAME_EIO;
	if (src->fail)
		return sesame_error_set(SESAME_ENETWORK, NULL, "cannot fetch file '%s'", file->id);
	assert_true(out->wiped); /* wiped on resize and free */
	if (sbuf_adds(out, "content of ") || sbuf_adds(out, file->name) || sbuf_adds(out, " in ") ||
	    sbuf_adds(out, it->title))
		return SESAME_ENOMEM;
	return 0;
}

static struct file_source SRC;

static ref_options opts_at(int64_t now)
{
	ref_options o = REF_OPTIONS_INIT;
	o.now = now;
	o.file_content = fetch_file;
	o.file_ctx = &SRC;
	return o;
}

static int resolve_with(ref_result *out, const char *text, const ref_options *o)
{
	sesame_reference *ref = NULL;
	int rc = sesame_reference_parse(&ref, text);
	if (rc)
		fail_msg("'%s' does not parse: %s", text, sesame_error_last()->message);
	rc = ref_resolve(out, ref, W.vaults, sizeof W.vaults / sizeof W.vaults[0],
	                 (const item *const *)W.items, W.nitems, o);
	sesame_reference_free(ref);
	return rc;
}

/* Resolves `text`, which must succeed with `value`; returns nothing to free. */
static void want_value(const char *text, const char *value)
{
	ref_result r;
	ref_options o = opts_at(59);
	int rc = resolve_with(&r, text, &o);
	if (rc)
		fail_msg("'%s': %d %s: %s", text, rc, sesame_error_last()->kind,
		         sesame_error_last()->message);
	assert_true(r.value.wiped); /* heap memory wiped on resize and free */
	assert_non_null(r.value.ptr);
	assert_string_equal(r.value.ptr, value);
	assert_int_equal(r.value.len, strlen(value));
	ref_result_free(&r);
}

/* Resolves `text`, which must fail with `code`, `kind` and, if given, `message`. */
static void want_fail(const char *text, int code, const char *kind, const char *message)
{
	ref_result r;
	ref_options o = opts_at(59);
	sesame_error_clear();
	int rc = resolve_with(&r, text, &o);
	if (rc != code)
		fail_msg("'%s': expected %d, got %d (%s: %s)", text, code, rc,
		         sesame_error_last()->kind, sesame_error_last()->message);
	const sesame_error *e = sesame_error_last();
	assert_int_equal(e->code, code);
	assert_string_equal(e->kind, kind);
	if (message)
		assert_string_equal(e->message, message);
	/* Nothing to free after a failure. */
	assert_null(r.value.ptr);
	assert_null(r.field_id);
	/* No secret of the world ever shows in a message. */
	static const char *const secrets[] = {"s3cret",     "admin-pw", TOTP_SECRET,
	                                      "not!base32", "MC4CAQAw", "token-"};
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		assert_null(strstr(e->message, secrets[i]));
}

/* Resolves and checks the ids reported with the value. */
static void want_ids(const char *text, const char *vault_id, const char *item_id,
                     const char *field_id, ref_target target)
{
	ref_result r;
	ref_options o = opts_at(59);
	int rc = resolve_with(&r, text, &o);
	if (rc)
		fail_msg("'%s': %s", text, sesame_error_last()->message);
	assert_string_equal(r.vault_id, vault_id);
	assert_string_equal(r.item_id, item_id);
	assert_string_equal(r.field_id, field_id);
	assert_int_equal(r.target, target);
	ref_result_free(&r);
}

/* ---- vaults ---- */

static void test_reference_resolve__vault_by_title_any_case(void **state)
{
	(void)state;
	want_value("op://Prod/Database/password", "s3cret-value");
	want_value("op://prod/Database/password", "s3cret-value");
	want_value("op://PROD/Database/password", "s3cret-value");
	want_value("op://Staging/Database/password", "staging-pw");
	want_ids("op://pRoD/Database/password", V_PROD, I_DB, "password", REF_TARGET_FIELD);
}

static void test_reference_resolve__vault_by_id(void **state)
{
	(void)state;
	want_value("op://" V_PROD "/Database/password", "s3cret-value");
	want_ids("op://" V_STAGING "/Database/password", V_STAGING, I_DB_STAGING, "password",
	         REF_TARGET_FIELD);
}

static void test_reference_resolve__vault_not_found(void **state)
{
	(void)state;
	want_fail("op://prd/Database/password", SESAME_ENOTFOUND, "vault_not_found",
	          "no vault matched the secret reference query 'prd'");
	want_fail("op://Pro/Database/password", SESAME_ENOTFOUND, "vault_not_found", NULL);
	want_fail("op://Prod /Database/password", SESAME_ENOTFOUND, "vault_not_found", NULL);
}

static void test_reference_resolve__too_many_vaults(void **state)
{
	(void)state;
	want_fail("op://shared/Database/password", SESAME_EAMBIGUOUS, "too_many_vaults",
	          "more than one vault matched the secret reference query 'shared'; use "
	          "the vault id");
	/* The id disambiguates. */
	want_fail("op://" V_SHARED2 "/Database/password", SESAME_ENOTFOUND, "item_not_found", NULL);
}

static void test_reference_resolve__vault_id_beats_title(void **state)
{
	(void)state;
	/* V_STAGING is Staging's id and the title of another vault. */
	want_ids("op://" V_STAGING "/Database/password", V_STAGING, I_DB_STAGING, "password",
	         REF_TARGET_FIELD);
}

/* ---- items ---- */

static void test_reference_resolve__item_by_title_and_id(void **state)
{
	(void)state;
	want_value("op://Prod/database/password", "s3cret-value");
	want_value("op://Prod/DATABASE/password", "s3cret-value");
	want_value("op://Prod/" I_DB "/password", "s3cret-value");
	want_value("op://Prod/deploy key/password", "passphrase");
}

static void test_reference_resolve__item_not_found(void **state)
{
	(void)state;
	want_fail("op://Prod/Datebase/password", SESAME_ENOTFOUND, "item_not_found",
	          "no item matched the secret reference query 'Datebase'");
	/* Items of another vault are not candidates. */
	want_fail("op://Prod/Staging Only/password", SESAME_ENOTFOUND, "item_not_found", NULL);
	want_fail("op://Prod/stagingonly000000000000000/password", SESAME_ENOTFOUND,
	          "item_not_found", NULL);
}

static void test_reference_resolve__archived_items_ignored(void **state)
{
	(void)state;
	/* "database" is also the title of an archived item: no ambiguity. */
	want_ids("op://Prod/database/password", V_PROD, I_DB, "password", REF_TARGET_FIELD);
	want_fail("op://Prod/Old/password", SESAME_ENOTFOUND, "item_not_found",
	          "no item matched the secret reference query 'Old'");
	want_fail("op://Prod/" I_DB_OLD "/password", SESAME_ENOTFOUND, "item_not_found", NULL);
}

static void test_reference_resolve__too_many_items(void **state)
{
	(void)state;
	want_fail("op://Prod/twin/password", SESAME_EAMBIGUOUS, "too_many_items",
	          "more than one item matched the secret reference query 'twin'; use the "
	          "item id");
	want_value("op://Prod/" I_TWIN2 "/password", "twin-2");
}

static void test_reference_resolve__item_id_beats_title(void **state)
{
	(void)state;
	want_value("op://Prod/" I_A "/password", "item-a");
	want_value("op://Prod/" I_B "/password", "item-b");
	want_value("op://Prod/a/password", "item-a");
}

/* ---- sections ---- */

static void test_reference_resolve__section_by_title_and_id(void **state)
{
	(void)state;
	want_value("op://Prod/Database/Admin/password", "admin-pw");
	want_value("op://Prod/Database/admin/PASSWORD", "admin-pw");
	want_value("op://Prod/Database/sec1/password", "admin-pw");
	want_value("op://Prod/Database/SEC1/password", "admin-pw");
	want_ids("op://Prod/Database/Admin/password", V_PROD, I_DB, "f1", REF_TARGET_FIELD);
	/* The section restricts the search: username is in the default section. */
	want_fail("op://Prod/Database/Admin/username", SESAME_ENOTFOUND, "field_not_found", NULL);
}

static void test_reference_resolve__no_matching_sections(void **state)
{
	(void)state;
	want_fail("op://Prod/Database/Nope/password", SESAME_ENOTFOUND, "no_matching_sections",
	          "no section matched the secret reference query 'Nope'");
	want_fail("op://Prod/Fields/Three/token", SESAME_ENOTFOUND, "no_matching_sections", NULL);
}

static void test_reference_resolve__several_sections_searched(void **state)
{
	(void)state;
	/* Two sections are titled Extra/extra: both are searched. */
	want_value("op://Prod/Database/Extra/a", "value-a");
	want_value("op://Prod/Database/EXTRA/b", "value-b");
	want_fail("op://Prod/Database/extra/c", SESAME_EAMBIGUOUS, "too_many_matching_fields",
	          "more than one field matched the secret reference query 'c'; use the field "
	          "id");
	want_value("op://Prod/Database/extra/fc2", "value-c2");
	/* And a section id selects just one. */
	want_value("op://Prod/Database/x1/c", "value-c1");
}

/* ---- fields ---- */

static void test_reference_resolve__field_any_case_and_id(void **state)
{
	(void)state;
	want_value("op://Prod/Database/PASSWORD", "s3cret-value");
	want_value("op://Prod/Database/UserName", "admin");
	want_value("op://Prod/Database/f2", "replica.example");
	want_value("op://Prod/Database/HOST", "replica.example");
	want_value("op://Prod/Database/email", "");
	want_ids("op://Prod/Database/host", V_PROD, I_DB, "f2", REF_TARGET_FIELD);
}

static void test_reference_resolve__field_not_found(void **state)
{
	(void)state;
	want_fail("op://Prod/Database/passwd", SESAME_ENOTFOUND, "field_not_found",
	          "no field matched the secret reference query 'passwd'");
	want_fail("op://Prod/Database/Replica/passwd", SESAME_ENOTFOUND, "field_not_found", NULL);
}

static void test_reference_resolve__default_section_wins(void **state)
{
	(void)state;
	/* "password" is also in section Admin; the default-section one wins. */
	want_ids("op://Prod/Database/password", V_PROD, I_DB, "password", REF_TARGET_FIELD);
	/* One default-section "key" against two in named sections. */
	want_value("op://Prod/Fields/key", "key-default");
	/* With a section part the default section has no say. */
	want_value("op://Prod/Fields/Two/key", "key-named");
	want_value("op://Prod/Fields/one/key", "key-named-2");
}

static void test_reference_resolve__too_many_matching_fields(void **state)
{
	(void)state;
	/* Both in named sections. */
	want_fail("op://Prod/Fields/token", SESAME_EAMBIGUOUS, "too_many_matching_fields",
	          "more than one field matched the secret reference query 'token'; use the "
	          "field id");
	/* Both in the default section (NULL and "" alike). */
	want_fail("op://Prod/Fields/dup", SESAME_EAMBIGUOUS, "too_many_matching_fields", NULL);
	/* A field and a file of the same name. */
	want_fail("op://Prod/Fields/clash", SESAME_EAMBIGUOUS, "too_many_matching_fields", NULL);
	/* Ids and sections disambiguate. */
	want_value("op://Prod/Fields/t2", "token-2");
	want_value("op://Prod/Fields/One/token", "token-1");
	want_value("op://Prod/Fields/d2", "dup-2");
	want_value("op://Prod/Fields/clashfile00000000000000000?attribute=name", "clash");
	want_value("op://Prod/Fields/clashfield", "field");
}

static void test_reference_resolve__field_id_beats_title(void **state)
{
	(void)state;
	/* "idlike" is one field's id and another field's title. */
	want_value("op://Prod/Fields/idlike", "by-id");
	want_value("op://Prod/Fields/other", "by-title");
}

/* ---- notes ---- */

static void test_reference_resolve__notes(void **state)
{
	(void)state;
	want_value("op://Prod/Database/notesPlain", "line one\nline two");
	want_value("op://Prod/Database/notes", "line one\nline two");
	want_value("op://Prod/Database/NOTES", "line one\nline two");
	want_value("op://Prod/Database/notes?attribute=purpose", "NOTES");
	want_value("op://Prod/Database/notes?attribute=type", "string");
	want_value("op://Prod/Database/notes?attribute=id", "notesPlain");
	want_ids("op://Prod/Database/notes", V_PROD, I_DB, "notesPlain", REF_TARGET_FIELD);
	/* No notes: empty, like op's always-present notesPlain field. */
	want_value("op://Prod/Twin0000000000000000000001/notes", "");
	/* The notes are in the default section, so they beat a named "notes". */
	want_value("op://Prod/Fields/notes", "");
	want_value("op://Prod/Fields/One/notes", "not the notes");
	want_fail("op://Prod/Database/notes?attribute=otp", SESAME_EINVAL,
	          "incompatible_totp_query_parameter_field", NULL);
}

/* ---- attributes ---- */

static void test_reference_resolve__purpose(void **state)
{
	(void)state;
	want_value("op://Prod/Database/username?attribute=purpose", "USERNAME");
	want_value("op://Prod/Database/password?attr=purpose", "PASSWORD");
	want_value("op://Prod/Database/host?attribute=purpose", "");
}

static void test_reference_resolve__type(void **state)
{
	(void)state;
	want_value("op://Prod/Database/password?attribute=type", "concealed");
	want_value("op://Prod/Database/username?attribute=type", "string");
	want_value("op://Prod/Database/host?attribute=type", "url");
	want_value("op://Prod/Database/email?attribute=type", "email");
	want_value("op://Prod/Database/one-time password?attribute=type", "otp");
	want_value("op://Prod/Deploy Key/private key?attribute=type", "sshkey");
	want_value("op://Prod/Database/cert.pem?attribute=type", "file");
}

static void test_reference_resolve__id(void **state)
{
	(void)state;
	want_value("op://Prod/Database/Admin/password?attribute=id", "f1");
	want_value("op://Prod/Database/password?attr=id", "password");
	want_value("op://Prod/Database/cert.pem?attr=id", F_CERT);
}

static void test_reference_resolve__totp(void **state)
{
	(void)state;
	/* RFC 6238 appendix B, SHA-1, T = 59: 94287082, 6 digits. */
	want_value("op://Prod/Database/one-time password?attribute=otp", "287082");
	want_value("op://Prod/Database/otp1?attribute=totp", "287082");
	want_value("op://Prod/Database/bare otp?attr=otp", "287082");
	/* Without the attribute: the stored URI. */
	want_value("op://Prod/Database/one-time password",
	           "otpauth://totp/Example:alice?secret=" TOTP_SECRET "&issuer=Example");

	ref_result r;
	ref_options o = opts_at(1111111109);
	assert_int_equal(resolve_with(&r, "op://Prod/Database/bare otp?attr=otp", &o), 0);
	assert_string_equal(r.value.ptr, "081804"); /* 07081804 */
	ref_result_free(&r);
}

static void test_reference_resolve__totp_errors(void **state)
{
	(void)state;
	want_fail("op://Prod/Database/password?attribute=otp", SESAME_EINVAL,
	          "incompatible_totp_query_parameter_field",
	          "cannot use attribute 'otp' on field 'password': it is not a one-time "
	          "password field");
	want_fail("op://Prod/Database/bad otp?attribute=otp", SESAME_EINVAL,
	          "unable_to_generate_totp_code", NULL);
	assert_non_null(strstr(sesame_error_last()->message,
	                       "cannot generate a one-time password from field 'bad otp'"));
	want_fail("op://Prod/Database/cert.pem?attribute=otp", SESAME_EINVAL,
	          "incompatible_totp_query_parameter_field", NULL);
}

/* ---- files ---- */

static void test_reference_resolve__file_by_name_and_id(void **state)
{
	(void)state;
	memset(&SRC, 0, sizeof SRC);
	want_value("op://Prod/Database/cert.pem", "content of cert.pem in Database");
	assert_int_equal(SRC.calls, 1);
	assert_string_equal(SRC.last_id, F_CERT);
	want_value("op://Prod/Database/CERT.PEM?attribute=content",
	           "content of cert.pem in Database");
	want_value("op://Prod/Database/" F_CERT, "content of cert.pem in Database");
	want_value("op://Prod/Database/Replica/report.txt", "content of report.txt in Database");
	assert_string_equal(SRC.last_id, F_REPORT);
	want_ids("op://Prod/Database/cert.pem", V_PROD, I_DB, F_CERT, REF_TARGET_FILE);
	assert_int_equal(SRC.calls, 5);
	/* The section restricts files too. */
	want_fail("op://Prod/Database/Admin/report.txt", SESAME_ENOTFOUND, "field_not_found", NULL);
}

static void test_reference_resolve__file_attributes(void **state)
{
	(void)state;
	memset(&SRC, 0, sizeof SRC);
	want_value("op://Prod/Database/cert.pem?attribute=size", "1234");
	want_value("op://Prod/Database/cert.pem?attribute=name", "cert.pem");
	want_value("op://Prod/Database/cert.pem?attribute=id", F_CERT);
	want_value("op://Prod/Database/cert.pem?attribute=type", "file");
	assert_int_equal(SRC.calls, 0); /* no content fetched for metadata */
	want_fail("op://Prod/Database/cert.pem?attribute=purpose", SESAME_EINVAL,
	          "incompatible_attribute",
	          "cannot use attribute 'purpose' on file 'cert.pem': it applies to fields "
	          "only");
}

static void test_reference_resolve__file_attribute_on_field(void **state)
{
	(void)state;
	want_fail("op://Prod/Database/password?attribute=content", SESAME_EINVAL,
	          "incompatible_attribute",
	          "cannot use attribute 'content' on field 'password': it applies to file "
	          "attachments only");
	want_fail("op://Prod/Database/password?attribute=size", SESAME_EINVAL,
	          "incompatible_attribute", NULL);
	want_fail("op://Prod/Database/notes?attribute=name", SESAME_EINVAL,
	          "incompatible_attribute", NULL);
}

static void test_reference_resolve__document(void **state)
{
	(void)state;
	memset(&SRC, 0, sizeof SRC);
	want_value("op://Prod/Contract/contract.pdf", "content of contract.pdf in Contract");
	assert_string_equal(SRC.last_id, F_DOC);
	want_value("op://Prod/Contract/" F_DOC "?attribute=size", "99");
	want_ids("op://Prod/Contract/contract.pdf?attr=name", V_PROD, I_DOC, F_DOC,
	         REF_TARGET_FILE);
}

static void test_reference_resolve__file_content_errors(void **state)
{
	(void)state;
	ref_result r;
	ref_options o = REF_OPTIONS_INIT; /* no file source */
	assert_int_equal(resolve_with(&r, "op://Prod/Database/cert.pem", &o), SESAME_EUNSUPPORTED);
	assert_string_equal(sesame_error_last()->message,
	                    "cannot read the content of file 'cert.pem': no file source was given");
	/* Metadata needs no source. */
	assert_int_equal(resolve_with(&r, "op://Prod/Database/cert.pem?attr=size", &o), 0);
	ref_result_free(&r);

	memset(&SRC, 0, sizeof SRC);
	SRC.fail = 1;
	o = opts_at(0);
	assert_int_equal(resolve_with(&r, "op://Prod/Database/cert.pem", &o), SESAME_ENETWORK);
	assert_string_equal(sesame_error_last()->message, "cannot fetch file '" F_CERT "'");
	assert_null(r.value.ptr);
	/* A callback that fails without setting an error still yields a message. */
	SRC.fail = 2;
	sesame_error_clear();
	assert_int_equal(resolve_with(&r, "op://Prod/Database/cert.pem", &o), SESAME_EIO);
	assert_string_equal(sesame_error_last()->message,
	                    "cannot read the content of file 'cert.pem'");
	assert_string_equal(sesame_error_last()->kind, "io");
	SRC.fail = 0;
}

/* ---- SSH keys ---- */

static void test_reference_resolve__ssh_pseudo_fields(void **state)
{
	(void)state;
	want_value("op://Prod/Deploy Key/public key", SSH_PUB);
	want_value("op://Prod/Deploy Key/Public Key", SSH_PUB);
	want_value("op://Prod/Deploy Key/public_key", SSH_PUB);
	want_value("op://Prod/Deploy Key/fingerprint", SSH_FP);
	want_value("op://Prod/Deploy Key/key type", "ed25519");
	want_value("op://Prod/Deploy Key/public key?attribute=type", "string");
	want_value("op://Prod/Deploy Key/public key?attribute=id", "public_key");
	want_value("op://Prod/Deploy Key/key type?attribute=purpose", "");
	want_ids("op://Prod/Deploy Key/fingerprint", V_PROD, I_SSH, "fingerprint",
	         REF_TARGET_FIELD);
	/* The private key itself, as stored (PKCS#8). */
	want_value("op://Prod/Deploy Key/private key", SSH_PEM);
	/* Items without an SSH key have no such pseudo-fields. */
	want_fail("op://Prod/Database/public key", SESAME_ENOTFOUND, "field_not_found", NULL);
	/* A real field of that name wins over the derived one. */
	want_value("op://Prod/Bad Key/fingerprint", "stored fingerprint");
}

static void test_reference_resolve__ssh_format_openssh(void **state)
{
	(void)state;
	ref_result r;
	ref_options o = opts_at(0);
	assert_int_equal(
	    resolve_with(&r, "op://Prod/Deploy Key/private key?ssh-format=openssh", &o), 0);
	assert_true(r.value.wiped); /* heap memory wiped on resize and free */
	assert_true(strncmp(r.value.ptr, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
	assert_non_null(strstr(r.value.ptr, "-----END OPENSSH PRIVATE KEY-----"));
	assert_string_equal(r.field_id, "private_key");
	ref_result_free(&r);
}

static void test_reference_resolve__ssh_errors(void **state)
{
	(void)state;
	want_fail("op://Prod/Deploy Key/password?ssh-format=openssh", SESAME_EINVAL,
	          "incompatible_ssh_key_query_parameter_field",
	          "cannot use query parameter 'ssh-format' on field 'password': it is not an "
	          "SSH private key");
	want_fail("op://Prod/Deploy Key/public key?ssh-format=openssh", SESAME_EINVAL,
	          "incompatible_ssh_key_query_parameter_field", NULL);
	want_fail("op://Prod/Database/cert.pem?ssh-format=openssh", SESAME_EINVAL,
	          "incompatible_ssh_key_query_parameter_field", NULL);
	want_fail("op://Prod/Deploy Key/public key?attribute=otp", SESAME_EINVAL,
	          "incompatible_totp_query_parameter_field", NULL);

	ref_result r;
	ref_options o = opts_at(0);
	sesame_error_clear();
	assert_int_not_equal(
	    resolve_with(&r, "op://Prod/Bad Key/private key?ssh-format=openssh", &o), 0);
	assert_string_equal(sesame_error_last()->kind, "unable_to_parse_private_key");
	assert_non_null(strstr(sesame_error_last()->message,
	                       "cannot parse the SSH private key in field 'private key'"));
	assert_int_not_equal(resolve_with(&r, "op://Prod/Bad Key/public key", &o), 0);
	assert_string_equal(sesame_error_last()->kind, "unable_to_parse_private_key");
	assert_int_not_equal(resolve_with(&r, "op://Prod/Bad Key/key type", &o), 0);
	assert_string_equal(sesame_error_last()->kind, "unable_to_parse_private_key");
}

/* ---- the three steps, limits ---- */

static void test_reference_resolve__step_by_step(void **state)
{
	(void)state;
	sesame_reference *ref = NULL;
	size_t vi, ii;
	assert_int_equal(sesame_reference_parse(&ref, "op://prod/database/Admin/password"), 0);

	/* (a) the vault, from the visible vaults. */
	assert_int_equal(ref_resolve_vault(&vi, ref, W.vaults, 5), 0);
	assert_int_equal(vi, 0);
	/* (b) the candidates a blind-index lookup would return: same title,
	 * any case, any state, even another vault. */
	const item *cands[] = {W.items[3], W.items[1], W.items[0]};
	size_t other;
	/* Without the vault filter, Staging's "Database" makes it ambiguous. */
	assert_int_equal(ref_resolve_item(&other, ref, NULL, cands, 3), SESAME_EAMBIGUOUS);
	assert_int_equal(ref_resolve_item(&other, ref, V_PROD, cands, 0), SESAME_ENOTFOUND);
	assert_int_equal(ref_resolve_item(&ii, ref, W.vaults[vi].id, cands, 3), 0);
	assert_ptr_equal(cands[ii], W.items[0]);
	/* (c) within the item. */
	ref_result r;
	assert_int_equal(ref_resolve_in_item(&r, ref, cands[ii], NULL), 0);
	assert_string_equal(r.value.ptr, "admin-pw");
	assert_string_equal(r.vault_id, V_PROD);
	assert_string_equal(r.item_id, I_DB);
	assert_string_equal(r.field_id, "f1");
	ref_result_free(&r);
	assert_null(r.value.ptr);
	assert_null(r.field_id);
	ref_result_free(&r); /* twice is fine */
	ref_result_free(NULL);

	/* No vaults at all. */
	assert_int_equal(ref_resolve_vault(&vi, ref, NULL, 0), SESAME_ENOTFOUND);
	sesame_reference_free(ref);
}

static void test_reference_resolve__value_limit(void **state)
{
	(void)state;
	ref_result r;
	ref_options o = opts_at(0);
	o.max_value_bytes = 5;
	assert_int_equal(resolve_with(&r, "op://Prod/Database/username", &o), 0); /* "admin" */
	assert_string_equal(r.value.ptr, "admin");
	ref_result_free(&r);
	assert_int_equal(resolve_with(&r, "op://Prod/Database/password", &o), SESAME_ETOOBIG);
	assert_string_equal(sesame_error_last()->message,
	                    "the resolved value is larger than 5 bytes");
	assert_null(r.value.ptr);
}

static void test_reference_resolve__name_equal(void **state)
{
	(void)state;
	assert_true(ref_name_equal("Database", "dATABASE"));
	assert_true(ref_name_equal("", ""));
	assert_false(ref_name_equal("Database", "Database "));
	assert_false(ref_name_equal("a", NULL));
	/* ASCII only: no Unicode folding, no locale. */
	assert_false(ref_name_equal("\xc3\x84", "\xc3\xa4"));
	assert_true(ref_name_equal("\xc3\x84x", "\xc3\x84X"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(test_reference_resolve__##name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(vault_by_title_any_case),
	    T(vault_by_id),
	    T(vault_not_found),
	    T(too_many_vaults),
	    T(vault_id_beats_title),
	    T(item_by_title_and_id),
	    T(item_not_found),
	    T(archived_items_ignored),
	    T(too_many_items),
	    T(item_id_beats_title),
	    T(section_by_title_and_id),
	    T(no_matching_sections),
	    T(several_sections_searched),
	    T(field_any_case_and_id),
	    T(field_not_found),
	    T(default_section_wins),
	    T(too_many_matching_fields),
	    T(field_id_beats_title),
	    T(notes),
	    T(purpose),
	    T(type),
	    T(id),
	    T(totp),
	    T(totp_errors),
	    T(file_by_name_and_id),
	    T(file_attributes),
	    T(file_attribute_on_field),
	    T(document),
	    T(file_content_errors),
	    T(ssh_pseudo_fields),
	    T(ssh_format_openssh),
	    T(ssh_errors),
	    T(step_by_step),
	    T(value_limit),
	    T(name_equal),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
