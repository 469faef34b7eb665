# SPDX-License-Identifier: Apache-2.0
"""The SDK end to end: libsesame's invoke() API through the Python binding
(bindings/python, ctypes) against the real sesamed.

A person's account is created and signed in with the real CLI
(SESAME_KDF=interactive); the binding authenticates with that session
(SessionAuth); the service-account tests create tokens with
`sesame service-account create --raw` and authenticate with them.

Under a sanitizer build, Python must load the ASan runtime first: the
tests then run again in a child pytest with LD_PRELOAD set (leak checks
off: the interpreter itself is not leak-clean).
"""
import asyncio
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))

PASSWORD = "correct horse battery staple"
SK_RE = re.compile(r"Secret Key:\s+(S1-[0-9A-Z-]{37})")


def build_dir():
    return os.environ.get("SESAME_BUILD_DIR", "")


def sanitized():
    try:
        with open(os.path.join(build_dir(), "CMakeCache.txt")) as f:
            return "SESAME_SANITIZE:BOOL=ON" in f.read()
    except OSError:
        return False


def asan_runtime():
    r = subprocess.run(["cc", "-print-file-name=libasan.so"], capture_output=True, text=True)
    return r.stdout.strip()


NEEDS_PRELOAD = sanitized() and "libasan" not in os.environ.get("LD_PRELOAD", "")
in_process = pytest.mark.skipif(NEEDS_PRELOAD, reason="runs in a child with the ASan runtime")


@pytest.mark.skipif(not NEEDS_PRELOAD, reason="only for sanitizer builds")
def test_sdk_python_under_asan():
    env = dict(os.environ, LD_PRELOAD=asan_runtime(),
               ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        os.path.join(HERE, "test_sdk_python.py"),
                        os.path.join(HERE, "test_sdk_examples.py")],
                       env=env, capture_output=True, text=True, timeout=800)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]


if not NEEDS_PRELOAD:
    os.environ.setdefault("SESAME_LIBRARY", os.path.join(build_dir(), "libsesame.so"))
    import sesame  # noqa: E402
    from sesame import SessionAuth, SyncClient  # noqa: E402


class Person:
    """A signed-in person: the CLI's home, session key and session file."""

    def __init__(self, tmp_path, url):
        self.url = url
        self.home = tmp_path / "home"
        self.home.mkdir(exist_ok=True)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
                    "SESAME_KDF": "interactive", "LC_ALL": "C"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]
        self.env.pop("LD_PRELOAD", None)

    def cli(self, *args, input=None):
        r = subprocess.run([os.path.join(build_dir(), "sesame"), *args], input=input,
                           capture_output=True, text=True, env=self.env, timeout=120)
        assert r.returncode == 0, f"sesame {' '.join(args)}: {r.stderr}"
        return r.stdout

    def sign_up(self):
        out = self.cli("account", "create", "--address", self.url, "--email",
                       "ann@example.com", "--name", "Ann", input=PASSWORD + "\n")
        sk = SK_RE.search(out).group(1)
        out = self.cli("signin", "--address", self.url, "--email", "ann@example.com",
                       input=f"{PASSWORD}\n{sk}\n")
        self.key = re.match(r"^export SESAME_SESSION=([A-Za-z0-9_-]{43})\n", out).group(1)
        self.env["SESAME_SESSION"] = self.key
        files = list((self.home / ".config" / "sesame").glob("session-*"))
        assert len(files) == 1
        self.session_file = str(files[0])
        return self

    def auth(self):
        return SessionAuth(self.key, self.session_file)


@pytest.fixture
def person(sesamed, tmp_path):
    return Person(tmp_path, sesamed.url).sign_up()


@pytest.fixture
def client(person):
    c = SyncClient(auth=person.auth(), integration_name="sdk-tests",
                   integration_version="1.0")
    yield c
    c.close()


def login(vault_id, title, password, tags=(), section=None):
    fields = [sesame.ItemField(id="username", title="username", field_type="Text",
                               value="ann", purpose="Username"),
              sesame.ItemField(id="password", title="password", field_type="Concealed",
                               value=password, purpose="Password")]
    sections = []
    if section:
        sections.append(sesame.ItemSection(id="s1", title=section))
        fields.append(sesame.ItemField(id="host", title="host", field_type="Text",
                                       value="db.internal", section_id="s1"))
    return sesame.ItemCreateParams(title=title, category="Login", vault_id=vault_id,
                                   fields=fields, sections=sections, tags=list(tags))


