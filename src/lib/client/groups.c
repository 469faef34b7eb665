/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "client/groups.h"
#include "client/keyring.h"
#include "crypto/secmem.h"
#include "error.h"
#include "json.h"

#define GROUPS_MAX  100000
#define MEMBERS_MAX 100000

static int copy_field(char *dst, size_t cap, const json_t *obj, const char *key, bool required)
{
	const char *v = json_string_value(json_object_get(obj, key));

	dst[0] = '\0';
	if (!v)
		return required ? sesame_error_set(SESAME_EINVAL, "bad_response",
						   "group object lacks '%s'", key)
				: 0;
	if (strlen(v) >= cap)
		return sesame_error_set(SESAME_EINVAL, "bad_response", "group '%s' is too long",
					key);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int client_group_from_json(client_group *out, const json_t *obj)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (!json_is_object(obj))
		return sesame_error_set(SESAME_EINVAL, "bad_response", "malformed group object");
	rc = copy_field(out->id, sizeof out->id, obj, "id", true);
	rc = rc ? rc : copy_field(out->name, sizeof out->name, obj, "name", true);
	rc = rc ? rc
		: copy_field(out->description, sizeof out->description, obj, "description", false);
	rc = rc ? rc : copy_field(out->type, sizeof out->type, obj, "type", false);
	rc = rc ? rc : copy_field(out->state, sizeof out->state, obj, "state", false);
	rc = rc ? rc
		: copy_field(out->created_at, sizeof out->created_at, obj, "created_at", false);
	rc = rc ? rc
		: copy_field(out->updated_at, sizeof out->updated_at, obj, "updated_at", false);
	if (rc == 0 && !id_is_valid(out->id))
		rc = sesame_error_set(SESAME_EINVAL, "bad_response", "group has a malformed id");
	return rc;
}

static int group_record(void *record, const json_t *obj)
{
	return client_group_from_json(record, obj);
}

int groups_list(client_group **out, size_t *n, session *s)
{
	void *list = NULL;
	int rc = api_get_records(&list, n, s->api, "/v1/groups", "groups", GROUPS_MAX, sizeof **out,
				 group_record);

	*out = list;
	return rc;
}

int group_find(client_group *out, session *s, const char *key)
{
	client_group *list = NULL;
	size_t n = 0, hit = 0, hits = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (!key || !*key)
		return sesame_error_set(SESAME_EINVAL, "invalid_group", "group is empty");
	rc = groups_list(&list, &n, s);
	if (rc)
		return rc;
	for (int pass = 0; pass < 3 && hits == 0; pass++) {
		for (size_t i = 0; i < n; i++) {
			bool eq = pass == 0   ? strcmp(list[i].id, key) == 0
				  : pass == 1 ? strcmp(list[i].name, key) == 0
					      : strcasecmp(list[i].name, key) == 0;
			if (eq) {
				hit = i;
				hits++;
			}
		}
	}
	if (hits == 0)
		rc = sesame_error_set(SESAME_ENOTFOUND, "group_not_found", "group '%s' not found",
				      key);
	else if (hits > 1)
		rc = sesame_error_set(SESAME_EAMBIGUOUS, "group_ambiguous",
				      "more than one group is named '%s'; use its id", key);
	else
		*out = list[hit];
	free(list);
	return rc;
}

int group_create(client_group *out, session *s, const char *name, const char *description)
{
	char gid[ID_SIZE], box[KEYSET_PUBLIC_B64_SIZE], sign[KEYSET_PUBLIC_B64_SIZE];
	unsigned char *seed = NULL;
	keyset *ks = NULL;
	json_t *body = NULL, *resp = NULL, *m;
	int rc;

	memset(out, 0, sizeof *out);
	if (!name || !*name)
		return sesame_error_set(SESAME_EINVAL, "invalid_name", "group name is empty");
	seed = secmem_alloc(GROUP_SEED_BYTES);
	if (!seed)
		return SESAME_ENOMEM;
	id_new(gid);
	randombytes_buf(seed, GROUP_SEED_BYTES);
	rc = keyset_from_seed(&ks, seed);
	rc = rc ? rc : keyset_box_public_b64(box, sizeof box, ks);
	rc = rc ? rc : keyset_sign_public_b64(sign, sizeof sign, ks);
	if (rc)
		goto out;
	body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[{s:s}]}", "group_id", gid, "name", name,
			 "description", description ? description : "", "box_public_key", box,
			 "sign_public_key", sign, "members", "user_id", s->me.id);
	if (!body) {
		rc = sesame_error_set(SESAME_EINVAL, NULL,
				      "group name or description is not valid utf-8");
		goto out;
	}
	m = json_array_get(json_object_get(body, "members"), 0);
	rc = seal_to_json(m, "sealed_keyset", seed, GROUP_SEED_BYTES, keyset_box_public_key(s->ks));
	rc = rc ? rc : api_call(s->api, "POST", "/v1/groups", body, &resp);
	rc = rc ? rc : client_group_from_json(out, resp);
