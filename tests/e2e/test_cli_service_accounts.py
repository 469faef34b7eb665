# SPDX-License-Identifier: Apache-2.0
"""Service accounts end to end: the real sesamed and the real `sesame` CLI.

An owner creates service accounts with `sesame service-account create`;
the token is then used the way automation uses it, through
SESAME_SERVICE_ACCOUNT_TOKEN (or OP_SERVICE_ACCOUNT_TOKEN) with no
sign-in. The token is passed only through the environment, never argv.
Short expiries use `--expires-in 2s` (seconds are a documented unit).
"""
import base64
import hashlib
import hmac
import json
import re
import time

import pytest

from sesame_api import (Api, SignKey, b64u, error_code, mint_session, server_keys,
                        signin_message, unb64u)
from test_cli_flows import Cli, Target

TOKEN_RE = re.compile(r"^sesame_sa_[A-Za-z0-9_-]{100,}$")


@pytest.fixture
def server(sesamed, tmp_path):
    return Target(sesamed.url, sesamed, tmp_path / "data")


@pytest.fixture
def owner(tmp_path, server):
    cli = Cli(tmp_path, server.url)
    cli.create_account()
    cli.use(cli.signin())
    cli.run("vault", "create", "Prod")
    cli.run("vault", "create", "Staging")
    cli.run("item", "create", "--vault", "Prod", "--category", "login", "--title", "db",
            "username=app", "password=s3cret-prod")
    cli.run("item", "create", "--vault", "Staging", "--category", "login", "--title", "db",
            "username=app", "password=s3cret-staging")
    return cli


def make_sa(owner, *args):
    """Creates a service account with --raw; returns the token."""
    r = owner.run("service-account", "create", *args, "--raw")
    token = r.stdout.strip()
    assert TOKEN_RE.match(token), r.stdout
    assert r.stdout == token + "\n"
    return token


def sa_env(token, var="SESAME_SERVICE_ACCOUNT_TOKEN"):
    # No SESAME_SESSION: the token alone must do.
    return {var: token, "SESAME_SESSION": ""}


def as_sa(owner, token, *args, check=True, var="SESAME_SERVICE_ACCOUNT_TOKEN"):
    return owner.run(*args, env=sa_env(token, var), check=check)


def sa_fail(owner, token, *args, code=1):
    return owner.fail(*args, code=code, env=sa_env(token))


# ---- the token as a credential, from Python (for sessions held across a revoke) ----

def _hkdf_expand(prk, info):
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def token_parts(token):
    body = token[len("sesame_sa_"):]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    account, sa_id, seed = raw[1:27].decode(), raw[27:53].decode(), raw[53:85]
    return account, sa_id, seed


def sa_signin(server, token):
    """Signs the service account in over the API; returns (status, body)."""
    account, sa_id, seed = token_parts(token)
    prk = hmac.new(b"\x00" * 32, seed, hashlib.sha256).digest()
    key = SignKey(_hkdf_expand(prk, b"sesame keyset ed25519"))
    api = Api(server.sesamed)
    st, ch = api.post("/v1/auth/challenge", {"account_id": account, "principal_id": sa_id},
                      session="")
    if st != 200:
        return st, ch
    sig = key.sign(signin_message(unb64u(ch["challenge"]), sa_id))
    return api.post("/v1/auth/signin", {"principal_id": sa_id, "challenge": ch["challenge"],
                                        "signature": b64u(sig)}, session="")


# ---- creation and the permission matrix ----

