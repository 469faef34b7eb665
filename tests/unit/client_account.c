/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Account creation payload (protocol section 7): exact keys, every private
 * key absent, and everything the owner needs opens with the password and
 * the Secret Key. Plus the item upload body.
 */
#include "test.h"

#include <sodium.h>

#include "b64.h"
#include "client/account.h"
#include "client/items.h"
#include "client/keyring.h"
#include "crypto/aead.h"
#include "crypto/seal.h"
#include "json.h"
#include "sesame/errors.h"

static const char *const top_keys[] = {"account_id", "name", "owner", "groups", "vaults", NULL};
static const char *const owner_keys[] = {"user_id",
					 "email",
					 "name",
					 "salt",
					 "kdf",
					 "signin_public_key",
					 "box_public_key",
					 "sign_public_key",
					 "encrypted_keyset",
					 NULL};
static const char *const group_keys[] = {
	"group_id", "type", "name", "box_public_key", "sign_public_key", "sealed_keyset", NULL};
static const char *const vault_keys[] = {"vault_id", "type", "encrypted_attrs", "access", NULL};
static const char *const access_keys[] = {"principal_id", "sealed_key", "permissions", NULL};

static void exact_keys(const json_t *o, const char *const *keys)
{
	size_t n = 0;
	assert_null(sjson_unknown_key(o, keys));
	while (keys[n])
		assert_non_null(json_object_get(o, keys[n++]));
	assert_int_equal(json_object_size(o), n);
}

static size_t unb64(unsigned char *out, size_t cap, const json_t *o, const char *key)
{
	size_t n = 0;
	const char *s = json_string_value(json_object_get(o, key));
	assert_non_null(s);
	assert_int_equal(b64_decode(out, cap, &n, s, strlen(s), B64_URL_NOPAD), 0);
	return n;
}

static void test_client_account__payload(void **state)
{
	json_t *doc = NULL;
	account_kit *kit = NULL;
	const char *pw = "correct horse battery staple";
	account_create_input in = {"Acme",     "Ann@Example.com",
				   "Ann",      pw,
				   strlen(pw), {KDF2S_OPSLIMIT_MIN, KDF2S_MEMLIMIT_MIN}};
	(void)state;

	assert_int_equal(account_build_payload(&doc, &kit, &in), 0);
	exact_keys(doc, top_keys);
	const char *aid = json_string_value(json_object_get(doc, "account_id"));
	assert_string_equal(aid, kit->account_id);
	json_t *owner = json_object_get(doc, "owner");
	exact_keys(owner, owner_keys);
	assert_string_equal(json_string_value(json_object_get(owner, "user_id")), kit->user_id);
	json_t *groups = json_object_get(doc, "groups");
	json_t *vaults = json_object_get(doc, "vaults");
	assert_int_equal(json_array_size(groups), 3);
	assert_int_equal(json_array_size(vaults), 2);

	/* No secret in the text: password, Secret Key (either form). */
	char *text = sjson_dump(doc);
	char canon[SECRET_KEY_CANONICAL_SIZE];
	assert_int_equal(secret_key_parse(canon, kit->secret_key, strlen(kit->secret_key)), 0);
	assert_null(strstr(text, pw));
	assert_null(strstr(text, canon));
	assert_null(strstr(text, kit->secret_key));
	assert_null(strstr(text, "private"));
	assert_null(strstr(text, "secret_key"));

	/* The owner's keyset opens with password + Secret Key, and matches the public keys. */
	unsigned char salt[16], keys[64], wrap[32], blob[KEYSET_ENCRYPTED_BYTES];
	assert_int_equal(unb64(salt, sizeof salt, owner, "salt"), 16);
	kdf2s_input kin = {pw, strlen(pw), canon, salt, in.email, aid};
	assert_int_equal(kdf2s_derive(keys, keys + 32, &kin, &in.kdf), 0);
	assert_int_equal(user_keyset_key(wrap, keys, aid, kit->user_id), 0);
	size_t blen = unb64(blob, sizeof blob, owner, "encrypted_keyset");
	keyset *ks = NULL, *signer = NULL;
	assert_int_equal(keyset_decrypt(&ks, blob, blen, wrap), 0);
	/* The keyset is bound to this user: another user id gives another key. */
	unsigned char wrap2[32];
	keyset *ks2 = NULL;
	assert_int_equal(user_keyset_key(wrap2, keys, aid, "zzzzzzzzzzzzzzzzzzzzzzzzzz"), 0);
	assert_int_equal(keyset_decrypt(&ks2, blob, blen, wrap2), SESAME_EDECRYPT);
	unsigned char pk[32];
	unb64(pk, sizeof pk, owner, "box_public_key");
	assert_memory_equal(pk, keyset_box_public_key(ks), 32);
	assert_int_equal(keyset_from_seed(&signer, keys + 32), 0);
	unb64(pk, sizeof pk, owner, "signin_public_key");
	assert_memory_equal(pk, keyset_sign_public_key(signer), 32);
	/* The private halves never appear, in any encoding we use. */
	char b64sk[64];
	assert_int_equal(
		b64_encode(b64sk, sizeof b64sk, keyset_box_secret_key(ks), 32, B64_URL_NOPAD), 0);
	assert_null(strstr(text, b64sk));
	assert_int_equal(b64_encode(b64sk, sizeof b64sk, keys + 32, 32, B64_URL_NOPAD), 0);
	assert_null(strstr(text, b64sk));

	/* Group keysets: sealed seeds that open with the owner's keyset. */
	keyset *gks[3] = {NULL, NULL, NULL};
	const char *types[] = {"owners", "administrators", "team_members"};
	for (size_t i = 0; i < 3; i++) {
		json_t *g = json_array_get(groups, i);
		unsigned char seed[32];
		exact_keys(g, group_keys);
		assert_string_equal(json_string_value(json_object_get(g, "type")), types[i]);
		assert_int_equal(
			open_sealed_b64(seed, 32,
					json_string_value(json_object_get(g, "sealed_keyset")), ks),
			0);
		assert_int_equal(b64_encode(b64sk, sizeof b64sk, seed, 32, B64_URL_NOPAD), 0);
		assert_null(strstr(text, b64sk));
		assert_int_equal(keyset_from_seed(&gks[i], seed), 0);
		unb64(pk, sizeof pk, g, "box_public_key");
		assert_memory_equal(pk, keyset_box_public_key(gks[i]), 32);
	}

	/* Vaults: Private (owner only), Shared (the three groups); attrs decrypt. */
	const char *names[] = {"Private", "Shared"};
	for (size_t v = 0; v < 2; v++) {
		json_t *jv = json_array_get(vaults, v);
		exact_keys(jv, vault_keys);
		json_t *acc = json_object_get(jv, "access");
		assert_int_equal(json_array_size(acc), v == 0 ? 1 : 3);
		unsigned char vkey[32];
		for (size_t i = 0; i < json_array_size(acc); i++) {
			json_t *row = json_array_get(acc, i);
			exact_keys(row, access_keys);
			const keyset *opener = v == 0 ? ks : gks[i];
			assert_int_equal(open_sealed_b64(vkey, 32,
							 json_string_value(json_object_get(
								 row, "sealed_key")),
							 opener),
					 0);
		}
		assert_int_equal(b64_encode(b64sk, sizeof b64sk, vkey, 32, B64_URL_NOPAD), 0);
		assert_null(strstr(text, b64sk));
		char *name = NULL, *desc = NULL;
		const char *vid = json_string_value(json_object_get(jv, "vault_id"));
		const char *attrs = json_string_value(json_object_get(jv, "encrypted_attrs"));
		assert_int_equal(vault_attrs_decrypt(&name, &desc, vkey, aid, vid, 1, attrs), 0);
		assert_string_equal(name, names[v]);
		free(name);
		free(desc);
		/* Bound to its attribute version. */
		assert_int_equal(vault_attrs_decrypt(&name, &desc, vkey, aid, vid, 2, attrs),
				 SESAME_EDECRYPT);
	}
	assert_null(strstr(text, "Private"));
	for (size_t i = 0; i < 3; i++)
		keyset_free(gks[i]);
	keyset_free(ks);
	keyset_free(signer);
	free(text);
	json_decref(doc);
	account_kit_free(kit);
}

