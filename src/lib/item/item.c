/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The item model: allocation, deep copy, comparison, lookups and the
 * invariants every item obeys (item_validate). The JSON codec lives in
 * item_json.c and calls item_validate() on everything it reads or writes.
 *
 * Error messages quote ids, tags and indexes, never a field value or the
 * notes: those may be secrets.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "error.h"
#include "item/item.h"
#include "text.h"
#include "item/item_internal.h"

/* ---- helpers shared with names.c and item_json.c ---- */

const char *item__quote(char buf[ITEM_QUOTE_MAX], const char *s)
{
	const size_t keep = ITEM_QUOTE_MAX - 8;
	size_t n, i;

	if (!s)
		s = "";
	n = strlen(s);
	if (n > keep) {
		n = keep;
		/* Back off to the start of a UTF-8 character. */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
	}
	if (s[n] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

bool item__utf8_valid(const char *str, size_t len)
{
	return text_utf8_valid(str, len);
}

bool item__has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return true;
	return false;
}

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

int item__ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = ascii_lower((unsigned char)*a), cb = ascii_lower((unsigned char)*b);
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

/* ---- allocation ---- */

static void wipe_free(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

static void address_free(item_address *a)
{
	if (!a)
		return;
	wipe_free(a->street);
	wipe_free(a->city);
	wipe_free(a->country);
	wipe_free(a->zip);
	wipe_free(a->state);
	free(a);
}

static void file_clear(item_file *f)
{
	wipe_free(f->name);
	wipe_free(f->section_id);
	wipe_free(f->field_id);
}

item *item_new(void)
{
	item *it = calloc(1, sizeof *it);
	if (!it) {
		sesame_error_nomem();
		return NULL;
	}
	it->category = ITEM_CATEGORY_LOGIN;
	it->state = ITEM_STATE_ACTIVE;
	return it;
}

void item_free(item *it)
{
	size_t i;

	if (!it)
		return;
	wipe_free(it->title);
	wipe_free(it->notes);
	for (i = 0; it->fields && i < it->nfields; i++) {
		item_field *f = &it->fields[i];
		wipe_free(f->id);
		wipe_free(f->title);
		wipe_free(f->section_id);
		wipe_free(f->value);
		address_free(f->address);
	}
	free(it->fields);
	for (i = 0; it->sections && i < it->nsections; i++) {
		wipe_free(it->sections[i].id);
		wipe_free(it->sections[i].title);
	}
	free(it->sections);
	for (i = 0; it->tags && i < it->ntags; i++)
		wipe_free(it->tags[i]);
	free(it->tags);
	for (i = 0; it->websites && i < it->nwebsites; i++) {
		wipe_free(it->websites[i].url);
		wipe_free(it->websites[i].label);
	}
	free(it->websites);
	for (i = 0; it->files && i < it->nfiles; i++)
		file_clear(&it->files[i]);
	free(it->files);
	if (it->document) {
		file_clear(it->document);
		free(it->document);
	}
	sodium_memzero(it, sizeof *it);
	free(it);
}

/* Copies an optional string; returns -1 on allocation failure. */
static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

static int file_copy(item_file *dst, const item_file *src)
{
	memcpy(dst->id, src->id, sizeof dst->id);
	dst->size = src->size;
	if (dup_opt(&dst->name, src->name) || dup_opt(&dst->section_id, src->section_id) ||
	    dup_opt(&dst->field_id, src->field_id))
		return -1;
	return 0;
}

static int field_copy(item_field *dst, const item_field *src)
{
	dst->type = src->type;
	dst->purpose = src->purpose;
	if (dup_opt(&dst->id, src->id) || dup_opt(&dst->title, src->title) ||
	    dup_opt(&dst->section_id, src->section_id) || dup_opt(&dst->value, src->value))
		return -1;
	if (src->address) {
		const item_address *sa = src->address;
		item_address *a = calloc(1, sizeof *a);
		if (!a)
			return -1;
		dst->address = a;
		if (dup_opt(&a->street, sa->street) || dup_opt(&a->city, sa->city) ||
		    dup_opt(&a->country, sa->country) || dup_opt(&a->zip, sa->zip) ||
		    dup_opt(&a->state, sa->state))
			return -1;
	}
	return 0;
}

/* calloc that treats 0 elements as "nothing to allocate". */
static int alloc_array(void **out, size_t n, size_t size)
{
	*out = NULL;
	if (n == 0)
		return 0;
	*out = calloc(n, size);
	return *out ? 0 : -1;
}

item *item_dup(const item *src)
{
	item *it;
	size_t i;

	if (!src) {
		sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "no item to copy");
		return NULL;
	}
	it = item_new();
	if (!it)
		return NULL;
	memcpy(it->id, src->id, sizeof it->id);
	memcpy(it->vault_id, src->vault_id, sizeof it->vault_id);
	it->category = src->category;
	it->state = src->state;
	it->version = src->version;
	it->created_at = src->created_at;
	it->updated_at = src->updated_at;
	if (dup_opt(&it->title, src->title) || dup_opt(&it->notes, src->notes))
		goto nomem;

	/* Counts are set as soon as the zeroed arrays exist, so item_free()
	 * can release a half-made copy. */
	if (alloc_array((void **)&it->fields, src->nfields, sizeof *it->fields))
		goto nomem;
	it->nfields = src->nfields;
	for (i = 0; i < src->nfields; i++)
		if (field_copy(&it->fields[i], &src->fields[i]))
			goto nomem;

	if (alloc_array((void **)&it->sections, src->nsections, sizeof *it->sections))
		goto nomem;
	it->nsections = src->nsections;
	for (i = 0; i < src->nsections; i++)
		if (dup_opt(&it->sections[i].id, src->sections[i].id) ||
		    dup_opt(&it->sections[i].title, src->sections[i].title))
			goto nomem;

	if (alloc_array((void **)&it->tags, src->ntags, sizeof *it->tags))
		goto nomem;
	it->ntags = src->ntags;
	for (i = 0; i < src->ntags; i++)
		if (dup_opt(&it->tags[i], src->tags[i]))
			goto nomem;

	if (alloc_array((void **)&it->websites, src->nwebsites, sizeof *it->websites))
		goto nomem;
	it->nwebsites = src->nwebsites;
	for (i = 0; i < src->nwebsites; i++) {
		it->websites[i].autofill = src->websites[i].autofill;
		if (dup_opt(&it->websites[i].url, src->websites[i].url) ||
		    dup_opt(&it->websites[i].label, src->websites[i].label))
			goto nomem;
	}

	if (alloc_array((void **)&it->files, src->nfiles, sizeof *it->files))
		goto nomem;
	it->nfiles = src->nfiles;
	for (i = 0; i < src->nfiles; i++)
		if (file_copy(&it->files[i], &src->files[i]))
			goto nomem;

	if (src->document) {
		it->document = calloc(1, sizeof *it->document);
		if (!it->document || file_copy(it->document, src->document))
			goto nomem;
	}
	return it;

nomem:
	item_free(it);
	sesame_error_nomem();
	return NULL;
}

/* ---- comparison and lookups ---- */

/* NULL and "" are the same: "no value". */
static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool file_eq(const item_file *a, const item_file *b)
{
	return strcmp(a->id, b->id) == 0 && a->size == b->size && str_eq(a->name, b->name) &&
	       str_eq(a->section_id, b->section_id) && str_eq(a->field_id, b->field_id);
}

static bool address_eq(const item_address *a, const item_address *b)
{
	if (!a || !b)
		return a == b;
	return str_eq(a->street, b->street) && str_eq(a->city, b->city) &&
	       str_eq(a->country, b->country) && str_eq(a->zip, b->zip) &&
	       str_eq(a->state, b->state);
}

bool item_equal(const item *a, const item *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (strncmp(a->id, b->id, sizeof a->id) != 0 ||
	    strncmp(a->vault_id, b->vault_id, sizeof a->vault_id) != 0 ||
	    !str_eq(a->title, b->title) || a->category != b->category || a->state != b->state ||
	    a->version != b->version || a->created_at != b->created_at ||
	    a->updated_at != b->updated_at || !str_eq(a->notes, b->notes) ||
	    a->nfields != b->nfields || a->nsections != b->nsections || a->ntags != b->ntags ||
	    a->nwebsites != b->nwebsites || a->nfiles != b->nfiles)
		return false;
	for (i = 0; i < a->nfields; i++) {
		const item_field *x = &a->fields[i], *y = &b->fields[i];
		if (!str_eq(x->id, y->id) || !str_eq(x->title, y->title) ||
		    !str_eq(x->section_id, y->section_id) || x->type != y->type ||
		    x->purpose != y->purpose || !str_eq(x->value, y->value) ||
		    !address_eq(x->address, y->address))
			return false;
	}
	for (i = 0; i < a->nsections; i++)
		if (!str_eq(a->sections[i].id, b->sections[i].id) ||
		    !str_eq(a->sections[i].title, b->sections[i].title))
			return false;
	for (i = 0; i < a->ntags; i++)
		if (!str_eq(a->tags[i], b->tags[i]))
			return false;
	for (i = 0; i < a->nwebsites; i++)
		if (!str_eq(a->websites[i].url, b->websites[i].url) ||
		    !str_eq(a->websites[i].label, b->websites[i].label) ||
		    a->websites[i].autofill != b->websites[i].autofill)
			return false;
	for (i = 0; i < a->nfiles; i++)
		if (!file_eq(&a->files[i], &b->files[i]))
			return false;
	if (!a->document || !b->document)
		return a->document == b->document;
	return file_eq(a->document, b->document);
}

const item_field *item_field_by_id(const item *it, const char *id)
{
	if (!it || !id)
		return NULL;
	for (size_t i = 0; i < it->nfields; i++)
		if (it->fields[i].id && strcmp(it->fields[i].id, id) == 0)
			return &it->fields[i];
	return NULL;
}

const item_section *item_section_by_id(const item *it, const char *id)
{
	if (!it)
		return NULL;
	for (size_t i = 0; i < it->nsections; i++)
		if (str_eq(it->sections[i].id, id))
			return &it->sections[i];
	return NULL;
}

/* ---- validation ---- */

/*
 * Each check sets the error and returns the code; `what` names the member
 * the way the JSON codec spells it ("'value' in fields[3]") so that a
 * message reads the same whether the item came from JSON or from code.
 */

static int too_big(const char *what, size_t have, size_t limit)
{
	return sesame_error_set(SESAME_ETOOBIG, ITEM_KIND_TOO_BIG,
				"%s is %zu bytes, more than the limit of %zu", what, have, limit);
}

static int too_many(const char *what, size_t have, size_t limit)
{
	return sesame_error_set(SESAME_ETOOBIG, ITEM_KIND_TOO_BIG,
				"%s has %zu entries, more than the limit of %zu", what, have,
				limit);
}

/* An optional string: length limit, valid UTF-8, no control characters if
 * `plain` (ids and tags end up in messages and on terminals). */
/*
 * A string's limits: length, UTF-8, and (when `plain`) no control
 * character. `fmt` names it in the error, formatted only on failure:
 * validating every field of every item of a batch spent more time in
 * snprintf than in the checks.
 */
static int check_str(const char *s, size_t max, bool plain, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int check_str(const char *s, size_t max, bool plain, const char *fmt, ...)
{
	char what[128];
	const char *why;
	va_list ap;
	size_t n;

	if (!s)
		return 0;
	n = strlen(s);
	if (n <= max && item__utf8_valid(s, n) && !(plain && item__has_control(s)))
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (n > max)
		return too_big(what, n, max);
	why = !item__utf8_valid(s, n) ? "is not valid utf-8" : "contains a control character";
	return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "%s %s", what, why);
}

/* An item, vault or file id: "" or 26 characters of [a-z0-9]. */
static int check_id(const char id[ITEM_ID_LEN + 1], const char *what, const char *where)
{
	char q[ITEM_QUOTE_MAX], copy[ITEM_ID_LEN + 1];
	size_t n = strnlen(id, ITEM_ID_LEN + 1);
	bool ok = n == 0 || n == ITEM_ID_LEN;

	for (size_t i = 0; ok && i < n; i++)
		ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9');
	if (ok)
		return 0;
	if (n > ITEM_ID_LEN)
		n = ITEM_ID_LEN; /* not NUL-terminated: quote what fits */
	memcpy(copy, id, n);
	copy[n] = '\0';
	return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
				"%s '%s'%s%s is not 26 characters of [a-z0-9]", what,
				item__quote(q, copy), *where ? " in " : "", where);
}