def test_read_only_token_reads_and_cannot_write(owner):
    token = make_sa(owner, "ci-reader", "--vault", "Prod:read_items")
    # whoami with the token alone, both variable names.
    for var in ("SESAME_SERVICE_ACCOUNT_TOKEN", "OP_SERVICE_ACCOUNT_TOKEN"):
        who = json.loads(as_sa(owner, token, "whoami", "--format", "json", var=var).stdout)
        assert who["user_type"] == "SERVICE_ACCOUNT"
    vaults = json.loads(as_sa(owner, token, "vault", "list", "--format", "json").stdout)
    assert [v["name"] for v in vaults] == ["Prod"]
    got = json.loads(as_sa(owner, token, "item", "get", "db", "--vault", "Prod", "--reveal",
                           "--format", "json").stdout)
    assert any(f.get("value") == "s3cret-prod" for f in got["fields"])
    listed = json.loads(as_sa(owner, token, "item", "list", "--vault", "Prod", "--format",
                              "json").stdout)
    assert [i["title"] for i in listed] == ["db"]
    # Not granted: Staging is invisible.
    assert "not found" in sa_fail(owner, token, "item", "list", "--vault", "Staging")
    # Read-only: no writes, no edits, no deletes, no vault creation.
    err = sa_fail(owner, token, "item", "create", "--vault", "Prod", "--category", "login",
                  "--title", "new", "password=x")
    assert "create_items" in err
    sa_fail(owner, token, "item", "edit", "db", "--vault", "Prod", "password=changed")
    sa_fail(owner, token, "item", "delete", "db", "--vault", "Prod")
    assert "may not create vaults" in sa_fail(owner, token, "vault", "create", "Mine")
    # It can read users and groups, one by one too.
    assert "ann@example.com" in as_sa(owner, token, "user", "list").stdout
    assert "Owners" in as_sa(owner, token, "group", "list").stdout
    assert "ann@example.com" in as_sa(owner, token, "user", "get", "ann@example.com").stdout
    assert "Owners" in as_sa(owner, token, "group", "get", "Owners").stdout
    # vault get and read work with the token alone.
    v = json.loads(as_sa(owner, token, "vault", "get", "Prod", "--format", "json").stdout)
    assert v["name"] == "Prod"
    assert as_sa(owner, token, "read", "op://Prod/db/password").stdout == "s3cret-prod\n"


def test_write_token_writes(owner):
    token = make_sa(owner, "ci-writer", "--vault", "Prod:read_items,write_items")
    as_sa(owner, token, "item", "create", "--vault", "Prod", "--category", "password",
          "--title", "api key", "password=k1")
    as_sa(owner, token, "item", "edit", "api key", "--vault", "Prod", "password=k2")
    got = json.loads(owner.run("item", "get", "api key", "--vault", "Prod", "--reveal",
                               "--format", "json").stdout)
    assert any(f.get("value") == "k2" for f in got["fields"])
    as_sa(owner, token, "item", "delete", "api key", "--vault", "Prod")
    # Write is not share: the share bits are absent.
    sa = json.loads(owner.run("service-account", "get", "ci-writer", "--format", "json").stdout)
    assert sa["vaults"][0]["permissions"] == ["read_items", "write_items"]


def test_dependencies_are_checked_not_filled_in(owner):
    err = owner.fail("service-account", "create", "bad", "--vault", "Prod:write_items")
    assert "'write_items' requires 'read_items'" in err
    err = owner.fail("service-account", "create", "bad", "--vault", "Prod:share_items")
    assert "'share_items' requires 'read_items'" in err
    err = owner.fail("service-account", "create", "bad", "--vault", "Prod:admin", code=2)
    assert "unknown permission 'admin'" in err
    # Nothing was created by the refused attempts.
    assert json.loads(owner.run("service-account", "list", "--format", "json").stdout) == []


def test_built_in_vaults_are_refused(owner):
    err = owner.fail("service-account", "create", "bad", "--vault", "Private")
    assert "vault 'Private'" in err and "cannot be granted" in err
    err = owner.fail("service-account", "create", "bad", "--vault", "Shared:read_items")
    assert "vault 'Shared'" in err and "cannot be granted" in err


def test_api_refuses_built_in_vaults_and_missing_read(owner, server):
    """The server enforces the rules itself, whatever a client sends."""
    token = make_sa(owner, "probe", "--vault", "Prod")
    # A person's session is needed for the admin route: use the owner's via whoami's id.
    st, body = sa_signin(server, token)
    assert st == 200, body
    api = Api(server.sesamed, body["session"])
    # A service account cannot create service accounts (owners and admins only).
    st, err = api.post("/v1/service-accounts", {})
    assert st == 403 and error_code(err) == "forbidden"
    # Nor change its own grants through the access routes.
    vaults = api.get("/v1/vaults")[1]["vaults"]
    st, err = api.put(f"/v1/vaults/{vaults[0]['id']}/access/{body['principal']['id']}",
                      {"sealed_key": b64u(b"x" * 80), "permissions": 15730674})
    assert st in (403, 404), err


