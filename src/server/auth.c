/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authentication: server keys, challenges, signatures, sessions, the
 * sign-out deny list and the failed sign-in limit (auth.h says what each
 * is; docs/internals/server.md says why).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "authz.h"
#include "b64.h"
#include "error.h"
#include "log.h"

#define KEYS_MAGIC     "SESAMEK1"
#define KEYS_MAGIC_LEN 8
#define KEY_BYTES      32
#define LIMIT_SLOTS    1024 /* client addresses tracked for failed sign-ins */

#define CHALLENGE_LABEL "sesame challenge v1"
#define SESSION_LABEL	"sesame session v1"
#define PROBE_LABEL	"sesame unknown email v1"

struct deny_entry {
	unsigned char mac[32];
	long long expires;
};

struct limit_slot {
	char client[48];
	long long minute;
	int failures;
	int bearer_failures; /* requests with a bad session token */
};

struct auth {
	/* challenge key || session key || probe key, in guarded memory. */
	unsigned char *keys;
	unsigned char shorthash_key[crypto_shorthash_KEYBYTES];

	pthread_mutex_t lock; /* guards deny and limits */
	struct deny_entry *deny;
	size_t ndeny, capdeny;
	struct limit_slot limits[LIMIT_SLOTS];
};

#define CHALLENGE_KEY(a) ((a)->keys)
#define SESSION_KEY(a)	 ((a)->keys + KEY_BYTES)
#define PROBE_KEY(a)	 ((a)->keys + 2 * KEY_BYTES)

/* ---- keys ---- */

static int auth_alloc(struct auth **out)
{
	struct auth *a = calloc(1, sizeof *a);

	*out = NULL;
	if (!a)
		return sesame_error_nomem();
	a->keys = sodium_malloc(3 * KEY_BYTES);
	if (!a->keys) {
		free(a);
		return sesame_error_nomem();
	}
	randombytes_buf(a->shorthash_key, sizeof a->shorthash_key);
	pthread_mutex_init(&a->lock, NULL);
	*out = a;
	return 0;
}

