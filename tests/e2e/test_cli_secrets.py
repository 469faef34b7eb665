# SPDX-License-Identifier: Apache-2.0
"""`sesame read`, `inject` and `run` end to end: real sesamed, real CLI.

Covers every flag, the resolver's error classes, masking, signals, dotenv
files, the session cache (mode, key, invalidation) and the number of
requests a command costs (counted from sesamed's access log).
"""
import http.server
import json
import os
import re
import signal
import stat
import subprocess
import threading
import time

import pytest

from sesame_api import Api, mint_session, server_keys
from test_cli_flows import ERROR_RE, PASSWORD, Cli, sesame_bin

REQ_RE = re.compile(r'request method="([A-Z]+)" path="([^"]+)" status=(\d+)')
OTP_URI = "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"


class Env:
    """A signed-in CLI with a vault 'Dev' and a few items, plus the server log."""

    def __init__(self, cli, srv, data_dir):
        self.cli, self.srv, self.data_dir = cli, srv, data_dir

    def requests(self):
        return [(m.group(1), m.group(2), int(m.group(3)))
                for m in REQ_RE.finditer(self.srv.logs())]

    def count(self, fn):
        """Runs fn() and returns (its result, the requests it caused)."""
        before = len(self.requests())
        out = fn()
        for _ in range(50):  # the access log line is written after the answer
            time.sleep(0.02)
            after = self.requests()
            if len(after) == len(self.requests()):
                break
        return out, after[before:]

    def read(self, ref, *flags, **kw):
        return self.cli.run("read", *flags, ref, **kw).stdout


@pytest.fixture
def env(sesamed, tmp_path):
    cli = Cli(tmp_path, sesamed.url)
    cli.env["XDG_RUNTIME_DIR"] = str(tmp_path / "run")
    os.mkdir(tmp_path / "run", 0o700)
    cli.create_account()
    cli.use(cli.signin())
    cli.run("vault", "create", "Dev")
    cli.run("item", "create", "--vault", "Dev", "--title", "Db Main", "username=jane",
            "password=pa55-word", "conn.host=db.internal", "conn.port=5432",
            "otp[otp]=" + OTP_URI, "notesPlain=line one\nline two")
    cli.run("item", "create", "--vault", "Dev", "--title", "api", "key[password]=abc123")
    return Env(cli, sesamed, tmp_path / "data")


def item_id(cli, title, vault="Dev"):
    return cli.json("item", "get", title, "--vault", vault)["id"]


def vault_id(cli, name):
    return cli.json("vault", "get", name)["id"]


# ---- read ----

def test_read_values_and_attributes(env):
    r = env.read
    assert r("op://Dev/Db Main/password") == "pa55-word\n"
    assert r("op://dev/db main/username") == "jane\n"  # names ignore case
    assert r("op://Dev/Db Main/conn/host") == "db.internal\n"
    assert r("op://Dev/Db Main/port") == "5432\n"
    assert r("op://Dev/Db Main/notes") == "line one\nline two\n"
    assert r("op://Dev/Db Main/password?attribute=type") == "concealed\n"
    assert r("op://Dev/Db Main/password?attribute=purpose") == "PASSWORD\n"
    assert r("op://Dev/Db Main/username?attr=purpose") == "USERNAME\n"
    assert r("op://Dev/Db Main/password?attribute=id") == "password\n"
    assert r("op://Dev/Db Main/password?attribute=value") == "pa55-word\n"
    assert re.fullmatch(r"\d{6}\n", r("op://Dev/Db Main/otp?attribute=otp"))
    assert re.fullmatch(r"\d{6}\n", r("op://Dev/Db Main/otp?attribute=totp"))


def test_read_by_ids(env):
    cli = env.cli
    vid, iid = vault_id(cli, "Dev"), item_id(cli, "Db Main")
    assert env.read(f"op://{vid}/{iid}/password") == "pa55-word\n"
    assert env.read(f"op://Dev/{iid}/username") == "jane\n"
    assert env.read(f"op://{vid}/Db Main/username") == "jane\n"


