"""The assessment report: one self-contained HTML file (or the same as PDF) for the table.

Everything is inline: CSS, and every figure as SVG drawn by :mod:`cvid.assess.figures`;
nothing is fetched from anywhere. Each section renders from the
:class:`~cvid.assess.Assessment` and the scenario it came from; lesson 3's curves come from
:mod:`cvid.verify` and the simulation's from the :class:`cvid.negotiate.SimulationResult`
kept on the assessment. A section whose data is absent (no simulation, no ledger) is left
out with a one-line note saying what would produce it.

* :mod:`~cvid.assess.report.context` — what the page shows (sections, figures, notes),
  from :mod:`~cvid.assess.report.sections` (lessons and summary tiles),
  :mod:`~cvid.assess.report.checklist` (lesson 4), :mod:`~cvid.assess.report.simulation`,
  :mod:`~cvid.assess.report.compliance`, :mod:`~cvid.assess.report.assumptions` and
  :mod:`~cvid.assess.report.figure_list`;
* :mod:`~cvid.assess.report.html` — the page from the templates;
  :mod:`~cvid.assess.report.pdf` — the PDF; :mod:`~cvid.assess.report.document` — the
  :class:`Report` and its atomic write; :mod:`~cvid.assess.report.format` — numbers.

>>> from cvid.assess.report import build_report
>>> report = build_report("libya-2003", simulate=False)      # doctest: +SKIP
>>> report.write("libya.html")                               # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from cvid.assess.engine import assess
from cvid.assess.report.assumptions import scenario_digest
from cvid.assess.report.compliance import ledger_compliance
from cvid.assess.report.context import SECTIONS
from cvid.assess.report.document import FORMATS, Report, ReportFormat
from cvid.assess.report.figure_list import build_figures
from cvid.assess.report.format import fmt, prob
from cvid.assess.report.html import render_html
from cvid.assess.report.pdf import html_to_pdf
from cvid.assess.result import Assessment
from cvid.scenario import Scenario, load_scenario


def build_report(
    scenario: Scenario | str | Path,
    *,
    assessment: Assessment | None = None,
    simulate: bool = True,
    runs: int = 10_000,
    months: int = 120,
    seed: int = 0,
    ledger: str | Path | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Assess ``scenario`` (a model, a file or a bundled example name), unless an
    ``assessment`` of it is given, and render the report; with ``ledger`` (a ledger file or
    URL) the compliance section shows the evidence on it."""
    if isinstance(scenario, Scenario):
        s, source = scenario, None
    else:
        s, source = load_scenario(scenario), str(scenario)
    a = assessment or assess(
        s, source=source, simulate=simulate, runs=runs, months=months, seed=seed
    )
    comp = None if ledger is None else ledger_compliance(s, ledger)
    return render_html(s, a, compliance=comp, generated_at=generated_at)


def write_report(
    scenario: Scenario | str | Path,
    path: str | Path,
    *,
    format: ReportFormat = "html",
    **kwargs: Any,
) -> Path:
    """Build the report of ``scenario`` and write it to ``path`` as HTML or PDF."""
    return build_report(scenario, **kwargs).write(path, format)


__all__ = [
    "FORMATS",
    "SECTIONS",
    "Report",
    "ReportFormat",
    "build_figures",
    "build_report",
    "fmt",
    "html_to_pdf",
    "ledger_compliance",
    "prob",
    "render_html",
    "scenario_digest",
    "write_report",
]