# ---- vaults and items ----

@in_process
def test_vaults_lifecycle(client):
    titles = sorted(v.title for v in client.vaults.list())
    assert len(titles) == 2  # Private and Shared
    v = client.vaults.create(title="Prod", description="production")
    assert re.match(r"^[a-z0-9]{26}$", v.id) and v.title == "Prod"
    assert v.vault_type == "userCreated"
    assert "Prod" in [x.title for x in client.vaults.list()]
    assert client.vaults.get_overview(v.id).description == "production"
    v2 = client.vaults.update(v.id, title="Production")
    assert v2.title == "Production" and v2.attribute_version == 2
    assert client.vaults.get(v.id).title == "Production"
    client.vaults.delete(v.id)
    with pytest.raises(sesame.NotFoundError) as e:
        client.vaults.get(v.id)
    assert e.value.kind == "vault_not_found"


@in_process
def test_items_lifecycle(client):
    v = client.vaults.create(title="Apps")
    it = client.items.create(login(v.id, "Database", "s3cret", tags=["db", "prod"],
                                   section="Server"))
    assert it.version == 1 and it.vault_id == v.id and it.title == "Database"
    got = client.items.get(v.id, it.id)
    assert [f.value for f in got.fields if f.id == "password"] == ["s3cret"]
    assert got.sections[0].title == "Server"
    # by title too (the client resolves names through the blind index)
    assert client.items.get(v.id, "database").id == it.id
    client.items.create(login(v.id, "Web", "w"))
    titles = sorted(o.title for o in client.items.list(v.id))
    assert titles == ["Database", "Web"]
    assert [o.title for o in client.items.list(v.id, sesame.ItemListFilter.by_tag("db"))] \
        == ["Database"]
    assert [o.id for o in client.items.list(v.id, sesame.ItemListFilter.by_title("WEB"))] \
        != []
    # put: full replace with optimistic concurrency
    got.fields[1].value = "n3w"
    put = client.items.put(got)
    assert put.version == 2
    with pytest.raises(sesame.ConflictError):
        client.items.put(got)  # still version 1 on our side
    assert client.secrets.resolve(f"op://Apps/Database/password") == "n3w"
    # archive: gone from the default list, present when asked for
    client.items.archive(v.id, it.id)
    assert [o.title for o in client.items.list(v.id)] == ["Web"]
    arch = client.items.list(v.id, sesame.ItemListFilter.by_state(active=False, archived=True))
    assert [(o.title, o.state) for o in arch] == [("Database", "archived")]
    client.items.delete(v.id, it.id)
    with pytest.raises(sesame.NotFoundError):
        client.items.get(v.id, it.id)


@in_process
def test_items_batch(client):
    v = client.vaults.create(title="Batch")
    params = [login(v.id, f"item {i}", f"pw{i}") for i in range(60)]
    params.append({"title": "", "category": "Login"})  # invalid: no title
    created = client.items.create_all(v.id, params)
    ok = [r.content for r in created.individual_responses if r.content]
    bad = [r.error for r in created.individual_responses if r.error]
    assert len(ok) == 60 and len(bad) == 1
    ids = [i.id for i in ok]
    got = client.items.get_all(v.id, ids[:55] + ["zzzzzzzzzzzzzzzzzzzzzzzzzz"])
    assert len(got.individual_responses) == 56
    assert got.individual_responses[3].content.fields[1].value == "pw3"
    assert got.individual_responses[-1].error.type == "itemNotFound"
    deleted = client.items.delete_all(v.id, ids)
    assert set(deleted.individual_responses) == set(ids)
    assert all(r.error is None for r in deleted.individual_responses.values())
    assert client.items.list(v.id) == []


# ---- secrets ----

