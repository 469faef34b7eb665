/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "client/keyring.h"
#include "client/vaults.h"
#include "client/vcache.h"
#include "crypto/secmem.h"
#include "error.h"
#include "sesame/errors.h"

void vcache_free(vcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		secmem_free(c->v[i].key);
	}
	free(c->v);
	free(c);
}

void vcache_drop(session *s)
{
	vcache_free(s->vcache);
	s->vcache = NULL;
}

static int add(vcache *c, const char *id, const char *name, const unsigned char *key)
{
	vcache_vault *e = &c->v[c->n];
	memcpy(e->id, id, ID_SIZE);
	e->name = strdup(name);
	e->key = secmem_alloc(VAULT_KEY_BYTES);
	if (!e->name || !e->key) {
		free(e->name);
		secmem_free(e->key);
		return sesame_error_nomem();
	}
	memcpy(e->key, key, VAULT_KEY_BYTES);
	c->n++;
	return 0;
}

int vcache_fill(session *s)
{
	client_vault *list = NULL;
	size_t n = 0;
	vcache *c;
	int rc;

	rc = vaults_list(&list, &n, s);
	if (rc)
		return rc;
	c = calloc(1, sizeof *c);
	if (!c || !(c->v = calloc(n + 1, sizeof *c->v))) {
		free(c);
		client_vaults_free(list, n);
		return sesame_error_nomem();
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const unsigned char *key = keyring_vault_key(s->kr, list[i].id);
		if (key)
			rc = add(c, list[i].id, list[i].name ? list[i].name : "", key);
	}
	client_vaults_free(list, n);
	if (rc) {
		vcache_free(c);
		return rc;
	}
	c->dirty = true;
	vcache_free(s->vcache);
	s->vcache = c;
	return 0;
}

json_t *vcache_to_json(const vcache *c)
{
	json_t *arr = json_array();
	char key[64];

	for (size_t i = 0; arr && c && i < c->n; i++) {
		if (b64_encode(key, sizeof key, c->v[i].key, VAULT_KEY_BYTES, B64_URL_NOPAD) ||
		    json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", c->v[i].id, "name",
							 c->v[i].name, "key", key))) {
			vcache_json_wipe(arr);
			json_decref(arr);
			arr = NULL;
		}
	}
	secmem_wipe(key, sizeof key);
	return arr;
}

void vcache_json_wipe(json_t *arr)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
	{
		const char *k = json_string_value(json_object_get(e, "key"));
		if (k)
			secmem_wipe((char *)k, strlen(k));
	}
}

vcache *vcache_from_json(const json_t *arr)
{
	unsigned char key[VAULT_KEY_BYTES];
	size_t i, klen = 0;
	json_t *e;
	vcache *c;

	if (!json_is_array(arr) || json_array_size(arr) > VCACHE_MAX)
		return NULL;
	c = calloc(1, sizeof *c);
	if (!c || !(c->v = calloc(json_array_size(arr) + 1, sizeof *c->v))) {
		free(c);
		return NULL;
	}
	json_array_foreach(arr, i, e)
	{
		const char *id = json_string_value(json_object_get(e, "id"));
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *k = json_string_value(json_object_get(e, "key"));
		if (!id || !id_is_valid(id) || !name || !k ||
		    b64_decode(key, sizeof key, &klen, k, strlen(k), B64_URL_NOPAD) ||
		    klen != VAULT_KEY_BYTES || add(c, id, name, key)) {
			vcache_free(c);
			c = NULL;
			break;
		}
	}
	secmem_wipe(key, sizeof key);
	return c;
}
