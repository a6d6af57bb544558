"""``red_team(scenario)``: ranked paths, equilibrium, provision values, cheapest deterring change.

**Value of a provision**: the state's equilibrium payoff under the agreement less its payoff
with the provision added (anywhere-anytime access, access to people, access to documents,
shorter notice — ``redteam.short_notice_hours`` —, more challenge inspections —
``redteam.extra_challenge_inspections_per_year`` added to the quota and to the budget —, and
verification of every step that cannot be verified: the methods the verification-adequacy
table asks for plus an on-site inspection). A
provision already in force is worth 0 and says so. Every provision only raises hazards, so a
value is never negative (a property test).

**Deterrence**: a path with undetected gain D (concessions plus g·SQ) is deterred when its
detection probability reaches D/(D + B), the threshold of
:meth:`cvid.verify.InspectionGame.deterrence_detection_probability` with no false alarms
(Avenhaus & Canty 1996, §4.2). The inspectorate deters every path when
max_y min_π (P_det(π, y) − threshold(π)) ≥ 0, an LP (:func:`cvid.verify.solve_zero_sum`).
**The cheapest change** is the first that deters among provisions added and blocks of
``extra_challenge_inspections_per_year`` more challenge inspections, ordered by cost =
provisions added + blocks (one provision counted like one block: an assumption).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, field_validator

from cvid.errors import InputError
from cvid.redteam.game import Solution, solve
from cvid.redteam.model import (
    Game,
    build,
    collected,
    compliance_payoff,
    cumulative_hazard,
    evaluate,
    first_breach,
    material_sq,
    verifiable,
)
from cvid.redteam.paths import PathBlock, PathSpace, enumerate_paths, path_space
from cvid.results import Result, jsonable
from cvid.scenario import Commitment, Scenario
from cvid.verify import InspectionGame, solve_zero_sum
from cvid.verify.adequacy import rows_for, target_classes

FloatArray = NDArray[np.float64]

PROVISIONS: tuple[str, ...] = (
    "anywhere-anytime",
    "access-to-people",
    "access-to-documents",
    "shorter-notice",
    "more-challenge-inspections",
    "verify-every-step",
)
PROVISION_LABELS: dict[str, str] = {
    "anywhere-anytime": "anywhere-anytime access",
    "access-to-people": "access to people",
    "access-to-documents": "access to documents",
    "shorter-notice": "shorter notice",
    "more-challenge-inspections": "more challenge inspections",
    "verify-every-step": "on-site verification of every step",
}
#: Assumptions that are judgements (not the scenario's facts or solver settings): figures that
#: rest on their built-in defaults are labelled.
JUDGEMENTS: frozenset[str] = frozenset(
    {
        "material_value_per_sq",
        "penalty",
        "weapon_sq",
        "followup_months",
        "short_notice_hours",
        "extra_challenge_inspections_per_year",
    }
)
#: Extra challenge inspection blocks tried for the cheapest change.
EXTRA_BLOCKS: tuple[int, ...] = (0, 1, 2, 4, 8, 16)


def _with(
    s: Scenario, provisions: dict[str, Any] | None = None, regime: dict[str, Any] | None = None
) -> Scenario:
    a = s.agreement
    if provisions:
        a = a.model_copy(update={"provisions": a.provisions.model_copy(update=provisions)})
    v = s.verification.model_copy(update=regime) if regime else s.verification
    return s.model_copy(update={"agreement": a, "verification": v})


def needed_methods(s: Scenario, c: Commitment) -> list[str]:
    """The commitment's methods plus, for each target class, one method of every group the
    first row of the verification-adequacy table (:mod:`cvid.verify.adequacy`) asks for, and
    an on-site inspection (so that the provisions can let a check expose a hollow claim)."""
    methods: list[str] = [str(m) for m in c.verification]
    wanted: list[str] = ["on-site-inspection"]
    for _, cls in target_classes(s, c):
        rows = rows_for(c.kind, cls, c.completed_before_agreement)
        if rows:
            wanted += [sorted(group)[0] for group in rows[0].needs if not group & set(methods)]
    for m in wanted:
        if m not in methods:
            methods.append(m)
    return methods


def in_force(s: Scenario, name: str) -> bool:
    """True when the agreement already has provision ``name``."""
    pr = s.agreement.provisions
    return {
        "anywhere-anytime": pr.access == "anywhere-anytime",
        "access-to-people": pr.access_to_people,
        "access-to-documents": pr.access_to_documents,
        "shorter-notice": pr.challenge_notice_hours <= s.redteam.short_notice_hours,
        "more-challenge-inspections": False,
        "verify-every-step": all(verifiable(s, c.id) for c in s.agreement.commitments),
    }[name]


def with_changes(
    s: Scenario, names: tuple[str, ...], budget: float, blocks: int = 0
) -> tuple[Scenario, float]:
    """The scenario with provisions ``names`` added and ``blocks`` blocks of extra challenge
    inspections (quota and budget); returns it and its budget."""
    prov: dict[str, Any] = {}
    extra = s.redteam.extra_challenge_inspections_per_year * blocks
    if "verify-every-step" in names:
        a = s.agreement
        commitments = [
            c
            if verifiable(s, c.id)
            else c.model_copy(update={"verification": needed_methods(s, c)})
            for c in a.commitments
        ]
        s = s.model_copy(update={"agreement": a.model_copy(update={"commitments": commitments})})
    for n in names:
        if n == "anywhere-anytime":
            prov["access"] = "anywhere-anytime"
        elif n == "access-to-people":
            prov["access_to_people"] = True
        elif n == "access-to-documents":
            prov["access_to_documents"] = True
        elif n == "shorter-notice":
            prov["challenge_notice_hours"] = min(
                s.agreement.provisions.challenge_notice_hours, s.redteam.short_notice_hours
            )
        elif n == "more-challenge-inspections":
            extra += s.redteam.extra_challenge_inspections_per_year
        elif n == "verify-every-step":
            pass
        else:  # pragma: no cover - names come from PROVISIONS
            raise KeyError(n)
    regime = None
    if extra:
        regime = {
            "challenge_inspections_per_year": s.verification.challenge_inspections_per_year + extra
        }
    return _with(s, prov, regime), budget + extra


# --- results -----------------------------------------------------------------------------


class MaterialMonth(Result):
    """Material a path keeps out of the agreement's reach by ``month`` (months from the
    agreement's start): significant quantities (``sq``) and kg, central, low and high."""

    month: float
    sq: float
    sq_low: float
    sq_high: float
    kg: float
    kg_low: float
    kg_high: float


