/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sjson_dump(): compact JSON text of a jansson value, byte for byte what
 * json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)
 * writes (checked by tests/fuzz/json_fuzzer.c), but copying runs of plain
 * string bytes at once where jansson escapes through a callback per
 * character: the body of a 100-item resolve answer took a third of the
 * server's time to dump (docs/decisions.md §10).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

#define DUMP_MAX_DEPTH 2048 /* jansson's own parse limit; our values are far shallower */
#define DUMP_MAX_BYTES ((size_t)1 << 30)

/* Bytes written as they are inside a string: not '"', '\\' or a control. */
static const unsigned char verbatim[256] = {
#define R8(v) v, v, v, v, v, v, v, v
	R8(0), R8(0), R8(0), R8(0),				/* 0x00-0x1f */
	1,     1,     0,     1,	    1,	   1,	  1,	 1,	/* 0x20-0x27: '"' */
	R8(1), R8(1), R8(1), R8(1), R8(1), R8(1),		/* 0x28-0x57 */
	1,     1,     1,     1,	    0,	   1,	  1,	 1,	/* 0x58-0x5f: '\\' */
	R8(1), R8(1), R8(1), R8(1),				/* 0x60-0x7f */
	R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), /* UTF-8 as it is */
	R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), R8(1),
#undef R8
};

int sjson_put_string(sbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	if (sbuf_grow(b, n + 2))
		return -1;
	b->ptr[b->len++] = '"';
	while (p < end) {
		const unsigned char *run = p;
		while (p < end && verbatim[*p])
			p++;
		if (p > run && sbuf_add(b, run, (size_t)(p - run)))
			return -1;
		if (p == end)
			break;
		char esc[8];
		switch (*p) {
		case '"':
			memcpy(esc, "\\\"", 3);
			break;
		case '\\':
			memcpy(esc, "\\\\", 3);
			break;
		case '\b':
			memcpy(esc, "\\b", 3);
			break;
		case '\f':
			memcpy(esc, "\\f", 3);
			break;
		case '\n':
			memcpy(esc, "\\n", 3);
			break;
		case '\r':
			memcpy(esc, "\\r", 3);
			break;
		case '\t':
			memcpy(esc, "\\t", 3);
			break;
		default:
			snprintf(esc, sizeof esc, "\\u%04X", *p);
			break;
		}
		if (sbuf_adds(b, esc))
			return -1;
		p++;
	}
	return sbuf_addc(b, '"');
}

/*
 * jansson's dtostr: "%.17g" with '.' whatever the locale, ".0" appended
 * when it looks integral, and the exponent without '+' or leading zeros
 * ("1e+20" -> "1e20", "1e-05" -> "1e-5").
 */
static int put_real(sbuf *b, double d)
{
	const char *point = localeconv()->decimal_point;
	char s[64];
	int n = snprintf(s, sizeof s, "%.17g", d);

	if (n < 0 || (size_t)n + 3 >= sizeof s)
		return -1;
	if (point && point[0] && point[0] != '.' && !point[1]) {
		char *pt = strchr(s, point[0]);
		if (pt)
			*pt = '.';
	}
	if (!strchr(s, '.') && !strchr(s, 'e'))
		memcpy(s + n, ".0", 3);
	char *e = strchr(s, 'e');
	if (e) {
		char *start = e + 1, *digits = e + 2;
		if (*start == '-')
			start++;
		while (*digits == '0')
			digits++;
		if (digits != start)
			memmove(start, digits, strlen(digits) + 1);
	}
	return sbuf_adds(b, s);
}

static int put_value(sbuf *b, const json_t *v, int depth)
{
	if (depth > DUMP_MAX_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *m;
		bool first = true;
		if (sbuf_addc(b, '{'))
			return -1;
		json_object_foreach((json_t *)v, key, m)
		{
			if ((!first && sbuf_addc(b, ',')) ||
			    sjson_put_string(b, key, strlen(key)) || sbuf_addc(b, ':') ||
			    put_value(b, m, depth + 1))
				return -1;
			first = false;
		}
		return sbuf_addc(b, '}');
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		if (sbuf_addc(b, '['))
			return -1;
		for (size_t i = 0; i < n; i++)
			if ((i && sbuf_addc(b, ',')) ||
			    put_value(b, json_array_get(v, i), depth + 1))
				return -1;
		return sbuf_addc(b, ']');
	}
	case JSON_STRING:
		return sjson_put_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return sbuf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL: {
		double d = json_real_value(v);
		if (d != d || d - d != 0)
			return -1; /* NaN or infinity: not JSON */
		return put_real(b, d);
	}
	case JSON_TRUE:
		return sbuf_adds(b, "true");
	case JSON_FALSE:
		return sbuf_adds(b, "false");
	case JSON_NULL:
		return sbuf_adds(b, "null");
	}
	return -1;
}

static char *dump(const json_t *v, bool wiped)
{
	sbuf b;

	if (!v)
		return NULL;
	if (wiped)
		sbuf_init_wiped(&b, DUMP_MAX_BYTES);
	else
		sbuf_init(&b, DUMP_MAX_BYTES);
	if (sbuf_grow(&b, 256) || put_value(&b, v, 0)) {
		sbuf_free(&b);
		return NULL;
	}
	return b.ptr; /* heap memory: the caller free()s it */
}

char *sjson_dump(const json_t *v)
{
	return dump(v, false);
}

char *sjson_dump_wiped(const json_t *v)
{
	return dump(v, true);
}
