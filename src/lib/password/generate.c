/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The password generator: Random, Pin and Memorable recipes, and the exact
 * entropy of each. docs/internals/password.md explains the choices.
 *
 * Every random choice is one randombytes_uniform() call (uniform on
 * [0, n), no modulo bias). A choice among a product of sets is made as one
 * uniform index that is split into digits of a mixed radix, which is a
 * bijection, so it stays uniform. "At least one of each class" is obtained
 * by rejection: a whole candidate is drawn and thrown away until it
 * qualifies, which makes every qualifying password equally likely.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "sesame/password.h"
#include "error.h"
#include "password_internal.h"

#define LETTERS         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define DIGITS          "0123456789"
#define N_LETTERS       ((uint32_t)sizeof LETTERS - 1)
#define N_DIGITS        ((uint32_t)sizeof DIGITS - 1)
#define N_SYMBOLS       ((uint32_t)sizeof SESAME_PASSWORD_SYMBOLS - 1)
#define N_CONSONANTS    ((uint32_t)sizeof PW_CONSONANTS - 1)
#define N_VOWELS        ((uint32_t)sizeof PW_VOWELS - 1)
#define N_CV            (N_CONSONANTS * N_VOWELS)
#define N_SYLLABLES     (N_CV + N_CV * N_CONSONANTS)
#define N_THREE_LETTERS (26u * 26u * 26u)

/*
 * Rejection sampling gives up after this many draws. The least likely
 * acceptance is a Random password of length 3 with three classes
 * (3! * 52 * 10 * 27 / 89^3 = 0.12), so 1000 failures in a row (p < 1e-55)
 * mean a broken random source, not bad luck.
 */
#define MAX_TRIES 1000

enum { CLASS_LETTER = 1, CLASS_DIGIT = 2, CLASS_SYMBOL = 4 };

static unsigned char_class(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return CLASS_LETTER;
	if (c >= '0' && c <= '9')
		return CLASS_DIGIT;
	return CLASS_SYMBOL;
}

/* ---- numbers (libsesame does not link libm) ---- */

double pw_log2(double x)
{
	static const double ln2 = 0.693147180559945309417232121458176568;
	static const double sqrt2 = 1.41421356237309504880168872420969808;
	double t, t2, term, sum = 0.0;
	int e = 0;

	if (!(x > 0.0))
		return 0.0; /* not used with such values */
	/* Scaling by powers of two is exact. */
	while (x >= 0x1p64) {
		x *= 0x1p-64;
		e += 64;
	}
	while (x >= 2.0) {
		x *= 0.5;
		e++;
	}
	while (x < 1.0) {
		x *= 2.0;
		e--;
	}
	if (x > sqrt2) {
		x *= 0.5;
		e++;
	}
	/* ln x = 2 atanh(t), t = (x - 1) / (x + 1), |t| <= 0.1716. */
	t = (x - 1.0) / (x + 1.0);
	t2 = t * t;
	term = t;
	for (int k = 1; k < 41; k += 2) {
		sum += term / k;
		term *= t2;
	}
	return e + 2.0 * sum / ln2;
}

static double ipow(double b, unsigned n)
{
	double r = 1.0;
	while (n) {
		if (n & 1)
			r *= b;
		b *= b;
		n >>= 1;
	}
	return r;
}

/*
 * Probability that n characters drawn uniformly from the union of m
 * disjoint classes of the given sizes contain every class, by
 * inclusion-exclusion over the set T of classes left out:
 *   sum over T of (-1)^|T| * ((total - size(T)) / total)^n.
 */
static double cover_prob(const uint32_t *sizes, unsigned m, unsigned n)
{
	uint32_t total = 0;
	double p = 0.0;

	for (unsigned i = 0; i < m; i++)
		total += sizes[i];
	for (unsigned t = 0; t < (1u << m); t++) {
		uint32_t left_out = 0;
		int sign = 1;
		for (unsigned i = 0; i < m; i++) {
			if (t & (1u << i)) {
				left_out += sizes[i];
				sign = -sign;
			}
		}
		p += sign * ipow((double)(total - left_out) / total, n);
	}
	return p;
}

