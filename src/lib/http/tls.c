/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Types and constants only: every function is looked up with dlsym(). */
#include <gnutls/gnutls.h>

#include "error.h"
#include "http/tls.h"
#include "text.h"

struct tls_session {
	gnutls_session_t session;
	int fd;
};

/* The GnuTLS functions we use, resolved once per process. */
static struct {
	int (*global_init)(void);
	int (*certificate_allocate_credentials)(gnutls_certificate_credentials_t *);
	int (*certificate_set_x509_system_trust)(gnutls_certificate_credentials_t);
	int (*certificate_set_x509_trust_file)(gnutls_certificate_credentials_t, const char *,
					       gnutls_x509_crt_fmt_t);
	int (*init)(gnutls_session_t *, unsigned int);
	void (*deinit)(gnutls_session_t);
	int (*set_default_priority)(gnutls_session_t);
	int (*credentials_set)(gnutls_session_t, gnutls_credentials_type_t, void *);
	int (*server_name_set)(gnutls_session_t, gnutls_server_name_type_t, const void *, size_t);
	void (*session_set_verify_cert)(gnutls_session_t, const char *, unsigned int);
	void (*transport_set_int2)(gnutls_session_t, int, int);
	int (*handshake)(gnutls_session_t);
	int (*record_get_direction)(gnutls_session_t);
	ssize_t (*record_send)(gnutls_session_t, const void *, size_t);
	ssize_t (*record_recv)(gnutls_session_t, void *, size_t);
	size_t (*record_check_pending)(gnutls_session_t);
	int (*bye)(gnutls_session_t, gnutls_close_request_t);
	const char *(*strerror)(int);
} gt;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static gnutls_certificate_credentials_t credentials;
static int load_result = SESAME_EUNSUPPORTED;
static char load_error[160];

