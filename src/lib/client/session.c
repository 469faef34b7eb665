/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/session.h"
#include "client/vcache.h"
#include "crypto/secmem.h"
#include "crypto/secret_key.h"
#include "error.h"
#include "json.h"
#include "token/sa_token.h"

int session_new(session **out, api *a, keyset *ks, const client_principal *me)
{
	session *s = calloc(1, sizeof *s);
	int rc;

	*out = NULL;
	if (!s) {
		api_free(a);
		keyset_free(ks);
		return sesame_error_nomem();
	}
	s->api = a;
	s->ks = ks;
	s->me = *me;
	rc = keyring_new(&s->kr, ks);
	if (rc) {
		session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void session_free(session *s)
{
	if (!s)
		return;
	vcache_free(s->vcache);
	keyring_free(s->kr);
	keyset_free(s->ks);
	api_free(s->api);
	free(s);
}

static int copy_str(char *dst, size_t cap, const json_t *obj, const char *key, bool required)
{
	const char *v = json_string_value(json_object_get(obj, key));
	if (!v) {
		dst[0] = '\0';
		return required ? sesame_error_set(SESAME_EINVAL, "bad_response",
						   "principal lacks '%s'", key)
				: 0;
	}
	if (strlen(v) >= cap)
		return sesame_error_set(SESAME_EINVAL, "bad_response", "principal '%s' is too long",
					key);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int client_principal_from_json(client_principal *out, const json_t *obj)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (!json_is_object(obj))
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"server answer lacks the "
					"principal");
	rc = copy_str(out->id, sizeof out->id, obj, "id", true);
	rc = rc ? rc : copy_str(out->account_id, sizeof out->account_id, obj, "account_id", true);
	rc = rc ? rc : copy_str(out->type, sizeof out->type, obj, "type", true);
	rc = rc ? rc : copy_str(out->email, sizeof out->email, obj, "email", false);
	rc = rc ? rc : copy_str(out->name, sizeof out->name, obj, "name", false);
	rc = rc ? rc : copy_str(out->state, sizeof out->state, obj, "state", false);
	if (rc == 0 && (!id_is_valid(out->id) || !id_is_valid(out->account_id)))
		rc = sesame_error_set(SESAME_EINVAL, "bad_response",
				      "principal has a malformed id");
	return rc;
}

int signin_message(unsigned char *out, size_t cap, size_t *out_len, const unsigned char *challenge,
		   size_t challenge_len, const char *principal_id)
{
	size_t l = strlen(SIGNIN_LABEL), p = strlen(principal_id);
	if (l + challenge_len + p > cap)
		return sesame_error_set(SESAME_EBUFSIZE, NULL, "challenge is too long");
	memcpy(out, SIGNIN_LABEL, l);
	memcpy(out + l, challenge, challenge_len);
	memcpy(out + l + challenge_len, principal_id, p);
	*out_len = l + challenge_len + p;
	return 0;
}

/* Signs the challenge and posts /v1/auth/signin; *resp is the answer. */
static int sign_and_post(api *a, const json_t *chal, const char *principal_id, const keyset *signer,
			 json_t **resp)
{
	unsigned char challenge[CHALLENGE_MAX], msg[CHALLENGE_MAX + 64 + ID_SIZE];
	unsigned char sig[KEYSET_SIGNATUREBYTES];
	size_t clen = 0, mlen = 0;
	const char *ctext;
	json_t *body = NULL;
	int rc;

	*resp = NULL;
	rc = api_get_str(chal, "challenge", &ctext);
	rc = rc ? rc : api_get_b64(chal, "challenge", challenge, sizeof challenge, 0, &clen);
	rc = rc ? rc : signin_message(msg, sizeof msg, &mlen, challenge, clen, principal_id);
	rc = rc ? rc : keyset_sign(sig, msg, mlen, signer);
	if (rc)
		return rc;
	body = json_pack("{s:s,s:s}", "principal_id", principal_id, "challenge", ctext);
	if (!body)
		return sesame_error_nomem();
	rc = api_set_b64(body, "signature", sig, sizeof sig);
	rc = rc ? rc : api_call(a, "POST", "/v1/auth/signin", body, resp);
	json_decref(body);
	return rc;
}

/* Takes the session token out of a signin answer and wipes it there. */
static int take_session(api *a, json_t *resp)
{
	json_t *t = json_object_get(resp, "session");
	const char *tok = json_string_value(t);
	int rc;

	if (!tok)
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"signin answer lacks "
					"'session'");
	rc = api_set_session(a, tok);
	sodium_memzero((char *)tok, strlen(tok));
	return rc;
}

static int check_public_keys(const json_t *resp, const keyset *ks)
{
	unsigned char box[32], sign[32];
	int rc = api_get_b64(resp, "box_public_key", box, sizeof box, sizeof box, NULL);
	rc = rc ? rc : api_get_b64(resp, "sign_public_key", sign, sizeof sign, sizeof sign, NULL);
	if (rc)
		return rc;
	if (sodium_memcmp(box, keyset_box_public_key(ks), 32) != 0 ||
	    sodium_memcmp(sign, keyset_sign_public_key(ks), 32) != 0)
		return sesame_error_set(SESAME_EAUTH, "keyset_mismatch",
					"the server's public keys do not match this keyset");
	return 0;
}