/* log2 of the number of strings of length n that contain every class. */
static double covering_bits(const uint32_t *sizes, unsigned m, unsigned n)
{
	uint32_t total = 0;
	for (unsigned i = 0; i < m; i++)
		total += sizes[i];
	if (n < m)
		return n * pw_log2(total); /* no guarantee: every string */
	return n * pw_log2(total) + pw_log2(cover_prob(sizes, m, n));
}

/* ---- the word list ---- */

int pw_word_usable(const char *word)
{
	size_t n = 0;
	for (; word[n]; n++)
		if (word[n] < 'a' || word[n] > 'z' || n >= PW_WORD_MAX)
			return 0;
	return n > 0;
}

static pthread_once_t stats_once = PTHREAD_ONCE_INIT;
static size_t stats_count, stats_max_len;

static void stats_compute(void)
{
	size_t count = 0, max_len = 0;
	/* randombytes_uniform() takes a uint32_t bound. */
	if (sesame_wordlist_len > UINT32_MAX)
		return;
	for (size_t i = 0; i < sesame_wordlist_len; i++) {
		if (pw_word_usable(sesame_wordlist[i])) {
			size_t len = strlen(sesame_wordlist[i]);
			count++;
			if (len > max_len)
				max_len = len;
		}
	}
	stats_count = count;
	stats_max_len = max_len;
}

void pw_wordlist_stats(size_t *count, size_t *max_len)
{
	pthread_once(&stats_once, stats_compute);
	*count = stats_count;
	*max_len = stats_max_len;
}

/* ---- recipes ---- */

#define RECIPE_KIND "invalid_password_recipe"

int pw_recipe_check(const sesame_password_recipe *r)
{
	if (r->version != SESAME_PASSWORD_RECIPE_VERSION)
		return sesame_error_set(
		    SESAME_EINVAL, RECIPE_KIND,
		    "unsupported password recipe version %u (this library knows %u)", r->version,
		    (unsigned)SESAME_PASSWORD_RECIPE_VERSION);
	switch ((int)r->type) {
	case SESAME_PASSWORD_RANDOM:
	case SESAME_PASSWORD_PIN:
		if (r->length < SESAME_PASSWORD_LENGTH_MIN ||
		    r->length > SESAME_PASSWORD_LENGTH_MAX)
			return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
			                        "password length %u is out of range (%d to %d)",
			                        r->length, SESAME_PASSWORD_LENGTH_MIN,
			                        SESAME_PASSWORD_LENGTH_MAX);
		return 0;
	case SESAME_PASSWORD_MEMORABLE:
		break;
	default:
		return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
		                        "unknown password recipe type %d", (int)r->type);
	}
	if (r->word_count < SESAME_PASSWORD_WORDS_MIN || r->word_count > SESAME_PASSWORD_WORDS_MAX)
		return sesame_error_set(
		    SESAME_EINVAL, RECIPE_KIND,
		    "memorable password word count %u is out of range (%d to %d)", r->word_count,
		    SESAME_PASSWORD_WORDS_MIN, SESAME_PASSWORD_WORDS_MAX);
	if ((int)r->separator < SESAME_PASSWORD_SEPARATOR_DIGITS ||
	    (int)r->separator > SESAME_PASSWORD_SEPARATOR_COMMAS)
		return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
		                        "unknown memorable password separator %d",
		                        (int)r->separator);
	switch ((int)r->word_list) {
	case SESAME_PASSWORD_WORDLIST_FULL_WORDS: {
		size_t count, max_len;
		pw_wordlist_stats(&count, &max_len);
		if (count == 0)
			return sesame_error_set(SESAME_ERROR, NULL,
			                        "the compiled-in word list has no usable words");
		return 0;
	}
	case SESAME_PASSWORD_WORDLIST_SYLLABLES:
	case SESAME_PASSWORD_WORDLIST_THREE_LETTERS:
		return 0;
	default:
		return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
		                        "unknown memorable password word list %d",
		                        (int)r->word_list);
	}
}

