/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The item JSON codec (see item_json.h and docs/internals/item.md).
 *
 * Decoding walks the tree once, checking every key against a fixed list,
 * every type and every limit before anything is allocated for it, then
 * hands the result to item_validate(). Encoding validates first, builds
 * the tree in the canonical key order and dumps it compactly in two
 * passes (measure, then write into one exact allocation), so no partial
 * copy of the plaintext is left behind in freed memory by a growing
 * buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "error.h"
#include "json.h"
#include "json_doc.h"
#include "item/item_json.h"
#include "item/item_internal.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Decoding flags for one member. */
#define F_REQ 1u  /* must be present */
#define F_NULL 2u /* null means absent */

static const char *const item_keys[] = {
	"id",	    "title", "category", "vaultId", "fields",	 "sections",  "notes", "tags",
	"websites", "version", "files",	 "document", "createdAt", "updatedAt", "state", NULL,
};
static const char *const overview_keys[] = {
	"id", "title", "category", "vaultId", "websites", "tags", "createdAt", "updatedAt", "state",
	NULL,
};
static const char *const field_keys[] = {
	"id", "title", "sectionId", "fieldType", "value", "purpose", "details", NULL,
};
static const char *const details_keys[] = {"address", NULL};
static const char *const address_keys[] = {"street", "city", "country", "zip", "state", NULL};
static const char *const section_keys[] = {"id", "title", NULL};
static const char *const website_keys[] = {"url", "label", "autofillBehavior", NULL};
static const char *const file_keys[] = {"attributes", "sectionId", "fieldId", NULL};
static const char *const attributes_keys[] = {"name", "id", "size", NULL};

static const char *const state_names[] = {"active", "archived"};
static const char *const autofill_names[] = {"AnywhereOnWebsite", "ExactDomain", "Never"};
/* Index = field_purpose; FIELD_PURPOSE_NONE has no name and is left out. */
static const char *const purpose_names[] = {"", "Username", "Password", "Notes"};

/* ---- time ---- */

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, mm;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	mm = mp < 10 ? mp + 3 : mp - 9;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Writes the n low decimal digits of v (>= 0), zero-padded. */
static void put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

int item_time_format(char out[ITEM_TIME_BUFSZ], int64_t t)
{
	int y, mo, d;
	int64_t secs;

	if (t < 0 || t > ITEM_MAX_TIME) {
		out[0] = '\0';
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"time %lld is outside 1970-01-01 to 9999-12-31",
					(long long)t);
	}
	civil_from_days(t / 86400, &y, &mo, &d);
	secs = t % 86400;
	memcpy(out, "0000-00-00T00:00:00Z", ITEM_TIME_BUFSZ);
	put_digits(out, y, 4);
	put_digits(out + 5, mo, 2);
	put_digits(out + 8, d, 2);
	put_digits(out + 11, (int)(secs / 3600), 2);
	put_digits(out + 14, (int)(secs / 60 % 60), 2);
	put_digits(out + 17, (int)(secs % 60), 2);
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly n digits; stops at the NUL, so never reads past it. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool parse_time(int64_t *out, const char *s)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p;
	int64_t t;

	if (strlen(s) < 20 || strlen(s) > 64)
		return false;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return false;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
			return false;
		p += 6;
	} else {
		return false;
	}
	if (*p != '\0')
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    sec > 59 || oh > 23 || om > 59)
		return false;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60);
	if (t < 0 || t > ITEM_MAX_TIME)
		return false;
	*out = t;
	return true;
}

int item_time_parse(int64_t *out, const char *s)
{
	char q[ITEM_QUOTE_MAX];

	if (!s || !parse_time(out, s))
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"time '%s' is not an RFC 3339 time between 1970 and 9999",
					item__quote(q, s));
	return 0;
}

/* ---- decoding ---- */

/* "'key'" at the top level, "'key' in fields[3]" below it. */
static const char *describe(char *buf, size_t cap, const char *key, const char *where)
{
	if (*where)
		snprintf(buf, cap, "'%s' in %s", key, where);
	else
		snprintf(buf, cap, "'%s'", key);
	return buf;
}

