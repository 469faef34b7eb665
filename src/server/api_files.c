/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files of items (docs/api.md "Files"): the content of a file attachment
 * or of a Document item, as the client's ciphertext (AEAD under the vault
 * key, AD purpose "file:<id>"). The body is raw bytes, not JSON; the
 * router buffers it up to the server's --max-file-size and no further.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "error.h"

/* Nonce (24) and tag (16) of the AEAD: no ciphertext is shorter. */
#define FILE_CT_MIN 40

size_t api_file_body_limit(const struct http_request *req)
{
	if (!req->state || req->state->max_file_size == 0)
		return API_FILE_BODY_MAX;
	return req->state->max_file_size;
}

/* "application/octet-stream", optionally with parameters. */
static bool is_octet_stream(const char *ct)
{
	static const char want[] = "application/octet-stream";
	size_t n = sizeof want - 1;
	if (!ct || strncasecmp(ct, want, n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

/* The vault (with `need` and one of `any`), item and file ids of the path. */
static int file_path(struct http_request *req, const struct route_params *params, uint32_t need,
		     uint32_t any, const char **vid, const char **iid, const char **fid,
		     struct http_reply *r)
{
	struct authz_vault *v = malloc(sizeof *v);
	int rc;

	if (!v) {
		*r = api_oom();
		return -1;
	}
	rc = param_id(params, "vault", vid, r) || param_id(params, "item", iid, r) ||
	     param_id(params, "file", fid, r) ||
	     authz_vault_any(req->state->store, &req->caller, *vid, need, any, v, r);
	free(v);
	return rc ? -1 : 0;
}

static json_t *j_file(const struct file_row *f)
{
	return json_pack("{s:s,s:s,s:s,s:I,s:o,s:s}", "id", f->id, "vault_id", f->vault_id,
			 "item_id", f->item_id, "size", (json_int_t)f->size, "created_at",
			 j_time(f->created_at), "created_by", f->created_by);
}

HANDLER(handle_file_put)
{
	struct store *st = req->state->store;
	struct http_reply r;
	const char *vid, *iid, *fid;
	struct file_row f;
	int rc;
	(void)body;

	if (file_path(req, params, PERM_VIEW_ITEMS, PERM_CREATE_ITEMS | PERM_EDIT_ITEMS, &vid, &iid,
		      &fid, &r))
		return r;
	if (!is_octet_stream(http_request_header(req, "Content-Type")))
		return reply_error(415, "unsupported_media_type",
				   "request body must be 'application/octet-stream'");
	if (req->body.len < FILE_CT_MIN)
		return reply_error(400, "invalid_request",
				   "file content of %zu bytes is shorter than a ciphertext (%d)",
				   req->body.len, FILE_CT_MIN);
	memset(&f, 0, sizeof f);
	f.id = fid;
	f.vault_id = vid;
	f.item_id = iid;
	f.size = (long long)req->body.len;
	f.content = (const unsigned char *)req->body.ptr;
	f.created_by = req->caller.id;
	f.created_at = api_now();
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, file_insert, &f);
	if (rc) {
		api_rollback(st);
		return reply_from_error();
	}
	if (store_commit(st) != 0)
		return reply_from_error();
	return reply_json(201, j_file(&f));
}

struct file_copy {
	unsigned char *bytes;
	size_t len;
};

static int copy_file(void *ctx, const struct file_row *row)
{
	struct file_copy *c = ctx;
	c->len = (size_t)row->size;
	c->bytes = malloc(c->len ? c->len : 1);
	if (!c->bytes)
		return sesame_error_nomem();
	if (c->len)
		memcpy(c->bytes, row->content, c->len);
	return 0;
}

HANDLER(handle_file_get)
{
	struct http_reply r;
	const char *vid, *iid, *fid;
	struct file_copy c = {NULL, 0};
	(void)body;

	if (file_path(req, params, PERM_READ_DETAILS, 0, &vid, &iid, &fid, &r))
		return r;
	if (store_call(req->state->store, file_get, vid, iid, fid, copy_file, &c) != 0) {
		free(c.bytes);
		return reply_from_error();
	}
	return reply_bytes(200, c.bytes, c.len);
}

HANDLER(handle_file_delete)
{
	struct store *st = req->state->store;
	struct http_reply r;
	const char *vid, *iid, *fid;
	int rc;
	(void)body;

	if (file_path(req, params, PERM_EDIT_ITEMS, 0, &vid, &iid, &fid, &r))
		return r;
	rc = store_begin_write(st);
	rc = rc ? rc : store_call(st, file_delete, vid, iid, fid, api_now());
	if (rc) {
		api_rollback(st);
		return reply_from_error();
	}
	if (store_commit(st) != 0)
		return reply_from_error();
	return reply_text(204, "");
}
