"""Turning a scenario and a strategy into the numbers the engine runs on."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvid.errors import InputError
from cvid.negotiate.engine import LEVELS, ON_DETECTION, Compiled
from cvid.negotiate.production import production_model
from cvid.negotiate.science import cheats, deterrence_threshold, hidden_facility_survival
from cvid.scenario import (
    COUNTERPART_TYPES,
    IRREVERSIBLE_KINDS,
    Commitment,
    Estimate,
    Scenario,
    StrategySpec,
)
from cvid.verify.adequacy import verifiable

#: The instrument assumed when a scenario has no [pressure] table (figures are defaults).
DEFAULT_INSTRUMENT = {"share": 1.0, "erosion_per_month": 0.02, "continues": True}

#: Commitment kinds that expose the hidden program (with irreversible ones they are "hard").
EXPOSING_KINDS: frozenset[str] = frozenset({"grant-access", "disclose"})
#: Targets whose access exposes the hidden program.
EXPOSING_TARGETS: frozenset[str] = frozenset({"undeclared-sites", "people", "documents"})
#: Commitment kinds that stop declared production once verified.
STOPPING_KINDS: frozenset[str] = frozenset({"freeze", "disable", "dismantle", "remove", "destroy"})
#: Facility kinds whose freeze stops production of weapon-usable material.
PRODUCTION_FACILITY_KINDS: frozenset[str] = frozenset({"reactor", "enrichment", "reprocessing"})

_DEMAND_CLASSES: dict[str, frozenset[str]] = {
    "declaration": frozenset({"declare", "grant-access", "disclose", "verify"}),
    "freeze": frozenset({"freeze", "disable"}),
    "dismantlement": IRREVERSIBLE_KINDS,
}

#: Used when an agreement has no commitments: one verified dismantlement of everything.
_WHOLE_PROGRAM = Commitment(
    id="dismantle-everything",
    kind="dismantle",
    targets=["all"],
    deadline_months=1,
    verification=["on-site-inspection"],
)


def detection_array(
    p: ArrayLike, months: int, source: str = "detection_probability"
) -> NDArray[np.float64]:
    """A monthly detection probability as an array of ``months`` values in [0, 1].

    ``p`` is a scalar (the same every month) or a sequence of one value per month.
    """
    arr = np.asarray(p, dtype=float)
    if arr.ndim == 0:
        arr = np.full(months, float(arr))
    elif arr.ndim != 1 or arr.shape[0] != months:
        raise InputError(
            f"expected a number or {months} monthly values, got shape {arr.shape}", field=source
        )
    if not np.all(np.isfinite(arr)) or arr.min() < 0.0 or arr.max() > 1.0:
        raise InputError("probabilities must lie in [0, 1]", field=source)
    return arr


def ordered_commitments(scenario: Scenario, spec: StrategySpec) -> list[Commitment]:
    """The agreement's commitments in the order the strategy asks for them.

    Agreement order: by deadline, a commitment after those it must follow (stable). The
    strategy's ``demand_first`` then moves its class of steps to the front (stable).
    """
    commitments = list(scenario.agreement.commitments) or [_WHOLE_PROGRAM]
    ids = {c.id for c in commitments}
    pending = sorted(commitments, key=lambda c: c.deadline_months)
    ordered: list[Commitment] = []
    done: set[str] = set()
    while pending:
        for i, c in enumerate(pending):
            if all(d in done or d not in ids for d in c.after):
                ordered.append(pending.pop(i))
                done.add(c.id)
                break
        else:  # a cycle cannot pass scenario validation; keep deadline order if it did
            ordered.extend(pending)
            break
    first = _DEMAND_CLASSES.get(spec.demand_first)
    if first is not None:
        ordered.sort(key=lambda c: 0 if c.kind in first else 1)
    return ordered


def is_hard(c: Commitment) -> bool:
    """A step that exposes or removes the hidden program: an undecided state never lets it be
    verified (complete declaration, access to people, documents or undeclared sites,
    disclosure, dismantlement, removal, destruction)."""
    return (
        c.kind in IRREVERSIBLE_KINDS
        or c.kind in EXPOSING_KINDS
        or (c.kind == "declare" and c.scope == "complete")
        or any(t in EXPOSING_TARGETS for t in c.targets)
    )


def stops_production(c: Commitment, scenario: Scenario) -> bool:
    """True when verifying ``c`` stops the declared production of weapon-usable material."""
    if c.kind not in STOPPING_KINDS:
        return False
    kinds = {f.id: f.kind for f in scenario.program.facilities}
    if "all" in c.targets:
        return True
    return any(
        t in ("all", "all-facilities") or kinds.get(t) in PRODUCTION_FACILITY_KINDS
        for t in c.targets
    )


def _concession_weights(scenario: Scenario) -> list[float]:
    """Share of the package each concession is worth: by value where every concession has
    one, else equal shares."""
    cs = scenario.agreement.concessions
    if cs and all(c.value_musd is not None for c in cs):
        values = [c.value_musd.mean for c in cs if c.value_musd is not None]
        total = sum(values)
        if total > 0:
            return [v / total for v in values]
    return [1.0 / len(cs)] * len(cs) if cs else []


def _tranches(
    scenario: Scenario, spec: StrategySpec, steps: list[Commitment], months: int
) -> tuple[NDArray[np.float64], float, NDArray[np.float64]]:
    """(share per step, share up front, share per calendar month) of the package."""
    k = len(steps)
    tranche = np.zeros(k)
    scheduled = np.zeros(months)
    upfront = spec.upfront_concessions
    rest = 1.0 - upfront
    if spec.release_steps == "each":
        tranche[:] = rest / k
    elif spec.release_steps == "irreversible":
        irr = np.array([c.kind in IRREVERSIBLE_KINDS for c in steps])
        if irr.any():
            tranche[irr] = rest / irr.sum()
    elif spec.release_steps == "agreement":
        position = {c.id: j for j, c in enumerate(steps)}
        weights = _concession_weights(scenario)
        if not weights:
            tranche[:] = rest / k
        for c, w in zip(scenario.agreement.concessions, weights, strict=True):
            share = w * rest
            if c.requires and c.release_on != "schedule":
                tranche[max(position[r] for r in c.requires if r in position)] += share
            elif c.month <= 0:
                upfront += share
            elif math.ceil(c.month) <= months:
                scheduled[math.ceil(c.month) - 1] += share
    return tranche, upfront, scheduled


def can_verify(scenario: Scenario, c: Commitment, spec: StrategySpec) -> bool:
    """Whether the strategy can verify step ``c``: every step under ``every-step``
    verification, otherwise only when its methods can verify it by the adequacy table
    (:func:`cvid.verify.adequacy.verifiable`, the rule lessons 3 and 4 apply): satellites
    do not verify a warhead's removal, so such a step never counts as verified."""
    return spec.verification == "every-step" or verifiable(scenario, c)