int auth_open_with_keys(struct auth **out, const unsigned char keys[96])
{
	int rc = auth_alloc(out);
	if (rc)
		return rc;
	memcpy((*out)->keys, keys, 3 * KEY_BYTES);
	sodium_mprotect_readonly((*out)->keys);
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Creates the keys file with O_EXCL; EEXIST means another start made it first. */
static int create_keys_file(const char *path, struct auth *a)
{
	unsigned char buf[KEYS_MAGIC_LEN + 3 * KEY_BYTES];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc = 0;

	if (fd < 0)
		return errno == EEXIST ? 1
				       : sesame_error_set(SESAME_EIO, "keys_file",
							  "cannot create key file '%s': %s", path,
							  strerror(errno));
	memcpy(buf, KEYS_MAGIC, KEYS_MAGIC_LEN);
	randombytes_buf(a->keys, 3 * KEY_BYTES);
	memcpy(buf + KEYS_MAGIC_LEN, a->keys, 3 * KEY_BYTES);
	if (write_all(fd, buf, sizeof buf) != 0 || fsync(fd) != 0) {
		rc = sesame_error_set(SESAME_EIO, "keys_file", "cannot write key file '%s': %s",
				      path, strerror(errno));
		unlink(path);
	}
	close(fd);
	sodium_memzero(buf, sizeof buf);
	if (!rc)
		log_info("server_keys_created", LOG_STR("path", path), );
	return rc;
}

static int read_keys_file(const char *path, struct auth *a)
{
	unsigned char buf[KEYS_MAGIC_LEN + 3 * KEY_BYTES + 1];
	struct stat sb;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc = 0;

	if (fd < 0)
		return sesame_error_set(SESAME_EIO, "keys_file", "cannot open key file '%s': %s",
					path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return sesame_error_set(SESAME_EIO, "keys_file", "key file '%s' is not a file",
					path);
	}
	if (sb.st_mode & 077) {
		/* Whoever could read it can mint sessions: say so loudly, then fix it. */
		log_warn("server_keys_open_to_others", LOG_STR("path", path),
			 LOG_INT("old_mode", sb.st_mode & 0777), );
		if (fchmod(fd, 0600) != 0)
			log_warn("server_keys_chmod_failed", LOG_STR("path", path), );
	}
	while (got < sizeof buf) {
		ssize_t n = read(fd, buf + got, sizeof buf - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != KEYS_MAGIC_LEN + 3 * KEY_BYTES || memcmp(buf, KEYS_MAGIC, KEYS_MAGIC_LEN) != 0)
		rc = sesame_error_set(SESAME_EINVAL, "keys_file",
				      "key file '%s' is damaged (wrong size or format)", path);
	else
		memcpy(a->keys, buf + KEYS_MAGIC_LEN, 3 * KEY_BYTES);
	sodium_memzero(buf, sizeof buf);
	return rc;
}

int auth_open(struct auth **out, const char *data_dir)
{
	char path[PATH_MAX];
	struct auth *a;
	int rc;

	*out = NULL;
	if (snprintf(path, sizeof path, "%s/%s", data_dir, AUTH_KEYS_FILE) >= (int)sizeof path)
		return sesame_error_set(SESAME_EINVAL, NULL, "data directory path is too long");
	rc = auth_alloc(&a);
	if (rc)
		return rc;
	rc = create_keys_file(path, a);
	if (rc == 1)
		rc = read_keys_file(path, a);
	if (rc) {
		auth_close(a);
		return rc;
	}
	sodium_mprotect_readonly(a->keys);
	*out = a;
	return 0;
}

void auth_close(struct auth *a)
{
	if (!a)
		return;
	sodium_free(a->keys);
	free(a->deny);
	pthread_mutex_destroy(&a->lock);
	sodium_memzero(a, sizeof *a);
	free(a);
}

/* ---- challenges ---- */

static void put_be64(unsigned char *p, long long v)
{
	unsigned long long u = (unsigned long long)v;
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
}

static long long get_be64(const unsigned char *p)
{
	unsigned long long u = 0;
	for (int i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (long long)u;
}

static void challenge_mac(const struct auth *a, const unsigned char head[24],
			  const char *principal_id, unsigned char mac[32])
{
	crypto_auth_hmacsha256_state h;
	crypto_auth_hmacsha256_init(&h, CHALLENGE_KEY(a), KEY_BYTES);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)CHALLENGE_LABEL,
				      sizeof CHALLENGE_LABEL);
	crypto_auth_hmacsha256_update(&h, head, 24);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)principal_id,
				      strlen(principal_id));
	crypto_auth_hmacsha256_final(&h, mac);
	sodium_memzero(&h, sizeof h);
}

void auth_challenge_new(const struct auth *a, unsigned char out[AUTH_CHALLENGE_BYTES],
			const char *principal_id, long long now)
{
	put_be64(out, now + AUTH_CHALLENGE_TTL);
	randombytes_buf(out + 8, 16);
	challenge_mac(a, out, principal_id, out + 24);
}

int auth_challenge_check(const struct auth *a, const unsigned char *c, size_t len,
			 const char *principal_id, long long now)
{
	unsigned char mac[32];
	int ok;

	if (len != AUTH_CHALLENGE_BYTES)
		return sesame_error_set(SESAME_EAUTH, "unauthenticated", "sign-in failed");
	challenge_mac(a, c, principal_id, mac);
	ok = crypto_verify_32(mac, c + 24) == 0;
	sodium_memzero(mac, sizeof mac);
	if (!ok || get_be64(c) < now || get_be64(c) > now + AUTH_CHALLENGE_TTL)
		return sesame_error_set(SESAME_EAUTH, "unauthenticated", "sign-in failed");
	return 0;
}

