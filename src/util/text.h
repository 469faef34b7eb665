/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_UTIL_TEXT_H
#define SESAME_UTIL_TEXT_H

/* Small text checks shared by the library, the server and the CLI. */

#include <stdbool.h>
#include <stddef.h>

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool text_utf8_valid(const char *s, size_t len);

/* Value of one hexadecimal digit (either case), or -1. */
int text_hex_value(char c);

/*
 * Copies the C string src into dst (cap bytes), cut to fit and always
 * terminated (cap > 0); returns dst. snprintf("%s") without the format
 * parsing, for the ids and messages copied per item and per reference.
 */
char *text_copy(char *dst, size_t cap, const char *src);

/* Monotonic clock in milliseconds, for deadlines. */
long long text_clock_ms(void);

#endif
