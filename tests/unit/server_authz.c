/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Authorization without a database: the permission dependency table,
 * effective permissions (direct OR via groups), vault visibility and the
 * vault rules, against a fake store.
 */
#include "test.h"

#include <stdio.h>

#include "../../src/server/router.c"
#include "../../src/server/authz.c"

static const char ME[] = "aaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char ACCT[] = "bbbbbbbbbbbbbbbbbbbbbbbbbb";
static const char VAULT[] = "cccccccccccccccccccccccccc";

static void test_server_authz__dependency_table(void **state)
{
	static const struct {
		uint32_t perms;
		const char *message; /* NULL: valid */
	} cases[] = {
		{0, NULL},
		{PERM_VIEW_ITEMS, NULL},
		{PERM_MANAGE_VAULT, NULL},
		{PERM_ALL, NULL},
		{PERM_VIEW_AND_COPY_PASSWORDS, "permission 'view_and_copy_passwords' requires "
					       "'view_items'"},
		{PERM_CREATE_ITEMS, "permission 'create_items' requires 'view_items'"},
		{PERM_EDIT_ITEMS | PERM_VIEW_ITEMS,
		 "permission 'edit_items' requires 'view_and_copy_passwords'"},
		{PERM_VIEW_ITEM_HISTORY | PERM_VIEW_ITEMS,
		 "permission 'view_item_history' requires 'view_and_copy_passwords'"},
		{PERM_ARCHIVE_ITEMS | PERM_READ_DETAILS,
		 "permission 'archive_items' requires 'edit_items'"},
		{PERM_DELETE_ITEMS | PERM_READ_DETAILS,
		 "permission 'delete_items' requires 'edit_items'"},
		{PERM_IMPORT_ITEMS | PERM_VIEW_ITEMS,
		 "permission 'import_items' requires 'create_items'"},
		{PERM_EXPORT_ITEMS | PERM_READ_DETAILS,
		 "permission 'export_items' requires 'view_item_history'"},
		{PERM_COPY_AND_SHARE_ITEMS | PERM_READ_DETAILS,
		 "permission 'copy_and_share_items' requires 'view_item_history'"},
		{PERM_PRINT_ITEMS | PERM_READ_DETAILS,
		 "permission 'print_items' requires 'view_item_history'"},
		/* 1Password's bundles are consistent. */
		{PERM_READ_DETAILS | PERM_VIEW_ITEM_HISTORY, NULL},
		{PERM_READ_DETAILS | PERM_EDIT_ITEMS | PERM_ARCHIVE_ITEMS | PERM_DELETE_ITEMS |
			 PERM_CREATE_ITEMS | PERM_IMPORT_ITEMS,
		 NULL},
		{4, "permissions 4 has unknown bits (4)"},
		{PERM_ALL | 1, "permissions 15730675 has unknown bits (1)"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = authz_check_permissions(cases[i].perms);
		if (!cases[i].message) {
			if (rc)
				fail_msg("%u: %s", cases[i].perms, sesame_error_last()->message);
			continue;
		}
		assert_int_equal(rc, SESAME_EINVAL);
		assert_string_equal(sesame_error_last()->message, cases[i].message);
		assert_string_equal(sesame_error_last()->kind, "invalid_permissions");
	}
	/* Every permission's listed needs are themselves satisfiable. */
	for (size_t i = 0; i < NPERMS; i++)
		assert_int_equal(
			authz_check_permissions(perm_table[i].bit | perm_table[i].requires), 0);
	assert_string_equal(authz_perm_name(PERM_EDIT_ITEMS), "edit_items");
	assert_null(authz_perm_name(4));
}

/* ---- effective permissions against a fake store ---- */

struct fake_store {
	struct store base;
	uint32_t direct, via_group; /* the caller's rows; 0 means none */
	struct vault_row vault;
};

static int fake_vault_permissions(struct store *st, const char *principal_id, const char *vault_id,
				  uint32_t *out, bool *found)
{
	struct fake_store *fs = (struct fake_store *)st;
	(void)principal_id;
	(void)vault_id;
	*out = fs->direct | fs->via_group;
	*found = fs->direct || fs->via_group;
	return 0;
}

static int fake_vault_get(struct store *st, const char *id, struct vault_row *out)
{
	(void)id;
	*out = ((struct fake_store *)st)->vault;
	return 0;
}

static const struct store_ops fake_ops = {
	.version = STORE_OPS_VERSION,
	.name = "fake",
	.vault_get = fake_vault_get,
	.vault_permissions = fake_vault_permissions,
};

static struct fake_store *fake(const char *type, const char *owner)
{
	static struct fake_store fs;
	memset(&fs, 0, sizeof fs);
	fs.base.ops = &fake_ops;
	memcpy(fs.vault.id, VAULT, sizeof fs.vault.id);
	memcpy(fs.vault.account_id, ACCT, sizeof fs.vault.account_id);
	snprintf(fs.vault.type, sizeof fs.vault.type, "%s", type);
	snprintf(fs.vault.created_by, sizeof fs.vault.created_by, "%s", owner);
	return &fs;
}

static struct request_caller caller(void)
{
	struct request_caller c;
	memset(&c, 0, sizeof c);
	c.authenticated = true;
	memcpy(c.id, ME, sizeof c.id);
	memcpy(c.account_id, ACCT, sizeof c.account_id);
	snprintf(c.type, sizeof c.type, "user");
	return c;
}

static int check(struct fake_store *fs, const struct request_caller *c, uint32_t need, int *status)
{
	struct authz_vault v;
	struct http_reply r = {0};
	int rc = authz_vault(&fs->base, c, VAULT, need, &v, &r);
	*status = rc ? r.status : 200;
	reply_free(&r);
	return rc ? -1 : (int)v.permissions;
}

static void test_server_authz__effective_permissions(void **state)
{
	struct request_caller c = caller();
	struct fake_store *fs = fake("user_created", "zzzzzzzzzzzzzzzzzzzzzzzzzz");
	int status;
	(void)state;

	/* No path: 404, the same as a vault that does not exist. */
	assert_int_equal(check(fs, &c, 0, &status), -1);
	assert_int_equal(status, 404);
	/* Direct OR group. */
	fs->direct = PERM_VIEW_ITEMS;
	fs->via_group = PERM_VIEW_AND_COPY_PASSWORDS | PERM_VIEW_ITEMS;
	assert_int_equal(check(fs, &c, PERM_READ_DETAILS, &status),
			 (int)(PERM_VIEW_ITEMS | PERM_VIEW_AND_COPY_PASSWORDS));
	assert_int_equal(check(fs, &c, PERM_EDIT_ITEMS, &status), -1);
	assert_int_equal(status, 403);
	fs->direct = 0;
	assert_int_equal(check(fs, &c, PERM_VIEW_ITEMS, &status),
			 (int)(PERM_VIEW_ITEMS | PERM_VIEW_AND_COPY_PASSWORDS));
	/* Another account's vault is not there. */
	memcpy(c.account_id, "dddddddddddddddddddddddddd", sizeof c.account_id);
	assert_int_equal(check(fs, &c, 0, &status), -1);
	assert_int_equal(status, 404);
}

static void test_server_authz__personal_vault(void **state)
{
	struct request_caller c = caller();
	struct fake_store *fs = fake("personal", "zzzzzzzzzzzzzzzzzzzzzzzzzz");
	int status;
	(void)state;

	/* Rows or not, another person's personal vault is invisible. */
	fs->via_group = PERM_ALL;
	assert_int_equal(check(fs, &c, 0, &status), -1);
	assert_int_equal(status, 404);
	fs = fake("personal", ME);
	fs->direct = PERM_ALL;
	assert_int_equal(check(fs, &c, PERM_MANAGE_VAULT, &status), (int)PERM_ALL);
}

static void test_server_authz__vault_rules(void **state)
{
	struct request_caller c = caller();
	struct authz_vault v;
	struct principal_row target;
	struct http_reply r = {0};
	(void)state;

	memset(&v, 0, sizeof v);
	memset(&target, 0, sizeof target);
	memcpy(target.id, "eeeeeeeeeeeeeeeeeeeeeeeeee", sizeof target.id);
	memcpy(target.account_id, ACCT, sizeof target.account_id);
	snprintf(target.type, sizeof target.type, "service_account");
	snprintf(target.state, sizeof target.state, "active");

	snprintf(v.row.type, sizeof v.row.type, "everyone");
	assert_int_equal(authz_vault_delete(&v, &r), -1);
	assert_int_equal(r.status, 403);
	reply_free(&r);
	assert_int_equal(authz_vault_grant(&c, &v, &target, PERM_VIEW_ITEMS, false, &r), -1);
	assert_int_equal(r.status, 403); /* no service account in the everyone vault */
	reply_free(&r);
	assert_int_equal(authz_vault_grant(&c, &v, &target, 0, true, &r), 0);

	snprintf(v.row.type, sizeof v.row.type, "personal");
	assert_int_equal(authz_vault_delete(&v, &r), -1);
	reply_free(&r);
	snprintf(target.type, sizeof target.type, "user");
	assert_int_equal(authz_vault_grant(&c, &v, &target, PERM_VIEW_ITEMS, false, &r), -1);
	reply_free(&r);

	snprintf(v.row.type, sizeof v.row.type, "user_created");
	assert_int_equal(authz_vault_delete(&v, &r), 0);
	assert_int_equal(authz_vault_grant(&c, &v, &target, PERM_VIEW_ITEMS, false, &r), 0);
	assert_int_equal(authz_vault_grant(&c, &v, &target, PERM_EDIT_ITEMS, false, &r), -1);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	assert_int_equal(authz_vault_grant(&c, &v, &target, 0, false, &r), -1);
	reply_free(&r);
	memcpy(target.account_id, "dddddddddddddddddddddddddd", sizeof target.account_id);
	assert_int_equal(authz_vault_grant(&c, &v, &target, PERM_VIEW_ITEMS, false, &r), -1);
	assert_int_equal(r.status, 404);
	reply_free(&r);

	assert_int_equal(authz_vault_create(&c, &r), 0);
	snprintf(c.type, sizeof c.type, "service_account");
	assert_int_equal(authz_vault_create(&c, &r), -1);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_authz__dependency_table),
		cmocka_unit_test(test_server_authz__effective_permissions),
		cmocka_unit_test(test_server_authz__personal_vault),
		cmocka_unit_test(test_server_authz__vault_rules),
	};
	log_configure(LOG_OFF, LOG_FORMAT_TEXT, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
