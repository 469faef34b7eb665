/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Settings: one table, applied in layers. Defaults first, then the config
 * file, then the environment, then options, each layer overriding the one
 * before (so options win). Every value is checked where it is read, and
 * the error names its source: the option, the variable, or the file and
 * line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sesame/errors.h"

enum opt_id {
	OPT_LISTEN,
	OPT_PORT,
	OPT_DATA_DIR,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_LOG_LEVEL,
	OPT_LOG_FORMAT,
	OPT_INSECURE_NO_TLS,
	OPT_ALLOW_SIGNUP,
	OPT_MAX_FILE_SIZE,
	OPT_RL_READS,
	OPT_RL_WRITES,
	OPT_RL_DAY,
	OPT_RL_PEOPLE,
	OPT_RL_TEST_WINDOW,
	OPT_AUDIT,
	OPT_AUDIT_SYNC,
	OPT_CONFIG,
	OPT_DEV,
	OPT_VERSION,
	OPT_HELP,
	OPT_COUNT
};

/* Where a setting may be given. */
#define IN_FLAG 1u
#define IN_ENV	2u
#define IN_FILE 4u

static const struct opt_spec {
	enum opt_id id;
	const char *name; /* --name, and the key in a config file */
	const char *env;  /* environment variable, or NULL */
	unsigned int where;
	const char *arg; /* value placeholder for --help; NULL for a switch */
	const char *help;
} opt_table[] = {
	{OPT_LISTEN, "listen", "SESAME_LISTEN", IN_FLAG | IN_ENV | IN_FILE, "ADDR",
	 "IPv4 or IPv6 address to listen on (default " CONFIG_DEFAULT_LISTEN ")"},
	{OPT_PORT, "port", "SESAME_PORT", IN_FLAG | IN_ENV | IN_FILE, "PORT",
	 "TCP port, 0 for any free one (default 8420)"},
	{OPT_DATA_DIR, "data-dir", "SESAME_DATA_DIR", IN_FLAG | IN_ENV | IN_FILE, "DIR",
	 "directory for the database, created 0700 (default " CONFIG_DEFAULT_DATA_DIR ")"},
	{OPT_TLS_CERT, "tls-cert", "SESAME_TLS_CERT", IN_FLAG | IN_ENV | IN_FILE, "FILE",
	 "PEM certificate (chain) for HTTPS"},
	{OPT_TLS_KEY, "tls-key", "SESAME_TLS_KEY", IN_FLAG | IN_ENV | IN_FILE, "FILE",
	 "PEM private key for HTTPS"},
	{OPT_LOG_LEVEL, "log-level", "SESAME_LOG_LEVEL", IN_FLAG | IN_ENV | IN_FILE, "LEVEL",
	 "debug, info, warn or error (default info)"},
	{OPT_LOG_FORMAT, "log-format", "SESAME_LOG_FORMAT", IN_FLAG | IN_ENV | IN_FILE, "FORMAT",
	 "text or json (default text)"},
	{OPT_INSECURE_NO_TLS, "insecure-no-tls", NULL, IN_FLAG | IN_FILE, NULL,
	 "allow plain HTTP on a non-loopback address (behind a TLS proxy)"},
	{OPT_ALLOW_SIGNUP, "allow-signup", NULL, IN_FLAG | IN_FILE, NULL,
	 "allow creating accounts after the first one (POST /v1/accounts)"},
	{OPT_MAX_FILE_SIZE, "max-file-size", "SESAME_MAX_FILE_SIZE", IN_FLAG | IN_ENV | IN_FILE,
	 "BYTES", "largest file upload (ciphertext), e.g. 16M (default 16M, at most 256M)"},
	{OPT_RL_READS, "ratelimit-reads-per-hour", "SESAME_RATELIMIT_READS_PER_HOUR",
	 IN_FLAG | IN_ENV | IN_FILE, "N", "reads per token per hour (default 10000)"},
	{OPT_RL_WRITES, "ratelimit-writes-per-hour", "SESAME_RATELIMIT_WRITES_PER_HOUR",
	 IN_FLAG | IN_ENV | IN_FILE, "N", "writes per token per hour (default 1000)"},
	{OPT_RL_DAY, "ratelimit-per-day", "SESAME_RATELIMIT_PER_DAY", IN_FLAG | IN_ENV | IN_FILE,
	 "N", "requests per account per day (default 50000)"},
	{OPT_RL_PEOPLE, "ratelimit-people", NULL, IN_FLAG | IN_FILE, NULL,
	 "apply the limits to people too, not only to service accounts"},
	{OPT_RL_TEST_WINDOW, "ratelimit-test-window", NULL, IN_FLAG, "SECONDS",
	 "TESTS ONLY: the hourly window lasts SECONDS and the daily one 24 times that"},
	{OPT_AUDIT, "audit", "SESAME_AUDIT", IN_FLAG | IN_ENV | IN_FILE, "on|off",
	 "the audit trail (default on; off only for benchmarks)"},
	{OPT_AUDIT_SYNC, "audit-sync", "SESAME_AUDIT_SYNC", IN_FLAG | IN_ENV | IN_FILE,
	 "normal|full",
	 "audit commits: in the log before the answer (normal) or also fsync'd (full)"},
	{OPT_CONFIG, "config", NULL, IN_FLAG, "FILE", "read 'key = value' settings from FILE"},
	{OPT_DEV, "dev", NULL, IN_FLAG, NULL,
	 "development mode: throwaway data directory, 127.0.0.1, port 8420"},
	{OPT_VERSION, "version", NULL, IN_FLAG, NULL, "print the version and exit"},
	{OPT_HELP, "help", NULL, IN_FLAG, NULL, "print this help and exit"},
};