static const char *type_name(jdoc_type t)
{
	switch (t) {
	case JDOC_OBJECT:
		return "an object";
	case JDOC_ARRAY:
		return "an array";
	case JDOC_STRING:
		return "a string";
	case JDOC_INTEGER:
		return "an integer";
	default:
		return "something else";
	}
}

static int check_keys(const jdoc_val *obj, const char *const *allowed, const char *where)
{
	char q[ITEM_QUOTE_MAX];
	const char *key = jdoc_unknown_key(obj, allowed);

	if (!key)
		return 0;
	return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "unknown key '%s'%s%s",
				item__quote(q, key), *where ? " in " : "", where);
}

/*
 * Looks `key` up in `obj`. *out is NULL when it is absent (or null, with
 * F_NULL); an error when it is required and absent, or has another type.
 */
static int member(const jdoc_val **out, const jdoc_val *obj, const char *key, const char *where,
		  unsigned flags, jdoc_type type)
{
	char what[96];
	const jdoc_val *v = jdoc_get(obj, key);

	*out = NULL;
	if (!v || ((v->type == JDOC_NULL) && (flags & F_NULL))) {
		if (flags & F_REQ)
			return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "missing %s",
						describe(what, sizeof what, key, where));
		return 0;
	}
	if (v->type != type)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "%s must be %s",
					describe(what, sizeof what, key, where), type_name(type));
	*out = v;
	return 0;
}

/*
 * A string's text after the length limit. No NUL check: the reader
 * refuses \u0000, and a tree is decoded through its text.
 */
static int string_text(const jdoc_val *v, const char *what, size_t max, const char **out)
{
	if (v->type != JDOC_STRING)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "%s must be a string",
					what);
	if (v->n > max)
		return sesame_error_set(SESAME_ETOOBIG, ITEM_KIND_TOO_BIG,
					"%s is %zu bytes, more than the limit of %zu", what, v->n,
					max);
	*out = v->u.s;
	return 0;
}

static int get_string(const char **out, const jdoc_val *obj, const char *key, const char *where,
		      unsigned flags, size_t max)
{
	char what[96];
	const jdoc_val *v;
	int rc;

	*out = NULL;
	if ((rc = member(&v, obj, key, where, flags, JDOC_STRING)) || !v)
		return rc;
	/* The common case checked first: the name is formatted only for an error. */
	if (v->n <= max) {
		*out = v->u.s;
		return 0;
	}
	return string_text(v, describe(what, sizeof what, key, where), max, out);
}

/*
 * Copies a string member into *dst: "" when absent, or NULL when absent
 * or empty if `empty_is_null` (the members the model says are NULL when
 * there is none).
 */
static int copy_string(char **dst, const jdoc_val *obj, const char *key, const char *where,
		       unsigned flags, size_t max, bool empty_is_null)
{
	const char *s;
	int rc;

	*dst = NULL;
	if ((rc = get_string(&s, obj, key, where, flags, max)))
		return rc;
	if (!s)
		s = "";
	if (empty_is_null && !*s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : sesame_error_nomem();
}

/* An item, vault or file id into its fixed array; its form is checked by
 * item_validate() later, only the length here. */
static int copy_id(char dst[ITEM_ID_LEN + 1], const jdoc_val *obj, const char *key,
		   const char *where, unsigned flags)
{
	char what[96];
	const char *s;
	int rc;

	if ((rc = get_string(&s, obj, key, where, flags, SIZE_MAX)) || !s)
		return rc;
	if (strlen(s) > ITEM_ID_LEN)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"%s is not 26 characters of [a-z0-9]",
					describe(what, sizeof what, key, where));
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int get_uint(uint64_t *out, const jdoc_val *obj, const char *key, const char *where,
		    unsigned flags)
{
	char what[96];
	const jdoc_val *v;
	int rc;

	if ((rc = member(&v, obj, key, where, flags, JDOC_INTEGER)) || !v)
		return rc;
	if (v->u.i < 0)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"%s must not be negative",
					describe(what, sizeof what, key, where));
	*out = (uint64_t)v->u.i;
	return 0;
}

