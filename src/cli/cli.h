/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_CLI_CLI_H
#define SESAME_CLI_CLI_H

/*
 * The sesame CLI (also installed as `op`). One table of commands in
 * main.c; one cmd_<family>.c per command family, each with its own
 * option table that also prints its --help.
 *
 * Exit codes: 0 ok, 1 error, 2 usage. Errors go to stderr as op prints
 * them, "[ERROR] YYYY/MM/DD HH:MM:SS message", because op's callers
 * (op-js among them) parse that form; a successful command prints nothing
 * on stderr.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2 };

typedef struct cli_tree cli_tree;

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const cli_tree *tree; /* flags and subcommands: help, completion, man pages */
} cli_command;

/* Prints "[ERROR] <time> <message>" on stderr; returns CLI_EXIT_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "[ERROR] <time> <message>" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Reads the file at `path` ("-": stdin, when `dash_is_stdin`) into secure
 * memory (secmem_free), at most `max` bytes: a regular file over the
 * limit is refused before it is read. Errors are printed (cli_error).
 */
int cli_read_secure_file(unsigned char **out, size_t *len, const char *path, size_t max,
			 bool dash_is_stdin);

/* ---- option tables (cli_common.c) ---- */

#include <stdbool.h>
#include <stdio.h>

#include "client/account.h"
#include "client/session.h"

enum { CLI_NOARG = 0, CLI_ARG = 1, CLI_OPTARG = 2 };

typedef struct {
	const char *name;     /* long name without "--" */
	char shortname;	      /* 0 for none */
	int has_arg;	      /* CLI_NOARG, CLI_ARG, CLI_OPTARG (only --name=value) */
	const char *arg_name; /* for --help: "NAME" */
	const char *help;
} cli_option;

#define CLI_MAX_OPTS 32
#define CLI_MAX_POS  256

typedef struct {
	const cli_option *opts;
	size_t nopts;
	const char *value[CLI_MAX_OPTS]; /* NULL when absent or given without a value */
	bool set[CLI_MAX_OPTS];
	char *pos[CLI_MAX_POS];
	int npos;
} cli_args;

typedef struct {
	const char *usage;	 /* "sesame vault create NAME [flags]" */
	const char *description; /* one paragraph */
	const cli_option *opts;
	size_t nopts;
} cli_spec;

/*
 * The command tree. Every command family exports a cli_tree: its own flags
 * (spec; for a family with subcommands, only its usage and description)
 * and its subcommands. The same tables dispatch (cli_dispatch), print
 * --help, and generate the shell completions and man pages (cli_doc.c),
 * so these cannot drift from what the parser accepts.
 */
typedef struct {
	const char *name;
	const char *aliases; /* other names, space-separated, or NULL */
	const char *summary; /* one line for the command list */
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand word */
	const cli_spec *spec;		   /* a leaf's flags, or NULL */
	const cli_tree *tree;		   /* nested subcommands, or NULL */
} cli_node;

struct cli_tree {
	const cli_spec *spec;
	const cli_node *subs;
	size_t nsubs;
};

/* The flags of a node: its spec, or its tree's spec. */
const cli_spec *cli_node_spec(const cli_node *n);

/*
 * Runs the subcommand argv[1] of `t` ("sesame <path> <subcommand>"); prints
 * the tree's help for --help. Usage errors exit 2.
 */
int cli_dispatch(const cli_tree *t, const char *path, int argc, char **argv);
void cli_print_tree_help(FILE *f, const cli_tree *t);

/* cli_doc.c: completion scripts and man pages from the command table. */
/* Prints the completion script for `shell` (bash, zsh or fish) on stdout. */
int cli_completion(const cli_command *cmds, size_t n, const char *shell);
/* Prints sesame(1) (name NULL) or sesame-<name>(1) as roff on stdout. */
int cli_man(const cli_command *cmds, size_t n, const char *name);

/*
 * Parses argv (argv[0] is the command word). `--flag value`, `--flag=value`,
 * `-f value`; `--` ends flags. Returns 0 to run, 1 when --help was printed
 * (exit 0), or CLI_EXIT_USAGE after printing the error.
 */
int cli_parse(cli_args *out, const cli_spec *spec, int argc, char **argv);
void cli_print_help(FILE *f, const cli_spec *spec);

/* The value of option `name`, or NULL. */
const char *cli_get(const cli_args *a, const char *name);
bool cli_has(const cli_args *a, const char *name);

