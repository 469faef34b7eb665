/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/access.h"
#include "client/keyring.h"
#include "client/people.h"
#include "error.h"
#include "json.h"

#define ACCESS_MAX 100000

enum {
	P_MANAGE = 2,
	P_VIEW_COPY = 16,
	P_VIEW = 32,
	P_EDIT = 64,
	P_CREATE = 128,
	P_ARCHIVE = 256,
	P_DELETE = 512,
	P_HISTORY = 1024,
	P_SHARE = 1048576,
	P_IMPORT = 2097152,
	P_EXPORT = 4194304,
	P_PRINT = 8388608,
};

/* 1Password's permissions with the full set each one needs (reference 3.6). */
static const struct perm {
	uint32_t bit;
	const char *name;
	uint32_t requires;
} perms[] = {
	{P_VIEW, "view_items", 0},
	{P_VIEW_COPY, "view_and_copy_passwords", P_VIEW},
	{P_HISTORY, "view_item_history", P_VIEW_COPY | P_VIEW},
	{P_CREATE, "create_items", P_VIEW},
	{P_EDIT, "edit_items", P_VIEW_COPY | P_VIEW},
	{P_ARCHIVE, "archive_items", P_EDIT | P_VIEW_COPY | P_VIEW},
	{P_DELETE, "delete_items", P_EDIT | P_VIEW_COPY | P_VIEW},
	{P_IMPORT, "import_items", P_CREATE | P_VIEW},
	{P_EXPORT, "export_items", P_HISTORY | P_VIEW_COPY | P_VIEW},
	{P_SHARE, "copy_and_share_items", P_HISTORY | P_VIEW_COPY | P_VIEW},
	{P_PRINT, "print_items", P_HISTORY | P_VIEW_COPY | P_VIEW},
	{P_MANAGE, "manage_vault", 0},
};

#define NPERMS (sizeof perms / sizeof perms[0])

/* op's three broad permissions (Teams), as their granular sets. */
static const struct {
	const char *name;
	uint32_t bits;
} broad[] = {
	{"allow_viewing", P_VIEW | P_VIEW_COPY | P_HISTORY},
	{"allow_editing",
	 P_CREATE | P_EDIT | P_ARCHIVE | P_DELETE | P_IMPORT | P_EXPORT | P_SHARE | P_PRINT},
	{"allow_managing", P_MANAGE},
};

int access_perms_parse(uint32_t *out, const char *list)
{
	const char *p = list;

	*out = 0;
	if (!list)
		return sesame_error_set(SESAME_EINVAL, "invalid_permissions",
					"no permissions given");
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *q = p;
		uint32_t bits = 0;
		while (len && (*q == ' ' || *q == '\t')) {
			q++;
			len--;
		}
		while (len && (q[len - 1] == ' ' || q[len - 1] == '\t'))
			len--;
		if (len == 0)
			return sesame_error_set(SESAME_EINVAL, "invalid_permissions",
						"empty permission name in '%s'", list);
		for (size_t i = 0; i < NPERMS && !bits; i++)
			if (strlen(perms[i].name) == len && strncmp(perms[i].name, q, len) == 0)
				bits = perms[i].bit;
		for (size_t i = 0; i < sizeof broad / sizeof broad[0] && !bits; i++)
			if (strlen(broad[i].name) == len && strncmp(broad[i].name, q, len) == 0)
				bits = broad[i].bits;
		if (!bits)
			return sesame_error_set(SESAME_EINVAL, "invalid_permissions",
						"unknown permission '%.*s'",
						(int)(len > 64 ? 64 : len), q);
		*out |= bits;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

int access_perms_check(uint32_t p)
{
	for (size_t i = 0; i < NPERMS; i++) {
		uint32_t missing;
		if (!(p & perms[i].bit))
			continue;
		missing = perms[i].requires & ~p;
		if (!missing)
			continue;
		/* Name every missing dependency of the first permission that lacks one. */
		char names[256];
		size_t pos = 0;
		for (size_t j = 0; j < NPERMS; j++) {
			if (!(missing & perms[j].bit))
				continue;
			missing &= ~perms[j].bit;
			int n = snprintf(names + pos, sizeof names - pos, "%s'%s'",
					 pos == 0  ? ""
					 : missing ? ", "
						   : " and ",
					 perms[j].name);
			if (n < 0 || (size_t)n >= sizeof names - pos)
				break;
			pos += (size_t)n;
		}
		return sesame_error_set(SESAME_EINVAL, "invalid_permissions",
					"permission '%s' requires %s", perms[i].name, names);
	}
	return 0;
}

json_t *access_perms_json(uint32_t p)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < NPERMS; i++)
		if (p & perms[i].bit)
			json_array_append_new(arr, json_string(perms[i].name));
	return arr;
}