static int get_time(int64_t *out, const jdoc_val *obj, const char *key)
{
	const char *s;
	int rc;

	if ((rc = get_string(&s, obj, key, "", 0, SIZE_MAX)) || !s)
		return rc;
	if (!parse_time(out, s))
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'%s' must be an RFC 3339 time between 1970 and 9999", key);
	return 0;
}

/* An enumeration spelled exactly as one of `names` (index = value). */
static int get_enum(int *out, const jdoc_val *obj, const char *key, const char *where,
		    unsigned flags, const char *(*name_of)(size_t), size_t count)
{
	char q[ITEM_QUOTE_MAX];
	const char *s;
	int rc;

	if ((rc = get_string(&s, obj, key, where, flags, SIZE_MAX)) || !s)
		return rc;
	for (size_t i = 0; i < count; i++) {
		const char *name = name_of(i);
		if (*name && strcmp(s, name) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "unknown %s '%s'%s%s", key,
				item__quote(q, s), *where ? " in " : "", where);
}

static const char *category_of(size_t i)
{
	return item_category_name((item_category)i);
}
static const char *field_type_of(size_t i)
{
	return field_type_name((field_type)i);
}
static const char *state_of(size_t i)
{
	return state_names[i];
}
static const char *autofill_of(size_t i)
{
	return autofill_names[i];
}
static const char *purpose_of(size_t i)
{
	return purpose_names[i];
}

/* An array member, with its length checked before anything is allocated. */
static int get_array(const jdoc_val **out, size_t *n, const jdoc_val *obj, const char *key, size_t max)
{
	int rc;

	*n = 0;
	if ((rc = member(out, obj, key, "", 0, JDOC_ARRAY)) || !*out)
		return rc;
	*n = (*out)->n;
	if (*n > max)
		return sesame_error_set(SESAME_ETOOBIG, ITEM_KIND_TOO_BIG,
					"'%s' has %zu entries, more than the limit of %zu", key, *n,
					max);
	return 0;
}

/* An element of an array that must be an object with known keys. */
/*
 * "name[i]", the place an error names, without snprintf: it is made for
 * every element of every item decoded, and snprintf was a tenth of a
 * batch resolve's client time.
 */
static const char *indexed(char buf[32], const char *name, size_t i)
{
	char digits[24];
	size_t n = strlen(name), k = 0;

	do
		digits[k++] = (char)('0' + i % 10);
	while ((i /= 10) && k < sizeof digits);
	if (n + k + 3 > 32)
		n = 32 - k - 3;
	memcpy(buf, name, n);
	buf[n++] = '[';
	while (k)
		buf[n++] = digits[--k];
	buf[n++] = ']';
	buf[n] = '\0';
	return buf;
}

static int element(const jdoc_val *v, const char *where, const char *const *keys)
{
	if (!(v->type == JDOC_OBJECT))
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "%s must be an object",
					where);
	return check_keys(v, keys, where);
}

static int decode_address(item_field *f, const jdoc_val *details, const char *where)
{
	char sub[64];
	const jdoc_val *a;
	int rc;

	snprintf(sub, sizeof sub, "%s.details", where);
	if ((rc = check_keys(details, details_keys, sub)))
		return rc;
	if ((rc = member(&a, details, "address", sub, F_NULL, JDOC_OBJECT)) || !a)
		return rc;
	snprintf(sub, sizeof sub, "%s.details.address", where);
	if ((rc = check_keys(a, address_keys, sub)))
		return rc;
	f->address = calloc(1, sizeof *f->address);
	if (!f->address)
		return sesame_error_nomem();
	if ((rc = copy_string(&f->address->street, a, "street", sub, 0, ITEM_MAX_LABEL_BYTES,
			      false)) ||
	    (rc = copy_string(&f->address->city, a, "city", sub, 0, ITEM_MAX_LABEL_BYTES,
			      false)) ||
	    (rc = copy_string(&f->address->country, a, "country", sub, 0, ITEM_MAX_LABEL_BYTES,
			      false)) ||
	    (rc = copy_string(&f->address->zip, a, "zip", sub, 0, ITEM_MAX_LABEL_BYTES, false)) ||
	    (rc = copy_string(&f->address->state, a, "state", sub, 0, ITEM_MAX_LABEL_BYTES,
			      false)))
		return rc;
	return 0;
}

