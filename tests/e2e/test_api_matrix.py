# SPDX-License-Identifier: Apache-2.0
"""The authorization matrix: every route of docs/api.md x every kind of caller.

One sesamed (with --allow-signup), one account with its owner, an
administrator, one member per permission set that matters on the vault V,
a member without access to V, the owner of a second account, and two
service accounts on V. Each request that changes something gets fresh
objects (made by the owner first), so cells do not depend on each other.
The whole table is one string below: read a row as "this caller gets this
answer".

Cells: a status, or "200:code" for a 200 whose first per-query result is
the error `code` (POST /v1/resolve). Columns:

  owner  the account's owner (Owners, Administrators, Team Members)
  admin  an administrator (Administrators, Team Members)
  view   view_items on V
  copy   view_items + view_and_copy_passwords
  hist   copy + view_item_history
  crea   view_items + create_items
  edit   copy + edit_items
  arch   edit + archive_items
  dele   edit + delete_items
  mana   manage_vault alone
  none   a member of Team Members with no access to V
  other  the owner of another account (an administrator there)
  sar    a service account with read_items on V (no other vault)
  saw    a service account with read_items + write_items on V

V is shared as the CLI shares a new vault: the owner and the
Administrators group have every permission; each member its own row. W is
a vault of the owner's alone (no Administrators row): an administrator
cannot reach it. {i} is an item of V, {f} a file of {i}; {new} is made
for the cell. Service-account routes name a new service account (made by
the owner, read_items on the vault in braces) for every cell that changes
one.
"""
import json
import os
import re

import pytest

from sesame_api import (PERM, PERM_ALL, Api, SignKey, account_doc, add_member, b64u,
                        create_account, error_code, item_doc, new_id, rand, signin_message,
                        unb64u, vault_doc)

COLUMNS = "owner admin view copy hist crea edit arch dele mana none other sar saw".split()

