/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_IDS_H
#define SESAME_LIB_CRYPTO_IDS_H

/*
 * Object ids: 26 characters of [a-z0-9], the format 1Password uses, so
 * compatible clients accept ours. Each character is drawn uniformly with
 * randombytes_uniform(36) (rejection sampling, no modulo bias): 26 *
 * log2(36) = 134 bits, so ids can be made on any client without
 * coordination and never collide in practice. Ids are not secrets.
 */

#include <stdbool.h>

#define ID_LEN           26
#define ID_SIZE          (ID_LEN + 1)
#define ID_ALPHABET      "abcdefghijklmnopqrstuvwxyz0123456789"
#define ID_ALPHABET_SIZE 36

/*
 * Writes a new random id and its NUL into `out`. Cannot fail: when the
 * system has no randomness libsodium aborts the process rather than hand
 * out predictable ids.
 */
void id_new(char out[ID_SIZE]);

/* True when `s` is exactly ID_LEN characters of [a-z0-9]. */
bool id_is_valid(const char *s);

#endif
