/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resolves secret references: one prints the value, several are resolved
 * in one round trip and printed one per line.
 *
 *   ./resolve op://prod/db/password op://prod/api/credential
 */
#include <stdio.h>
#include <stdlib.h>

#include <sesame/sesame.h>

int main(int argc, char **argv)
{
	sesame_client_options opts = SESAME_CLIENT_OPTIONS_INIT;
	sesame_client *client = NULL;
	size_t n = (size_t)(argc > 1 ? argc - 1 : 0);
	char **values;
	int *codes, rc, status = 0;

	if (n == 0) {
		fprintf(stderr, "usage: resolve REFERENCE...\n");
		return 2;
	}
	values = calloc(n, sizeof *values);
	codes = calloc(n, sizeof *codes);
	if (!values || !codes)
		return 1;
	opts.integration_name = "resolve-example";
	opts.integration_version = "1.0.0";
	rc = sesame_client_new(&client, &opts);
	if (rc == 0)
		rc = sesame_secrets_resolve_all(values, codes, client,
						(const char *const *)(argv + 1), n);
	if (rc) {
		fprintf(stderr, "error: %s\n", sesame_error_last()->message);
		status = 1;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (codes[i] == 0) {
			printf("%s\n", values[i]);
		} else {
			fprintf(stderr, "%s: %s\n", argv[i + 1], sesame_strerror(codes[i]));
			status = 1;
		}
		sesame_free(values[i]); /* wipes the secret */
	}
	sesame_client_free(client);
	free(values);
	free(codes);
	return status;
}
