"""Everything the report's template shows, assembled from the scenario, the assessment and
(optionally) a compliance state: which sections are in, which figures, and each section's
data. Nothing here draws or renders (:mod:`cvid.assess.report.html` does)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import cvid
from cvid.assess.figures import OKABE_ITO, FigureData
from cvid.assess.report.assumptions import assumptions, reproduce_command, scenario_digest
from cvid.assess.report.checklist import lesson4_extra
from cvid.assess.report.compliance import compliance_block
from cvid.assess.report.figure_list import report_figures
from cvid.assess.report.sections import (
    headlines,
    lesson1_extra,
    lesson2_rows,
    lesson3_table,
    lesson_section,
)
from cvid.assess.report.simulation import outcomes_by_type, simulation_table
from cvid.assess.result import Assessment
from cvid.negotiate import explain as explain_simulation
from cvid.scenario import Scenario

#: Sections in the order they appear, with their headings.
SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "lesson-1": "Lesson 1 · A strategic decision shown by concrete actions, in months",
    "lesson-2": "Lesson 2 · All tools of statecraft; no relief before results",
    "lesson-3": "Lesson 3 · Effective verification",
    "lesson-4": "Lesson 4 · No bargaining on CVID",
    "simulation": "Simulation · this agreement against the Libya model",
    "compliance": "Compliance · the evidence ledger",
    "assumptions": "Assumptions and reproduction",
}


@dataclass(frozen=True)
class ReportContext:
    """The report before rendering: the template's variables (figures still as data), the
    figures' data, the sections in order, and a note for each section or figure left out."""

    variables: dict[str, Any]
    figures: dict[str, FigureData]
    sections: tuple[str, ...]
    omitted: dict[str, str]


def report_context(
    s: Scenario,
    a: Assessment,
    *,
    compliance: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
) -> ReportContext:
    """Assemble the report of ``a`` (made from ``s``); ``compliance`` as in
    :func:`cvid.assess.report.render_html`, else ``a.compliance``."""
    comp = compliance if compliance is not None else a.compliance
    figures, notes = report_figures(s, a, comp)
    sections = ["summary", "lesson-1", "lesson-2", "lesson-3", "lesson-4"]
    omitted: dict[str, str] = dict(notes)
    sim = a.simulation_result
    if sim is not None:
        sections.append("simulation")
    else:
        omitted["simulation"] = (
            "Simulation not run: assess with simulate=True (cvid assess without "
            "--no-simulate) to compare this agreement with the Libya model."
        )
    if comp is not None:
        sections.append("compliance")
    else:
        omitted["compliance"] = (
            "No evidence ledger given: pass --ledger DB to add the compliance timeline, "
            "findings and the latest signed checkpoint."
        )
    sections.append("assumptions")
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lesson2_fd = figures.get("lesson2-concessions")
    variables: dict[str, Any] = {
        "sc": a.scenario,
        "meta": s.meta,
        "program": s.program,
        "agreement": s.agreement,
        "overall": a.overall,
        "lessons": {i: lesson_section(a, i) for i in (1, 2, 3, 4)},
        "headlines": headlines(s, a),
        "notes": notes,
        "omitted": omitted,
        "sections": sections,
        "section_titles": SECTIONS,
        "lesson1": lesson1_extra(s, a),
        "lesson2_rows": [] if lesson2_fd is None else lesson2_rows(lesson2_fd),
        "lesson2_figures": a.lesson(2).figures,
        "lesson3_table": lesson3_table(a),
        "lesson4": lesson4_extra(s, a),
        "sim": sim,
        "sim_table": [] if sim is None else simulation_table(sim),
        "sim_by_type": [] if sim is None else outcomes_by_type(sim),
        "sim_explanation": "" if sim is None else explain_simulation(sim),
        "compliance": None if comp is None else compliance_block(comp),
        "assumptions": assumptions(s, a),
        "version": a.version or cvid.__version__,
        "digest": scenario_digest(s),
        "generated": when,
        "reproduce": reproduce_command(a),
        "palette": OKABE_ITO,
    }
    return ReportContext(variables, figures, tuple(sections), omitted)
