/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "client/keyring.h"
#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "crypto/ids.h"
#include "crypto/seal.h"
#include "crypto/secmem.h"
#include "error.h"
#include "json.h"

#define KEYRING_MAX 4096

typedef struct {
	char id[ID_SIZE];
	unsigned char *key; /* secure memory */
} vault_entry;

typedef struct {
	char id[ID_SIZE];
	keyset *ks;
} group_entry;

struct keyring {
	const keyset *own;
	vault_entry *vaults;
	size_t nvaults;
	group_entry *groups;
	size_t ngroups;
	int groups_loaded;
	/*
	 * Readers (lookups) share, writers (adding a vault or group) exclude.
	 * Keys are never removed before keyring_free(), so a key pointer handed
	 * out stays valid after the lock is released (the SDK shares one
	 * keyring between threads).
	 */
	pthread_rwlock_t lock;
};

int keyring_new(keyring **out, const keyset *own)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return sesame_error_nomem();
	(*out)->own = own;
	if (pthread_rwlock_init(&(*out)->lock, NULL) != 0) {
		free(*out);
		*out = NULL;
		return sesame_error_nomem();
	}
	return 0;
}

void keyring_free(keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->nvaults; i++)
		secmem_free(kr->vaults[i].key);
	for (size_t i = 0; i < kr->ngroups; i++)
		keyset_free(kr->groups[i].ks);
	free(kr->vaults);
	free(kr->groups);
	pthread_rwlock_destroy(&kr->lock);
	free(kr);
}

int open_sealed_b64(unsigned char *out, size_t len, const char *b64, const keyset *ks)
{
	unsigned char box[SEAL_OVERHEAD + 256];
	size_t n = 0, got = 0;

	if (len > 256 || !b64 ||
	    b64_decode(box, sizeof box, &n, b64, strlen(b64), B64_URL_NOPAD) != 0 ||
	    n != len + SEAL_OVERHEAD)
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed sealed key");
	int rc = keyset_seal_open(out, len, &got, box, n, ks);
	if (rc == 0 && got != len)
		rc = sesame_error_set(SESAME_EDECRYPT, "decryption_failed",
				      "sealed key has the "
				      "wrong length");
	return rc;
}

int seal_to_json(json_t *obj, const char *key, const unsigned char *pt, size_t len,
		 const unsigned char pk[KEYSET_BOX_PUBLICKEYBYTES])
{
	unsigned char box[SEAL_OVERHEAD + 256];
	size_t n = 0;
	int rc;

	if (len > 256)
		return sesame_error_set(SESAME_ETOOBIG, NULL, "sealed value is too long");
	rc = seal_encrypt(box, sizeof box, &n, pt, len, pk);
	return rc ? rc : api_set_b64(obj, key, box, n);
}

static const keyset *group_locked(const keyring *kr, const char *group_id)
{
	for (size_t i = 0; i < kr->ngroups; i++)
		if (strcmp(kr->groups[i].id, group_id) == 0)
			return kr->groups[i].ks;
	return NULL;
}

const keyset *keyring_group(const keyring *kr, const char *group_id)
{
	pthread_rwlock_t *l = (pthread_rwlock_t *)&kr->lock;
	const keyset *ks;

	pthread_rwlock_rdlock(l);
	ks = group_locked(kr, group_id);
	pthread_rwlock_unlock(l);
	return ks;
}

