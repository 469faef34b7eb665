/* SPDX-License-Identifier: Apache-2.0 */
/* sesame events [filters] | sesame events verify (GET /v1/events, /v1/events/verify) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "client/api.h"
#include "error.h"

#define EVENTS_PAGE_MAX 1000

static const cli_option list_opts[] = {
	{"actor", 0, CLI_ARG, "ID", "Only events of this user or service account"},
	{"vault", 0, CLI_ARG, "ID", "Only events naming this vault"},
	{"item", 0, CLI_ARG, "ID", "Only events naming this item"},
	{"since", 0, CLI_ARG, "TIME",
	 "From TIME: RFC 3339 (2026-01-02T03:04:05Z), Unix seconds, or a duration ago (30m, 2h, "
	 "7d)"},
	{"until", 0, CLI_ARG, "TIME", "Up to TIME (same forms)"},
	{"limit", 0, CLI_ARG, "N", "At most N events (default 100)"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

static const cli_spec list_spec = {
	"sesame events [--actor ID] [--vault ID] [--item ID] [--since TIME] [--until TIME] "
	"[--limit N] [--format json]\n        sesame events verify",
	"Lists the account's audit events, oldest first (owners and administrators).\n"
	"'sesame events verify' walks the hash chain and exits 1 at the first broken link.",
	list_opts, sizeof list_opts / sizeof list_opts[0]};

static const cli_spec verify_spec = {
	"sesame events verify", "Checks the account's audit chain from its first event.", NULL, 0};

static int events_verify(int argc, char **argv);

static const cli_node events_subs[] = {
	{"verify", NULL, "Check the audit hash chain", events_verify, &verify_spec, NULL},
};

/* `events` lists; its one subcommand is dispatched by cmd_events itself. */
const cli_tree cli_tree_events = {&list_spec, events_subs, 1};

/* A time for the server: RFC 3339 or Unix seconds as given, or now minus a duration. */
static int cli_time(const char *in, char *out, size_t cap)
{
	size_t n = strlen(in);
	char *end;
	long long v, mult;

	if (n >= 2 && strchr("smhd", in[n - 1])) {
		errno = 0;
		v = strtoll(in, &end, 10);
		if (errno || end != in + n - 1 || v < 0 || v > 100000000LL)
			return -1;
		mult = in[n - 1] == 's'	  ? 1
		       : in[n - 1] == 'm' ? 60
		       : in[n - 1] == 'h' ? 3600
					  : 86400;
		snprintf(out, cap, "%lld", (long long)time(NULL) - v * mult);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789-:TZ+", in[i]))
			return -1;
	if (n == 0 || n >= cap)
		return -1;
	/* '+' in a query is a space: escape it. */
	return api_escape(out, cap, in) == 0 ? 0 : -1;
}

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

static int events_verify(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	json_t *resp = NULL;
	int rc = cli_parse(&a, &verify_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (api_call(s->api, "GET", "/v1/events/verify", NULL, &resp) != 0) {
		rc = cli_fail("cannot verify the audit trail");
	} else if (json_is_true(json_object_get(resp, "ok"))) {
		printf("audit chain intact: %lld events, head %s\n",
		       (long long)json_integer_value(json_object_get(resp, "events")),
		       str_or(resp, "head", "-"));
		rc = CLI_EXIT_OK;
	} else {
		const json_t *b = json_object_get(resp, "broken");
		rc = cli_error("audit chain broken at event '%s' (seq %s): %s",
			       str_or(b, "id", "?"), str_or(b, "seq", "?"),
			       str_or(resp, "reason", "?"));
	}
	json_decref(resp);
	cli_session_done(s);
	session_free(s);
	return rc;
}

int cmd_events(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	json_t *all = NULL;
	bool json;
	long long limit = 100;
	char path[1024], cursor[32] = "0", since[64] = "", until[64] = "";
	int rc;

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return events_verify(argc - 1, argv + 1);
	rc = cli_parse(&a, &list_spec, argc, argv);
	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_get(&a, "limit")) {
		char *end;
		errno = 0;
		limit = strtoll(cli_get(&a, "limit"), &end, 10);
		if (errno || *end || limit < 1 || limit > 1000000)
			return cli_usage_error("--limit must be a number from 1 to 1000000");
	}
	if (cli_get(&a, "since") && cli_time(cli_get(&a, "since"), since, sizeof since))
		return cli_usage_error("invalid --since '%s'", cli_get(&a, "since"));
	if (cli_get(&a, "until") && cli_time(cli_get(&a, "until"), until, sizeof until))
		return cli_usage_error("invalid --until '%s'", cli_get(&a, "until"));
	static const char *const ids[] = {"actor", "vault", "item"};
	for (size_t i = 0; i < 3; i++) {
		const char *v = cli_get(&a, ids[i]);
		if (v &&
		    (strlen(v) != 26 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") != 26))
			return cli_usage_error("--%s needs an id (26 characters of a-z, 0-9)",
					       ids[i]);
	}
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	all = json_array();
	rc = all ? 0 : -1;
	while (!rc && (long long)json_array_size(all) < limit) {
		json_t *resp = NULL;
		long long want = limit - (long long)json_array_size(all);
		int n = snprintf(
			path, sizeof path, "/v1/events?cursor=%s&limit=%lld%s%s%s%s%s%s%s%s%s%s",
			cursor, want > EVENTS_PAGE_MAX ? EVENTS_PAGE_MAX : want,
			cli_get(&a, "actor") ? "&actor=" : "",
			cli_get(&a, "actor") ? cli_get(&a, "actor") : "",
			cli_get(&a, "vault") ? "&vault=" : "",
			cli_get(&a, "vault") ? cli_get(&a, "vault") : "",
			cli_get(&a, "item") ? "&item=" : "",
			cli_get(&a, "item") ? cli_get(&a, "item") : "",
			since[0] ? "&start_time=" : "", since, until[0] ? "&end_time=" : "", until);
		if (n < 0 || (size_t)n >= sizeof path) {
			rc = -1;
			break;
		}
		if (api_call(s->api, "GET", path, NULL, &resp) != 0) {
			rc = cli_fail("cannot list events");
			break;
		}
		json_array_extend(all, json_object_get(resp, "events"));
		snprintf(cursor, sizeof cursor, "%s", str_or(resp, "cursor", "0"));
		bool more = json_is_true(json_object_get(resp, "has_more"));
		json_decref(resp);
		if (!more)
			break;
	}
	if (!rc && json) {
		char *t = json_dumps(all, JSON_INDENT(2));
		if (t)
			puts(t);
		free(t);
	} else if (!rc) {
		size_t i;
		json_t *e;
		printf("%-21s%-7s%-28s%-28s%-28s%s\n", "TIME", "STATUS", "ACTOR", "VAULT", "ITEM",
		       "ACTION");
		json_array_foreach(all, i, e)
		{
			printf("%-21s%-7lld%-28s%-28s%-28s%s\n", str_or(e, "time", "-"),
			       (long long)json_integer_value(json_object_get(e, "status")),
			       str_or(e, "actor_id", "-"), str_or(e, "vault_id", "-"),
			       str_or(e, "item_id", "-"), str_or(e, "action", "-"));
		}
	}
	if (rc == -1)
		rc = cli_error("out of memory");
	json_decref(all);
	cli_session_done(s);
	session_free(s);
	return rc;
}
