"""The assessment report: one self-contained HTML file (or the same as PDF) for the table.

Everything is inline: CSS, and every figure as SVG drawn by :mod:`cvid.assess.plots`; nothing
is fetched from anywhere. Each section renders from the :class:`~cvid.assess.Assessment` and
the scenario it came from; lesson 3's curves come from :mod:`cvid.verify` and the simulation's
from the :class:`cvid.negotiate.SimulationResult` kept on the assessment. A section whose data
is absent (no simulation, no ledger) is left out with a one-line note saying what would
produce it.

>>> from cvid.assess.report import build_report
>>> report = build_report("libya-2003", simulate=False)      # doctest: +SKIP
>>> report.write("libya.html")                               # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel

import cvid
from cvid.assess import plots
from cvid.assess.engine import assess
from cvid.assess.plots import FigureData
from cvid.assess.result import Assessment, Assumption, Finding
from cvid.errors import CvidError, InputError
from cvid.negotiate import (
    LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR,
    LIBYA_MODEL_NOTICE_HOURS,
)
from cvid.negotiate import explain as explain_simulation
from cvid.scenario import Scenario, load_scenario

ReportFormat = Literal["html", "pdf"]
FORMATS: tuple[str, ...] = ("html", "pdf")

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

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_SEVERITY_ORDER = {"fail": 0, "warn": 1, "info": 2}


@dataclass(frozen=True)
class Report:
    """A rendered report: the HTML, the figures' data, and which sections are in it."""

    html: str
    figures: Mapping[str, FigureData]
    sections: tuple[str, ...]
    omitted: Mapping[str, str] = field(default_factory=dict)

    def to_pdf(self) -> bytes:
        """The same report as PDF (see :func:`html_to_pdf`)."""
        return html_to_pdf(self.html)

    def write(self, path: str | Path, format: ReportFormat = "html") -> Path:
        """Write the report atomically (a temporary file renamed into place): nothing
        half-written is left behind if rendering or writing fails."""
        if format not in FORMATS:
            raise InputError(f"unknown format '{format}' (choose html or pdf)", field="format")
        target = Path(path)
        if target.is_dir():
            raise InputError("is a directory, not a file", source=str(target))
        payload = self.html.encode("utf-8") if format == "html" else self.to_pdf()
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.is_dir():
            raise InputError("the folder does not exist", source=str(parent))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target


def html_to_pdf(html: str) -> bytes:
    """Render report HTML to PDF with WeasyPrint (no base URL: nothing can be fetched)."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz system libraries missing
        raise CvidError(
            "PDF output needs WeasyPrint and its system libraries (Pango); run "
            f"scripts/setup-system.sh and pip install 'cvid[pdf]' ({exc})"
        ) from None

    def no_fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        raise ValueError(f"the report may not load {url}")

    try:
        pdf = HTML(string=html, base_url=None, url_fetcher=no_fetch).write_pdf()
    except Exception as exc:  # WeasyPrint's own failures (fonts, layout): one line, no trace
        raise CvidError(f"WeasyPrint could not render the PDF: {exc}") from None
    return bytes(pdf) if pdf is not None else b""


# --- formatting helpers (also used as Jinja filters) ---------------------------------------


def fmt(value: Any, digits: int = 3) -> str:
    """A number for people: ``—`` for missing, ``∞`` for infinity, 3 significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if math.isinf(value):
            return "∞"
        if value == int(value) and abs(value) < 1e6:
            return f"{int(value):,}"
        return plots.num(value, digits)
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, digits) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {fmt(v, digits)}" for k, v in value.items()) or "—"
    return str(value)


def prob(value: float | None, se: float | None = None) -> str:
    """A probability as ``0.42`` or ``0.42 ± 0.01`` (± two standard errors)."""
    if value is None:
        return "—"
    if se is None:
        return f"{value:.2f}"
    return f"{value:.2f} ± {2 * se:.2f}"


# --- sections -------------------------------------------------------------------------------


