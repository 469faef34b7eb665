/* SPDX-License-Identifier: Apache-2.0 */
/* sesame document create|get|list|edit|delete: Document items and their files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "client/files.h"
#include "client/items.h"
#include "client/opjson.h"
#include "crypto/secmem.h"
#include "error.h"
#include "item/item_json.h"

#define OPT_VAULT                                                                                  \
	{                                                                                          \
		"vault", 0, CLI_ARG, "VAULT", "The vault, by name or id"                           \
	}
#define OPT_FORMAT                                                                                 \
	{                                                                                          \
		"format", 0, CLI_ARG, "FORMAT", "Output format: human-readable or json"            \
	}
#define NOPTS(x) (sizeof(x) / sizeof(x)[0])

static const cli_option create_opts[] = {
	OPT_VAULT,
	{"title", 0, CLI_ARG, "TITLE", "Title of the Document item (default: the file name)"},
	{"file-name", 0, CLI_ARG, "NAME", "Name of the file (default: FILE's base name)"},
	{"tags", 0, CLI_ARG, "TAGS", "Comma-separated tags"},
	OPT_FORMAT,
};
static const cli_option get_opts[] = {
	OPT_VAULT,
	{"out-file", 'o', CLI_ARG, "PATH", "Write the document to PATH instead of stdout"},
	{"file-mode", 0, CLI_ARG, "MODE", "Mode of a new --out-file (octal, default 0600)"},
	{"force", 'f', CLI_NOARG, NULL, "Overwrite an existing --out-file"},
};
static const cli_option list_opts[] = {
	OPT_VAULT,
	{"include-archive", 0, CLI_NOARG, NULL, "Include archived documents"},
	OPT_FORMAT,
};
static const cli_option edit_opts[] = {
	OPT_VAULT,
	{"title", 0, CLI_ARG, "TITLE", "New title"},
	{"file-name", 0, CLI_ARG, "NAME", "New file name (default: keep it)"},
};
static const cli_option delete_opts[] = {
	OPT_VAULT,
	{"archive", 0, CLI_NOARG, NULL, "Move the document to the archive instead of deleting it"},
};

static const cli_spec create_spec = {
	"sesame document create FILE --vault VAULT [--title T] [--file-name N] [--tags a,b]",
	"Creates a Document item holding FILE ('-' reads stdin). The content is\n"
	"encrypted on this machine; the server stores only ciphertext.",
	create_opts, NOPTS(create_opts)};
static const cli_spec get_spec = {
	"sesame document get NAME|ID --vault VAULT [--out-file PATH] [--file-mode 0600] [--force]",
	"Writes a document's content to stdout, or to --out-file.", get_opts, NOPTS(get_opts)};
static const cli_spec list_spec = {"sesame document list --vault VAULT [--format json]",
				   "Lists the Document items of a vault (alias: ls).", list_opts,
				   NOPTS(list_opts)};
static const cli_spec edit_spec = {
	"sesame document edit NAME|ID FILE --vault VAULT [--title T] [--file-name N]",
	"Replaces a document's content with FILE ('-' reads stdin).", edit_opts, NOPTS(edit_opts)};
static const cli_spec delete_spec = {
	"sesame document delete NAME|ID --vault VAULT [--archive]",
	"Deletes a document with its content, or archives it (alias: rm).", delete_opts,
	NOPTS(delete_opts)};
static const cli_spec document_spec = {
	"sesame document <command> [flags]",
	"Manages Document items: files stored encrypted, with their content.", NULL, 0};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (strcmp(path, "-") == 0)
		return "document";
	return slash && slash[1] ? slash + 1 : path;
}

static int set_tags(item *it, const char *csv)
{
	const char *p = csv;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n) {
			char **t = realloc(it->tags, (it->ntags + 1) * sizeof *t);
			if (!t)
				return cli_error("out of memory");
			it->tags = t;
			t[it->ntags] = strndup(p, n);
			if (!t[it->ntags])
				return cli_error("out of memory");
			it->ntags++;
		}
		p += n + (end ? 1 : 0);
		if (!end)
			break;
	}
	return 0;
}

/* Session, vault (required) and, when `name` is set, the Document item. */
static int open_document(session **s, client_vault *v, item **it, const cli_args *a,
			 const char *name)
{
	memset(v, 0, sizeof *v);
	*s = NULL;
	if (it)
		*it = NULL;
	if (!cli_get(a, "vault"))
		return cli_usage_error("--vault is required");
	if (cli_load_session(s) != 0)
		return cli_fail(NULL);
	if (vault_find(v, *s, cli_get(a, "vault")) != 0)
		return cli_fail(NULL);
	if (!it)
		return 0;
	if (items_find(it, *s, v, name) != 0)
		return cli_fail(NULL);
	if ((*it)->category != ITEM_CATEGORY_DOCUMENT || !(*it)->document)
		return cli_error("item '%s' is not a document", name);
	return 0;
}

