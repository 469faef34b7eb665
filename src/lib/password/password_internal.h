/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_PASSWORD_INTERNAL_H
#define SESAME_LIB_PASSWORD_INTERNAL_H

/*
 * Internals of the password generator shared by generate.c and recipe.c,
 * and reachable by the unit tests through libsesame.a.
 */

#include <stddef.h>

#include "sesame/password.h"

/* The compiled-in EFF large word list (cmake/wordlist.cmake). */
extern const char *const sesame_wordlist[];
extern const size_t sesame_wordlist_len;

/* Chunk alphabets of the syllable word list: consonant, vowel[, consonant]. */
#define PW_CONSONANTS "bdfghjklmnprstvwz"
#define PW_VOWELS     "aeiou"

/*
 * Longest word taken from the word list. Longer words are skipped, which
 * keeps SESAME_PASSWORD_MAX_SIZE true (20 * 11 + 19 + 1 = 240 <= 256).
 * The EFF list's longest word has 9 letters.
 */
#define PW_WORD_MAX 11

/* Nonzero if the word list entry is used: 1 to PW_WORD_MAX letters a-z. */
int pw_word_usable(const char *word);

/* Number of usable words and the length of the longest (computed once). */
void pw_wordlist_stats(size_t *count, size_t *max_len);

/*
 * log2(x) for x > 0 without libm (libsesame does not link it): exact
 * power-of-two scaling, then a series for the mantissa. Error < 1e-15.
 */
double pw_log2(double x);

/* Validates a recipe (NULL is not allowed here); sets the error. */
int pw_recipe_check(const sesame_password_recipe *r);

#endif
