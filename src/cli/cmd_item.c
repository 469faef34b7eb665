/* SPDX-License-Identifier: Apache-2.0 */
/* sesame item create|get|list|edit|delete */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "client/assign.h"
#include "client/files.h"
#include "client/items.h"
#include "client/opjson.h"
#include "crypto/ids.h"
#include "crypto/secmem.h"
#include "error.h"
#include "item/item_json.h"
#include "sesame/password.h"

#define OPT_FORMAT                                                                                 \
	{                                                                                          \
		"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"            \
	}
#define OPT_VAULT                                                                                  \
	{                                                                                          \
		"vault", 0, CLI_ARG, "VAULT", "The vault, by name or id"                           \
	}

static const cli_option create_opts[] = {
	OPT_VAULT,
	{"category", 0, CLI_ARG, "CATEGORY",
	 "Item category, e.g. Login, \"API Credential\" (default Login)"},
	{"title", 0, CLI_ARG, "TITLE", "Item title"},
	{"tags", 0, CLI_ARG, "TAGS", "Comma-separated tags"},
	{"url", 0, CLI_ARG, "URL", "Website of the item"},
	{"generate-password", 0, CLI_OPTARG, "RECIPE",
	 "Generate a password: letters,digits,symbols,1-64 (default 32 of all)"},
	{"reveal", 0, CLI_NOARG, NULL, "Show concealed values in the output"},
	OPT_FORMAT,
};
static const cli_option get_opts[] = {
	OPT_VAULT,
	{"fields", 0, CLI_ARG, "LABELS", "Only these fields: label=a,b"},
	{"reveal", 0, CLI_NOARG, NULL, "Show concealed values"},
	OPT_FORMAT,
};
static const cli_option list_opts[] = {
	OPT_VAULT,
	{"include-archive", 0, CLI_NOARG, NULL, "Include archived items"},
	OPT_FORMAT,
};
static const cli_option edit_opts[] = {
	OPT_VAULT,
	{"title", 0, CLI_ARG, "TITLE", "New title"},
	{"tags", 0, CLI_ARG, "TAGS", "Replace the tags (comma-separated)"},
	{"url", 0, CLI_ARG, "URL", "Replace the website"},
	{"generate-password", 0, CLI_OPTARG, "RECIPE", "Generate a new password"},
	{"expect-version", 0, CLI_ARG, "N",
	 "Edit only if the item is still at version N (else a conflict error)"},
	{"reveal", 0, CLI_NOARG, NULL, "Show concealed values in the output"},
	OPT_FORMAT,
};
static const cli_option delete_opts[] = {
	OPT_VAULT,
	{"archive", 0, CLI_NOARG, NULL, "Move the item to the archive instead of deleting it"},
};

#define NOPTS(x) (sizeof(x) / sizeof(x)[0])

static const cli_spec create_spec = {
	"sesame item create --vault VAULT [--category C] --title TITLE [flags] "
	"[[section.]field[[type]]=value ...]",
	"Creates an item. Assignments set fields: 'username=jane', 'password=...',\n"
	"'db.port[text]=5432', 'notesPlain=...'. Escape '.', '=' and '\\' in names with\n"
	"a backslash. 'name[file]=PATH' attaches the file at PATH, named 'name'\n"
	"(encrypted here, then uploaded). Values on the command line are visible to\n"
	"other local users (ps): prefer --generate-password for passwords.",
	create_opts, NOPTS(create_opts)};
static const cli_spec get_spec = {"sesame item get NAME|ID [--vault VAULT] [flags]",
				  "Shows an item. Concealed values are hidden unless --reveal.",
				  get_opts, NOPTS(get_opts)};
static const cli_spec list_spec = {"sesame item list --vault VAULT [flags]",
				   "Lists the items of a vault (alias: ls).", list_opts,
				   NOPTS(list_opts)};
static const cli_spec edit_spec = {
	"sesame item edit NAME|ID [--vault VAULT] [flags] [assignments ...]",
	"Changes an item (assignments as for create; 'field[delete]' removes a field\n"
	"or an attached file, 'name[file]=PATH' attaches or replaces a file).\n"
	"If someone else changed it first, fails with a conflict and changes nothing.",
	edit_opts, NOPTS(edit_opts)};
static const cli_spec delete_spec = {"sesame item delete NAME|ID [--vault VAULT] [--archive]",
				     "Deletes an item, or archives it (alias: rm).", delete_opts,
				     NOPTS(delete_opts)};
