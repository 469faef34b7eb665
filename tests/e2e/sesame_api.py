# SPDX-License-Identifier: Apache-2.0
"""A small client of sesamed's v1 API for end-to-end tests.

Standard library plus libsodium through ctypes (Ed25519 for sign-in). The
server never decrypts, so tests send random bytes where the real client
sends ciphertext, sealed keys and blind indexes.

    api = Api(sesamed)                     # keep-alive JSON client
    acct = create_account(api)             # the first account, owner signed in
    status, body = acct.api.get("/v1/whoami")
"""
import base64
import ctypes
import http.client
import json
import os
import secrets
import string

_sodium = ctypes.CDLL("libsodium.so.23")
if _sodium.sodium_init() < 0:
    raise RuntimeError("cannot initialise libsodium")

ID_ALPHABET = string.ascii_lowercase + string.digits
PERM = {
    "manage_vault": 2, "view_and_copy_passwords": 16, "view_items": 32, "edit_items": 64,
    "create_items": 128, "archive_items": 256, "delete_items": 512, "view_item_history": 1024,
    "copy_and_share_items": 1048576, "import_items": 2097152, "export_items": 4194304,
    "print_items": 8388608,
}
PERM_ALL = sum(PERM.values())  # 15730674
PERM_READ = PERM["view_items"] | PERM["view_and_copy_passwords"]


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_id():
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(26))


def rand(n=32):
    return b64u(os.urandom(n))


class SignKey:
    """An Ed25519 key pair (libsodium crypto_sign)."""

    def __init__(self, seed=None):
        seed = seed or os.urandom(32)
        pk = ctypes.create_string_buffer(32)
        sk = ctypes.create_string_buffer(64)
        if _sodium.crypto_sign_seed_keypair(pk, sk, seed) != 0:
            raise RuntimeError("crypto_sign_seed_keypair failed")
        self.pk = pk.raw
        self._sk = sk.raw

    def sign(self, msg):
        sig = ctypes.create_string_buffer(64)
        _sodium.crypto_sign_detached(sig, None, msg, ctypes.c_ulonglong(len(msg)), self._sk)
        return sig.raw


