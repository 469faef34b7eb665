/* SPDX-License-Identifier: Apache-2.0 */
/* sesame service-account create|list|get|revoke|rotate */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client/assign.h"
#include "client/items.h"
#include "client/service_accounts.h"
#include "client/vaults.h"
#include "error.h"
#include "token/sa_token.h"

#define SA_VAULT_ARGS_MAX 100

static const cli_option create_opts[] = {
	{"vault", 0, CLI_ARG, "VAULT:PERMS",
	 "Grant a vault: read_items (default), write_items, share_items, comma-separated; "
	 "repeat for more vaults"},
	{"can-create-vaults", 0, CLI_NOARG, NULL, "Let the service account create vaults"},
	{"expires-in", 0, CLI_ARG, "DURATION",
	 "Expire the token after DURATION: 30s, 30m, 24h, 7d, 2w or combinations (1h30m)"},
	{"raw", 0, CLI_NOARG, NULL, "Print only the token"},
	{"save-in", 0, CLI_ARG, "VAULT", "Store the token as an API Credential item in VAULT"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

static const cli_option format_opt[] = {
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

static const cli_option rotate_opts[] = {
	{"grace", 0, CLI_ARG, "DURATION", "Keep the old token working for DURATION (default 0)"},
	{"raw", 0, CLI_NOARG, NULL, "Print only the new token"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

static const cli_spec create_spec = {
	"sesame service-account create NAME --vault VAULT[:PERMS] [--vault ...] [flags]",
	"Creates a service account and prints its token once. The token's key is made "
	"here; the server receives only public keys and vault keys sealed to them. Vaults "
	"and permissions cannot change later.",
	create_opts, 6};
static const cli_spec list_spec = {"sesame service-account list [--format json]",
				   "Lists the account's service accounts (alias: ls).", format_opt,
				   1};
static const cli_spec get_spec = {"sesame service-account get NAME|ID [--format json]",
				  "Shows a service account.", format_opt, 1};
static const cli_spec revoke_spec = {
	"sesame service-account revoke NAME|ID [--format json]",
	"Revokes a service account: its token and every session stop at once.", format_opt, 1};
static const cli_spec rotate_spec = {
	"sesame service-account rotate NAME|ID [--grace DURATION] [--raw]",
	"Replaces the token: a new service account with the same name, vaults and "
	"permissions; the old token stops now or after the grace period.",
	rotate_opts, 3};
static const cli_spec sa_spec = {
	"sesame service-account <command> [flags]",
	"Manages service accounts: tokens for machines, limited to the vaults they were given.",
	NULL, 0};

/* "1h30m", "90d", "30s" -> seconds; -1 when malformed. */
static long long parse_duration(const char *s)
{
	long long total = 0;

	if (!s || !*s)
		return -1;
	while (*s) {
		long long n = 0, unit;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (*s - '0');
			if (n > 100000000LL)
				return -1;
			s++;
		}
		switch (*s) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			return -1;
		}
		s++;
		total += n * unit;
		if (total > 100LL * 366 * 86400)
			return -1;
	}
	return total;
}

static int print_json(json_t *o)
{
	char *t = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	if (!t)
		return cli_error("out of memory");
	puts(t);
	free(t);
	return CLI_EXIT_OK;
}

static const char *str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* Names for ids: vaults the caller can open, people of the account. */
struct names {
	client_vault *vaults;
	size_t nvaults;
	json_t *users;
};

static void names_load(struct names *n, session *s)
{
	memset(n, 0, sizeof *n);
	if (vaults_list(&n->vaults, &n->nvaults, s) != 0) {
		n->vaults = NULL;
		n->nvaults = 0;
	}
	if (api_call(s->api, "GET", "/v1/users", NULL, &n->users) != 0)
		n->users = NULL;
}

static void names_free(struct names *n)
{
	client_vaults_free(n->vaults, n->nvaults);
	json_decref(n->users);
}

static const char *vault_name(const struct names *n, const char *id)
{
	for (size_t i = 0; i < n->nvaults; i++)
		if (strcmp(n->vaults[i].id, id) == 0 && n->vaults[i].name)
			return n->vaults[i].name;
	return id;
}

static const char *user_name(const struct names *n, const char *id)
{
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(n->users, "users"), i, u)
	{
		const char *email = json_string_value(json_object_get(u, "email"));
		if (strcmp(str(u, "id"), id) == 0 && email && *email)
			return email;
	}
	return id;
}

/* Adds "vault_name" and "created_by_email" to the object, for JSON output. */
static void annotate(json_t *sa, const struct names *n)
{
	size_t i;
	json_t *v;
	json_object_set_new(sa, "created_by_email",
			    json_string(user_name(n, str(sa, "created_by"))));
	json_array_foreach(json_object_get(sa, "vaults"), i, v)
	{
		json_object_set_new(v, "vault_name",
				    json_string(vault_name(n, str(v, "vault_id"))));
		json_object_del(v, "vault_permissions");
	}
}

static const char *time_or_never(const json_t *o, const char *key, const char *none)
{
	const char *t = json_string_value(json_object_get(o, key));
	return t ? t : none;
}

static void print_perms(const json_t *v)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(v, "permissions"), i, p)
		printf("%s%s", i ? "," : "", json_string_value(p) ? json_string_value(p) : "");
}