static const cli_option restore_opts[] = {OPT_VAULT};
static const cli_spec restore_spec = {"sesame item restore NAME|ID [--vault VAULT]",
				      "Moves an archived item back to the vault's active items.",
				      restore_opts, NOPTS(restore_opts)};
static const cli_option template_opts[] = {OPT_FORMAT};
static const cli_spec template_spec = {
	"sesame item template list | get CATEGORY",
	"Lists the item categories, or prints the JSON template of one (op's shape:\n"
	"the category's built-in fields with their ids, types and labels).",
	template_opts, NOPTS(template_opts)};
static const cli_spec item_spec = {
	"sesame item <command> [flags]",
	"Manages the items of vaults: logins, passwords, notes and the other categories.", NULL, 0};

static int print_json_free(json_t *o)
{
	char *t = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	item_jsonv_free(o);
	if (!t)
		return cli_error("out of memory");
	puts(t);
	sodium_memzero(t, strlen(t));
	free(t);
	return CLI_EXIT_OK;
}

static bool concealed(const item_field *f)
{
	return f->type == FIELD_TYPE_CONCEALED || f->type == FIELD_TYPE_TOTP ||
	       f->type == FIELD_TYPE_SSH_KEY || f->type == FIELD_TYPE_CREDIT_CARD_NUMBER;
}

static void print_value(const item *it, const item_field *f, bool reveal)
{
	if (concealed(f) && !reveal)
		printf("[use 'sesame item get %s --reveal' to reveal]", it->id);
	else
		fputs(f->value ? f->value : "", stdout);
}

/* Spaces after "label:" so that values line up, as for fields. */
static int label_pad(const char *label)
{
	return (int)(label && strlen(label) < 11 ? 12 - strlen(label) : 1);
}

static void print_item(const item *it, const client_vault *v, bool reveal)
{
	char t[32];
	printf("ID:          %s\nTitle:       %s\nVault:       %s (%s)\n", it->id, it->title,
	       v->name, v->id);
	opjson_time(t, it->created_at);
	printf("Created:     %s\n", t);
	opjson_time(t, it->updated_at);
	printf("Updated:     %s\nVersion:     %llu\nCategory:    %s\n", t,
	       (unsigned long long)it->version, item_category_op_name(it->category));
	if (it->state == ITEM_STATE_ARCHIVED)
		puts("State:       ARCHIVED");
	if (it->ntags) {
		fputs("Tags:        ", stdout);
		for (size_t i = 0; i < it->ntags; i++)
			printf("%s%s", i ? ", " : "", it->tags[i]);
		putchar('\n');
	}
	if (it->nfields || it->notes)
		puts("Fields:");
	for (size_t i = 0; i < it->nfields; i++) {
		const item_field *f = &it->fields[i];
		if (f->section_id && *f->section_id)
			continue;
		printf("  %s:%*s", f->title ? f->title : f->id,
		       (int)(f->title && strlen(f->title) < 11 ? 12 - strlen(f->title) : 1), " ");
		print_value(it, f, reveal);
		putchar('\n');
	}
	if (it->notes)
		printf("  notesPlain:  %s\n", it->notes);
	for (size_t s = 0; s < it->nsections; s++) {
		const item_section *sec = &it->sections[s];
		printf("%s:\n", sec->title && *sec->title ? sec->title : sec->id);
		for (size_t i = 0; i < it->nfields; i++) {
			const item_field *f = &it->fields[i];
			if (!f->section_id || strcmp(f->section_id, sec->id) != 0)
				continue;
			printf("  %s:%*s", f->title ? f->title : f->id,
			       (int)(f->title && strlen(f->title) < 11 ? 12 - strlen(f->title) : 1),
			       " ");
			print_value(it, f, reveal);
			putchar('\n');
		}
	}
	if (it->nfiles || it->document) {
		puts("Files:");
		if (it->document)
			printf("  %s:%*s%llu bytes\n", it->document->name ? it->document->name : "",
			       label_pad(it->document->name), " ",
			       (unsigned long long)it->document->size);
	}
	for (size_t i = 0; i < it->nfiles; i++) {
		const item_file *f = &it->files[i];
		const item_section *sec = f->section_id && *f->section_id
						  ? item_section_by_id(it, f->section_id)
						  : NULL;
		printf("  %s:%*s%llu bytes", f->name ? f->name : f->id, label_pad(f->name), " ",
		       (unsigned long long)f->size);
		if (sec)
			printf(" (section %s)", sec->title && *sec->title ? sec->title : sec->id);
		putchar('\n');
	}
	if (it->nwebsites) {
		puts("URLs:");
		for (size_t i = 0; i < it->nwebsites; i++)
			printf("  %s%s %s\n", it->websites[i].label ? it->websites[i].label : "",
			       it->websites[i].label && *it->websites[i].label ? ":" : "website:",
			       it->websites[i].url);
	}
}