class Api:
    """JSON over one keep-alive connection; `session` is sent as a bearer token."""

    def __init__(self, srv, session=None):
        self.srv = srv
        self.session = session
        self.conn = None
        self.last_headers = None

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def with_session(self, session):
        return Api(self.srv, session)

    def raw(self, method, path, body=None, headers=None):
        """(status, headers, body bytes); `body` bytes or str is sent as is."""
        hdrs = dict(headers or {})
        if isinstance(body, str):
            body = body.encode()
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = self.srv.connection(timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                self.last_headers = resp.headers
                return resp.status, resp.headers, data
            except (http.client.HTTPException, ConnectionError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def call(self, method, path, doc=None, session=None):
        """(status, parsed JSON or None). `session` overrides the default ("" for none)."""
        headers = {}
        tok = self.session if session is None else session
        if tok:
            headers["Authorization"] = f"Bearer {tok}"
        body = None
        if doc is not None:
            body = json.dumps(doc)
            headers["Content-Type"] = "application/json"
        status, hdrs, data = self.raw(method, path, body, headers)
        parsed = json.loads(data) if data and hdrs.get("Content-Type") == "application/json" \
            else None
        return status, parsed

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, doc=None, **kw):
        return self.call("POST", path, doc, **kw)

    def put(self, path, doc=None, **kw):
        return self.call("PUT", path, doc, **kw)

    def patch(self, path, doc=None, **kw):
        return self.call("PATCH", path, doc, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def error_code(body):
    return (body or {}).get("error", {}).get("code")


class Account:
    """What create_account made: ids, the owner's sign-in key, a signed-in Api."""

    def __init__(self, api, doc, signin):
        self.doc = doc
        self.account_id = doc["account_id"]
        self.user_id = doc["owner"]["user_id"]
        self.email = doc["owner"]["email"]
        self.signin = signin
        self.groups = {g["type"]: g["group_id"] for g in doc["groups"]}
        self.personal_vault = next(v["vault_id"] for v in doc["vaults"] if v["type"] == "personal")
        self.everyone_vault = next(v["vault_id"] for v in doc["vaults"] if v["type"] == "everyone")
        self.api = api


def account_doc(email=None, signin=None):
    """A valid POST /v1/accounts body and the owner's sign-in key."""
    signin = signin or SignKey()
    user_id = new_id()
    groups = [{"group_id": new_id(), "type": t, "name": n, "box_public_key": rand(),
               "sign_public_key": rand(), "sealed_keyset": rand(80)}
              for t, n in (("owners", "Owners"), ("administrators", "Administrators"),
                           ("team_members", "Team Members"))]
    doc = {
        "account_id": new_id(), "name": "Acme",
        "owner": {"user_id": user_id, "email": email or f"{new_id()[:8]}@example.com",
                  "name": "Ann", "salt": rand(16), "kdf": {"ops": 3, "mem": 268435456},
                  "signin_public_key": b64u(signin.pk), "box_public_key": rand(),
                  "sign_public_key": rand(), "encrypted_keyset": rand(105)},
        "groups": groups,
        "vaults": [
            {"vault_id": new_id(), "type": "personal", "encrypted_attrs": rand(60),
             "access": [{"principal_id": user_id, "sealed_key": rand(80),
                         "permissions": PERM_ALL}]},
            {"vault_id": new_id(), "type": "everyone", "encrypted_attrs": rand(60),
             "access": [{"principal_id": g["group_id"], "sealed_key": rand(80),
                         "permissions": PERM_ALL if g["type"] != "team_members"
                         else PERM_ALL & ~PERM["manage_vault"]} for g in groups]},
        ],
    }
    return doc, signin


def signin_message(challenge, principal_id):
    return b"sesame signin v1" + challenge + principal_id.encode()


def sign_in(api, account_id, email, signin, principal_id=None):
    """Challenge and sign-in; returns (status, body) of /v1/auth/signin."""
    st, ch = api.post("/v1/auth/challenge", {"account_id": account_id, "email": email},
                      session="")
    assert st == 200, ch
    pid = principal_id or ch["principal_id"]
    sig = signin.sign(signin_message(unb64u(ch["challenge"]), pid))
    return api.post("/v1/auth/signin", {"principal_id": pid, "challenge": ch["challenge"],
                                        "signature": b64u(sig)}, session="")


def create_account(srv, email=None):
    """Creates an account on `srv` and signs its owner in; returns an Account."""
    api = Api(srv)
    doc, signin = account_doc(email)
    st, body = api.post("/v1/accounts", doc, session="")
    assert st == 201, body
    assert body == {"account_id": doc["account_id"], "user_id": doc["owner"]["user_id"]}
    st, body = sign_in(api, doc["account_id"], doc["owner"]["email"], signin)
    assert st == 200, body
    api.session = body["session"]
    return Account(api, doc, signin)


def vault_doc(owner_id, extra_access=()):
    """A POST /v1/vaults body with the creator as manager."""
    return {"vault_id": new_id(), "encrypted_attrs": rand(60), "allow_admins_to_manage": False,
            "access": [{"principal_id": owner_id, "sealed_key": rand(80),
                        "permissions": PERM_ALL}, *extra_access]}


def item_doc(item_id=None, version=1, title=None, tags=()):
    """An item body: random ciphertext, a title index and tag indexes."""
    return {"id": item_id or new_id(), "version": version, "overview": rand(100),
            "details": rand(300), "title_index": title or rand(32),
            "tag_indexes": list(tags)}


class Member:
    """A confirmed, signed-in user of an account (see add_member)."""

    def __init__(self, user_id, email, signin, api, personal_vault):
        self.user_id = user_id
        self.email = email
        self.signin = signin
        self.api = api
        self.personal_vault = personal_vault


def add_member(acct, groups=("team_members",), name="Bob"):
    """Invites, accepts, confirms and signs in a new user of `acct`."""
    uid = new_id()
    email = f"{uid[:10]}@example.com"
    st, body = acct.api.post("/v1/users/invite", {"user_id": uid, "email": email, "name": name})
    assert st == 201, body
    signin = SignKey()
    pv = new_id()
    anon = Api(acct.api.srv)
    st, body = anon.post("/v1/users/accept", {
        "account_id": acct.account_id, "user_id": uid, "invite_code": body["invite_code"],
        "salt": rand(16), "kdf": {"ops": 3, "mem": 268435456},
        "signin_public_key": b64u(signin.pk), "box_public_key": rand(),
        "sign_public_key": rand(), "encrypted_keyset": rand(105),
        "private_vault": {"vault_id": pv, "encrypted_attrs": rand(60), "sealed_key": rand(80)},
    }, session="")
    assert st == 200, body
    st, body = acct.api.post(f"/v1/users/{uid}/confirm", {"memberships": [
        {"group_id": acct.groups[g], "sealed_keyset": rand(80)} for g in groups]})
    assert st == 200, body
    st, body = sign_in(anon, acct.account_id, email, signin)
    assert st == 200, body
    anon.session = body["session"]
    return Member(uid, email, signin, anon, pv)


def server_keys(data_dir):
    """The server's (challenge, session, probe) keys from <data_dir>/server.keys."""
    with open(os.path.join(data_dir, "server.keys"), "rb") as f:
        raw = f.read()
    assert raw[:8] == b"SESAMEK1" and len(raw) == 8 + 96
    return raw[8:40], raw[40:72], raw[72:104]


def mint_session(session_key, principal_id, account_id, generation, expires, kind=b"u"):
    """A session token made the way the server makes them (for expiry tests)."""
    import hashlib
    import hmac
    raw = (principal_id.encode() + account_id.encode() + generation.to_bytes(8, "big")
           + expires.to_bytes(8, "big") + kind + os.urandom(16))
    mac = hmac.new(session_key, b"sesame session v1\0" + raw, hashlib.sha256).digest()
    return "sesame_ses_" + b64u(raw + mac)
