"""End-to-end: the public datasets that ship with cvid (src/cvid/data) imported as signed
observations into a real SQLite ledger and judged against the 2012 Leap Day moratorium and
the 2018 freeze; replays of the bundled Libya and Six-Party evidence streams; bad input refused
with nothing half-imported. Everything read here lives in the repository."""

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
from cvid.data import dataset
from cvid.errors import InputError
from cvid.ledger import Ledger, generate_party_key, write_private_key
from cvid.scenario import load_scenario

HERE = Path(__file__).parent
CNS = dataset("cns-nk-missile-tests").path
SIPRI = dataset("sipri-nuclear-explosions-1945-1998").path
DPRK = dataset("dprk-nuclear-tests").path
FORMATS = (
    ("cns-missile-tests", CNS),
    ("dprk-nuclear-tests", DPRK),
    ("nuclear-explosions", SIPRI),
)


def _import_all(tmp_path: Path, name: str) -> tuple[Ledger, list[int]]:
    s = load_scenario(HERE / "data" / f"{name}.toml")
    obs = generate_party_key("cns-observer", "observer")
    led = Ledger.create(tmp_path / f"{name}.db")
    led.register(obs.public)
    sizes = [len(import_dataset(led, obs, fmt, path, s).indices) for fmt, path in FORMATS]
    return led, sizes


def _violation_days(name: str, led: Ledger) -> dict[str, list[date]]:
    s = load_scenario(HERE / "data" / f"{name}.toml")
    state = evaluate(s, evidence_from_ledger(led))
    return {
        c.id: [f.on.date() for f in violations(state, c.id) if f.on]
        for c in s.agreement.commitments
    }


def test_bundled_datasets_are_the_checked_files() -> None:
    """Each bundled file has the SHA-256 its catalogue entry and PROVENANCE.md name."""
    import hashlib

    from cvid.data import datasets

    names = [d.name for d in datasets()]
    assert names == [
        "cns-nk-missile-tests",
        "sipri-nuclear-explosions-1945-1998",
        "dprk-nuclear-tests",
        "csis-nk-provocations",
        "tlog-test-vectors",
    ]
    for d in datasets():
        for path, digest in d.files():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path
        text = d.provenance.read_text()
        assert "Licence" in text and "Retrieved" in text and "Source" in text, d.name


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


def test_leap_day_as_a_long_range_launch_ban_sees_the_unha_3(tmp_path: Path) -> None:
    """The moratorium names no missile, only the reserved class ``long-range-launch``: the
    Unha-3 satellite launches (SLV) of 2012-04-12 22:39 UTC and 2012-12-12 are violations."""
    led, _ = _import_all(tmp_path, "leap-day-2012-long-range")
    with led:
        days = _violation_days("leap-day-2012-long-range", led)
    assert days["no-long-range-launches"] == [date(2012, 4, 12), date(2012, 12, 12)]


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


def test_2018_freeze_unresolved_launches_and_a_holding_moratorium(tmp_path: Path) -> None:
    """The 64 CNS launches of unknown type after 2018-04-21 are findings of their own
    ("unresolved: possible ICBM test" where CNS describes one), never ICBM violations; the
    nuclear-test moratorium that held shows "holding", not "overdue"."""
    led, _ = _import_all(tmp_path, "dprk-freeze-2018")
    s = load_scenario(HERE / "data" / "dprk-freeze-2018.toml")
    with led:
        state = evaluate(s, evidence_from_ledger(led))
    rows = [r for b in json.loads(CNS.read_text())["timeBins"] for r in b["data"]]
    unknown_after = [r for r in rows if r["missile"] == "unknown" and r["date"] >= "2018-04-21"]
    assert len(unknown_after) == 64  # shared/research (issue 11): 64 after 2018-04-21
    unresolved = [f for f in state.findings if f.kind == "unresolved"]
    assert len(unresolved) == 64
    assert all(f.message.startswith("unresolved: ") for f in unresolved)
    assert all(f.sources == ("press",) for f in unresolved)
    # CNS 2022-05-24 21:00 UTC: "believe that this first missile was a failed ICBM test"
    may24 = [f for f in unresolved if f.on is not None and f.on.date() == date(2022, 5, 24)]
    assert any("possible ICBM test" in f.message for f in may24)
    assert all(f.severity == "warn" and "no-icbm-launches" in f.message for f in may24)
    assert state.commitment("no-nuclear-tests").status == "holding"
    assert state.commitment("no-icbm-launches").status == "violated"
    assert not [f for f in state.findings if f.kind == "overdue"]


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


