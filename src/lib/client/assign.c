/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/assign.h"
#include "crypto/ids.h"
#include "crypto/secmem.h"
#include "error.h"

#define ASSIGN_NAME_MAX 1024

void assignment_clear(assignment *a)
{
	free(a->section);
	free(a->field);
	free(a->type);
	secmem_free(a->value);
	memset(a, 0, sizeof *a);
}

/* Quotes only the field name, never the statement: the value may be a secret. */
static int bad(const char *what, const char *name)
{
	if (!name)
		return sesame_error_set(SESAME_EINVAL, "invalid_assignment",
					"invalid assignment: %s", what);
	return sesame_error_set(SESAME_EINVAL, "invalid_assignment",
				"invalid assignment for '%s': %s", name, what);
}

int assignment_parse(assignment *out, const char *text)
{
	char name[ASSIGN_NAME_MAX + 1], type[64];
	size_t n = 0, t = 0, dot = (size_t)-1;
	const char *p = text, *value = NULL;
	bool in_type = false, had_type = false;
	int rc = 0;

	memset(out, 0, sizeof *out);
	for (; *p; p++) {
		char c = *p;
		if (in_type) {
			if (c == ']') {
				in_type = false;
				had_type = true;
				type[t] = '\0';
				continue;
			}
			if (t + 1 >= sizeof type)
				return bad("type is too long", NULL);
			type[t++] = c;
			continue;
		}
		if (c == '\\' && p[1]) {
			c = *++p;
		} else if (c == '=') {
			value = p + 1;
			break;
		} else if (c == '[' && !had_type) {
			in_type = true;
			continue;
		} else if (c == '.' && dot == (size_t)-1 && !had_type) {
			dot = n;
			c = '\0';
		} else if (had_type) {
			name[n < ASSIGN_NAME_MAX ? n : ASSIGN_NAME_MAX] = '\0';
			return bad("text after the type", name);
		}
		if (n >= ASSIGN_NAME_MAX)
			return bad("name is too long", NULL);
		name[n++] = c;
	}
	name[n] = '\0';
	if (in_type)
		return bad("unterminated '['", name);
	const char *field = dot == (size_t)-1 ? name : name + dot + 1;
	if (!*field)
		return bad("empty field name", NULL);
	if (dot != (size_t)-1 && dot == 0)
		return bad("empty section name", field);
	bool del = had_type && strcmp(type, "delete") == 0;
	if (!value && !del)
		return bad("expected '=value'", field);
	if (value && del)
		return bad("[delete] takes no value", field);
	bool file = had_type && strcasecmp(type, "file") == 0;
	if (file) {
		if (!*value)
			return bad("[file] needs the path of a file", field);
		snprintf(type, sizeof type, "file");
	} else if (had_type && !del) {
		field_type ft;
		if (field_type_parse(&ft, type) != 0) {
			return sesame_error_set(SESAME_EINVAL, "invalid_assignment",
						"invalid assignment for '%s': unknown field type "
						"'%s'",
						field, type);
		}
	}
	out->field = strdup(field);
	out->section = dot == (size_t)-1 ? NULL : strdup(name);
	out->type = had_type ? strdup(type) : NULL;
	out->value = value ? secmem_strdup(value) : NULL;
	if (!out->field || (dot != (size_t)-1 && !out->section) || (had_type && !out->type) ||
	    (value && !out->value))
		rc = sesame_error_nomem();
	if (rc)
		assignment_clear(out);
	return rc;
}

static bool is_default(const char *sid)
{
	return !sid || !*sid;
}

static const item_section *find_section(const item *it, const char *name)
{
	for (size_t i = 0; i < it->nsections; i++)
		if ((it->sections[i].title && strcmp(it->sections[i].title, name) == 0) ||
		    strcmp(it->sections[i].id, name) == 0)
			return &it->sections[i];
	return NULL;
}

static item_field *find_field(item *it, const char *sid, const char *label)
{
	for (size_t i = 0; i < it->nfields; i++) {
		item_field *f = &it->fields[i];
		bool same_sec = is_default(sid)
					? is_default(f->section_id)
					: (f->section_id && strcmp(f->section_id, sid) == 0);
		if (same_sec &&
		    ((f->title && strcmp(f->title, label) == 0) || strcmp(f->id, label) == 0))
			return f;
	}
	return NULL;
}

