/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client against a scripted server on 127.0.0.1 in a thread: the
 * server accepts, reads one request head (and body), writes the next
 * canned response, and closes when the script says so.
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_client.h"
#include "sesame/errors.h"

typedef struct {
	const char *response; /* NULL ends the script */
	bool close_after;
} step;

typedef struct {
	int listen_fd;
	const step *script;
	int accepted;
	char last_request[4096];
} server;

static size_t read_request(int fd, char *out, size_t cap)
{
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = recv(fd, out + len, cap - 1 - len, 0);
		if (n <= 0)
			return 0;
		len += (size_t)n;
		out[len] = '\0';
		char *end = strstr(out, "\r\n\r\n");
		if (end) {
			const char *cl = strstr(out, "Content-Length: ");
			size_t body = cl ? strtoul(cl + 16, NULL, 10) : 0;
			size_t need = (size_t)(end + 4 - out) + body;
			while (len < need && len + 1 < cap) {
				n = recv(fd, out + len, cap - 1 - len, 0);
				if (n <= 0)
					return 0;
				len += (size_t)n;
			}
			out[len] = '\0';
			return len;
		}
	}
	return 0;
}

static void *serve(void *arg)
{
	server *s = arg;
	int fd = -1;
	for (const step *st = s->script; st->response; st++) {
		if (fd < 0) {
			fd = accept(s->listen_fd, NULL, NULL);
			if (fd < 0)
				return NULL;
			s->accepted++;
		}
		if (!read_request(fd, s->last_request, sizeof s->last_request)) {
			close(fd);
			fd = -1;
			st--; /* the client gave up on this socket; serve the step anew */
			continue;
		}
		if (send(fd, st->response, strlen(st->response), MSG_NOSIGNAL) < 0) {
			close(fd);
			fd = -1;
			continue;
		}
		if (st->close_after) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0) {
		shutdown(fd, SHUT_WR);
		char sink[256];
		while (recv(fd, sink, sizeof sink, 0) > 0)
			;
		close(fd);
	}
	return NULL;
}

static int start_server(server *s, const step *script, pthread_t *t, char *url, size_t cap)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof a;
	memset(s, 0, sizeof *s);
	s->script = script;
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) || listen(s->listen_fd, 4))
		return -1;
	getsockname(s->listen_fd, (struct sockaddr *)&a, &al);
	snprintf(url, cap, "http://127.0.0.1:%d/api", ntohs(a.sin_port));
	return pthread_create(t, NULL, serve, s);
}

static void stop_server(server *s, pthread_t t)
{
	pthread_join(t, NULL);
	close(s->listen_fd);
}

#define OK_JSON "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

static void test_http_client__keep_alive_reuses_one_connection(void **state)
{
	(void)state;
	static const step script[] = {{OK_JSON, false}, {OK_JSON, false}, {OK_JSON, false}, {NULL, 0}};
	server s;
	pthread_t t;
	char url[128];
	http_url u;
	http_conn *c;
	assert_int_equal(start_server(&s, script, &t, url, sizeof url), 0);
	assert_int_equal(http_url_parse(&u, url), 0);
	assert_int_equal(http_conn_new(&c, &u, 5000), 0);
	for (int i = 0; i < 3; i++) {
		http_parser r;
		http_request req = {.method = "GET", .path = "/v1/health"};
		assert_int_equal(http_conn_send(c, &req, &r), 0);
		assert_int_equal(r.status, 200);
		assert_string_equal(sbuf_cstr(&r.body), "{}");
		http_parser_free(&r);
	}
	assert_int_equal(http_conn_dials(c), 1);
	assert_non_null(strstr(s.last_request, "GET /api/v1/health HTTP/1.1\r\n"));
	http_conn_free(c);
	stop_server(&s, t);
	assert_int_equal(s.accepted, 1);
}

static void test_http_client__post_body_and_headers(void **state)
{
	(void)state;
	static const step script[] = {{OK_JSON, true}, {NULL, 0}};
	server s;
	pthread_t t;
	char url[128];
	http_url u;
	http_conn *c;
	const char *headers[] = {"Authorization: Bearer abc", NULL};
	assert_int_equal(start_server(&s, script, &t, url, sizeof url), 0);
	http_url_parse(&u, url);
	http_conn_new(&c, &u, 5000);
	http_parser r;
	http_request req = {.method = "POST", .path = "/v1/x", .headers = headers,
			    .body = "{\"a\":1}", .body_len = 7};
	assert_int_equal(http_conn_send(c, &req, &r), 0);
	http_parser_free(&r);
	http_conn_free(c);
	stop_server(&s, t);
	assert_non_null(strstr(s.last_request, "Authorization: Bearer abc\r\n"));
	assert_non_null(strstr(s.last_request, "Content-Length: 7\r\n"));
	assert_non_null(strstr(s.last_request, "\r\n\r\n{\"a\":1}"));
}

