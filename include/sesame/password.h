/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_PASSWORD_H
#define SESAME_PASSWORD_H

/**
 * @file sesame/password.h
 * @brief Password generator: the recipes of 1Password's SDKs
 *        (`Secrets.GeneratePassword`) and op's `--generate-password`.
 *
 * Three recipes, as in the SDKs:
 *
 * - **Random**: letters (A-Z, a-z) always, plus digits (0-9) and the
 *   symbols of #SESAME_PASSWORD_SYMBOLS when asked; 1 to 64 characters.
 *   Every class in the alphabet appears at least once whenever the length
 *   allows it (length >= number of classes). That guarantee is made by
 *   rejection sampling of the whole password, so every password that
 *   satisfies it is exactly equally likely.
 * - **Pin**: 1 to 64 decimal digits.
 * - **Memorable**: 1 to 20 "chunks" (words of the compiled-in EFF large
 *   word list, random three-letter strings, or consonant-vowel syllables)
 *   joined by a separator; optionally one chunk, chosen at random, is
 *   capitalised.
 *
 * All randomness comes from libsodium's `randombytes_uniform()` (uniform,
 * no modulo bias). The reported entropy is exact: log2 of the number of
 * distinct passwords the recipe can produce, each of which is equally
 * likely. docs/internals/password.md gives the formulas.
 *
 * The generator allocates nothing; the caller provides the output buffer
 * (libsodium style). Generated passwords are secrets: wipe the buffer with
 * `sodium_memzero()` when done with it.
 */

#include "common.h"

SESAME_BEGIN_DECL

/** The version of ::sesame_password_recipe this header describes. */
#define SESAME_PASSWORD_RECIPE_VERSION 1

/** Shortest Random and Pin password. */
#define SESAME_PASSWORD_LENGTH_MIN 1
/** Longest Random and Pin password (op's limit for `--generate-password`). */
#define SESAME_PASSWORD_LENGTH_MAX 64
/** Default length of a Random password (op's default). */
#define SESAME_PASSWORD_LENGTH_DEFAULT 32
/** Fewest chunks in a Memorable password. */
#define SESAME_PASSWORD_WORDS_MIN 1
/** Most chunks in a Memorable password. */
#define SESAME_PASSWORD_WORDS_MAX 20
/** Default number of chunks in a Memorable password. */
#define SESAME_PASSWORD_WORDS_DEFAULT 4

/**
 * The symbols of Random passwords and of the `digits_and_symbols`
 * separator, in this order (27 characters). Quotes, backslash, backtick,
 * slash and space are left out so that a password can be pasted into a
 * shell, JSON, YAML or a URL userinfo without escaping surprises.
 */
#define SESAME_PASSWORD_SYMBOLS "!@#$%^&*()_+-=[]{}|;:,.<>?~"

/**
 * A buffer of this many bytes holds any password (plus its NUL) that any
 * valid recipe of this version can produce. sesame_password_max_size()
 * gives the exact, usually smaller, need of one recipe.
 */
#define SESAME_PASSWORD_MAX_SIZE 256

/** Which kind of password a recipe makes. Values are part of the ABI. */
typedef enum {
	SESAME_PASSWORD_RANDOM = 0,    /**< letters, optionally digits and symbols */
	SESAME_PASSWORD_PIN = 1,       /**< decimal digits only */
	SESAME_PASSWORD_MEMORABLE = 2, /**< chunks joined by separators */
} sesame_password_type;

/** What goes between the chunks of a Memorable password. */
typedef enum {
	/** A random digit per gap: `correct4horse0battery`. */
	SESAME_PASSWORD_SEPARATOR_DIGITS = 0,
	/**
	 * A random digit or symbol per gap: `correct4horse-battery`. With two
	 * or more gaps at least one is a digit and one a symbol.
	 */
	SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS = 1,
	SESAME_PASSWORD_SEPARATOR_SPACES = 2,      /**< `correct horse battery` */
	SESAME_PASSWORD_SEPARATOR_HYPHENS = 3,     /**< `correct-horse-battery` */
	SESAME_PASSWORD_SEPARATOR_UNDERSCORES = 4, /**< `correct_horse_battery` */
	SESAME_PASSWORD_SEPARATOR_PERIODS = 5,     /**< `correct.horse.battery` */
	SESAME_PASSWORD_SEPARATOR_COMMAS = 6,      /**< `correct,horse,battery` */
} sesame_password_separator;

/** Where the chunks of a Memorable password come from. */
typedef enum {
	/**
	 * Words of the EFF large word list that consist of letters only
	 * (7,772 of its 7,776; the four hyphenated ones are skipped so that a
	 * password always splits back into its words).
	 */
	SESAME_PASSWORD_WORDLIST_FULL_WORDS = 0,
	/**
	 * Syllables: a consonant and a vowel, optionally followed by a
	 * consonant (`ba`, `bab`); 1,530 of them, all equally likely.
	 */
	SESAME_PASSWORD_WORDLIST_SYLLABLES = 1,
	/** Three random lowercase letters (`qzv`); 17,576 of them. */
	SESAME_PASSWORD_WORDLIST_THREE_LETTERS = 2,
} sesame_password_wordlist;

/**
 * A password recipe: a versioned options struct (libgit2 style). Declare
 * it with #SESAME_PASSWORD_RECIPE_INIT, or fill it with
 * sesame_password_recipe_init(), then change the fields you need. Only the
 * fields of the chosen `type` are read.
 */