/* The section titled (or with the id) `name`, created when missing; NULL when out of memory. */
static const item_section *section_or_new(item *it, const char *name)
{
	const item_section *sec = find_section(it, name);
	if (sec)
		return sec;
	item_section *ns = realloc(it->sections, (it->nsections + 1) * sizeof *ns);
	char id[ID_SIZE];
	if (!ns) {
		sesame_error_nomem();
		return NULL;
	}
	it->sections = ns;
	id_new(id);
	ns[it->nsections].id = strdup(id);
	ns[it->nsections].title = strdup(name);
	if (!ns[it->nsections].id || !ns[it->nsections].title) {
		free(ns[it->nsections].id);
		free(ns[it->nsections].title);
		sesame_error_nomem();
		return NULL;
	}
	return &ns[it->nsections++];
}

/* The attachment named (or with the id) `name` in section `sid` (NULL: the default). */
static item_file *find_file(item *it, const char *sid, const char *name)
{
	for (size_t i = 0; i < it->nfiles; i++) {
		item_file *f = &it->files[i];
		bool same_sec = is_default(sid)
					? is_default(f->section_id)
					: (f->section_id && strcmp(f->section_id, sid) == 0);
		if (same_sec &&
		    ((f->name && strcmp(f->name, name) == 0) || strcmp(f->id, name) == 0))
			return f;
	}
	return NULL;
}

/* Takes file `f` out of it->files, its id to `id_out`. */
static void remove_file(item *it, item_file *f, char id_out[ITEM_ID_LEN + 1])
{
	size_t i = (size_t)(f - it->files);
	snprintf(id_out, ITEM_ID_LEN + 1, "%s", f->id);
	if (f->name) {
		secmem_wipe(f->name, strlen(f->name));
		free(f->name);
	}
	free(f->section_id);
	free(f->field_id);
	memmove(f, f + 1, (it->nfiles - i - 1) * sizeof *f);
	it->nfiles--;
}

static char *dup_value(const char *v)
{
	char *s = strdup(v ? v : "");
	if (!s)
		sesame_error_nomem();
	return s;
}

int item_set_field(item *it, const char *section, const char *label, const char *type,
		   const char *value)
{
	const char *sid = NULL;
	field_type ft = FIELD_TYPE_TEXT;
	bool typed = type && *type;

	if (typed && field_type_parse(&ft, type) != 0)
		return SESAME_EINVAL;
	if (!section && (strcmp(label, "notesPlain") == 0 || strcmp(label, "notes") == 0)) {
		char *n = dup_value(value);
		if (!n)
			return SESAME_ENOMEM;
		if (it->notes) {
			secmem_wipe(it->notes, strlen(it->notes));
			free(it->notes);
		}
		it->notes = n;
		return 0;
	}
	if (section) {
		const item_section *sec = section_or_new(it, section);
		if (!sec)
			return SESAME_ENOMEM;
		sid = sec->id;
	}
	item_field *f = find_field(it, sid, label);
	char *v = dup_value(value);
	if (!v)
		return SESAME_ENOMEM;
	if (f) {
		secmem_wipe(f->value, strlen(f->value));
		free(f->value);
		f->value = v;
		if (typed)
			f->type = ft;
		return 0;
	}
	item_field *nf = realloc(it->fields, (it->nfields + 1) * sizeof *nf);
	if (!nf) {
		free(v);
		return sesame_error_nomem();
	}
	it->fields = nf;
	f = &nf[it->nfields];
	memset(f, 0, sizeof *f);
	f->value = v;
	char id[ID_SIZE];
	if (!sid && strcmp(label, "username") == 0) {
		f->purpose = FIELD_PURPOSE_USERNAME;
		f->type = typed ? ft : FIELD_TYPE_TEXT;
		snprintf(id, sizeof id, "username");
	} else if (!sid && strcmp(label, "password") == 0) {
		f->purpose = FIELD_PURPOSE_PASSWORD;
		f->type = typed ? ft : FIELD_TYPE_CONCEALED;
		snprintf(id, sizeof id, "password");
	} else {
		f->type = ft;
		id_new(id);
	}
	f->id = strdup(id);
	f->title = strdup(label);
	f->section_id = sid ? strdup(sid) : NULL;
	if (!f->id || !f->title || (sid && !f->section_id)) {
		free(f->id);
		free(f->title);
		free(f->section_id);
		free(v);
		return sesame_error_nomem();
	}
	it->nfields++;
	return 0;
}

bool assignment_is_file(const assignment *a)
{
	return a->type && strcmp(a->type, "file") == 0;
}