def test_grants_are_immutable(owner, server):
    """No route changes a service account's vaults: access rows, groups."""
    token = make_sa(owner, "fixed", "--vault", "Prod")
    sa = json.loads(owner.run("service-account", "get", "fixed", "--format", "json").stdout)
    who = owner.json("whoami")
    _, session_key, _ = server_keys(server.data_dir)
    admin = Api(server.sesamed, mint_session(session_key, who["user_uuid"],
                                             who["account_uuid"], 1, int(time.time()) + 600))
    prod = next(v for v in admin.get("/v1/vaults")[1]["vaults"]
                if v["id"] == sa["vaults"][0]["vault_id"])
    staging = next(v for v in admin.get("/v1/vaults")[1]["vaults"] if v["id"] != prod["id"]
                   and v["type"] == "user_created")
    st, err = admin.put(f"/v1/vaults/{prod['id']}/access/{sa['id']}",
                        {"sealed_key": b64u(b"x" * 80), "permissions": 15730674})
    assert st == 403 and "fixed at creation" in err["error"]["message"]
    st, err = admin.put(f"/v1/vaults/{staging['id']}/access/{sa['id']}",
                        {"sealed_key": b64u(b"x" * 80), "permissions": 48})
    assert st == 403, err
    st, err = admin.delete(f"/v1/vaults/{prod['id']}/access/{sa['id']}")
    assert st == 403, err
    groups = admin.get("/v1/groups")[1]["groups"]
    admins = next(g for g in groups if g["type"] == "administrators")
    st, err = admin.put(f"/v1/groups/{admins['id']}/members/{sa['id']}",
                        {"sealed_keyset": b64u(b"x" * 80)})
    assert st == 403, err
    # There is no route to edit one either.
    st, _ = admin.call("PATCH", f"/v1/service-accounts/{sa['id']}", {"name": "x"})
    assert st == 405
    # Still exactly what it was.
    vaults = json.loads(as_sa(owner, token, "vault", "list", "--format", "json").stdout)
    assert [v["name"] for v in vaults] == ["Prod"]


def test_can_create_vaults_and_delete_only_own(owner):
    token = make_sa(owner, "builder", "--vault", "Prod:read_items", "--can-create-vaults")
    as_sa(owner, token, "vault", "create", "Built by SA")
    names = [v["name"] for v in
             json.loads(as_sa(owner, token, "vault", "list", "--format", "json").stdout)]
    assert sorted(names) == ["Built by SA", "Prod"]
    as_sa(owner, token, "item", "create", "--vault", "Built by SA", "--category", "password",
          "--title", "own", "password=mine")
    # The owner sees it too (admins manage it by default).
    assert "Built by SA" in owner.run("vault", "list").stdout
    err = sa_fail(owner, token, "vault", "delete", "Prod")
    assert "forbidden" in err or "manage_vault" in err or "only vaults it created" in err
    as_sa(owner, token, "vault", "delete", "Built by SA")
    assert "Built by SA" not in owner.run("vault", "list").stdout
    # Without the flag: no vault creation.
    plain = make_sa(owner, "plain", "--vault", "Prod")
    assert "may not create vaults" in sa_fail(owner, plain, "vault", "create", "Nope")


def test_list_and_get_show_details(owner):
    make_sa(owner, "deploy bot", "--vault", "Prod:read_items,write_items,share_items",
            "--vault", "Staging", "--expires-in", "90d")
    out = owner.run("service-account", "list").stdout
    assert "deploy bot" in out and "ann@example.com" in out
    assert "Prod:read_items,write_items,share_items" in out and "Staging:read_items" in out
    sa = json.loads(owner.run("service-account", "get", "deploy bot", "--format",
                              "json").stdout)
    assert sa["name"] == "deploy bot" and sa["state"] == "active"
    assert sa["created_by_email"] == "ann@example.com"
    assert sa["expires_at"] and sa["last_used_at"] is None and sa["created_at"]
    assert {v["vault_name"]: v["permissions"] for v in sa["vaults"]} == {
        "Prod": ["read_items", "write_items", "share_items"], "Staging": ["read_items"]}
    human = owner.run("service-account", "get", sa["id"]).stdout
    assert "Created by:        ann@example.com" in human and "Last used at:      never" in human
    assert "Prod (" in human