static void print_sa(const json_t *sa)
{
	size_t i;
	json_t *v;

	printf("ID:                %s\nName:              %s\nState:             %s\n"
	       "Created by:        %s\nCreated at:        %s\nExpires at:        %s\n"
	       "Last used at:      %s\nCan create vaults: %s\n",
	       str(sa, "id"), str(sa, "name"), str(sa, "state"), str(sa, "created_by_email"),
	       str(sa, "created_at"), time_or_never(sa, "expires_at", "never"),
	       time_or_never(sa, "last_used_at", "never"),
	       json_is_true(json_object_get(sa, "can_create_vaults")) ? "yes" : "no");
	if (json_object_get(sa, "revoked_at") && !json_is_null(json_object_get(sa, "revoked_at")))
		printf("Revoked at:        %s\n", str(sa, "revoked_at"));
	if (json_object_get(sa, "rotated_to"))
		printf("Replaced by:       %s\n", str(sa, "rotated_to"));
	printf("Vaults:\n");
	json_array_foreach(json_object_get(sa, "vaults"), i, v)
	{
		printf("  %s (%s): ", str(v, "vault_name"), str(v, "vault_id"));
		print_perms(v);
		putchar('\n');
	}
}

static int one_positional(const cli_args *a, const char *what)
{
	if (a->npos == 0)
		return cli_usage_error("%s needs a service account name or id", what);
	if (a->npos > 1)
		return cli_usage_error("unexpected argument '%s'", a->pos[1]);
	return 0;
}

/* "VAULT[:perm[,perm]]" -> grant; the vault part is kept in argv's memory. */
static int parse_grant(sa_vault_grant *g, char *arg)
{
	char *colon = strrchr(arg, ':');
	const char *p;

	g->vault = arg;
	g->perms = 0;
	if (!colon)
		return 0;
	*colon = '\0';
	p = colon + 1;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		unsigned b = sa_perm_parse(p, len);
		if (!b)
			return cli_usage_error("unknown permission '%.*s' for vault '%s': use "
					       "read_items, write_items or share_items",
					       (int)len, p, arg);
		g->perms |= b;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!*arg)
		return cli_usage_error("--vault needs a vault name before ':'");
	return 0;
}

/* Stores the token as an API Credential item titled after the service account. */
static int save_token(session *s, const char *vault, const char *name, const char *token)
{
	client_vault v;
	item *it = item_new();
	int rc;

	memset(&v, 0, sizeof v);
	if (!it)
		return SESAME_ENOMEM;
	it->category = ITEM_CATEGORY_API_CREDENTIALS;
	it->title = strdup(name);
	rc = it->title ? 0 : sesame_error_nomem();
	rc = rc ? rc : item_set_field(it, NULL, "credential", "concealed", token);
	rc = rc ? rc : item_set_field(it, NULL, "type", "text", "sesame service account");
	rc = rc ? rc : vault_find(&v, s, vault);
	rc = rc ? rc : items_create(s, &v, it);
	client_vault_clear(&v);
	item_free(it);
	return rc;
}

/*
 * When a person creates a token at a terminal without --save-in, offer to
 * store it in a vault, so it never has to be copied out of the terminal
 * and pasted anywhere. Asked on /dev/tty, never when stdin or stdout is
 * not a terminal (scripts get exactly what they asked for). Returns the
 * vault name typed (static storage), or NULL to skip.
 */