#define LOOKUP(field, name)                                                                        \
	do {                                                                                       \
		*(void **)&gt.field = dlsym(lib, name);                                            \
		if (!gt.field) {                                                                   \
			snprintf(load_error, sizeof load_error, "libgnutls lacks '%s'", name);     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static void load_gnutls(void)
{
	void *lib = dlopen("libgnutls.so.30", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(load_error, sizeof load_error, "cannot load libgnutls.so.30");
		return;
	}
	LOOKUP(global_init, "gnutls_global_init");
	LOOKUP(certificate_allocate_credentials, "gnutls_certificate_allocate_credentials");
	LOOKUP(certificate_set_x509_system_trust, "gnutls_certificate_set_x509_system_trust");
	LOOKUP(certificate_set_x509_trust_file, "gnutls_certificate_set_x509_trust_file");
	LOOKUP(init, "gnutls_init");
	LOOKUP(deinit, "gnutls_deinit");
	LOOKUP(set_default_priority, "gnutls_set_default_priority");
	LOOKUP(credentials_set, "gnutls_credentials_set");
	LOOKUP(server_name_set, "gnutls_server_name_set");
	LOOKUP(session_set_verify_cert, "gnutls_session_set_verify_cert");
	LOOKUP(transport_set_int2, "gnutls_transport_set_int2");
	LOOKUP(handshake, "gnutls_handshake");
	LOOKUP(record_get_direction, "gnutls_record_get_direction");
	LOOKUP(record_send, "gnutls_record_send");
	LOOKUP(record_recv, "gnutls_record_recv");
	LOOKUP(record_check_pending, "gnutls_record_check_pending");
	LOOKUP(bye, "gnutls_bye");
	LOOKUP(strerror, "gnutls_strerror");

	if (gt.global_init() < 0 || gt.certificate_allocate_credentials(&credentials) < 0) {
		snprintf(load_error, sizeof load_error, "cannot initialise gnutls");
		return;
	}
	/* A named CA file replaces the system store: pin a private CA. */
	const char *ca = getenv("SESAME_CA_FILE");
	int n = ca && *ca ? gt.certificate_set_x509_trust_file(credentials, ca, GNUTLS_X509_FMT_PEM)
			  : gt.certificate_set_x509_system_trust(credentials);
	if (n <= 0) {
		snprintf(load_error, sizeof load_error, "no trusted certificates loaded from %s",
			 ca && *ca ? "SESAME_CA_FILE" : "the system store");
		load_result = SESAME_ENETWORK;
		return;
	}
	load_result = 0;
}

/* Waits until the socket is ready in the direction GnuTLS last needed. */
static int wait_ready(tls_session *s, long long deadline_ms)
{
	short events = gt.record_get_direction(s->session) ? POLLOUT : POLLIN;
	for (;;) {
		long long left = deadline_ms - text_clock_ms();
		if (left <= 0)
			return sesame_error_set(SESAME_ENETWORK, "timeout", "timed out in tls");
		struct pollfd pfd = {s->fd, events, 0};
		int n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return sesame_error_set(SESAME_ENETWORK, "network", "poll failed: %s",
						strerror(errno));
	}
}

static int tls_fail(int rc, const char *what)
{
	return sesame_error_set(SESAME_ENETWORK, "tls", "tls %s failed: %s", what, gt.strerror(rc));
}

int tls_connect(tls_session **out, int fd, const char *host, long long deadline_ms)
{
	pthread_once(&load_once, load_gnutls);
	if (load_result == SESAME_EUNSUPPORTED)
		return sesame_error_set(SESAME_EUNSUPPORTED, "tls_unavailable",
					"https needs GnuTLS: %s", load_error);
	if (load_result)
		return sesame_error_set(load_result, "tls", "%s", load_error);

	tls_session *s = calloc(1, sizeof *s);
	if (!s)
		return sesame_error_nomem();
	s->fd = fd;
	int rc = gt.init(&s->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
	if (rc < 0) {
		free(s);
		return tls_fail(rc, "setup");
	}
	rc = gt.set_default_priority(s->session);
	if (rc >= 0)
		rc = gt.credentials_set(s->session, GNUTLS_CRD_CERTIFICATE, credentials);
	/* SNI only for names: RFC 6066 forbids IP literals there. */
	if (rc >= 0 && !strchr(host, ':') && strspn(host, "0123456789.") != strlen(host))
		rc = gt.server_name_set(s->session, GNUTLS_NAME_DNS, host, strlen(host));
	if (rc < 0) {
		gt.deinit(s->session);
		free(s);
		return tls_fail(rc, "setup");
	}
	/* Verifies the chain and that the certificate names `host`. */
	gt.session_set_verify_cert(s->session, host, 0);
	gt.transport_set_int2(s->session, fd, fd);
	for (;;) {
		rc = gt.handshake(s->session);
		if (rc == 0)
			break;
		if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
			if (wait_ready(s, deadline_ms)) {
				tls_close(s);
				return SESAME_ENETWORK;
			}
			continue;
		}
		int err = rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR
				  ? sesame_error_set(SESAME_ENETWORK, "tls_certificate",
						     "the certificate of '%s' is not trusted or does "
						     "not name it (set SESAME_CA_FILE for a private CA)",
						     host)
				  : tls_fail(rc, "handshake");
		tls_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int tls_send_all(tls_session *s, const void *data, size_t len, long long deadline_ms)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = gt.record_send(s->session, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
			if (wait_ready(s, deadline_ms))
				return SESAME_ENETWORK;
		} else {
			return tls_fail((int)n, "send");
		}
	}
	return 0;
}

int tls_recv(tls_session *s, void *buf, size_t cap, size_t *got, long long deadline_ms)
{
	for (;;) {
		ssize_t n = gt.record_recv(s->session, buf, cap);
		if (n >= 0) {
			*got = (size_t)n;
			return 0;
		}
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
			if (wait_ready(s, deadline_ms))
				return SESAME_ENETWORK;
			continue;
		}
		if (n == GNUTLS_E_PREMATURE_TERMINATION) {
			*got = 0; /* closed without close_notify: the parser sees EOF */
			return 0;
		}
		return tls_fail((int)n, "receive");
	}
}

int tls_pending(tls_session *s)
{
	return gt.record_check_pending(s->session) > 0;
}

void tls_close(tls_session *s)
{
	if (!s)
		return;
	gt.bye(s->session, GNUTLS_SHUT_WR); /* non-blocking: best effort */
	gt.deinit(s->session);
	free(s);
}
