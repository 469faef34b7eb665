/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vault cache in the session file: round trip with the keys, nothing
 * readable without the session key, malformed caches ignored; and
 * client_resolve()'s per-reference syntax errors, which need no server.
 */
#include "test.h"

#include <sodium.h>

#include "client/keyring.h"
#include "client/resolve.h"
#include "client/sessfile.h"
#include "client/vcache.h"
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
	assert_int_equal(api_new(&a, &o), 0);
	assert_int_equal(api_set_session(a, "sesame_ses_TOKEN"), 0);
	assert_int_equal(keyset_new(&ks), 0);
	assert_int_equal(session_new(&s, a, ks, &me), 0);
	return s;
}

static bool contains(const unsigned char *hay, size_t n, const void *needle, size_t l)
{
	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(hay + i, needle, l) == 0)
			return true;
	return false;
}

static vcache *two_vaults(unsigned char k1[32], unsigned char k2[32])
{
	json_t *arr = json_array();
	char t1[64], t2[64];
	randombytes_buf(k1, 32);
	randombytes_buf(k2, 32);
	sodium_bin2base64(t1, sizeof t1, k1, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(t2, sizeof t2, k2, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", "vvvvvvvvvvvvvvvvvvvvvvvvv1",
					     "name", "Production Vault", "key", t1));
	json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", "vvvvvvvvvvvvvvvvvvvvvvvvv2",
					     "name", "dev", "key", t2));
	vcache *c = vcache_from_json(arr);
	json_decref(arr);
	return c;
}

static void test_client_vcache__session_file_round_trip(void **state)
{
	unsigned char key[SESSFILE_KEYBYTES], k1[32], k2[32], *blob = NULL;
	size_t len = 0;
	session *s = make_session(), *back = NULL;
	(void)state;

	s->vcache = two_vaults(k1, k2);
	assert_non_null(s->vcache);
	assert_int_equal(s->vcache->n, 2);
	randombytes_buf(key, sizeof key);
	assert_int_equal(sessfile_seal(&blob, &len, key, s, false), 0);
	assert_false(contains(blob, len, "Production", 10));
	assert_false(contains(blob, len, k1, 32));
	assert_false(contains(blob, len, "vvvvvvvvvvvvvvvvvvvvvvvvv1", 26));

	assert_int_equal(sessfile_open(&back, blob, len, key), 0);
	assert_non_null(back->vcache);
	assert_int_equal(back->vcache->n, 2);
	assert_string_equal(back->vcache->v[0].name, "Production Vault");
	assert_memory_equal(back->vcache->v[1].key, k2, 32);
	assert_false(back->vcache->dirty);
	/* The keys are in the session's keyring too (items and files use it). */
	assert_memory_equal(keyring_vault_key(back->kr, "vvvvvvvvvvvvvvvvvvvvvvvvv1"), k1, 32);
	session_free(back);

	key[3] ^= 1;
	assert_int_not_equal(sessfile_open(&back, blob, len, key), 0);
	assert_null(back);
	free(blob);
	session_free(s);
}

static void test_client_vcache__malformed(void **state)
{
	json_t *bad[] = {
		json_pack("[{s:s,s:s,s:s}]", "id", "short", "name", "x", "key", "AAAA"),
		json_pack("[{s:s,s:s}]", "id", "vvvvvvvvvvvvvvvvvvvvvvvvv1", "name", "x"),
		json_pack("[{s:s,s:s,s:s}]", "id", "vvvvvvvvvvvvvvvvvvvvvvvvv1", "name", "x", "key",
			  "AAAA"),
		json_pack("{}"),
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_null(vcache_from_json(bad[i]));
		json_decref(bad[i]);
	}
	json_t *empty = json_array();
	vcache *c = vcache_from_json(empty);
	assert_non_null(c);
	assert_int_equal(c->n, 0);
	vcache_free(c);
	json_decref(empty);
	vcache_free(NULL);
}

static void test_client_vcache__to_json(void **state)
{
	unsigned char k1[32], k2[32];
	vcache *c = two_vaults(k1, k2);
	(void)state;
	json_t *arr = vcache_to_json(c);
	assert_int_equal(json_array_size(arr), 2);
	vcache *back = vcache_from_json(arr);
	assert_memory_equal(back->v[0].key, k1, 32);
	assert_string_equal(back->v[1].id, "vvvvvvvvvvvvvvvvvvvvvvvvv2");
	vcache_json_wipe(arr);
	json_decref(arr);
	vcache_free(back);
	vcache_free(c);
}

/* Syntax errors are per reference; with every reference invalid no request is made. */
static void test_client_vcache__resolve_syntax_errors(void **state)
{
	unsigned char k1[32], k2[32];
	session *s = make_session();
	client_resolution *r = NULL;
	client_resolve_stats st;
	const char *refs[] = {"prod/db/pw", "op://v//f", "op://v/i/f?attribute=colour"};
	(void)state;

	s->vcache = two_vaults(k1, k2);
	assert_int_equal(client_resolve(&r, s, refs, 3, NULL, &st), 0);
	assert_int_equal(st.requests, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r[i].code, SESAME_EINVAL);
		assert_string_equal(r[i].kind, "invalid_reference");
	}
	assert_non_null(strstr(r[0].message, "not prefixed with \"op://\""));
	assert_non_null(strstr(r[2].message, "unknown attribute 'colour'"));
	client_resolutions_free(r, 3);

	/* A vault the cache does not name: the list is fetched again (here: no server). */
	const char *nov[] = {"op://Nope/item/field"};
	assert_int_equal(client_resolve(&r, s, nov, 1, NULL, &st), SESAME_ENETWORK);
	assert_null(r);
	session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_vcache__session_file_round_trip),
		cmocka_unit_test(test_client_vcache__malformed),
		cmocka_unit_test(test_client_vcache__to_json),
		cmocka_unit_test(test_client_vcache__resolve_syntax_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
