# SPDX-License-Identifier: Apache-2.0
"""People, groups and vault sharing through the sesame CLI, end to end.

The owner (Ann) and the invitee (Bob) each run the real `sesame` binary
with a HOME of their own against the real sesamed. Passwords, Secret Keys
and the invitation code go in on stdin, never in argv.
"""
import re

import pytest

from test_cli_flows import ERROR_RE, ID_RE, PASSWORD, SK_RE, Cli

BOB_PASSWORD = "bob's own long passphrase"


@pytest.fixture
def ann(tmp_path, sesamed):
    (tmp_path / "ann").mkdir()
    c = Cli(tmp_path / "ann", sesamed.url)
    c.create_account()
    c.use(c.signin())
    return c


def bob_cli(tmp_path, url):
    (tmp_path / "bob").mkdir(exist_ok=True)
    return Cli(tmp_path / "bob", url)


def invite_and_join(ann, bob, email="bob@example.com", name="Bob"):
    """Ann invites; Bob joins with the code on stdin. Returns (user id, Bob's Secret Key)."""
    inv = ann.json("user", "invite", email, "--name", name)
    assert ID_RE.match(inv["id"]) and inv["state"] == "INVITED"
    assert inv["account_id"] == ann.account_id and inv["address"] == ann.url
    code = inv["invite_code"]
    r = bob.run("account", "join", "--address", bob.url, f"--account={ann.account_id}",
                "--user", inv["id"], "--email", email,
                input=f"{code}\n{BOB_PASSWORD}\n")
    m = SK_RE.search(r.stdout)
    assert m, r.stdout
    assert f"Account ID:       {ann.account_id}" in r.stdout
    assert f"Email:            {email}" in r.stdout
    assert code not in r.stdout
    return inv["id"], m.group(1)


