/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_API_H
#define SESAME_SERVER_API_H

/*
 * The handlers of the v1 API (docs/api.md) and the helpers they share:
 * reading request JSON with one set of rules (first error wins, 400
 * invalid_request naming the key), and writing ids, times and binary
 * values the same way everywhere.
 *
 * The route table (routes.c) has already checked the auth rule, the body
 * size, the JSON and the body's top-level keys before a handler runs.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "auth.h"
#include "authz.h"
#include "router.h"
#include "routes.h"
#include "store.h"

#define API_ITEM_BODY_MAX  (2 * 1024 * 1024) /* one item: overview + details, base64url */
#define API_BATCH_BODY_MAX (8 * 1024 * 1024)
#define API_BATCH_MAX	   50		 /* items in one batch request */
#define API_RESOLVE_MAX	   1000		 /* queries in one resolve request */
#define API_BLOB_MAX	   (1536 * 1024) /* a decoded overview or details blob */
#define API_FILE_BODY_MAX  (256u * 1024 * 1024) /* one file upload, whatever the setting */

/* ---- reading requests ---- */

struct input {
	bool bad;
	int status;
	char code[32];
	char msg[REPLY_MESSAGE_MAX];
};

#define INPUT_INIT                                                                                 \
	{                                                                                          \
		false, 400, "invalid_request", ""                                                  \
	}

/* Records the first error (400 invalid_request unless set otherwise). */
void in_fail(struct input *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void in_fail_code(struct input *in, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Unknown keys of a nested object (top-level keys are the route table's job). */
void in_keys(struct input *in, const json_t *obj, const char *const *allowed);
/* A string member of at most `max` bytes; NULL when absent and not required. */
const char *in_str(struct input *in, const json_t *obj, const char *key, size_t max, bool required);
/* A required member that is a 26-character id. */
const char *in_id(struct input *in, const json_t *obj, const char *key);
/* A base64url member decoded into `out`: exactly `exact` bytes, or 1..cap when exact is 0. */
size_t in_b64(struct input *in, const json_t *obj, const char *key, unsigned char *out, size_t cap,
	      size_t exact);
/* The same into a new buffer (free it); NULL on error. */
unsigned char *in_b64_alloc(struct input *in, const json_t *obj, const char *key, size_t max,
			    size_t *len);
long long in_int(struct input *in, const json_t *obj, const char *key, long long min, long long max,
		 bool required, long long dflt);
bool in_bool(struct input *in, const json_t *obj, const char *key, bool dflt);
/* A required array of min..max elements. */
const json_t *in_array(struct input *in, const json_t *obj, const char *key, size_t min,
		       size_t max);
/* A required object whose keys are all in `allowed`. */
const json_t *in_object(struct input *in, const json_t *obj, const char *key,
			const char *const *allowed);
struct http_reply in_reply(const struct input *in);
/* ---- query strings (api_common.c) ---- */

#define API_QUERY_VALUE_MAX 64 /* bytes of one decoded value */

/* One parameter a route takes: its name, and after parsing its value. */
struct api_query_param {
	const char *name;
	char value[API_QUERY_VALUE_MAX + 1];
	bool set;
};

/*
 * Parses a query string ("a=1&b=x%20y", '+' for a space) into the named
 * params. Unknown, repeated or malformed parameters (a bad %XX, a NUL, a
 * key or value too long) are a 400 in *r, and -1; empty elements are
 * skipped. Returns 0 when every parameter was known.
 */
int api_query_parse(const char *query, struct api_query_param *params, size_t n,
		    struct http_reply *r);

/* {"code","message"} of a failed input, as a per-element result of a batch. */
json_t *in_error_json(const struct input *in);
/* {"code","message"} of the thread's last error (sesame_error_last()), likewise. */
json_t *api_error_last_json(void);

/* A path parameter that must be an id; -1 with a 400 reply otherwise. */
int param_id(const struct route_params *params, const char *name, const char **out,
	     struct http_reply *reply);

/* ---- writing responses ---- */

json_t *j_b64(const unsigned char *p, size_t n);
json_t *j_time(long long t); /* RFC 3339 UTC */
json_t *j_item(const struct item_row *r);
long long api_now(void);
struct http_reply api_oom(void); /* 503 out_of_memory */
/* Rolls back the thread's write transaction, keeping the error that caused it. */
void api_rollback(struct store *st);
bool api_id_valid(const char *s);
void api_lower(char *s); /* ASCII lower-case in place */
/* Appends the group object of `p` to the JSON array `ctx` (a principal_cb). */
int api_add_group(void *ctx, const struct principal_row *p);

/* ---- handlers ---- */

#define HANDLER(name)                                                                              \
	struct http_reply name(struct http_request *req, const struct route_params *params,        \
			       json_t *body)

HANDLER(handle_account_create);
HANDLER(handle_challenge);
HANDLER(handle_signin);
HANDLER(handle_signout);
HANDLER(handle_whoami);
HANDLER(handle_principal_keys);
HANDLER(handle_me_groups);
HANDLER(handle_group_list);
HANDLER(handle_group_get);
HANDLER(handle_group_create);
HANDLER(handle_group_delete);
HANDLER(handle_group_members);
HANDLER(handle_member_put);
HANDLER(handle_member_delete);

HANDLER(handle_user_list);
HANDLER(handle_user_get);
HANDLER(handle_user_invite);
HANDLER(handle_user_accept);
HANDLER(handle_user_confirm);
HANDLER(handle_user_suspend);
HANDLER(handle_user_reactivate);

HANDLER(handle_vault_create);
HANDLER(handle_vault_list);
HANDLER(handle_vault_get);
HANDLER(handle_vault_update);
HANDLER(handle_vault_delete);
HANDLER(handle_access_list);
HANDLER(handle_access_put);
HANDLER(handle_access_delete);

HANDLER(handle_item_list);
HANDLER(handle_item_create);
HANDLER(handle_item_get);
HANDLER(handle_item_update);
HANDLER(handle_item_archive);
HANDLER(handle_item_restore);
HANDLER(handle_item_delete);
HANDLER(handle_item_versions);
HANDLER(handle_item_batch);
HANDLER(handle_resolve);

HANDLER(handle_file_put);
HANDLER(handle_file_get);
HANDLER(handle_file_delete);
/* The upload limit of the running server (--max-file-size). */
size_t api_file_body_limit(const struct http_request *req);

/* Body keys of each JSON route (the route table points at these). */
extern const char *const keys_account_create[];
extern const char *const keys_challenge[];
extern const char *const keys_signin[];
extern const char *const keys_group_create[];
extern const char *const keys_member_put[];
extern const char *const keys_invite[];
extern const char *const keys_accept[];
extern const char *const keys_confirm[];
extern const char *const keys_vault_create[];
extern const char *const keys_vault_update[];
extern const char *const keys_access_put[];
extern const char *const keys_item[];
extern const char *const keys_batch[];
extern const char *const keys_resolve[];


/* Service accounts (api_service_accounts.c). */
HANDLER(handle_sa_create);
HANDLER(handle_sa_list);
HANDLER(handle_sa_get);
HANDLER(handle_sa_delete);
HANDLER(handle_sa_revoke);
HANDLER(handle_sa_rotate);
extern const char *const keys_sa_create[];
extern const char *const keys_sa_rotate[];

#endif
