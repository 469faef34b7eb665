/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SDK client: options, authentication, the connection pool, invoke()
 * and the typed conveniences. docs/sdk.md has the design and the reasons.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "client/sessfile.h"
#include "client/vcache.h"
#include "crypto/secmem.h"
#include "error.h"
#include "item/item_json.h"
#include "json.h"
#include "sdk/sdk_internal.h"
#include "sesame/errors.h"
#include "token/sa_token.h"

#define SESSION_PATH_MAX 4096
#define OUT_HEADER	 16 /* room for the length, keeps malloc's alignment */

static _Thread_local long long tl_retry_after;

void sdk_set_retry_after(long long secs)
{
	tl_retry_after = secs;
}

long long sesame_error_retry_after(void)
{
	return sesame_error_last()->code == SESAME_ERATELIMIT ? tl_retry_after : 0;
}

char *sdk_strdup_out(const char *s, size_t len)
{
	unsigned char *p = malloc(OUT_HEADER + len + 1);
	if (!p) {
		sesame_error_nomem();
		return NULL;
	}
	memcpy(p, &len, sizeof len);
	memcpy(p + OUT_HEADER, s, len);
	p[OUT_HEADER + len] = '\0';
	return (char *)p + OUT_HEADER;
}

void sesame_free(void *ptr)
{
	unsigned char *p;
	size_t len;

	if (!ptr)
		return;
	p = (unsigned char *)ptr - OUT_HEADER;
	memcpy(&len, p, sizeof len);
	sodium_memzero(p, OUT_HEADER + len + 1);
	free(p);
}

int sesame_client_options_init(sesame_client_options *out, unsigned int version)
{
	static const sesame_client_options def = SESAME_CLIENT_OPTIONS_INIT;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument", "no options given");
	if (version != SESAME_CLIENT_OPTIONS_VERSION)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument",
					"client options version %u is not known (expected %u)",
					version, SESAME_CLIENT_OPTIONS_VERSION);
	*out = def;
	return 0;
}

/* ---- the CLI's session file ---- */

