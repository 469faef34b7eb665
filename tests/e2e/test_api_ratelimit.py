# SPDX-License-Identifier: Apache-2.0
"""Rate limits: per token per hour (reads and writes apart), per account per
day, 429 with Retry-After and RateLimit-* headers, the free usage route,
per-account settings, and bad tokens that never spend an account's budget.

Service accounts are what the limits are for; these tests use people with
--ratelimit-people, which runs the same code keyed on the principal.
"""
import time

from sesame_api import Api, add_member, create_account, error_code, item_doc, vault_doc

LIMITED = ("--ratelimit-people",)


def rl_rows(api):
    st, body = api.get("/v1/ratelimit")
    assert st == 200, body
    return {(r["type"], r["action"]): r for r in body["ratelimits"]}


def test_reads_and_writes_counted_apart(start_sesamed):
    srv = start_sesamed(*LIMITED, "--ratelimit-reads-per-hour", "5",
                        "--ratelimit-writes-per-hour", "2", "--ratelimit-per-day", "100")
    acct = create_account(srv)
    api = acct.api
    for i in range(5):
        st, _ = api.get("/v1/vaults")
        assert st == 200
        assert api.last_headers["RateLimit-Limit"] == "5"
        assert api.last_headers["RateLimit-Remaining"] == str(4 - i)
    st, body = api.get("/v1/vaults")
    assert (st, error_code(body)) == (429, "rate_limited")
    msg = body["error"]["message"]
    assert msg.startswith("hourly read limit of 5 for this user reached; resets in ")
    assert "minute" in msg
    h = api.last_headers
    assert 1 <= int(h["Retry-After"]) <= 3600
    assert h["RateLimit-Limit"] == "5" and h["RateLimit-Remaining"] == "0"
    assert 1 <= int(h["RateLimit-Reset"]) <= 3600
    # Writes have their own budget.
    st, _ = api.post("/v1/vaults", vault_doc(acct.user_id))
    assert st == 201
    st, _ = api.post("/v1/vaults", vault_doc(acct.user_id))
    assert st == 201
    st, body = api.post("/v1/vaults", vault_doc(acct.user_id))
    assert (st, error_code(body)) == (429, "rate_limited")
    assert "hourly write limit of 2" in body["error"]["message"]
    # The usage route is free and in 1Password's shape.
    rows = rl_rows(api)
    rows2 = rl_rows(api)
    assert rows == rows2
    assert rows[("token", "read")]["used"] == 5 and rows[("token", "read")]["remaining"] == 0
    assert rows[("token", "write")]["used"] == 2 and rows[("token", "write")]["limit"] == 2
    acc = rows[("account", "read_write")]
    assert acc["used"] == 7 and acc["limit"] == 100 and acc["remaining"] == 93
    assert set(acc) == {"type", "action", "limit", "used", "remaining", "reset"}
    # whoami is free too.
    assert api.get("/v1/whoami")[0] == 200


def test_account_daily_limit_and_reset(start_sesamed):
    srv = start_sesamed(*LIMITED, "--ratelimit-test-window", "3")
    acct = create_account(srv)
    bob = add_member(acct)
    # Setting up spent some of the day: leave exactly 4 after the change.
    used = rl_rows(acct.api)[("account", "read_write")]["used"]
    st, _ = acct.api.put("/v1/account/ratelimits", {"per_day": used + 5})
    assert st == 200
    assert acct.api.get("/v1/vaults")[0] == 200
    assert acct.api.get("/v1/vaults")[0] == 200
    assert bob.api.get("/v1/vaults")[0] == 200
    assert bob.api.get("/v1/vaults")[0] == 200
    st, body = bob.api.get("/v1/vaults")
    assert (st, error_code(body)) == (429, "rate_limited")
    assert body["error"]["message"].startswith(f"daily limit of {used + 5} for this account")
    st, body = acct.api.get("/v1/vaults")
    assert st == 429
    # The test window: an "hour" of 3 s and a "day" of 72 s; the token
    # windows reset, the account's does not.
    time.sleep(3.2)
    assert acct.api.get("/v1/vaults")[0] == 429