/* Number of distinct chunks and the longest one (recipe checked). */
static void chunk_stats(const sesame_password_recipe *r, size_t *count, size_t *max_len)
{
	switch (r->word_list) {
	case SESAME_PASSWORD_WORDLIST_SYLLABLES:
		*count = N_SYLLABLES;
		*max_len = 3;
		return;
	case SESAME_PASSWORD_WORDLIST_THREE_LETTERS:
		*count = N_THREE_LETTERS;
		*max_len = 3;
		return;
	case SESAME_PASSWORD_WORDLIST_FULL_WORDS:
	default:
		pw_wordlist_stats(count, max_len);
		return;
	}
}

static const uint32_t sep_class_sizes[2] = {N_DIGITS, N_SYMBOLS};

/* Entropy of a checked recipe; see sesame_password_entropy(). */
static double recipe_bits(const sesame_password_recipe *r)
{
	switch (r->type) {
	case SESAME_PASSWORD_PIN:
		return r->length * pw_log2(10.0);
	case SESAME_PASSWORD_RANDOM: {
		uint32_t sizes[3];
		unsigned m = 0;
		sizes[m++] = N_LETTERS;
		if (r->include_digits)
			sizes[m++] = N_DIGITS;
		if (r->include_symbols)
			sizes[m++] = N_SYMBOLS;
		return covering_bits(sizes, m, r->length);
	}
	case SESAME_PASSWORD_MEMORABLE:
	default: {
		size_t chunks, max_len;
		unsigned n = r->word_count, gaps = n - 1;
		double bits;
		chunk_stats(r, &chunks, &max_len);
		bits = n * pw_log2((double)chunks);
		if (r->separator == SESAME_PASSWORD_SEPARATOR_DIGITS)
			bits += gaps * pw_log2(10.0);
		else if (r->separator == SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS)
			bits += covering_bits(sep_class_sizes, 2, gaps);
		if (r->capitalize)
			bits += pw_log2((double)n);
		return bits;
	}
	}
}

/* Buffer size (with the NUL) for a checked recipe. */
static size_t recipe_size(const sesame_password_recipe *r)
{
	size_t chunks, max_len;
	if (r->type != SESAME_PASSWORD_MEMORABLE)
		return (size_t)r->length + 1;
	chunk_stats(r, &chunks, &max_len);
	return r->word_count * max_len + (r->word_count - 1) + 1;
}

/* ---- generation ---- */

static int rng_failure(void)
{
	return sesame_error_set(SESAME_ERROR, NULL,
	                        "cannot generate a password: the random source keeps failing");
}

static int gen_random(char *out, const sesame_password_recipe *r)
{
	char alphabet[sizeof LETTERS + sizeof DIGITS + sizeof SESAME_PASSWORD_SYMBOLS];
	uint32_t size = 0;
	unsigned want = CLASS_LETTER, classes = 1, n = r->length;

	memcpy(alphabet, LETTERS, N_LETTERS);
	size += N_LETTERS;
	if (r->include_digits) {
		memcpy(alphabet + size, DIGITS, N_DIGITS);
		size += N_DIGITS;
		want |= CLASS_DIGIT;
		classes++;
	}
	if (r->include_symbols) {
		memcpy(alphabet + size, SESAME_PASSWORD_SYMBOLS, N_SYMBOLS);
		size += N_SYMBOLS;
		want |= CLASS_SYMBOL;
		classes++;
	}
	/* Draw whole passwords until one has every class (when it can). */
	for (int tries = 0; tries < MAX_TRIES; tries++) {
		unsigned seen = 0;
		for (unsigned i = 0; i < n; i++) {
			out[i] = alphabet[randombytes_uniform(size)];
			seen |= char_class(out[i]);
		}
		out[n] = '\0';
		if (n < classes || seen == want)
			return 0;
	}
	return rng_failure();
}

static int gen_pin(char *out, const sesame_password_recipe *r)
{
	for (unsigned i = 0; i < r->length; i++)
		out[i] = (char)('0' + randombytes_uniform(N_DIGITS));
	out[r->length] = '\0';
	return 0;
}