static int default_session_path(char *out, size_t cap, const unsigned char *key)
{
	const char *run = getenv("XDG_RUNTIME_DIR"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char name[32];
	int n;

	sessfile_name(name, key);
	/* The CLI's order: the runtime dir when set, else the config dir. */
	if (run && *run) {
		n = snprintf(out, cap, "%s/sesame/%s", run, name);
		struct stat st;
		if (n > 0 && (size_t)n < cap && stat(out, &st) == 0)
			return 0;
	}
	if (xdg && *xdg)
		n = snprintf(out, cap, "%s/sesame/%s", xdg, name);
	else if (home && *home)
		n = snprintf(out, cap, "%s/.config/sesame/%s", home, name);
	else
		return sesame_error_set(SESAME_EAUTH, "not_signed_in",
					"cannot find the session file: neither XDG_RUNTIME_DIR, "
					"XDG_CONFIG_HOME nor HOME is set");
	if (n < 0 || (size_t)n >= cap)
		return sesame_error_set(SESAME_EIO, "io_error", "session path is too long");
	return 0;
}

static int open_cli_session(session **out, const char *key_text, const char *file)
{
	unsigned char key[SESSFILE_KEYBYTES];
	char path[SESSION_PATH_MAX];
	unsigned char *data = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc;

	*out = NULL;
	rc = sessfile_key_parse(key, key_text);
	if (rc)
		return rc;
	if (file) {
		if ((size_t)snprintf(path, sizeof path, "%s", file) >= sizeof path) {
			rc = sesame_error_set(SESAME_EIO, "io_error", "session path is too long");
			goto out;
		}
	} else {
		rc = default_session_path(path, sizeof path, key);
		if (rc)
			goto out;
	}
	f = fopen(path, "rbe");
	if (!f) {
		rc = errno == ENOENT ? sesame_error_set(SESAME_EAUTH, "not_signed_in",
							"no session found for the session key; "
							"sign in again")
				     : sesame_error_set(SESAME_EIO, "io_error",
							"cannot read '%s': %s", path,
							strerror(errno));
		goto out;
	}
	data = malloc(SESSFILE_MAX + 1);
	if (!data) {
		rc = sesame_error_nomem();
		goto out;
	}
	len = fread(data, 1, SESSFILE_MAX + 1, f);
	if (len > SESSFILE_MAX) {
		rc = sesame_error_set(SESAME_ETOOBIG, NULL, "session file '%s' is too big", path);
		goto out;
	}
	rc = sessfile_open(out, data, len, key);
out:
	if (f)
		fclose(f);
	if (data) {
		sodium_memzero(data, len);
		free(data);
	}
	sodium_memzero(key, sizeof key);
	return rc;
}

/* A token for another address: same account, principal and seed. */
static int token_for_url(char **out, const char *token, const char *url)
{
	sa_token *t = NULL;
	char *enc = NULL;
	int rc = sa_token_decode(&t, token);

	*out = NULL;
	if (rc)
		return rc;
	char *u = strdup(url);
	if (!u) {
		sa_token_free(t);
		return sesame_error_nomem();
	}
	free(t->server_url);
	t->server_url = u;
	rc = sa_token_encode(&enc, t);
	sa_token_free(t);
	if (rc)
		return rc;
	*out = secmem_strdup(enc);
	sa_token_string_free(enc);
	return *out ? 0 : SESAME_ENOMEM;
}

static int set_token(sesame_client *c, const char *token)
{
	char *copy = secmem_strdup(token);
	if (!copy)
		return SESAME_ENOMEM;
	pthread_mutex_lock(&c->mu);
	secmem_free(c->token);
	c->token = copy;
	c->token_gen++;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

static void client_destroy(sesame_client *c)
{
	for (size_t i = 0; i < SDK_MAX_CONNECTIONS; i++)
		api_free(c->conns[i].a);
	sdk_cache_clear(c);
	client_vaults_free(c->vaults, c->nvaults);
	session_free(c->base);
	secmem_free(c->sa_token);
	secmem_free(c->token);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->auth_mu);
	pthread_mutex_destroy(&c->vault_mu);
	pthread_mutex_destroy(&c->cache_mu);
	free(c);
}

static int copy_opt(char *dst, size_t cap, const char *src, const char *def, const char *what)
{
	if (!src)
		src = def;
	if ((size_t)snprintf(dst, cap, "%s", src) >= cap)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument", "%s is too long", what);
	return 0;
}

int sesame_client_new(sesame_client **out, const sesame_client_options *opts)
{
	static const sesame_client_options def = SESAME_CLIENT_OPTIONS_INIT;
	sesame_client *c;
	const char *tok, *key;
	int rc;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument", "no output given");
	*out = NULL;
	if (secmem_init() != 0)
		return SESAME_ERROR;
	if (!opts)
		opts = &def;
	if (opts->version != SESAME_CLIENT_OPTIONS_VERSION)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument",
					"client options version %u is not known (expected %u)",
					opts->version, SESAME_CLIENT_OPTIONS_VERSION);
	tok = opts->service_account_token;
	key = opts->session_key;
	if (tok && key)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument",
					"cannot use both a service-account token and a session");
	if (!tok && !key) {
		tok = getenv("SESAME_SERVICE_ACCOUNT_TOKEN");
		if (!tok || !*tok)
			tok = getenv("OP_SERVICE_ACCOUNT_TOKEN");
		if (!tok || !*tok) {
			tok = NULL;
			key = getenv("SESAME_SESSION");
			if (key && !*key)
				key = NULL;
		}
	}
	if (!tok && !key)
		return sesame_error_set(SESAME_EAUTH, "not_signed_in",
					"no credential: give a service-account token or a "
					"signed-in session (SESAME_SESSION)");

	c = calloc(1, sizeof *c);
	if (!c)
		return sesame_error_nomem();
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	pthread_mutex_init(&c->auth_mu, NULL);
	pthread_mutex_init(&c->vault_mu, NULL);
	pthread_mutex_init(&c->cache_mu, NULL);
	rc = copy_opt(c->iname, sizeof c->iname, opts->integration_name,
		      SESAME_DEFAULT_INTEGRATION_NAME, "integration name");
	rc = rc ? rc
		: copy_opt(c->iver, sizeof c->iver, opts->integration_version,
			   SESAME_DEFAULT_INTEGRATION_VERSION, "integration version");
	if (rc)
		goto fail;
	c->aopts.integration_name = c->iname;
	c->aopts.integration_version = c->iver;
	c->aopts.insecure = opts->insecure != 0;
	c->aopts.timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
	c->max_conns = opts->max_connections ? opts->max_connections : 8;
	if (c->max_conns > SDK_MAX_CONNECTIONS)
		c->max_conns = SDK_MAX_CONNECTIONS;
	c->retry.max_attempts = opts->max_attempts ? (int)opts->max_attempts : 3;
	c->retry.base_delay_ms = 50;
	c->retry.max_retry_after_s = (int)opts->max_retry_after_s;
	c->cache_ttl = opts->cache_ttl_s;

	if (tok) {
		if (opts->server_url) {
			rc = token_for_url(&c->sa_token, tok, opts->server_url);
		} else {
			c->sa_token = secmem_strdup(tok);
			rc = c->sa_token ? 0 : SESAME_ENOMEM;
		}
		rc = rc ? rc : session_signin_sa(&c->base, c->sa_token, &c->aopts);
	} else {
		rc = open_cli_session(&c->base, key, opts->session_file);
	}
	if (rc)
		goto fail;
	rc = copy_opt(c->url, sizeof c->url, opts->server_url, api_url(c->base->api),
		      "server address");
	if (rc)
		goto fail;
	c->aopts.url = c->url;
	if (!c->aopts.insecure && c->base->insecure)
		c->aopts.insecure = true;
	rc = set_token(c, api_session(c->base->api) ? api_session(c->base->api) : "");
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	client_destroy(c);
	return rc;
}