static void test_client_account__kdf_env(void **state)
{
	kdf2s_params p;
	(void)state;
	unsetenv("SESAME_KDF");
	assert_int_equal(client_kdf_params(&p), 0);
	assert_int_equal(p.opslimit, KDF2S_OPSLIMIT_DEFAULT);
	setenv("SESAME_KDF", "interactive", 1);
	assert_int_equal(client_kdf_params(&p), 0);
	assert_int_equal(p.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
	setenv("SESAME_KDF", "fast", 1);
	assert_int_equal(client_kdf_params(&p), SESAME_EINVAL);
	unsetenv("SESAME_KDF");
}

static void test_client_account__item_body(void **state)
{
	unsigned char vkey[32];
	item *it = item_new();
	json_t *body = NULL;
	const char *acct = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
	(void)state;

	randombytes_buf(vkey, sizeof vkey);
	memcpy(it->id, "iiiiiiiiiiiiiiiiiiiiiiiiii", 27);
	memcpy(it->vault_id, "vvvvvvvvvvvvvvvvvvvvvvvvvv", 27);
	it->title = strdup("Secret Title");
	it->tags = calloc(2, sizeof *it->tags);
	it->tags[0] = strdup("alpha");
	it->tags[1] = strdup("beta");
	it->ntags = 2;
	assert_int_equal(items_build_body(&body, acct, vkey, it, 4), 0);
	char *text = sjson_dump(body);
	assert_null(strstr(text, "Secret Title"));
	assert_null(strstr(text, "alpha"));
	assert_int_equal(json_integer_value(json_object_get(body, "version")), 4);
	assert_int_equal(json_array_size(json_object_get(body, "tag_indexes")), 2);
	assert_int_equal(strlen(json_string_value(json_object_get(body, "title_index"))), 43);

	char *pt = NULL;
	size_t len = 0;
	const char *details = json_string_value(json_object_get(body, "details"));
	assert_int_equal(items_decrypt_blob(&pt, &len, acct, it->vault_id, it->id, 4, "details",
					    vkey, details),
			 0);
	assert_non_null(strstr(pt, "Secret Title"));
	free(pt);
	/* Another version, purpose or item: refused. */
	assert_int_equal(items_decrypt_blob(&pt, &len, acct, it->vault_id, it->id, 3, "details",
					    vkey, details),
			 SESAME_EDECRYPT);
	assert_int_equal(items_decrypt_blob(&pt, &len, acct, it->vault_id, it->id, 4, "overview",
					    vkey, details),
			 SESAME_EDECRYPT);
	free(text);
	json_decref(body);
	item_free(it);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_account__payload),
		cmocka_unit_test(test_client_account__kdf_env),
		cmocka_unit_test(test_client_account__item_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
