# SPDX-License-Identifier: Apache-2.0
"""Items: CRUD, optimistic concurrency, history, blind-index lookups, batch, resolve."""
import sqlite3
import time

from sesame_api import (PERM, Api, create_account, error_code, item_doc, new_id, rand,
                        sign_in, vault_doc)


def make_vault(acct):
    doc = vault_doc(acct.user_id)
    st, body = acct.api.post("/v1/vaults", doc)
    assert st == 201, body
    return doc["vault_id"]


def test_item_crud_and_history(sesamed):
    acct = create_account(sesamed)
    api = acct.api
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    it = item_doc()
    iid = it["id"]
    st, got = api.post(base, it)
    assert st == 201
    assert (got["id"], got["vault_id"], got["version"], got["state"]) == (iid, vid, 1, "active")
    assert got["overview"] == it["overview"] and got["details"] == it["details"]
    assert got["created_by"] == got["updated_by"] == acct.user_id
    assert api.get(f"{base}/{iid}")[1] == got
    st, body = api.post(base, it)
    assert (st, error_code(body)) == (409, "already_exists")
    st, body = api.post(base, item_doc(version=2))
    assert st == 400

    v2 = item_doc(iid, version=2)
    st, got2 = api.put(f"{base}/{iid}", v2)
    assert st == 200 and got2["version"] == 2 and got2["details"] == v2["details"]
    st, body = api.put(f"{base}/{new_id()}", item_doc(version=2))
    assert st == 400  # the body's id must be the path's
    st, hist = api.get(f"{base}/{iid}/versions")
    assert st == 200
    assert [(h["version"], h["details"]) for h in hist["versions"]] == \
        [(1, it["details"]), (2, v2["details"])]

    st, listed = api.get(base)
    assert st == 200 and [x["id"] for x in listed["items"]] == [iid]
    assert "details" not in listed["items"][0]
    st, a = api.post(f"{base}/{iid}/archive")
    assert st == 200 and a["state"] == "archived" and a["version"] == 2
    assert api.get(base)[1]["items"] == []
    assert [x["id"] for x in api.get(f"{base}?state=archived")[1]["items"]] == [iid]
    assert len(api.get(f"{base}?state=all")[1]["items"]) == 1
    assert api.post(f"{base}/{iid}/restore")[1]["state"] == "active"
    st, v = api.get(f"/v1/vaults/{vid}")
    assert v["items"] == 1 and v["content_version"] > 1
    assert api.delete(f"{base}/{iid}")[0] == 204
    st, body = api.get(f"{base}/{iid}")
    assert (st, error_code(body)) == (404, "item_not_found")
    assert api.delete(f"{base}/{iid}")[0] == 404


def test_two_writers_conflict(sesamed):
    acct = create_account(sesamed)
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    it = item_doc()
    acct.api.post(base, it)
    other = Api(sesamed)
    st, body = sign_in(other, acct.account_id, acct.email, acct.signin)
    other.session = body["session"]
    first = item_doc(it["id"], version=2)
    second = item_doc(it["id"], version=2)
    assert acct.api.put(f"{base}/{it['id']}", first)[0] == 200
    st, body = other.put(f"{base}/{it['id']}", second)
    assert (st, error_code(body)) == (409, "conflict")
    assert body["error"]["message"] == \
        f"item '{it['id']}' changed since version 1 (it is at version 2); fetch it and retry"
    # Nothing lost: the first write is what is stored.
    assert acct.api.get(f"{base}/{it['id']}")[1]["details"] == first["details"]
    assert other.put(f"{base}/{it['id']}", item_doc(it["id"], version=3))[0] == 200


def test_title_and_tag_lookup(sesamed):
    acct = create_account(sesamed)
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    title, tag1, tag2 = rand(32), rand(32), rand(32)
    a = item_doc(title=title, tags=[tag1])
    b = item_doc(title=title, tags=[tag2])
    c = item_doc(tags=[tag1, tag2])
    for x in (a, b, c):
        assert acct.api.post(base, x)[0] == 201
    ids = lambda q: sorted(x["id"] for x in acct.api.get(f"{base}?{q}")[1]["items"])  # noqa
    assert ids(f"title={title}") == sorted([a["id"], b["id"]])
    assert ids(f"tag={tag1}") == sorted([a["id"], c["id"]])
    assert ids(f"tag={tag2}&title={title}") == [b["id"]]
    assert ids(f"title={rand(32)}") == []
    # A new version replaces the indexes.
    acct.api.put(f"{base}/{a['id']}", item_doc(a["id"], version=2, title=rand(32)))
    assert ids(f"title={title}") == [b["id"]]
    for q in ("title=short", "nope=1", "state=gone", "title=%zz"):
        st, body = acct.api.get(f"{base}?{q}")
        assert (st, error_code(body)) == (400, "invalid_request"), q


