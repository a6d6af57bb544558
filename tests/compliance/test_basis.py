"""Evidence with its kind of source: the ``basis`` of a record (ledger schema, signing rules,
evidence streams)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cvid.cli import app
from cvid.compliance import load_stream
from cvid.errors import InputError
from cvid.ledger import SOURCE_KINDS, Ledger, generate_party_key, sign_record

ROOT = Path(__file__).resolve().parents[2]
STREAMS = ROOT / "src" / "cvid" / "examples" / "evidence"


def _finding(basis: dict[str, Any] | None) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "kind": "finding",
        "agreement": "six-party-2007",
        "time": "2008-06-26T00:00:00Z",
        "refs": {"commitments": [], "items": ["plutonium"]},
        "payload": {
            "result": "discrepancy",
            "item": "plutonium",
            "measured_quantity": 37.0,
            "unit": "kg",
            "description": "records reading",
        },
    }
    if basis is not None:
        rec["basis"] = basis
    return rec


ESTIMATE: dict[str, Any] = {
    "kind": "estimate",
    "document": "IHT/NYT 2008-06-01",
    "date": "2008-06-01",
    "time_zone": "KST date",
    "method": "reconstruction from operating records",
    "uncertainty": {"low": 28.0, "high": 60.0, "central": 37.0, "unit": "kg", "meaning": "range"},
}


def test_every_kind_of_source_is_accepted_with_its_fields() -> None:
    insp = generate_party_key("iaea", "inspectorate")
    assert SOURCE_KINDS == (
        "measurement",
        "inspector-observation",
        "state-claim",
        "estimate",
        "press",
    )
    for kind in SOURCE_KINDS:
        basis: dict[str, Any] = {"kind": kind, "document": "d", "time_zone": "UTC"}
        if kind == "estimate":
            basis = ESTIMATE
        signed = sign_record(_finding(basis), insp)
        assert signed["basis"]["kind"] == kind


def test_estimate_without_uncertainty_is_refused_with_a_clear_error() -> None:
    insp = generate_party_key("iaea", "inspectorate")
    bad = {k: v for k, v in ESTIMATE.items() if k != "uncertainty"}
    with pytest.raises(InputError, match=r"basis.*an estimate must carry its own uncertainty"):
        sign_record(_finding(bad), insp)
    no_method = {k: v for k, v in ESTIMATE.items() if k != "method"}
    with pytest.raises(InputError, match=r"basis.*basis\.method"):
        sign_record(_finding(no_method), insp)
    upside_down = {**ESTIMATE, "uncertainty": {**ESTIMATE["uncertainty"], "low": 70.0}}
    with pytest.raises(InputError, match="low is above high"):
        sign_record(_finding(upside_down), insp)
    with pytest.raises(InputError, match=r"basis\.kind"):
        sign_record(_finding({"kind": "rumour", "document": "d", "time_zone": "UTC"}), insp)
    with pytest.raises(InputError, match=r"basis\.date"):
        sign_record(
            _finding({"kind": "press", "document": "d", "date": "2008-02-30", "time_zone": "UTC"}),
            insp,
        )


def test_a_state_record_is_always_a_state_claim() -> None:
    state = generate_party_key("dprk", "state")
    rec = {
        "kind": "statement",
        "agreement": "six-party-2007",
        "time": "2008-06-26T00:00:00Z",
        "refs": {"commitments": [], "items": []},
        "payload": {"text": "we measured 30.8 kg", "claim": "none"},
        "basis": {"kind": "measurement", "document": "d", "time_zone": "UTC"},
    }
    with pytest.raises(InputError, match=r"state claim.*|basis.kind"):
        sign_record(rec, state)
    rec["basis"] = {"kind": "state-claim", "document": "d", "time_zone": "UTC"}
    assert sign_record(rec, state)["basis"]["kind"] == "state-claim"
    obs = generate_party_key("cns", "observer")
    obs_rec = {
        "kind": "observation",
        "agreement": "x",
        "time": "2008-06-26T00:00:00Z",
        "refs": {"commitments": [], "items": []},
        "payload": {"description": "seen"},
        "basis": {"kind": "inspector-observation", "document": "d", "time_zone": "UTC"},
    }
    with pytest.raises(InputError, match="only inspectorate"):
        sign_record(obs_rec, obs)


def test_ledger_refuses_a_submitted_record_whose_basis_breaks_the_rules(tmp_path: Path) -> None:
    """A record signed outside cvid (so sign_record's check never ran) is refused on append."""
    state = generate_party_key("dprk", "state")
    rec = {
        "kind": "statement",
        "agreement": "six-party-2007",
        "time": "2008-06-26T00:00:00Z",
        "refs": {"commitments": [], "items": []},
        "payload": {"text": "x", "claim": "none"},
        "basis": {"kind": "state-claim", "document": "d", "time_zone": "UTC"},
    }
    signed = sign_record(rec, state)
    with Ledger.create(tmp_path / "l.db") as led:
        led.register(state.public)
        led.submit([signed])
        # the same record re-labelled a measurement: schema fine, basis rule broken
        forged = json.loads(json.dumps(signed))
        forged["basis"]["kind"] = "measurement"
        with pytest.raises(InputError, match=r"basis\.kind"):
            led.submit([forged])
        assert led.size == 1


def test_bundled_streams_say_the_kind_of_every_record() -> None:
    for name in ("libya-2003", "six-party-2007"):
        st = load_stream(name)
        kinds = {r.record["basis"]["kind"] for r in st.records}
        assert kinds <= set(SOURCE_KINDS)
        for r in st.records:
            assert r.record["basis"]["document"], (name, r.line)
            assert r.record["basis"]["time_zone"], (name, r.line)
    six = load_stream("six-party-2007")
    est = [r for r in six.records if r.record["basis"]["kind"] == "estimate"]
    # cases.md §Six-Party: the 37 kg is a reconstruction from state records reported in the
    # press, not a measurement; carried with the published 28-60 kg range.
    assert len(est) == 1
    u = est[0].record["basis"]["uncertainty"]
    assert (u["low"], u["central"], u["high"]) == (28, 37, 60)


def test_stream_record_without_basis_is_refused(tmp_path: Path) -> None:
    lines = (STREAMS / "libya-2003.jsonl").read_text().splitlines()
    rec = json.loads(lines[3])
    del rec["basis"]
    bad = tmp_path / "no-basis.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(rec)]) + "\n")
    with pytest.raises(InputError, match=r"line 2.*kind of source"):
        load_stream(bad)
    est = next(
        r
        for r in map(json.loads, (STREAMS / "six-party-2007.jsonl").read_text().splitlines()[1:])
        if r["basis"]["kind"] == "estimate"
    )  # the 37 kg estimate
    del est["basis"]["uncertainty"]
    six_head = (STREAMS / "six-party-2007.jsonl").read_text().splitlines()[0]
    bad.write_text("\n".join([six_head, json.dumps(est)]) + "\n")
    r = CliRunner().invoke(app, ["ledger", "replay", str(tmp_path / "x.db"), str(bad)])
    assert r.exit_code == 2
    assert "an estimate must carry its own uncertainty" in r.output
    assert not (tmp_path / "x.db").exists()


def test_every_indicator_names_the_kinds_of_source_behind_it(tmp_path: Path) -> None:
    """Issue 14: the kind of source is shown next to every finding and indicator. On the
    Six-Party replay every indicator that rests on records carries their source labels, which
    are exactly the labels of those records."""
    from cvid.compliance import evaluate, evidence_from_ledger, replay_stream
    from cvid.scenario import load_scenario

    db = tmp_path / "six.db"
    replay_stream("six-party-2007", db)
    with Ledger.open(db) as led:
        ev = evidence_from_ledger(led)
    state = evaluate(load_scenario("six-party-2007"), ev, "2009-12-31")
    by_index = {e.index: e.source_label for e in ev}
    with_records = [i for i in state.indicators if i.evidence]
    assert with_records, "the replay has indicators resting on records"
    for i in with_records:
        assert i.sources, i
        assert list(i.sources) == list(dict.fromkeys(by_index[n] for n in i.evidence))
