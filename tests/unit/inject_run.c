/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_command() with masking, driven through /bin/sh. Each case runs
 * run_command() in a forked process whose stdout and stderr are one pipe
 * read here, so the test sees exactly what a terminal would.
 */
#include "test.h"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inject/run.h"
#include "sesame/errors.h"

extern char **environ;

typedef struct {
	char out[8192];
	int status; /* raw wait status of the process that called run_command */
} captured;

static void capture(captured *c, const char *script, const char *const *secrets, size_t n)
{
	int p[2];
	size_t lens[8];
	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(secrets[i]);
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
		char *envp[] = {"PATH=/usr/bin:/bin", "SECRET_VAR=hunter2", NULL};
		run_options o = {argv, envp, secrets, lens, n, 1};
		int code = -1;
		int rc = run_command(&o, &code);
		if (rc)
			dprintf(2, "[run_command: %s]", sesame_error_last()->message);
		_exit(rc ? 99 : code);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while ((r = read(p[0], c->out + len, sizeof c->out - 1 - len)) > 0)
		len += (size_t)r;
	c->out[len] = '\0';
	close(p[0]);
	waitpid(pid, &c->status, 0);
}

static void test_inject_run__masks_stdout_and_stderr(void **state)
{
	(void)state;
	captured c;
	const char *s[] = {"hunter2"};
	capture(&c, "echo out $SECRET_VAR; echo err $SECRET_VAR >&2", s, 1);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 0);
	assert_null(strstr(c.out, "hunter2"));
	assert_non_null(strstr(c.out, "out <concealed by sesame>\n"));
	assert_non_null(strstr(c.out, "err <concealed by sesame>\n"));
}

static void test_inject_run__split_writes_are_masked(void **state)
{
	(void)state;
	captured c;
	const char *s[] = {"hunter2", "line one\nline two"};
	capture(&c,
		"printf 'a hun'; sleep 0.05; printf 'ter2 b\\n'; printf 'line one\\n'; sleep 0.05; "
		"printf 'line two!'",
		s, 2);
	assert_string_equal(c.out, "a <concealed by sesame> b\n<concealed by sesame>!");
}

static void test_inject_run__exit_code_is_the_childs(void **state)
{
	(void)state;
	captured c;
	const char *s[] = {"x-secret"};
	capture(&c, "exit 7", s, 1);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 7);
}

static void test_inject_run__killed_child_kills_us_the_same_way(void **state)
{
	(void)state;
	captured c;
	const char *s[] = {"x-secret"};
	capture(&c, "kill -TERM $$", s, 1);
	assert_true(WIFSIGNALED(c.status));
	assert_int_equal(WTERMSIG(c.status), SIGTERM);
}

static void test_inject_run__signals_are_forwarded(void **state)
{
	(void)state;
	/* The child traps TERM; we send TERM to the runner (its parent). */
	captured c;
	const char *s[] = {"x-secret"};
	capture(&c, "trap 'echo got term; exit 42' TERM; kill -TERM $PPID; sleep 2 & wait", s, 1);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 42);
	assert_non_null(strstr(c.out, "got term"));
}

static void test_inject_run__command_not_found(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		const char *s[] = {"x"};
		size_t l[] = {1};
		char *argv[] = {"sesame-no-such-command", NULL};
		run_options o = {argv, environ, s, l, 1, 1};
		int code = 0;
		int rc = run_command(&o, &code);
		_exit(rc == SESAME_ENOTFOUND && code == 127 ? 0 : 1);
	}
	close(p[0]);
	close(p[1]);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_run__masks_stdout_and_stderr),
		cmocka_unit_test(test_inject_run__split_writes_are_masked),
		cmocka_unit_test(test_inject_run__exit_code_is_the_childs),
		cmocka_unit_test(test_inject_run__killed_child_kills_us_the_same_way),
		cmocka_unit_test(test_inject_run__signals_are_forwarded),
		cmocka_unit_test(test_inject_run__command_not_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