MATRIX = """
route                                        owner admin view copy hist crea edit arch dele mana none other sar saw
GET /v1/health                               200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /v1/heartbeat                            200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /health                                  200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /heartbeat                               200   200   200  200  200  200  200  200  200  200  200  200   200 200
POST /v1/accounts                            201   201   201  201  201  201  201  201  201  201  201  201   201 201
POST /v1/auth/challenge                      200   200   200  200  200  200  200  200  200  200  200  200   200 200
POST /v1/auth/signin                         200   200   200  200  200  200  200  200  200  200  200  200   200 200
POST /v1/auth/signout                        204   204   204  204  204  204  204  204  204  204  204  204   204 204
GET /v1/whoami                               200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /v1/users                                200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /v1/users/{owner}                        200   200   200  200  200  200  200  200  200  200  200  404   200 200
POST /v1/users/invite                        201   201   403  403  403  403  403  403  403  403  403  201   403 403
POST /v1/users/accept                        200   200   200  200  200  200  200  200  200  200  200  200   200 200
POST /v1/users/{pending}/confirm             200   200   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/users/{active}/suspend              200   200   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/users/{suspended}/reactivate        200   200   403  403  403  403  403  403  403  403  403  404   403 403
GET /v1/principals/{owner}/keys              200   200   200  200  200  200  200  200  200  200  200  404   200 200
GET /v1/me/groups                            200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /v1/groups                               200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /v1/groups/{team}                        200   200   200  200  200  200  200  200  200  200  200  404   200 200
POST /v1/groups                              201   201   403  403  403  403  403  403  403  403  403  201   403 403
DELETE /v1/groups/{new}                      204   204   403  403  403  403  403  403  403  403  403  404   403 403
DELETE /v1/groups/{owners}                   403   403   403  403  403  403  403  403  403  403  403  404   403 403
GET /v1/groups/{team}/members                200   200   200  200  200  200  200  200  200  200  200  404   200 200
PUT /v1/groups/{new}/members/{none}          200   200   403  403  403  403  403  403  403  403  403  404   403 403
DELETE /v1/groups/{new}/members/{none}       204   204   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/vaults                              201   201   201  201  201  201  201  201  201  201  201  201   403 403
GET /v1/vaults                               200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /v1/vaults/{V}                           200   200   200  200  200  200  200  200  200  200  404  404   200 200
GET /v1/vaults/{owner's personal}            200   404   404  404  404  404  404  404  404  404  404  404   404 404
GET /v1/vaults/{everyone}                    200   200   200  200  200  200  200  200  200  200  200  404   404 404
PATCH /v1/vaults/{V}                         200   200   403  403  403  403  403  403  403  200  404  404   403 403
DELETE /v1/vaults/{new}                      204   204   403  403  403  403  403  403  403  204  404  404   404 404
DELETE /v1/vaults/{everyone}                 403   403   403  403  403  403  403  403  403  403  403  404   404 404
GET /v1/vaults/{V}/access                    200   200   403  403  403  403  403  403  403  200  404  404   403 403
PUT /v1/vaults/{new}/access/{target}         200   200   403  403  403  403  403  403  403  200  404  404   404 404
PUT /v1/vaults/{owner's personal}/access/{target} 403   404   404  404  404  404  404  404  404  404  404  404   404 404
DELETE /v1/vaults/{new}/access/{target}      204   204   403  403  403  403  403  403  403  204  404  404   404 404
GET /v1/vaults/{V}/items                     200   200   200  200  200  200  200  200  200  403  404  404   200 200
POST /v1/vaults/{V}/items                    201   201   403  403  403  201  403  403  403  403  404  404   403 201
POST /v1/vaults/{V}/items/batch get          200   200   403  200  200  403  200  200  200  403  404  404   200 200
POST /v1/vaults/{V}/items/batch create       200   200   403  403  403  200  403  403  403  403  404  404   403 200
POST /v1/vaults/{V}/items/batch delete       200   200   403  403  403  403  403  403  200  403  404  404   403 200
GET /v1/vaults/{V}/items/{i}                 200   200   403  200  200  403  200  200  200  403  404  404   200 200
PUT /v1/vaults/{V}/items/{new}               200   200   403  403  403  403  200  200  200  403  404  404   403 200
DELETE /v1/vaults/{V}/items/{new}            204   204   403  403  403  403  403  403  204  403  404  404   403 204
POST /v1/vaults/{V}/items/{new}/archive      200   200   403  403  403  403  403  200  403  403  404  404   403 200
POST /v1/vaults/{V}/items/{archived}/restore 200   200   403  403  403  403  403  200  403  403  404  404   403 200
GET /v1/vaults/{V}/items/{i}/versions        200   200   403  403  200  403  403  403  403  403  404  404   403 403
PUT /v1/vaults/{V}/items/{i}/files/{new}     201   201   403  403  403  201  201  201  201  403  404  404   403 201
PUT /v1/vaults/{everyone}/items/{i}/files/{new} 404 404 404 404  404  404  404  404  404  404  404  404   404 404
GET /v1/vaults/{V}/items/{i}/files/{f}       200   200   403  200  200  403  200  200  200  403  404  404   200 200
GET /v1/vaults/{everyone}/items/{i}/files/{f} 404  404   404  404  404  404  404  404  404  404  404  404   404 404
DELETE /v1/vaults/{V}/items/{i}/files/{new}  204   204   403  403  403  403  204  204  204  403  404  404   403 204
POST /v1/resolve {V, i}                      200   200   200:forbidden 200 200 200:forbidden 200 200 200 200:forbidden 200:vault_not_found 200:vault_not_found 200 200
POST /v1/service-accounts {V}                201   201   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/service-accounts {W}                201   404   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/service-accounts {everyone}         403   403   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/service-accounts {owner's personal} 403   404   403  403  403  403  403  403  403  403  403  404   403 403
GET /v1/service-accounts                     200   200   403  403  403  403  403  403  403  403  403  200   403 403
GET /v1/service-accounts/{sar}               200   200   403  403  403  403  403  403  403  403  403  404   403 403
DELETE /v1/service-accounts/{new on V}       204   204   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/service-accounts/{new on V}/revoke  200   200   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/service-accounts/{new on V}/rotate  201   201   403  403  403  403  403  403  403  403  403  404   403 403
POST /v1/service-accounts/{new on W}/rotate  201   404   403  403  403  403  403  403  403  403  403  404   403 403
GET /v1/ratelimit                            200   200   200  200  200  200  200  200  200  200  200  200   200 200
GET /v1/ratelimit {principal=target}         200   200   404  404  404  404  404  404  404  404  404  404   404 404
GET /v1/account/ratelimits                   200   200   200  200  200  200  200  200  200  200  200  200   200 200
PUT /v1/account/ratelimits                   200   403   403  403  403  403  403  403  403  403  403  200   403 403
GET /v1/events                               200   200   403  403  403  403  403  403  403  403  403  200   403 403
GET /v1/events/verify                        200   200   403  403  403  403  403  403  403  403  403  200   403 403
GET /v1/events/usage {actor=saw}             200   200   403  403  403  403  403  403  403  403  403  200   403 403
"""

