/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_UTIL_BASE32_H
#define SESAME_UTIL_BASE32_H

/*
 * Base32 (RFC 4648 section 6, alphabet A-Z 2-7), as used by TOTP secrets.
 *
 * Decoding is lenient where people paste secrets by hand and strict about
 * everything else:
 * - letters are accepted in either case;
 * - spaces and '=' are ignored wherever they appear (grouped secrets such
 *   as "JBSW Y3DP EHPK 3PXP", with or without padding);
 * - every other character (0, 1, 8, 9, punctuation, tabs, newlines) is
 *   rejected;
 * - a count of significant characters that no encoder can produce
 *   (1, 3 or 6 modulo 8) is rejected; leftover bits below a whole byte
 *   are dropped, as RFC 4648 decoders commonly do.
 * The character mapping has no data-dependent branches or table lookups,
 * since the decoded bytes are usually key material. Callers keep secrets
 * in secure memory; these functions keep no copy.
 */

#include <stdbool.h>
#include <stddef.h>

/* Upper bound of the decoded size of `text_len` characters. */
size_t base32_decoded_max(size_t text_len);

/*
 * Decodes `text` (length `text_len`) into `out` (capacity `cap`) and writes
 * the decoded length to *out_len. Returns 0, SESAME_EINVAL (bad character
 * or length; nothing about the input is recorded) or SESAME_EBUFSIZE.
 * On failure `out` may hold partial output: the caller wipes it.
 */
int base32_decode(unsigned char *out, size_t cap, size_t *out_len, const char *text,
		  size_t text_len) __attribute__((warn_unused_result));

/* Size of the buffer base32_encode needs for `len` bytes, NUL included. */
size_t base32_encoded_size(size_t len, bool pad);

/*
 * Encodes `len` bytes as upper-case base32 into `out` (capacity `cap`),
 * NUL-terminated, with '=' padding to a multiple of 8 when `pad` is true.
 * Returns 0 or SESAME_EBUFSIZE.
 */
int base32_encode(char *out, size_t cap, const void *bin, size_t len, bool pad);

#endif