static int check_time(int64_t t, const char *what)
{
	if (t < 0 || t > ITEM_MAX_TIME)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'%s' is outside 1970-01-01 to 9999-12-31", what);
	return 0;
}

static int check_file(const item_file *f, const char *where, bool document)
{
	int rc;

	if ((rc = check_id(f->id, "file id", where)))
		return rc;
	if (!f->name || !*f->name)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "'name' in %s is empty",
					where);
	if ((rc = check_str(f->name, ITEM_MAX_LABEL_BYTES, false, "'name' in %s", where)))
		return rc;
	if (f->size > INT64_MAX)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'size' in %s is out of range", where);
	if (document) {
		if ((f->section_id && *f->section_id) || (f->field_id && *f->field_id))
			return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
						"the document has a section or field id");
		return 0;
	}
	if ((rc = check_str(f->section_id, ITEM_MAX_FIELD_ID_BYTES, true, "'sectionId' in %s",
			    where)))
		return rc;
	return check_str(f->field_id, ITEM_MAX_FIELD_ID_BYTES, true, "'fieldId' in %s", where);
}

static int check_sections(const item *it)
{
	char q[ITEM_QUOTE_MAX];
	int rc;

	if (it->nsections > ITEM_MAX_SECTIONS)
		return too_many("'sections'", it->nsections, ITEM_MAX_SECTIONS);
	if (it->nsections && !it->sections)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "sections missing");
	for (size_t i = 0; i < it->nsections; i++) {
		const item_section *s = &it->sections[i];
		if ((rc = check_str(s->id, ITEM_MAX_FIELD_ID_BYTES, true, "'id' in sections[%zu]",
				    i)))
			return rc;
		if ((rc = check_str(s->title, ITEM_MAX_LABEL_BYTES, false,
				    "'title' in sections[%zu]", i)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (str_eq(it->sections[j].id, s->id))
				return sesame_error_set(
					SESAME_EINVAL, ITEM_KIND_INVALID,
					"duplicate section id '%s' in sections[%zu]",
					item__quote(q, s->id), i);
	}
	return 0;
}

static int check_field(const item *it, const item_field *f, size_t i)
{
	char q[ITEM_QUOTE_MAX];
	int rc;

	if (!f->id || !*f->id)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'id' in fields[%zu] is empty", i);
	if ((rc = check_str(f->id, ITEM_MAX_FIELD_ID_BYTES, true, "'id' in fields[%zu]", i)))
		return rc;
	if ((rc = check_str(f->title, ITEM_MAX_LABEL_BYTES, false, "'title' in fields[%zu]", i)))
		return rc;
	if ((rc = check_str(f->section_id, ITEM_MAX_FIELD_ID_BYTES, true,
			    "'sectionId' in fields[%zu]", i)))
		return rc;
	if ((rc = check_str(f->value, ITEM_MAX_VALUE_BYTES, false, "'value' in fields[%zu]", i)))
		return rc;
	if ((unsigned)f->type >= FIELD_TYPE_COUNT)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'fieldType' in fields[%zu] is not a field type", i);
	if ((unsigned)f->purpose > FIELD_PURPOSE_NOTES)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'purpose' in fields[%zu] is not a purpose", i);
	if (f->section_id && *f->section_id && !item_section_by_id(it, f->section_id))
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"fields[%zu] refers to section '%s', which does not exist",
					i, item__quote(q, f->section_id));
	if (f->address) {
		const item_address *a = f->address;
		const char *parts[] = {a->street, a->city, a->country, a->zip, a->state};
		static const char *const names[] = {"street", "city", "country", "zip", "state"};

		if (f->type != FIELD_TYPE_ADDRESS)
			return sesame_error_set(
				SESAME_EINVAL, ITEM_KIND_INVALID,
				"fields[%zu] has an address but is not of type Address", i);
		for (size_t k = 0; k < 5; k++) {
			if ((rc = check_str(parts[k], ITEM_MAX_LABEL_BYTES, false,
					    "'%s' in fields[%zu].details.address", names[k], i)))
				return rc;
		}
	}
	for (size_t j = 0; j < i; j++)
		if (str_eq(it->fields[j].id, f->id))
			return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
						"duplicate field id '%s' in fields[%zu]",
						item__quote(q, f->id), i);
	return 0;
}

