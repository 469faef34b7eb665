# SPDX-License-Identifier: Apache-2.0
"""Files of items and Document items end to end, and `sesamed --dev`.

The CLI tests drive the real `sesame` against the real sesamed; the
permission and limit tests talk to the API directly (sesame_api.py), since
the server decides them. SESAME_KDF=interactive keeps Argon2id fast.
"""
import os
import re
import selectors
import shlex
import stat
import subprocess
import time

import pytest

from sesame_api import PERM, add_member, create_account, error_code, item_doc, new_id, \
    rand, vault_doc
from test_cli_flows import ERROR_RE, Cli, sesame_bin

ALL_BYTES = bytes(range(256)) * 4


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def srv(start_sesamed, data_dir):
    return start_sesamed("--max-file-size", "64K", data_dir=data_dir)


@pytest.fixture
def cli(tmp_path, srv):
    c = Cli(tmp_path, srv.url)
    c.create_account()
    c.use(c.signin())
    c.run("vault", "create", "Files")
    return c


def run_bytes(cli, *args, input=None, check=True):
    r = subprocess.run([sesame_bin(), *args], input=input, capture_output=True,
                       env=cli.env, timeout=120)
    if check:
        assert r.returncode == 0, (args, r.stderr)
        assert r.stderr == b"", r.stderr
    return r


def test_document_binary_round_trip(cli, tmp_path, srv, data_dir):
    src = tmp_path / "all.bin"
    src.write_bytes(ALL_BYTES)
    doc_id = cli.run("document", "create", str(src), "--vault", "Files").stdout.strip()
    assert re.match(r"^[a-z0-9]{26}$", doc_id)
    # stdout by default, byte for byte; by id and by title.
    assert run_bytes(cli, "document", "get", "all.bin", "--vault", "Files").stdout == ALL_BYTES
    assert run_bytes(cli, "document", "get", doc_id, "--vault", "Files").stdout == ALL_BYTES
    # stdin, a title and a file name of our own.
    r = run_bytes(cli, "document", "create", "-", "--vault", "Files", "--title", "From stdin",
                  "--file-name", "in.dat", "--tags", "a,b", input=ALL_BYTES[::-1])
    assert run_bytes(cli, "document", "get", "From stdin", "--vault",
                     "Files").stdout == ALL_BYTES[::-1]
    # The item lists the file's attributes.
    item = cli.json("item", "get", "From stdin", "--vault", "Files")
    assert item["category"] == "DOCUMENT" and r.stdout.decode().strip() == item["id"]
    # --out-file: mode 0600 by default, refuses to overwrite without --force.
    out = tmp_path / "out.bin"
    cli.run("document", "get", "all.bin", "--vault", "Files", "--out-file", str(out))
    assert out.read_bytes() == ALL_BYTES
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert "--force" in cli.fail("document", "get", "all.bin", "--vault", "Files",
                                 "--out-file", str(out))
    cli.run("document", "get", "From stdin", "--vault", "Files", "--out-file", str(out),
            "--force", "--file-mode", "0640")
    assert out.read_bytes() == ALL_BYTES[::-1]
    # list shows documents only.
    cli.run("item", "create", "--vault", "Files", "--title", "Not a document", "password=x")
    titles = sorted(d["title"] for d in cli.json("document", "list", "--vault", "Files"))
    assert titles == ["From stdin", "all.bin"]
    assert "not a document" in cli.fail("document", "get", "Not a document", "--vault", "Files")
    # edit replaces the content (a new version); the old ciphertext is gone.
    new = tmp_path / "new.bin"
    new.write_bytes(b"\x00new content\xff")
    cli.run("document", "edit", "all.bin", str(new), "--vault", "Files")
    assert run_bytes(cli, "document", "get", "all.bin", "--vault", "Files").stdout == \
        b"\x00new content\xff"
    assert cli.json("item", "get", "all.bin", "--vault", "Files")["version"] == 2
    # archive, restore, delete.
    cli.run("document", "delete", "all.bin", "--vault", "Files", "--archive")
    assert [d["title"] for d in cli.json("document", "list", "--vault", "Files")] == \
        ["From stdin"]
    cli.run("item", "restore", "all.bin", "--vault", "Files")
    assert len(cli.json("document", "list", "--vault", "Files")) == 2
    cli.run("document", "delete", "all.bin", "--vault", "Files")
    cli.fail("document", "get", "all.bin", "--vault", "Files")
    # Nothing of any content, name or title is stored in plaintext.
    assert srv.stop() == 0
    stored = b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
    for secret in (ALL_BYTES[:64], ALL_BYTES[::-1][:64], b"new content", b"in.dat",
                   b"From stdin", b"all.bin"):
        assert secret not in stored


