# SPDX-License-Identifier: Apache-2.0
"""Accounts, sign-in, sessions, sign-out, people (docs/api.md)."""
import os
import sqlite3
import stat
import time

from sesame_api import (Api, SignKey, account_doc, add_member, b64u, create_account, error_code,
                        mint_session, new_id, rand, server_keys, sign_in, signin_message, unb64u)


def test_account_create_and_whoami(sesamed):
    acct = create_account(sesamed)
    st, me = acct.api.get("/v1/whoami")
    assert st == 200
    assert me["principal"] == {"id": acct.user_id, "type": "user",
                               "account_id": acct.account_id, "state": "active",
                               "email": acct.email, "name": "Ann"}
    assert me["url"] == sesamed.url
    st, groups = acct.api.get("/v1/me/groups")
    assert st == 200 and len(groups["groups"]) == 3
    assert {g["group_id"] for g in groups["groups"]} == set(acct.groups.values())
    st, keys = acct.api.get(f"/v1/principals/{acct.user_id}/keys")
    assert st == 200 and keys["id"] == acct.user_id and keys["type"] == "user"
    assert keys["box_public_key"] == acct.doc["owner"]["box_public_key"]
    st, glist = acct.api.get("/v1/groups")
    assert st == 200
    assert sorted(g["type"] for g in glist["groups"]) == ["administrators", "owners",
                                                         "team_members"]
    st, g = acct.api.get(f"/v1/groups/{acct.groups['owners']}")
    assert st == 200 and g["type"] == "owners"


def test_signup_closed_after_first_account(start_sesamed, tmp_path):
    srv = start_sesamed()
    create_account(srv)
    api = Api(srv)
    st, body = api.post("/v1/accounts", account_doc()[0], session="")
    assert (st, error_code(body)) == (403, "signup_closed")
    open_srv = start_sesamed("--allow-signup", data_dir=str(tmp_path / "data2"))
    a = create_account(open_srv)
    b = create_account(open_srv)
    # Accounts do not see each other.
    st, body = a.api.get(f"/v1/vaults/{b.everyone_vault}")
    assert (st, error_code(body)) == (404, "vault_not_found")
    st, body = a.api.get(f"/v1/principals/{b.user_id}/keys")
    assert st == 404


def test_account_create_validation(sesamed):
    api = Api(sesamed)
    doc, _ = account_doc()
    bad = dict(doc, groups=doc["groups"][:2])
    st, body = api.post("/v1/accounts", bad, session="")
    assert (st, error_code(body)) == (400, "invalid_request")
    doc2, _ = account_doc()
    doc2["vaults"][0]["access"][0]["permissions"] = 64  # edit_items without its needs
    st, body = api.post("/v1/accounts", doc2, session="")
    assert st == 400 and error_code(body) == "invalid_permissions"
    assert "permission 'edit_items' requires 'view_items'" == body["error"]["message"]
    doc3, _ = account_doc()
    doc3["owner"]["extra"] = 1
    st, body = api.post("/v1/accounts", doc3, session="")
    assert st == 400 and body["error"]["message"] == "unknown key 'extra'"
    doc4, _ = account_doc()
    doc4["groups"][1]["group_id"] = doc4["groups"][0]["group_id"]
    st, body = api.post("/v1/accounts", doc4, session="")
    assert st == 400 and "used twice" in body["error"]["message"]
    # Nothing half-made: a valid account still goes in as the first one.
    create_account(sesamed)


def test_signin_wrong_signature_and_unknown_email(sesamed):
    acct = create_account(sesamed)
    api = Api(sesamed)
    st, body = sign_in(api, acct.account_id, acct.email, SignKey())
    assert (st, error_code(body)) == (401, "unauthenticated")
    assert body["error"]["message"] == "sign-in failed"
    # Unknown email: a believable answer, the same every time.
    q = {"account_id": acct.account_id, "email": "nobody@example.com"}
    st1, a = api.post("/v1/auth/challenge", q, session="")
    st2, b = api.post("/v1/auth/challenge", q, session="")
    assert st1 == st2 == 200
    assert sorted(a) == ["challenge", "kdf", "principal_id", "salt"]
    assert a["salt"] == b["salt"] and a["principal_id"] == b["principal_id"]
    assert len(unb64u(a["salt"])) == 16 and a["kdf"] == {"ops": 3, "mem": 268435456}
    st, real = api.post("/v1/auth/challenge", {"account_id": acct.account_id,
                                                "email": acct.email.upper()}, session="")
    assert st == 200 and real["salt"] == acct.doc["owner"]["salt"]
    st, body = sign_in(api, acct.account_id, "nobody@example.com", SignKey())
    assert (st, error_code(body)) == (401, "unauthenticated")


