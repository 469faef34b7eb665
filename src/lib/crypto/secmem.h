/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CRYPTO_SECMEM_H
#define SESAME_LIB_CRYPTO_SECMEM_H

/*
 * Secure memory for key material and plaintext, over libsodium's guarded
 * heap: sodium_malloc() puts each allocation right before a guard page,
 * behind a canary, and mlock()s it so it stays out of swap and core dumps;
 * sodium_free() wipes it before unmapping.
 *
 * Alignment: sodium_malloc() aligns the END of the block to the guard
 * page, so the start is only aligned when the size is a multiple of the
 * alignment. Store byte arrays here (or structs made only of unsigned char
 * arrays), not structs holding pointers or wider integers.
 *
 * Every entry point calls sodium_init() first, so no caller has to
 * remember to; it is cheap after the first call and thread-safe.
 */

#include <stddef.h>

/*
 * Initialises libsodium once. Returns 0, or SESAME_ERROR (error set) when
 * libsodium cannot start, e.g. with no system randomness available.
 */
int secmem_init(void);

/*
 * Returns `len` bytes of secure memory, or NULL with SESAME_ENOMEM set.
 * The content is NOT zeroed: libsodium fills it with 0xdb so that reading
 * it before writing shows up. Release with secmem_free().
 */
void *secmem_alloc(size_t len);

/* Same, zero-filled. */
void *secmem_calloc(size_t len);

/* Wipes and releases memory from secmem_alloc(); NULL is ignored. */
void secmem_free(void *p);

/*
 * Copies a C string, or exactly `len` bytes of `s` (which need not be
 * NUL-terminated and may hold NULs), into secure memory and NUL-terminates
 * the copy. NULL with SESAME_ENOMEM (SESAME_EINVAL for a NULL `s`) on
 * failure. Release with secmem_free().
 */
char *secmem_strdup(const char *s);
char *secmem_strndup(const char *s, size_t len);

/*
 * Wipes `len` bytes in a way the compiler cannot optimise away (use it on
 * stack buffers before returning; memset() may be elided).
 */
void secmem_wipe(void *p, size_t len);

#endif
