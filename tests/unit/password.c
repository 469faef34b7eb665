/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include <sodium.h>

#include "sesame/errors.h"
#include "sesame/password.h"
#include "password/password_internal.h"

/*
 * Statistical tests
 * -----------------
 * Each chi-square test compares observed counts with the exact expected
 * counts (computed here, independently of the library) and fails when the
 * statistic exceeds the upper 1e-6 quantile of the chi-square distribution
 * with bins-1 degrees of freedom. So a correct generator fails one given
 * test with probability 1e-6, and this whole file (17 such tests) with
 * probability below 2e-5. The quantiles were computed with mpmath
 * (gammainc inversion) and are listed in CRIT_*.
 *
 * The sample sizes are chosen so that known bad generators fail with a
 * large margin: test_password__chi_square_detects_bias feeds simulated
 * biased generators (byte % 62, byte % 89, byte % 10, uint16 % 7772,
 * byte % 26, "one of each class, then shuffle", "fix up a missing class",
 * "first character is a letter") through the same statistics, thresholds
 * and sample sizes and asserts that each one is rejected. The expected
 * statistic of each is at least 5 standard deviations above the threshold
 * (noncentral chi-square, mean df + lambda), so that test itself fails by
 * chance with probability below 1e-6.
 *
 * Where a password must contain every class, the positions of one password
 * are not independent; pooled counts over positions are then used only for
 * recipes where the condition removes a tiny mass (1.3e-5 for 62 symbols
 * at length 64, 4.9e-4 for 89, 2.5e-3 for 19 digit-or-symbol separators):
 * that changes the counts' covariance by a relative O(mass), far inside the
 * thresholds' slack. Where the condition matters (length 6), each
 * password contributes one observation per test, so observations are
 * independent and the chi-square law is exact in the limit.
 */
#define CRIT_DF9    44.811
#define CRIT_DF19   63.677
#define CRIT_DF25   73.895
#define CRIT_DF36   91.502
#define CRIT_DF61   128.524
#define CRIT_DF88   165.993
#define CRIT_DF1529 1806.401
#define CRIT_DF7771 8378.060

#define N_USABLE_WORDS 7772 /* EFF large list without its 4 hyphenated words */
#define SYMBOLS        SESAME_PASSWORD_SYMBOLS
#define N_SYMBOLS      27
#define ALNUM          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* ---- helpers ---- */

/* Independent log2: digit-by-digit by repeated squaring (no libm). */
static double t_log2(double x)
{
	double r = 0.0, bit = 1.0;
	int e = 0;
	while (x >= 2.0) {
		x /= 2.0;
		e++;
	}
	while (x < 1.0) {
		x *= 2.0;
		e--;
	}
	for (int i = 0; i < 60; i++) {
		x *= x;
		bit /= 2.0;
		if (x >= 2.0) {
			x /= 2.0;
			r += bit;
		}
	}
	return e + r;
}

static double absdiff(double a, double b)
{
	double d = a - b;
	return d < 0 ? -d : d;
}

static sesame_password_recipe random_recipe(unsigned length, int digits, int symbols)
{
	sesame_password_recipe r = SESAME_PASSWORD_RECIPE_INIT;
	r.type = SESAME_PASSWORD_RANDOM;
	r.length = length;
	r.include_digits = digits;
	r.include_symbols = symbols;
	return r;
}

static sesame_password_recipe pin_recipe(unsigned length)
{
	sesame_password_recipe r = SESAME_PASSWORD_RECIPE_INIT;
	r.type = SESAME_PASSWORD_PIN;
	r.length = length;
	return r;
}

static sesame_password_recipe memorable_recipe(unsigned words, sesame_password_separator sep,
                                               int capitalize, sesame_password_wordlist list)
{
	sesame_password_recipe r = SESAME_PASSWORD_RECIPE_INIT;
	r.type = SESAME_PASSWORD_MEMORABLE;
	r.word_count = words;
	r.separator = sep;
	r.capitalize = capitalize;
	r.word_list = list;
	return r;
}

/* Generates into buf (SESAME_PASSWORD_MAX_SIZE bytes); returns the length. */
static size_t gen(char *buf, const sesame_password_recipe *r)
{
	assert_int_equal(sesame_password_generate(buf, SESAME_PASSWORD_MAX_SIZE, r, NULL), 0);
	return strlen(buf);
}

static int is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_symbol(char c)
{
	return c != '\0' && strchr(SYMBOLS, c) != NULL;
}

/* Index of c in the Random alphabet A-Z a-z [0-9] [symbols], or -1. */
static int alpha_index(char c, int digits, int symbols)
{
	const char *p;
	if (is_letter(c))
		return (int)(strchr(ALNUM, c) - ALNUM);
	if (digits && is_digit(c))
		return 52 + (c - '0');
	if (symbols && is_symbol(c) && (p = strchr(SYMBOLS, c)) != NULL)
		return 52 + (digits ? 10 : 0) + (int)(p - SYMBOLS);
	return -1;
}

static double chi_square(const double *observed, const double *expected, size_t bins)
{
	double x = 0.0;
	for (size_t i = 0; i < bins; i++) {
		double d = observed[i] - expected[i];
		x += d * d / expected[i];
	}
	return x;
}

/*
 * Probability that n iid characters, uniform over classes of the given
 * sizes, contain every class in `required` (a bit mask). Dynamic
 * programming over the set of classes seen so far: a different method
 * from the library's inclusion-exclusion.
 */
static double t_cover(const unsigned *sizes, unsigned m, unsigned required, unsigned n)
{
	double p[8] = {1.0}, q[8];
	unsigned total = 0;
	for (unsigned i = 0; i < m; i++)
		total += sizes[i];
	for (unsigned step = 0; step < n; step++) {
		memset(q, 0, sizeof q);
		for (unsigned s = 0; s < (1u << m); s++)
			for (unsigned i = 0; i < m; i++)
				q[s | (1u << i)] += p[s] * sizes[i] / total;
		memcpy(p, q, sizeof p);
	}
	double r = 0.0;
	for (unsigned s = 0; s < (1u << m); s++)
		if ((s & required) == required)
			r += p[s];
	return r;
}

/*
 * Probability of one given character of class `cls` at one position of a
 * string of length n drawn uniformly among those containing every class.
 */
static double t_char_prob(const unsigned *sizes, unsigned m, unsigned cls, unsigned n)
{
	unsigned total = 0, all = (1u << m) - 1;
	for (unsigned i = 0; i < m; i++)
		total += sizes[i];
	if (n < m)
		return 1.0 / total;
	return t_cover(sizes, m, all & ~(1u << cls), n - 1) / total / t_cover(sizes, m, all, n);
}

/* Expected counts of each Random alphabet character in `draws` draws. */
static void random_expected(double *expected, int digits, int symbols, unsigned n, double draws)
{
	unsigned sizes[3] = {52, 0, 0}, m = 1, size = 52;
	unsigned cls_digit = 0, cls_symbol = 0;
	if (digits) {
		cls_digit = m;
		sizes[m++] = 10;
	}
	if (symbols) {
		cls_symbol = m;
		sizes[m++] = N_SYMBOLS;
	}
	for (unsigned i = 0; i < 52; i++)
		expected[i] = draws * t_char_prob(sizes, m, 0, n);
	if (digits)
		for (unsigned i = 0; i < 10; i++)
			expected[size++] = draws * t_char_prob(sizes, m, cls_digit, n);
	if (symbols)
		for (unsigned i = 0; i < N_SYMBOLS; i++)
			expected[size++] = draws * t_char_prob(sizes, m, cls_symbol, n);
}

