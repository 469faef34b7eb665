/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Service-account token text form; the format is documented in
 * sa_token.h and docs/internals/token.md.
 *
 * Every buffer that holds the payload (and so the seed) is in
 * sodium_malloc memory and freed with sodium_free(), which wipes it; the
 * hash state is wiped by hand. Messages name what failed, never the text.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "error.h"
#include "token/sa_token.h"

#define PREFIX_LEN (sizeof SA_TOKEN_PREFIX - 1)
#define OFF_VERSION 0
#define OFF_ACCOUNT 1
#define OFF_SA (OFF_ACCOUNT + SA_TOKEN_ID_LEN)
#define OFF_SEED (OFF_SA + SA_TOKEN_ID_LEN)
#define OFF_URL_LEN (OFF_SEED + SA_TOKEN_SEED_BYTES)
#define OFF_URL (OFF_URL_LEN + 2)
/*
 * Longest body we decode: what the 16-bit URL length field can describe.
 * Anything longer has trailing bytes whatever its content; anything
 * shorter is decoded so that a URL of 2049..65535 bytes is reported as an
 * invalid URL (after the checksum), in the documented order.
 */
#define BODY_MAX (((SA_TOKEN_FIXED_BYTES + 0xffff + SA_TOKEN_CHECKSUM_BYTES) * 4 + 2) / 3)

_Static_assert(OFF_URL == SA_TOKEN_FIXED_BYTES, "payload layout");

static bool valid_id(const char *s, size_t len)
{
	if (len != SA_TOKEN_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static bool valid_url(const char *u, size_t len)
{
	size_t scheme;
	if (len < 1 || len > SA_TOKEN_URL_MAX)
		return false;
	if (len >= 7 && memcmp(u, "http://", 7) == 0)
		scheme = 7;
	else if (len >= 8 && memcmp(u, "https://", 8) == 0)
		scheme = 8;
	else
		return false;
	if (len == scheme)
		return false; /* no host */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)u[i] < 0x21 || (unsigned char)u[i] > 0x7e)
			return false;
	return true;
}

static int crypto_ready(void)
{
	/* Idempotent and thread-safe; sodium_malloc needs it. */
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot initialise libsodium");
	return 0;
}

static bool is_b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* First SA_TOKEN_CHECKSUM_BYTES of BLAKE2b-256(prefix || payload). */
static void checksum(unsigned char out[SA_TOKEN_CHECKSUM_BYTES], const unsigned char *payload,
		     size_t len)
{
	crypto_generichash_state st;
	unsigned char digest[crypto_generichash_BYTES];
	crypto_generichash_init(&st, NULL, 0, sizeof digest);
	crypto_generichash_update(&st, (const unsigned char *)SA_TOKEN_PREFIX, PREFIX_LEN);
	crypto_generichash_update(&st, payload, len);
	crypto_generichash_final(&st, digest, sizeof digest);
	memcpy(out, digest, SA_TOKEN_CHECKSUM_BYTES);
	sodium_memzero(&st, sizeof st);
	sodium_memzero(digest, sizeof digest);
}

void sa_token_free(sa_token *t)
{
	if (t == NULL)
		return;
	sodium_free(t->seed);
	if (t->server_url != NULL) {
		sodium_memzero(t->server_url, strlen(t->server_url));
		free(t->server_url);
	}
	sodium_memzero(t, sizeof *t);
	free(t);
}

void sa_token_string_free(char *s)
{
	sodium_free(s);
}

/* Allocates an empty token with its seed buffer. */
static int token_alloc(sa_token **out, const char *url, size_t url_len)
{
	sa_token *t = calloc(1, sizeof *t);
	if (t == NULL)
		return sesame_error_nomem();
	t->seed = sodium_malloc(SA_TOKEN_SEED_BYTES);
	t->server_url = malloc(url_len + 1);
	if (t->seed == NULL || t->server_url == NULL) {
		sodium_free(t->seed);
		free(t->server_url);
		free(t);
		return sesame_error_nomem();
	}
	memcpy(t->server_url, url, url_len);
	t->server_url[url_len] = '\0';
	t->version = SA_TOKEN_VERSION;
	*out = t;
	return 0;
}

