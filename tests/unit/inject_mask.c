/* SPDX-License-Identifier: Apache-2.0 */
#include "test.h"

#include "inject/mask.h"
#include "sesame/errors.h"

static mask_filter *filter_of(const char *const *secrets, size_t n)
{
	size_t lens[16];
	mask_filter *f;
	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(secrets[i]);
	assert_int_equal(mask_filter_new(&f, secrets, lens, n), 0);
	return f;
}

/* Feeds `input` in pieces of `step` bytes and returns the whole output. */
static char *run(const char *const *secrets, size_t n, const char *input, size_t len, size_t step)
{
	mask_filter *f = filter_of(secrets, n);
	sbuf out = SBUF_INIT(1 << 20);
	for (size_t off = 0; off < len; off += step) {
		size_t k = len - off < step ? len - off : step;
		assert_int_equal(mask_filter_write(f, input + off, k, &out), 0);
	}
	assert_int_equal(mask_filter_finish(f, &out), 0);
	mask_filter_free(f);
	return sbuf_detach(&out, NULL);
}

static void expect_all_splits(const char *const *secrets, size_t n, const char *input,
			      const char *expected)
{
	for (size_t step = 1; step <= strlen(input) + 1; step++) {
		char *got = run(secrets, n, input, strlen(input), step);
		if (strcmp(got ? got : "", expected) != 0)
			fail_msg("step %zu: got '%s'", step, got ? got : "");
		free(got);
	}
}

static void test_inject_mask__replaces_every_occurrence(void **state)
{
	(void)state;
	const char *s[] = {"hunter2"};
	expect_all_splits(s, 1, "pw=hunter2, again hunter2!",
			  "pw=<concealed by sesame>, again <concealed by sesame>!");
}

static void test_inject_mask__substring_secrets_longest_wins(void **state)
{
	(void)state;
	const char *s[] = {"abc", "abcdef"};
	expect_all_splits(s, 2, "x abcdef y abc z abcde",
			  "x <concealed by sesame> y <concealed by sesame> z <concealed by sesame>de");
}

static void test_inject_mask__multiline_and_binary(void **state)
{
	(void)state;
	const char *s[] = {"line1\nline2"};
	expect_all_splits(s, 1, "a line1\nline2 b line1\nx", "a <concealed by sesame> b line1\nx");
	const char bin_secret[] = {'\x00', '\xff', 'k'};
	const char *bs[] = {bin_secret};
	size_t lens[] = {3};
	mask_filter *f;
	sbuf out = SBUF_INIT(100);
	assert_int_equal(mask_filter_new(&f, bs, lens, 1), 0);
	const char input[] = {'a', '\x00', '\xff', 'k', 'b'};
	assert_int_equal(mask_filter_write(f, input, 2, &out), 0);
	assert_int_equal(mask_filter_write(f, input + 2, 3, &out), 0);
	assert_int_equal(mask_filter_finish(f, &out), 0);
	assert_string_equal(out.ptr, "a<concealed by sesame>b");
	sbuf_free(&out);
	mask_filter_free(f);
}

static void test_inject_mask__holds_back_only_a_secret_prefix(void **state)
{
	(void)state;
	const char *s[] = {"topsecret"};
	mask_filter *f = filter_of(s, 1);
	sbuf out = SBUF_INIT(100);
	/* Nothing that could start the secret is delayed. */
	assert_int_equal(mask_filter_write(f, "hello world\n", 12, &out), 0);
	assert_string_equal(out.ptr, "hello world\n");
	assert_int_equal(mask_filter_pending(f), 0);
	/* "top" might be the start of the secret: held, the rest emitted. */
	assert_int_equal(mask_filter_write(f, "x=top", 5, &out), 0);
	assert_string_equal(out.ptr, "hello world\nx=");
	assert_int_equal(mask_filter_pending(f), 3);
	/* It was not: released at once with what follows. */
	assert_int_equal(mask_filter_write(f, "ic\n", 3, &out), 0);
	assert_string_equal(out.ptr, "hello world\nx=topic\n");
	assert_int_equal(mask_filter_pending(f), 0);
	/* A prefix at end of stream is emitted by finish. */
	assert_int_equal(mask_filter_write(f, "topsec", 6, &out), 0);
	assert_int_equal(mask_filter_finish(f, &out), 0);
	assert_string_equal(out.ptr, "hello world\nx=topic\ntopsec");
	sbuf_free(&out);
	mask_filter_free(f);
}

static void test_inject_mask__no_secrets_passes_through(void **state)
{
	(void)state;
	const char *s[] = {""};
	expect_all_splits(s, 1, "unchanged", "unchanged");
}

static void test_inject_mask__many_secrets(void **state)
{
	(void)state;
	const char *s[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"};
	expect_all_splits(s, 6, "echo alpha-bravo_charlie.delta foxtrots e",
			  "<concealed by sesame> <concealed by sesame>-<concealed by sesame>_"
			  "<concealed by sesame>.<concealed by sesame> <concealed by sesame>s e");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_mask__replaces_every_occurrence),
		cmocka_unit_test(test_inject_mask__substring_secrets_longest_wins),
		cmocka_unit_test(test_inject_mask__multiline_and_binary),
		cmocka_unit_test(test_inject_mask__holds_back_only_a_secret_prefix),
		cmocka_unit_test(test_inject_mask__no_secrets_passes_through),
		cmocka_unit_test(test_inject_mask__many_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
