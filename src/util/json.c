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

const char *sjson_unknown_key(const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *value;
	size_t known = 0;

	/*
	 * Keys are unique, so when as many allowed keys are present as the
	 * object has, none is unknown: a hash lookup per allowed key instead
	 * of comparing every key with every allowed one. The slow walk below
	 * only runs to name the unknown key.
	 */
	for (size_t i = 0; allowed[i]; i++)
		known += json_object_get(obj, allowed[i]) != NULL;
	if (known == json_object_size(obj))
		return NULL;
	json_object_foreach((json_t *)obj, key, value) {
		bool found = false;
		(void)value;
		for (size_t i = 0; allowed[i]; i++) {
			if (strcmp(key, allowed[i]) == 0) {
				found = true;
				break;
			}
		}
		if (!found)
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
