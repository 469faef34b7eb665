/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "crypto/secmem.h"
#include "error.h"

int secmem_init(void)
{
	/* 0: initialised now, 1: already initialised, -1: failure. */
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, "crypto_unavailable",
					"cannot initialise libsodium");
	return 0;
}

void *secmem_alloc(size_t len)
{
	void *p;

	if (secmem_init() != 0)
		return NULL;
	p = sodium_malloc(len);
	if (p == NULL)
		sesame_error_nomem();
	return p;
}

void *secmem_calloc(size_t len)
{
	void *p = secmem_alloc(len);

	if (p != NULL)
		memset(p, 0, len);
	return p;
}

void secmem_free(void *p)
{
	/* sodium_free() wipes the block and checks its canary; NULL is a no-op. */
	sodium_free(p);
}

char *secmem_strndup(const char *s, size_t len)
{
	char *p;

	if (s == NULL) {
		sesame_error_set(SESAME_EINVAL, NULL, "cannot copy a null string");
		return NULL;
	}
	if (len == SIZE_MAX) {
		sesame_error_set(SESAME_ETOOBIG, NULL, "string too long to copy");
		return NULL;
	}
	p = secmem_alloc(len + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *secmem_strdup(const char *s)
{
	if (s == NULL) {
		sesame_error_set(SESAME_EINVAL, NULL, "cannot copy a null string");
		return NULL;
	}
	return secmem_strndup(s, strlen(s));
}

void secmem_wipe(void *p, size_t len)
{
	if (p != NULL)
		sodium_memzero(p, len);
}
