/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes sa_token_decode(), in two stages per input:
 *   1. the input as token text;
 *   2. the input as a binary payload, put under a valid checksum and
 *      encoded, so that random data gets past the checksum and the
 *      version, id and URL checks and the round trip are fuzzed too
 *      (stage 1 alone almost never produces a matching checksum).
 * Whatever decodes must re-encode to a token that decodes to the same
 * fields, and (the text form being canonical) to exactly the input minus
 * the surrounding whitespace the decoder ignores. A broken property
 * aborts, which libFuzzer reports as a crash.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token/sa_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX_LEN (sizeof SA_TOKEN_PREFIX - 1)
#define WRAP_MAX 70000 /* past the longest body the decoder reads */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "sa_token_fuzzer: %s\n", what);
		abort();
	}
}

static void decode_and_round_trip(const char *text)
{
	sa_token *t = NULL, *u = NULL;
	char *again = NULL;

	if (sa_token_decode(&t, text) != 0) {
		check(t == NULL, "failed decode left a token behind");
		return;
	}
	check(t != NULL && t->seed != NULL && t->server_url != NULL, "decoded token incomplete");
	check(t->version == SA_TOKEN_VERSION, "decoded an unknown version");
	check(strlen(t->account_id) == SA_TOKEN_ID_LEN && strlen(t->sa_id) == SA_TOKEN_ID_LEN,
	      "decoded ids of the wrong length");
	size_t url_len = strlen(t->server_url);
	check(url_len >= 1 && url_len <= SA_TOKEN_URL_MAX, "decoded url of a bad length");

	check(sa_token_encode(&again, t) == 0, "a decoded token does not re-encode");
	check(sa_token_decode(&u, again) == 0, "a re-encoded token does not decode");
	check(u->version == t->version, "version changed");
	check(strcmp(u->account_id, t->account_id) == 0, "account id changed");
	check(strcmp(u->sa_id, t->sa_id) == 0, "service account id changed");
	check(strcmp(u->server_url, t->server_url) == 0, "server url changed");
	check(memcmp(u->seed, t->seed, SA_TOKEN_SEED_BYTES) == 0, "seed changed");

	/* Canonical: the re-encoding is the (trimmed) input itself. */
	const char *s = text;
	size_t len = strlen(text);
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	check(strlen(again) == len && memcmp(again, s, len) == 0, "text form is not canonical");

	sa_token_string_free(again);
	sa_token_free(u);
	sa_token_free(t);
}

/* Stage 2: "sesame_sa_" + base64url(data || checksum(data)). */
static void wrapped(const uint8_t *data, size_t size)
{
	const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	unsigned char digest[crypto_generichash_BYTES];
	crypto_generichash_state st;

	if (size > WRAP_MAX || sodium_init() < 0)
		return;
	unsigned char *bin = malloc(size + SA_TOKEN_CHECKSUM_BYTES);
	size_t cap = PREFIX_LEN + sodium_base64_ENCODED_LEN(size + SA_TOKEN_CHECKSUM_BYTES, variant);
	char *text = malloc(cap);
	if (bin == NULL || text == NULL)
		goto done;
	crypto_generichash_init(&st, NULL, 0, sizeof digest);
	crypto_generichash_update(&st, (const unsigned char *)SA_TOKEN_PREFIX, PREFIX_LEN);
	crypto_generichash_update(&st, data, size);
	crypto_generichash_final(&st, digest, sizeof digest);
	if (size > 0)
		memcpy(bin, data, size);
	memcpy(bin + size, digest, SA_TOKEN_CHECKSUM_BYTES);
	memcpy(text, SA_TOKEN_PREFIX, PREFIX_LEN);
	sodium_bin2base64(text + PREFIX_LEN, cap - PREFIX_LEN, bin,
			  size + SA_TOKEN_CHECKSUM_BYTES, variant);
	decode_and_round_trip(text);
done:
	free(text);
	free(bin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	decode_and_round_trip(text);
	free(text);

	wrapped(data, size);
	return 0;
}
