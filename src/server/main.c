/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sesamed: settings, the data directory, the store, the HTTP server, and
 * a graceful stop on SIGTERM or SIGINT. Exit codes: 0 after a clean stop,
 * 1 when start-up fails, 2 for a usage or configuration error.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "api_audit.h"
#include "audit.h"
#include "auth.h"
#include "buf.h"
#include "config.h"
#include "dev.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "ratelimit.h"
#include "routes.h"
#include "sesame/version.h"
#include "store.h"

extern char **environ;

#define DB_FILE		  "sesame.db"
#define PEM_MAX		  (1024 * 1024) /* a certificate chain or key file */
#define SHUTDOWN_GRACE_MS 10000		/* how long in-flight requests get to finish */

/*
 * No core files: the process holds the TLS private key now and will hold
 * session-signing keys later; a core dump would write them to disk, and
 * a non-dumpable process also cannot be read through /proc or ptrace by
 * other processes of the same user.
 */
static void disable_core_dumps(void)
{
	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* mkdir -p with mode 0700 for every directory it creates. */
static int make_data_dir(const char *dir)
{
	char path[PATH_MAX];
	struct stat sb;
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof path)
		return sesame_error_set(SESAME_EINVAL, NULL, "invalid data directory '%s'", dir);
	memcpy(path, dir, len + 1);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return sesame_error_set(SESAME_EIO, NULL,
						"cannot create data directory '%s': %s", path,
						strerror(errno));
		*p = saved;
		if (saved == '\0')
			break;
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return sesame_error_set(SESAME_EIO, NULL, "data directory '%s' is not a directory",
					dir);
	if (sb.st_mode & 077)
		log_warn("data_dir_open_to_others", LOG_STR("path", dir),
			 LOG_INT("mode", sb.st_mode & 0777), );
	return 0;
}

/* Reads a PEM file, NUL-terminated, into `out` (secure for a key). */
static int read_pem(const char *path, sbuf *out, bool is_key)
{
	char chunk[4096];
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return sesame_error_set(SESAME_EIO, NULL, "cannot read tls %s '%s': %s",
					is_key ? "key" : "certificate", path, strerror(errno));
	if (is_key && fstat(fd, &sb) == 0 && (sb.st_mode & 077))
		log_warn("tls_key_open_to_others", LOG_STR("path", path),
			 LOG_INT("mode", sb.st_mode & 0777), );
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sbuf_add(out, chunk, (size_t)n) != 0) {
			int e = n < 0 ? errno : EFBIG;
			close(fd);
			sodium_memzero(chunk, sizeof chunk);
			return sesame_error_set(SESAME_EIO, NULL, "cannot read tls %s '%s': %s",
						is_key ? "key" : "certificate", path, strerror(e));
		}
	}
	close(fd);
	sodium_memzero(chunk, sizeof chunk);
	if (out->len == 0)
		return sesame_error_set(SESAME_EIO, NULL, "tls %s '%s' is empty",
					is_key ? "key" : "certificate", path);
	return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Dev mode's throwaway directory under $TMPDIR. */
static char *make_dev_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX];

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(path, sizeof path, "%s/sesamed-dev-XXXXXX", tmp) >= (int)sizeof path)
		return NULL;
	if (!mkdtemp(path))
		return NULL;
	return strdup(path);
}

static int fatal(const char *event)
{
	const sesame_error *e = sesame_error_last();
	log_error(event, LOG_STR("message", e->message), );
	return 1;
}