def test_signin_challenge_bound_and_tamper(sesamed):
    acct = create_account(sesamed)
    api = Api(sesamed)
    st, ch = api.post("/v1/auth/challenge", {"account_id": acct.account_id,
                                              "email": acct.email}, session="")
    raw = bytearray(unb64u(ch["challenge"]))
    raw[0] ^= 1  # the expiry: MAC no longer matches
    sig = acct.signin.sign(signin_message(bytes(raw), acct.user_id))
    st, body = api.post("/v1/auth/signin", {"principal_id": acct.user_id,
                                            "challenge": b64u(bytes(raw)),
                                            "signature": b64u(sig)}, session="")
    assert (st, error_code(body)) == (401, "unauthenticated")
    # A challenge made for another principal does not work for this one.
    st, other = api.post("/v1/auth/challenge", {"account_id": acct.account_id,
                                                 "email": "x@example.com"}, session="")
    c = unb64u(other["challenge"])
    st, body = api.post("/v1/auth/signin", {
        "principal_id": acct.user_id, "challenge": other["challenge"],
        "signature": b64u(acct.signin.sign(signin_message(c, acct.user_id)))}, session="")
    assert (st, error_code(body)) == (401, "unauthenticated")


def test_session_tampered_forged_expired(start_sesamed, tmp_path):
    data = tmp_path / "data"
    srv = start_sesamed(data_dir=str(data))
    acct = create_account(srv)
    tok = acct.api.session
    assert tok.startswith("sesame_ses_")
    raw = bytearray(unb64u(tok[len("sesame_ses_"):]))
    raw[60] ^= 0xff  # move the expiry
    for bad in ("sesame_ses_" + b64u(bytes(raw)), tok[:-2], "sesame_ses_", "nope", tok + "A"):
        st, body = acct.api.get("/v1/whoami", session=bad)
        assert (st, error_code(body)) == (401, "unauthenticated"), bad
    st, body = acct.api.call("GET", "/v1/whoami", session="")
    assert (st, error_code(body)) == (401, "unauthenticated")
    # Forged with the wrong key.
    forged = mint_session(os.urandom(32), acct.user_id, acct.account_id, 1,
                          int(time.time()) + 600)
    assert error_code(acct.api.get("/v1/whoami", session=forged)[1]) == "unauthenticated"
    # Minted with the real key (read from the data dir, as only the server can).
    _, skey, _ = server_keys(str(data))
    good = mint_session(skey, acct.user_id, acct.account_id, 1, int(time.time()) + 1200)
    assert acct.api.get("/v1/whoami", session=good)[0] == 200
    expired = mint_session(skey, acct.user_id, acct.account_id, 1, int(time.time()) - 1)
    st, body = acct.api.get("/v1/whoami", session=expired)
    assert (st, error_code(body)) == (401, "session_expired")
    stale_gen = mint_session(skey, acct.user_id, acct.account_id, 7, int(time.time()) + 600)
    assert error_code(acct.api.get("/v1/whoami", session=stale_gen)[1]) == "session_revoked"
    # Late in its life a session is renewed through the Sesame-Session header.
    late = mint_session(skey, acct.user_id, acct.account_id, 1, int(time.time()) + 60)
    st, _ = acct.api.get("/v1/whoami", session=late)
    fresh = acct.api.last_headers["Sesame-Session"]
    assert st == 200 and fresh and fresh != late
    assert acct.api.get("/v1/whoami", session=fresh)[0] == 200
    assert "Sesame-Session" not in acct.api.last_headers


def test_server_keys_file_not_in_database(start_sesamed, tmp_path):
    data = tmp_path / "data"
    srv = start_sesamed(data_dir=str(data))
    create_account(srv)
    keys = data / "server.keys"
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    ckey, skey, pkey = server_keys(str(data))
    db = (data / "sesame.db").read_bytes()
    wal = data / "sesame.db-wal"
    blob = db + (wal.read_bytes() if wal.exists() else b"")
    for k in (ckey, skey, pkey):
        assert k not in blob
    # A restart keeps the keys: sessions survive it.
    token = create_session_after_restart(srv, start_sesamed, data)
    assert token


def create_session_after_restart(srv, start_sesamed, data):
    api = Api(srv)
    con = sqlite3.connect(str(data / "sesame.db"))
    try:
        (email, uid, aid), = con.execute(
            "SELECT email, id, account_id FROM principals WHERE type = 'user'").fetchall()
    finally:
        con.close()
    _, skey, _ = server_keys(str(data))
    tok = mint_session(skey, uid, aid, 1, int(time.time()) + 600)
    assert api.get("/v1/whoami", session=tok)[0] == 200
    api.close()
    assert srv.stop() == 0
    srv2 = start_sesamed(data_dir=str(data))
    assert Api(srv2).get("/v1/whoami", session=tok)[0] == 200
    return tok