class PathReport(Result):
    """One of the state's paths against the inspectorate's equilibrium mix; payoffs in units
    of all of the agreement's concessions (= 1), times in months from the agreement's start."""

    rank: int
    label: str = Field(alias="path", description="The path in words")
    kinds: tuple[str, ...]
    hidden: tuple[str, ...] = Field(alias="hidden_items", description="Items kept undeclared")
    hollow: tuple[str, ...] = Field(alias="hollow_steps", description="Steps claimed, not done")
    stall_month: float | None
    first_breach_month: float
    payoff: float
    undetected_gain: float
    detection_probability: float
    deterrence_threshold: float
    deterred: bool
    time_to_exposure_months: float | None
    exposure_date: str | None = Field(description="ISO date, when the agreement has a start")
    concessions_before_exposure: tuple[str, ...]
    first_concession_month: float | None
    expected_concessions: float
    material_sq: dict[str, float] = Field(description="SQ kept at the horizon: low, central, high")
    material_by_month: tuple[MaterialMonth, ...]
    detection_by_month: tuple[tuple[float, float], ...] = Field(
        description="(month, probability the path is exposed by then)"
    )
    equilibrium_weight: float


class ProvisionValue(Result):
    """Drop in the state's best payoff when a provision is added (payoff units as
    :class:`PathReport`)."""

    provision: str
    label: str
    in_force: bool
    value: float
    payoff_with: float = Field(alias="state_payoff_with")
    detection_with: float = Field(alias="equilibrium_detection_with")


