/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_KDF2S_H
#define SESAME_LIB_CRYPTO_KDF2S_H

/*
 * Two-secret key derivation (2SKD) for people: the account password and
 * the Secret Key (crypto/secret_key.h) together give two independent keys,
 * on the client only; neither secret is ever sent.
 *
 *   pw       = password without leading/trailing ASCII whitespace
 *   email'   = email without leading/trailing ASCII whitespace, ASCII lowercased
 *   salt'    = HKDF-SHA256(ikm = salt (16 random bytes, stored by the server),
 *                          salt = email', info = "sesame 2skd salt", L = 16)
 *   k1       = Argon2id v1.3 (pw, salt', ops, mem, parallelism 1), 32 bytes
 *   k2       = HKDF-SHA256(ikm = canonical Secret Key (34 ASCII bytes),
 *                          salt = account id, info = "sesame 2skd secret key", L = 32)
 *   m        = k1 XOR k2
 *   unlock_key = HKDF-Expand(PRK = m, info = "sesame unlock key", 32)
 *   auth_seed  = HKDF-Expand(PRK = m, info = "sesame auth seed", 32)
 *
 * Why: k1 is slow to guess (Argon2id, memory-hard); k2 carries 128 bits the
 * server never sees, so a stolen database plus a guessed password still
 * gives nothing. m is as strong as the stronger secret, and the two
 * Expand labels make the unlock key (decrypts the private keyset) and the
 * auth seed (Ed25519 sign-in key; the server holds its public key)
 * independent: what the server learns from sign-in says nothing about the
 * unlock key. Mixing the email into the salt keeps a server from reusing
 * one precomputation across accounts even if it hands out equal salts.
 *
 * Limitation: passwords are not Unicode-normalised (NFKD would need ICU),
 * so the same password typed with composed and decomposed accents gives
 * different keys; clients should send what the keyboard produced. Email
 * case folding is ASCII only, like the rest of Sesame.
 *
 * All intermediates live in secure memory and are wiped on every path.
 */

#include <stddef.h>

#define KDF2S_SALTBYTES 16
#define KDF2S_KEYBYTES  32

/* Defaults: libsodium's crypto_pwhash_*_MODERATE (3 passes, 256 MiB). */
#define KDF2S_OPSLIMIT_DEFAULT 3ULL
#define KDF2S_MEMLIMIT_DEFAULT ((size_t)256 * 1024 * 1024)
/*
 * Bounds checked on every call, because the parameters come from the
 * server: a floor so a hostile server cannot make the password cheap to
 * guess, a ceiling so it cannot make the client run out of memory. The
 * floor (2 passes, 8 MiB) is a sanity limit, not a recommendation: the
 * unit tests run at it to stay fast.
 */
#define KDF2S_OPSLIMIT_MIN 2ULL
#define KDF2S_OPSLIMIT_MAX 32ULL
#define KDF2S_MEMLIMIT_MIN ((size_t)8 * 1024 * 1024)
#define KDF2S_MEMLIMIT_MAX ((size_t)1024 * 1024 * 1024)

#define KDF2S_PASSWORD_MAX   4096
#define KDF2S_EMAIL_MAX      320
#define KDF2S_ACCOUNT_ID_MAX 128

#define KDF2S_SALT_LABEL       "sesame 2skd salt"
#define KDF2S_SECRET_KEY_LABEL "sesame 2skd secret key"
#define KDF2S_UNLOCK_LABEL     "sesame unlock key"
#define KDF2S_AUTH_LABEL       "sesame auth seed"

/* Argon2id cost; memlimit in bytes (the argon2 CLI's -k is KiB). */
typedef struct {
	unsigned long long opslimit;
	size_t memlimit;
} kdf2s_params;

#define KDF2S_PARAMS_DEFAULT                                                                       \
	{                                                                                          \
		KDF2S_OPSLIMIT_DEFAULT, KDF2S_MEMLIMIT_DEFAULT                                     \
	}

typedef struct {
	const char *password; /* as typed; trimmed here */
	size_t password_len;
	const char *secret_key;    /* canonical form, from secret_key_parse() */
	const unsigned char *salt; /* KDF2S_SALTBYTES, from the server */
	const char *email;
	const char *account_id;
} kdf2s_input;

/* 0 when the costs are within the bounds above, else SESAME_EINVAL. */
int kdf2s_params_check(const kdf2s_params *params);

/*
 * The Argon2id step alone: crypto_pwhash(ALG_ARGON2ID13) of `password` as
 * given (no trimming) into 32 bytes. Exposed so tests can compare it with
 * the reference argon2 implementation.
 */
int kdf2s_argon2id(unsigned char out[KDF2S_KEYBYTES], const char *password, size_t password_len,
		   const unsigned char salt[KDF2S_SALTBYTES], const kdf2s_params *params);

/*
 * The whole derivation. `params` NULL means the defaults. The Secret Key
 * must be canonical and belong to `account_id` (its account tag), else
 * SESAME_EINVAL before any expensive work. SESAME_ENOMEM when Argon2id
 * cannot get its memory. On failure both outputs are zeroed.
 */
int kdf2s_derive(unsigned char unlock_key[KDF2S_KEYBYTES], unsigned char auth_seed[KDF2S_KEYBYTES],
		 const kdf2s_input *in, const kdf2s_params *params);

#endif