def test_read_no_newline_and_out_file(env, tmp_path):
    cli = env.cli
    assert env.read("op://Dev/api/key", "-n") == "abc123"
    assert env.read("op://Dev/api/key", "--no-newline") == "abc123"
    out = tmp_path / "secret.txt"
    assert env.read("op://Dev/api/key", "-o", str(out)) == ""
    assert out.read_text() == "abc123\n"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    # An existing file needs --force; the replacement has the requested mode from the start.
    err = cli.fail("read", "op://Dev/api/key", "--out-file", str(out))
    assert "already exists" in err and "--force" in err
    cli.run("read", "op://Dev/Db Main/password", "--out-file", str(out), "--file-mode", "0640",
            "-f", "-n")
    assert out.read_text() == "pa55-word"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640
    # A symlink at the path is never followed.
    victim = tmp_path / "victim"
    victim.write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(victim)
    cli.fail("read", "op://Dev/api/key", "-o", str(link))
    cli.run("read", "op://Dev/api/key", "-o", str(link), "--force")
    assert victim.read_text() == "keep"
    assert not link.is_symlink() and link.read_text() == "abc123\n"
    assert cli.fail("read", "op://Dev/api/key", "-o", str(tmp_path / "m"), "--file-mode",
                    "999", code=2)
    assert cli.fail("read", "op://Dev/api/key", "--file-mode", "0600", code=2)


def test_read_usage(env):
    cli = env.cli
    assert "Usage:  sesame read" in cli.run("read", "--help").stdout
    cli.fail("read", code=2)
    cli.fail("read", "op://a/b/c", "op://a/b/d", code=2)
    cli.fail("read", "--bogus", "op://a/b/c", code=2)


@pytest.mark.parametrize("ref,message", [
    ("Dev/api/key", 'secret reference is not prefixed with "op://"'),
    ("op://Dev/api", "secret reference has invalid format"),
    ("op://Dev/api/key?attribute=colour", "unknown attribute 'colour'"),
    ("op://Nope/api/key", "no vault matched the secret reference query 'Nope'"),
    ("op://Dev/Nope/key", "no item matched the secret reference query 'Nope'"),
    ("op://Dev/api/nope", "nope"),
    ("op://Dev/Db Main/nosection/host", "nosection"),
    ("op://Dev/Twin/password", "more than one item matched the secret reference query 'Twin'"),
    ("op://Dev/Db Main/password?attribute=otp", ""),
    ("op://Dev/Db Main/password?ssh-format=openssh", ""),
    ("op://Dev/Db Main/password?attribute=size", ""),
])
def test_read_errors(env, ref, message):
    cli = env.cli
    if "Twin" in ref:
        cli.run("item", "create", "--vault", "Dev", "--title", "Twin", "password=twin-one-pw")
        cli.run("item", "create", "--vault", "Dev", "--title", "twin", "password=twin-two-pw")
    err = cli.fail("read", ref)
    assert err.count("\n") == 1, err
    assert f"could not read secret '{ref}'" in err
    assert message in err
    for secret in ("pa55-word", "abc123", "twin-one-pw", "twin-two-pw", "jane"):
        assert secret not in err


def test_read_error_kinds(env):
    cli = env.cli
    cli.run("vault", "create", "dev")  # two vaults named alike
    assert "more than one vault" in cli.fail("read", "op://DEV/api/key")
    cli.run("item", "create", "--vault", "Dev", "--title", "Dup", "a=1", "s.a=2", "t.a=3")
    # the default-section field wins; a section part picks one of the others
    assert env.read("op://" + vault_id(cli, "Dev") + "/Dup/a") == "1\n"
    assert env.read("op://" + vault_id(cli, "Dev") + "/Dup/t/a") == "3\n"
    cli.run("item", "create", "--vault", "Dev", "--title", "Dup2", "s.a=2", "t.a=3")
    assert "more than one field" in cli.fail("read", "op://" + vault_id(cli, "Dev") + "/Dup2/a")


def test_read_archived_item_is_ignored(env):
    cli = env.cli
    cli.run("item", "delete", "api", "--vault", "Dev", "--archive")
    assert "no item matched" in cli.fail("read", "op://Dev/api/key")


