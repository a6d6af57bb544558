"""With a ledger: the compliance section (timeline figure, statuses, findings, the latest
signed checkpoint) from real evidence, the bundled Libya and Six-Party streams replayed into
SQLite ledgers."""

from __future__ import annotations

import itertools
from pathlib import Path

import html5lib
import pytest
from typer.testing import CliRunner

from cvid.assess import Report, build_report
from cvid.cli import app
from cvid.compliance import replay_stream
from cvid.ledger import Ledger, parse_checkpoint
from tests.report.conftest import GENERATED

STREAMS = ["libya-2003", "six-party-2007"]


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in STREAMS:
        path = tmp_path_factory.mktemp("ledger") / f"{name}.db"
        replay_stream(name, path)
        out[name] = path
    return out


@pytest.fixture(scope="module")
def with_ledger(ledgers: dict[str, Path]) -> dict[str, Report]:
    return {
        name: build_report(name, runs=1000, ledger=path, generated_at=GENERATED)
        for name, path in ledgers.items()
    }


@pytest.mark.parametrize("name", STREAMS)
def test_compliance_section_from_the_ledger(
    with_ledger: dict[str, Report], ledgers: dict[str, Path], name: str
) -> None:
    report = with_ledger[name]
    assert "compliance" in report.sections
    assert "compliance" not in report.omitted
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(report.html)
    section = report.html[report.html.index('<section id="compliance"') :]
    section = section[: section.index("</section>")]
    assert 'id="fig-compliance-timeline"' in section
    with Ledger.open(ledgers[name]) as led:
        note = led.checkpoint()
        size = led.size
    # The latest signed checkpoint is shown whole (escaped), and it is the ledger's.
    from html import escape

    assert escape(note.strip()) in section
    body = note[: note.index("\n\n") + 1]  # the signed note's text, before its signatures
    assert parse_checkpoint(body).size == size


@pytest.mark.parametrize("name", STREAMS)
def test_compliance_timeline_data_ends_in_each_commitments_status(
    with_ledger: dict[str, Report], name: str
) -> None:
    d = with_ledger[name].figures["compliance-timeline"].data
    assert d["commitments"]
    for row in d["commitments"]:
        segs = row["segments"]
        assert segs[0]["start"] == 0.0
        assert segs[-1]["status"] == row["status"]
        assert segs[-1]["end"] == d["end_month"]
        for a, b in itertools.pairwise(segs):
            assert a["end"] == b["start"] and a["status"] != b["status"]


def test_libya_evidence_verifies_every_commitment(
    with_ledger: dict[str, Report],
) -> None:
    """IAEA GOV/2004/33: the removals were completed by March 2004; the Additional Protocol,
    signed 2004-03-10, was verified after its deadline; the first declaration was partial and
    the IAEA's overall conclusion came on 2008-09-12 (GOV/2008/39); the last HEU left on
    2009-12-21, a month late. Access: the October–December 2003 visits were at sites Libya
    showed, but GOV/2004/33 (2004-05-28, events.csv) reports prompt, unhindered access at the
    locations the IAEA requested ("L3 is met: unrestricted access, documents, interviews",
    cases.md §9), so 'access-all' is verified, late, at the report's date."""
    rows = {
        r["id"]: r
        for r in with_ledger["libya-2003"].figures["compliance-timeline"].data["commitments"]
    }
    assert {k for k, r in rows.items() if r["status"] != "verified"} == set()
    for late in ("access-all", "additional-protocol", "declare-all", "remove-spent-heu"):
        assert "overdue" in [s["status"] for s in rows[late]["segments"]], late


def test_cli_report_with_ledger(ledgers: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "six.html"
    result = CliRunner().invoke(
        app,
        [
            "assess",
            "six-party-2007",
            "--no-simulate",
            "--ledger",
            str(ledgers["six-party-2007"]),
            "--report",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<section id="compliance"' in html
    assert "Latest signed checkpoint" in html


@pytest.mark.parametrize("name", STREAMS)
def test_every_compliance_finding_shows_its_kind_of_source(
    with_ledger: dict[str, Report], ledgers: dict[str, Path], name: str
) -> None:
    """Issue 14: the report shows the kind of source next to every finding (measurement,
    inspector's observation, state claim, estimate, press; 'scenario' for the file's terms)."""
    from cvid.compliance import agreement_id, evaluate, evidence_from_ledger
    from cvid.scenario import load_scenario

    s = load_scenario(name)
    with Ledger.open(ledgers[name]) as led:
        state = evaluate(s, evidence_from_ledger(led, agreement_id(s)))
    section = with_ledger[name].html[with_ledger[name].html.index('<section id="compliance"') :]
    section = section[: section.index("</section>")]
    shown = [f for f in state.findings if f.severity != "info"]
    if not shown:  # Libya: every commitment verified, nothing to warn of; no empty table
        assert name == "libya-2003"
        assert "<caption>Compliance findings</caption>" not in section
        assert all(f.sources for f in state.findings)
        return
    table = section[section.index("<caption>Compliance findings</caption>") :]
    table = table[: table.index("</table>")]
    assert '<th scope="col">Kind of source</th>' in table
    rows = table.split("<tr class=")[1:]
    assert len(rows) == len(shown)
    for f, row in zip(shown, rows, strict=True):
        assert f.sources, f.message
        assert "; ".join(f.sources) in row.replace("&#39;", "'")


def test_six_party_37kg_is_shown_as_an_estimate(
    with_ledger: dict[str, Report], ledgers: dict[str, Path]
) -> None:
    """cases.md §11: the 37 kg is a press-reported reconstruction from the DPRK's operating
    records, judged by its own range, never by a bulk-measurement test."""
    section = with_ledger["six-party-2007"].html
    section = section[section.index("<caption>Compliance findings</caption>") :]
    row = next(r for r in section.split("<tr class=")[1:] if "about 37 kg" in r)
    assert "estimate" in row
    assert "σ" not in row and "beyond measurement uncertainty" not in row


def test_six_party_timeline_runs_through_the_2008_09_access_denials(
    with_ledger: dict[str, Report],
) -> None:
    """Inspectors barred 2008-09-24 and out 2009-04-14 (events.csv): month 25.0 after the
    2007-02-13 start, past the last status change (month 10.6)."""
    d = with_ledger["six-party-2007"].figures["compliance-timeline"].data
    assert d["end_month"] > 25.0
    rows = {r["id"]: r for r in d["commitments"]}
    # IAEA seals on five facilities on 2007-07-14 (IAEA press release): verified, late.
    seal = [s["status"] for s in rows["shutdown-and-seal"]["segments"]]
    assert seal == ["pending", "overdue", "verified"]