static void close_document(session *s, client_vault *v, item *it)
{
	item_free(it);
	client_vault_clear(v);
	cli_session_done(s);
	session_free(s);
}

static int document_create_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	item *it = NULL;
	unsigned char *content = NULL;
	size_t len = 0;
	bool json;
	int rc = cli_parse(&a, &create_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("document create needs a FILE ('-' for stdin)");
	const char *file_name =
		cli_get(&a, "file-name") ? cli_get(&a, "file-name") : base_name(a.pos[0]);
	if (!*file_name)
		return cli_usage_error("--file-name must not be empty");
	if ((rc = open_document(&s, &v, NULL, &a, NULL)) != 0)
		goto out;
	if ((rc = cli_read_secure_file(&content, &len, a.pos[0], FILES_MAX, true)) != 0)
		goto out;
	it = item_new();
	if (!it) {
		rc = cli_error("out of memory");
		goto out;
	}
	it->title = strdup(cli_get(&a, "title") ? cli_get(&a, "title") : file_name);
	if (!it->title) {
		rc = cli_error("out of memory");
		goto out;
	}
	if (cli_get(&a, "tags") && (rc = set_tags(it, cli_get(&a, "tags"))) != 0)
		goto out;
	if (documents_create(s, &v, it, file_name, content, len) != 0) {
		rc = cli_fail("cannot create the document");
		goto out;
	}
	if (json) {
		char c[32], u[32];
		opjson_time(c, it->created_at);
		opjson_time(u, it->updated_at);
		json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "uuid", it->id, "createdAt", c,
				      "updatedAt", u, "vaultUuid", v.id);
		char *t = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
		json_decref(o);
		if (!t) {
			rc = cli_error("out of memory");
			goto out;
		}
		puts(t);
		free(t);
	} else {
		puts(it->id);
	}
	rc = CLI_EXIT_OK;
out:
	secmem_free(content);
	close_document(s, &v, it);
	return rc;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int document_get_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	item *it = NULL;
	unsigned char *content = NULL;
	size_t len = 0;
	unsigned long mode = 0600;
	const char *out_file;
	int rc = cli_parse(&a, &get_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("document get needs a document name or id");
	out_file = cli_get(&a, "out-file");
	if (cli_get(&a, "file-mode")) {
		char *end = NULL;
		const char *m = cli_get(&a, "file-mode");
		errno = 0;
		mode = strtoul(m, &end, 8);
		if (!*m || errno || *end || mode > 07777)
			return cli_usage_error(
				"invalid --file-mode '%s': expected octal, e.g. 0600", m);
	}
	if ((rc = open_document(&s, &v, &it, &a, a.pos[0])) != 0)
		goto out;
	if (files_download(&content, &len, s, &v, it->id, it->document) != 0) {
		rc = cli_fail("cannot read the document");
		goto out;
	}
	if (out_file) {
		int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			    (cli_has(&a, "force") ? O_TRUNC : O_EXCL);
		int fd = open(out_file, flags, (mode_t)mode);
		if (fd < 0) {
			rc = errno == EEXIST ? cli_error("'%s' exists; use --force to overwrite it",
							 out_file)
					     : cli_error("cannot write '%s': %s", out_file,
							 strerror(errno));
			goto out;
		}
		if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, content, len) != 0) {
			rc = cli_error("cannot write '%s': %s", out_file, strerror(errno));
			close(fd);
			goto out;
		}
		if (close(fd) != 0) {
			rc = cli_error("cannot write '%s': %s", out_file, strerror(errno));
			goto out;
		}
	} else {
		fflush(stdout);
		if (write_all(STDOUT_FILENO, content, len) != 0) {
			rc = cli_error("cannot write the document: %s", strerror(errno));
			goto out;
		}
	}
	rc = CLI_EXIT_OK;
out:
	secmem_free(content);
	close_document(s, &v, it);
	return rc;
}

