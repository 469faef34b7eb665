/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry point of `sesame` (and `op`, a symlink to it): global flags, then
 * dispatch through the command table.
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>

#include "cli.h"
#include "sesame/errors.h"
#include "sesame/version.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_completion(int argc, char **argv);
static int cmd_man(int argc, char **argv);
static int completion_shell(int argc, char **argv);

static const cli_spec help_spec = {"sesame help [COMMAND]",
				   "Shows the commands of sesame, or the help of one command.",
				   NULL, 0};
static const cli_tree help_tree = {&help_spec, NULL, 0};
static const cli_spec version_spec = {"sesame --version",
				      "Prints the semantic version of sesame.", NULL, 0};
static const cli_tree version_tree = {&version_spec, NULL, 0};
static const cli_spec completion_spec = {
	"sesame completion bash|zsh|fish",
	"Prints a completion script for the shell, made from the command table:\n"
	"  bash:  source <(sesame completion bash)\n"
	"  zsh:   sesame completion zsh > \"${fpath[1]}/_sesame\"\n"
	"  fish:  sesame completion fish > ~/.config/fish/completions/sesame.fish\n"
	"Generated scripts are also in docs/completions/ of the source tree.",
	NULL, 0};
static const cli_spec comp_shell_spec = {"sesame completion bash|zsh|fish",
					 "Prints the completion script for one shell.", NULL, 0};
static const cli_node completion_subs[] = {
	{"bash", NULL, "Completion script for bash", completion_shell, &comp_shell_spec, NULL},
	{"zsh", NULL, "Completion script for zsh", completion_shell, &comp_shell_spec, NULL},
	{"fish", NULL, "Completion script for fish", completion_shell, &comp_shell_spec, NULL},
};
static const cli_tree completion_tree = {&completion_spec, completion_subs, 3};
static const cli_spec man_spec = {"sesame __man [COMMAND]",
				  "Prints sesame(1), or sesame-COMMAND(1), as roff (for scripts/gen-man).",
				  NULL, 0};
static const cli_tree man_tree = {&man_spec, NULL, 0};

/* The command table: one row per command family, kept in help order. */
static const cli_command commands[] = {
	{"help", cmd_help, "Show help for sesame or for a command", &help_tree},
	{"version", cmd_version, "Print the version of sesame", &version_tree},
	{"account", cmd_account, "Create an account", &cli_tree_account},
	{"signin", cmd_signin, "Sign in and print the session for eval", &cli_tree_signin},
	{"signout", cmd_signout, "End the current session", &cli_tree_signout},
	{"whoami", cmd_whoami, "Show who is signed in", &cli_tree_whoami},
	{"vault", cmd_vault, "Manage vaults", &cli_tree_vault},
	{"item", cmd_item, "Manage items", &cli_tree_item},
	{"read", cmd_read, "Print the secret a reference points to", &cli_tree_read},
	{"inject", cmd_inject, "Fill a template's secret references", &cli_tree_inject},
	{"run", cmd_run, "Run a command with secrets in its environment", &cli_tree_run},
	{"service-account", cmd_service_account, "Manage service accounts",
	 &cli_tree_service_account},
	{"user", cmd_user, "Invite, confirm, suspend and list people", &cli_tree_user},
	{"group", cmd_group, "Manage groups and their members", &cli_tree_group},
	{"document", cmd_document, "Manage Document items and their files", &cli_tree_document},
	{"events", cmd_events, "List the audit trail and verify its hash chain", &cli_tree_events},
	{"completion", cmd_completion, "Print a shell completion script", &completion_tree},
	/* Hidden (not listed, not completed): scripts/gen-man. */
	{"__man", cmd_man, "Print a man page in roff", &man_tree},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
	fputs("Sesame: end-to-end-encrypted secrets for people and machines.\n\n"
	      "Usage:  sesame [--version] [--help] <command> [flags]\n\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, "__", 2) != 0)
			fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'sesame <command> --help' for a command's flags.\n", out);
}

static const cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cli_print_help(stdout, &help_spec);
		return CLI_EXIT_OK;
	}
	if (argc > 1) {
		const cli_command *c = find_command(argv[1]);
		if (!c)
			return cli_usage_error("unknown command '%s'", argv[1]);
		char *help_argv[] = {argv[1], "--help", NULL};
		return c->run(2, help_argv);
	}
	print_usage(stdout);
	return CLI_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		puts("Usage:  sesame --version\n\nPrints the semantic version of sesame.");
		return CLI_EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error("unexpected argument '%s'", argv[1]);
	puts(sesame_version());
	return CLI_EXIT_OK;
}

static int completion_shell(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cli_print_help(stdout, &completion_spec);
		return CLI_EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error("unexpected argument '%s'", argv[1]);
	return cli_completion(commands, NCOMMANDS, argv[0]);
}

static int cmd_completion(int argc, char **argv)
{
	return cli_dispatch(&completion_tree, "completion", argc, argv);
}

static int cmd_man(int argc, char **argv)
{
	if (argc > 2)
		return cli_usage_error("unexpected argument '%s'", argv[2]);
	return cli_man(commands, NCOMMANDS, argc > 1 ? argv[1] : NULL);
}

/*
 * The CLI holds passwords, Secret Keys, vault keys and secret values in
 * memory: no core dump may carry them to disk, and no other process of
 * the same user may ptrace or read this one's memory.
 */
static void no_core_dumps(void)
{
	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	no_core_dumps();
	if (sesame_init() != 0)
		return cli_error("%s", sesame_error_last()->message);
	if (argc < 2) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-v") == 0)
		name = "version";
	else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	const cli_command *c = find_command(name);
	if (!c)
		return cli_usage_error("unknown command '%s'; run 'sesame --help'", name);
	return c->run(argc - 1, argv + 1);
}