static void print_dev_banner(const char *url, const char *dir, const struct dev_account *demo)
{
	printf("\n"
	       "  sesamed is running in DEV MODE: everything it stores is thrown away on exit.\n"
	       "  data directory  %s (removed on exit)\n"
	       "  demo account    %s, vault '%s', item '%s'\n"
	       "  credentials     %s (password and Secret Key, mode 0600)\n"
	       "  KDF cost        the lowest allowed (Argon2id, 2 passes, 8 MiB): dev mode only\n"
	       "  check health    curl %s/v1/health\n"
	       "  stop            Ctrl-C\n\n"
	       "  Read the demo secret:\n\n"
	       "    eval $(sesame signin --address %s --email %s --account %s < %s)\n"
	       "    sesame item get \"%s\" --vault %s --fields password --reveal\n"
	       "    sesame read \"op://%s/%s/password\"\n\n",
	       dir, DEV_EMAIL, DEV_VAULT, DEV_ITEM, demo->creds_path, url, url, DEV_EMAIL,
	       demo->account_id, demo->creds_path, DEV_ITEM, DEV_VAULT, DEV_VAULT, DEV_ITEM);
}

/* Request budgets and the audit writer (ratelimit.h, audit.h). */
static int start_limits_and_audit(const struct server_config *cfg, struct store *store,
				  struct server_state *state, struct ratelimit **rl,
				  struct audit **audit, struct router *router)
{
	struct rl_options o = {
		.defaults = {cfg->rl_reads_per_hour, cfg->rl_writes_per_hour, cfg->rl_per_day},
		.hour = cfg->rl_test_window,
		.day = cfg->rl_test_window * 24,
		.people = cfg->rl_people,
		.load = api_ratelimit_load,
		.load_ctx = store,
	};
	if (cfg->rl_test_window)
		log_warn("ratelimit_test_window", LOG_INT("hour_seconds", cfg->rl_test_window), );
	if (ratelimit_new(rl, &o) != 0)
		return -1;
	state->ratelimit = *rl;
	if (cfg->audit_off) {
		/* Benchmarks only: no event, no wait. */
		log_warn("audit_off", );
		router->finish = NULL;
		return 0;
	}
	if (audit_open(audit, store) != 0)
		return -1;
	audit_set_sync(*audit, cfg->audit_sync_full);
	state->audit = *audit;
	return 0;
}