/* --vault given: that vault; else NULL (search all). */
static int load_vault(client_vault *v, session *s, const cli_args *a, bool required)
{
	const char *name = cli_get(a, "vault");
	memset(v, 0, sizeof *v);
	if (!name) {
		if (required)
			return cli_usage_error("--vault is required");
		return 0;
	}
	if (vault_find(v, s, name) != 0)
		return cli_fail(NULL);
	return 0;
}

/* Finds an item in `v` or, when v->id is empty, in every vault. */
static int find_item(item **out, client_vault *v, session *s, const char *name)
{
	client_vault *list = NULL;
	size_t n = 0, hits = 0;
	int rc;

	if (v->id[0])
		return items_find(out, s, v, name) ? cli_fail(NULL) : 0;
	if (vaults_list(&list, &n, s) != 0)
		return cli_fail(NULL);
	for (size_t i = 0; i < n; i++) {
		item *it = NULL;
		rc = items_find(&it, s, &list[i], name);
		if (rc == SESAME_ENOTFOUND)
			continue;
		if (rc) {
			item_free(*out);
			*out = NULL;
			client_vaults_free(list, n);
			return cli_fail(NULL);
		}
		if (++hits > 1) {
			item_free(it);
			break;
		}
		*out = it;
		client_vault_clear(v);
		*v = list[i];
		memset(&list[i], 0, sizeof list[i]);
	}
	client_vaults_free(list, n);
	if (hits == 1)
		return 0;
	item_free(*out);
	*out = NULL;
	if (hits == 0)
		return cli_error("item '%s' not found in any vault", name);
	return cli_error("more than one item is named '%s'; use --vault or its id", name);
}

/* The item one command acts on, with the session and the vault it is in. */
typedef struct {
	session *s;
	client_vault v;
	item *it;
} item_target;

/* Exactly one positional argument, the item's name or id. */
static int one_item_name(const cli_args *a, const char *command)
{
	if (a->npos == 1)
		return 0;
	return a->npos ? cli_usage_error("unexpected argument '%s'", a->pos[1])
		       : cli_usage_error("%s needs an item name or id", command);
}

/* The session, then --vault if given, then the item `name` (in every vault without it). */
static int target_open(item_target *t, const cli_args *a, const char *name)
{
	int rc;

	memset(t, 0, sizeof *t);
	if (cli_load_session(&t->s) != 0)
		return cli_fail(NULL);
	if ((rc = load_vault(&t->v, t->s, a, false)) != 0)
		return rc;
	return find_item(&t->it, &t->v, t->s, name);
}

static void target_close(item_target *t)
{
	item_free(t->it);
	client_vault_clear(&t->v);
	cli_session_done(t->s);
	session_free(t->s);
}

