# SPDX-License-Identifier: Apache-2.0
"""The sesame CLI end to end: account, sign-in, vaults, items, conflicts.

Every test drives the real `sesame` binary against the real sesamed (the
`sesamed` fixture of conftest.py). SESAME_KDF=interactive keeps Argon2id
fast (tests only).
"""
import json
import os
import re
import stat
import subprocess

import pytest

PASSWORD = "correct horse battery staple"
SK_RE = re.compile(r"Secret Key:\s+(S1-[0-9A-Z-]{37})")
ID_RE = re.compile(r"^[a-z0-9]{26}$")
ERROR_RE = re.compile(r"^\[ERROR\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")


def sesame_bin():
    path = os.path.join(os.environ["SESAME_BUILD_DIR"], "sesame")
    if not os.access(path, os.X_OK):
        raise pytest.UsageError(f"no sesame binary at '{path}'")
    return path


class Target:
    """The server under test: its URL, and a way to read everything it stored."""

    def __init__(self, url, sesamed, data_dir):
        self.url, self.sesamed, self.data_dir = url, sesamed, data_dir

    def stored_bytes(self):
        """Everything the server keeps, as bytes (stops sesamed first)."""
        assert self.sesamed.stop() == 0
        return b"".join(p.read_bytes() for p in sorted(self.data_dir.rglob("*"))
                        if p.is_file())


@pytest.fixture
def server(sesamed, tmp_path):
    return Target(sesamed.url, sesamed, tmp_path / "data")


@pytest.fixture
def server_url(server):
    return server.url


class Cli:
    """Runs the real binary with a private HOME; remembers the session key."""

    def __init__(self, tmp_path, url):
        self.url = url
        self.home = tmp_path / "home"
        self.home.mkdir(exist_ok=True)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
                    "SESAME_KDF": "interactive", "LC_ALL": "C"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]

    def run(self, *args, input=None, env=None, check=True):
        e = dict(self.env, **(env or {}))
        r = subprocess.run([sesame_bin(), *args], input=input, capture_output=True, text=True,
                           env=e, timeout=120)
        if check:
            assert r.returncode == 0, f"sesame {' '.join(args)}: {r.stderr}"
            assert r.stderr == "", r.stderr
        return r

    def fail(self, *args, code=1, input=None, env=None):
        r = self.run(*args, input=input, env=env, check=False)
        assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
        assert ERROR_RE.match(r.stderr), r.stderr
        return r.stderr

    def json(self, *args, **kw):
        return json.loads(self.run(*args, "--format", "json", **kw).stdout)

    def create_account(self, email="ann@example.com", name="Ann"):
        r = self.run("account", "create", "--address", self.url, "--email", email, "--name",
                     name, input=PASSWORD + "\n")
        m = SK_RE.search(r.stdout)
        assert m, r.stdout
        self.secret_key = m.group(1)
        self.account_id = re.search(r"Account ID:\s+([a-z0-9]{26})", r.stdout).group(1)
        return r.stdout

    def signin(self, email="ann@example.com", secret_key=None, password=PASSWORD):
        r = self.run("signin", "--address", self.url, "--email", email,
                     input=f"{password}\n{secret_key or self.secret_key}\n")
        m = re.match(r"^export SESAME_SESSION=([A-Za-z0-9_-]{43})\n", r.stdout)
        assert m, r.stdout
        return m.group(1)

    def use(self, key):
        self.env["SESAME_SESSION"] = key


@pytest.fixture
def cli(tmp_path, server_url):
    return Cli(tmp_path, server_url)


@pytest.fixture
def signed_in(cli):
    cli.create_account()
    cli.use(cli.signin())
    return cli


# ---- account and sign-in ----

def test_account_create_prints_kit_once(cli, tmp_path):
    out = cli.create_account()
    assert f"Sign-in address:  {cli.url}" in out
    assert "Email:            ann@example.com" in out
    assert f"Account ID:       {cli.account_id}" in out
    # The account is remembered for sign-in (no secret in that file).
    accounts = json.loads((cli.home / ".config" / "sesame" / "accounts.json").read_text())
    assert accounts["accounts"][0]["account_id"] == cli.account_id
    assert cli.secret_key not in json.dumps(accounts)


def test_account_create_kit_file(cli, tmp_path):
    kit = tmp_path / "kit.txt"
    r = cli.run("account", "create", "--address", cli.url, "--email", "bo@example.com",
                "--name", "Bo", "--kit-file", str(kit), input=PASSWORD + "\n")
    assert "Secret Key" not in r.stdout
    assert stat.S_IMODE(os.stat(kit).st_mode) == 0o600
    assert SK_RE.search(kit.read_text())


def test_account_create_needs_password(cli):
    cli.fail("account", "create", "--address", cli.url, "--email", "a@x.io", "--name", "A",
             input="")
    cli.fail("account", "create", "--email", "a@x.io", code=2)


def test_insecure_address_refused(cli):
    err = cli.fail("signin", "--address", "http://example.com", "--email", "a@x.io",
                   "--account", "a" * 26)
    assert "refusing plain http to 'example.com'" in err


