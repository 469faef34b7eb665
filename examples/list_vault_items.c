/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lists the titles of the items in one vault (by name or id).
 *
 *   ./list_vault_items "Private"
 */
#include <stdio.h>
#include <string.h>

#include <sesame/sesame.h>

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

int main(int argc, char **argv)
{
	sesame_client_options opts = SESAME_CLIENT_OPTIONS_INIT;
	sesame_client *client = NULL;
	char params[512], *items = NULL;
	int rc;

	if (argc != 2 || strchr(argv[1], '"') || strchr(argv[1], '\\')) {
		fprintf(stderr, "usage: list_vault_items VAULT\n");
		return 2;
	}
	/* The vault parameter takes an id, or a name (resolved by the client). */
	if ((size_t)snprintf(params, sizeof params, "{\"vault_id\":\"%s\"}", argv[1]) >=
	    sizeof params) {
		fprintf(stderr, "vault name is too long\n");
		return 2;
	}
	opts.integration_name = "list-vault-items-example";
	opts.integration_version = "1.0.0";
	rc = sesame_client_new(&client, &opts);
	if (rc == 0)
		rc = sesame_client_invoke(client, "ItemsList", params, &items);
	if (rc) {
		const sesame_error *e = sesame_error_last();
		fprintf(stderr, "error: %s (%s)\n", e->message, e->kind);
		sesame_client_free(client);
		return 1;
	}
	print_titles(items);
	sesame_free(items);
	sesame_client_free(client);
	return 0;
}
