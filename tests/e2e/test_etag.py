# SPDX-License-Identifier: Apache-2.0
"""Conditional reads: the server's ETag and If-None-Match (304) on GET
answers, and the SDK cache that revalidates expired ItemsGet entries with
them (docs/protocol.md "Conditional reads", docs/sdk.md "Cache").

The SDK part drives the Python binding; under a sanitizer build it runs in
a child pytest with the ASan runtime preloaded, as test_sdk_python.py does.
"""
import http.client
import os
import re
import subprocess
import sys
import time

import pytest

from sesame_api import create_account, item_doc, vault_doc
from test_sdk_python import NEEDS_PRELOAD, Person, asan_runtime, in_process, login

HERE = os.path.dirname(os.path.abspath(__file__))
ETAG = re.compile(r'^"[A-Za-z0-9_-]{22}"$')
ITEM_ACTION = "GET /v1/vaults/:vault/items/:item"

if not NEEDS_PRELOAD:
    from sesame import SyncClient


def events_for(api, item_id):
    out, cursor = [], "0"
    while True:
        st, body = api.get(f"/v1/events?cursor={cursor}&item={item_id}")
        assert st == 200, body
        out += body["events"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return out


@pytest.fixture
def item(sesamed):
    """An account, a vault and one item: (acct, item path, item doc)."""
    acct = create_account(sesamed)
    vault = vault_doc(acct.user_id)
    assert acct.api.post("/v1/vaults", vault)[0] == 201
    doc = item_doc()
    path = f"/v1/vaults/{vault['vault_id']}/items"
    assert acct.api.post(path, doc)[0] == 201
    return acct, f"{path}/{doc['id']}", doc


def get(acct, path, inm=None, session=None, method="GET"):
    headers = {"Authorization": f"Bearer {session or acct.api.session}"}
    if inm is not None:
        headers["If-None-Match"] = inm
    return acct.api.raw(method, path, headers=headers)


# ---- the server ----

def test_get_item_has_etag_and_304(item):
    acct, path, doc = item
    st, h, body = get(acct, path)
    assert st == 200 and body
    tag = h["ETag"]
    assert ETAG.match(tag), tag
    assert h["Cache-Control"] == "no-store"
    # The same answer, the same tag.
    st, h2, body2 = get(acct, path)
    assert (st, h2["ETag"], body2) == (200, tag, body)
    st, h3, body3 = get(acct, path, inm=tag)
    assert st == 304 and body3 == b""
    assert h3["ETag"] == tag and h3["Cache-Control"] == "no-store"
    assert "Content-Type" not in h3


def test_304_keeps_the_connection(item, sesamed):
    acct, path, _ = item
    tag = get(acct, path)[1]["ETag"]
    conn = sesamed.connection()
    try:
        auth = {"Authorization": f"Bearer {acct.api.session}"}
        conn.request("GET", path, headers={**auth, "If-None-Match": tag})
        resp = conn.getresponse()
        assert resp.status == 304 and resp.read() == b""
        assert (resp.getheader("Connection") or "").lower() != "close"
        sock = conn.sock
        # A body after the 304 would be read here as the next status line.
        conn.request("GET", path, headers=auth)
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("ETag") == tag and resp.read()
        assert conn.sock is sock
    finally:
        conn.close()


def test_edit_changes_the_tag(item):
    acct, path, doc = item
    old = get(acct, path)[1]["ETag"]
    st, _ = acct.api.put(path, item_doc(doc["id"], version=2))
    assert st == 200
    st, h, body = get(acct, path, inm=old)
    assert st == 200 and body and b'"version":2' in body
    new = h["ETag"]
    assert ETAG.match(new) and new != old
    assert get(acct, path, inm=new)[0] == 304


@pytest.mark.parametrize("form", [
    "{tag}",
    "W/{tag}",
    '"nope", {tag}',
    '{tag},"nope"',
    ' W/"a" , W/{tag} ',
    "*",
])
def test_if_none_match_forms(item, form):
    acct, path, _ = item
    tag = get(acct, path)[1]["ETag"]
    st, h, body = get(acct, path, inm=form.format(tag=tag))
    assert (st, body, h["ETag"]) == (304, b"", tag)


@pytest.mark.parametrize("value", [
    '"AAAAAAAAAAAAAAAAAAAAAA"',
    'W/"nope", "other"',
    "{bare}",          # unquoted
    '{tag} junk',      # malformed: matches nothing
    "*, {tag}",        # "*" only alone
    "",
])
def test_if_none_match_misses(item, value):
    acct, path, _ = item
    tag = get(acct, path)[1]["ETag"]
    st, h, body = get(acct, path, inm=value.format(tag=tag, bare=tag.strip('"')))
    assert st == 200 and body and h["ETag"] == tag


def test_head_is_conditional_too(item):
    acct, path, _ = item
    tag = get(acct, path)[1]["ETag"]
    st, h, body = get(acct, path, method="HEAD")
    assert (st, h["ETag"], body) == (200, tag, b"")
    assert get(acct, path, inm=tag, method="HEAD")[0] == 304


def test_only_200_json_to_get_has_a_tag(item):
    acct, path, doc = item
    # A write's answer and an error carry none.
    st, _ = acct.api.put(path, item_doc(doc["id"], version=2))
    assert st == 200 and "ETag" not in acct.api.last_headers
    st, h, _ = get(acct, path.rsplit("/", 1)[0] + "/" + "x" * 26)
    assert st == 404 and "ETag" not in h
    # Other GET routes are tagged too (the vault list).
    st, h, _ = get(acct, "/v1/vaults")
    assert st == 200 and ETAG.match(h["ETag"])
    assert get(acct, "/v1/vaults", inm=h["ETag"])[0] == 304


def test_304_still_needs_auth_and_is_audited(item):
    acct, path, doc = item
    tag = get(acct, path)[1]["ETag"]
    st, h, body = get(acct, path, inm=tag, session="sesame_ses_nope")
    assert st == 401 and "ETag" not in h and b"error" in body
    st, _, _ = acct.api.raw("GET", path, headers={"If-None-Match": tag})
    assert st == 401
    assert get(acct, path, inm=tag)[0] == 304
    ev = [e for e in events_for(acct.api, doc["id"]) if e["action"] == ITEM_ACTION]
    # The two reads above, and no event for the refused ones.
    assert [e["status"] for e in ev] == [200, 304]
    assert ev[1]["actor_id"] == acct.user_id


# ---- the SDK cache ----

@pytest.mark.skipif(not NEEDS_PRELOAD, reason="only for sanitizer builds")
def test_sdk_etag_under_asan():
    env = dict(os.environ, LD_PRELOAD=asan_runtime(),
               ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-k", "sdk_revalidates", os.path.join(HERE, "test_etag.py")],
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]


def item_reads(client, item_id, integration):
    """Statuses of the item reads that `integration` made, oldest first."""
    return [e.status for e in client.events.all(item_id=item_id, limit=1000)
            if e.action == ITEM_ACTION and e.integration_name == integration]


@in_process
def test_sdk_revalidates_expired_items(sesamed, tmp_path):
    person = Person(tmp_path, sesamed.url).sign_up()
    with SyncClient(auth=person.auth(), cache_ttl=2, integration_name="etag-cache",
                    integration_version="1.0") as c, \
            SyncClient(auth=person.auth(), integration_name="etag-other",
                       integration_version="1.0") as other:
        v = c.vaults.create(title="Revalidated")
        it = c.items.create(login(v.id, "db", "one"))
        assert c.items.get(v.id, it.id).fields[1].value == "one"        # 200
        assert c.items.get(v.id, it.id).fields[1].value == "one"        # fresh: no request
        assert item_reads(other, it.id, "etag-cache") == [200]
        time.sleep(2.3)
        # Expired, unchanged: a conditional GET answered 304, same content.
        got = c.items.get(v.id, it.id)
        assert got.fields[1].value == "one" and got.version == it.version
        assert item_reads(other, it.id, "etag-cache") == [200, 304]
        # The 304 renewed the entry: served without a request again.
        assert c.items.get(v.id, it.id).fields[1].value == "one"
        assert item_reads(other, it.id, "etag-cache") == [200, 304]
        # Edited through another client: within the TTL the old value ...
        changed = other.items.get(v.id, it.id)
        changed.fields[1].value = "two"
        other.items.put(changed)
        assert c.items.get(v.id, it.id).fields[1].value == "one"
        time.sleep(2.3)
        # ... past it, the conditional GET gets a 200 with the new item.
        got = c.items.get(v.id, it.id)
        assert got.fields[1].value == "two" and got.version == it.version + 1
        assert item_reads(other, it.id, "etag-cache") == [200, 304, 200]
        assert c.items.get(v.id, it.id).fields[1].value == "two"
        assert item_reads(other, it.id, "etag-cache") == [200, 304, 200]
