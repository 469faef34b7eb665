/* SPDX-License-Identifier: Apache-2.0 */
/* Option tables, --help, error reporting and secret input for every command. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "crypto/secmem.h"
#include "sesame/errors.h"

#define SECRET_LINE_MAX 4096

static void print_flags(FILE *f, const cli_spec *spec)
{
	fputs("\nFlags:\n", f);
	for (size_t i = 0; spec && i < spec->nopts; i++) {
		const cli_option *o = &spec->opts[i];
		char left[64];
		if (o->has_arg == CLI_ARG)
			snprintf(left, sizeof left, "--%s %s", o->name, o->arg_name);
		else if (o->has_arg == CLI_OPTARG)
			snprintf(left, sizeof left, "--%s[=%s]", o->name, o->arg_name);
		else
			snprintf(left, sizeof left, "--%s", o->name);
		if (o->shortname)
			fprintf(f, "  -%c, %-28s %s\n", o->shortname, left, o->help);
		else
			fprintf(f, "      %-28s %s\n", left, o->help);
	}
	fputs("  -h, --help                       Show this help\n", f);
}

void cli_print_help(FILE *f, const cli_spec *spec)
{
	fprintf(f, "Usage:  %s\n\n%s\n", spec->usage, spec->description);
	print_flags(f, spec);
}

const cli_spec *cli_node_spec(const cli_node *n)
{
	return n->spec ? n->spec : n->tree ? n->tree->spec : NULL;
}

void cli_print_tree_help(FILE *f, const cli_tree *t)
{
	if (t->spec)
		fprintf(f, "Usage:  %s\n\n%s\n", t->spec->usage, t->spec->description);
	if (t->nsubs)
		fputs("\nCommands:\n", f);
	for (size_t i = 0; i < t->nsubs; i++) {
		const cli_node *n = &t->subs[i];
		if (n->aliases)
			fprintf(f, "  %-12s %s (%s)\n", n->name, n->summary, n->aliases);
		else
			fprintf(f, "  %-12s %s\n", n->name, n->summary);
	}
	print_flags(f, t->spec);
}

/* Whether `word` is one of the space-separated names in `list`. */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (list && *list) {
		size_t len = strcspn(list, " ");
		if (len == n && strncmp(list, word, n) == 0)
			return true;
		list += len;
		list += strspn(list, " ");
	}
	return false;
}

int cli_dispatch(const cli_tree *t, const char *path, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("'%s' needs a command; run 'sesame %s --help'", path, path);
	const char *c = argv[1];
	if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
		cli_print_tree_help(stdout, t);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < t->nsubs; i++)
		if (strcmp(t->subs[i].name, c) == 0 || in_list(t->subs[i].aliases, c))
			return t->subs[i].run(argc - 1, argv + 1);
	return cli_usage_error("unknown command '%s %s'; run 'sesame %s --help'", path, c, path);
}

static int find_opt(const cli_spec *spec, const char *name, size_t len, char shortname)
{
	for (size_t i = 0; i < spec->nopts; i++) {
		const cli_option *o = &spec->opts[i];
		if (shortname ? o->shortname == shortname
			      : (strlen(o->name) == len && strncmp(o->name, name, len) == 0))
			return (int)i;
	}
	return -1;
}

int cli_parse(cli_args *out, const cli_spec *spec, int argc, char **argv)
{
	bool flags_done = false;

	memset(out, 0, sizeof *out);
	out->opts = spec->opts;
	out->nopts = spec->nopts;
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];
		if (flags_done || arg[0] != '-' || arg[1] == '\0') {
			if (out->npos >= CLI_MAX_POS)
				return cli_usage_error("too many arguments");
			out->pos[out->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			flags_done = true;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			cli_print_help(stdout, spec);
			return 1;
		}
		int idx;
		const char *val = NULL;
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			idx = find_opt(spec, name, len, 0);
			if (idx < 0)
				return cli_usage_error("unknown flag '--%.*s'", (int)len, name);
			if (eq)
				val = eq + 1;
		} else {
			if (arg[2] != '\0')
				return cli_usage_error("unknown flag '%s'", arg);
			idx = find_opt(spec, NULL, 0, arg[1]);
			if (idx < 0)
				return cli_usage_error("unknown flag '%s'", arg);
		}
		const cli_option *o = &spec->opts[idx];
		if (o->has_arg == CLI_NOARG && val)
			return cli_usage_error("flag '--%s' takes no value", o->name);
		if (o->has_arg == CLI_ARG && !val) {
			if (i + 1 >= argc)
				return cli_usage_error("flag '--%s' needs a value", o->name);
			val = argv[++i];
		}
		out->set[idx] = true;
		out->value[idx] = val;
	}
	return 0;
}

