"""``cvid assess --report`` and ``--format pdf``: files written whole, clear errors, same content.

The PDF is read back with poppler's pdftotext (installed by scripts/setup-system.sh) to check
that it carries the same sections, verdicts and figures as the HTML.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvid.assess import build_report
from cvid.cli import app

runner = CliRunner()
CVID = Path(sys.executable).with_name("cvid")


def test_cli_writes_the_html_report(tmp_path: Path) -> None:
    out = tmp_path / "libya.html"
    result = runner.invoke(app, ["assess", "libya-2003", "--runs", "500", "--report", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="simulation"' in html
    assert "--runs 500" in html  # the reproduction command names the run count used
    assert "report written to" in result.output
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_cli_report_with_json_still_prints_the_json(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(
        app, ["assess", "six-party-2007", "--no-simulate", "--json", "--report", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert '"overall": "fail"' in result.stdout
    assert "Simulation not run" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx", "--report", "OUT"], "'docx' is not one of 'html'"),
        (["--format", "pdf", "--report", "OUT.html"], "ends in .html but --format is pdf"),
        (["--report", "NOWHERE/sub/r.html"], "the folder does not exist"),
    ],
)
def test_cli_bad_report_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    args = [a.replace("OUT", str(tmp_path / "x")).replace("NOWHERE", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["assess", "libya-2003", "--no-simulate", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_real_cli_process(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [str(CVID), "assess", "agreed-framework-1994", "--runs", "500", "--report", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "report written to" in proc.stderr
    assert "Agreed Framework" in out.read_text(encoding="utf-8")


def _pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: run scripts/setup-system.sh")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow
def test_cli_pdf_has_the_same_content_as_the_html(tmp_path: Path) -> None:
    pdf = tmp_path / "six.pdf"
    result = runner.invoke(app, ["assess", "six-party-2007", "--runs", "500", "--report", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = " ".join(_pdftotext(pdf).split())
    report = build_report("six-party-2007", runs=500)
    for title in report.sections:
        heading = {
            "summary": "Summary",
            "lesson-1": "Lesson 1",
            "lesson-2": "Lesson 2",
            "lesson-3": "Lesson 3",
            "lesson-4": "Lesson 4",
            "simulation": "Simulation",
            "assumptions": "Assumptions and reproduction",
        }[title]
        assert heading in text, heading
    for fd in report.figures.values():
        assert fd.title.split(":")[0] in text, fd.id  # the figure's caption
    from cvid.assess import assess

    for lesson in assess("six-party-2007", simulate=False).lessons:
        assert " ".join(lesson.summary.split()) in text, lesson.id
    assert "Verdict per lesson" in text
    assert "cvid assess six-party-2007" in text


def test_report_prints_only_where_it_went(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["assess", "libya-2003", "--no-simulate", "--report", str(out)])
    assert result.exit_code == 0, result.output
    assert "report written to" in result.output
    assert "overall: WARN" in result.output
    assert "Scorecard" not in result.output  # not the whole console assessment
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_format_alone_names_the_file_after_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["assess", "libya-2003", "--no-simulate", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "libya-2003.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")
