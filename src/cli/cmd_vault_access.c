/* SPDX-License-Identifier: Apache-2.0 */
/* sesame vault user|group grant|revoke|list (dispatched from cmd_vault.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/access.h"
#include "client/groups.h"
#include "client/people.h"
#include "client/vaults.h"
#include "error.h"

static const cli_option user_opts[] = {
	{"vault", 0, CLI_ARG, "VAULT", "The vault: name or id"},
	{"user", 0, CLI_ARG, "USER", "The person: id, email or name"},
	{"permissions", 0, CLI_ARG, "LIST",
	 "Comma-separated permissions (1Password names, or allow_viewing, allow_editing, "
	 "allow_managing)"},
	{"no-input", 0, CLI_NOARG, NULL, "Never prompt (sesame never does; accepted for op)"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};
static const cli_option group_opts[] = {
	{"vault", 0, CLI_ARG, "VAULT", "The vault: name or id"},
	{"group", 0, CLI_ARG, "GROUP", "The group: name or id"},
	{"permissions", 0, CLI_ARG, "LIST",
	 "Comma-separated permissions (1Password names, or allow_viewing, allow_editing, "
	 "allow_managing)"},
	{"no-input", 0, CLI_NOARG, NULL, "Never prompt (sesame never does; accepted for op)"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};
static const cli_option list_opts[] = {
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

#define DEPS_TEXT                                                                                  \
	"Dependencies are never added for you: a permission whose dependency is\n"                 \
	"missing is an error naming it (view_and_copy_passwords and create_items need\n"           \
	"view_items; edit_items and view_item_history need view_and_copy_passwords;\n"             \
	"archive_items and delete_items need edit_items; import_items needs create_items;\n"       \
	"export_items, copy_and_share_items and print_items need view_item_history)."

static const cli_spec ugrant_spec = {
	"sesame vault user grant --vault VAULT --user USER --permissions LIST",
	"Grants a person permissions on a vault (you need manage_vault). The vault key\n"
	"is sealed to them. Permissions they already have are kept.\n" DEPS_TEXT,
	user_opts, 5};
static const cli_spec urevoke_spec = {
	"sesame vault user revoke --vault VAULT --user USER [--permissions LIST]",
	"Revokes a person's permissions on a vault; without --permissions, all of them\n"
	"(their access ends at once, whatever keys they cached).",
	user_opts, 5};
static const cli_spec ggrant_spec = {
	"sesame vault group grant --vault VAULT --group GROUP --permissions LIST",
	"Grants a group permissions on a vault (you need manage_vault). The vault key\n"
	"is sealed to the group. Permissions it already has are kept.\n" DEPS_TEXT,
	group_opts, 5};
static const cli_spec grevoke_spec = {
	"sesame vault group revoke --vault VAULT --group GROUP [--permissions LIST]",
	"Revokes a group's permissions on a vault; without --permissions, all of them.", group_opts,
	5};
static const cli_spec ulist_spec = {"sesame vault user list VAULT [--format json]",
				    "Lists the people with access of their own to a vault.",
				    list_opts, 1};
static const cli_spec glist_spec = {"sesame vault group list VAULT [--format json]",
				    "Lists the groups with access to a vault.", list_opts, 1};
static const cli_spec usub_spec = {"sesame vault user <command> [flags]",
				   "Grants, revokes or lists people's access to a vault.", NULL, 0};
static const cli_spec gsub_spec = {"sesame vault group <command> [flags]",
				   "Grants, revokes or lists groups' access to a vault.", NULL, 0};

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

static int finish(session *s, client_vault *v, int rc)
{
	if (v)
		client_vault_clear(v);
	cli_session_done(s);
	session_free(s);
	return rc;
}

static json_t *user_entry(const client_user *u, uint32_t perms)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "id", u->id, "name", u->name, "email",
			      u->email, "type", client_enum_json(u->type), "state",
			      client_enum_json(u->state), "permissions", access_perms_json(perms));
	return o;
}

static json_t *group_entry(const client_group *g, uint32_t perms)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:o}", "id", g->id, "name", g->name,
			 "description", g->description, "state", client_enum_json(g->state),
			 "created_at", g->created_at, "updated_at", g->updated_at, "permissions",
			 access_perms_json(perms));
}

static int change_cmd(int argc, char **argv, bool group, bool grant)
{
	const cli_spec *spec = group ? (grant ? &ggrant_spec : &grevoke_spec)
				     : (grant ? &ugrant_spec : &urevoke_spec);
	const char *who = group ? "group" : "user";
	cli_args a;
	session *s = NULL;
	client_vault v;
	client_user u;
	client_group g;
	uint32_t bits = 0, result = 0;
	char text[512];
	bool json;
	int rc = cli_parse(&a, spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (!cli_get(&a, "vault") || !cli_get(&a, who))
		return cli_usage_error("vault %s %s needs --vault and --%s", who,
				       grant ? "grant" : "revoke", who);
	const char *plist = cli_get(&a, "permissions");
	if (grant && !plist)
		return cli_usage_error("vault %s grant needs --permissions", who);
	if (plist && access_perms_parse(&bits, plist) != 0)
		return cli_usage_error("%s", sesame_error_last()->message);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (vault_find(&v, s, cli_get(&a, "vault")) != 0)
		return finish(s, NULL, cli_fail(NULL));
	const char *pid, *label;
	if (group) {
		rc = group_find(&g, s, cli_get(&a, who));
		pid = g.id;
		label = g.name;
	} else {
		rc = people_find(&u, s, cli_get(&a, who));
		pid = u.id;
		label = u.email;
	}
	if (rc)
		return finish(s, &v, cli_fail(NULL));
	rc = grant ? access_grant(&result, s, &v, pid, label, bits)
		   : access_revoke(&result, s, &v, pid, label, bits);
	if (rc)
		return finish(s, &v, cli_fail(NULL));
	if (json) {
		rc = print_json(group ? group_entry(&g, result) : user_entry(&u, result));
	} else {
		access_perms_text(text, sizeof text, result);
		if (result)
			printf("%s '%s' now has on vault '%s': %s\n", who, label, v.name, text);
		else
			printf("%s '%s' no longer has access of its own to vault '%s'\n", who,
			       label, v.name);
		rc = CLI_EXIT_OK;
	}
	return finish(s, &v, rc);
}

static int list_cmd(int argc, char **argv, bool group)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	client_access *acc = NULL;
	client_user *users = NULL;
	client_group *groups = NULL;
	size_t nacc = 0, nusers = 0, ngroups = 0;
	char text[512];
	json_t *arr = NULL;
	bool json;
	int rc = cli_parse(&a, group ? &glist_spec : &ulist_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("vault %s list needs a vault name or id",
						group ? "group" : "user");
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (vault_find(&v, s, a.pos[0]) != 0)
		return finish(s, NULL, cli_fail(NULL));
	rc = access_list(&acc, &nacc, s, &v);
	if (rc == SESAME_EPERM)
		sesame_error_prefix("cannot list access to vault '%s'", v.name);
	if (rc == 0)
		rc = group ? groups_list(&groups, &ngroups, s) : people_list(&users, &nusers, s);
	if (rc) {
		rc = cli_fail(NULL);
		goto out;
	}
	arr = json_array();
	if (!json)
		printf(group ? "%-28s%-24s%s\n" : "%-28s%-32s%s\n", "ID", group ? "NAME" : "EMAIL",
		       "PERMISSIONS");
	for (size_t i = 0; arr && i < nacc; i++) {
		access_perms_text(text, sizeof text, acc[i].permissions);
		for (size_t j = 0; !group && j < nusers; j++) {
			if (strcmp(users[j].id, acc[i].principal_id) != 0)
				continue;
			if (json)
				json_array_append_new(arr,
						      user_entry(&users[j], acc[i].permissions));
			else
				printf("%-28s%-32s%s\n", users[j].id, users[j].email, text);
		}
		for (size_t j = 0; group && j < ngroups; j++) {
			if (strcmp(groups[j].id, acc[i].principal_id) != 0)
				continue;
			if (json)
				json_array_append_new(arr,
						      group_entry(&groups[j], acc[i].permissions));
			else
				printf("%-28s%-24s%s\n", groups[j].id, groups[j].name, text);
		}
	}
	if (json) {
		rc = print_json(arr);
		arr = NULL;
	} else {
		rc = CLI_EXIT_OK;
	}
out:
	json_decref(arr);
	free(acc);
	free(users);
	free(groups);
	return finish(s, &v, rc);
}

static int ugrant_cmd(int argc, char **argv)
{
	return change_cmd(argc, argv, false, true);
}

static int urevoke_cmd(int argc, char **argv)
{
	return change_cmd(argc, argv, false, false);
}

static int ulist_cmd(int argc, char **argv)
{
	return list_cmd(argc, argv, false);
}

static int ggrant_cmd(int argc, char **argv)
{
	return change_cmd(argc, argv, true, true);
}

static int grevoke_cmd(int argc, char **argv)
{
	return change_cmd(argc, argv, true, false);
}

static int glist_cmd(int argc, char **argv)
{
	return list_cmd(argc, argv, true);
}

static const cli_node user_subs[] = {
	{"grant", NULL, "Grant a person permissions on a vault", ugrant_cmd, &ugrant_spec, NULL},
	{"revoke", NULL, "Revoke a person's permissions", urevoke_cmd, &urevoke_spec, NULL},
	{"list", "ls", "List people with access", ulist_cmd, &ulist_spec, NULL},
};
static const cli_node group_subs[] = {
	{"grant", NULL, "Grant a group permissions on a vault", ggrant_cmd, &ggrant_spec, NULL},
	{"revoke", NULL, "Revoke a group's permissions", grevoke_cmd, &grevoke_spec, NULL},
	{"list", "ls", "List groups with access", glist_cmd, &glist_spec, NULL},
};

const cli_tree cli_tree_vault_user = {&usub_spec, user_subs, 3};
const cli_tree cli_tree_vault_group = {&gsub_spec, group_subs, 3};

int cmd_vault_access(int argc, char **argv, bool group)
{
	return group ? cli_dispatch(&cli_tree_vault_group, "vault group", argc, argv)
		     : cli_dispatch(&cli_tree_vault_user, "vault user", argc, argv);
}
