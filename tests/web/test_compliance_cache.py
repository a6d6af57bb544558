"""Compliance reads are cached per ledger tree size: a repeated read on an unchanged ledger
is not recomputed, a grown tree invalidates it, and the cached answer always equals
cvid.compliance.evaluate on the whole ledger (issue 11). Real server over HTTP, SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvid.scenario import example_path
from cvid.web import Service
from tests.web.conftest import PG_ADMIN_URL, Deployment, start_deployment

AT = "2004-04-19"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Deployment, Service, Path | None]]:
    if request.param == "sqlite":
        db, key = str(tmp_path / "cache.db"), None
    else:  # a database of its own per test (the module's pg_database would be shared)
        import secrets

        import psycopg

        request.getfixturevalue("pg_database")  # PostgreSQL answers (else the module skips)
        name = f"cvid_cache_{secrets.token_hex(6)}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        db, key = f"postgresql://postgres@127.0.0.1:5432/{name}", tmp_path / "log.key"
    server, d = start_deployment(db, key)
    try:
        yield d, server.app.state.service, key
    finally:
        server.__exit__()
        if request.param == "postgres":
            _drop(name)


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh(d: Deployment, key: Path | None, scenario: Any) -> dict[str, Any]:
    from cvid.compliance import agreement_id, evaluate, evidence_from_ledger
    from cvid.ledger import Ledger

    with Ledger.open(d.db, log_key=key) as led:
        state = evaluate(scenario, evidence_from_ledger(led, agreement_id(scenario)), at=AT)
    out: dict[str, Any] = json.loads(json.dumps(state.to_dict()))
    return out


def _register_libya(d: Deployment, stream: Any) -> tuple[dict[str, str], int]:
    """Register the Libya demo stream's parties (their tokens) and upload libya-2003 (its id)."""
    from cvid.compliance import demo_key

    tokens = {}
    with d.client("admin") as c:
        for name, role in stream.parties.items():
            k = demo_key(name, role)
            r = c.post(
                "/api/v1/parties",
                json={"name": name, "role": role, "public_key": k.public.public_key_b64},
            )
            tokens[name] = r.json()["token"]
        toml = example_path("libya-2003").read_text(encoding="utf-8")
        sid = int(c.post("/api/v1/scenarios", json={"toml": toml}).json()["id"])
    return tokens, sid


def test_repeated_reads_are_cached_until_the_tree_grows(
    served: tuple[Deployment, Service, Path | None],
) -> None:
    from cvid.compliance import demo_key, load_stream
    from cvid.ledger import sign_record

    d, svc, key = served
    stream = load_stream("libya-2003")
    tokens, sid = _register_libya(d, stream)
    half = len(stream.records) // 2

    def append(records: Any) -> None:
        for rec in records:
            signed = sign_record(rec.record, demo_key(rec.party, stream.parties[rec.party]))
            with d.client(token=tokens[rec.party]) as c:
                assert (
                    c.post("/api/v1/ledger/records", json={"records": [signed]}).status_code == 201
                )

    def read() -> dict[str, Any]:
        with d.client("observer") as c:
            r = c.get(f"/api/v1/scenarios/{sid}/compliance", params={"at": AT})
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    append(stream.records[:half])
    first = read()
    misses, hits = svc.compliance_misses, svc.compliance_hits
    assert read() == first
    assert read() == first
    assert (svc.compliance_misses, svc.compliance_hits) == (misses, hits + 2)  # not recomputed
    assert first == _fresh(d, key, stream.scenario)

    append(stream.records[half:])  # the tree grows: the cached state is stale
    second = read()
    assert svc.compliance_misses == misses + 1
    assert second != first
    assert second == _fresh(d, key, stream.scenario)  # read incrementally, still exact
    assert second["records"] > first["records"]
    with d.client("observer") as c:  # another date or check is another entry
        other = c.get(f"/api/v1/scenarios/{sid}/compliance", params={"at": "2004-01-01"})
        assert other.status_code == 200
    assert svc.compliance_misses == misses + 2