const char *cli_get(const cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return a->set[i] ? a->value[i] : NULL;
	return NULL;
}

bool cli_has(const cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].name, name) == 0)
			return a->set[i];
	return false;
}

int cli_format(const cli_args *a, bool *json)
{
	const char *f = cli_get(a, "format");
	*json = false;
	if (!f) /* op's global default, e.g. OP_FORMAT=json */
		f = getenv("OP_FORMAT");
	if (!f || !*f || strcmp(f, "human-readable") == 0 || strcmp(f, "human") == 0)
		return 0;
	if (strcmp(f, "json") == 0) {
		*json = true;
		return 0;
	}
	return cli_usage_error("unknown format '%s'; use 'human-readable' or 'json'", f);
}

int cli_fail(const char *what)
{
	const sesame_error *e = sesame_error_last();
	if (what)
		return cli_error("%s: %s", what, e->message);
	return cli_error("%s", e->message);
}

int cli_read_secret(char **out, size_t *len, const char *prompt)
{
	char *buf = secmem_calloc(SECRET_LINE_MAX + 1);
	size_t n = 0;
	int fd = STDIN_FILENO, tty = -1, rc = 0;
	struct termios old, noecho;
	bool restore = false;

	*out = NULL;
	*len = 0;
	if (!buf)
		return cli_error("out of memory");
	if (isatty(STDIN_FILENO)) {
		tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
		if (tty >= 0) {
			fd = tty;
			if (write(tty, prompt, strlen(prompt)) < 0) {
				/* the prompt is a courtesy; reading still works */
			}
			if (tcgetattr(tty, &old) == 0) {
				noecho = old;
				noecho.c_lflag &= (tcflag_t)~ECHO;
				restore = tcsetattr(tty, TCSAFLUSH, &noecho) == 0;
			}
		}
	}
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n >= SECRET_LINE_MAX) {
			rc = cli_error("input line is longer than %d bytes", SECRET_LINE_MAX);
			break;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (tty >= 0) {
		if (restore)
			tcsetattr(tty, TCSAFLUSH, &old);
		if (write(tty, "\n", 1) < 0) {
			/* cosmetic */
		}
		close(tty);
	}
	if (rc) {
		secmem_free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

int cli_read_secure_file(unsigned char **out, size_t *len, const char *path, size_t max,
			 bool dash_is_stdin)
{
	bool std_in = dash_is_stdin && strcmp(path, "-") == 0;
	int fd = std_in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 64 * 1024, n = 0;
	unsigned char *buf;
	struct stat st;
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return cli_error("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		rc = cli_error("cannot read '%s': %s", path,
			       strerror(S_ISDIR(st.st_mode) ? EISDIR : errno));
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		rc = cli_error("file '%s' is %llu bytes, over the limit of %zu bytes", path,
			       (unsigned long long)st.st_size, max);
		goto out;
	}
	if (S_ISREG(st.st_mode))
		cap = (size_t)st.st_size + 1; /* one read past the end sees EOF */
	/* Secure memory cannot grow in place: a bigger block, a copy, the old one wiped. */
	for (buf = secmem_alloc(cap); buf;) {
		if (n == cap) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			unsigned char *nb;
			if (ncap <= cap)
				break; /* over the limit */
			nb = secmem_alloc(ncap);
			if (nb)
				memcpy(nb, buf, n);
			secmem_free(buf);
			buf = nb;
			cap = ncap;
			continue;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cli_error("cannot read '%s': %s", path, strerror(errno));
			secmem_free(buf);
			goto out;
		}
		if (r == 0) {
			*out = buf;
			*len = n;
			goto out;
		}
		n += (size_t)r;
	}
	if (!buf) {
		rc = cli_error("out of memory");
	} else {
		secmem_free(buf);
		rc = cli_error("file '%s' is over the limit of %zu bytes", path, max);
	}
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}
