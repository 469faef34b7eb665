/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret reference resolution: vault, item, section(s), field or file,
 * attribute. The rules and their sources are in resolve.h and
 * docs/internals/reference.md. No I/O here: file content comes through
 * the caller's callback.
 *
 * Secrets: the resolved value lives only in the result's secure buffer;
 * intermediate secrets (TOTP code, OpenSSH private key) are wiped. Error
 * messages quote the reference's parts, never a value.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "error.h"
#include "otp/totp.h"
#include "reference/resolve.h"
#include "ssh/ssh_key.h"
#include "text.h"

#define NOTES_ID    "notesPlain"
#define NOTES_TITLE "notes"

/* ---- matching ---- */

static unsigned char ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

bool ref_name_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	for (;; a++, b++) {
		unsigned char x = ascii_lower((unsigned char)*a),
		              y = ascii_lower((unsigned char)*b);
		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
}

/*
 * What a part matched. Vaults and items use only `index`; within an item
 * `kind` says whether it is a field, the notes, a file...
 */
enum target_kind {
	T_FIELD,          /* it->fields[i] */
	T_NOTES,          /* it->notes, as the field "notesPlain" */
	T_FILE,           /* it->files[i] */
	T_DOCUMENT,       /* it->document */
	T_SSH_PUBLIC_KEY, /* derived from the SSH key field it->fields[i] */
	T_SSH_FINGERPRINT,
	T_SSH_KEY_TYPE,
};

struct target {
	enum target_kind kind;
	size_t index;
};

/*
 * Tally of the candidates that matched one part. `first` is the only match
 * when count == 1; `by_id` the only id match when nid == 1; `dflt` the
 * only match in the default section when ndflt == 1.
 */
struct tally {
	size_t count, nid, ndflt;
	struct target first, by_id, dflt;
};

static void tally_add(struct tally *t, enum target_kind kind, size_t idx, bool id_match,
                      bool in_default)
{
	struct target c = {kind, idx};
	if (t->count++ == 0)
		t->first = c;
	if (id_match && t->nid++ == 0)
		t->by_id = c;
	if (in_default && t->ndflt++ == 0)
		t->dflt = c;
}

/* Applies "one match wins, else the only id match wins". */
static bool tally_pick(const struct tally *t, struct target *out)
{
	if (t->count == 1) {
		*out = t->first;
		return true;
	}
	if (t->nid == 1) {
		*out = t->by_id;
		return true;
	}
	return false;
}

/* Matches `part` against an id and a title; returns whether, and how. */
static bool matches(const char *part, const char *id, const char *title, bool *by_id)
{
	*by_id = id && id[0] && ref_name_equal(part, id);
	return *by_id || (title && title[0] && ref_name_equal(part, title));
}

int ref_resolve_vault(size_t *out_index, const sesame_reference *ref, const ref_vault *vaults,
                      size_t nvaults)
{
	const char *part = sesame_reference_vault(ref);
	struct tally t = {0};
	struct target pick;
	bool by_id;

	if (!out_index || !part || (nvaults && !vaults))
		return sesame_error_set(SESAME_EINVAL, NULL,
		                        "invalid argument to ref_resolve_vault");
	for (size_t i = 0; i < nvaults; i++)
		if (matches(part, vaults[i].id, vaults[i].title, &by_id))
			tally_add(&t, T_FIELD, i, by_id, false);
	if (t.count == 0)
		return sesame_error_set(SESAME_ENOTFOUND, "vault_not_found",
		                        "no vault matched the secret reference query '%s'", part);
	if (!tally_pick(&t, &pick))
		return sesame_error_set(SESAME_EAMBIGUOUS, "too_many_vaults",
		                        "more than one vault matched the secret reference query "
		                        "'%s'; use the vault id",
		                        part);
	*out_index = pick.index;
	return 0;
}