def test_the_service_follows_the_ledger_with_a_compliance_tracker(
    served: tuple[Deployment, Service, Path | None],
) -> None:
    """Issue 16: the service keeps one cvid.compliance.ComplianceTracker per scenario and feeds
    it only the records appended since the last read; its state, and the belief tracker's
    posterior, equal a fresh evaluation of the whole ledger (the independent computation)."""
    from cvid.compliance import ComplianceTracker, beliefs, demo_key, load_stream
    from cvid.ledger import Ledger, sign_record

    d, svc, key = served
    stream = load_stream("libya-2003")
    tokens, sid = _register_libya(d, stream)

    def append(records: Any) -> None:
        for rec in records:
            signed = sign_record(rec.record, demo_key(rec.party, stream.parties[rec.party]))
            with d.client(token=tokens[rec.party]) as c:
                assert (
                    c.post("/api/v1/ledger/records", json={"records": [signed]}).status_code == 201
                )

    half = len(stream.records) // 2
    append(stream.records[:half])
    before = svc.records_absorbed
    with d.client("observer") as c:
        assert c.get(f"/api/v1/scenarios/{sid}/compliance", params={"at": AT}).status_code == 200
    f, size, _ = svc.follow(sid)
    assert isinstance(f.tracker, ComplianceTracker)
    assert svc.records_absorbed - before == size  # the first read takes in the whole log
    append(stream.records[half:])
    with d.client("observer") as c:
        r = c.get(f"/api/v1/scenarios/{sid}/compliance", params={"at": AT})
    assert r.status_code == 200
    grown = svc.follow(sid)[1]
    assert svc.records_absorbed - before == grown  # then only the new records, once each
    assert r.json() == _fresh(d, key, stream.scenario)
    with Ledger.open(d.db, log_key=key) as led:
        expected = json.loads(json.dumps(beliefs(led, stream.scenario).to_dict()))
    assert json.loads(json.dumps(svc.beliefs(sid).to_dict())) == expected
    assert svc.beliefs(sid).most_likely == "sincere"  # Libya, issue 15's replay check


def test_check_refuses_a_record_the_scenario_cannot_place_and_the_dashboard_does_not(
    served: tuple[Deployment, Service, Path | None],
) -> None:
    """A record dated before the agreement is refused with ``check`` (422, naming it) and is
    a finding without it, on the tracker's incremental path too."""
    from tests.web.records import record

    d = served[0]
    with d.client("admin") as c:
        toml = example_path("libya-2003").read_text(encoding="utf-8")
        sid = c.post("/api/v1/scenarios", json={"toml": toml}).json()["id"]
    with d.client("observer") as c:
        assert c.get(f"/api/v1/scenarios/{sid}/compliance").status_code == 200
    early = record("inspection") | {
        "agreement": "libya-2003",
        "time": "1999-01-01T00:00:00Z",
        "refs": {"commitments": [], "items": []},
    }
    with d.client("inspectorate") as c:
        signed = d.sign("inspectorate", early)
        assert c.post("/api/v1/ledger/records", json={"records": [signed]}).status_code == 201
    with d.client("observer") as c:
        r = c.get(f"/api/v1/scenarios/{sid}/compliance")
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "time" and "ledger record 0" in r.json()["detail"]
        ok = c.get(f"/api/v1/scenarios/{sid}/compliance", params={"check": "false"})
    assert ok.status_code == 200
    kinds = [f["kind"] for f in ok.json()["findings"]]
    assert "outside-agreement" in kinds, kinds