def test_document_empty_file(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    cli.run("document", "create", str(empty), "--vault", "Files")
    r = run_bytes(cli, "document", "get", "empty", "--vault", "Files")
    assert r.stdout == b""
    cli.run("document", "edit", "empty", "-", "--vault", "Files", input="now some\n")
    assert run_bytes(cli, "document", "get", "empty", "--vault", "Files").stdout == b"now some\n"


def test_document_size_limit(cli, tmp_path):
    # The server was started with --max-file-size 64K: ciphertext is 40 bytes more.
    ok = tmp_path / "ok.bin"
    ok.write_bytes(os.urandom(64 * 1024 - 40))
    cli.run("document", "create", str(ok), "--vault", "Files")
    assert run_bytes(cli, "document", "get", "ok.bin", "--vault",
                     "Files").stdout == ok.read_bytes()
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(64 * 1024 - 39))
    err = cli.fail("document", "create", str(big), "--vault", "Files")
    assert "over the limit" in err
    # The half-made item was removed again.
    assert [d["title"] for d in cli.json("document", "list", "--vault", "Files")] == ["ok.bin"]
    cli.fail("document", "create", str(tmp_path / "missing"), "--vault", "Files")
    cli.fail("document", "create", "--vault", "Files", code=2)
    cli.fail("document", "get", "ok.bin", code=2)


def test_file_routes_permissions_and_limits(start_sesamed, tmp_path):
    srv = start_sesamed("--max-file-size", "1K")
    acct = create_account(srv)
    bob = add_member(acct)
    doc = vault_doc(acct.user_id)
    assert acct.api.post("/v1/vaults", doc)[0] == 201
    vid = doc["vault_id"]
    it = item_doc()
    assert acct.api.post(f"/v1/vaults/{vid}/items", it)[0] == 201
    fid = new_id()
    path = f"/v1/vaults/{vid}/items/{it['id']}/files/{fid}"
    auth = {"Authorization": f"Bearer {acct.api.session}"}
    octet = dict(auth, **{"Content-Type": "application/octet-stream"})
    blob = os.urandom(200)
    st, _, body = acct.api.raw("PUT", path, blob, octet)
    assert st == 201, body
    st, hdrs, body = acct.api.raw("GET", path, None, auth)
    assert (st, body, hdrs["Content-Type"]) == (200, blob, "application/octet-stream")
    # Taken id, wrong type, too short, too large, unknown item.
    assert acct.api.raw("PUT", path, blob, octet)[0] == 409
    other = f"/v1/vaults/{vid}/items/{it['id']}/files/{new_id()}"
    assert acct.api.raw("PUT", other, blob, dict(auth, **{"Content-Type": "text/plain"}))[0] \
        == 415
    assert acct.api.raw("PUT", other, b"x" * 39, octet)[0] == 400
    assert acct.api.raw("PUT", other, b"x" * 1025, octet)[0] == 413
    assert acct.api.raw("PUT", other, b"x" * 1024, octet)[0] == 201
    st, _, body = acct.api.raw("PUT", f"/v1/vaults/{vid}/items/{new_id()}/files/{new_id()}",
                               blob, octet)
    assert st == 404
    # A view-only member sees the vault but can neither download nor upload.
    acct.api.put(f"/v1/vaults/{vid}/access/{bob.user_id}",
                 {"sealed_key": rand(80), "permissions": PERM["view_items"]})
    bauth = {"Authorization": f"Bearer {bob.api.session}"}
    st, _, body = bob.api.raw("GET", path, None, bauth)
    assert st == 403 and b"view_and_copy_passwords" in body
    st, _, _ = bob.api.raw("PUT", f"/v1/vaults/{vid}/items/{it['id']}/files/{new_id()}", blob,
                           dict(bauth, **{"Content-Type": "application/octet-stream"}))
    assert st == 403
    assert bob.api.raw("DELETE", path, None, bauth)[0] == 403
    # Read access is enough to download; deleting needs edit_items.
    acct.api.put(f"/v1/vaults/{vid}/access/{bob.user_id}",
                 {"sealed_key": rand(80),
                  "permissions": PERM["view_items"] | PERM["view_and_copy_passwords"]})
    assert bob.api.raw("GET", path, None, bauth)[:3:2] == (200, blob)
    assert acct.api.raw("DELETE", path, None, auth)[0] == 204
    assert acct.api.raw("GET", path, None, auth)[0] == 404
    # Deleting the item deletes its files.
    assert acct.api.raw("GET", other, None, auth)[0] == 200
    assert acct.api.delete(f"/v1/vaults/{vid}/items/{it['id']}")[0] == 204
    assert acct.api.raw("GET", other, None, auth)[0] == 404