def test_invite_join_confirm_share_revoke_suspend(ann, tmp_path):
    bob = bob_cli(tmp_path, ann.url)
    # Human output of invite names the join command and the code (shown once).
    uid, bob_sk = invite_and_join(ann, bob)

    # Before confirmation Bob cannot sign in.
    bob.fail("signin", "--address", bob.url, "--email", "bob@example.com",
             input=f"{BOB_PASSWORD}\n{bob_sk}\n")
    users = {u["email"]: u for u in ann.json("user", "list")}
    assert users["bob@example.com"]["state"] == "PENDING"
    assert set(users["bob@example.com"]) == {"id", "name", "email", "type", "state",
                                            "created_at", "updated_at", "last_auth_at"}
    assert users["bob@example.com"]["type"] == "MEMBER"

    confirmed = ann.json("user", "confirm", "bob@example.com")
    assert confirmed["state"] == "ACTIVE" and confirmed["id"] == uid
    assert "not pending" in ann.fail("user", "confirm", uid)

    # Bob signs in (account id remembered from join) and sees the Shared vault.
    bob.use(bob.signin(email="bob@example.com", secret_key=bob_sk, password=BOB_PASSWORD))
    names = {v["name"] for v in bob.json("vault", "list")}
    assert names == {"Private", "Shared"}
    assert bob.json("whoami")["user_uuid"] == uid

    # Wrong password for Bob.
    msg = bob.fail("signin", "--address", bob.url, "--email", "bob@example.com",
                   input=f"not his password\n{bob_sk}\n")
    assert "sign-in failed" in msg and "not his password" not in msg

    # A group, Bob in it, a vault shared with the group (view permissions).
    g = ann.json("group", "create", "Ops", "--description", "on call")
    assert set(g) == {"id", "name", "description", "state", "created_at", "updated_at", "type"}
    assert (g["name"], g["description"], g["type"], g["state"]) == (
        "Ops", "on call", "USER_DEFINED", "ACTIVE")
    assert ann.json("group", "get", "ops")["id"] == g["id"]
    ann.run("group", "user", "add", "--group", "Ops", "--user", "bob@example.com")
    members = {m["email"] for m in ann.json("group", "user", "list", "Ops")}
    assert members == {"ann@example.com", "bob@example.com"}

    ann.run("vault", "create", "Prod")
    ann.run("item", "create", "--vault", "Prod", "--category", "login", "--title", "db",
            "username=admin", "password=s3cret-value")
    r = ann.run("vault", "group", "grant", "--vault", "Prod", "--group", "Ops",
                "--permissions", "allow_viewing")
    assert r.stdout == ("group 'Ops' now has on vault 'Prod': view_items, "
                        "view_and_copy_passwords, view_item_history\n")
    glist = ann.json("vault", "group", "list", "Prod")
    ops = next(x for x in glist if x["name"] == "Ops")
    assert sorted(ops["permissions"]) == ["view_and_copy_passwords", "view_item_history",
                                          "view_items"]

    # Bob reads the item through the group.
    item = bob.json("item", "get", "db", "--vault", "Prod")
    assert {f["id"]: f.get("value") for f in item["fields"]}["password"] == "s3cret-value"
    # ... and cannot edit it.
    msg = bob.fail("item", "edit", "db", "--vault", "Prod", "password=changed")
    assert "cannot edit the item" in msg and "edit_items" in msg
    assert "changed" not in msg.split("edit_items")[0].replace("cannot edit", "")

    # Bob keeps his session; Ann revokes the group's access: the server refuses him.
    bob_session = bob.env["SESAME_SESSION"]
    vault_id = ann.json("vault", "get", "Prod")["id"]
    item_id = item["id"]
    r = ann.run("vault", "group", "revoke", "--vault", "Prod", "--group", "Ops")
    assert "no longer has access" in r.stdout
    assert ann.json("vault", "group", "list", "Prod") == [
        x for x in ann.json("vault", "group", "list", "Prod") if x["name"] != "Ops"]
    bob.use(bob_session)
    msg = bob.fail("item", "get", item_id, "--vault", vault_id)
    assert f"'{vault_id}' not found" in msg
    assert "Prod" not in {v["name"] for v in bob.json("vault", "list")}

    # A direct user grant works too, and revoking part of it keeps the rest valid.
    ann.run("vault", "user", "grant", "--vault", "Prod", "--user", "bob@example.com",
            "--permissions=view_items,view_and_copy_passwords,edit_items")
    ulist = {u["email"]: u for u in ann.json("vault", "user", "list", "Prod")}
    assert sorted(ulist["bob@example.com"]["permissions"]) == [
        "edit_items", "view_and_copy_passwords", "view_items"]
    bob.run("item", "edit", "db", "--vault", "Prod", "username=bob")
    msg = ann.fail("vault", "user", "revoke", "--vault", "Prod", "--user", "bob@example.com",
                   "--permissions", "view_and_copy_passwords")
    assert "permission 'edit_items' requires 'view_and_copy_passwords'" in msg
    ann.run("vault", "user", "revoke", "--vault", "Prod", "--user", "bob@example.com",
            "--permissions", "edit_items")
    ulist = {u["email"]: u for u in ann.json("vault", "user", "list", "Prod")}
    assert sorted(ulist["bob@example.com"]["permissions"]) == [
        "view_and_copy_passwords", "view_items"]
    # Bob cannot manage the vault's access.
    msg = bob.fail("vault", "user", "list", "Prod")
    assert "manage_vault" in msg

    # Suspension ends Bob's live session at once; reactivation lets him sign in again.
    assert ann.json("user", "suspend", "bob@example.com")["state"] == "SUSPENDED"
    assert "suspended" in bob.fail("vault", "list")
    assert ann.json("user", "get", uid)["state"] == "SUSPENDED"
    ann.run("user", "reactivate", uid)
    bob.fail("vault", "list")  # the old session's generation is gone
    bob.use(bob.signin(email="bob@example.com", secret_key=bob_sk, password=BOB_PASSWORD))
    assert bob.json("item", "get", "db", "--vault", "Prod")["id"] == item_id

    # Members go, groups go.
    ann.run("group", "user", "remove", "--group", "Ops", "--user", "bob@example.com")
    assert {m["email"] for m in ann.json("group", "user", "list", "Ops")} == {
        "ann@example.com"}
    ann.run("group", "delete", "Ops")
    ann.fail("group", "get", "Ops")
    assert "cannot delete the group" in ann.fail("group", "delete", "Owners")


