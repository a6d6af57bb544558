"""Scalar reference implementation of the negotiation model, one run at a time.

Written from the rules in the docstring of :mod:`cvid.negotiate.engine`, as plainly as
possible, for the tests: the vectorized engine must agree with it exactly when both read the
same random numbers, and in distribution when they read independent ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cvid.negotiate.engine import BREAKDOWN, RUNNING, STALEMATE, VERIFIED_CVID, Compiled


@dataclass
class RunResult:
    """What one run ends with."""

    counterpart_type: int
    status: int
    end_month: int
    paid: float
    paid_to_cheater: float
    clandestine_months: int
    capability_end_kg: float
    capability_peak_kg: float


@dataclass
class Draws:
    """The random numbers of n runs: types, stocks, rates and three uniforms a month."""

    u_type: np.ndarray
    stock: np.ndarray  # (M, n)
    rate_declared: np.ndarray  # (M, n)
    rate_hidden: np.ndarray  # (M, n)
    monthly: np.ndarray  # (T, 2, n): (decision and detection, act)


def draw(c: Compiled, rng: np.random.Generator, n: int) -> Draws:
    """Read the stream in the engine's order (types, stocks, facility rates, then months)."""
    p = c.production
    m = len(p.materials)
    u_type = rng.random(n)
    stock = np.zeros((m, n))
    for idx, est in p.stocks:
        stock[idx] += est.sample(rng, n)
    declared = np.zeros((m, n))
    hidden = np.zeros((m, n))
    for r in p.rates:
        (declared if r.declared else hidden)[r.material] += r.sample(rng, n)
    hidden += p.hidden_capacity_share * declared
    monthly = np.stack([rng.random((2, n)) for _ in range(c.months)])
    return Draws(u_type, stock, declared, hidden, monthly)


def act_level(c: Compiled, typ: int, decided: bool, step: int, u: float) -> int:
    """0 nothing, 1 statement, 2 declared, 3 verified."""
    if decided:
        level = 3 if u < c.decided_step else 1
    elif c.hard[step]:
        if u < c.hollow_hard[typ]:
            level = 2
        elif u < c.statement[typ]:
            level = 1
        else:
            level = 0
    elif u < c.verified_soft[typ]:
        level = 3
    elif u < c.declared_soft[typ]:
        level = 2
    elif u < c.statement[typ]:
        level = 1
    else:
        level = 0
    if not c.verifiable[step]:
        level = min(level, 2)
    return level


def reference_run(c: Compiled, d: Draws, i: int) -> RunResult:
    """Simulate run ``i`` of the draws ``d``."""
    u_type = d.u_type[i]
    if u_type < c.prior[0]:
        typ = 0
    elif u_type < c.prior[0] + c.prior[1]:
        typ = 1
    else:
        typ = 2
    stock = d.stock[:, i]
    rate_declared = d.rate_declared[:, i]
    rate_hidden = d.rate_hidden[:, i]
    rate_secret = c.clandestine_share[typ] * rate_hidden
    can_cheat = rate_secret.sum() > 0
    k = c.steps

    decided = typ == 0
    status = RUNNING
    end = c.months
    step = 0
    owed_hard = owed_soft = 0
    blocked = frozen = suspended = False
    paid = c.upfront
    paid_cheat = 0.0 if decided else c.upfront
    pressure = c.pressure * (1 - c.pressure_relief * paid)
    sustained = pressure
    stall = 0
    open_months = secret_months = 0

    def pay(share: float) -> None:
        nonlocal paid, paid_cheat
        paid += share
        if not decided:
            paid_cheat += share

    for t in range(c.months):
        month = t + 1
        u_fate, u_act = d.monthly[t, :, i]
        if status == RUNNING:
            # 1. decision
            hazard = (c.hazard_base + c.hazard_pressure * sustained) * (1 - c.dampening * paid)
            if not decided and u_fate < hazard:
                decided = True
            # 2. production
            cheating = False
            if not decided:
                if not frozen:
                    open_months += 1
                if can_cheat:
                    secret_months += 1
                    cheating = True
            # 3. detection: probability p given no decision this month, from the same uniform
            p = c.detection[t]
            if cheating and hazard <= u_fate < hazard + (1.0 - hazard) * p:
                if c.snap_back and not suspended:
                    suspended = True
                else:
                    status, end = BREAKDOWN, month
        if status == RUNNING:
            # 4. act
            progress = False
            if step < k:
                level = act_level(c, typ, decided, step, u_act)
                if level >= c.release_level:
                    progress = True
                    if level < 3:
                        if not c.verifiable[step]:
                            blocked = True
                        elif c.hard[step]:
                            owed_hard += 1
                        else:
                            owed_soft += 1
                    elif c.stops_production[step]:
                        frozen = True
                    if c.tranche[step] > 0 and not suspended:
                        pay(float(c.tranche[step]))
                    step += 1
            elif owed_hard + owed_soft > 0:
                if decided:
                    if u_act < c.decided_step:
                        progress = True
                        if owed_hard > 0:
                            owed_hard -= 1
                        else:
                            owed_soft -= 1
                elif owed_soft > 0 and u_act < c.verified_soft[typ]:
                    progress = True
                    owed_soft -= 1
            if c.scheduled[t] > 0 and not suspended:
                pay(float(c.scheduled[t]))
            # 5. outcomes
            if decided and step == k and owed_hard == 0 and owed_soft == 0 and not blocked:
                status, end = VERIFIED_CVID, month
                paid = 1.0
            else:
                stall = 0 if progress else stall + 1
                if stall >= c.stall_tolerance:
                    status, end = STALEMATE, month
        pressure = 1.0 if suspended else c.pressure * (1 - c.pressure_relief * paid)
        sustained += (pressure - sustained) / c.memory_months

    peak = stock + rate_declared * open_months + rate_secret * secret_months
    if status in (BREAKDOWN, STALEMATE):
        peak = peak + (rate_declared + rate_hidden) * (c.months - end)
    end_kg = 0.0 if status == VERIFIED_CVID else float(peak.sum())
    return RunResult(
        counterpart_type=typ,
        status=status,
        end_month=end,
        paid=paid,
        paid_to_cheater=paid_cheat,
        clandestine_months=secret_months,
        capability_end_kg=end_kg,
        capability_peak_kg=float(peak.sum()),
    )


def reference_runs(c: Compiled, rng: np.random.Generator, n: int) -> list[RunResult]:
    """``n`` runs reading ``rng`` in the engine's order."""
    d = draw(c, rng, n)
    return [reference_run(c, d, i) for i in range(n)]
