# SPDX-License-Identifier: Apache-2.0
"""`sesame events`, `sesame events verify` and the rate-limit commands, with
the real CLI against the real server (the Cli helper of test_cli_flows.py)."""
import sqlite3

import pytest

from test_cli_flows import Cli


@pytest.fixture
def target(start_sesamed, tmp_path):
    data = tmp_path / "data"
    srv = start_sesamed("--ratelimit-people", data_dir=str(data))
    return srv, data


@pytest.fixture
def cli(tmp_path, target):
    c = Cli(tmp_path, target[0].url)
    c.create_account()
    c.use(c.signin())
    return c


def test_events_list_filter_and_json(cli):
    cli.run("vault", "create", "Prod")
    ev = cli.json("events")
    actions = [e["action"] for e in ev]
    assert "POST /v1/vaults" in actions
    me = ev[0]["actor_id"]
    assert all(e["actor_id"] == me for e in ev)
    # The CLI says who it is.
    assert any(e["integration_name"] == "sesame-cli" for e in ev)
    assert len(cli.json("events", "--limit", "2")) == 2
    assert cli.json("events", "--actor", "a" * 26) == []
    assert cli.json("events", "--since", "1h") != []
    assert cli.json("events", "--until", "2000-01-01T00:00:00Z") == []
    out = cli.run("events").stdout
    assert out.startswith("TIME") and "POST /v1/vaults" in out
    cli.fail("events", "--vault", "nope", code=2)
    cli.fail("events", "--since", "yesterday", code=2)


def test_events_verify_and_tamper(cli, target):
    _, data = target
    cli.run("vault", "create", "Prod")
    r = cli.run("events", "verify")
    assert r.stdout.startswith("audit chain intact: ")
    victim = cli.json("events")[1]["id"]
    con = sqlite3.connect(str(data / "sesame.db"))
    try:
        con.execute("UPDATE audit_events SET client = '10.9.9.9' WHERE id = ?", (victim,))
        con.commit()
    finally:
        con.close()
    err = cli.fail("events", "verify")
    assert f"audit chain broken at event '{victim}'" in err


def test_ratelimit_commands(cli):
    rows = cli.json("service-account", "ratelimit")
    assert {(r["type"], r["action"]) for r in rows} == {
        ("token", "read"), ("token", "write"), ("account", "read_write")}
    again = cli.json("service-account", "ratelimit")
    assert [r["used"] for r in again] == [r["used"] for r in rows]  # free
    out = cli.run("account", "ratelimit", "set", "--reads-per-hour", "7").stdout
    assert "Reads per hour (per token):   7" in out
    limits = cli.json("account", "ratelimit")
    assert limits["reads_per_hour"] == 7 and limits["per_day"] == 50000
    cli.fail("account", "ratelimit", "set", code=2)
    cli.fail("account", "ratelimit", "set", "--per-day", "0", code=2)
    out = cli.run("service-account", "ratelimit").stdout
    assert out.startswith("TYPE") and "read_write" in out


def test_service_account_usage_and_events(tmp_path, start_sesamed):
    srv = start_sesamed("--ratelimit-reads-per-hour", "3")  # people unlimited
    owner = Cli(tmp_path, srv.url)
    owner.create_account()
    owner.use(owner.signin())
    owner.run("vault", "create", "Prod")
    token = owner.run("service-account", "create", "bot", "--vault", "Prod", "--raw").stdout.strip()
    (tmp_path / "sa").mkdir()
    sa = Cli(tmp_path / "sa", srv.url)
    sa.env["OP_SERVICE_ACCOUNT_TOKEN"] = token
    rows = {(r["type"], r["action"]): r for r in sa.json("service-account", "ratelimit")}
    assert rows[("token", "read")]["limit"] == 3
    before = rows[("token", "read")]["used"]
    statuses = []
    for _ in range(5):
        statuses.append(sa.run("vault", "list", check=False).returncode)
    assert 1 in statuses  # over the hourly read limit
    err = sa.run("vault", "list", check=False).stderr
    assert "hourly read limit of 3 for this service account reached" in err
    rows = {(r["type"], r["action"]): r for r in sa.json("service-account", "ratelimit")}
    assert rows[("token", "read")]["used"] == 3 >= before
    # The owner sees the service account's requests, 429s included.
    ev = [e for e in owner.json("events", "--limit", "1000")
          if e["actor_type"] == "service_account"]
    assert ev and any(e["status"] == 429 for e in ev)
    assert all(token not in repr(e) for e in ev)