/* The usable words, sorted, for lookups. */
static const char *words_sorted[8192];
static size_t words_n;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int t_word_usable(const char *w)
{
	size_t n = strlen(w);
	if (n == 0 || n > PW_WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return 0;
	return 1;
}

static void words_load(void)
{
	if (words_n)
		return;
	for (size_t i = 0; i < sesame_wordlist_len; i++)
		if (t_word_usable(sesame_wordlist[i]) && words_n < 8192)
			words_sorted[words_n++] = sesame_wordlist[i];
	qsort(words_sorted, words_n, sizeof words_sorted[0], cmp_str);
}

/* Index of a (lowercase) word among the usable words, or -1. */
static long word_index(const char *w)
{
	const char **hit = bsearch(&w, words_sorted, words_n, sizeof words_sorted[0], cmp_str);
	return hit ? (long)(hit - words_sorted) : -1;
}

/*
 * Splits a memorable password into chunks at non-letters. Records the
 * separators; lowercases the chunks; returns the number of chunks and the
 * index of the capitalised chunk in *cap (-1 if none; fails if several).
 */
static unsigned split_chunks(char *pw, char **chunks, char *seps, int *cap)
{
	unsigned n = 0;
	char *p = pw;
	*cap = -1;
	for (;;) {
		chunks[n] = p;
		assert_true(is_letter(*p));
		if (*p >= 'A' && *p <= 'Z') {
			assert_int_equal(*cap, -1);
			*cap = (int)n;
			*p = (char)(*p - 'A' + 'a');
		}
		while (is_letter(*p)) {
			assert_true(*p >= 'a' && *p <= 'z'); /* only the first may be upper */
			p++;
		}
		n++;
		if (*p == '\0')
			return n;
		seps[n - 1] = *p;
		*p++ = '\0';
	}
}

/* ---- behaviour ---- */

static void test_password__defaults(void **state)
{
	(void)state;
	sesame_password_recipe a = SESAME_PASSWORD_RECIPE_INIT, b;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	double bits = 0;

	assert_int_equal(a.version, SESAME_PASSWORD_RECIPE_VERSION);
	assert_int_equal(a.type, SESAME_PASSWORD_RANDOM);
	assert_int_equal(a.length, 32);
	assert_true(a.include_digits && a.include_symbols);
	assert_int_equal(a.word_count, 4);
	assert_int_equal(a.separator, SESAME_PASSWORD_SEPARATOR_HYPHENS);
	assert_int_equal(a.capitalize, 0);
	assert_int_equal(a.word_list, SESAME_PASSWORD_WORDLIST_FULL_WORDS);

	memset(&b, 0x5a, sizeof b);
	assert_int_equal(sesame_password_recipe_init(&b, SESAME_PASSWORD_RECIPE_VERSION), 0);
	assert_memory_equal(&a, &b, sizeof a);
	assert_int_equal(sesame_password_recipe_init(&b, 2), SESAME_EINVAL);
	assert_non_null(strstr(sesame_error_last()->message, "version 2"));
	assert_int_equal(sesame_password_recipe_init(NULL, 1), SESAME_EINVAL);

	/* NULL recipe = defaults: 32 of letters, digits, symbols, each present. */
	assert_int_equal(sesame_password_generate(buf, sizeof buf, NULL, &bits), 0);
	assert_int_equal(strlen(buf), 32);
	int l = 0, d = 0, s = 0;
	for (size_t i = 0; i < 32; i++) {
		assert_true(alpha_index(buf[i], 1, 1) >= 0);
		l |= is_letter(buf[i]);
		d |= is_digit(buf[i]);
		s |= is_symbol(buf[i]);
	}
	assert_true(l && d && s);
	assert_true(absdiff(bits, 207.19127514743504414) < 1e-9);
	assert_int_equal(strlen(SYMBOLS), N_SYMBOLS);
	sodium_memzero(buf, sizeof buf);
}

static void test_password__random_lengths_and_alphabets(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	for (int digits = 0; digits <= 1; digits++) {
		for (int symbols = 0; symbols <= 1; symbols++) {
			for (unsigned n = 1; n <= 64; n++) {
				sesame_password_recipe r = random_recipe(n, digits, symbols);
				for (int k = 0; k < 8; k++) {
					assert_int_equal(gen(buf, &r), n);
					for (unsigned i = 0; i < n; i++)
						assert_true(alpha_index(buf[i], digits, symbols) >=
						            0);
				}
			}
		}
	}
	/* Any nonzero value means "yes". */
	sesame_password_recipe r = random_recipe(64, 7, -1);
	int d = 0, s = 0;
	for (int k = 0; k < 20; k++) {
		gen(buf, &r);
		for (size_t i = 0; buf[i]; i++) {
			d |= is_digit(buf[i]);
			s |= is_symbol(buf[i]);
		}
	}
	assert_true(d && s);
	sodium_memzero(buf, sizeof buf);
}

/*
 * Every class is present whenever length >= number of classes. At the
 * shortest such lengths a generator without the guarantee would miss a
 * class in most samples (88% at length 3 with three classes).
 */
static void test_password__random_classes_always_present(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	for (int digits = 0; digits <= 1; digits++) {
		for (int symbols = 0; symbols <= 1; symbols++) {
			unsigned classes = 1 + (unsigned)digits + (unsigned)symbols;
			for (unsigned n = classes; n <= 64; n += (n < classes + 6 ? 1 : 9)) {
				sesame_password_recipe r = random_recipe(n, digits, symbols);
				int samples = n <= classes + 2 ? 2000 : 200;
				for (int k = 0; k < samples; k++) {
					int l = 0, d = 0, s = 0;
					gen(buf, &r);
					for (size_t i = 0; buf[i]; i++) {
						l |= is_letter(buf[i]);
						d |= is_digit(buf[i]);
						s |= is_symbol(buf[i]);
					}
					assert_true(l);
					assert_int_equal(d, digits);
					assert_int_equal(s, symbols);
				}
			}
		}
	}
	sodium_memzero(buf, sizeof buf);
}

/* Below the number of classes there is no guarantee and no forcing. */
static void test_password__random_short_is_unconstrained(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	sesame_password_recipe r = random_recipe(2, 1, 1);
	int only_letters = 0, no_letter = 0;
	for (int k = 0; k < 3000; k++) {
		gen(buf, &r);
		int l = is_letter(buf[0]) + is_letter(buf[1]);
		only_letters += l == 2;
		no_letter += l == 0;
	}
	/* P = (52/89)^2 = 0.34 and (37/89)^2 = 0.17 per sample. */
	assert_true(only_letters > 0 && no_letter > 0);
	sodium_memzero(buf, sizeof buf);
}

static void test_password__pin(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	double bits;
	for (unsigned n = 1; n <= 64; n++) {
		sesame_password_recipe r = pin_recipe(n);
		for (int k = 0; k < 8; k++) {
			assert_int_equal(sesame_password_generate(buf, n + 1, &r, &bits), 0);
			assert_int_equal(strlen(buf), n);
			for (unsigned i = 0; i < n; i++)
				assert_true(is_digit(buf[i]));
			assert_true(absdiff(bits, n * t_log2(10.0)) < 1e-9);
		}
	}
	sodium_memzero(buf, sizeof buf);
}

static void test_password__memorable_words(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE], seps[SESAME_PASSWORD_WORDS_MAX];
	char *chunks[SESAME_PASSWORD_WORDS_MAX];
	int cap;

	words_load();
	assert_int_equal(sesame_wordlist_len, 7776);
	assert_int_equal(words_n, N_USABLE_WORDS);
	for (unsigned n = 1; n <= 20; n++) {
		for (int capitalize = 0; capitalize <= 1; capitalize++) {
			sesame_password_recipe r =
			    memorable_recipe(n, SESAME_PASSWORD_SEPARATOR_HYPHENS, capitalize,
			                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
			for (int k = 0; k < 20; k++) {
				gen(buf, &r);
				assert_int_equal(split_chunks(buf, chunks, seps, &cap), n);
				if (capitalize)
					assert_true(cap >= 0 && cap < (int)n);
				else
					assert_int_equal(cap, -1);
				for (unsigned i = 0; i < n; i++) {
					assert_true(word_index(chunks[i]) >= 0);
					if (i + 1 < n)
						assert_int_equal(seps[i], '-');
				}
			}
		}
	}
	/* The hyphenated list entries are never used. */
	for (size_t i = 0; i < sesame_wordlist_len; i++)
		if (strchr(sesame_wordlist[i], '-'))
			assert_int_equal(word_index(sesame_wordlist[i]), -1);
	sodium_memzero(buf, sizeof buf);
}

static void test_password__memorable_separators(void **state)
{
	(void)state;
	static const struct {
		sesame_password_separator sep;
		char c;
	} fixed[] = {
	    {SESAME_PASSWORD_SEPARATOR_SPACES, ' '},      {SESAME_PASSWORD_SEPARATOR_HYPHENS, '-'},
	    {SESAME_PASSWORD_SEPARATOR_UNDERSCORES, '_'}, {SESAME_PASSWORD_SEPARATOR_PERIODS, '.'},
	    {SESAME_PASSWORD_SEPARATOR_COMMAS, ','},
	};
	char buf[SESAME_PASSWORD_MAX_SIZE], seps[SESAME_PASSWORD_WORDS_MAX];
	char *chunks[SESAME_PASSWORD_WORDS_MAX];
	int cap;

	for (size_t f = 0; f < sizeof fixed / sizeof fixed[0]; f++) {
		sesame_password_recipe r =
		    memorable_recipe(5, fixed[f].sep, 0, SESAME_PASSWORD_WORDLIST_FULL_WORDS);
		gen(buf, &r);
		assert_int_equal(split_chunks(buf, chunks, seps, &cap), 5);
		for (int i = 0; i < 4; i++)
			assert_int_equal(seps[i], fixed[f].c);
	}
	/* Digits: a digit in every gap; one word has no gap at all. */
	for (unsigned n = 1; n <= 20; n++) {
		sesame_password_recipe r = memorable_recipe(n, SESAME_PASSWORD_SEPARATOR_DIGITS, 0,
		                                            SESAME_PASSWORD_WORDLIST_FULL_WORDS);
		gen(buf, &r);
		assert_int_equal(split_chunks(buf, chunks, seps, &cap), n);
		for (unsigned i = 0; i + 1 < n; i++)
			assert_true(is_digit(seps[i]));
	}
	/*
	 * Digits and symbols: every gap one of them; with two or more gaps at
	 * least one of each. Without the guarantee 3 words (2 gaps) would
	 * miss a class with probability (10/37)^2 + (27/37)^2 = 0.61.
	 */
	for (unsigned n = 2; n <= 20; n++) {
		sesame_password_recipe r =
		    memorable_recipe(n, SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS, 0,
		                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
		int samples = n <= 4 ? 1000 : 50;
		for (int k = 0; k < samples; k++) {
			int d = 0, s = 0;
			gen(buf, &r);
			assert_int_equal(split_chunks(buf, chunks, seps, &cap), n);
			for (unsigned i = 0; i + 1 < n; i++) {
				assert_true(is_digit(seps[i]) || is_symbol(seps[i]));
				d |= is_digit(seps[i]);
				s |= is_symbol(seps[i]);
			}
			if (n >= 3)
				assert_true(d && s);
		}
	}
	sodium_memzero(buf, sizeof buf);
}

static void test_password__memorable_syllables_and_three_letters(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE], seps[SESAME_PASSWORD_WORDS_MAX];
	char *chunks[SESAME_PASSWORD_WORDS_MAX];
	int cap;

	sesame_password_recipe r = memorable_recipe(20, SESAME_PASSWORD_SEPARATOR_PERIODS, 1,
	                                            SESAME_PASSWORD_WORDLIST_SYLLABLES);
	for (int k = 0; k < 200; k++) {
		gen(buf, &r);
		assert_int_equal(split_chunks(buf, chunks, seps, &cap), 20);
		assert_true(cap >= 0);
		for (int i = 0; i < 20; i++) {
			size_t len = strlen(chunks[i]);
			assert_true(len == 2 || len == 3);
			assert_non_null(strchr(PW_CONSONANTS, chunks[i][0]));
			assert_non_null(strchr(PW_VOWELS, chunks[i][1]));
			if (len == 3)
				assert_non_null(strchr(PW_CONSONANTS, chunks[i][2]));
		}
	}
	r = memorable_recipe(20, SESAME_PASSWORD_SEPARATOR_COMMAS, 0,
	                     SESAME_PASSWORD_WORDLIST_THREE_LETTERS);
	for (int k = 0; k < 200; k++) {
		gen(buf, &r);
		assert_int_equal(strlen(buf), 20 * 3 + 19);
		assert_int_equal(split_chunks(buf, chunks, seps, &cap), 20);
		for (int i = 0; i < 20; i++)
			assert_int_equal(strlen(chunks[i]), 3);
	}
	sodium_memzero(buf, sizeof buf);
}

static double entropy_of(const sesame_password_recipe *r)
{
	double a = -1, b = -2;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	assert_int_equal(sesame_password_entropy(&a, r), 0);
	assert_int_equal(sesame_password_generate(buf, sizeof buf, r, &b), 0);
	assert_true(a == b);
	sodium_memzero(buf, sizeof buf);
	return a;
}

static void test_password__entropy_formulas(void **state)
{
	(void)state;
	sesame_password_recipe r;

	/* The library's log2 and ours agree with known values. */
	assert_true(absdiff(t_log2(10.0), 3.3219280948873623479) < 1e-14);
	assert_true(absdiff(pw_log2(10.0), 3.3219280948873623479) < 1e-14);
	for (double x = 0.01; x < 1e130; x *= 3.7)
		assert_true(absdiff(pw_log2(x), t_log2(x)) < 1e-12);

	/* Pin: length * log2(10). */
	for (unsigned n = 1; n <= 64; n++) {
		r = pin_recipe(n);
		assert_true(absdiff(entropy_of(&r), n * t_log2(10.0)) < 1e-9);
	}

	/*
	 * Random: log2 of the number of strings with every class. Exact
	 * integer counts for short lengths (DP over classes seen), the DP's
	 * probability for long ones, and mpmath anchors.
	 */
	for (int digits = 0; digits <= 1; digits++) {
		for (int symbols = 0; symbols <= 1; symbols++) {
			unsigned sizes[3] = {52, 0, 0}, m = 1, total = 52;
			if (digits)
				total += sizes[m++] = 10;
			if (symbols)
				total += sizes[m++] = N_SYMBOLS;
			for (unsigned n = 1; n <= 64; n++) {
				r = random_recipe(n, digits, symbols);
				double want;
				if (n < m) {
					want = n * t_log2(total);
				} else if (n <= 9) { /* 89^9 < 2^64 */
					uint64_t cnt[8] = {1}, nxt[8];
					for (unsigned step = 0; step < n; step++) {
						memset(nxt, 0, sizeof nxt);
						for (unsigned s = 0; s < (1u << m); s++)
							for (unsigned i = 0; i < m; i++)
								nxt[s | (1u << i)] +=
								    cnt[s] * sizes[i];
						memcpy(cnt, nxt, sizeof cnt);
					}
					want = t_log2((double)cnt[(1u << m) - 1]);
				} else {
					want = n * t_log2(total) +
					       t_log2(t_cover(sizes, m, (1u << m) - 1, n));
				}
				assert_true(absdiff(entropy_of(&r), want) < 1e-9);
			}
		}
	}
	r = random_recipe(3, 1, 1); /* 3! * 52 * 10 * 27 = 84240 strings */
	assert_true(absdiff(entropy_of(&r), 16.362217815913079234) < 1e-9);
	r = random_recipe(2, 1, 1); /* too short for a guarantee: 89^2 */
	assert_true(absdiff(entropy_of(&r), 12.95146686193279551) < 1e-9);
	r = random_recipe(8, 1, 0);
	assert_true(absdiff(entropy_of(&r), 47.22841216262011008) < 1e-9);
	r = random_recipe(64, 1, 1);
	assert_true(absdiff(entropy_of(&r), 414.44623739333453508) < 1e-9);

	/* Memorable: words * log2(chunks) + separators + log2(words) if capitalised. */
	words_load();
	for (unsigned n = 1; n <= 20; n++) {
		for (int cap = 0; cap <= 1; cap++) {
			double capbits = cap ? t_log2(n) : 0.0;
			r = memorable_recipe(n, SESAME_PASSWORD_SEPARATOR_HYPHENS, cap,
			                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
			assert_true(absdiff(entropy_of(&r), n * t_log2(N_USABLE_WORDS) + capbits) <
			            1e-9);
			r.separator = SESAME_PASSWORD_SEPARATOR_DIGITS;
			assert_true(absdiff(entropy_of(&r), n * t_log2(N_USABLE_WORDS) +
			                                        (n - 1) * t_log2(10) + capbits) <
			            1e-9);
			r.word_list = SESAME_PASSWORD_WORDLIST_SYLLABLES;
			assert_true(absdiff(entropy_of(&r),
			                    n * t_log2(1530) + (n - 1) * t_log2(10) + capbits) <
			            1e-9);
			r.word_list = SESAME_PASSWORD_WORDLIST_THREE_LETTERS;
			r.separator = SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS;
			unsigned k = n - 1, sz[2] = {10, N_SYMBOLS};
			double sepbits =
			    k < 2 ? k * t_log2(37) : k * t_log2(37) + t_log2(t_cover(sz, 2, 3, k));
			assert_true(absdiff(entropy_of(&r), n * t_log2(17576) + sepbits + capbits) <
			            1e-9);
		}
	}
	r = memorable_recipe(4, SESAME_PASSWORD_SEPARATOR_HYPHENS, 0,
	                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
	assert_true(absdiff(entropy_of(&r), 51.696280742341378215) < 1e-9);
	r = memorable_recipe(20, SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS, 1,
	                     SESAME_PASSWORD_WORDLIST_THREE_LETTERS);
	assert_true(absdiff(entropy_of(&r), 385.32429602622347485) < 1e-9);
	r = memorable_recipe(5, SESAME_PASSWORD_SEPARATOR_DIGITS, 0,
	                     SESAME_PASSWORD_WORDLIST_SYLLABLES);
	assert_true(absdiff(entropy_of(&r), 66.184292067449519987) < 1e-9);
	r = memorable_recipe(2, SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS, 1,
	                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
	assert_true(absdiff(entropy_of(&r), 32.057593736799638889) < 1e-9);
	/* NULL recipe = defaults. */
	double bits;
	assert_int_equal(sesame_password_entropy(&bits, NULL), 0);
	assert_true(absdiff(bits, 207.19127514743504414) < 1e-9);
}

static void test_password__buffer_sizes(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	size_t need;
	double bits = 12345.0;
	sesame_password_recipe r = random_recipe(20, 1, 1);

	assert_int_equal(sesame_password_max_size(&need, &r), 0);
	assert_int_equal(need, 21);
	memset(buf, 'x', sizeof buf);
	assert_int_equal(sesame_password_generate(buf, 20, &r, &bits), SESAME_EBUFSIZE);
	assert_string_equal(buf, ""); /* the empty string on error */
	assert_true(bits == 12345.0); /* untouched on error */
	assert_int_equal(sesame_error_last()->code, SESAME_EBUFSIZE);
	assert_non_null(strstr(sesame_error_last()->message, "need 21"));
	assert_int_equal(sesame_password_generate(buf, 0, &r, NULL), SESAME_EBUFSIZE);
	assert_int_equal(sesame_password_generate(buf, 21, &r, NULL), 0);
	assert_int_equal(strlen(buf), 20);

	r = pin_recipe(6);
	assert_int_equal(sesame_password_generate(buf, 6, &r, NULL), SESAME_EBUFSIZE);
	assert_int_equal(sesame_password_generate(buf, 7, &r, NULL), 0);

	/* Memorable: the worst case, whatever words come up (max 9 letters). */
	r = memorable_recipe(3, SESAME_PASSWORD_SEPARATOR_SPACES, 0,
	                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
	assert_int_equal(sesame_password_max_size(&need, &r), 0);
	assert_int_equal(need, 3 * 9 + 2 + 1);
	assert_int_equal(sesame_password_generate(buf, need - 1, &r, NULL), SESAME_EBUFSIZE);
	for (int k = 0; k < 200; k++)
		assert_int_equal(sesame_password_generate(buf, need, &r, NULL), 0);
	r.word_list = SESAME_PASSWORD_WORDLIST_THREE_LETTERS;
	assert_int_equal(sesame_password_max_size(&need, &r), 0);
	assert_int_equal(need, 3 * 3 + 2 + 1);

	/* SESAME_PASSWORD_MAX_SIZE holds every valid recipe. */
	sesame_password_recipe big = memorable_recipe(20, SESAME_PASSWORD_SEPARATOR_DIGITS, 1,
	                                              SESAME_PASSWORD_WORDLIST_FULL_WORDS);
	assert_int_equal(sesame_password_max_size(&need, &big), 0);
	assert_int_equal(need, 20 * 9 + 19 + 1);
	assert_true(need <= SESAME_PASSWORD_MAX_SIZE);
	assert_true(20 * PW_WORD_MAX + 19 + 1 <= SESAME_PASSWORD_MAX_SIZE);
	r = random_recipe(64, 1, 1);
	assert_int_equal(sesame_password_max_size(&need, &r), 0);
	assert_int_equal(need, 65);
	assert_int_equal(sesame_password_max_size(&need, NULL), 0);
	assert_int_equal(need, 33);
	assert_int_equal(sesame_password_max_size(NULL, &r), SESAME_EINVAL);
	sodium_memzero(buf, sizeof buf);
}

static void expect_invalid(const sesame_password_recipe *r, const char *fragment)
{
	char buf[SESAME_PASSWORD_MAX_SIZE] = "untouched?";
	double bits;
	size_t need;
	assert_int_equal(sesame_password_generate(buf, sizeof buf, r, NULL), SESAME_EINVAL);
	assert_string_equal(buf, "");
	assert_non_null(strstr(sesame_error_last()->message, fragment));
	assert_string_equal(sesame_error_last()->kind, "invalid_password_recipe");
	assert_int_equal(sesame_password_entropy(&bits, r), SESAME_EINVAL);
	assert_int_equal(sesame_password_max_size(&need, r), SESAME_EINVAL);
}

static void test_password__invalid_recipes(void **state)
{
	(void)state;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	sesame_password_recipe r;

	r = random_recipe(0, 1, 1);
	expect_invalid(&r, "password length 0 is out of range (1 to 64)");
	r = random_recipe(65, 1, 1);
	expect_invalid(&r, "password length 65 is out of range");
	r = pin_recipe(0);
	expect_invalid(&r, "length 0");
	r = pin_recipe(65);
	expect_invalid(&r, "length 65");
	r = memorable_recipe(0, SESAME_PASSWORD_SEPARATOR_HYPHENS, 0,
	                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
	expect_invalid(&r, "word count 0 is out of range (1 to 20)");
	r.word_count = 21;
	expect_invalid(&r, "word count 21");
	r.word_count = 3;
	r.separator = (sesame_password_separator)7;
	expect_invalid(&r, "separator 7");
	r.separator = (sesame_password_separator)-1;
	expect_invalid(&r, "separator -1");
	r.separator = SESAME_PASSWORD_SEPARATOR_HYPHENS;
	r.word_list = (sesame_password_wordlist)3;
	expect_invalid(&r, "word list 3");
	r = random_recipe(10, 1, 1);
	r.type = (sesame_password_type)3;
	expect_invalid(&r, "type 3");
	r = random_recipe(10, 1, 1);
	r.version = 0;
	expect_invalid(&r, "version 0");
	r.version = 2;
	expect_invalid(&r, "version 2");
	/* Fields of other types are not looked at. */
	r = random_recipe(10, 1, 1);
	r.word_count = 999;
	r.separator = (sesame_password_separator)99;
	assert_int_equal(gen(buf, &r), 10);
	r = memorable_recipe(3, SESAME_PASSWORD_SEPARATOR_HYPHENS, 0,
	                     SESAME_PASSWORD_WORDLIST_FULL_WORDS);
	r.length = 0;
	assert_true(gen(buf, &r) > 0);

	assert_int_equal(sesame_password_generate(NULL, 10, NULL, NULL), SESAME_EINVAL);
	assert_int_equal(sesame_password_entropy(NULL, NULL), SESAME_EINVAL);
	sodium_memzero(buf, sizeof buf);
}

static void parse_ok(const char *text, sesame_password_type type, unsigned length, int digits,
                     int symbols)
{
	sesame_password_recipe r;
	memset(&r, 0x5a, sizeof r);
	assert_int_equal(sesame_password_recipe_parse(&r, text), 0);
	assert_int_equal(r.version, SESAME_PASSWORD_RECIPE_VERSION);
	assert_int_equal(r.type, type);
	assert_int_equal(r.length, length);
	if (type == SESAME_PASSWORD_RANDOM) {
		assert_int_equal(r.include_digits, digits);
		assert_int_equal(r.include_symbols, symbols);
	}
	/* The parsed recipe is always usable. */
	char buf[SESAME_PASSWORD_MAX_SIZE];
	assert_int_equal(gen(buf, &r), length);
	sodium_memzero(buf, sizeof buf);
}

static void test_password__recipe_parse_accepts(void **state)
{
	(void)state;
	parse_ok(NULL, SESAME_PASSWORD_RANDOM, 32, 1, 1);
	parse_ok("", SESAME_PASSWORD_RANDOM, 32, 1, 1);
	parse_ok("  ", SESAME_PASSWORD_RANDOM, 32, 1, 1);
	parse_ok("letters,digits,symbols,32", SESAME_PASSWORD_RANDOM, 32, 1, 1);
	parse_ok("32,symbols,letters,digits", SESAME_PASSWORD_RANDOM, 32, 1, 1);
	parse_ok("LETTERS,Digits,20", SESAME_PASSWORD_RANDOM, 20, 1, 0);
	parse_ok("letters", SESAME_PASSWORD_RANDOM, 32, 0, 0);
	parse_ok("letters,symbols", SESAME_PASSWORD_RANDOM, 32, 0, 1);
	parse_ok("12", SESAME_PASSWORD_RANDOM, 12, 1, 1);
	parse_ok("1", SESAME_PASSWORD_RANDOM, 1, 1, 1);
	parse_ok("64", SESAME_PASSWORD_RANDOM, 64, 1, 1);
	parse_ok("064", SESAME_PASSWORD_RANDOM, 64, 1, 1);
	parse_ok(" letters , digits , 16 ", SESAME_PASSWORD_RANDOM, 16, 1, 0);
	parse_ok("digits,6", SESAME_PASSWORD_PIN, 6, 0, 0);
	parse_ok("Digits", SESAME_PASSWORD_PIN, 32, 0, 0);
}

static void parse_bad(const char *text, const char *fragment)
{
	sesame_password_recipe r, before;
	memset(&r, 0x5a, sizeof r);
	before = r;
	assert_int_equal(sesame_password_recipe_parse(&r, text), SESAME_EINVAL);
	assert_memory_equal(&r, &before, sizeof r); /* untouched */
	assert_string_equal(sesame_error_last()->kind, "invalid_password_recipe");
	if (strstr(sesame_error_last()->message, fragment) == NULL)
		fail_msg("message '%s' lacks '%s'", sesame_error_last()->message, fragment);
}

static void test_password__recipe_parse_rejects(void **state)
{
	(void)state;
	parse_bad("letters,digit,32", "unknown element 'digit'");
	parse_bad("letters,uppercase", "unknown element 'uppercase'");
	parse_bad("letters;digits", "unknown element 'letters;digits'");
	parse_bad("-5", "unknown element '-5'");
	parse_bad("3.5", "unknown element '3.5'");
	parse_bad("0", "password length '0' is out of range (1 to 64)");
	parse_bad("65", "password length '65' is out of range");
	parse_bad("letters,99999999999999999999999", "length '99999999999999999999999'");
	parse_bad("letters,,32", "empty element in password recipe 'letters,,32'");
	parse_bad("letters,32,", "empty element");
	parse_bad(",", "empty element");
	parse_bad("letters,letters", "'letters' appears twice");
	parse_bad("Digits,DIGITS,4", "'DIGITS' appears twice");
	parse_bad("12,letters,13", "more than one length");
	parse_bad("symbols,10", "has symbols but not letters");
	parse_bad("digits,symbols", "has symbols but not letters");
	/* Long input is quoted, but bounded. */
	char longtext[600];
	memset(longtext, 'z', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	parse_bad(longtext, "unknown element 'zzzz");
	assert_true(strlen(sesame_error_last()->message) < 200);
	assert_int_equal(sesame_password_recipe_parse(NULL, "letters"), SESAME_EINVAL);
}

/* ---- uniformity ---- */

static void report(const char *what, double x, double crit)
{
	print_message("  chi-square %-50s %9.1f (threshold %.1f)\n", what, x, crit);
}

/* Pooled character counts of Random passwords of length 64. */
static void chi_square_random_pooled(int symbols, double crit)
{
	unsigned size = 62 + (symbols ? N_SYMBOLS : 0);
	double observed[89] = {0}, expected[89];
	char buf[SESAME_PASSWORD_MAX_SIZE];
	sesame_password_recipe r = random_recipe(64, 1, symbols);
	const int passwords = 1000;

	for (int k = 0; k < passwords; k++) {
		gen(buf, &r);
		for (int i = 0; i < 64; i++)
			observed[alpha_index(buf[i], 1, symbols)] += 1;
	}
	random_expected(expected, 1, symbols, 64, 64.0 * passwords);
	double x = chi_square(observed, expected, size);
	report(symbols ? "Random 64, 89 characters, pooled" : "Random 64, 62 characters, pooled", x,
	       crit);
	assert_true(x < crit);
	sodium_memzero(buf, sizeof buf);
}

static void test_password__chi_square_random_pooled(void **state)
{
	(void)state;
	chi_square_random_pooled(0, CRIT_DF61);
	chi_square_random_pooled(1, CRIT_DF88);
}

/*
 * Length 6 with three classes: more than half the uniform draws lack a
 * class, so here the rejection sampling shapes the distribution. Each
 * password gives one observation per test: its first character, its last
 * character, and its class counts (letters, digits, symbols).
 */
#define POS_N         6
#define POS_PASSWORDS 12000

static void triple_expected(double *expected, double total)
{
	/* multinomial(6; l, d, s) 52^l 10^d 27^s / 89^6 / P(cover), l,d,s >= 1 */
	unsigned sizes[3] = {52, 10, N_SYMBOLS};
	double cover = t_cover(sizes, 3, 7, POS_N);
	size_t b = 0;
	for (unsigned l = 1; l <= POS_N - 2; l++) {
		for (unsigned d = 1; l + d <= POS_N - 1; d++) {
			unsigned s = POS_N - l - d;
			double ways = 720.0, p = 1.0; /* 6! */
			for (unsigned i = 2; i <= l; i++)
				ways /= i;
			for (unsigned i = 2; i <= d; i++)
				ways /= i;
			for (unsigned i = 2; i <= s; i++)
				ways /= i;
			for (unsigned i = 0; i < l; i++)
				p *= 52.0 / 89;
			for (unsigned i = 0; i < d; i++)
				p *= 10.0 / 89;
			for (unsigned i = 0; i < s; i++)
				p *= 27.0 / 89;
			expected[b++] = total * ways * p / cover;
		}
	}
	assert_int_equal(b, 10);
}

static size_t triple_bin(unsigned l, unsigned d)
{
	size_t b = 0;
	for (unsigned ll = 1; ll <= POS_N - 2; ll++)
		for (unsigned dd = 1; ll + dd <= POS_N - 1; dd++, b++)
			if (ll == l && dd == d)
				return b;
	fail_msg("class counts %u, %u impossible", l, d);
	return 0;
}

struct pos_stats {
	double first[89], last[89], triples[10];
};

static void pos_count(struct pos_stats *st, const char *pw)
{
	unsigned l = 0, d = 0;
	for (int i = 0; i < POS_N; i++) {
		l += is_letter(pw[i]);
		d += is_digit(pw[i]);
	}
	st->first[alpha_index(pw[0], 1, 1)] += 1;
	st->last[alpha_index(pw[POS_N - 1], 1, 1)] += 1;
	st->triples[triple_bin(l, d)] += 1;
}

static void pos_check(const struct pos_stats *st, double *xs, int verbose)
{
	double expected[89], texp[10];
	random_expected(expected, 1, 1, POS_N, POS_PASSWORDS);
	triple_expected(texp, POS_PASSWORDS);
	xs[0] = chi_square(st->first, expected, 89);
	xs[1] = chi_square(st->last, expected, 89);
	xs[2] = chi_square(st->triples, texp, 10);
	if (verbose) {
		report("Random 6, first character", xs[0], CRIT_DF88);
		report("Random 6, last character", xs[1], CRIT_DF88);
		report("Random 6, class counts (10 bins)", xs[2], CRIT_DF9);
	}
}

static void test_password__chi_square_random_positions(void **state)
{
	(void)state;
	static struct pos_stats st;
	char buf[SESAME_PASSWORD_MAX_SIZE];
	double xs[3];
	sesame_password_recipe r = random_recipe(POS_N, 1, 1);

	memset(&st, 0, sizeof st);
	for (int k = 0; k < POS_PASSWORDS; k++) {
		gen(buf, &r);
		pos_count(&st, buf);
	}
	pos_check(&st, xs, 1);
	assert_true(xs[0] < CRIT_DF88);
	assert_true(xs[1] < CRIT_DF88);
	assert_true(xs[2] < CRIT_DF9);
	sodium_memzero(buf, sizeof buf);
}

/* Length 1 with three classes: no guarantee, one uniform character. */
static void test_password__chi_square_random_length_one(void **state)
{
	(void)state;
	double observed[89] = {0}, expected[89];
	char buf[SESAME_PASSWORD_MAX_SIZE];
	sesame_password_recipe r = random_recipe(1, 1, 1);
	const int n = 20000;
	for (int k = 0; k < n; k++) {
		gen(buf, &r);
		observed[alpha_index(buf[0], 1, 1)] += 1;
	}
	for (int i = 0; i < 89; i++)
		expected[i] = n / 89.0;
	double x = chi_square(observed, expected, 89);
	report("Random 1, 89 characters", x, CRIT_DF88);
	assert_true(x < CRIT_DF88);
}

#define PIN_COUNT 8000

static void test_password__chi_square_pin(void **state)
{
	(void)state;
	double observed[10] = {0}, expected[10], first[10] = {0}, fexpected[10];
	char buf[SESAME_PASSWORD_MAX_SIZE];
	sesame_password_recipe r = pin_recipe(64);
	for (int k = 0; k < PIN_COUNT; k++) {
		gen(buf, &r);
		first[buf[0] - '0'] += 1;
		for (int i = 0; i < 64; i++)
			observed[buf[i] - '0'] += 1;
	}
	for (int i = 0; i < 10; i++) {
		expected[i] = PIN_COUNT * 64 / 10.0;
		fexpected[i] = PIN_COUNT / 10.0;
	}
	double x = chi_square(observed, expected, 10);
	double xf = chi_square(first, fexpected, 10);
	report("Pin 64, digits", x, CRIT_DF9);
	/* A leading zero must be as likely as any other first digit. */
	report("Pin 64, first digit", xf, CRIT_DF9);
	assert_true(x < CRIT_DF9);
	assert_true(xf < CRIT_DF9);
	sodium_memzero(buf, sizeof buf);
}

#define WORD_PASSWORDS 24000

static void test_password__chi_square_words(void **state)
{
	(void)state;
	static double observed[N_USABLE_WORDS], expected[N_USABLE_WORDS];
	double capobs[20] = {0}, capexp[20];
	char buf[SESAME_PASSWORD_MAX_SIZE], seps[SESAME_PASSWORD_WORDS_MAX];
	char *chunks[SESAME_PASSWORD_WORDS_MAX];
	int cap;
	sesame_password_recipe r = memorable_recipe(20, SESAME_PASSWORD_SEPARATOR_HYPHENS, 1,
	                                            SESAME_PASSWORD_WORDLIST_FULL_WORDS);

	words_load();
	memset(observed, 0, sizeof observed);
	for (int k = 0; k < WORD_PASSWORDS; k++) {
		gen(buf, &r);
		assert_int_equal(split_chunks(buf, chunks, seps, &cap), 20);
		capobs[cap] += 1;
		for (int i = 0; i < 20; i++) {
			long w = word_index(chunks[i]);
			assert_true(w >= 0);
			observed[w] += 1;
		}
	}
	for (int i = 0; i < N_USABLE_WORDS; i++)
		expected[i] = WORD_PASSWORDS * 20.0 / N_USABLE_WORDS;
	for (int i = 0; i < 20; i++)
		capexp[i] = WORD_PASSWORDS / 20.0;
	double x = chi_square(observed, expected, N_USABLE_WORDS);
	double xc = chi_square(capobs, capexp, 20);
	report("Memorable, 7,772 words", x, CRIT_DF7771);
	report("Memorable, capitalised position of 20", xc, CRIT_DF19);
	assert_true(x < CRIT_DF7771);
	assert_true(xc < CRIT_DF19);
	sodium_memzero(buf, sizeof buf);
}

#define SYLLABLE_PASSWORDS 4600

static void test_password__chi_square_syllables(void **state)
{
	(void)state;
	static double observed[1530], expected[1530];
	double digobs[10] = {0}, digexp[10];
	char buf[SESAME_PASSWORD_MAX_SIZE], seps[SESAME_PASSWORD_WORDS_MAX];
	char *chunks[SESAME_PASSWORD_WORDS_MAX];
	int cap;
	sesame_password_recipe r = memorable_recipe(10, SESAME_PASSWORD_SEPARATOR_DIGITS, 0,
	                                            SESAME_PASSWORD_WORDLIST_SYLLABLES);

	memset(observed, 0, sizeof observed);
	for (int k = 0; k < SYLLABLE_PASSWORDS; k++) {
		gen(buf, &r);
		assert_int_equal(split_chunks(buf, chunks, seps, &cap), 10);
		for (int i = 0; i < 10; i++) {
			const char *c = chunks[i];
			size_t c1 = (size_t)(strchr(PW_CONSONANTS, c[0]) - PW_CONSONANTS);
			size_t v = (size_t)(strchr(PW_VOWELS, c[1]) - PW_VOWELS);
			size_t bin = c1 * 5 + v;
			if (c[2])
				bin = 85 + bin * 17 +
				      (size_t)(strchr(PW_CONSONANTS, c[2]) - PW_CONSONANTS);
			observed[bin] += 1;
			if (i < 9)
				digobs[seps[i] - '0'] += 1;
		}
	}
	for (int i = 0; i < 1530; i++)
		expected[i] = SYLLABLE_PASSWORDS * 10.0 / 1530;
	for (int i = 0; i < 10; i++)
		digexp[i] = SYLLABLE_PASSWORDS * 9.0 / 10;
	double x = chi_square(observed, expected, 1530);
	double xd = chi_square(digobs, digexp, 10);
	report("Memorable, 1,530 syllables", x, CRIT_DF1529);
	report("Memorable, digit separators", xd, CRIT_DF9);
	assert_true(x < CRIT_DF1529);
	assert_true(xd < CRIT_DF9);
	sodium_memzero(buf, sizeof buf);
}

/*
 * Three-letter chunks: letters at each position of a chunk (three tests, so
 * that a bias at one position is not diluted by the other two), the
 * digit-or-symbol separators, and which chunk is capitalised.
 */
#define THREE_PASSWORDS 7500

static void test_password__chi_square_three_letters(void **state)
{
	(void)state;
	double letobs[3][26], letexp[26], sepobs[37] = {0}, sepexp[37];
	double capobs[20] = {0}, capexp[20];
	char buf[SESAME_PASSWORD_MAX_SIZE], seps[SESAME_PASSWORD_WORDS_MAX];
	char *chunks[SESAME_PASSWORD_WORDS_MAX];
	static const char sepchars[] = "0123456789" SYMBOLS;
	int cap;
	sesame_password_recipe r =
	    memorable_recipe(20, SESAME_PASSWORD_SEPARATOR_DIGITS_AND_SYMBOLS, 1,
	                     SESAME_PASSWORD_WORDLIST_THREE_LETTERS);

	memset(letobs, 0, sizeof letobs);
	for (int k = 0; k < THREE_PASSWORDS; k++) {
		gen(buf, &r);
		assert_int_equal(split_chunks(buf, chunks, seps, &cap), 20);
		capobs[cap] += 1;
		for (int i = 0; i < 20; i++) {
			for (int j = 0; j < 3; j++)
				letobs[j][chunks[i][j] - 'a'] += 1;
			if (i < 19)
				sepobs[strchr(sepchars, seps[i]) - sepchars] += 1;
		}
	}
	unsigned sz[2] = {10, N_SYMBOLS};
	for (int i = 0; i < 26; i++)
		letexp[i] = THREE_PASSWORDS * 20.0 / 26;
	for (int i = 0; i < 37; i++)
		sepexp[i] = THREE_PASSWORDS * 19.0 * t_char_prob(sz, 2, i < 10 ? 0 : 1, 19);
	for (int i = 0; i < 20; i++)
		capexp[i] = THREE_PASSWORDS / 20.0;
	for (int j = 0; j < 3; j++) {
		static const char *const what[3] = {
		    "Memorable, three letters, 1st letters",
		    "Memorable, three letters, 2nd letters",
		    "Memorable, three letters, 3rd letters",
		};
		double xl = chi_square(letobs[j], letexp, 26);
		report(what[j], xl, CRIT_DF25);
		assert_true(xl < CRIT_DF25);
	}
	double xs = chi_square(sepobs, sepexp, 37);
	double xc = chi_square(capobs, capexp, 20);
	report("Memorable, digit-or-symbol separators", xs, CRIT_DF36);
	report("Memorable, capitalised position of 20 (3 letters)", xc, CRIT_DF19);
	assert_true(xs < CRIT_DF36);
	assert_true(xc < CRIT_DF19);
	sodium_memzero(buf, sizeof buf);
}

/* ---- the statistics above catch biased generators ---- */

struct byte_stream {
	unsigned char buf[4096];
	size_t pos;
};

static unsigned next_byte(struct byte_stream *s)
{
	if (s->pos == 0 || s->pos == sizeof s->buf) {
		randombytes_buf(s->buf, sizeof s->buf);
		s->pos = 0;
	}
	return s->buf[s->pos++];
}

/* Unbiased uniform on [0, n), n <= 256, by rejection (test-side). */
static unsigned fair(struct byte_stream *s, unsigned n)
{
	unsigned limit = 256 - 256 % n, b;
	do
		b = next_byte(s);
	while (b >= limit);
	return b % n;
}

/* A fair character of class c (0 letters, 1 digits, 2 symbols). */
static char fair_of_class(struct byte_stream *s, int c)
{
	if (c == 0)
		return ALNUM[fair(s, 52)];
	if (c == 1)
		return (char)('0' + fair(s, 10));
	return SYMBOLS[fair(s, N_SYMBOLS)];
}

static int class_of(char c)
{
	return is_letter(c) ? 0 : is_digit(c) ? 1 : 2;
}

static void test_password__chi_square_detects_bias(void **state)
{
	(void)state;
	static struct byte_stream bs;
	static double obs[N_USABLE_WORDS], exp_[N_USABLE_WORDS];
	static const char full[] = ALNUM SYMBOLS;
	static struct pos_stats st;
	double x, xs[3];

	/* Pin digits from byte % 10 (first 6 digits 26/256, others 25/256). */
	memset(obs, 0, sizeof obs);
	for (int k = 0; k < PIN_COUNT * 64; k++)
		obs[next_byte(&bs) % 10] += 1;
	for (int i = 0; i < 10; i++)
		exp_[i] = PIN_COUNT * 64 / 10.0;
	x = chi_square(obs, exp_, 10);
	report("biased: byte % 10 Pin digits", x, CRIT_DF9);
	assert_true(x > CRIT_DF9);

	/* Random characters from byte % 62 and byte % 89. */
	memset(obs, 0, sizeof obs);
	for (int k = 0; k < 64000; k++)
		obs[next_byte(&bs) % 62] += 1;
	random_expected(exp_, 1, 0, 64, 64000);
	x = chi_square(obs, exp_, 62);
	report("biased: byte % 62 Random characters", x, CRIT_DF61);
	assert_true(x > CRIT_DF61);
	memset(obs, 0, sizeof obs);
	for (int k = 0; k < 64000; k++)
		obs[next_byte(&bs) % 89] += 1;
	random_expected(exp_, 1, 1, 64, 64000);
	x = chi_square(obs, exp_, 89);
	report("biased: byte % 89 Random characters", x, CRIT_DF88);
	assert_true(x > CRIT_DF88);

	/* Words from a 16-bit value % 7772. */
	memset(obs, 0, sizeof obs);
	for (int k = 0; k < WORD_PASSWORDS * 20; k++) {
		unsigned v = next_byte(&bs) | next_byte(&bs) << 8;
		obs[v % N_USABLE_WORDS] += 1;
	}
	for (int i = 0; i < N_USABLE_WORDS; i++)
		exp_[i] = WORD_PASSWORDS * 20.0 / N_USABLE_WORDS;
	x = chi_square(obs, exp_, N_USABLE_WORDS);
	report("biased: uint16 % 7772 words", x, CRIT_DF7771);
	assert_true(x > CRIT_DF7771);

	/* One letter position of three-letter chunks from byte % 26. */
	memset(obs, 0, sizeof obs);
	for (int k = 0; k < THREE_PASSWORDS * 20; k++)
		obs[next_byte(&bs) % 26] += 1;
	for (int i = 0; i < 26; i++)
		exp_[i] = THREE_PASSWORDS * 20.0 / 26;
	x = chi_square(obs, exp_, 26);
	report("biased: byte % 26 letters", x, CRIT_DF25);
	assert_true(x > CRIT_DF25);

	/* Length 6, "one of each class, fill the rest, shuffle". */
	memset(&st, 0, sizeof st);
	for (int k = 0; k < POS_PASSWORDS; k++) {
		char pw[POS_N];
		pw[0] = fair_of_class(&bs, 0);
		pw[1] = fair_of_class(&bs, 1);
		pw[2] = fair_of_class(&bs, 2);
		for (int i = 3; i < POS_N; i++)
			pw[i] = full[fair(&bs, 89)];
		for (int i = POS_N - 1; i > 0; i--) { /* Fisher-Yates */
			int j = (int)fair(&bs, (unsigned)i + 1);
			char t = pw[i];
			pw[i] = pw[j];
			pw[j] = t;
		}
		pos_count(&st, pw);
	}
	pos_check(&st, xs, 0);
	report("biased: one of each class + shuffle, counts", xs[2], CRIT_DF9);
	assert_true(xs[2] > CRIT_DF9);

	/* Length 6, uniform, then overwrite a random position per missing class. */
	memset(&st, 0, sizeof st);
	for (int k = 0; k < POS_PASSWORDS; k++) {
		char pw[POS_N];
		for (int i = 0; i < POS_N; i++)
			pw[i] = full[fair(&bs, 89)];
		for (int c = 0; c < 3; c++) {
			int count[3] = {0, 0, 0}, present = 0;
			for (int i = 0; i < POS_N; i++)
				count[class_of(pw[i])]++;
			present = count[c] > 0;
			while (!present) {
				int j = (int)fair(&bs, POS_N);
				if (count[class_of(pw[j])] >= 2) {
					pw[j] = fair_of_class(&bs, c);
					present = 1;
				}
			}
		}
		pos_count(&st, pw);
	}
	pos_check(&st, xs, 0);
	report("biased: fix up missing classes, counts", xs[2], CRIT_DF9);
	assert_true(xs[2] > CRIT_DF9);

	/* Length 6, correct except that the first character is a letter. */
	memset(&st, 0, sizeof st);
	for (int k = 0; k < POS_PASSWORDS; k++) {
		char pw[POS_N];
		int seen;
		do {
			seen = 0;
			pw[0] = fair_of_class(&bs, 0);
			for (int i = 1; i < POS_N; i++)
				pw[i] = full[fair(&bs, 89)];
			for (int i = 0; i < POS_N; i++)
				seen |= 1 << class_of(pw[i]);
		} while (seen != 7);
		pos_count(&st, pw);
	}
	pos_check(&st, xs, 0);
	report("biased: first character a letter, first position", xs[0], CRIT_DF88);
	assert_true(xs[0] > CRIT_DF88);
	sodium_memzero(&bs, sizeof bs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password__defaults),
	    cmocka_unit_test(test_password__random_lengths_and_alphabets),
	    cmocka_unit_test(test_password__random_classes_always_present),
	    cmocka_unit_test(test_password__random_short_is_unconstrained),
	    cmocka_unit_test(test_password__pin),
	    cmocka_unit_test(test_password__memorable_words),
	    cmocka_unit_test(test_password__memorable_separators),
	    cmocka_unit_test(test_password__memorable_syllables_and_three_letters),
	    cmocka_unit_test(test_password__entropy_formulas),
	    cmocka_unit_test(test_password__buffer_sizes),
	    cmocka_unit_test(test_password__invalid_recipes),
	    cmocka_unit_test(test_password__recipe_parse_accepts),
	    cmocka_unit_test(test_password__recipe_parse_rejects),
	    cmocka_unit_test(test_password__chi_square_random_pooled),
	    cmocka_unit_test(test_password__chi_square_random_positions),
	    cmocka_unit_test(test_password__chi_square_random_length_one),
	    cmocka_unit_test(test_password__chi_square_pin),
	    cmocka_unit_test(test_password__chi_square_words),
	    cmocka_unit_test(test_password__chi_square_syllables),
	    cmocka_unit_test(test_password__chi_square_three_letters),
	    cmocka_unit_test(test_password__chi_square_detects_bias),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