SETS = {
    "view": ["view_items"],
    "copy": ["view_items", "view_and_copy_passwords"],
    "hist": ["view_items", "view_and_copy_passwords", "view_item_history"],
    "crea": ["view_items", "create_items"],
    "edit": ["view_items", "view_and_copy_passwords", "edit_items"],
    "arch": ["view_items", "view_and_copy_passwords", "edit_items", "archive_items"],
    "dele": ["view_items", "view_and_copy_passwords", "edit_items", "delete_items"],
    "mana": ["manage_vault"],
}


def parse_matrix():
    rows = []
    for line in MATRIX.strip().splitlines()[1:]:
        parts = line.split()
        cells = parts[-len(COLUMNS):]
        rows.append((" ".join(parts[:-len(COLUMNS)]), dict(zip(COLUMNS, cells))))
    return rows


class Caller:
    """One column: an Api with a session, and how to sign in again.

    People sign in by email with their sign-in key; service accounts by
    principal id with their signing key."""

    def __init__(self, api, user_id, account_id, email, signin):
        self.api, self.user_id, self.account_id = api, user_id, account_id
        self.email, self.signin = email, signin

    def challenge_doc(self):
        if self.email:
            return {"account_id": self.account_id, "email": self.email}
        return {"account_id": self.account_id, "principal_id": self.user_id}

    def signin_doc(self):
        st, ch = self.api.post("/v1/auth/challenge", self.challenge_doc(), session="")
        assert st == 200, ch
        sig = self.signin.sign(signin_message(unb64u(ch["challenge"]), ch["principal_id"]))
        return {"principal_id": ch["principal_id"], "challenge": ch["challenge"],
                "signature": b64u(sig)}

    def fresh_session(self):
        st, body = self.api.post("/v1/auth/signin", self.signin_doc(), session="")
        assert st == 200, body
        return body["session"]


class Raw:
    """A body that is not JSON (a file's ciphertext)."""

    def __init__(self, data, content_type="application/octet-stream"):
        self.data, self.content_type = data, content_type