def test_read_files(env, tmp_path):
    cli = env.cli
    doc = tmp_path / "cert.pem"
    doc.write_bytes(b"-----BEGIN CERT-----\n\x00\x01binary\n")
    r = cli.run("document", "create", str(doc), "--vault", "Dev", "--title", "Cert",
                check=False)
    if r.returncode != 0:
        pytest.skip("documents are not available in this build: " + r.stderr.strip())
    got = subprocess.run([sesame_bin(), "read", "-n", "op://Dev/Cert/cert.pem"],
                         capture_output=True, env=cli.env, timeout=60)
    assert got.returncode == 0 and got.stderr == b"", got.stderr
    assert got.stdout == doc.read_bytes()
    assert env.read("op://Dev/Cert/cert.pem?attribute=name") == "cert.pem\n"
    assert env.read("op://Dev/Cert/cert.pem?attribute=size") == f"{len(doc.read_bytes())}\n"
    assert env.read("op://Dev/Cert/cert.pem?attribute=type") == "file\n"


# ---- inject ----

TEMPLATE = """db:
  user: {{ op://Dev/Db Main/username }}
  pass: "{{op://Dev/Db Main/password}}"
  key: op://Dev/api/key
  host: {{ op://$APP_VAULT/Db Main/conn/host }}
  port: {{ op://${MISSING:-Dev}/Db Main/port }}
"""

RENDERED = """db:
  user: jane
  pass: "pa55-word"
  key: abc123
  host: db.internal
  port: 5432
"""


def test_inject_stdin_and_files(env, tmp_path):
    cli = env.cli
    e = {"APP_VAULT": "Dev"}
    assert cli.run("inject", input=TEMPLATE, env=e).stdout == RENDERED
    tpl = tmp_path / "t.tpl"
    tpl.write_text(TEMPLATE)
    out = tmp_path / "out.yml"
    assert cli.run("inject", "-i", str(tpl), "-o", str(out), env=e).stdout == ""
    assert out.read_text() == RENDERED
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert "already exists" in cli.fail("inject", "-i", str(tpl), "-o", str(out), env=e)
    cli.run("inject", "--in-file", str(tpl), "--out-file", str(out), "--file-mode", "0400",
            "--force", env=e)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o400
    assert cli.run("inject", input="no references here\n").stdout == "no references here\n"
    assert "Usage:  sesame inject" in cli.run("inject", "--help").stdout


def test_inject_errors(env):
    cli = env.cli
    err = cli.fail("inject", input="a\nb: {{ op://Dev/api/nope }}\n")
    assert err.startswith("[ERROR]") and "line 2" in err and "op://Dev/api/nope" in err
    assert "MISSING" in cli.fail("inject", input="{{ op://$MISSING/api/key }}\n")
    assert "cannot open" in cli.fail("inject", "-i", "/nonexistent/tpl")
    cli.fail("inject", "extra", code=2)


# ---- run ----

def run(env, *args, input=None, extra=None, check=True):
    return env.cli.run("run", *args, input=input, env=extra, check=check)


def test_run_env_and_masking(env, tmp_path):
    e = {"DB_PASS": "op://Dev/Db Main/password", "PLAIN": "hello"}
    r = run(env, "--", "sh", "-c", 'echo "$DB_PASS $PLAIN"; echo "err $DB_PASS" >&2', extra=e,
            check=False)
    assert r.returncode == 0
    assert r.stdout == "<concealed by sesame> hello\n"
    assert r.stderr == "err <concealed by sesame>\n"
    r = run(env, "--no-masking", "--", "sh", "-c", 'echo "$DB_PASS"', extra=e)
    assert r.stdout == "pa55-word\n"
    r = run(env, "--", "sh", "-c", 'echo "$DB_PASS"', extra=dict(e, OP_RUN_NO_MASKING="true"))
    assert r.stdout == "pa55-word\n"
    # The child's argv never carries a secret; the environment does.
    r = run(env, "--no-masking", "--", "sh", "-c", 'cat /proc/$$/cmdline', extra=e)
    assert "pa55-word" not in r.stdout


