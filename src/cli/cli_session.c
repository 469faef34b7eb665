/* SPDX-License-Identifier: Apache-2.0 */
/* Where the CLI keeps its state: the account list and encrypted sessions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "client/sessfile.h"
#include "client/vcache.h"
#include "token/sa_token.h"
#include "error.h"
#include "json.h"

#define PATH_CAP     4096
#define ACCOUNTS_MAX (256u * 1024)

static int mkdir_private(const char *path)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return sesame_error_set(SESAME_EIO, "io_error", "cannot create directory '%s': %s",
					path, strerror(errno));
	return 0;
}

int cli_config_dir(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char parent[PATH_CAP];
	int n;

	if (xdg && *xdg) {
		n = snprintf(out, cap, "%s/sesame", xdg);
		snprintf(parent, sizeof parent, "%s", xdg);
	} else if (home && *home) {
		snprintf(parent, sizeof parent, "%s/.config", home);
		n = snprintf(out, cap, "%s/.config/sesame", home);
	} else {
		return sesame_error_set(SESAME_EIO, "io_error",
					"neither XDG_CONFIG_HOME nor HOME is set");
	}
	if (n < 0 || (size_t)n >= cap)
		return sesame_error_set(SESAME_EIO, "io_error", "config path is too long");
	int rc = mkdir_private(parent);
	return rc ? rc : mkdir_private(out);
}

/* $XDG_RUNTIME_DIR/sesame when set (a tmpfs that ends with the login), else the config dir. */
static int session_dir(char *out, size_t cap)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	if (run && *run) {
		int n = snprintf(out, cap, "%s/sesame", run);
		if (n < 0 || (size_t)n >= cap)
			return sesame_error_set(SESAME_EIO, "io_error", "runtime path is too long");
		return mkdir_private(out);
	}
	return cli_config_dir(out, cap);
}

int cli_write_private(const char *path, const void *data, size_t len)
{
	char tmp[PATH_CAP];
	int fd, n = snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());

	if (n < 0 || (size_t)n >= sizeof tmp)
		return sesame_error_set(SESAME_EIO, "io_error", "path '%s' is too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return sesame_error_set(SESAME_EIO, "io_error", "cannot create '%s': %s", tmp,
					strerror(errno));
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return sesame_error_set(SESAME_EIO, "io_error", "cannot write '%s': %s",
						tmp, strerror(e));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return sesame_error_set(SESAME_EIO, "io_error", "cannot write '%s': %s", path,
					strerror(e));
	}
	return 0;
}

static int read_file(char **out, size_t *len, const char *path, size_t max)
{
	FILE *f = fopen(path, "rbe");
	char *buf;
	size_t n;

	*out = NULL;
	if (!f)
		return errno == ENOENT
			       ? SESAME_ENOTFOUND
			       : sesame_error_set(SESAME_EIO, "io_error", "cannot read '%s': %s",
						  path, strerror(errno));
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return sesame_error_nomem();
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(buf);
		return sesame_error_set(SESAME_ETOOBIG, NULL, "file '%s' is too big", path);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static json_t *load_accounts(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	json_t *doc = NULL;
	char err[128];
	int code;

	if (read_file(&text, &len, path, ACCOUNTS_MAX) == 0) {
		sjson_limits lim = {ACCOUNTS_MAX, 4};
		doc = sjson_parse(text, len, &lim, &code, err, sizeof err);
		free(text);
	}
	if (!doc || !json_is_array(json_object_get(doc, "accounts"))) {
		json_decref(doc);
		doc = json_pack("{s:[]}", "accounts");
	}
	return doc;
}

int cli_remember_account(const char *address, const char *email, const char *account_id)
{
	char dir[PATH_CAP], path[PATH_CAP + 32];
	json_t *doc, *arr, *a;
	size_t i;
	int rc = cli_config_dir(dir, sizeof dir);

	if (rc)
		return rc;
	snprintf(path, sizeof path, "%s/accounts.json", dir);
	doc = load_accounts(path);
	if (!doc)
		return sesame_error_nomem();
	arr = json_object_get(doc, "accounts");
	for (i = json_array_size(arr); i-- > 0;) {
		a = json_array_get(arr, i);
		const char *ad = json_string_value(json_object_get(a, "address"));
		const char *em = json_string_value(json_object_get(a, "email"));
		if (ad && em && strcmp(ad, address) == 0 && strcasecmp(em, email) == 0)
			json_array_remove(arr, i);
	}
	json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "address", address, "email", email,
					     "account_id", account_id));
	char *text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text)
		return sesame_error_nomem();
	rc = cli_write_private(path, text, strlen(text));
	free(text);
	return rc;
}