def test_permission_dependencies_and_usage(ann, tmp_path):
    bob = bob_cli(tmp_path, ann.url)
    uid, _ = invite_and_join(ann, bob)
    ann.run("user", "confirm", uid)
    ann.run("vault", "create", "Dev")
    base = ("vault", "user", "grant", "--vault", "Dev", "--user", "bob@example.com")
    # A missing dependency is named, never added.
    msg = ann.fail(*base, "--permissions", "edit_items")
    assert "permission 'edit_items' requires 'view_items' and 'view_and_copy_passwords'" in msg
    msg = ann.fail(*base, "--permissions", "view_and_copy_passwords")
    assert "permission 'view_and_copy_passwords' requires 'view_items'" in msg
    msg = ann.fail(*base, "--permissions", "allow_editing")
    assert "requires" in msg
    msg = ann.fail(*base, "--permissions", "allow_viewing,export_items,import_items")
    assert "permission 'import_items' requires 'create_items'" in msg
    assert ann.json("vault", "user", "list", "Dev") == [
        u for u in ann.json("vault", "user", "list", "Dev") if u["email"] != "bob@example.com"]
    # The broad names expand.
    out = ann.json(*base, "--permissions", "allow_viewing,allow_editing,allow_managing")
    assert len(out["permissions"]) == 12
    # Existing permissions count toward dependencies.
    ann.run("vault", "user", "revoke", "--vault", "Dev", "--user", "bob@example.com")
    ann.run(*base, "--permissions", "view_items")
    ann.run(*base, "--permissions", "view_and_copy_passwords")
    out = ann.json("vault", "user", "list", "Dev")
    assert sorted(next(u for u in out if u["id"] == uid)["permissions"]) == [
        "view_and_copy_passwords", "view_items"]
    # Usage errors exit 2.
    assert "unknown permission 'view'" in ann.fail(*base, "--permissions", "view", code=2)
    ann.fail(*base, code=2)  # grant needs --permissions
    ann.fail("vault", "user", "grant", "--vault", "Dev", code=2)
    ann.fail("user", "invite", code=2)
    ann.fail("group", "user", "add", "--group", "x", code=2)
    ann.fail("account", "join", "--address", ann.url, code=2)
    # Subjects that do not exist.
    assert "user 'nobody@example.com' not found" in ann.fail(
        "vault", "user", "grant", "--vault", "Dev", "--user", "nobody@example.com",
        "--permissions", "view_items")
    assert "group 'Nope' not found" in ann.fail("group", "get", "Nope")
    # Revoking someone without access of their own.
    assert "no access of its own" in ann.fail("vault", "group", "revoke", "--vault", "Dev",
                                              "--group", "Team Members")


def test_join_errors_and_invite_rules(ann, tmp_path):
    bob = bob_cli(tmp_path, ann.url)
    inv = ann.json("user", "invite", "carol@example.com")
    join = ("account", "join", "--address", ann.url, "--account", ann.account_id,
            "--user", inv["id"], "--email", "carol@example.com")
    msg = bob.fail(*join, input=f"AAAAAAAAAAAAAAAAAAAAAA\n{BOB_PASSWORD}\n")
    assert "invitation" in msg and "not valid" in msg
    assert inv["invite_code"] not in msg
    bob.run(*join, input=f"{inv['invite_code']}\n{BOB_PASSWORD}\n")
    msg = bob.fail(*join, input=f"{inv['invite_code']}\n{BOB_PASSWORD}\n")
    assert "not valid" in msg  # single use
    assert "already exists" in ann.fail("user", "invite", "carol@example.com")
    # A member who is not an administrator cannot invite, confirm or create groups.
    ann.run("user", "confirm", "carol@example.com")
    # Human-readable output of the listing commands.
    out = ann.run("user", "list").stdout
    assert "carol@example.com" in out and "active" in out
    out = ann.run("group", "list").stdout
    assert "Team Members" in out and "Owners" in out
    r = ann.run("user", "invite", "dan@example.com", "--name=Dan")
    assert re.search(r"Invitation code:  [A-Za-z0-9_-]{22}\n", r.stdout)
    assert "sesame account join --address" in r.stdout
    # --help comes from the option tables.
    for cmd in (("user", "invite"), ("account", "join"), ("group", "user", "add"),
                ("vault", "user", "grant"), ("vault", "group", "revoke"), ("user", "list")):
        h = ann.run(*cmd, "--help").stdout
        assert h.startswith("Usage:  sesame " + " ".join(cmd))
    assert "--permissions LIST" in ann.run("vault", "user", "grant", "--help").stdout


def test_member_cannot_administer(ann, tmp_path):
    bob = bob_cli(tmp_path, ann.url)
    uid, sk = invite_and_join(ann, bob)
    ann.run("user", "confirm", uid)
    bob.use(bob.signin(email="bob@example.com", secret_key=sk, password=BOB_PASSWORD))
    assert "cannot invite the user" in bob.fail("user", "invite", "eve@example.com")
    assert "cannot create the group" in bob.fail("group", "create", "Mine")
    assert "cannot suspend the user" in bob.fail("user", "suspend", "ann@example.com")
    # Everyone can list people and groups.
    assert {u["email"] for u in bob.json("user", "list")} == {"ann@example.com",
                                                               "bob@example.com"}
    assert ERROR_RE.match(bob.fail("group", "user", "add", "--group", "Team Members",
                                   "--user", "ann@example.com"))