class DeterringChange(Result):
    """The cheapest change found that deters every path (or the best margin reached)."""

    found: bool
    provisions: tuple[str, ...]
    extra_challenge_inspections_per_year: float
    cost: float = Field(description="Provisions added + blocks of extra challenge inspections")
    margin: float = Field(description="max_y min_π (P_det − threshold) with the change")
    tried: int
    baseline_margin: float = Field(description="The same margin without any change")
    allocation_strategy: tuple[float, ...]


class BudgetSplit(Result):
    """One split of the inspection budget: challenge and routine inspections a year."""

    challenge_per_year: float
    routine_per_year: float


class RedTeamGame(Result):
    """The game between the state (paths) and the inspectorate (allocations) and its solution
    (:func:`cvid.redteam.game.solve`); payoffs in units of all of the agreement's concessions."""

    total_paths: int
    method: str
    iterations: int
    value: float = Field(description="The state's equilibrium payoff")
    value_bounds: tuple[float, float]
    compliance_payoff: float
    equilibrium_detection_probability: float
    row_regret: float
    column_regret: float
    guarantee: float = Field(
        alias="state_best_payoff_at_reported_mix",
        description="The state's best payoff against the reported allocation mix",
    )
    allocations: tuple[BudgetSplit, ...]
    allocation_strategy: tuple[float, ...] = Field(
        description="The inspectorate's equilibrium weights on the allocations"
    )


PAYOFF_UNITS = "all of the agreement's concessions = 1"


class RedTeamResult(Result):
    """Everything ``cvid redteam`` prints; ``to_json()`` is its ``--json``, its JSON Schema
    ``schema/redteam.schema.json``."""

    scenario: str
    horizon_months: float
    payoff_units: str = PAYOFF_UNITS
    budget_inspections_per_year: float
    challenge_quota_per_year: float
    game: RedTeamGame
    paths: tuple[PathReport, ...] = Field(description="Best payoff first (at most --top)")
    provisions: tuple[ProvisionValue, ...]
    cheapest_change: DeterringChange | None
    findings: tuple[str, ...]
    assumptions: dict[str, Any] = Field(
        default_factory=dict, description="The [redteam] settings used, and which are defaults"
    )

    @field_validator("assumptions", mode="before")
    @classmethod
    def _assumptions_json_ready(cls, value: Any) -> Any:
        return jsonable(value)

    @property
    def best(self) -> PathReport | None:
        """The state's best path (rank 1), None when the agreement has no paths."""
        return self.paths[0] if self.paths else None


def _allocations(g: Game) -> tuple[BudgetSplit, ...]:
    return tuple(BudgetSplit(**a) for a in g.alloc.to_list())


# --- the analysis ------------------------------------------------------------------------


def thresholds(gain: FloatArray, penalty: float) -> FloatArray:
    """Deterrence detection probability of each path from its undetected gain: the threshold
    of :class:`cvid.verify.InspectionGame` (no false alarms, perfect detection when
    inspected), computed once per distinct gain; 0 for a path that gains nothing."""
    out = np.zeros_like(gain)
    for v in np.unique(gain):
        if v <= 0:
            continue
        game = InspectionGame(
            gain=float(v),
            penalty=float(penalty),
            inspection_cost=0.0,
            loss_detected=0.0,
            loss_undetected=1.0,
            non_detection=0.0,
        )
        thr = game.deterrence_detection_probability()
        out[gain == v] = 1.0 if thr is None else float(thr)
    return out


def deterrence_margin(detection: FloatArray, threshold: FloatArray) -> tuple[float, FloatArray]:
    """max_y min_π (P_det(π, y) − threshold(π)) and the maximizing mix y."""
    m = detection - threshold[:, None]
    z = solve_zero_sum(m.T)
    return z.value, np.asarray(z.row_strategy, dtype=np.float64)