static const char *offer_to_save(void)
{
	static char answer[256];
	FILE *tty;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return NULL;
	tty = fopen("/dev/tty", "r+e");
	if (!tty)
		return NULL;
	fputs("Save the token in a vault, so it never has to be pasted anywhere?\n"
	      "Vault name (Enter to skip): ",
	      tty);
	fflush(tty);
	const char *name = NULL;
	if (fgets(answer, sizeof answer, tty)) {
		answer[strcspn(answer, "\r\n")] = '\0';
		if (answer[0])
			name = answer;
	}
	fclose(tty);
	return name;
}

static int print_token_result(json_t *sa, const char *token, bool raw, bool json,
			      const char *saved_in, session *s)
{
	struct names n;

	if (raw) {
		puts(token);
		return CLI_EXIT_OK;
	}
	names_load(&n, s);
	annotate(sa, &n);
	names_free(&n);
	if (json) {
		if (!saved_in)
			json_object_set_new(sa, "token", json_string(token));
		else
			json_object_set_new(sa, "saved_in", json_string(saved_in));
		int rc = print_json(sa);
		json_object_del(sa, "token");
		return rc;
	}
	print_sa(sa);
	if (saved_in) {
		printf("\nThe token is stored in vault '%s' as the API Credential item '%s'.\n",
		       saved_in, str(sa, "name"));
		return CLI_EXIT_OK;
	}
	printf("\nToken (shown once; it cannot be recovered):\n%s\n", token);
	return CLI_EXIT_OK;
}

