/* SPDX-License-Identifier: Apache-2.0 */
/* sesame vault create|list|get|edit|delete */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/opjson.h"
#include "client/vaults.h"
#include "error.h"

static const cli_option format_opt[] = {
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

static const cli_option create_opts[] = {
	{"description", 0, CLI_ARG, "TEXT", "Description of the vault"},
	{"allow-admins-to-manage", 0, CLI_ARG, "true|false",
	 "Let the Administrators group manage the vault (default true)"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

static const cli_option edit_opts[] = {
	{"name", 0, CLI_ARG, "NAME", "New name"},
	{"description", 0, CLI_ARG, "TEXT", "New description"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

static const cli_spec create_spec = {"sesame vault create NAME [flags]",
				     "Creates a vault. Its key is made here and sealed to you "
				     "(and to Administrators).",
				     create_opts, 3};
static const cli_spec list_spec = {"sesame vault list [--format json]",
				   "Lists the vaults you can see (alias: ls).", format_opt, 1};
static const cli_spec get_spec = {"sesame vault get NAME|ID [--format json]", "Shows a vault.",
				  format_opt, 1};
static const cli_spec edit_spec = {"sesame vault edit NAME|ID [--name NAME] [--description TEXT]",
				   "Changes a vault's name or description.", edit_opts, 3};
static const cli_spec delete_spec = {"sesame vault delete NAME|ID",
				     "Deletes a vault and every item in it (alias: rm).", NULL, 0};
static const cli_spec vault_spec = {
	"sesame vault <command> [flags]",
	"Manages vaults, and the access people and groups have to them.", NULL, 0};

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

static int print_vault(const client_vault *v, bool json)
{
	if (json)
		return print_json(opjson_vault(v, true));
	printf("ID:                   %s\nName:                 %s\n", v->id, v->name);
	if (v->description && *v->description)
		printf("Description:          %s\n", v->description);
	printf("Type:                 %s\nAttribute version:    %llu\nContent version:      "
	       "%llu\nItems:                %lld\nCreated:              %s\nUpdated:              "
	       "%s\n",
	       v->type, (unsigned long long)v->attribute_version,
	       (unsigned long long)v->content_version, v->items, v->created_at, v->updated_at);
	return CLI_EXIT_OK;
}

static int one_positional(const cli_args *a, const char *what)
{
	if (a->npos == 0)
		return cli_usage_error("%s needs a vault name or id", what);
	if (a->npos > 1)
		return cli_usage_error("unexpected argument '%s'", a->pos[1]);
	return 0;
}

static int vault_create_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	bool json, admins = true;
	int rc = cli_parse(&a, &create_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("vault create needs a name");
	const char *am = cli_get(&a, "allow-admins-to-manage");
	if (am && strcmp(am, "true") == 0)
		admins = true;
	else if (am && strcmp(am, "false") == 0)
		admins = false;
	else if (am)
		return cli_usage_error("--allow-admins-to-manage takes 'true' or 'false', not '%s'",
				       am);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (vault_create(&v, s, a.pos[0], cli_get(&a, "description"), admins) != 0) {
		rc = cli_fail("cannot create the vault");
	} else {
		rc = print_vault(&v, json);
		client_vault_clear(&v);
	}
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int vault_list_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault *list = NULL;
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
	if (vaults_list(&list, &n, s) != 0) {
		rc = cli_fail("cannot list vaults");
	} else if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, opjson_vault(&list[i], false));
		rc = print_json(arr);
	} else {
		printf("%-28s%s\n", "ID", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-28s%s\n", list[i].id, list[i].name);
		rc = CLI_EXIT_OK;
	}
	client_vaults_free(list, n);
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int vault_get_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	bool json;
	int rc = cli_parse(&a, &get_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0 || (rc = one_positional(&a, "vault get")) != 0)
		return rc;
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (vault_find(&v, s, a.pos[0]) != 0) {
		rc = cli_fail(NULL);
	} else {
		rc = print_vault(&v, json);
		client_vault_clear(&v);
	}
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int vault_edit_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	bool json;
	int rc = cli_parse(&a, &edit_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0 || (rc = one_positional(&a, "vault edit")) != 0)
		return rc;
	if (!cli_get(&a, "name") && !cli_get(&a, "description"))
		return cli_usage_error("vault edit needs --name or --description");
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (vault_find(&v, s, a.pos[0]) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	if (vault_edit(s, &v, cli_get(&a, "name"), cli_get(&a, "description")) != 0)
		rc = cli_fail("cannot edit the vault");
	else
		rc = json ? print_vault(&v, true) : CLI_EXIT_OK;
	client_vault_clear(&v);
out:
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int vault_delete_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	int rc = cli_parse(&a, &delete_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = one_positional(&a, "vault delete")) != 0)
		return rc;
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (vault_find(&v, s, a.pos[0]) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	rc = vault_delete(s, &v) != 0 ? cli_fail("cannot delete the vault") : CLI_EXIT_OK;
	client_vault_clear(&v);
out:
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int vault_user_cmd(int argc, char **argv)
{
	return cmd_vault_access(argc, argv, false);
}

static int vault_group_cmd(int argc, char **argv)
{
	return cmd_vault_access(argc, argv, true);
}

static const cli_node vault_subs[] = {
	{"create", NULL, "Create a vault", vault_create_cmd, &create_spec, NULL},
	{"list", "ls", "List vaults", vault_list_cmd, &list_spec, NULL},
	{"get", NULL, "Show a vault", vault_get_cmd, &get_spec, NULL},
	{"edit", NULL, "Change a vault's name or description", vault_edit_cmd, &edit_spec, NULL},
	{"delete", "rm remove", "Delete a vault", vault_delete_cmd, &delete_spec, NULL},
	{"user", NULL, "Grant, revoke or list people's access", vault_user_cmd, NULL,
	 &cli_tree_vault_user},
	{"group", NULL, "Grant, revoke or list groups' access", vault_group_cmd, NULL,
	 &cli_tree_vault_group},
};

const cli_tree cli_tree_vault = {&vault_spec, vault_subs, sizeof vault_subs / sizeof vault_subs[0]};

int cmd_vault(int argc, char **argv)
{
	return cli_dispatch(&cli_tree_vault, "vault", argc, argv);
}
