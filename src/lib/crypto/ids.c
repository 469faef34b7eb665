/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/ids.h"

_Static_assert(sizeof ID_ALPHABET - 1 == ID_ALPHABET_SIZE, "id alphabet size");

void id_new(char out[ID_SIZE])
{
	/* Failing here would mean no system randomness; never go on without it. */
	if (sodium_init() < 0)
		abort();
	for (size_t i = 0; i < ID_LEN; i++)
		out[i] = ID_ALPHABET[randombytes_uniform(ID_ALPHABET_SIZE)];
	out[ID_LEN] = '\0';
}

bool id_is_valid(const char *s)
{
	if (s == NULL)
		return false;
	for (size_t i = 0; i < ID_LEN; i++) {
		char c = s[i];

		/* Stops at an early NUL too: '\0' is in neither range. */
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
	}
	return s[ID_LEN] == '\0';
}