def _figure_block(fd: FigureData) -> dict[str, Any]:
    return {
        "id": fd.id,
        "title": fd.title,
        "description": fd.description,
        "svg": Markup(plots.render_svg(fd)),  # our own SVG: ids and text escaped in render_svg
        "inputs": [(k, fmt(v)) for k, v in fd.inputs.items()],
        "source": fd.source,
    }


def _findings(findings: Sequence[Finding]) -> list[dict[str, str]]:
    ordered = sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity])
    return [f.to_dict() for f in ordered]


def _lesson(a: Assessment, lesson_id: int) -> dict[str, Any]:
    lesson = a.lesson(lesson_id)
    return {
        "id": lesson.id,
        "title": lesson.title,
        "grade": lesson.grade,
        "summary": lesson.summary,
        "findings": _findings(lesson.findings),
    }


def _headlines(s: Scenario, a: Assessment) -> list[dict[str, str]]:
    l1, l2, l3 = (a.lesson(i).figures for i in (1, 2, 3))
    out: list[dict[str, str]] = []
    done = l1.get("verified_completion_months")
    out.append(
        {
            "label": "Verified completion",
            "value": "never" if done is None else f"month {fmt(done)}",
            "note": (
                "no verified end is reached"
                if done is None
                else f"{l1['ratio_to_libya']:.1f} × the Libya benchmark "
                f"({fmt(l1['libya_benchmark_months'])} months)"
            ),
        }
    )
    share = l2.get("share_of_value_before_verification")
    out.append(
        {
            "label": "Relief before verified results",
            "value": f"{l2['released_before_verification']} of {l2['concessions']}",
            "note": "concessions"
            + ("" if share is None else f"; {share:.0%} of the package's value"),
        }
    )
    out += _lesson3_headlines(s, l3)
    items = plots.end_state_items(a)
    verified = sum(1 for i in items if i["status"] == "irreversible-verified")
    unverified = sum(1 for i in items if i["status"] == "irreversible-unverified")
    out.append(
        {
            # The same count as the end-state figure's caption: an unverified step is no
            # irreversible result (a test-site collapse without inspectors does not count).
            "label": "Items made irreversible under verification",
            "value": f"{verified} of {len(items)}",
            "note": "nuclear items in scope"
            + (
                f"; {unverified} more dismantled, removed or destroyed without verification"
                if unverified
                else ""
            ),
        }
    )
    sim = a.simulation_result
    if sim is not None:
        for name, r in sim.strategies.items():
            p = r.outcome_probabilities()["verified_cvid"]
            se = r.standard_errors()["verified_cvid"]
            # Where CVID is unreachable by construction the outcome is only the agreement's
            # verified completion (as `cvid simulate` labels it): never headline it as CVID.
            what = "Verified completion, not CVID" if r.unreachable else "Verified CVID"
            out.append(
                {
                    "label": f"{what} · {plots.STRATEGY_LABELS.get(name, name)}",
                    "value": prob(p, se),
                    "note": f"by month {sim.months}, {sim.runs:,} runs (± 2 SE)"
                    + _defaults_note(_simulation_defaults(s)),
                }
            )
    return out


#: The regime fields the chance of finding an undeclared site is computed from.
_SITE_SEARCH_FIELDS = (
    "challenge_inspections_per_year",
    "candidate_sites",
    "intelligence_cueing",
    "site_detection_probability",
    "concealment_time_hours",
)


def _unset(model: Any, names: Sequence[str], prefix: str) -> list[str]:
    """The fields of ``model`` among ``names`` that the scenario left to cvid's defaults."""
    given = model.model_fields_set
    return [f"{prefix}.{n}" for n in names if n not in given]


def _defaults_note(fields: Sequence[str]) -> str:
    if not fields:
        return ""
    return "; from cvid's built-in defaults, not the scenario: " + ", ".join(fields)


def _simulation_defaults(s: Scenario) -> list[str]:
    """Simulator inputs the scenario does not give (the headline says so)."""
    out = []
    if "counterpart" not in s.model_fields_set or "prior" not in s.counterpart.model_fields_set:
        out.append("counterpart.prior")
    if "pressure" not in s.model_fields_set:
        out.append("pressure")
    return out