int ref_resolve_item(size_t *out_index, const sesame_reference *ref, const char *vault_id,
                     const item *const *items, size_t nitems)
{
	const char *part = sesame_reference_item(ref);
	struct tally t = {0};
	struct target pick;
	bool by_id;

	if (!out_index || !part || (nitems && !items))
		return sesame_error_set(SESAME_EINVAL, NULL,
		                        "invalid argument to ref_resolve_item");
	for (size_t i = 0; i < nitems; i++) {
		const item *it = items[i];
		if (!it || it->state == ITEM_STATE_ARCHIVED)
			continue;
		if (vault_id && strcmp(it->vault_id, vault_id) != 0)
			continue;
		if (matches(part, it->id, it->title, &by_id))
			tally_add(&t, T_FIELD, i, by_id, false);
	}
	if (t.count == 0)
		return sesame_error_set(SESAME_ENOTFOUND, "item_not_found",
		                        "no item matched the secret reference query '%s'", part);
	if (!tally_pick(&t, &pick))
		return sesame_error_set(SESAME_EAMBIGUOUS, "too_many_items",
		                        "more than one item matched the secret reference query "
		                        "'%s'; use the item id",
		                        part);
	*out_index = pick.index;
	return 0;
}

/* ---- the target within an item ---- */

static const struct {
	const char *id, *title;
	enum target_kind kind;
} ssh_pseudo[] = {
    {"public_key", "public key", T_SSH_PUBLIC_KEY},
    {"fingerprint", "fingerprint", T_SSH_FINGERPRINT},
    {"key_type", "key type", T_SSH_KEY_TYPE},
};

static const char *sec_of(const char *section_id)
{
	return section_id ? section_id : "";
}

/* The sections the reference's section part selects (NULL part: all). */
struct scope {
	const item *it;
	const char *part;     /* NULL: no section part */
	const bool *selected; /* per it->sections[i] */
};

static bool in_scope(const struct scope *s, const char *section_id)
{
	if (!s->part)
		return true;
	const char *sid = sec_of(section_id);
	for (size_t i = 0; i < s->it->nsections; i++)
		if (s->selected[i] && strcmp(sec_of(s->it->sections[i].id), sid) == 0)
			return true;
	return false;
}

static int find_target(struct target *out, const sesame_reference *ref, const item *it)
{
	const char *part = sesame_reference_field(ref);
	struct scope sc = {it, sesame_reference_section(ref), NULL};
	bool *selected = NULL;
	struct tally t = {0};
	bool by_id;

	if (sc.part) {
		size_t nsel = 0;
		selected = calloc(it->nsections ? it->nsections : 1, sizeof *selected);
		if (!selected)
			return sesame_error_nomem();
		for (size_t i = 0; i < it->nsections; i++) {
			selected[i] =
			    matches(sc.part, it->sections[i].id, it->sections[i].title, &by_id);
			nsel += selected[i];
		}
		if (nsel == 0) {
			free(selected);
			return sesame_error_set(SESAME_ENOTFOUND, "no_matching_sections",
			                        "no section matched the secret reference query "
			                        "'%s'",
			                        sc.part);
		}
		sc.selected = selected;
	}

	/* Tier 1: fields, the notes, files and the document. */
	for (size_t i = 0; i < it->nfields; i++) {
		const item_field *f = &it->fields[i];
		if (in_scope(&sc, f->section_id) && matches(part, f->id, f->title, &by_id))
			tally_add(&t, T_FIELD, i, by_id, sec_of(f->section_id)[0] == 0);
	}
	if (!item_field_by_id(it, NOTES_ID) && in_scope(&sc, "") &&
	    matches(part, NOTES_ID, NOTES_TITLE, &by_id))
		tally_add(&t, T_NOTES, 0, by_id, true);
	for (size_t i = 0; i < it->nfiles; i++) {
		const item_file *f = &it->files[i];
		if (in_scope(&sc, f->section_id) && matches(part, f->id, f->name, &by_id))
			tally_add(&t, T_FILE, i, by_id, sec_of(f->section_id)[0] == 0);
	}
	if (it->document && in_scope(&sc, "") &&
	    matches(part, it->document->id, it->document->name, &by_id))
		tally_add(&t, T_DOCUMENT, 0, by_id, true);

	/* Tier 2, only when nothing real matched: an SSH key's derived fields. */
	if (t.count == 0) {
		for (size_t i = 0; i < it->nfields; i++) {
			const item_field *f = &it->fields[i];
			if (f->type != FIELD_TYPE_SSH_KEY || !in_scope(&sc, f->section_id))
				continue;
			for (size_t k = 0; k < sizeof ssh_pseudo / sizeof ssh_pseudo[0]; k++)
				if (matches(part, ssh_pseudo[k].id, ssh_pseudo[k].title, &by_id))
					tally_add(&t, ssh_pseudo[k].kind, i, by_id,
					          sec_of(f->section_id)[0] == 0);
		}
	}
	free(selected);

	if (t.count == 0)
		return sesame_error_set(SESAME_ENOTFOUND, "field_not_found",
		                        "no field matched the secret reference query '%s'", part);
	if (!tally_pick(&t, out)) {
		/* Without a section part, a default-section field wins. */
		if (sc.part || t.ndflt != 1)
			return sesame_error_set(SESAME_EAMBIGUOUS, "too_many_matching_fields",
			                        "more than one field matched the secret reference "
			                        "query '%s'; use the field id",
			                        part);
		*out = t.dflt;
	}
	return 0;
}

