/* SPDX-License-Identifier: Apache-2.0 */
/* sesame account create */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client/account.h"
#include "crypto/secmem.h"
#include "error.h"

static const cli_option create_opts[] = {
	{"address", 0, CLI_ARG, "URL",
	 "Sign-in address of the server (e.g. https://sesame.example)"},
	{"email", 0, CLI_ARG, "EMAIL", "Email address of the owner"},
	{"name", 0, CLI_ARG, "NAME", "Name of the owner"},
	{"account-name", 0, CLI_ARG, "NAME", "Name of the account (default: the owner's name)"},
	{"kit-file", 0, CLI_ARG, "PATH",
	 "Write the emergency kit to PATH (mode 0600) instead of stdout"},
	{"insecure", 0, CLI_NOARG, NULL, "Allow plain http to a host that is not loopback"},
};

static const cli_spec create_spec = {
	"sesame account create --address URL --email EMAIL --name NAME [flags]",
	"Creates an account and its owner. The password is read from the terminal\n"
	"without echo, or as one line of stdin when stdin is not a terminal; it is\n"
	"never taken from the command line. The emergency kit (sign-in address,\n"
	"email, account ID and Secret Key) is shown once: store it safely.\n"
	"SESAME_KDF=interactive lowers the password hashing cost, for tests only.",
	create_opts, sizeof create_opts / sizeof create_opts[0]};

static const cli_spec account_spec = {"sesame account <command> [flags]",
				      "Creates an account, joins one, or shows its rate limits.",
				      NULL, 0};

int cli_write_kit(const account_kit *kit, const char *path)
{
	char text[4096];
	int n = snprintf(text, sizeof text,
			 "Sesame emergency kit\n"
			 "Keep it safe: without the Secret Key nobody, not even the server's\n"
			 "operator, can recover this account.\n\n"
			 "Sign-in address:  %s\n"
			 "Email:            %s\n"
			 "Account ID:       %s\n"
			 "Secret Key:       %s\n",
			 kit->address, kit->email, kit->account_id, kit->secret_key);
	int rc = 0;
	if (n < 0 || (size_t)n >= sizeof text)
		rc = sesame_error_set(SESAME_EINVAL, NULL, "emergency kit is too long");
	else if (path)
		rc = cli_write_private(path, text, (size_t)n);
	else if (fputs(text, stdout) < 0 || fflush(stdout) != 0)
		rc = sesame_error_set(SESAME_EIO, "io_error", "cannot write the emergency kit");
	secmem_wipe(text, sizeof text);
	return rc;
}

static int account_create_cmd(int argc, char **argv)
{
	cli_args a;
	api *conn = NULL;
	account_kit *kit = NULL;
	char *pw = NULL, *pw2 = NULL;
	size_t pwlen = 0, pw2len = 0;
	int rc = cli_parse(&a, &create_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	const char *addr = cli_get(&a, "address"), *email = cli_get(&a, "email");
	const char *name = cli_get(&a, "name");
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (!addr || !email || !name)
		return cli_usage_error("account create needs --address, --email and --name");
	account_create_input in = {
		.account_name = cli_get(&a, "account-name") ? cli_get(&a, "account-name") : name,
		.email = email,
		.user_name = name,
	};
	if (client_kdf_params(&in.kdf) != 0)
		return cli_fail(NULL);
	api_options o = {.url = addr, .insecure = cli_has(&a, "insecure")};
	if (api_new(&conn, &o) != 0)
		return cli_fail(NULL);
	rc = cli_read_secret(&pw, &pwlen, "Password: ");
	if (rc)
		goto out;
	if (pwlen == 0) {
		rc = cli_error("password is empty");
		goto out;
	}
	if (isatty(0)) {
		rc = cli_read_secret(&pw2, &pw2len, "Password again: ");
		if (rc)
			goto out;
		if (pw2len != pwlen || memcmp(pw, pw2, pwlen) != 0) {
			rc = cli_error("passwords do not match");
			goto out;
		}
	}
	in.password = pw;
	in.password_len = pwlen;
	if (account_create(&kit, conn, &in) != 0) {
		rc = cli_fail("cannot create the account");
		goto out;
	}
	if (cli_remember_account(kit->address, kit->email, kit->account_id) != 0 ||
	    cli_write_kit(kit, cli_get(&a, "kit-file")) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	if (cli_get(&a, "kit-file"))
		printf("account %s created; emergency kit written to '%s'\n", kit->account_id,
		       cli_get(&a, "kit-file"));
	rc = CLI_EXIT_OK;
out:
	account_kit_free(kit);
	secmem_free(pw);
	secmem_free(pw2);
	api_free(conn);
	return rc;
}

static const cli_node account_subs[] = {
	/* op's `account add` adds an account to this machine: that is signing in. */
	{"add", NULL, "Add an account to this machine: sign in, as signin does", cmd_signin,
	 NULL, &cli_tree_signin},
	{"create", NULL, "Create an account and its owner", account_create_cmd, &create_spec,
	 NULL},
	{"join", NULL, "Accept an invitation to an account", cmd_account_join,
	 &cli_spec_account_join, NULL},
	{"ratelimit", NULL, "Show or change the account's rate limits", cmd_account_ratelimit,
	 &cli_spec_account_ratelimit, NULL},
};

const cli_tree cli_tree_account = {&account_spec, account_subs,
				   sizeof account_subs / sizeof account_subs[0]};

int cmd_account(int argc, char **argv)
{
	return cli_dispatch(&cli_tree_account, "account", argc, argv);
}