static int set_tags(item *it, const char *csv)
{
	for (size_t i = 0; i < it->ntags; i++)
		free(it->tags[i]);
	free(it->tags);
	it->tags = NULL;
	it->ntags = 0;
	const char *p = csv;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			char **nt = realloc(it->tags, (it->ntags + 1) * sizeof *nt);
			if (!nt)
				return cli_error("out of memory");
			it->tags = nt;
			nt[it->ntags] = strndup(p, len);
			if (!nt[it->ntags])
				return cli_error("out of memory");
			it->ntags++;
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int set_url(item *it, const char *url)
{
	for (size_t i = 0; i < it->nwebsites; i++) {
		free(it->websites[i].url);
		free(it->websites[i].label);
	}
	free(it->websites);
	it->websites = calloc(1, sizeof *it->websites);
	it->nwebsites = 0;
	if (!it->websites || !(it->websites[0].url = strdup(url)))
		return cli_error("out of memory");
	it->nwebsites = 1;
	return 0;
}

static int generate_password(item *it, const cli_args *a)
{
	sesame_password_recipe r;
	char pw[SESAME_PASSWORD_MAX_SIZE];
	int rc;

	if (!cli_has(a, "generate-password"))
		return 0;
	if (sesame_password_recipe_parse(&r, cli_get(a, "generate-password")) != 0)
		return cli_fail(NULL);
	if (sesame_password_generate(pw, sizeof pw, &r, NULL) != 0)
		return cli_fail(NULL);
	rc = item_set_field(it, NULL, "password", NULL, pw) ? cli_fail(NULL) : 0;
	sodium_memzero(pw, sizeof pw);
	return rc;
}

/*
 * The files of one command's [file] and [delete] assignments: contents
 * read and waiting for upload (listed in the item already), and stored
 * contents to delete once the item no longer lists them.
 */
struct pending_file {
	char id[ID_SIZE];
	char *name;		/* the attachment's name, for messages */
	unsigned char *content; /* secure memory */
	size_t len;
	bool uploaded;
};

struct file_changes {
	struct pending_file add[CLI_MAX_POS];
	size_t nadd;
	char gone[CLI_MAX_POS][ID_SIZE];
	size_t ngone;
};

static void file_changes_clear(struct file_changes *fc)
{
	for (size_t i = 0; i < fc->nadd; i++) {
		secmem_free(fc->add[i].content);
		free(fc->add[i].name);
	}
	memset(fc, 0, sizeof *fc);
}

/* A file the item stops listing: a pending one is dropped, a stored one deleted later. */
static void file_gone(struct file_changes *fc, const char *id)
{
	if (!*id)
		return;
	for (size_t i = 0; i < fc->nadd; i++) {
		if (strcmp(fc->add[i].id, id) != 0)
			continue;
		secmem_free(fc->add[i].content);
		free(fc->add[i].name);
		memmove(&fc->add[i], &fc->add[i + 1], (fc->nadd - i - 1) * sizeof fc->add[0]);
		fc->nadd--;
		return;
	}
	if (fc->ngone < CLI_MAX_POS)
		snprintf(fc->gone[fc->ngone++], ID_SIZE, "%s", id);
}

/* A [file] assignment: reads the file and lists it in the item under a new id. */
static int add_attachment(item *it, const assignment *as, struct file_changes *fc)
{
	struct pending_file *p;
	char replaced[ITEM_ID_LEN + 1];
	int rc;

	if (fc->nadd >= CLI_MAX_POS)
		return cli_usage_error("too many files");
	p = &fc->add[fc->nadd];
	memset(p, 0, sizeof *p);
	if ((rc = cli_read_secure_file(&p->content, &p->len, as->value, FILES_MAX, false)) != 0)
		return rc;
	id_new(p->id);
	p->name = strdup(as->field);
	if (!p->name) {
		secmem_free(p->content);
		return cli_error("out of memory");
	}
	if (assignment_add_file(it, as, p->id, p->len, replaced) != 0) {
		secmem_free(p->content);
		free(p->name);
		memset(p, 0, sizeof *p);
		return cli_fail(NULL);
	}
	fc->nadd++;
	file_gone(fc, replaced);
	return 0;
}

/* Uploads the pending contents (the item must exist). Prints the error. */
static int upload_files(session *s, const client_vault *v, const item *it, struct file_changes *fc)
{
	for (size_t i = 0; i < fc->nadd; i++) {
		struct pending_file *p = &fc->add[i];
		if (files_upload(s, v, it->id, p->id, p->content, p->len) != 0) {
			char what[300];
			snprintf(what, sizeof what, "cannot attach file '%s'", p->name);
			return cli_fail(what);
		}
		p->uploaded = true;
		secmem_free(p->content);
		p->content = NULL;
	}
	return 0;
}

/* After a failure: deletes what upload_files() stored (best effort, the error kept). */
static void unupload_files(session *s, const client_vault *v, const item *it,
			   struct file_changes *fc)
{
	for (size_t i = 0; i < fc->nadd; i++)
		if (fc->add[i].uploaded)
			files_delete_content(s, v, it->id, fc->add[i].id);
}

/* Applies --title/--tags/--url/--generate-password and the assignments (pos[from..]). */
static int apply_changes(item *it, const cli_args *a, int from, struct file_changes *fc)
{
	int rc;
	if (cli_get(a, "title")) {
		char *t = strdup(cli_get(a, "title"));
		if (!t)
			return cli_error("out of memory");
		free(it->title);
		it->title = t;
	}
	if (cli_get(a, "tags") && (rc = set_tags(it, cli_get(a, "tags"))) != 0)
		return rc;
	if (cli_get(a, "url") && (rc = set_url(it, cli_get(a, "url"))) != 0)
		return rc;
	if ((rc = generate_password(it, a)) != 0)
		return rc;
	for (int i = from; i < a->npos; i++) {
		assignment as;
		char removed[ITEM_ID_LEN + 1];
		if (assignment_parse(&as, a->pos[i]) != 0)
			return cli_usage_error("%s", sesame_error_last()->message);
		if (assignment_is_file(&as)) {
			rc = add_attachment(it, &as, fc);
			assignment_clear(&as);
			if (rc)
				return rc;
			continue;
		}
		rc = assignment_apply_ex(it, &as, removed);
		assignment_clear(&as);
		if (rc)
			return cli_fail(NULL);
		file_gone(fc, removed);
	}
	return 0;
}

static int item_output(const item *it, const client_vault *v, bool json, bool reveal,
		       const char *edited_by)
{
	if (json)
		return print_json_free(opjson_item(it, v->name, edited_by));
	print_item(it, v, reveal);
	return CLI_EXIT_OK;
}

static int item_create_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	item *it = NULL;
	struct file_changes *fc = NULL;
	bool json;
	int rc = cli_parse(&a, &create_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (!cli_get(&a, "title"))
		return cli_usage_error("item create needs --title");
	if (!cli_get(&a, "vault"))
		return cli_usage_error("item create needs --vault");
	memset(&v, 0, sizeof v);
	it = item_new();
	fc = calloc(1, sizeof *fc);
	if (!it || !fc) {
		rc = cli_error("out of memory");
		goto out;
	}
	if (cli_get(&a, "category") &&
	    item_category_parse(&it->category, cli_get(&a, "category"))) {
		rc = cli_usage_error("%s", sesame_error_last()->message);
		goto out;
	}
	if ((rc = apply_changes(it, &a, 0, fc)) != 0)
		goto out;
	if (cli_load_session(&s) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	if ((rc = load_vault(&v, s, &a, true)) != 0)
		goto out;
	/* Version 1 lists the files; their contents follow, or the item goes again. */
	if (items_create(s, &v, it) != 0) {
		rc = cli_fail("cannot create the item");
		goto out;
	}
	if ((rc = upload_files(s, &v, it, fc)) != 0) {
		items_delete(s, &v, it->id); /* deletes the contents uploaded too */
		goto out;
	}
	rc = item_output(it, &v, json, cli_has(&a, "reveal"), s->me.id);
out:
	if (fc)
		file_changes_clear(fc);
	free(fc);
	client_vault_clear(&v);
	item_free(it);
	cli_session_done(s);
	session_free(s);
	return rc;
}

/* The next label of a "label=a,b" / "a,b" spec; *len 0 at the end. */
static const char *next_label(const char *p, size_t *len)
{
	while (*p == ',')
		p++;
	if (strncmp(p, "label=", 6) == 0)
		p += 6;
	const char *e = strchr(p, ',');
	*len = e ? (size_t)(e - p) : strlen(p);
	return p;
}

static const item_field *field_by_label(const item *it, const item_field *notes, const char *l,
					size_t len)
{
	for (size_t i = 0; i <= it->nfields; i++) {
		const item_field *f = i < it->nfields ? &it->fields[i] : notes;
		if (!f)
			break;
		if ((f->title && strlen(f->title) == len && strncasecmp(f->title, l, len) == 0) ||
		    (strlen(f->id) == len && strncasecmp(f->id, l, len) == 0))
			return f;
	}
	return NULL;
}

/* Prints the fields a --fields spec names, in its order (op's behaviour). */
static int print_fields(const item *it, const client_vault *v, const char *spec, bool json,
			bool reveal)
{
	json_t *arr = json_array();
	size_t n = 0, len;
	item_field notes = {.id = "notesPlain",
			    .title = "notesPlain",
			    .type = FIELD_TYPE_TEXT,
			    .purpose = FIELD_PURPOSE_NOTES,
			    .value = it->notes ? it->notes : ""};
	const item_field *np = opjson_has_notes_field(it) ? &notes : NULL;

	if (!arr)
		return cli_error("out of memory");
	for (const char *p = next_label(spec, &len); len; p = next_label(p + len, &len)) {
		const item_field *f = field_by_label(it, np, p, len);
		if (!f) {
			item_jsonv_free(arr);
			return cli_error("item '%s' has no field '%.*s'", it->title, (int)len, p);
		}
		if (json) {
			json_array_append_new(arr, opjson_field(it, f, v->name));
		} else {
			if (n)
				putchar(',');
			print_value(it, f, reveal);
		}
		n++;
	}
	if (n == 0) {
		item_jsonv_free(arr);
		return cli_usage_error("--fields names no field");
	}
	if (!json) {
		putchar('\n');
		item_jsonv_free(arr);
		return CLI_EXIT_OK;
	}
	if (n == 1) {
		json_t *one = json_incref(json_array_get(arr, 0));
		item_jsonv_free(arr);
		return print_json_free(one);
	}
	return print_json_free(arr);
}

static int item_get_cmd(int argc, char **argv)
{
	cli_args a;
	item_target t;
	bool json;
	int rc = cli_parse(&a, &get_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if ((rc = one_item_name(&a, "item get")) != 0)
		return rc;
	if ((rc = target_open(&t, &a, a.pos[0])) != 0)
		goto out;
	if (cli_get(&a, "fields"))
		rc = print_fields(t.it, &t.v, cli_get(&a, "fields"), json, cli_has(&a, "reveal"));
	else
		rc = item_output(t.it, &t.v, json, cli_has(&a, "reveal"), NULL);
out:
	target_close(&t);
	return rc;
}

static int item_list_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault *vs = NULL;
	size_t nv = 0;
	bool json;
	json_t *arr = NULL;
	int rc = cli_parse(&a, &list_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if (cli_load_session(&s) != 0)
		return cli_fail(NULL);
	if (cli_get(&a, "vault")) {
		vs = calloc(1, sizeof *vs);
		if (!vs) {
			rc = cli_error("out of memory");
			goto out;
		}
		if (vault_find(vs, s, cli_get(&a, "vault")) != 0) {
			rc = cli_fail(NULL);
			goto out;
		}
		nv = 1;
	} else if (vaults_list(&vs, &nv, s) != 0) {
		rc = cli_fail(NULL);
		goto out;
	}
	arr = json_array();
	if (!json)
		printf("%-28s%-32s%-20s%s\n", "ID", "TITLE", "VAULT", "EDITED");
	for (size_t k = 0; k < nv; k++) {
		item **list = NULL;
		size_t n = 0;
		if (items_list(&list, &n, s, &vs[k],
			       cli_has(&a, "include-archive") ? ITEMS_ALL : ITEMS_ACTIVE) != 0) {
			rc = cli_fail("cannot list items");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			char t[32];
			if (json) {
				json_array_append_new(arr,
						      opjson_item_overview(list[i], vs[k].name));
				continue;
			}
			opjson_time(t, list[i]->updated_at);
			printf("%-28s%-32s%-20s%s\n", list[i]->id, list[i]->title, vs[k].name, t);
		}
		items_list_free(list, n);
	}
	if (json) {
		rc = print_json_free(arr);
		arr = NULL;
	} else {
		rc = CLI_EXIT_OK;
	}
out:
	item_jsonv_free(arr);
	client_vaults_free(vs, nv ? nv : (vs ? 1 : 0));
	cli_session_done(s);
	session_free(s);
	return rc;
}

static int item_edit_cmd(int argc, char **argv)
{
	cli_args a;
	item_target t;
	session *s;
	client_vault *v;
	item *it;
	struct file_changes *fc = NULL;
	bool json;
	long long expect = -1;
	int rc = cli_parse(&a, &edit_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos < 1)
		return cli_usage_error("item edit needs an item name or id");
	if (cli_get(&a, "expect-version")) {
		char *end;
		expect = strtoll(cli_get(&a, "expect-version"), &end, 10);
		if (*end || expect < 1)
			return cli_usage_error("--expect-version takes a version number, not '%s'",
					       cli_get(&a, "expect-version"));
	}
	fc = calloc(1, sizeof *fc);
	if (!fc)
		return cli_error("out of memory");
	if ((rc = target_open(&t, &a, a.pos[0])) != 0 || (rc = apply_changes(t.it, &a, 1, fc)) != 0)
		goto out;
	s = t.s;
	v = &t.v;
	it = t.it;
	if (expect > 0)
		it->version = (uint64_t)expect;
	/* New contents first, then the version listing them, then the old contents go. */
	if ((rc = upload_files(s, v, it, fc)) != 0) {
		unupload_files(s, v, it, fc);
		goto out;
	}
	if (items_update(s, v, it) != 0) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", sesame_error_last()->message);
		unupload_files(s, v, it, fc);
		rc = cli_error("cannot edit the item: %s", msg);
		goto out;
	}
	/* No longer listed: a failure here leaves unreachable ciphertext only. */
	for (size_t i = 0; i < fc->ngone; i++)
		files_delete_content(s, v, it->id, fc->gone[i]);
	sesame_error_clear();
	rc = json ? item_output(it, v, true, true, s->me.id) : CLI_EXIT_OK;
out:
	file_changes_clear(fc);
	free(fc);
	target_close(&t);
	return rc;
}

static int item_delete_cmd(int argc, char **argv)
{
	cli_args a;
	item_target t;
	int rc = cli_parse(&a, &delete_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = one_item_name(&a, "item delete")) != 0)
		return rc;
	if ((rc = target_open(&t, &a, a.pos[0])) != 0)
		goto out;
	if (cli_has(&a, "archive"))
		rc = items_archive(t.s, &t.v, t.it->id) ? cli_fail("cannot archive the item") : 0;
	else
		rc = items_delete(t.s, &t.v, t.it->id) ? cli_fail("cannot delete the item") : 0;
out:
	target_close(&t);
	return rc;
}

static int item_restore_cmd(int argc, char **argv)
{
	cli_args a;
	item_target t;
	int rc = cli_parse(&a, &restore_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = one_item_name(&a, "item restore")) != 0)
		return rc;
	if ((rc = target_open(&t, &a, a.pos[0])) == 0)
		rc = items_restore(t.s, &t.v, t.it->id) ? cli_fail("cannot restore the item") : 0;
	target_close(&t);
	return rc;
}