def test_human_output_prints_token_once(owner):
    r = owner.run("service-account", "create", "human", "--vault", "Prod")
    tokens = re.findall(r"sesame_sa_[A-Za-z0-9_-]+", r.stdout)
    assert len(tokens) == 1
    assert "shown once" in r.stdout
    r = owner.run("service-account", "create", "jsonic", "--vault", "Prod", "--format", "json")
    doc = json.loads(r.stdout)
    assert TOKEN_RE.match(doc["token"]) and r.stdout.count("sesame_sa_") == 1
    # get and list never show a token.
    assert "sesame_sa_" not in owner.run("service-account", "list").stdout
    assert "sesame_sa_" not in owner.run("service-account", "get", "human").stdout


def test_last_used_at_is_recorded(owner):
    token = make_sa(owner, "user of things", "--vault", "Prod")
    as_sa(owner, token, "vault", "list")
    sa = json.loads(owner.run("service-account", "get", "user of things", "--format",
                              "json").stdout)
    assert sa["last_used_at"]


# ---- expiry, revocation, rotation ----

def test_expiry(owner):
    token = make_sa(owner, "short", "--vault", "Prod", "--expires-in", "2s")
    as_sa(owner, token, "vault", "list")
    time.sleep(3)
    err = sa_fail(owner, token, "vault", "list")
    assert "expired" in err
    sa = json.loads(owner.run("service-account", "get", "short", "--format", "json").stdout)
    assert sa["state"] == "expired"
    assert owner.fail("service-account", "create", "x", "--vault", "Prod", "--expires-in",
                      "soon", code=2)


def test_expiry_and_revocation_codes_over_the_api(owner, server):
    token = make_sa(owner, "codes", "--vault", "Prod", "--expires-in", "2s")
    st, body = sa_signin(server, token)
    assert st == 200, body
    api = Api(server.sesamed, body["session"])
    assert api.get("/v1/vaults")[0] == 200
    time.sleep(3)
    st, err = api.get("/v1/vaults")
    assert st == 401 and error_code(err) == "token_expired"
    st, err = sa_signin(server, token)
    assert st == 401 and error_code(err) == "token_expired"


def test_revocation_mid_session(owner, server):
    token = make_sa(owner, "doomed", "--vault", "Prod")
    st, body = sa_signin(server, token)
    assert st == 200, body
    api = Api(server.sesamed, body["session"])
    assert api.get("/v1/vaults")[0] == 200
    as_sa(owner, token, "item", "get", "db", "--vault", "Prod")
    out = owner.run("service-account", "revoke", "doomed").stdout
    assert "revoked" in out
    # The session issued before the revoke ends on its next request.
    st, err = api.get("/v1/vaults")
    assert st == 401 and error_code(err) == "token_revoked"
    st, err = sa_signin(server, token)
    assert st == 401 and error_code(err) == "token_revoked"
    assert "revoked" in sa_fail(owner, token, "item", "get", "db", "--vault", "Prod")
    sa = json.loads(owner.run("service-account", "get", "doomed", "--format", "json").stdout)
    assert sa["state"] == "revoked" and sa["revoked_at"]


def test_rotation(owner, server):
    old = make_sa(owner, "rotating", "--vault", "Prod:read_items,write_items",
                  "--vault", "Staging")
    as_sa(owner, old, "item", "get", "db", "--vault", "Prod")
    new = owner.run("service-account", "rotate", "rotating", "--raw").stdout.strip()
    assert TOKEN_RE.match(new) and new != old
    assert "revoked" in sa_fail(owner, old, "vault", "list")
    vaults = json.loads(as_sa(owner, new, "vault", "list", "--format", "json").stdout)
    assert sorted(v["name"] for v in vaults) == ["Prod", "Staging"]
    as_sa(owner, new, "item", "create", "--vault", "Prod", "--category", "password",
          "--title", "after rotation", "password=p")
    sa = json.loads(owner.run("service-account", "get", "rotating", "--format", "json").stdout)
    assert sa["state"] == "active" and sa["rotated_from"]
    assert {v["vault_name"]: v["permissions"] for v in sa["vaults"]} == {
        "Prod": ["read_items", "write_items"], "Staging": ["read_items"]}


