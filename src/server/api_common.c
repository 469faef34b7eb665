/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every handler shares: reading request JSON under one set of rules,
 * writing binary values and times one way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "b64.h"
#include "crypto/ids.h"
#include "error.h"
#include "json.h"
#include "text.h"

void in_fail(struct input *in, const char *fmt, ...)
{
	va_list ap;
	if (in->bad)
		return;
	in->bad = true;
	va_start(ap, fmt);
	vsnprintf(in->msg, sizeof in->msg, fmt, ap);
	va_end(ap);
}

void in_fail_code(struct input *in, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	if (in->bad)
		return;
	in->bad = true;
	in->status = status;
	snprintf(in->code, sizeof in->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(in->msg, sizeof in->msg, fmt, ap);
	va_end(ap);
}

void in_keys(struct input *in, const json_t *obj, const char *const *allowed)
{
	const char *k = sjson_unknown_key(obj, allowed);
	if (k)
		in_fail(in, "unknown key '%.64s'", k);
}

const char *in_str(struct input *in, const json_t *obj, const char *key, size_t max, bool required)
{
	const json_t *v = json_object_get(obj, key);
	if (in->bad)
		return NULL;
	if (!v) {
		if (required)
			in_fail(in, "missing '%s'", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		in_fail(in, "'%s' must be a string", key);
		return NULL;
	}
	if (json_string_length(v) > max) {
		in_fail(in, "'%s' is longer than %zu bytes", key, max);
		return NULL;
	}
	return json_string_value(v);
}

const char *in_id(struct input *in, const json_t *obj, const char *key)
{
	const char *s = in_str(in, obj, key, 64, true);
	if (s && !id_is_valid(s)) {
		in_fail(in, "'%s' must be 26 characters of [a-z0-9]", key);
		return NULL;
	}
	return s;
}

/*
 * Request bodies hold nothing secret from the server (ciphertext, public
 * and sealed keys, blind indexes, signatures), so they are decoded with
 * the table decoder; libsodium's constant-time one was a twentieth of a
 * batch resolve's server time. Tokens (auth.c) keep the constant-time one.
 */
size_t in_b64(struct input *in, const json_t *obj, const char *key, unsigned char *out, size_t cap,
	      size_t exact)
{
	size_t len = 0;
	const char *s = in_str(in, obj, key, b64_encoded_size(cap, B64_URL_NOPAD), true);
	if (!s)
		return 0;
	if (b64_decode_public(out, cap, &len, s, strlen(s), B64_URL_NOPAD) != 0) {
		in_fail(in, "'%s' must be base64url of at most %zu bytes", key, cap);
		return 0;
	}
	if ((exact && len != exact) || len == 0) {
		if (exact)
			in_fail(in, "'%s' must be %zu bytes", key, exact);
		else
			in_fail(in, "'%s' must not be empty", key);
		return 0;
	}
	return len;
}

unsigned char *in_b64_alloc(struct input *in, const json_t *obj, const char *key, size_t max,
			    size_t *len)
{
	const char *s = in_str(in, obj, key, b64_encoded_size(max, B64_URL_NOPAD), true);
	unsigned char *out;
	size_t cap;

	*len = 0;
	if (!s)
		return NULL;
	cap = b64_decoded_max(strlen(s)) + 1;
	out = malloc(cap);
	if (!out) {
		in_fail_code(in, 503, "out_of_memory", "the server cannot serve this now");
		return NULL;
	}
	if (b64_decode_public(out, cap, len, s, strlen(s), B64_URL_NOPAD) != 0 || *len == 0 ||
	    *len > max) {
		in_fail(in, "'%s' must be base64url of 1 to %zu bytes", key, max);
		free(out);
		return NULL;
	}
	return out;
}

long long in_int(struct input *in, const json_t *obj, const char *key, long long min, long long max,
		 bool required, long long dflt)
{
	const json_t *v = json_object_get(obj, key);
	long long n;
	if (in->bad)
		return dflt;
	if (!v) {
		if (required)
			in_fail(in, "missing '%s'", key);
		return dflt;
	}
	if (!json_is_integer(v)) {
		in_fail(in, "'%s' must be an integer", key);
		return dflt;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		in_fail(in, "'%s' must be from %lld to %lld", key, min, max);
		return dflt;
	}
	return n;
}

bool in_bool(struct input *in, const json_t *obj, const char *key, bool dflt)
{
	const json_t *v = json_object_get(obj, key);
	if (in->bad || !v)
		return dflt;
	if (!json_is_boolean(v)) {
		in_fail(in, "'%s' must be true or false", key);
		return dflt;
	}
	return json_is_true(v);
}

const json_t *in_array(struct input *in, const json_t *obj, const char *key, size_t min, size_t max)
{
	const json_t *v = json_object_get(obj, key);
	if (in->bad)
		return NULL;
	if (!v) {
		in_fail(in, "missing '%s'", key);
		return NULL;
	}
	if (!json_is_array(v)) {
		in_fail(in, "'%s' must be an array", key);
		return NULL;
	}
	if (json_array_size(v) < min || json_array_size(v) > max) {
		if (json_array_size(v) > max)
			in_fail_code(in, 400, "too_many", "'%s' has more than %zu elements", key,
				     max);
		else
			in_fail(in, "'%s' needs at least %zu elements", key, min);
		return NULL;
	}
	return v;
}

const json_t *in_object(struct input *in, const json_t *obj, const char *key,
			const char *const *allowed)
{
	const json_t *v = json_object_get(obj, key);
	if (in->bad)
		return NULL;
	if (!json_is_object(v)) {
		in_fail(in, v ? "'%s' must be an object" : "missing '%s'", key);
		return NULL;
	}
	in_keys(in, v, allowed);
	return in->bad ? NULL : v;
}

struct http_reply in_reply(const struct input *in)
{
	return reply_error(in->status, in->code, "%s", in->msg);
}

int param_id(const struct route_params *params, const char *name, const char **out,
	     struct http_reply *reply)
{
	const char *v = route_param(params, name);
	if (!v || !id_is_valid(v)) {
		*reply = reply_error(400, "invalid_request",
				     "invalid %s id: expected 26 characters of [a-z0-9]", name);
		return -1;
	}
	*out = v;
	return 0;
}

json_t *j_b64(const unsigned char *p, size_t n)
{
	size_t cap = b64_encoded_size(n, B64_URL_NOPAD);
	char *s = malloc(cap);
	json_t *j;
	if (!s)
		return NULL;
	if (b64_encode(s, cap, p, n, B64_URL_NOPAD) != 0) {
		free(s);
		return NULL;
	}
	j = json_stringn_nocheck(s, strlen(s));
	free(s);
	return j;
}

json_t *j_time(long long t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_string("1970-01-01T00:00:00Z");
	return json_string(buf);
}

json_t *j_item(const struct item_row *r)
{
	json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:o,s:o,s:o,s:s,s:s}", "id", r->id, "vault_id",
			      r->vault_id, "version", (json_int_t)r->version, "state", r->state,
			      "overview", j_b64(r->overview, r->overview_len), "created_at",
			      j_time(r->created_at), "updated_at", j_time(r->updated_at),
			      "created_by", r->created_by, "updated_by", r->updated_by);
	if (o && r->details &&
	    json_object_set_new(o, "details", j_b64(r->details, r->details_len))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

long long api_now(void)
{
	return (long long)time(NULL);
}

bool api_id_valid(const char *s)
{
	return s && id_is_valid(s);
}

void api_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

struct http_reply api_oom(void)
{
	return reply_error(503, "out_of_memory", "the server cannot serve this now");
}

void api_rollback(struct store *st)
{
	const sesame_error *e = sesame_error_last();
	char kind[64], msg[REPLY_MESSAGE_MAX * 2];
	int code = e->code;

	snprintf(kind, sizeof kind, "%s", e->kind ? e->kind : "");
	snprintf(msg, sizeof msg, "%s", e->message ? e->message : "");
	/* Fails harmlessly when no transaction is open (begin_write failed). */
	store_rollback(st);
	sesame_error_set(code, kind[0] ? kind : NULL, "%s", msg);
}

json_t *api_error_last_json(void)
{
	struct http_reply r = reply_from_error();
	json_t *e = json_object_get(r.json, "error");
	json_incref(e);
	reply_free(&r);
	return e;
}

json_t *in_error_json(const struct input *in)
{
	return json_pack("{s:s,s:s}", "code", in->code, "message", in->msg);
}

/* ---- query strings ---- */

/* Percent-decodes `len` bytes into out (cap bytes with NUL); -1 when malformed or long. */
static int query_decode(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = len - i < 3 ? -1 : text_hex_value(s[i + 1]);
			int lo = len - i < 3 ? -1 : text_hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (n + 1 >= cap || c == '\0')
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

int api_query_parse(const char *query, struct api_query_param *params, size_t n,
		    struct http_reply *r)
{
	const char *p = query;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		char key[32], val[API_QUERY_VALUE_MAX + 1];
		size_t i;

		if (len == 0) {
			p = amp ? amp + 1 : NULL;
			continue;
		}
		if (!eq || query_decode(p, (size_t)(eq - p), key, sizeof key) ||
		    query_decode(eq + 1, len - (size_t)(eq - p) - 1, val, sizeof val)) {
			*r = reply_error(400, "invalid_request", "malformed query string");
			return -1;
		}
		for (i = 0; i < n; i++)
			if (strcmp(params[i].name, key) == 0)
				break;
		if (i == n) {
			*r = reply_error(400, "invalid_request", "unknown query parameter '%s'",
					 key);
			return -1;
		}
		if (params[i].set) {
			*r = reply_error(400, "invalid_request", "query parameter '%s' repeated",
					 key);
			return -1;
		}
		memcpy(params[i].value, val, strlen(val) + 1);
		params[i].set = true;
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}