def test_run_masking_split_multiline_binary_substring(env):
    cli = env.cli
    cli.run("item", "create", "--vault", "Dev", "--title", "multi",
            "long=xxabcxx", "short=abc", "ml=first\nsecond")
    e = {"L": "op://Dev/multi/long", "S": "op://Dev/multi/short", "M": "op://Dev/multi/ml"}
    script = ('printf "%s" "${L%%abc*}"; sleep 0.2; printf "%s\\n" "abc${L#*abc}";'
              'printf "[%s]\\n" "$S"; printf "%s\\n" "$M";'
              'printf "\\000\\377%s\\001\\n" "$S"')
    r = subprocess.run([sesame_bin(), "run", "--", "sh", "-c", script], capture_output=True,
                       env=dict(cli.env, **e), timeout=60)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert b"abc" not in out and b"first" not in out and b"second" not in out
    assert out == (b"<concealed by sesame>\n[<concealed by sesame>]\n<concealed by sesame>\n"
                   b"\x00\xff<concealed by sesame>\x01\n")


def test_run_exit_codes_and_signals(env, tmp_path):
    cli = env.cli
    assert run(env, "--", "sh", "-c", "exit 3", check=False).returncode == 3
    r = run(env, "--", "no-such-command-xyz", check=False)
    assert r.returncode == 127 and ERROR_RE.match(r.stderr)
    r = run(env, "--", "sh", "-c", "kill -KILL $$", check=False)
    assert r.returncode == -signal.SIGKILL
    # TERM sent to sesame reaches the child, whose exit code comes back.
    p = subprocess.Popen([sesame_bin(), "run", "--", "sh", "-c",
                          'trap "echo got-term; exit 7" TERM; echo ready; '
                          'while :; do sleep 0.05; done'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env, text=True)
    assert p.stdout.readline() == "ready\n"
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 7 and out == "got-term\n" and err == ""
    assert "Usage:  sesame run" in run(env, "--help").stdout
    assert run(env, check=False).returncode == 2
    assert run(env, "--bogus", "--", "true", check=False).returncode == 2


def test_run_dotenv_files(env, tmp_path):
    a = tmp_path / "a.env"
    a.write_text("# comment\n"
                 "export PASS=op://Dev/Db Main/password\n"
                 "KEY='op://Dev/api/key'\n"
                 "OVER=from-a\n"
                 "QUOTED=\"two\\nlines\" # trailing comment\n"
                 "VAULTED=\"op://${APP_VAULT}/Db Main/username\"\n"
                 "\n")
    b = tmp_path / "b.env"
    b.write_text("OVER=from-b\nSHELL_VAR=from-file\n")
    script = 'printf "%s|%s|%s|%s|%s|%s\\n" "$PASS" "$KEY" "$OVER" "$QUOTED" "$VAULTED" "$SHELL_VAR"'
    r = run(env, "--env-file", str(a), f"--env-file={b}", "--no-masking", "--", "sh", "-c",
            script, extra={"APP_VAULT": "Dev", "SHELL_VAR": "from-shell"})
    assert r.stdout == "pa55-word|abc123|from-b|two\nlines|jane|from-file\n"
    err = run(env, "--env-file", str(tmp_path / "missing.env"), "--", "true", check=False)
    assert err.returncode == 1 and "missing.env" in err.stderr
    bad = tmp_path / "bad.env"
    bad.write_text("OK=1\nnot a line\n")
    err = run(env, "--env-file", str(bad), "--", "true", check=False)
    assert err.returncode == 1 and "bad.env:2" in err.stderr
    c = tmp_path / "c.env"
    c.write_text("X=op://Dev/api/missing\n")
    err = run(env, "--env-file", str(c), "--", "true", check=False)
    assert err.returncode == 1 and "'X'" in err.stderr and "op://Dev/api/missing" in err.stderr


# ---- the session cache ----

def session_files(env, tmp_path):
    return list((tmp_path / "run" / "sesame").glob("session-*"))


def test_cache_file_private_and_useless_without_key(env, tmp_path):
    cli = env.cli
    env.read("op://Dev/api/key")
    files = session_files(env, tmp_path)
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(files[0].parent).st_mode) == 0o700
    raw = files[0].read_bytes()
    for plain in (b"Dev", b"Shared", b"abc123", b"pa55-word", b"jane", b"sesame_ses_"):
        assert plain not in raw
    other = cli.signin()  # another valid key opens another file, never this one
    files[0].rename(files[0].with_name("session-0000000000000000"))
    for key in (other[:-2] + ("AA" if other[-2:] != "AA" else "BB"), cli.env["SESAME_SESSION"]):
        err = cli.fail("read", "op://Dev/api/key", env={"SESAME_SESSION": key})
        assert "sign in again" in err