/* `removed_file_id` NULL: [delete] sees fields only (no file leaves unnoticed). */
static int apply(item *it, const assignment *a, char *removed_file_id)
{
	if (removed_file_id)
		removed_file_id[0] = '\0';
	if (assignment_is_file(a))
		return sesame_error_set(SESAME_EINVAL, "invalid_assignment",
					"invalid assignment for '%s': a file is attached by the "
					"caller",
					a->field);
	if (a->type && strcmp(a->type, "delete") == 0) {
		const char *sid = NULL;
		if (a->section) {
			const item_section *sec = find_section(it, a->section);
			if (!sec)
				return sesame_error_set(SESAME_ENOTFOUND, "field_not_found",
							"section '%s' not found", a->section);
			sid = sec->id;
		} else if (strcmp(a->field, "notesPlain") == 0) {
			if (it->notes) {
				secmem_wipe(it->notes, strlen(it->notes));
				free(it->notes);
				it->notes = NULL;
			}
			return 0;
		}
		item_field *f = find_field(it, sid, a->field);
		if (!f) {
			item_file *file = removed_file_id ? find_file(it, sid, a->field) : NULL;
			if (file) {
				remove_file(it, file, removed_file_id);
				return 0;
			}
			return sesame_error_set(SESAME_ENOTFOUND, "field_not_found",
						"field '%s' not found", a->field);
		}
		secmem_wipe(f->value, strlen(f->value));
		free(f->value);
		free(f->id);
		free(f->title);
		free(f->section_id);
		if (f->address) {
			free(f->address->street);
			free(f->address->city);
			free(f->address->country);
			free(f->address->zip);
			free(f->address->state);
			free(f->address);
		}
		size_t i = (size_t)(f - it->fields);
		memmove(f, f + 1, (it->nfields - i - 1) * sizeof *f);
		it->nfields--;
		return 0;
	}
	return item_set_field(it, a->section, a->field, a->type, a->value);
}

int assignment_apply(item *it, const assignment *a)
{
	return apply(it, a, NULL);
}

int assignment_apply_ex(item *it, const assignment *a, char removed_file_id[ITEM_ID_LEN + 1])
{
	return apply(it, a, removed_file_id);
}

int assignment_add_file(item *it, const assignment *a, const char *file_id, uint64_t size,
			char replaced_file_id[ITEM_ID_LEN + 1])
{
	const char *sid = NULL;
	item_file nf, *grown, *old;
	char fid[ID_SIZE];

	replaced_file_id[0] = '\0';
	if (!assignment_is_file(a))
		return sesame_error_set(SESAME_EINVAL, "invalid_assignment",
					"invalid assignment for '%s': not a [file] assignment",
					a->field);
	if (!id_is_valid(file_id))
		return sesame_error_set(SESAME_EINVAL, "invalid_id", "invalid file id");
	if (a->section) {
		const item_section *sec = find_section(it, a->section);
		sid = sec ? sec->id : NULL;
		if (sec && find_field(it, sid, a->field))
			goto field_exists;
	} else if (find_field(it, NULL, a->field) || strcmp(a->field, "notesPlain") == 0) {
		goto field_exists;
	}
	old = a->section && !sid ? NULL : find_file(it, sid, a->field);
	if (!old && it->nfiles >= ITEM_MAX_FILES)
		return sesame_error_set(SESAME_ETOOBIG, "item_too_big",
					"item '%s' has %d files already",
					it->title ? it->title : "", ITEM_MAX_FILES);
	if (a->section && !sid) {
		const item_section *sec = section_or_new(it, a->section);
		if (!sec)
			return SESAME_ENOMEM;
		sid = sec->id;
	}
	memset(&nf, 0, sizeof nf);
	snprintf(nf.id, sizeof nf.id, "%s", file_id);
	nf.size = size;
	id_new(fid);
	nf.name = strdup(a->field);
	nf.field_id = strdup(fid);
	nf.section_id = sid ? strdup(sid) : NULL;
	if (!nf.name || !nf.field_id || (sid && !nf.section_id)) {
		free(nf.name);
		free(nf.field_id);
		free(nf.section_id);
		return sesame_error_nomem();
	}
	if (old) {
		/* Same place in the list, a new id: the old content goes once the item is saved. */
		snprintf(replaced_file_id, ITEM_ID_LEN + 1, "%s", old->id);
		if (old->name) {
			secmem_wipe(old->name, strlen(old->name));
			free(old->name);
		}
		free(old->section_id);
		free(old->field_id);
		*old = nf;
		return 0;
	}
	grown = realloc(it->files, (it->nfiles + 1) * sizeof *grown);
	if (!grown) {
		free(nf.name);
		free(nf.field_id);
		free(nf.section_id);
		return sesame_error_nomem();
	}
	it->files = grown;
	it->files[it->nfiles++] = nf;
	return 0;

field_exists:
	return sesame_error_set(SESAME_EEXISTS, "invalid_assignment",
				"cannot attach file '%s': the item has a field of that name",
				a->field);
}
