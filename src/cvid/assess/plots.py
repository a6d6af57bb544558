"""The report's figures: the data behind each plot, and the plot drawn as accessible inline SVG.

Each figure is built in two steps. A pure function turns the scenario, the assessment, the
curves of :mod:`cvid.verify` or a :class:`cvid.negotiate.SimulationResult` into a
:class:`FigureData` (JSON-ready numbers, the scenario fields they depend on and the source of
the formula). :func:`render_svg` then draws it with matplotlib into an SVG string with a
``<title>``, a ``<desc>`` and ``role="img"``, axis labels with units and the colour-blind-safe
Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"). Tests check the data, not the
pixels.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, cast

import numpy as np
from scipy.stats import norm

from cvid.assess.result import Assessment
from cvid.scenario import IRREVERSIBLE_KINDS, REVERSIBLE_KINDS, Scenario
from cvid.verify import (
    curve_detection_vs_inspections,
    curve_detection_vs_notice,
    curve_detection_vs_sample_size,
    curve_site_detection_vs_months,
    lesson3_figures,
)

#: Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
_C = OKABE_ITO
GREY = "#8C8C8C"

#: Commitment kinds grouped for the timeline, with the colour of each group.
COMMITMENT_GROUPS: dict[str, tuple[str, str]] = {
    "act": ("declaration, access or disclosure", _C["blue"]),
    "reversible": ("freeze or disable (reversible)", _C["orange"]),
    "irreversible": ("dismantle, remove or destroy (irreversible)", _C["bluish_green"]),
}

#: Names of the simulated strategies in the report.
STRATEGY_LABELS: dict[str, str] = {
    "agreement": "this agreement (its own regime)",
    "libya-model": "Libya model (Libya-model regime)",
}
_STRATEGY_STYLE: dict[str, tuple[str, str]] = {
    "agreement": (_C["blue"], "-"),
    "libya-model": (_C["orange"], "--"),
}
_EXTRA_STYLES: tuple[tuple[str, str], ...] = (
    (_C["bluish_green"], "-."),
    (_C["reddish_purple"], ":"),
    (_C["sky_blue"], "-"),
    (_C["vermillion"], "--"),
)

OUTCOME_LABELS: dict[str, str] = {
    "verified_cvid": "verified CVID",
    "breakdown": "breakdown (cheating detected)",
    "stalemate": "stalemate (talks collapse)",
    "running": "still running",
}

#: End-state status of a program item (lesson 4), with its colour and hatch.
ITEM_STATUSES: dict[str, tuple[str, str, str]] = {
    "irreversible-verified": ("dismantled/removed/destroyed, verified", _C["bluish_green"], ""),
    "irreversible-unverified": ("dismantled/removed/destroyed, unverified", _C["sky_blue"], "//"),
    "reversible-only": ("only frozen, declared or inspected", _C["orange"], "\\\\"),
    "not-covered": ("not covered by any commitment", _C["vermillion"], "xx"),
    "until-found": ("undeclared: covered only once declared or found", _C["reddish_purple"], ".."),
}


def num(x: float, digits: int = 6) -> str:
    """``x`` with at most ``digits`` significant digits and never in scientific notation
    (``1e-05`` reads as a typo to most readers of a report): ``0.0000123``, ``1230000``."""
    x = float(x)
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return str(
        np.format_float_positional(x, precision=digits, unique=False, fractional=False, trim="-")
    )


@dataclass(frozen=True)
class FigureData:
    """One figure: its numbers and what they come from.

    ``data`` is JSON-ready (the golden tests compare it); ``inputs`` names the scenario fields
    the figure depends on, with their values; ``source`` names the formula's source.
    """

    id: str
    title: str
    description: str
    xlabel: str
    ylabel: str
    data: Mapping[str, Any]
    inputs: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "xlabel": self.xlabel,
            "ylabel": self.ylabel,
            "data": dict(self.data),
            "inputs": dict(self.inputs),
            "source": self.source,
        }


def _floats(a: Any) -> list[float]:
    return [float(x) for x in np.asarray(a, dtype=np.float64)]


def _pct(p: float) -> str:
    return f"{100.0 * p:.0f} %"


# --- lesson 1: the schedule ---------------------------------------------------------------


def commitment_group(kind: str) -> str:
    """``irreversible``, ``reversible`` or ``act`` (declare, grant access, disclose, verify)."""
    if kind in IRREVERSIBLE_KINDS:
        return "irreversible"
    if kind in REVERSIBLE_KINDS:
        return "reversible"
    return "act"


def timeline_data(s: Scenario, a: Assessment) -> FigureData:
    """The agreement's commitments as windows (from their prerequisites to their deadline),
    with verification points, against the Libya benchmark (lesson 1)."""
    ag = s.agreement
    l1 = a.lesson(1).figures
    months = {c.id: c.deadline_months for c in ag.commitments}
    months.update({k.id: k.month for k in ag.concessions})
    rows = []
    for i, c in enumerate(ag.commitments):
        start = max((months[d] for d in c.after if d in months), default=0.0)
        rows.append(
            {
                "id": c.id,
                "index": i,
                "kind": c.kind,
                "group": commitment_group(c.kind),
                "start_month": float(min(start, c.deadline_months)),
                "deadline_month": float(c.deadline_months),
                "verification": list(c.verification),
                "verified": bool(c.verification),
            }
        )
    rows.sort(key=lambda r: (r["deadline_month"], r["index"]))
    bench = float(s.thresholds.libya_benchmark_months)
    completion = l1.get("verified_completion_months")
    first = float(cast(float, rows[0]["deadline_month"])) if rows else None
    n_verified = sum(1 for r in rows if r["verified"])
    desc = (
        f"Timeline of {len(rows)} commitments over {num(ag.duration_months)} months; "
        f"{n_verified} have a verification point. "
        + (
            f"Verified completion at month {num(completion)}, "
            f"{completion / bench:.1f} times the Libya benchmark of {num(bench)} months. "
            if completion is not None
            else "No verified completion is ever reached. "
        )
        + (
            "Due first: "
            + ", ".join(f"{r['id']} ({r['kind']})" for r in rows if r["deadline_month"] == first)
            + f" at month {num(first)}."
            if first is not None
            else ""
        )
    )
    return FigureData(
        id="lesson1-timeline",
        title="Schedule of commitments against the Libya benchmark",
        description=desc,
        xlabel="months after the agreement starts",
        ylabel="commitment",
        data={
            "commitments": rows,
            "libya_benchmark_months": bench,
            "verified_completion_months": completion,
            "first_milestone_months": float(s.thresholds.first_milestone_months),
            "duration_months": float(ag.duration_months),
        },
        inputs={
            "agreement.commitments[].deadline_months": "per commitment",
            "agreement.commitments[].verification": "per commitment",
            "thresholds.libya_benchmark_months": bench,
            "thresholds.first_milestone_months": s.thresholds.first_milestone_months,
        },
        source="Libya benchmark: announcement 2003-12-19 to last nuclear shipment 2004-03-06 "
        "(IAEA GOV/2004/33).",
    )


# --- lesson 2: concessions against verified milestones -----------------------------------


def _step_share(events: Sequence[float], total: float, grid: np.ndarray) -> list[float]:
    ev = np.sort(np.asarray(events, dtype=np.float64))
    if total <= 0:
        return [0.0] * len(grid)
    return _floats(np.searchsorted(ev, grid, side="right") / total)


def _release_reason(
    early: bool, release_on: str, reqs: Sequence[Any], month: float, verified_at: float | None
) -> str:
    """Why a concession is marked early (or that it waits), in a few words."""
    if not early:
        return "after its steps are verified"
    if not reqs:
        return "early: tied to no verified step"
    if verified_at is None:
        return "early: pays for a step that can never be verified"
    if release_on == "statement":
        return "early: released on a statement"
    if release_on == "declared":
        return "early: released on declared (unverified) steps"
    if release_on == "schedule":
        return "early: released by the calendar"
    if month < verified_at:
        return "early: before its steps are due and verified"
    return "early"


def concessions_data(s: Scenario, a: Assessment) -> FigureData:
    """Each concession's release month against the month the steps it pays for are verified
    at the earliest (their deadline), and the shares released and verified over time."""
    ag = s.agreement
    early = set(a.lesson(2).figures.get("early_concessions", []))
    by_id = {c.id: c for c in ag.commitments}
    rows: list[dict[str, Any]] = []
    for k in ag.concessions:
        reqs = [by_id[r] for r in k.requires if r in by_id]
        verifiable = bool(reqs) and all(c.verification for c in reqs)
        verified_at = max(c.deadline_months for c in reqs) if verifiable else None
        v = k.value_musd
        rows.append(
            {
                "id": k.id,
                "kind": k.kind,
                "month": float(k.month),
                "release_on": k.release_on,
                "requires": list(k.requires),
                "verified_month": None if verified_at is None else float(verified_at),
                "early": k.id in early,
                "why": _release_reason(k.id in early, k.release_on, reqs, k.month, verified_at),
                "value_musd": None
                if v is None
                else {"low": float(v.low), "central": float(v.central), "high": float(v.high)},
            }
        )
    horizon = max(
        [float(ag.duration_months)]
        + [r["month"] for r in rows]
        + [c.deadline_months for c in ag.commitments]
    )
    verified_months = [c.deadline_months for c in ag.commitments if c.verification]
    # The step curves change only at a release or a verified milestone: the grid is those
    # exact months (never rounded to whole months, which drew steps up to a month late).
    grid = np.array(
        sorted({0.0, float(horizon), *(r["month"] for r in rows), *map(float, verified_months)})
    )
    valued = [r for r in rows if r["value_musd"] is not None]
    total_value = sum(r["value_musd"]["central"] for r in valued)
    value_share: list[float] | None = None
    if valued and total_value > 0:
        value_share = []
        for t in grid:
            got = sum(r["value_musd"]["central"] for r in valued if r["month"] <= t)
            value_share.append(float(got / total_value))
    n_early = sum(1 for r in rows if r["early"])
    desc = (
        f"{len(rows)} concessions; {n_early} released before the steps they pay for are "
        "verified"
        + (" (" + ", ".join(r["id"] for r in rows if r["early"]) + ")." if n_early else ".")
        + f" {len(verified_months)} of {len(ag.commitments)} commitments can ever be verified."
    )
    return FigureData(
        id="lesson2-concessions",
        title="Concessions over time against verified milestones",
        description=desc,
        xlabel="months after the agreement starts",
        ylabel="concession / share released or verified",
        data={
            "concessions": rows,
            "months": _floats(grid),
            "share_concessions_released": _step_share([r["month"] for r in rows], len(rows), grid),
            "share_value_released": value_share,
            "share_commitments_verified": _step_share(verified_months, len(ag.commitments), grid),
            "verified_milestones": sorted(float(m) for m in verified_months),
        },
        inputs={
            "agreement.concessions[].month": "per concession",
            "agreement.concessions[].requires": "per concession",
            "agreement.concessions[].release_on": "per concession",
            "agreement.commitments[].verification": "per commitment",
        },
        source="A step counts as verified at its deadline at the earliest, and only if the "
        "agreement gives it a means of verification (lesson 2).",
    )


# --- lesson 3: verification curves from cvid.verify ---------------------------------------


def sample_size_data(s: Scenario) -> FigureData:
    """Exact hypergeometric detection probability of one SQ against the sample size."""
    v = lesson3_figures(s)
    plan = s.verification.sampling
    n, p = curve_detection_vs_sample_size(s)
    return FigureData(
        id="lesson3-sample-size",
        title="Attribute sampling: detection probability against sample size",
        description=(
            f"Probability that a random sample of n of {plan.items} items contains at least one "
            f"of the {v.defects} falsified items needed to hide one significant quantity "
            f"({num(v.significant_quantity_kg)} kg {v.material}). The goal "
            f"{plan.detection_goal:.2f} needs n = {v.sample_size} items."
        ),
        xlabel="sample size n (items)",
        ylabel="detection probability",
        data={
            "n": _floats(n),
            "detection_probability": _floats(p),
            "items": plan.items,
            "defects": v.defects,
            "sample_size": v.sample_size,
            "sample_size_iaea": v.sample_size_iaea,
            "detection_goal": float(plan.detection_goal),
        },
        inputs={
            "verification.sampling.items": plan.items,
            "verification.sampling.item_content_kg": plan.item_content_kg,
            "verification.sampling.detection_goal": plan.detection_goal,
            "significant_quantity_kg": v.significant_quantity_kg,
        },
        source="Exact hypergeometric non-detection (Avenhaus & Canty 1996, ch. 2).",
    )


def inspections_data(s: Scenario) -> FigureData:
    """Probability of finding an undeclared site within a year against challenge inspections."""
    x, y = curve_detection_vs_inspections(s)
    now = float(s.verification.challenge_inspections_per_year)
    at_now = float(curve_detection_vs_inspections(s, [now])[1][0])
    return FigureData(
        id="lesson3-inspections",
        title="Undeclared site found within a year against challenge inspections",
        description=(
            f"With {num(now)} challenge inspections a year the undeclared site is found within a "
            f"year with probability {at_now:.2f}; the curve shows 0 to {num(x[-1])} a year."
        ),
        xlabel="challenge inspections per year",
        ylabel="probability of finding the site within 12 months",
        data={
            "inspections_per_year": _floats(x),
            "probability": _floats(y),
            "current": now,
            "probability_at_current": at_now,
        },
        inputs={
            "verification.challenge_inspections_per_year": now,
            "verification.candidate_sites": s.verification.candidate_sites,
            "verification.intelligence_cueing": s.verification.intelligence_cueing,
            "agreement.provisions.access": s.agreement.provisions.access,
        },
        source="cvid.verify.search: Poisson inspections, cueing and evidence that survives "
        "the notice period.",
    )


def notice_data(s: Scenario) -> FigureData:
    """Probability of finding an undeclared site within a year against the notice given."""
    x, y = curve_detection_vs_notice(s)
    now = float(s.agreement.provisions.challenge_notice_hours)
    at_now = float(curve_detection_vs_notice(s, [now])[1][0])
    c = s.verification.concealment_time_hours
    return FigureData(
        id="lesson3-notice",
        title="Undeclared site found within a year against notice time",
        description=(
            f"With {num(now)} hours' notice the site is found within a year with probability "
            f"{at_now:.2f}. The state needs {num(c.low)}–{num(c.high)} hours to hide its "
            "traces, so longer notice lets evidence vanish."
        ),
        xlabel="notice before a challenge inspection (hours)",
        ylabel="probability of finding the site within 12 months",
        data={
            "notice_hours": _floats(x),
            "probability": _floats(y),
            "current": now,
            "probability_at_current": at_now,
            "concealment_hours": [float(c.low), float(c.high)],
        },
        inputs={
            "agreement.provisions.challenge_notice_hours": now,
            "verification.concealment_time_hours": str(c),
            "verification.challenge_inspections_per_year": (
                s.verification.challenge_inspections_per_year
            ),
        },
        source="cvid.verify.search: evidence survives the notice period with the concealment-"
        "time distribution.",
    )


def site_search_data(s: Scenario) -> FigureData:
    """Probability of finding an undeclared site within T months, with the concealment range."""
    t, mid, lo, hi = curve_site_detection_vs_months(s)
    p12 = float(np.interp(12.0, t, mid))
    return FigureData(
        id="lesson3-site-search",
        title="Probability of finding an undeclared site over time",
        description=(
            f"Cumulative probability of finding an undeclared facility: {p12:.2f} within 12 "
            f"months and {float(mid[-1]):.2f} within {num(t[-1])} months; the band spans the "
            "concealment-time range."
        ),
        xlabel="months of search",
        ylabel="probability the site is found",
        data={
            "months": _floats(t),
            "probability": _floats(mid),
            "low": _floats(lo),
            "high": _floats(hi),
        },
        inputs={
            "verification.challenge_inspections_per_year": (
                s.verification.challenge_inspections_per_year
            ),
            "verification.candidate_sites": s.verification.candidate_sites,
            "verification.national_means_detection_per_month": (
                s.verification.national_means_detection_per_month
            ),
        },
        source="cvid.verify.search (Poisson challenge inspections; national technical means "
        "added as an independent monthly chance).",
    )


def sigma_muf_data(s: Scenario) -> FigureData:
    """MUF under no diversion, N(0, σMUF), and under the diversion of one SQ, N(SQ, σMUF),
    with the alarm threshold z_{1−α}·σMUF (Avenhaus & Canty 1996, eq. 3.22)."""
    v = lesson3_figures(s)
    mb = s.verification.material_balance
    sig, sq, alpha = v.sigma_muf_kg, v.significant_quantity_kg, mb.false_alarm_probability
    threshold = float(norm.ppf(1.0 - alpha) * sig) if 0.0 < alpha < 1.0 else 0.0
    width = max(4.0 * sig, 0.05 * sq)
    x = np.linspace(-width, sq + width, 241)
    h0 = norm.pdf(x, 0.0, sig) if sig > 0 else np.zeros_like(x)
    h1 = norm.pdf(x, sq, sig) if sig > 0 else np.zeros_like(x)
    limit = sq / (2.0 * float(norm.ppf(0.95)))
    return FigureData(
        id="lesson3-sigma-muf",
        title="Material balance: σMUF against one significant quantity",
        description=(
            f"σMUF is {num(sig, 3)} kg, {v.sigma_muf_per_sq:.3f} of a significant quantity "
            f"({num(sq)} kg {v.material}). With a false-alarm probability of {num(alpha)} the "
            f"alarm threshold is {num(threshold, 3)} kg and a one-SQ loss is detected with "
            f"probability {v.balance_detection_probability:.3f} at a balance. σMUF up to "
            f"{num(limit, 3)} kg would still detect one SQ with α = β = 0.05."
        ),
        xlabel=f"material unaccounted for, MUF (kg {v.material})",
        ylabel="probability density (1/kg)",
        data={
            "sigma_muf_kg": sig,
            "significant_quantity_kg": sq,
            "false_alarm_probability": float(alpha),
            "threshold_kg": threshold,
            "detection_probability": v.balance_detection_probability,
            "sigma_muf_limit_kg": limit,
            "muf_kg": _floats(x),
            "density_no_diversion": _floats(h0),
            "density_one_sq_diverted": _floats(h1),
        },
        inputs={
            "verification.material_balance.inventory_kg": mb.inventory_kg,
            "verification.material_balance.throughput_kg_per_period": (mb.throughput_kg_per_period),
            "verification.material_balance.random_rsd": mb.random_rsd,
            "verification.material_balance.systematic_rsd": mb.systematic_rsd,
            "verification.material_balance.false_alarm_probability": alpha,
        },
        source="σMUF by error propagation; P_D = Φ(SQ/σMUF − z₁₋α) (Avenhaus & Canty 1996, "
        "eq. 3.22).",
    )


# --- lesson 4: the end state item by item -------------------------------------------------


def end_state_items(a: Assessment) -> list[dict[str, Any]]:
    """Every nuclear item in the scope of CVID with the commitments that cover it and its
    status (see :data:`ITEM_STATUSES`), as lesson 4 found them (:mod:`cvid.assess.scope`)."""
    items: list[dict[str, Any]] = a.lesson(4).figures["items"]
    return items


def end_state_data(a: Assessment) -> FigureData:
    """Items in scope per category, stacked by how far the agreement takes them."""
    items = end_state_items(a)
    cats = ["facility", "material", "weapons", "missile"]
    counts: dict[str, list[int]] = {
        st: [sum(1 for i in items if i["category"] == c and i["status"] == st) for c in cats]
        for st in ITEM_STATUSES
    }
    done = sum(counts["irreversible-verified"])
    rest = [
        f"{sum(counts[st])} {ITEM_STATUSES[st][0]}"
        for st in ITEM_STATUSES
        if st != "irreversible-verified" and sum(counts[st]) > 0
    ]
    return FigureData(
        id="lesson4-end-state",
        title="End state against CVID, by kind of item",
        description=(
            f"{done} of {len(items)} nuclear items are dismantled, removed or destroyed under "
            "verification" + ("; " + "; ".join(rest) if rest else "") + "."
        ),
        xlabel="items (count)",
        ylabel="kind of item",
        data={"categories": cats, "counts": counts, "items": len(items)},
        inputs={"program": "facilities, materials, weapons, missiles", "agreement.commitments": ""},
        source="Scope and coverage from lesson 4 (cvid.assess.scope).",
    )


# --- the simulation -----------------------------------------------------------------------


def _strategy_label(name: str) -> str:
    return STRATEGY_LABELS.get(name, name)


def _strategy_style(name: str, i: int) -> tuple[str, str]:
    return _STRATEGY_STYLE.get(name, _EXTRA_STYLES[i % len(_EXTRA_STYLES)])


def outcomes_data(sim: Any) -> FigureData:
    """Probability of each outcome by month, per strategy, with Monte Carlo standard errors."""
    months = list(range(sim.months + 1))
    strategies: dict[str, Any] = {}
    outcomes = [o for o in OUTCOME_LABELS if o != "running"]
    measures: dict[str, str] = {}
    for name, r in sim.strategies.items():
        strategies[name] = {}
        for o in outcomes:
            measure, p = r.series(o)
            measures[o] = measure
            strategies[name][o] = {
                "measure": measure,
                "probability": _floats(p),
                "standard_error": _floats(np.sqrt(p * (1 - p) / r.runs)),
            }
    final = "; ".join(
        f"{_strategy_label(n)}: "
        + ", ".join(
            f"{OUTCOME_LABELS[o]} {v[o]['probability'][-1]:.2f}" for o in ("verified_cvid",)
        )
        + f", breakdown {v['breakdown']['probability'][-1]:.2f}"
        + f", stalemate {v['stalemate']['probability'][-1]:.2f}"
        for n, v in strategies.items()
    )
    return FigureData(
        id="simulation-outcomes",
        title="Simulated outcomes over time",
        description=(
            f"Probability of each outcome by month over {sim.runs:,} runs per strategy, "
            f"seed {sim.seed}: verified CVID and breakdown as reached by month t (a run "
            "that broke down may later come back to talks), stalemate as the state at "
            f"month t (talks may resume). At month {sim.months}: {final}."
        ),
        xlabel="months after the agreement starts",
        ylabel="probability",
        data={
            "months": months,
            "runs": sim.runs,
            "seed": sim.seed,
            "strategies": strategies,
            "measures": measures,
        },
        inputs={"runs": sim.runs, "months": sim.months, "seed": sim.seed},
        source="cvid.negotiate.simulate; standard error √(p(1 − p)/runs).",
    )


def capability_data(sim: Any) -> FigureData:
    """Capability (kg of direct-use material) at the horizon and at its peak: p10–p90,
    median and mean per strategy."""
    d = sim.to_dict()["strategies"]
    rows = {}
    for name, r in d.items():
        ck = r["capability_kg"]
        rows[name] = {
            "end": {k: ck["end"].get(k) for k in ("p10", "p50", "p90", "mean")},
            "peak": {k: ck["peak"].get(k) for k in ("p10", "p50", "p90", "mean")},
            "end_significant_quantities": {
                k: r["capability_significant_quantities"].get(k)
                for k in ("p10", "p50", "p90", "mean")
            },
        }
    desc = "; ".join(
        f"{_strategy_label(n)}: at month {sim.months} median {num(v['end']['p50'], 3)} kg "
        f"(p10–p90 {num(v['end']['p10'], 3)}–{num(v['end']['p90'], 3)} kg), mean "
        f"{num(v['end_significant_quantities']['mean'], 2)} significant quantities"
        for n, v in rows.items()
    )
    return FigureData(
        id="simulation-capability",
        title="Capability at the horizon and at its peak",
        description=f"Distribution of direct-use material the state holds. {desc}.",
        xlabel="direct-use material (kg; HEU as kg U-235)",
        ylabel="strategy",
        data={"months": sim.months, "strategies": rows},
        inputs={"runs": sim.runs, "months": sim.months, "seed": sim.seed},
        source="cvid.negotiate.simulate (quantiles from a 1024-bin histogram).",
    )


def concessions_paid_data(sim: Any) -> FigureData:
    """Share of the concession package paid, overall and to counterparts that cheat."""
    d = sim.to_dict()["strategies"]
    rows = {
        name: {
            "paid_mean": r["concessions_paid"]["mean"],
            "paid_standard_error": r["concessions_paid"]["standard_error"],
            "to_cheaters_mean": r["concessions_to_cheaters"]["mean"],
            "to_cheaters_standard_error": r["concessions_to_cheaters"]["standard_error"],
            "to_cheaters_probability_any": r["concessions_to_cheaters"]["probability_any"],
        }
        for name, r in d.items()
    }
    desc = "; ".join(
        f"{_strategy_label(n)}: {v['paid_mean']:.2f} of the package paid on average, "
        f"{v['to_cheaters_mean']:.2f} to a state that cheats (some paid in "
        f"{_pct(v['to_cheaters_probability_any'])} of runs)"
        for n, v in rows.items()
    )
    return FigureData(
        id="simulation-concessions",
        title="Concessions paid, and paid to cheaters",
        description=desc + ".",
        xlabel="share of the concession package (0–1)",
        ylabel="strategy",
        data={"strategies": rows},
        inputs={"runs": sim.runs, "months": sim.months, "seed": sim.seed},
        source="cvid.negotiate.simulate; ±2 standard errors shown.",
    )


# --- compliance from the ledger -----------------------------------------------------------

#: Compliance statuses (cvid.compliance) with their colour and hatch.
COMPLIANCE_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("#C8C8C8", ""),
    "claimed": (_C["orange"], "//"),
    "verified": (_C["bluish_green"], ""),
    "overdue": (_C["reddish_purple"], "xx"),
    "violated": (_C["vermillion"], ""),
}
_DAYS_PER_MONTH = 365.25 / 12


def _month_of(iso: str, start: Any) -> float:
    from datetime import UTC, datetime

    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return float((when - start).total_seconds()) / 86400.0 / _DAYS_PER_MONTH


def compliance_data(s: Scenario, compliance: Mapping[str, Any]) -> FigureData | None:
    """Each commitment's status over time, from the ledger's evidence (the ``timeline`` of
    :meth:`cvid.compliance.ComplianceState.to_dict`), against its deadline; None without a
    timeline or an agreement start date."""
    from datetime import UTC, datetime

    changes = compliance.get("timeline") or []
    if s.agreement.start is None or not compliance.get("commitments"):
        return None
    start = datetime(
        s.agreement.start.year, s.agreement.start.month, s.agreement.start.day, tzinfo=UTC
    )
    deadlines = {c.id: float(c.deadline_months) for c in s.agreement.commitments}
    last_change = max((_month_of(ch["on"], start) for ch in changes), default=0.0)
    # The evidence runs on after the last status change (access denied in 2008 and 2009 in the
    # Six-Party case): the axis reaches the last dated finding too.
    last_finding = max(
        (_month_of(f["on"], start) for f in compliance.get("findings") or [] if f.get("on")),
        default=0.0,
    )
    end = max([last_change, last_finding, *deadlines.values()]) * 1.1 + 1.0
    rows = []
    for c in compliance["commitments"]:
        mine = sorted(
            (ch for ch in changes if ch["commitment"] == c["id"]),
            key=lambda ch: ch["on"],
        )
        segments: list[dict[str, Any]] = []
        status, since = "pending", 0.0
        for ch in mine:
            at = max(0.0, _month_of(ch["on"], start))
            if at > since:
                segments.append({"status": status, "start": since, "end": at})
            status, since = ch["to"], at
        segments.append({"status": status, "start": since, "end": end})
        rows.append(
            {
                "id": c["id"],
                "status": c["status"],
                "deadline_month": deadlines.get(c["id"]),
                "segments": segments,
            }
        )
    counts = compliance.get("counts", {})
    return FigureData(
        id="compliance-timeline",
        title="Compliance timeline from the evidence ledger",
        description=(
            f"Status of {len(rows)} commitments over time from {compliance.get('records', 0)} "
            "signed evidence records: "
            + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
            + f" as of {str(compliance.get('at', ''))[:10]} (UTC)."
        ),
        xlabel="months after the agreement starts",
        ylabel="commitment",
        data={"commitments": rows, "end_month": end},
        inputs={
            "ledger records": compliance.get("records", 0),
            "as of": str(compliance.get("at", ""))[:10],
        },
        source="cvid.compliance.evaluate: statuses derived from evidence only.",
    )


# --- drawing --------------------------------------------------------------------------------

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cvid-report",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
}


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _draw_timeline(fd: FigureData) -> Any:
    d = fd.data
    rows = d["commitments"]
    fig = _figure(7.5, max(2.4, 0.34 * len(rows) + 1.3))
    ax = fig.subplots()
    bench = d["libya_benchmark_months"]
    ax.axvspan(0, bench, color=GREY, alpha=0.18, lw=0)
    ax.text(
        bench,
        -0.75,
        f" Libya benchmark: {num(bench)} months",
        va="bottom",
        ha="left",
        fontsize=8,
        color="#404040",
    )
    ys = np.arange(len(rows))
    for y, r in zip(ys, rows, strict=True):
        _, colour = COMMITMENT_GROUPS[r["group"]]
        width = max(r["deadline_month"] - r["start_month"], 0.15)
        ax.barh(
            y,
            width,
            left=r["start_month"],
            height=0.55,
            color=colour if r["verified"] else "white",
            edgecolor=colour,
            hatch="" if r["verified"] else "///",
            lw=1.2,
        )
        ax.plot(
            [r["deadline_month"]],
            [y],
            marker="D" if r["verified"] else "o",
            ms=6,
            mfc="black" if r["verified"] else "white",
            mec="black",
            lw=0,
        )
        label = ", ".join(r["verification"]) if r["verified"] else "no verification"
        ax.annotate(
            label,
            (r["deadline_month"], y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color="#333333",
        )
    done = d["verified_completion_months"]
    if done is not None:
        ax.axvline(done, color=_C["vermillion"], ls="--", lw=1.2)
    ax.set_yticks(ys, [r["id"] for r in rows])
    ax.invert_yaxis()
    right = max([d["duration_months"], *[r["deadline_month"] for r in rows]]) * 1.3 + 1
    ax.set_xlim(0, right)
    ax.set_ylim(len(rows) - 0.4, -1.0)
    ax.set_xlabel(fd.xlabel)
    ax.set_title(fd.title, loc="left")
    ax.grid(axis="y", visible=False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(facecolor=c, edgecolor=c, label=lbl) for lbl, c in COMMITMENT_GROUPS.values()
    ]
    handles += [
        Patch(facecolor="white", edgecolor="#333333", hatch="///", label="no verification"),
        Line2D([], [], marker="D", color="black", lw=0, label="verification point"),
        Patch(facecolor=GREY, alpha=0.3, label="Libya 2003–04 benchmark"),
    ]
    if done is not None:
        handles.append(Line2D([], [], color=_C["vermillion"], ls="--", label="verified completion"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    return fig


def _draw_concessions(fd: FigureData) -> Any:
    d = fd.data
    rows = d["concessions"]
    fig = _figure(7.5, max(3.6, 0.32 * len(rows) + 3.0))
    top, bottom = fig.subplots(
        2, 1, sharex=True, height_ratios=[max(len(rows), 1), 3.2] if rows else [1, 3]
    )
    for y, r in enumerate(rows):
        colour = _C["vermillion"] if r["early"] else _C["bluish_green"]
        if r["verified_month"] is not None and r["verified_month"] != r["month"]:
            top.plot([r["month"], r["verified_month"]], [y, y], color=colour, lw=1.5, alpha=0.7)
        if r["verified_month"] is not None:
            top.plot([r["verified_month"]], [y], marker="|", ms=12, color="black", lw=0)
        top.plot(
            [r["month"]],
            [y],
            marker="X" if r["early"] else "o",
            ms=8,
            color=colour,
            lw=0,
        )
        # Labels of late concessions go to the left so that they stay inside the plot.
        left = r["month"] > 0.5 * d["months"][-1]
        top.annotate(
            r["why"],
            (r["month"], y),
            xytext=(-8 if left else 8, 4),
            textcoords="offset points",
            ha="right" if left else "left",
            fontsize=7,
        )
    for m in d["verified_milestones"]:
        top.axvline(m, color=GREY, lw=0.8, ls=":")
    top.set_yticks(range(len(rows)), [r["id"] for r in rows])
    top.set_ylim(len(rows) - 0.5, -0.7)
    top.grid(axis="y", visible=False)
    top.set_title(fd.title, loc="left")
    from matplotlib.lines import Line2D

    fig.legend(
        handles=[
            Line2D([], [], marker="o", color=_C["bluish_green"], lw=0, label="released after"),
            Line2D([], [], marker="X", color=_C["vermillion"], lw=0, label="released early"),
            Line2D([], [], marker="|", color="black", lw=0, ms=10, label="steps verified"),
            Line2D([], [], color=GREY, ls=":", label="verified milestone"),
        ],
        loc="outside upper center",
        ncol=4,
    )
    t = d["months"]
    bottom.step(
        t,
        d["share_commitments_verified"],
        where="post",
        color=_C["blue"],
        lw=2,
        label="commitments verified (share)",
    )
    bottom.step(
        t,
        d["share_concessions_released"],
        where="post",
        color=_C["vermillion"],
        ls="--",
        lw=1.6,
        label="concessions released (share by count)",
    )
    if d["share_value_released"] is not None:
        bottom.step(
            t,
            d["share_value_released"],
            where="post",
            color=_C["reddish_purple"],
            ls=":",
            lw=1.8,
            label="concessions released (share of value)",
        )
    bottom.set_ylim(-0.03, 1.05)
    bottom.set_ylabel("share (0–1)")
    bottom.set_xlabel(fd.xlabel)
    bottom.legend(loc="lower right")
    return fig


def _mark(ax: Any, x: float, y: float, text: str) -> None:
    ax.plot([x], [y], marker="o", ms=7, color=_C["vermillion"], lw=0, zorder=5)
    ax.annotate(
        text,
        (x, y),
        xytext=(8, -12 if y > 0.5 else 8),
        textcoords="offset points",
        fontsize=8,
        color=_C["vermillion"],
    )


def _draw_sample_size(fd: FigureData) -> Any:
    d = fd.data
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(d["n"], d["detection_probability"], color=_C["blue"], lw=2, label="exact")
    ax.axhline(d["detection_goal"], color=GREY, ls="--", lw=1, label="detection goal")
    n = d["sample_size"]
    p = d["detection_probability"][min(int(n), len(d["detection_probability"]) - 1)]
    _mark(ax, n, p, f"n = {n} for the goal")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, d["items"])
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(f"Detecting {d['defects']} falsified of {d['items']} items", loc="left")
    ax.legend(loc="lower right")
    return fig


def _draw_curve(fd: FigureData, xkey: str, mark_text: str) -> Any:
    d = fd.data
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(d[xkey], d["probability"], color=_C["blue"], lw=2)
    _mark(ax, d["current"], d["probability_at_current"], mark_text.format(**d))
    if "concealment_hours" in d:
        lo, hi = d["concealment_hours"]
        ax.axvspan(lo, hi, color=GREY, alpha=0.15, lw=0, label="concealment time range")
        ax.legend(loc="upper right")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(fd.title, loc="left", fontsize=9)
    return fig


def _draw_site_search(fd: FigureData) -> Any:
    d = fd.data
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    ax.fill_between(
        d["months"],
        d["low"],
        d["high"],
        color=_C["sky_blue"],
        alpha=0.35,
        lw=0,
        label="concealment-time range",
    )
    ax.plot(d["months"], d["probability"], color=_C["blue"], lw=2, label="central")
    ax.axvline(12, color=GREY, ls=":", lw=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, d["months"][-1])
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(fd.title, loc="left", fontsize=9)
    ax.legend(loc="lower right")
    return fig


def _draw_sigma_muf(fd: FigureData) -> Any:
    d = fd.data
    fig = _figure(5.2, 3.4)
    ax = fig.subplots()
    x = np.asarray(d["muf_kg"])
    h0 = np.asarray(d["density_no_diversion"])
    h1 = np.asarray(d["density_one_sq_diverted"])
    ax.plot(x, h0, color=_C["blue"], lw=2, label="no diversion")
    ax.plot(x, h1, color=_C["orange"], lw=2, ls="--", label="one SQ diverted")
    thr = d["threshold_kg"]
    ax.fill_between(
        x,
        0,
        h1,
        where=x >= thr,
        color=_C["orange"],
        alpha=0.25,
        lw=0,
        label=f"detected: P = {d['detection_probability']:.3f}",
    )
    ax.axvline(thr, color="black", lw=1, ls=":", label=f"alarm threshold {num(thr, 3)} kg")
    ax.axvline(d["significant_quantity_kg"], color=GREY, lw=1)
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(
        f"σMUF = {num(d['sigma_muf_kg'], 3)} kg vs SQ = {num(d['significant_quantity_kg'])} kg",
        loc="left",
        fontsize=9,
    )
    ax.legend(loc="upper center")
    return fig


def _draw_end_state(fd: FigureData) -> Any:
    d = fd.data
    cats = d["categories"]
    fig = _figure(6.0, 2.8)
    ax = fig.subplots()
    left = np.zeros(len(cats))
    for st, (label, colour, hatch) in ITEM_STATUSES.items():
        vals = np.asarray(d["counts"][st], dtype=float)
        ax.barh(
            cats,
            vals,
            left=left,
            color=colour,
            hatch=hatch,
            edgecolor="white" if not hatch else "#333333",
            lw=0.6,
            label=label,
        )
        left += vals
    ax.invert_yaxis()
    ax.set_xlabel(fd.xlabel)
    ax.set_title(fd.title, loc="left")
    ax.grid(axis="y", visible=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.legend(loc="outside lower center", ncol=2)
    return fig


def _draw_outcomes(fd: FigureData) -> Any:
    d = fd.data
    fig = _figure(7.5, 2.9)
    axes = fig.subplots(1, 3, sharey=True)
    months = np.asarray(d["months"])
    for ax, outcome in zip(axes, ("verified_cvid", "breakdown", "stalemate"), strict=True):
        for i, (name, v) in enumerate(d["strategies"].items()):
            colour, ls = _strategy_style(name, i)
            p = np.asarray(v[outcome]["probability"])
            se = np.asarray(v[outcome]["standard_error"])
            ax.fill_between(
                months,
                np.clip(p - 2 * se, 0, 1),
                np.clip(p + 2 * se, 0, 1),
                color=colour,
                alpha=0.2,
                lw=0,
            )
            ax.plot(months, p, color=colour, ls=ls, lw=2, label=_strategy_label(name))
        measure = d.get("measures", {}).get(outcome, "")
        ax.set_title(f"{OUTCOME_LABELS[outcome]}\n{measure}", fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, months[-1])
    fig.supxlabel(fd.xlabel, fontsize=9)
    axes[0].set_ylabel(fd.ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=len(labels))
    return fig


def _draw_capability(fd: FigureData) -> Any:
    d = fd.data["strategies"]
    fig = _figure(7.0, 1.2 + 0.75 * len(d))
    axes = fig.subplots(1, 2, sharey=True)
    names = list(d)
    for ax, key, title in zip(
        axes, ("end", "peak"), ("at the horizon", "at its peak"), strict=True
    ):
        for i, name in enumerate(names):
            colour, _ = _strategy_style(name, i)
            q = d[name][key]
            ax.plot(
                [q["p10"], q["p90"]], [i, i], color=colour, lw=6, alpha=0.45, solid_capstyle="butt"
            )
            ax.plot([q["p50"]], [i], marker="|", ms=16, mew=2.5, color="black", lw=0)
            ax.plot([q["mean"]], [i], marker="D", ms=6, color=colour, mec="black", lw=0)
        ax.set_title(f"capability {title}", fontsize=9)
        ax.set_xlabel(fd.xlabel, fontsize=8)
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(range(len(names)), [_strategy_label(n) for n in names])
    axes[0].set_ylim(len(names) - 0.5, -0.5)
    from matplotlib.lines import Line2D

    fig.legend(
        handles=[
            Line2D([], [], color=GREY, lw=6, alpha=0.6, label="p10–p90"),
            Line2D([], [], marker="|", ms=12, mew=2.5, color="black", lw=0, label="median"),
            Line2D([], [], marker="D", color=GREY, mec="black", lw=0, label="mean"),
        ],
        loc="outside upper center",
        ncol=3,
    )
    return fig


def _draw_concessions_paid(fd: FigureData) -> Any:
    d = fd.data["strategies"]
    names = list(d)
    fig = _figure(6.5, 1.2 + 0.7 * len(d))
    ax = fig.subplots()
    y = np.arange(len(names))
    h = 0.36
    paid = [d[n]["paid_mean"] for n in names]
    cheat = [d[n]["to_cheaters_mean"] for n in names]
    ax.barh(
        y - h / 2,
        paid,
        height=h,
        color=_C["sky_blue"],
        label="paid (all counterparts)",
        xerr=[2 * d[n]["paid_standard_error"] for n in names],
    )
    ax.barh(
        y + h / 2,
        cheat,
        height=h,
        color=_C["vermillion"],
        hatch="//",
        edgecolor="white",
        label="paid to a state that cheats",
        xerr=[2 * d[n]["to_cheaters_standard_error"] for n in names],
    )
    ax.set_yticks(y, [_strategy_label(n) for n in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(fd.xlabel)
    ax.grid(axis="y", visible=False)
    ax.set_title(fd.title, loc="left")
    ax.legend(loc="lower right")
    return fig


def _draw_compliance(fd: FigureData) -> Any:
    rows = fd.data["commitments"]
    fig = _figure(7.5, max(2.2, 0.34 * len(rows) + 1.4))
    ax = fig.subplots()
    for y, r in enumerate(rows):
        for seg in r["segments"]:
            colour, hatch = COMPLIANCE_STATUSES.get(seg["status"], (GREY, ""))
            ax.barh(
                y,
                max(seg["end"] - seg["start"], 0.05),
                left=seg["start"],
                height=0.55,
                color=colour,
                hatch=hatch,
                edgecolor="white" if not hatch else "#333333",
                lw=0.5,
            )
        if r["deadline_month"] is not None:
            ax.plot([r["deadline_month"]], [y], marker="|", ms=14, mew=2, color="black", lw=0)
    ax.set_yticks(range(len(rows)), [r["id"] for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, fd.data["end_month"])
    ax.set_xlabel(fd.xlabel)
    ax.set_title(fd.title, loc="left")
    ax.grid(axis="y", visible=False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(facecolor=c, hatch=h, edgecolor="#333333" if h else c, label=name)
        for name, (c, h) in COMPLIANCE_STATUSES.items()
    ]
    handles.append(Line2D([], [], marker="|", ms=10, mew=2, color="black", lw=0, label="deadline"))
    fig.legend(handles=handles, loc="outside lower center", ncol=6)
    return fig


DRAWERS: dict[str, Callable[[FigureData], Any]] = {
    "compliance-timeline": _draw_compliance,
    "lesson1-timeline": _draw_timeline,
    "lesson2-concessions": _draw_concessions,
    "lesson3-sample-size": _draw_sample_size,
    "lesson3-inspections": lambda fd: _draw_curve(
        fd, "inspections_per_year", "this regime: {current:g} a year"
    ),
    "lesson3-notice": lambda fd: _draw_curve(fd, "notice_hours", "this agreement: {current:g} h"),
    "lesson3-site-search": _draw_site_search,
    "lesson3-sigma-muf": _draw_sigma_muf,
    "lesson4-end-state": _draw_end_state,
    "simulation-outcomes": _draw_outcomes,
    "simulation-capability": _draw_capability,
    "simulation-concessions": _draw_concessions_paid,
}

_RENDER_LOCK = threading.Lock()
_ID_REF = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def render_svg(fd: FigureData, drawer: Callable[[FigureData], Any] | None = None) -> str:
    """The figure as an inline SVG element: ``role="img"``, ``<title>`` and ``<desc>`` first,
    element ids prefixed with the figure id (so several SVGs can share one page), no
    metadata, deterministic ids, and no reference to anything outside the element."""
    import matplotlib

    draw = drawer or DRAWERS[fd.id]
    # rcParams are process-global: one figure at a time (the web service renders in threads).
    with _RENDER_LOCK, matplotlib.rc_context(cast(Any, _RC)):
        fig = draw(fd)
        buf = io.StringIO()
        fig.savefig(
            buf,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    prefix = fd.id + "-"
    svg = _ID_REF.sub(lambda m: m.group(1) + prefix + m.group(2), svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    head = head.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{prefix}title {prefix}desc" class="figure" ',
        1,
    )
    alt = (
        f'<title id="{prefix}title">{escape(fd.title)}</title>'
        f'<desc id="{prefix}desc">{escape(fd.description)}</desc>'
    )
    return head + alt + svg[head_end:]
