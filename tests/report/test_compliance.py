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


def test_libya_evidence_verifies_every_commitment(with_ledger: dict[str, Report]) -> None:
    """IAEA GOV/2004/33: the removals were completed by March 2004; the Additional Protocol,
    signed 2004-03-10, is the one step that ran past its deadline before being verified."""
    rows = {
        r["id"]: r
        for r in with_ledger["libya-2003"].figures["compliance-timeline"].data["commitments"]
    }
    assert {r["status"] for r in rows.values()} == {"verified"}
    assert "overdue" in [s["status"] for s in rows["additional-protocol"]["segments"]]


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
