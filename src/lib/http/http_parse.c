/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http_parse.h"
#include "sesame/errors.h"

#define CHUNK_LINE_MAX 256
#define MAX_INTERIM_RESPONSES 4

void http_parser_init(http_parser *p, size_t max_body, bool wipe_body, bool head_request)
{
	memset(p, 0, sizeof *p);
	if (wipe_body)
		sbuf_init_wiped(&p->body, max_body);
	else
		sbuf_init(&p->body, max_body);
	sbuf_init(&p->line, HTTP_MAX_HEADER_BYTES);
	p->head_request = head_request;
	p->state = HTTP_PARSE_HEAD;
	p->keep_alive = true;
}

static void free_headers(http_parser *p)
{
	for (size_t i = 0; i < p->nheaders; i++) {
		free(p->headers[i].name);
		free(p->headers[i].value);
	}
	p->nheaders = 0;
}

void http_parser_free(http_parser *p)
{
	free_headers(p);
	sbuf_free(&p->body);
	sbuf_free(&p->line);
}

const char *http_parser_header(const http_parser *p, const char *name)
{
	for (size_t i = 0; i < p->nheaders; i++)
		if (strcmp(p->headers[i].name, name) == 0)
			return p->headers[i].value;
	return NULL;
}

static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Parses a decimal Content-Length with no sign, spaces or overflow. */
static int parse_length(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	if (!*s)
		return SESAME_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return SESAME_EINVAL;
		if (v > (~0ULL - 9) / 10)
			return SESAME_ETOOBIG;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}

/* True if the comma-separated list `list` holds `token` (case-insensitive). */
static bool list_has_token(const char *list, const char *token)
{
	size_t tlen = strlen(token);
	const char *s = list;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		const char *start = s;
		while (*s && *s != ',')
			s++;
		const char *end = s;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0)
			return true;
	}
	return false;
}

