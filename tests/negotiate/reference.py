"""Scalar reference implementation of the negotiation model, one run at a time.

Written from the rules in the docstring of :mod:`cvid.negotiate.engine`, as plainly as
possible, for the tests: the engine (its compiled month, :mod:`cvid.negotiate.kernel`) must
agree with it exactly when both read the same random numbers (run by run), and in
distribution when they read independent ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cvid.negotiate.engine import (
    BREAKDOWN,
    CONFLICT,
    EXPOSED,
    RENEGOTIATE,
    RUNNING,
    SNAP_BACK,
    STALEMATE,
    VERIFIED_CVID,
    Compiled,
    Initial,
    draw_initial,
)
from cvid.negotiate.science import deterrence_threshold


@dataclass
class RunResult:
    """What one run ends with."""

    counterpart_type: int
    status: int
    end_month: int
    paid: float
    paid_to_cheater: float
    clandestine_months: int
    detections: int
    intelligence: bool  # exposed by intelligence outside the regime
    capability_end_kg: float
    capability_peak_kg: float
    posterior: tuple[float, float, float]
    #: month the run first entered breakdown, exposed and stalemate (months + 1: never)
    first_away: tuple[int, int, int]


def draws(c: Compiled, rng: np.random.Generator, n: int) -> tuple[Initial, np.ndarray]:
    """Read the stream in the engine's order: the initial draws, then four uniforms a month
    for every run (the engine stops drawing once no run is left going; the reference reads
    every month and uses the same numbers for the months the engine reads)."""
    ini = draw_initial(c, rng, n)
    monthly = np.stack([rng.random((4, n)) for _ in range(c.months)])
    return ini, monthly


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


def reference_run(c: Compiled, ini: Initial, monthly: np.ndarray, i: int) -> RunResult:
    """Simulate run ``i``."""
    typ = int(ini.typ[i])
    k = c.steps
    d = c.decided_step
    rate_secret = c.clandestine_share[typ] * ini.rate_hidden[:, i]
    can_cheat = rate_secret.sum() > 0
    gain = float(ini.gain[i])
    lik_act = c.act_likelihood()

    decided = typ == 0
    status, end = RUNNING, c.months
    step = owed_h = owed_s = 0
    blocked = frozen = suspended = escalated = False
    until = 0
    detections = 0
    intelligence = False
    paid = c.upfront
    paid_cheat = 0.0 if decided else c.upfront
    due = 0.0
    levels = [1.0] * len(c.instrument_share)
    sustained = float(sum(c.instrument_share))
    last_progress = 0
    open_m = secret_m = full_m = 0
    starts = [int(x) for x in ini.delayed_start[:, i]]
    open_l = [0] * len(starts)  # months each facility under construction produced, once built
    full_l = [0] * len(starts)
    post = [float(x) for x in c.prior]
    first = {BREAKDOWN: c.months + 1, EXPOSED: c.months + 1, STALEMATE: c.months + 1}

    for t in range(c.months):
        month = t + 1
        if status in (VERIFIED_CVID, CONFLICT):
            break
        u_dec, u_det, u_act, u_conf = (float(x) for x in monthly[t, :, i])
        talks = status == RUNNING
        # 1. pressure
        stock = 0.0
        for m, share in enumerate(c.instrument_share):
            if escalated:
                target = 1.0
            elif talks:
                target = (
                    c.pressure * (1 - c.pressure_relief * paid) if c.instrument_kept[m] else 0.0
                )
            else:
                target = c.pressure
            if target >= levels[m]:
                levels[m] = target
            else:
                levels[m] = max(target, levels[m] * (1 - c.instrument_erosion[m]))
            stock += share * levels[m]
        sustained += (stock - sustained) / c.memory_months
        # 2. decision
        h = min((c.hazard_base + c.hazard_pressure * sustained) * (1 - c.dampening * paid), 1.0)
        returned = False
        if not decided and u_dec < h:
            decided = True
            suspended = escalated = False
            if not talks:
                returned = True
                status = RUNNING
                last_progress = month
        talks = status == RUNNING
        away = not talks
        # 3. conflict
        if not decided and c.escalation_hazard > 0 and u_conf < c.escalation_hazard * stock:
            status, end = CONFLICT, month
            break
        # 4. production and cheating
        cheat = False
        if not decided:
            if talks:
                if not frozen:
                    open_m += 1
                    for f, s in enumerate(starts):
                        if month > s:
                            open_l[f] += 1
                stake = 0.0 if suspended else 1.0 - paid
                b = float(c.discount_goal[typ] * (c.penalty[typ] + stake))
                pg = float(c.detection_within_goal[t])
                # the deterrence condition of cvid.verify.games: cheat iff P < D/(D + B)
                cheat = can_cheat and gain > 0 and pg < deterrence_threshold(gain, b)
                if cheat:
                    secret_m += 1
            else:
                full_m += 1
                for f, s in enumerate(starts):
                    if month > s:
                        full_l[f] += 1
        # 5. detection: by the regime, or intelligence exposing the hidden facilities
        p = float(c.detection[t])
        exposed = (
            ini.exposure_month is not None
            and not decided
            and talks
            and month == int(ini.exposure_month[i])
        )
        detected = (cheat and u_det < p) or exposed
        intelligence = intelligence or exposed
        watched = talks
        if detected:
            detections += 1
            suspended = escalated = True
            leave = False
            if c.on_detection == RENEGOTIATE:
                until = month + c.renegotiation_months
            elif c.on_detection == SNAP_BACK:
                leave = detections >= 2
            else:
                leave = True
            if leave:
                status = BREAKDOWN if paid > 0 else EXPOSED
                end = month
                talks = False
                first[status] = min(first[status], month)
        # 6. acts
        lik = [1.0, 1.0, 1.0]
        progressed = False
        if talks and step < k:
            j = step
            level = act_level(c, typ, decided, j, u_act)
            lik = [float(x) for x in lik_act[j, level, :]]
            if level >= c.release_level:
                progressed = True
                if level < 3:
                    if not c.verifiable[j]:
                        blocked = True
                    elif c.hard[j]:
                        owed_h += 1
                    else:
                        owed_s += 1
                elif c.stops_production[j]:
                    frozen = True
                due += float(c.tranche[j])
                step += 1
                if decided and level == 3:
                    limit = min(int(c.due_by[t]), k)
                    power = d
                    extra = 0
                    while step < limit and c.verifiable[step]:
                        power *= d
                        if u_act < power:
                            if c.stops_production[step]:
                                frozen = True
                            due += float(c.tranche[step])
                            step += 1
                            extra += 1
                        else:
                            lik[0] *= 1 - d
                            break
                    if extra:
                        lik = [lik[0] * d**extra, 0.0, 0.0]
        elif talks and owed_h + owed_s > 0:
            oh0, os0 = owed_h, owed_s
            seen = "nothing"
            if decided:
                if u_act < d:
                    progressed = True
                    if owed_h > 0:
                        owed_h -= 1
                        seen = "hard"
                    else:
                        owed_s -= 1
                        seen = "soft"
            elif owed_s > 0 and u_act < c.verified_soft[typ]:
                progressed = True
                owed_s -= 1
                seen = "soft"
            p_und = [float(c.verified_soft[x]) if os0 > 0 else 0.0 for x in (1, 2)]
            if seen == "hard":
                lik = [d, 0.0, 0.0]
            elif seen == "soft":
                lik = [0.0 if oh0 > 0 else d, *p_und]
            else:
                lik = [1 - d, 1 - p_und[0], 1 - p_und[1]]
        if progressed:
            last_progress = month
        if talks:
            due += float(c.scheduled[t])
        # 7. beliefs
        post = [post[0] + h * (post[1] + post[2]), post[1] * (1 - h), post[2] * (1 - h)]
        if ini.exposure_month is not None and watched:
            for x in range(3):
                e = 0.0 if x == 0 else c.exposure_seen
                q_none = (1.0 - float(c.cheat_prior[x, t]) * p) * (1.0 - e)
                lik[x] *= 1.0 - q_none if detected else q_none
        elif p > 0 and watched:
            for x in range(3):
                q = float(c.cheat_prior[x, t]) * p
                lik[x] *= q if detected else 1 - q
        if away:
            lik[0] = 0.0
        if returned:
            lik[1] = lik[2] = 0.0
        new = [post[x] * lik[x] for x in range(3)]
        total = sum(new)
        if total > 0:
            post = [x / total for x in new]
        # 8. payment
        believed = not c.posterior_release or post[0] >= c.min_sincere
        if talks and not suspended and due > 0 and believed:
            paid += due
            if not decided:
                paid_cheat += due
            due = 0.0
        # 9. outcomes
        if talks and decided and step >= k and owed_h == 0 and owed_s == 0 and not blocked:
            status, end = VERIFIED_CVID, month
            paid = 1.0
        elif talks and month - max(last_progress, int(c.deadline[min(step, k)])) >= (
            c.stall_tolerance
        ):
            status, end = STALEMATE, month
            first[STALEMATE] = min(first[STALEMATE], month)
        if c.on_detection == RENEGOTIATE and suspended and until == month and not decided:
            suspended = escalated = False

    sec = rate_secret * secret_m
    peak = (
        ini.stock[:, i]
        + ini.rate_declared[:, i] * open_m
        + sec
        + (ini.rate_declared[:, i] + ini.rate_hidden[:, i]) * full_m
    )
    if status == VERIFIED_CVID:
        after = c.months - end
        kept = ini.u_hidden[i] < c.hidden_survival[end]
        hidden = ini.rate_hidden[:, i]
        hidden_unc = ini.rate_hidden_uncovered[:, i]
        kept_rate = hidden_unc + (hidden - hidden_unc if kept else 0.0)
        share_kept = np.divide(kept_rate, hidden, out=np.zeros_like(kept_rate), where=hidden > 0)
        cap = (
            ini.stock_uncovered[:, i]
            + ini.rate_declared_uncovered[:, i] * (open_m + after)
            + sec * share_kept
            + kept_rate * after
        )
        for f, s in enumerate(starts):
            cap = cap + ini.delayed_uncovered[f, :, i] * (
                open_l[f] + max(c.months - max(end, s), 0)
            )
    for f in range(len(starts)):
        peak = peak + ini.delayed[f, :, i] * (open_l[f] + full_l[f])
    if status != VERIFIED_CVID:
        cap = peak
    peak = np.maximum(peak, cap)
    return RunResult(
        counterpart_type=typ,
        status=status,
        end_month=end,
        paid=paid,
        paid_to_cheater=paid_cheat,
        clandestine_months=secret_m,
        detections=detections,
        intelligence=intelligence,
        capability_end_kg=float(cap.sum()),
        capability_peak_kg=float(peak.sum()),
        posterior=(post[0], post[1], post[2]),
        first_away=(first[BREAKDOWN], first[EXPOSED], first[STALEMATE]),
    )


def reference_runs(c: Compiled, rng: np.random.Generator, n: int) -> list[RunResult]:
    """``n`` runs reading ``rng`` in the engine's order."""
    ini, monthly = draws(c, rng, n)
    return [reference_run(c, ini, monthly, i) for i in range(n)]


__all__ = ["BREAKDOWN", "EXPOSED", "STALEMATE", "RunResult", "reference_runs"]
