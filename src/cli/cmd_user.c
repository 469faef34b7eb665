/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sesame user invite|confirm|suspend|reactivate|list|get, and
 * sesame account join (the invitee's side of an invitation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client/people.h"
#include "crypto/secmem.h"
#include "error.h"

#define FORMAT_OPT                                                                                 \
	{                                                                                          \
		"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"            \
	}

static const cli_option format_opt[] = {FORMAT_OPT};
static const cli_option invite_opts[] = {
	{"name", 0, CLI_ARG, "NAME", "The person's name"},
	FORMAT_OPT,
};
static const cli_option join_opts[] = {
	{"address", 0, CLI_ARG, "URL", "Sign-in address of the server"},
	{"account", 0, CLI_ARG, "ID", "Account ID (from the invitation)"},
	{"user", 0, CLI_ARG, "ID", "Your user ID (from the invitation)"},
	{"email", 0, CLI_ARG, "EMAIL", "Your email address, as invited"},
	{"kit-file", 0, CLI_ARG, "PATH",
	 "Write the emergency kit to PATH (mode 0600) instead of stdout"},
	{"insecure", 0, CLI_NOARG, NULL, "Allow plain http to a host that is not loopback"},
};

static const cli_spec invite_spec = {
	"sesame user invite EMAIL [--name NAME] [--format json]",
	"Invites a person (administrators only). Prints the user ID and the invitation\n"
	"code, shown once: give both to the person, who runs 'sesame account join'.\n"
	"Once they have joined, confirm them with 'sesame user confirm'.",
	invite_opts, sizeof invite_opts / sizeof invite_opts[0]};
const cli_spec cli_spec_account_join = {
	"sesame account join --address URL --account ID --user ID --email EMAIL [flags]",
	"Accepts an invitation: makes your Secret Key and keys on this machine, and\n"
	"your Private vault. The invitation code, then the new password, are read\n"
	"from the terminal without echo, or as lines of stdin when stdin is not a\n"
	"terminal; never from the command line. Prints your emergency kit once.\n"
	"An administrator must then confirm you before you can sign in.",
	join_opts, sizeof join_opts / sizeof join_opts[0]};
static const cli_spec confirm_spec = {
	"sesame user confirm USER [--format json]",
	"Confirms a person who accepted an invitation (administrators only): seals\n"
	"the Team Members keys to them. USER is an id, an email or a name.",
	format_opt, 1};
static const cli_spec suspend_spec = {
	"sesame user suspend USER [--format json]",
	"Suspends a person (administrators only); their sessions end at once.", format_opt, 1};
static const cli_spec reactivate_spec = {"sesame user reactivate USER [--format json]",
					 "Reactivates a suspended person (administrators only).",
					 format_opt, 1};
static const cli_spec list_spec = {"sesame user list [--format json]",
				   "Lists the people and service accounts of the account (alias: "
				   "ls).",
				   format_opt, 1};
static const cli_spec get_spec = {"sesame user get USER [--format json]",
				  "Shows a person. USER is an id, an email or a name.", format_opt,
				  1};
static const cli_spec user_spec = {
	"sesame user <command> [flags]",
	"Invites, confirms, suspends and lists the people of the account.", NULL, 0};

static int print_json(json_t *o)
{
	char *t = o ? json_dumps(o, JSON_INDENT(2)) : NULL;

	json_decref(o);
	if (!t)
		return cli_error("out of memory");
	puts(t);
	free(t);
	return CLI_EXIT_OK;
}

static int print_user(const client_user *u, bool json)
{
	if (json)
		return print_json(people_user_json(u));
	printf("ID:          %s\nName:        %s\nEmail:       %s\nState:       %s\n"
	       "Type:        %s\nCreated:     %s\nUpdated:     %s\n",
	       u->id, u->name, u->email, u->state, u->type, u->created_at, u->updated_at);
	return CLI_EXIT_OK;
}

static int invite_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_user u;
	char *code = NULL;
	bool json;
	int rc = cli_parse(&a, &invite_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("user invite needs an email address");
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (people_invite(&u, &code, s, a.pos[0], cli_get(&a, "name")) != 0) {
		rc = cli_fail("cannot invite the user");
		goto out;
	}
	if (json) {
		json_t *o = people_user_json(&u);
		if (o)
			json_object_set_new(o, "invite_code", json_string(code));
		if (o)
			json_object_set_new(o, "account_id", json_string(s->me.account_id));
		if (o)
			json_object_set_new(o, "address", json_string(api_url(s->api)));
		char *t = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
		json_t *c = json_object_get(o, "invite_code");
		if (json_string_value(c))
			secmem_wipe((char *)json_string_value(c), strlen(json_string_value(c)));
		json_decref(o);
		if (!t) {
			rc = cli_error("out of memory");
			goto out;
		}
		puts(t);
		secmem_wipe(t, strlen(t));
		free(t);
	} else {
		printf("Invited '%s'.\n\nSign-in address:  %s\nAccount ID:       %s\n"
		       "User ID:          %s\nInvitation code:  %s\n\n"
		       "The code is shown once and is valid for 7 days. The person joins with\n"
		       "  sesame account join --address %s --account %s --user %s --email %s\n"
		       "and types the code when asked; then run 'sesame user confirm %s'.\n",
		       u.email, api_url(s->api), s->me.account_id, u.id, code, api_url(s->api),
		       s->me.account_id, u.id, u.email, u.email);
	}
	fflush(stdout);
	rc = CLI_EXIT_OK;
out:
	secmem_free(code);
	cli_session_done(s);
	session_free(s);
	return rc;
}

int cmd_account_join(int argc, char **argv)
{
	cli_args a;
	api *conn = NULL;
	account_kit *kit = NULL;
	char *code = NULL, *pw = NULL, *pw2 = NULL;
	size_t clen = 0, pwlen = 0, pw2len = 0;
	int rc = cli_parse(&a, &cli_spec_account_join, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	const char *addr = cli_get(&a, "address"), *aid = cli_get(&a, "account");
	const char *uid = cli_get(&a, "user"), *email = cli_get(&a, "email");
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (!addr || !aid || !uid || !email)
		return cli_usage_error(
			"account join needs --address, --account, --user and --email");
	people_accept_input in = {.account_id = aid, .user_id = uid, .email = email};
	if (client_kdf_params(&in.kdf) != 0)
		return cli_fail(NULL);
	api_options o = {.url = addr, .insecure = cli_has(&a, "insecure")};
	if (api_new(&conn, &o) != 0)
		return cli_fail(NULL);
	rc = cli_read_secret(&code, &clen, "Invitation code: ");
	if (rc)
		goto out;
	if (clen == 0) {
		rc = cli_error("invitation code is empty");
		goto out;
	}
	rc = cli_read_secret(&pw, &pwlen, "New password: ");
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
	in.invite_code = code;
	in.password = pw;
	in.password_len = pwlen;
	if (people_accept(&kit, conn, &in) != 0) {
		rc = cli_fail("cannot join the account");
		goto out;
	}
	if (cli_remember_account(kit->address, kit->email, kit->account_id) != 0 ||
	    cli_write_kit(kit, cli_get(&a, "kit-file")) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	if (cli_get(&a, "kit-file"))
		printf("joined account %s; emergency kit written to '%s'\n", kit->account_id,
		       cli_get(&a, "kit-file"));
	printf("An administrator must confirm you before you can sign in.\n");
	rc = CLI_EXIT_OK;
out:
	account_kit_free(kit);
	secmem_free(code);
	secmem_free(pw);
	secmem_free(pw2);
	api_free(conn);
	return rc;
}

static int list_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_user *list = NULL;
	size_t n = 0;
	bool json;
	int rc = cli_parse(&a, &list_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (people_list(&list, &n, s) != 0) {
		rc = cli_fail("cannot list users");
	} else if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, people_user_json(&list[i]));
		rc = print_json(arr);
	} else {
		printf("%-28s%-24s%-32s%-12s%s\n", "ID", "NAME", "EMAIL", "STATE", "TYPE");
		for (size_t i = 0; i < n; i++)
			printf("%-28s%-24s%-32s%-12s%s\n", list[i].id, list[i].name, list[i].email,
			       list[i].state, list[i].type);
		rc = CLI_EXIT_OK;
	}
	free(list);
	cli_session_done(s);
	session_free(s);
	return rc;
}

enum user_verb { V_GET, V_CONFIRM, V_SUSPEND, V_REACTIVATE };

static int one_user_cmd(int argc, char **argv, const cli_spec *spec, enum user_verb verb)
{
	static const char *const what[] = {NULL, "cannot confirm the user",
					   "cannot suspend the user", "cannot reactivate the user"};
	cli_args a;
	session *s = NULL;
	client_user u;
	bool json;
	int rc = cli_parse(&a, spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("user %s needs a user id, email or name", argv[0]);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	rc = people_find(&u, s, a.pos[0]);
	if (rc == 0 && verb == V_CONFIRM)
		rc = people_confirm(s, &u);
	else if (rc == 0 && verb == V_SUSPEND)
		rc = people_suspend(s, &u);
	else if (rc == 0 && verb == V_REACTIVATE)
		rc = people_reactivate(s, &u);
	if (rc)
		rc = cli_fail(what[verb]);
	else if (verb == V_GET || json)
		rc = print_user(&u, json);
	else
		rc = CLI_EXIT_OK;
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int confirm_cmd(int argc, char **argv)
{
	return one_user_cmd(argc, argv, &confirm_spec, V_CONFIRM);
}

static int suspend_cmd(int argc, char **argv)
{
	return one_user_cmd(argc, argv, &suspend_spec, V_SUSPEND);
}

static int reactivate_cmd(int argc, char **argv)
{
	return one_user_cmd(argc, argv, &reactivate_spec, V_REACTIVATE);
}

static int get_cmd(int argc, char **argv)
{
	return one_user_cmd(argc, argv, &get_spec, V_GET);
}

static const cli_node user_subs[] = {
	{"invite", NULL, "Invite a person", invite_cmd, &invite_spec, NULL},
	{"confirm", NULL, "Confirm a person who joined", confirm_cmd, &confirm_spec, NULL},
	{"suspend", NULL, "Suspend a person", suspend_cmd, &suspend_spec, NULL},
	{"reactivate", NULL, "Reactivate a suspended person", reactivate_cmd, &reactivate_spec,
	 NULL},
	{"list", "ls", "List people", list_cmd, &list_spec, NULL},
	{"get", NULL, "Show a person", get_cmd, &get_spec, NULL},
};

const cli_tree cli_tree_user = {&user_spec, user_subs, sizeof user_subs / sizeof user_subs[0]};

int cmd_user(int argc, char **argv)
{
	return cli_dispatch(&cli_tree_user, "user", argc, argv);
}