/* ---- producing the value ---- */

static int put(ref_result *r, const char *s, size_t n)
{
	size_t max = r->value.max;
	int rc = sbuf_add(&r->value, s, n);
	if (rc == SESAME_ETOOBIG)
		return sesame_error_set(SESAME_ETOOBIG, "value_too_big",
		                        "the resolved value is larger than %zu bytes", max);
	if (rc)
		return sesame_error_nomem();
	return 0;
}

static int puts_(ref_result *r, const char *s)
{
	return put(r, s ? s : "", s ? strlen(s) : 0);
}

static int put_lower(ref_result *r, const char *s)
{
	char buf[64];
	size_t n = 0;
	for (; s[n] && n < sizeof buf; n++)
		buf[n] = (char)ascii_lower((unsigned char)s[n]);
	return put(r, buf, n);
}

/*
 * Re-sets the error a module left, under a reference kind:
 * "<context>: <module's message>". ENOMEM passes through unchanged.
 */
static int rewrap(int rc, const char *kind, const char *context, const char *part)
{
	char inner[512] = "";
	if (rc == SESAME_ENOMEM)
		return rc;
	const sesame_error *e = sesame_error_last();
	if (e->code != SESAME_OK)
		text_copy(inner, sizeof inner, e->message);
	if (inner[0])
		return sesame_error_set(rc, kind, "%s '%s': %s", context, part, inner);
	return sesame_error_set(rc, kind, "%s '%s'", context, part);
}

static const char *purpose_name(field_purpose p)
{
	switch (p) {
	case FIELD_PURPOSE_USERNAME:
		return "USERNAME";
	case FIELD_PURPOSE_PASSWORD:
		return "PASSWORD";
	case FIELD_PURPOSE_NOTES:
		return "NOTES";
	default:
		return "";
	}
}

static int not_totp(const char *part)
{
	return sesame_error_set(SESAME_EINVAL, "incompatible_totp_query_parameter_field",
	                        "cannot use attribute 'otp' on field '%s': it is not a one-time "
	                        "password field",
	                        part);
}

static int not_ssh(const char *part)
{
	return sesame_error_set(SESAME_EINVAL, "incompatible_ssh_key_query_parameter_field",
	                        "cannot use query parameter 'ssh-format' on field '%s': it is not "
	                        "an SSH private key",
	                        part);
}

static int file_only(sesame_reference_attr a, const char *part)
{
	return sesame_error_set(SESAME_EINVAL, "incompatible_attribute",
	                        "cannot use attribute '%s' on field '%s': it applies to file "
	                        "attachments only",
	                        sesame_reference_attr_name(a), part);
}

/* Checks that hold for every field-like target; 0 means "go on". */
static int field_attr_check(const sesame_reference *ref, bool totp, bool ssh_key)
{
	const char *part = sesame_reference_field(ref);
	sesame_reference_attr a = sesame_reference_attribute(ref);
	if (a == SESAME_REFERENCE_ATTR_CONTENT || a == SESAME_REFERENCE_ATTR_SIZE ||
	    a == SESAME_REFERENCE_ATTR_NAME)
		return file_only(a, part);
	if (a == SESAME_REFERENCE_ATTR_OTP && !totp)
		return not_totp(part);
	if (sesame_reference_ssh_format_openssh(ref) && !ssh_key)
		return not_ssh(part);
	return 0;
}

static int totp_value(ref_result *r, const char *value, const char *part, int64_t now)
{
	char code[TOTP_CODE_MAX];
	sesame_error_clear();
	int rc = totp_code_from_value(code, value ? value : "", now);
	if (rc) {
		sodium_memzero(code, sizeof code);
		return rewrap(rc, "unable_to_generate_totp_code",
		              "cannot generate a one-time password from field", part);
	}
	rc = puts_(r, code);
	sodium_memzero(code, sizeof code);
	return rc;
}