class World:
    """Everything the rows need; built once."""

    def __init__(self, srv):
        self.srv = srv
        self.acct = create_account(srv)
        self.owner = self.acct.api
        a = self.acct
        self.callers = {"owner": Caller(a.api, a.user_id, a.account_id, a.email, a.signin)}
        m = add_member(a, groups=("team_members", "administrators"), name="Ada")
        self.callers["admin"] = Caller(m.api, m.user_id, a.account_id, m.email, m.signin)
        for col in list(SETS) + ["none"]:
            m = add_member(a, name=col)
            self.callers[col] = Caller(m.api, m.user_id, a.account_id, m.email, m.signin)
        self.target = add_member(a, name="Tess")  # grantee of access rows
        other = create_account(srv)
        self.callers["other"] = Caller(other.api, other.user_id, other.account_id, other.email,
                                       other.signin)
        self.vault = self.new_vault()
        # W: the owner's alone; the Administrators group has no row on it.
        doc = vault_doc(a.user_id)
        st, body = self.owner.post("/v1/vaults", doc)
        assert st == 201, body
        self.w_vault = doc["vault_id"]
        for col, perms in (("sar", ["read_items"]), ("saw", ["read_items", "write_items"])):
            sid, key = self.new_sa(self.vault, perms)
            c = Caller(Api(srv), sid, a.account_id, None, key)
            c.api.session = c.fresh_session()
            self.callers[col] = c
        self.item = self.new_item()
        self.file_bytes = os.urandom(100)
        self.file = self.new_file(self.file_bytes)

    def new_sa(self, vault_id=None, perms=("read_items",)):
        """A service account made by the owner: (id, its signing key)."""
        sid, key = new_id(), SignKey()
        vaults = [{"vault_id": vault_id, "sealed_key": rand(80), "permissions": list(perms)}] \
            if vault_id else []
        st, body = self.owner.post("/v1/service-accounts", {
            "service_account_id": sid, "name": f"sa-{sid[:6]}", "box_public_key": rand(),
            "sign_public_key": b64u(key.pk), "vaults": vaults})
        assert st == 201, body
        return sid, key

    def new_file(self, data=None):
        """A file of the item {i}, uploaded by the owner; its id."""
        fid = new_id()
        st, _, body = self.owner.raw(
            "PUT", f"/v1/vaults/{self.vault}/items/{self.item}/files/{fid}",
            data or os.urandom(64), {"Authorization": f"Bearer {self.owner.session}",
                                     "Content-Type": "application/octet-stream"})
        assert st == 201, body
        return fid

    def access_rows(self):
        rows = [{"principal_id": self.acct.groups["administrators"], "sealed_key": rand(80),
                 "permissions": PERM_ALL}]
        for col, names in SETS.items():
            rows.append({"principal_id": self.callers[col].user_id, "sealed_key": rand(80),
                         "permissions": sum(PERM[n] for n in names)})
        return rows

    def new_vault(self, extra=()):
        doc = vault_doc(self.acct.user_id, [*self.access_rows(), *extra])
        st, body = self.owner.post("/v1/vaults", doc)
        assert st == 201, body
        return doc["vault_id"]

    def new_item(self, archived=False):
        it = item_doc()
        st, body = self.owner.post(f"/v1/vaults/{self.vault}/items", it)
        assert st == 201, body
        if archived:
            st, body = self.owner.post(f"/v1/vaults/{self.vault}/items/{it['id']}/archive")
            assert st == 200, body
        return it["id"]

    def new_group(self, members=()):
        gid = new_id()
        st, body = self.owner.post("/v1/groups", {
            "group_id": gid, "name": f"g-{gid[:6]}", "box_public_key": rand(),
            "sign_public_key": rand(),
            "members": [{"user_id": u, "sealed_keyset": rand(80)} for u in members]})
        assert st == 201, body
        return gid

    def invited(self):
        uid = new_id()
        st, body = self.owner.post("/v1/users/invite",
                                   {"user_id": uid, "email": f"{uid[:12]}@example.com"})
        assert st == 201, body
        return uid, body["invite_code"]

    def accept_doc(self, uid, code):
        return {"account_id": self.acct.account_id, "user_id": uid, "invite_code": code,
                "salt": rand(16), "kdf": {"ops": 2, "mem": 67108864},
                "signin_public_key": b64u(SignKey().pk), "box_public_key": rand(),
                "sign_public_key": rand(), "encrypted_keyset": rand(105),
                "private_vault": {"vault_id": new_id(), "encrypted_attrs": rand(60),
                                  "sealed_key": rand(80)}}

    def pending(self):
        uid, code = self.invited()
        st, body = Api(self.srv).post("/v1/users/accept", self.accept_doc(uid, code),
                                      session="")
        assert st == 200, body
        return uid

    def active(self):
        uid = self.pending()
        st, body = self.owner.post(f"/v1/users/{uid}/confirm", {"memberships": [
            {"group_id": self.acct.groups["team_members"], "sealed_keyset": rand(80)}]})
        assert st == 200, body
        return uid

    def suspended(self):
        uid = self.active()
        assert self.owner.post(f"/v1/users/{uid}/suspend")[0] == 200
        return uid