static int decode_field(item_field *f, const jdoc_val *v, size_t i)
{
	char where[32];
	const jdoc_val *details;
	int rc, type = 0, purpose = FIELD_PURPOSE_NONE;

	indexed(where, "fields", i);
	if ((rc = element(v, where, field_keys)))
		return rc;
	if ((rc = copy_string(&f->id, v, "id", where, F_REQ, ITEM_MAX_FIELD_ID_BYTES, false)) ||
	    (rc = copy_string(&f->title, v, "title", where, 0, ITEM_MAX_LABEL_BYTES, false)) ||
	    (rc = copy_string(&f->section_id, v, "sectionId", where, F_NULL,
			      ITEM_MAX_FIELD_ID_BYTES, true)) ||
	    (rc = get_enum(&type, v, "fieldType", where, F_REQ, field_type_of,
			   FIELD_TYPE_COUNT)) ||
	    (rc = copy_string(&f->value, v, "value", where, 0, ITEM_MAX_VALUE_BYTES, false)) ||
	    (rc = get_enum(&purpose, v, "purpose", where, F_NULL, purpose_of,
			   sizeof purpose_names / sizeof purpose_names[0])))
		return rc;
	f->type = (field_type)type;
	f->purpose = (field_purpose)purpose;
	if ((rc = member(&details, v, "details", where, F_NULL, JDOC_OBJECT)) || !details)
		return rc;
	return decode_address(f, details, where);
}

static int decode_fields(item *it, const jdoc_val *obj)
{
	const jdoc_val *arr;
	size_t n;
	int rc;

	if ((rc = get_array(&arr, &n, obj, "fields", ITEM_MAX_FIELDS)) || n == 0)
		return rc;
	it->fields = calloc(n, sizeof *it->fields);
	if (!it->fields)
		return sesame_error_nomem();
	it->nfields = n;
	for (size_t i = 0; i < n; i++)
		if ((rc = decode_field(&it->fields[i], arr->u.items[i], i)))
			return rc;
	return 0;
}

static int decode_sections(item *it, const jdoc_val *obj)
{
	char where[32];
	const jdoc_val *arr;
	size_t n;
	int rc;

	if ((rc = get_array(&arr, &n, obj, "sections", ITEM_MAX_SECTIONS)) || n == 0)
		return rc;
	it->sections = calloc(n, sizeof *it->sections);
	if (!it->sections)
		return sesame_error_nomem();
	it->nsections = n;
	for (size_t i = 0; i < n; i++) {
		const jdoc_val *v = arr->u.items[i];
		item_section *s = &it->sections[i];
		indexed(where, "sections", i);
		if ((rc = element(v, where, section_keys)) ||
		    (rc = copy_string(&s->id, v, "id", where, F_REQ, ITEM_MAX_FIELD_ID_BYTES,
				      false)) ||
		    (rc = copy_string(&s->title, v, "title", where, 0, ITEM_MAX_LABEL_BYTES,
				      false)))
			return rc;
	}
	return 0;
}

static int decode_tags(item *it, const jdoc_val *obj)
{
	char what[32];
	const jdoc_val *arr;
	size_t n;
	int rc;

	if ((rc = get_array(&arr, &n, obj, "tags", ITEM_MAX_TAGS)) || n == 0)
		return rc;
	it->tags = calloc(n, sizeof *it->tags);
	if (!it->tags)
		return sesame_error_nomem();
	it->ntags = n;
	for (size_t i = 0; i < n; i++) {
		const char *s = NULL;
		snprintf(what, sizeof what, "tags[%zu]", i);
		if ((rc = string_text(arr->u.items[i], what, ITEM_MAX_TAG_BYTES, &s)))
			return rc;
		it->tags[i] = strdup(s);
		if (!it->tags[i])
			return sesame_error_nomem();
	}
	return 0;
}

