/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authentication without a socket: session tokens (mint, verify, tamper,
 * expiry, generation, deny list), challenges, signatures, the fake salt,
 * the failed sign-in limit, the key file, and the central request check
 * against a fake store.
 */
#include "test.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/server/router.c"
#include "../../src/server/auth.c"

static const char PID[] = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char AID[] = "bbbbbbbbbbbbbbbbbbbbbbbbbb";

static struct auth *test_auth(unsigned char fill)
{
	unsigned char keys[96];
	struct auth *a = NULL;
	memset(keys, fill, sizeof keys);
	assert_int_equal(auth_open_with_keys(&a, keys), 0);
	return a;
}

static struct session_claims claims(long long gen, long long expires, char type)
{
	struct session_claims c;
	memset(&c, 0, sizeof c);
	memcpy(c.principal_id, PID, sizeof c.principal_id);
	memcpy(c.account_id, AID, sizeof c.account_id);
	c.generation = gen;
	c.expires = expires;
	c.type = type;
	return c;
}

static void test_server_auth__token_roundtrip(void **state)
{
	struct auth *a = test_auth(1);
	struct session_claims c = claims(7, 2000, AUTH_TYPE_USER), out;
	char tok[AUTH_SESSION_TOKEN_SIZE], tok2[AUTH_SESSION_TOKEN_SIZE];
	(void)state;

	assert_int_equal(auth_session_mint(a, &c, tok, sizeof tok), 0);
	assert_true(strncmp(tok, "sesame_ses_", 11) == 0);
	assert_int_equal(auth_session_parse(a, tok, &out, 1000), 0);
	assert_string_equal(out.principal_id, PID);
	assert_string_equal(out.account_id, AID);
	assert_int_equal(out.generation, 7);
	assert_int_equal(out.expires, 2000);
	assert_int_equal(out.type, AUTH_TYPE_USER);
	assert_memory_equal(out.mac, c.mac, 32);
	/* Same claims, another token: the nonce keeps MACs apart. */
	assert_int_equal(auth_session_mint(a, &c, tok2, sizeof tok2), 0);
	assert_string_not_equal(tok, tok2);
	auth_close(a);
}

static void test_server_auth__token_tamper(void **state)
{
	struct auth *a = test_auth(1), *other = test_auth(2);
	struct session_claims c = claims(1, 2000, AUTH_TYPE_SERVICE_ACCOUNT), out;
	char tok[AUTH_SESSION_TOKEN_SIZE], bad[AUTH_SESSION_TOKEN_SIZE];
	size_t n;
	(void)state;

	assert_int_equal(auth_session_mint(a, &c, tok, sizeof tok), 0);
	n = strlen(tok);
	/* Every character of the payload matters. */
	for (size_t i = 11; i < n; i++) {
		memcpy(bad, tok, n + 1);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		int rc = auth_session_parse(a, bad, &out, 1000);
		/* The last character carries only 2 bits of the MAC... and padding bits. */
		if (rc == 0 && i == n - 1)
			continue;
		assert_int_equal(rc, SESAME_EAUTH);
	}
	assert_int_equal(auth_session_parse(other, tok, &out, 1000), SESAME_EAUTH);
	assert_int_equal(auth_session_parse(a, "", &out, 1000), SESAME_EAUTH);
	assert_int_equal(auth_session_parse(a, "sesame_ses_", &out, 1000), SESAME_EAUTH);
	memcpy(bad, tok, n + 1);
	bad[n - 5] = '\0';
	assert_int_equal(auth_session_parse(a, bad, &out, 1000), SESAME_EAUTH);
	assert_int_equal(auth_session_parse(a, tok + 1, &out, 1000), SESAME_EAUTH);
	auth_close(a);
	auth_close(other);
}

