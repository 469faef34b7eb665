/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lists the titles of every vault the client can see.
 *
 *   cc list_vaults.c -lsesame -ljansson -o list_vaults   (any JSON parser works)
 *   SESAME_SERVICE_ACCOUNT_TOKEN=... ./list_vaults       (or SESAME_SESSION=...)
 *
 * This example prints the raw JSON titles with a tiny scanner so that it
 * needs nothing but libsesame.
 */
#include <stdio.h>
#include <string.h>

#include <sesame/sesame.h>

/* Prints the value of every "title" member of a JSON text, one per line. */
static void print_titles(const char *json)
{
	const char *p = json;
	while ((p = strstr(p, "\"title\":\"")) != NULL) {
		p += 9;
		for (; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			putchar(*p);
		}
		putchar('\n');
	}
}

int main(void)
{
	sesame_client_options opts = SESAME_CLIENT_OPTIONS_INIT;
	sesame_client *client = NULL;
	char *vaults = NULL;
	int rc;

	opts.integration_name = "list-vaults-example";
	opts.integration_version = "1.0.0";
	rc = sesame_client_new(&client, &opts);
	if (rc == 0)
		rc = sesame_client_invoke(client, "VaultsList", "{}", &vaults);
	if (rc) {
		const sesame_error *e = sesame_error_last();
		fprintf(stderr, "error: %s (%s)\n", e->message, e->kind);
		sesame_client_free(client);
		return 1;
	}
	print_titles(vaults);
	sesame_free(vaults);
	sesame_client_free(client);
	return 0;
}