def _cli_ledger(tmp_path: Path) -> tuple[str, Path]:
    runner = CliRunner()
    db = str(tmp_path / "l.db")
    assert runner.invoke(app, ["ledger", "init", db]).exit_code == 0
    key = generate_party_key("cns-observer", "observer")
    key_file = tmp_path / "cns-observer.key"
    write_private_key(key, key_file)
    with Ledger.open(db) as led:
        led.register(key.public)
    return db, key_file


def _cut(text: str, at: float) -> str:
    """The text cut part-way (a download that stopped), without a final line break."""
    return text[: int(len(text) * at)].rstrip("\n")


@pytest.mark.parametrize(
    ("name", "fmt", "scenario"),
    [
        ("sipri-nuclear-explosions-1945-1998", "nuclear-explosions", "leap-day-2012"),
        ("dprk-nuclear-tests", "dprk-nuclear-tests", "dprk-freeze-2018"),
        ("cns-nk-missile-tests", "cns-missile-tests", "dprk-freeze-2018"),
    ],
)
def test_truncated_files_are_refused_whole(
    tmp_path: Path, name: str, fmt: str, scenario: str
) -> None:
    """A file cut part-way (inside a row, inside a quoted field, or mid-JSON) is refused with
    exit 2 and a message naming the file; the ledger stays empty, no traceback."""
    db, key_file = _cli_ledger(tmp_path)
    text = dataset(name).path.read_text()
    runner = CliRunner()
    for at in (0.5, 0.77, 0.999):
        cut = tmp_path / f"cut-{at}{dataset(name).path.suffix}"
        cut.write_text(_cut(text, at))
        r = runner.invoke(
            app,
            [
                "ledger",
                "import",
                db,
                str(cut),
                "--format",
                fmt,
                "--key",
                str(key_file),
                "--scenario",
                str(HERE / "data" / f"{scenario}.toml"),
            ],
        )
        assert r.exit_code == 2, (at, r.output)
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        assert str(cut) in r.output and "Traceback" not in r.output
    with Ledger.open(db) as led:
        assert led.size == 0


def test_truncated_dprk_row_never_becomes_a_signed_row_of_none(tmp_path: Path) -> None:
    """issue 11: the last row cut after its first fields imported with exit 0 as an
    observation full of "None"; now the import stops at that row."""
    s = load_scenario(HERE / "data" / "dprk-freeze-2018.toml")
    lines = DPRK.read_text().splitlines()
    cut = tmp_path / "dprk.csv"
    cut.write_text("\n".join([*lines[:-1], ",".join(lines[-1].split(",")[:3])]) + "\n")
    obs = generate_party_key("cns-observer", "observer")
    with Ledger.create(tmp_path / "l.db") as led:
        led.register(obs.public)
        with pytest.raises(InputError, match=r"record 6.*truncated row: 3 of 8 fields"):
            import_dataset(led, obs, "dprk-nuclear-tests", cut, s)
        assert led.size == 0


