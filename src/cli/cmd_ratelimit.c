/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sesame service-account ratelimit [ID] [--format json]  (GET /v1/ratelimit)
 * sesame account ratelimit [show|set --reads-per-hour N ...] (/v1/account/ratelimits)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client/api.h"
#include "error.h"

static const cli_option format_opt[] = {
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

const cli_spec cli_spec_sa_ratelimit = {
	"sesame service-account ratelimit [ID] [--format json]",
	"Shows the hourly and daily usage of the signed-in token (OP_SERVICE_ACCOUNT_TOKEN)\n"
	"and of its account. Free: the call is not counted. Owners and administrators may\n"
	"name another principal of the account by ID.",
	format_opt, 1};

static const cli_option set_opts[] = {
	{"reads-per-hour", 0, CLI_ARG, "N", "Reads per token per hour"},
	{"writes-per-hour", 0, CLI_ARG, "N", "Writes per token per hour"},
	{"per-day", 0, CLI_ARG, "N", "Requests per account per day, all tokens together"},
	{"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"},
};

const cli_spec cli_spec_account_ratelimit = {
	"sesame account ratelimit [show|set] [--reads-per-hour N] [--writes-per-hour N] "
	"[--per-day N] [--format json]",
	"Shows or changes the account's rate limits (set: owners only).", set_opts,
	sizeof set_opts / sizeof set_opts[0]};

static int print_json(json_t *o)
{
	char *t = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	if (!t)
		return cli_error("out of memory");
	puts(t);
	free(t);
	return CLI_EXIT_OK;
}

int cmd_service_account_ratelimit(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	json_t *resp = NULL;
	char path[128] = "/v1/ratelimit";
	bool json;
	int rc = cli_parse(&a, &cli_spec_sa_ratelimit, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos > 1)
		return cli_usage_error("unexpected argument '%s'", a.pos[1]);
	if (a.npos == 1) {
		const char *id = a.pos[0];
		if (strlen(id) != 26 || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789") != 26)
			return cli_usage_error("'%s' is not an id (26 characters of a-z, 0-9)", id);
		snprintf(path, sizeof path, "/v1/ratelimit?principal=%s", id);
	}
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (api_call(s->api, "GET", path, NULL, &resp) != 0) {
		rc = cli_fail("cannot read the rate limits");
	} else if (json) {
		rc = print_json(json_object_get(resp, "ratelimits")); /* op's bare array */
	} else {
		size_t i;
		json_t *r;
		printf("%-9s%-12s%-10s%-10s%-11s%s\n", "TYPE", "ACTION", "LIMIT", "USED",
		       "REMAINING", "RESET");
		json_array_foreach(json_object_get(resp, "ratelimits"), i, r)
		{
			long long reset = json_integer_value(json_object_get(r, "reset"));
			printf("%-9s%-12s%-10lld%-10lld%-11lld%lldh %lldm %llds\n",
			       json_string_value(json_object_get(r, "type")),
			       json_string_value(json_object_get(r, "action")),
			       (long long)json_integer_value(json_object_get(r, "limit")),
			       (long long)json_integer_value(json_object_get(r, "used")),
			       (long long)json_integer_value(json_object_get(r, "remaining")),
			       reset / 3600, reset % 3600 / 60, reset % 60);
		}
		rc = CLI_EXIT_OK;
	}
	json_decref(resp);
	cli_session_done(s);
	session_free(s);
	return rc;
}

int cmd_account_ratelimit(int argc, char **argv)
{
	static const char *const keys[][2] = {{"reads-per-hour", "reads_per_hour"},
					      {"writes-per-hour", "writes_per_hour"},
					      {"per-day", "per_day"}};
	cli_args a;
	session *s = NULL;
	json_t *resp = NULL, *body = NULL;
	bool json, set = false;
	int rc = cli_parse(&a, &cli_spec_account_ratelimit, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos > 1 ||
	    (a.npos == 1 && strcmp(a.pos[0], "set") != 0 && strcmp(a.pos[0], "show") != 0))
		return cli_usage_error("unexpected argument '%s'", a.pos[a.npos - 1]);
	set = a.npos == 1 && strcmp(a.pos[0], "set") == 0;
	if (set) {
		body = json_object();
		if (!body)
			return cli_error("out of memory");
		for (size_t i = 0; i < 3; i++) {
			const char *v = cli_get(&a, keys[i][0]);
			char *end;
			long long n;
			if (!v)
				continue;
			errno = 0;
			n = strtoll(v, &end, 10);
			if (errno || *end || n < 1 || n > 1000000000LL) {
				json_decref(body);
				return cli_usage_error("--%s must be a number from 1 to 1000000000",
						       keys[i][0]);
			}
			json_object_set_new(body, keys[i][1], json_integer(n));
		}
		if (json_object_size(body) == 0) {
			json_decref(body);
			return cli_usage_error("'account ratelimit set' needs at least one of "
					       "--reads-per-hour, --writes-per-hour, --per-day");
		}
	}
	if (cli_load_session(&s) != 0) {
		json_decref(body);
		return cli_fail(NULL);
	}
	if (api_call(s->api, set ? "PUT" : "GET", "/v1/account/ratelimits", body, &resp) != 0) {
		rc = cli_fail(set ? "cannot change the rate limits"
				  : "cannot read the rate limits");
	} else if (json) {
		rc = print_json(resp);
	} else {
		printf("Reads per hour (per token):   %lld\nWrites per hour (per token):  %lld\n"
		       "Requests per day (account):   %lld\n",
		       (long long)json_integer_value(json_object_get(resp, "reads_per_hour")),
		       (long long)json_integer_value(json_object_get(resp, "writes_per_hour")),
		       (long long)json_integer_value(json_object_get(resp, "per_day")));
		rc = CLI_EXIT_OK;
	}
	json_decref(body);
	json_decref(resp);
	cli_session_done(s);
	session_free(s);
	return rc;
}
