/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/account.h"
#include "client/keyring.h"
#include "crypto/keyset.h"
#include "crypto/secmem.h"
#include "error.h"

int client_kdf_params(kdf2s_params *out)
{
	const char *v = getenv("SESAME_KDF");

	out->opslimit = KDF2S_OPSLIMIT_DEFAULT;
	out->memlimit = KDF2S_MEMLIMIT_DEFAULT;
	if (!v || !*v || strcmp(v, "moderate") == 0)
		return 0;
	if (strcmp(v, "interactive") == 0) {
		out->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		out->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		return 0;
	}
	return sesame_error_set(SESAME_EINVAL, "invalid_kdf",
				"SESAME_KDF '%s' is not 'interactive' or 'moderate'", v);
}

void account_kit_free(account_kit *kit)
{
	secmem_free(kit);
}

static int add_keys(json_t *obj, const keyset *ks)
{
	char box[KEYSET_PUBLIC_B64_SIZE], sign[KEYSET_PUBLIC_B64_SIZE];
	int rc = keyset_box_public_b64(box, sizeof box, ks);
	rc = rc ? rc : keyset_sign_public_b64(sign, sizeof sign, ks);
	if (rc)
		return rc;
	if (json_object_set_new(obj, "box_public_key", json_string(box)) ||
	    json_object_set_new(obj, "sign_public_key", json_string(sign)))
		return sesame_error_nomem();
	return 0;
}

static json_t *access_row(const char *pid, const unsigned char *vault_key, const unsigned char *pk,
			  long long perms, int *rc)
{
	json_t *row = json_pack("{s:s}", "principal_id", pid);
	if (!row) {
		*rc = sesame_error_nomem();
		return NULL;
	}
	*rc = seal_to_json(row, "sealed_key", vault_key, VAULT_KEY_BYTES, pk);
	if (!*rc && json_object_set_new(row, "permissions", json_integer(perms)))
		*rc = sesame_error_nomem();
	if (*rc) {
		json_decref(row);
		return NULL;
	}
	return row;
}

