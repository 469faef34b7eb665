/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_PEOPLE_H
#define SESAME_LIB_CLIENT_PEOPLE_H

/*
 * People of an account (protocol section 7, "People and groups"): list,
 * find, invite, accept an invitation (the invitee's side: every key is
 * made here), confirm (an administrator seals the Team Members keyset to
 * the new person), suspend and reactivate.
 */

#include <jansson.h>
#include <stddef.h>

#include "client/account.h"
#include "client/session.h"

typedef struct {
	char id[ID_SIZE];
	char email[KDF2S_EMAIL_MAX + 1];
	char name[257];
	char state[24]; /* active | invited | pending | suspended */
	char type[24];	/* member | guest | service_account */
	char created_at[32];
	char updated_at[32];
	char last_auth_at[32]; /* "" when never */
} client_user;

/* Fills a user from the server's user object (or a group member row). */
int client_user_from_json(client_user *out, const json_t *obj);

/* GET /v1/users; *out is malloc'ed (free()). */
int people_list(client_user **out, size_t *n, session *s);

/* By id, else by email (ASCII case ignored), else by exact name. */
int people_find(client_user *out, session *s, const char *id_email_or_name);

/*
 * POST /v1/users/invite, then reads the new user back. *code is the
 * invitation code (secure memory, secmem_free()): shown once.
 */
int people_invite(client_user *out, char **code, session *s, const char *email, const char *name);

typedef struct {
	const char *account_id;
	const char *user_id;
	const char *invite_code; /* secret */
	const char *email;
	const char *password; /* secret, as typed */
	size_t password_len;
	kdf2s_params kdf;
} people_accept_input;

/*
 * The invitee's side: makes the Secret Key, the keyset, the sign-in key
 * and the Private vault, and posts POST /v1/users/accept through `a`
 * (no session). *out is the emergency kit (secure memory,
 * account_kit_free()), with the address filled in.
 */
int people_accept(account_kit **out, api *a, const people_accept_input *in);

/*
 * Confirms a pending person: seals the Team Members keyset (which the
 * caller must be able to open) to the person's box key. `u` is updated.
 */
int people_confirm(session *s, client_user *u);

/* POST /v1/users/{id}/suspend or /reactivate. `u` is updated. */
int people_suspend(session *s, client_user *u);
int people_reactivate(session *s, client_user *u);

/* The box public key of any principal (GET /v1/principals/{id}/keys). */
int principal_box_key(session *s, const char *principal_id, unsigned char pk[32]);

/* "active" -> "ACTIVE": op's enum style, as a JSON string. */
json_t *client_enum_json(const char *s);

/* op's user JSON: {id,name,email,type,state,created_at,updated_at,last_auth_at}. */
json_t *people_user_json(const client_user *u);

#endif