def _verified_irreversible(
    scenario: Scenario, steps: list[Commitment], spec: StrategySpec
) -> list[Commitment]:
    """Steps that dismantle, remove or destroy and that the strategy can verify."""
    return [c for c in steps if c.kind in IRREVERSIBLE_KINDS and can_verify(scenario, c, spec)]


def _covers(steps: list[Commitment], item_id: str, group: str, declared: bool = True) -> bool:
    names = {item_id, "all", group}
    if not declared:
        names.add("undeclared-sites")
    return any(names & set(c.targets) for c in steps)


def coverage(
    scenario: Scenario, steps: list[Commitment], spec: StrategySpec
) -> tuple[dict[str, bool], list[str]]:
    """Which program items a verified irreversible step covers, and the unreachable reasons.

    An item counts as covered when a dismantlement, removal or destruction the strategy can
    verify names it (by id, ``all`` or its group; an undeclared facility also by
    ``undeclared-sites``), as in lesson 4's list of uncovered items. Returns ({item id:
    covered} for direct-use stocks and facilities that make weapon-usable material, the
    reasons verified CVID cannot be reached by construction).
    """
    strong = _verified_irreversible(scenario, steps, spec)
    covered: dict[str, bool] = {}
    reasons: list[str] = []
    index = {c.id: i for i, c in enumerate(scenario.agreement.commitments)}
    if spec.verification != "every-step":
        for c in steps:
            if not c.verification and c.id in index:
                reasons.append(
                    f"step '{c.id}' ({c.kind}) has no means of verification "
                    f"(agreement.commitments[{index[c.id]}].verification is empty)"
                )
            elif not verifiable(scenario, c) and c.id in index:
                reasons.append(
                    f"step '{c.id}' ({c.kind}) cannot be verified by "
                    f"{', '.join(c.verification)} (agreement.commitments[{index[c.id]}]"
                    ".verification; see the adequacy table)"
                )
    if not strong:
        reasons.append("no verifiable step dismantles, removes or destroys anything")
    for f in scenario.program.facilities:
        if f.kind not in PRODUCTION_FACILITY_KINDS or f.status == "dismantled":
            continue
        ok = _covers(strong, f.id, "all-facilities", f.declared)
        covered[f.id] = ok
        if not ok:
            label = "undeclared " if not f.declared else ""
            reasons.append(
                f"{label}{f.kind} facility '{f.id}' is not covered by any verified "
                "dismantlement, removal or destruction"
            )
    for m in scenario.program.materials:
        if m.kind not in ("plutonium", "heu", "u233"):
            continue
        ok = _covers(strong, m.id, "all-materials")
        covered[m.id] = ok
        if not ok:
            reasons.append(
                f"{m.kind} stock '{m.id}' is not covered by any verified removal, "
                "dismantlement or destruction"
            )
    return covered, reasons