void sesame_client_free(sesame_client *c)
{
	if (c)
		client_destroy(c);
}

/* ---- the pool ---- */

int sdk_acquire(sdk_ctx *ctx, sesame_client *c)
{
	size_t i;
	int rc;

	memset(ctx, 0, sizeof *ctx);
	ctx->c = c;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		for (i = 0; i < c->max_conns; i++)
			if (!c->conns[i].busy)
				break;
		if (i < c->max_conns)
			break;
		pthread_cond_wait(&c->cv, &c->mu);
	}
	c->conns[i].busy = true;
	if (!c->conns[i].a) {
		/* Making a connection dials nothing; cheap enough under the lock. */
		rc = api_new(&c->conns[i].a, &c->aopts);
		if (rc) {
			c->conns[i].busy = false;
			pthread_mutex_unlock(&c->mu);
			return rc;
		}
		api_set_retry(c->conns[i].a, &c->retry);
		c->conns[i].gen = 0;
	}
	if (c->conns[i].gen != c->token_gen) {
		rc = api_set_session(c->conns[i].a, *c->token ? c->token : NULL);
		if (rc) {
			c->conns[i].busy = false;
			pthread_mutex_unlock(&c->mu);
			return rc;
		}
		c->conns[i].gen = c->token_gen;
	}
	ctx->slot = i;
	ctx->gen = c->token_gen;
	ctx->s = *c->base;
	ctx->s.api = c->conns[i].a;
	/* The session's own vault cache is single-threaded: the SDK keeps its own. */
	ctx->s.vcache = NULL;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

void sdk_release(sdk_ctx *ctx, int rc)
{
	sesame_client *c = ctx->c;
	sdk_conn *k = &c->conns[ctx->slot];

	if (rc == SESAME_ERATELIMIT)
		sdk_set_retry_after(api_retry_after(k->a));
	vcache_free(ctx->s.vcache);
	ctx->s.vcache = NULL;
	pthread_mutex_lock(&c->mu);
	if (api_session_refreshed(k->a) && api_session(k->a)) {
		char *copy = secmem_strdup(api_session(k->a));
		if (copy) {
			secmem_free(c->token);
			c->token = copy;
			c->token_gen++;
			k->gen = c->token_gen;
			(void)api_set_session(k->a, copy); /* clears the refreshed flag */
		}
	}
	if (rc == SESAME_ENETWORK) {
		/* Start afresh next time: a new connection, nothing left over. */
		api_free(k->a);
		k->a = NULL;
	}
	k->busy = false;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

int sdk_reauth(sesame_client *c, unsigned seen_gen)
{
	session *tmp = NULL;
	int rc = 0;

	if (!c->sa_token)
		return SESAME_ETOKEN_EXPIRED;
	pthread_mutex_lock(&c->auth_mu);
	pthread_mutex_lock(&c->mu);
	bool fresh = c->token_gen != seen_gen;
	pthread_mutex_unlock(&c->mu);
	if (!fresh) {
		rc = session_signin_sa(&tmp, c->sa_token, &c->aopts);
		if (rc == 0 && strcmp(tmp->me.id, c->base->me.id) != 0)
			rc = sesame_error_set(SESAME_EAUTH, "principal_changed",
					      "the token signed in as another principal");
		rc = rc ? rc : set_token(c, api_session(tmp->api));
		session_free(tmp);
	}
	pthread_mutex_unlock(&c->auth_mu);
	return rc;
}

/* ---- invoke ---- */

static int parse_params(json_t **out, const char *text)
{
	sjson_limits lim = {SDK_PARAMS_MAX, 16};
	char err[160];
	int code = 0;

	*out = NULL;
	if (!text)
		text = "{}";
	*out = sjson_parse(text, strlen(text), &lim, &code, err, sizeof err);
	if (!*out)
		return sesame_error_set(code ? code : SESAME_EINVAL, "invalid_params",
					"parameters are not valid json: %s", err);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return sesame_error_set(SESAME_EINVAL, "invalid_params",
					"parameters must be a json object");
	}
	return 0;
}

