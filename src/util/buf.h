/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_UTIL_BUF_H
#define SESAME_UTIL_BUF_H

/*
 * A growable byte buffer with a mandatory ceiling (curl's dynbuf).
 *
 * - Every buffer has a maximum; growing past it fails with SESAME_ETOOBIG
 *   and frees the buffer, so a caller cannot keep using half a result.
 * - A secure buffer lives in sodium_malloc() memory (guard pages, mlock)
 *   and is wiped whenever it is resized or freed: use it for plaintext.
 * - A wiped buffer lives on the ordinary heap (malloc) and is wiped
 *   whenever it is resized (never realloc'ed in place: copied, then the
 *   old block wiped) or freed, without guard pages or mlock. It costs no
 *   system call, where each sodium_malloc() costs about ten (mmap, mlock,
 *   mprotect, ...): use it for the many small plaintexts of one operation
 *   (resolved secret values, one per reference). The trade-off is in
 *   docs/decisions.md: no guard page against overflows into it, and the
 *   pages may be swapped out (core dumps are off in the CLI anyway).
 * - The content is always NUL-terminated (the NUL is not counted in len),
 *   so text can be used as a C string.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;
	bool secure;
	bool wiped; /* heap memory wiped on resize and free (ignored if secure) */
} sbuf;

#define SBUF_INIT(maxbytes) {NULL, 0, 0, (maxbytes), false, false}
#define SBUF_INIT_SECURE(maxbytes) {NULL, 0, 0, (maxbytes), true, false}
#define SBUF_INIT_WIPED(maxbytes) {NULL, 0, 0, (maxbytes), false, true}

void sbuf_init(sbuf *b, size_t max);
void sbuf_init_secure(sbuf *b, size_t max);
void sbuf_init_wiped(sbuf *b, size_t max);

/* Frees the memory (wiping it first if secure) and resets to empty. */
void sbuf_free(sbuf *b);

/* Empties the buffer, keeping its memory (wiped first). */
void sbuf_reset(sbuf *b);

/* Appends; on failure the buffer is freed and a SESAME_E* code returned. */
int sbuf_add(sbuf *b, const void *data, size_t len);
int sbuf_adds(sbuf *b, const char *str);
int sbuf_addc(sbuf *b, char c);
int sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sbuf_vprintf(sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Makes room for `extra` more bytes without changing len. */
int sbuf_grow(sbuf *b, size_t extra);

/*
 * Hands the content to the caller (malloc'ed, or sodium_malloc'ed for a
 * secure buffer) and leaves the buffer empty. Returns NULL for an empty
 * buffer that never allocated. A wiped buffer's content is handed over as
 * a sodium_malloc'ed copy (the heap block is wiped and freed): whoever
 * keeps a secret past the buffer gets secure memory, released with
 * sodium_free()/secmem_free() as for a secure buffer. NULL (buffer freed)
 * when that copy cannot be made.
 */
char *sbuf_detach(sbuf *b, size_t *len_out);

/*
 * For tests: called with every block a wiped buffer releases, after the
 * wipe and right before free(), so a test can check it is all zeros.
 * NULL (the default) for none.
 */
void sbuf_set_release_hook(void (*hook)(const void *p, size_t cap));

static inline const char *sbuf_cstr(const sbuf *b)
{
	return b->ptr ? b->ptr : "";
}

#endif
