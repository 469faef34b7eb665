/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "error.h"
#include "http/http_client.h"
#include "http/tls.h"
#include "text.h"

#define DEFAULT_MAX_BODY (16u * 1024 * 1024)
#define REQUEST_HEAD_MAX (16u * 1024)

struct http_conn {
	http_url url;
	int fd;
	tls_session *tls; /* https only */
	int timeout_ms;
	unsigned dials;
};

static int copy_part(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int http_url_parse(http_url *out, const char *url)
{
	const char *s = url, *host, *host_end, *port = NULL, *port_end = NULL, *path;

	memset(out, 0, sizeof *out);
	if (strncmp(s, "http://", 7) == 0) {
		s += 7;
	} else if (strncmp(s, "https://", 8) == 0) {
		out->tls = true;
		s += 8;
	} else {
		return sesame_error_set(SESAME_EINVAL, "invalid_url",
					"server address '%s' must start with http:// or https://", url);
	}
	if (*s == '[') {
		host = s + 1;
		host_end = strchr(host, ']');
		if (!host_end)
			return sesame_error_set(SESAME_EINVAL, "invalid_url",
						"unterminated ipv6 address in '%s'", url);
		s = host_end + 1;
	} else {
		host = s;
		while (*s && *s != ':' && *s != '/')
			s++;
		host_end = s;
	}
	if (*s == ':') {
		port = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		port_end = s;
	}
	path = s;
	if (*path && *path != '/')
		return sesame_error_set(SESAME_EINVAL, "invalid_url", "malformed server address '%s'",
					url);
	if (strpbrk(path, "?#@ ") || memchr(host, '@', (size_t)(host_end - host)))
		return sesame_error_set(SESAME_EINVAL, "invalid_url",
					"server address '%s' may not hold credentials, a query or a fragment", url);
	if (host_end == host || copy_part(out->host, sizeof out->host, host, (size_t)(host_end - host)))
		return sesame_error_set(SESAME_EINVAL, "invalid_url", "bad host in '%s'", url);
	if (port) {
		long v = 0;
		for (const char *c = port; c < port_end; c++)
			v = v * 10 + (*c - '0');
		if (port_end == port || port_end - port > 5 || v < 1 || v > 65535)
			return sesame_error_set(SESAME_EINVAL, "invalid_url", "bad port in '%s'", url);
		copy_part(out->port, sizeof out->port, port, (size_t)(port_end - port));
	} else {
		copy_part(out->port, sizeof out->port, out->tls ? "443" : "80", out->tls ? 3 : 2);
	}
	size_t plen = strlen(path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	if (copy_part(out->base_path, sizeof out->base_path, path, plen))
		return sesame_error_set(SESAME_EINVAL, "invalid_url", "path too long in '%s'", url);
	return 0;
}

int http_conn_new(http_conn **out, const http_url *url, int timeout_ms)
{
	http_conn *c = calloc(1, sizeof *c);
	if (!c)
		return sesame_error_nomem();
	c->url = *url;
	c->fd = -1;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
	*out = c;
	return 0;
}

static void conn_close(http_conn *c)
{
	tls_close(c->tls);
	c->tls = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void http_conn_free(http_conn *c)
{
	if (!c)
		return;
	conn_close(c);
	free(c);
}

unsigned http_conn_dials(const http_conn *c)
{
	return c->dials;
}

/* Waits for `events` on the socket until `deadline`; 0, or error set. */
static int wait_fd(http_conn *c, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - text_clock_ms();
		if (left <= 0)
			return sesame_error_set(SESAME_ENETWORK, "timeout",
						"timed out talking to '%s:%s'", c->url.host, c->url.port);
		struct pollfd pfd = {c->fd, events, 0};
		int n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return sesame_error_set(SESAME_ENETWORK, "network", "poll failed: %s",
						strerror(errno));
	}
}

static int dial(http_conn *c, long long deadline)
{
	struct addrinfo hints = {0}, *res = NULL;
	int err, last_errno = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
	err = getaddrinfo(c->url.host, c->url.port, &hints, &res);
	if (err)
		return sesame_error_set(SESAME_ENETWORK, "network", "cannot resolve '%s': %s",
					c->url.host, gai_strerror(err));
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				ai->ai_protocol);
		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		c->fd = fd;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
			last_errno = errno;
			conn_close(c);
			continue;
		}
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (wait_fd(c, POLLOUT, deadline) != 0) {
			conn_close(c);
			freeaddrinfo(res);
			return SESAME_ENETWORK;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			last_errno = soerr;
			conn_close(c);
			continue;
		}
		int one = 1;
		/* Requests are small and answered at once: no Nagle delay. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->dials++;
		freeaddrinfo(res);
		if (c->url.tls && tls_connect(&c->tls, fd, c->url.host, deadline) != 0) {
			int code = sesame_error_last()->code;
			conn_close(c);
			return code;
		}
		return 0;
	}
	freeaddrinfo(res);
	return sesame_error_set(SESAME_ENETWORK, "network", "cannot connect to '%s:%s': %s",
				c->url.host, c->url.port, strerror(last_errno ? last_errno : ECONNREFUSED));
}

/*
 * A kept-alive socket the server has since closed reads as EOF at once.
 * Over TLS anything readable on an idle connection (close_notify, or
 * bytes nobody asked for) means it cannot be trusted for the next request.
 */
static bool idle_conn_is_dead(http_conn *c)
{
	char byte;
	struct pollfd pfd = {c->fd, POLLIN, 0};
	if (c->tls && tls_pending(c->tls))
		return true;
	if (poll(&pfd, 1, 0) <= 0)
		return false;
	return c->tls || recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

static int send_all(http_conn *c, const char *data, size_t len, long long deadline)
{
	if (c->tls)
		return tls_send_all(c->tls, data, len, deadline);
	while (len > 0) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(c, POLLOUT, deadline))
				return SESAME_ENETWORK;
			continue;
		}
		return sesame_error_set(SESAME_ENETWORK, "network", "cannot send to '%s:%s': %s",
					c->url.host, c->url.port, strerror(errno));
	}
	return 0;
}

