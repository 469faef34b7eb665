/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "client/sessfile.h"
#include "client/vcache.h"
#include "crypto/aead.h"
#include "crypto/secmem.h"
#include "error.h"
#include "json.h"

static void wipe_json_string(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	if (s)
		sodium_memzero((char *)s, strlen(s));
}

int sessfile_seal(unsigned char **out, size_t *out_len, const unsigned char key[SESSFILE_KEYBYTES],
		  const session *s, bool insecure)
{
	unsigned char blob[KEYSET_ENCRYPTED_BYTES];
	size_t blen = 0, ml = strlen(SESSFILE_MAGIC), ct_len = 0;
	json_t *doc = NULL;
	char *pt = NULL;
	int rc;

	*out = NULL;
	*out_len = 0;
	const char *tok = api_session(s->api);
	if (!tok)
		return sesame_error_set(SESAME_EINVAL, "not_signed_in", "no session to store");
	rc = keyset_encrypt(blob, sizeof blob, &blen, s->ks, key);
	if (rc)
		return rc;
	doc = json_pack("{s:i,s:s,s:b,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}", "v", 1, "url",
			api_url(s->api), "insecure", insecure, "session", tok, "principal", "id",
			s->me.id, "account_id", s->me.account_id, "type", s->me.type, "email",
			s->me.email, "name", s->me.name, "state", s->me.state);
	if (!doc)
		return sesame_error_nomem();
	rc = api_set_b64(doc, "keyset", blob, blen);
	if (rc)
		goto out;
	if (s->vcache) {
		json_t *vaults = vcache_to_json(s->vcache);
		if (!vaults || json_object_set_new(doc, "vaults", vaults)) {
			rc = sesame_error_nomem();
			goto out;
		}
	}
	pt = sjson_dump(doc);
	if (!pt) {
		rc = sesame_error_nomem();
		goto out;
	}
	size_t pt_len = strlen(pt);
	*out = malloc(ml + pt_len + AEAD_OVERHEAD);
	if (!*out) {
		rc = sesame_error_nomem();
		goto out;
	}
	memcpy(*out, SESSFILE_MAGIC, ml);
	rc = aead_encrypt(*out + ml, pt_len + AEAD_OVERHEAD, &ct_len, (unsigned char *)pt, pt_len,
			  (const unsigned char *)SESSFILE_AD, strlen(SESSFILE_AD), key);
	if (rc) {
		free(*out);
		*out = NULL;
		goto out;
	}
	*out_len = ml + ct_len;
out:
	if (pt) {
		sodium_memzero(pt, strlen(pt));
		free(pt);
	}
	vcache_json_wipe(json_object_get(doc, "vaults"));
	wipe_json_string(doc, "session");
	wipe_json_string(doc, "keyset");
	json_decref(doc);
	sodium_memzero(blob, sizeof blob);
	return rc;
}

int sessfile_open(session **out, const unsigned char *data, size_t len,
		  const unsigned char key[SESSFILE_KEYBYTES])
{
	return sessfile_open_opts(out, data, len, key, NULL);
}

