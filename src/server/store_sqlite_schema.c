/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite store's migrations: numbered steps, never edited once shipped. */
#include "crypto/ids.h"
#include "store_sqlite_internal.h"

static int m1_fill(const struct sqlite_store *st, sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	char id[ID_SIZE];
	int rc;

	id_new(id);
	rc = sqlite3_prepare_v2(db, "INSERT INTO meta (id, server_id, created_at) VALUES (1, ?, ?)",
				-1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(stmt, 2, (sqlite3_int64)time(NULL));
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	if (rc != SQLITE_OK) {
		int err = sql_fail(st, db, rc, "cannot write the server id");
		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/*
 * The schema, in order. NEVER edit a step that has shipped: databases in
 * the field have run it already. Add step N+1 instead. `fill` runs in the
 * same transaction, after `sql`, for data SQL cannot make (random ids).
 */
static const struct migration {
	int version;
	const char *name;
	const char *sql;
	int (*fill)(const struct sqlite_store *st, sqlite3 *db);
} migrations[] = {
	{1, "meta",
	 "CREATE TABLE meta ("
	 " id INTEGER PRIMARY KEY CHECK (id = 1),"
	 " server_id TEXT NOT NULL CHECK (length(server_id) = 26),"
	 " created_at INTEGER NOT NULL"
	 ") STRICT;",
	 m1_fill},
	/*
	 * Accounts, principals, vaults and items (docs/internals/server.md,
	 * "Schema"). Every route's hot query is one lookup in an index named
	 * here; ids are the clients' 26-character ids.
	 */
	{2, "accounts, principals, vaults, items",
	 "CREATE TABLE accounts ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " name TEXT NOT NULL,"
	 " created_at INTEGER NOT NULL"
	 ") STRICT;"
	 "CREATE TABLE principals ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " account_id TEXT NOT NULL REFERENCES accounts(id),"
	 " type TEXT NOT NULL CHECK (type IN ('user', 'group', 'service_account')),"
	 " state TEXT NOT NULL CHECK (state IN"
	 "  ('active', 'invited', 'pending', 'suspended', 'deleted')),"
	 " generation INTEGER NOT NULL DEFAULT 1,"
	 " group_type TEXT CHECK (group_type IN"
	 "  ('owners', 'administrators', 'team_members', 'user_defined')),"
	 " box_public_key BLOB CHECK (length(box_public_key) = 32),"
	 " sign_public_key BLOB CHECK (length(sign_public_key) = 32),"
	 " email TEXT,"
	 " name TEXT NOT NULL DEFAULT '',"
	 " description TEXT NOT NULL DEFAULT '',"
	 " salt BLOB CHECK (length(salt) = 16),"
	 " kdf_ops INTEGER,"
	 " kdf_mem INTEGER,"
	 " signin_public_key BLOB CHECK (length(signin_public_key) = 32),"
	 " encrypted_keyset BLOB,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " last_auth_at INTEGER"
	 ") STRICT;"
	 "CREATE UNIQUE INDEX principals_email ON principals (account_id, email)"
	 " WHERE email IS NOT NULL;"
	 "CREATE INDEX principals_account ON principals (account_id, type);"
	 "CREATE TABLE group_members ("
	 " group_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,"
	 " member_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,"
	 " sealed_keyset BLOB NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " PRIMARY KEY (group_id, member_id)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE INDEX group_members_member ON group_members (member_id, group_id);"
	 "CREATE TABLE vaults ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " account_id TEXT NOT NULL REFERENCES accounts(id),"
	 " type TEXT NOT NULL CHECK (type IN ('personal', 'everyone', 'user_created')),"
	 " encrypted_attrs BLOB NOT NULL,"
	 " attribute_version INTEGER NOT NULL,"
	 " content_version INTEGER NOT NULL,"
	 " created_by TEXT NOT NULL REFERENCES principals(id),"
	 " allow_admins_to_manage INTEGER NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX vaults_account ON vaults (account_id);"
	 /* Foreign-key checks when a principal is deleted look vaults up by creator. */
	 "CREATE INDEX vaults_created_by ON vaults (created_by);"
	 "CREATE TABLE vault_access ("
	 " vault_id TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,"
	 " principal_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,"
	 " permissions INTEGER NOT NULL,"
	 " sealed_key BLOB NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " PRIMARY KEY (vault_id, principal_id)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE INDEX vault_access_principal ON vault_access (principal_id, vault_id);"
	 "CREATE TABLE items ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " vault_id TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,"
	 " version INTEGER NOT NULL,"
	 " state TEXT NOT NULL CHECK (state IN ('active', 'archived')),"
	 " overview BLOB NOT NULL,"
	 " details BLOB NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " created_by TEXT NOT NULL,"
	 " updated_by TEXT NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX items_vault ON items (vault_id, state);"
	 "CREATE TABLE item_versions ("
	 " item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	 " version INTEGER NOT NULL,"
	 " overview BLOB NOT NULL,"
	 " details BLOB NOT NULL,"
	 " updated_at INTEGER NOT NULL,"
	 " updated_by TEXT NOT NULL,"
	 " PRIMARY KEY (item_id, version)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE TABLE item_indexes ("
	 " item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	 " vault_id TEXT NOT NULL,"
	 " kind TEXT NOT NULL CHECK (kind IN ('title', 'tag')),"
	 " value BLOB NOT NULL CHECK (length(value) = 32),"
	 " PRIMARY KEY (item_id, kind, value)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE INDEX item_indexes_lookup ON item_indexes (vault_id, kind, value);"
	 "CREATE TABLE invites ("
	 " user_id TEXT PRIMARY KEY REFERENCES principals(id) ON DELETE CASCADE,"
	 " code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),"
	 " created_by TEXT NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " expires_at INTEGER NOT NULL"
	 ") STRICT;",
	 NULL},
	/*
	 * Files attached to items and Document contents: ciphertext only
	 * (AEAD under the vault key, AD purpose "file:<id>"). Deleting the
	 * item or the vault deletes its files.
	 */
	{3, "files",
	 "CREATE TABLE files ("
	 " id TEXT PRIMARY KEY CHECK (length(id) = 26),"
	 " vault_id TEXT NOT NULL REFERENCES vaults(id) ON DELETE CASCADE,"
	 " item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	 " size INTEGER NOT NULL CHECK (size >= 0),"
	 " content BLOB NOT NULL,"
	 " created_by TEXT NOT NULL,"
	 " created_at INTEGER NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX files_item ON files (item_id);"
	 "CREATE INDEX files_vault ON files (vault_id);",
	 NULL},
	/*
	 * Service accounts (docs/internals/server.md "Service accounts"): the
	 * principal row (type service_account, name, public keys, generation)
	 * plus this row. Their vault grants are ordinary vault_access rows.
	 * revoked_at may lie in the future: a rotation's grace period.
	 */
	{4, "service accounts",
	 "CREATE TABLE service_accounts ("
	 " id TEXT PRIMARY KEY REFERENCES principals(id) ON DELETE CASCADE,"
	 " account_id TEXT NOT NULL REFERENCES accounts(id),"
	 " created_by TEXT NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " expires_at INTEGER,"
	 " last_used_at INTEGER,"
	 " can_create_vaults INTEGER NOT NULL CHECK (can_create_vaults IN (0, 1)),"
	 " revoked_at INTEGER,"
	 " rotated_from TEXT,"
	 " rotated_to TEXT"
	 ") STRICT;"
	 "CREATE INDEX service_accounts_account ON service_accounts (account_id, created_at);",
	 NULL},
	/* Audit events (hash-chained per account) and per-account rate limits. */
	{5, "audit events and rate limits", sqlite_migration_audit_sql, NULL},
};

#define MIGRATION_COUNT (sizeof migrations / sizeof migrations[0])

int store_sqlite_latest_version(void)
{
	return migrations[MIGRATION_COUNT - 1].version;
}

static int apply_migration(const struct sqlite_store *st, sqlite3 *db, const struct migration *m,
			   int *version)
{
	char sql[64];
	int cur, rc;

	rc = sql_exec(st, db, "BEGIN IMMEDIATE", "cannot start a migration");
	if (rc)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	rc = read_user_version(st, db, &cur);
	if (rc)
		goto fail;
	if (cur >= m->version) {
		*version = cur;
		return sql_exec(st, db, "COMMIT", "cannot end a migration");
	}
	if (cur != m->version - 1) {
		rc = sesame_error_set(SESAME_ESERVER, "store_error",
				      "database '%s' is at schema version %d, expected %d",
				      st->path, cur, m->version - 1);
		goto fail;
	}
	rc = sql_exec(st, db, m->sql, "cannot create the schema");
	if (!rc && m->fill)
		rc = m->fill(st, db);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
	if (!rc)
		rc = sql_exec(st, db, sql, "cannot record the schema version");
	if (!rc)
		rc = sql_exec(st, db, "COMMIT", "cannot commit");
	if (rc)
		goto fail;
	*version = m->version;
	log_info("store_migrated", LOG_INT("version", m->version), LOG_STR("name", m->name), );
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return sesame_error_prefix("cannot apply migration %d ('%s') to '%s'", m->version, m->name,
				   st->path);
}

int migrate(const struct sqlite_store *st, sqlite3 *db)
{
	int version, rc;

	for (size_t i = 0; i < MIGRATION_COUNT; i++)
		if (migrations[i].version != (int)i + 1)
			return sesame_error_set(SESAME_ESERVER, "store_error",
						"migration table is not numbered 1, 2, 3, ...");
	rc = read_user_version(st, db, &version);
	if (rc)
		return rc;
	if (version > store_sqlite_latest_version())
		return sesame_error_set(SESAME_EUNSUPPORTED, "store_too_new",
					"database '%s' has schema version %d, newer than this "
					"sesamed knows (%d): run a newer sesamed",
					st->path, version, store_sqlite_latest_version());
	for (size_t i = 0; i < MIGRATION_COUNT; i++) {
		if (migrations[i].version <= version)
			continue;
		rc = apply_migration(st, db, &migrations[i], &version);
		if (rc)
			return rc;
	}
	return 0;
}