/* Reads one response; *got_bytes tells whether any byte arrived. */
static int read_response_into(http_conn *c, http_parser *resp, long long deadline, bool *got_bytes,
			      char *buf, size_t cap)
{
	for (;;) {
		ssize_t n;
		if (c->tls) {
			size_t got = 0;
			if (tls_recv(c->tls, buf, cap, &got, deadline))
				return SESAME_ENETWORK;
			n = (ssize_t)got;
		} else {
			n = recv(c->fd, buf, cap, 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				if (wait_fd(c, POLLIN, deadline))
					return SESAME_ENETWORK;
				continue;
			}
		}
		if (n <= 0)
			return sesame_error_set(SESAME_ENETWORK, "network",
						"connection to '%s:%s' closed before the response ended",
						c->url.host, c->url.port);
		*got_bytes = true;
		size_t used = 0;
		int rc = http_parser_feed(resp, buf, (size_t)n, &used);
		if (rc < 0)
			return sesame_error_set(rc, rc == SESAME_ETOOBIG ? "response_too_big" : "bad_response",
						"malformed or oversized response from '%s:%s'", c->url.host,
						c->url.port);
		if (rc == 1) {
			if (used != (size_t)n)
				return sesame_error_set(SESAME_EINVAL, "bad_response",
							"unexpected bytes after the response from '%s:%s'",
							c->url.host, c->url.port);
			return 0;
		}
	}
}

static int read_response(http_conn *c, http_parser *resp, long long deadline, bool *got_bytes)
{
	char buf[16384];
	int rc = read_response_into(c, resp, deadline, got_bytes, buf, sizeof buf);
	sodium_memzero(buf, sizeof buf); /* it held plaintext response bytes */
	return rc;
}

static bool is_idempotent(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD") || !strcmp(method, "PUT") ||
	       !strcmp(method, "DELETE") || !strcmp(method, "OPTIONS");
}

static int build_head(sbuf *head, const http_conn *c, const http_request *req)
{
	bool v6 = strchr(c->url.host, ':') != NULL;
	int rc = sbuf_printf(head, "%s %s%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n", req->method,
			     c->url.base_path, req->path, v6 ? "[" : "", c->url.host, v6 ? "]" : "",
			     c->url.port);
	rc = rc ? rc : sbuf_adds(head, "User-Agent: libsesame/0.1\r\nAccept: application/json\r\n");
	for (size_t i = 0; !rc && req->headers && req->headers[i]; i++) {
		if (strpbrk(req->headers[i], "\r\n"))
			return SESAME_EINVAL; /* no header injection */
		rc = sbuf_printf(head, "%s\r\n", req->headers[i]);
	}
	if (!rc && (req->body_len || strcmp(req->method, "POST") == 0 ||
		    strcmp(req->method, "PUT") == 0 || strcmp(req->method, "PATCH") == 0))
		rc = sbuf_printf(head, "Content-Type: %s\r\nContent-Length: %zu\r\n",
				 req->content_type ? req->content_type : "application/json",
				 req->body_len);
	return rc ? rc : sbuf_adds(head, "\r\n");
}

int http_conn_send(http_conn *c, const http_request *req, http_parser *resp)
{
	/* The head may carry an Authorization header: wiped when freed. */
	sbuf head = SBUF_INIT_WIPED(REQUEST_HEAD_MAX);
	long long deadline = text_clock_ms() + c->timeout_ms;
	size_t max_body = req->max_response_body ? req->max_response_body : DEFAULT_MAX_BODY;
	bool head_req = strcmp(req->method, "HEAD") == 0;
	int rc;

	http_parser_init(resp, max_body, true, head_req);
	if (!req->path || req->path[0] != '/' || strpbrk(req->path, " \r\n") ||
	    strpbrk(req->method, " \r\n"))
		return sesame_error_set(SESAME_EINVAL, "invalid_argument", "malformed request line");
	rc = build_head(&head, c, req);
	if (rc) {
		sbuf_free(&head);
		return sesame_error_set(rc, NULL, "cannot build the request headers");
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		bool reused = c->fd >= 0, got_bytes = false;
		if (reused && idle_conn_is_dead(c)) {
			conn_close(c);
			reused = false;
		}
		if (c->fd < 0 && (rc = dial(c, deadline)))
			break;
		rc = send_all(c, head.ptr, head.len, deadline);
		if (!rc && req->body_len)
			rc = send_all(c, req->body, req->body_len, deadline);
		if (!rc)
			rc = read_response(c, resp, deadline, &got_bytes);
		if (!rc) {
			if (!resp->keep_alive)
				conn_close(c);
			break;
		}
		conn_close(c);
		if (!(reused && !got_bytes && rc == SESAME_ENETWORK && is_idempotent(req->method)))
			break;
		/* A stale keep-alive connection: one fresh try. */
		http_parser_free(resp);
		http_parser_init(resp, max_body, true, head_req);
	}
	sbuf_free(&head);
	return rc;
}
