"""The data behind every figure of the report, as :class:`FigureData`.

Each builder reads what the assessment already decided (the lesson results, which apply
:mod:`cvid.assess.scope` and :mod:`cvid.verify`), the curves of :mod:`cvid.verify`, a
:class:`cvid.negotiate.SimulationResult` or a compliance state, and adds only what a plot
needs: points, shares over time, captions. Tests check this data, not the pixels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
from scipy.stats import norm

from cvid.assess.figures.model import FigureData, floats, num, pct
from cvid.assess.figures.palette import ITEM_STATUSES, strategy_label
from cvid.assess.result import Assessment
from cvid.negotiate import OUTCOME_LABELS
from cvid.scenario import IRREVERSIBLE_KINDS, REVERSIBLE_KINDS, Scenario
from cvid.verify import (
    curve_detection_vs_inspections,
    curve_detection_vs_notice,
    curve_detection_vs_sample_size,
    curve_site_detection_vs_months,
)

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
    return floats(np.searchsorted(ev, grid, side="right") / total)


def concessions_data(s: Scenario, a: Assessment) -> FigureData:
    """Each concession's release month against the month the steps it pays for are verified
    at the earliest (their deadline), and the shares released and verified over time."""
    ag = s.agreement
    # Lesson 2 decides which concessions are early, when their steps are verified and why:
    # the figure only draws its verdicts (one home per rule).
    release = {r["id"]: r for r in a.lesson(2).figures["concession_release"]}
    rows: list[dict[str, Any]] = []
    for k in ag.concessions:
        verdict = release[k.id]
        verified_at = verdict["verified_month"]
        v = k.value_musd
        rows.append(
            {
                "id": k.id,
                "kind": k.kind,
                "month": float(k.month),
                "release_on": k.release_on,
                "requires": list(k.requires),
                "verified_month": None if verified_at is None else float(verified_at),
                "early": bool(verdict["early"]),
                "why": str(verdict["why"]),
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
    verified_months = [float(m) for m in a.lesson(2).figures["verifiable_commitment_months"]]
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
            "months": floats(grid),
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
        source="Lesson 2's verdicts: a step counts as verified at its deadline at the earliest "
        "(at month 0 if completed before the agreement), and only if its methods can verify "
        "it (cvid.verify.adequacy).",
    )


# --- lesson 3: verification curves from cvid.verify ---------------------------------------


def _verification(a: Assessment) -> dict[str, Any]:
    """Lesson 3's verification figures (:func:`cvid.verify.lesson3_figures`, as the lesson
    carries them)."""
    v = a.lesson(3).figures.get("verification")
    if not v:
        raise ValueError(
            "lesson 3 carries no verification figures (assess the scenario with cvid.assess)"
        )
    return cast(dict[str, Any], v)


def sample_size_data(s: Scenario, a: Assessment) -> FigureData:
    """Exact hypergeometric detection probability of one SQ against the sample size (the
    sample size and defects as lesson 3 found them; the curve from :mod:`cvid.verify`)."""
    v = _verification(a)
    plan = s.verification.sampling
    n, p = curve_detection_vs_sample_size(s)
    return FigureData(
        id="lesson3-sample-size",
        title="Attribute sampling: detection probability against sample size",
        description=(
            f"Probability that a random sample of n of {plan.items} items contains at least one "
            f"of the {v['defects']} falsified items needed to hide one significant quantity "
            f"({num(v['significant_quantity_kg'])} kg {v['material']}). The goal "
            f"{plan.detection_goal:.2f} needs n = {v['sample_size']} items."
        ),
        xlabel="sample size n (items)",
        ylabel="detection probability",
        data={
            "n": floats(n),
            "detection_probability": floats(p),
            "items": plan.items,
            "defects": v["defects"],
            "sample_size": v["sample_size"],
            "sample_size_iaea": v["sample_size_iaea"],
            "detection_goal": float(plan.detection_goal),
        },
        inputs={
            "verification.sampling.items": plan.items,
            "verification.sampling.item_content_kg": plan.item_content_kg,
            "verification.sampling.detection_goal": plan.detection_goal,
            "significant_quantity_kg": v["significant_quantity_kg"],
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
            "inspections_per_year": floats(x),
            "probability": floats(y),
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
            "notice_hours": floats(x),
            "probability": floats(y),
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
            "months": floats(t),
            "probability": floats(mid),
            "low": floats(lo),
            "high": floats(hi),
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


def sigma_muf_data(s: Scenario, a: Assessment) -> FigureData:
    """MUF under no diversion, N(0, σMUF), and under the diversion of one SQ, N(SQ, σMUF),
    with the alarm threshold z_{1−α}·σMUF (Avenhaus & Canty 1996, eq. 3.22); σMUF, SQ and
    the detection probability as lesson 3 found them."""
    v = _verification(a)
    mb = s.verification.material_balance
    sig, sq, alpha = v["sigma_muf_kg"], v["significant_quantity_kg"], mb.false_alarm_probability
    threshold = float(norm.ppf(1.0 - alpha) * sig) if 0.0 < alpha < 1.0 else 0.0
    width = max(4.0 * sig, 0.05 * sq)
    x = np.linspace(-width, sq + width, 241)
    h0 = norm.pdf(x, 0.0, sig) if sig > 0 else np.zeros_like(x)
    h1 = norm.pdf(x, sq, sig) if sig > 0 else np.zeros_like(x)
    # The largest σMUF that detects one SQ with α = β = 0.05 (the bound of lesson 3,
    # cvid.assess.lessons.verification.SIGMA_MUF_FRACTION_OF_SQ), in kg.
    limit = sq / (2.0 * float(norm.ppf(0.95)))
    return FigureData(
        id="lesson3-sigma-muf",
        title="Material balance: σMUF against one significant quantity",
        description=(
            f"σMUF is {num(sig, 3)} kg, {v['sigma_muf_per_sq']:.3f} of a significant quantity "
            f"({num(sq)} kg {v['material']}). With a false-alarm probability of {num(alpha)} the "
            f"alarm threshold is {num(threshold, 3)} kg and a one-SQ loss is detected with "
            f"probability {v['balance_detection_probability']:.3f} at a balance. σMUF up to "
            f"{num(limit, 3)} kg would still detect one SQ with α = β = 0.05."
        ),
        xlabel=f"material unaccounted for, MUF (kg {v['material']})",
        ylabel="probability density (1/kg)",
        data={
            "sigma_muf_kg": sig,
            "significant_quantity_kg": sq,
            "false_alarm_probability": float(alpha),
            "threshold_kg": threshold,
            "detection_probability": v["balance_detection_probability"],
            "sigma_muf_limit_kg": limit,
            "muf_kg": floats(x),
            "density_no_diversion": floats(h0),
            "density_one_sq_diverted": floats(h1),
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
                "probability": floats(p),
                "standard_error": floats(np.sqrt(p * (1 - p) / r.runs)),
            }
    final = "; ".join(
        f"{strategy_label(n)}: "
        + ", ".join(
            f"{o.replace('_', ' ').replace('cvid', 'CVID')} {v[o]['probability'][-1]:.2f}"
            for o in outcomes
            if o != "conflict" or v[o]["probability"][-1] > 0
        )
        for n, v in strategies.items()
    )
    return FigureData(
        id="simulation-outcomes",
        title="Simulated outcomes over time",
        description=(
            f"Probability of each outcome by month over {sim.runs:,} runs per strategy, "
            f"seed {sim.seed}: verified CVID, exposure, breakdown and conflict as reached by "
            "month t (a run that was exposed or broke down may later come back to talks), "
            f"stalemate as the state at month t (talks may resume). At month {sim.months}: "
            f"{final}."
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
        f"{strategy_label(n)}: at month {sim.months} median {num(v['end']['p50'], 3)} kg "
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
        f"{strategy_label(n)}: {v['paid_mean']:.2f} of the package paid on average, "
        f"{v['to_cheaters_mean']:.2f} to a state that cheats (some paid in "
        f"{pct(v['to_cheaters_probability_any'])} of runs)"
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