int auth_signature_check(const unsigned char *sig, size_t sig_len, const unsigned char *challenge,
			 size_t challenge_len, const char *principal_id, const unsigned char pk[32])
{
	unsigned char msg[sizeof AUTH_SIGNIN_LABEL + AUTH_CHALLENGE_BYTES + STORE_ID_SIZE];
	size_t l = sizeof AUTH_SIGNIN_LABEL - 1, p = strlen(principal_id);

	if (sig_len != crypto_sign_BYTES || challenge_len != AUTH_CHALLENGE_BYTES ||
	    p >= STORE_ID_SIZE)
		return sesame_error_set(SESAME_EAUTH, "unauthenticated", "sign-in failed");
	memcpy(msg, AUTH_SIGNIN_LABEL, l);
	memcpy(msg + l, challenge, challenge_len);
	memcpy(msg + l + challenge_len, principal_id, p);
	if (crypto_sign_verify_detached(sig, msg, l + challenge_len + p, pk) != 0)
		return sesame_error_set(SESAME_EAUTH, "unauthenticated", "sign-in failed");
	return 0;
}

void auth_fake_principal(const struct auth *a, const char *account_id, const char *email,
			 char id[STORE_ID_SIZE], unsigned char salt[STORE_SALT_BYTES])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	crypto_auth_hmacsha256_state h;
	unsigned char mac[32], mac2[32];
	unsigned char zero = 0;

	crypto_auth_hmacsha256_init(&h, PROBE_KEY(a), KEY_BYTES);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)PROBE_LABEL, sizeof PROBE_LABEL);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)account_id, strlen(account_id));
	crypto_auth_hmacsha256_update(&h, &zero, 1);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)email, strlen(email));
	crypto_auth_hmacsha256_final(&h, mac);
	/* A second block for the id, so salt and id share no bytes. */
	crypto_auth_hmacsha256(mac2, mac, sizeof mac, PROBE_KEY(a));
	memcpy(salt, mac, STORE_SALT_BYTES);
	for (int i = 0; i < 26; i++)
		id[i] = alphabet[mac2[i] % 36];
	id[26] = '\0';
	sodium_memzero(&h, sizeof h);
	sodium_memzero(mac, sizeof mac);
	sodium_memzero(mac2, sizeof mac2);
}

/* ---- sessions ---- */

static void session_mac(const struct auth *a, const unsigned char *raw, size_t len,
			unsigned char mac[32])
{
	crypto_auth_hmacsha256_state h;
	crypto_auth_hmacsha256_init(&h, SESSION_KEY(a), KEY_BYTES);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)SESSION_LABEL,
				      sizeof SESSION_LABEL);
	crypto_auth_hmacsha256_update(&h, raw, len);
	crypto_auth_hmacsha256_final(&h, mac);
	sodium_memzero(&h, sizeof h);
}

static bool id_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

int auth_session_mint(const struct auth *a, struct session_claims *c, char *out, size_t cap)
{
	unsigned char raw[AUTH_SESSION_RAW_BYTES];
	size_t plen = sizeof AUTH_SESSION_PREFIX - 1;
	int rc;

	if (strlen(c->principal_id) != 26 || strlen(c->account_id) != 26 || cap < plen + 1)
		return sesame_error_set(SESAME_EINVAL, NULL, "cannot mint a session: bad claims");
	memcpy(raw, c->principal_id, 26);
	memcpy(raw + 26, c->account_id, 26);
	put_be64(raw + 52, c->generation);
	put_be64(raw + 60, c->expires);
	raw[68] = (unsigned char)c->type;
	randombytes_buf(c->nonce, sizeof c->nonce);
	memcpy(raw + 69, c->nonce, sizeof c->nonce);
	session_mac(a, raw, AUTH_SESSION_SIGNED, c->mac);
	memcpy(raw + AUTH_SESSION_SIGNED, c->mac, 32);
	memcpy(out, AUTH_SESSION_PREFIX, plen);
	rc = b64_encode(out + plen, cap - plen, raw, sizeof raw, B64_URL_NOPAD);
	sodium_memzero(raw, sizeof raw);
	return rc;
}

