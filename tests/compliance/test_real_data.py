"""End-to-end: public datasets imported as signed observations into a real SQLite ledger and
judged against the 2012 Leap Day moratorium and the 2018 freeze; replays of the bundled
Libya and Six-Party evidence streams; bad input refused with nothing half-imported."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvid.cli import app
from cvid.compliance import (
    evaluate,
    evidence_from_ledger,
    import_dataset,
    replay_stream,
    violations,
)
from cvid.errors import InputError
from cvid.ledger import Ledger, generate_party_key
from cvid.scenario import load_scenario

HERE = Path(__file__).parent
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CNS = SHARED / "data" / "cns-nk-missile-tests.json"
SIPRI = SHARED / "data" / "sipri-nuclear-explosions-1945-1998.csv"
DPRK = SHARED / "research" / "dprk_tests.csv"
needs_data = pytest.mark.skipif(
    not (CNS.exists() and SIPRI.exists() and DPRK.exists()),
    reason=f"real datasets not found beside the repository in {SHARED}",
)


def _import_all(tmp_path: Path, name: str) -> tuple[Ledger, list[int]]:
    s = load_scenario(HERE / "data" / f"{name}.toml")
    obs = generate_party_key("cns-observer", "observer")
    led = Ledger.create(tmp_path / f"{name}.db")
    led.register(obs.public)
    sizes = []
    for fmt, path in (
        ("cns-missile-tests", CNS),
        ("dprk-nuclear-tests", DPRK),
        ("nuclear-explosions", SIPRI),
    ):
        sizes.append(len(import_dataset(led, obs, fmt, path, s).indices))
    return led, sizes


def _violation_days(name: str, led: Ledger) -> dict[str, list[date]]:
    s = load_scenario(HERE / "data" / f"{name}.toml")
    state = evaluate(s, evidence_from_ledger(led))
    return {
        c.id: [f.on.date() for f in violations(state, c.id) if f.on]
        for c in s.agreement.commitments
    }


@needs_data
def test_leap_day_2012_violations_on_the_right_utc_dates(tmp_path: Path) -> None:
    led, sizes = _import_all(tmp_path, "leap-day-2012")
    with led:
        days = _violation_days("leap-day-2012", led)
    # events.csv: Unha-3 2012-04-13 ~07:39 KST = 2012-04-12 22:39 UTC; Unha-3 2012-12-12;
    # dprk_tests.csv: third nuclear test 2013-02-12 02:57:51 UTC (inside the one-year window).
    assert days == {
        "no-long-range-launches": [date(2012, 4, 12), date(2012, 12, 12)],
        "no-nuclear-tests": [date(2013, 2, 12)],
    }
    assert sizes[2] == 0  # SIPRI 1945-98 lists no DPRK explosion


@needs_data
def test_2018_freeze_violations_are_the_icbm_launches_after_21_april(tmp_path: Path) -> None:
    led, _ = _import_all(tmp_path, "dprk-freeze-2018")
    with led:
        days = _violation_days("dprk-freeze-2018", led)
    # CNS ICBM launches after 2018-04-21 (UTC dates): Hwasong-17 2022-03-16 (failure),
    # Hwasong-15/17 2022-03-24, Hwasong-17 2022-11-18, Hwasong-15 2023-02-18, Hwasong-17
    # 2023-03-15, Hwasong-18 2023-04-12, 2023-07-12, 2023-12-17, Hwasong-19 2024-10-30.
    # Not the 2017-11-28 Hwasong-15 (before the freeze, UTC date) and no nuclear test.
    assert days["no-icbm-launches"] == [
        date(2022, 3, 16),
        date(2022, 3, 24),
        date(2022, 11, 18),
        date(2023, 2, 18),
        date(2023, 3, 15),
        date(2023, 4, 12),
        date(2023, 7, 12),
        date(2023, 12, 17),
        date(2024, 10, 30),
    ]
    assert days["no-nuclear-tests"] == []


@needs_data
def test_bad_dataset_row_imports_nothing(tmp_path: Path) -> None:
    s = load_scenario(HERE / "data" / "dprk-freeze-2018.toml")
    data = json.loads(CNS.read_text())
    data["timeBins"][-1]["data"][-1]["date"] = "2025-13-45"
    bad = tmp_path / "cns.json"
    bad.write_text(json.dumps(data))
    obs = generate_party_key("cns-observer", "observer")
    with Ledger.create(tmp_path / "l.db") as led:
        led.register(obs.public)
        with pytest.raises(InputError, match=r"record 339.*unparseable date"):
            import_dataset(led, obs, "cns-missile-tests", bad, s)
        assert led.size == 0
        wrong = tmp_path / "wrong.json"
        wrong.write_text(json.dumps({"launches": []}))
        with pytest.raises(InputError, match="not the CNS missile test format"):
            import_dataset(led, obs, "cns-missile-tests", wrong, s)
        with pytest.raises(InputError, match="missing column"):
            import_dataset(led, obs, "nuclear-explosions", CNS, s)
        assert led.size == 0


def test_libya_replay_verified_by_removal_within_four_months(tmp_path: Path) -> None:
    rep = replay_stream("libya-2003", tmp_path / "l.db")
    assert len(rep.indices) > 10
    s = load_scenario("libya-2003")
    with Ledger.open(tmp_path / "l.db") as led:
        ev = evidence_from_ledger(led)
    state = evaluate(s, ev, "2004-04-19")  # four months after the 2003-12-19 announcement
    statuses = {c.id: c.status for c in state.commitments}
    removal_ids = ["remove-sensitive", "remove-remaining", "remove-heu-fuel"]
    assert all(statuses[c] == "verified" for c in removal_ids)
    assert statuses["declare-all"] == statuses["access-all"] == "verified"
    assert state.commitment("remove-remaining").verified_on.date() == date(2004, 3, 6)
    assert any(i.kind == "irreversible-step" for i in state.indicators)


def test_six_party_replay_claimed_never_verified_with_shortfall(tmp_path: Path) -> None:
    replay_stream("six-party-2007", tmp_path / "s.db")
    s = load_scenario("six-party-2007")
    with Ledger.open(tmp_path / "s.db") as led:
        state = evaluate(s, evidence_from_ledger(led))
    for c in state.commitments:
        assert c.claimed_on is not None, c.id
        assert c.verified_on is None, c.id
    short = [
        f
        for f in state.findings
        if f.kind == "declaration-vs-finding" and f.figures["shortfall_kg"] > 0
    ]
    assert any(f.severity == "fail" and f.figures["shortfall_sq"] > 0.5 for f in short)
    assert any(f.kind == "relief-before-results" for f in state.findings)
    assert any(f.kind == "access-denied" for f in state.findings)


def test_replay_is_reproducible_and_all_or_nothing(tmp_path: Path) -> None:
    a = replay_stream("libya-2003", tmp_path / "a.db")
    b = replay_stream("libya-2003", tmp_path / "b.db")
    with Ledger.open(tmp_path / "a.db") as la, Ledger.open(tmp_path / "b.db") as lb:
        assert la.root_hash() == lb.root_hash()
    assert a.indices == b.indices
    lines = (
        (Path(__file__).resolve().parents[2] / "src/cvid/examples/evidence/libya-2003.jsonl")
        .read_text()
        .splitlines()
    )
    bad = json.loads(lines[5])
    bad["refs"]["commitments"] = ["no-such-commitment"]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:5], json.dumps(bad), *lines[6:]]) + "\n")
    with pytest.raises(InputError, match=r"line 6.*no-such-commitment"):
        replay_stream(broken, tmp_path / "a.db")
    with Ledger.open(tmp_path / "a.db") as la:
        assert la.size == len(a.indices)


def test_cli_status_json_and_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "l.db")
    r = runner.invoke(app, ["ledger", "replay", db, "libya-2003", "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["status", "--ledger", db, "--scenario", "libya-2003", "--at", "2004-04-19", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {c["id"]: c["status"] for c in out["commitments"]}["remove-sensitive"] == "verified"
    r = runner.invoke(app, ["status", "--ledger", db, "--scenario", "libya-2003", "--at", "x"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["status", "--ledger", db, "--scenario", "libya-2003", "--timeline"])
    assert r.exit_code == 0 and "→" in r.stdout


def test_assess_with_ledger_fills_compliance(tmp_path: Path) -> None:
    from cvid.assess import assess

    replay_stream("six-party-2007", tmp_path / "s.db")
    result = assess("six-party-2007", simulate=False, ledger=tmp_path / "s.db")
    assert result.compliance is not None
    assert result.compliance["counts"]["verified"] == 0
    assert result.to_dict()["compliance"]["indicators"] in ("pretence", "mixed")