int keyring_load_groups(keyring *kr, api *a)
{
	json_t *resp = NULL, *arr;
	unsigned char *seed = NULL;
	size_t i;
	json_t *g;
	int rc;

	pthread_rwlock_rdlock(&kr->lock);
	int loaded = kr->groups_loaded;
	pthread_rwlock_unlock(&kr->lock);
	if (loaded)
		return 0;
	rc = api_call(a, "GET", "/v1/me/groups", NULL, &resp);
	if (rc)
		return rc;
	arr = json_object_get(resp, "groups");
	if (!json_is_array(arr) || json_array_size(arr) > KEYRING_MAX) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "server answer lacks 'groups'");
		goto out;
	}
	seed = secmem_alloc(GROUP_SEED_BYTES);
	if (!seed) {
		rc = SESAME_ENOMEM;
		goto out;
	}
	json_array_foreach(arr, i, g)
	{
		const char *gid = json_string_value(json_object_get(g, "group_id"));
		const char *sealed = json_string_value(json_object_get(g, "sealed_keyset"));
		keyset *ks = NULL;
		if (!gid || !id_is_valid(gid) || !sealed) {
			rc = sesame_error_set(SESAME_EINVAL, "bad_response",
					      "malformed group in server answer");
			goto out;
		}
		if (keyring_group(kr, gid))
			continue;
		rc = open_sealed_b64(seed, GROUP_SEED_BYTES, sealed, kr->own);
		if (rc) {
			sesame_error_prefix("cannot open the keys of group '%s'", gid);
			goto out;
		}
		rc = keyset_from_seed(&ks, seed);
		if (rc)
			goto out;
		pthread_rwlock_wrlock(&kr->lock);
		if (group_locked(kr, gid)) {
			/* Another thread added it meanwhile. */
			pthread_rwlock_unlock(&kr->lock);
			keyset_free(ks);
			continue;
		}
		group_entry *ng = realloc(kr->groups, (kr->ngroups + 1) * sizeof *ng);
		if (!ng) {
			pthread_rwlock_unlock(&kr->lock);
			keyset_free(ks);
			rc = sesame_error_nomem();
			goto out;
		}
		kr->groups = ng;
		memcpy(ng[kr->ngroups].id, gid, ID_SIZE);
		ng[kr->ngroups++].ks = ks;
		pthread_rwlock_unlock(&kr->lock);
	}
	pthread_rwlock_wrlock(&kr->lock);
	kr->groups_loaded = 1;
	pthread_rwlock_unlock(&kr->lock);
out:
	secmem_free(seed);
	json_decref(resp);
	return rc;
}

static const unsigned char *vault_locked(const keyring *kr, const char *vault_id)
{
	for (size_t i = 0; i < kr->nvaults; i++)
		if (strcmp(kr->vaults[i].id, vault_id) == 0)
			return kr->vaults[i].key;
	return NULL;
}

const unsigned char *keyring_vault_key(const keyring *kr, const char *vault_id)
{
	pthread_rwlock_t *l = (pthread_rwlock_t *)&kr->lock;
	const unsigned char *key;

	pthread_rwlock_rdlock(l);
	key = vault_locked(kr, vault_id);
	pthread_rwlock_unlock(l);
	return key;
}

int keyring_add_vault(keyring *kr, const char *vault_id, const unsigned char key[VAULT_KEY_BYTES])
{
	unsigned char *copy;
	vault_entry *nv;

	if (!id_is_valid(vault_id))
		return sesame_error_set(SESAME_EINVAL, "invalid_id", "invalid vault id");
	if (keyring_vault_key(kr, vault_id))
		return 0;
	copy = secmem_alloc(VAULT_KEY_BYTES);
	if (!copy)
		return SESAME_ENOMEM;
	memcpy(copy, key, VAULT_KEY_BYTES);
	pthread_rwlock_wrlock(&kr->lock);
	if (vault_locked(kr, vault_id)) {
		pthread_rwlock_unlock(&kr->lock);
		secmem_free(copy);
		return 0;
	}
	if (kr->nvaults >= KEYRING_MAX) {
		pthread_rwlock_unlock(&kr->lock);
		secmem_free(copy);
		return sesame_error_set(SESAME_ETOOBIG, NULL, "too many vaults in the keyring");
	}
	nv = realloc(kr->vaults, (kr->nvaults + 1) * sizeof *nv);
	if (!nv) {
		pthread_rwlock_unlock(&kr->lock);
		secmem_free(copy);
		return sesame_error_nomem();
	}
	kr->vaults = nv;
	memcpy(nv[kr->nvaults].id, vault_id, ID_SIZE);
	nv[kr->nvaults++].key = copy;
	pthread_rwlock_unlock(&kr->lock);
	return 0;
}