int auth_session_parse(const struct auth *a, const char *token, struct session_claims *out,
		       long long now)
{
	unsigned char raw[AUTH_SESSION_RAW_BYTES + 4], mac[32];
	size_t plen = sizeof AUTH_SESSION_PREFIX - 1, len = 0, tlen;
	int ok;

	memset(out, 0, sizeof *out);
	tlen = strnlen(token, AUTH_SESSION_TOKEN_SIZE);
	if (tlen >= AUTH_SESSION_TOKEN_SIZE || strncmp(token, AUTH_SESSION_PREFIX, plen) != 0 ||
	    b64_decode(raw, sizeof raw, &len, token + plen, tlen - plen, B64_URL_NOPAD) != 0 ||
	    len != AUTH_SESSION_RAW_BYTES)
		return sesame_error_set(SESAME_EAUTH, "unauthenticated", "invalid session token");
	session_mac(a, raw, AUTH_SESSION_SIGNED, mac);
	ok = crypto_verify_32(mac, raw + AUTH_SESSION_SIGNED) == 0;
	sodium_memzero(mac, sizeof mac);
	if (!ok || !id_ok((const char *)raw, 52) ||
	    (raw[68] != AUTH_TYPE_USER && raw[68] != AUTH_TYPE_SERVICE_ACCOUNT)) {
		sodium_memzero(raw, sizeof raw);
		return sesame_error_set(SESAME_EAUTH, "unauthenticated", "invalid session token");
	}
	memcpy(out->principal_id, raw, 26);
	memcpy(out->account_id, raw + 26, 26);
	out->generation = get_be64(raw + 52);
	out->expires = get_be64(raw + 60);
	out->type = (char)raw[68];
	memcpy(out->nonce, raw + 69, sizeof out->nonce);
	memcpy(out->mac, raw + AUTH_SESSION_SIGNED, 32);
	sodium_memzero(raw, sizeof raw);
	if (out->expires <= now)
		return sesame_error_set(SESAME_ETOKEN_EXPIRED, "session_expired",
					"session expired; sign in again");
	return 0;
}

/* Drops expired entries. Caller holds the lock. */
static void deny_prune(struct auth *a, long long now)
{
	size_t w = 0;
	for (size_t r = 0; r < a->ndeny; r++)
		if (a->deny[r].expires > now)
			a->deny[w++] = a->deny[r];
	a->ndeny = w;
}

int auth_session_deny(struct auth *a, const unsigned char mac[32], long long expires, long long now)
{
	int rc = 0;

	pthread_mutex_lock(&a->lock);
	if (a->ndeny == a->capdeny)
		deny_prune(a, now);
	if (a->ndeny == a->capdeny) {
		size_t cap = a->capdeny ? a->capdeny * 2 : 64;
		struct deny_entry *d =
			cap <= AUTH_DENY_MAX ? realloc(a->deny, cap * sizeof *d) : NULL;
		if (!d) {
			rc = sesame_error_set(SESAME_ENOMEM, "out_of_memory",
					      "too many signed-out sessions; retry later");
			goto out;
		}
		a->deny = d;
		a->capdeny = cap;
	}
	memcpy(a->deny[a->ndeny].mac, mac, 32);
	a->deny[a->ndeny].expires = expires;
	a->ndeny++;
out:
	pthread_mutex_unlock(&a->lock);
	return rc;
}

bool auth_session_denied(struct auth *a, const unsigned char mac[32], long long now)
{
	bool hit = false;

	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->ndeny && !hit; i++)
		hit = a->deny[i].expires > now && sodium_memcmp(a->deny[i].mac, mac, 32) == 0;
	pthread_mutex_unlock(&a->lock);
	return hit;
}

/* ---- failed sign-ins ---- */