static int add_header(http_parser *p, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	if (!colon || colon == line)
		return SESAME_EINVAL;
	for (const char *c = line; c < colon; c++)
		if (!is_tchar((unsigned char)*c))
			return SESAME_EINVAL;
	if (p->nheaders == HTTP_MAX_HEADERS)
		return SESAME_ETOOBIG;
	const char *v = colon + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (const char *c = v; c < end; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return SESAME_EINVAL;
	http_header *h = &p->headers[p->nheaders];
	h->name = strndup(line, (size_t)(colon - line));
	h->value = strndup(v, (size_t)(end - v));
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		h->name = h->value = NULL;
		return SESAME_ENOMEM;
	}
	for (char *c = h->name; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	p->nheaders++;
	return 0;
}

/* Parses the complete head held in p->line and picks the body framing. */
static int parse_head(http_parser *p)
{
	const char *s = p->line.ptr;
	size_t len = p->line.len - 2; /* drop the final empty line's CRLF */
	const char *eol = memchr(s, '\r', len);
	bool http10;

	if (!eol || eol - s < 12 || eol[1] != '\n')
		return SESAME_EINVAL;
	if (memcmp(s, "HTTP/1.1 ", 9) == 0)
		http10 = false;
	else if (memcmp(s, "HTTP/1.0 ", 9) == 0)
		http10 = true;
	else
		return SESAME_EINVAL;
	if (!isdigit((unsigned char)s[9]) || !isdigit((unsigned char)s[10]) ||
	    !isdigit((unsigned char)s[11]) || (eol - s > 12 && s[12] != ' '))
		return SESAME_EINVAL;
	p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (p->status < 100)
		return SESAME_EINVAL;

	free_headers(p);
	const char *line = eol + 2, *end = s + len;
	while (line < end) {
		const char *next = memchr(line, '\r', (size_t)(end - line));
		if (!next || next + 1 >= end || next[1] != '\n')
			return SESAME_EINVAL;
		if (*line == ' ' || *line == '\t')
			return SESAME_EINVAL; /* obsolete line folding */
		int rc = add_header(p, line, (size_t)(next - line));
		if (rc)
			return rc;
		line = next + 2;
	}

	const char *conn = http_parser_header(p, "connection");
	if (http10)
		p->keep_alive = conn && list_has_token(conn, "keep-alive");
	else
		p->keep_alive = !(conn && list_has_token(conn, "close"));

	if (p->status < 200)
		return 0; /* interim: no body, the real response follows */
	const char *te = http_parser_header(p, "transfer-encoding");
	const char *cl = http_parser_header(p, "content-length");
	if (p->head_request || p->status == 204 || p->status == 304) {
		p->state = HTTP_PARSE_DONE;
		return 0;
	}
	if (te) {
		if (cl || strcasecmp(te, "chunked") != 0)
			return SESAME_EINVAL;
		p->state = HTTP_PARSE_CHUNK_SIZE;
		return 0;
	}
	if (!cl)
		return SESAME_EINVAL; /* framed by close only: refused, see header */
	for (size_t i = 0; i < p->nheaders; i++)
		if (strcmp(p->headers[i].name, "content-length") == 0 && p->headers[i].value != cl &&
		    strcmp(p->headers[i].value, cl) != 0)
			return SESAME_EINVAL;
	int rc = parse_length(cl, &p->remaining);
	if (rc)
		return rc;
	if (p->remaining > p->body.max)
		return SESAME_ETOOBIG;
	/*
	 * One allocation for the whole body, not one per doubling (with a
	 * copy and a wipe each: a 90 KB resolve answer took eleven).
	 */
	if (p->remaining && (rc = sbuf_grow(&p->body, (size_t)p->remaining)))
		return rc;
	p->state = p->remaining ? HTTP_PARSE_BODY_LENGTH : HTTP_PARSE_DONE;
	return 0;
}

static int parse_chunk_size(http_parser *p)
{
	const char *s = p->line.ptr;
	unsigned long long v = 0;
	size_t digits = 0;
	for (; isxdigit((unsigned char)*s); s++, digits++) {
		if (digits == 15)
			return SESAME_ETOOBIG;
		int d = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
		v = v * 16 + (unsigned)d;
	}
	if (digits == 0 || (*s != ';' && *s != '\r' && *s != ' ' && *s != '\t'))
		return SESAME_EINVAL;
	if (v > p->body.max - p->body.len)
		return SESAME_ETOOBIG;
	p->remaining = v;
	p->state = v ? HTTP_PARSE_CHUNK_DATA : HTTP_PARSE_TRAILERS;
	return 0;
}

static bool line_ends_crlf(const sbuf *b)
{
	return b->len >= 2 && b->ptr[b->len - 2] == '\r' && b->ptr[b->len - 1] == '\n';
}

int http_parser_feed(http_parser *p, const char *data, size_t len, size_t *consumed)
{
	size_t i = 0;
	int rc = 0;

	while (i < len && p->state != HTTP_PARSE_DONE) {
		switch (p->state) {
		case HTTP_PARSE_HEAD:
			if (sbuf_addc(&p->line, data[i++]))
				return SESAME_ETOOBIG;
			if (p->line.len >= 4 &&
			    memcmp(p->line.ptr + p->line.len - 4, "\r\n\r\n", 4) == 0) {
				if ((rc = parse_head(p)))
					return rc;
				sbuf_reset(&p->line);
				if (p->status < 200) {
					/* 100 Continue and friends: wait for the real one. */
					if (++p->interim > MAX_INTERIM_RESPONSES)
						return SESAME_EINVAL;
					free_headers(p);
					p->state = HTTP_PARSE_HEAD;
				}
			}
			break;
		case HTTP_PARSE_BODY_LENGTH:
		case HTTP_PARSE_CHUNK_DATA: {
			size_t n = len - i;
			if (n > p->remaining)
				n = (size_t)p->remaining;
			if (sbuf_add(&p->body, data + i, n))
				return SESAME_ETOOBIG;
			i += n;
			p->remaining -= n;
			if (p->remaining == 0)
				p->state = p->state == HTTP_PARSE_BODY_LENGTH ? HTTP_PARSE_DONE
									      : HTTP_PARSE_CHUNK_DATA_END;
			break;
		}
		case HTTP_PARSE_CHUNK_DATA_END:
			if (sbuf_addc(&p->line, data[i++]))
				return SESAME_ETOOBIG;
			if (p->line.len == 2) {
				if (!line_ends_crlf(&p->line))
					return SESAME_EINVAL;
				sbuf_reset(&p->line);
				p->state = HTTP_PARSE_CHUNK_SIZE;
			}
			break;
		case HTTP_PARSE_CHUNK_SIZE:
			if (p->line.len >= CHUNK_LINE_MAX || sbuf_addc(&p->line, data[i++]))
				return SESAME_ETOOBIG;
			if (line_ends_crlf(&p->line)) {
				if ((rc = parse_chunk_size(p)))
					return rc;
				sbuf_reset(&p->line);
			}
			break;
		case HTTP_PARSE_TRAILERS:
			/* Trailers are read and ignored, bounded like a head. */
			if (++p->remaining > HTTP_MAX_HEADER_BYTES || sbuf_addc(&p->line, data[i++]))
				return SESAME_ETOOBIG;
			if (line_ends_crlf(&p->line)) {
				if (p->line.len == 2)
					p->state = HTTP_PARSE_DONE;
				else
					p->line.len = 0; /* keep the memory, count anew */
			}
			break;
		case HTTP_PARSE_DONE:
			break;
		}
	}
	*consumed = i;
	return p->state == HTTP_PARSE_DONE ? 1 : 0;
}