def _label(
    space: PathSpace, hidden: tuple[str, ...], hollow: tuple[str, ...], stall: float | None
) -> str:
    parts = [f"hide {h}" for h in hidden] + [f"hollow {w}" for w in hollow]
    if stall is not None:
        due = sorted({st.id for st in space.steps if st.month == stall})
        parts.append(f"stall at month {stall:g}" + (f" ({', '.join(due)})" if due else ""))
    return " + ".join(parts)


def _kinds(
    g: Game, hidden: tuple[str, ...], hollow: tuple[str, ...], stall: float | None
) -> tuple[str, ...]:
    sp = g.space
    kinds: list[str] = []
    items = {it.id: it for it in sp.items}
    producing = {q.facility for q in sp.producers if q.kg_per_month.high > 0}
    if hidden:
        kinds.append("undeclared items")
    if any(items[h].kind == "facility" and h in producing for h in hidden):
        kinds.append("secret production at an undeclared facility")
    steps = {st.id: st for st in sp.steps}
    if any(steps[w].stops for w in hollow):
        kinds.append("secret production at a declared facility")
    if hollow:
        kinds.append("hollow steps")
    if stall is not None:
        kinds.append("stalling")
    return tuple(kinds)


def _add_months(start: date | None, months: float) -> str | None:
    """The date ``months`` after ``start`` (30.436875 days a month, as the compliance engine)."""
    if start is None:
        return None
    return (start + timedelta(days=round(months * 30.436875))).isoformat()


def _report_path(
    g: Game, sol: Solution, i: int, rank: int, u: float, thr: float, det: float
) -> PathReport:
    sp, s = g.space, g.scenario
    pb = sol.paths.take(np.array([i]))
    key = pb.key(0)
    hidden = tuple(sp.items[k].id for k in key[0])
    hollow = tuple(sp.steps[k].id for k in key[1])
    stall = key[2]
    y = sol.allocation_strategy
    h = sp.horizon
    end = g.end
    marks = [st.month for st in sp.steps] + list(g.conc.release)
    times = np.union1d(np.round(np.arange(0.0, end + 1e-9, 0.1), 6), np.array([*marks, h, end]))
    times = times[times <= end]
    lam = cumulative_hazard(g, pb, times)[0]  # (T, J)
    p_t = 1.0 - np.exp(-lam) @ y
    level = s.redteam.exposure_probability
    hit = np.flatnonzero(p_t >= level - 1e-12)
    t_exp = float(times[hit[0]]) if hit.size else None
    col = collected(g, pb)[0]
    rel = g.conc.release
    start = float(first_breach(g, pb)[0])
    before = tuple(
        k
        for k, r, c in zip(g.conc.ids, rel, col, strict=True)
        if c and r >= start and (t_exp is None or r < t_exp)
    )
    s_rel = np.exp(-cumulative_hazard(g, pb, rel)[0]) @ y if rel.size else np.zeros(0)
    expected = float(np.sum(g.conc.weight * col * s_rel)) if rel.size else 0.0
    firsts = [float(r) for r, c in zip(rel, col, strict=True) if c and r >= start]
    months = sorted({*np.arange(0.0, h + 1e-9, 12.0).tolist(), h})
    by_month = []
    for m in months:
        by_month.append(
            {
                "month": float(m),
                "sq": float(material_sq(g, pb, m)[0]),
                "sq_low": float(material_sq(g, pb, m, "low")[0]),
                "sq_high": float(material_sq(g, pb, m, "high")[0]),
                "kg": float(material_sq(g, pb, m, unit="kg")[0]),
                "kg_low": float(material_sq(g, pb, m, "low", "kg")[0]),
                "kg_high": float(material_sq(g, pb, m, "high", "kg")[0]),
            }
        )
    monthly = [
        (float(t), float(p))
        for t, p in zip(times, p_t, strict=True)
        if abs(t - round(t)) < 1e-9 or t in (h, end)
    ]
    return PathReport(
        rank=rank,
        label=_label(sp, hidden, hollow, stall),
        kinds=_kinds(g, hidden, hollow, stall),
        hidden=hidden,
        hollow=hollow,
        stall_month=stall,
        first_breach_month=start,
        payoff=u,
        undetected_gain=float(sol.gain[i]),
        detection_probability=det,
        deterrence_threshold=thr,
        deterred=det >= thr - 1e-12,
        time_to_exposure_months=t_exp,
        exposure_date=None if t_exp is None else _add_months(s.agreement.start, t_exp),
        concessions_before_exposure=before,
        first_concession_month=min(firsts) if firsts else None,
        expected_concessions=expected,
        material_sq={
            "low": by_month[-1]["sq_low"],
            "central": by_month[-1]["sq"],
            "high": by_month[-1]["sq_high"],
        },
        material_by_month=tuple(MaterialMonth(**m) for m in by_month),
        detection_by_month=tuple(monthly),
        equilibrium_weight=float(sol.path_strategy[i]),
    )


