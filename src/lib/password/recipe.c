/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op's password recipe strings: `--generate-password=letters,digits,32`.
 */
#include <stddef.h>
#include <string.h>

#include "sesame/password.h"
#include "error.h"

#define RECIPE_KIND "invalid_password_recipe"
/* Longest part of the input quoted in an error message. */
#define QUOTE_MAX 64

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII case-insensitive comparison of s[0..len) with a lowercase word. */
static int word_is(const char *s, size_t len, const char *word)
{
	if (strlen(word) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return 1;
}

static int all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

static int duplicate(const char *s, size_t len)
{
	return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
	                        "'%.*s' appears twice in password recipe", (int)len, s);
}

int sesame_password_recipe_parse(sesame_password_recipe *out, const char *text)
{
	sesame_password_recipe r = SESAME_PASSWORD_RECIPE_INIT;
	int letters = 0, digits = 0, symbols = 0, have_length = 0;
	unsigned long length = SESAME_PASSWORD_LENGTH_DEFAULT;
	const char *p;

	if (out == NULL)
		return sesame_error_set(SESAME_EINVAL, NULL, "password recipe is NULL");
	if (text == NULL)
		goto done;
	for (p = text; is_space(*p); p++)
		;
	if (*p == '\0')
		goto done;

	for (p = text;;) {
		const char *end = strchr(p, ',');
		const char *s = p, *e;
		size_t len;

		if (end == NULL)
			end = p + strlen(p);
		e = end;
		while (s < e && is_space(*s))
			s++;
		while (e > s && is_space(e[-1]))
			e--;
		len = (size_t)(e - s);

		if (len == 0) {
			return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
			                        "empty element in password recipe '%.*s'",
			                        QUOTE_MAX, text);
		} else if (word_is(s, len, "letters")) {
			if (letters++)
				return duplicate(s, len);
		} else if (word_is(s, len, "digits")) {
			if (digits++)
				return duplicate(s, len);
		} else if (word_is(s, len, "symbols")) {
			if (symbols++)
				return duplicate(s, len);
		} else if (all_digits(s, len)) {
			unsigned long v = 0;
			if (have_length++)
				return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
				                        "more than one length in password recipe "
				                        "('%.*s')",
				                        QUOTE_MAX, text);
			/* Saturate: anything above 1000 is out of range anyway. */
			for (size_t i = 0; i < len; i++) {
				v = v * 10 + (unsigned long)(s[i] - '0');
				if (v > 1000)
					v = 1000;
			}
			if (v < SESAME_PASSWORD_LENGTH_MIN || v > SESAME_PASSWORD_LENGTH_MAX)
				return sesame_error_set(SESAME_EINVAL, RECIPE_KIND,
				                        "password length '%.*s' is out of range "
				                        "(%d to %d)",
				                        (int)(len > QUOTE_MAX ? QUOTE_MAX : len), s,
				                        SESAME_PASSWORD_LENGTH_MIN,
				                        SESAME_PASSWORD_LENGTH_MAX);
			length = v;
		} else {
			return sesame_error_set(
			    SESAME_EINVAL, RECIPE_KIND,
			    "unknown element '%.*s' in password recipe (expected "
			    "letters, digits, symbols or a length from %d to %d)",
			    (int)(len > QUOTE_MAX ? QUOTE_MAX : len), s, SESAME_PASSWORD_LENGTH_MIN,
			    SESAME_PASSWORD_LENGTH_MAX);
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}

	if (!letters && !digits && !symbols)
		letters = digits = symbols = 1;
	r.length = (unsigned)length;
	if (digits && !letters && !symbols) {
		r.type = SESAME_PASSWORD_PIN;
	} else if (!letters) {
		return sesame_error_set(
		    SESAME_EINVAL, RECIPE_KIND,
		    "password recipe '%.*s' has symbols but not letters (random "
		    "passwords always contain letters)",
		    QUOTE_MAX, text);
	} else {
		r.type = SESAME_PASSWORD_RANDOM;
		r.include_digits = digits;
		r.include_symbols = symbols;
	}
done:
	*out = r;
	return 0;
}