static struct limit_slot *limit_slot(struct auth *a, const char *client)
{
	unsigned char h[crypto_shorthash_BYTES];
	unsigned long long idx = 0;

	crypto_shorthash(h, (const unsigned char *)client, strlen(client), a->shorthash_key);
	for (int i = 0; i < 8; i++)
		idx = (idx << 8) | h[i];
	return &a->limits[idx % LIMIT_SLOTS];
}

bool auth_signin_limited(struct auth *a, const char *client, long long now, long long *retry_after)
{
	bool limited;

	pthread_mutex_lock(&a->lock);
	struct limit_slot *s = limit_slot(a, client);
	limited = strcmp(s->client, client) == 0 && s->minute == now / 60 &&
		  s->failures >= AUTH_SIGNIN_FAILURES;
	pthread_mutex_unlock(&a->lock);
	if (limited)
		*retry_after = 60 - now % 60;
	return limited;
}

void auth_signin_failed(struct auth *a, const char *client, long long now)
{
	pthread_mutex_lock(&a->lock);
	struct limit_slot *s = limit_slot(a, client);
	if (strcmp(s->client, client) != 0 || s->minute != now / 60) {
		/* A new minute, or another address in this slot: start over. */
		snprintf(s->client, sizeof s->client, "%s", client);
		s->minute = now / 60;
		s->failures = 0;
		s->bearer_failures = 0;
	}
	s->failures++;
	pthread_mutex_unlock(&a->lock);
}

/* ---- failed bearer tokens (any route) ---- */

bool auth_bearer_limited(struct auth *a, const char *client, long long now, long long *retry_after)
{
	bool limited;

	pthread_mutex_lock(&a->lock);
	struct limit_slot *s = limit_slot(a, client);
	limited = strcmp(s->client, client) == 0 && s->minute == now / 60 &&
		  s->bearer_failures >= AUTH_BEARER_FAILURES;
	pthread_mutex_unlock(&a->lock);
	if (limited)
		*retry_after = 60 - now % 60;
	return limited;
}

void auth_bearer_failed(struct auth *a, const char *client, long long now)
{
	pthread_mutex_lock(&a->lock);
	struct limit_slot *s = limit_slot(a, client);
	if (strcmp(s->client, client) != 0 || s->minute != now / 60) {
		snprintf(s->client, sizeof s->client, "%s", client);
		s->minute = now / 60;
		s->failures = 0;
		s->bearer_failures = 0;
	}
	s->bearer_failures++;
	pthread_mutex_unlock(&a->lock);
}

/* ---- the check before every handler ---- */

static int unauthenticated(struct http_reply *out, int status, const char *code, const char *msg)
{
	*out = reply_error(status, code, "%s", msg);
	return -1;
}

/*
 * A request whose token failed: counted against its client address, never
 * against an account. Past AUTH_BEARER_FAILURES in the minute, the address
 * gets 429 instead of 401 until the minute ends; a valid token from the
 * same address is still served.
 */
static int bearer_failed(struct auth *a, const struct http_request *req, long long now,
			 struct http_reply *out, const char *code, const char *msg)
{
	const char *client = req->client ? req->client : "-";
	long long retry;

	if (auth_bearer_limited(a, client, now, &retry)) {
		*out = reply_error(429, "rate_limited",
				   "too many requests with a bad session token from this address; "
				   "retry in %lld seconds",
				   retry);
		out->retry_after = retry;
		return -1;
	}
	auth_bearer_failed(a, client, now);
	return unauthenticated(out, 401, code, msg);
}

int auth_request(struct auth *a, struct store *st, struct http_request *req, enum route_auth rule,
		 struct http_reply *out, long long now)
{
	static const char bearer[] = "Bearer ";
	const char *h = http_request_header(req, "Authorization");
	struct session_claims c;
	struct principal_auth p;
	struct request_caller *who = &req->caller;
	int rc;