def _undetected_everywhere(g: Game) -> bool:
    """True when no covert part of any path can be detected under any allocation."""
    ch = g.ch
    items = bool(g.space.items) and float(np.max(ch.site_rate)) > 0.0
    steps = bool(g.space.steps) and (
        float(np.max(ch.claim_jump, initial=0.0)) > 0.0
        or float(np.max(ch.revisit, initial=0.0)) > 0.0
    )
    return not (items or steps)


def _game_value(s: Scenario, budget: float, space: PathSpace) -> tuple[float, float]:
    g = build(s, budget, space)
    sol = solve(g)
    det = float(sol.path_strategy @ sol.detection @ sol.allocation_strategy)
    return sol.value, det


def cheapest_change(
    s: Scenario, budget: float, space: PathSpace, progress: Callable[[str], None] | None = None
) -> DeterringChange:
    """The cheapest change that deters every path (module docstring)."""
    candidates: list[tuple[float, int, tuple[str, ...], int]] = []
    options = [p for p in PROVISIONS if p != "more-challenge-inspections" and not in_force(s, p)]
    for r in range(len(options) + 1):
        for names in itertools.combinations(options, r):
            for blocks in EXTRA_BLOCKS:
                candidates.append((float(len(names) + blocks), blocks, names, blocks))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    # every path when they fit in one LP; else the paths column generation brings in
    every = enumerate_paths(space) if space.count() <= s.redteam.max_paths else None
    best_margin = -math.inf
    best: tuple[tuple[str, ...], int, tuple[float, ...]] | None = None
    baseline = -math.inf
    for tried, (cost, _, names, blocks) in enumerate(candidates, 1):
        s2, b2 = with_changes(s, names, budget, blocks)
        g = build(s2, b2, space)
        ev = evaluate(g, every) if every is not None else None
        if ev is None:
            sol = solve(g)
            det, gain = sol.detection, sol.gain
        else:
            det, gain = ev.detection, ev.gain
        margin, y = deterrence_margin(det, thresholds(gain, g.penalty))
        if tried == 1:
            baseline = margin
        if margin > best_margin:
            best_margin, best = margin, (names, blocks, tuple(float(v) for v in y))
        if margin >= -1e-9:
            return DeterringChange(
                found=True,
                provisions=names,
                extra_challenge_inspections_per_year=blocks
                * s.redteam.extra_challenge_inspections_per_year,
                cost=cost,
                margin=margin,
                tried=tried,
                baseline_margin=baseline,
                allocation_strategy=tuple(float(v) for v in y),
            )
    assert best is not None
    return DeterringChange(
        found=False,
        provisions=best[0],
        extra_challenge_inspections_per_year=best[1]
        * s.redteam.extra_challenge_inspections_per_year,
        cost=float(len(best[0]) + best[1]),
        margin=best_margin,
        tried=len(candidates),
        baseline_margin=baseline,
        allocation_strategy=best[2],
    )