int cli_lookup_account(char out[27], const char *address, const char *email)
{
	char dir[PATH_CAP], path[PATH_CAP + 32];
	json_t *doc, *arr, *a;
	size_t i;
	int rc = cli_config_dir(dir, sizeof dir);

	if (rc)
		return rc;
	snprintf(path, sizeof path, "%s/accounts.json", dir);
	doc = load_accounts(path);
	arr = json_object_get(doc, "accounts");
	rc = SESAME_ENOTFOUND;
	json_array_foreach(arr, i, a)
	{
		const char *ad = json_string_value(json_object_get(a, "address"));
		const char *em = json_string_value(json_object_get(a, "email"));
		const char *id = json_string_value(json_object_get(a, "account_id"));
		if (ad && em && id && strcmp(ad, address) == 0 && strcasecmp(em, email) == 0 &&
		    id_is_valid(id)) {
			memcpy(out, id, 27);
			rc = 0;
		}
	}
	json_decref(doc);
	if (rc)
		sesame_error_set(SESAME_ENOTFOUND, "account_unknown",
				 "no account known for '%s' at '%s'; pass --account ID (from the "
				 "emergency kit)",
				 email, address);
	return rc;
}

static int session_path(char *out, size_t cap, const unsigned char key[SESSFILE_KEYBYTES])
{
	char dir[PATH_CAP], name[32];
	int rc = session_dir(dir, sizeof dir);
	if (rc)
		return rc;
	sessfile_name(name, key);
	if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap)
		return sesame_error_set(SESAME_EIO, "io_error", "session path is too long");
	return 0;
}

static int env_key(unsigned char key[SESSFILE_KEYBYTES])
{
	const char *env = getenv("SESAME_SESSION");
	if (!env || !*env)
		return sesame_error_set(SESAME_EAUTH, "not_signed_in",
					"not signed in: run 'eval $(sesame signin ...)' first");
	return sessfile_key_parse(key, env);
}

/*
 * Connection options from the environment: OP_INTEGRATION_NAME / _ID /
 * _BUILDNUMBER become the Sesame-Integration header (what op-js sets),
 * SESAME_ADDRESS replaces the server address of the session or token.
 */
void cli_api_options(api_options *o)
{
	static char name[128];
	const char *n = getenv("OP_INTEGRATION_NAME"), *id = getenv("OP_INTEGRATION_ID");
	const char *b = getenv("OP_INTEGRATION_BUILDNUMBER"), *addr = getenv("SESAME_ADDRESS");

	memset(o, 0, sizeof *o);
	if (n && *n && id && *id)
		snprintf(name, sizeof name, "%s (%s)", n, id);
	else if ((n && *n) || (id && *id))
		snprintf(name, sizeof name, "%s", n && *n ? n : id);
	else
		name[0] = '\0';
	o->integration_name = name[0] ? name : NULL;
	o->integration_version = b && *b ? b : NULL;
	o->url = addr && *addr ? addr : NULL;
}