def test_signin_whoami_signout(cli):
    cli.create_account()
    key = cli.signin()
    cli.use(key)
    human = cli.run("whoami").stdout
    assert f"URL:          {cli.url}" in human
    assert "Email:        ann@example.com" in human
    who = cli.json("whoami")
    assert who["email"] == "ann@example.com" and who["user_type"] == "HUMAN"
    assert ID_RE.match(who["user_uuid"]) and who["account_uuid"] == cli.account_id
    # The session file is private and unreadable without the key.
    files = list((cli.home / ".config" / "sesame").glob("session-*"))
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    data = files[0].read_bytes()
    assert b"ann@example.com" not in data and b"sesame_ses_" not in data
    other = "A" * 43
    cli.fail("whoami", env={"SESAME_SESSION": other})
    cli.run("signout")
    assert not files[0].exists()
    assert "not signed in" in cli.fail("whoami", env={"SESAME_SESSION": ""})
    cli.fail("whoami")


def test_signin_wrong_password(cli):
    cli.create_account()
    r = cli.run("signin", "--address", cli.url, "--email", "ann@example.com",
                input=f"wrong password\n{cli.secret_key}\n", check=False)
    assert r.returncode == 1 and r.stdout == ""
    assert ERROR_RE.match(r.stderr)
    assert "sign-in failed" in r.stderr or "cannot unlock" in r.stderr
    assert "wrong password" not in r.stderr


def test_signin_wrong_secret_key(cli):
    cli.create_account()
    # Same account tag, different random part: passes the local check, fails sign-in.
    sk = cli.secret_key
    bad = sk[:-1] + ("2" if sk[-1] != "2" else "3")
    r = cli.run("signin", "--address", cli.url, "--email", "ann@example.com",
                input=f"{PASSWORD}\n{bad}\n", check=False)
    assert r.returncode == 1 and r.stdout == ""
    assert bad not in r.stderr and PASSWORD not in r.stderr
    # Garbage is refused before any network use.
    err = cli.fail("signin", "--address", cli.url, "--email", "ann@example.com",
                   input=f"{PASSWORD}\nnot-a-key\n")
    assert "not-a-key" not in err


def test_signin_unknown_account(cli):
    err = cli.fail("signin", "--address", cli.url, "--email", "nobody@example.com",
                   input=f"{PASSWORD}\nS1\n")
    assert "pass --account" in err


# ---- vaults ----

def test_vault_lifecycle(signed_in):
    cli = signed_in
    names = sorted(v["name"] for v in cli.json("vault", "list"))
    assert names == ["Private", "Shared"]
    v = cli.json("vault", "create", "Prod", "--description", "production")
    assert ID_RE.match(v["id"]) and v["name"] == "Prod"
    assert v["description"] == "production" and v["attribute_version"] == 1
    assert v["type"] == "USER_CREATED"
    assert cli.json("vault", "get", "Prod")["id"] == v["id"]
    assert cli.json("vault", "get", v["id"])["name"] == "Prod"
    assert cli.json("vault", "get", "prod")["id"] == v["id"]  # case-insensitive fallback
    listing = cli.json("vault", "ls")
    assert {"id", "name", "content_version", "created_at", "updated_at", "items"} <= \
        set(listing[0])
    assert "Prod" in cli.run("vault", "list").stdout
    cli.run("vault", "edit", "Prod", "--name", "Production")
    e = cli.json("vault", "get", v["id"])
    assert e["name"] == "Production" and e["attribute_version"] == 2
    assert "vault 'Prod' not found" in cli.fail("vault", "get", "Prod")
    cli.run("vault", "rm", "Production")
    assert "vault 'Production' not found" in cli.fail("vault", "get", "Production")
    cli.fail("vault", "delete", "Private")
    cli.fail("vault", "create", code=2)
    cli.fail("vault", "create", "X", "--allow-admins-to-manage", "maybe", code=2)
    cli.json("vault", "create", "Solo", "--allow-admins-to-manage=false")


# ---- items ----

