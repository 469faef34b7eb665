/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <sodium.h>

#include "crypto/secmem.h"
#include "crypto/secret_key.h"
#include "error.h"

_Static_assert(sizeof SECRET_KEY_ALPHABET - 1 == SECRET_KEY_ALPHABET_SIZE, "alphabet size");
_Static_assert(sizeof SECRET_KEY_VERSION - 1 == 2, "version is two characters");

#define SECRET_KEY_ACCOUNT_ID_MAX 128

static bool secret_key_in_alphabet(char c)
{
	return c != '\0' && memchr(SECRET_KEY_ALPHABET, c, SECRET_KEY_ALPHABET_SIZE) != NULL;
}

int secret_key_account_tag(char out[SECRET_KEY_TAG_CHARS + 1], const char *account_id)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	static const unsigned char zero = 0;
	size_t len;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (account_id == NULL || account_id[0] == '\0')
		return sesame_error_set(SESAME_EINVAL, NULL, "account id is empty");
	len = strnlen(account_id, SECRET_KEY_ACCOUNT_ID_MAX + 1);
	if (len > SECRET_KEY_ACCOUNT_ID_MAX)
		return sesame_error_set(SESAME_EINVAL, NULL, "account id is too long");
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)SECRET_KEY_TAG_LABEL,
				  sizeof SECRET_KEY_TAG_LABEL - 1);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)account_id, len);
	crypto_hash_sha256_final(&st, d);
	/* The tag is public, so the slight modulo bias does not matter. */
	for (size_t i = 0; i < SECRET_KEY_TAG_CHARS; i++)
		out[i] = SECRET_KEY_ALPHABET[d[i] % SECRET_KEY_ALPHABET_SIZE];
	out[SECRET_KEY_TAG_CHARS] = '\0';
	return 0;
}

int secret_key_generate(char out[SECRET_KEY_CANONICAL_SIZE], const char *account_id)
{
	char *p = out;
	int rc;

	rc = secret_key_account_tag(out + 2, account_id);
	if (rc != 0)
		return rc;
	memcpy(p, SECRET_KEY_VERSION, 2);
	p += 2 + SECRET_KEY_TAG_CHARS;
	/* randombytes_uniform() rejects out-of-range draws: no modulo bias. */
	for (size_t i = 0; i < SECRET_KEY_RANDOM_CHARS; i++)
		*p++ = SECRET_KEY_ALPHABET[randombytes_uniform(SECRET_KEY_ALPHABET_SIZE)];
	*p = '\0';
	return 0;
}

bool secret_key_is_canonical(const char *s)
{
	if (s == NULL || strnlen(s, SECRET_KEY_CANONICAL_SIZE) != SECRET_KEY_CANONICAL_LEN)
		return false;
	if (memcmp(s, SECRET_KEY_VERSION, 2) != 0)
		return false;
	for (size_t i = 2; i < SECRET_KEY_CANONICAL_LEN; i++)
		if (!secret_key_in_alphabet(s[i]))
			return false;
	return true;
}

static bool secret_key_is_separator(char c)
{
	return c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char secret_key_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Wipes what a failed parse gathered and passes the (already set) error on. */
static int secret_key_parse_fail(char *out, int rc)
{
	sodium_memzero(out, SECRET_KEY_CANONICAL_SIZE);
	return rc;
}

/*
 * Messages below carry lengths and positions only, never key characters:
 * the key may be almost right, and error text ends up in logs.
 */
int secret_key_parse(char out[SECRET_KEY_CANONICAL_SIZE], const char *text, size_t len)
{
	size_t n = 0;

	sodium_memzero(out, SECRET_KEY_CANONICAL_SIZE);
	if (text == NULL || len == 0)
		return sesame_error_set(SESAME_EINVAL, "invalid_secret_key", "secret key is empty");
	if (len > SECRET_KEY_TEXT_MAX)
		return sesame_error_set(SESAME_EINVAL, "invalid_secret_key",
					"secret key text is longer than %d characters",
					SECRET_KEY_TEXT_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = secret_key_upper(text[i]);

		if (secret_key_is_separator(c))
			continue;
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return secret_key_parse_fail(
			    out, sesame_error_set(SESAME_EINVAL, "invalid_secret_key",
						  "secret key has an invalid character at "
						  "position %zu",
						  i + 1));
		if (n < SECRET_KEY_CANONICAL_LEN) {
			/* The version's '1' is outside the alphabet: check from index 2. */
			if (n >= 2 && !secret_key_in_alphabet(c))
				return secret_key_parse_fail(
				    out, sesame_error_set(SESAME_EINVAL, "invalid_secret_key",
							  "secret key has a character outside "
							  "its alphabet (2-9, A-Z without I, O, "
							  "U) at position %zu",
							  i + 1));
			out[n] = c;
		}
		n++;
	}
	if (n == 0)
		return sesame_error_set(SESAME_EINVAL, "invalid_secret_key", "secret key is empty");
	/* "S2..." is a newer format, not a typo: say so rather than "invalid". */
	if (n >= 2 && out[0] == 'S' && out[1] >= '0' && out[1] <= '9' && out[1] != '1')
		return secret_key_parse_fail(
		    out, sesame_error_set(SESAME_EUNSUPPORTED, "unsupported_secret_key",
					  "secret key format version is not supported"));
	if (n < 2 || memcmp(out, SECRET_KEY_VERSION, 2) != 0)
		return secret_key_parse_fail(out,
					     sesame_error_set(SESAME_EINVAL, "invalid_secret_key",
							      "secret key must start with 'S1'"));
	if (n != SECRET_KEY_CANONICAL_LEN)
		return secret_key_parse_fail(
		    out, sesame_error_set(SESAME_EINVAL, "invalid_secret_key",
					  "secret key has %zu characters without dashes, "
					  "expected %d",
					  n, SECRET_KEY_CANONICAL_LEN));
	out[SECRET_KEY_CANONICAL_LEN] = '\0';
	return 0;
}

int secret_key_format(char out[SECRET_KEY_DISPLAY_SIZE], const char *canonical)
{
	/* Group lengths after "S1": tag, then the random part as 6-5-5-5-5. */
	static const size_t groups[] = {SECRET_KEY_TAG_CHARS, 6, 5, 5, 5, 5};
	const char *src = canonical + 2;
	char *p = out;

	if (!secret_key_is_canonical(canonical))
		return sesame_error_set(SESAME_EINVAL, "invalid_secret_key",
					"secret key is not in canonical form");
	memcpy(p, SECRET_KEY_VERSION, 2);
	p += 2;
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		*p++ = '-';
		memcpy(p, src, groups[g]);
		p += groups[g];
		src += groups[g];
	}
	*p = '\0';
	return 0;
}

int secret_key_check_account(const char *canonical, const char *account_id)
{
	char tag[SECRET_KEY_TAG_CHARS + 1];
	int rc;

	if (!secret_key_is_canonical(canonical))
		return sesame_error_set(SESAME_EINVAL, "invalid_secret_key",
					"secret key is not in canonical form");
	rc = secret_key_account_tag(tag, account_id);
	if (rc != 0)
		return rc;
	if (memcmp(tag, canonical + 2, SECRET_KEY_TAG_CHARS) != 0)
		return sesame_error_set(SESAME_EINVAL, "secret_key_mismatch",
					"secret key belongs to another account");
	return 0;
}
