/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite store: items, their versions and blind indexes. */
#include "store_sqlite_internal.h"

int vault_touch(struct sqlite_store *st, const char *vault_id, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(st, S_VAULT_TOUCH,
		      "UPDATE vaults SET content_version = content_version + 1, updated_at = ?2"
		      " WHERE id = ?1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, vault_id);
	sqlite3_bind_int64(s, 2, now);
	return run_done(st, c, s, "cannot update the vault", NULL);
}

static int write_version_and_indexes(struct sqlite_store *st, const struct item_row *it,
				     const struct item_indexes *idx, bool clear)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(st, S_ITEM_VERSION_INSERT,
		      "INSERT INTO item_versions (item_id, version, overview, details, updated_at,"
		      " updated_by) VALUES (?, ?, ?, ?, ?, ?)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, it->id);
	sqlite3_bind_int64(s, 2, it->version);
	bind_blob(s, 3, it->overview, it->overview_len);
	bind_blob(s, 4, it->details, it->details_len);
	sqlite3_bind_int64(s, 5, it->updated_at);
	bind_text(s, 6, it->updated_by);
	rc = run_done(st, c, s, "cannot store the item version", NULL);
	if (rc)
		return rc;
	if (clear) {
		rc = stmt(st, S_ITEM_INDEX_CLEAR, "DELETE FROM item_indexes WHERE item_id = ?", &c,
			  &s);
		if (rc)
			return rc;
		bind_text(s, 1, it->id);
		rc = run_done(st, c, s, "cannot update the item's indexes", NULL);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i <= idx->ntags; i++) {
		const unsigned char *v = i == 0 ? idx->title : idx->tags[i - 1];
		if (!v)
			continue;
		rc = stmt(st, S_ITEM_INDEX_INSERT,
			  "INSERT OR IGNORE INTO item_indexes (item_id, vault_id, kind, value)"
			  " VALUES (?, ?, ?, ?)",
			  &c, &s);
		if (rc)
			return rc;
		bind_text(s, 1, it->id);
		bind_text(s, 2, it->vault_id);
		bind_text(s, 3, i == 0 ? "title" : "tag");
		bind_blob(s, 4, v, STORE_INDEX_BYTES);
		rc = run_done(st, c, s, "cannot store the item's indexes", NULL);
		if (rc)
			return rc;
	}
	return vault_touch(st, it->vault_id, it->updated_at);
}

int sqlst_item_insert(struct store *base, const struct item_row *it,
			      const struct item_indexes *idx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(ST(base), S_ITEM_INSERT,
		      "INSERT INTO items (id, vault_id, version, state, overview, details,"
		      " created_at, updated_at, created_by, updated_by)"
		      " VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6, ?6, ?7, ?7)",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, it->id);
	bind_text(s, 2, it->vault_id);
	sqlite3_bind_int64(s, 3, it->version);
	bind_blob(s, 4, it->overview, it->overview_len);
	bind_blob(s, 5, it->details, it->details_len);
	sqlite3_bind_int64(s, 6, it->created_at);
	bind_text(s, 7, it->created_by);
	rc = run_done(ST(base), c, s, "cannot store the item", NULL);
	if (rc == SESAME_EEXISTS)
		return sesame_error_set(SESAME_EEXISTS, "already_exists",
					"item '%s' already exists", it->id);
	return rc ? rc : write_version_and_indexes(ST(base), it, idx, false);
}

/* ENOTFOUND unless the item is in the vault. */
static int item_must_exist(struct sqlite_store *st, const char *vault_id, const char *id,
			   long long *version)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = stmt(st, S_ITEM_EXISTS, "SELECT version FROM items WHERE id = ? AND vault_id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && version)
		*version = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
					id);
	return sql_fail(st, c->db, rc, "cannot read the item");
}

int sqlst_item_update(struct store *base, const struct item_row *it,
			      const struct item_indexes *idx)
{
	struct conn *c;
	sqlite3_stmt *s;
	long long stored = 0;
	int changes = 0;
	int rc = stmt(ST(base), S_ITEM_UPDATE,
		      "UPDATE items SET version = ?3, overview = ?4, details = ?5, updated_at = ?6,"
		      " updated_by = ?7 WHERE id = ?1 AND vault_id = ?2 AND version = ?3 - 1",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, it->id);
	bind_text(s, 2, it->vault_id);
	sqlite3_bind_int64(s, 3, it->version);
	bind_blob(s, 4, it->overview, it->overview_len);
	bind_blob(s, 5, it->details, it->details_len);
	sqlite3_bind_int64(s, 6, it->updated_at);
	bind_text(s, 7, it->updated_by);
	rc = run_done(ST(base), c, s, "cannot update the item", &changes);
	if (rc)
		return rc;
	if (!changes) {
		rc = item_must_exist(ST(base), it->vault_id, it->id, &stored);
		return rc ? rc
			  : sesame_error_set(SESAME_ECONFLICT, "conflict",
					     "item '%s' changed since version %lld (it is at "
					     "version %lld); fetch it and retry",
					     it->id, it->version - 1, stored);
	}
	return write_version_and_indexes(ST(base), it, idx, true);
}