def test_rotation_with_grace(owner):
    old = make_sa(owner, "graceful", "--vault", "Prod")
    new = owner.run("service-account", "rotate", "graceful", "--grace", "2s",
                    "--raw").stdout.strip()
    as_sa(owner, old, "vault", "list")
    as_sa(owner, new, "vault", "list")
    time.sleep(3)
    assert "revoked" in sa_fail(owner, old, "vault", "list")
    as_sa(owner, new, "vault", "list")


# ---- options and secrecy ----

def test_save_in_stores_an_api_credential(owner):
    r = owner.run("service-account", "create", "saved bot", "--vault", "Staging",
                  "--save-in", "Prod")
    assert "sesame_sa_" not in r.stdout and "vault 'Prod'" in r.stdout
    got = json.loads(owner.run("item", "get", "saved bot", "--vault", "Prod", "--reveal",
                               "--format", "json").stdout)
    assert got["category"] == "API_CREDENTIAL"
    token = next(f["value"] for f in got["fields"] if f.get("label") == "credential")
    assert TOKEN_RE.match(token)
    vaults = json.loads(as_sa(owner, token, "vault", "list", "--format", "json").stdout)
    assert [v["name"] for v in vaults] == ["Staging"]


def test_names_with_spaces(owner):
    token = make_sa(owner, "my ci bot 2", "--vault", "Prod")
    sa = json.loads(owner.run("service-account", "get", "my ci bot 2", "--format",
                              "json").stdout)
    assert sa["name"] == "my ci bot 2"
    owner.run("service-account", "revoke", "my ci bot 2")
    assert "revoked" in sa_fail(owner, token, "vault", "list")


def test_usage_errors(owner):
    owner.fail("service-account", "create", "x", code=2)
    owner.fail("service-account", "get", code=2)
    owner.fail("service-account", "frobnicate", code=2)
    assert "not found" in owner.fail("service-account", "get", "nobody")


def test_token_never_stored_or_logged(owner, server):
    tokens = [make_sa(owner, "secret keeper", "--vault", "Prod", "--vault", "Staging")]
    tokens.append(owner.run("service-account", "rotate", "secret keeper",
                            "--raw").stdout.strip())
    for t in tokens:
        as_sa(owner, t, "item", "get", "db", "--vault", "Prod", check=False)
    logs = server.sesamed.logs() if hasattr(server.sesamed, "logs") else ""
    stored = server.stored_bytes()
    for t in tokens:
        _, _, seed = token_parts(t)
        body = t[len("sesame_sa_"):]
        assert t.encode() not in stored and body[:40].encode() not in stored
        assert seed not in stored
        assert b64u(seed).encode() not in stored
        assert t not in logs and body[:40] not in logs and b64u(seed) not in logs


# ---- the offer to save the token, at a terminal ----

def _create_at_terminal(owner, name, answer):
    """Runs `service-account create` on a pseudo-terminal, answers the offer."""
    import os
    import pty
    import select
    from test_cli_flows import sesame_bin

    env = dict(owner.env)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sesame_bin(), [sesame_bin(), "service-account", "create", name, "--vault",
                                 "Prod"], env)
    out, answered, deadline = b"", False, time.time() + 60
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if not answered and b"Vault name (Enter to skip): " in out:
            os.write(fd, answer.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert answered, out
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_terminal_offer_saves_the_token(owner):
    code, out = _create_at_terminal(owner, "ci offered", "Prod")
    assert code == 0, out
    assert "stored in vault 'Prod'" in out
    assert "sesame_sa_" not in out  # saved, so never shown
    token = owner.run("item", "get", "ci offered", "--vault", "Prod", "--fields", "credential",
                      "--reveal").stdout.strip()
    assert TOKEN_RE.match(token)
    assert as_sa(owner, token, "whoami", "--format", "json").returncode == 0


def test_terminal_offer_can_be_skipped(owner):
    code, out = _create_at_terminal(owner, "ci skipped", "")
    assert code == 0, out
    assert re.search(r"sesame_sa_[A-Za-z0-9_-]{100,}", out)
    assert "ci skipped" not in owner.run("item", "list", "--vault", "Prod").stdout
