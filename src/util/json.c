/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "sesame/errors.h"

int sjson_depth(const char *text, size_t len)
{
	int depth = 0, max = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return max;
}

json_t *sjson_parse(const char *text, size_t len, const sjson_limits *limits, int *code,
		    char *err, size_t errcap)
{
	size_t max_bytes = limits ? limits->max_bytes : 0;
	int max_depth = limits && limits->max_depth ? limits->max_depth : SJSON_DEFAULT_MAX_DEPTH;
	json_error_t jerr;
	json_t *root;

	if (max_bytes && len > max_bytes) {
		*code = SESAME_ETOOBIG;
		snprintf(err, errcap, "json is %zu bytes, more than the limit of %zu", len,
			 max_bytes);
		return NULL;
	}
	if (sjson_depth(text, len) > max_depth) {
		*code = SESAME_ETOOBIG;
		snprintf(err, errcap, "json nests deeper than %d levels", max_depth);
		return NULL;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		*code = SESAME_EINVAL;
		snprintf(err, errcap, "malformed json at line %d column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return NULL;
	}
	*code = 0;
	return root;
}

const char *sjson_unknown_key(const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)obj, key, value) {
		bool known = false;
		(void)value;
		for (size_t i = 0; allowed[i]; i++) {
			if (strcmp(key, allowed[i]) == 0) {
				known = true;
				break;
			}
		}
		if (!known)
			return key;
	}
	return NULL;
}

int sjson_get_string(const json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return SESAME_EINVAL;
	*out = json_string_value(v);
	return 0;
}

int sjson_get_bool(const json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return SESAME_EINVAL;
	*out = json_is_true(v);
	return 0;
}

int sjson_get_int(const json_t *obj, const char *key, long long *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return SESAME_EINVAL;
	*out = json_integer_value(v);
	return 0;
}

char *sjson_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}
