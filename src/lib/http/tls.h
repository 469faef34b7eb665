/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SESAME_LIB_HTTP_TLS_H
#define SESAME_LIB_HTTP_TLS_H

/*
 * TLS for the HTTP client, through GnuTLS loaded with dlopen() the first
 * time an https:// server is used. Plain-HTTP users (loopback, tests, the
 * dev server) never pay GnuTLS's start-up: linking it costs ~1.7 ms per
 * process and loading the system trust store ~12 ms (docs/decisions.md 7).
 *
 * The server certificate is verified against the system trust store, or,
 * when the environment names one, only against SESAME_CA_FILE (PEM), for
 * self-hosted servers with a private CA or a self-signed certificate. The
 * host name (or IP address) of the URL must match the certificate.
 */

#include <stddef.h>

typedef struct tls_session tls_session;

/*
 * Runs the TLS handshake over the connected, non-blocking socket `fd`
 * before the monotonic `deadline_ms`. Returns 0, SESAME_EUNSUPPORTED when
 * GnuTLS cannot be loaded, or SESAME_ENETWORK (kind "tls") with the error
 * set, e.g. when the certificate does not verify.
 */
int tls_connect(tls_session **out, int fd, const char *host, long long deadline_ms);

/* Sends all of `len` bytes before the deadline; 0 or SESAME_ENETWORK. */
int tls_send_all(tls_session *s, const void *data, size_t len, long long deadline_ms);

/*
 * Receives up to `cap` bytes: *got > 0 bytes read, or *got == 0 when the
 * peer closed. Returns 0 or SESAME_ENETWORK (timeout or TLS failure).
 */
int tls_recv(tls_session *s, void *buf, size_t cap, size_t *got, long long deadline_ms);

/* True when decrypted bytes are buffered (an idle session must have none). */
int tls_pending(tls_session *s);

/* Sends close_notify (best effort, non-blocking) and frees the session. */
void tls_close(tls_session *s);

#endif
