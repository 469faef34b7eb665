# SPDX-License-Identifier: Apache-2.0
"""sesamed end to end: routes, errors, limits, keep-alive, TLS, settings, stop."""
import http.client
import json
import os
import signal
import socket
import sqlite3
import ssl
import stat
import time

import pytest

from conftest import free_ports, run_sesamed, tls_context

HEALTH = {"name": "sesamed", "version": "0.1.0",
          "dependencies": [{"service": "sqlite", "status": "ok"}]}


def assert_security_headers(headers):
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


def assert_error(status, headers, body, want_status, want_code):
    """The one error shape: {"error":{"code":..., "message":...}}, JSON, lowercase."""
    assert status == want_status, body
    assert headers["Content-Type"] == "application/json"
    assert_security_headers(headers)
    doc = json.loads(body)
    assert list(doc) == ["error"]
    assert sorted(doc["error"]) == ["code", "message"]
    assert doc["error"]["code"] == want_code
    msg = doc["error"]["message"]
    assert msg and msg[0] == msg[0].lower()
    return msg


def read_status_line(sock, limit=64 * 1024):
    """Reads a raw response's head from a socket; returns (status, head text)."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        try:
            chunk = sock.recv(4096)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    parts = head.split(" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None), data


# ---- routes ----

def test_health(sesamed):
    status, headers, body = sesamed.request("GET", "/v1/health")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert_security_headers(headers)
    assert json.loads(body) == HEALTH
    # Connect's path answers the same.
    assert sesamed.get_json("/health")[2] == HEALTH


def test_heartbeat(sesamed):
    for path in ("/v1/heartbeat", "/heartbeat"):
        status, headers, body = sesamed.request("GET", path)
        assert (status, body) == (200, b".")
        assert headers["Content-Type"].startswith("text/plain")
        assert_security_headers(headers)


def test_head_has_no_body(sesamed):
    status, headers, body = sesamed.request("HEAD", "/v1/health")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == len(json.dumps(HEALTH, separators=(",", ":")))


# ---- errors ----

def test_not_found_error_shape(sesamed):
    msg = assert_error(*sesamed.request("GET", "/v1/nope"), 404, "not_found")
    assert msg == "no route for '/v1/nope'"
    assert_error(*sesamed.request("GET", "/"), 404, "not_found")


def test_method_not_allowed_lists_allow(sesamed):
    for method in ("DELETE", "PUT", "OPTIONS"):
        status, headers, body = sesamed.request(method, "/v1/health")
        assert_error(status, headers, body, 405, "method_not_allowed")
        assert headers["Allow"] == "GET, HEAD"


def test_invalid_paths(sesamed):
    for path in ("/v1/%2e%2e/health", "/v1//health", "/v1/health/", "/v1/a%2Fb", "/v1/%zz"):
        assert_error(*sesamed.request("GET", path), 400, "invalid_path")


def test_body_on_get_is_rejected(sesamed):
    status, headers, body = sesamed.request("GET", "/v1/health", body=b"hello",
                                            headers={"Content-Type": "text/plain"})
    msg = assert_error(status, headers, body, 400, "body_not_allowed")
    assert msg == "'GET /v1/health' takes no request body"
    # The body was not read, so the server does not keep the connection.
    assert headers["Connection"] == "close"


def test_chunked_body_on_get_is_rejected(sesamed):
    with sesamed.raw_socket() as s:
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"5\r\nhello\r\n0\r\n\r\n")
        status, data = read_status_line(s)
    assert status == 400
    assert b'"body_not_allowed"' in data


def test_huge_header_is_431(sesamed):
    """A 1 MiB header line: MHD's connection memory limit answers 431."""
    for _ in range(3):  # a reset can beat the answer; bounded retries
        with sesamed.raw_socket() as s:
            try:
                s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ")
                chunk = b"a" * 65536
                for _ in range(16):
                    s.sendall(chunk)
                s.sendall(b"\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed before the end: fine
            status, _ = read_status_line(s)
        if status is not None:
            break
    assert status == 431
    # The server is unharmed.
    assert sesamed.request("GET", "/v1/heartbeat")[0] == 200


def test_many_headers_are_431(sesamed):
    with sesamed.raw_socket() as s:
        try:
            s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n" +
                      b"".join(b"X-H%d: v\r\n" % i for i in range(20000)) + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _ = read_status_line(s)
    assert status == 431


# ---- keep-alive ----

def test_keep_alive(sesamed):
    conn = sesamed.connection()
    try:
        conn.request("GET", "/v1/heartbeat")
        r1 = conn.getresponse()
        assert r1.read() == b"."
        assert r1.getheader("Connection") != "close"
        assert not r1.will_close
        sock1 = conn.sock
        local1 = sock1.getsockname()
        # An error answer keeps the connection too (queued on the last call).
        conn.request("GET", "/v1/nope")
        r2 = conn.getresponse()
        assert r2.status == 404 and r2.getheader("Connection") != "close"
        r2.read()
        conn.request("GET", "/v1/health")
        r3 = conn.getresponse()
        assert json.loads(r3.read()) == HEALTH
        # The same TCP connection served all three.
        assert conn.sock is sock1 and conn.sock.getsockname() == local1
    finally:
        conn.close()
    # The access log is written once a response is sent: wait for it, bounded.
    for _ in range(100):
        if sum(" request " in l for l in sesamed.logs().splitlines()) >= 3:
            break
        time.sleep(0.02)
    else:
        raise AssertionError("access log lacks the three requests:\n" + sesamed.logs())


# ---- listening and TLS ----

def test_refuses_non_loopback_without_tls(tmp_path):
    data = tmp_path / "data"
    r = run_sesamed("--listen", "0.0.0.0", "--port", "0", "--data-dir", str(data))
    assert r.returncode == 2
    assert "refusing to listen on '0.0.0.0' without tls" in r.stderr
    assert "--insecure-no-tls" in r.stderr
    assert r.stdout == ""
    assert not data.exists()  # refused before touching anything


def test_insecure_no_tls_starts(start_sesamed):
    srv = start_sesamed("--listen", "0.0.0.0", "--insecure-no-tls")
    assert srv.host == "0.0.0.0"
    assert srv.get_json("/v1/health")[2] == HEALTH  # reached over 127.0.0.1
    assert "insecure_no_tls" in srv.logs()


def test_ipv6_loopback(start_sesamed):
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    srv = start_sesamed("--listen", "::1")
    assert srv.listen_line == f"sesamed listening on http://[::1]:{srv.port}"
    assert srv.get_json("/v1/health")[0] == 200


def test_tls(start_sesamed, tls_files):
    cert, key = tls_files
    srv = start_sesamed("--tls-cert", str(cert), "--tls-key", str(key))
    assert srv.listen_line == f"sesamed listening on https://127.0.0.1:{srv.port}"
    srv.ssl_context = tls_context(cert)
    conn = srv.connection()
    try:
        for _ in range(2):  # keep-alive over TLS as well
            conn.request("GET", "/v1/health")
            r = conn.getresponse()
            assert r.status == 200 and json.loads(r.read()) == HEALTH
        assert conn.sock.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        conn.close()
    # Plain HTTP to the TLS port gets no HTTP answer.
    with srv.raw_socket(timeout=5) as s:
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(100)
        except (ConnectionResetError, socket.timeout):
            data = b""
        assert not data.startswith(b"HTTP/1.1 200")
    # An untrusting client refuses the self-signed certificate.
    srv.ssl_context = ssl.create_default_context()
    with pytest.raises(ssl.SSLCertVerificationError):
        srv.request("GET", "/v1/health")


def test_tls_needs_cert_and_key(tmp_path, tls_files):
    cert, _ = tls_files
    r = run_sesamed("--tls-cert", str(cert), "--port", "0", "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 2
    assert "tls-cert given without tls-key" in r.stderr
    r = run_sesamed("--tls-cert", str(cert), "--tls-key", str(tmp_path / "missing.pem"),
                    "--port", "0", "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 1
    assert "cannot read tls key" in r.stderr


# ---- settings ----

def test_precedence_flag_env_file(start_sesamed, tmp_path):
    p_file, p_env, p_flag = free_ports(3)
    conf = tmp_path / "sesamed.conf"
    conf.write_text(f"# test config\nport = {p_file}\ndata-dir = {tmp_path / 'fromfile'}\n")

    srv = start_sesamed("--config", str(conf), "--port", str(p_flag),
                        env={"SESAME_PORT": str(p_env)}, defaults=False)
    assert srv.port == p_flag
    assert srv.stop() == 0

    srv = start_sesamed("--config", str(conf), env={"SESAME_PORT": str(p_env)}, defaults=False)
    assert srv.port == p_env
    assert srv.stop() == 0

    srv = start_sesamed("--config", str(conf), defaults=False)
    assert srv.port == p_file
    assert (tmp_path / "fromfile" / "sesame.db").exists()
    assert srv.get_json("/v1/health")[0] == 200


def test_config_file_errors(tmp_path):
    conf = tmp_path / "sesamed.conf"
    conf.write_text("port = 0\n\nlistne = 127.0.0.1\n")
    r = run_sesamed("--config", str(conf))
    assert r.returncode == 2
    assert f"config file '{conf}' line 3: unknown key 'listne'" in r.stderr
    r = run_sesamed("--port", "99999")
    assert r.returncode == 2
    assert "invalid value '99999' for option '--port'" in r.stderr
    r = run_sesamed("--bogus")
    assert r.returncode == 2 and "unknown option '--bogus'" in r.stderr


def test_version_and_help():
    r = run_sesamed("--version")
    assert (r.returncode, r.stdout) == (0, "sesamed 0.1.0\n")
    r = run_sesamed("--help")
    assert r.returncode == 0
    for opt in ("--listen", "--port", "--data-dir", "--tls-cert", "--tls-key", "--log-level",
                "--log-format", "--insecure-no-tls", "--config", "--dev", "--version",
                "SESAME_PORT"):
        assert opt in r.stdout


def test_port_in_use(start_sesamed, tmp_path):
    srv = start_sesamed()
    r = run_sesamed("--port", str(srv.port), "--data-dir", str(tmp_path / "other"))
    assert r.returncode == 1
    assert f"cannot listen on '127.0.0.1' port {srv.port}" in r.stderr


# ---- data ----

def test_data_dir_and_db_modes(start_sesamed, tmp_path):
    data = tmp_path / "a" / "b" / "data"
    srv = start_sesamed(data_dir=data)
    assert srv.get_json("/v1/health")[0] == 200
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(data.parent).st_mode) == 0o700
    for name in ("sesame.db", "sesame.db-wal", "sesame.db-shm"):
        if (data / name).exists():
            assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name
    assert srv.stop() == 0
    # Schema version 1 was recorded, and the database is in WAL mode.
    db = sqlite3.connect(str(data / "sesame.db"))
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        (server_id,) = db.execute("SELECT server_id FROM meta").fetchone()
        assert len(server_id) == 26
    finally:
        db.close()


def test_newer_database_is_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    db = sqlite3.connect(str(data / "sesame.db"))
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()
    r = run_sesamed("--port", "0", "--data-dir", str(data))
    assert r.returncode == 1
    assert "schema version 999, newer than this sesamed knows" in r.stderr


# ---- logs ----

def test_access_log_hides_query_and_authorization(sesamed):
    secret = "sesame_live_" + "q" * 30
    status, _, _ = sesamed.request("GET", "/v1/health?token=hunter2",
                                   headers={"Authorization": f"Bearer {secret}"})
    assert status == 200
    assert sesamed.stop() == 0
    log = sesamed.logs()
    line = [l for l in log.splitlines() if " request " in l][0]
    assert 'method="GET"' in line and 'path="/v1/health"' in line
    assert "status=200" in line and "duration_us=" in line
    assert "hunter2" not in log and secret not in log and "Bearer" not in log


def test_json_logs(start_sesamed):
    srv = start_sesamed("--log-format", "json", env={"SESAME_LOG_LEVEL": "debug"})
    srv.request("GET", "/v1/heartbeat")
    assert srv.stop() == 0
    events = [json.loads(l) for l in srv.logs().splitlines() if l.strip()]
    listening = [e for e in events if e["event"] == "listening"]
    assert listening and listening[0]["url"] == f"http://127.0.0.1:{srv.port}"
    assert any(e["event"] == "request" and e["status"] == 200 for e in events)
    assert events[-1]["event"] == "stopped"


# ---- dev mode ----

def test_dev_mode(start_sesamed, tmp_path):
    srv = start_sesamed("--dev", "--port", "0", env={"TMPDIR": str(tmp_path)})
    out = srv.stdout_after_listen_line()
    assert "DEV MODE" in out
    assert f"curl http://127.0.0.1:{srv.port}/v1/health" in out
    dirs = [p for p in tmp_path.iterdir() if p.name.startswith("sesamed-dev-")]
    assert len(dirs) == 1 and (dirs[0] / "sesame.db").exists()
    assert stat.S_IMODE(os.stat(dirs[0]).st_mode) == 0o700
    assert srv.get_json("/v1/health")[0] == 200
    assert srv.stop() == 0
    assert not dirs[0].exists()  # thrown away on exit


# ---- stopping ----

def test_sigterm_with_slow_clients_exits_0(sesamed):
    # One client stuck half-way through its headers, one idle keep-alive one.
    slow = sesamed.raw_socket()
    slow.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    idle = sesamed.connection()
    idle.request("GET", "/v1/heartbeat")
    assert idle.getresponse().read() == b"."
    time.sleep(0.2)
    started = time.monotonic()
    assert sesamed.stop() == 0
    assert time.monotonic() - started < 5  # neither client holds the stop up
    slow.settimeout(5)
    try:
        assert slow.recv(100) == b""  # the server closed it
    except ConnectionResetError:
        pass
    slow.close()
    idle.close()
    log = sesamed.logs()
    assert 'stopping signal="SIGTERM"' in log and "stopped" in log


def test_sigint_exits_0(sesamed):
    assert sesamed.request("GET", "/v1/heartbeat")[0] == 200
    assert sesamed.stop(sig=signal.SIGINT) == 0


def test_stopped_server_refuses_connections(sesamed):
    port = sesamed.port
    assert sesamed.stop() == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