def _lesson3_headlines(s: Scenario, l3: Mapping[str, Any]) -> list[dict[str, str]]:
    """Lesson 3's tiles: the in-time detection of a diversion only from the scenario's own
    balance plan (else the tile says why there is no figure), and the chance of finding an
    undeclared site, labelled with the inputs that come from cvid's defaults."""
    v = l3.get("verification") or {}
    out: list[dict[str, str]] = []
    basis = l3.get("material_balance_basis")
    if "detection_probability_sq_within_goal" in l3:
        out.append(
            {
                "label": "Diversion of 1 SQ detected in time",
                "value": prob(l3["detection_probability_sq_within_goal"]),
                "note": f"{fmt(v['significant_quantity_kg'])} kg {v['material']} within "
                f"{fmt(v['timeliness_goal_months'])} month(s); goal "
                f"{s.thresholds.detection_goal:.2f}",
            }
        )
    elif basis is not None:
        why = (
            "the scenario names no facility for its balance plan "
            "(verification.material_balance.facility); lesson 3 shows cvid's illustrative "
            "default plan, labelled, and does not grade it"
            if basis == "default-plan"
            else f"no material balance applies: {v.get('material_balance_note', basis)}"
        )
        out.append({"label": "Diversion of 1 SQ detected in time", "value": "—", "note": why})
    if "undeclared_site_probability_1y" in l3:
        lo, hi = l3["undeclared_site_probability_1y_interval"]
        spread = (
            "" if math.isclose(lo, hi) else f"range {lo:.2f}–{hi:.2f} over the concealment time"
        )
        note = spread + _defaults_note(_unset(s.verification, _SITE_SEARCH_FIELDS, "verification"))
        out.append(
            {
                "label": "Undeclared site found within a year",
                "value": prob(l3["undeclared_site_probability_1y"]),
                "note": note.removeprefix("; ") or "from the scenario's search inputs",
            }
        )
    return out


def _lesson1_extra(s: Scenario, a: Assessment) -> dict[str, Any]:
    ag = s.agreement
    first_due = min((c.deadline_months for c in ag.commitments), default=None)
    first = [
        {
            "id": c.id,
            "kind": c.kind,
            "month": fmt(c.deadline_months),
            "description": c.description,
            "verification": ", ".join(c.verification) or "none",
        }
        for c in ag.commitments
        if c.deadline_months == first_due
    ]
    labels = {
        "declaration": "complete declaration",
        "access": "access to all sites",
        "documents": "the program's documents",
    }
    acts = [
        {
            "act": labels.get(act, act),
            "commitment": None if v is None else v["commitment"],
            "month": None if v is None else fmt(v["month"]),
            "in_time": v is not None and v["month"] <= s.thresholds.first_milestone_months,
        }
        for act, v in a.lesson(1).figures.get("first_concrete_acts", {}).items()
    ]
    return {
        "first": first,
        "acts": acts,
        "first_milestone_months": fmt(s.thresholds.first_milestone_months),
    }


def _lesson2_rows(fd: FigureData) -> list[dict[str, Any]]:
    rows = []
    for r in fd.data["concessions"]:
        v = r["value_musd"]
        rows.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "month": fmt(r["month"]),
                "release_on": r["release_on"],
                "requires": ", ".join(r["requires"]) or "nothing",
                "verified_month": "never"
                if r["verified_month"] is None
                else fmt(r["verified_month"]),
                "value": "—"
                if v is None
                else f"{fmt(v['central'])} ({fmt(v['low'])}–{fmt(v['high'])})",
                "early": r["early"],
            }
        )
    return rows


