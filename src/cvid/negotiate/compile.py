"""Turning a scenario and a strategy into the numbers the engine runs on."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvid.errors import InputError
from cvid.negotiate.engine import LEVELS, Compiled
from cvid.negotiate.production import production_model
from cvid.scenario import (
    COUNTERPART_TYPES,
    IRREVERSIBLE_KINDS,
    Commitment,
    Scenario,
    StrategySpec,
)

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

    def per_type(name: str) -> NDArray[np.float64]:
        return np.array([cp.per_type(name, t) for t in COUNTERPART_TYPES])

    tolerance = spec.stall_tolerance_months
    return Compiled(
        months=months,
        prior=np.array(cp.prior.as_tuple()),
        statement=per_type("statement_probability"),
        declared_soft=per_type("declared_step_probability"),
        verified_soft=per_type("verified_step_probability"),
        hollow_hard=per_type("hollow_declaration_probability"),
        clandestine_share=per_type("clandestine_share"),
        decided_step=cp.decided_step_probability,
        hazard_base=cp.decision_hazard_base,
        hazard_pressure=cp.pressure_sensitivity * cp.economic_vulnerability,
        dampening=cp.concession_dampening,
        memory_months=cp.pressure_memory_months,
        hard=np.array([is_hard(c) for c in steps]),
        verifiable=np.array(
            [spec.verification == "every-step" or bool(c.verification) for c in steps]
        ),
        stops_production=np.array([stops_production(c, scenario) for c in steps]),
        tranche=tranche,
        upfront=upfront,
        scheduled=scheduled,
        release_level=LEVELS[spec.release_on],
        stall_tolerance=(
            np.iinfo(np.int16).max if tolerance is None else max(1, math.ceil(tolerance))
        ),
        snap_back=spec.on_detection == "snap-back",
        pressure=spec.pressure,
        pressure_relief=spec.pressure_relief,
        detection=detection,
        production=production_model(scenario),
        spec=spec,
        step_ids=tuple(c.id for c in steps),
    )
