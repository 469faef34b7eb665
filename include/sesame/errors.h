/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_ERRORS_H
#define SESAME_ERRORS_H

/**
 * @file sesame/errors.h
 * @brief The one error model of libsesame.
 *
 * Every fallible function returns 0 on success or one of the negative
 * codes below. The thread that got the code can then ask for details with
 * sesame_error_last(): a machine-readable kind (snake_case, the same string
 * the server puts in `{"error":{"code":...}}`) and a human message.
 * Messages never contain a secret value.
 */

#include "common.h"

SESAME_BEGIN_DECL

/** Error codes. Values are part of the ABI and never change. */
typedef enum {
	SESAME_OK = 0,
	SESAME_ERROR = -1,          /**< generic failure */
	SESAME_ENOMEM = -2,         /**< out of memory */
	SESAME_EINVAL = -3,         /**< invalid argument or malformed input */
	SESAME_ENOTFOUND = -4,      /**< the thing asked for does not exist */
	SESAME_EAMBIGUOUS = -5,     /**< a name matched more than one thing */
	SESAME_EAUTH = -6,          /**< authentication failed */
	SESAME_EPERM = -7,          /**< authenticated, but not allowed */
	SESAME_ECONFLICT = -8,      /**< a concurrent change won (stale version) */
	SESAME_ERATELIMIT = -9,     /**< a rate limit was reached */
	SESAME_ETOKEN_EXPIRED = -10, /**< the token or session expired */
	SESAME_ETOKEN_REVOKED = -11, /**< the token or session was revoked */
	SESAME_ENETWORK = -12,      /**< the server could not be reached */
	SESAME_EDECRYPT = -13,      /**< authentication of ciphertext failed */
	SESAME_ETOOBIG = -14,       /**< input exceeds a documented limit */
	SESAME_EIO = -15,           /**< a local file or device failed */
	SESAME_EEXISTS = -16,       /**< the thing already exists */
	SESAME_EUNSUPPORTED = -17,  /**< valid, but not supported here */
	SESAME_ESERVER = -18,       /**< the server failed (5xx) */
	SESAME_EBUFSIZE = -19,      /**< the caller's output buffer is too small */
} sesame_error_code;

/** Details of the last error on the calling thread. */
typedef struct {
	int code;            /**< a sesame_error_code */
	const char *kind;    /**< snake_case kind, e.g. "vault_not_found" */
	const char *message; /**< lowercase, what failed first, no secret */
} sesame_error;

/**
 * Returns the last error set on this thread. Never NULL: with no error
 * it describes SESAME_OK. The pointer stays valid until the next libsesame
 * call on this thread.
 */
SESAME_EXTERN(const sesame_error *) sesame_error_last(void);

/** Clears the calling thread's last error. */
SESAME_EXTERN(void) sesame_error_clear(void);

/**
 * Returns a static, lowercase description of an error code, e.g.
 * "not found". Unknown codes give "unknown error".
 */
SESAME_EXTERN(const char *) sesame_strerror(int code);

/**
 * Returns the default kind for an error code, e.g. "not_found".
 * Static string; unknown codes give "error".
 */
SESAME_EXTERN(const char *) sesame_error_kind(int code);

SESAME_END_DECL

#endif