int sqlst_item_set_state(struct store *base, const char *vault_id, const char *id,
				 const char *state, const char *by, long long now)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_ITEM_SET_STATE,
		      "UPDATE items SET state = ?3, updated_at = ?4, updated_by = ?5"
		      " WHERE id = ?1 AND vault_id = ?2",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	bind_text(s, 3, state);
	sqlite3_bind_int64(s, 4, now);
	bind_text(s, 5, by);
	rc = run_done(ST(base), c, s, "cannot change the item", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
				      id);
	return rc ? rc : vault_touch(ST(base), vault_id, now);
}

int sqlst_item_delete(struct store *base, const char *vault_id, const char *id)
{
	struct conn *c;
	sqlite3_stmt *s;
	int changes = 0;
	int rc = stmt(ST(base), S_ITEM_DELETE, "DELETE FROM items WHERE id = ? AND vault_id = ?",
		      &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	rc = run_done(ST(base), c, s, "cannot delete the item", &changes);
	if (!rc && !changes)
		rc = sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
				      id);
	return rc ? rc : vault_touch(ST(base), vault_id, (long long)time(NULL));
}

#define ITEM_COLUMNS                                                                               \
	"i.id, i.vault_id, i.version, i.state, i.overview, i.details, i.created_at,"              \
	" i.updated_at, i.created_by, i.updated_by"

/* Steps an item query, calling cb per row. */
static int item_rows(struct sqlite_store *st, struct conn *c, sqlite3_stmt *s, bool details,
		     item_cb cb, void *ctx, size_t limit, size_t *rows)
{
	int rc;
	size_t n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct item_row r = {
			.id = (const char *)sqlite3_column_text(s, 0),
			.vault_id = (const char *)sqlite3_column_text(s, 1),
			.version = sqlite3_column_int64(s, 2),
			.state = (const char *)sqlite3_column_text(s, 3),
			.overview = sqlite3_column_blob(s, 4),
			.overview_len = (size_t)sqlite3_column_bytes(s, 4),
			.created_at = sqlite3_column_int64(s, 6),
			.updated_at = sqlite3_column_int64(s, 7),
			.created_by = (const char *)sqlite3_column_text(s, 8),
			.updated_by = (const char *)sqlite3_column_text(s, 9),
		};
		if (details) {
			r.details = sqlite3_column_blob(s, 5);
			r.details_len = (size_t)sqlite3_column_bytes(s, 5);
		}
		n++;
		int stop = cb(ctx, &r);
		if (stop || (limit && n >= limit)) {
			sqlite3_reset(s);
			if (rows)
				*rows = n;
			return stop;
		}
	}
	sqlite3_reset(s);
	if (rows)
		*rows = n;
	return rc == SQLITE_DONE ? 0 : sql_fail(st, c->db, rc, "cannot read items");
}