#define OPT_TABLE_LEN (sizeof opt_table / sizeof opt_table[0])

static const struct opt_spec *opt_by_name(const char *name, size_t len, unsigned int where)
{
	for (size_t i = 0; i < OPT_TABLE_LEN; i++)
		if ((opt_table[i].where & where) && strlen(opt_table[i].name) == len &&
		    memcmp(opt_table[i].name, name, len) == 0)
			return &opt_table[i];
	return NULL;
}

static int config_fail(char *err, size_t errcap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_fail(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
	return SESAME_EINVAL;
}

/* ---- addresses ---- */

/* Accepts "::1" and "[::1]"; writes the bare form into out. */
static bool parse_addr(const char *in, char *out, size_t cap)
{
	unsigned char bin[sizeof(struct in6_addr)];
	size_t n = strlen(in);

	if (n >= 2 && in[0] == '[' && in[n - 1] == ']') {
		in++;
		n -= 2;
	}
	if (n == 0 || n >= cap || n >= INET6_ADDRSTRLEN)
		return false;
	memcpy(out, in, n);
	out[n] = '\0';
	return inet_pton(AF_INET, out, bin) == 1 || inet_pton(AF_INET6, out, bin) == 1;
}

bool config_addr_is_ipv6(const char *addr)
{
	unsigned char bin[sizeof(struct in6_addr)];
	return inet_pton(AF_INET6, addr, bin) == 1;
}

bool config_addr_is_loopback(const char *addr)
{
	struct in_addr v4;
	struct in6_addr v6;

	if (inet_pton(AF_INET, addr, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &v6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&v6))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
	}
	return false;
}