def _lesson3_table(a: Assessment) -> list[tuple[str, str, str]]:
    f = a.lesson(3).figures
    v = f.get("verification")
    if not v:
        return []
    return [
        ("Balanced material", f"{v['material']}", "verification.material_balance.material"),
        (
            "Significant quantity",
            f"{fmt(v['significant_quantity_kg'])} kg",
            "IAEA Safeguards Glossary (2022) §3.14",
        ),
        ("σMUF per balance", f"{fmt(v['sigma_muf_kg'])} kg", "verification.material_balance"),
        ("σMUF / SQ", fmt(v["sigma_muf_per_sq"]), "≤ 0.30 detects 1 SQ at α = β = 0.05"),
        (
            "Balance detects 1 SQ",
            prob(v["balance_detection_probability"]),
            "Φ(SQ/σMUF − z₁₋α)",
        ),
        (
            "Sample size for the goal",
            f"{v['sample_size']} (IAEA approximation {v['sample_size_iaea']}) "
            f"for {v['defects']} falsified items",
            "verification.sampling",
        ),
        (
            "Sampling detects 1 SQ",
            prob(v["sampling_detection_probability"]),
            "exact hypergeometric",
        ),
        (
            "Diversion of 1 SQ detected within the timeliness goal",
            prob(v["detection_probability_sq_within_goal"]),
            f"goal {fmt(v['timeliness_goal_months'])} month(s)",
        ),
        (
            "Undeclared site found within a year",
            f"{prob(v['undeclared_site_probability_1y'])} "
            f"({v['undeclared_site_probability_1y_low']:.2f}–"
            f"{v['undeclared_site_probability_1y_high']:.2f})",
            "verification.challenge_inspections_per_year, candidate_sites, cueing",
        ),
        (
            "Monthly detection probability used by the simulator",
            f"{v['monthly_detection_probability']:.3f} "
            f"(site {v['monthly_detection_undeclared_facility']:.3f}, "
            f"diversion {v['monthly_detection_diversion']:.3f})",
            "the lesser of the two routes",
        ),
    ]


def _lesson4_extra(s: Scenario, a: Assessment) -> dict[str, Any]:
    items = plots.end_state_items(a)
    f = a.lesson(4).figures
    status_label = {k: v[0] for k, v in plots.ITEM_STATUSES.items()}
    checklist = [(c["criterion"], c["met"], c["evidence"]) for c in f["checklist"]]
    return {
        "items": [
            {
                **i,
                "status_label": status_label[i["status"]],
                "covered_by": "; ".join(
                    f"{c['id']} ({c['kind']}, month {fmt(c['deadline_months'])}, "
                    f"{', '.join(c['verification']) or 'unverified'})"
                    for c in i["commitments"]
                )
                or "—",
            }
            for i in items
        ],
        "checklist": checklist,
    }


def _simulation_table(sim: Any) -> list[dict[str, Any]]:
    d = sim.to_dict()["strategies"]
    rows = []
    for name, r in d.items():
        o, se = r["outcomes"], r["standard_errors"]
        m = r["months_to_outcome"]
        rows.append(
            {
                "name": plots.STRATEGY_LABELS.get(name, name),
                "verified_cvid": prob(o["verified_cvid"], se["verified_cvid"])
                + (" (verified completion only: CVID unreachable)" if r["unreachable"] else ""),
                "exposed": prob(o["exposed"], se["exposed"]),
                "breakdown": prob(o["breakdown"], se["breakdown"]),
                "stalemate": prob(o["stalemate"], se["stalemate"]),
                "running": prob(o["running"], se["running"]),
                "months_to_cvid": "—"
                if not m.get("verified_cvid")
                else f"{fmt(m['verified_cvid']['p50'])} "
                f"({fmt(m['verified_cvid']['p10'])}–{fmt(m['verified_cvid']['p90'])})",
                "capability_sq": fmt(r["capability_significant_quantities"]["mean"]),
                "paid": prob(
                    r["concessions_paid"]["mean"], r["concessions_paid"]["standard_error"]
                ),
                "to_cheaters": prob(
                    r["concessions_to_cheaters"]["mean"],
                    r["concessions_to_cheaters"]["standard_error"],
                ),
                "detection": f"{r['detection_probability']:.3f}",
                "steps": len(r["steps"]),
            }
        )
    return rows


