# SPDX-License-Identifier: Apache-2.0
"""Request bodies and paths on the API routes: limits, JSON rules, ids, traversal."""
import json
import socket

from sesame_api import Api, create_account, error_code, item_doc, new_id, vault_doc

CHALLENGE = "/v1/auth/challenge"  # a public JSON route with a 4 KiB limit


def raw_exchange(srv, data, timeout=10):
    """Sends raw bytes; returns everything the server answered before closing."""
    s = srv.raw_socket(timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def status_of(resp):
    return int(resp.split(b" ", 2)[1]) if resp.startswith(b"HTTP/1.1 ") else None


def test_json_body_rules(sesamed):
    api = Api(sesamed)
    cases = [
        (b"", "invalid_json"),
        (b"{", "invalid_json"),
        (b"[]", "invalid_json"),
        (b'{"account_id":"a","account_id":"b"}', "invalid_json"),
        (b'{"account_id":"' + b"a" * 26 + b'","email":"x@y","extra":1}', "invalid_request"),
        (b'{"account_id":1,"email":"x@y"}', "invalid_request"),
        (b'{"account_id":"../../etc/passwd","email":"x@y"}', "invalid_request"),
        (b'{"account_id":"' + b"a" * 26 + b'"}', "invalid_request"),
        (b"[" * 40 + b"]" * 40, "invalid_json"),
    ]
    for body, code in cases:
        st, hdrs, data = api.raw("POST", CHALLENGE, body, {"Content-Type": "application/json"})
        assert (st, error_code(json.loads(data))) == (400, code), body
    st, hdrs, data = api.raw("POST", CHALLENGE, b"{}", {"Content-Type": "text/plain"})
    assert (st, error_code(json.loads(data))) == (415, "unsupported_media_type")


def test_body_limits(sesamed):
    api = Api(sesamed)
    big = b'{"email":"' + b"x" * 5000 + b'"}'
    st, _, data = api.raw("POST", CHALLENGE, big, {"Content-Type": "application/json"})
    assert (st, error_code(json.loads(data))) == (413, "body_too_large")
    # Chunked, over the limit: 413 after draining a little.
    chunk = b"x" * 5000
    req = (b"POST " + CHALLENGE.encode() + b" HTTP/1.1\r\nHost: t\r\n"
           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
           b"Connection: close\r\n\r\n"
           + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n")
    assert status_of(raw_exchange(sesamed, req)) == 413
    # Chunked, far over the limit: the connection is closed, maybe without an answer.
    huge = b"x" * (1 << 20)
    req = (b"POST " + CHALLENGE.encode() + b" HTTP/1.1\r\nHost: t\r\n"
           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
           b"Connection: close\r\n\r\n"
           + b"%x\r\n" % len(huge) + huge + b"\r\n0\r\n\r\n")
    try:
        resp = raw_exchange(sesamed, req)
    except (BrokenPipeError, ConnectionResetError):
        resp = b""
    assert resp == b"" or status_of(resp) == 413
    # The server is still fine.
    assert Api(sesamed).get("/v1/health", session="")[0] == 200


def test_body_on_bodyless_route_and_unauthenticated_body(sesamed):
    acct = create_account(sesamed)
    st, _, data = acct.api.raw("GET", "/v1/whoami", b"{}",
                               {"Authorization": f"Bearer {acct.api.session}",
                                "Content-Type": "application/json"})
    assert (st, error_code(json.loads(data))) == (400, "body_not_allowed")
    # No session: refused before the body is read.
    vid = new_id()
    st, _, data = Api(sesamed).raw("POST", f"/v1/vaults/{vid}/items",
                                   json.dumps(item_doc()),
                                   {"Content-Type": "application/json"})
    assert (st, error_code(json.loads(data))) == (401, "unauthenticated")


def test_ids_in_paths(sesamed):
    acct = create_account(sesamed)
    vdoc = vault_doc(acct.user_id)
    acct.api.post("/v1/vaults", vdoc)
    vid = vdoc["vault_id"]
    cases = {
        "/v1/vaults/..": 400,
        "/v1/vaults/%2e%2e": 400,
        "/v1/vaults/%2E%2e/items": 400,
        "/v1/vaults/..%2f..%2fetc": 400,
        f"/v1/vaults/{vid}/items/..": 400,
        f"/v1/vaults/{vid}/items/%2e%2e/versions": 400,
        "/v1/vaults/ABCDEFGHIJKLMNOPQRSTUVWXYZ": 400,
        "/v1/vaults/short": 400,
        "/v1/vaults/" + "a" * 27: 400,
        "/v1/vaults/%00" + "a" * 25: 400,
        "/v1/vaults/" + "a" * 26: 404,
        f"/v1/vaults/{vid}/items/" + "b" * 26: 404,
        f"/v1/vaults/{vid}/items/x%20y": 400,
        "/v1/principals/../keys": 400,
        "/v1/users/%2e": 400,
    }
    for path, want in cases.items():
        st, body = acct.api.get(path)
        assert st == want, (path, st, body)
        assert "error" in body
    assert acct.api.get(f"/v1/vaults/{vid}")[0] == 200