def test_warm_read_is_one_request(env):
    env.read("op://Dev/api/key")  # warm
    out, reqs = env.count(lambda: env.read("op://Dev/Db Main/password"))
    assert out == "pa55-word\n"
    assert [(m, p) for m, p, _ in reqs] == [("POST", "/v1/resolve")]
    # by ids too
    vid, iid = vault_id(env.cli, "Dev"), item_id(env.cli, "api")
    _, reqs = env.count(lambda: env.read(f"op://{vid}/{iid}/key"))
    assert [(m, p) for m, p, _ in reqs] == [("POST", "/v1/resolve")]


def test_cold_read_is_at_most_two_requests(env, tmp_path):
    for f in session_files(env, tmp_path):
        f.unlink()
    env.cli.use(env.cli.signin())
    _, reqs = env.count(lambda: env.read("op://Dev/api/key"))
    assert len(reqs) <= 2, reqs
    assert reqs[-1][:2] == ("POST", "/v1/resolve")


def test_hundred_references_are_one_resolve(env, tmp_path):
    cli = env.cli
    env.read("op://Dev/api/key")
    for i in range(5):
        cli.run("item", "create", "--vault", "Dev", "--title", f"svc {i}", f"token=t-{i}")
    refs = [f"op://Dev/svc {i % 5}/token" if i % 3 else "op://Dev/Db Main/password"
            for i in range(100)]
    tpl = "".join(f"V{i}={{{{ {r} }}}}\n" for i, r in enumerate(refs))
    out, reqs = env.count(lambda: cli.run("inject", input=tpl).stdout)
    assert out.count("\n") == 100 and "t-4" in out and "pa55-word" in out
    assert [p for _, p, _ in reqs] == ["/v1/resolve"]
    e = {f"V{i}": r for i, r in enumerate(refs)}
    out, reqs = env.count(lambda: run(env, "--no-masking", "--", "sh", "-c",
                                      'echo "$V1 $V3 $V4"', extra=e).stdout)
    assert out == "t-1 pa55-word t-4\n"
    assert [p for _, p, _ in reqs] == ["/v1/resolve"]


def test_new_vault_after_cache_is_found(env):
    cli = env.cli
    env.read("op://Dev/api/key")
    cli.run("vault", "create", "Later")
    cli.run("item", "create", "--vault", "Later", "--title", "x", "password=later-pw")
    assert env.read("op://Later/x/password") == "later-pw\n"


def owner_api(env):
    """An API client signed in as the CLI's owner (a session minted with the server key)."""
    who = env.cli.json("whoami")
    _, skey, _ = server_keys(str(env.data_dir))
    api = Api(env.srv)
    api.session = mint_session(skey, who["user_uuid"], who["account_uuid"], 1,
                               int(time.time()) + 600)
    return api, who["user_uuid"]


def test_revoked_access_with_warm_cache_fails(env):
    cli = env.cli
    cli.run("vault", "create", "Ops", "--allow-admins-to-manage", "false")
    cli.run("item", "create", "--vault", "Ops", "--title", "root", "password=ops-pw")
    assert env.read("op://Ops/root/password") == "ops-pw\n"  # cache warm with Ops' key
    api, uid = owner_api(env)
    vid = vault_id(cli, "Ops")
    # Keep view_items but take view_and_copy_passwords away: no more secrets.
    st, body = api.put(f"/v1/vaults/{vid}/access/{uid}",
                       {"sealed_key": "AAAA", "permissions": 32 | 2})
    if st != 200:
        pytest.skip(f"cannot change access here: {st} {body}")
    r = cli.run("read", "op://Ops/root/password", check=False)
    assert r.returncode == 1 and "ops-pw" not in r.stdout + r.stderr
    assert ERROR_RE.match(r.stderr)


def test_deleted_vault_with_warm_cache_fails(env):
    cli = env.cli
    cli.run("vault", "create", "Gone")
    cli.run("item", "create", "--vault", "Gone", "--title", "x", "password=gone-pw")
    assert env.read("op://Gone/x/password") == "gone-pw\n"
    cli.run("vault", "delete", "Gone")
    _, reqs = env.count(lambda: cli.fail("read", "op://Gone/x/password"))
    # one refused resolve, the list refetched, and no secret from the cache
    assert ("GET", "/v1/vaults") in [(m, p) for m, p, _ in reqs]
    assert "no vault matched" in cli.fail("read", "op://Gone/x/password")


