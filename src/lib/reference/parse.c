/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret reference parser: op://<vault>/<item>/[<section>/]<field>[?<query>].
 *
 * One pass over the text computes where every part starts and ends
 * (struct layout) without allocating; sesame_reference_validate() stops
 * there, sesame_reference_parse() then copies the parts into one block.
 * docs/internals/reference.md describes the grammar and its decisions.
 */
#include <stdlib.h>
#include <string.h>

#include "sesame/reference.h"
#include "error.h"
#include "reference/resolve.h"

#define SCHEME     "op://"
#define SCHEME_LEN 5
#define KIND       "invalid_reference"
#define FORMAT_MSG                                                                                 \
	"secret reference has invalid format - must be \"op://<vault>/<item>/[section/]field\""

/* How much of a quoted subject goes into a message before "...". */
#define QUOTE_MAX 80

enum { PART_VAULT, PART_ITEM, PART_SECTION, PART_FIELD, PART_COUNT };

static const char *const part_label[PART_COUNT] = {"vault", "item", "section", "field"};

struct span {
	size_t off, len;
};

struct layout {
	struct span part[PART_COUNT]; /* section.len == 0: no section part */
	bool has_section;
	sesame_reference_attr attr;
	bool ssh_openssh;
};

struct sesame_reference {
	const char *part[PART_COUNT]; /* section NULL when absent */
	sesame_reference_attr attr;
	bool ssh_openssh;
	char text[]; /* the path, with a NUL after each part */
};

static const struct {
	const char *name;
	sesame_reference_attr attr;
} attr_names[] = {
    {"value", SESAME_REFERENCE_ATTR_VALUE},     {"type", SESAME_REFERENCE_ATTR_TYPE},
    {"id", SESAME_REFERENCE_ATTR_ID},           {"purpose", SESAME_REFERENCE_ATTR_PURPOSE},
    {"otp", SESAME_REFERENCE_ATTR_OTP},         {"totp", SESAME_REFERENCE_ATTR_OTP},
    {"content", SESAME_REFERENCE_ATTR_CONTENT}, {"size", SESAME_REFERENCE_ATTR_SIZE},
    {"name", SESAME_REFERENCE_ATTR_NAME},
};

static bool is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == ' ';
}

static unsigned char ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Case-insensitive (ASCII) comparison of a counted string with a word. */
static bool span_is(const char *s, size_t n, const char *word)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (word[i] == '\0' || ascii_lower((unsigned char)s[i]) != (unsigned char)word[i])
			return false;
	return word[i] == '\0';
}

/*
 * Writes `s[0..n)` for a message: printable ASCII as is, other bytes as
 * \xNN, and at most QUOTE_MAX input bytes followed by "...".
 */
static void quote(char *dst, size_t cap, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	bool cut = n > QUOTE_MAX;
	if (cut)
		n = QUOTE_MAX;
	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	if (cut && o + 4 < cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

#define QUOTE_BUF (QUOTE_MAX * 4 + 8)

/* Sets the error "<before>'<quoted s>'<after>". */
static int bad(const char *before, const char *s, size_t n, const char *after)
{
	char q[QUOTE_BUF];
	quote(q, sizeof q, s, n);
	return sesame_error_set(SESAME_EINVAL, KIND, "%s'%s'%s", before, q, after);
}

static int check_part(const char *text, const struct span *sp, int which)
{
	const char *s = text + sp->off;
	if (sp->len == 0)
		return sesame_error_set(SESAME_EINVAL, KIND, FORMAT_MSG ": the %s name is empty",
		                        part_label[which]);
	for (size_t i = 0; i < sp->len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_name_char(c))
			continue;
		char qc[8], qp[QUOTE_BUF];
		quote(qc, sizeof qc, s + i, 1);
		quote(qp, sizeof qp, s, sp->len);
		return sesame_error_set(SESAME_EINVAL, KIND,
		                        "invalid character '%s' in %s name '%s'", qc,
		                        part_label[which], qp);
	}
	return 0;
}

static int parse_attr(struct layout *l, const char *v, size_t n)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
		if (span_is(v, n, attr_names[i].name)) {
			l->attr = attr_names[i].attr;
			return 0;
		}
	}
	return bad("unknown attribute ", v, n, "");
}

static int parse_query(struct layout *l, const char *q, size_t qlen)
{
	bool seen_attr = false, seen_ssh = false;
	size_t pos = 0;

	if (qlen == 0)
		return sesame_error_set(SESAME_EINVAL, KIND,
		                        "secret reference has an empty query after '?'");
	for (;;) {
		const char *p = q + pos;
		const char *amp = memchr(p, '&', qlen - pos);
		size_t plen = amp ? (size_t)(amp - p) : qlen - pos;
		if (plen == 0)
			return sesame_error_set(SESAME_EINVAL, KIND,
			                        "empty query parameter in secret reference");
		const char *eq = memchr(p, '=', plen);
		if (!eq)
			return bad("query parameter ", p, plen, " has no value");
		size_t klen = (size_t)(eq - p), vlen = plen - klen - 1;
		const char *v = eq + 1;
		if (klen == 0)
			return sesame_error_set(SESAME_EINVAL, KIND, "query parameter has no name");
		if (span_is(p, klen, "attribute") || span_is(p, klen, "attr")) {
			if (seen_attr)
				return bad("repeated query parameter ", p, klen, "");
			seen_attr = true;
			if (vlen == 0)
				return bad("empty value for query parameter ", p, klen, "");
			int rc = parse_attr(l, v, vlen);
			if (rc)
				return rc;
		} else if (span_is(p, klen, "ssh-format")) {
			if (seen_ssh)
				return bad("repeated query parameter ", p, klen, "");
			seen_ssh = true;
			if (vlen == 0)
				return bad("empty value for query parameter ", p, klen, "");
			if (!span_is(v, vlen, "openssh"))
				return bad("unknown ssh-format ", v, vlen,
				           ", only 'openssh' is supported");
			l->ssh_openssh = true;
		} else {
			return bad("unknown query parameter ", p, klen, "");
		}
		if (!amp)
			break;
		pos += plen + 1;
	}
	if (l->ssh_openssh && l->attr != SESAME_REFERENCE_ATTR_VALUE)
		return sesame_error_set(SESAME_EINVAL, KIND,
		                        "query parameter 'ssh-format' cannot be combined with "
		                        "attribute '%s'",
		                        sesame_reference_attr_name(l->attr));
	return 0;
}