def test_a_record_edited_in_the_database_is_not_read_into_compliance(tmp_path: Path) -> None:
    """The tracker skips the signature check (done at append) but checks each record's bytes
    against the tree's leaf hash: a record edited in the database file behind the service's
    back is refused, naming it (409), instead of counting as evidence."""
    import sqlite3

    from tests.web.records import record

    db = tmp_path / "edit.db"
    server, d = start_deployment(str(db), None)
    try:
        with d.client("admin") as c:
            toml = example_path("libya-2003").read_text(encoding="utf-8")
            sid = c.post("/api/v1/scenarios", json={"toml": toml}).json()["id"]
        rec = record("statement") | {
            "agreement": "libya-2003",
            "time": "2004-01-05T00:00:00Z",
            "refs": {"commitments": [], "items": []},
        }
        with d.client("state") as c:
            signed = d.sign("state", rec)
            assert c.post("/api/v1/ledger/records", json={"records": [signed]}).status_code == 201
        with sqlite3.connect(db) as conn:
            (data,) = conn.execute("SELECT data FROM ledger_entries WHERE idx = 0").fetchone()
            edited = bytes(data).replace(b"fulfilled", b"FULFILLED")
            assert edited != bytes(data)
            conn.execute("UPDATE ledger_entries SET data = ? WHERE idx = 0", (edited,))
        with d.client("observer") as c:
            r = c.get(f"/api/v1/scenarios/{sid}/compliance", params={"check": "false"})
        assert r.status_code == 409, r.text
        assert r.json()["detail"] == "record 0: data does not match its leaf hash"
    finally:
        server.__exit__()


def test_an_assessment_takes_the_followed_state_without_reading_the_ledger_again(
    served: tuple[Deployment, Service, Path | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: an assessment with the ledger uses the scenario's follower (only the records
    appended since the last read are absorbed; no handle on the ledger is opened) and equals
    ``cvid.assess.assess`` reading the whole ledger itself; the report's compliance section
    is the same state, with the latest checkpoint."""
    from cvid.assess import assess
    from cvid.assess.report import ledger_compliance
    from cvid.compliance import demo_key, load_stream
    from cvid.ledger import Ledger, sign_record
    from cvid.web import Caller

    d, svc, _ = served
    stream = load_stream("libya-2003")
    tokens, sid = _register_libya(d, stream)
    for rec in stream.records:
        signed = sign_record(rec.record, demo_key(rec.party, stream.parties[rec.party]))
        with d.client(token=tokens[rec.party]) as c:
            assert c.post("/api/v1/ledger/records", json={"records": [signed]}).status_code == 201
    with d.client("observer") as c:  # the follower takes in the log once
        assert c.get(f"/api/v1/scenarios/{sid}/compliance").status_code == 200
    absorbed = svc.records_absorbed
    opened: list[object] = []
    real_open = Ledger.open

    def counting_open(*args: Any, **kwargs: Any) -> Ledger:
        opened.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Ledger, "open", counting_open)
    row = svc.run_assessment(sid, Caller("un", "admin", None))
    monkeypatch.undo()
    assert opened == []  # the ledger was not read again
    assert svc.records_absorbed == absorbed  # nothing new to absorb
    source = f"scenario {sid} (libya-2003)"
    direct = assess(stream.scenario, source=source, ledger=d.db, shared_ledger=True).to_dict()
    got = row["result"]
    assert got["compliance"]["records"] == len(stream.records) > 0
    assert got["compliance"]["statuses"] == direct["compliance"]["statuses"]
    strip = {"compliance"}
    assert {k: v for k, v in got.items() if k not in strip} == json.loads(
        json.dumps({k: v for k, v in direct.items() if k not in strip})
    )
    # the report's section: what cvid.assess.report.ledger_compliance reads from the ledger
    stored = svc.store.report_inputs(row["id"])["compliance"]
    read = json.loads(json.dumps(ledger_compliance(stream.scenario, d.db, shared=True)))
    assert stored["records"] == len(stream.records)
    assert {k: v for k, v in stored.items() if k != "at"} == {
        k: v for k, v in read.items() if k != "at"
    }

    # the report renders the stored result: Libya's lesson 4 passes with the ledger's verified
    # complete declaration (it warns on the terms alone, tests/assess/test_examples.py), and
    # the simulation's curves, run again from the stored runs and seed, are drawn
    alone = assess(stream.scenario, source=source, simulate=False)
    assert (alone.lesson(4).grade, got["lessons"][3]["grade"]) == ("warn", "pass")
    deadline = time.monotonic() + 120
    while (html := svc.report(row["id"])) is None:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert '<h2 id="lesson-4-h">' in html
    lesson4 = html[html.index('<h2 id="lesson-4-h">') :].split("</h2>", 1)[0]
    assert 'class="grade grade-pass"' in lesson4
    assert 'id="fig-simulation-outcomes"' in html