def test_batch(sesamed):
    acct = create_account(sesamed)
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    items = [item_doc() for _ in range(50)]
    st, body = acct.api.post(f"{base}/batch", {"create": items})
    assert st == 200 and len(body["results"]) == 50
    assert all("item" in r and r["item"]["version"] == 1 for r in body["results"])
    st, body = acct.api.post(f"{base}/batch", {"create": items + [item_doc()]})
    assert (st, error_code(body)) == (400, "too_many")
    dup = [items[0], item_doc(), {"id": "bad"}]
    st, body = acct.api.post(f"{base}/batch", {"create": dup})
    assert st == 200
    r = body["results"]
    assert r[0]["error"]["code"] == "already_exists" and "item" in r[1] and "error" in r[2]
    ids = [x["id"] for x in items[:3]] + [new_id(), "../etc"]
    st, body = acct.api.post(f"{base}/batch", {"get": ids})
    assert st == 200
    assert [("item" in x) for x in body["results"]] == [True, True, True, False, False]
    assert body["results"][3]["error"]["code"] == "item_not_found"
    st, body = acct.api.post(f"{base}/batch", {"delete": ids[:2]})
    assert st == 200 and all(x.get("deleted") for x in body["results"])
    st, body = acct.api.post(f"{base}/batch", {"get": ids[:1], "delete": ids[:1]})
    assert st == 400
    st, body = acct.api.post(f"{base}/batch", {})
    assert st == 400


def test_resolve(sesamed):
    acct = create_account(sesamed)
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    title = rand(32)
    it = item_doc(title=title)
    acct.api.post(base, it)
    archived = item_doc(title=title)
    acct.api.post(base, archived)
    acct.api.post(f"{base}/{archived['id']}/archive")
    queries = [{"vault_id": vid, "title": title}, {"vault_id": vid, "item_id": it["id"]},
               {"vault_id": vid, "item_id": new_id()}, {"vault_id": new_id(), "title": title},
               {"vault_id": vid}, {"vault_id": vid, "item_id": it["id"], "x": 1}]
    st, body = acct.api.post("/v1/resolve", {"queries": queries})
    assert st == 200
    r = body["results"]
    assert [x["id"] for x in r[0]["items"]] == [it["id"]]  # archived items are skipped
    assert r[0]["items"][0]["details"] == it["details"]
    assert r[1]["items"][0]["id"] == it["id"]
    assert r[2] == {"items": []}
    assert r[3]["error"]["code"] == "vault_not_found"
    assert r[4]["error"]["code"] == "invalid_request"
    assert r[5]["error"]["message"] == "unknown key 'x'"
    many = [{"vault_id": vid, "item_id": it["id"]}] * 1000
    st, body = acct.api.post("/v1/resolve", {"queries": many})
    assert st == 200 and len(body["results"]) == 1000
    st, body = acct.api.post("/v1/resolve", {"queries": many + many[:1]})
    assert (st, error_code(body)) == (400, "too_many")


def test_resolve_batch_answers_as_item_reads(sesamed):
    """Many title queries over two vaults (one statement per vault on the
    server): each result is what reading the item gives (the members that
    decrypting needs), duplicates and id queries included, every base64
    length, items in id order."""
    acct = create_account(sesamed)
    vaults = [make_vault(acct), make_vault(acct)]
    titles = [rand(32) for _ in range(6)]
    made = {}  # (vault, title) -> ids
    for n, (vid, title) in enumerate([(v, t) for v in vaults for t in titles[:4]] * 2):
        it = item_doc(title=title)
        it["overview"], it["details"] = rand(90 + n % 3), rand(250 + n % 5)
        st, _ = acct.api.post(f"/v1/vaults/{vid}/items", it)
        assert st == 201
        made.setdefault((vid, title), []).append(it["id"])
    some = made[(vaults[0], titles[0])][0]
    queries = [{"vault_id": v, "title": t} for v in vaults for t in titles]
    queries += queries[:3] + [{"vault_id": vaults[0], "item_id": some}]
    st, body = acct.api.post("/v1/resolve", {"queries": queries})
    assert st == 200
    results = body["results"]
    assert len(results) == len(queries)
    for q, r in zip(queries, results):
        want = sorted(made.get((q["vault_id"], q.get("title")), [])) if "title" in q else [some]
        assert [x["id"] for x in r["items"]] == want
        for x in r["items"]:
            st, one = acct.api.get(f"/v1/vaults/{q['vault_id']}/items/{x['id']}")
            assert st == 200
            # The same item as a plain read, with only what decrypting needs:
            # no overview, times or authors (the details carry their own).
            assert list(x) == ["id", "vault_id", "version", "state", "details"]
            assert x == {k: one[k] for k in x}