int sqlst_item_get(struct store *base, const char *vault_id, const char *id, bool details,
			   item_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	size_t rows = 0;
	int rc = stmt(ST(base), S_ITEM_GET,
		      "SELECT " ITEM_COLUMNS " FROM items i WHERE i.id = ? AND i.vault_id = ?", &c,
		      &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	bind_text(s, 2, vault_id);
	rc = item_rows(ST(base), c, s, details, cb, ctx, 0, &rows);
	if (!rc && !rows)
		rc = sesame_error_set(SESAME_ENOTFOUND, "item_not_found", "item '%s' not found",
				      id);
	return rc;
}

int sqlst_item_list(struct store *base, const struct item_query *q, item_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc;

	/* ?2 NULL means any state. An index lookup drives the title and tag queries. */
	if (q->tag) {
		/* The tag drives; a title, if also given, filters. */
		rc = stmt(ST(base), S_ITEM_LIST_TAG,
			  "SELECT " ITEM_COLUMNS " FROM item_indexes x"
			  " JOIN items i ON i.id = x.item_id"
			  " WHERE x.vault_id = ?1 AND x.kind = 'tag' AND x.value = ?3"
			  " AND (?2 IS NULL OR i.state = ?2)"
			  " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM item_indexes t"
			  "  WHERE t.item_id = i.id AND t.kind = 'title' AND t.value = ?4))"
			  " ORDER BY i.id",
			  &c, &s);
		if (rc)
			return rc;
		bind_blob(s, 3, q->tag, STORE_INDEX_BYTES);
		bind_blob(s, 4, q->title, STORE_INDEX_BYTES);
	} else if (q->title) {
		rc = stmt(ST(base), S_ITEM_LIST_TITLE,
			  "SELECT " ITEM_COLUMNS " FROM item_indexes x"
			  " JOIN items i ON i.id = x.item_id"
			  " WHERE x.vault_id = ?1 AND x.kind = 'title' AND x.value = ?3"
			  " AND (?2 IS NULL OR i.state = ?2) ORDER BY i.id",
			  &c, &s);
		if (rc)
			return rc;
		bind_blob(s, 3, q->title, STORE_INDEX_BYTES);
	} else {
		rc = stmt(ST(base), S_ITEM_LIST,
			  "SELECT " ITEM_COLUMNS " FROM items i WHERE i.vault_id = ?1"
			  " AND (?2 IS NULL OR i.state = ?2) ORDER BY i.id",
			  &c, &s);
		if (rc)
			return rc;
	}
	bind_text(s, 1, q->vault_id);
	bind_text(s, 2, q->state);
	return item_rows(ST(base), c, s, q->details, cb, ctx, q->limit, NULL);
}

/*
 * The title statement: "x.value IN (?3, ..., ?130)", prepared once per
 * connection; unused slots stay NULL, which matches nothing.
 */
#define TITLES_FIRST 3
static char titles_sql_text[STORE_TITLES_CHUNK * 6 + 512];
static pthread_once_t titles_sql_once = PTHREAD_ONCE_INIT;

static void titles_sql_build(void)
{
	char *buf = titles_sql_text;
	size_t cap = sizeof titles_sql_text, len;

	snprintf(buf, cap,
		 "SELECT " ITEM_COLUMNS ", x.value FROM item_indexes x"
		 " JOIN items i ON i.id = x.item_id"
		 " WHERE x.vault_id = ?1 AND x.kind = 'title' AND x.value IN (");
	for (int k = 0; k < STORE_TITLES_CHUNK; k++) {
		len = strlen(buf);
		snprintf(buf + len, cap - len, "%s?%d", k ? "," : "", TITLES_FIRST + k);
	}
	len = strlen(buf);
	snprintf(buf + len, cap - len,
		 ") AND (?2 IS NULL OR i.state = ?2) ORDER BY x.value, x.item_id");
}

struct titles_rows {
	sqlite3_stmt *s;
	item_title_cb cb;
	void *ctx;
};

static int title_row(void *ctx, const struct item_row *r)
{
	struct titles_rows *t = ctx;
	const void *title = sqlite3_column_blob(t->s, 10);

	if (sqlite3_column_bytes(t->s, 10) != STORE_INDEX_BYTES || !title)
		return sesame_error_set(SESAME_ERROR, "internal", "a title index is malformed");
	return t->cb(t->ctx, title, r);
}

int sqlst_item_list_titles(struct store *base, const char *vault_id, const char *state,
			   const unsigned char *const *titles, size_t n, bool details,
			   item_title_cb cb, void *ctx)
{
	struct titles_rows t = {NULL, cb, ctx};
	struct conn *c;
	int rc = 0;

	pthread_once(&titles_sql_once, titles_sql_build);
	for (size_t off = 0; off < n && !rc; off += STORE_TITLES_CHUNK) {
		rc = stmt(ST(base), S_ITEM_LIST_TITLES, titles_sql_text, &c, &t.s);
		if (rc)
			return rc;
		bind_text(t.s, 1, vault_id);
		bind_text(t.s, 2, state);
		for (size_t k = 0; k < STORE_TITLES_CHUNK && off + k < n; k++)
			bind_blob(t.s, TITLES_FIRST + (int)k, titles[off + k], STORE_INDEX_BYTES);
		rc = item_rows(ST(base), c, t.s, details, title_row, &t, 0, NULL);
	}
	return rc;
}

int sqlst_item_versions(struct store *base, const char *vault_id, const char *id,
				item_cb cb, void *ctx)
{
	struct conn *c;
	sqlite3_stmt *s;
	int rc = item_must_exist(ST(base), vault_id, id, NULL);
	if (rc)
		return rc;
	rc = stmt(ST(base), S_ITEM_VERSIONS,
		  "SELECT v.item_id, i.vault_id, v.version, i.state, v.overview, v.details,"
		  " i.created_at, v.updated_at, i.created_by, v.updated_by"
		  " FROM item_versions v JOIN items i ON i.id = v.item_id"
		  " WHERE v.item_id = ? ORDER BY v.version",
		  &c, &s);
	if (rc)
		return rc;
	bind_text(s, 1, id);
	return item_rows(ST(base), c, s, true, cb, ctx, 0, NULL);
}


