"""The report's lesson sections and summary tiles, from the lesson results: the data the
template shows, formatted, and nothing re-derived."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from cvid.assess.figures import FigureData, end_state_items, strategy_label
from cvid.assess.report.format import fmt, prob
from cvid.assess.result import Assessment, Finding
from cvid.scenario import Scenario

_SEVERITY_ORDER = {"fail": 0, "warn": 1, "info": 2}


def _findings(findings: Sequence[Finding]) -> list[dict[str, str]]:
    ordered = sorted(findings, key=lambda f: _SEVERITY_ORDER[f.severity])
    return [f.to_dict() for f in ordered]


def lesson_section(a: Assessment, lesson_id: int) -> dict[str, Any]:
    lesson = a.lesson(lesson_id)
    return {
        "id": lesson.id,
        "title": lesson.title,
        "grade": lesson.grade,
        "summary": lesson.summary,
        "findings": _findings(lesson.findings),
    }


def headlines(s: Scenario, a: Assessment) -> list[dict[str, str]]:
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
    items = end_state_items(a)
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
                    "label": f"{what} · {strategy_label(name)}",
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


def lesson1_extra(s: Scenario, a: Assessment) -> dict[str, Any]:
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


def lesson2_rows(fd: FigureData) -> list[dict[str, Any]]:
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


def lesson3_table(a: Assessment) -> list[tuple[str, str, str]]:
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
