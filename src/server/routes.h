/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_ROUTES_H
#define SESAME_SERVER_ROUTES_H

/*
 * The one route table of sesamed, and the state its handlers share.
 * docs/api.md documents every row; keep the two in step.
 */

#include <stdbool.h>

#include "router.h"
#include "store.h"

#define SESAMED_NAME "sesamed"

struct auth;
struct ratelimit;
struct audit;

/* Shared by every handler; lives as long as the HTTP server. */
struct server_state {
	struct store *store;
	struct auth *auth; /* keys, deny list, sign-in limits (auth.h) */
	bool allow_signup; /* --allow-signup: accounts after the first one */
	char url[128];	   /* this server's address, for whoami */
	struct ratelimit *ratelimit; /* request budgets (ratelimit.h) */
	struct audit *audit;	     /* the audit writer (audit.h); NULL: --audit off */
	size_t max_file_size; /* bytes of one file upload; 0: API_FILE_BODY_MAX */
};

extern const struct router server_router;

#endif