def request_for(w, route, who):
    """(method, path, body, session override or None) for one cell."""
    c = w.callers[who]
    a = w.acct
    v = w.vault
    tm = a.groups["team_members"]
    if route in ("GET /v1/health", "GET /v1/heartbeat", "GET /health", "GET /heartbeat"):
        return "GET", route.split()[1], None, None
    if route == "POST /v1/accounts":
        return "POST", "/v1/accounts", account_doc()[0], None
    if route == "POST /v1/auth/challenge":
        return "POST", "/v1/auth/challenge", {"account_id": a.account_id, "email": a.email}, None
    if route == "POST /v1/auth/signin":
        return "POST", "/v1/auth/signin", c.signin_doc(), ""
    if route == "POST /v1/auth/signout":
        return "POST", "/v1/auth/signout", None, c.fresh_session()
    if route == "GET /v1/whoami":
        return "GET", "/v1/whoami", None, None
    if route == "GET /v1/users":
        return "GET", "/v1/users", None, None
    if route == "GET /v1/users/{owner}":
        return "GET", f"/v1/users/{a.user_id}", None, None
    if route == "POST /v1/users/invite":
        uid = new_id()
        return "POST", "/v1/users/invite", {"user_id": uid,
                                            "email": f"{uid[:12]}@example.com"}, None
    if route == "POST /v1/users/accept":
        return "POST", "/v1/users/accept", w.accept_doc(*w.invited()), None
    if route == "POST /v1/users/{pending}/confirm":
        return "POST", f"/v1/users/{w.pending()}/confirm", {"memberships": [
            {"group_id": tm, "sealed_keyset": rand(80)}]}, None
    if route == "POST /v1/users/{active}/suspend":
        return "POST", f"/v1/users/{w.active()}/suspend", None, None
    if route == "POST /v1/users/{suspended}/reactivate":
        return "POST", f"/v1/users/{w.suspended()}/reactivate", None, None
    if route == "GET /v1/principals/{owner}/keys":
        return "GET", f"/v1/principals/{a.user_id}/keys", None, None
    if route == "GET /v1/me/groups":
        return "GET", "/v1/me/groups", None, None
    if route == "GET /v1/groups":
        return "GET", "/v1/groups", None, None
    if route == "GET /v1/groups/{team}":
        return "GET", f"/v1/groups/{tm}", None, None
    if route == "POST /v1/groups":
        return "POST", "/v1/groups", {"group_id": new_id(), "name": "G",
                                      "box_public_key": rand(), "sign_public_key": rand(),
                                      "members": []}, None
    if route == "DELETE /v1/groups/{new}":
        return "DELETE", f"/v1/groups/{w.new_group()}", None, None
    if route == "DELETE /v1/groups/{owners}":
        return "DELETE", f"/v1/groups/{a.groups['owners']}", None, None
    if route == "GET /v1/groups/{team}/members":
        return "GET", f"/v1/groups/{tm}/members", None, None
    if route == "PUT /v1/groups/{new}/members/{none}":
        return "PUT", f"/v1/groups/{w.new_group()}/members/{w.callers['none'].user_id}", \
            {"sealed_keyset": rand(80)}, None
    if route == "DELETE /v1/groups/{new}/members/{none}":
        none = w.callers["none"].user_id
        return "DELETE", f"/v1/groups/{w.new_group([none])}/members/{none}", None, None
    if route == "POST /v1/vaults":
        return "POST", "/v1/vaults", vault_doc(c.user_id), None
    if route == "GET /v1/vaults":
        return "GET", "/v1/vaults", None, None
    if route == "GET /v1/vaults/{V}":
        return "GET", f"/v1/vaults/{v}", None, None
    if route == "GET /v1/vaults/{owner's personal}":
        return "GET", f"/v1/vaults/{a.personal_vault}", None, None
    if route == "GET /v1/vaults/{everyone}":
        return "GET", f"/v1/vaults/{a.everyone_vault}", None, None
    if route == "PATCH /v1/vaults/{V}":
        st, cur = w.owner.get(f"/v1/vaults/{v}")
        return "PATCH", f"/v1/vaults/{v}", {"encrypted_attrs": rand(60),
                                            "attribute_version": cur["attribute_version"] + 1}, \
            None
    if route == "DELETE /v1/vaults/{new}":
        return "DELETE", f"/v1/vaults/{w.new_vault()}", None, None
    if route == "DELETE /v1/vaults/{everyone}":
        return "DELETE", f"/v1/vaults/{a.everyone_vault}", None, None
    if route == "GET /v1/vaults/{V}/access":
        return "GET", f"/v1/vaults/{v}/access", None, None
    if route == "PUT /v1/vaults/{new}/access/{target}":
        return "PUT", f"/v1/vaults/{w.new_vault()}/access/{w.target.user_id}", \
            {"sealed_key": rand(80), "permissions": PERM["view_items"]}, None
    if route == "PUT /v1/vaults/{owner's personal}/access/{target}":
        return "PUT", f"/v1/vaults/{a.personal_vault}/access/{w.target.user_id}", \
            {"sealed_key": rand(80), "permissions": PERM["view_items"]}, None
    if route == "DELETE /v1/vaults/{new}/access/{target}":
        t = w.target.user_id
        vid = w.new_vault([{"principal_id": t, "sealed_key": rand(80),
                            "permissions": PERM["view_items"]}])
        return "DELETE", f"/v1/vaults/{vid}/access/{t}", None, None
    items = f"/v1/vaults/{v}/items"
    if route == "GET /v1/vaults/{V}/items":
        return "GET", items, None, None
    if route == "POST /v1/vaults/{V}/items":
        return "POST", items, item_doc(), None
    if route == "POST /v1/vaults/{V}/items/batch get":
        return "POST", f"{items}/batch", {"get": [w.item]}, None
    if route == "POST /v1/vaults/{V}/items/batch create":
        return "POST", f"{items}/batch", {"create": [item_doc()]}, None
    if route == "POST /v1/vaults/{V}/items/batch delete":
        return "POST", f"{items}/batch", {"delete": [w.new_item()]}, None
    if route == "GET /v1/vaults/{V}/items/{i}":
        return "GET", f"{items}/{w.item}", None, None
    if route == "PUT /v1/vaults/{V}/items/{new}":
        iid = w.new_item()
        return "PUT", f"{items}/{iid}", item_doc(iid, version=2), None
    if route == "DELETE /v1/vaults/{V}/items/{new}":
        return "DELETE", f"{items}/{w.new_item()}", None, None
    if route == "POST /v1/vaults/{V}/items/{new}/archive":
        return "POST", f"{items}/{w.new_item()}/archive", None, None
    if route == "POST /v1/vaults/{V}/items/{archived}/restore":
        return "POST", f"{items}/{w.new_item(archived=True)}/restore", None, None
    if route == "GET /v1/vaults/{V}/items/{i}/versions":
        return "GET", f"{items}/{w.item}/versions", None, None
    if route == "POST /v1/resolve {V, i}":
        return "POST", "/v1/resolve", {"queries": [{"vault_id": v, "item_id": w.item}]}, None
    files = f"{items}/{w.item}/files"
    if route == "PUT /v1/vaults/{V}/items/{i}/files/{new}":
        return "PUT", f"{files}/{new_id()}", Raw(os.urandom(64)), None
    if route == "PUT /v1/vaults/{everyone}/items/{i}/files/{new}":
        # {i} is in V: a vault the caller may write must not take another's item.
        return "PUT", f"/v1/vaults/{a.everyone_vault}/items/{w.item}/files/{new_id()}", \
            Raw(os.urandom(64)), None
    if route == "GET /v1/vaults/{V}/items/{i}/files/{f}":
        return "GET", f"{files}/{w.file}", None, None
    if route == "GET /v1/vaults/{everyone}/items/{i}/files/{f}":
        return "GET", f"/v1/vaults/{a.everyone_vault}/items/{w.item}/files/{w.file}", None, None
    if route == "DELETE /v1/vaults/{V}/items/{i}/files/{new}":
        return "DELETE", f"{files}/{w.new_file()}", None, None
    sa_vaults = {"{V}": v, "{W}": w.w_vault, "{everyone}": a.everyone_vault,
                 "{owner's personal}": a.personal_vault}
    if route.startswith("POST /v1/service-accounts {"):
        vid = sa_vaults[route.split(" ", 2)[2]]
        sid = new_id()
        return "POST", "/v1/service-accounts", {
            "service_account_id": sid, "name": f"sa-{sid[:6]}", "box_public_key": rand(),
            "sign_public_key": rand(), "expires_in": 3600,
            "vaults": [{"vault_id": vid, "sealed_key": rand(80),
                        "permissions": ["read_items", "write_items"]}]}, None
    if route == "GET /v1/service-accounts":
        return "GET", "/v1/service-accounts", None, None
    if route == "GET /v1/service-accounts/{sar}":
        return "GET", f"/v1/service-accounts/{w.callers['sar'].user_id}", None, None
    if route == "DELETE /v1/service-accounts/{new on V}":
        return "DELETE", f"/v1/service-accounts/{w.new_sa(v)[0]}", None, None
    if route == "POST /v1/service-accounts/{new on V}/revoke":
        return "POST", f"/v1/service-accounts/{w.new_sa(v)[0]}/revoke", None, None
    if route.startswith("POST /v1/service-accounts/{new on "):
        vid = sa_vaults["{" + route_path(route)[1].split("/")[3][len("{new on "):]]
        sid = w.new_sa(vid)[0]
        return "POST", f"/v1/service-accounts/{sid}/rotate", {
            "service_account_id": new_id(), "box_public_key": rand(),
            "sign_public_key": rand(),
            "vaults": [{"vault_id": vid, "sealed_key": rand(80)}]}, None
    if route == "GET /v1/ratelimit":
        return "GET", "/v1/ratelimit", None, None
    if route == "GET /v1/ratelimit {principal=target}":
        return "GET", f"/v1/ratelimit?principal={w.target.user_id}", None, None
    if route == "GET /v1/account/ratelimits":
        return "GET", "/v1/account/ratelimits", None, None
    if route == "PUT /v1/account/ratelimits":
        # Generous, so the service-account columns never meet a limit.
        return "PUT", "/v1/account/ratelimits", {"reads_per_hour": 1000000,
                                                 "writes_per_hour": 1000000,
                                                 "per_day": 1000000000}, None
    if route == "GET /v1/events":
        return "GET", f"/v1/events?vault={v}&limit=5", None, None
    if route == "GET /v1/events/verify":
        return "GET", "/v1/events/verify", None, None
    if route == "GET /v1/events/usage {actor=saw}":
        return "GET", f"/v1/events/usage?actor={w.callers['saw'].user_id}", None, None
    raise AssertionError(f"no request for row '{route}'")