int session_signin_user(session **out, api *a, const signin_user_input *in)
{
	unsigned char salt[KDF2S_SALTBYTES];
	unsigned char *keys = NULL; /* unlock(32) | auth seed(32) | wrap(32) */
	char *sk = NULL;
	keyset *signer = NULL, *ks = NULL;
	json_t *chal = NULL, *resp = NULL, *body = NULL;
	client_principal me;
	const char *pid;
	long long ops = 0, mem = 0;
	int rc;

	*out = NULL;
	if (!in->account_id || !id_is_valid(in->account_id)) {
		rc = sesame_error_set(SESAME_EINVAL, "invalid_account",
				      "account id '%s' is not valid",
				      in->account_id ? in->account_id : "");
		goto out;
	}
	keys = secmem_calloc(96);
	sk = secmem_calloc(SECRET_KEY_CANONICAL_SIZE);
	if (!keys || !sk) {
		rc = SESAME_ENOMEM;
		goto out;
	}
	rc = secret_key_parse(sk, in->secret_key, strlen(in->secret_key));
	rc = rc ? rc : secret_key_check_account(sk, in->account_id);
	if (rc)
		goto out;

	body = json_pack("{s:s,s:s}", "account_id", in->account_id, "email", in->email);
	if (!body) {
		rc = sesame_error_set(SESAME_EINVAL, NULL, "email is not valid utf-8");
		goto out;
	}
	rc = api_call(a, "POST", "/v1/auth/challenge", body, &chal);
	if (rc)
		goto out;
	rc = api_get_str(chal, "principal_id", &pid);
	rc = rc ? rc : api_get_b64(chal, "salt", salt, sizeof salt, sizeof salt, NULL);
	if (rc)
		goto out;
	json_t *kdf = json_object_get(chal, "kdf");
	if (sjson_get_int(kdf, "ops", &ops) || sjson_get_int(kdf, "mem", &mem) || ops <= 0 ||
	    mem <= 0 || !id_is_valid(pid)) {
		rc = sesame_error_set(SESAME_EINVAL, "bad_response", "malformed challenge answer");
		goto out;
	}
	kdf2s_params params = {(unsigned long long)ops, (size_t)mem};
	kdf2s_input kin = {in->password, in->password_len, sk, salt, in->email, in->account_id};
	rc = kdf2s_derive(keys, keys + 32, &kin, &params);
	if (rc)
		goto out;
	unsigned char *seed = keys + 32;
	rc = keyset_from_seed(&signer, seed);
	rc = rc ? rc : sign_and_post(a, chal, pid, signer, &resp);
	if (rc) {
		if (rc == SESAME_EAUTH)
			sesame_error_set(rc, sesame_error_last()->kind,
					 "sign-in failed: check the email, password and "
					 "secret key");
		goto out;
	}
	rc = take_session(a, resp);
	rc = rc ? rc : client_principal_from_json(&me, json_object_get(resp, "principal"));
	if (rc)
		goto out;
	unsigned char blob[KEYSET_ENCRYPTED_BYTES];
	size_t blen = 0;
	rc = api_get_b64(resp, "encrypted_keyset", blob, sizeof blob, KEYSET_ENCRYPTED_BYTES,
			 &blen);
	rc = rc ? rc : user_keyset_key(keys + 64, keys, me.account_id, me.id);
	if (rc)
		goto out;
	rc = keyset_decrypt(&ks, blob, blen, keys + 64);
	if (rc) {
		sesame_error_prefix("cannot unlock the keyset of '%s'", in->email);
		goto out;
	}
	rc = check_public_keys(resp, ks);
	if (rc)
		goto out;
	rc = session_new(out, a, ks, &me);
	a = NULL;
	ks = NULL;
out:
	json_decref(body);
	json_decref(chal);
	json_decref(resp);
	keyset_free(signer);
	keyset_free(ks);
	secmem_free(keys);
	secmem_free(sk);
	api_free(a);
	return rc;
}

int session_signin_sa(session **out, const char *token, const api_options *opts)
{
	sa_token *t = NULL;
	keyset *ks = NULL;
	api *a = NULL;
	json_t *body = NULL, *chal = NULL, *resp = NULL;
	client_principal me;
	int rc;

	*out = NULL;
	rc = sa_token_decode(&t, token);
	if (rc)
		return rc;
	api_options o = opts ? *opts : (api_options){0};
	o.url = t->server_url;
	rc = api_new(&a, &o);
	rc = rc ? rc : keyset_from_seed(&ks, t->seed);
	if (rc)
		goto out;
	body = json_pack("{s:s,s:s}", "account_id", t->account_id, "principal_id", t->sa_id);
	if (!body) {
		rc = sesame_error_nomem();
		goto out;
	}
	rc = api_call(a, "POST", "/v1/auth/challenge", body, &chal);
	rc = rc ? rc : sign_and_post(a, chal, t->sa_id, ks, &resp);
	rc = rc ? rc : take_session(a, resp);
	rc = rc ? rc : client_principal_from_json(&me, json_object_get(resp, "principal"));
	rc = rc ? rc : check_public_keys(resp, ks);
	if (rc)
		goto out;
	rc = session_new(out, a, ks, &me);
	a = NULL;
	ks = NULL;
out:
	json_decref(body);
	json_decref(chal);
	json_decref(resp);
	keyset_free(ks);
	api_free(a);
	sa_token_free(t);
	return rc;
}

int session_whoami(session *s, json_t **out)
{
	return api_call(s->api, "GET", "/v1/whoami", NULL, out);
}

int session_signout(session *s)
{
	int rc = api_call(s->api, "POST", "/v1/auth/signout", NULL, NULL);
	api_set_session(s->api, NULL);
	return rc;
}