static int parse_layout(struct layout *l, const char *text)
{
	memset(l, 0, sizeof *l);
	l->attr = SESAME_REFERENCE_ATTR_VALUE;
	if (!text)
		return sesame_error_set(SESAME_EINVAL, KIND, "secret reference is NULL");
	size_t len = strnlen(text, SESAME_REFERENCE_MAX_BYTES + 1);
	if (len > SESAME_REFERENCE_MAX_BYTES)
		return sesame_error_set(SESAME_ETOOBIG, KIND,
		                        "secret reference is too long (more than %d bytes)",
		                        SESAME_REFERENCE_MAX_BYTES);
	if (len < SCHEME_LEN || memcmp(text, SCHEME, SCHEME_LEN) != 0)
		return sesame_error_set(SESAME_EINVAL, KIND,
		                        "secret reference is not prefixed with \"op://\"");

	const char *qmark = memchr(text, '?', len);
	size_t path_end = qmark ? (size_t)(qmark - text) : len;

	/* Split the path at '/'. At most 4 parts; count past that for the error. */
	struct span sp[PART_COUNT];
	size_t nparts = 0, start = SCHEME_LEN;
	for (size_t i = SCHEME_LEN; i <= path_end; i++) {
		if (i < path_end && text[i] != '/')
			continue;
		if (nparts == PART_COUNT)
			return sesame_error_set(SESAME_EINVAL, KIND,
			                        FORMAT_MSG
			                        ": too many parts (a name that "
			                        "contains '/' must be written as its id)");
		sp[nparts].off = start;
		sp[nparts].len = i - start;
		nparts++;
		start = i + 1;
	}
	if (nparts < 3)
		return sesame_error_set(SESAME_EINVAL, KIND, FORMAT_MSG);

	l->part[PART_VAULT] = sp[0];
	l->part[PART_ITEM] = sp[1];
	if (nparts == 4) {
		l->has_section = true;
		l->part[PART_SECTION] = sp[2];
		l->part[PART_FIELD] = sp[3];
	} else {
		l->part[PART_FIELD] = sp[2];
	}
	for (int p = 0; p < PART_COUNT; p++) {
		if (p == PART_SECTION && !l->has_section)
			continue;
		int rc = check_part(text, &l->part[p], p);
		if (rc)
			return rc;
	}
	if (qmark)
		return parse_query(l, qmark + 1, len - path_end - 1);
	return 0;
}

int sesame_reference_validate(const char *text)
{
	struct layout l;
	return parse_layout(&l, text);
}

int sesame_reference_parse(sesame_reference **out, const char *text)
{
	struct layout l;
	if (!out)
		return sesame_error_set(SESAME_EINVAL, KIND, "output pointer is NULL");
	*out = NULL;
	int rc = parse_layout(&l, text);
	if (rc)
		return rc;

	size_t total = 0;
	for (int p = 0; p < PART_COUNT; p++)
		total += l.part[p].len + 1;
	sesame_reference *ref = malloc(sizeof *ref + total);
	if (!ref)
		return sesame_error_nomem();
	char *dst = ref->text;
	for (int p = 0; p < PART_COUNT; p++) {
		if (p == PART_SECTION && !l.has_section) {
			ref->part[p] = NULL;
			continue;
		}
		memcpy(dst, text + l.part[p].off, l.part[p].len);
		dst[l.part[p].len] = '\0';
		ref->part[p] = dst;
		dst += l.part[p].len + 1;
	}
	ref->attr = l.attr;
	ref->ssh_openssh = l.ssh_openssh;
	*out = ref;
	return 0;
}

void sesame_reference_free(sesame_reference *ref)
{
	free(ref);
}

const char *sesame_reference_vault(const sesame_reference *ref)
{
	return ref ? ref->part[PART_VAULT] : NULL;
}

const char *sesame_reference_item(const sesame_reference *ref)
{
	return ref ? ref->part[PART_ITEM] : NULL;
}

const char *sesame_reference_section(const sesame_reference *ref)
{
	return ref ? ref->part[PART_SECTION] : NULL;
}

const char *sesame_reference_field(const sesame_reference *ref)
{
	return ref ? ref->part[PART_FIELD] : NULL;
}

sesame_reference_attr sesame_reference_attribute(const sesame_reference *ref)
{
	return ref ? ref->attr : SESAME_REFERENCE_ATTR_VALUE;
}

int sesame_reference_ssh_format_openssh(const sesame_reference *ref)
{
	return ref && ref->ssh_openssh ? 1 : 0;
}

const char *sesame_reference_attr_name(sesame_reference_attr attr)
{
	/* The first spelling in the table is the canonical one. */
	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (attr_names[i].attr == attr)
			return attr_names[i].name;
	return NULL;
}

bool ref_part_is_id(const char *part)
{
	size_t n = 0;
	if (!part)
		return false;
	for (; part[n]; n++) {
		unsigned char c = (unsigned char)part[n];
		if (n == REF_ID_LEN || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
	}
	return n == REF_ID_LEN;
}
