/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "client/opjson.h"
#include "error.h"
#include "item/item_json.h"

void opjson_time(char out[32], int64_t t)
{
	if (t <= 0 || item_time_format(out, t) != 0)
		out[0] = '\0';
}

/* Names that can appear unquoted in a reference path segment. */
static bool ref_safe(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == '"' || *s == '\\' || *s == '=' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

int opjson_reference(char *out, size_t cap, const item *it, const item_field *f,
		     const char *vault_name)
{
	const char *v = ref_safe(vault_name) ? vault_name : it->vault_id;
	const char *i = ref_safe(it->title) ? it->title : it->id;
	const char *fl = ref_safe(f->title) ? f->title : f->id;
	const item_section *sec =
		f->section_id && *f->section_id ? item_section_by_id(it, f->section_id) : NULL;
	int n;

	if (sec) {
		const char *sl = ref_safe(sec->title) ? sec->title : sec->id;
		n = snprintf(out, cap, "op://%s/%s/%s/%s", v, i, sl, fl);
	} else {
		n = snprintf(out, cap, "op://%s/%s/%s", v, i, fl);
	}
	if (n < 0 || (size_t)n >= cap)
		return sesame_error_set(SESAME_EBUFSIZE, NULL, "reference is too long");
	return 0;
}

static const char *purpose_name(field_purpose p)
{
	switch (p) {
	case FIELD_PURPOSE_USERNAME:
		return "USERNAME";
	case FIELD_PURPOSE_PASSWORD:
		return "PASSWORD";
	case FIELD_PURPOSE_NOTES:
		return "NOTES";
	default:
		return NULL;
	}
}

json_t *opjson_field(const item *it, const item_field *f, const char *vault_name)
{
	char ref[4096];
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "type", json_string(field_type_op_name(f->type)));
	if (purpose_name(f->purpose))
		json_object_set_new(o, "purpose", json_string(purpose_name(f->purpose)));
	json_object_set_new(o, "label", json_string(f->title ? f->title : f->id));
	json_object_set_new(o, "value", json_string(f->value ? f->value : ""));
	if (f->section_id && *f->section_id) {
		const item_section *sec = item_section_by_id(it, f->section_id);
		json_object_set_new(o, "section",
				    json_pack("{s:s,s:s}", "id", f->section_id, "label",
					      sec && sec->title ? sec->title : ""));
	}
	if (opjson_reference(ref, sizeof ref, it, f, vault_name) == 0)
		json_object_set_new(o, "reference", json_string(ref));
	return o;
}

json_t *opjson_file(const item *it, const item_file *f)
{
	char path[160];
	json_t *o = json_object();

	if (!o)
		return NULL;
	snprintf(path, sizeof path, "/v1/vaults/%s/items/%s/files/%s/content", it->vault_id, it->id,
		 f->id);
	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "name", json_string(f->name ? f->name : ""));
	json_object_set_new(o, "size", json_integer((json_int_t)f->size));
	json_object_set_new(o, "content_path", json_string(path));
	if (f->section_id && *f->section_id) {
		const item_section *sec = item_section_by_id(it, f->section_id);
		json_object_set_new(o, "section",
				    json_pack("{s:s,s:s}", "id", f->section_id, "label",
					      sec && sec->title ? sec->title : ""));
	}
	return o;
}

bool opjson_has_notes_field(const item *it)
{
	return it->notes || it->category == ITEM_CATEGORY_LOGIN ||
	       it->category == ITEM_CATEGORY_SECURE_NOTE || it->category == ITEM_CATEGORY_PASSWORD;
}

