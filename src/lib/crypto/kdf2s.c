/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "crypto/hkdf.h"
#include "crypto/kdf2s.h"
#include "crypto/secmem.h"
#include "crypto/secret_key.h"
#include "error.h"

_Static_assert(KDF2S_SALTBYTES == crypto_pwhash_argon2id_SALTBYTES, "argon2id salt size");
_Static_assert(KDF2S_OPSLIMIT_DEFAULT == crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
	       "default ops = MODERATE");
_Static_assert(KDF2S_MEMLIMIT_DEFAULT == crypto_pwhash_argon2id_MEMLIMIT_MODERATE,
	       "default mem = MODERATE");
_Static_assert(KDF2S_OPSLIMIT_MIN >= crypto_pwhash_argon2id_OPSLIMIT_MIN, "ops floor");
_Static_assert(KDF2S_MEMLIMIT_MIN >= crypto_pwhash_argon2id_MEMLIMIT_MIN, "mem floor");

/* Layout of the secure scratch block. */
#define KDF2S_W_SALT 0
#define KDF2S_W_K1   (KDF2S_W_SALT + KDF2S_SALTBYTES)
#define KDF2S_W_K2   (KDF2S_W_K1 + KDF2S_KEYBYTES)
#define KDF2S_W_M    (KDF2S_W_K2 + KDF2S_KEYBYTES)
#define KDF2S_W_SIZE (KDF2S_W_M + KDF2S_KEYBYTES)

static const kdf2s_params kdf2s_default = KDF2S_PARAMS_DEFAULT;

int kdf2s_params_check(const kdf2s_params *params)
{
	if (params->opslimit < KDF2S_OPSLIMIT_MIN || params->opslimit > KDF2S_OPSLIMIT_MAX)
		return sesame_error_set(SESAME_EINVAL, "invalid_kdf_params",
					"argon2id passes must be %llu to %llu, got %llu",
					KDF2S_OPSLIMIT_MIN, KDF2S_OPSLIMIT_MAX, params->opslimit);
	if (params->memlimit < KDF2S_MEMLIMIT_MIN || params->memlimit > KDF2S_MEMLIMIT_MAX)
		return sesame_error_set(SESAME_EINVAL, "invalid_kdf_params",
					"argon2id memory must be %zu to %zu KiB, got %zu KiB",
					KDF2S_MEMLIMIT_MIN / 1024, KDF2S_MEMLIMIT_MAX / 1024,
					params->memlimit / 1024);
	return 0;
}