int sessfile_open_opts(session **out, const unsigned char *data, size_t len,
		       const unsigned char key[SESSFILE_KEYBYTES], const api_options *base)
{
	size_t ml = strlen(SESSFILE_MAGIC), pt_len = 0, blen = 0;
	unsigned char blob[KEYSET_ENCRYPTED_BYTES];
	char *pt = NULL;
	json_t *doc = NULL;
	keyset *ks = NULL;
	api *a = NULL;
	client_principal me;
	bool insecure = false;
	const char *url, *tok;
	char err[128];
	int rc, code = 0;

	*out = NULL;
	if (len < ml + AEAD_OVERHEAD || len > SESSFILE_MAX || memcmp(data, SESSFILE_MAGIC, ml) != 0)
		return sesame_error_set(SESAME_EINVAL, "invalid_session_file",
					"session file is not a sesame session");
	pt = secmem_alloc(len);
	if (!pt)
		return SESAME_ENOMEM;
	rc = aead_decrypt((unsigned char *)pt, len, &pt_len, data + ml, len - ml,
			  (const unsigned char *)SESSFILE_AD, strlen(SESSFILE_AD), key);
	if (rc) {
		rc = sesame_error_set(SESAME_EAUTH, "invalid_session",
				      "session file does not open with SESAME_SESSION; sign in "
				      "again");
		goto out;
	}
	sjson_limits lim = {SESSFILE_MAX, 4};
	doc = sjson_parse(pt, pt_len, &lim, &code, err, sizeof err);
	if (!doc || sjson_get_bool(doc, "insecure", &insecure) != 0) {
		rc = sesame_error_set(SESAME_EINVAL, "invalid_session_file",
				      "session file is malformed");
		goto out;
	}
	rc = api_get_str(doc, "url", &url);
	rc = rc ? rc : api_get_str(doc, "session", &tok);
	rc = rc ? rc : client_principal_from_json(&me, json_object_get(doc, "principal"));
	rc = rc ? rc : api_get_b64(doc, "keyset", blob, sizeof blob, 0, &blen);
	rc = rc ? rc : keyset_decrypt(&ks, blob, blen, key);
	if (rc)
		goto out;
	api_options o = base ? *base : (api_options){0};
	if (!o.url || !*o.url)
		o.url = url;
	o.insecure = o.insecure || insecure;
	rc = api_new(&a, &o);
	rc = rc ? rc : api_set_session(a, tok);
	if (rc)
		goto out;
	rc = session_new(out, a, ks, &me);
	a = NULL;
	ks = NULL;
	if (rc)
		goto out;
	(*out)->insecure = insecure;
	if (json_object_get(doc, "vaults")) {
		/* A cache that does not read is only a cache: start without it. */
		(*out)->vcache = vcache_from_json(json_object_get(doc, "vaults"));
		for (size_t i = 0; (*out)->vcache && i < (*out)->vcache->n; i++)
			if (keyring_add_vault((*out)->kr, (*out)->vcache->v[i].id,
					      (*out)->vcache->v[i].key) != 0)
				break;
	}
out:
	vcache_json_wipe(json_object_get(doc, "vaults"));
	wipe_json_string(doc, "session");
	wipe_json_string(doc, "keyset");
	json_decref(doc);
	sodium_memzero(blob, sizeof blob);
	secmem_free(pt);
	keyset_free(ks);
	api_free(a);
	return rc;
}

int sessfile_key_text(char out[SESSFILE_KEY_TEXT_SIZE], const unsigned char key[SESSFILE_KEYBYTES])
{
	return b64_encode(out, SESSFILE_KEY_TEXT_SIZE, key, SESSFILE_KEYBYTES, B64_URL_NOPAD);
}

int sessfile_key_parse(unsigned char key[SESSFILE_KEYBYTES], const char *text)
{
	size_t n = 0;
	if (!text || b64_decode(key, SESSFILE_KEYBYTES, &n, text, strlen(text), B64_URL_NOPAD) ||
	    n != SESSFILE_KEYBYTES) {
		sodium_memzero(key, SESSFILE_KEYBYTES);
		return sesame_error_set(SESAME_EINVAL, "invalid_session",
					"SESAME_SESSION is malformed; sign in again");
	}
	return 0;
}

int sessfile_name(char out[32], const unsigned char key[SESSFILE_KEYBYTES])
{
	unsigned char h[8];
	static const char hex[] = "0123456789abcdef";
	crypto_generichash(h, sizeof h, key, SESSFILE_KEYBYTES, NULL, 0);
	memcpy(out, "session-", 8);
	for (int i = 0; i < 8; i++) {
		out[8 + 2 * i] = hex[h[i] >> 4];
		out[9 + 2 * i] = hex[h[i] & 15];
	}
	out[24] = '\0';
	return 0;
}