static const char *sa_token_env(void)
{
	const char *tok = getenv("SESAME_SERVICE_ACCOUNT_TOKEN");
	if (!tok || !*tok)
		tok = getenv("OP_SERVICE_ACCOUNT_TOKEN");
	return tok && *tok ? tok : NULL;
}

/* Signs a service account in; o->url (SESAME_ADDRESS) replaces the token's address. */
static int sa_signin(session **out, const char *tok, const api_options *o)
{
	sa_token *t = NULL;
	char *text = NULL;
	int rc;

	if (!o->url)
		return session_signin_sa(out, tok, o);
	rc = sa_token_decode(&t, tok);
	if (rc)
		return rc;
	char *url = strdup(o->url);
	if (!url) {
		sa_token_free(t);
		return sesame_error_nomem();
	}
	free(t->server_url);
	t->server_url = url;
	rc = sa_token_encode(&text, t);
	sa_token_free(t);
	rc = rc ? rc : session_signin_sa(out, text, o);
	sa_token_string_free(text);
	return rc;
}

int cli_load_session(session **out)
{
	api_options opts;
	unsigned char key[SESSFILE_KEYBYTES];
	char path[PATH_CAP + 64];
	char *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	cli_api_options(&opts);
	const char *tok = sa_token_env();
	if (tok)
		return sa_signin(out, tok, &opts);
	rc = env_key(key);
	rc = rc ? rc : session_path(path, sizeof path, key);
	if (rc)
		goto out;
	rc = read_file(&data, &len, path, SESSFILE_MAX);
	if (rc == SESAME_ENOTFOUND) {
		rc = sesame_error_set(SESAME_EAUTH, "not_signed_in",
				      "no session found for SESAME_SESSION; sign in again");
		goto out;
	}
	if (rc)
		goto out;
	rc = sessfile_open_opts(out, (unsigned char *)data, len, key, &opts);
out:
	sodium_memzero(key, sizeof key);
	free(data);
	return rc;
}

static int save_under(session *s, bool insecure, const unsigned char key[SESSFILE_KEYBYTES])
{
	char path[PATH_CAP + 64];
	unsigned char *blob = NULL;
	size_t len = 0;
	int rc = session_path(path, sizeof path, key);
	rc = rc ? rc : sessfile_seal(&blob, &len, key, s, insecure);
	rc = rc ? rc : cli_write_private(path, blob, len);
	free(blob);
	return rc;
}

int cli_store_session(session *s, bool insecure, char key_text[44])
{
	unsigned char key[SESSFILE_KEYBYTES];
	int rc;

	randombytes_buf(key, sizeof key);
	/*
	 * Fill the vault cache now, so the first `sesame read` is already one
	 * request. Best effort: without it the first read fetches the list.
	 */
	if (!s->vcache && vcache_fill(s) != 0)
		sesame_error_clear();
	rc = save_under(s, insecure, key);
	rc = rc ? rc : sessfile_key_text(key_text, key);
	sodium_memzero(key, sizeof key);
	return rc;
}

void cli_session_done(session *s)
{
	unsigned char key[SESSFILE_KEYBYTES];

	if (!s || !api_session_refreshed(s->api) || env_key(key) != 0)
		return;
	/* Best effort: the old token still works until it expires. */
	(void)save_under(s, s->insecure, key);
	sodium_memzero(key, sizeof key);
}

int cli_forget_session(void)
{
	unsigned char key[SESSFILE_KEYBYTES];
	char path[PATH_CAP + 64];
	int rc = env_key(key);

	rc = rc ? rc : session_path(path, sizeof path, key);
	sodium_memzero(key, sizeof key);
	if (rc)
		return rc;
	if (unlink(path) != 0 && errno != ENOENT)
		return sesame_error_set(SESAME_EIO, "io_error", "cannot remove '%s': %s", path,
					strerror(errno));
	return 0;
}

/* ---- cached sessions for read, inject and run ---- */

