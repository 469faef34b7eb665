/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_GROUPS_H
#define SESAME_LIB_CLIENT_GROUPS_H

/*
 * Groups (protocol section 7): list, find, create, delete, members.
 * A group's keyset is made from a random 32-byte seed (the client's
 * convention, docs/internals/client.md); adding a member seals that seed
 * to the member's box key, so only someone who can open the seed (a
 * member) can add members. The creator of a group becomes its first
 * member for that reason.
 */

#include <jansson.h>
#include <stddef.h>

#include "client/people.h"
#include "client/session.h"

typedef struct {
	char id[ID_SIZE];
	char name[257];
	char description[257];
	char type[24]; /* owners | administrators | team_members | user_defined */
	char state[24];
	char created_at[32];
	char updated_at[32];
} client_group;

int client_group_from_json(client_group *out, const json_t *obj);

/* GET /v1/groups; *out is malloc'ed (free()). */
int groups_list(client_group **out, size_t *n, session *s);

/* By id, else by exact name, else by name ignoring ASCII case. */
int group_find(client_group *out, session *s, const char *name_or_id);

/* A new group whose keyset is sealed to the caller, its first member. */
int group_create(client_group *out, session *s, const char *name, const char *description);

int group_delete(session *s, const client_group *g);

/*
 * Opens the caller's sealed copy of the group's keyset seed
 * (GET /v1/me/groups) into `seed` (caller's secure memory).
 * SESAME_EPERM when the caller is not a member.
 */
int group_open_seed(unsigned char seed[32], session *s, const client_group *g);

/* Seals the group's seed to `u` and adds it (PUT .../members/{user}). */
int group_member_add(session *s, const client_group *g, const client_user *u);
int group_member_remove(session *s, const client_group *g, const client_user *u);

/* GET /v1/groups/{id}/members; *out is malloc'ed (free()). */
int group_members(client_user **out, size_t *n, session *s, const client_group *g);

/* op's group JSON: {id,name,description,state,created_at,updated_at,type}. */
json_t *group_json(const client_group *g);

#endif
