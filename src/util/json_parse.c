/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sjson_parse(): a strict JSON reader that builds jansson values.
 *
 * Why not json_loadb(): jansson's lexer moves every byte through a
 * per-character stream and string buffer, which made parsing the largest
 * cost of a batch resolve on both ends (docs/decisions.md §10). This
 * reader scans runs of plain bytes at once and hands each string to
 * jansson in one copy. It accepts exactly what json_loadb() accepted with
 * JSON_REJECT_DUPLICATES (checked by a differential fuzzer against jansson,
 * tests/fuzz/json_fuzzer.c):
 *
 * - RFC 8259 grammar; the top level must be an object or an array, and
 *   nothing but whitespace may follow it;
 * - strings are valid UTF-8 (no overlong forms, surrogates or code points
 *   above U+10FFFF), without raw control characters or NUL (\u0000 too);
 *   a \u escape of a surrogate must be a high-low pair;
 * - numbers without fraction or exponent are integers and must fit in
 *   json_int_t; the others are reals and must not overflow;
 * - duplicate object keys are refused; so is nesting deeper than the limit.
 *
 * Strings with escapes are decoded in a scratch buffer that is wiped: item
 * plaintext passes through here.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "json.h"
#include "sesame/errors.h"

typedef struct {
	const unsigned char *start, *p, *end;
	int depth, max_depth;
	int code;		  /* SESAME_E* of the first error, 0 while none */
	const char *reason;	  /* what went wrong, no input text in it */
	const unsigned char *pos; /* where */
	sbuf scratch;		  /* wiped: decoded escaped strings */
} reader;

static int fail(reader *r, const unsigned char *at, const char *reason)
{
	if (!r->code) {
		r->code = SESAME_EINVAL;
		r->reason = reason;
		r->pos = at;
	}
	return -1;
}

static int nomem(reader *r)
{
	if (!r->code) {
		r->code = SESAME_ENOMEM;
		r->reason = "out of memory";
		r->pos = r->p;
	}
	return -1;
}