int config_url(char *out, size_t cap, const char *addr, unsigned int port, bool tls)
{
	bool v6 = config_addr_is_ipv6(addr);
	int n = snprintf(out, cap, "%s://%s%s%s:%u", tls ? "https" : "http", v6 ? "[" : "", addr,
			 v6 ? "]" : "", port);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* ---- setting one value ---- */

static int set_string(char **slot, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return SESAME_ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

/*
 * Applies one textual value. `src` names where it came from for errors,
 * e.g. "option '--port'" or "SESAME_PORT" or "key 'port'".
 */
static int apply(struct server_config *cfg, enum opt_id id, const char *value, const char *src,
		 char *err, size_t errcap)
{
	char addr[INET6_ADDRSTRLEN];
	char *end;
	int v;

	switch (id) {
	case OPT_LISTEN:
		if (!parse_addr(value, addr, sizeof addr))
			return config_fail(
				err, errcap,
				"invalid value '%s' for %s: expected an IPv4 or IPv6 address "
				"such as 127.0.0.1 or ::1",
				value, src);
		return set_string(&cfg->listen, addr);
	case OPT_PORT: {
		size_t n = strlen(value);
		bool digits = n > 0 && n <= 5;
		for (size_t i = 0; digits && i < n; i++)
			digits = value[i] >= '0' && value[i] <= '9';
		errno = 0;
		unsigned long port = digits ? strtoul(value, &end, 10) : 0;
		if (!digits || errno || *end || port > 65535)
			return config_fail(
				err, errcap,
				"invalid value '%s' for %s: expected a port from 0 to 65535", value,
				src);
		cfg->port = (unsigned int)port;
		return 0;
	}
	case OPT_DATA_DIR:
	case OPT_TLS_CERT:
	case OPT_TLS_KEY:
	case OPT_CONFIG:
		if (!*value || strlen(value) >= PATH_MAX)
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected a path", value,
					   src);
		return set_string(id == OPT_DATA_DIR   ? &cfg->data_dir
				  : id == OPT_TLS_CERT ? &cfg->tls_cert
				  : id == OPT_TLS_KEY  ? &cfg->tls_key
						       : &cfg->config_file,
				  value);
	case OPT_LOG_LEVEL:
		v = log_level_parse(value);
		if (v < 0 || v == LOG_OFF)
			return config_fail(
				err, errcap,
				"invalid value '%s' for %s: expected debug, info, warn or error",
				value, src);
		cfg->log_level = (log_level)v;
		return 0;
	case OPT_LOG_FORMAT:
		v = log_format_parse(value);
		if (v < 0)
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected text or json",
					   value, src);
		cfg->log_format = (log_format)v;
		return 0;
	case OPT_INSECURE_NO_TLS:
	case OPT_ALLOW_SIGNUP: {
		/* Only a config file gives a switch a value. */
		bool *slot = id == OPT_ALLOW_SIGNUP ? &cfg->allow_signup : &cfg->insecure_no_tls;
		if (strcmp(value, "true") == 0)
			*slot = true;
		else if (strcmp(value, "false") == 0)
			*slot = false;
		else
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected true or false",
					   value, src);
		return 0;
	}
	case OPT_MAX_FILE_SIZE: {
		/* Digits, then an optional K, M or G (powers of 1024). */
		size_t n = strlen(value), digits = 0;
		unsigned long long mult = 1, size;
		while (digits < n && digits < 12 && value[digits] >= '0' && value[digits] <= '9')
			digits++;
		if (digits && digits + 1 == n && (value[digits] | 0x20) == 'k')
			mult = 1024;
		else if (digits && digits + 1 == n && (value[digits] | 0x20) == 'm')
			mult = 1024 * 1024;
		else if (digits && digits + 1 == n && (value[digits] | 0x20) == 'g')
			mult = 1024 * 1024 * 1024;
		else if (digits != n)
			digits = 0;
		errno = 0;
		size = digits ? strtoull(value, &end, 10) * mult : 0;
		if (!digits || errno || size < 1 || size > CONFIG_MAX_FILE_SIZE_LIMIT)
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected a size from 1 to "
					   "256M bytes, such as 16M",
					   value, src);
		cfg->max_file_size = (size_t)size;
		return 0;
	}
	case OPT_RL_READS:
	case OPT_RL_WRITES:
	case OPT_RL_DAY:
	case OPT_RL_TEST_WINDOW: {
		long long n;
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno || end == value || *end || n < 1 || n > 1000000000LL)
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected a number from 1 to "
					   "1000000000",
					   value, src);
		*(id == OPT_RL_READS	? &cfg->rl_reads_per_hour
		  : id == OPT_RL_WRITES ? &cfg->rl_writes_per_hour
		  : id == OPT_RL_DAY	? &cfg->rl_per_day
					: &cfg->rl_test_window) = n;
		return 0;
	}
	case OPT_RL_PEOPLE:
		if (strcmp(value, "true") == 0)
			cfg->rl_people = true;
		else if (strcmp(value, "false") == 0)
			cfg->rl_people = false;
		else
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected true or false",
					   value, src);
		return 0;
	case OPT_AUDIT:
		if (strcmp(value, "on") == 0)
			cfg->audit_off = false;
		else if (strcmp(value, "off") == 0)
			cfg->audit_off = true;
		else
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected on or off", value,
					   src);
		return 0;
	case OPT_AUDIT_SYNC:
		if (strcmp(value, "normal") == 0)
			cfg->audit_sync_full = false;
		else if (strcmp(value, "full") == 0)
			cfg->audit_sync_full = true;
		else
			return config_fail(err, errcap,
					   "invalid value '%s' for %s: expected normal or full", value,
					   src);
		return 0;
	case OPT_DEV:
	case OPT_VERSION:
	case OPT_HELP:
	case OPT_COUNT:
		break;
	}
	return config_fail(err, errcap, "%s cannot be set here", src);
}

