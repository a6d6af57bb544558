"""Lesson 1 on behaviour: with an evidence ledger, the strategic decision is graded on what the
state did (verified hard steps, how soon, voluntary disclosures), not only on the plan.

The bundled replays are the cases: Libya 2003–04 (announcement 2003-12-19, declaration and
access within days, removals to Oak Ridge by March 2004: GOV/2004/12, GOV/2004/33) and the
Six-Party Initial Actions of 2007 (shutdown sealed by the IAEA in July 2007, declaration handed
over 2008-06-26, neither it nor the disablement verified before inspectors were barred in
September 2008)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvid.assess import assess
from cvid.compliance import replay_stream
from cvid.scenario import load_scenario

STREAMS = Path(__file__).resolve().parents[2] / "examples" / "evidence"


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("ledgers")
    out = {}
    for name in ("libya-2003", "six-party-2007"):
        out[name] = d / f"{name}.db"
        replay_stream(name, out[name])
    # Libya's stream with the December 2003 disclosure made on request, not of its own accord.
    lines = (STREAMS / "libya-2003.jsonl").read_text(encoding="utf-8").splitlines()
    changed = []
    for line in lines:
        rec = json.loads(line)
        if rec.get("kind") == "disclosure":
            rec["payload"]["voluntary"] = False
        changed.append(json.dumps(rec))
    stream = d / "libya-asked.jsonl"
    stream.write_text("\n".join(changed) + "\n", encoding="utf-8")
    out["libya-asked"] = d / "libya-asked.db"
    replay_stream(stream, out["libya-asked"])
    return out


def test_libya_behaviour_shows_the_decision(ledgers: dict[str, Path]) -> None:
    a = assess("libya-2003", simulate=False, ledger=ledgers["libya-2003"])
    le = a.lesson(1)
    b = le.figures["behaviour"]
    assert le.grade == "pass"
    # The first hard step verified is the first removal, the C-17 to Oak Ridge of 2004-01-27
    # (events.csv): 39 days after the announcement. The first declaration was partial; the
    # complete one is dated by GOV/2008/39 (2008-09-12), so it is not the first verified step.
    assert b["first_verified_hard_step_months"] == pytest.approx(39 / 30.4375, abs=0.01)
    # Seven hard steps, all verified by the last record (the spent HEU fuel, 2009-12-21);
    # access at the locations the IAEA requested is GOV/2004/33's "prompt unhindered access".
    assert b["hard_steps_verified"] == len(b["hard_steps"]) == 7
    assert b["claimed_not_verified"] == []
    # The October–December 2003 expert visits (sites shown) and the January 2004 hand-over
    # of the weapon design documents (cases.md §9).
    assert b["voluntary_disclosures"] == 2
    undeclared = {f.id for f in load_scenario("libya-2003").program.facilities if not f.declared}
    assert set(b["undeclared_items_disclosed"]) <= undeclared
    assert "centrifuge-program" in b["undeclared_items_disclosed"]
    assert "On the ledger: 7 hard step(s) verified" in le.summary


def test_six_party_behaviour_is_statements_not_acts(ledgers: dict[str, Path]) -> None:
    a = assess("six-party-2007", simulate=False, ledger=ledgers["six-party-2007"])
    le = a.lesson(1)
    b = le.figures["behaviour"]
    assert le.grade == "fail"
    assert b["hard_steps_verified"] == 0
    # The shutdown was verified, late, by the IAEA's seals of 2007-07-14 (cases.md, Six-Party);
    # the disablement (observed by US experts, never verified complete) and the declaration
    # stay claims.
    assert set(b["claimed_not_verified"]) == {"disable", "declaration"}
    ledger_fails = [f for f in le.findings if f.field == "ledger" and f.severity == "fail"]
    assert any("statements, not acts" in f.message for f in ledger_fails)
    assert any("no hard step" in f.message for f in ledger_fails)


def test_a_disclosure_on_request_is_not_voluntary(ledgers: dict[str, Path]) -> None:
    """The same Libya record with ``voluntary = false``: the plan and the verified removals
    are unchanged, but nothing undeclared was disclosed of the state's own accord, so the
    lesson warns instead of passing."""
    a = assess("libya-2003", simulate=False, ledger=ledgers["libya-asked"])
    le = a.lesson(1)
    assert le.figures["behaviour"]["voluntary_disclosures"] == 0
    assert le.grade == "warn"
    assert any(
        f.field == "program.facilities[].declared" and "own accord" in f.message
        for f in le.findings
    )


def test_without_a_ledger_lesson1_has_no_behaviour_block() -> None:
    a = assess("libya-2003", simulate=False)
    assert "behaviour" not in a.lesson(1).figures


def test_an_empty_ledger_is_judged_on_the_plan_and_never_on_the_clock(tmp_path: Path) -> None:
    """No record of the agreement yet: an info finding, the plan's grade, and the same result
    each time (the lesson is judged as of the last record, not the time it runs)."""
    from cvid.ledger import Ledger

    db = tmp_path / "empty.db"
    with Ledger.create(str(db)):
        pass
    plan = assess("libya-2003", simulate=False).lesson(1)
    one = assess("libya-2003", simulate=False, ledger=db).lesson(1)
    two = assess("libya-2003", simulate=False, ledger=db).lesson(1)
    assert one.to_dict() == two.to_dict()
    assert one.grade == plan.grade
    assert one.figures["behaviour"]["last_record"] is None
    assert any("no records of this agreement" in f.message for f in one.findings)