def red_team(
    scenario: Scenario,
    *,
    budget: float | None = None,
    top: int = 10,
    provision_values: bool = True,
    change: bool = True,
) -> RedTeamResult:
    """The red team of ``scenario``: see the package docstring for the model."""
    s = scenario
    if budget is not None and (not math.isfinite(budget) or budget < 0):
        raise InputError(
            f"must be a non-negative number of inspections a year, got {budget:g}",
            source="--budget",
        )
    if top < 1:
        raise InputError(f"must be at least 1, got {top}", source="--top")
    space = path_space(s)
    g = build(s, budget, space)
    e = g.alloc.budget
    findings: list[str] = []
    defaults = sorted(
        set(type(s.redteam).model_fields) - set(s.redteam.model_fields_set) - {"source"}
    )
    assumptions: dict[str, Any] = {
        **s.redteam.model_dump(exclude={"source"}),
        "budget_inspections_per_year": e,
        "defaults_used": defaults,
        "concessions_weighted_by": "value_musd" if g.conc.weighted_by_value else "equal weights",
        "source": s.redteam.source,
    }
    judged = [d for d in defaults if d in JUDGEMENTS]
    if judged:
        findings.append(
            "payoffs use built-in assumptions (" + ", ".join(judged) + "): set them in the "
            "scenario's [redteam] table to make the figures the scenario's own"
        )
    total = space.count()
    if total <= 0:
        findings.append("the agreement has no commitment the state could evade: no paths")
        comp = compliance_payoff(g)
        return RedTeamResult(
            scenario=s.meta.name,
            horizon_months=space.horizon,
            budget_inspections_per_year=e,
            challenge_quota_per_year=g.alloc.quota,
            game=RedTeamGame(
                total_paths=0,
                method="none",
                iterations=0,
                value=comp,
                value_bounds=(comp, comp),
                compliance_payoff=comp,
                equilibrium_detection_probability=0.0,
                row_regret=0.0,
                column_regret=0.0,
                guarantee=comp,
                allocations=_allocations(g),
                allocation_strategy=(),
            ),
            paths=(),
            provisions=(),
            cheapest_change=None,
            findings=tuple(findings),
            assumptions=assumptions,
        )
    if _undetected_everywhere(g):
        findings.append(
            "every path is undetected: no verification means of the agreement can expose a "
            "hidden item or a hollow step (only an open stall is seen)"
        )
    sol = solve(g)
    y = sol.allocation_strategy
    u = sol.payoff @ y
    det = sol.detection @ y
    thr = thresholds(sol.gain, g.penalty)
    parts = sol.paths.hidden.sum(axis=1) + sol.paths.hollow.sum(axis=1) + ~np.isnan(sol.paths.stall)
    # best payoff first; among equal payoffs (to 1e-9) the simpler path first
    order = np.lexsort((parts, -np.round(u, 9)))[:top]
    paths = [
        _report_path(g, sol, int(i), r + 1, float(u[i]), float(thr[i]), float(det[i]))
        for r, i in enumerate(order)
    ]
    eq_det = float(sol.path_strategy @ sol.detection @ y)
    comp = compliance_payoff(g)
    if sol.value > comp + 1e-9:
        findings.append(
            f"cheating pays: the state's best payoff {sol.value:.3f} exceeds compliance "
            f"({comp:.3f})"
        )
    undeterred = int(np.sum((det < thr - 1e-12) & (sol.gain > 0)))
    if undeterred:
        findings.append(
            f"{undeterred} of {len(u)} paths are not deterred at the inspectorate's "
            "equilibrium allocation"
        )
    values: list[ProvisionValue] = []
    if provision_values:
        for name in PROVISIONS:
            if in_force(s, name):
                values.append(
                    ProvisionValue(
                        provision=name,
                        label=PROVISION_LABELS[name],
                        in_force=True,
                        value=0.0,
                        payoff_with=sol.value,
                        detection_with=eq_det,
                    )
                )
                continue
            s2, b2 = with_changes(s, (name,), e)
            v2, d2 = _game_value(s2, b2, space)
            values.append(
                ProvisionValue(
                    provision=name,
                    label=PROVISION_LABELS[name],
                    in_force=False,
                    value=sol.value - v2,
                    payoff_with=v2,
                    detection_with=d2,
                )
            )
    cc = cheapest_change(s, e, space) if change else None
    if (
        cc is not None
        and cc.found
        and len(cc.provisions) + (cc.extra_challenge_inspections_per_year > 0) > 1
        and values
        and all(v.value <= 1e-9 for v in values)
    ):
        findings.append(
            "no single provision lowers the state's best payoff; only together ("
            + ", ".join(cc.provisions)
            + (
                f", +{cc.extra_challenge_inspections_per_year:g} challenge inspections a year"
                if cc.extra_challenge_inspections_per_year
                else ""
            )
            + ") do they deter every path"
        )
    if cc is not None and not cc.found:
        findings.append(
            "no change tried deters every path (provisions and up to "
            f"{max(EXTRA_BLOCKS) * s.redteam.extra_challenge_inspections_per_year:g} more "
            "challenge inspections a year)"
        )
    return RedTeamResult(
        scenario=s.meta.name,
        horizon_months=space.horizon,
        budget_inspections_per_year=e,
        challenge_quota_per_year=g.alloc.quota,
        game=RedTeamGame(
            total_paths=sol.total_paths,
            method=sol.method,
            iterations=sol.iterations,
            value=sol.value,
            value_bounds=(sol.lower_bound, sol.upper_bound),
            compliance_payoff=comp,
            equilibrium_detection_probability=eq_det,
            row_regret=sol.row_regret,
            column_regret=sol.column_regret,
            guarantee=float(np.max(u)),
            allocations=_allocations(g),
            allocation_strategy=tuple(float(v) for v in y),
        ),
        paths=tuple(paths),
        provisions=tuple(values),
        cheapest_change=cc,
        findings=tuple(findings),
        assumptions=assumptions,
    )


