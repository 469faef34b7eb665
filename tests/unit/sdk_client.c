/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SDK's C API without a server: options, argument checks, sesame_free,
 * opening a CLI session file, typed errors (unknown operation, bad
 * parameters, invalid reference, network), and a client shared by
 * threads while the server is unreachable. The end-to-end tests are
 * tests/e2e/test_sdk_python.py and test_sdk_examples.py.
 */
#include "test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "client/sessfile.h"
#include "sesame/client.h"
#include "sesame/errors.h"

static char session_path[256];
static char key_text[SESSFILE_KEY_TEXT_SIZE];

static int setup(void **state)
{
	unsigned char key[SESSFILE_KEYBYTES], *blob = NULL;
	size_t len = 0;
	api *a = NULL;
	keyset *ks = NULL;
	session *s = NULL;
	client_principal me;
	api_options o = {.url = "http://127.0.0.1:9"}; /* discard: nothing listens */
	FILE *f;

	(void)state;
	memset(&me, 0, sizeof me);
	memcpy(me.id, "uuuuuuuuuuuuuuuuuuuuuuuuuu", 27);
	memcpy(me.account_id, "aaaaaaaaaaaaaaaaaaaaaaaaaa", 27);
	snprintf(me.type, sizeof me.type, "user");
	assert_int_equal(api_new(&a, &o), 0);
	assert_int_equal(api_set_session(a, "sesame_ses_TOKEN"), 0);
	assert_int_equal(keyset_new(&ks), 0);
	assert_int_equal(session_new(&s, a, ks, &me), 0);
	randombytes_buf(key, sizeof key);
	assert_int_equal(sessfile_seal(&blob, &len, key, s, false), 0);
	snprintf(session_path, sizeof session_path, "/tmp/sesame-sdk-test-%ld", (long)getpid());
	f = fopen(session_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(blob, 1, len, f), len);
	fclose(f);
	assert_int_equal(sessfile_key_text(key_text, key), 0);
	free(blob);
	session_free(s);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(session_path);
	return 0;
}

static sesame_client *open_client(void)
{
	sesame_client_options o = SESAME_CLIENT_OPTIONS_INIT;
	sesame_client *c = NULL;

	o.session_key = key_text;
	o.session_file = session_path;
	o.timeout_ms = 2000;
	o.max_attempts = 1;
	assert_int_equal(sesame_client_new(&c, &o), 0);
	assert_non_null(c);
	return c;
}

static void test_sdk_client__options(void **state)
{
	sesame_client_options o;
	sesame_client *c = (sesame_client *)1;

	(void)state;
	assert_int_equal(sesame_client_options_init(&o, SESAME_CLIENT_OPTIONS_VERSION), 0);
	assert_int_equal(o.version, SESAME_CLIENT_OPTIONS_VERSION);
	assert_null(o.service_account_token);
	assert_int_equal(sesame_client_options_init(&o, 99), SESAME_EINVAL);
	assert_int_equal(sesame_client_options_init(NULL, 1), SESAME_EINVAL);
	o.version = 99;
	assert_int_equal(sesame_client_new(&c, &o), SESAME_EINVAL);
	assert_null(c);
	sesame_client_options_init(&o, 1);
	o.service_account_token = "x";
	o.session_key = "y";
	assert_int_equal(sesame_client_new(&c, &o), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->message,
			    "cannot use both a service-account token and a session");
	unsetenv("SESAME_SERVICE_ACCOUNT_TOKEN");
	unsetenv("OP_SERVICE_ACCOUNT_TOKEN");
	unsetenv("SESAME_SESSION");
	assert_int_equal(sesame_client_new(&c, NULL), SESAME_EAUTH);
	assert_string_equal(sesame_error_last()->kind, "not_signed_in");
	assert_int_equal(sesame_client_new(NULL, NULL), SESAME_EINVAL);
	sesame_client_free(NULL);
	sesame_free(NULL);
}