/* Picks one chunk index, uniform over the chunks of the word list. */
static int pick_chunk(uint32_t *out, sesame_password_wordlist list)
{
	switch (list) {
	case SESAME_PASSWORD_WORDLIST_SYLLABLES:
		*out = randombytes_uniform(N_SYLLABLES);
		return 0;
	case SESAME_PASSWORD_WORDLIST_THREE_LETTERS:
		*out = randombytes_uniform(N_THREE_LETTERS);
		return 0;
	case SESAME_PASSWORD_WORDLIST_FULL_WORDS:
	default:
		/* Uniform over the whole list, redrawn until usable: uniform
		 * over the usable words (7,772 of 7,776, so ~1 draw). */
		for (int tries = 0; tries < MAX_TRIES; tries++) {
			uint32_t i = randombytes_uniform((uint32_t)sesame_wordlist_len);
			if (pw_word_usable(sesame_wordlist[i])) {
				*out = i;
				return 0;
			}
		}
		return rng_failure();
	}
}

/* Writes chunk `idx` at `dst` (room checked by the caller); returns its length. */
static size_t write_chunk(char *dst, uint32_t idx, sesame_password_wordlist list)
{
	switch (list) {
	case SESAME_PASSWORD_WORDLIST_SYLLABLES:
		if (idx < N_CV) {
			dst[0] = PW_CONSONANTS[idx / N_VOWELS];
			dst[1] = PW_VOWELS[idx % N_VOWELS];
			return 2;
		}
		idx -= N_CV;
		dst[0] = PW_CONSONANTS[idx / (N_VOWELS * N_CONSONANTS)];
		dst[1] = PW_VOWELS[(idx / N_CONSONANTS) % N_VOWELS];
		dst[2] = PW_CONSONANTS[idx % N_CONSONANTS];
		return 3;
	case SESAME_PASSWORD_WORDLIST_THREE_LETTERS:
		dst[0] = (char)('a' + idx / (26 * 26));
		dst[1] = (char)('a' + (idx / 26) % 26);
		dst[2] = (char)('a' + idx % 26);
		return 3;
	case SESAME_PASSWORD_WORDLIST_FULL_WORDS:
	default: {
		size_t len = strlen(sesame_wordlist[idx]);
		memcpy(dst, sesame_wordlist[idx], len);
		return len;
	}
	}
}

/* Fills the `gaps` separators. */
static int pick_separators(char *sep, unsigned gaps, sesame_password_separator type)
{
	static const char fixed[] = {
	    [SESAME_PASSWORD_SEPARATOR_SPACES] = ' ',
	    [SESAME_PASSWORD_SEPARATOR_HYPHENS] = '-',
	    [SESAME_PASSWORD_SEPARATOR_UNDERSCORES] = '_',
	    [SESAME_PASSWORD_SEPARATOR_PERIODS] = '.',
	    [SESAME_PASSWORD_SEPARATOR_COMMAS] = ',',
	};
	static const char digits_symbols[] = DIGITS SESAME_PASSWORD_SYMBOLS;

	switch (type) {
	case SESAME_PASSWORD_SEPARATOR_DIGITS:
		for (unsigned i = 0; i < gaps; i++)
			sep[i] = (char)('0' + randombytes_uniform(N_DIGITS));
		return 0;
	case SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS:
		/* With two or more gaps, redraw all of them until there is a
		 * digit and a symbol. */
		for (int tries = 0; tries < MAX_TRIES; tries++) {
			unsigned seen = 0;
			for (unsigned i = 0; i < gaps; i++) {
				sep[i] = digits_symbols[randombytes_uniform(N_DIGITS + N_SYMBOLS)];
				seen |= char_class(sep[i]);
			}
			if (gaps < 2 || seen == (CLASS_DIGIT | CLASS_SYMBOL))
				return 0;
		}
		return rng_failure();
	default:
		memset(sep, fixed[type], gaps);
		return 0;
	}
}

