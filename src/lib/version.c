/* SPDX-License-Identifier: Apache-2.0 */
#include <sodium.h>

#include "sesame/version.h"
#include "error.h"

const char *sesame_version(void)
{
	return SESAME_VERSION_STRING;
}

int sesame_init(void)
{
	/* sodium_init() is thread-safe and idempotent (returns 1 when done). */
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot initialise libsodium");
	return 0;
}