int kdf2s_argon2id(unsigned char out[KDF2S_KEYBYTES], const char *password, size_t password_len,
		   const unsigned char salt[KDF2S_SALTBYTES], const kdf2s_params *params)
{
	int rc;

	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (params == NULL)
		params = &kdf2s_default;
	rc = kdf2s_params_check(params);
	if (rc != 0)
		return rc;
	if (password == NULL && password_len != 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "password is null");
	if (password_len > KDF2S_PASSWORD_MAX)
		return sesame_error_set(SESAME_ETOOBIG, NULL, "password longer than %d bytes",
					KDF2S_PASSWORD_MAX);
	/* Parameters are in range, so the only failure left is memory. */
	if (crypto_pwhash(out, KDF2S_KEYBYTES, password ? password : "", password_len, salt,
			  params->opslimit, params->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_memzero(out, KDF2S_KEYBYTES);
		return sesame_error_set(SESAME_ENOMEM, NULL,
					"argon2id could not get %zu MiB of memory",
					params->memlimit / (1024 * 1024));
	}
	return 0;
}

static bool kdf2s_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Narrows [*s, *s + *len) to drop leading and trailing ASCII whitespace. */
static void kdf2s_trim(const char **s, size_t *len)
{
	while (*len > 0 && kdf2s_is_space((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && kdf2s_is_space((*s)[*len - 1]))
		(*len)--;
}

/* Trimmed, ASCII-lowercased email into `out`; returns its length via *out_len. */
static int kdf2s_email(char out[KDF2S_EMAIL_MAX], size_t *out_len, const char *email)
{
	const char *s = email;
	size_t len;

	if (email == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "email is empty");
	len = strnlen(email, KDF2S_EMAIL_MAX + 1);
	if (len > KDF2S_EMAIL_MAX)
		return sesame_error_set(SESAME_EINVAL, NULL, "email longer than %d bytes",
					KDF2S_EMAIL_MAX);
	kdf2s_trim(&s, &len);
	if (len == 0)
		return sesame_error_set(SESAME_EINVAL, NULL, "email is empty");
	for (size_t i = 0; i < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	*out_len = len;
	return 0;
}

int kdf2s_derive(unsigned char unlock_key[KDF2S_KEYBYTES], unsigned char auth_seed[KDF2S_KEYBYTES],
		 const kdf2s_input *in, const kdf2s_params *params)
{
	unsigned char *w = NULL;
	char email[KDF2S_EMAIL_MAX];
	size_t email_len = 0, account_len, pw_len;
	const char *pw;
	int rc;

	sodium_memzero(unlock_key, KDF2S_KEYBYTES);
	sodium_memzero(auth_seed, KDF2S_KEYBYTES);
	if (params == NULL)
		params = &kdf2s_default;

	/* Every cheap check first, so a bad input never costs an Argon2id run. */
	rc = kdf2s_params_check(params);
	if (rc != 0)
		goto cleanup;
	if (in->salt == NULL) {
		rc = sesame_error_set(SESAME_EINVAL, NULL, "kdf salt is missing");
		goto cleanup;
	}
	if (in->account_id == NULL || in->account_id[0] == '\0' ||
	    (account_len = strnlen(in->account_id, KDF2S_ACCOUNT_ID_MAX + 1)) >
		KDF2S_ACCOUNT_ID_MAX) {
		rc = sesame_error_set(SESAME_EINVAL, NULL, "account id is empty or too long");
		goto cleanup;
	}
	rc = kdf2s_email(email, &email_len, in->email);
	if (rc != 0)
		goto cleanup;
	rc = secret_key_check_account(in->secret_key, in->account_id);
	if (rc != 0)
		goto cleanup;
	if (in->password == NULL) {
		rc = sesame_error_set(SESAME_EINVAL, NULL, "password is empty");
		goto cleanup;
	}
	pw = in->password;
	pw_len = in->password_len;
	kdf2s_trim(&pw, &pw_len);
	if (pw_len == 0) {
		rc = sesame_error_set(SESAME_EINVAL, NULL, "password is empty");
		goto cleanup;
	}

	w = secmem_alloc(KDF2S_W_SIZE);
	if (w == NULL) {
		rc = SESAME_ENOMEM;
		goto cleanup;
	}
	rc = hkdf_sha256(w + KDF2S_W_SALT, KDF2S_SALTBYTES, email, email_len, in->salt,
			 KDF2S_SALTBYTES, KDF2S_SALT_LABEL, sizeof KDF2S_SALT_LABEL - 1);
	if (rc != 0)
		goto cleanup;
	rc = kdf2s_argon2id(w + KDF2S_W_K1, pw, pw_len, w + KDF2S_W_SALT, params);
	if (rc != 0)
		goto cleanup;
	rc = hkdf_sha256(w + KDF2S_W_K2, KDF2S_KEYBYTES, in->account_id, account_len,
			 in->secret_key, SECRET_KEY_CANONICAL_LEN, KDF2S_SECRET_KEY_LABEL,
			 sizeof KDF2S_SECRET_KEY_LABEL - 1);
	if (rc != 0)
		goto cleanup;
	for (size_t i = 0; i < KDF2S_KEYBYTES; i++)
		w[KDF2S_W_M + i] = w[KDF2S_W_K1 + i] ^ w[KDF2S_W_K2 + i];
	rc = hkdf_sha256_expand(unlock_key, KDF2S_KEYBYTES, w + KDF2S_W_M, KDF2S_UNLOCK_LABEL,
				sizeof KDF2S_UNLOCK_LABEL - 1);
	if (rc != 0)
		goto cleanup;
	rc = hkdf_sha256_expand(auth_seed, KDF2S_KEYBYTES, w + KDF2S_W_M, KDF2S_AUTH_LABEL,
				sizeof KDF2S_AUTH_LABEL - 1);
cleanup:
	secmem_free(w);
	sodium_memzero(email, sizeof email);
	if (rc != 0) {
		sodium_memzero(unlock_key, KDF2S_KEYBYTES);
		sodium_memzero(auth_seed, KDF2S_KEYBYTES);
	}
	return rc;
}
