/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_SESSFILE_H
#define SESAME_LIB_CLIENT_SESSFILE_H

/*
 * The CLI's cached session: the server URL, the session token, the
 * principal and the opened keyset, as one AEAD blob under a random
 * 32-byte key that only the caller's environment holds
 * (SESAME_SESSION=<b64u key>, printed by `sesame signin` for eval). The
 * file alone is useless: without the key it is ciphertext.
 *
 *   file = "SESAME-SESSION-1\n" || aead(key, AD = "sesame session file v1", json)
 *   json = {"url","insecure","session","principal":{...},"keyset":b64u,
 *           "vaults":[{"id","name","key"}]}
 *
 * where "keyset" is keyset_encrypt(keyset, key) (so the private keys are
 * encrypted twice; cheap, and keeps the keyset codec in one place).
 * "vaults" (optional) is the session's vault cache (client/vcache.h): ids,
 * names and opened vault keys, so a warm `sesame read` is one request.
 * Secret values are never stored here.
 */

#include <stddef.h>

#include "client/session.h"

#define SESSFILE_MAGIC	       "SESAME-SESSION-1\n"
#define SESSFILE_AD	       "sesame session file v1"
#define SESSFILE_KEYBYTES      32
#define SESSFILE_KEY_TEXT_SIZE 44 /* b64u of 32 bytes + NUL */
#define SESSFILE_MAX	       (2u * 1024 * 1024)

/* Seals the session `s` (insecure: the api option to restore) into a malloc'ed blob. */
int sessfile_seal(unsigned char **out, size_t *out_len, const unsigned char key[SESSFILE_KEYBYTES],
		  const session *s, bool insecure);

/* Opens a blob into a new session (the connection is made, nothing sent). */
int sessfile_open(session **out, const unsigned char *data, size_t len,
		  const unsigned char key[SESSFILE_KEYBYTES]) __attribute__((warn_unused_result));

/*
 * The same with the connection options of the caller (integration name and
 * version, timeout); base->url, when set, replaces the stored address.
 */
int sessfile_open_opts(session **out, const unsigned char *data, size_t len,
		       const unsigned char key[SESSFILE_KEYBYTES], const api_options *base)
	__attribute__((warn_unused_result));

int sessfile_key_text(char out[SESSFILE_KEY_TEXT_SIZE], const unsigned char key[SESSFILE_KEYBYTES]);
int sessfile_key_parse(unsigned char key[SESSFILE_KEYBYTES], const char *text);

/* The file name for a key: "session-" + 16 hex of BLAKE2b(key) (not secret). */
int sessfile_name(char out[32], const unsigned char key[SESSFILE_KEYBYTES]);

#endif