static void test_server_auth__token_expiry(void **state)
{
	struct auth *a = test_auth(1);
	struct session_claims c = claims(1, 2000, AUTH_TYPE_USER), out;
	char tok[AUTH_SESSION_TOKEN_SIZE];
	(void)state;

	assert_int_equal(auth_session_mint(a, &c, tok, sizeof tok), 0);
	assert_int_equal(auth_session_parse(a, tok, &out, 1999), 0);
	assert_int_equal(auth_session_parse(a, tok, &out, 2000), SESAME_ETOKEN_EXPIRED);
	assert_string_equal(sesame_error_last()->kind, "session_expired");
	auth_close(a);
}

static void test_server_auth__deny_list(void **state)
{
	struct auth *a = test_auth(1);
	unsigned char m1[32], m2[32];
	(void)state;

	memset(m1, 1, sizeof m1);
	memset(m2, 2, sizeof m2);
	assert_false(auth_session_denied(a, m1, 100));
	assert_int_equal(auth_session_deny(a, m1, 200, 100), 0);
	assert_true(auth_session_denied(a, m1, 150));
	assert_false(auth_session_denied(a, m2, 150));
	assert_false(auth_session_denied(a, m1, 200)); /* expired anyway */
	/* Many entries: expired ones are dropped, the rest stay. */
	for (int i = 0; i < 1000; i++) {
		m2[0] = (unsigned char)i;
		m2[1] = (unsigned char)(i >> 8);
		assert_int_equal(auth_session_deny(a, m2, 300 + (i % 2) * 1000, 250), 0);
	}
	m2[0] = 1;
	m2[1] = 0;
	assert_true(auth_session_denied(a, m2, 400));
	auth_close(a);
}

static void test_server_auth__challenge(void **state)
{
	struct auth *a = test_auth(1), *other = test_auth(2);
	unsigned char c[AUTH_CHALLENGE_BYTES];
	(void)state;

	auth_challenge_new(a, c, PID, 1000);
	assert_int_equal(auth_challenge_check(a, c, sizeof c, PID, 1000), 0);
	assert_int_equal(auth_challenge_check(a, c, sizeof c, PID, 1060), 0);
	assert_int_equal(auth_challenge_check(a, c, sizeof c, PID, 1061), SESAME_EAUTH);
	assert_int_equal(auth_challenge_check(a, c, sizeof c, AID, 1000), SESAME_EAUTH);
	assert_int_equal(auth_challenge_check(other, c, sizeof c, PID, 1000), SESAME_EAUTH);
	assert_int_equal(auth_challenge_check(a, c, sizeof c - 1, PID, 1000), SESAME_EAUTH);
	for (size_t i = 0; i < sizeof c; i++) {
		c[i] ^= 0x80;
		assert_int_equal(auth_challenge_check(a, c, sizeof c, PID, 1000), SESAME_EAUTH);
		c[i] ^= 0x80;
	}
	auth_close(a);
	auth_close(other);
}