def test_signout(sesamed):
    acct = create_account(sesamed)
    other = Api(sesamed)
    st, body = sign_in(other, acct.account_id, acct.email, acct.signin)
    other.session = body["session"]
    st, _ = acct.api.post("/v1/auth/signout")
    assert st == 204
    st, body = acct.api.get("/v1/whoami")
    assert (st, error_code(body)) == (401, "session_revoked")
    # Only that session ended.
    assert other.get("/v1/whoami")[0] == 200


def test_failed_signins_limited_per_address(sesamed):
    acct = create_account(sesamed)
    api = Api(sesamed)
    wrong = SignKey()
    for _ in range(10):
        st, body = sign_in(api, acct.account_id, acct.email, wrong)
        assert st == 401
    st, body = sign_in(api, acct.account_id, acct.email, acct.signin)
    assert (st, error_code(body)) == (429, "rate_limited")
    retry = int(api.last_headers["Retry-After"])
    assert 1 <= retry <= 60
    # Nothing else is consumed: a signed-in session goes on working.
    assert acct.api.get("/v1/vaults")[0] == 200


def test_users_invite_accept_confirm_suspend(sesamed):
    acct = create_account(sesamed)
    bob = add_member(acct)
    st, users = acct.api.get("/v1/users")
    assert st == 200
    by_id = {u["id"]: u for u in users["users"]}
    assert by_id[bob.user_id]["state"] == "active" and by_id[bob.user_id]["type"] == "member"
    assert bob.api.get("/v1/whoami")[1]["principal"]["id"] == bob.user_id
    # A member is not an admin.
    st, body = bob.api.post("/v1/users/invite", {"user_id": new_id(), "email": "c@example.com"})
    assert (st, error_code(body)) == (403, "forbidden")
    st, body = bob.api.post(f"/v1/users/{acct.user_id}/suspend")
    assert (st, error_code(body)) == (403, "forbidden")
    # Suspending ends every session at once.
    st, body = acct.api.post(f"/v1/users/{bob.user_id}/suspend")
    assert st == 200 and body["state"] == "suspended"
    st, body = bob.api.get("/v1/whoami")
    assert (st, error_code(body)) == (401, "account_suspended")
    st, body = sign_in(Api(sesamed), acct.account_id, bob.email, bob.signin)
    assert (st, error_code(body)) == (401, "account_suspended")
    st, _ = acct.api.post(f"/v1/users/{bob.user_id}/reactivate")
    assert st == 200
    # The old session stays dead (the generation moved); a new one works.
    assert error_code(bob.api.get("/v1/whoami")[1]) == "session_revoked"
    st, body = sign_in(Api(sesamed), acct.account_id, bob.email, bob.signin)
    assert st == 200
    st, body = acct.api.post(f"/v1/users/{acct.user_id}/suspend")
    assert st == 400


def test_invite_code_single_use_and_wrong(sesamed):
    acct = create_account(sesamed)
    uid = new_id()
    st, inv = acct.api.post("/v1/users/invite", {"user_id": uid, "email": "d@example.com"})
    assert st == 201 and len(unb64u(inv["invite_code"])) == 16
    anon = Api(sesamed)
    body = {"account_id": acct.account_id, "user_id": uid, "invite_code": rand(16),
            "salt": rand(16), "kdf": {"ops": 3, "mem": 268435456},
            "signin_public_key": rand(), "box_public_key": rand(), "sign_public_key": rand(),
            "encrypted_keyset": rand(105),
            "private_vault": {"vault_id": new_id(), "encrypted_attrs": rand(60),
                              "sealed_key": rand(80)}}
    st, r = anon.post("/v1/users/accept", body, session="")
    assert (st, error_code(r)) == (401, "unauthenticated")
    body["invite_code"] = inv["invite_code"]
    assert anon.post("/v1/users/accept", body, session="")[0] == 200
    st, r = anon.post("/v1/users/accept", body, session="")
    assert (st, error_code(r)) == (401, "unauthenticated")
    # A pending user cannot sign in yet.
    st, users = acct.api.get(f"/v1/users/{uid}")
    assert users["state"] == "pending"
    # The code is stored hashed only.
    st, again = acct.api.post("/v1/users/invite", {"user_id": uid, "email": "d@example.com"})
    assert st == 409
