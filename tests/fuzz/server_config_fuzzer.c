/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzzes sesamed's configuration (config_load, config.c): the input up to
 * its first blank line is the command line and environment, one entry a
 * line ("E:NAME=VALUE" for the environment); the rest is a config file,
 * read through --config. A success must leave a usable address and port;
 * a failure must say why in one line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char *text = malloc(size + 1), *file, *line, *next;
	char *argv[MAX_ARGS + 4], *envp[MAX_ARGS + 1], err[512];
	int argc = 0, nenv = 0;
	struct server_config cfg;
	FILE *f;

	if (!text)
		return 0;
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/sesame-config-fuzz-%d", (int)getpid());
	memcpy(text, data, size);
	text[size] = '\0';
	file = strstr(text, "\n\n");
	if (file) {
		*file = '\0';
		file += 2;
	} else {
		file = text + strlen(text); /* an empty file */
	}
	f = fopen(path, "w");
	if (!f) {
		free(text);
		return 0;
	}
	/* The file gets the raw bytes, NULs included (the loader refuses them). */
	size_t off = (size_t)(file - text) < size ? (size_t)(file - text) : size;
	fwrite(data + off, 1, size - off, f);
	fclose(f);

	argv[argc++] = (char *)"sesamed";
	for (line = text; *line && argc < MAX_ARGS && nenv < MAX_ARGS; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (strncmp(line, "E:", 2) == 0)
			envp[nenv++] = line + 2;
		else
			argv[argc++] = line;
	}
	argv[argc++] = (char *)"--config";
	argv[argc++] = path;
	argv[argc] = NULL;
	envp[nenv] = NULL;

	memset(&cfg, 0, sizeof cfg);
	err[0] = '\0';
	int rc = config_load(&cfg, argc, argv, envp, err, sizeof err);
	if (rc != 0 && (!err[0] || strchr(err, '\n')))
		abort(); /* a failure says why, in one line */
	if (rc == 0 && cfg.action == CONFIG_RUN && !cfg.listen)
		abort(); /* "never NULL after load" */
	config_free(&cfg);
	free(text);
	return 0;
}