static int decode_websites(item *it, const jdoc_val *obj)
{
	char where[32];
	const jdoc_val *arr;
	size_t n;
	int rc;

	if ((rc = get_array(&arr, &n, obj, "websites", ITEM_MAX_WEBSITES)) || n == 0)
		return rc;
	it->websites = calloc(n, sizeof *it->websites);
	if (!it->websites)
		return sesame_error_nomem();
	it->nwebsites = n;
	for (size_t i = 0; i < n; i++) {
		const jdoc_val *v = arr->u.items[i];
		item_website *w = &it->websites[i];
		int autofill = AUTOFILL_ANYWHERE_ON_WEBSITE;
		snprintf(where, sizeof where, "websites[%zu]", i);
		if ((rc = element(v, where, website_keys)) ||
		    (rc = copy_string(&w->url, v, "url", where, F_REQ, ITEM_MAX_URL_BYTES,
				      false)) ||
		    (rc = copy_string(&w->label, v, "label", where, 0, ITEM_MAX_LABEL_BYTES,
				      false)) ||
		    (rc = get_enum(&autofill, v, "autofillBehavior", where, 0, autofill_of,
				   sizeof autofill_names / sizeof autofill_names[0])))
			return rc;
		w->autofill = (autofill_behavior)autofill;
	}
	return 0;
}

/* File attributes {name, id, size}: a file's "attributes" or the document. */
static int decode_attributes(item_file *f, const jdoc_val *v, const char *where)
{
	int rc;

	if ((rc = check_keys(v, attributes_keys, where)) ||
	    (rc = copy_string(&f->name, v, "name", where, F_REQ, ITEM_MAX_LABEL_BYTES, false)) ||
	    (rc = copy_id(f->id, v, "id", where, F_REQ)) ||
	    (rc = get_uint(&f->size, v, "size", where, F_REQ)))
		return rc;
	return 0;
}

static int decode_files(item *it, const jdoc_val *obj)
{
	char where[32], sub[48];
	const jdoc_val *arr, *attrs;
	size_t n;
	int rc;

	if ((rc = get_array(&arr, &n, obj, "files", ITEM_MAX_FILES)) || n == 0)
		return rc;
	it->files = calloc(n, sizeof *it->files);
	if (!it->files)
		return sesame_error_nomem();
	it->nfiles = n;
	for (size_t i = 0; i < n; i++) {
		const jdoc_val *v = arr->u.items[i];
		item_file *f = &it->files[i];
		snprintf(where, sizeof where, "files[%zu]", i);
		snprintf(sub, sizeof sub, "files[%zu].attributes", i);
		if ((rc = element(v, where, file_keys)) ||
		    (rc = member(&attrs, v, "attributes", where, F_REQ, JDOC_OBJECT)) ||
		    (rc = decode_attributes(f, attrs, sub)) ||
		    (rc = copy_string(&f->section_id, v, "sectionId", where, F_NULL,
				      ITEM_MAX_FIELD_ID_BYTES, true)) ||
		    (rc = copy_string(&f->field_id, v, "fieldId", where, F_NULL,
				      ITEM_MAX_FIELD_ID_BYTES, true)))
			return rc;
	}
	return 0;
}

static int decode_document(item *it, const jdoc_val *obj)
{
	const jdoc_val *v;
	int rc;

	if ((rc = member(&v, obj, "document", "", F_NULL, JDOC_OBJECT)) || !v)
		return rc;
	it->document = calloc(1, sizeof *it->document);
	if (!it->document)
		return sesame_error_nomem();
	return decode_attributes(it->document, v, "document");
}

