/* SPDX-License-Identifier: Apache-2.0 */
/* sesame group create|list|get|delete, sesame group user add|remove|list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/groups.h"
#include "error.h"

#define FORMAT_OPT                                                                                 \
	{                                                                                          \
		"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"            \
	}

static const cli_option format_opt[] = {FORMAT_OPT};
static const cli_option create_opts[] = {
	{"description", 0, CLI_ARG, "TEXT", "Description of the group"},
	FORMAT_OPT,
};
static const cli_option member_opts[] = {
	{"group", 0, CLI_ARG, "GROUP", "The group: name or id"},
	{"user", 0, CLI_ARG, "USER", "The person: id, email or name"},
};

static const cli_spec create_spec = {
	"sesame group create NAME [--description TEXT] [--format json]",
	"Creates a group (administrators only). Its keys are made here and sealed to\n"
	"you, its first member: only members can add members.",
	create_opts, sizeof create_opts / sizeof create_opts[0]};
static const cli_spec list_spec = {"sesame group list [--format json]",
				   "Lists the groups of the account (alias: ls).", format_opt, 1};
static const cli_spec get_spec = {"sesame group get GROUP [--format json]",
				  "Shows a group. GROUP is a name or an id.", format_opt, 1};
static const cli_spec delete_spec = {"sesame group delete GROUP",
				     "Deletes a group with its memberships and vault access "
				     "(administrators only; built-in groups stay; alias: rm).",
				     NULL, 0};
static const cli_spec add_spec = {
	"sesame group user add --group GROUP --user USER",
	"Adds a person to a group (administrators who are members of the group): seals\n"
	"the group's keys to them. Vault access through the group applies at once.",
	member_opts, 2};
static const cli_spec remove_spec = {
	"sesame group user remove --group GROUP --user USER",
	"Removes a person from a group (administrators only); their access through\n"
	"the group ends at once.",
	member_opts, 2};
static const cli_spec ulist_spec = {"sesame group user list GROUP [--format json]",
				    "Lists the members of a group (alias: ls).", format_opt, 1};
static const cli_spec group_spec = {
	"sesame group <command> [flags]",
	"Manages groups and their members.", NULL, 0};
static const cli_spec user_spec = {"sesame group user <command> [flags]",
				   "Adds, removes or lists the members of a group.", NULL, 0};

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

static int print_group(const client_group *g, bool json)
{
	if (json)
		return print_json(group_json(g));
	printf("ID:           %s\nName:         %s\nDescription:  %s\nType:         %s\n"
	       "State:        %s\nCreated:      %s\nUpdated:      %s\n",
	       g->id, g->name, g->description, g->type, g->state, g->created_at, g->updated_at);
	return CLI_EXIT_OK;
}

/* Parses, checks --format and the number of positionals (want), loads the session. */
static int start(cli_args *a, const cli_spec *spec, int argc, char **argv, int want,
		 const char *need, bool *json, session **s)
{
	int rc = cli_parse(a, spec, argc, argv);

	*s = NULL;
	if (rc)
		return rc == 1 ? -1 : rc;
	*json = false;
	if (json && (rc = cli_format(a, json)) != 0)
		return rc;
	if (a->npos > want)
		return cli_usage_error("unexpected argument '%s'", a->pos[want]);
	if (a->npos < want)
		return cli_usage_error("%s", need);
	if (cli_load_session(s) != 0)
		return cli_fail(NULL);
	return 0;
}

static int finish(session *s, int rc)
{
	cli_session_done(s);
	session_free(s);
	return rc;
}

#define START(spec, want, need)                                                                    \
	do {                                                                                       \
		int _rc = start(&a, spec, argc, argv, want, need, &json, &s);                      \
		if (_rc)                                                                           \
			return _rc < 0 ? CLI_EXIT_OK : _rc;                                        \
	} while (0)

static int create_cmd(int argc, char **argv)
{
	cli_args a;
	session *s;
	client_group g;
	bool json;

	START(&create_spec, 1, "group create needs a name");
	if (group_create(&g, s, a.pos[0], cli_get(&a, "description")) != 0)
		return finish(s, cli_fail("cannot create the group"));
	return finish(s, print_group(&g, json));
}

static int list_cmd(int argc, char **argv)
{
	cli_args a;
	session *s;
	client_group *list = NULL;
	size_t n = 0;
	bool json;
	int rc;

	START(&list_spec, 0, "");
	if (groups_list(&list, &n, s) != 0) {
		rc = cli_fail("cannot list groups");
	} else if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, group_json(&list[i]));
		rc = print_json(arr);
	} else {
		printf("%-28s%-28s%s\n", "ID", "NAME", "TYPE");
		for (size_t i = 0; i < n; i++)
			printf("%-28s%-28s%s\n", list[i].id, list[i].name, list[i].type);
		rc = CLI_EXIT_OK;
	}
	free(list);
	return finish(s, rc);
}