@in_process
def test_resolve_and_resolve_all(client):
    v = client.vaults.create(title="Prod")
    it = client.items.create(login(v.id, "db", "hunter2", section="Server"))
    client.items.create(login(v.id, "twin", "a"))
    client.items.create(login(v.id, "twin", "b"))
    assert client.secrets.resolve("op://Prod/db/password") == "hunter2"
    assert client.secrets.resolve(f"op://{v.id}/{it.id}/password") == "hunter2"
    assert client.secrets.resolve("op://prod/DB/Server/host") == "db.internal"
    assert client.secrets.resolve("op://Prod/db/password?attribute=type") == "concealed"
    refs = ["op://Prod/db/password", "op://Prod/db/username", "op://Nope/db/password",
            "op://Prod/nope/password", "op://Prod/db/nope", "op://Prod/twin/password",
            "not a reference"]
    r = client.secrets.resolve_all(refs).individual_responses
    assert r[refs[0]].content.secret == "hunter2" and r[refs[0]].content.item_id == it.id
    assert r[refs[0]].content.vault_id == v.id
    assert r[refs[1]].content.secret == "ann"
    assert r[refs[2]].error.type == "vaultNotFound"
    assert r[refs[3]].error.type == "itemNotFound"
    assert r[refs[4]].error.type == "fieldNotFound"
    assert r[refs[5]].error.type == "tooManyItems"
    assert r[refs[6]].error.type == "parsing"
    with pytest.raises(sesame.AmbiguousError):
        client.secrets.resolve("op://Prod/twin/password")
    with pytest.raises(sesame.NotFoundError) as e:
        client.secrets.resolve("op://Prod/db/nope")
    assert e.value.kind == "field_not_found"
    with pytest.raises(sesame.InvalidArgumentError):
        client.secrets.resolve("op:/bad")


@in_process
def test_resolve_new_vault_by_another_client(person, client):
    assert client.vaults.list()  # the client caches the vault list
    with SyncClient(auth=person.auth()) as other:
        v = other.vaults.create(title="Fresh")
        other.items.create(login(v.id, "k", "v1"))
    assert client.secrets.resolve("op://Fresh/k/password") == "v1"


@in_process
def test_static_helpers():
    sesame.Secrets.validate_secret_reference("op://a/b/c")
    with pytest.raises(sesame.InvalidArgumentError) as e:
        sesame.Secrets.validate_secret_reference("op://a/b")
    assert e.value.kind == "invalid_reference"
    pw = sesame.Secrets.generate_password("letters,digits,20")
    assert len(pw) == 20 and pw.isalnum()
    assert re.match(r"^\d+\.\d+\.\d+$", sesame.library_version())


# ---- people and groups, permissions ----

@in_process
def test_groups_users_permissions(client):
    users = client.users.list()
    assert [u.email for u in users] == ["ann@example.com"]
    assert client.users.get(users[0].id).name == "Ann"
    groups = {g.group_type: g for g in client.groups.list()}
    assert {"owners", "administrators", "teamMembers"} <= set(groups)
    team = client.groups.get(groups["teamMembers"].id)
    assert team.title and team.id == groups["teamMembers"].id
    v = client.vaults.create(title="Shared infra", allow_admins_access=False)
    client.vaults.grant_group_permissions(v.id, [sesame.GroupAccess(
        team.id, sesame.VaultPermissions.READ)])
    acc = client.vaults.get(v.id, accessors=True).access
    assert any(a.accessor_uuid == team.id and a.permissions == 48 for a in acc)
    client.vaults.update_group_permissions([{"vaultId": v.id, "groupId": team.id,
                                             "permissions": 32}])
    acc = client.vaults.get(v.id, accessors=True).access
    assert any(a.accessor_uuid == team.id and a.permissions == 32 for a in acc)
    client.vaults.revoke_group_permissions(v.id, team.id)
    acc = client.vaults.get(v.id, accessors=True).access
    assert not any(a.accessor_uuid == team.id for a in acc)
    with pytest.raises(sesame.InvalidArgumentError):
        client.vaults.grant_group_permissions(v.id, [sesame.GroupAccess(team.id, 64)])


# ---- errors ----

@in_process
def test_error_mapping(person, client):
    with pytest.raises(sesame.UnsupportedError) as e:
        client.invoke("NoSuchOperation", {})
    assert e.value.kind == "unknown_operation"
    with pytest.raises(sesame.InvalidArgumentError) as e:
        client.invoke("ItemsGet", {"vault_id": 3})
    assert e.value.kind == "invalid_params"
    with pytest.raises(sesame.AuthenticationError) as e:
        SyncClient(auth=SessionAuth("A" * 43, person.session_file))
    with pytest.raises(sesame.AuthenticationError) as e:
        SyncClient(auth=SessionAuth(person.key, person.session_file + ".missing"))
    assert e.value.kind == "not_signed_in"
    with pytest.raises(sesame.InvalidArgumentError):
        SyncClient(auth="not-a-token")
    # Signed out: the session is revoked.
    person.cli("signout")
    with pytest.raises(sesame.TokenRevokedError):
        client.vaults.list()