static int decode(item **out, const jdoc_val *v, bool overview)
{
	item *it = NULL;
	int rc, category = 0, state = ITEM_STATE_ACTIVE;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "no output given");
	*out = NULL;
	if (!v || !(v->type == JDOC_OBJECT))
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"an item%s must be a json object",
					overview ? " overview" : "");
	if ((rc = check_keys(v, overview ? overview_keys : item_keys, "")))
		return rc;
	it = item_new();
	if (!it)
		return SESAME_ENOMEM;

	if ((rc = copy_id(it->id, v, "id", "", 0)) ||
	    (rc = copy_string(&it->title, v, "title", "", F_REQ, ITEM_MAX_TITLE_BYTES, false)) ||
	    (rc = get_enum(&category, v, "category", "", F_REQ, category_of,
			   ITEM_CATEGORY_COUNT)) ||
	    (rc = copy_id(it->vault_id, v, "vaultId", "", 0)))
		goto fail;
	it->category = (item_category)category;
	if (!overview) {
		if ((rc = decode_fields(it, v)) || (rc = decode_sections(it, v)) ||
		    (rc = copy_string(&it->notes, v, "notes", "", 0, ITEM_MAX_VALUE_BYTES, true)))
			goto fail;
	}
	if ((rc = decode_tags(it, v)) || (rc = decode_websites(it, v)))
		goto fail;
	if (!overview) {
		if ((rc = get_uint(&it->version, v, "version", "", 0)) ||
		    (rc = decode_files(it, v)) || (rc = decode_document(it, v)))
			goto fail;
	}
	if ((rc = get_time(&it->created_at, v, "createdAt")) ||
	    (rc = get_time(&it->updated_at, v, "updatedAt")) ||
	    (rc = get_enum(&state, v, "state", "", 0, state_of,
			   sizeof state_names / sizeof state_names[0])))
		goto fail;
	it->state = (item_state)state;
	if ((rc = item_validate(it)))
		goto fail;
	*out = it;
	return 0;

fail:
	item_free(it);
	return rc;
}

/*
 * sjson_parse's message ends with jansson's, which quotes the text near
 * the error (" near '\"hunter2'") and, for bad \u escapes, part of the
 * string: that may be a secret, so both are cut off. A duplicate key is
 * the one exception: the text near it is the key, which is kept.
 */
static void scrub_parse_error(char *msg)
{
	char *p = strstr(msg, " near ");
	size_t n;

	if (p && !strstr(msg, "duplicate object key near "))
		*p = '\0';
	p = strstr(msg, "invalid Unicode");
	if (p && (p = strchr(p, '\'')) != NULL)
		*p = '\0';
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == ':'))
		msg[--n] = '\0';
}

static int from_text(item **out, const char *text, size_t len, bool overview)
{
	sjson_limits limits = {ITEM_MAX_JSON_BYTES, ITEM_JSON_MAX_DEPTH};
	char err[256];
	jdoc *doc;
	int rc, code;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "no output given");
	*out = NULL;
	if (!text && len)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "no json given");
	/* A document, not jansson values: a few allocations per item, not dozens. */
	doc = jdoc_parse(text ? text : "", len, &limits, &code, err, sizeof err);
	if (!doc) {
		scrub_parse_error(err);
		return sesame_error_set(code,
					code == SESAME_ETOOBIG ? ITEM_KIND_TOO_BIG
							       : ITEM_KIND_INVALID,
					"%s", err);
	}
	rc = decode(out, jdoc_root(doc), overview);
	jdoc_free(doc); /* wipes */
	return rc;
}

static int dump(char **out, const json_t *v, bool overview);

/* A jansson item (an SDK call's parameters): its text, then as any text. */
static int from_tree(item **out, const json_t *v, bool overview)
{
	char *text = NULL;
	int rc;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "no output given");
	*out = NULL;
	if (!json_is_object(v))
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"an item%s must be a json object",
					overview ? " overview" : "");
	if ((rc = dump(&text, v, overview)))
		return rc;
	rc = from_text(out, text, strlen(text), overview);
	sodium_memzero(text, strlen(text));
	free(text);
	return rc;
}

int item_from_json(item **out, const char *text, size_t len)
{
	return from_text(out, text, len, false);
}

int item_from_jsonv(item **out, const json_t *v)
{
	return from_tree(out, v, false);
}

int item_overview_from_json(item **out, const char *text, size_t len)
{
	return from_text(out, text, len, true);
}

int item_overview_from_jsonv(item **out, const json_t *v)
{
	return from_tree(out, v, true);
}