def test_item_lifecycle(signed_in):
    cli = signed_in
    cli.run("vault", "create", "Dev")
    it = cli.json("item", "create", "--vault", "Dev", "--category", "login", "--title",
                  "GitHub", "--tags", "dev,ci", "--url", "https://github.com",
                  "--generate-password=letters,digits,20", "username=jane",
                  "db.port[text]=5432")
    assert ID_RE.match(it["id"]) and it["version"] == 1
    assert it["category"] == "LOGIN" and it["title"] == "GitHub"
    assert it["vault"]["name"] == "Dev" and it["tags"] == ["dev", "ci"]
    assert it["urls"] == [{"primary": True, "href": "https://github.com"}]
    fields = {f["label"]: f for f in it["fields"]}
    assert fields["username"]["value"] == "jane"
    assert fields["username"]["purpose"] == "USERNAME"
    pw = fields["password"]
    assert pw["type"] == "CONCEALED" and pw["purpose"] == "PASSWORD"
    assert re.fullmatch(r"[A-Za-z0-9]{20}", pw["value"])
    assert pw["reference"] == "op://Dev/GitHub/password"
    assert fields["port"]["section"]["label"] == "db"
    assert fields["port"]["reference"] == "op://Dev/GitHub/db/port"
    for f in it["fields"]:
        assert {"id", "type", "label", "value", "reference"} <= set(f)

    human = cli.run("item", "get", "GitHub", "--vault", "Dev").stdout
    assert "jane" in human and pw["value"] not in human and "--reveal" in human
    assert pw["value"] in cli.run("item", "get", "GitHub", "--vault", "Dev", "--reveal").stdout
    assert cli.run("item", "get", "github", "--vault", "Dev", "--fields", "label=username",
                   ).stdout == "jane\n"
    both = cli.run("item", "get", it["id"], "--vault", "Dev", "--fields",
                   "label=username,password", "--reveal").stdout
    assert both == f"jane,{pw['value']}\n"
    one = cli.json("item", "get", "GitHub", "--vault", "Dev", "--fields", "username")
    assert one["value"] == "jane" and one["id"] == "username"
    # Without --vault the item is found across vaults.
    assert cli.json("item", "get", "GitHub")["id"] == it["id"]

    listing = cli.json("item", "list", "--vault", "Dev")
    assert [i["id"] for i in listing] == [it["id"]]
    assert "fields" not in listing[0] and listing[0]["vault"]["name"] == "Dev"
    assert "GitHub" in cli.run("item", "ls", "--vault", "Dev").stdout

    cli.run("item", "edit", "GitHub", "--vault", "Dev", "username=john", "db.port[delete]")
    e = cli.json("item", "get", "GitHub", "--vault", "Dev")
    assert e["version"] == 2
    labels = {f["label"]: f["value"] for f in e["fields"]}
    assert labels["username"] == "john" and "port" not in labels
    assert labels["password"] == pw["value"]

    cli.run("item", "delete", "GitHub", "--vault", "Dev", "--archive")
    assert cli.json("item", "list", "--vault", "Dev") == []
    assert len(cli.json("item", "list", "--vault", "Dev", "--include-archive")) == 1
    cli.run("item", "rm", it["id"], "--vault", "Dev")
    assert "item 'GitHub' not found" in cli.fail("item", "get", "GitHub", "--vault", "Dev")
    assert "invalid assignment" in cli.fail("item", "create", "--vault", "Dev", "--title",
                                            "x", "novalue", code=2)


def test_server_stores_no_plaintext(signed_in, server):
    cli = signed_in
    cli.run("vault", "create", "Payroll Vault", "--description", "salaries of everyone")
    cli.run("item", "create", "--vault", "Payroll Vault", "--title", "Very Secret Title",
            "--tags", "tagtagtag", "--url", "https://hidden.example", "username=userzzz",
            "password=hunter2-value", "notesPlain=notes notes")
    assert "Very Secret Title" in cli.run("item", "list", "--vault", "Payroll Vault").stdout
    stored = server.stored_bytes()
    assert len(stored) > 1000
    for secret in ("Very Secret Title", "tagtagtag", "hidden.example", "userzzz",
                   "hunter2-value", "notes notes", "Payroll Vault", "salaries",
                   "Private", "Shared", PASSWORD, cli.secret_key,
                   cli.secret_key.replace("-", "")):
        assert secret.encode() not in stored, secret


def test_concurrent_edit_conflict(signed_in):
    cli = signed_in
    a = cli.env["SESAME_SESSION"]
    b = cli.signin()
    assert a != b
    it = cli.json("item", "create", "--vault", "Private", "--title", "Db", "password=one")
    # Session A edits first (version 1 -> 2).
    cli.run("item", "edit", "Db", "--vault", "Private", "password=two", env={
        "SESAME_SESSION": a})
    # Session B still believes version 1: the server refuses, nothing is lost.
    err = cli.fail("item", "edit", "Db", "--vault", "Private", "--expect-version", "1",
                   "password=three", env={"SESAME_SESSION": b})
    assert "changed since version 1" in err
    cur = cli.json("item", "get", it["id"], "--vault", "Private",
                   env={"SESAME_SESSION": b})
    assert cur["version"] == 2
    assert {f["label"]: f["value"] for f in cur["fields"]}["password"] == "two"
    # With the current version the edit goes through.
    cli.run("item", "edit", "Db", "--vault", "Private", "--expect-version", "2",
            "password=three", env={"SESAME_SESSION": b})
    assert cli.json("item", "get", "Db", "--vault", "Private")["version"] == 3


def test_usage_errors(cli):
    cli.fail("vault", code=2)
    cli.fail("item", "frobnicate", code=2)
    cli.fail("item", "get", "--bogus", code=2)
    cli.fail("whoami", "--format", "yaml", code=2)
    r = cli.run("item", "get", "--help")
    assert "--reveal" in r.stdout and "--fields" in r.stdout