static void add_common(json_t *o, const item *it, const char *vault_name)
{
	char t[32];
	json_object_set_new(o, "id", json_string(it->id));
	json_object_set_new(o, "title", json_string(it->title));
	json_object_set_new(o, "version", json_integer((json_int_t)it->version));
	json_object_set_new(
		o, "vault",
		json_pack("{s:s,s:s}", "id", it->vault_id, "name", vault_name ? vault_name : ""));
	json_object_set_new(o, "category", json_string(item_category_op_name(it->category)));
	if (it->ntags) {
		json_t *tags = json_array();
		for (size_t i = 0; i < it->ntags; i++)
			json_array_append_new(tags, json_string(it->tags[i]));
		json_object_set_new(o, "tags", tags);
	}
	if (it->state == ITEM_STATE_ARCHIVED)
		json_object_set_new(o, "state", json_string("ARCHIVED"));
	opjson_time(t, it->created_at);
	json_object_set_new(o, "created_at", json_string(t));
	opjson_time(t, it->updated_at);
	json_object_set_new(o, "updated_at", json_string(t));
	if (it->nwebsites) {
		json_t *urls = json_array();
		for (size_t i = 0; i < it->nwebsites; i++) {
			json_t *u = json_object();
			if (it->websites[i].label && *it->websites[i].label)
				json_object_set_new(u, "label", json_string(it->websites[i].label));
			json_object_set_new(u, "primary", json_boolean(i == 0));
			json_object_set_new(u, "href", json_string(it->websites[i].url));
			json_array_append_new(urls, u);
		}
		json_object_set_new(o, "urls", urls);
	}
}

json_t *opjson_item_overview(const item *it, const char *vault_name)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	add_common(o, it, vault_name);
	return o;
}

json_t *opjson_item(const item *it, const char *vault_name, const char *last_edited_by)
{
	json_t *o = json_object(), *fields;
	if (!o)
		return NULL;
	add_common(o, it, vault_name);
	if (last_edited_by && *last_edited_by)
		json_object_set_new(o, "last_edited_by", json_string(last_edited_by));
	if (it->nsections) {
		json_t *secs = json_array();
		for (size_t i = 0; i < it->nsections; i++) {
			json_t *so = json_pack("{s:s}", "id", it->sections[i].id);
			if (so && it->sections[i].title && *it->sections[i].title)
				json_object_set_new(so, "label",
						    json_string(it->sections[i].title));
			json_array_append_new(secs, so);
		}
		json_object_set_new(o, "sections", secs);
	}
	if (it->nfiles || it->document) {
		json_t *files = json_array();
		if (it->document)
			json_array_append_new(files, opjson_file(it, it->document));
		for (size_t i = 0; i < it->nfiles; i++)
			json_array_append_new(files, opjson_file(it, &it->files[i]));
		json_object_set_new(o, "files", files);
	}
	fields = json_array();
	for (size_t i = 0; i < it->nfields; i++)
		json_array_append_new(fields, opjson_field(it, &it->fields[i], vault_name));
	if (opjson_has_notes_field(it)) {
		item_field notes = {.id = "notesPlain",
				    .title = "notesPlain",
				    .type = FIELD_TYPE_TEXT,
				    .purpose = FIELD_PURPOSE_NOTES,
				    .value = it->notes ? it->notes : ""};
		json_array_append_new(fields, opjson_field(it, &notes, vault_name));
	}
	json_object_set_new(o, "fields", fields);
	return o;
}

json_t *opjson_vault(const client_vault *v, bool full)
{
	json_t *o = json_object();
	char type[24];
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_string(v->id));
	json_object_set_new(o, "name", json_string(v->name ? v->name : ""));
	if (full) {
		json_object_set_new(o, "description",
				    json_string(v->description ? v->description : ""));
		json_object_set_new(o, "attribute_version",
				    json_integer((json_int_t)v->attribute_version));
	}
	json_object_set_new(o, "content_version", json_integer((json_int_t)v->content_version));
	if (full) {
		for (i = 0; v->type[i] && i + 1 < sizeof type; i++)
			type[i] = (char)(v->type[i] >= 'a' && v->type[i] <= 'z' ? v->type[i] - 32
										: v->type[i]);
		type[i] = '\0';
		json_object_set_new(o, "type", json_string(type));
	}
	json_object_set_new(o, "created_at", json_string(v->created_at));
	json_object_set_new(o, "updated_at", json_string(v->updated_at));
	json_object_set_new(o, "items", json_integer(v->items));
	return o;
}