/*
 * op's item templates: the built-in fields of each category (id, op type,
 * purpose, label). Categories not listed have only the notes field.
 */
struct tmpl_field {
	const char *id, *type, *purpose, *label;
};
static const struct tmpl_field tf_notes = {"notesPlain", "STRING", "NOTES", "notesPlain"};
static const struct {
	item_category category;
	struct tmpl_field fields[10];
} templates[] = {
	{ITEM_CATEGORY_LOGIN,
	 {{"username", "STRING", "USERNAME", "username"},
	  {"password", "CONCEALED", "PASSWORD", "password"}}},
	{ITEM_CATEGORY_PASSWORD, {{"password", "CONCEALED", "PASSWORD", "password"}}},
	{ITEM_CATEGORY_DATABASE,
	 {{"database_type", "MENU", NULL, "type"},
	  {"hostname", "STRING", NULL, "server"},
	  {"port", "STRING", NULL, "port"},
	  {"database", "STRING", NULL, "database"},
	  {"username", "STRING", NULL, "username"},
	  {"password", "CONCEALED", NULL, "password"},
	  {"sid", "STRING", NULL, "SID"},
	  {"alias", "STRING", NULL, "alias"},
	  {"options", "STRING", NULL, "connection options"}}},
	{ITEM_CATEGORY_API_CREDENTIALS,
	 {{"username", "STRING", NULL, "username"},
	  {"credential", "CONCEALED", NULL, "credential"},
	  {"type", "MENU", NULL, "type"},
	  {"filename", "STRING", NULL, "filename"},
	  {"validFrom", "DATE", NULL, "valid from"},
	  {"expires", "DATE", NULL, "expires"},
	  {"hostname", "STRING", NULL, "hostname"}}},
	{ITEM_CATEGORY_SERVER,
	 {{"url", "STRING", NULL, "URL"},
	  {"username", "STRING", NULL, "username"},
	  {"password", "CONCEALED", NULL, "password"}}},
	{ITEM_CATEGORY_SSH_KEY, {{"private_key", "SSHKEY", NULL, "private key"}}},
	{ITEM_CATEGORY_CREDIT_CARD,
	 {{"cardholder", "STRING", NULL, "cardholder name"},
	  {"type", "CREDIT_CARD_TYPE", NULL, "type"},
	  {"ccnum", "CREDIT_CARD_NUMBER", NULL, "number"},
	  {"cvv", "CONCEALED", NULL, "verification number"},
	  {"expiry", "MONTH_YEAR", NULL, "expiry date"},
	  {"validFrom", "MONTH_YEAR", NULL, "valid from"}}},
	{ITEM_CATEGORY_EMAIL,
	 {{"pop_type", "MENU", NULL, "type"},
	  {"pop_username", "STRING", NULL, "username"},
	  {"pop_server", "STRING", NULL, "server"},
	  {"pop_port", "STRING", NULL, "port number"},
	  {"pop_password", "CONCEALED", NULL, "password"}}},
	{ITEM_CATEGORY_ROUTER,
	 {{"name", "STRING", NULL, "base station name"},
	  {"password", "CONCEALED", NULL, "base station password"},
	  {"server", "STRING", NULL, "server / IP address"},
	  {"network_name", "STRING", NULL, "network name"},
	  {"wireless_security", "MENU", NULL, "wireless security"},
	  {"wireless_password", "CONCEALED", NULL, "wireless network password"}}},
	{ITEM_CATEGORY_SOFTWARE_LICENSE,
	 {{"product_version", "STRING", NULL, "version"},
	  {"reg_code", "STRING", NULL, "license key"}}},
	{ITEM_CATEGORY_BANK_ACCOUNT,
	 {{"bankName", "STRING", NULL, "bank name"},
	  {"owner", "STRING", NULL, "name on account"},
	  {"accountType", "MENU", NULL, "type"},
	  {"routingNo", "STRING", NULL, "routing number"},
	  {"accountNo", "STRING", NULL, "account number"},
	  {"swift", "STRING", NULL, "SWIFT"},
	  {"iban", "STRING", NULL, "IBAN"},
	  {"telephonePin", "CONCEALED", NULL, "PIN"}}},
};