def _outcomes_by_type(sim: Any) -> list[dict[str, Any]]:
    """Each strategy's outcomes for each counterpart type the runs drew (the type is drawn
    from the scenario's prior in every run, so the shares of runs sum to one)."""
    rows = []
    for name, r in sim.to_dict()["strategies"].items():
        clan = r["clandestine_production"]
        for t, row in r["outcomes_by_type"].items():
            if row["share_of_runs"] == 0:
                continue
            sq = clan[t]["significant_quantities"]["mean"]
            rows.append(
                {
                    "strategy": plots.STRATEGY_LABELS.get(name, name),
                    "type": t,
                    "share": f"{row['share_of_runs']:.2f}",
                    "verified_cvid": prob(row["verified_cvid"]),
                    "exposed": prob(row["exposed"]),
                    "breakdown": prob(row["breakdown"]),
                    "stalemate": prob(row["stalemate"]),
                    "conflict": prob(row["conflict"]),
                    "secret_sq": "—" if sq is None else f"{sq:.2f}",
                }
            )
    return rows


def ledger_compliance(s: Scenario, ledger: str | Path, *, shared: bool = False) -> dict[str, Any]:
    """The full compliance state of ``s`` from the evidence on ``ledger`` (the shape of
    :meth:`cvid.compliance.ComplianceState.to_dict`) with the latest signed checkpoint;
    ``shared`` as in :func:`cvid.compliance.agreement_evidence`."""
    from cvid.compliance import agreement_evidence, agreement_id, evaluate
    from cvid.errors import CheckFailed
    from cvid.ledger import Ledger

    with Ledger.open(ledger) as led:
        evidence = agreement_evidence(led, agreement_id(s), source=str(ledger), shared=shared)
        try:
            checkpoint: str | None = led.checkpoint()
        except CheckFailed:
            checkpoint = None
    out = evaluate(s, evidence).to_dict()
    out["checkpoint"] = checkpoint
    return out


def _day(moment: Any) -> str | None:
    """The UTC date of an ISO moment (``2008-01-01T15:18:00Z`` → ``2008-01-01``): deadlines
    come from month arithmetic, whose clock time means nothing to a reader."""
    if moment is None or moment == "":
        return None
    return str(moment)[:10]


def _compliance(c: Mapping[str, Any]) -> dict[str, Any]:
    """The compliance block for the template, from the full state or from the short summary
    that :func:`cvid.assess.assess` keeps (``statuses`` instead of ``commitments``)."""
    counts = c.get("counts", {})
    commitments = list(c.get("commitments", []))
    if not commitments:
        commitments = [
            {
                "id": k,
                "status": v,
                "deadline": None,
                "claimed_on": None,
                "verified_on": None,
                "why": "",
            }
            for k, v in (c.get("statuses") or {}).items()
        ]
    commitments = [
        {**x, **{k: _day(x.get(k)) for k in ("deadline", "claimed_on", "verified_on")}}
        for x in commitments
    ]
    indicators = c.get("indicators")
    balance = indicators.get("balance", "") if isinstance(indicators, Mapping) else indicators
    return {
        "agreement": c.get("agreement", ""),
        "at": _day(c.get("at")) or "",
        "records": c.get("records", 0),
        "counts": [(k, v) for k, v in counts.items()],
        "commitments": commitments,
        "findings": [
            {**f, "on": _day(f.get("on"))}
            for f in c.get("findings", [])
            if f.get("severity") != "info"
        ],
        "timeline": [{**t, "on": _day(t.get("on"))} for t in c.get("timeline", [])],
        "balance": balance or "",
        "decision": list(indicators.get("decision", [])) if isinstance(indicators, Mapping) else [],
        "pretence": list(indicators.get("pretence", [])) if isinstance(indicators, Mapping) else [],
        "checkpoint": c.get("checkpoint"),
    }


def _walk_source(s: Scenario, key: str) -> str:
    """The ``source`` of the deepest block of the scenario that holds ``key``."""
    obj: Any = s
    found = ""
    for part in key.split("."):
        if not isinstance(obj, BaseModel):
            break
        src = getattr(obj, "source", "")
        if isinstance(src, str) and src:
            found = src
        names = {(f.alias or n): n for n, f in type(obj).model_fields.items()}
        if part not in names:
            break
        obj = getattr(obj, names[part])
    return found