static int run(const struct server_config *cfg)
{
	struct store_options sopts = STORE_OPTIONS_INIT;
	struct http_options hopts = HTTP_OPTIONS_INIT;
	struct server_state state = {0};
	struct http_server *http = NULL;
	struct store *store = NULL;
	struct auth *auth = NULL;
	struct ratelimit *ratelimit = NULL;
	struct audit *audit = NULL;
	struct router router = server_router;
	sbuf cert = SBUF_INIT(PEM_MAX), key = SBUF_INIT_SECURE(PEM_MAX);
	char *dev_dir = NULL;
	const char *data_dir = cfg->data_dir;
	char db_path[PATH_MAX], url[128], err[256];
	sigset_t stop_signals;
	int sig = 0, status = 1;

	/*
	 * Block the stop signals first: MHD's threads inherit the mask, so only
	 * sigwait() below ever takes them, and a signal that comes during a
	 * long migration is answered by a clean stop once start-up is done.
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	if (router_check(&server_router, err, sizeof err) != 0) {
		log_error("route_table_invalid", LOG_STR("message", err), );
		return 1;
	}
	if (cfg->dev) {
		dev_dir = make_dev_dir();
		if (!dev_dir) {
			log_error("dev_dir_failed", LOG_STR("message", strerror(errno)), );
			return 1;
		}
		data_dir = dev_dir;
	}
	if (make_data_dir(data_dir) != 0) {
		status = fatal("data_dir_failed");
		goto out;
	}
	if (snprintf(db_path, sizeof db_path, "%s/%s", data_dir, DB_FILE) >= (int)sizeof db_path) {
		log_error("data_dir_failed",
			  LOG_STR("message", "data directory path is too long"), );
		goto out;
	}
	sopts.path = db_path;
	if (store_open(&store_sqlite_ops, &store, &sopts) != 0) {
		status = fatal("store_open_failed");
		goto out;
	}
	state.store = store;
	/* The session and challenge keys live beside the database, not in it. */
	if (auth_open(&auth, data_dir) != 0) {
		status = fatal("server_keys_failed");
		goto out;
	}
	state.auth = auth;
	state.allow_signup = cfg->allow_signup;
	state.max_file_size = cfg->max_file_size;
	if (start_limits_and_audit(cfg, store, &state, &ratelimit, &audit, &router) != 0) {
		status = fatal("audit_failed");
		goto out;
	}

	if (cfg->tls_cert && (read_pem(cfg->tls_cert, &cert, false) != 0 ||
			      read_pem(cfg->tls_key, &key, true) != 0)) {
		status = fatal("tls_failed");
		goto out;
	}

	hopts.listen = cfg->listen;
	hopts.port = cfg->port;
	hopts.tls_cert_pem = cfg->tls_cert ? sbuf_cstr(&cert) : NULL;
	hopts.tls_key_pem = cfg->tls_cert ? sbuf_cstr(&key) : NULL;
	hopts.router = &router;
	hopts.state = &state;
	if (http_server_start(&http, &hopts) != 0) {
		status = fatal("listen_failed");
		goto out;
	}

	config_url(url, sizeof url, cfg->listen, http_server_port(http), cfg->tls_cert != NULL);
	snprintf(state.url, sizeof state.url, "%s", url);
	log_info("listening", LOG_STR("url", url), LOG_STR("data_dir", data_dir),
		 LOG_STR("store", store_name(store)), LOG_STR("version", SESAME_VERSION_STRING), );
	if (!cfg->tls_cert && !config_addr_is_loopback(cfg->listen))
		log_warn("insecure_no_tls", LOG_STR("url", url), );
	/* The one stdout line tests and scripts read to find the port. */
	printf("sesamed listening on %s\n", url);
	fflush(stdout);
	if (cfg->dev) {
		/* Demo data through our own API, as a client would make it. */
		struct dev_account demo;
		if (dev_seed(&demo, url, data_dir) != 0) {
			status = fatal("dev_seed_failed");
			goto out;
		}
		log_info("dev_seeded", LOG_STR("account_id", demo.account_id), );
		print_dev_banner(url, data_dir, &demo);
		fflush(stdout);
	}

	while (sigwait(&stop_signals, &sig) != 0)
		;
	log_info("stopping", LOG_STR("signal", sig == SIGINT ? "SIGINT" : "SIGTERM"), );
	http_server_quiesce(http);
	if (!http_server_wait_idle(http, SHUTDOWN_GRACE_MS))
		log_warn("stop_grace_expired", LOG_INT("grace_ms", SHUTDOWN_GRACE_MS), );
	status = 0;
out:
	http_server_stop(http);
	audit_close(audit); /* after the HTTP server: no request waits on it any more */
	ratelimit_free(ratelimit);
	store_close(store);
	auth_close(auth);
	sbuf_free(&key);
	sbuf_free(&cert);
	if (dev_dir) {
		if (nftw(dev_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
			log_warn("dev_dir_not_removed", LOG_STR("path", dev_dir), );
		free(dev_dir);
	}
	if (status == 0)
		log_info("stopped", );
	return status;
}

int main(int argc, char **argv)
{
	struct server_config cfg;
	char err[512];
	int status;

	disable_core_dumps();
	umask(077); /* every file and directory we create is ours alone */

	if (config_load(&cfg, argc, argv, environ, err, sizeof err) != 0) {
		fprintf(stderr, "sesamed: %s\nrun 'sesamed --help' for usage\n", err);
		config_free(&cfg);
		return 2;
	}
	if (cfg.action == CONFIG_HELP) {
		config_usage(stdout);
		config_free(&cfg);
		return 0;
	}
	if (cfg.action == CONFIG_VERSION) {
		printf("sesamed %s\n", SESAME_VERSION_STRING);
		config_free(&cfg);
		return 0;
	}
	log_configure(cfg.log_level, cfg.log_format, NULL);
	/* MHD writes with MSG_NOSIGNAL, but GnuTLS may not: never die of SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (sesame_init() != 0) {
		config_free(&cfg);
		return fatal("init_failed");
	}
	status = run(&cfg);
	config_free(&cfg);
	return status;
}