static int gen_memorable(char *out, size_t out_cap, const sesame_password_recipe *r)
{
	uint32_t chunk[SESAME_PASSWORD_WORDS_MAX];
	char sep[SESAME_PASSWORD_WORDS_MAX];
	uint32_t cap_at = 0;
	unsigned n = r->word_count;
	size_t pos = 0, chunks, max_len;
	int rc = 0;

	chunk_stats(r, &chunks, &max_len);
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = pick_chunk(&chunk[i], r->word_list);
	if (rc == 0)
		rc = pick_separators(sep, n - 1, r->separator);
	if (rc < 0)
		goto cleanup;
	if (r->capitalize)
		cap_at = randombytes_uniform(n);

	for (unsigned i = 0; i < n; i++) {
		size_t start = pos;
		/* Room for the longest chunk and a separator or the NUL. */
		if (out_cap - pos < max_len + 1) {
			rc = sesame_error_set(SESAME_ERROR, NULL,
			                      "password buffer size miscomputed");
			goto cleanup;
		}
		pos += write_chunk(out + pos, chunk[i], r->word_list);
		/* Every chunk starts with a lowercase letter. */
		if (r->capitalize && i == cap_at)
			out[start] = (char)(out[start] - 'a' + 'A');
		if (i + 1 < n)
			out[pos++] = sep[i];
	}
	out[pos] = '\0';
cleanup:
	sodium_memzero(chunk, sizeof chunk);
	sodium_memzero(sep, sizeof sep);
	sodium_memzero(&cap_at, sizeof cap_at);
	return rc;
}

/* ---- public API ---- */

static const sesame_password_recipe default_recipe = SESAME_PASSWORD_RECIPE_INIT;

int sesame_password_recipe_init(sesame_password_recipe *out, unsigned int version)
{
	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "password recipe is NULL");
	if (version != SESAME_PASSWORD_RECIPE_VERSION)
		return sesame_error_set(
		    SESAME_EINVAL, RECIPE_KIND,
		    "unsupported password recipe version %u (this library knows %u)", version,
		    (unsigned)SESAME_PASSWORD_RECIPE_VERSION);
	*out = default_recipe;
	return 0;
}

int sesame_password_entropy(double *out, const sesame_password_recipe *recipe)
{
	int rc;
	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "entropy output is NULL");
	if (recipe == NULL)
		recipe = &default_recipe;
	if ((rc = pw_recipe_check(recipe)) < 0)
		return rc;
	*out = recipe_bits(recipe);
	return 0;
}

int sesame_password_max_size(size_t *out, const sesame_password_recipe *recipe)
{
	int rc;
	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "size output is NULL");
	if (recipe == NULL)
		recipe = &default_recipe;
	if ((rc = pw_recipe_check(recipe)) < 0)
		return rc;
	*out = recipe_size(recipe);
	return 0;
}

int sesame_password_generate(char *out, size_t out_cap, const sesame_password_recipe *recipe,
                             double *entropy_bits_out)
{
	size_t need;
	int rc;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "password buffer is NULL");
	if (out_cap > 0)
		out[0] = '\0';
	if (recipe == NULL)
		recipe = &default_recipe;
	if ((rc = pw_recipe_check(recipe)) < 0)
		return rc;
	need = recipe_size(recipe);
	if (out_cap < need)
		return sesame_error_set(SESAME_EBUFSIZE, NULL,
		                        "password buffer of %zu bytes is too small for this recipe "
		                        "(need %zu)",
		                        out_cap, need);
	if (sodium_init() < 0)
		return sesame_error_set(SESAME_ERROR, NULL, "cannot initialise libsodium");

	switch (recipe->type) {
	case SESAME_PASSWORD_PIN:
		rc = gen_pin(out, recipe);
		break;
	case SESAME_PASSWORD_MEMORABLE:
		rc = gen_memorable(out, out_cap, recipe);
		break;
	case SESAME_PASSWORD_RANDOM:
	default:
		rc = gen_random(out, recipe);
		break;
	}
	if (rc < 0) {
		sodium_memzero(out, out_cap);
		return rc;
	}
	if (entropy_bits_out)
		*entropy_bits_out = recipe_bits(recipe);
	return 0;
}
