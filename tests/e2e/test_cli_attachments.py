# SPDX-License-Identifier: Apache-2.0
"""Files attached to ordinary items through the CLI, op's way, end to end.

`item create|edit ... 'name[file]=PATH'` attaches (the label is the file
name), `'name[delete]'` removes, `item get` lists them (op's `files` in
JSON), `read op://vault/item/[section/]name[?attribute=...]` reads them.
The real `sesame` against the real sesamed; SESAME_KDF=interactive keeps
Argon2id fast.
"""
import os
import re
import sqlite3
import subprocess

import pytest

from test_cli_flows import Cli, sesame_bin
from test_cli_people import BOB_PASSWORD, bob_cli, invite_and_join

ALL_BYTES = bytes(range(256)) * 3
CONTENT_PATH_RE = re.compile(r"^/v1/vaults/([a-z0-9]{26})/items/([a-z0-9]{26})/files/"
                             r"([a-z0-9]{26})/content$")


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
    c.run("vault", "create", "Att")
    return c


def read_bytes(cli, ref, check=True):
    r = subprocess.run([sesame_bin(), "read", "-n", ref], capture_output=True, env=cli.env,
                       timeout=120)
    if check:
        assert r.returncode == 0, (ref, r.stderr)
        assert r.stderr == b"", r.stderr
    return r


def stored_file_ids(srv, data_dir):
    """The ids of the file contents the server keeps (stops sesamed first)."""
    assert srv.stop() == 0
    con = sqlite3.connect(str(data_dir / "sesame.db"))
    try:
        return {row[0] for row in con.execute("SELECT id FROM files")}
    finally:
        con.close()


def test_attach_binary_read_and_json(cli, tmp_path, srv, data_dir):
    blob = tmp_path / "key.bin"
    blob.write_bytes(ALL_BYTES)
    cert = tmp_path / "cert.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nMIIBsecretcert\n-----END CERTIFICATE-----\n")
    created = cli.json("item", "create", "--vault", "Att", "--category", "login", "--title",
                       "web", "username=admin", f"keyfile[file]={blob}",
                       f"tls.cert[file]={cert}")
    assert created["version"] == 1
    files = {f["name"]: f for f in created["files"]}
    assert set(files) == {"keyfile", "cert"}
    assert files["keyfile"]["size"] == len(ALL_BYTES)
    assert "section" not in files["keyfile"]
    assert files["cert"]["section"]["label"] == "tls"
    assert files["cert"]["section"]["id"] in {s["id"] for s in created["sections"]}
    for f in created["files"]:
        assert set(f) <= {"id", "name", "size", "content_path", "section"}
        m = CONTENT_PATH_RE.match(f["content_path"])
        assert m and m.groups() == (created["vault"]["id"], created["id"], f["id"]), f

    # item get lists them too, JSON and human.
    item = cli.json("item", "get", "web", "--vault", "Att")
    assert item["files"] == created["files"]
    human = cli.run("item", "get", "web", "--vault", "Att").stdout
    assert "Files:" in human
    assert re.search(r"keyfile:\s+768 bytes", human), human
    assert re.search(r"cert:\s+\d+ bytes \(section tls\)", human), human

    # read: content byte for byte, by name and by id, in a section, and the attributes.
    assert read_bytes(cli, "op://Att/web/keyfile").stdout == ALL_BYTES
    assert read_bytes(cli, f"op://Att/web/{files['keyfile']['id']}").stdout == ALL_BYTES
    assert read_bytes(cli, "op://Att/web/tls/cert").stdout == cert.read_bytes()
    assert read_bytes(cli, "op://Att/web/cert").stdout == cert.read_bytes()
    assert cli.run("read", "op://Att/web/keyfile?attribute=name").stdout == "keyfile\n"
    assert cli.run("read", "op://Att/web/keyfile?attribute=size").stdout == "768\n"
    assert cli.run("read", "op://Att/web/keyfile?attribute=id").stdout == \
        files["keyfile"]["id"] + "\n"
    assert cli.run("read", "op://Att/web/keyfile?attribute=type").stdout == "file\n"
    assert read_bytes(cli, "op://Att/web/keyfile?attribute=content").stdout == ALL_BYTES
    assert cli.run("read", "op://Att/web/tls/cert?attr=size").stdout == \
        f"{cert.stat().st_size}\n"
    # Fields still read as before; a field-only attribute on a file is refused.
    assert cli.run("read", "op://Att/web/username").stdout == "admin\n"
    assert "purpose" in cli.fail("read", "op://Att/web/keyfile?attribute=purpose")
    # inject reads a text attachment as well.
    out = cli.run("inject", input="cert: {{ op://Att/web/tls/cert }}\n").stdout
    assert "MIIBsecretcert" in out

    # Nothing of the contents or names is stored in plaintext.
    assert srv.stop() == 0
    stored = b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
    for secret in (ALL_BYTES[:64], ALL_BYTES[300:400], b"MIIBsecretcert", b"keyfile",
                   b"BEGIN CERTIFICATE"):
        assert secret not in stored