	memset(who, 0, sizeof *who);
	if (!h || strncasecmp(h, bearer, sizeof bearer - 1) != 0)
		return bearer_failed(a, req, now, out, "unauthenticated",
				     "missing 'Authorization: Bearer' session token");
	h += sizeof bearer - 1;
	while (*h == ' ')
		h++;
	rc = auth_session_parse(a, h, &c, now);
	if (rc) {
		const sesame_error *e = sesame_error_last();
		char code[32], msg[REPLY_MESSAGE_MAX];
		snprintf(code, sizeof code, "%s", e->kind);
		snprintf(msg, sizeof msg, "%s", e->message);
		return bearer_failed(a, req, now, out, code, msg);
	}
	if (auth_session_denied(a, c.mac, now))
		return bearer_failed(a, req, now, out, "session_revoked",
				     "session was signed out; sign in again");
	rc = store_call(st, principal_auth, c.principal_id, &p);
	if (rc == SESAME_ENOTFOUND)
		return bearer_failed(a, req, now, out, "session_revoked",
				     "session was revoked; sign in again");
	if (rc) {
		*out = reply_from_error();
		return -1;
	}
	if (strcmp(p.account_id, c.account_id) != 0 ||
	    strcmp(p.type, c.type == AUTH_TYPE_USER ? "user" : "service_account") != 0)
		return unauthenticated(out, 401, "unauthenticated", "invalid session token");
	/* Service accounts: expiry and revocation have their own answers (authz.c). */
	bool sa_can_create_vaults = false;
	if (c.type == AUTH_TYPE_SERVICE_ACCOUNT &&
	    authz_sa_session(st, c.principal_id, now, &sa_can_create_vaults, out) != 0) {
		/* An expired or revoked token in a retry loop: the address pays. */
		if (out->status == 401) {
			char code[32], msg[REPLY_MESSAGE_MAX];
			const json_t *e = json_object_get(out->json, "error");
			const char *ec = json_string_value(json_object_get(e, "code"));
			const char *em = json_string_value(json_object_get(e, "message"));
			snprintf(code, sizeof code, "%s", ec ? ec : "unauthenticated");
			snprintf(msg, sizeof msg, "%s", em ? em : "");
			reply_free(out);
			return bearer_failed(a, req, now, out, code, msg);
		}
		return -1;
	}
	if (strcmp(p.state, "suspended") == 0)
		return bearer_failed(a, req, now, out, "account_suspended",
				     "this account is suspended");
	if (strcmp(p.state, "active") != 0 || p.generation != c.generation)
		return bearer_failed(a, req, now, out, "session_revoked",
				     "session was revoked; sign in again");

	who->authenticated = true;
	memcpy(who->id, c.principal_id, sizeof who->id);
	memcpy(who->account_id, c.account_id, sizeof who->account_id);
	snprintf(who->type, sizeof who->type, "%s", p.type);
	who->admin = p.admin;
	who->owner = p.owner;
	who->generation = c.generation;
	who->expires = c.expires;
	memcpy(who->mac, c.mac, sizeof who->mac);
	who->can_create_vaults = sa_can_create_vaults;

	if (rule == ROUTE_AUTH_USER && strcmp(p.type, "user") != 0)
		return unauthenticated(out, 403, "forbidden", "only people may do this");
	if (rule == ROUTE_AUTH_ADMIN && !p.admin)
		return unauthenticated(out, 403, "forbidden",
				       "only owners and administrators may do this");

	/* Sliding sessions for people: late in its life, a session is renewed. */
	if (c.type == AUTH_TYPE_USER && c.expires - now < AUTH_SESSION_REFRESH) {
		struct session_claims fresh = c;
		fresh.expires = now + AUTH_SESSION_USER_TTL;
		if (auth_session_mint(a, &fresh, req->refreshed, sizeof req->refreshed) != 0)
			req->refreshed[0] = '\0';
		sodium_memzero(&fresh, sizeof fresh);
	}
	sodium_memzero(&c, sizeof c);
	return 0;
}