def test_import_by_bundled_name_and_refusals(tmp_path: Path) -> None:
    db, key_file = _cli_ledger(tmp_path)
    runner = CliRunner()
    base = ["--key", str(key_file)]
    leap = ["--scenario", str(HERE / "data" / "leap-day-2012.toml")]
    r = runner.invoke(app, ["ledger", "import", db, "dprk-nuclear-tests", *base, *leap, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["dataset"] == "dprk-nuclear-tests" and out["format"] == "dprk-nuclear-tests"
    assert out["imported"] == 4  # 2013-02-12 onwards; 2006 and 2009 are before 2012-02-29
    with Ledger.open(db) as led:
        rec = next(iter(led.records())).record
        assert rec["basis"]["kind"] == "measurement"
        size = led.size
    # a name that is neither a file nor a bundled dataset: exit 2, the names listed
    r = runner.invoke(app, ["ledger", "import", db, "no-such-dataset", *base, *leap])
    assert r.exit_code == 2
    assert "no bundled dataset of that name" in r.output and "cns-nk-missile-tests" in r.output
    # DPRK data into an Iran scenario: refused, nothing written
    iran = ["--scenario", str(HERE / "data" / "iran-test-freeze.toml")]
    for name in ("cns-nk-missile-tests", "dprk-nuclear-tests", "csis-nk-provocations"):
        r = runner.invoke(app, ["ledger", "import", db, name, *base, *iran])
        assert r.exit_code == 2, (name, r.output)
        assert "about the DPRK" in r.output and "Iran" in r.output
    # ... even when given as a path with an explicit format
    r = runner.invoke(
        app,
        ["ledger", "import", db, str(CNS), "--format", "cns-missile-tests", *base, *iran],
    )
    assert r.exit_code == 2
    # the transparency-log vectors are no evidence: the format must be named, and is refused
    r = runner.invoke(app, ["ledger", "import", db, "tlog-test-vectors", *base, *leap])
    assert r.exit_code == 2 and "--format" in r.output
    with Ledger.open(db) as led:
        assert led.size == size


def test_csis_provocations_import_counts_launches_and_skips_the_rest(tmp_path: Path) -> None:
    s = load_scenario(HERE / "data" / "dprk-freeze-2018.toml")
    obs = generate_party_key("cns-observer", "observer")
    with Ledger.create(tmp_path / "l.db") as led:
        led.register(obs.public)
        rep = import_dataset(led, obs, None, "csis-nk-provocations", s)
        state = evaluate(s, evidence_from_ledger(led))
    assert rep.format == "csis-provocations" and rep.rows == 493
    assert rep.skipped_other > 100  # balloons, artillery, incursions: no tests
    icbm = {f.on.date() for f in violations(state, "no-icbm-launches") if f.on}
    # CSIS lists the 2022-11-18 Hwasong-17 and the Hwasong-18 of 2023-12-18 (a Korean local
    # date: 08:24 KST, 2023-12-17 23:24 UTC; CSIS gives no time, so it is placed at 12:00 KST)
    assert {date(2022, 11, 18), date(2023, 12, 18)} <= icbm
    assert all(f.sources == ("press",) for f in violations(state))


def test_cvid_data_list_and_show() -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["data", "list", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {"name", "source", "retrieved", "licence"} <= set(rows[0])
    by = {d["name"]: d for d in rows}
    assert "Apache-2.0" in by["cns-nk-missile-tests"]["licence"]
    assert "MIT" in by["sipri-nuclear-explosions-1945-1998"]["licence"]
    assert "CC0" in by["csis-nk-provocations"]["licence"]
    r = runner.invoke(app, ["data", "list"])
    assert r.exit_code == 0 and "dprk-nuclear-tests" in r.stdout
    r = runner.invoke(app, ["data", "show", "sipri-nuclear-explosions-1945-1998"])
    assert r.exit_code == 0 and "056ac3db" in r.stdout
    r = runner.invoke(app, ["data", "show", "nope"])
    assert r.exit_code == 2 and "no bundled dataset 'nope'" in r.output


def test_libya_replay_verified_by_removal_within_four_months(tmp_path: Path) -> None:
    rep = replay_stream("libya-2003", tmp_path / "l.db")
    assert len(rep.indices) > 10
    s = load_scenario("libya-2003")
    with Ledger.open(tmp_path / "l.db") as led:
        ev = evidence_from_ledger(led)
    state = evaluate(s, ev, "2004-04-19")  # four months after the 2003-12-19 announcement
    statuses = {c.id: c.status for c in state.commitments}
    removal_ids = ["remove-sensitive", "remove-remaining", "remove-fresh-heu"]
    assert all(statuses[c] == "verified" for c in removal_ids)
    # The first declaration (2003-12-20) was partial: the IAEA's overall conclusion came only
    # in GOV/2008/39 (2008-09-12). Access at locations the IAEA requested is first recorded in
    # GOV/2004/33 (2004-05-28, "prompt unhindered access"), after this date.
    assert statuses["declare-all"] == statuses["access-all"] == "overdue"
    assert statuses["expert-visits"] == statuses["hand-over-documents"] == "verified"
    later = evaluate(s, ev)
    for cid, day in (
        ("declare-all", date(2008, 9, 12)),
        ("access-all", date(2004, 5, 28)),
        ("remove-spent-heu", date(2009, 12, 21)),
    ):
        verified_on = later.commitment(cid).verified_on
        assert verified_on is not None and verified_on.date() == day, cid
    verified_on = state.commitment("remove-remaining").verified_on
    assert verified_on is not None
    assert verified_on.date() == date(2004, 3, 6)
    assert any(i.kind == "irreversible-step" for i in state.indicators)
    # every finding says what kind of source it rests on
    assert all(f.sources for f in state.findings if f.evidence)
    assert all("sources" in i for side in ("decision", "pretence")
               for i in state.to_dict()["indicators"][side])  # fmt: skip


def test_six_party_replay_claimed_never_verified_37kg_is_an_estimate(tmp_path: Path) -> None:
    """The 37 kg is a reconstruction from state-supplied operating records reported in the
    press (cases.md, Six-Party): judged by its own 28–60 kg range, never by the σMUF test."""
    replay_stream("six-party-2007", tmp_path / "s.db")
    s = load_scenario("six-party-2007")
    with Ledger.open(tmp_path / "s.db") as led:
        state = evaluate(s, evidence_from_ledger(led))
    for c in state.commitments:
        assert c.claimed_on is not None, c.id
    # The shutdown alone was verified: the IAEA sealed five facilities on 2007-07-14 (IAEA
    # press release; cases.md §11), three months late. Disablement was observed by US experts
    # from 2007-11-05 but never verified complete; the declaration never verified.
    verified = {c.id: c.verified_on for c in state.commitments if c.verified_on is not None}
    assert {k: v.date() for k, v in verified.items()} == {"shutdown-and-seal": date(2007, 7, 14)}
    quantity = [f for f in state.findings if f.kind == "declaration-vs-finding"]
    assert quantity
    assert all(f.figures["test"] == "estimate-range" for f in quantity)
    assert all("significant" not in f.figures and "alpha" not in f.figures for f in quantity)
    rec37 = [f for f in quantity if f.figures["reference_kg"] == 37]
    assert len(rec37) == 1
    f37 = rec37[0]
    assert f37.sources == ("state-claim", "estimate")
    assert (f37.figures["low_kg"], f37.figures["high_kg"]) == (28, 60)
    assert f37.figures["position"] == "within" and f37.severity == "info"
    assert "no significance test" in f37.message
    assert any(f.kind == "relief-before-results" for f in state.findings)
    assert any(f.kind == "access-denied" for f in state.findings)


def _six_party_with_a_2006_statement(tmp_path: Path) -> str:
    """The bundled Six-Party ledger plus one statement signed by the DPRK dated 2006, before
    the agreement (issue 11: this made `cvid status` exit 2 for good)."""
    from cvid.compliance import demo_key
    from cvid.ledger import sign_record

    db = str(tmp_path / "s.db")
    replay_stream("six-party-2007", db)
    dprk = demo_key("dprk", "state")
    stray = {
        "kind": "statement",
        "agreement": "six-party-2007",
        "time": "2006-10-09T01:35:28Z",
        "refs": {"commitments": ["no-such-commitment"], "items": []},
        "payload": {"text": "A statement from before the agreement.", "claim": "none"},
    }
    future = dict(stray, time="2099-01-01T00:00:00Z", refs={"commitments": [], "items": []})
    with Ledger.open(db) as led:
        led.submit([sign_record(stray, dprk), sign_record(future, dprk)])
    return db


def test_record_outside_the_agreement_never_blocks_status_or_assess(tmp_path: Path) -> None:
    db = _six_party_with_a_2006_statement(tmp_path)
    runner = CliRunner()
    r = runner.invoke(app, ["status", "--ledger", db, "--scenario", "six-party-2007", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    outside = [f for f in out["findings"] if f["kind"] == "outside-agreement"]
    assert [f["figures"]["reason"] for f in outside] == ["before-start", "future"]
    assert outside[0]["on"] == "2006-10-09T01:35:28Z"
    assert outside[0]["message"].startswith("outside the agreement: ")
    assert "before the agreement started (2007-02-13)" in outside[0]["message"]
    assert outside[0]["sources"] == ["state-claim (inferred from signer role)"]
    # the statuses are those of the clean ledger
    clean = tmp_path / "clean.db"
    replay_stream("six-party-2007", clean)
    r0 = runner.invoke(
        app, ["status", "--ledger", str(clean), "--scenario", "six-party-2007", "--json"]
    )
    assert json.loads(r0.stdout)["commitments"] == out["commitments"]
    r = runner.invoke(app, ["status", "--ledger", db, "--scenario", "six-party-2007", "--timeline"])
    assert r.exit_code == 0, r.output
    assert "2006-10-09  outside the agreement" in r.stdout
    assert "[state-claim" in r.stdout  # the kind of source next to the finding
    r = runner.invoke(app, ["assess", "six-party-2007", "--ledger", db, "--no-simulate", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["compliance"]["records"] == 22


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
    assert all("sources" in f for f in out["findings"])
    r = runner.invoke(app, ["status", "--ledger", db, "--scenario", "libya-2003", "--at", "x"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["status", "--ledger", db, "--scenario", "libya-2003", "--timeline"])
    assert r.exit_code == 0 and "→" in r.stdout


def test_assess_with_ledger_fills_compliance(tmp_path: Path) -> None:
    from cvid.assess import assess

    replay_stream("six-party-2007", tmp_path / "s.db")
    result = assess("six-party-2007", simulate=False, ledger=tmp_path / "s.db")
    assert result.compliance is not None
    assert result.compliance["counts"]["verified"] == 1  # the shutdown, sealed 2007-07-14
    assert result.to_dict()["compliance"]["indicators"] in ("pretence", "mixed")