static int check_tags(const item *it)
{
	char q[ITEM_QUOTE_MAX];
	int rc;

	if (it->ntags > ITEM_MAX_TAGS)
		return too_many("'tags'", it->ntags, ITEM_MAX_TAGS);
	if (it->ntags && !it->tags)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "tags missing");
	for (size_t i = 0; i < it->ntags; i++) {
		const char *t = it->tags[i];
		if (!t || !*t)
			return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
						"tags[%zu] is empty", i);
		if ((rc = check_str(t, ITEM_MAX_TAG_BYTES, true, "tags[%zu]", i)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (item__ascii_casecmp(it->tags[j], t) == 0)
				return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
							"duplicate tag '%s' in tags[%zu]",
							item__quote(q, t), i);
	}
	return 0;
}

static int check_websites(const item *it)
{
	int rc;

	if (it->nwebsites > ITEM_MAX_WEBSITES)
		return too_many("'websites'", it->nwebsites, ITEM_MAX_WEBSITES);
	if (it->nwebsites && !it->websites)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "websites missing");
	for (size_t i = 0; i < it->nwebsites; i++) {
		const item_website *w = &it->websites[i];
		if (!w->url || !*w->url)
			return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
						"'url' in websites[%zu] is empty", i);
		if ((rc = check_str(w->url, ITEM_MAX_URL_BYTES, true, "'url' in websites[%zu]", i)))
			return rc;
		if ((rc = check_str(w->label, ITEM_MAX_LABEL_BYTES, false,
				    "'label' in websites[%zu]", i)))
			return rc;
		if ((unsigned)w->autofill > AUTOFILL_NEVER)
			return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
						"'autofillBehavior' in websites[%zu] is not known",
						i);
	}
	return 0;
}

