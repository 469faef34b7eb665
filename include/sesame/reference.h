/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_REFERENCE_H
#define SESAME_REFERENCE_H

/**
 * @file sesame/reference.h
 * @brief Secret references: `op://<vault>/<item>/[<section>/]<field>[?<query>]`.
 *
 * The same syntax as 1Password's secret references, so existing `.env`
 * files, templates and SDK calls work unchanged:
 *
 * - The scheme is exactly `op://` (lowercase, as `op` requires).
 * - Each part is a name or a 26-character `[a-z0-9]` id. A name may hold
 *   ASCII letters, digits, `-`, `_`, `.` and spaces; there is no escaping,
 *   so a name with any other character (including `/` and non-ASCII
 *   letters) must be written as its id. Parts are never empty.
 * - The query is `&`-separated `key=value` pairs: `attribute=` (alias
 *   `attr=`) with `value` (default), `type`, `id`, `purpose`, `otp` (alias
 *   `totp`), `content`, `size` or `name`; and `ssh-format=openssh`. Keys
 *   and values are case-insensitive. A parameter may appear once.
 * - A reference is at most SESAME_REFERENCE_MAX_BYTES bytes.
 *
 * Parsing is offline and checks only the syntax; whether the parts name
 * anything is decided when the reference is resolved (matching names is
 * case-insensitive there).
 *
 * Errors: SESAME_EINVAL (kind "invalid_reference") for a syntax error,
 * with a message that names the first problem and quotes the part, e.g.
 * `invalid character '%' in item name 'db%x'`; SESAME_ETOOBIG (same kind)
 * when the text is too long; SESAME_ENOMEM.
 */

#include "common.h"

SESAME_BEGIN_DECL

/** The longest secret reference accepted, in bytes (without the NUL). */
#define SESAME_REFERENCE_MAX_BYTES 4096

/** A parsed secret reference (opaque). */
typedef struct sesame_reference sesame_reference;

/**
 * What a reference asks for (`?attribute=`). Values are part of the ABI.
 * `VALUE` through `OTP` apply to fields; `TYPE`, `ID`, `VALUE` (the
 * content), `CONTENT`, `SIZE` and `NAME` apply to file attachments.
 */
typedef enum {
	SESAME_REFERENCE_ATTR_VALUE = 0,   /**< the value (default) */
	SESAME_REFERENCE_ATTR_TYPE = 1,    /**< lowercase type, e.g. "concealed", "file" */
	SESAME_REFERENCE_ATTR_ID = 2,      /**< the field's or file's id */
	SESAME_REFERENCE_ATTR_PURPOSE = 3, /**< "USERNAME", "PASSWORD", "NOTES" or "" */
	SESAME_REFERENCE_ATTR_OTP = 4,     /**< the current TOTP code (alias "totp") */
	SESAME_REFERENCE_ATTR_CONTENT = 5, /**< a file's content */
	SESAME_REFERENCE_ATTR_SIZE = 6,    /**< a file's size in bytes, decimal */
	SESAME_REFERENCE_ATTR_NAME = 7     /**< a file's name */
} sesame_reference_attr;

/**
 * Parses a secret reference.
 *
 * @param out receives a new reference on success, which the caller
 *        releases with sesame_reference_free(); set to NULL on failure
 * @param text the reference, NUL-terminated; not retained
 * @return 0; SESAME_EINVAL (kind "invalid_reference") if `text` is not a
 *         valid reference, or if `out` or `text` is NULL; SESAME_ETOOBIG
 *         (kind "invalid_reference") if it is longer than
 *         SESAME_REFERENCE_MAX_BYTES; SESAME_ENOMEM. The message says what
 *         is wrong, see sesame_error_last().
 */
SESAME_EXTERN(int) sesame_reference_parse(sesame_reference **out, const char *text);

/**
 * Releases a reference from sesame_reference_parse(). NULL is fine.
 * Every string borrowed from it becomes invalid.
 */
SESAME_EXTERN(void) sesame_reference_free(sesame_reference *ref);

/**
 * Returns the vault part (a name or an id) as written. The string is
 * borrowed from `ref` and lives as long as it. Never fails for a parsed
 * reference; NULL only if `ref` is NULL.
 */
SESAME_EXTERN(const char *) sesame_reference_vault(const sesame_reference *ref);

/**
 * Returns the item part as written; borrowed like sesame_reference_vault().
 * NULL only if `ref` is NULL.
 */
SESAME_EXTERN(const char *) sesame_reference_item(const sesame_reference *ref);

/**
 * Returns the section part as written, or NULL if the reference has no
 * section part (or `ref` is NULL). Borrowed from `ref`.
 */
SESAME_EXTERN(const char *) sesame_reference_section(const sesame_reference *ref);

/**
 * Returns the field part (a field's name or id, or a file attachment's
 * name or id) as written; borrowed from `ref`. NULL only if `ref` is NULL.
 */
SESAME_EXTERN(const char *) sesame_reference_field(const sesame_reference *ref);

/**
 * Returns the attribute the reference asks for: the `attribute=` or
 * `attr=` query parameter, SESAME_REFERENCE_ATTR_VALUE without one (or if
 * `ref` is NULL). Cannot fail.
 */
SESAME_EXTERN(sesame_reference_attr) sesame_reference_attribute(const sesame_reference *ref);

/**
 * Returns the canonical query value of an attribute ("value", "type",
 * "id", "purpose", "otp", "content", "size", "name"), a static string, or
 * NULL for a value outside the enum. Cannot fail otherwise.
 */
SESAME_EXTERN(const char *) sesame_reference_attr_name(sesame_reference_attr attr);

/**
 * Returns 1 if the reference carries `ssh-format=openssh` (the private
 * key is then returned in OpenSSH format instead of PKCS#8), else 0
 * (also for NULL). Cannot fail.
 */
SESAME_EXTERN(int) sesame_reference_ssh_format_openssh(const sesame_reference *ref);

/**
 * Checks the syntax of a secret reference, offline, like the SDKs'
 * `ValidateSecretReference`. Nothing is allocated or kept.
 *
 * @param text the reference, NUL-terminated
 * @return 0 if `text` is a valid reference; otherwise the same error as
 *         sesame_reference_parse() would return, with the same message.
 */
SESAME_EXTERN(int) sesame_reference_validate(const char *text);

SESAME_END_DECL

#endif
