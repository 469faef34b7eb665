/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client over TLS against a GnuTLS server in a thread, with the
 * test certificate in tests/data/tls. The client loads its trust anchors
 * once per process (SESAME_CA_FILE), so each case runs its client in a
 * forked child with its own environment and reports through the exit code.
 */
#include "test.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/http_client.h"
#include "sesame/errors.h"

#define TLS_DIR SESAME_TEST_DATA "/tls"

typedef struct {
	int listen_fd;
	int requests; /* how many requests to answer on one connection */
} tls_server;

static void *serve_tls(void *arg)
{
	tls_server *srv = arg;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	char buf[4096];

	gnutls_certificate_allocate_credentials(&cred);
	gnutls_certificate_set_x509_key_file(cred, TLS_DIR "/server.crt", TLS_DIR "/server.key",
					     GNUTLS_X509_FMT_PEM);
	int fd = accept(srv->listen_fd, NULL, NULL);
	if (fd < 0)
		goto out;
	gnutls_init(&s, GNUTLS_SERVER);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(s, fd);
	int rc;
	do {
		rc = gnutls_handshake(s);
	} while (rc < 0 && !gnutls_error_is_fatal(rc));
	for (int i = 0; rc == 0 && i < srv->requests; i++) {
		size_t len = 0;
		while (len + 1 < sizeof buf) {
			ssize_t n = gnutls_record_recv(s, buf + len, sizeof buf - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			buf[len] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nover tls!";
		gnutls_record_send(s, resp, strlen(resp));
	}
	gnutls_bye(s, GNUTLS_SHUT_RDWR);
	gnutls_deinit(s);
	close(fd);
out:
	gnutls_certificate_free_credentials(cred);
	return NULL;
}

/* Runs `requests` GETs to https://host:port in a child; returns its status. */
static int client_child(const char *ca_file, const char *host, int port, int requests,
			const char *expect_kind)
{
	pid_t pid = fork();
	if (pid == 0) {
		char url[128];
		http_url u;
		http_conn *c;
		setenv("SESAME_CA_FILE", ca_file, 1);
		snprintf(url, sizeof url, "https://%s:%d", host, port);
		if (http_url_parse(&u, url) || http_conn_new(&c, &u, 5000))
			_exit(10);
		for (int i = 0; i < requests; i++) {
			http_parser r;
			http_request req = {.method = "GET", .path = "/v1/health"};
			int rc = http_conn_send(c, &req, &r);
			if (expect_kind) {
				int ok = rc == SESAME_ENETWORK &&
					 strcmp(sesame_error_last()->kind, expect_kind) == 0;
				if (!ok)
					fprintf(stderr, "got %d %s: %s\n", rc, sesame_error_last()->kind,
						sesame_error_last()->message);
				_exit(ok ? 0 : 11);
			}
			if (rc || r.status != 200 || strcmp(sbuf_cstr(&r.body), "over tls!") != 0) {
				fprintf(stderr, "request failed: %s\n", sesame_error_last()->message);
				_exit(12);
			}
			http_parser_free(&r);
		}
		_exit(http_conn_dials(c) == 1 ? 0 : 13);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static int start(tls_server *srv, pthread_t *t, const char *bind_ip, int requests)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof a;
	srv->requests = requests;
	srv->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	inet_pton(AF_INET, bind_ip, &a.sin_addr);
	if (bind(srv->listen_fd, (struct sockaddr *)&a, sizeof a) || listen(srv->listen_fd, 2))
		return -1;
	getsockname(srv->listen_fd, (struct sockaddr *)&a, &al);
	pthread_create(t, NULL, serve_tls, srv);
	return ntohs(a.sin_port);
}

static void stop(tls_server *srv, pthread_t t)
{
	/* Unblock accept() if the client never connected. */
	shutdown(srv->listen_fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(srv->listen_fd);
}

static void test_http_tls__trusted_keep_alive(void **state)
{
	(void)state;
	tls_server srv;
	pthread_t t;
	int port = start(&srv, &t, "127.0.0.1", 2);
	assert_true(port > 0);
	assert_int_equal(client_child(TLS_DIR "/server.crt", "127.0.0.1", port, 2, NULL), 0);
	stop(&srv, t);
}

static void test_http_tls__untrusted_certificate_refused(void **state)
{
	(void)state;
	tls_server srv;
	pthread_t t;
	int port = start(&srv, &t, "127.0.0.1", 1);
	assert_int_equal(client_child(TLS_DIR "/other.crt", "127.0.0.1", port, 1, "tls_certificate"),
			 0);
	stop(&srv, t);
}

static void test_http_tls__wrong_host_name_refused(void **state)
{
	(void)state;
	/* Trusted certificate, but it does not name 127.0.0.2. */
	tls_server srv;
	pthread_t t;
	int port = start(&srv, &t, "127.0.0.2", 1);
	assert_true(port > 0);
	assert_int_equal(client_child(TLS_DIR "/server.crt", "127.0.0.2", port, 1, "tls_certificate"),
			 0);
	stop(&srv, t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_tls__trusted_keep_alive),
		cmocka_unit_test(test_http_tls__untrusted_certificate_refused),
		cmocka_unit_test(test_http_tls__wrong_host_name_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