def test_title_lookup_is_one_indexed_query(start_sesamed, tmp_path):
    """10,000 items: a title lookup stays fast because it is one index lookup."""
    data = tmp_path / "data"
    srv = start_sesamed(data_dir=str(data))
    acct = create_account(srv)
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    # Fill through the database: 10,000 items through the API would cost minutes
    # under ASan, and the API's write path is tested above.
    con = sqlite3.connect(str(data / "sesame.db"))
    try:
        now = int(time.time())
        blob = b"\x01" * 64
        with con:
            con.executemany(
                "INSERT INTO items VALUES (?, ?, 1, 'active', ?, ?, ?, ?, ?, ?)",
                ((f"{i:026d}", vid, blob, blob, now, now, acct.user_id, acct.user_id)
                 for i in range(10000)))
            con.executemany(
                "INSERT INTO item_indexes VALUES (?, ?, 'title', ?)",
                ((f"{i:026d}", vid, i.to_bytes(32, "big")) for i in range(10000)))
        plan = " ".join(r[3] for r in con.execute(
            "EXPLAIN QUERY PLAN SELECT i.id FROM item_indexes x JOIN items i ON i.id = x.item_id"
            " WHERE x.vault_id = ? AND x.kind = 'title' AND x.value = ?", (vid, b"x" * 32)))
    finally:
        con.close()
    assert "USING INDEX item_indexes_lookup" in plan or "USING COVERING INDEX" in plan, plan
    assert "SCAN" not in plan, plan
    from sesame_api import b64u
    target = b64u((7777).to_bytes(32, "big"))
    t0 = time.monotonic()
    for _ in range(50):
        st, body = acct.api.get(f"{base}?title={target}")
        assert st == 200 and [x["id"] for x in body["items"]] == [f"{7777:026d}"]
    per = (time.monotonic() - t0) / 50
    assert per < 0.05, f"title lookup took {per * 1000:.1f} ms"
    st, body = acct.api.post("/v1/resolve", {"queries": [{"vault_id": vid, "title": target}]})
    assert body["results"][0]["items"][0]["id"] == f"{7777:026d}"


def test_item_permissions_by_action(sesamed):
    from sesame_api import add_member
    acct = create_account(sesamed)
    bob = add_member(acct)
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    it = item_doc()
    acct.api.post(base, it)
    read_edit = PERM["view_items"] | PERM["view_and_copy_passwords"] | PERM["edit_items"]
    acct.api.put(f"/v1/vaults/{vid}/access/{bob.user_id}",
                 {"sealed_key": rand(80), "permissions": read_edit})
    assert bob.api.put(f"{base}/{it['id']}", item_doc(it["id"], version=2))[0] == 200
    for method, path in (("POST", f"{base}/{it['id']}/archive"), ("DELETE", f"{base}/{it['id']}"),
                         ("GET", f"{base}/{it['id']}/versions")):
        st, body = bob.api.call(method, path)
        assert (st, error_code(body)) == (403, "forbidden"), path
    st, body = bob.api.post(f"{base}/batch", {"delete": [it["id"]]})
    assert st == 403


def test_query_strings_are_strict_and_answered_as_400(sesamed):
    """Unknown, repeated and malformed query parameters are a 400 that says
    why, also when the name quoted back is not UTF-8 (it was a bare 500)."""
    acct = create_account(sesamed)
    vid = make_vault(acct)
    base = f"/v1/vaults/{vid}/items"
    for query, why in [("?x=1", "unknown query parameter 'x'"),
                       ("?%FF%FE=1", "unknown query parameter '??'"),
                       ("?state=all&state=all", "repeated"),
                       ("?state=%4", "malformed query string"),
                       ("?state=%00", "malformed query string"),
                       ("?state=nope", "must be active, archived or all"),
                       ("?title=short", "must be a blind index")]:
        st, body = acct.api.get(base + query)
        assert st == 400, (query, st, body)
        assert error_code(body) == "invalid_request"
        assert why in body["error"]["message"], (query, body)
    st, body = acct.api.get(base + "?&state=all&")  # empty elements are skipped
    assert st == 200 and body["items"] == []
    st, body = acct.api.get("/v1/events?%C3=1")  # the audit routes share the parser
    assert st == 400 and "unknown query parameter '?'" in body["error"]["message"]