static int field_value(ref_result *r, const sesame_reference *ref, const item_field *f,
                       const ref_options *o)
{
	const char *part = sesame_reference_field(ref);
	int rc = field_attr_check(ref, f->type == FIELD_TYPE_TOTP, f->type == FIELD_TYPE_SSH_KEY);
	if (rc)
		return rc;
	switch (sesame_reference_attribute(ref)) {
	case SESAME_REFERENCE_ATTR_TYPE:
		return put_lower(r, field_type_op_name(f->type));
	case SESAME_REFERENCE_ATTR_ID:
		return puts_(r, f->id);
	case SESAME_REFERENCE_ATTR_PURPOSE:
		return puts_(r, purpose_name(f->purpose));
	case SESAME_REFERENCE_ATTR_OTP:
		return totp_value(r, f->value, part, o->now);
	default:
		break;
	}
	if (!sesame_reference_ssh_format_openssh(ref))
		return puts_(r, f->value);
	char *pem = NULL;
	sesame_error_clear();
	rc = ssh_key_to_openssh_private(&pem, f->value ? f->value : "", NULL);
	if (rc)
		return rewrap(rc, "unable_to_parse_private_key",
		              "cannot parse the SSH private key in field", part);
	rc = puts_(r, pem);
	ssh_key_free_secret(pem);
	return rc;
}

static int notes_value(ref_result *r, const sesame_reference *ref, const item *it)
{
	int rc = field_attr_check(ref, false, false);
	if (rc)
		return rc;
	switch (sesame_reference_attribute(ref)) {
	case SESAME_REFERENCE_ATTR_TYPE:
		return puts_(r, "string");
	case SESAME_REFERENCE_ATTR_ID:
		return puts_(r, NOTES_ID);
	case SESAME_REFERENCE_ATTR_PURPOSE:
		return puts_(r, "NOTES");
	default:
		return puts_(r, it->notes);
	}
}

static int ssh_pseudo_value(ref_result *r, const sesame_reference *ref, const item_field *key,
                            enum target_kind k)
{
	const char *part = sesame_reference_field(ref);
	const char *pem = key->value ? key->value : "";
	int rc = field_attr_check(ref, false, false);
	if (rc)
		return rc;
	switch (sesame_reference_attribute(ref)) {
	case SESAME_REFERENCE_ATTR_TYPE:
		return puts_(r, "string");
	case SESAME_REFERENCE_ATTR_ID:
		return puts_(r, ssh_pseudo[k - T_SSH_PUBLIC_KEY].id);
	case SESAME_REFERENCE_ATTR_PURPOSE:
		return puts_(r, "");
	default:
		break;
	}
	char *s = NULL;
	const char *type = NULL;
	sesame_error_clear();
	if (k == T_SSH_PUBLIC_KEY)
		rc = ssh_key_public_openssh(&s, pem, NULL);
	else if (k == T_SSH_FINGERPRINT)
		rc = ssh_key_fingerprint(&s, pem);
	else
		rc = ssh_key_type(&type, pem);
	if (rc)
		return rewrap(rc, "unable_to_parse_private_key",
		              "cannot parse the SSH private key for field", part);
	/* op shows the key type in lower case ("ed25519"). */
	rc = s ? puts_(r, s) : put_lower(r, type ? type : "");
	free(s);
	return rc;
}

static int file_value(ref_result *r, const sesame_reference *ref, const item *it,
                      const item_file *f, const ref_options *o)
{
	const char *part = sesame_reference_field(ref);
	sesame_reference_attr a = sesame_reference_attribute(ref);
	char size[24];

	if (a == SESAME_REFERENCE_ATTR_OTP)
		return not_totp(part);
	if (a == SESAME_REFERENCE_ATTR_PURPOSE)
		return sesame_error_set(SESAME_EINVAL, "incompatible_attribute",
		                        "cannot use attribute 'purpose' on file '%s': it applies "
		                        "to fields only",
		                        part);
	if (sesame_reference_ssh_format_openssh(ref))
		return not_ssh(part);
	switch (a) {
	case SESAME_REFERENCE_ATTR_TYPE:
		return puts_(r, "file");
	case SESAME_REFERENCE_ATTR_ID:
		return puts_(r, f->id);
	case SESAME_REFERENCE_ATTR_NAME:
		return puts_(r, f->name);
	case SESAME_REFERENCE_ATTR_SIZE:
		snprintf(size, sizeof size, "%" PRIu64, f->size);
		return puts_(r, size);
	default: /* value, content */
		break;
	}
	if (!o->file_content)
		return sesame_error_set(SESAME_EUNSUPPORTED, NULL,
		                        "cannot read the content of file '%s': no file source "
		                        "was given",
		                        part);
	sesame_error_clear();
	int rc = o->file_content(o->file_ctx, it, f, &r->value);
	if (rc) {
		/* A callback that forgot to set the error still gets a message. */
		if (sesame_error_last()->code != rc)
			return sesame_error_set(rc, NULL, "cannot read the content of file '%s'",
			                        part);
		return rc;
	}
	return put(r, "", 0); /* an empty file still gets a buffer */
}