static bool reauth_worthy(int rc)
{
	return rc == SESAME_ETOKEN_EXPIRED ||
	       (rc == SESAME_ETOKEN_REVOKED &&
		strcmp(sesame_error_last()->kind, "session_revoked") == 0);
}

/* Runs an operation on a pooled connection; a service account signs in again once. */
static int run_with_pool(sesame_client *c, const char *name, const json_t *params, json_t **out)
{
	sdk_ctx ctx;
	int rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		rc = sdk_acquire(&ctx, c);
		if (rc)
			return rc;
		rc = sdk_run_operation(&ctx, name, params, out);
		sdk_release(&ctx, rc);
		if (attempt == 0 && c->sa_token && reauth_worthy(rc)) {
			int r2 = sdk_reauth(c, ctx.gen);
			if (r2)
				return r2;
			continue;
		}
		break;
	}
	return rc;
}

int sesame_client_invoke(sesame_client *c, const char *operation, const char *params_json,
			 char **out_json)
{
	json_t *params = NULL, *result = NULL;
	char *text = NULL;
	int rc;

	if (out_json)
		*out_json = NULL;
	sdk_set_retry_after(0);
	if (!c || !operation || !out_json)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument",
					"client, operation and output are required");
	if (!sdk_operation_known(operation))
		return sesame_error_set(SESAME_EUNSUPPORTED, "unknown_operation",
					"unknown operation '%.64s'", operation);
	rc = parse_params(&params, params_json);
	rc = rc ? rc : run_with_pool(c, operation, params, &result);
	if (rc)
		goto out;
	text = sjson_dump_wiped(result); /* an item's plaintext, maybe */
	if (!text) {
		rc = sesame_error_nomem();
		goto out;
	}
	*out_json = sdk_strdup_out(text, strlen(text));
	if (!*out_json)
		rc = SESAME_ENOMEM;
	else
		sesame_error_clear();
out:
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	item_jsonv_free(result);
	item_jsonv_free(params);
	return rc;
}

/* ---- typed conveniences ---- */

int sesame_secrets_resolve(char **out, sesame_client *c, const char *reference)
{
	char *v = NULL;
	int codes[1];

	if (!out)
		return sesame_error_set(SESAME_EINVAL, "invalid_argument", "no output given");
	*out = NULL;
	int rc = sesame_secrets_resolve_all(&v, codes, c, &reference, 1);
	if (rc)
		return rc;
	*out = v;
	return codes[0];
}

int sesame_secrets_resolve_all(char **out_values, int *out_codes, sesame_client *c,
			       const char *const *refs, size_t n)
{
	sdk_resolved *res = NULL;
	sdk_ctx ctx;
	int rc;

	sdk_set_retry_after(0);
	if (!out_values || !c || (!refs && n))
		return sesame_error_set(SESAME_EINVAL, "invalid_argument",
					"client, references and outputs are required");
	if (n > SDK_RESOLVE_MAX)
		return sesame_error_set(SESAME_ETOOBIG, "too_many",
					"at most %d references per call", SDK_RESOLVE_MAX);
	for (size_t i = 0; i < n; i++) {
		out_values[i] = NULL;
		if (out_codes)
			out_codes[i] = SESAME_ERROR;
	}
	if (n == 0)
		return 0;
	res = calloc(n, sizeof *res);
	if (!res)
		return sesame_error_nomem();
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = sdk_acquire(&ctx, c);
		if (rc)
			goto out;
		rc = sdk_resolve_many(&ctx, refs, n, res);
		sdk_release(&ctx, rc);
		if (attempt == 0 && c->sa_token && reauth_worthy(rc)) {
			rc = sdk_reauth(c, ctx.gen);
			if (rc)
				goto out;
			sdk_resolved_clear(res, n);
			continue;
		}
		break;
	}
	if (rc)
		goto out;
	int first = 0;
	for (size_t i = 0; i < n; i++) {
		if (out_codes)
			out_codes[i] = res[i].code;
		if (res[i].code == 0) {
			/* Already a sesame_free() block: handed over, not copied. */
			out_values[i] = res[i].value;
			res[i].value = NULL;
			if (!out_values[i]) {
				rc = sesame_error_nomem();
				break;
			}
		} else if (!first) {
			first = res[i].code;
			sesame_error_set(res[i].code, res[i].kind, "%s", res[i].message);
		}
	}
	if (rc) {
		for (size_t i = 0; i < n; i++) {
			sesame_free(out_values[i]);
			out_values[i] = NULL;
		}
	} else if (!first) {
		sesame_error_clear();
	}
out:
	if (res) {
		sdk_resolved_clear(res, n);
		free(res);
	}
	return rc;
}