int keyring_open_vault(keyring *kr, api *a, const json_t *vault, const unsigned char **key_out)
{
	const char *vid = json_string_value(json_object_get(vault, "id"));
	json_t *keys = json_object_get(vault, "keys"), *k;
	unsigned char *key = NULL;
	size_t i;
	int rc;

	*key_out = NULL;
	if (!vid || !id_is_valid(vid))
		return sesame_error_set(SESAME_EINVAL, "bad_response", "vault object lacks an id");
	if ((*key_out = keyring_vault_key(kr, vid)) != NULL)
		return 0;
	if (!json_is_array(keys))
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"vault '%s' has no 'keys' in the server answer", vid);
	key = secmem_alloc(VAULT_KEY_BYTES);
	if (!key)
		return SESAME_ENOMEM;
	rc = SESAME_EPERM;
	json_array_foreach(keys, i, k)
	{
		const char *via = json_string_value(json_object_get(k, "via"));
		const char *sealed = json_string_value(json_object_get(k, "sealed_key"));
		const keyset *ks = NULL;
		if (!via || !sealed)
			continue;
		if (strcmp(via, "direct") == 0) {
			ks = kr->own;
		} else if (strcmp(via, "group") == 0) {
			const char *gid = json_string_value(json_object_get(k, "group_id"));
			if (!gid)
				continue;
			if (!keyring_group(kr, gid) && a && keyring_load_groups(kr, a) != 0)
				continue;
			ks = keyring_group(kr, gid);
		}
		if (ks && open_sealed_b64(key, VAULT_KEY_BYTES, sealed, ks) == 0) {
			rc = 0;
			break;
		}
	}
	if (rc == 0)
		rc = keyring_add_vault(kr, vid, key);
	else
		rc = sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
				      "cannot open the key of vault '%s'", vid);
	secmem_free(key);
	if (rc == 0)
		*key_out = keyring_vault_key(kr, vid);
	return rc;
}

static int put_field(unsigned char *out, size_t cap, size_t *pos, const void *p, size_t len)
{
	if (len > 0xffffffffu || *pos + 4 + len > cap)
		return sesame_error_set(SESAME_EBUFSIZE, NULL, "associated data is too long");
	out[(*pos)++] = (unsigned char)(len >> 24);
	out[(*pos)++] = (unsigned char)(len >> 16);
	out[(*pos)++] = (unsigned char)(len >> 8);
	out[(*pos)++] = (unsigned char)len;
	memcpy(out + *pos, p, len);
	*pos += len;
	return 0;
}

int vault_attrs_ad(unsigned char *out, size_t cap, size_t *out_len, const char *account_id,
		   const char *vault_id, uint64_t attr_version)
{
	size_t pos = 0;
	int rc = put_field(out, cap, &pos, VAULT_ATTRS_AD_LABEL, strlen(VAULT_ATTRS_AD_LABEL));
	rc = rc ? rc : put_field(out, cap, &pos, account_id, strlen(account_id));
	rc = rc ? rc : put_field(out, cap, &pos, vault_id, strlen(vault_id));
	if (rc)
		return rc;
	if (pos + 8 > cap)
		return sesame_error_set(SESAME_EBUFSIZE, NULL, "associated data is too long");
	for (int i = 7; i >= 0; i--)
		out[pos++] = (unsigned char)(attr_version >> (8 * i));
	*out_len = pos;
	return 0;
}

int user_keyset_key(unsigned char out[AEAD_KEYBYTES], const unsigned char unlock[AEAD_KEYBYTES],
		    const char *account_id, const char *user_id)
{
	unsigned char info[256];
	size_t pos = 0;
	int rc = put_field(info, sizeof info, &pos, USER_KEYSET_AD_LABEL,
			   strlen(USER_KEYSET_AD_LABEL));
	rc = rc ? rc : put_field(info, sizeof info, &pos, account_id, strlen(account_id));
	rc = rc ? rc : put_field(info, sizeof info, &pos, user_id, strlen(user_id));
	rc = rc ? rc : hkdf_sha256(out, AEAD_KEYBYTES, NULL, 0, unlock, AEAD_KEYBYTES, info, pos);
	return rc;
}