/* ---- encoding ---- */

static void wipe_tree(json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	/* Shared parts (and jansson's true/false/null singletons) are left. */
	if (!v || v->refcount != 1)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		sodium_memzero((char *)json_string_value(v), json_string_length(v));
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, child)
			wipe_tree(child);
		break;
	case JSON_OBJECT:
		json_object_foreach(v, key, child)
			wipe_tree(child);
		break;
	default:
		break;
	}
}

void item_jsonv_free(json_t *v)
{
	if (!v)
		return;
	wipe_tree(v);
	json_decref(v);
}

/* Adds `v` under `key`; steals `v`, even on failure. */
static int put(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return -1;
	return json_object_set_new_nocheck(obj, key, v);
}

static json_t *str(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *encode_attributes(const item_file *f)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (put(o, "name", str(f->name)) || put(o, "id", json_string(f->id)) ||
	    put(o, "size", json_integer((json_int_t)f->size))) {
		item_jsonv_free(o);
		return NULL;
	}
	return o;
}

static json_t *encode_file(const item_file *f)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (put(o, "attributes", encode_attributes(f)) ||
	    put(o, "sectionId", str(f->section_id)) || put(o, "fieldId", str(f->field_id))) {
		item_jsonv_free(o);
		return NULL;
	}
	return o;
}

static json_t *encode_address(const item_address *a)
{
	json_t *d = json_object(), *o = json_object();

	if (!d || !o)
		goto fail;
	if (put(o, "street", str(a->street)) || put(o, "city", str(a->city)) ||
	    put(o, "country", str(a->country)) || put(o, "zip", str(a->zip)) ||
	    put(o, "state", str(a->state)))
		goto fail;
	if (json_object_set_new_nocheck(d, "address", o)) {
		o = NULL; /* stolen */
		goto fail;
	}
	return d;

fail:
	item_jsonv_free(o);
	item_jsonv_free(d);
	return NULL;
}

static json_t *encode_field(const item_field *f)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (put(o, "id", str(f->id)) || put(o, "title", str(f->title)) ||
	    put(o, "sectionId", str(f->section_id)) ||
	    put(o, "fieldType", json_string(field_type_name(f->type))) ||
	    put(o, "value", str(f->value)))
		goto fail;
	if (f->purpose != FIELD_PURPOSE_NONE &&
	    put(o, "purpose", json_string(purpose_names[f->purpose])))
		goto fail;
	if (f->address && put(o, "details", encode_address(f->address)))
		goto fail;
	return o;

fail:
	item_jsonv_free(o);
	return NULL;
}

static json_t *encode_section(const item_section *s)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (put(o, "id", str(s->id)) || put(o, "title", str(s->title))) {
		item_jsonv_free(o);
		return NULL;
	}
	return o;
}

static json_t *encode_website(const item_website *w)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (put(o, "url", str(w->url)) || put(o, "label", str(w->label)) ||
	    put(o, "autofillBehavior", json_string(autofill_names[w->autofill]))) {
		item_jsonv_free(o);
		return NULL;
	}
	return o;
}

/* Appends `v` to `arr`; steals `v`, even on failure. */
static int append(json_t *arr, json_t *v)
{
	if (!v)
		return -1;
	return json_array_append_new(arr, v);
}

static json_t *encode_tags(const item *it)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < it->ntags; i++)
		if (append(a, str(it->tags[i]))) {
			item_jsonv_free(a);
			return NULL;
		}
	return a;
}

static json_t *encode_websites(const item *it)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < it->nwebsites; i++)
		if (append(a, encode_website(&it->websites[i]))) {
			item_jsonv_free(a);
			return NULL;
		}
	return a;
}

static json_t *encode_fields(const item *it)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < it->nfields; i++)
		if (append(a, encode_field(&it->fields[i]))) {
			item_jsonv_free(a);
			return NULL;
		}
	return a;
}

static json_t *encode_sections(const item *it)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < it->nsections; i++)
		if (append(a, encode_section(&it->sections[i]))) {
			item_jsonv_free(a);
			return NULL;
		}
	return a;
}