static void test_http_client__reconnects_after_server_close(void **state)
{
	(void)state;
	/* The server closes after each response; the next request redials. */
	static const step script[] = {{OK_JSON, true}, {OK_JSON, true}, {NULL, 0}};
	server s;
	pthread_t t;
	char url[128];
	http_url u;
	http_conn *c;
	assert_int_equal(start_server(&s, script, &t, url, sizeof url), 0);
	http_url_parse(&u, url);
	http_conn_new(&c, &u, 5000);
	for (int i = 0; i < 2; i++) {
		http_parser r;
		http_request req = {.method = "POST", .path = "/v1/x", .body = "{}", .body_len = 2};
		usleep(20000); /* let the close arrive, as an idle timeout would */
		assert_int_equal(http_conn_send(c, &req, &r), 0);
		assert_int_equal(r.status, 200);
		http_parser_free(&r);
	}
	assert_int_equal(http_conn_dials(c), 2);
	http_conn_free(c);
	stop_server(&s, t);
}

static void test_http_client__truncated_response_is_an_error(void **state)
{
	(void)state;
	static const step script[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", true}, {NULL, 0}};
	server s;
	pthread_t t;
	char url[128];
	http_url u;
	http_conn *c;
	assert_int_equal(start_server(&s, script, &t, url, sizeof url), 0);
	http_url_parse(&u, url);
	http_conn_new(&c, &u, 5000);
	http_parser r;
	http_request req = {.method = "POST", .path = "/v1/x"};
	assert_int_equal(http_conn_send(c, &req, &r), SESAME_ENETWORK);
	assert_non_null(strstr(sesame_error_last()->message, "closed before the response ended"));
	http_parser_free(&r);
	http_conn_free(c);
	stop_server(&s, t);
}

static void test_http_client__connection_refused(void **state)
{
	(void)state;
	/* Bind then close a socket to find a port nobody listens on. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	socklen_t al = sizeof a;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof a);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	http_url u;
	http_conn *c;
	http_parser r;
	http_request req = {.method = "GET", .path = "/"};
	http_url_parse(&u, url);
	http_conn_new(&c, &u, 2000);
	assert_int_equal(http_conn_send(c, &req, &r), SESAME_ENETWORK);
	assert_non_null(strstr(sesame_error_last()->message, "cannot connect"));
	http_parser_free(&r);
	http_conn_free(c);
}

static void test_http_client__timeout(void **state)
{
	(void)state;
	/* A listener that never answers: the request must time out. */
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	socklen_t al = sizeof a;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(lfd, (struct sockaddr *)&a, sizeof a);
	listen(lfd, 1);
	getsockname(lfd, (struct sockaddr *)&a, &al);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
	http_url u;
	http_conn *c;
	http_parser r;
	http_request req = {.method = "GET", .path = "/"};
	http_url_parse(&u, url);
	http_conn_new(&c, &u, 200);
	assert_int_equal(http_conn_send(c, &req, &r), SESAME_ENETWORK);
	assert_string_equal(sesame_error_last()->kind, "timeout");
	http_parser_free(&r);
	http_conn_free(c);
	close(lfd);
}

static void test_http_client__rejects_header_injection(void **state)
{
	(void)state;
	http_url u;
	http_conn *c;
	http_parser r;
	const char *headers[] = {"X: a\r\nEvil: b", NULL};
	http_request req = {.method = "GET", .path = "/", .headers = headers};
	http_url_parse(&u, "http://127.0.0.1:9");
	http_conn_new(&c, &u, 200);
	assert_int_equal(http_conn_send(c, &req, &r), SESAME_EINVAL);
	http_request bad_path = {.method = "GET", .path = "/a b"};
	assert_int_equal(http_conn_send(c, &bad_path, &r), SESAME_EINVAL);
	http_parser_free(&r);
	http_conn_free(c);
}

static void test_http_client__url_parse(void **state)
{
	(void)state;
	http_url u;
	assert_int_equal(http_url_parse(&u, "http://localhost"), 0);
	assert_string_equal(u.host, "localhost");
	assert_string_equal(u.port, "80");
	assert_string_equal(u.base_path, "");
	assert_int_equal(http_url_parse(&u, "https://[::1]:8443/sesame/"), 0);
	assert_true(u.tls);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "8443");
	assert_string_equal(u.base_path, "/sesame");
	static const char *const bad[] = {"ftp://x", "http://", "http://x:0", "http://x:65536",
					  "http://u:p@x", "http://x/?q", "http://[::1", "http://x:80a",
					  "localhost:80"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (http_url_parse(&u, bad[i]) != SESAME_EINVAL)
			fail_msg("accepted bad url '%s'", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_client__keep_alive_reuses_one_connection),
		cmocka_unit_test(test_http_client__post_body_and_headers),
		cmocka_unit_test(test_http_client__reconnects_after_server_close),
		cmocka_unit_test(test_http_client__truncated_response_is_an_error),
		cmocka_unit_test(test_http_client__connection_refused),
		cmocka_unit_test(test_http_client__timeout),
		cmocka_unit_test(test_http_client__rejects_header_injection),
		cmocka_unit_test(test_http_client__url_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
