/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_CONFIG_H
#define SESAME_SERVER_CONFIG_H

/*
 * sesamed's settings from options, environment variables and an optional
 * config file, in that order of precedence, over built-in defaults. One
 * table in config.c lists every setting, where it may be given, and its
 * help line.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"

#define CONFIG_DEFAULT_LISTEN	"127.0.0.1"
#define CONFIG_DEFAULT_PORT	8420
#define CONFIG_DEFAULT_DATA_DIR "/var/lib/sesame"
#define CONFIG_FILE_MAX		(64 * 1024) /* bytes in a config file */
#define CONFIG_DEFAULT_MAX_FILE_SIZE (16u * 1024 * 1024) /* one file upload (ciphertext) */
#define CONFIG_MAX_FILE_SIZE_LIMIT   (256u * 1024 * 1024)
#define CONFIG_LINE_MAX		4096	    /* bytes in one config-file line */

enum config_action {
	CONFIG_RUN = 0,
	CONFIG_HELP,	/* --help: print config_usage() and exit 0 */
	CONFIG_VERSION, /* --version: print the version and exit 0 */
};

struct server_config {
	enum config_action action;
	char *listen;	   /* numeric IPv4 or IPv6 address, never NULL after load */
	unsigned int port; /* 0: any free port */
	char *data_dir;	   /* NULL in dev mode: main makes a throwaway one */
	char *tls_cert;	   /* both set, or both NULL */
	char *tls_key;
	char *config_file;
	log_level log_level;
	log_format log_format;
	bool insecure_no_tls;
	bool allow_signup; /* accounts after the first one may be created */
	size_t max_file_size; /* bytes of one file upload (--max-file-size) */
	long long rl_reads_per_hour, rl_writes_per_hour, rl_per_day; /* 0: built-in */
	long long rl_test_window; /* tests only: seconds in an "hour"; 0: real time */
	bool rl_people;		  /* limit people too */
	bool audit_off;		  /* --audit off (benchmarks only) */
	bool audit_sync_full;	  /* --audit-sync full: fsync every audit batch */
	bool dev;
};

/*
 * Fills *cfg from argv (argv[0] is skipped), the NULL-terminated
 * environment `envp` and the file named by --config. Returns 0, or
 * SESAME_EINVAL with a one-line message in `err` (usage error: exit 2).
 * Call config_free() in both cases.
 */
int config_load(struct server_config *cfg, int argc, char *const argv[], char *const envp[],
		char *err, size_t errcap);

void config_free(struct server_config *cfg);

/* Prints the option table as help text. */
void config_usage(FILE *out);

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. `addr` is numeric. */
bool config_addr_is_loopback(const char *addr);
bool config_addr_is_ipv6(const char *addr);

/* "http://127.0.0.1:8420" or "https://[::1]:8420". Returns 0 or -1. */
int config_url(char *out, size_t cap, const char *addr, unsigned int port, bool tls);

#endif
