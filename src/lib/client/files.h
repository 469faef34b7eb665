/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_CLIENT_FILES_H
#define SESAME_LIB_CLIENT_FILES_H

/*
 * Files of items and Document items (protocol section 5). A file's content
 * is one AEAD blob under the vault key with the associated data of
 * aead_item_ad(account, vault, item, version 0, "file:<file id>"), so the
 * server cannot move it to another file, item or vault. The item's
 * details list the file's attributes (id, name, plaintext size); the
 * content goes to PUT /v1/vaults/{v}/items/{i}/files/{f} as raw bytes.
 *
 * Plaintext content handed in or out is the caller's; functions here wipe
 * every copy they make. Content read back is in secure memory
 * (secmem_free).
 */

#include <stddef.h>

#include "client/session.h"
#include "client/vaults.h"
#include "item/item.h"

/* The largest file content this client uploads (the default server limit less the AEAD). */
#define FILES_MAX (16u * 1024 * 1024 - 40)

/* Encrypts `content` as file `file_id` of item `item_id` and uploads it. */
int files_upload(session *s, const client_vault *v, const char *item_id, const char *file_id,
		 const unsigned char *content, size_t len);

/*
 * Downloads file `f` of item `item_id`, checks and decrypts it; the
 * plaintext must be f->size bytes. *out is secure memory (secmem_free).
 */
int files_download(unsigned char **out, size_t *len, session *s, const client_vault *v,
		   const char *item_id, const item_file *f);

/* Deletes a file's content on the server (the item is not changed). */
int files_delete_content(session *s, const client_vault *v, const char *item_id,
			 const char *file_id);

/*
 * Attaches a file to an existing item: uploads the content, then writes
 * version N+1 of `it` listing the file (in `section_id`/`field_id`, may be
 * NULL). On a failed item write the upload is deleted again.
 */
int files_attach(session *s, const client_vault *v, item *it, const char *name,
		 const unsigned char *content, size_t len, const char *section_id,
		 const char *field_id);

/* Finds a file of `it` (the document first) by id or name; NULL if none. */
const item_file *files_find(const item *it, const char *id_or_name);

/*
 * Creates Document item `it` (category set here; title, tags as given)
 * with `content` as its document named `file_name`. If the upload fails
 * the item is deleted again.
 */
int documents_create(session *s, const client_vault *v, item *it, const char *file_name,
		     const unsigned char *content, size_t len);

/*
 * Replaces the content of Document `it` (new file id, version N+1), and
 * deletes the old content. `file_name` NULL keeps the name.
 */
int documents_replace(session *s, const client_vault *v, item *it, const char *file_name,
		      const unsigned char *content, size_t len);

#endif