static int get_cmd(int argc, char **argv)
{
	cli_args a;
	session *s;
	client_group g;
	bool json;

	START(&get_spec, 1, "group get needs a group name or id");
	if (group_find(&g, s, a.pos[0]) != 0)
		return finish(s, cli_fail(NULL));
	return finish(s, print_group(&g, json));
}

static int delete_cmd(int argc, char **argv)
{
	cli_args a;
	session *s;
	client_group g;
	int rc = cli_parse(&a, &delete_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("group delete needs a group name or id");
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (group_find(&g, s, a.pos[0]) != 0)
		return finish(s, cli_fail(NULL));
	if (group_delete(s, &g) != 0)
		return finish(s, cli_fail("cannot delete the group"));
	return finish(s, CLI_EXIT_OK);
}

static int member_cmd(int argc, char **argv, bool add)
{
	cli_args a;
	session *s;
	client_group g;
	client_user u;
	int rc = cli_parse(&a, add ? &add_spec : &remove_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (!cli_get(&a, "group") || !cli_get(&a, "user"))
		return cli_usage_error("group user %s needs --group and --user",
				       add ? "add" : "remove");
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (group_find(&g, s, cli_get(&a, "group")) != 0 ||
	    people_find(&u, s, cli_get(&a, "user")) != 0)
		return finish(s, cli_fail(NULL));
	rc = add ? group_member_add(s, &g, &u) : group_member_remove(s, &g, &u);
	if (rc)
		return finish(s, cli_fail(add ? "cannot add the user to the group"
					      : "cannot remove the user from the group"));
	return finish(s, CLI_EXIT_OK);
}

static int members_cmd(int argc, char **argv)
{
	cli_args a;
	session *s;
	client_group g;
	client_user *list = NULL;
	size_t n = 0;
	bool json;
	int rc;

	START(&ulist_spec, 1, "group user list needs a group name or id");
	if (group_find(&g, s, a.pos[0]) != 0)
		return finish(s, cli_fail(NULL));
	if (group_members(&list, &n, s, &g) != 0) {
		rc = cli_fail("cannot list the members");
	} else if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < n; i++) {
			json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:s}", "id", list[i].id, "name",
					      list[i].name, "email", list[i].email, "state",
					      client_enum_json(list[i].state), "role", "MEMBER");
			json_array_append_new(arr, o);
		}
		rc = print_json(arr);
	} else {
		printf("%-28s%-24s%-32s%s\n", "ID", "NAME", "EMAIL", "STATE");
		for (size_t i = 0; i < n; i++)
			printf("%-28s%-24s%-32s%s\n", list[i].id, list[i].name, list[i].email,
			       list[i].state);
		rc = CLI_EXIT_OK;
	}
	free(list);
	return finish(s, rc);
}

static int add_cmd(int argc, char **argv)
{
	return member_cmd(argc, argv, true);
}

static int remove_cmd(int argc, char **argv)
{
	return member_cmd(argc, argv, false);
}

static const cli_node user_subs[] = {
	{"add", "grant", "Add a person to a group", add_cmd, &add_spec, NULL},
	{"remove", "revoke rm", "Remove a person from a group", remove_cmd, &remove_spec, NULL},
	{"list", "ls", "List a group's members", members_cmd, &ulist_spec, NULL},
};

static const cli_tree user_tree = {&user_spec, user_subs, sizeof user_subs / sizeof user_subs[0]};

static int user_sub(int argc, char **argv)
{
	return cli_dispatch(&user_tree, "group user", argc, argv);
}

static const cli_node group_subs[] = {
	{"create", NULL, "Create a group", create_cmd, &create_spec, NULL},
	{"list", "ls", "List groups", list_cmd, &list_spec, NULL},
	{"get", NULL, "Show a group", get_cmd, &get_spec, NULL},
	{"delete", "rm remove", "Delete a group", delete_cmd, &delete_spec, NULL},
	{"user", NULL, "Add, remove or list members", user_sub, NULL, &user_tree},
};

const cli_tree cli_tree_group = {&group_spec, group_subs, sizeof group_subs / sizeof group_subs[0]};

int cmd_group(int argc, char **argv)
{
	return cli_dispatch(&cli_tree_group, "group", argc, argv);
}