int vault_attrs_encrypt(char **out, const unsigned char key[VAULT_KEY_BYTES],
			const char *account_id, const char *vault_id, uint64_t attr_version,
			const char *name, const char *description)
{
	unsigned char ad[256];
	size_t ad_len = 0, ct_len = 0;
	json_t *doc =
		json_pack("{s:s,s:s}", "name", name, "description", description ? description : "");
	char *pt = NULL;
	unsigned char *ct = NULL;
	int rc;

	*out = NULL;
	if (!doc)
		return sesame_error_set(SESAME_EINVAL, NULL, "vault name is not valid utf-8");
	pt = sjson_dump(doc);
	json_decref(doc);
	if (!pt)
		return sesame_error_nomem();
	size_t pt_len = strlen(pt);
	if (pt_len > VAULT_ATTRS_MAX) {
		rc = sesame_error_set(SESAME_ETOOBIG, NULL,
				      "vault name and description are too "
				      "long");
		goto out;
	}
	rc = vault_attrs_ad(ad, sizeof ad, &ad_len, account_id, vault_id, attr_version);
	if (rc)
		goto out;
	ct = malloc(pt_len + AEAD_OVERHEAD);
	if (!ct) {
		rc = sesame_error_nomem();
		goto out;
	}
	rc = aead_encrypt(ct, pt_len + AEAD_OVERHEAD, &ct_len, (unsigned char *)pt, pt_len, ad,
			  ad_len, key);
	if (rc)
		goto out;
	size_t cap = b64_encoded_size(ct_len, B64_URL_NOPAD);
	*out = malloc(cap);
	if (!*out) {
		rc = sesame_error_nomem();
		goto out;
	}
	rc = b64_encode(*out, cap, ct, ct_len, B64_URL_NOPAD);
out:
	secmem_wipe(pt, strlen(pt));
	free(pt);
	free(ct);
	if (rc && *out) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int vault_attrs_decrypt(char **name, char **description, const unsigned char key[VAULT_KEY_BYTES],
			const char *account_id, const char *vault_id, uint64_t attr_version,
			const char *b64)
{
	unsigned char ad[256];
	size_t ad_len = 0, ct_len = 0, pt_len = 0, tlen = strlen(b64);
	unsigned char *ct = NULL, *pt = NULL;
	json_t *doc = NULL;
	int rc, code = 0;
	char err[128];

	*name = *description = NULL;
	if (tlen > b64_encoded_size(VAULT_ATTRS_MAX + AEAD_OVERHEAD, B64_URL_NOPAD))
		return sesame_error_set(SESAME_ETOOBIG, "bad_response", "vault attributes too big");
	ct = malloc(b64_decoded_max(tlen) + 1);
	pt = malloc(b64_decoded_max(tlen) + 1);
	if (!ct || !pt) {
		rc = sesame_error_nomem();
		goto out;
	}
	if (b64_decode(ct, b64_decoded_max(tlen) + 1, &ct_len, b64, tlen, B64_URL_NOPAD) != 0 ||
	    ct_len < AEAD_OVERHEAD) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "vault '%s' has malformed attributes", vault_id);
		goto out;
	}
	rc = vault_attrs_ad(ad, sizeof ad, &ad_len, account_id, vault_id, attr_version);
	if (rc)
		goto out;
	rc = aead_decrypt(pt, ct_len, &pt_len, ct, ct_len, ad, ad_len, key);
	if (rc) {
		sesame_error_set(rc, "decryption_failed",
				 "cannot decrypt the attributes of vault '%s'", vault_id);
		goto out;
	}
	sjson_limits lim = {VAULT_ATTRS_MAX, 4};
	doc = sjson_parse((char *)pt, pt_len, &lim, &code, err, sizeof err);
	const char *n = doc ? json_string_value(json_object_get(doc, "name")) : NULL;
	const char *d = doc ? json_string_value(json_object_get(doc, "description")) : NULL;
	if (!n) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_vault_attrs",
				      "vault '%s' has malformed attributes", vault_id);
		goto out;
	}
	*name = strdup(n);
	*description = strdup(d ? d : "");
	if (!*name || !*description) {
		free(*name);
		free(*description);
		*name = *description = NULL;
		rc = sesame_error_nomem();
	}
out:
	json_decref(doc);
	free(ct);
	if (pt) {
		secmem_wipe(pt, pt_len);
		free(pt);
	}
	return rc;
}