class FakeServer:
    """Answers 429 (Retry-After) `fail` times, then an empty vault list."""

    def __init__(self, fail, status=429, retry_after="1"):
        self.fail, self.status, self.retry_after = fail, status, retry_after
        self.requests = []
        fake = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                fake.requests.append((self.path, dict(self.headers)))
                if fake.fail > 0:
                    fake.fail -= 1
                    body = json.dumps({"error": {"code": "rate_limited",
                                                 "message": "too many requests"}}).encode()
                    self.send_response(fake.status)
                    if fake.retry_after:
                        self.send_header("Retry-After", fake.retry_after)
                else:
                    body = b'{"vaults":[]}'
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@in_process
def test_rate_limit_and_retries(person):
    fake = FakeServer(fail=5)
    try:
        c = SyncClient(auth=person.auth(), server_url=fake.url, integration_name="ratetest",
                       integration_version="9.9")
        with pytest.raises(sesame.RateLimitExceededError) as e:
            c.vaults.list()
        assert e.value.retry_after == 1 and e.value.kind == "rate_limited"
        assert len(fake.requests) == 1  # no wait allowed by default: no retry
        assert fake.requests[0][1]["Sesame-Integration"] == "ratetest/9.9"
        c.close()
        fake.fail = 2
        c = SyncClient(auth=person.auth(), server_url=fake.url, max_retry_after=2)
        t = time.monotonic()
        assert c.vaults.list() == []  # waited for Retry-After twice, then succeeded
        assert time.monotonic() - t >= 1.9
        assert fake.requests[-1][1]["Sesame-Integration"] == "Unknown/Unknown"
        c.close()
    finally:
        fake.close()
    # 503 without Retry-After: jittered backoff, then success
    fake = FakeServer(fail=2, status=503, retry_after=None)
    try:
        with SyncClient(auth=person.auth(), server_url=fake.url) as c:
            assert c.vaults.list() == []
        assert len(fake.requests) == 3
    finally:
        fake.close()


@in_process
def test_network_failure_does_not_break_the_client(start_sesamed, tmp_path):
    from conftest import free_ports
    port = free_ports(1)[0]
    data = tmp_path / "data"
    srv = start_sesamed("--port", str(port), data_dir=data)
    p = Person(tmp_path, srv.url).sign_up()
    c = SyncClient(auth=p.auth(), max_attempts=1)
    assert len(c.vaults.list()) == 2
    assert srv.stop() == 0
    with pytest.raises(sesame.NetworkError) as e:
        c.vaults.list()
    assert e.value.kind == "network"
    start_sesamed("--port", str(port), data_dir=data)
    assert len(c.vaults.list()) == 2  # reconnected
    c.close()


# ---- cache ----

@in_process
def test_cache_ttl(person):
    with SyncClient(auth=person.auth(), cache_ttl=60) as c, \
            SyncClient(auth=person.auth()) as other:
        v = c.vaults.create(title="Cached")
        it = c.items.create(login(v.id, "k", "one"))
        assert c.secrets.resolve("op://Cached/k/password") == "one"
        assert c.items.get(v.id, it.id).fields[1].value == "one"
        # Changed by another client: this one serves its cache until the TTL ends.
        got = other.items.get(v.id, it.id)
        got.fields[1].value = "two"
        other.items.put(got)
        assert c.secrets.resolve("op://Cached/k/password") == "one"
        assert c.items.get(v.id, it.id).fields[1].value == "one"
        # A write through the client itself empties the cache.
        c.items.create(login(v.id, "other", "x"))
        assert c.secrets.resolve("op://Cached/k/password") == "two"


# ---- asyncio ----

