"""Compliance reads are cached per ledger tree size: a repeated read on an unchanged ledger
is not recomputed, a grown tree invalidates it, and the cached answer always equals
cvid.compliance.evaluate on the whole ledger (issue 11). Real server over HTTP, SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cvid.scenario import example_path
from cvid.web import Service
from tests.web.conftest import Deployment, start_deployment

pytestmark = pytest.mark.skipif(
    not Service.compliance_available(), reason="cvid.compliance is not installed"
)
AT = "2004-04-19"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Deployment, Service, Path | None]]:
    if request.param == "sqlite":
        db, key = str(tmp_path / "cache.db"), None
    else:
        db, key = request.getfixturevalue("pg_database"), tmp_path / "log.key"
    server, d = start_deployment(db, key)
    try:
        yield d, server.app.state.service, key
    finally:
        server.__exit__()


def _fresh(d: Deployment, key: Path | None, scenario: Any) -> dict[str, Any]:
    from cvid.compliance import agreement_id, evaluate, evidence_from_ledger
    from cvid.ledger import Ledger

    with Ledger.open(d.db, log_key=key) as led:
        state = evaluate(scenario, evidence_from_ledger(led, agreement_id(scenario)), at=AT)
    out: dict[str, Any] = json.loads(json.dumps(state.to_dict()))
    return out


def test_repeated_reads_are_cached_until_the_tree_grows(
    served: tuple[Deployment, Service, Path | None],
) -> None:
    from cvid.compliance import demo_key, load_stream
    from cvid.ledger import sign_record

    d, svc, key = served
    stream = load_stream("libya-2003")
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
        sid = c.post("/api/v1/scenarios", json={"toml": toml}).json()["id"]
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
