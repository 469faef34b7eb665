/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_UTIL_LOG_H
#define SESAME_UTIL_LOG_H

/*
 * Structured logging that cannot print a secret by accident.
 *
 * There is deliberately no printf-style entry point: an event is a fixed
 * name (a string literal by convention) plus typed key/value fields, so a
 * secret cannot slip in through a "%s". On top of that:
 * - a field whose key names secret material (password, secret, token, key,
 *   seed, authorization, cookie, session, value, content, plaintext, ...)
 *   is always written as "[redacted]", whatever its value;
 * - any other string value is scanned and every Sesame credential in it
 *   (a word that starts with "sesame_" and carries 16 or more token
 *   characters) is replaced by "[redacted]";
 * - control characters are escaped, so a value cannot forge a log line.
 * Output: text ("2026-11-26T10:00:00Z info event key=value") or JSON lines.
 */

#include <stdio.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level;
typedef enum { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON } log_format;

typedef enum { LOG_FIELD_END = 0, LOG_FIELD_STR, LOG_FIELD_INT } log_field_type;

typedef struct {
	const char *key;
	log_field_type type;
	const char *s;
	long long i;
} log_field;

#define LOG_STR(k, v) ((log_field){(k), LOG_FIELD_STR, (v), 0})
#define LOG_INT(k, v) ((log_field){(k), LOG_FIELD_INT, NULL, (long long)(v)})
#define LOG_END ((log_field){NULL, LOG_FIELD_END, NULL, 0})

/* Sets the minimum level, the format and the sink (NULL: stderr). */
void log_configure(log_level min, log_format format, FILE *sink);

/* Parses "debug|info|warn|error|off" and "text|json"; -1 if unknown. */
int log_level_parse(const char *s);
int log_format_parse(const char *s);

/* Writes one event; `fields` ends with LOG_END. Thread-safe (one write). */
void log_event(log_level level, const char *event, const log_field *fields);

#define log_debug(event, ...) log_event(LOG_DEBUG, (event), (const log_field[]){__VA_ARGS__ LOG_END})
#define log_info(event, ...) log_event(LOG_INFO, (event), (const log_field[]){__VA_ARGS__ LOG_END})
#define log_warn(event, ...) log_event(LOG_WARN, (event), (const log_field[]){__VA_ARGS__ LOG_END})
#define log_error(event, ...) log_event(LOG_ERROR, (event), (const log_field[]){__VA_ARGS__ LOG_END})

/* True when `key` names secret material and its value must never print. */
int log_key_is_secret(const char *key);

#endif