@in_process
def test_asyncio_100_parallel_resolves(person):
    async def main():
        client = await sesame.Client.authenticate(auth=person.auth(),
                                                  integration_name="async-test",
                                                  integration_version="1.0")
        try:
            v = await client.vaults.create(title="Async")
            refs = []
            for i in range(10):
                await client.items.create(login(v.id, f"svc{i}", f"secret-{i}"))
                refs.append((f"op://Async/svc{i}/password", f"secret-{i}"))
            jobs = [client.secrets.resolve(refs[i % 10][0]) for i in range(100)]
            values = await asyncio.gather(*jobs)
            assert values == [refs[i % 10][1] for i in range(100)]
            all_ = await client.secrets.resolve_all([r for r, _ in refs])
            assert [all_.individual_responses[r].content.secret for r, _ in refs] == \
                [s for _, s in refs]
            with pytest.raises(sesame.NotFoundError):
                await client.secrets.resolve("op://Async/none/password")
        finally:
            client.close()
    asyncio.run(main())


@in_process
def test_threads_share_one_client(client):
    v = client.vaults.create(title="Threads")
    client.items.create(login(v.id, "t", "shared"))
    errors, out = [], []

    def work():
        try:
            for _ in range(20):
                out.append(client.secrets.resolve("op://Threads/t/password"))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and out == ["shared"] * 160


# ---- packaging ----

def test_pip_install_offline(tmp_path):
    py = "/usr/bin/python3"
    if subprocess.run([py, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        pytest.skip("no pip for /usr/bin/python3 (docs/sdk.md: install by copying the package)")
    target = tmp_path / "site"
    r = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                        "--no-deps", "--target", str(target),
                        os.path.join(ROOT, "bindings", "python")],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1",
                                TMPDIR=str(tmp_path)))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (target / "sesame" / "client.py").exists()
    r = subprocess.run([py, "-c", "import sesame; print(sesame.__version__)"],
                       capture_output=True, text=True, env={"PYTHONPATH": str(target)})
    assert r.stdout.strip() == "0.1.0", r.stderr


@in_process
def test_other_python_on_path(person, client):
    """The binding also works with the python3 found on PATH (pyenv here)."""
    import shutil
    py = shutil.which("python3", path=os.environ.get("PATH", ""))
    if not py or os.path.realpath(py) == os.path.realpath(sys.executable):
        pytest.skip("no second python3 on PATH")
    v = client.vaults.create(title="Py")
    client.items.create(login(v.id, "k", "from-other-python"))
    script = ("import sys, sesame\n"
              "c = sesame.SyncClient(auth=sesame.SessionAuth(sys.argv[1], sys.argv[2]))\n"
              "print(c.secrets.resolve('op://Py/k/password'))\n")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    env["PYTHONPATH"] = os.path.join(ROOT, "bindings", "python")
    if sanitized():
        env["LD_PRELOAD"] = asan_runtime()
        env["ASAN_OPTIONS"] = "detect_leaks=0:verify_asan_link_order=0"
    r = subprocess.run([py, "-c", script, person.key, person.session_file], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "from-other-python\n"


# ---- service-account tokens (created with the CLI) ----

TOKEN_RE = re.compile(r"^sesame_sa_[A-Za-z0-9_-]{100,}$")


def make_sa(person, name, *args):
    out = person.cli("service-account", "create", name, *args, "--raw")
    token = out.strip()
    assert TOKEN_RE.match(token), "no token printed"
    return token


@pytest.fixture
def prod(person, client):
    v = client.vaults.create(title="Prod")
    for i in range(3):
        client.items.create(login(v.id, f"db{i}", f"pw-{i}", section="conn"))
    return v


class Proxy:
    """Forwards every request to sesamed and remembers each request's path and bearer."""

    def __init__(self, target):
        host, port = target.split("//")[1].split(":")
        self.seen = []
        proxy = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                auth = self.headers.get("Authorization", "")
                proxy.seen.append((self.command, self.path, auth))
                import http.client
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body, headers=hdrs)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = forward

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def signins(self):
        return [p for m, p, a in self.seen if p == "/v1/auth/signin"]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@in_process