def test_hourly_window_resets(start_sesamed):
    srv = start_sesamed(*LIMITED, "--ratelimit-reads-per-hour", "2", "--ratelimit-test-window", "2")
    acct = create_account(srv)
    assert acct.api.get("/v1/vaults")[0] == 200
    assert acct.api.get("/v1/vaults")[0] == 200
    st, _ = acct.api.get("/v1/vaults")
    assert st == 429
    assert 1 <= int(acct.api.last_headers["Retry-After"]) <= 2
    time.sleep(2.2)
    assert acct.api.get("/v1/vaults")[0] == 200


def test_people_unlimited_by_default(start_sesamed):
    srv = start_sesamed("--ratelimit-reads-per-hour", "1")
    acct = create_account(srv)
    for _ in range(3):
        assert acct.api.get("/v1/vaults")[0] == 200
    assert "RateLimit-Limit" not in acct.api.last_headers


def test_account_settings_by_owner(start_sesamed):
    srv = start_sesamed(*LIMITED)
    acct = create_account(srv)
    st, body = acct.api.get("/v1/account/ratelimits")
    assert (st, body) == (200, {"reads_per_hour": 10000, "writes_per_hour": 1000,
                                "per_day": 50000})
    st, body = acct.api.put("/v1/account/ratelimits", {"reads_per_hour": 3})
    assert st == 200 and body["reads_per_hour"] == 3 and body["per_day"] == 50000
    for bad in ({"reads_per_hour": 0}, {"per_day": "x"}, {}, {"nope": 1}):
        st, body = acct.api.put("/v1/account/ratelimits", bad)
        assert (st, error_code(body)) == (400, "invalid_request"), bad
    bob = add_member(acct)
    st, body = bob.api.put("/v1/account/ratelimits", {"reads_per_hour": 100})
    assert (st, error_code(body)) == (403, "forbidden")
    # In force at once, for everyone in the account.
    for _ in range(3):
        assert bob.api.get("/v1/vaults")[0] == 200
    st, body = bob.api.get("/v1/vaults")
    assert st == 429 and "hourly read limit of 3" in body["error"]["message"]
    # Kept across a restart (the setting is in the database).
    rows = rl_rows(bob.api)
    assert rows[("token", "read")]["limit"] == 3


def test_bad_token_retry_loop_does_not_lock_the_account_out(start_sesamed):
    """external-secrets#4925: a bad token in a reconcile loop must not spend
    the account's daily budget nor lock good tokens out."""
    srv = start_sesamed(*LIMITED, "--ratelimit-per-day", "20")
    acct = create_account(srv)
    vault = vault_doc(acct.user_id)
    assert acct.api.post("/v1/vaults", vault)[0] == 201
    item = item_doc()
    assert acct.api.post(f"/v1/vaults/{vault['vault_id']}/items", item)[0] == 201
    bad = Api(srv, session="sesame_ses_" + "A" * 150)
    statuses = []
    for _ in range(200):
        st, body = bad.get(f"/v1/vaults/{vault['vault_id']}/items/{item['id']}")
        statuses.append((st, error_code(body)))
    assert statuses[0] == (401, "unauthenticated")
    assert (429, "rate_limited") in statuses  # the address is throttled
    assert statuses.count((401, "unauthenticated")) == 30
    assert 1 <= int(bad.last_headers["Retry-After"]) <= 60
    # The account spent 2 of 20 (vault, item); a good token still works.
    rows = rl_rows(acct.api)
    assert rows[("account", "read_write")]["used"] == 2
    st, _ = acct.api.get(f"/v1/vaults/{vault['vault_id']}/items/{item['id']}")
    assert st == 200
    assert rl_rows(acct.api)[("account", "read_write")]["used"] == 3


def test_resolve_counts_as_one_read(start_sesamed):
    srv = start_sesamed(*LIMITED)
    acct = create_account(srv)
    vault = vault_doc(acct.user_id)
    assert acct.api.post("/v1/vaults", vault)[0] == 201
    item = item_doc()
    assert acct.api.post(f"/v1/vaults/{vault['vault_id']}/items", item)[0] == 201
    before = rl_rows(acct.api)[("token", "read")]["used"]
    qs = [{"vault_id": vault["vault_id"], "item_id": item["id"]}] * 20
    assert acct.api.post("/v1/resolve", {"queries": qs})[0] == 200
    assert rl_rows(acct.api)[("token", "read")]["used"] == before + 1