static int check_files(const item *it)
{
	char where[32], q[ITEM_QUOTE_MAX];
	int rc;

	if (it->nfiles > ITEM_MAX_FILES)
		return too_many("'files'", it->nfiles, ITEM_MAX_FILES);
	if (it->nfiles && !it->files)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "files missing");
	for (size_t i = 0; i < it->nfiles; i++) {
		snprintf(where, sizeof where, "files[%zu]", i);
		if ((rc = check_file(&it->files[i], where, false)))
			return rc;
		if (!it->files[i].id[0])
			continue;
		for (size_t j = 0; j < i; j++)
			if (strcmp(it->files[j].id, it->files[i].id) == 0)
				return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
							"duplicate file id '%s' in files[%zu]",
							item__quote(q, it->files[i].id), i);
	}
	if (it->document) {
		if (it->category != ITEM_CATEGORY_DOCUMENT)
			return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
						"only Document items have a 'document'");
		if ((rc = check_file(it->document, "document", true)))
			return rc;
	}
	return 0;
}

int item_validate(const item *it)
{
	int rc;

	if (!it)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "no item given");
	if ((rc = check_id(it->id, "item id", "")) || (rc = check_id(it->vault_id, "vault id", "")))
		return rc;
	if (!it->title || !*it->title)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "item title is empty");
	if ((rc = check_str(it->title, ITEM_MAX_TITLE_BYTES, false, "'title'")))
		return rc;
	if ((unsigned)it->category >= ITEM_CATEGORY_COUNT)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'category' is not a category");
	if ((unsigned)it->state > ITEM_STATE_ARCHIVED)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'state' is not active or archived");
	if (it->version > INT64_MAX)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID,
					"'version' is out of range");
	if ((rc = check_time(it->created_at, "createdAt")) ||
	    (rc = check_time(it->updated_at, "updatedAt")))
		return rc;
	if ((rc = check_str(it->notes, ITEM_MAX_VALUE_BYTES, false, "'notes'")))
		return rc;
	if ((rc = check_sections(it)))
		return rc;
	if (it->nfields > ITEM_MAX_FIELDS)
		return too_many("'fields'", it->nfields, ITEM_MAX_FIELDS);
	if (it->nfields && !it->fields)
		return sesame_error_set(SESAME_EINVAL, ITEM_KIND_INVALID, "fields missing");
	for (size_t i = 0; i < it->nfields; i++)
		if ((rc = check_field(it, &it->fields[i], i)))
			return rc;
	if ((rc = check_tags(it)) || (rc = check_websites(it)) || (rc = check_files(it)))
		return rc;
	return 0;
}
