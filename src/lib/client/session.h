/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_SESSION_H
#define SESAME_LIB_CLIENT_SESSION_H

/*
 * A signed-in principal: the API connection (with its session token), the
 * principal's opened keyset and its keyring. Sign-in per protocol section
 * 3: challenge -> (users) two-secret derivation -> Ed25519 signature over
 * "sesame signin v1" | challenge bytes | principal id -> signin -> (users)
 * unwrap the private keyset. The session owns everything it points to.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/api.h"
#include "client/keyring.h"
#include "crypto/ids.h"
#include "crypto/kdf2s.h"
#include "crypto/keyset.h"

#define SIGNIN_LABEL  "sesame signin v1"
#define CHALLENGE_MAX 256

typedef struct {
	char id[ID_SIZE];
	char account_id[ID_SIZE];
	char type[24]; /* "user" | "service_account" */
	char email[KDF2S_EMAIL_MAX + 1];
	char name[256];
	char state[24];
} client_principal;

typedef struct {
	api *api;    /* owned */
	keyset *ks;  /* owned */
	keyring *kr; /* owned */
	client_principal me;
	bool insecure; /* the api was opened with the insecure option */
	struct vcache *vcache; /* owned: cached vault list (client/vcache.h), NULL until filled */
} session;

/* Wraps an api and keyset already at hand (both owned from now on, even on failure). */
int session_new(session **out, api *a, keyset *ks, const client_principal *me);
void session_free(session *s);

typedef struct {
	const char *account_id;
	const char *email;
	const char *password; /* as typed */
	size_t password_len;
	const char *secret_key; /* as typed or pasted */
} signin_user_input;

/* Signs a user in; `a` becomes the session's (freed on failure too). */
int session_signin_user(session **out, api *a, const signin_user_input *in);

/*
 * Signs a service account in with its token text. `a` NULL: a connection
 * to the token's server URL is made with `opts` (its url ignored).
 */
int session_signin_sa(session **out, const char *token, const api_options *opts);

/* GET /v1/whoami; *out is the answer (caller decrefs). */
int session_whoami(session *s, json_t **out);

/* POST /v1/auth/signout and forget the token. */
int session_signout(session *s);

/* Fills a principal from a JSON object {"id","type","account_id","email","name","state"}. */
int client_principal_from_json(client_principal *out, const json_t *obj);

/* The message a principal signs: label | challenge | principal id. */
int signin_message(unsigned char *out, size_t cap, size_t *out_len, const unsigned char *challenge,
		   size_t challenge_len, const char *principal_id);

#endif