@pytest.fixture
def world(start_sesamed):
    return World(start_sesamed("--allow-signup"))


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def shape(path):
    """A path with every parameter as {}: `/v1/vaults/{v}` and `/v1/vaults/:vault` alike."""
    return re.sub(r"\{[^}]*\}|:[a-z0-9_]+", "{}", path)


def documented_routes():
    """(method, shape) of every row of the route table in docs/api.md."""
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
        doc = f.read()
    found = {(m.group(1), shape(m.group(2))) for m in re.finditer(
        r"^\| (GET|POST|PUT|PATCH|DELETE|HEAD) \| `(/[^`]*)` \|", doc, re.M)}
    assert len(found) > 50, "the route table of docs/api.md was not found"
    return found


def server_routes():
    """(method, shape) of every row of the route table in src/server/routes.c."""
    with open(os.path.join(ROOT, "src", "server", "routes.c"), encoding="utf-8") as f:
        src = f.read()
    macros = dict(re.findall(r'^#define\s+([A-Z])\s+"([^"]*)"', src, re.M))
    table = src[src.index("server_routes[] = {"):]
    table = table[:table.index("\n};")]
    found = set()
    for m in re.finditer(r'^\s*\{"([A-Z]+)",\s*([A-Z](?=[\s,]))?\s*(?:"([^"]*)")?\s*,',
                         table, re.M):
        found.add((m.group(1), shape(macros.get(m.group(2), "") + (m.group(3) or ""))))
    assert len(found) > 50, "the route table of routes.c was not found"
    return found