int account_build_payload(json_t **out, account_kit **kit_out, const account_create_input *in)
{
	static const struct {
		const char *type, *name;
	} groups[3] = {{"owners", "Owners"},
		       {"administrators", "Administrators"},
		       {"team_members", "Team Members"}};
	char account_id[ID_SIZE], user_id[ID_SIZE], gids[3][ID_SIZE], vids[2][ID_SIZE];
	unsigned char salt[KDF2S_SALTBYTES];
	unsigned char *secrets =
		NULL; /* unlock | auth seed | wrap | 3 group seeds | 2 vault keys */
	char *sk = NULL;
	account_kit *kit = NULL;
	keyset *owner = NULL, *signer = NULL, *gks[3] = {NULL, NULL, NULL};
	json_t *doc = NULL, *jowner, *jgroups, *jvaults;
	char *attrs = NULL;
	int rc;

	*out = NULL;
	*kit_out = NULL;
	if (!in->email || !*in->email || strlen(in->email) > KDF2S_EMAIL_MAX)
		return sesame_error_set(SESAME_EINVAL, "invalid_email",
					"email is empty or too long");
	secrets = secmem_calloc(32 * 8);
	sk = secmem_calloc(SECRET_KEY_CANONICAL_SIZE);
	kit = secmem_calloc(sizeof *kit);
	if (!secrets || !sk || !kit) {
		rc = SESAME_ENOMEM;
		goto out;
	}
	unsigned char *unlock = secrets, *seed = secrets + 32, *wrap = secrets + 64;
	unsigned char *gseed = secrets + 96, *vkey = secrets + 192;

	id_new(account_id);
	id_new(user_id);
	randombytes_buf(salt, sizeof salt);
	rc = secret_key_generate(sk, account_id);
	rc = rc ? rc : keyset_new(&owner);
	if (rc)
		goto out;
	kdf2s_input kin = {in->password, in->password_len, sk, salt, in->email, account_id};
	rc = kdf2s_derive(unlock, seed, &kin, &in->kdf);
	rc = rc ? rc : keyset_from_seed(&signer, seed);
	rc = rc ? rc : user_keyset_key(wrap, unlock, account_id, user_id);
	if (rc)
		goto out;

	unsigned char blob[KEYSET_ENCRYPTED_BYTES];
	size_t blen = 0;
	rc = keyset_encrypt(blob, sizeof blob, &blen, owner, wrap);
	if (rc)
		goto out;
	doc = json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:{s:I,s:I}},s:[],s:[]}", "account_id", account_id,
			"name", in->account_name ? in->account_name : "", "owner", "user_id",
			user_id, "email", in->email, "name", in->user_name ? in->user_name : "",
			"kdf", "ops", (json_int_t)in->kdf.opslimit, "mem",
			(json_int_t)in->kdf.memlimit, "groups", "vaults");
	if (!doc) {
		rc = sesame_error_set(SESAME_EINVAL, NULL,
				      "account, user name or email is not "
				      "valid utf-8");
		goto out;
	}
	jowner = json_object_get(doc, "owner");
	jgroups = json_object_get(doc, "groups");
	jvaults = json_object_get(doc, "vaults");
	char signpk[KEYSET_PUBLIC_B64_SIZE];
	rc = api_set_b64(jowner, "salt", salt, sizeof salt);
	rc = rc ? rc : keyset_sign_public_b64(signpk, sizeof signpk, signer);
	if (!rc && json_object_set_new(jowner, "signin_public_key", json_string(signpk)))
		rc = sesame_error_nomem();
	rc = rc ? rc : add_keys(jowner, owner);
	rc = rc ? rc : api_set_b64(jowner, "encrypted_keyset", blob, blen);
	for (int i = 0; !rc && i < 3; i++) {
		id_new(gids[i]);
		randombytes_buf(gseed + 32 * i, 32);
		rc = keyset_from_seed(&gks[i], gseed + 32 * i);
		json_t *g = rc ? NULL
			       : json_pack("{s:s,s:s,s:s}", "group_id", gids[i], "type",
					   groups[i].type, "name", groups[i].name);
		if (!rc && (!g || json_array_append_new(jgroups, g)))
			rc = sesame_error_nomem();
		rc = rc ? rc : add_keys(g, gks[i]);
		rc = rc ? rc
			: seal_to_json(g, "sealed_keyset", gseed + 32 * i, GROUP_SEED_BYTES,
				       keyset_box_public_key(owner));
	}
	for (int v = 0; !rc && v < 2; v++) {
		unsigned char *key = vkey + 32 * v;
		id_new(vids[v]);
		randombytes_buf(key, 32);
		rc = vault_attrs_encrypt(&attrs, key, account_id, vids[v], 1,
					 v == 0 ? "Private" : "Shared",
					 v == 0 ? "Your private vault" : "Shared with everyone");
		if (rc)
			break;
		json_t *jv = json_pack("{s:s,s:s,s:s,s:[]}", "vault_id", vids[v], "type",
				       v == 0 ? "personal" : "everyone", "encrypted_attrs", attrs,
				       "access");
		free(attrs);
		attrs = NULL;
		if (!jv || json_array_append_new(jvaults, jv)) {
			rc = sesame_error_nomem();
			break;
		}
		json_t *acc = json_object_get(jv, "access");
		json_t *row;
		if (v == 0) {
			row = access_row(user_id, key, keyset_box_public_key(owner), PERM_ALL, &rc);
			if (row)
				json_array_append_new(acc, row);
			continue;
		}
		for (int i = 0; !rc && i < 3; i++) {
			row = access_row(gids[i], key, keyset_box_public_key(gks[i]),
					 i == 2 ? PERM_ALL_BUT_MANAGE : PERM_ALL, &rc);
			if (row)
				json_array_append_new(acc, row);
		}
	}
	if (rc)
		goto out;
	memcpy(kit->email, in->email, strlen(in->email) + 1);
	memcpy(kit->account_id, account_id, ID_SIZE);
	memcpy(kit->user_id, user_id, ID_SIZE);
	rc = secret_key_format(kit->secret_key, sk);
	if (rc)
		goto out;
	*out = doc;
	doc = NULL;
	*kit_out = kit;
	kit = NULL;
out:
	json_decref(doc);
	free(attrs);
	for (int i = 0; i < 3; i++)
		keyset_free(gks[i]);
	keyset_free(owner);
	keyset_free(signer);
	secmem_free(secrets);
	secmem_free(sk);
	secmem_free(kit);
	return rc;
}

int account_create(account_kit **out, api *a, const account_create_input *in)
{
	json_t *body = NULL, *resp = NULL;
	account_kit *kit = NULL;
	const char *aid;
	int rc;

	*out = NULL;
	rc = account_build_payload(&body, &kit, in);
	rc = rc ? rc : api_call(a, "POST", "/v1/accounts", body, &resp);
	if (rc)
		goto out;
	rc = api_get_str(resp, "account_id", &aid);
	if (!rc && strcmp(aid, kit->account_id) != 0)
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "server answered with another account id");
	if (rc)
		goto out;
	size_t n = strlen(api_url(a));
	memcpy(kit->address, api_url(a), n + 1);
	*out = kit;
	kit = NULL;
out:
	json_decref(body);
	json_decref(resp);
	account_kit_free(kit);
	return rc;
}