static int document_list_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	item **list = NULL;
	size_t n = 0;
	bool json;
	json_t *arr = NULL;
	int rc = cli_parse(&a, &list_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if ((rc = cli_format(&a, &json)) != 0)
		return rc;
	if (a.npos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	if ((rc = open_document(&s, &v, NULL, &a, NULL)) != 0)
		goto out;
	if (items_list(&list, &n, s, &v,
		       cli_has(&a, "include-archive") ? ITEMS_ALL : ITEMS_ACTIVE) != 0) {
		rc = cli_fail("cannot list documents");
		goto out;
	}
	arr = json_array();
	if (!arr) {
		rc = cli_error("out of memory");
		goto out;
	}
	if (!json)
		printf("%-28s%-32s%-20s%s\n", "ID", "TITLE", "VAULT", "EDITED");
	for (size_t i = 0; i < n; i++) {
		char t[32];
		if (list[i]->category != ITEM_CATEGORY_DOCUMENT)
			continue;
		if (json) {
			json_array_append_new(arr, opjson_item_overview(list[i], v.name));
			continue;
		}
		opjson_time(t, list[i]->updated_at);
		printf("%-28s%-32s%-20s%s\n", list[i]->id, list[i]->title, v.name, t);
	}
	if (json) {
		char *t = json_dumps(arr, JSON_INDENT(2));
		if (!t) {
			rc = cli_error("out of memory");
			goto out;
		}
		puts(t);
		sodium_memzero(t, strlen(t));
		free(t);
	}
	rc = CLI_EXIT_OK;
out:
	item_jsonv_free(arr);
	items_list_free(list, n);
	close_document(s, &v, NULL);
	return rc;
}

static int document_edit_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	item *it = NULL;
	unsigned char *content = NULL;
	size_t len = 0;
	int rc = cli_parse(&a, &edit_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos != 2)
		return a.npos > 2 ? cli_usage_error("unexpected argument '%s'", a.pos[2])
				  : cli_usage_error("document edit needs a document and a FILE");
	if (cli_get(&a, "file-name") && !*cli_get(&a, "file-name"))
		return cli_usage_error("--file-name must not be empty");
	if ((rc = open_document(&s, &v, &it, &a, a.pos[0])) != 0)
		goto out;
	if ((rc = cli_read_secure_file(&content, &len, a.pos[1], FILES_MAX, true)) != 0)
		goto out;
	if (cli_get(&a, "title")) {
		char *t = strdup(cli_get(&a, "title"));
		if (!t) {
			rc = cli_error("out of memory");
			goto out;
		}
		free(it->title);
		it->title = t;
	}
	if (documents_replace(s, &v, it, cli_get(&a, "file-name"), content, len) != 0) {
		rc = cli_fail("cannot edit the document");
		goto out;
	}
	rc = CLI_EXIT_OK;
out:
	secmem_free(content);
	close_document(s, &v, it);
	return rc;
}

static int document_delete_cmd(int argc, char **argv)
{
	cli_args a;
	session *s = NULL;
	client_vault v;
	item *it = NULL;
	int rc = cli_parse(&a, &delete_spec, argc, argv);

	if (rc)
		return rc == 1 ? CLI_EXIT_OK : rc;
	if (a.npos != 1)
		return a.npos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			      : cli_usage_error("document delete needs a document name or id");
	if ((rc = open_document(&s, &v, &it, &a, a.pos[0])) != 0)
		goto out;
	/* Deleting the item deletes its files on the server. */
	if (cli_has(&a, "archive"))
		rc = items_archive(s, &v, it->id) ? cli_fail("cannot archive the document") : 0;
	else
		rc = items_delete(s, &v, it->id) ? cli_fail("cannot delete the document") : 0;
out:
	close_document(s, &v, it);
	return rc;
}

static const cli_node document_subs[] = {
	{"create", NULL, "Create a document from a file", document_create_cmd, &create_spec, NULL},
	{"get", NULL, "Write a document's content", document_get_cmd, &get_spec, NULL},
	{"list", "ls", "List documents", document_list_cmd, &list_spec, NULL},
	{"edit", NULL, "Replace a document's content", document_edit_cmd, &edit_spec, NULL},
	{"delete", "rm remove", "Delete or archive a document", document_delete_cmd, &delete_spec,
	 NULL},
};

const cli_tree cli_tree_document = {&document_spec, document_subs, NOPTS(document_subs)};

int cmd_document(int argc, char **argv)
{
	return cli_dispatch(&cli_tree_document, "document", argc, argv);
}