def route_path(route):
    """(method, path) of a row's label; braces may hold spaces, a note may follow."""
    m = re.match(r"(\S+) ((?:[^\s{]|\{[^}]*\})+)", route)
    assert m, route
    return m.group(1), m.group(2)


def matrix_routes():
    return {(method, shape(path))
            for method, path in (route_path(r) for r, _ in parse_matrix())}


def test_matrix_covers_every_documented_route():
    """Each route of docs/api.md has a row, and each row is a documented route.

    No exceptions: a new route fails here until it has its row."""
    documented, ours = documented_routes(), matrix_routes()
    missing = sorted(documented - ours)
    assert not missing, f"routes of docs/api.md without a matrix row: {missing}"
    stale = sorted(ours - documented)
    assert not stale, f"matrix rows for routes docs/api.md does not have: {stale}"


def test_documented_routes_are_the_servers():
    """docs/api.md's table and routes.c's table list the same routes (so the
    matrix, which follows the docs, covers every route the server serves)."""
    documented, served = documented_routes(), server_routes()
    assert not sorted(served - documented), \
        f"served but not in docs/api.md: {sorted(served - documented)}"
    assert not sorted(documented - served), \
        f"in docs/api.md but not served: {sorted(documented - served)}"


def test_matrix_rows_are_complete():
    """Every row has exactly one cell per column (a shifted cell would test the wrong caller)."""
    for line in MATRIX.strip().splitlines()[1:]:
        cells = [p for p in line.split() if re.fullmatch(r"\d{3}(:[a-z_]+)?", p)]
        assert len(cells) == len(COLUMNS), f"row has {len(cells)} cells: {line}"
    assert MATRIX.strip().splitlines()[0].split()[1:] == COLUMNS