static json_t *template_json(item_category c)
{
	json_t *fields = json_array();
	json_t *o = json_pack("{s:s,s:s,s:o}", "title", "", "category", item_category_op_name(c),
			      "fields", fields);
	const struct tmpl_field *list = NULL;

	if (!o)
		return NULL;
	for (size_t i = 0; i < NOPTS(templates); i++)
		if (templates[i].category == c)
			list = templates[i].fields;
	for (size_t i = 0; list && i < 10 && list[i].id; i++) {
		json_t *f = json_pack("{s:s,s:s,s:s,s:s}", "id", list[i].id, "type", list[i].type,
				      "label", list[i].label, "value", "");
		if (f && list[i].purpose)
			json_object_set_new(f, "purpose", json_string(list[i].purpose));
		json_array_append_new(fields, f);
	}
	json_array_append_new(fields, json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", tf_notes.id, "type",
						tf_notes.type, "purpose", tf_notes.purpose, "label",
						tf_notes.label, "value", ""));
	return o;
}

static int item_template_cmd(int argc, char **argv)
{
	cli_args a;
	bool json;
	item_category c;
	int rc = cli_parse(&a, &template_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos == 1 && (strcmp(a.pos[0], "list") == 0 || strcmp(a.pos[0], "ls") == 0)) {
		json_t *arr = json ? json_array() : NULL;
		if (!json)
			puts("NAME");
		for (int i = 0; i < ITEM_CATEGORY_UNSUPPORTED; i++) {
			if (json)
				json_array_append_new(
					arr, json_pack("{s:s,s:s}", "name",
						       item_category_human_name((item_category)i),
						       "category",
						       item_category_op_name((item_category)i)));
			else
				puts(item_category_human_name((item_category)i));
		}
		return json ? print_json_free(arr) : CLI_EXIT_OK;
	}
	if (a.npos != 2 || strcmp(a.pos[0], "get") != 0)
		return cli_usage_error("usage: sesame item template list | get CATEGORY");
	if (item_category_parse(&c, a.pos[1]) != 0 || c == ITEM_CATEGORY_UNSUPPORTED)
		return cli_error("unknown category '%s'; run 'sesame item template list'",
				 a.pos[1]);
	return print_json_free(template_json(c));
}

static const cli_node item_subs[] = {
	{"create", NULL, "Create an item", item_create_cmd, &create_spec, NULL},
	{"get", NULL, "Show an item", item_get_cmd, &get_spec, NULL},
	{"list", "ls", "List items", item_list_cmd, &list_spec, NULL},
	{"edit", NULL, "Change an item", item_edit_cmd, &edit_spec, NULL},
	{"delete", "rm remove", "Delete or archive an item", item_delete_cmd, &delete_spec, NULL},
	{"restore", NULL, "Restore an archived item", item_restore_cmd, &restore_spec, NULL},
	{"template", NULL, "List categories or print a template", item_template_cmd, &template_spec,
	 NULL},
};

const cli_tree cli_tree_item = {&item_spec, item_subs, NOPTS(item_subs)};

int cmd_item(int argc, char **argv)
{
	return cli_dispatch(&cli_tree_item, "item", argc, argv);
}
