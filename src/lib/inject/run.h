/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_INJECT_RUN_H
#define SESAME_LIB_INJECT_RUN_H

/*
 * Running a command with secrets in its environment (`sesame run`).
 *
 * Without masking the command simply replaces this process (execvpe):
 * signals, the exit code, stdin and a terminal all belong to it.
 *
 * With masking the command runs as a child whose stdout and stderr are
 * pipes read here and written out through one mask filter per stream
 * (inject/mask.h), so a secret value it prints never reaches the
 * terminal or a CI log. stdin is inherited. Signals that end or steer
 * a job (INT, TERM, HUP, QUIT, USR1, USR2, WINCH) are forwarded to the
 * child. When the child exits, its status is returned; when a signal
 * killed it, run_command() re-raises that signal on this process, so the
 * caller's caller sees exactly what it would have seen without us.
 */

#include <stddef.h>

typedef struct {
	char *const *argv;         /* argv[0] is looked up in PATH */
	char *const *envp;         /* the complete environment of the command */
	const char *const *secrets; /* values to mask; NULL/0 disables masking */
	const size_t *secret_lens;
	size_t nsecrets;
	int masking;               /* 0: exec in place, no masking */
} run_options;

/*
 * Runs the command. With masking off, only returns on failure to exec
 * (SESAME_ENOTFOUND / SESAME_EPERM / SESAME_ERROR with the error set).
 * With masking on, returns 0 and the child's exit code in *exit_code
 * (127 when it could not be started, as shells do), or an error.
 */
int run_command(const run_options *o, int *exit_code);

#endif
