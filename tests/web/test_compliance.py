"""Compliance over HTTP: the bundled Libya evidence stream appended by its parties through the
API; the endpoint's state equals cvid.compliance.evaluate on the same ledger; the page shows it."""

from __future__ import annotations

import json

import httpx

from cvid.scenario import example_path
from tests.web.conftest import Deployment, login

AT = "2004-04-19"


def test_compliance_state_over_http_matches_the_engine(dep: Deployment) -> None:
    from cvid.compliance import agreement_id, demo_key, evaluate, evidence_from_ledger, load_stream
    from cvid.ledger import Ledger, sign_record

    stream = load_stream("libya-2003")
    tokens = {}
    with dep.client("admin") as c:
        for name, role in stream.parties.items():
            key = demo_key(name, role)
            r = c.post(
                "/api/v1/parties",
                json={"name": name, "role": role, "public_key": key.public.public_key_b64},
            )
            assert r.status_code == 201, r.text
            tokens[name] = r.json()["token"]
        sid = c.post(
            "/api/v1/scenarios",
            json={"toml": example_path("libya-2003").read_text(encoding="utf-8")},
        ).json()["id"]
    for rec in stream.records:
        signed = sign_record(rec.record, demo_key(rec.party, stream.parties[rec.party]))
        with dep.client(token=tokens[rec.party]) as c:
            r = c.post("/api/v1/ledger/records", json={"records": [signed]})
            assert r.status_code == 201, r.text
    with dep.client("observer") as c:
        r = c.get(f"/api/v1/scenarios/{sid}/compliance", params={"at": AT})
        assert r.status_code == 200, r.text
        got = r.json()
        bad = c.get(f"/api/v1/scenarios/{sid}/compliance", params={"at": "yesterday"})
        assert bad.status_code == 422
    with Ledger.open(dep.db, log_key=None) as led:
        s = stream.scenario
        want = evaluate(s, evidence_from_ledger(led, agreement_id(s)), at=AT).to_dict()
    assert got == json.loads(json.dumps(want))
    assert got["records"] == sum(1 for r in stream.records if r.record["time"][:10] <= AT)
    assert got["counts"]["verified"] > 0
    with httpx.Client(base_url=dep.url) as page:
        login(page, dep.tokens["state"])
        html = page.get(f"/scenarios/{sid}/compliance", params={"at": AT}).text
    assert 'id="commitments"' in html
    for c in got["commitments"]:
        assert f"<code>{c['id']}</code>" in html
    # the belief over the counterpart as of the same date, over HTTP and on the page, equals
    # cvid.compliance.beliefs on the ledger's records up to then
    from cvid.compliance import beliefs

    with Ledger.open(dep.db, log_key=None) as led:
        expected = beliefs(led, stream.scenario, at=AT)
    for t, p in expected.to_dict()["posterior"].items():
        assert f'data-type="{t}">{t} {100 * p:.1f} %</span>' in html
    assert f"After {expected.records} signed records" in html
    with dep.client("observer") as c:
        b = c.get(f"/api/v1/scenarios/{sid}/beliefs")
    assert b.status_code == 200, b.text
    with Ledger.open(dep.db, log_key=None) as led:
        now = beliefs(led, stream.scenario).to_dict()
    assert b.json()["posterior"] == now["posterior"]
    assert b.json()["next_demands"] == now["next_demands"]
    assert b.json()["model_defaults"] is False  # libya-2003 gives its [counterpart]
