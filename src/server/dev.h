/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_SERVER_DEV_H
#define SESAME_SERVER_DEV_H

/*
 * `sesamed --dev` demo data. Once the server listens, dev_seed() acts as
 * any client would, through the HTTP API with libsesame's client
 * (account creation, sign-in, vault and item creation): an account with
 * an owner, a vault "Demo" and a Login "Demo Database". The owner's
 * credentials go to a 0600 file in the dev data directory, so that the
 * banner can print commands that read the demo secret.
 */

#include <stddef.h>

#define DEV_EMAIL      "dev@sesame.local"
#define DEV_VAULT      "Demo"
#define DEV_ITEM       "Demo Database"
#define DEV_CREDS_FILE "credentials"

struct dev_account {
	char account_id[27];
	char creds_path[4096];
};

/*
 * Creates the demo account through the server at `url` and writes the
 * credentials file in `dir`. The KDF cost is the lowest the protocol
 * allows (dev mode only). Returns 0, or a SESAME_E* code with the
 * thread's error set.
 */
int dev_seed(struct dev_account *out, const char *url, const char *dir);

#endif