def _assumptions(s: Scenario, a: Assessment) -> list[dict[str, Any]]:
    rows = []
    for key, asm in a.assumptions.items():
        rows.append(_assumption_row(s, key, asm))
    sim = a.simulation_result
    if sim is not None:
        for key, value, note in (
            ("simulation.runs", sim.runs, "Monte Carlo runs per strategy"),
            ("simulation.months", sim.months, "horizon of each run (months)"),
            ("simulation.seed", sim.seed, "numpy SeedSequence seed"),
            (
                "simulation.libya_model.challenge_inspections_per_year",
                LIBYA_MODEL_CHALLENGE_INSPECTIONS_PER_YEAR,
                "at least this many in the Libya-model variant's regime",
            ),
            (
                "simulation.libya_model.challenge_notice_hours",
                LIBYA_MODEL_NOTICE_HOURS,
                "at most this notice in the Libya-model variant's regime",
            ),
        ):
            rows.append(
                {
                    "key": key,
                    "value": fmt(value),
                    "default": "",
                    "changed": False,
                    "description": note,
                    "source": "cvid assess (cvid.assess.engine)",
                }
            )
    return rows


def _assumption_row(s: Scenario, key: str, asm: Assumption) -> dict[str, Any]:
    changed = asm.value != asm.default
    src = _walk_source(s, key) if changed else ""
    return {
        "key": key,
        "value": fmt(asm.value),
        "default": fmt(asm.default),
        "changed": changed,
        "description": asm.description,
        "source": src
        or ("set in the scenario file" if changed else "cvid default (cvid scenario schema)"),
    }