int sa_token_new(sa_token **out, const char *account_id, const char *sa_id,
		 const char *server_url, const unsigned char *seed)
{
	sa_token *t = NULL;
	int rc;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"no output given for token");
	*out = NULL;
	if (account_id == NULL || !valid_id(account_id, strnlen(account_id, SA_TOKEN_ID_LEN + 1)))
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"account id must be 26 characters of [a-z0-9]");
	if (sa_id == NULL || !valid_id(sa_id, strnlen(sa_id, SA_TOKEN_ID_LEN + 1)))
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"service account id must be 26 characters of [a-z0-9]");
	size_t url_len = server_url ? strnlen(server_url, SA_TOKEN_URL_MAX + 1) : 0;
	if (server_url == NULL || !valid_url(server_url, url_len))
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"server url must be http:// or https:// followed by up to "
					"%d printable characters",
					SA_TOKEN_URL_MAX - 8);
	rc = crypto_ready();
	if (rc == 0)
		rc = token_alloc(&t, server_url, url_len);
	if (rc != 0)
		return rc;
	memcpy(t->account_id, account_id, SA_TOKEN_ID_LEN);
	memcpy(t->sa_id, sa_id, SA_TOKEN_ID_LEN);
	if (seed != NULL)
		memcpy(t->seed, seed, SA_TOKEN_SEED_BYTES);
	else
		randombytes_buf(t->seed, SA_TOKEN_SEED_BYTES);
	*out = t;
	return 0;
}

int sa_token_encode(char **out, const sa_token *t)
{
	unsigned char *buf = NULL;
	char *text = NULL;
	int rc = 0;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"no output given for token");
	*out = NULL;
	if (t == NULL || t->seed == NULL || t->server_url == NULL)
		return sesame_error_set(SESAME_EINVAL, "token_invalid", "token is incomplete");
	if (t->version != SA_TOKEN_VERSION)
		return sesame_error_set(SESAME_EINVAL, "token_unknown_version",
					"cannot encode service account token version %u",
					(unsigned)t->version);
	if (!valid_id(t->account_id, strnlen(t->account_id, sizeof t->account_id)) ||
	    !valid_id(t->sa_id, strnlen(t->sa_id, sizeof t->sa_id)))
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"token ids must be 26 characters of [a-z0-9]");
	size_t url_len = strnlen(t->server_url, SA_TOKEN_URL_MAX + 1);
	if (!valid_url(t->server_url, url_len))
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"token has an invalid server url");

	rc = crypto_ready();
	if (rc != 0)
		return rc;
	size_t payload_len = SA_TOKEN_FIXED_BYTES + url_len;
	size_t total = payload_len + SA_TOKEN_CHECKSUM_BYTES;
	buf = sodium_malloc(total);
	size_t text_cap = PREFIX_LEN + b64_encoded_size(total, B64_URL_NOPAD);
	text = sodium_malloc(text_cap);
	if (buf == NULL || text == NULL) {
		rc = sesame_error_nomem();
		goto cleanup;
	}
	buf[OFF_VERSION] = t->version;
	memcpy(buf + OFF_ACCOUNT, t->account_id, SA_TOKEN_ID_LEN);
	memcpy(buf + OFF_SA, t->sa_id, SA_TOKEN_ID_LEN);
	memcpy(buf + OFF_SEED, t->seed, SA_TOKEN_SEED_BYTES);
	buf[OFF_URL_LEN] = (unsigned char)(url_len >> 8);
	buf[OFF_URL_LEN + 1] = (unsigned char)(url_len & 0xff);
	memcpy(buf + OFF_URL, t->server_url, url_len);
	checksum(buf + payload_len, buf, payload_len);

	memcpy(text, SA_TOKEN_PREFIX, PREFIX_LEN);
	if (b64_encode(text + PREFIX_LEN, text_cap - PREFIX_LEN, buf, total, B64_URL_NOPAD) != 0) {
		rc = sesame_error_set(SESAME_ERROR, NULL, "cannot encode service account token");
		goto cleanup;
	}
	*out = text;
	text = NULL;
cleanup:
	sodium_free(buf);
	sodium_free(text);
	return rc;
}

