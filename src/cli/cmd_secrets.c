/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secrets into processes: `sesame read`, `sesame inject` and `sesame run`,
 * op-compatible. Every reference of a command is resolved in one batch
 * (client/resolve.h): a warm read is one request, and so are 100
 * references in a template or an environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "client/resolve.h"
#include "crypto/secmem.h"
#include "error.h"
#include "inject/dotenv.h"
#include "inject/run.h"
#include "inject/template.h"
#include "sesame/errors.h"

#define INPUT_MAX (64u * 1024 * 1024)

extern char **environ;

/* ---- shared ---- */

/* Resolves a batch; a service account whose cached session is refused signs in again once. */
static int resolve_batch(cli_cached *c, const char *const *refs, size_t n, client_resolution **out)
{
	int rc = client_resolve(out, c->s, refs, n, NULL, NULL);
	if (rc && c->sa && !c->fresh &&
	    (rc == SESAME_ETOKEN_EXPIRED || rc == SESAME_ETOKEN_REVOKED || rc == SESAME_EAUTH)) {
		rc = cli_cached_renew(c);
		rc = rc ? rc : client_resolve(out, c->s, refs, n, NULL, NULL);
	}
	return rc;
}

/* Opens the session, resolves, closes (saving the cache). Prints the error. */
static int resolve_all(const char *const *refs, size_t n, client_resolution **out)
{
	cli_cached c;
	int rc;

	*out = NULL;
	rc = cli_cached_open(&c);
	rc = rc ? rc : resolve_batch(&c, refs, n, out);
	if (rc) {
		const sesame_error *e = sesame_error_last();
		char msg[600];
		snprintf(msg, sizeof msg, "%s", e->message);
		cli_cached_close(&c);
		if (rc == SESAME_ETOKEN_EXPIRED || rc == SESAME_ETOKEN_REVOKED)
			return cli_error("%s; sign in again", msg);
		return cli_error("%s", msg);
	}
	cli_cached_close(&c);
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int parse_mode(mode_t *out, const char *text)
{
	char *end = NULL;
	unsigned long m;

	if (!text) {
		*out = 0600;
		return 0;
	}
	errno = 0;
	m = strtoul(text, &end, 8);
	if (!*text || *end || errno || m > 0777 || text[0] == '-' || text[0] == '+')
		return cli_usage_error("invalid file mode '%s'; use octal, e.g. 0600", text);
	*out = (mode_t)m;
	return 0;
}

/*
 * Writes secret output to `path`, created with `mode` from the start
 * (O_EXCL | O_NOFOLLOW, umask cleared for the call). Without `force` an
 * existing file is an error; with it a temporary file in the same
 * directory replaces the path atomically (a symlink there is replaced,
 * never followed).
 */
static int write_out_file(const char *path, mode_t mode, bool force, const char *data, size_t len)
{
	char tmp[4300];
	const char *target = path;
	mode_t old;
	int fd, e;

	if (force) {
		unsigned char r[6];
		char hex[13];
		randombytes_buf(r, sizeof r);
		sodium_bin2hex(hex, sizeof hex, r, sizeof r);
		if ((size_t)snprintf(tmp, sizeof tmp, "%s.sesame-%s", path, hex) >= sizeof tmp)
			return cli_error("path '%s' is too long", path);
		target = tmp;
	}
	old = umask(0);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	e = errno;
	umask(old);
	if (fd < 0) {
		if (e == EEXIST)
			return cli_error("file '%s' already exists; use --force to overwrite it",
					 path);
		return cli_error("cannot create '%s': %s", path, strerror(e));
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(target);
		return cli_error("cannot write '%s': %s", path, strerror(e));
	}
	if (close(fd) != 0 || (force && rename(tmp, path) != 0)) {
		e = errno;
		unlink(target);
		return cli_error("cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

/* Sends secret output to stdout or the out-file. */
static int emit(const cli_args *a, const char *data, size_t len)
{
	const char *path = cli_get(a, "out-file");
	mode_t mode = 0600;
	int rc;

	if (!path) {
		if (write_all(STDOUT_FILENO, data, len) != 0)
			return cli_error("cannot write to stdout: %s", strerror(errno));
		return 0;
	}
	rc = parse_mode(&mode, cli_get(a, "file-mode"));
	return rc ? rc : write_out_file(path, mode, cli_has(a, "force"), data, len);
}

static int read_input(sbuf *out, const char *path)
{
	int fd = STDIN_FILENO;
	char buf[65536];

	if (path && strcmp(path, "-") != 0 && strcmp(path, "/dev/stdin") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cli_error("cannot open '%s': %s", path, strerror(errno));
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			if (fd != STDIN_FILENO)
				close(fd);
			return cli_error("cannot read '%s': %s", path ? path : "stdin",
					 strerror(e));
		}
		if (r == 0)
			break;
		if (sbuf_add(out, buf, (size_t)r) != 0) {
			if (fd != STDIN_FILENO)
				close(fd);
			return cli_error("input '%s' is larger than %u bytes",
					 path ? path : "stdin", INPUT_MAX);
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0 && strcasecmp(v, "false") != 0 &&
	       strcasecmp(v, "no") != 0;
}

/* Global flags op accepts on every command; kept for scripts, no effect here. */
#define GLOBAL_OPTS                                                                                \
	{"format", 0, CLI_ARG, "FORMAT", "Accepted for op compatibility (no effect here)"},        \
	{                                                                                          \
		"no-color", 0, CLI_NOARG, NULL, "Accepted for op compatibility"                    \
	}

/* ---- read ---- */

static const cli_option read_opts[] = {
	{"no-newline", 'n', CLI_NOARG, NULL, "Do not print a new line after the secret"},
	{"out-file", 'o', CLI_ARG, "PATH", "Write the secret to a file instead of stdout"},
	{"file-mode", 0, CLI_ARG, "MODE", "Mode of the out-file, octal (default 0600)"},
	{"force", 'f', CLI_NOARG, NULL, "Replace the out-file if it exists"},
	GLOBAL_OPTS,
};

static const cli_spec read_spec = {
	"sesame read op://<vault>/<item>/[<section>/]<field>[?attribute=...] [flags]",
	"Prints the secret a reference points to. Query attributes: type, value, id,\n"
	"purpose, otp (totp); for files content, name, size; ssh-format=openssh.",
	read_opts, sizeof read_opts / sizeof read_opts[0]};

int cmd_read(int argc, char **argv)
{
	client_resolution *res = NULL;
	cli_args a;
	sbuf out = SBUF_INIT_SECURE(SIZE_MAX);
	int rc = cli_parse(&a, &read_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos != 1)
		return cli_usage_error(a.npos ? "expected one secret reference, got %d arguments"
					      : "expected a secret reference%.0d",
				       a.npos);
	if (cli_get(&a, "file-mode") && !cli_get(&a, "out-file"))
		return cli_usage_error("--file-mode needs --out-file");
	mode_t mode;
	if (parse_mode(&mode, cli_get(&a, "file-mode")))
		return CLI_EXIT_USAGE;
	const char *ref = a.pos[0];
	rc = resolve_all(&ref, 1, &res);
	if (rc)
		return rc;
	if (res[0].code) {
		rc = cli_error("could not read secret '%s': %s", ref, res[0].message);
		goto out;
	}
	const sbuf *v = &res[0].result.value;
	if (sbuf_add(&out, v->ptr ? v->ptr : "", v->len) ||
	    (!cli_has(&a, "no-newline") && sbuf_addc(&out, '\n'))) {
		rc = cli_error("out of memory");
		goto out;
	}
	rc = emit(&a, out.ptr, out.len);
out:
	sbuf_free(&out);
	client_resolutions_free(res, 1);
	return rc;
}

/* ---- inject ---- */

static const cli_option inject_opts[] = {
	{"in-file", 'i', CLI_ARG, "PATH", "Read the template from a file (default stdin)"},
	{"out-file", 'o', CLI_ARG, "PATH", "Write the result to a file instead of stdout"},
	{"file-mode", 0, CLI_ARG, "MODE", "Mode of the out-file, octal (default 0600)"},
	{"force", 'f', CLI_NOARG, NULL, "Replace the out-file if it exists"},
	GLOBAL_OPTS,
};

static const cli_spec inject_spec = {
	"sesame inject [-i TEMPLATE] [-o OUTPUT] [flags]",
	"Replaces the secret references of a template ({{ op://... }} or a bare\n"
	"op://...; $VAR, ${VAR} and ${VAR:-default} expand inside references) with\n"
	"their secrets, all resolved in one request.",
	inject_opts, sizeof inject_opts / sizeof inject_opts[0]};

static const char *env_lookup(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

int cmd_inject(int argc, char **argv)
{
	template_scan_result scan = {0};
	client_resolution *res = NULL;
	const char **refs = NULL, **vals = NULL;
	size_t *lens = NULL;
	sbuf in = SBUF_INIT(INPUT_MAX), out = SBUF_INIT_SECURE(SIZE_MAX);
	cli_args a;
	int rc = cli_parse(&a, &inject_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_get(&a, "file-mode") && !cli_get(&a, "out-file"))
		return cli_usage_error("--file-mode needs --out-file");
	mode_t mode;
	if (parse_mode(&mode, cli_get(&a, "file-mode")))
		return CLI_EXIT_USAGE;
	rc = read_input(&in, cli_get(&a, "in-file"));
	if (rc)
		goto out;
	if (template_scan(&scan, in.ptr ? in.ptr : "", in.len, env_lookup, NULL) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	refs = calloc(scan.nrefs + 1, sizeof *refs);
	vals = calloc(scan.nrefs + 1, sizeof *vals);
	lens = calloc(scan.nrefs + 1, sizeof *lens);
	if (!refs || !vals || !lens) {
		rc = cli_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < scan.nrefs; i++)
		refs[i] = scan.refs[i].reference;
	if (scan.nrefs) {
		rc = resolve_all(refs, scan.nrefs, &res);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < scan.nrefs; i++) {
		if (res[i].code) {
			rc = cli_error("line %u: could not resolve secret reference '%s': %s",
				       scan.refs[i].line, refs[i], res[i].message);
			goto out;
		}
		vals[i] = res[i].result.value.ptr ? res[i].result.value.ptr : "";
		lens[i] = res[i].result.value.len;
	}
	if (template_render(&out, in.ptr ? in.ptr : "", in.len, &scan, vals, lens) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	rc = emit(&a, out.ptr ? out.ptr : "", out.len);
out:
	client_resolutions_free(res, scan.nrefs);
	template_scan_free(&scan);
	free(refs);
	free(vals);
	free(lens);
	sbuf_free(&out);
	sbuf_free(&in);
	return rc;
}

/* ---- run ---- */

static const cli_option run_opts[] = {
	{"env-file", 0, CLI_ARG, "PATH",
	 "Load variables from a dotenv file (repeatable; later wins)"},
	{"no-masking", 0, CLI_NOARG, NULL, "Do not conceal secrets in the command's output"},
	GLOBAL_OPTS,
};

static const cli_spec run_spec = {
	"sesame run [--env-file FILE]... [--no-masking] -- COMMAND [ARGS...]",
	"Runs COMMAND with every environment variable whose value is a secret\n"
	"reference (inherited, or from --env-file files) replaced by its secret,\n"
	"all resolved in one request. Secrets the command prints on stdout or\n"
	"stderr are replaced by <concealed by sesame> unless --no-masking or\n"
	"OP_RUN_NO_MASKING is set. The exit code is the command's.",
	run_opts, sizeof run_opts / sizeof run_opts[0]};

static const char *dotenv_lookup(void *ctx, const char *name)
{
	return dotenv_get(ctx, name);
}

static int load_env_file(dotenv *env, const char *path)
{
	sbuf text = SBUF_INIT_SECURE(INPUT_MAX);
	dotenv file = {0};
	int rc;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_error("cannot open env file '%s': %s", path, strerror(errno));
	close(fd);
	rc = read_input(&text, path);
	if (rc) {
		sbuf_free(&text);
		return rc;
	}
	if (dotenv_parse(&file, text.ptr ? text.ptr : "", text.len, path) != 0)
		rc = cli_fail(NULL);
	for (size_t i = 0; rc == 0 && i < file.n; i++)
		if (dotenv_set(env, file.entries[i].key, file.entries[i].value) != 0)
			rc = cli_fail(NULL);
	dotenv_free(&file);
	sbuf_free(&text);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	const char *files[CLI_MAX_POS];
	size_t nfiles = 0, nref = 0;
	bool no_masking = env_true("OP_RUN_NO_MASKING");
	dotenv env = {0};
	client_resolution *res = NULL;
	const char **refs = NULL, **secrets = NULL;
	size_t *ref_var = NULL, *secret_lens = NULL;
	char **envp = NULL, **expanded = NULL, *block = NULL;
	size_t block_len = 0;
	int i, rc = 0, exit_code = 0;

	/* Own parser: --env-file repeats, and the command's flags are its own. */
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			cli_print_help(stdout, &run_spec);
			return CLI_EXIT_OK;
		}
		if (strcmp(arg, "--no-masking") == 0) {
			no_masking = true;
		} else if (strcmp(arg, "--no-color") == 0) {
		} else if (strcmp(arg, "--env-file") == 0 || strcmp(arg, "--format") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("flag '%s' needs a value", arg);
			if (arg[2] == 'e' && nfiles < CLI_MAX_POS)
				files[nfiles++] = argv[i + 1];
			i++;
		} else if (strncmp(arg, "--env-file=", 11) == 0) {
			if (nfiles < CLI_MAX_POS)
				files[nfiles++] = arg + 11;
		} else if (strncmp(arg, "--format=", 9) == 0) {
		} else {
			return cli_usage_error("unknown flag '%s'", arg);
		}
	}
	if (i >= argc)
		return cli_usage_error("expected a command to run after '--'");
	char **cmd = argv + i;

	/* The shell's environment, then the files in order: later wins. */
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || eq == *e)
			continue;
		char key[1024];
		if ((size_t)(eq - *e) >= sizeof key)
			continue;
		memcpy(key, *e, (size_t)(eq - *e));
		key[eq - *e] = '\0';
		if (dotenv_set(&env, key, eq + 1) != 0) {
			rc = cli_fail(NULL);
			goto out;
		}
	}
	for (size_t f = 0; f < nfiles; f++) {
		rc = load_env_file(&env, files[f]);
		if (rc)
			goto out;
	}
	refs = calloc(env.n + 1, sizeof *refs);
	ref_var = calloc(env.n + 1, sizeof *ref_var);
	expanded = calloc(env.n + 1, sizeof *expanded);
	envp = calloc(env.n + 1, sizeof *envp);
	secrets = calloc(env.n + 1, sizeof *secrets);
	secret_lens = calloc(env.n + 1, sizeof *secret_lens);
	if (!refs || !ref_var || !expanded || !envp || !secrets || !secret_lens) {
		rc = cli_error("out of memory");
		goto out;
	}
	for (size_t k = 0; k < env.n; k++) {
		const char *v = env.entries[k].value;
		if (strncmp(v, "op://", 5) != 0)
			continue;
		sbuf x = SBUF_INIT(TEMPLATE_MAX_REF_BYTES + 1);
		if (template_expand_vars(&x, v, strlen(v), dotenv_lookup, &env) != 0) {
			sbuf_free(&x);
			rc = cli_error("environment variable '%s': %s", env.entries[k].key,
				       sesame_error_last()->message);
			goto out;
		}
		expanded[nref] = sbuf_detach(&x, NULL);
		if (!expanded[nref]) {
			expanded[nref] = strdup("");
			if (!expanded[nref]) {
				rc = cli_error("out of memory");
				goto out;
			}
		}
		refs[nref] = expanded[nref];
		ref_var[nref++] = k;
	}
	if (nref) {
		rc = resolve_all(refs, nref, &res);
		if (rc)
			goto out;
	}
	size_t nsecrets = 0;
	for (size_t r = 0; r < nref; r++) {
		if (res[r].code) {
			rc = cli_error("could not resolve secret reference '%s' of environment "
				       "variable '%s': %s",
				       refs[r], env.entries[ref_var[r]].key, res[r].message);
			goto out;
		}
	}
	/*
	 * envp: KEY=VALUE strings laid out in one secure block (one allocation
	 * instead of one per variable: sodium_malloc costs several syscalls).
	 */
	size_t total = 0;
	for (size_t k = 0, r = 0; k < env.n; k++) {
		size_t vlen = strlen(env.entries[k].value);
		if (r < nref && ref_var[r] == k)
			vlen = res[r++].result.value.len;
		total += strlen(env.entries[k].key) + vlen + 2;
	}
	block = secmem_alloc(total + 1);
	if (!block) {
		rc = cli_error("out of memory");
		goto out;
	}
	block_len = total + 1;
	char *p = block;
	for (size_t k = 0, r = 0; k < env.n; k++) {
		const char *key = env.entries[k].key, *val = env.entries[k].value;
		size_t vlen = strlen(val);
		bool secret = r < nref && ref_var[r] == k;
		if (secret) {
			val = res[r].result.value.ptr ? res[r].result.value.ptr : "";
			vlen = res[r].result.value.len;
			r++;
		}
		size_t klen = strlen(key);
		envp[k] = p;
		memcpy(p, key, klen);
		p[klen] = '=';
		memcpy(p + klen + 1, val, vlen);
		p[klen + 1 + vlen] = '\0';
		/* Mask each distinct value once (pointing into the block). */
		bool dup = !secret || vlen == 0;
		for (size_t d = 0; !dup && d < nsecrets; d++)
			dup = secret_lens[d] == vlen && memcmp(secrets[d], val, vlen) == 0;
		if (!dup) {
			secrets[nsecrets] = p + klen + 1;
			secret_lens[nsecrets++] = vlen;
		}
		p += klen + vlen + 2;
	}
	/* Only the block holds secrets now: release the rest before forking. */
	client_resolutions_free(res, nref);
	res = NULL;
	run_options ro = {cmd, envp, secrets, secret_lens, nsecrets, no_masking ? 0 : 1};
	fflush(stdout);
	if (run_command(&ro, &exit_code) != 0) {
		const sesame_error *e = sesame_error_last();
		rc = cli_error("%s", e->message);
		if (e->code == SESAME_ENOTFOUND)
			rc = 127;
		else if (e->code == SESAME_EPERM)
			rc = 126;
		goto out;
	}
	rc = exit_code;
out:
	if (block) {
		secmem_wipe(block, block_len);
		secmem_free(block);
	}
	for (size_t r = 0; expanded && r < nref; r++)
		free(expanded[r]);
	free(envp);
	free(expanded);
	free(refs);
	free(ref_var);
	free(secrets);
	free(secret_lens);
	client_resolutions_free(res, nref);
	dotenv_free(&env);
	return rc;
}

const cli_tree cli_tree_read = {&read_spec, NULL, 0};
const cli_tree cli_tree_inject = {&inject_spec, NULL, 0};
const cli_tree cli_tree_run = {&run_spec, NULL, 0};