class BestPath(Result):
    """The state's best path under the agreement, for lesson 3 of ``cvid assess`` (fields as
    :class:`PathReport` and :class:`RedTeamGame`)."""

    path: str
    kinds: tuple[str, ...]
    payoff: float
    compliance_payoff: float
    detection_probability: float
    time_to_exposure_months: float | None
    material_sq: dict[str, float]
    concessions_before_exposure: tuple[str, ...]
    equilibrium_detection_probability: float
    every_path_undetected: bool
    assumptions_defaulted: bool


def best_path(scenario: Scenario) -> BestPath | None:
    """The state's best path (against the inspectorate's equilibrium allocation) without the
    provision values and the cheapest change; None when the agreement has no paths."""
    r = red_team(scenario, top=1, provision_values=False, change=False)
    b = r.best
    if b is None:
        return None
    return BestPath(
        path=b.label,
        kinds=b.kinds,
        payoff=b.payoff,
        compliance_payoff=r.game.compliance_payoff,
        detection_probability=b.detection_probability,
        time_to_exposure_months=b.time_to_exposure_months,
        material_sq=b.material_sq,
        concessions_before_exposure=b.concessions_before_exposure,
        equilibrium_detection_probability=r.game.equilibrium_detection_probability,
        every_path_undetected=any(f.startswith("every path is undetected") for f in r.findings),
        assumptions_defaulted=any(d in JUDGEMENTS for d in r.assumptions.get("defaults_used", [])),
    )


__all__ = [
    "PAYOFF_UNITS",
    "PROVISIONS",
    "BestPath",
    "BudgetSplit",
    "DeterringChange",
    "MaterialMonth",
    "PathBlock",
    "PathReport",
    "ProvisionValue",
    "RedTeamGame",
    "RedTeamResult",
    "best_path",
    "cheapest_change",
    "deterrence_margin",
    "red_team",
    "thresholds",
    "with_changes",
]