/* ---- the config file ---- */

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int load_file(struct server_config *cfg, const char *path, char *err, size_t errcap)
{
	int seen_line[OPT_COUNT] = {0};
	char *text = NULL, *line, *next;
	size_t len = 0;
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return config_fail(err, errcap, "cannot read config file '%s': %s", path,
				   strerror(errno));
	text = malloc(CONFIG_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		return config_fail(err, errcap, "cannot read config file '%s': out of memory",
				   path);
	}
	len = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		rc = config_fail(err, errcap, "cannot read config file '%s': %s", path,
				 strerror(errno));
		goto out;
	}
	if (len > CONFIG_FILE_MAX) {
		rc = config_fail(err, errcap, "config file '%s' is larger than %d bytes", path,
				 CONFIG_FILE_MAX);
		goto out;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		rc = config_fail(err, errcap, "config file '%s' contains a NUL byte", path);
		goto out;
	}

	for (line = text; line && *line; line = next) {
		char src[96 + PATH_MAX];
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strlen(line) > CONFIG_LINE_MAX) {
			rc = config_fail(err, errcap,
					 "config file '%s' line %d: line longer than %d bytes",
					 path, lineno, CONFIG_LINE_MAX);
			goto out;
		}
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = config_fail(err, errcap,
					 "config file '%s' line %d: expected 'key = value'", path,
					 lineno);
			goto out;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		const struct opt_spec *o = opt_by_name(key, strlen(key), IN_FILE);
		if (!o) {
			char hint[96] = "";
			char alt[64];
			size_t klen = strlen(key);
			/* "data_dir" is a likely slip for "data-dir": say so. */
			if (klen < sizeof alt) {
				for (size_t i = 0; i <= klen; i++)
					alt[i] = key[i] == '_' ? '-' : key[i];
				if (strcmp(alt, key) != 0 && opt_by_name(alt, klen, IN_FILE))
					snprintf(hint, sizeof hint, " (did you mean '%.32s'?)",
						 alt);
			}
			rc = config_fail(err, errcap,
					 "config file '%s' line %d: unknown key '%.64s'%s", path,
					 lineno, key, hint);
			goto out;
		}
		if (seen_line[o->id]) {
			rc = config_fail(
				err, errcap,
				"config file '%s' line %d: key '%s' already set on line %d", path,
				lineno, key, seen_line[o->id]);
			goto out;
		}
		seen_line[o->id] = lineno;
		if (*value == '\0') {
			rc = config_fail(err, errcap,
					 "config file '%s' line %d: key '%s' has no value", path,
					 lineno, key);
			goto out;
		}
		snprintf(src, sizeof src, "key '%s' in config file '%s' line %d", key, path,
			 lineno);
		rc = apply(cfg, o->id, value, src, err, errcap);
		if (rc)
			goto out;
	}
out:
	free(text);
	fclose(f);
	return rc;
}

/* ---- environment ---- */

static const char *env_get(char *const envp[], const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* ---- load ---- */

void config_free(struct server_config *cfg)
{
	free(cfg->listen);
	free(cfg->data_dir);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->config_file);
	memset(cfg, 0, sizeof *cfg);
}

