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

enum { CLI_EXIT_OK = 0, CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2 };

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_command;

/* Prints "[ERROR] <time> <message>" on stderr; returns CLI_EXIT_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "[ERROR] <time> <message>" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