/* --format: 0 human, 1 json; CLI_EXIT_USAGE printed for other values. */
int cli_format(const cli_args *a, bool *json);

/* Maps the last library error to the CLI's message and exit code 1. */
int cli_fail(const char *what);

/* ---- secrets from the terminal or stdin ---- */

/*
 * Reads one secret line: from the terminal without echo (prompt on the
 * terminal) when stdin is a TTY, else one line of stdin. *out is secure
 * memory (secmem_free), *len its length.
 */
int cli_read_secret(char **out, size_t *len, const char *prompt);

/* ---- config and sessions (cli_session.c) ---- */

/* $XDG_CONFIG_HOME/sesame or ~/.config/sesame (created 0700). */
int cli_config_dir(char *out, size_t cap);

/* Remembers / looks up the account id of (address, email). */
int cli_remember_account(const char *address, const char *email, const char *account_id);
int cli_lookup_account(char out[27], const char *address, const char *email);

/* Writes `data` to `path` atomically with mode 0600. */
int cli_write_private(const char *path, const void *data, size_t len);

/*
 * The current session: from SESAME_SERVICE_ACCOUNT_TOKEN (or
 * OP_SERVICE_ACCOUNT_TOKEN), else SESAME_SESSION and its file.
 */
int cli_load_session(session **out);

/* Stores a session under a new random key; prints nothing. *key_text is the key. */
int cli_store_session(session *s, bool insecure, char key_text[44]);

/* Rewrites the session file if the server refreshed the token. */
void cli_session_done(session *s);

/* Forgets the stored session of SESAME_SESSION (the file is removed). */
int cli_forget_session(void);

/* Connection options from OP_INTEGRATION_* and SESAME_ADDRESS (static strings). */
void cli_api_options(api_options *o);

/*
 * The session of read, inject and run, with its vault cache: the file of
 * SESAME_SESSION, or for a service-account token (SESAME_/OP_SERVICE_ACCOUNT_TOKEN)
 * a file under a key derived from the token's seed, signed in on first use.
 */
typedef struct {
	session *s;
	bool sa;	/* a service-account token */
	bool fresh;	/* signed in by this command */
	bool had_cache; /* the file held a vault cache */
	unsigned char key[32];
	char path[4200];
	api_options opts;
} cli_cached;

int cli_cached_open(cli_cached *c);
/* Service accounts: sign in again after the cached session was refused. */
int cli_cached_renew(cli_cached *c);
/* Writes the file back if anything changed, then frees. */
void cli_cached_close(cli_cached *c);

/* ---- commands ---- */

int cmd_account(int argc, char **argv);
int cmd_signin(int argc, char **argv);
int cmd_signout(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_vault(int argc, char **argv);
int cmd_item(int argc, char **argv);
int cmd_read(int argc, char **argv);	/* cmd_secrets.c */
int cmd_inject(int argc, char **argv);	/* cmd_secrets.c */
int cmd_run(int argc, char **argv);	/* cmd_secrets.c */
int cmd_service_account(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_group(int argc, char **argv);

/* sesame account join (cmd_user.c); argv[0] is "join". */
int cmd_account_join(int argc, char **argv);

/* sesame vault user|group ... (cmd_vault_access.c); argv[0] is "user" or "group". */
int cmd_vault_access(int argc, char **argv, bool group);

/* Prints an emergency kit on stdout, or writes it to `path` (0600) when not NULL. */
int cli_write_kit(const account_kit *kit, const char *path);
int cmd_document(int argc, char **argv);
int cmd_events(int argc, char **argv); /* cmd_events.c */
/* cmd_ratelimit.c: `service-account ratelimit` and `account ratelimit` */
int cmd_service_account_ratelimit(int argc, char **argv);
int cmd_account_ratelimit(int argc, char **argv);

/* The command trees of the families (main.c's table points at them). */
extern const cli_tree cli_tree_account, cli_tree_signin, cli_tree_signout, cli_tree_whoami,
	cli_tree_vault, cli_tree_item, cli_tree_read, cli_tree_inject, cli_tree_run,
	cli_tree_service_account, cli_tree_user, cli_tree_group, cli_tree_document,
	cli_tree_events, cli_tree_vault_user, cli_tree_vault_group;
/* Specs of subcommands that live in another family's file. */
extern const cli_spec cli_spec_account_join, cli_spec_account_ratelimit,
	cli_spec_sa_ratelimit;

#endif
