/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "error.h"
#include "inject/dotenv.h"

static void free_entry(dotenv_entry *e)
{
	free(e->key);
	if (e->value) {
		sodium_memzero(e->value, strlen(e->value));
		free(e->value);
	}
}

void dotenv_free(dotenv *env)
{
	for (size_t i = 0; i < env->n; i++)
		free_entry(&env->entries[i]);
	free(env->entries);
	env->entries = NULL;
	env->n = 0;
}

const char *dotenv_get(const dotenv *env, const char *key)
{
	for (size_t i = 0; i < env->n; i++)
		if (strcmp(env->entries[i].key, key) == 0)
			return env->entries[i].value;
	return NULL;
}

static int set_owned(dotenv *env, char *key, char *value)
{
	for (size_t i = 0; i < env->n; i++) {
		if (strcmp(env->entries[i].key, key) == 0) {
			free_entry(&env->entries[i]);
			env->entries[i].key = key;
			env->entries[i].value = value;
			return 0;
		}
	}
	if (env->n == DOTENV_MAX_ENTRIES)
		return sesame_error_set(SESAME_ETOOBIG, "invalid_env_file",
					"more than %d variables", DOTENV_MAX_ENTRIES);
	dotenv_entry *n = realloc(env->entries, (env->n + 1) * sizeof *n);
	if (!n)
		return sesame_error_nomem();
	env->entries = n;
	env->entries[env->n++] = (dotenv_entry){key, value};
	return 0;
}

int dotenv_set(dotenv *env, const char *key, const char *value)
{
	char *k = strdup(key), *v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return sesame_error_nomem();
	}
	int rc = set_owned(env, k, v);
	if (rc) {
		free(k);
		sodium_memzero(v, strlen(v));
		free(v);
	}
	return rc;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Parses one value starting at text[*pos]; advances past the line. */
static int parse_value(sbuf *v, const char *text, size_t len, size_t *pos, unsigned *line,
		       const char *name, unsigned start_line)
{
	size_t i = *pos;
	int rc = 0;

	if (i < len && (text[i] == '\'' || text[i] == '"')) {
		char q = text[i++];
		for (;;) {
			if (i >= len)
				return sesame_error_set(SESAME_EINVAL, "invalid_env_file",
							"%s:%u: unterminated %s-quoted value", name,
							start_line, q == '"' ? "double" : "single");
			char c = text[i++];
			if (c == q)
				break;
			if (c == '\n')
				(*line)++;
			if (q == '"' && c == '\\' && i < len) {
				char e = text[i++];
				switch (e) {
				case 'n': c = '\n'; break;
				case 'r': c = '\r'; break;
				case 't': c = '\t'; break;
				case '"': case '\\': case '$': c = e; break;
				default:
					/* Unknown escapes stay as written. */
					rc = sbuf_addc(v, '\\');
					c = e;
					if (e == '\n')
						(*line)++;
				}
			}
			if (rc || (rc = sbuf_addc(v, c)))
				return sesame_error_set(rc, "invalid_env_file",
							"%s:%u: value too large", name, start_line);
		}
		while (i < len && is_blank(text[i]))
			i++;
		if (i < len && text[i] != '\n' && text[i] != '#')
			return sesame_error_set(SESAME_EINVAL, "invalid_env_file",
						"%s:%u: unexpected text after the closing quote", name,
						*line);
		while (i < len && text[i] != '\n')
			i++;
	} else {
		size_t start = i, end;
		while (i < len && text[i] != '\n') {
			if (text[i] == '#' && i > start && is_blank(text[i - 1]))
				break;
			i++;
		}
		end = i;
		while (i < len && text[i] != '\n')
			i++;
		while (end > start && is_blank(text[end - 1]))
			end--;
		if ((rc = sbuf_add(v, text + start, end - start)))
			return sesame_error_set(rc, "invalid_env_file", "%s:%u: value too large",
						name, start_line);
	}
	*pos = i;
	return 0;
}

int dotenv_parse(dotenv *out, const char *text, size_t len, const char *name)
{
	unsigned line = 1;
	size_t i = 0;
	int rc = 0;

	/* One scratch buffer for every value: secure memory is costly to map. */
	sbuf v = SBUF_INIT_SECURE(DOTENV_MAX_VALUE_BYTES);

	out->entries = NULL;
	out->n = 0;
	while (i < len && !rc) {
		while (i < len && is_blank(text[i]))
			i++;
		if (i < len && text[i] == '\n') {
			i++;
			line++;
			continue;
		}
		if (i < len && text[i] == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (i >= len)
			break;
		if (len - i > 7 && memcmp(text + i, "export", 6) == 0 && is_blank(text[i + 6])) {
			i += 6;
			while (i < len && is_blank(text[i]))
				i++;
		}
		size_t kstart = i;
		/* "export" then blanks to the end of the input: no name at all. */
		if (i >= len || !(isalpha((unsigned char)text[i]) || text[i] == '_'))
			rc = sesame_error_set(SESAME_EINVAL, "invalid_env_file",
					      "%s:%u: a variable name must start with a letter or '_'",
					      name, line);
		while (!rc && i < len && (isalnum((unsigned char)text[i]) || text[i] == '_'))
			i++;
		size_t kend = i;
		while (!rc && i < len && is_blank(text[i]))
			i++;
		if (!rc && (i >= len || text[i] != '='))
			rc = sesame_error_set(SESAME_EINVAL, "invalid_env_file",
					      "%s:%u: expected '=' after '%.*s'", name, line,
					      (int)(kend - kstart > 64 ? 64 : kend - kstart),
					      text + kstart);
		if (rc)
			break;
		i++;
		while (i < len && is_blank(text[i]))
			i++;
		unsigned start_line = line;
		sbuf_reset(&v);
		rc = parse_value(&v, text, len, &i, &line, name, start_line);
		if (rc)
			break;
		char *key = strndup(text + kstart, kend - kstart);
		char *value = malloc(v.len + 1);
		if (!key || !value) {
			free(key);
			free(value);
			rc = sesame_error_nomem();
			break;
		}
		memcpy(value, sbuf_cstr(&v), v.len + 1);
		rc = set_owned(out, key, value);
		if (rc) {
			free(key);
			sodium_memzero(value, strlen(value));
			free(value);
		}
	}
	sbuf_free(&v);
	if (rc)
		dotenv_free(out);
	return rc;
}