static void skip_ws(reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

/*
 * Bytes that stand for themselves inside a string: printable ASCII other
 * than '"' and '\\'. Everything else takes the slow path.
 */
static const unsigned char plain[256] = {
#define R8(v) v, v, v, v, v, v, v, v
	R8(0), R8(0), R8(0), R8(0),			    /* 0x00-0x1f: control */
	1,     1,     0,     1,	    1,	   1,	  1,	 1, /* 0x20-0x27: '"' */
	R8(1), R8(1), R8(1), R8(1), R8(1), R8(1),	    /* 0x28-0x57 */
	1,     1,     1,     1,	    0,	   1,	  1,	 1, /* 0x58-0x5f: '\\' */
	R8(1), R8(1), R8(1), R8(1),			    /* 0x60-0x7f */
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

/*
 * The first byte at or after q that is not plain, or end. Eight bytes at a
 * time while they are all plain (the base64 ciphertext of a resolve answer
 * is hundreds of them per item), then byte by byte.
 */
static const unsigned char *skip_plain(const unsigned char *q, const unsigned char *end)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (end - q >= 8) {
		uint64_t x;
		memcpy(&x, q, 8);
		/* A byte is "found" when it is < 0x20, '"', '\\' or >= 0x80. */
		uint64_t ctl = (x - ones * 0x20) & ~x;
		uint64_t quote = ((x ^ (ones * '"')) - ones) & ~(x ^ (ones * '"'));
		uint64_t bslash = ((x ^ (ones * '\\')) - ones) & ~(x ^ (ones * '\\'));
		if ((ctl | quote | bslash | x) & highs)
			break;
		q += 8;
	}
	while (q < end && plain[*q])
		q++;
	return q;
}

/* Length of the valid UTF-8 sequence at s (first byte >= 0x80), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int put_utf8(sbuf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sbuf_add(b, u, n);
}

/* One escape sequence at q (q[0] == '\\') into the scratch buffer; returns its length. */
static size_t unescape(reader *r, const unsigned char *q)
{
	static const char simple_in[] = "\"\\/bfnrt", simple_out[] = "\"\\/\b\f\n\r\t";
	const unsigned char *end = r->end;
	unsigned cp, lo;

	if (end - q < 2)
		return fail(r, q, "premature end of input"), 0;
	const char *s = q[1] ? strchr(simple_in, q[1]) : NULL;
	if (s) {
		if (sbuf_addc(&r->scratch, simple_out[s - simple_in]))
			return nomem(r), 0;
		return 2;
	}
	if (q[1] != 'u')
		return fail(r, q, "invalid escape"), 0;
	if (end - q < 6 || hex4(q + 2, &cp))
		return fail(r, q, "invalid \\u escape"), 0;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(r, q, "invalid Unicode escape: a low surrogate alone"), 0;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (end - q < 12 || q[6] != '\\' || q[7] != 'u' || hex4(q + 8, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return fail(r, q, "invalid Unicode escape: a high surrogate alone"), 0;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		if (put_utf8(&r->scratch, cp))
			return nomem(r), 0;
		return 12;
	}
	if (cp == 0)
		return fail(r, q, "\\u0000 is not allowed"), 0;
	if (put_utf8(&r->scratch, cp))
		return nomem(r), 0;
	return 6;
}

/*
 * The string at r->p (its opening quote). *out points into the input when
 * it has no escapes, else into the scratch buffer (valid until the next
 * string).
 */
static int read_string(reader *r, const char **out, size_t *len)
{
	const unsigned char *s = r->p + 1, *q = s, *end = r->end;
	bool escaped = false;

	for (;;) {
		q = skip_plain(q, end);
		if (q >= end)
			return fail(r, r->p, "premature end of input in a string");
		if (*q == '"')
			break;
		if (*q == '\\') {
			if (!escaped) {
				sbuf_truncate(&r->scratch, 0); /* wipes what it held */
				escaped = true;
			}
			if (sbuf_add(&r->scratch, s, (size_t)(q - s)))
				return nomem(r);
			size_t n = unescape(r, q);
			if (!n)
				return -1;
			q += n;
			s = q;
			continue;
		}
		if (*q < 0x20)
			return fail(r, q, "control character in a string");
		size_t n = utf8_seq(q, end);
		if (!n)
			return fail(r, q, "invalid UTF-8 in a string");
		q += n;
	}
	if (escaped) {
		if (sbuf_add(&r->scratch, s, (size_t)(q - s)))
			return nomem(r);
		*out = r->scratch.ptr;
		*len = r->scratch.len;
	} else {
		*out = (const char *)s;
		*len = (size_t)(q - s);
	}
	r->p = q + 1;
	return 0;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A real in C syntax through strtod, with the locale's decimal point (as jansson). */
static json_t *real_value(reader *r, const unsigned char *s, size_t n)
{
	char stackbuf[64], *buf = stackbuf;
	const char *point = localeconv()->decimal_point;
	json_t *v = NULL;
	double d;

	if (n >= sizeof stackbuf && !(buf = malloc(n + 1))) {
		nomem(r);
		return NULL;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (point && point[0] && point[0] != '.' && !point[1]) {
		char *dot = strchr(buf, '.');
		if (dot)
			*dot = point[0];
	}
	errno = 0;
	d = strtod(buf, NULL);
	if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
		fail(r, s, "real number overflow");
	else if (!(v = json_real(d)))
		nomem(r);
	if (buf != stackbuf)
		free(buf);
	return v;
}

static json_t *read_number(reader *r)
{
	const unsigned char *s = r->p, *q = s, *end = r->end;
	bool neg = false, real = false;

	if (q < end && *q == '-') {
		neg = true;
		q++;
	}
	if (q >= end || !is_digit(*q))
		return fail(r, s, "invalid token"), NULL;
	if (*q == '0') {
		q++;
		if (q < end && is_digit(*q))
			return fail(r, s, "invalid token: leading zero"), NULL;
	} else {
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && *q == '.') {
		real = true;
		if (++q >= end || !is_digit(*q))
			return fail(r, s, "invalid token"), NULL;
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		real = true;
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || !is_digit(*q))
			return fail(r, s, "invalid token"), NULL;
		while (q < end && is_digit(*q))
			q++;
	}
	r->p = q;
	if (real)
		return real_value(r, s, (size_t)(q - s));

	/* Accumulated negatively, so that the most negative value fits. */
	json_int_t v = 0;
	for (const unsigned char *d = s + neg; d < q; d++) {
		int digit = *d - '0';
		if (v < (LLONG_MIN + digit) / 10)
			return fail(r, s, neg ? "too big negative integer" : "too big integer"),
			       NULL;
		v = v * 10 - digit;
	}
	if (!neg) {
		if (v == LLONG_MIN)
			return fail(r, s, "too big integer"), NULL;
		v = -v;
	}
	json_t *j = json_integer(v);
	if (!j)
		nomem(r);
	return j;
}

static json_t *read_value(reader *r);

static json_t *read_literal(reader *r)
{
	static const struct {
		const char *word;
		size_t len;
	} words[] = {{"true", 4}, {"false", 5}, {"null", 4}};
	const unsigned char *s = r->p;

	for (size_t i = 0; i < 3; i++) {
		size_t n = words[i].len;
		if ((size_t)(r->end - s) < n || memcmp(s, words[i].word, n) != 0)
			continue;
		/* "truex" is one invalid token, as in jansson's lexer. */
		if ((size_t)(r->end - s) > n &&
		    ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
			break;
		r->p = s + n;
		json_t *v = i == 0 ? json_true() : i == 1 ? json_false() : json_null();
		return v ? v : (nomem(r), NULL);
	}
	return fail(r, s, "invalid token"), NULL;
}

static int enter(reader *r)
{
	if (++r->depth > r->max_depth) {
		r->code = SESAME_ETOOBIG;
		r->reason = "too deep";
		r->pos = r->p;
		return -1;
	}
	return 0;
}

static json_t *read_object(reader *r)
{
	json_t *obj;

	if (enter(r))
		return NULL;
	if (!(obj = json_object()))
		return nomem(r), NULL;
	r->p++; /* '{' */
	skip_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		r->depth--;
		return obj;
	}
	for (;;) {
		const unsigned char *at = r->p;
		const char *key;
		size_t klen;
		json_t *v;

		if (r->p >= r->end || *r->p != '"') {
			fail(r, r->p, "string or '}' expected");
			goto bad;
		}
		if (read_string(r, &key, &klen))
			goto bad;
		if (json_object_getn(obj, key, klen)) {
			fail(r, at, "duplicate object key");
			goto bad;
		}
		/* A key in the scratch buffer would be overwritten by the value's strings. */
		char stackkey[128], *k = (char *)key;
		if (key == r->scratch.ptr) {
			k = klen < sizeof stackkey ? stackkey : malloc(klen + 1);
			if (!k) {
				nomem(r);
				goto bad;
			}
			memcpy(k, key, klen);
		}
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':') {
			fail(r, r->p, "':' expected");
			v = NULL;
		} else {
			r->p++;
			skip_ws(r);
			v = read_value(r);
		}
		int set = v ? json_object_setn_new_nocheck(obj, k, klen, v) : -1;
		if (k != key && k != stackkey)
			free(k);
		if (!v)
			goto bad;
		if (set) {
			nomem(r);
			goto bad;
		}
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			r->depth--;
			return obj;
		}
		fail(r, r->p, "',' or '}' expected");
		goto bad;
	}
bad:
	json_decref(obj);
	return NULL;
}

static json_t *read_array(reader *r)
{
	json_t *arr;

	if (enter(r))
		return NULL;
	if (!(arr = json_array()))
		return nomem(r), NULL;
	r->p++; /* '[' */
	skip_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		r->depth--;
		return arr;
	}
	for (;;) {
		json_t *v = read_value(r);
		if (!v)
			goto bad;
		if (json_array_append_new(arr, v)) {
			nomem(r);
			goto bad;
		}
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			r->depth--;
			return arr;
		}
		fail(r, r->p, "',' or ']' expected");
		goto bad;
	}