static json_t *encode_files(const item *it)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < it->nfiles; i++)
		if (append(a, encode_file(&it->files[i]))) {
			item_jsonv_free(a);
			return NULL;
		}
	return a;
}

static json_t *encode_time(int64_t t)
{
	char buf[ITEM_TIME_BUFSZ];

	if (item_time_format(buf, t))
		return NULL;
	return json_string(buf);
}

static int encode(json_t **out, const item *it, bool overview)
{
	json_t *o;
	int rc;

	*out = NULL;
	if ((rc = item_validate(it)))
		return rc;
	o = json_object();
	if (!o)
		return sesame_error_nomem();
	if (put(o, "id", json_string(it->id)) || put(o, "title", str(it->title)) ||
	    put(o, "category", json_string(item_category_name(it->category))) ||
	    put(o, "vaultId", json_string(it->vault_id)))
		goto nomem;
	if (overview) {
		if (put(o, "websites", encode_websites(it)) || put(o, "tags", encode_tags(it)))
			goto nomem;
	} else {
		if (put(o, "fields", encode_fields(it)) ||
		    put(o, "sections", encode_sections(it)) || put(o, "notes", str(it->notes)) ||
		    put(o, "tags", encode_tags(it)) || put(o, "websites", encode_websites(it)) ||
		    put(o, "version", json_integer((json_int_t)it->version)) ||
		    put(o, "files", encode_files(it)))
			goto nomem;
		if (it->document && put(o, "document", encode_attributes(it->document)))
			goto nomem;
	}
	if (put(o, "createdAt", encode_time(it->created_at)) ||
	    put(o, "updatedAt", encode_time(it->updated_at)) ||
	    put(o, "state", json_string(state_names[it->state])))
		goto nomem;
	*out = o;
	return 0;

nomem:
	item_jsonv_free(o);
	return sesame_error_nomem();
}

static int count_cb(const char *buf, size_t size, void *data)
{
	(void)buf;
	*(size_t *)data += size;
	return 0;
}

struct sink {
	char *p;
	size_t len, cap;
};

static int copy_cb(const char *buf, size_t size, void *data)
{
	struct sink *s = data;

	if (size > s->cap - s->len)
		return -1;
	memcpy(s->p + s->len, buf, size);
	s->len += size;
	return 0;
}

/* Measures, then writes into one allocation of the exact size. */
static int dump(char **out, const json_t *v, bool overview)
{
	struct sink s = {NULL, 0, 0};
	size_t n = 0;

	if (json_dump_callback(v, count_cb, &n, DUMP_FLAGS) != 0)
		return sesame_error_nomem();
	if (n > ITEM_MAX_JSON_BYTES)
		return sesame_error_set(SESAME_ETOOBIG, ITEM_KIND_TOO_BIG,
					"the encoded item%s is %zu bytes, more than the limit "
					"of %u",
					overview ? " overview" : "", n, ITEM_MAX_JSON_BYTES);
	s.p = malloc(n + 1);
	if (!s.p)
		return sesame_error_nomem();
	s.cap = n;
	if (json_dump_callback(v, copy_cb, &s, DUMP_FLAGS) != 0 || s.len != n) {
		sodium_memzero(s.p, n + 1);
		free(s.p);
		return sesame_error_nomem();
	}
	s.p[n] = '\0';
	*out = s.p;
	return 0;
}

static int to_text(char **out, const item *it, bool overview)
{
	json_t *v;
	int rc;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "no output given");
	*out = NULL;
	if ((rc = encode(&v, it, overview)))
		return rc;
	rc = dump(out, v, overview);
	item_jsonv_free(v);
	return rc;
}

int item_to_json(char **out, const item *it)
{
	return to_text(out, it, false);
}

json_t *item_to_jsonv(const item *it)
{
	json_t *v;
	return encode(&v, it, false) ? NULL : v;
}

int item_overview_to_json(char **out, const item *it)
{
	return to_text(out, it, true);
}

json_t *item_overview_to_jsonv(const item *it)
{
	json_t *v;
	return encode(&v, it, true) ? NULL : v;
}