int sa_token_decode(sa_token **out, const char *text)
{
	unsigned char *buf = NULL;
	unsigned char sum[SA_TOKEN_CHECKSUM_BYTES];
	sa_token *t = NULL;
	size_t n = 0;
	int rc = 0;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, "token_invalid",
					"no output given for token");
	*out = NULL;
	if (text == NULL)
		text = "";

	/* A pasted token often brings a newline or spaces along. */
	size_t len = strlen(text);
	while (len > 0 && is_space(*text)) {
		text++;
		len--;
	}
	while (len > 0 && is_space(text[len - 1]))
		len--;

	if (len < PREFIX_LEN || memcmp(text, SA_TOKEN_PREFIX, PREFIX_LEN) != 0)
		return sesame_error_set(SESAME_EINVAL, "token_bad_prefix",
					"not a service account token: it does not start with '%s'",
					SA_TOKEN_PREFIX);
	const char *body = text + PREFIX_LEN;
	size_t blen = len - PREFIX_LEN;
	for (size_t i = 0; i < blen; i++)
		if (!is_b64url_char(body[i]))
			return sesame_error_set(SESAME_EINVAL, "token_bad_encoding",
						"service account token has a character outside "
						"base64url at offset %zu",
						PREFIX_LEN + i);
	if (blen % 4 == 1)
		return sesame_error_set(SESAME_EINVAL, "token_bad_encoding",
					"service account token has an impossible base64url length");
	if (blen > BODY_MAX)
		return sesame_error_set(SESAME_EINVAL, "token_truncated",
					"service account token is longer than any valid token "
					"(trailing bytes)");

	rc = crypto_ready();
	if (rc != 0)
		return rc;
	size_t cap = b64_decoded_max(blen);
	buf = sodium_malloc(cap);
	if (buf == NULL)
		return sesame_error_nomem();
	if (b64_decode(buf, cap, &n, body, blen, B64_URL_NOPAD) != 0) {
		rc = sesame_error_set(SESAME_EINVAL, "token_bad_encoding",
				      "service account token is not canonical base64url");
		goto cleanup;
	}

	if (n < SA_TOKEN_FIXED_BYTES + SA_TOKEN_CHECKSUM_BYTES) {
		rc = sesame_error_set(SESAME_EINVAL, "token_truncated",
				      "service account token is truncated");
		goto cleanup;
	}
	size_t url_len = (size_t)buf[OFF_URL_LEN] << 8 | buf[OFF_URL_LEN + 1];
	size_t want = SA_TOKEN_FIXED_BYTES + url_len + SA_TOKEN_CHECKSUM_BYTES;
	if (want > n) {
		rc = sesame_error_set(SESAME_EINVAL, "token_truncated",
				      "service account token is truncated: its server url runs "
				      "past the end");
		goto cleanup;
	}
	if (want < n) {
		rc = sesame_error_set(SESAME_EINVAL, "token_truncated",
				      "service account token has %zu trailing bytes after the "
				      "checksum",
				      n - want);
		goto cleanup;
	}

	size_t payload_len = n - SA_TOKEN_CHECKSUM_BYTES;
	checksum(sum, buf, payload_len);
	if (sodium_memcmp(sum, buf + payload_len, SA_TOKEN_CHECKSUM_BYTES) != 0) {
		rc = sesame_error_set(SESAME_EINVAL, "token_bad_checksum",
				      "service account token checksum does not match: the token "
				      "is damaged or mistyped");
		goto cleanup;
	}
	if (buf[OFF_VERSION] != SA_TOKEN_VERSION) {
		rc = sesame_error_set(SESAME_EINVAL, "token_unknown_version",
				      "unsupported service account token version %u",
				      (unsigned)buf[OFF_VERSION]);
		goto cleanup;
	}
	if (!valid_id((const char *)buf + OFF_ACCOUNT, SA_TOKEN_ID_LEN)) {
		rc = sesame_error_set(SESAME_EINVAL, "token_invalid",
				      "service account token has an invalid account id");
		goto cleanup;
	}
	if (!valid_id((const char *)buf + OFF_SA, SA_TOKEN_ID_LEN)) {
		rc = sesame_error_set(SESAME_EINVAL, "token_invalid",
				      "service account token has an invalid service account id");
		goto cleanup;
	}
	if (!valid_url((const char *)buf + OFF_URL, url_len)) {
		rc = sesame_error_set(SESAME_EINVAL, "token_invalid",
				      "service account token has an invalid server url");
		goto cleanup;
	}

	rc = token_alloc(&t, (const char *)buf + OFF_URL, url_len);
	if (rc != 0)
		goto cleanup;
	t->version = buf[OFF_VERSION];
	memcpy(t->account_id, buf + OFF_ACCOUNT, SA_TOKEN_ID_LEN);
	memcpy(t->sa_id, buf + OFF_SA, SA_TOKEN_ID_LEN);
	memcpy(t->seed, buf + OFF_SEED, SA_TOKEN_SEED_BYTES);
	*out = t;
cleanup:
	sodium_free(buf); /* wipes the payload, seed included */
	sodium_memzero(sum, sizeof sum);
	return rc;
}