bad:
	json_decref(arr);
	return NULL;
}

static json_t *read_value(reader *r)
{
	if (r->p >= r->end)
		return fail(r, r->p, "premature end of input"), NULL;
	switch (*r->p) {
	case '{':
		return read_object(r);
	case '[':
		return read_array(r);
	case '"': {
		const char *s;
		size_t n;
		if (read_string(r, &s, &n))
			return NULL;
		json_t *v = json_stringn_nocheck(s, n); /* UTF-8 checked above */
		return v ? v : (nomem(r), NULL);
	}
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return read_number(r);
	default:
		return read_literal(r);
	}
}

/* Line and column (1-based, in bytes) of `pos`, for the message. */
static void where(const reader *r, int *line, int *column)
{
	const unsigned char *s = r->start, *bol = s;
	*line = 1;
	for (; s < r->pos && s < r->end; s++)
		if (*s == '\n') {
			(*line)++;
			bol = s + 1;
		}
	*column = (int)(s - bol) + 1;
}

json_t *sjson_parse(const char *text, size_t len, const sjson_limits *limits, int *code, char *err,
		    size_t errcap)
{
	size_t max_bytes = limits ? limits->max_bytes : 0;
	int max_depth = limits && limits->max_depth ? limits->max_depth : SJSON_DEFAULT_MAX_DEPTH;
	reader r = {.max_depth = max_depth};
	json_t *root = NULL;

	if (max_bytes && len > max_bytes) {
		*code = SESAME_ETOOBIG;
		snprintf(err, errcap, "json is %zu bytes, more than the limit of %zu", len,
			 max_bytes);
		return NULL;
	}
	r.start = r.p = (const unsigned char *)(text ? text : "");
	r.end = r.start + (text ? len : 0);
	sbuf_init_wiped(&r.scratch, len + 1);
	skip_ws(&r);
	if (r.p < r.end && (*r.p == '{' || *r.p == '['))
		root = read_value(&r);
	else
		fail(&r, r.p, "'[' or '{' expected");
	if (root) {
		skip_ws(&r);
		if (r.p != r.end) {
			fail(&r, r.p, "end of file expected");
			json_decref(root);
			root = NULL;
		}
	}
	sbuf_free(&r.scratch);
	if (!root) {
		int line, column;
		*code = r.code ? r.code : SESAME_EINVAL;
		if (*code == SESAME_ETOOBIG) {
			snprintf(err, errcap, "json nests deeper than %d levels", max_depth);
		} else if (*code == SESAME_ENOMEM) {
			snprintf(err, errcap, "out of memory while parsing json");
		} else {
			where(&r, &line, &column);
			snprintf(err, errcap, "malformed json at line %d column %d: %s", line,
				 column, r.reason ? r.reason : "invalid");
		}
		return NULL;
	}
	*code = 0;
	return root;
}
