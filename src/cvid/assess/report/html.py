"""The report as one self-contained HTML page: the Jinja templates beside this module, every
figure drawn inline as accessible SVG (:func:`cvid.assess.figures.render_svg`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cvid.assess.figures import FigureData, render_svg
from cvid.assess.report.context import report_context
from cvid.assess.report.document import Report
from cvid.assess.report.format import fmt, prob
from cvid.assess.result import Assessment
from cvid.scenario import Scenario

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment() -> Environment:
    """The Jinja environment of the report's templates: autoescaped, strict, with the
    ``fmt`` and ``prob`` filters."""
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["prob"] = prob
    return env


def figure_block(fd: FigureData) -> dict[str, Any]:
    """A figure as the template shows it: the SVG, its caption, inputs and source."""
    return {
        "id": fd.id,
        "title": fd.title,
        "description": fd.description,
        "svg": Markup(render_svg(fd)),  # our own SVG: ids and text escaped in render_svg
        "inputs": [(k, fmt(v)) for k, v in fd.inputs.items()],
        "source": fd.source,
    }


def render_html(
    scenario: Scenario,
    assessment: Assessment,
    *,
    compliance: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Render the report of ``assessment`` (made from ``scenario``) as one HTML page.

    ``compliance`` (see :func:`cvid.assess.report.ledger_compliance`) adds the compliance
    timeline and the latest checkpoint; without it the section shows
    ``assessment.compliance`` if present."""
    ctx = report_context(scenario, assessment, compliance=compliance, generated_at=generated_at)
    blocks = {fid: figure_block(fd) for fid, fd in ctx.figures.items()}
    html = environment().get_template("report.html.j2").render(**ctx.variables, figures=blocks)
    return Report(html=html, figures=ctx.figures, sections=ctx.sections, omitted=ctx.omitted)