static void test_sdk_client__bad_credentials(void **state)
{
	sesame_client_options o = SESAME_CLIENT_OPTIONS_INIT;
	sesame_client *c = NULL;

	(void)state;
	o.session_key = "not base64url!";
	assert_int_equal(sesame_client_new(&c, &o), SESAME_EINVAL);
	o.session_key = key_text;
	o.session_file = "/nonexistent/session";
	assert_int_equal(sesame_client_new(&c, &o), SESAME_EAUTH);
	assert_string_equal(sesame_error_last()->kind, "not_signed_in");
	o.session_key = NULL;
	o.service_account_token = "sesame_sa_garbage";
	assert_int_not_equal(sesame_client_new(&c, &o), 0);
	assert_null(c);
}

static void test_sdk_client__invoke_errors(void **state)
{
	sesame_client *c = open_client();
	char *out = (char *)1;

	(void)state;
	assert_int_equal(sesame_client_invoke(c, "NoSuchOperation", "{}", &out),
			 SESAME_EUNSUPPORTED);
	assert_null(out);
	assert_string_equal(sesame_error_last()->kind, "unknown_operation");
	assert_int_equal(sesame_client_invoke(c, "ItemsGet", "{nope", &out), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "invalid_params");
	assert_int_equal(sesame_client_invoke(c, "ItemsGet", "[]", &out), SESAME_EINVAL);
	assert_int_equal(sesame_client_invoke(c, "ItemsGet", "{}", &out), SESAME_EINVAL);
	assert_string_equal(sesame_error_last()->kind, "invalid_params");
	assert_int_equal(sesame_client_invoke(c, NULL, "{}", &out), SESAME_EINVAL);
	/* Nothing listens on the discard port: a network error, and the client lives on. */
	assert_int_equal(sesame_client_invoke(c, "VaultsList", NULL, &out), SESAME_ENETWORK);
	assert_string_equal(sesame_error_last()->kind, "network");
	assert_int_equal(sesame_client_invoke(c, "UsersList", NULL, &out), SESAME_ENETWORK);
	assert_int_equal(sesame_error_retry_after(), 0);
	sesame_client_free(c);
}

static void test_sdk_client__resolve_offline_errors(void **state)
{
	sesame_client *c = open_client();
	const char *refs[] = {"op://a/b", "op://v/i/f"};
	char *vals[2] = {(char *)1, (char *)1};
	int codes[2] = {0, 0};
	char *v = (char *)1;

	(void)state;
	assert_int_equal(sesame_secrets_resolve(&v, c, "not a reference"), SESAME_EINVAL);
	assert_null(v);
	assert_string_equal(sesame_error_last()->kind, "invalid_reference");
	/* A batch: the vault list cannot be fetched, so the whole batch fails. */
	assert_int_equal(sesame_secrets_resolve_all(vals, codes, c, refs, 2), SESAME_ENETWORK);
	assert_null(vals[0]);
	assert_null(vals[1]);
	assert_int_equal(sesame_secrets_resolve_all(vals, codes, c, refs, 0), 0);
	assert_int_equal(sesame_secrets_resolve_all(vals, codes, c, refs, 1001), SESAME_ETOOBIG);
	sesame_client_free(c);
}

static void *hammer(void *arg)
{
	sesame_client *c = arg;
	char *out = NULL;
	for (int i = 0; i < 20; i++)
		if (sesame_client_invoke(c, "VaultsList", "{}", &out) != SESAME_ENETWORK ||
		    sesame_error_last()->code != SESAME_ENETWORK)
			return (void *)1;
	return NULL;
}

static void test_sdk_client__threads(void **state)
{
	sesame_client *c = open_client();
	pthread_t t[8];
	void *r;

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, c), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
	sesame_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdk_client__options),
		cmocka_unit_test(test_sdk_client__bad_credentials),
		cmocka_unit_test(test_sdk_client__invoke_errors),
		cmocka_unit_test(test_sdk_client__resolve_offline_errors),
		cmocka_unit_test(test_sdk_client__threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
