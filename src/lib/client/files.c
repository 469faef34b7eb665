/* SPDX-License-Identifier: Apache-2.0 */
/* Files of items and Document items (files.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/files.h"
#include "client/items.h"
#include "crypto/aead.h"
#include "crypto/ids.h"
#include "crypto/secmem.h"
#include "error.h"

static int file_ad(unsigned char ad[AEAD_ITEM_AD_MAX], size_t *ad_len, const session *s,
		   const client_vault *v, const char *item_id, const char *file_id)
{
	char purpose[8 + ID_SIZE];
	snprintf(purpose, sizeof purpose, "file:%s", file_id);
	return aead_item_ad(ad, AEAD_ITEM_AD_MAX, ad_len, s->me.account_id, v->id, item_id, 0,
			    purpose);
}

static int file_path(char *out, size_t cap, const client_vault *v, const char *item_id,
		     const char *file_id)
{
	if (!id_is_valid(item_id) || !id_is_valid(file_id))
		return sesame_error_set(SESAME_EINVAL, "invalid_id", "invalid item or file id");
	snprintf(out, cap, "/v1/vaults/%s/items/%s/files/%s", v->id, item_id, file_id);
	return 0;
}

static const unsigned char *vault_key(session *s, const client_vault *v)
{
	const unsigned char *key = keyring_vault_key(s->kr, v->id);
	if (!key)
		sesame_error_set(SESAME_EPERM, "vault_key_unavailable",
				 "cannot open the key of vault '%s'", v->name);
	return key;
}

int files_upload(session *s, const client_vault *v, const char *item_id, const char *file_id,
		 const unsigned char *content, size_t len)
{
	const unsigned char *key = vault_key(s, v);
	unsigned char ad[AEAD_ITEM_AD_MAX];
	size_t ad_len = 0, ct_len = 0;
	unsigned char *ct = NULL;
	char path[128];
	json_t *resp = NULL;
	int rc;

	if (!key)
		return SESAME_EPERM;
	if (len > FILES_MAX)
		return sesame_error_set(SESAME_ETOOBIG, "file_too_big",
					"file of %zu bytes is over the limit of %u bytes", len,
					FILES_MAX);
	rc = file_path(path, sizeof path, v, item_id, file_id);
	rc = rc ? rc : file_ad(ad, &ad_len, s, v, item_id, file_id);
	if (rc)
		return rc;
	ct = malloc(len + AEAD_OVERHEAD);
	if (!ct)
		return sesame_error_nomem();
	rc = aead_encrypt(ct, len + AEAD_OVERHEAD, &ct_len, content, len, ad, ad_len, key);
	rc = rc ? rc : api_call_bytes(s->api, "PUT", path, ct, ct_len, &resp, NULL, NULL, 0);
	json_decref(resp);
	free(ct); /* ciphertext: nothing to wipe */
	return rc;
}

int files_download(unsigned char **out, size_t *len, session *s, const client_vault *v,
		   const char *item_id, const item_file *f)
{
	const unsigned char *key = vault_key(s, v);
	unsigned char ad[AEAD_ITEM_AD_MAX];
	size_t ad_len = 0, ct_len = 0, pt_len = 0;
	unsigned char *ct = NULL, *pt = NULL;
	char path[128];
	int rc;

	*out = NULL;
	*len = 0;
	if (!key)
		return SESAME_EPERM;
	if (f->size > FILES_MAX)
		return sesame_error_set(SESAME_ETOOBIG, "file_too_big",
					"file '%s' is over the limit of %u bytes", f->name,
					FILES_MAX);
	rc = file_path(path, sizeof path, v, item_id, f->id);
	rc = rc ? rc : file_ad(ad, &ad_len, s, v, item_id, f->id);
	/* Room for an error answer too (a 404's JSON is longer than a small file). */
	size_t max = (size_t)f->size + AEAD_OVERHEAD < 4096 ? 4096 : (size_t)f->size + AEAD_OVERHEAD;
	rc = rc ? rc : api_call_bytes(s->api, "GET", path, NULL, 0, NULL, &ct, &ct_len, max);
	if (rc)
		return rc;
	if (ct_len != f->size + AEAD_OVERHEAD) {
		rc = sesame_error_set(SESAME_EDECRYPT, "file_mismatch",
				      "file '%s' has %zu bytes of ciphertext, expected %llu",
				      f->name, ct_len,
				      (unsigned long long)(f->size + AEAD_OVERHEAD));
		goto out;
	}
	pt = secmem_alloc(f->size ? (size_t)f->size : 1);
	if (!pt) {
		rc = sesame_error_nomem();
		goto out;
	}
	rc = aead_decrypt(pt, f->size ? (size_t)f->size : 1, &pt_len, ct, ct_len, ad, ad_len, key);
	if (rc) {
		sesame_error_set(rc, "decryption_failed",
				 "cannot decrypt file '%s' (wrong key, or the server changed it)",
				 f->name);
		goto out;
	}
	*out = pt;
	*len = pt_len;
	pt = NULL;
out:
	free(ct);
	secmem_free(pt);
	return rc;
}

int files_delete_content(session *s, const client_vault *v, const char *item_id,
			 const char *file_id)
{
	char path[128];
	json_t *resp = NULL;
	int rc = file_path(path, sizeof path, v, item_id, file_id);
	rc = rc ? rc : api_call(s->api, "DELETE", path, NULL, &resp);
	json_decref(resp);
	return rc;
}