def _exposes_hidden(scenario: Scenario, steps: list[Commitment], spec: StrategySpec) -> bool:
    """True when a verifiable step exposes undeclared sites (complete declaration, access to
    undeclared sites or disclosure of everything): a decided state then hides nothing."""
    return any(
        is_hard(c)
        and c.kind not in IRREVERSIBLE_KINDS
        and can_verify(scenario, c, spec)
        and ({"all", "undeclared-sites", "all-facilities"} & set(c.targets))
        for c in steps
    )


def _gain_bounds(e: Estimate) -> tuple[float, float, float]:
    return (e.low, e.central if e.mode is not None else math.nan, e.high)


def gain_ppf(bounds: NDArray[np.float64], u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse CDF of each run's gain estimate: ``bounds`` (n, 3) = (low, mode or NaN, high),
    uniform between low and high without a mode, triangular with one."""
    lo, mode, hi = bounds[:, 0], bounds[:, 1], bounds[:, 2]
    width = hi - lo
    uniform = lo + u * width
    m = np.where(np.isnan(mode), lo, mode)
    fc = np.divide(m - lo, width, out=np.zeros_like(width), where=width > 0)
    left = lo + np.sqrt(u * width * (m - lo))
    right = hi - np.sqrt((1.0 - u) * width * (hi - m))
    tri = np.where(u < fc, left, right)
    return np.asarray(np.where(np.isnan(mode), uniform, tri), dtype=np.float64)


def _cheat_share(
    gain: Estimate, penalty: float, detection_within_goal: NDArray[np.float64], n: int = 2001
) -> NDArray[np.float64]:
    """Share of a type's states (over its gain distribution) that cheat with nothing yet paid,
    by month: the negotiator's model of P(cheat | type), used by the posterior."""
    u = (np.arange(n) + 0.5) / n
    b = np.array([_gain_bounds(gain)] * n)
    d = gain_ppf(b, u)
    return np.array([float(cheats(p, d, penalty).mean()) for p in detection_within_goal])


def compile_strategy(
    scenario: Scenario,
    spec: StrategySpec,
    detection_probability: ArrayLike,
    months: int,
) -> Compiled:
    """The engine's numbers for ``spec`` against ``scenario`` over ``months`` months.

    ``detection_probability`` is the regime's monthly probability of detecting a month of
    clandestine production: a number, or one value per month.
    """
    if months < 1:
        raise InputError("the horizon must be at least one month", field="months")
    cp = scenario.counterpart
    steps = ordered_commitments(scenario, spec)
    tranche, upfront, scheduled = _tranches(scenario, spec, steps, months)
    detection = detection_array(detection_probability, months) * spec.detection_scale
    goal = scenario.verification.timeliness_goal_months
    within_goal = 1.0 - (1.0 - detection) ** goal

    def per_type(name: str) -> NDArray[np.float64]:
        return np.array([cp.per_type(name, t) for t in COUNTERPART_TYPES])

    discount_goal = per_type("discount_per_month") ** goal
    penalty = per_type("detection_penalty")
    gains = [cp.gain(t) for t in COUNTERPART_TYPES]
    # the negotiator's P(cheat | type) with the whole package at stake, by month
    cheat_prior = np.stack(
        [
            _cheat_share(g, float(discount_goal[i] * (penalty[i] + 1.0)), within_goal)
            for i, g in enumerate(gains)
        ]
    )
    cheat_prior[0] = 0.0  # a decided state does not cheat
    # the deterrence threshold of the central state of each type (cvid.verify.games)
    thresholds = tuple(
        deterrence_threshold(g.central, float(discount_goal[i] * (penalty[i] + 1.0)))
        for i, g in enumerate(gains)
    )
    instruments = scenario.pressure.instruments
    if instruments:
        shares = np.array([i.share for i in instruments])
        erosion = np.array([i.erosion_per_month for i in instruments])
        keep = np.array([i.continues for i in instruments])
    else:
        shares = np.array([DEFAULT_INSTRUMENT["share"]], dtype=float)
        erosion = np.array([DEFAULT_INSTRUMENT["erosion_per_month"]], dtype=float)
        keep = np.array([True])
    deadlines = np.array([c.deadline_months for c in steps])
    due_by = np.array([int((deadlines <= m + 1).sum()) for m in range(months)], dtype=np.int64)
    due_month = [math.ceil(x) for x in deadlines]
    deadline = np.array([*due_month, max(due_month, default=0)], dtype=np.int64)
    covered, reasons = coverage(scenario, steps, spec)
    production = production_model(scenario)
    if _exposes_hidden(scenario, steps, spec):
        survival = np.zeros(months + 1)
    else:
        survival = hidden_facility_survival(scenario, months)
    exposure = tuple(
        f.intelligence_exposure_per_month
        for f in scenario.program.facilities
        if f.intelligence_exposure_per_month is not None and f.status != "dismantled"
    )
    tolerance = spec.stall_tolerance_months
    release = "declared" if spec.release_on == "posterior" else spec.release_on
    return Compiled(
        months=months,
        prior=np.array(cp.prior.as_tuple()),
        statement=per_type("statement_probability"),
        declared_soft=per_type("declared_step_probability"),
        verified_soft=per_type("verified_step_probability"),
        hollow_hard=per_type("hollow_declaration_probability"),
        clandestine_share=per_type("clandestine_share"),
        gain_bounds=np.array([_gain_bounds(g) for g in gains]),
        penalty=penalty,
        discount_goal=discount_goal,
        cheat_prior=cheat_prior,
        deterrence_thresholds=thresholds,
        decided_step=cp.decided_step_probability,
        hazard_base=cp.decision_hazard_base,
        hazard_pressure=cp.pressure_sensitivity * cp.economic_vulnerability,
        dampening=cp.concession_dampening,
        memory_months=cp.pressure_memory_months,
        hard=np.array([is_hard(c) for c in steps], dtype=bool),
        verifiable=np.array([can_verify(scenario, c, spec) for c in steps], dtype=bool),
        stops_production=np.array([stops_production(c, scenario) for c in steps], dtype=bool),
        tranche=tranche,
        upfront=upfront,
        scheduled=scheduled,
        due_by=due_by,
        deadline=deadline,
        release_level=LEVELS[release],
        posterior_release=spec.release_on == "posterior",
        min_sincere=spec.min_sincere_probability,
        stall_tolerance=(
            np.iinfo(np.int32).max if tolerance is None else max(1, math.ceil(tolerance))
        ),
        on_detection=ON_DETECTION[spec.on_detection],
        renegotiation_months=max(1, math.ceil(spec.renegotiation_months)),
        pressure=spec.pressure,
        pressure_relief=spec.pressure_relief,
        instrument_share=shares,
        instrument_erosion=erosion,
        instrument_kept=keep,
        pressure_default=not instruments,
        escalation_hazard=spec.escalation_hazard_per_month,
        detection=detection,
        detection_within_goal=within_goal,
        production=production,
        stock_covered=np.array([covered.get(i, False) for i in production.stock_ids], dtype=bool),
        rate_covered=np.array(
            [covered.get(r.facility_id, False) for r in production.rates], dtype=bool
        ),
        hidden_survival=survival,
        unreachable=tuple(reasons),
        spec=spec,
        step_ids=tuple(c.id for c in steps),
        exposure_rates=exposure,
        exposure_seen=1.0 - math.prod(1.0 - e.mean for e in exposure),
    )