void access_perms_text(char *out, size_t cap, uint32_t p)
{
	size_t pos = 0;

	if (cap)
		out[0] = '\0';
	for (size_t i = 0; i < NPERMS; i++) {
		if (!(p & perms[i].bit))
			continue;
		int n = snprintf(out + pos, cap > pos ? cap - pos : 0, "%s%s", pos ? ", " : "",
				 perms[i].name);
		if (n < 0 || (size_t)n >= cap - pos)
			return;
		pos += (size_t)n;
	}
}

static int access_record(void *record, const json_t *e)
{
	client_access *r = record;
	const char *pid = json_string_value(json_object_get(e, "principal_id"));
	const char *type = json_string_value(json_object_get(e, "principal_type"));
	long long bits = 0;

	if (!pid || !id_is_valid(pid) || !type || strlen(type) >= sizeof r->principal_type ||
	    sjson_get_int(e, "permissions", &bits) || bits < 0 || bits > 0xffffffffLL)
		return sesame_error_set(SESAME_EINVAL, "bad_response",
					"malformed access row in server answer");
	memcpy(r->principal_id, pid, ID_SIZE);
	memcpy(r->principal_type, type, strlen(type) + 1);
	r->permissions = (uint32_t)bits;
	return 0;
}

int access_list(client_access **out, size_t *n, session *s, const client_vault *v)
{
	char path[96];
	void *list = NULL;
	int rc;

	snprintf(path, sizeof path, "/v1/vaults/%s/access", v->id);
	rc = api_get_records(&list, n, s->api, path, "access", ACCESS_MAX, sizeof **out,
			     access_record);

	*out = list;
	return rc;
}

/* What the principal has now (0 when it has no row). */
static int current_perms(uint32_t *out, session *s, const client_vault *v, const char *pid)
{
	client_access *list = NULL;
	size_t n = 0;
	int rc = access_list(&list, &n, s, v);

	*out = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (strcmp(list[i].principal_id, pid) == 0)
			*out = list[i].permissions;
	free(list);
	return rc;
}

static int put_access(session *s, const client_vault *v, const char *pid, uint32_t bits)
{
	const unsigned char *key = keyring_vault_key(s->kr, v->id);
	unsigned char pk[32];
	json_t *body = NULL;
	char path[96];
	int rc;

	if (!key)
		return sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
					"cannot open the key of vault '%s'", v->name);
	rc = principal_box_key(s, pid, pk);
	if (rc)
		return rc;
	body = json_pack("{s:I}", "permissions", (json_int_t)bits);
	rc = body ? seal_to_json(body, "sealed_key", key, VAULT_KEY_BYTES, pk)
		  : sesame_error_nomem();
	snprintf(path, sizeof path, "/v1/vaults/%s/access/%s", v->id, pid);
	rc = rc ? rc : api_call(s->api, "PUT", path, body, NULL);
	json_decref(body);
	return rc;
}

/* A 403/404 of the access routes, worded for the vault. */
static int vault_denied(int rc, const client_vault *v)
{
	if (rc == SESAME_EPERM && strcmp(sesame_error_last()->kind, "forbidden") == 0)
		return sesame_error_prefix("cannot manage access to vault '%s'", v->name);
	return rc;
}

int access_grant(uint32_t *result, session *s, const client_vault *v, const char *pid,
		 const char *label, uint32_t bits)
{
	uint32_t have = 0;
	int rc;

	*result = 0;
	if (bits == 0)
		return sesame_error_set(SESAME_EINVAL, "invalid_permissions",
					"no permissions to grant");
	rc = current_perms(&have, s, v, pid);
	if (rc)
		return vault_denied(rc, v);
	rc = access_perms_check(have | bits);
	if (rc)
		return rc;
	rc = put_access(s, v, pid, have | bits);
	if (rc == SESAME_ENOTFOUND && strcmp(sesame_error_last()->kind, "principal_not_found") == 0)
		sesame_error_set(rc, "principal_not_found",
				 "'%s' has no keys yet: they must accept their invitation first",
				 label);
	if (rc)
		return vault_denied(rc, v);
	*result = have | bits;
	return 0;
}

int access_revoke(uint32_t *result, session *s, const client_vault *v, const char *pid,
		  const char *label, uint32_t bits)
{
	uint32_t have = 0, left;
	char path[96];
	int rc;

	*result = 0;
	rc = current_perms(&have, s, v, pid);
	if (rc)
		return vault_denied(rc, v);
	if (have == 0)
		return sesame_error_set(SESAME_ENOTFOUND, "not_found",
					"'%s' has no access of its own to vault '%s'", label,
					v->name);
	left = bits ? have & ~bits : 0;
	if (left) {
		rc = access_perms_check(left);
		if (rc)
			return sesame_error_prefix("cannot revoke only these permissions");
		rc = put_access(s, v, pid, left);
	} else {
		snprintf(path, sizeof path, "/v1/vaults/%s/access/%s", v->id, pid);
		rc = api_call(s->api, "DELETE", path, NULL, NULL);
	}
	if (rc)
		return vault_denied(rc, v);
	*result = left;
	return 0;
}