/* The error of a failed step, kept across the clean-up calls that follow. */
struct saved_error {
	int code;
	char kind[64];
	char message[512];
};

static void error_save(struct saved_error *e)
{
	const sesame_error *last = sesame_error_last();
	e->code = last->code;
	snprintf(e->kind, sizeof e->kind, "%s", last->kind ? last->kind : "");
	snprintf(e->message, sizeof e->message, "%s", last->message ? last->message : "");
}

static int error_restore(const struct saved_error *e)
{
	return sesame_error_set(e->code, e->kind[0] ? e->kind : NULL, "%s", e->message);
}

static char *dup_or_null(const char *s, int *rc)
{
	char *d;
	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*rc = sesame_error_nomem();
	return d;
}

static void file_attrs_clear(item_file *f)
{
	if (f->name) {
		secmem_wipe(f->name, strlen(f->name));
		free(f->name);
	}
	free(f->section_id);
	free(f->field_id);
	memset(f, 0, sizeof *f);
}

int files_attach(session *s, const client_vault *v, item *it, const char *name,
		 const unsigned char *content, size_t len, const char *section_id,
		 const char *field_id)
{
	item_file f;
	item_file *grown;
	int rc = 0;

	if (it->nfiles >= ITEM_MAX_FILES)
		return sesame_error_set(SESAME_ETOOBIG, "item_too_big",
					"item '%s' has %d files already", it->title,
					ITEM_MAX_FILES);
	memset(&f, 0, sizeof f);
	id_new(f.id);
	f.size = len;
	f.name = dup_or_null(name, &rc);
	f.section_id = dup_or_null(section_id, &rc);
	f.field_id = dup_or_null(field_id, &rc);
	if (rc) {
		file_attrs_clear(&f);
		return rc;
	}
	grown = realloc(it->files, (it->nfiles + 1) * sizeof *grown);
	if (!grown) {
		file_attrs_clear(&f);
		return sesame_error_nomem();
	}
	it->files = grown;
	rc = files_upload(s, v, it->id, f.id, content, len);
	if (rc) {
		file_attrs_clear(&f);
		return rc;
	}
	it->files[it->nfiles++] = f;
	rc = items_update(s, v, it);
	if (rc) {
		struct saved_error e;
		error_save(&e);
		it->nfiles--;
		files_delete_content(s, v, it->id, f.id);
		file_attrs_clear(&it->files[it->nfiles]);
		error_restore(&e);
		return rc;
	}
	return 0;
}

const item_file *files_find(const item *it, const char *id_or_name)
{
	if (it->document && (strcmp(it->document->id, id_or_name) == 0 ||
			     (it->document->name && strcmp(it->document->name, id_or_name) == 0)))
		return it->document;
	for (size_t i = 0; i < it->nfiles; i++)
		if (strcmp(it->files[i].id, id_or_name) == 0)
			return &it->files[i];
	for (size_t i = 0; i < it->nfiles; i++)
		if (it->files[i].name && strcmp(it->files[i].name, id_or_name) == 0)
			return &it->files[i];
	return NULL;
}

int documents_create(session *s, const client_vault *v, item *it, const char *file_name,
		     const unsigned char *content, size_t len)
{
	item_file *doc;
	int rc = 0;

	if (len > FILES_MAX)
		return sesame_error_set(SESAME_ETOOBIG, "file_too_big",
					"file of %zu bytes is over the limit of %u bytes", len,
					FILES_MAX);
	if (it->document) {
		file_attrs_clear(it->document);
		free(it->document);
	}
	doc = it->document = calloc(1, sizeof *doc);
	if (!doc)
		return sesame_error_nomem();
	it->category = ITEM_CATEGORY_DOCUMENT;
	id_new(doc->id);
	doc->size = len;
	doc->name = dup_or_null(file_name, &rc);
	if (rc)
		return rc;
	rc = items_create(s, v, it);
	if (rc)
		return rc;
	rc = files_upload(s, v, it->id, doc->id, content, len);
	if (rc) {
		struct saved_error e;
		error_save(&e);
		items_delete(s, v, it->id);
		error_restore(&e);
	}
	return rc;
}

int documents_replace(session *s, const client_vault *v, item *it, const char *file_name,
		      const unsigned char *content, size_t len)
{
	item_file old, *doc = it->document;
	char *name = NULL;
	int rc = 0;

	if (!doc || it->category != ITEM_CATEGORY_DOCUMENT)
		return sesame_error_set(SESAME_EINVAL, "not_a_document",
					"item '%s' is not a document", it->title);
	name = dup_or_null(file_name ? file_name : doc->name, &rc);
	if (rc)
		return rc;
	old = *doc;
	id_new(doc->id);
	rc = files_upload(s, v, it->id, doc->id, content, len);
	if (rc) {
		*doc = old;
		free(name);
		return rc;
	}
	doc->name = name;
	doc->size = len;
	rc = items_update(s, v, it);
	if (rc) {
		struct saved_error e;
		error_save(&e);
		files_delete_content(s, v, it->id, doc->id);
		free(doc->name);
		*doc = old;
		error_restore(&e);
		return rc;
	}
	/* The old content is no longer referenced: a failure here leaves garbage only. */
	files_delete_content(s, v, it->id, old.id);
	old.section_id = old.field_id = NULL; /* still doc's (documents have none) */
	if (old.name) {
		secmem_wipe(old.name, strlen(old.name));
		free(old.name);
	}
	sesame_error_clear();
	return 0;
}