def test_service_account_token(person, client, prod):
    token = make_sa(person, "ci", "--vault", "Prod:read_items")

    async def go():
        c = await sesame.Client.authenticate(auth=token, integration_name="sa-tests",
                                             integration_version="1.0")
        try:
            assert [v.title for v in await c.vaults.list()] == ["Prod"]
            assert await c.secrets.resolve("op://Prod/db1/password") == "pw-1"
            assert await c.secrets.resolve("op://Prod/db2/conn/host") == "db.internal"
            refs = [f"op://Prod/db{i}/password" for i in range(3)] + ["op://Prod/nope/x",
                                                                     "op://Private/a/b"]
            r = await c.secrets.resolve_all(refs)
            got = r.individual_responses
            assert [got[f"op://Prod/db{i}/password"].content.secret for i in range(3)] == \
                ["pw-0", "pw-1", "pw-2"]
            assert got["op://Prod/nope/x"].error.type == "itemNotFound"
            assert got["op://Private/a/b"].error.type == "vaultNotFound"
            listed = await c.items.list(prod.id)
            assert sorted(i.title for i in listed) == ["db0", "db1", "db2"]
            it = await c.items.get(prod.id, listed[0].id)
            assert it.title == listed[0].title
            # Read-only: writes are refused with the typed error.
            with pytest.raises(sesame.PermissionDeniedError):
                await c.items.create(login(prod.id, "new", "x"))
            rows = await c.rate_limit_usage()
            assert [(x.type, x.action) for x in rows] == [("token", "write"),
                                                          ("token", "read"),
                                                          ("account", "read_write")]
            assert rows[1].used >= 1 and rows[1].limit == 10000
        finally:
            c.close()
    asyncio.run(go())
    # The environment works too.
    os.environ["SESAME_SERVICE_ACCOUNT_TOKEN"] = token
    try:
        with SyncClient() as c:
            assert c.secrets.resolve("op://Prod/db0/password") == "pw-0"
    finally:
        del os.environ["SESAME_SERVICE_ACCOUNT_TOKEN"]


@in_process
def test_service_account_signs_in_again(sesamed, person, client, prod):
    """No server knob shortens a session (1 hour), so the session is ended for real:
    a proxy sees the SDK's bearer and the test signs it out on sesamed itself; the
    next call is answered 401 session_revoked and the SDK signs in again, once."""
    token = make_sa(person, "relogin", "--vault", "Prod:read_items")
    proxy = Proxy(sesamed.url)
    try:
        c = SyncClient(auth=token, server_url=proxy.url)
        assert c.secrets.resolve("op://Prod/db0/password") == "pw-0"
        assert len(proxy.signins()) == 1
        bearer = [a for m, p, a in proxy.seen if a.startswith("Bearer ")][-1]
        import http.client
        conn = http.client.HTTPConnection(sesamed.url.split("//")[1], timeout=10)
        conn.request("POST", "/v1/auth/signout", headers={"Authorization": bearer})
        assert conn.getresponse().status in (200, 204)
        conn.close()
        # resolve, resolve_all and an operation all work after one new sign-in.
        assert c.secrets.resolve_all(["op://Prod/db1/password"]).individual_responses[
            "op://Prod/db1/password"].content.secret == "pw-1"
        assert len(proxy.signins()) == 2
        assert [v.title for v in c.vaults.list()] == ["Prod"]
        assert len(proxy.signins()) == 2
        c.close()
    finally:
        proxy.close()


@in_process
def test_service_account_expired_and_revoked(person, client, prod):
    short = make_sa(person, "short", "--vault", "Prod", "--expires-in", "2s")
    c = SyncClient(auth=short)
    assert c.secrets.resolve("op://Prod/db0/password") == "pw-0"
    time.sleep(3)
    with pytest.raises(sesame.TokenExpiredError) as e:
        c.secrets.resolve("op://Prod/db0/password")
    assert e.value.kind == "token_expired"
    with pytest.raises(sesame.TokenExpiredError):
        c.vaults.list()
    c.close()
    with pytest.raises(sesame.TokenExpiredError):
        SyncClient(auth=short)

    doomed = make_sa(person, "doomed", "--vault", "Prod")
    c = SyncClient(auth=doomed)
    assert c.secrets.resolve("op://Prod/db0/password") == "pw-0"
    person.cli("service-account", "revoke", "doomed")
    with pytest.raises(sesame.TokenRevokedError) as e:
        c.secrets.resolve("op://Prod/db0/password")
    assert e.value.kind == "token_revoked"
    with pytest.raises(sesame.TokenRevokedError):
        c.items.list(prod.id)
    c.close()
    with pytest.raises(sesame.TokenRevokedError):
        SyncClient(auth=doomed)


