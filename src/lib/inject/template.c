/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "inject/template.h"
#include "sesame/reference.h"

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Characters an unenclosed reference may contain (op's set, plus the
 * path and query punctuation a reference needs). */
static bool is_unenclosed_char(char c)
{
	return isalnum((unsigned char)c) || strchr("-_./?=&", c) != NULL;
}

/* op: a reference is not recognised right after these characters. */
static bool blocks_reference(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '+' || c == '\\' || c == '.';
}

/*
 * Length of the variable syntax starting at s[0] == '$' (within len), or
 * 0 when it is a literal '$'. Sets *bad for "${" without a closing '}'.
 */
static size_t var_length(const char *s, size_t len, bool *bad)
{
	*bad = false;
	if (len >= 2 && s[1] == '{') {
		const char *close = memchr(s + 2, '}', len - 2);
		if (!close) {
			*bad = true;
			return 0;
		}
		return (size_t)(close - s) + 1;
	}
	size_t n = 1;
	if (n < len && is_name_start(s[n]))
		while (n < len && is_name_char(s[n]))
			n++;
	return n > 1 ? n : 0;
}

int template_expand_vars(sbuf *out, const char *in, size_t len, template_getenv_fn getenv_fn,
			 void *ctx)
{
	char name[256];
	int rc = 0;

	for (size_t i = 0; i < len && !rc;) {
		bool bad;
		size_t vlen = in[i] == '$' ? var_length(in + i, len - i, &bad) : 0;
		if (in[i] == '$' && bad)
			return sesame_error_set(SESAME_EINVAL, "invalid_template",
						"unterminated '${' in reference");
		if (vlen == 0) {
			rc = sbuf_addc(out, in[i++]);
			continue;
		}
		const char *body = in + i + 1, *deflt = NULL;
		size_t blen = vlen - 1, dlen = 0;
		if (*body == '{') {
			body++;
			blen -= 2;
			const char *sep = NULL;
			for (size_t k = 0; k + 1 < blen; k++)
				if (body[k] == ':' && body[k + 1] == '-') {
					sep = body + k;
					break;
				}
			if (sep) {
				deflt = sep + 2;
				dlen = blen - (size_t)(deflt - body);
				blen = (size_t)(sep - body);
			}
			bool valid = blen > 0 && is_name_start(body[0]);
			for (size_t k = 1; valid && k < blen; k++)
				valid = is_name_char(body[k]);
			if (!valid)
				return sesame_error_set(SESAME_EINVAL, "invalid_template",
							"malformed variable '%.*s' in reference",
							(int)(vlen > 64 ? 64 : vlen), in + i);
		}
		if (blen >= sizeof name)
			return sesame_error_set(SESAME_EINVAL, "invalid_template",
						"variable name too long in reference");
		memcpy(name, body, blen);
		name[blen] = '\0';
		const char *value = getenv_fn ? getenv_fn(ctx, name) : NULL;
		if (deflt && (!value || !*value))
			rc = sbuf_add(out, deflt, dlen);
		else if (value)
			rc = sbuf_adds(out, value);
		else
			return sesame_error_set(SESAME_EINVAL, "unset_variable",
						"environment variable '%s' is not set", name);
		i += vlen;
	}
	return rc ? sesame_error_set(rc, NULL, "reference too long after expanding variables") : 0;
}

void template_scan_free(template_scan_result *r)
{
	for (size_t i = 0; i < r->nrefs; i++)
		free(r->refs[i].reference);
	free(r->refs);
	r->refs = NULL;
	r->nrefs = 0;
}

static int add_ref(template_scan_result *r, size_t *cap, size_t start, size_t end, const char *ref,
		   size_t ref_len, unsigned line, template_getenv_fn getenv_fn, void *ctx)
{
	sbuf expanded = SBUF_INIT(TEMPLATE_MAX_REF_BYTES);
	int rc;

	if (r->nrefs == TEMPLATE_MAX_REFS)
		return sesame_error_set(SESAME_ETOOBIG, "invalid_template",
					"template has more than %d references", TEMPLATE_MAX_REFS);
	rc = template_expand_vars(&expanded, ref, ref_len, getenv_fn, ctx);
	if (rc) {
		sbuf_free(&expanded);
		return sesame_error_prefix("line %u", line);
	}
	if (sesame_reference_validate(sbuf_cstr(&expanded)) != 0) {
		sbuf_free(&expanded);
		return sesame_error_prefix("line %u", line);
	}
	if (r->nrefs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		template_ref *n = realloc(r->refs, ncap * sizeof *n);
		if (!n) {
			sbuf_free(&expanded);
			return sesame_error_nomem();
		}
		r->refs = n;
		*cap = ncap;
	}
	char *copy = expanded.ptr ? sbuf_detach(&expanded, NULL) : strdup("");
	if (!copy)
		return sesame_error_nomem();
	r->refs[r->nrefs++] = (template_ref){start, end, copy, line};
	return 0;
}

int template_scan(template_scan_result *out, const char *text, size_t len,
		  template_getenv_fn getenv_fn, void *ctx)
{
	static const char scheme[] = "op://";
	const size_t slen = sizeof scheme - 1;
	size_t cap = 0;
	unsigned line = 1;
	int rc = 0;

	out->refs = NULL;
	out->nrefs = 0;
	for (size_t i = 0; i < len && !rc;) {
		if (text[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (text[i] == '{' && i + 1 < len && text[i + 1] == '{') {
			/* Enclosed: "{{" spaces "op://..." spaces "}}" on one line. */
			size_t j = i + 2;
			while (j < len && text[j] == ' ')
				j++;
			size_t close = j;
			while (close + 1 < len && text[close] != '\n' &&
			       !(text[close] == '}' && text[close + 1] == '}'))
				close++;
			bool found = close + 1 < len && text[close] == '}' && text[close + 1] == '}';
			if (found && close - j >= slen && memcmp(text + j, scheme, slen) == 0) {
				size_t end = close;
				while (end > j && text[end - 1] == ' ')
					end--;
				rc = add_ref(out, &cap, i, close + 2, text + j, end - j, line, getenv_fn,
					     ctx);
				i = close + 2;
				continue;
			}
			i += 2;
			continue;
		}
		if (len - i >= slen && memcmp(text + i, scheme, slen) == 0 &&
		    (i == 0 || !blocks_reference(text[i - 1]))) {
			size_t j = i + slen;
			while (j < len) {
				bool bad;
				if (text[j] == '$') {
					size_t v = var_length(text + j, len - j, &bad);
					if (bad || v == 0)
						break;
					j += v;
				} else if (is_unenclosed_char(text[j])) {
					j++;
				} else {
					break;
				}
			}
			rc = add_ref(out, &cap, i, j, text + i, j - i, line, getenv_fn, ctx);
			i = j;
			continue;
		}
		i++;
	}
	if (rc)
		template_scan_free(out);
	return rc;
}

int template_render(sbuf *out, const char *text, size_t len, const template_scan_result *r,
		    const char *const *values, const size_t *value_lens)
{
	size_t at = 0;
	int rc = 0;
	for (size_t i = 0; i < r->nrefs && !rc; i++) {
		rc = sbuf_add(out, text + at, r->refs[i].start - at);
		if (!rc)
			rc = sbuf_add(out, values[i], value_lens[i]);
		at = r->refs[i].end;
	}
	if (!rc)
		rc = sbuf_add(out, text + at, len - at);
	return rc ? sesame_error_set(rc, NULL, "rendered template is too large") : 0;
}