def test_signed_out_session_fails(env):
    cli = env.cli
    env.read("op://Dev/api/key")
    key = cli.env["SESAME_SESSION"]
    cli.run("signout")
    err = cli.fail("read", "op://Dev/api/key", env={"SESAME_SESSION": key})
    assert "sign in" in err


# ---- op compatibility (driven the way op-js drives op) ----

OPJS_ENV = {"OP_INTEGRATION_NAME": "1Password for JavaScript", "OP_INTEGRATION_ID": "JS",
            "OP_INTEGRATION_BUILDNUMBER": "000113", "OP_FORMAT": "json"}


def opjs(env, args, input=None):
    r = subprocess.run([sesame_bin(), *args], input=input, capture_output=True, text=True,
                       env=dict(env.cli.env, **OPJS_ENV), timeout=60)
    return r


def test_op_js_style(env, tmp_path):
    r = opjs(env, ["read", "op://Dev/Db Main/password", "--no-newline", "--format=json"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "pa55-word", "")
    out = tmp_path / "o.txt"
    r = opjs(env, ["read", "op://Dev/api/key", f"--out-file={out}", "--file-mode=0600",
                   "--force"])
    assert r.returncode == 0 and r.stderr == "" and out.read_text() == "abc123\n"
    r = opjs(env, ["inject", "--in-file=/dev/stdin"], input="k={{ op://Dev/api/key }}\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, "k=abc123\n", "")
    r = opjs(env, ["read", "op://Dev/api/nope", "--format=json"])
    assert r.returncode == 1 and r.stdout == ""
    assert re.fullmatch(r"\[ERROR\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d [^\n]+\n", r.stderr)
    r = opjs(env, ["run", "--env-file=/dev/null", "--", "sh", "-c", "echo ok"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "ok\n", "")
    # OP_FORMAT=json is the default format of the JSON-speaking commands
    r = opjs(env, ["vault", "list"])
    assert r.returncode == 0 and r.stderr == ""
    assert "Dev" in [v["name"] for v in json.loads(r.stdout)]


class _Capture(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        _Capture.seen.append(dict(self.headers))
        n = int(self.headers.get("Content-Length", 0))
        self.rfile.read(n)
        body = b'{"error":{"code":"unavailable","message":"captured"}}'
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *a):
        pass


def test_integration_header_and_address_override(env):
    env.read("op://Dev/api/key")
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Capture)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        r = opjs(env, ["read", "op://Dev/api/key"])
        assert r.returncode == 0  # sanity: the real server
        e = dict(env.cli.env, **OPJS_ENV,
                 SESAME_ADDRESS=f"http://127.0.0.1:{srv.server_address[1]}")
        r = subprocess.run([sesame_bin(), "read", "op://Dev/api/key"], capture_output=True,
                           text=True, env=e, timeout=60)
        assert r.returncode == 1 and "captured" in r.stderr
        assert _Capture.seen
        h = {k.lower(): v for k, v in _Capture.seen[-1].items()}
        assert h["sesame-integration"] == "1Password for JavaScript (JS)/000113"
    finally:
        srv.shutdown()
        srv.server_close()


def test_service_account_cache(env, tmp_path):
    cli = env.cli
    r = cli.run("service-account", "create", "ci", "--vault", "Dev:read_items", "--raw",
                check=False)
    if r.returncode != 0:
        pytest.skip("service accounts are not available in this build")
    token = r.stdout.strip()
    sa = {"OP_SERVICE_ACCOUNT_TOKEN": token, "SESAME_SESSION": ""}
    first, reqs = env.count(lambda: cli.run("read", "op://Dev/api/key", env=sa).stdout)
    assert first == "abc123\n"
    _, reqs = env.count(lambda: cli.run("read", "op://Dev/api/key", env=sa).stdout)
    assert [p for _, p, _ in reqs] == ["/v1/resolve"]
    files = [f for f in (tmp_path / "run" / "sesame").iterdir()]
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files)
    assert all(token.encode() not in f.read_bytes() for f in files)