NOT_FOUND_CODES = ("vault_not_found", "user_not_found", "group_not_found", "principal_not_found",
                   "item_not_found", "file_not_found", "service_account_not_found")


def perform(w, who, method, path, body, session):
    """(status, parsed JSON or None, raw bytes) of one cell's request."""
    api = w.callers[who].api
    if isinstance(body, Raw):
        tok = api.session if session is None else session
        st, hdrs, data = api.raw(method, path, body.data,
                                 {"Authorization": f"Bearer {tok}",
                                  "Content-Type": body.content_type})
        return st, json.loads(data) if data else None, data
    st, resp = api.call(method, path, body, session=session)
    if api.last_headers.get("Content-Type") == "application/octet-stream":
        return st, None, b""
    return st, resp, None


def test_authorization_matrix(world):
    failures = []
    for route, expected in parse_matrix():
        for who in COLUMNS:
            method, path, body, session = request_for(world, route, who)
            st, resp, _ = perform(world, who, method, path, body, session)
            got = str(st)
            if st == 200 and route.startswith("POST /v1/resolve"):
                res = resp["results"][0]
                if "error" in res:
                    got = f"200:{res['error']['code']}"
                else:
                    assert res["items"] and res["items"][0]["id"] == world.item
            if got != expected[who]:
                failures.append(f"{route} as {who}: expected {expected[who]}, got {got} "
                                f"({error_code(resp)})")
            elif st == 403 and route != "DELETE /v1/vaults/{everyone}" and \
                    "groups/" not in path and "personal" not in route:
                assert error_code(resp) == "forbidden", (route, who, resp)
            elif st == 404:
                assert error_code(resp) in NOT_FOUND_CODES, (route, who, resp)
    assert not failures, "\n".join(failures)


def test_file_download_is_the_upload(world):
    """The GET row's 200s are the bytes the owner uploaded, for every reader."""
    path = f"/v1/vaults/{world.vault}/items/{world.item}/files/{world.file}"
    for who in ("owner", "copy", "sar"):
        api = world.callers[who].api
        st, hdrs, data = api.raw("GET", path, None,
                                 {"Authorization": f"Bearer {api.session}"})
        assert st == 200 and data == world.file_bytes, who
        assert hdrs["Content-Type"] == "application/octet-stream"


def test_other_account_sees_none_of_this_one(world):
    """200s of the other account's owner on account-wide routes carry nothing of ours."""
    api = world.callers["other"].api
    ours = {c.user_id for k, c in world.callers.items() if k != "other"}
    st, body = api.get("/v1/service-accounts")
    assert st == 200 and not {s["id"] for s in body["service_accounts"]} & ours
    st, body = api.get("/v1/events?limit=1000")
    assert st == 200 and not {e["actor_id"] for e in body["events"]} & ours
    st, body = api.get(f"/v1/events/usage?actor={world.callers['saw'].user_id}")
    assert st == 200 and body["requests"] == 0 and body["usage"] == []