def test_edit_attach_replace_delete(cli, tmp_path):
    cli.run("item", "create", "--vault", "Att", "--title", "svc", "password=pw")
    a = tmp_path / "a.txt"
    a.write_bytes(b"first\x00content")
    r = cli.run("item", "edit", "svc", "--vault", "Att", f"creds[file]={a}",
                f"extra.notes[file]={a}")
    assert r.stdout == ""
    item = cli.json("item", "get", "svc", "--vault", "Att")
    assert item["version"] == 2
    assert sorted(f["name"] for f in item["files"]) == ["creds", "notes"]
    old = {f["name"]: f for f in item["files"]}
    assert read_bytes(cli, "op://Att/svc/creds").stdout == b"first\x00content"

    # The same label again replaces the file (new id and content; the old content goes).
    b = tmp_path / "b.txt"
    b.write_bytes(b"second")
    edited = cli.json("item", "edit", "svc", "--vault", "Att", f"creds[file]={b}")
    now = {f["name"]: f for f in edited["files"]}
    assert now["creds"]["id"] != old["creds"]["id"] and now["creds"]["size"] == 6
    assert now["notes"] == old["notes"]
    assert read_bytes(cli, "op://Att/svc/creds").stdout == b"second"
    assert read_bytes(cli, f"op://Att/svc/{old['creds']['id']}", check=False).returncode == 1

    # [delete] removes an attachment (in a section too) and its stored content.
    cli.run("item", "edit", "svc", "--vault", "Att", "creds[delete]", "extra.notes[delete]")
    item = cli.json("item", "get", "svc", "--vault", "Att")
    assert "files" not in item
    assert {f["id"] for f in item["fields"]} >= {"password"}
    err = cli.fail("read", "op://Att/svc/creds")
    assert "creds" in err
    assert "not found" in cli.fail("item", "edit", "svc", "--vault", "Att", "creds[delete]")
    # A field and a file of one label in one section would make references ambiguous.
    assert "field of that name" in cli.fail("item", "edit", "svc", "--vault", "Att",
                                            f"password[file]={a}")


def test_replaced_and_deleted_contents_are_gone_on_the_server(cli, tmp_path, srv, data_dir):
    a = tmp_path / "a.bin"
    a.write_bytes(os.urandom(100))
    item = cli.json("item", "create", "--vault", "Att", "--title", "t", f"f[file]={a}",
                    f"g[file]={a}", f"s.h[file]={a}")
    ids = {f["name"]: f["id"] for f in item["files"]}
    b = tmp_path / "b.bin"
    b.write_bytes(os.urandom(50))
    now = cli.json("item", "edit", "t", "--vault", "Att", f"f[file]={b}", "s.h[delete]")
    new_f = next(f["id"] for f in now["files"] if f["name"] == "f")
    # Attached then deleted in one command: never uploaded.
    cli.run("item", "edit", "t", "--vault", "Att", f"tmp[file]={b}", "tmp[delete]")
    assert [f["name"] for f in cli.json("item", "get", "t", "--vault", "Att")["files"]] == \
        ["f", "g"]
    assert stored_file_ids(srv, data_dir) == {new_f, ids["g"]}


