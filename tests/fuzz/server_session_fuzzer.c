/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes sesamed's session tokens (auth_session_parse, auth.c) under fixed
 * server keys. Arbitrary text must be refused as unauthenticated (no
 * forgery passes the MAC); a minted token must parse back to its claims;
 * the minted token with one character changed must be refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "sesame/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct auth *keyed(void)
{
	static struct auth *a;
	unsigned char keys[96];

	if (!a) {
		if (sodium_init() < 0) /* sesamed's main does it first */
			abort();
		for (size_t i = 0; i < sizeof keys; i++)
			keys[i] = (unsigned char)(i * 7 + 1);
		if (auth_open_with_keys(&a, keys) != 0)
			abort();
	}
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth *a = keyed();
	struct session_claims c, back;
	char *text = malloc(size + 1), token[AUTH_SESSION_TOKEN_SIZE];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (auth_session_parse(a, text, &back, 1700000000) != SESAME_EAUTH)
		abort(); /* random text is never a session, not even an expired one */
	free(text);

	/* A real token, then one character of it changed by the input. */
	memset(&c, 0, sizeof c);
	memcpy(c.principal_id, "abcdefghijklmnopqrstuvwxyz", STORE_ID_SIZE);
	memcpy(c.account_id, "zyxwvutsrqponmlkjihgfedcba", STORE_ID_SIZE);
	c.generation = 3;
	c.expires = 1700003600;
	c.type = AUTH_TYPE_USER;
	if (auth_session_mint(a, &c, token, sizeof token) != 0 ||
	    auth_session_parse(a, token, &back, 1700000000) != 0 ||
	    strcmp(back.principal_id, c.principal_id) != 0 || back.generation != 3)
		abort();
	if (size >= 2) {
		size_t at = data[0] % strlen(token);
		char ch = (char)data[1];
		if (ch && ch != token[at]) {
			token[at] = ch;
			if (auth_session_parse(a, token, &back, 1700000000) == 0)
				abort(); /* a changed token passed */
		}
	}
	return 0;
}
