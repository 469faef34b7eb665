/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_ERROR_H
#define SESAME_LIB_ERROR_H

/*
 * Setting the thread's last error (the public side is sesame/errors.h).
 *
 * Convention: the function that detects a problem sets the error once, with
 * a message that says what failed first and quotes the subject, then
 * returns the code; callers pass the code up unchanged. Never put a secret
 * value into a message.
 */

#include <stdarg.h>

#include "sesame/errors.h"

/*
 * Sets the last error and returns `code`, so that callers can write
 * `return sesame_error_set(SESAME_EINVAL, "invalid_token", "...")`.
 * `kind` NULL means the code's default kind.
 */
int sesame_error_set(int code, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sesame_error_setv(int code, const char *kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Sets SESAME_ENOMEM with a fixed message; returns SESAME_ENOMEM. */
int sesame_error_nomem(void);

/*
 * Prefixes the current message with "prefix: " (git's "cannot X: reason")
 * and keeps code and kind. Returns the current code.
 */
int sesame_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
