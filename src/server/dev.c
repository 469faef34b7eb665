/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Demo data for `sesamed --dev`, made through the server's own HTTP API
 * with the client library, exactly as `sesame account create`, `signin`,
 * `vault create` and `item create` would make it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "b64.h"
#include "client/account.h"
#include "client/assign.h"
#include "client/items.h"
#include "client/session.h"
#include "client/vaults.h"
#include "crypto/secmem.h"
#include "dev.h"
#include "error.h"

#define DEV_PASSWORD_BYTES 18 /* 24 base64url characters */
#define DEV_FILE_MAX	   8192

/* A random password of base64url characters, in secure memory. */
static char *random_password(size_t *len)
{
	unsigned char raw[DEV_PASSWORD_BYTES];
	size_t cap = b64_encoded_size(sizeof raw, B64_URL_NOPAD);
	char *pw = secmem_calloc(cap);

	if (!pw)
		return NULL;
	randombytes_buf(raw, sizeof raw);
	if (b64_encode(pw, cap, raw, sizeof raw, B64_URL_NOPAD) != 0) {
		secmem_free(pw);
		pw = NULL;
	}
	sodium_memzero(raw, sizeof raw);
	*len = pw ? strlen(pw) : 0;
	return pw;
}

/*
 * The credentials file: the password and the Secret Key on the first two
 * lines (what `sesame signin` reads from stdin), then comments naming the
 * rest.
 */
static int write_credentials(const char *path, const char *url, const char *pw,
			     const account_kit *kit)
{
	char *text = secmem_calloc(DEV_FILE_MAX);
	int fd = -1, n, rc = 0;

	if (!text)
		return sesame_error_nomem();
	n = snprintf(
		text, DEV_FILE_MAX,
		"%s\n%s\n"
		"# sesamed --dev: the demo owner's password and Secret Key (above).\n"
		"# DEV MODE: this account is thrown away when sesamed stops.\n"
		"# address    %s\n"
		"# email      %s\n"
		"# account    %s\n"
		"# sign in    eval $(sesame signin --address %s --email %s --account %s < %s)\n",
		pw, kit->secret_key, url, DEV_EMAIL, kit->account_id, url, DEV_EMAIL,
		kit->account_id, path);
	if (n < 0 || n >= DEV_FILE_MAX) {
		rc = sesame_error_set(SESAME_ETOOBIG, NULL, "credentials do not fit the file");
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) != 0) {
		rc = sesame_error_set(SESAME_EIO, "dev_credentials", "cannot write '%s': %s", path,
				      strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	secmem_free(text);
	return rc;
}

static int demo_item(session *s, const client_vault *v)
{
	char *pw = NULL;
	size_t pwlen = 0;
	item *it = item_new();
	int rc;

	if (!it)
		return SESAME_ENOMEM;
	pw = random_password(&pwlen);
	it->title = strdup(DEV_ITEM);
	if (!pw || !it->title) {
		rc = sesame_error_nomem();
		goto out;
	}
	it->category = ITEM_CATEGORY_LOGIN;
	rc = item_set_field(it, NULL, "username", NULL, "demo");
	rc = rc ? rc : item_set_field(it, NULL, "password", "password", pw);
	rc = rc ? rc : items_create(s, v, it);
out:
	secmem_free(pw);
	item_free(it);
	return rc;
}

int dev_seed(struct dev_account *out, const char *url, const char *dir)
{
	api_options o = {.url = url, .integration_name = "sesamed-dev"};
	api *a = NULL, *a2 = NULL;
	account_kit *kit = NULL;
	session *s = NULL;
	client_vault v;
	char *pw = NULL;
	size_t pwlen = 0;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&v, 0, sizeof v);
	if ((size_t)snprintf(out->creds_path, sizeof out->creds_path, "%s/%s", dir,
			     DEV_CREDS_FILE) >= sizeof out->creds_path)
		return sesame_error_set(SESAME_EINVAL, NULL, "data directory path is too long");
	pw = random_password(&pwlen);
	if (!pw)
		return sesame_error_nomem();
	/* The lowest cost the protocol allows: dev mode only, never a real account. */
	account_create_input in = {
		.account_name = "Sesame Dev",
		.email = DEV_EMAIL,
		.user_name = "Dev Owner",
		.password = pw,
		.password_len = pwlen,
		.kdf = {KDF2S_OPSLIMIT_MIN, KDF2S_MEMLIMIT_MIN},
	};
	rc = api_new(&a, &o);
	rc = rc ? rc : account_create(&kit, a, &in);
	if (rc)
		goto out;
	snprintf(out->account_id, sizeof out->account_id, "%s", kit->account_id);
	rc = api_new(&a2, &o);
	if (rc)
		goto out;
	signin_user_input sin = {kit->account_id, DEV_EMAIL, pw, pwlen, kit->secret_key};
	rc = session_signin_user(&s, a2, &sin); /* a2 is the session's now */
	a2 = NULL;
	rc = rc ? rc : vault_create(&v, s, DEV_VAULT, "Demo data of sesamed --dev", true);
	rc = rc ? rc : demo_item(s, &v);
	rc = rc ? rc : write_credentials(out->creds_path, url, pw, kit);
	if (s)
		session_signout(s);
out:
	client_vault_clear(&v);
	session_free(s);
	api_free(a);
	account_kit_free(kit);
	secmem_free(pw);
	return rc;
}
