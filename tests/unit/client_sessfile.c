/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's session file: round trip, and useless without its key. */
#include "test.h"

#include <sodium.h>

#include "client/sessfile.h"
#include "sesame/errors.h"

static session *make_session(void)
{
	api *a = NULL;
	keyset *ks = NULL;
	session *s = NULL;
	client_principal me;
	api_options o = {.url = "http://127.0.0.1:9"};

	memset(&me, 0, sizeof me);
	memcpy(me.id, "uuuuuuuuuuuuuuuuuuuuuuuuuu", 27);
	memcpy(me.account_id, "aaaaaaaaaaaaaaaaaaaaaaaaaa", 27);
	snprintf(me.type, sizeof me.type, "user");
	snprintf(me.email, sizeof me.email, "ann@example.com");
	assert_int_equal(api_new(&a, &o), 0);
	assert_int_equal(api_set_session(a, "sesame_ses_TOKENTOKENTOKENTOKEN"), 0);
	assert_int_equal(keyset_new(&ks), 0);
	assert_int_equal(session_new(&s, a, ks, &me), 0);
	return s;
}

static bool contains(const unsigned char *hay, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(hay + i, needle, l) == 0)
			return true;
	return false;
}

static void test_client_sessfile__round_trip(void **state)
{
	unsigned char key[SESSFILE_KEYBYTES], *blob = NULL;
	size_t len = 0;
	session *s = make_session(), *back = NULL;
	(void)state;

	randombytes_buf(key, sizeof key);
	assert_int_equal(sessfile_seal(&blob, &len, key, s, false), 0);
	assert_memory_equal(blob, SESSFILE_MAGIC, strlen(SESSFILE_MAGIC));
	/* Nothing readable: no token, no email, no url. */
	assert_false(contains(blob, len, "sesame_ses_"));
	assert_false(contains(blob, len, "ann@example.com"));
	assert_false(contains(blob, len, "127.0.0.1"));

	assert_int_equal(sessfile_open(&back, blob, len, key), 0);
	assert_string_equal(api_session(back->api), "sesame_ses_TOKENTOKENTOKENTOKEN");
	assert_string_equal(api_url(back->api), "http://127.0.0.1:9");
	assert_string_equal(back->me.email, "ann@example.com");
	assert_string_equal(back->me.id, s->me.id);
	assert_memory_equal(keyset_box_public_key(back->ks), keyset_box_public_key(s->ks), 32);
	assert_memory_equal(keyset_sign_public_key(back->ks), keyset_sign_public_key(s->ks), 32);
	assert_memory_equal(keyset_box_secret_key(back->ks), keyset_box_secret_key(s->ks), 32);
	session_free(back);
	back = NULL;

	/* Another key, or a changed byte: refused, nothing released. */
	unsigned char other[SESSFILE_KEYBYTES];
	randombytes_buf(other, sizeof other);
	assert_int_equal(sessfile_open(&back, blob, len, other), SESAME_EAUTH);
	assert_null(back);
	blob[len - 5] ^= 1;
	assert_int_equal(sessfile_open(&back, blob, len, key), SESAME_EAUTH);
	assert_null(back);
	assert_int_equal(sessfile_open(&back, blob, 10, key), SESAME_EINVAL);
	free(blob);
	session_free(s);
}

static void test_client_sessfile__key_text(void **state)
{
	unsigned char key[SESSFILE_KEYBYTES], back[SESSFILE_KEYBYTES];
	char text[SESSFILE_KEY_TEXT_SIZE], n1[32], n2[32];
	(void)state;
	randombytes_buf(key, sizeof key);
	assert_int_equal(sessfile_key_text(text, key), 0);
	assert_int_equal(strlen(text), 43);
	assert_int_equal(sessfile_key_parse(back, text), 0);
	assert_memory_equal(key, back, sizeof key);
	assert_int_equal(sessfile_key_parse(back, "short"), SESAME_EINVAL);
	assert_int_equal(sessfile_key_parse(back, NULL), SESAME_EINVAL);
	sessfile_name(n1, key);
	key[0] ^= 1;
	sessfile_name(n2, key);
	assert_int_equal(strlen(n1), 24);
	assert_string_not_equal(n1, n2);
	assert_null(strstr(n1, text));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_sessfile__round_trip),
		cmocka_unit_test(test_client_sessfile__key_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
