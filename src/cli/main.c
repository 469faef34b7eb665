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

/* The command table: one row per command family, kept in help order. */
static const cli_command commands[] = {
	{"help", cmd_help, "Show help for sesame or for a command"},
	{"version", cmd_version, "Print the version of sesame"},
	{"account", cmd_account, "Create an account"},
	{"signin", cmd_signin, "Sign in and print the session for eval"},
	{"signout", cmd_signout, "End the current session"},
	{"whoami", cmd_whoami, "Show who is signed in"},
	{"vault", cmd_vault, "Manage vaults"},
	{"item", cmd_item, "Manage items"},
	{"read", cmd_read, "Print the secret a reference points to"},
	{"inject", cmd_inject, "Fill a template's secret references"},
	{"run", cmd_run, "Run a command with secrets in its environment"},
	{"service-account", cmd_service_account, "Manage service accounts"},
	{"user", cmd_user, "Invite, confirm, suspend and list people"},
	{"group", cmd_group, "Manage groups and their members"},
	{"document", cmd_document, "Manage Document items and their files"},
	{"events", cmd_events, "List the audit trail and verify its hash chain"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
	fputs("Sesame: end-to-end-encrypted secrets for people and machines.\n\n"
	      "Usage:  sesame [--version] [--help] <command> [flags]\n\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
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