int config_load(struct server_config *cfg, int argc, char *const argv[], char *const envp[],
		char *err, size_t errcap)
{
	const char *flag[OPT_COUNT] = {0}; /* values given as options */
	bool given[OPT_COUNT] = {0};
	int rc;

	memset(cfg, 0, sizeof *cfg);
	err[0] = '\0';

	/* 1. Options: syntax only, so that --help works whatever else is wrong. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq, *value = NULL;
		size_t nlen;

		if (strcmp(a, "-h") == 0)
			a = "--help";
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
			return config_fail(err, errcap, "unexpected argument '%s'", argv[i]);
		name = a + 2;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt_spec *o = opt_by_name(name, nlen, IN_FLAG);
		if (!o)
			return config_fail(err, errcap, "unknown option '--%.*s'",
					   (int)(nlen > 64 ? 64 : nlen), name);
		if (!o->arg) {
			if (eq)
				return config_fail(err, errcap, "option '--%s' takes no value",
						   o->name);
		} else if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			return config_fail(err, errcap, "option '--%s' needs a value", o->name);
		}
		given[o->id] = true;
		flag[o->id] = value;
	}
	if (given[OPT_HELP]) {
		cfg->action = CONFIG_HELP;
		return 0;
	}
	if (given[OPT_VERSION]) {
		cfg->action = CONFIG_VERSION;
		return 0;
	}

	/* 2. Defaults. */
	cfg->port = CONFIG_DEFAULT_PORT;
	cfg->max_file_size = CONFIG_DEFAULT_MAX_FILE_SIZE;
	cfg->log_level = LOG_INFO;
	cfg->log_format = LOG_FORMAT_TEXT;
	if (set_string(&cfg->listen, CONFIG_DEFAULT_LISTEN) ||
	    set_string(&cfg->data_dir, CONFIG_DEFAULT_DATA_DIR))
		return config_fail(err, errcap, "out of memory");

	/* 3. The config file. */
	if (given[OPT_CONFIG]) {
		rc = apply(cfg, OPT_CONFIG, flag[OPT_CONFIG], "option '--config'", err, errcap);
		if (!rc)
			rc = load_file(cfg, cfg->config_file, err, errcap);
		if (rc)
			return rc;
	}

	/* 4. The environment; an empty variable counts as unset. */
	for (size_t i = 0; i < OPT_TABLE_LEN; i++) {
		const struct opt_spec *o = &opt_table[i];
		const char *v = o->env ? env_get(envp, o->env) : NULL;
		char src[64];
		if (!v || !*v)
			continue;
		snprintf(src, sizeof src, "environment variable %s", o->env);
		rc = apply(cfg, o->id, v, src, err, errcap);
		if (rc)
			return rc;
	}

	/* 5. Options. */
	for (size_t i = 0; i < OPT_TABLE_LEN; i++) {
		const struct opt_spec *o = &opt_table[i];
		char src[64];
		if (!given[o->id] || o->id == OPT_CONFIG)
			continue;
		if (!o->arg) {
			if (o->id == OPT_INSECURE_NO_TLS)
				cfg->insecure_no_tls = true;
			else if (o->id == OPT_ALLOW_SIGNUP)
				cfg->allow_signup = true;
			else if (o->id == OPT_DEV)
				cfg->dev = true;
			else if (o->id == OPT_RL_PEOPLE)
				cfg->rl_people = true;
			continue;
		}
		snprintf(src, sizeof src, "option '--%s'", o->name);
		rc = apply(cfg, o->id, flag[o->id], src, err, errcap);
		if (rc)
			return rc;
	}

	/*
	 * 6. Dev mode: a throwaway server on 127.0.0.1, so the environment and
	 * config file do not decide where it listens or stores; only an
	 * explicit --port moves it.
	 */
	if (cfg->dev) {
		if (given[OPT_LISTEN] || given[OPT_DATA_DIR])
			return config_fail(err, errcap, "option '--%s' cannot be used with '--dev'",
					   given[OPT_LISTEN] ? "listen" : "data-dir");
		if (set_string(&cfg->listen, CONFIG_DEFAULT_LISTEN))
			return config_fail(err, errcap, "out of memory");
		free(cfg->data_dir);
		cfg->data_dir = NULL;
		if (!given[OPT_PORT])
			cfg->port = CONFIG_DEFAULT_PORT;
	}

	/* 7. Rules across settings. */
	if (!cfg->tls_cert != !cfg->tls_key)
		return config_fail(err, errcap, "%s given without %s: both are needed for https",
				   cfg->tls_cert ? "tls-cert" : "tls-key",
				   cfg->tls_cert ? "tls-key" : "tls-cert");
	if (!cfg->tls_cert && !cfg->insecure_no_tls && !config_addr_is_loopback(cfg->listen))
		return config_fail(err, errcap,
				   "refusing to listen on '%s' without tls: give --tls-cert and "
				   "--tls-key, or --insecure-no-tls if a tls proxy is in front",
				   cfg->listen);
	return 0;
}

void config_usage(FILE *out)
{
	fputs("usage: sesamed [options]\n\n"
	      "The Sesame server: an end-to-end-encrypted secrets store over HTTP(S).\n\n"
	      "options:\n",
	      out);
	for (size_t i = 0; i < OPT_TABLE_LEN; i++) {
		const struct opt_spec *o = &opt_table[i];
		char left[48];
		snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "  %-24s %s\n", left, o->help);
		if (o->env)
			fprintf(out, "  %-24s   env %s\n", "", o->env);
	}
	fputs("\nPrecedence: options, then environment variables, then the config file\n"
	      "(one 'key = value' per line, keys named as the options, '#' starts a\n"
	      "comment line), then defaults. A non-loopback address needs --tls-cert and\n"
	      "--tls-key, or --insecure-no-tls.\n",
	      out);
}
