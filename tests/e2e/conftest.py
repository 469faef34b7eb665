# SPDX-License-Identifier: Apache-2.0
"""Fixtures that run the real sesamed for end-to-end tests.

Standard library only (works with /usr/bin/python3 and pyenv's python3).

    def test_something(sesamed):            # a server on 127.0.0.1, port 0
        status, headers, body = sesamed.request("GET", "/v1/health")

    def test_other(start_sesamed):          # a server with your own options
        srv = start_sesamed("--log-format", "json", env={"SESAME_PORT": "0"})

Every server started through these fixtures is stopped with SIGTERM at the
end of the test, and the test fails unless it exits 0 (under ASan that
also means: no leak). A server only ever listens on loopback here.
"""
import http.client
import json
import os
import re
import selectors
import signal
import socket
import ssl
import subprocess
import time

import pytest

START_TIMEOUT = 20  # seconds; ASan builds start slower
STOP_TIMEOUT = 20

LISTEN_LINE = re.compile(
    r"^sesamed listening on (https?)://(\[[0-9A-Fa-f:.]+\]|[0-9.]+):([0-9]+)$")


def build_dir():
    d = os.environ.get("SESAME_BUILD_DIR")
    if not d:
        raise pytest.UsageError(
            "SESAME_BUILD_DIR is not set: run through ctest, or set it to a build "
            "directory that contains sesamed")
    return d


def sesamed_path():
    path = os.path.join(build_dir(), "sesamed")
    if not os.access(path, os.X_OK):
        raise pytest.UsageError(f"no sesamed binary at '{path}'")
    return path


def clean_env(extra=None):
    """The environment without the caller's SESAME_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESAME_")}
    env.update(extra or {})
    return env


def run_sesamed(*args, env=None, timeout=30):
    """Runs sesamed to completion (for --version, refusals); returns CompletedProcess."""
    return subprocess.run([sesamed_path(), *args], env=clean_env(env), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


class Sesamed:
    """A running sesamed process and how to talk to it."""

    def __init__(self, proc, stderr_path, scheme, host, port, stdout_first, stdout_rest):
        self.proc = proc
        self._stdout_rest = stdout_rest
        self.stderr_path = stderr_path
        self.scheme = scheme
        self.host = host  # as printed: "127.0.0.1", "::1", "0.0.0.0"
        self.port = port
        self.listen_line = stdout_first
        self.ssl_context = None  # set by the caller for https

    @property
    def connect_host(self):
        """Where to connect: a wildcard bind is reached over loopback."""
        return {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)

    @property
    def url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def connection(self, timeout=10):
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.connect_host, self.port, timeout=timeout,
                                               context=self.ssl_context)
        return http.client.HTTPConnection(self.connect_host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        """One request on a fresh connection: (status, headers, body bytes)."""
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def get_json(self, path):
        status, headers, body = self.request("GET", path)
        return status, headers, json.loads(body)

    def raw_socket(self, timeout=10):
        return socket.create_connection((self.connect_host, self.port), timeout=timeout)

    def stdout_after_listen_line(self, wait=2.0):
        """What sesamed printed after its listening line (the dev banner)."""
        out = self._stdout_rest
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + wait
        try:
            while time.monotonic() < deadline:
                if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
                if out.endswith(b"\n\n"):
                    break
        finally:
            sel.close()
        self._stdout_rest = b""
        return out.decode("utf-8", "replace")

    def logs(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def running(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Signals the server and waits; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"sesamed did not stop within {timeout}s after {sig!r}")
        finally:
            if self.proc.stdout:
                self.proc.stdout.close()


def _read_listen_line(proc, deadline):
    """Reads stdout until the listening line, the process exits, or the deadline.

    Returns (line or None, bytes read after the line)."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    try:
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None, b""
            if not sel.select(timeout=min(left, 0.5)):
                if proc.poll() is not None:
                    return None, b""
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                return None, b""
            buf += chunk
    finally:
        sel.close()
    line, rest = buf.split(b"\n", 1)
    return line.decode("utf-8", "replace"), rest


def start(args, env, stderr_path, timeout=START_TIMEOUT):
    """Starts sesamed and waits for its listening line; returns a Sesamed."""
    stderr = open(stderr_path, "wb")
    try:
        proc = subprocess.Popen([sesamed_path(), *args], env=clean_env(env),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=stderr)
    finally:
        stderr.close()
    line, rest = _read_listen_line(proc, time.monotonic() + timeout)
    m = LISTEN_LINE.match(line or "")
    if not m:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            log = f.read()
        raise AssertionError(
            f"sesamed {' '.join(args)} did not start (exit {proc.returncode}); "
            f"stdout line {line!r}; stderr:\n{log}")
    host = m.group(2).strip("[]")
    return Sesamed(proc, stderr_path, m.group(1), host, int(m.group(3)), line, rest)


@pytest.fixture
def start_sesamed(tmp_path):
    """Factory: start_sesamed(*args, env=None, data_dir=None) -> Sesamed.

    Unless the arguments say otherwise, the server listens on 127.0.0.1,
    port 0, with a data directory under the test's tmp_path. Servers still
    running at the end are stopped, and each must exit 0.
    """
    servers = []

    def _start(*args, env=None, data_dir=None, defaults=True):
        args = list(args)
        if defaults:
            if "--port" not in args and not any(a.startswith("--port=") for a in args) \
                    and "--dev" not in args and "SESAME_PORT" not in (env or {}):
                args += ["--port", "0"]
            if "--data-dir" not in args and "--dev" not in args and \
                    "SESAME_DATA_DIR" not in (env or {}):
                args += ["--data-dir", str(data_dir or tmp_path / "data")]
        srv = start(args, env, tmp_path / f"sesamed-{len(servers)}.log")
        servers.append(srv)
        return srv

    yield _start

    failures = []
    for srv in servers:
        if srv.proc.returncode is not None:
            continue  # the test stopped it and checked the status itself
        code = srv.stop()
        if code != 0:
            failures.append(f"sesamed on port {srv.port} exited {code}:\n{srv.logs()}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def sesamed(start_sesamed):
    """A sesamed on 127.0.0.1 (port 0) with a fresh data directory."""
    return start_sesamed()


@pytest.fixture
def tls_files(tmp_path):
    """A self-signed certificate for 127.0.0.1 and ::1: (cert path, key path)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,IP:::1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    return cert, key


def tls_context(cert):
    ctx = ssl.create_default_context(cafile=str(cert))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def free_ports(n):
    """n distinct loopback ports that were free a moment ago."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()