def scenario_digest(s: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: names the exact input the report came from."""
    text = s.model_dump_json(by_alias=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- building -------------------------------------------------------------------------------


def _environment() -> Environment:
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


def _nothing_to_find(s: Scenario, fd: FigureData) -> str | None:
    """Why a lesson-3 search curve is zero over its whole range (a flat line at zero says
    nothing a sentence cannot), or None when it shows something."""
    if max(fd.data["probability"], default=0.0) > 0.0:
        return None
    v, pr = s.verification, s.agreement.provisions
    what = {
        "lesson3-inspections": "at any number of challenge inspections",
        "lesson3-notice": "at any notice time",
        "lesson3-site-search": "over the whole search",
    }.get(fd.id, "everywhere")
    if pr.access in ("declared-sites-only", "none"):
        reason = (
            f"access is '{pr.access}' (agreement.provisions.access): inspectors can never "
            "enter an undeclared site"
        )
    elif v.challenge_inspections_per_year <= 0 and fd.id != "lesson3-inspections":
        reason = (
            "there are no challenge inspections (verification.challenge_inspections_per_year = 0)"
        )
    elif pr.access == "managed":
        c = v.concealment_time_hours
        reason = (
            f"managed access adds {plots.num(v.managed_access_delay_hours)} hours "
            "(verification.managed_access_delay_hours) to the notice, longer than the "
            f"{plots.num(c.low)}–{plots.num(c.high)} hours the state needs to hide its traces "
            "(verification.concealment_time_hours)"
        )
    else:
        reason = "no inspection route reaches the site under this regime"
    ntm = v.national_means_detection_per_month
    tail = (
        ""
        if fd.id != "lesson3-site-search" or ntm > 0
        else " and national technical means add nothing "
        "(verification.national_means_detection_per_month = 0)"
    )
    return (
        f"The chance of finding an undeclared site is zero {what}: {reason}{tail}. "
        f"{fd.title} would be a flat line at zero."
    )


def build_figures(s: Scenario, a: Assessment) -> tuple[dict[str, FigureData], dict[str, str]]:
    """The data of every figure the report can show for this assessment, and a note for each
    figure or section left out (by id) saying what input would produce it."""
    figures: dict[str, FigureData] = {}
    notes: dict[str, str] = {}
    figures["lesson1-timeline"] = plots.timeline_data(s, a)
    if s.agreement.concessions:
        figures["lesson2-concessions"] = plots.concessions_data(s, a)
    else:
        notes["lesson2-concessions"] = (
            "No concessions in the agreement, so there is nothing to plot against the verified "
            "milestones; add [[agreement.concessions]] to see them."
        )
    figures["lesson3-sample-size"] = plots.sample_size_data(s)
    for fd in (plots.inspections_data(s), plots.notice_data(s), plots.site_search_data(s)):
        why = _nothing_to_find(s, fd)
        if why is None:
            figures[fd.id] = fd
        else:
            notes[fd.id] = why
    sig = plots.sigma_muf_data(s)
    if sig.data["sigma_muf_kg"] > 0:
        figures["lesson3-sigma-muf"] = sig
    else:
        notes["lesson3-sigma-muf"] = (
            "σMUF is zero (no measurement error or no material in "
            "verification.material_balance); give inventory, throughput and error RSDs to "
            "plot the balance test."
        )
    if plots.end_state_items(a):
        figures["lesson4-end-state"] = plots.end_state_data(a)
    else:
        notes["lesson4-end-state"] = (
            "The program lists no nuclear item in CVID's scope; add facilities, materials, "
            "weapons or missiles to [program] to see the end state item by item."
        )
    sim = a.simulation_result
    if sim is not None:
        figures["simulation-outcomes"] = plots.outcomes_data(sim)
        figures["simulation-capability"] = plots.capability_data(sim)
        figures["simulation-concessions"] = plots.concessions_paid_data(sim)
    return figures, notes


def render_html(
    scenario: Scenario,
    assessment: Assessment,
    *,
    compliance: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """Render the report of ``assessment`` (made from ``scenario``) as one HTML page.

    ``compliance`` (see :func:`ledger_compliance`) adds the compliance timeline and the
    latest checkpoint; without it the section shows ``assessment.compliance`` if present."""
    s, a = scenario, assessment
    comp = compliance if compliance is not None else a.compliance
    figures, notes = build_figures(s, a)
    if comp is not None:
        timeline = plots.compliance_data(s, comp)
        if timeline is not None:
            figures["compliance-timeline"] = timeline
        else:
            notes["compliance-timeline"] = (
                "The compliance timeline needs the full compliance state (build_report with "
                "ledger=...) and the agreement's start date (agreement.start)."
            )
    blocks = {fid: _figure_block(fd) for fid, fd in figures.items()}
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
    context: dict[str, Any] = {
        "sc": a.scenario,
        "meta": s.meta,
        "program": s.program,
        "agreement": s.agreement,
        "overall": a.overall,
        "lessons": {i: _lesson(a, i) for i in (1, 2, 3, 4)},
        "headlines": _headlines(s, a),
        "figures": blocks,
        "notes": notes,
        "omitted": omitted,
        "sections": sections,
        "section_titles": SECTIONS,
        "lesson1": _lesson1_extra(s, a),
        "lesson2_rows": [] if lesson2_fd is None else _lesson2_rows(lesson2_fd),
        "lesson2_figures": a.lesson(2).figures,
        "lesson3_table": _lesson3_table(a),
        "lesson4": _lesson4_extra(s, a),
        "sim": sim,
        "sim_table": [] if sim is None else _simulation_table(sim),
        "sim_by_type": [] if sim is None else _outcomes_by_type(sim),
        "sim_explanation": "" if sim is None else explain_simulation(sim),
        "compliance": None if comp is None else _compliance(comp),
        "assumptions": _assumptions(s, a),
        "version": a.version or cvid.__version__,
        "digest": scenario_digest(s),
        "generated": when,
        "reproduce": _reproduce_command(a),
        "palette": plots.OKABE_ITO,
    }
    html = _environment().get_template("report.html.j2").render(**context)
    return Report(html=html, figures=figures, sections=tuple(sections), omitted=omitted)


def _reproduce_command(a: Assessment) -> str:
    src = a.scenario.get("file") or a.scenario.get("name")
    cmd = f"cvid assess {src} --report report.html"
    sim = a.simulation_result
    if sim is None:
        return cmd + " --no-simulate"
    return cmd + f" --runs {sim.runs} --months {sim.months} --seed {sim.seed}"


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
