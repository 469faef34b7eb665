/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_AUTH_H
#define SESAME_SERVER_AUTH_H

/*
 * Authentication, all of it (docs/protocol.md section 3,
 * docs/internals/server.md "Authentication"):
 * - the server's secrets (challenge key, session key, probe key) in a 0600
 *   file of the data directory, never in the database, so a copy of the
 *   database cannot mint a session;
 * - stateless sign-in challenges (60 s) bound to the principal they were
 *   asked for;
 * - session tokens: "sesame_ses_" + b64u(principal id (26) || account id
 *   (26) || generation (8, big-endian) || expires (8) || type (1) ||
 *   nonce (16) || HMAC-SHA256 (32)), checked on every request with the
 *   principal's current generation and state;
 * - the sign-out deny list and the per-address limit on failed sign-ins;
 * - the deterministic fake salt for unknown emails.
 *
 * The server never holds a secret of a user: it verifies Ed25519
 * signatures against stored public keys.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router.h"
#include "store.h"

#define AUTH_KEYS_FILE		"server.keys"
#define AUTH_CHALLENGE_TTL	60   /* seconds a challenge is valid */
#define AUTH_SESSION_USER_TTL	1800 /* 30 minutes, sliding */
#define AUTH_SESSION_SA_TTL	3600 /* 1 hour */
#define AUTH_SESSION_REFRESH	600  /* a user's request in the last 10 minutes gets a new token */
#define AUTH_SIGNIN_FAILURES	10   /* failed sign-ins per client address per minute */
#define AUTH_BEARER_FAILURES	30   /* requests with a bad session token per address per minute */
#define AUTH_SESSION_PREFIX	"sesame_ses_"
#define AUTH_SIGNIN_LABEL	"sesame signin v1"
#define AUTH_CHALLENGE_BYTES	(8 + 16 + 32)
#define AUTH_SESSION_RAW_BYTES	(26 + 26 + 8 + 8 + 1 + 16 + 32)
#define AUTH_SESSION_SIGNED	(26 + 26 + 8 + 8 + 1 + 16) /* what the MAC covers */
#define AUTH_SESSION_TOKEN_SIZE 192    /* prefix (11) + 156 characters + NUL, rounded up */
#define AUTH_DENY_MAX		100000 /* signed-out sessions remembered at once */

#define AUTH_TYPE_USER		  'u'
#define AUTH_TYPE_SERVICE_ACCOUNT 's'

struct auth;

/* What a session token says. */
struct session_claims {
	char principal_id[STORE_ID_SIZE];
	char account_id[STORE_ID_SIZE];
	long long generation;
	long long expires;	 /* Unix seconds */
	char type;		 /* AUTH_TYPE_USER or AUTH_TYPE_SERVICE_ACCOUNT */
	unsigned char nonce[16]; /* random: two sessions never share a MAC */
	unsigned char mac[32];
};

/*
 * Loads the server's keys from <data_dir>/server.keys, creating the file
 * (0600, random keys) when it does not exist. A file open to others is
 * tightened with a warning; a file of the wrong size is refused.
 */
int auth_open(struct auth **out, const char *data_dir);
/* For tests: keys given (96 bytes: challenge, session, probe). */
int auth_open_with_keys(struct auth **out, const unsigned char keys[96]);
void auth_close(struct auth *a);

/* ---- challenges ---- */

/* expiry (8) || random (16) || MAC over both and the principal id. */
void auth_challenge_new(const struct auth *a, unsigned char out[AUTH_CHALLENGE_BYTES],
			const char *principal_id, long long now);
/* 0, or SESAME_EAUTH for a forged, foreign or expired challenge. */
int auth_challenge_check(const struct auth *a, const unsigned char *c, size_t len,
			 const char *principal_id, long long now);

/*
 * Verifies the sign-in signature: Ed25519 over AUTH_SIGNIN_LABEL ||
 * challenge || principal id. 0 or SESAME_EAUTH.
 */
int auth_signature_check(const unsigned char *sig, size_t sig_len, const unsigned char *challenge,
			 size_t challenge_len, const char *principal_id,
			 const unsigned char pk[32]);

/* What an unknown email gets, so that its absence cannot be probed. */
void auth_fake_principal(const struct auth *a, const char *account_id, const char *email,
			 char id[STORE_ID_SIZE], unsigned char salt[STORE_SALT_BYTES]);

/* ---- sessions ---- */

/* Draws c->nonce, fills c->mac and writes the token (AUTH_SESSION_TOKEN_SIZE bytes) into out. */
int auth_session_mint(const struct auth *a, struct session_claims *c, char *out, size_t cap);
/*
 * Checks the token's form and MAC, then its expiry. SESAME_EAUTH
 * (kind "unauthenticated") for anything malformed or forged,
 * SESAME_ETOKEN_EXPIRED (kind "session_expired") after its expiry.
 */
int auth_session_parse(const struct auth *a, const char *token, struct session_claims *out,
		       long long now);
/* Sign-out: the MAC is refused until `expires`. */
int auth_session_deny(struct auth *a, const unsigned char mac[32], long long expires,
		      long long now);
bool auth_session_denied(struct auth *a, const unsigned char mac[32], long long now);

/* ---- failed sign-ins per client address ---- */

/* True when `client` may not try now; *retry_after is then in seconds. */
bool auth_signin_limited(struct auth *a, const char *client, long long now, long long *retry_after);
void auth_signin_failed(struct auth *a, const char *client, long long now);

/*
 * Requests with a missing, forged, expired or revoked session token, per
 * client address (their own counter): they never reach an account's budget.
 */
bool auth_bearer_limited(struct auth *a, const char *client, long long now, long long *retry_after);
void auth_bearer_failed(struct auth *a, const char *client, long long now);

/* ---- the check before every handler ---- */

/*
 * Authenticates a request for a route's auth rule: the bearer session,
 * its MAC and expiry, the deny list, the principal's current generation
 * and state, then the rule (user: a person; admin: an owner or
 * administrator). Fills req->caller (and req->refreshed for a sliding
 * session). Returns 0, or -1 with the error reply in *out.
 */
int auth_request(struct auth *a, struct store *st, struct http_request *req, enum route_auth rule,
		 struct http_reply *out, long long now);

#endif
