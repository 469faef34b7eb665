/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

static _Atomic int min_level = LOG_INFO;
static _Atomic int out_format = LOG_FORMAT_TEXT;
static FILE *_Atomic out_sink;

void log_configure(log_level min, log_format format, FILE *sink)
{
	min_level = min;
	out_format = format;
	out_sink = sink;
}

int log_level_parse(const char *s)
{
	static const char *const names[] = {"debug", "info", "warn", "error", "off"};
	for (int i = 0; i < 5; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

int log_format_parse(const char *s)
{
	if (strcasecmp(s, "text") == 0)
		return LOG_FORMAT_TEXT;
	if (strcasecmp(s, "json") == 0)
		return LOG_FORMAT_JSON;
	return -1;
}

int log_key_is_secret(const char *key)
{
	static const char *const words[] = {
		"password", "passwd", "secret", "token", "key", "seed", "authorization",
		"cookie", "session", "value", "content", "plaintext", "credential", "otp",
		"private", NULL};
	char lower[64];
	size_t n = strlen(key);
	if (n >= sizeof lower)
		return 1; /* absurd key: treat as secret rather than guess */
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)key[i]);
	for (size_t i = 0; words[i]; i++)
		if (strstr(lower, words[i]))
			return 1;
	return 0;
}

static bool is_token_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/*
 * Appends `s`, escaped for the format, with every "sesame_..." credential
 * replaced. Escaping: JSON string rules for JSON; for text, quotes are
 * escaped and control bytes written as \xNN, so one event is one line.
 */
static int append_value(sbuf *out, const char *s, log_format fmt)
{
	static const char prefix[] = "sesame_";
	const size_t plen = sizeof prefix - 1;
	int rc = 0;

	for (size_t i = 0; s[i] && !rc;) {
		if (strncmp(s + i, prefix, plen) == 0 && (i == 0 || !is_token_char(s[i - 1]))) {
			size_t j = i + plen;
			while (is_token_char(s[j]))
				j++;
			if (j - i - plen >= 16) {
				rc = sbuf_adds(out, "[redacted]");
				i = j;
				continue;
			}
		}
		unsigned char c = (unsigned char)s[i++];
		if (c == '"' || c == '\\')
			rc = sbuf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			rc = fmt == LOG_FORMAT_JSON ? sbuf_printf(out, "\\u%04x", c)
						    : sbuf_printf(out, "\\x%02x", c);
		else
			rc = sbuf_addc(out, (char)c);
	}
	return rc;
}

void log_event(log_level level, const char *event, const log_field *fields)
{
	static const char *const level_names[] = {"debug", "info", "warn", "error"};
	log_format fmt = out_format;
	FILE *sink = out_sink ? out_sink : stderr;
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	sbuf line = SBUF_INIT(16384);
	int rc;

	if ((int)level < min_level || level >= LOG_OFF)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

	if (fmt == LOG_FORMAT_JSON) {
		rc = sbuf_printf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"event\":\"", stamp,
				 level_names[level]);
		rc = rc ? rc : append_value(&line, event, fmt);
		rc = rc ? rc : sbuf_addc(&line, '"');
	} else {
		rc = sbuf_printf(&line, "%s %s ", stamp, level_names[level]);
		rc = rc ? rc : append_value(&line, event, fmt);
	}
	for (const log_field *f = fields; !rc && f->type != LOG_FIELD_END; f++) {
		bool secret = log_key_is_secret(f->key);
		if (fmt == LOG_FORMAT_JSON) {
			rc = sbuf_adds(&line, ",\"");
			rc = rc ? rc : append_value(&line, f->key, fmt);
			rc = rc ? rc : sbuf_adds(&line, "\":");
		} else {
			rc = sbuf_addc(&line, ' ');
			rc = rc ? rc : append_value(&line, f->key, fmt);
			rc = rc ? rc : sbuf_addc(&line, '=');
		}
		if (rc)
			break;
		if (secret) {
			rc = sbuf_adds(&line, "\"[redacted]\"");
		} else if (f->type == LOG_FIELD_INT) {
			rc = sbuf_printf(&line, "%lld", f->i);
		} else {
			rc = sbuf_addc(&line, '"');
			rc = rc ? rc : append_value(&line, f->s ? f->s : "", fmt);
			rc = rc ? rc : sbuf_addc(&line, '"');
		}
	}
	if (!rc)
		rc = sbuf_adds(&line, fmt == LOG_FORMAT_JSON ? "}\n" : "\n");
	if (!rc) {
		/* One fwrite per event keeps lines whole across threads. */
		fwrite(line.ptr, 1, line.len, sink);
		fflush(sink);
	}
	sbuf_free(&line);
}