typedef struct {
	unsigned int version;      /**< #SESAME_PASSWORD_RECIPE_VERSION */
	sesame_password_type type; /**< default SESAME_PASSWORD_RANDOM */

	/** Random and Pin: number of characters, 1 to 64 (default 32). */
	unsigned int length;
	/** Random: include digits (default 1). */
	int include_digits;
	/** Random: include symbols (default 1). */
	int include_symbols;

	/** Memorable: number of chunks, 1 to 20 (default 4). */
	unsigned int word_count;
	/** Memorable: default SESAME_PASSWORD_SEPARATOR_HYPHENS. */
	sesame_password_separator separator;
	/** Memorable: capitalise one chunk chosen at random (default 0). */
	int capitalize;
	/** Memorable: default SESAME_PASSWORD_WORDLIST_FULL_WORDS. */
	sesame_password_wordlist word_list;
} sesame_password_recipe;

/**
 * Static initialiser with the defaults: op's `--generate-password`
 * (Random, 32 characters, letters, digits and symbols).
 */
#define SESAME_PASSWORD_RECIPE_INIT                                                                \
	{                                                                                          \
		SESAME_PASSWORD_RECIPE_VERSION, SESAME_PASSWORD_RANDOM,                            \
		    SESAME_PASSWORD_LENGTH_DEFAULT, 1, 1, SESAME_PASSWORD_WORDS_DEFAULT,           \
		    SESAME_PASSWORD_SEPARATOR_HYPHENS, 0, SESAME_PASSWORD_WORDLIST_FULL_WORDS      \
	}

/**
 * Fills `out` with the defaults of #SESAME_PASSWORD_RECIPE_INIT, for
 * bindings that cannot use the macro.
 *
 * @param out      the recipe to fill (caller-owned)
 * @param version  #SESAME_PASSWORD_RECIPE_VERSION
 * @return 0, or SESAME_EINVAL if `out` is NULL or `version` is not one
 *         this library knows (the error message says which).
 */
SESAME_EXTERN(int) sesame_password_recipe_init(sesame_password_recipe *out, unsigned int version);

/**
 * Generates a password.
 *
 * @param out      caller-allocated buffer; receives the NUL-terminated
 *                 password. It is a secret: wipe it when done.
 * @param out_cap  size of `out` in bytes; must be at least
 *                 sesame_password_max_size() for this recipe (the worst
 *                 case, so success never depends on which words came up).
 *                 #SESAME_PASSWORD_MAX_SIZE is always enough.
 * @param recipe   the recipe; NULL means the defaults (Random, 32
 *                 characters, letters, digits and symbols). Not modified.
 * @param entropy_bits_out  if not NULL, receives the recipe's entropy in
 *                 bits, as sesame_password_entropy() computes it.
 * @return 0; SESAME_EINVAL for a NULL `out`, an unknown recipe version,
 *         type, separator or word list, or a length or word count out of
 *         range; SESAME_EBUFSIZE if `out_cap` is too small; SESAME_ERROR if
 *         libsodium cannot be initialised. On error `out` holds the empty
 *         string when `out_cap` > 0, and `*entropy_bits_out` is untouched.
 *         sesame_error_last() gives the message, which never contains
 *         password material.
 */
SESAME_EXTERN(int)
sesame_password_generate(char *out, size_t out_cap, const sesame_password_recipe *recipe,
                         double *entropy_bits_out) SESAME_WARN_UNUSED;

/**
 * Computes the entropy, in bits, of the passwords a recipe makes: log2 of
 * the number of distinct passwords it can produce, all equally likely.
 * Random: log2 of the number of strings of that length over its alphabet
 * that contain every class (inclusion-exclusion), or length * log2(alphabet)
 * when the length is shorter than the number of classes. Pin: length *
 * log2(10). Memorable: word_count * log2(chunks) + the separators' bits +
 * log2(word_count) if capitalising.
 *
 * @param out     receives the entropy in bits
 * @param recipe  the recipe; NULL means the defaults
 * @return 0, or SESAME_EINVAL for a NULL `out` or an invalid recipe.
 */
SESAME_EXTERN(int) sesame_password_entropy(double *out, const sesame_password_recipe *recipe);

/**
 * Gives the buffer size sesame_password_generate() needs for a recipe: the
 * longest password the recipe can produce, plus one for the NUL.
 *
 * @param out     receives the size in bytes (at most #SESAME_PASSWORD_MAX_SIZE)
 * @param recipe  the recipe; NULL means the defaults
 * @return 0, or SESAME_EINVAL for a NULL `out` or an invalid recipe.
 */
SESAME_EXTERN(int) sesame_password_max_size(size_t *out, const sesame_password_recipe *recipe);

/**
 * Parses op's recipe string, as in `op item create
 * --generate-password=letters,digits,symbols,32`: comma-separated elements,
 * in any order and any case, each a character set (`letters`, `digits`,
 * `symbols`) or a length (1 to 64). Spaces around elements are ignored.
 *
 * - NULL or an empty (or all-space) string gives the defaults: Random, 32
 *   characters, letters, digits and symbols.
 * - No character set means all three; no length means 32.
 * - `digits` alone gives a Pin recipe (e.g. `digits,6`).
 * - `symbols` without `letters` is rejected: Random passwords always
 *   contain letters.
 * - An empty element, an unknown element, a length out of range, or an
 *   element given twice is rejected.
 *
 * @param out   receives the recipe (caller-owned; fully written on success,
 *              untouched on error)
 * @param text  the recipe string (NUL-terminated), or NULL
 * @return 0, or SESAME_EINVAL with a message that quotes the offending
 *         element, e.g. `unknown element 'digit' in password recipe`.
 */
SESAME_EXTERN(int) sesame_password_recipe_parse(sesame_password_recipe *out, const char *text);

SESAME_END_DECL

#endif