out:
	json_decref(body);
	json_decref(resp);
	keyset_free(ks);
	secmem_free(seed);
	return rc;
}

int group_delete(session *s, const client_group *g)
{
	char path[64];

	snprintf(path, sizeof path, "/v1/groups/%s", g->id);
	return api_call(s->api, "DELETE", path, NULL, NULL);
}

int group_open_seed(unsigned char seed[32], session *s, const client_group *g)
{
	json_t *resp = NULL, *arr, *e;
	size_t i;
	int rc = api_call(s->api, "GET", "/v1/me/groups", NULL, &resp);

	if (rc)
		return rc;
	arr = json_object_get(resp, "groups");
	rc = sesame_error_set(SESAME_EPERM, "group_key_unavailable",
			      "cannot open the keys of group '%s': you are not a member of it",
			      g->name);
	json_array_foreach(arr, i, e)
	{
		const char *gid = json_string_value(json_object_get(e, "group_id"));
		const char *sealed = json_string_value(json_object_get(e, "sealed_keyset"));
		if (!gid || !sealed || strcmp(gid, g->id) != 0)
			continue;
		rc = open_sealed_b64(seed, GROUP_SEED_BYTES, sealed, s->ks);
		if (rc)
			sesame_error_prefix("cannot open the keys of group '%s'", g->name);
		break;
	}
	json_decref(resp);
	return rc;
}

int group_member_add(session *s, const client_group *g, const client_user *u)
{
	unsigned char pk[32];
	unsigned char *seed = secmem_alloc(GROUP_SEED_BYTES);
	json_t *body = NULL;
	char path[96];
	int rc;

	if (!seed)
		return SESAME_ENOMEM;
	rc = group_open_seed(seed, s, g);
	rc = rc ? rc : principal_box_key(s, u->id, pk);
	if (rc == SESAME_ENOTFOUND)
		sesame_error_set(rc, sesame_error_last()->kind,
				 "user '%s' has no keys yet: they must accept their invitation "
				 "first",
				 u->email);
	if (rc)
		goto out;
	body = json_object();
	rc = body ? seal_to_json(body, "sealed_keyset", seed, GROUP_SEED_BYTES, pk)
		  : sesame_error_nomem();
	snprintf(path, sizeof path, "/v1/groups/%s/members/%s", g->id, u->id);
	rc = rc ? rc : api_call(s->api, "PUT", path, body, NULL);
out:
	json_decref(body);
	secmem_free(seed);
	return rc;
}

int group_member_remove(session *s, const client_group *g, const client_user *u)
{
	char path[96];
	int rc;

	snprintf(path, sizeof path, "/v1/groups/%s/members/%s", g->id, u->id);
	rc = api_call(s->api, "DELETE", path, NULL, NULL);
	if (rc == SESAME_ENOTFOUND && strcmp(sesame_error_last()->kind, "not_found") == 0)
		sesame_error_set(rc, "not_found", "user '%s' is not a member of group '%s'",
				 u->email, g->name);
	return rc;
}

static int member_record(void *record, const json_t *obj)
{
	return client_user_from_json(record, obj);
}

int group_members(client_user **out, size_t *n, session *s, const client_group *g)
{
	char path[96];
	void *list = NULL;
	int rc;

	snprintf(path, sizeof path, "/v1/groups/%s/members", g->id);
	rc = api_get_records(&list, n, s->api, path, "members", MEMBERS_MAX, sizeof **out,
			     member_record);

	*out = list;
	return rc;
}

json_t *group_json(const client_group *g)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:o}", "id", g->id, "name", g->name,
			 "description", g->description, "state", client_enum_json(g->state),
			 "created_at", g->created_at, "updated_at", g->updated_at, "type",
			 client_enum_json(g->type));
}
