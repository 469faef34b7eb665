/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON reader: jdoc_parse() builds a read-only document in one arena
 * (json_doc.h), and sjson_parse() turns that into jansson values.
 *
 * Why not json_loadb(): jansson's lexer moves every byte through a
 * per-character stream and string buffer, and its values cost one to
 * three allocations and a hash each; parsing was the largest cost of a
 * batch resolve on both ends (docs/decisions.md §10). This reader scans
 * runs of plain bytes eight at a time and bump-allocates nodes and
 * strings. It accepts exactly what json_loadb() accepted with
 * JSON_REJECT_DUPLICATES (a differential fuzzer against jansson checks
 * it, tests/fuzz/json_fuzzer.c), except a NUL byte after a number or a
 * literal, which jansson skips and we refuse:
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
 * The arena is wiped when freed: item plaintext passes through here.
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

#include "json.h"
#include "json_doc.h"
#include "sesame/errors.h"

/* Arena blocks: the first sized from the text, each next one twice as big. */
struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[]; /* cap bytes */
};

struct jdoc {
	struct block *blocks;
	jdoc_val *root;
};

typedef struct {
	const unsigned char *start, *p, *end;
	int depth, max_depth;
	int code;		  /* SESAME_E* of the first error, 0 while none */
	const char *reason;	  /* what went wrong, no input text in it */
	const unsigned char *pos; /* where */
	jdoc *doc;
	jdoc_val **stack; /* members of the open containers, innermost last */
	size_t nstack, capstack;
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

/* ---- the arena ---- */

static void *arena_alloc(reader *r, size_t n)
{
	struct block *b = r->doc->blocks;
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (!b || b->cap - b->used < n) {
		size_t cap = b ? b->cap * 2 : (size_t)(r->end - r->start) * 3 + 1024;
		if (cap < n)
			cap = n;
		struct block *nb = malloc(sizeof *nb + cap);
		if (!nb) {
			nomem(r);
			return NULL;
		}
		nb->next = b;
		nb->used = 0;
		nb->cap = cap;
		r->doc->blocks = nb;
		b = nb;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

static jdoc_val *new_val(reader *r, jdoc_type type, const unsigned char *pos)
{
	jdoc_val *v = arena_alloc(r, sizeof *v);
	if (v) {
		memset(v, 0, sizeof *v);
		v->type = type;
		v->pos = (const char *)pos;
	}
	return v;
}

static int push(reader *r, jdoc_val *v)
{
	if (r->nstack == r->capstack) {
		size_t cap = r->capstack ? r->capstack * 2 : 64;
		jdoc_val **n = realloc(r->stack, cap * sizeof *n);
		if (!n)
			return nomem(r);
		r->stack = n;
		r->capstack = cap;
	}
	r->stack[r->nstack++] = v;
	return 0;
}

/* The container v gets the members pushed since `base`. */
static int close_container(reader *r, jdoc_val *v, size_t base)
{
	v->n = r->nstack - base;
	if (v->n) {
		v->u.items = arena_alloc(r, v->n * sizeof *v->u.items);
		if (!v->u.items)
			return -1;
		memcpy(v->u.items, r->stack + base, v->n * sizeof *v->u.items);
	}
	r->nstack = base;
	return 0;
}

/* ---- strings ---- */

static void put_utf8(char **o, unsigned cp)
{
	unsigned char *u = (unsigned char *)*o;

	if (cp < 0x80) {
		*u++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*u++ = (unsigned char)(0xc0 | cp >> 6);
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*u++ = (unsigned char)(0xe0 | cp >> 12);
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*u++ = (unsigned char)(0xf0 | cp >> 18);
		*u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)u;
}

/*
 * One escape sequence at q (q[0] == '\\') written at *o (never longer
 * than the sequence); returns the sequence's length, 0 on error.
 */
static size_t unescape(reader *r, const unsigned char *q, char **o)
{
	static const char simple_in[] = "\"\\/bfnrt", simple_out[] = "\"\\/\b\f\n\r\t";
	const unsigned char *end = r->end;
	unsigned cp, lo;

	if (end - q < 2)
		return fail(r, q, "premature end of input"), 0;
	const char *s = q[1] ? strchr(simple_in, q[1]) : NULL;
	if (s) {
		*(*o)++ = simple_out[s - simple_in];
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
		put_utf8(o, 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
		return 12;
	}
	if (cp == 0)
		return fail(r, q, "\\u0000 is not allowed"), 0;
	put_utf8(o, cp);
	return 6;
}

/*
 * The string at r->p (its opening quote), checked, then copied (escapes
 * decoded) into the arena with a NUL after it.
 */
static int read_string(reader *r, const char **out, size_t *len)
{
	const unsigned char *s = r->p + 1, *q = s, *end = r->end;
	bool escaped = false;

	/* First the extent and the checks; escapes only noted. */
	for (;;) {
		q = skip_plain(q, end);
		if (q >= end)
			return fail(r, r->p, "premature end of input in a string");
		if (*q == '"')
			break;
		if (*q == '\\') {
			escaped = true;
			q += (q + 1 < end) ? 2 : 1; /* unescape() checks it below */
			continue;
		}
		if (*q < 0x20)
			return fail(r, q, "control character in a string");
		size_t n = utf8_seq(q, end);
		if (!n)
			return fail(r, q, "invalid UTF-8 in a string");
		q += n;
	}
	char *copy = arena_alloc(r, (size_t)(q - s) + 1), *o = copy;
	if (!copy)
		return -1;
	if (!escaped) {
		memcpy(copy, s, (size_t)(q - s));
		o += q - s;
	} else {
		for (const unsigned char *c = s; c < q;) {
			const unsigned char *run = c;
			while (c < q && *c != '\\')
				c++;
			memcpy(o, run, (size_t)(c - run));
			o += c - run;
			if (c < q) {
				size_t n = unescape(r, c, &o);
				if (!n)
					return -1;
				c += n;
			}
		}
	}
	*o = '\0';
	*out = copy;
	*len = (size_t)(o - copy);
	r->p = q + 1;
	return 0;
}

/* ---- numbers and literals ---- */

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A real in C syntax through strtod, with the locale's decimal point (as jansson). */
static int real_value(reader *r, jdoc_val *v, const unsigned char *s, size_t n)
{
	char stackbuf[64], *buf = stackbuf;
	const char *point = localeconv()->decimal_point;
	int rc = 0;

	if (n >= sizeof stackbuf && !(buf = malloc(n + 1)))
		return nomem(r);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (point && point[0] && point[0] != '.' && !point[1]) {
		char *dot = strchr(buf, '.');
		if (dot)
			*dot = point[0];
	}
	errno = 0;
	v->u.d = strtod(buf, NULL);
	if ((v->u.d == HUGE_VAL || v->u.d == -HUGE_VAL) && errno == ERANGE)
		rc = fail(r, s, "real number overflow");
	if (buf != stackbuf)
		free(buf);
	return rc;
}

static jdoc_val *read_number(reader *r)
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
	jdoc_val *v = new_val(r, real ? JDOC_REAL : JDOC_INTEGER, s);
	if (!v)
		return NULL;
	if (real)
		return real_value(r, v, s, (size_t)(q - s)) ? NULL : v;

	/* Accumulated negatively, so that the most negative value fits. */
	long long i = 0;
	for (const unsigned char *d = s + neg; d < q; d++) {
		int digit = *d - '0';
		if (i < (LLONG_MIN + digit) / 10)
			return fail(r, s, neg ? "too big negative integer" : "too big integer"),
			       NULL;
		i = i * 10 - digit;
	}
	if (!neg) {
		if (i == LLONG_MIN)
			return fail(r, s, "too big integer"), NULL;
		i = -i;
	}
	v->u.i = i;
	return v;
}

static jdoc_val *read_literal(reader *r)
{
	static const struct {
		const char *word;
		size_t len;
		jdoc_type type;
	} words[] = {{"true", 4, JDOC_TRUE}, {"false", 5, JDOC_FALSE}, {"null", 4, JDOC_NULL}};
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
		return new_val(r, words[i].type, s);
	}
	return fail(r, s, "invalid token"), NULL;
}

/* ---- containers ---- */

static jdoc_val *read_value(reader *r);

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

static bool same_key(const jdoc_val *a, const jdoc_val *b)
{
	return a->keylen == b->keylen && memcmp(a->key, b->key, a->keylen) == 0;
}

static int by_key(const void *a, const void *b)
{
	const jdoc_val *x = *(jdoc_val *const *)a, *y = *(jdoc_val *const *)b;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	int c = memcmp(x->key, y->key, x->keylen);
	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Small objects are checked for a duplicate key as each member arrives
 * (DUP_SCAN_MAX before it); a larger one once more when it closes, by
 * sorting its keys, so that a million keys cost n log n, not n squared.
 */
#define DUP_SCAN_MAX 16

static int check_duplicates(reader *r, jdoc_val *obj)
{
	jdoc_val **sorted;
	const char *first = NULL;

	if (obj->n <= DUP_SCAN_MAX)
		return 0; /* already checked member by member */
	sorted = malloc(obj->n * sizeof *sorted);
	if (!sorted)
		return nomem(r);
	memcpy(sorted, obj->u.items, obj->n * sizeof *sorted);
	qsort(sorted, obj->n, sizeof *sorted, by_key);
	for (size_t i = 1; i < obj->n; i++)
		if (same_key(sorted[i - 1], sorted[i]) && (!first || sorted[i]->pos < first))
			first = sorted[i]->pos; /* the earliest second occurrence */
	free(sorted);
	return first ? fail(r, (const unsigned char *)first, "duplicate object key") : 0;
}

/*
 * Opens the '{' or '[' at r->p: *out the new container (NULL on error).
 * True when there is nothing more to read: an error, or an empty
 * container already closed.
 */
static bool open_container(reader *r, jdoc_type type, char close, jdoc_val **out)
{
	*out = new_val(r, type, r->p);
	if (!*out || enter(r)) {
		*out = NULL;
		return true;
	}
	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		r->depth--;
		return true;
	}
	return false;
}

/* After a member: 1 for ',' (another follows), 0 for the closing byte, -1 otherwise. */
static int after_member(reader *r, char close, const char *expected)
{
	skip_ws(r);
	if (r->p < r->end && *r->p == ',') {
		r->p++;
		skip_ws(r);
		return 1;
	}
	if (r->p < r->end && *r->p == close) {
		r->p++;
		r->depth--;
		return 0;
	}
	return fail(r, r->p, expected);
}

static jdoc_val *read_object(reader *r)
{
	size_t base = r->nstack;
	jdoc_val *obj;

	if (open_container(r, JDOC_OBJECT, '}', &obj))
		return obj;
	for (;;) {
		const unsigned char *at = r->p;
		const char *key;
		size_t klen;
		jdoc_val *v;

		if (r->p >= r->end || *r->p != '"')
			return fail(r, r->p, "string or '}' expected"), NULL;
		if (read_string(r, &key, &klen))
			return NULL;
		skip_ws(r);
		if (r->p >= r->end || *r->p != ':')
			return fail(r, r->p, "':' expected"), NULL;
		r->p++;
		skip_ws(r);
		if (!(v = read_value(r)))
			return NULL;
		v->key = key;
		v->keylen = klen;
		v->pos = (const char *)at;
		if (r->nstack - base < DUP_SCAN_MAX)
			for (size_t i = base; i < r->nstack; i++)
				if (same_key(r->stack[i], v))
					return fail(r, at, "duplicate object key"), NULL;
		if (push(r, v))
			return NULL;
		int more = after_member(r, '}', "',' or '}' expected");
		if (more < 0)
			return NULL;
		if (!more)
			return close_container(r, obj, base) || check_duplicates(r, obj) ? NULL
											 : obj;
	}
}

static jdoc_val *read_array(reader *r)
{
	size_t base = r->nstack;
	jdoc_val *arr;

	if (open_container(r, JDOC_ARRAY, ']', &arr))
		return arr;
	for (;;) {
		jdoc_val *v = read_value(r);
		if (!v || push(r, v))
			return NULL;
		int more = after_member(r, ']', "',' or ']' expected");
		if (more < 0)
			return NULL;
		if (!more)
			return close_container(r, arr, base) ? NULL : arr;
	}
}

static jdoc_val *read_value(reader *r)
{
	if (r->p >= r->end)
		return fail(r, r->p, "premature end of input"), NULL;
	switch (*r->p) {
	case '{':
		return read_object(r);
	case '[':
		return read_array(r);
	case '"': {
		jdoc_val *v = new_val(r, JDOC_STRING, r->p);
		if (!v || read_string(r, &v->u.s, &v->n))
			return NULL;
		return v;
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

/* ---- the document ---- */

void jdoc_free(jdoc *d)
{
	if (!d)
		return;
	for (struct block *b = d->blocks, *next; b; b = next) {
		next = b->next;
		sodium_memzero(b->data, b->used);
		free(b);
	}
	free(d);
}

jdoc *jdoc_parse(const char *text, size_t len, const sjson_limits *limits, int *code, char *err,
		 size_t errcap)
{
	size_t max_bytes = limits ? limits->max_bytes : 0;
	int max_depth = limits && limits->max_depth ? limits->max_depth : SJSON_DEFAULT_MAX_DEPTH;
	reader r = {.max_depth = max_depth};
	jdoc_val *root = NULL;

	if (max_bytes && len > max_bytes) {
		*code = SESAME_ETOOBIG;
		snprintf(err, errcap, "json is %zu bytes, more than the limit of %zu", len,
			 max_bytes);
		return NULL;
	}
	r.doc = calloc(1, sizeof *r.doc);
	if (!r.doc) {
		*code = SESAME_ENOMEM;
		snprintf(err, errcap, "out of memory while parsing json");
		return NULL;
	}
	r.start = r.p = (const unsigned char *)(text ? text : "");
	r.end = r.start + (text ? len : 0);
	skip_ws(&r);
	if (r.p < r.end && (*r.p == '{' || *r.p == '['))
		root = read_value(&r);
	else
		fail(&r, r.p, "'[' or '{' expected");
	if (root) {
		skip_ws(&r);
		if (r.p != r.end) {
			fail(&r, r.p, "end of file expected");
			root = NULL;
		}
	}
	free(r.stack);
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
		jdoc_free(r.doc);
		return NULL;
	}
	/* Positions point into the caller's text: no longer ours to keep. */
	r.doc->root = root;
	*code = 0;
	return r.doc;
}

const jdoc_val *jdoc_root(const jdoc *d)
{
	return d ? d->root : NULL;
}

/* Keys are NUL-terminated copies without NUL inside: strcmp is exact. */
const jdoc_val *jdoc_get(const jdoc_val *v, const char *key)
{
	if (!v || v->type != JDOC_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		const jdoc_val *m = v->u.items[i];
		if (m->key[0] == key[0] && strcmp(m->key, key) == 0)
			return m;
	}
	return NULL;
}

const char *jdoc_str(const jdoc_val *v, const char *key)
{
	const jdoc_val *m = jdoc_get(v, key);
	return m && m->type == JDOC_STRING ? m->u.s : NULL;
}

const char *jdoc_unknown_key(const jdoc_val *v, const char *const *allowed)
{
	for (size_t i = 0; v && v->type == JDOC_OBJECT && i < v->n; i++) {
		const jdoc_val *m = v->u.items[i];
		bool known = false;
		for (size_t k = 0; allowed[k] && !known; k++)
			known = allowed[k][0] == m->key[0] && strcmp(allowed[k], m->key) == 0;
		if (!known)
			return m->key;
	}
	return NULL;
}

json_t *jdoc_to_jansson(const jdoc_val *v)
{
	json_t *j = NULL;

	switch (v->type) {
	case JDOC_NULL:
		return json_null();
	case JDOC_FALSE:
		return json_false();
	case JDOC_TRUE:
		return json_true();
	case JDOC_INTEGER:
		return json_integer(v->u.i);
	case JDOC_REAL:
		return json_real(v->u.d);
	case JDOC_STRING:
		return json_stringn_nocheck(v->u.s, v->n); /* UTF-8 checked when read */
	case JDOC_ARRAY:
		if (!(j = json_array()))
			return NULL;
		for (size_t i = 0; i < v->n; i++)
			if (json_array_append_new(j, jdoc_to_jansson(v->u.items[i])))
				goto fail;
		return j;
	case JDOC_OBJECT:
		if (!(j = json_object()))
			return NULL;
		for (size_t i = 0; i < v->n; i++) {
			const jdoc_val *m = v->u.items[i];
			json_t *mv = jdoc_to_jansson(m);
			if (!mv || json_object_setn_new_nocheck(j, m->key, m->keylen, mv))
				goto fail;
		}
		return j;
	}
fail:
	json_decref(j);
	return NULL;
}

json_t *sjson_parse(const char *text, size_t len, const sjson_limits *limits, int *code, char *err,
		    size_t errcap)
{
	jdoc *d = jdoc_parse(text, len, limits, code, err, errcap);
	json_t *root;

	if (!d)
		return NULL;
	root = jdoc_to_jansson(jdoc_root(d));
	jdoc_free(d);
	if (!root) {
		*code = SESAME_ENOMEM;
		snprintf(err, errcap, "out of memory while parsing json");
	}
	return root;
}