/* The cache key of a service-account token: keyed BLAKE2b under its seed. */
static int sa_cache_key(unsigned char key[SESSFILE_KEYBYTES], const char *tok)
{
	static const char label[] = "sesame sa session cache v1";
	crypto_generichash_state st;
	sa_token *t = NULL;
	int rc = sa_token_decode(&t, tok);

	if (rc)
		return rc;
	crypto_generichash_init(&st, t->seed, SA_TOKEN_SEED_BYTES, SESSFILE_KEYBYTES);
	crypto_generichash_update(&st, (const unsigned char *)label, sizeof label);
	crypto_generichash_update(&st, (const unsigned char *)t->account_id,
				  strlen(t->account_id) + 1);
	crypto_generichash_update(&st, (const unsigned char *)t->sa_id, strlen(t->sa_id) + 1);
	crypto_generichash_update(&st, (const unsigned char *)t->server_url,
				  strlen(t->server_url) + 1);
	crypto_generichash_final(&st, key, SESSFILE_KEYBYTES);
	sodium_memzero(&st, sizeof st);
	sa_token_free(t);
	return 0;
}

int cli_cached_open(cli_cached *c)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	memset(c, 0, sizeof *c);
	cli_api_options(&c->opts);
	const char *tok = sa_token_env();
	c->sa = tok != NULL;
	rc = c->sa ? sa_cache_key(c->key, tok) : env_key(c->key);
	rc = rc ? rc : session_path(c->path, sizeof c->path, c->key);
	if (rc)
		return rc;
	rc = read_file(&data, &len, c->path, SESSFILE_MAX);
	if (rc == 0) {
		rc = sessfile_open_opts(&c->s, (unsigned char *)data, len, c->key, &c->opts);
		free(data);
		if (rc == 0 && c->sa && strcmp(c->s->me.type, "service_account") != 0) {
			session_free(c->s);
			c->s = NULL;
			rc = SESAME_EINVAL;
		}
		if (rc == 0) {
			c->had_cache = c->s->vcache != NULL;
			return 0;
		}
		if (rc == SESAME_ENOMEM)
			return rc;
	}
	if (!c->sa) {
		if (rc == SESAME_ENOTFOUND)
			rc = sesame_error_set(SESAME_EAUTH, "not_signed_in",
					      "no session found for SESAME_SESSION; sign in again");
		return rc;
	}
	/* Service account: no usable cache file, sign in with the token. */
	sesame_error_clear();
	rc = sa_signin(&c->s, tok, &c->opts);
	c->fresh = rc == 0;
	return rc;
}

int cli_cached_renew(cli_cached *c)
{
	session *fresh = NULL;
	const char *tok = sa_token_env();
	int rc;

	if (!c->sa || c->fresh || !tok)
		return SESAME_EAUTH;
	rc = sa_signin(&fresh, tok, &c->opts);
	if (rc) {
		/* The token no longer works: forget what was cached for it. */
		unlink(c->path);
		return rc;
	}
	/* The vault list survives an expired session; a revoked one fails anyway. */
	fresh->vcache = c->s->vcache;
	c->s->vcache = NULL;
	for (size_t i = 0; fresh->vcache && i < fresh->vcache->n; i++)
		if (keyring_add_vault(fresh->kr, fresh->vcache->v[i].id,
				      fresh->vcache->v[i].key) != 0)
			break;
	session_free(c->s);
	c->s = fresh;
	c->fresh = true;
	return 0;
}

void cli_cached_close(cli_cached *c)
{
	session *s = c->s;

	if (s && (c->fresh || api_session_refreshed(s->api) || (s->vcache && s->vcache->dirty) ||
		  (c->had_cache && !s->vcache))) {
		/* Best effort: a cache that is not written is fetched again next time. */
		if (save_under(s, s->insecure, c->key) != 0)
			sesame_error_clear();
	}
	session_free(s);
	sodium_memzero(c->key, sizeof c->key);
	memset(c, 0, sizeof *c);
}
