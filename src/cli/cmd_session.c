/* SPDX-License-Identifier: Apache-2.0 */
/* sesame signin, signout, whoami */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto/secmem.h"
#include "error.h"
#include "json.h"

static const cli_option signin_opts[] = {
	{"address", 0, CLI_ARG, "URL", "Sign-in address of the server"},
	{"email", 0, CLI_ARG, "EMAIL", "Your email address"},
	{"account", 0, CLI_ARG, "ID", "Account ID (from the emergency kit); remembered after use"},
	{"raw", 0, CLI_NOARG, NULL, "Print only the session key"},
	{"insecure", 0, CLI_NOARG, NULL, "Allow plain http to a host that is not loopback"},
};

static const cli_spec signin_spec = {
	"sesame signin --address URL --email EMAIL [--account ID]",
	"Signs in. The password, then the Secret Key, are read from the terminal\n"
	"without echo, or as two lines of stdin when stdin is not a terminal.\n"
	"Prints 'export SESAME_SESSION=...' for eval: eval $(sesame signin ...).\n"
	"The session is stored encrypted under that key (mode 0600); the file is\n"
	"useless without it.",
	signin_opts, sizeof signin_opts / sizeof signin_opts[0]};

int cmd_signin(int argc, char **argv)
{
	cli_args a;
	api *conn = NULL;
	session *s = NULL;
	char *pw = NULL, *sk = NULL, account[27], key[44];
	size_t pwlen = 0, sklen = 0;
	int rc = cli_parse(&a, &signin_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	const char *addr = cli_get(&a, "address"), *email = cli_get(&a, "email");
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (!addr || !email)
		return cli_usage_error("signin needs --address and --email");
	api_options o = {.url = addr, .insecure = cli_has(&a, "insecure")};
	if (api_new(&conn, &o) != 0)
		return cli_fail(NULL);
	if (cli_get(&a, "account")) {
		snprintf(account, sizeof account, "%s", cli_get(&a, "account"));
	} else if (cli_lookup_account(account, api_url(conn), email) != 0) {
		api_free(conn);
		return cli_fail(NULL);
	}
	rc = cli_read_secret(&pw, &pwlen, "Password: ");
	rc = rc ? rc : cli_read_secret(&sk, &sklen, "Secret Key: ");
	if (rc) {
		api_free(conn);
		goto out;
	}
	signin_user_input in = {account, email, pw, pwlen, sk};
	if (session_signin_user(&s, conn, &in) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	s->insecure = o.insecure;
	if (cli_store_session(s, o.insecure, key) != 0 ||
	    cli_remember_account(api_url(s->api), email, s->me.account_id) != 0) {
		rc = cli_fail("cannot store the session");
		goto out;
	}
	if (cli_has(&a, "raw"))
		printf("%s\n", key);
	else
		printf("export SESAME_SESSION=%s\n# This command is meant to be used with your "
		       "shell's eval function.\n# Run 'eval $(sesame signin ...)' to sign in.\n",
		       key);
	secmem_wipe(key, sizeof key);
	rc = CLI_EXIT_OK;
out:
	session_free(s);
	secmem_free(pw);
	secmem_free(sk);
	return rc;
}

static const cli_spec signout_spec = {"sesame signout",
				      "Ends the session in SESAME_SESSION on the server and "
				      "removes its file.",
				      NULL, 0};

int cmd_signout(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	int rc = cli_parse(&a, &signout_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	rc = session_signout(s);
	session_free(s);
	/* The local file goes even when the server already forgot the session. */
	if (cli_forget_session() != 0)
		return cli_fail(NULL);
	if (rc && rc != SESAME_EAUTH && rc != SESAME_ETOKEN_EXPIRED && rc != SESAME_ETOKEN_REVOKED)
		return cli_fail("cannot sign out");
	return CLI_EXIT_OK;
}

static const cli_option whoami_opts[] = {
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};
static const cli_spec whoami_spec = {"sesame whoami [--format json]",
				     "Shows who is signed in (asks the server, so an expired "
				     "session shows up here).",
				     whoami_opts, 1};

int cmd_whoami(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	json_t *w = NULL;
	bool json;
	int rc = cli_parse(&a, &whoami_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (session_whoami(s, &w) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	/* {"principal":{...},"url"} (sesamed) or the principal's keys inline. */
	client_principal me;
	json_t *pj = json_object_get(w, "principal");
	if (client_principal_from_json(&me, json_is_object(pj) ? pj : w) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	const char *url = json_string_value(json_object_get(w, "url"));
	if (!url)
		url = api_url(s->api);
	const char *type = strcmp(me.type, "service_account") == 0 ? "SERVICE_ACCOUNT" : "HUMAN";
	if (json) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "url", url, "email", me.email,
				      "name", me.name, "user_uuid", me.id, "account_uuid",
				      me.account_id, "user_type", type);
		char *t = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
		if (t)
			puts(t);
		free(t);
		json_decref(o);
	} else {
		printf("URL:          %s\n", url);
		if (me.email[0])
			printf("Email:        %s\n", me.email);
		if (me.name[0])
			printf("Name:         %s\n", me.name);
		printf("User ID:      %s\nUser Type:    %s\nAccount ID:   %s\n", me.id, type,
		       me.account_id);
	}
	cli_session_done(s);
	rc = CLI_EXIT_OK;
out:
	json_decref(w);
	session_free(s);
	return rc;
}

const cli_tree cli_tree_signin = {&signin_spec, NULL, 0};
const cli_tree cli_tree_signout = {&signout_spec, NULL, 0};
const cli_tree cli_tree_whoami = {&whoami_spec, NULL, 0};