def test_item_template(cli):
    names = cli.run("item", "template", "list").stdout
    assert "Login" in names and "Database" in names and "Document" in names
    t = cli.json("item", "template", "get", "Login")
    ids = [f["id"] for f in t["fields"]]
    assert ids == ["username", "password", "notesPlain"]
    assert t["category"] == "LOGIN"
    db = cli.json("item", "template", "get", "Database")
    assert [f["id"] for f in db["fields"]][:6] == ["database_type", "hostname", "port",
                                                  "database", "username", "password"]
    assert cli.fail("item", "template", "get", "Nope", code=1)


# ---- sesamed --dev ----

def banner_done(out):
    rest = out.split(b"Read the demo secret:")
    return len(rest) == 2 and b"--reveal" in rest[1] and rest[1].endswith(b"\n\n")


def read_banner(proc, deadline, out=b""):
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while not banner_done(out) and time.monotonic() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    finally:
        sel.close()
    return out


def test_dev_mode_banner_commands_read_the_demo_secret(start_sesamed, tmp_path):
    srv = start_sesamed("--dev", "--port", "0")
    first = srv.stdout_after_listen_line(wait=0.5).encode()
    banner = read_banner(srv.proc, time.monotonic() + 60, first).decode()
    assert "DEV MODE" in banner and "KDF cost" in banner, banner
    block = banner.split("Read the demo secret:")[1]
    commands = [ln.strip() for ln in block.splitlines() if ln.startswith("    ")]
    assert len(commands) >= 2 and commands[0].startswith("eval $(sesame signin "), commands
    creds = re.search(r"< (\S+)\)", commands[0]).group(1)
    assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    # Run the printed commands verbatim, with `sesame` on the PATH.
    home = tmp_path / "devhome"
    home.mkdir()
    env = {"PATH": os.environ["SESAME_BUILD_DIR"] + ":/usr/bin:/bin", "HOME": str(home),
           "LC_ALL": "C"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    script = "set -e\n" + "\n".join(commands) + "\n"
    r = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, (script, r.stdout, r.stderr)
    lines = r.stdout.strip().splitlines()
    assert re.match(r"^[A-Za-z0-9_-]{24}$", lines[-1]), r.stdout
    if any(c.startswith("sesame read ") for c in commands):
        assert lines[-2] == lines[-1]  # item get and read agree
    # The secret is the demo item's password; the file holds the password and Secret Key.
    text = open(creds).read().splitlines()
    assert text[1].startswith("S1-") and lines[-1] not in text