void ref_result_free(ref_result *r)
{
	if (!r)
		return;
	sbuf_free(&r->value);
	free(r->field_id);
	memset(r, 0, sizeof *r);
	r->value.wiped = true;
}

static const char *target_id(const item *it, struct target t)
{
	switch (t.kind) {
	case T_FIELD:
		return it->fields[t.index].id;
	case T_NOTES:
		return NOTES_ID;
	case T_FILE:
		return it->files[t.index].id;
	case T_DOCUMENT:
		return it->document->id;
	default:
		return ssh_pseudo[t.kind - T_SSH_PUBLIC_KEY].id;
	}
}

int ref_resolve_in_item(ref_result *out, const sesame_reference *ref, const item *it,
                        const ref_options *opts)
{
	static const ref_options defaults = REF_OPTIONS_INIT;
	const ref_options *o = opts ? opts : &defaults;
	struct target t = {T_FIELD, 0};
	int rc;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, NULL,
		                        "invalid argument to ref_resolve_in_item");
	memset(out, 0, sizeof *out);
	/*
	 * Heap memory wiped on every resize and free, not sodium_malloc: a
	 * run or inject resolves one value per reference, and ten system
	 * calls per value made `run` with 100 references 2.7x `run` with 1
	 * (docs/decisions.md). Whoever keeps the value past ref_result_free()
	 * takes it with sbuf_detach(), which hands over secure memory.
	 */
	sbuf_init_wiped(&out->value,
	                 o->max_value_bytes ? o->max_value_bytes : REF_DEFAULT_MAX_VALUE_BYTES);
	if (!ref || !it)
		return sesame_error_set(SESAME_EINVAL, NULL,
		                        "invalid argument to ref_resolve_in_item");
	rc = find_target(&t, ref, it);
	if (rc)
		return rc;

	switch (t.kind) {
	case T_FIELD:
		rc = field_value(out, ref, &it->fields[t.index], o);
		break;
	case T_NOTES:
		rc = notes_value(out, ref, it);
		break;
	case T_FILE:
		rc = file_value(out, ref, it, &it->files[t.index], o);
		break;
	case T_DOCUMENT:
		rc = file_value(out, ref, it, it->document, o);
		break;
	default:
		rc = ssh_pseudo_value(out, ref, &it->fields[t.index], t.kind);
		break;
	}
	if (rc == 0) {
		const char *fid = target_id(it, t);
		out->field_id = strdup(fid ? fid : "");
		if (!out->field_id)
			rc = sesame_error_nomem();
	}
	if (rc) {
		ref_result_free(out);
		return rc;
	}
	out->target =
	    (t.kind == T_FILE || t.kind == T_DOCUMENT) ? REF_TARGET_FILE : REF_TARGET_FIELD;
	text_copy(out->vault_id, sizeof out->vault_id, it->vault_id);
	text_copy(out->item_id, sizeof out->item_id, it->id);
	return 0;
}

int ref_resolve(ref_result *out, const sesame_reference *ref, const ref_vault *vaults,
                size_t nvaults, const item *const *items, size_t nitems, const ref_options *opts)
{
	size_t vi, ii;
	int rc;

	if (!out)
		return sesame_error_set(SESAME_EINVAL, NULL, "invalid argument to ref_resolve");
	memset(out, 0, sizeof *out);
	rc = ref_resolve_vault(&vi, ref, vaults, nvaults);
	if (rc)
		return rc;
	rc = ref_resolve_item(&ii, ref, vaults[vi].id, items, nitems);
	if (rc)
		return rc;
	rc = ref_resolve_in_item(out, ref, items[ii], opts);
	if (rc)
		return rc;
	text_copy(out->vault_id, sizeof out->vault_id, vaults[vi].id ? vaults[vi].id : "");
	return 0;
}