static void test_server_auth__signature(void **state)
{
	unsigned char pk[32], sk[64], seed[32], c[AUTH_CHALLENGE_BYTES], sig[64];
	unsigned char msg[sizeof AUTH_SIGNIN_LABEL + AUTH_CHALLENGE_BYTES + 26];
	size_t l = sizeof AUTH_SIGNIN_LABEL - 1;
	(void)state;

	memset(seed, 3, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	randombytes_buf(c, sizeof c);
	memcpy(msg, AUTH_SIGNIN_LABEL, l);
	memcpy(msg + l, c, sizeof c);
	memcpy(msg + l + sizeof c, PID, 26);
	crypto_sign_detached(sig, NULL, msg, l + sizeof c + 26, sk);
	assert_int_equal(auth_signature_check(sig, 64, c, sizeof c, PID, pk), 0);
	assert_int_equal(auth_signature_check(sig, 64, c, sizeof c, AID, pk), SESAME_EAUTH);
	assert_int_equal(auth_signature_check(sig, 63, c, sizeof c, PID, pk), SESAME_EAUTH);
	sig[10] ^= 1;
	assert_int_equal(auth_signature_check(sig, 64, c, sizeof c, PID, pk), SESAME_EAUTH);
}

static void test_server_auth__fake_principal(void **state)
{
	struct auth *a = test_auth(1);
	char id1[27], id2[27], id3[27];
	unsigned char s1[16], s2[16], s3[16];
	(void)state;

	auth_fake_principal(a, AID, "x@example.com", id1, s1);
	auth_fake_principal(a, AID, "x@example.com", id2, s2);
	auth_fake_principal(a, AID, "y@example.com", id3, s3);
	assert_string_equal(id1, id2);
	assert_memory_equal(s1, s2, 16);
	assert_string_not_equal(id1, id3);
	assert_memory_not_equal(s1, s3, 16);
	assert_int_equal(strlen(id1), 26);
	auth_close(a);
}

static void test_server_auth__signin_limit(void **state)
{
	struct auth *a = test_auth(1);
	long long retry = 0;
	(void)state;

	for (int i = 0; i < AUTH_SIGNIN_FAILURES; i++) {
		assert_false(auth_signin_limited(a, "10.0.0.1", 6000, &retry));
		auth_signin_failed(a, "10.0.0.1", 6000);
	}
	assert_true(auth_signin_limited(a, "10.0.0.1", 6010, &retry));
	assert_int_equal(retry, 50);
	assert_false(auth_signin_limited(a, "10.0.0.2", 6010, &retry));
	assert_false(auth_signin_limited(a, "10.0.0.1", 6060, &retry)); /* a new minute */
	auth_close(a);
}

static void test_server_auth__key_file(void **state)
{
	char dir[] = "/tmp/sesame-auth-test-XXXXXX", path[64];
	struct auth *a = NULL, *b = NULL;
	struct session_claims c = claims(1, 2000, AUTH_TYPE_USER), out;
	char tok[AUTH_SESSION_TOKEN_SIZE];
	struct stat sb;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/%s", dir, AUTH_KEYS_FILE);
	assert_int_equal(auth_open(&a, dir), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(auth_session_mint(a, &c, tok, sizeof tok), 0);
	assert_int_equal(auth_open(&b, dir), 0); /* the same keys again */
	assert_int_equal(auth_session_parse(b, tok, &out, 1000), 0);
	auth_close(a);
	auth_close(b);
	f = fopen(path, "ab");
	assert_non_null(f);
	fputc('x', f);
	fclose(f);
	assert_int_equal(auth_open(&a, dir), SESAME_EINVAL);
	unlink(path);
	rmdir(dir);
}

/* ---- auth_request against a fake store ---- */

struct fake_store {
	struct store base;
	struct principal_auth p;
	int rc;
};

static int fake_principal_auth(struct store *st, const char *id, struct principal_auth *out)
{
	struct fake_store *fs = (struct fake_store *)st;
	(void)id;
	if (fs->rc)
		return sesame_error_set(fs->rc, "not_found", "no such principal");
	*out = fs->p;
	return 0;
}

static const struct store_ops fake_ops = {
	.version = STORE_OPS_VERSION,
	.name = "fake",
	.principal_auth = fake_principal_auth,
};

struct fake_headers {
	const char *authorization;
};

static const char *fake_header(void *cls, const char *name)
{
	const struct fake_headers *h = cls;
	return strcasecmp(name, "Authorization") == 0 ? h->authorization : NULL;
}

static int run_request(struct auth *a, struct fake_store *fs, const char *authz,
		       enum route_auth rule, long long now, struct http_request *req,
		       struct http_reply *r)
{
	static struct fake_headers h;
	h.authorization = authz;
	memset(req, 0, sizeof *req);
	req->header_fn = fake_header;
	req->header_cls = &h;
	memset(r, 0, sizeof *r);
	return auth_request(a, &fs->base, req, rule, r, now);
}

static const char *code_of(const struct http_reply *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

static void test_server_auth__request_check(void **state)
{
	struct auth *a = test_auth(1);
	struct fake_store fs = {{&fake_ops}, {"", "user", "active", 3, false, false}, 0};
	struct session_claims c = claims(3, 5000, AUTH_TYPE_USER);
	struct http_request req;
	struct http_reply r;
	char tok[AUTH_SESSION_TOKEN_SIZE], hdr[AUTH_SESSION_TOKEN_SIZE + 16];
	(void)state;

	memcpy(fs.p.account_id, AID, sizeof fs.p.account_id);
	assert_int_equal(auth_session_mint(a, &c, tok, sizeof tok), 0);
	snprintf(hdr, sizeof hdr, "Bearer %s", tok);

	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_SESSION, 1000, &req, &r), 0);
	assert_true(req.caller.authenticated);
	assert_string_equal(req.caller.id, PID);
	assert_string_equal(req.refreshed, "");

	assert_int_equal(run_request(a, &fs, NULL, ROUTE_AUTH_SESSION, 1000, &req, &r), -1);
	assert_int_equal(r.status, 401);
	assert_string_equal(code_of(&r), "unauthenticated");
	reply_free(&r);
	assert_int_equal(run_request(a, &fs, tok, ROUTE_AUTH_SESSION, 1000, &req, &r), -1);
	reply_free(&r);

	/* Admin-only and people-only rules. */
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_ADMIN, 1000, &req, &r), -1);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	fs.p.admin = true;
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_ADMIN, 1000, &req, &r), 0);
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_USER, 1000, &req, &r), 0);

	/* A bumped generation or another state ends the session at once. */
	fs.p.generation = 4;
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_SESSION, 1000, &req, &r), -1);
	assert_string_equal(code_of(&r), "session_revoked");
	reply_free(&r);
	fs.p.generation = 3;
	snprintf(fs.p.state, sizeof fs.p.state, "suspended");
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_SESSION, 1000, &req, &r), -1);
	assert_string_equal(code_of(&r), "account_suspended");
	reply_free(&r);
	snprintf(fs.p.state, sizeof fs.p.state, "active");
	fs.rc = SESAME_ENOTFOUND;
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_SESSION, 1000, &req, &r), -1);
	assert_string_equal(code_of(&r), "session_revoked");
	reply_free(&r);
	fs.rc = 0;

	/* Signed out. */
	assert_int_equal(auth_session_deny(a, c.mac, c.expires, 1000), 0);
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_SESSION, 1000, &req, &r), -1);
	assert_string_equal(code_of(&r), "session_revoked");
	reply_free(&r);

	/* Late in its life, a user's session comes back renewed. */
	c = claims(3, 1300, AUTH_TYPE_USER);
	assert_int_equal(auth_session_mint(a, &c, tok, sizeof tok), 0);
	snprintf(hdr, sizeof hdr, "Bearer %s", tok);
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_SESSION, 1000, &req, &r), 0);
	assert_true(req.refreshed[0] != '\0');
	struct session_claims fresh;
	assert_int_equal(auth_session_parse(a, req.refreshed, &fresh, 1000), 0);
	assert_int_equal(fresh.expires, 1000 + AUTH_SESSION_USER_TTL);
	assert_int_equal(fresh.generation, 3);

	/* A service-account session presented for a user principal is refused. */
	c = claims(3, 5000, AUTH_TYPE_SERVICE_ACCOUNT);
	assert_int_equal(auth_session_mint(a, &c, tok, sizeof tok), 0);
	snprintf(hdr, sizeof hdr, "Bearer %s", tok);
	assert_int_equal(run_request(a, &fs, hdr, ROUTE_AUTH_SESSION, 1000, &req, &r), -1);
	reply_free(&r);
	auth_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_auth__token_roundtrip),
		cmocka_unit_test(test_server_auth__token_tamper),
		cmocka_unit_test(test_server_auth__token_expiry),
		cmocka_unit_test(test_server_auth__deny_list),
		cmocka_unit_test(test_server_auth__challenge),
		cmocka_unit_test(test_server_auth__signature),
		cmocka_unit_test(test_server_auth__fake_principal),
		cmocka_unit_test(test_server_auth__signin_limit),
		cmocka_unit_test(test_server_auth__key_file),
		cmocka_unit_test(test_server_auth__request_check),
	};
	if (sodium_init() < 0)
		return 1;
	log_configure(LOG_OFF, LOG_FORMAT_TEXT, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
