"""The case library: every case loads and validates, every outcome and record has its source,
and the encoded facts match the shared research (cases.md, cases.csv) they come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvid.cases import OUTCOME_RANK, bundled_catalog_path, load_catalog, validate_case
from cvid.compliance import load_stream, stream_path
from cvid.errors import InputError
from cvid.ledger.records import SOURCE_KINDS
from cvid.scenario import SIGNIFICANT_QUANTITY_KG, load_scenario

CATALOG = load_catalog()
NAMES = CATALOG.names()
CASES_DIR = bundled_catalog_path().parent

#: The new cases of issue 14 (the five bundled examples are cases too).
NEW_CASES = [
    "south-africa-1989",
    "ukraine-kazakhstan-belarus-1992",
    "iraq-1991",
    "iran-jcpoa-2015",
    "leap-day-2012",
    "singapore-2018",
    "hanoi-2019",
    "brazil-argentina-1991",
    "taiwan-1976",
]
BUNDLED = [
    "libya-2003",
    "agreed-framework-1994",
    "six-party-2007",
    "dprk-2018-libya-model",
    "dprk-2018-step-by-step",
]


def test_the_catalogue_has_every_case_of_issue_14() -> None:
    assert set(NAMES) == set(NEW_CASES) | set(BUNDLED)


@pytest.mark.parametrize("name", NAMES)
def test_each_case_loads_and_validates(name: str) -> None:
    case = CATALOG.case(name)
    s, stream = validate_case(case)
    assert s.meta.name == name
    assert s.meta.sources, "a case names its sources"
    out = case.outcome
    assert out.source.strip(), "the outcome has a source"
    if case.entry.scored:
        assert out.kind in OUTCOME_RANK
        assert out.date
        assert s.meta.kind == "historical"
    else:
        assert out.kind == "not-applicable"
        assert s.meta.kind == "hypothetical"
    if name in NEW_CASES:
        assert stream is not None and len(stream.records) >= 3
        assert case.entry.reference is not None


@pytest.mark.parametrize("name", NEW_CASES)
def test_every_record_says_its_kind_of_source(name: str) -> None:
    stream = load_stream(name)  # the header names the scenario, found by its bundled name
    for r in stream.records:
        basis = r.record["basis"]
        assert basis["kind"] in SOURCE_KINDS, (name, r.line)
        assert basis["time_zone"], (name, r.line)
        assert basis["document"], (name, r.line)
        if basis["kind"] == "estimate":
            assert basis["uncertainty"]["low"] <= basis["uncertainty"]["high"]
            assert basis["method"]


@pytest.mark.parametrize("name", NEW_CASES)
def test_new_cases_are_found_by_name(name: str) -> None:
    assert load_scenario(name).meta.name == name
    assert stream_path(name) == CASES_DIR / f"{name}.jsonl"


def test_catalogue_is_not_a_scenario_name() -> None:
    with pytest.raises(InputError, match="no such file or bundled example"):
        load_scenario("catalog")


# --- facts against the shared research (cases.md sections named in each test) ------------


def test_south_africa_facts() -> None:
    s = load_scenario("south-africa-1989")
    # cases.md §1: NPT accession 1991-07-10; six devices built, a seventh incomplete [S].
    assert s.agreement.start is not None and s.agreement.start.isoformat() == "1991-07-10"
    devices = s.program.weapons[0].count
    assert (devices.low, devices.high) == (6, 7)
    # Albright (1994): 735 ± 53 kg of 90 %-equivalent HEU (= 661.5 kg U-235), 2σ on U-235
    # 256 kg: the range is the central U-235 value ± 2σ, independently recomputed here.
    heu = s.program.materials[0].mass_kg
    u235 = 735 * 0.90
    assert heu.mode == pytest.approx(u235, abs=1)
    assert heu.low == pytest.approx(u235 - 256, abs=1)
    assert heu.high == pytest.approx(u235 + 256, abs=1)
    # The dismantlement came before the agreement.
    first = s.agreement.commitment("dismantle-devices")
    assert first.completed_before_agreement


def test_sapphire_and_warhead_facts() -> None:
    s = load_scenario("ukraine-kazakhstan-belarus-1992")
    heu = next(m for m in s.program.materials if m.id == "ulba-heu").mass_kg
    # cases.md §2: 581–600 kg HEU, enrichment not given; HEU is ≥ 20 % U-235 (IAEA
    # Safeguards Glossary), so U-235 lies between 0.2 × 581 kg and 600 kg.
    assert heu.low == pytest.approx(0.2 * 581, abs=0.5) and heu.high == 600
    counts = {w.id: (w.count.low, w.count.high) for w in s.program.weapons}
    assert counts["ukraine-strategic"] == (1900, 1944)
    assert counts["kazakhstan-strategic"] == (1410, 1410)
    pay = next(k for k in s.agreement.concessions if k.id == "sapphire-payment").value_musd
    assert pay is not None and (pay.low, pay.high) == (25, 100)  # NTI vs Time, both kept


def test_iraq_facts() -> None:
    s = load_scenario("iraq-1991")
    fresh = next(m for m in s.program.materials if m.id == "heu-fresh")
    # IAEA plan of action: 10.97 + 1.27 + 0.372 kg U-235 of fresh fuel [M].
    assert fresh.mass_kg.low == pytest.approx(10.97 + 1.27 + 0.372)
    assert fresh.mass_kg.low < SIGNIFICANT_QUANTITY_KG["heu"]  # under 1 SQ, as the crash plan
    irr = next(m for m in s.program.materials if m.id == "heu-irradiated")
    assert irr.mass_kg.low == 35.58
    assert s.agreement.provisions.access == "anywhere-anytime"  # on paper, from 1991


def test_iran_facts() -> None:
    s = load_scenario("iran-jcpoa-2015")
    # Annex I §Q ¶78: 14 + 7 + 3 days.
    assert s.agreement.provisions.challenge_notice_hours == (14 + 7 + 3) * 24
    assert s.verification.managed_access_delay_hours == (14 + 7 + 3) * 24
    caps = {c.id: c.cap.value for c in s.agreement.commitments if c.cap is not None}
    assert caps == {"centrifuge-cap": 5060, "enrichment-level": 3.67, "stockpile-cap": 202.8}
    assert s.agreement.provisions.retained_enrichment
    sunsets = {c.id: c.sunset.isoformat() for c in s.agreement.commitments if c.sunset}
    assert sunsets["centrifuge-cap"] == "2026-01-16"  # 10 years from Implementation Day


def test_leap_day_and_singapore_facts() -> None:
    leap = load_scenario("leap-day-2012")
    assert leap.agreement.start is not None and leap.agreement.start.isoformat() == "2012-02-29"
    launch = [r for r in load_stream("leap-day-2012").records if r.record["kind"] == "observation"]
    # cases.md §5: 2012-04-13 07:39 KST = 2012-04-12 22:39 UTC.
    assert launch[0].record["time"] == "2012-04-12T22:39:00Z"
    sg = load_scenario("singapore-2018")
    assert sg.agreement.provisions.access == "none"
    assert all(not c.verification for c in sg.agreement.commitments if c.kind != "freeze")
    assert sg.agreement.commitment("punggye-ri-demolition").completed_before_agreement


def test_brazil_argentina_and_taiwan_facts() -> None:
    ba = load_scenario("brazil-argentina-1991")
    assert ba.agreement.start is not None and ba.agreement.start.isoformat() == "1991-07-18"
    assert not ba.program.weapons  # none built (cases.md §7)
    assert not ba.agreement.concessions  # none traded
    tw = load_scenario("taiwan-1976")
    # US demand 1988-01-15, team on site about 1988-01-18: three days (Taipei Times 1999-10-14).
    assert tw.agreement.provisions.challenge_notice_hours == 3 * 24
    assert not tw.program.materials  # plutonium separated: unknown, so no invented point


def test_outcomes_as_documented() -> None:
    kinds = {c.name: c.outcome.kind for c in CATALOG.cases}
    assert kinds == {
        "south-africa-1989": "verified-disarmament",
        "ukraine-kazakhstan-belarus-1992": "verified-disarmament",
        "iraq-1991": "collapsed",
        "iran-jcpoa-2015": "reversed",
        "leap-day-2012": "collapsed",
        "singapore-2018": "collapsed",
        "hanoi-2019": "collapsed",
        "brazil-argentina-1991": "verified-disarmament",
        "taiwan-1976": "verified-disarmament",
        "libya-2003": "verified-disarmament",
        "agreed-framework-1994": "collapsed",
        "six-party-2007": "collapsed",
        "dprk-2018-libya-model": "not-applicable",
        "dprk-2018-step-by-step": "not-applicable",
    }
    assert CATALOG.case("south-africa-1989").outcome.date == "1993-09-09"  # GC(XXXVII)/1075
    assert CATALOG.case("libya-2003").outcome.date == "2008-09-12"  # GOV/2008/39


# --- bad input -------------------------------------------------------------------------


def _catalog_with(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "catalog.toml"
    p.write_text(text, encoding="utf-8")
    return p


ONE_CASE = """
[[case]]
name = "libya-2003"
years = "2003–09"
scenario = "libya-2003"
{evidence}
[case.outcome]
kind = "verified-disarmament"
date = "2008-09-12"
summary = "verified"
{source}
"""


def test_outcome_without_a_source_is_refused(tmp_path: Path) -> None:
    p = _catalog_with(tmp_path, ONE_CASE.format(evidence="", source='source = "  "'))
    with pytest.raises(InputError) as info:
        load_catalog(p)
    msg = info.value.describe()
    assert str(p) in msg and "case[0].outcome.source" in msg and "libya-2003" in msg
    assert "must name its source" in msg
    p2 = _catalog_with(tmp_path, ONE_CASE.format(evidence="", source=""))
    with pytest.raises(InputError, match=r"case\[0\]\.outcome\.source.*must name its source"):
        load_catalog(p2)


def test_unknown_case_name_is_refused() -> None:
    with pytest.raises(InputError, match=r"no case named 'south-africa'.*did you mean"):
        CATALOG.case("south-africa")


def test_estimate_without_uncertainty_in_a_case_stream_is_refused(tmp_path: Path) -> None:
    lines = (CASES_DIR / "south-africa-1989.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(x) for x in lines[1:]]
    est = next(r for r in records if r["basis"]["kind"] == "estimate")
    del est["basis"]["uncertainty"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(est)]) + "\n", encoding="utf-8")
    p = _catalog_with(
        tmp_path,
        ONE_CASE.replace("libya-2003", "south-africa-1989").format(
            evidence='evidence = "bad.jsonl"', source='source = "GC(XXXVII)/1075"'
        ),
    )
    with pytest.raises(InputError, match="estimate must carry its own uncertainty"):
        validate_case(load_catalog(p).case("south-africa-1989"))


def test_scored_case_needs_an_outcome(tmp_path: Path) -> None:
    text = ONE_CASE.format(evidence="", source='source = "x"').replace(
        'kind = "verified-disarmament"', 'kind = "not-applicable"'
    )
    with pytest.raises(InputError, match="scored case needs an outcome"):
        load_catalog(_catalog_with(tmp_path, text))


@pytest.mark.parametrize("name", NEW_CASES)
def test_each_stream_replays_into_a_ledger_and_is_evaluated(name: str, tmp_path: Path) -> None:
    # The whole path a reader takes: `cvid ledger replay DB NAME`, then `cvid status`.
    # Sapphire's commitment lists chain-of-custody, which the compliance rules must know.
    from cvid.compliance import agreement_id, evaluate, evidence_from_ledger, replay_stream
    from cvid.ledger import Ledger

    db = tmp_path / "l.db"
    report = replay_stream(name, db)
    s = load_scenario(name)
    with Ledger.open(db) as led:
        evidence = evidence_from_ledger(led, agreement_id(s))
    assert len(evidence) == len(report.indices) == len(load_stream(name).records)
    statuses = evaluate(s, evidence).summary()["statuses"]
    assert set(statuses) == {c.id for c in s.agreement.commitments}
    if name == "ukraine-kazakhstan-belarus-1992":
        # Removal under US custody, escorted and measured (NTI 2002): verified.
        assert statuses["sapphire"] == "verified"
