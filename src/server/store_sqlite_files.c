/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store: files attached to items (and Document contents). The
 * content is the client's ciphertext; the server never sees plaintext.
 */
#include "store_sqlite_internal.h"

int sqlst_file_insert(struct store *base, const struct file_row *f)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	/* The SELECT makes sure the item is in the vault named by the path. */
	int rc = stmt(ST(base), S_FILE_INSERT,
		      "INSERT INTO files (id, vault_id, item_id, size, content, created_by,"
		      " created_at) SELECT ?1, i.vault_id, i.id, ?4, ?5, ?6, ?7 FROM items i"
		      " WHERE i.id = ?3 AND i.vault_id = ?2",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, f->id);
	bind_text(s, 2, f->vault_id);
	bind_text(s, 3, f->item_id);
	sqlite3_bind_int64(s, 4, f->size);
	/* A zero-length blob, not NULL, for an empty content. */
	sqlite3_bind_blob(s, 5, f->content ? (const void *)f->content : "", (int)f->size,
			  SQLITE_STATIC);
	bind_text(s, 6, f->created_by);
	sqlite3_bind_int64(s, 7, f->created_at);
	rc = run_done(ST(base), c, s, "cannot store the file", &changes);
	if (rc == SESAME_EEXISTS)
		return sesame_error_set(SESAME_EEXISTS, "already_exists",
					"file '%s' already exists", f->id);
	if (rc)
		return rc;
	if (changes == 0)
		return sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
					f->item_id);
	return vault_touch(ST(base), f->vault_id, f->created_at);
}

int sqlst_file_get(struct store *base, const char *vault_id, const char *item_id, const char *id,
		   file_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_FILE_GET,
		      "SELECT id, vault_id, item_id, size, content, created_by, created_at"
		      " FROM files WHERE id = ? AND vault_id = ? AND item_id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	bind_text(s, 3, item_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct file_row r = {
			.id = (const char *)sqlite3_column_text(s, 0),
			.vault_id = (const char *)sqlite3_column_text(s, 1),
			.item_id = (const char *)sqlite3_column_text(s, 2),
			.content = sqlite3_column_blob(s, 4),
			.size = sqlite3_column_bytes(s, 4),
			.created_by = (const char *)sqlite3_column_text(s, 5),
			.created_at = sqlite3_column_int64(s, 6),
		};
		rc = cb(ctx, &r);
		sqlite3_reset(s);
		return rc;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "file_not_found", "file '%s' not found",
					id);
	return sql_fail(ST(base), c->db, rc, "cannot read the file");
}

int sqlst_file_delete(struct store *base, const char *vault_id, const char *item_id, const char *id,
		      long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_FILE_DELETE,
		      "DELETE FROM files WHERE id = ? AND vault_id = ? AND item_id = ?", &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	bind_text(s, 3, item_id);
	rc = run_done(ST(base), c, s, "cannot delete the file", &changes);
	if (rc)
		return rc;
	if (changes == 0)
		return sesame_error_set(SESAME_ENOTFOUND, "file_not_found", "file '%s' not found",
					id);
	return vault_touch(ST(base), vault_id, now);
}