# ---- files, rate-limit usage, events ----

@in_process
def test_item_files(client, prod):
    it = client.items.list(prod.id)[0]
    it = client.items.get(prod.id, it.id)
    blob = bytes(range(256)) * 40 + b"end"
    it2 = client.items.files.attach(it, sesame.FileCreateParams(
        name="cert.pem", content=blob, section_id="conn", field_id="certfile"))
    assert it2.version == it.version + 1
    assert [(f.attributes.name, f.attributes.size, f.section_id, f.field_id)
            for f in it2.files] == [("cert.pem", len(blob), "conn", "certfile")]
    attr = it2.files[0].attributes
    assert client.items.files.read(prod.id, it.id, attr) == blob
    assert client.items.files.read(prod.id, it.id, "cert.pem") == blob  # by name
    # A second, empty file, then deleting the first.
    it3 = client.items.files.attach(it2, sesame.FileCreateParams(
        name="empty", content=b"", section_id="conn", field_id="empty"))
    assert client.items.files.read(prod.id, it.id, it3.files[1].attributes) == b""
    it4 = client.items.files.delete(it3, "conn", "certfile")
    assert [f.attributes.name for f in it4.files] == ["empty"]
    with pytest.raises(sesame.NotFoundError):
        client.items.files.read(prod.id, it.id, attr)
    with pytest.raises(sesame.NotFoundError):
        client.items.files.delete(it4, "conn", "certfile")
    # A stale item is a conflict and changes nothing.
    with pytest.raises(sesame.ConflictError):
        client.items.files.attach(it2, sesame.FileCreateParams(name="x", content=b"x"))
    # Documents: replace the content.
    doc = client.invoke("ItemsCreate", {"params": {"title": "key", "category": "Document",
                                                   "vaultId": prod.id}})
    assert doc["category"] == "Document"


@in_process
def test_document_replace(person, client, prod):
    path = person.home / "a.txt"
    path.write_bytes(b"first content")
    person.cli("document", "create", str(path), "--vault", "Prod", "--title", "cfg")
    ov = [i for i in client.items.list(prod.id) if i.title == "cfg"][0]
    doc = client.items.get(prod.id, ov.id)
    assert doc.document.name == "a.txt"
    assert client.items.files.read(prod.id, doc.id, doc.document) == b"first content"
    new = client.items.files.replace_document(doc, sesame.DocumentCreateParams(
        name="b.txt", content=b"second"))
    assert new.document.name == "b.txt" and new.document.size == 6
    assert new.document.id != doc.document.id
    assert client.items.files.read(prod.id, doc.id, new.document) == b"second"
    with pytest.raises(sesame.NotFoundError):
        client.items.files.read(prod.id, doc.id, doc.document)
    with pytest.raises(sesame.InvalidArgumentError):
        client.items.files.replace_document(client.items.get(prod.id, [
            i for i in client.items.list(prod.id) if i.title == "db0"][0].id),
            sesame.DocumentCreateParams(name="x", content=b"x"))
    with pytest.raises(sesame.InvalidArgumentError):
        client.invoke("ItemsFilesAttach", {"item": new.to_dict(),
                                           "file_params": {"name": "x", "content": "***"}})


@in_process
def test_rate_limit_usage_and_events(client, prod):
    rows = client.rate_limit_usage()
    assert [(r.type, r.action) for r in rows] == [("token", "write"), ("token", "read"),
                                                  ("account", "read_write")]
    assert all(r.remaining == r.limit - r.used and r.reset > 0 for r in rows)
    first = client.events.list(limit=2)
    assert len(first.events) == 2 and first.has_more and first.cursor
    assert first.events[0].seq < first.events[1].seq
    every = client.events.all(limit=3)
    assert [e.id for e in every[:2]] == [e.id for e in first.events]
    assert len({e.id for e in every}) == len(every) > 5
    assert any(e.integration_name == "sdk-tests" for e in every)
    mine = client.events.all(vault_id=prod.id, limit=1000)
    assert mine and all(e.vault_id == prod.id for e in mine)
    t = every[-1].time
    since = client.events.list(start_time=t, limit=1000).events
    assert since and all(e.time >= t for e in since)
    with pytest.raises(sesame.InvalidArgumentError):
        client.events.list(cursor="not a cursor")
