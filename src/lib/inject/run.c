/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "inject/mask.h"
#include "inject/run.h"

/* The child, for the signal handler; set before handlers are installed. */
static volatile sig_atomic_t child_pid;

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static int exec_error(const char *cmd, int err)
{
	if (err == ENOENT)
		return sesame_error_set(SESAME_ENOTFOUND, "command_not_found",
					"command '%s' not found", cmd);
	if (err == EACCES)
		return sesame_error_set(SESAME_EPERM, "permission_denied",
					"cannot run '%s': permission denied", cmd);
	return sesame_error_set(SESAME_ERROR, NULL, "cannot run '%s': %s", cmd, strerror(err));
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* reader gone (EPIPE): keep draining the child */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Relays one read from a child pipe to `out_fd` through its filter. */
static int relay(int in_fd, int out_fd, mask_filter *f, sbuf *scratch, int *open)
{
	char buf[65536];
	ssize_t n = read(in_fd, buf, sizeof buf);
	int rc = 0;
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	sbuf_reset(scratch);
	if (n <= 0) {
		*open = 0;
		rc = mask_filter_finish(f, scratch);
	} else {
		rc = mask_filter_write(f, buf, (size_t)n, scratch);
	}
	explicit_bzero(buf, sizeof buf);
	if (!rc && scratch->len)
		write_all(out_fd, scratch->ptr, scratch->len);
	return rc;
}

static int run_masked(const run_options *o, int *exit_code)
{
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
	mask_filter *mf_out = NULL, *mf_err = NULL;
	struct sigaction old[NFORWARDED];
	sbuf scratch = SBUF_INIT_SECURE(1 << 20);
	int rc = 0, status = 0;
	pid_t pid;

	rc = mask_filter_new(&mf_out, o->secrets, o->secret_lens, o->nsecrets);
	if (!rc)
		rc = mask_filter_new(&mf_err, o->secrets, o->secret_lens, o->nsecrets);
	if (rc)
		goto cleanup;
	if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) ||
	    pipe2(exec_pipe, O_CLOEXEC)) {
		rc = sesame_error_set(SESAME_ERROR, NULL, "cannot create pipes: %s", strerror(errno));
		goto cleanup;
	}
	/*
	 * Block the forwarded signals until the handlers are in place, so a
	 * signal that arrives right after fork() (even one the child sends
	 * us at once) is forwarded rather than killing us with the default
	 * action. The child gets the caller's mask back before exec.
	 */
	sigset_t block, saved_mask;
	sigemptyset(&block);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&block, forwarded[i]);
	sigprocmask(SIG_BLOCK, &block, &saved_mask);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		rc = sesame_error_set(SESAME_ERROR, NULL, "cannot start a process: %s",
				      strerror(errno));
		goto cleanup;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		execvpe(o->argv[0], o->argv, o->envp);
		/* Tell the parent why, through the close-on-exec pipe. */
		int err = errno;
		if (write(exec_pipe[1], &err, sizeof err) < 0)
			_exit(127);
		_exit(127);
	}
	child_pid = pid;
	for (size_t i = 0; i < NFORWARDED; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = forward_signal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(forwarded[i], &sa, &old[i]);
	}
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	close(out_pipe[1]);
	close(err_pipe[1]);
	close(exec_pipe[1]);
	out_pipe[1] = err_pipe[1] = exec_pipe[1] = -1;

	int exec_errno = 0;
	ssize_t got;
	do {
		got = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
	} while (got < 0 && errno == EINTR);
	if (got == (ssize_t)sizeof exec_errno) {
		waitpid(pid, &status, 0);
		rc = exec_error(o->argv[0], exec_errno);
		*exit_code = 127;
		goto restore;
	}

	int out_open = 1, err_open = 1;
	while (out_open || err_open) {
		struct pollfd pfd[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
					{err_open ? err_pipe[0] : -1, POLLIN, 0}};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (out_open && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			rc = relay(out_pipe[0], STDOUT_FILENO, mf_out, &scratch, &out_open);
		if (!rc && err_open && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			rc = relay(err_pipe[0], STDERR_FILENO, mf_err, &scratch, &err_open);
		if (rc)
			break;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		*exit_code = WEXITSTATUS(status);
	else
		*exit_code = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
restore:
	child_pid = 0;
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &old[i], NULL);
	if (!rc && WIFSIGNALED(status)) {
		/* Die the way the child died, as if it had been exec'd. */
		int sig = WTERMSIG(status);
		mask_filter_free(mf_out);
		mask_filter_free(mf_err);
		sbuf_free(&scratch);
		signal(sig, SIG_DFL);
		raise(sig);
		/* Not all signals end a process (e.g. a stopped child's SIGWINCH). */
		mf_out = mf_err = NULL;
	}
cleanup:
	for (int i = 0; i < 2; i++) {
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
		if (exec_pipe[i] >= 0)
			close(exec_pipe[i]);
	}
	mask_filter_free(mf_out);
	mask_filter_free(mf_err);
	sbuf_free(&scratch);
	return rc;
}

int run_command(const run_options *o, int *exit_code)
{
	if (!o->argv || !o->argv[0])
		return sesame_error_set(SESAME_EINVAL, "invalid_argument", "no command given");
	if (o->masking && o->nsecrets > 0)
		return run_masked(o, exit_code);
	fflush(NULL);
	execvpe(o->argv[0], o->argv, o->envp);
	return exec_error(o->argv[0], errno);
}