static int create_cmd(int argc, char **argv)
{
	sa_vault_grant grants[SA_VAULT_ARGS_MAX];
	char *rest[CLI_MAX_POS + 2 * CLI_MAX_OPTS];
	size_t ngrants = 0;
	int nrest = 0;
	cli_args a;
	session *s = NULL;
	json_t *sa = NULL;
	char *token = NULL;
	bool json;
	long long expires = 0;
	int rc;

	/* --vault repeats: take every one out before the option parser sees argv. */
	for (int i = 0; i < argc; i++) {
		char *val = NULL;
		if (i > 0 && strcmp(argv[i], "--") == 0) {
			while (i < argc && nrest < (int)(sizeof rest / sizeof rest[0]))
				rest[nrest++] = argv[i++];
			break;
		}
		if (i > 0 && strcmp(argv[i], "--vault") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("--vault needs a value");
			val = argv[++i];
		} else if (i > 0 && strncmp(argv[i], "--vault=", 8) == 0) {
			val = argv[i] + 8;
		}
		if (val) {
			if (ngrants == SA_VAULT_ARGS_MAX)
				return cli_usage_error("at most %d vaults", SA_VAULT_ARGS_MAX);
			if ((rc = parse_grant(&grants[ngrants++], val)) != 0)
				return rc;
			continue;
		}
		if (nrest == (int)(sizeof rest / sizeof rest[0]))
			return cli_usage_error("too many arguments");
		rest[nrest++] = argv[i];
	}
	rc = cli_parse(&a, &create_spec, nrest, rest);
	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("service-account create needs a name");
	if (cli_get(&a, "expires-in")) {
		expires = parse_duration(cli_get(&a, "expires-in"));
		if (expires <= 0)
			return cli_usage_error("--expires-in takes a duration such as 30m, 24h or "
					       "90d, not '%s'",
					       cli_get(&a, "expires-in"));
	}
	if (ngrants == 0 && !cli_has(&a, "can-create-vaults"))
		return cli_usage_error("service-account create needs --vault (or "
				       "--can-create-vaults)");
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	sa_create_input in = {a.pos[0], grants, ngrants, cli_has(&a, "can-create-vaults"), expires};
	if (sa_create(&token, &sa, s, &in) != 0) {
		rc = cli_fail("cannot create the service account");
		goto out;
	}
	const char *save_in = cli_get(&a, "save-in");
	if (!save_in && !cli_has(&a, "raw") && !json)
		save_in = offer_to_save();
	if (save_in && save_token(s, save_in, a.pos[0], token) != 0) {
		/* The account exists: the token must not be lost. */
		cli_fail("the service account was created but the token could not be saved");
		save_in = NULL;
		rc = CLI_EXIT_ERROR;
		print_token_result(sa, token, cli_has(&a, "raw"), json, NULL, s);
		goto out;
	}
	rc = print_token_result(sa, token, cli_has(&a, "raw") && !save_in, json, save_in, s);
out:
	sa_token_string_free(token);
	json_decref(sa);
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int list_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	json_t *resp = NULL, *sa;
	struct names n;
	bool json;
	size_t i;
	int rc = cli_parse(&a, &list_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (sa_list(&resp, s) != 0) {
		rc = cli_fail("cannot list service accounts");
		goto out;
	}
	names_load(&n, s);
	json_t *arr = json_object_get(resp, "service_accounts");
	json_array_foreach(arr, i, sa) annotate(sa, &n);
	names_free(&n);
	if (json) {
		rc = print_json(arr);
		goto out;
	}
	printf("%-26s  %-20s  %-8s  %-24s  %-20s  %-20s  %-20s  %s\n", "ID", "NAME", "STATE",
	       "CREATED BY", "CREATED", "EXPIRES", "LAST USED", "VAULTS");
	json_array_foreach(arr, i, sa)
	{
		size_t j;
		json_t *v;
		printf("%-26s  %-20s  %-8s  %-24s  %-20s  %-20s  %-20s  ", str(sa, "id"),
		       str(sa, "name"), str(sa, "state"), str(sa, "created_by_email"),
		       str(sa, "created_at"), time_or_never(sa, "expires_at", "never"),
		       time_or_never(sa, "last_used_at", "never"));
		json_array_foreach(json_object_get(sa, "vaults"), j, v)
		{
			printf("%s%s:", j ? " " : "", str(v, "vault_name"));
			print_perms(v);
		}
		putchar('\n');
	}
out:
	json_decref(resp);
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int get_or_revoke(int argc, char **argv, bool revoke)
{
	cli_args a;
	session *s = NULL;
	json_t *sa = NULL;
	struct names n;
	bool json;
	int rc = cli_parse(&a, revoke ? &revoke_spec : &get_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if ((rc = one_positional(&a, revoke ? "service-account revoke" : "service-account get")))
		return rc;
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	rc = revoke ? sa_revoke(&sa, s, a.pos[0]) : sa_get(&sa, s, a.pos[0]);
	if (rc) {
		rc = cli_fail(revoke ? "cannot revoke the service account"
				     : "cannot get the service account");
		goto out;
	}
	names_load(&n, s);
	annotate(sa, &n);
	names_free(&n);
	if (json)
		rc = print_json(sa);
	else if (revoke)
		printf("Service account '%s' (%s) revoked.\n", str(sa, "name"), str(sa, "id"));
	else
		print_sa(sa);
out:
	json_decref(sa);
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int rotate_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	json_t *sa = NULL;
	char *token = NULL;
	long long grace = 0;
	bool json;
	int rc = cli_parse(&a, &rotate_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if ((rc = one_positional(&a, "service-account rotate")))
		return rc;
	if (cli_get(&a, "grace")) {
		grace = parse_duration(cli_get(&a, "grace"));
		if (grace < 0)
			return cli_usage_error("--grace takes a duration such as 10m or 1h, not "
					       "'%s'",
					       cli_get(&a, "grace"));
	}
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (sa_rotate(&token, &sa, s, a.pos[0], grace) != 0) {
		rc = cli_fail("cannot rotate the service account");
		goto out;
	}
	rc = print_token_result(sa, token, cli_has(&a, "raw"), json, NULL, s);
out:
	sa_token_string_free(token);
	json_decref(sa);
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int create_entry(int argc, char **argv)
{
	return create_cmd(argc, argv);
}

static int get_cmd(int argc, char **argv)
{
	return get_or_revoke(argc, argv, false);
}

static int revoke_cmd(int argc, char **argv)
{
	return get_or_revoke(argc, argv, true);
}

static const cli_node sa_subs[] = {
	{"create", NULL, "Create a service account and print its token", create_entry,
	 &create_spec, NULL},
	{"list", "ls", "List service accounts", list_cmd, &list_spec, NULL},
	{"get", NULL, "Show a service account", get_cmd, &get_spec, NULL},
	{"revoke", NULL, "Revoke a service account's token", revoke_cmd, &revoke_spec, NULL},
	{"rotate", NULL, "Replace the token", rotate_cmd, &rotate_spec, NULL},
	{"ratelimit", NULL, "Show rate-limit usage of a token and the account",
	 cmd_service_account_ratelimit, &cli_spec_sa_ratelimit, NULL},
};

const cli_tree cli_tree_service_account = {&sa_spec, sa_subs, sizeof sa_subs / sizeof sa_subs[0]};

int cmd_service_account(int argc, char **argv)
{
	return cli_dispatch(&cli_tree_service_account, "service-account", argc, argv);
}