def test_size_limits_and_bad_paths(cli, tmp_path, srv, data_dir):
    # The server takes 64K of ciphertext: the content may be 40 bytes less.
    ok = tmp_path / "ok.bin"
    ok.write_bytes(os.urandom(64 * 1024 - 40))
    cli.run("item", "create", "--vault", "Att", "--title", "ok", f"blob[file]={ok}")
    assert read_bytes(cli, "op://Att/ok/blob").stdout == ok.read_bytes()
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(64 * 1024 - 39))
    err = cli.fail("item", "create", "--vault", "Att", "--title", "big", f"blob[file]={big}")
    assert "over the limit" in err and "blob" in err
    # No half-made item is left behind.
    titles = [i["title"] for i in cli.json("item", "list", "--vault", "Att")]
    assert titles == ["ok"]
    # On edit the item is unchanged.
    err = cli.fail("item", "edit", "ok", "--vault", "Att", f"more[file]={big}")
    assert "over the limit" in err
    item = cli.json("item", "get", "ok", "--vault", "Att")
    assert item["version"] == 1 and [f["name"] for f in item["files"]] == ["blob"]
    # Over the client's own limit (16 MiB less 40): refused before anything is sent.
    huge = tmp_path / "huge.bin"
    with open(huge, "wb") as f:
        f.truncate(16 * 1024 * 1024)
    err = cli.fail("item", "create", "--vault", "Att", "--title", "huge", f"h[file]={huge}")
    assert "over the limit of 16777176 bytes" in err
    # Missing file, a directory, no path.
    assert "cannot open" in cli.fail("item", "create", "--vault", "Att", "--title", "m",
                                     f"x[file]={tmp_path / 'missing'}")
    assert "cannot read" in cli.fail("item", "create", "--vault", "Att", "--title", "m",
                                     f"x[file]={tmp_path}")
    assert "path" in cli.fail("item", "create", "--vault", "Att", "--title", "m", "x[file]=",
                              code=2)
    assert [i["title"] for i in cli.json("item", "list", "--vault", "Att")] == ["ok"]
    ok_id = cli.json("item", "get", "ok", "--vault", "Att")["files"][0]["id"]
    assert stored_file_ids(srv, data_dir) == {ok_id}


def test_empty_file_and_document_json(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    cli.run("item", "create", "--vault", "Att", "--title", "e", f"nothing[file]={empty}")
    r = read_bytes(cli, "op://Att/e/nothing")
    assert r.stdout == b""
    assert cli.run("read", "op://Att/e/nothing?attribute=size").stdout == "0\n"
    # A Document item shows its document in `files`, as op does.
    doc = tmp_path / "doc.txt"
    doc.write_text("document body")
    cli.run("document", "create", str(doc), "--vault", "Att")
    item = cli.json("item", "get", "doc.txt", "--vault", "Att")
    assert [f["name"] for f in item["files"]] == ["doc.txt"]
    assert CONTENT_PATH_RE.match(item["files"][0]["content_path"])


def test_view_only_member_cannot_download(start_sesamed, tmp_path):
    srv = start_sesamed()
    (tmp_path / "ann").mkdir()
    ann = Cli(tmp_path / "ann", srv.url)
    ann.create_account()
    ann.use(ann.signin())
    bob = bob_cli(tmp_path, srv.url)
    uid, bob_sk = invite_and_join(ann, bob)
    ann.run("user", "confirm", uid)
    ann.run("vault", "create", "Shared files")
    f = tmp_path / "s.bin"
    f.write_bytes(b"top secret bytes")
    ann.run("item", "create", "--vault", "Shared files", "--title", "box", f"sec[file]={f}")
    ann.run("vault", "user", "grant", "--vault", "Shared files", "--user", uid,
            "--permissions", "view_items")
    bob.use(bob.signin(email="bob@example.com", secret_key=bob_sk, password=BOB_PASSWORD))
    r = bob.run("read", "op://Shared files/box/sec", check=False)
    assert r.returncode == 1 and "top secret bytes" not in r.stdout + r.stderr
    # With view_and_copy_passwords the content reads.
    ann.run("vault", "user", "grant", "--vault", "Shared files", "--user", uid,
            "--permissions", "view_and_copy_passwords")
    assert bob.run("read", "-n", "op://Shared files/box/sec").stdout == "top secret bytes"


def test_assignment_usage_errors(cli, tmp_path):
    # An unknown type is still a usage error; the message names the field, not the value.
    err = cli.fail("item", "create", "--vault", "Att", "--title", "x", "f[fle]=/etc/hostname",
                   code=2)
    assert "'f'" in err and "fle" in err
    # The item help mentions [file].
    assert "[file]" in cli.run("item", "create", "--help").stdout
    assert "[file]" in cli.run("item", "edit", "--help").stdout
