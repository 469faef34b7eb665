/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_SECRET_KEY_H
#define SESAME_LIB_CRYPTO_SECRET_KEY_H

/*
 * The human Secret Key: 128+ bits of randomness, generated on the user's
 * device, shown once in the emergency kit, never sent to the server. It is
 * the second input of the two-secret key derivation (crypto/kdf2s.h), so
 * a stolen database cannot be attacked by guessing passwords alone.
 *
 * Canonical form (34 characters, the bytes kdf2s uses):
 *
 *   "S1" | account tag (6) | random (26)
 *
 * - "S1": format version, so the scheme can change later.
 * - account tag: 6 symbols derived from the account id (not secret), so a
 *   user with several accounts can tell their keys apart and the client
 *   can refuse a key meant for another account before running Argon2id:
 *   d = SHA-256("sesame secret key account" || 0x00 || account id),
 *   tag[i] = ALPHABET[d[i] mod 31] for i = 0..5.
 * - random: 26 symbols, each randombytes_uniform(31): 26 * log2(31) =
 *   128.8 bits.
 *
 * Alphabet: 31 symbols, 2-9 and A-Z without I, O, U; so no 0/O, 1/I
 * confusion and no accidental words with U.
 *
 * Display form (40 characters), grouped for reading aloud and copying by
 * hand, the way 1Password shows its Secret Keys:
 *
 *   S1-TTTTTT-RRRRRR-RRRRR-RRRRR-RRRRR-RRRRR
 *
 * (version, account tag, then the random part as 6, 5, 5, 5, 5).
 * Parsing is tolerant: case, spaces and dashes anywhere are ignored.
 * Error messages never echo the key, only lengths and positions.
 */

#include <stdbool.h>
#include <stddef.h>

#define SECRET_KEY_VERSION        "S1"
#define SECRET_KEY_ALPHABET       "23456789ABCDEFGHJKLMNPQRSTVWXYZ"
#define SECRET_KEY_ALPHABET_SIZE  31
#define SECRET_KEY_TAG_CHARS      6
#define SECRET_KEY_RANDOM_CHARS   26
#define SECRET_KEY_ENTROPY_BITS   128 /* floor(26 * log2(31)) = 128 */
#define SECRET_KEY_CANONICAL_LEN  (2 + SECRET_KEY_TAG_CHARS + SECRET_KEY_RANDOM_CHARS) /* 34 */
#define SECRET_KEY_CANONICAL_SIZE (SECRET_KEY_CANONICAL_LEN + 1)
#define SECRET_KEY_DISPLAY_LEN    (SECRET_KEY_CANONICAL_LEN + 6) /* 6 dashes: 40 */
#define SECRET_KEY_DISPLAY_SIZE   (SECRET_KEY_DISPLAY_LEN + 1)
#define SECRET_KEY_TEXT_MAX       256 /* longest input secret_key_parse() looks at */
#define SECRET_KEY_TAG_LABEL      "sesame secret key account"

/*
 * Generates a new Secret Key for `account_id` in canonical form into `out`
 * (SECRET_KEY_CANONICAL_SIZE bytes; keep it in secure memory).
 */
int secret_key_generate(char out[SECRET_KEY_CANONICAL_SIZE], const char *account_id);

/* The 6-symbol account tag of `account_id`, NUL-terminated. */
int secret_key_account_tag(char out[SECRET_KEY_TAG_CHARS + 1], const char *account_id);

/*
 * Parses a Secret Key as a person typed or pasted it (`len` bytes) into
 * canonical form. SESAME_EINVAL (kind "invalid_secret_key") for a wrong
 * length or a character outside the alphabet; SESAME_EUNSUPPORTED for
 * another format version. `out` is zeroed on failure.
 */
int secret_key_parse(char out[SECRET_KEY_CANONICAL_SIZE], const char *text, size_t len);

/* Formats a canonical key for display (SECRET_KEY_DISPLAY_SIZE bytes). */
int secret_key_format(char out[SECRET_KEY_DISPLAY_SIZE], const char *canonical);

/* True when `s` is a canonical Secret Key (version, length, alphabet). */
bool secret_key_is_canonical(const char *s);

/*
 * 0 when the canonical key's account tag matches `account_id`, else
 * SESAME_EINVAL, kind "secret_key_mismatch".
 */
int secret_key_check_account(const char *canonical, const char *account_id);

#endif
