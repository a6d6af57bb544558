"""The engine's month, compiled: every run of a block advanced by one month of the rules.

:func:`advance_month` applies steps 1–9 of :mod:`cvid.negotiate.engine`'s docstring to each
run in turn, in the order and with the arithmetic of the scalar reference
(tests/negotiate/reference.py), over per-run state arrays that persist from month to month.
It is compiled with numba (``cache=True``: compiled once per machine, kept beside this file);
the random numbers are drawn by numpy in :func:`cvid.negotiate.engine.run_block`, so the
streams do not depend on the compiler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

# the engine's state and detection codes (numba reads module globals as constants)
from cvid.negotiate.engine import (
    BREAKDOWN,
    CONFLICT,
    EXPOSED,
    RENEGOTIATE,
    RUNNING,
    SNAP_BACK,
    STALEMATE,
    VERIFIED_CVID,
)

F = TypeVar("F", bound=Callable[..., Any])

#: numba's decorator, typed for mypy (numba has no type information).
njit = cast(Callable[[F], F], numba.njit(cache=True, nogil=True, error_model="numpy"))


# indices of the state's integer rows (istate[row, run])
I_STATUS, I_END, I_STEP, I_OWED_H, I_OWED_S, I_UNTIL, I_DETECTIONS = 0, 1, 2, 3, 4, 5, 6
I_LAST, I_OPEN, I_SECRET, I_FULL = 7, 8, 9, 10
I_FIRST_BREAKDOWN, I_FIRST_EXPOSED, I_FIRST_STALEMATE = 11, 12, 13
INT_ROWS = 14
# indices of the state's flag rows (flags[row, run])
B_DECIDED, B_BLOCKED, B_FROZEN, B_SUSPENDED, B_ESCALATED, B_INTELLIGENCE = 0, 1, 2, 3, 4, 5
FLAG_ROWS = 6
# indices of the state's float rows (fstate[row, run])
F_PAID, F_PAID_CHEAT, F_DUE, F_SUSTAINED, F_P0, F_P1, F_P2 = 0, 1, 2, 3, 4, 5, 6
FLOAT_ROWS = 7


@njit
def _act_level(
    decided: bool,
    hard: bool,
    verifiable: bool,
    u: float,
    d: float,
    statement: float,
    declared_soft: float,
    verified_soft: float,
    hollow_hard: float,
) -> int:
    """0 nothing, 1 statement, 2 declared, 3 verified (the reference's act_level)."""
    if decided:
        level = 3 if u < d else 1
    elif hard:
        if u < hollow_hard:
            level = 2
        elif u < statement:
            level = 1
        else:
            level = 0
    elif u < verified_soft:
        level = 3
    elif u < declared_soft:
        level = 2
    elif u < statement:
        level = 1
    else:
        level = 0
    if not verifiable and level > 2:
        level = 2
    return level


@njit
def advance_month(
    t: int,
    u: NDArray[np.float64],  # (4, n): u₁ decision, u₂ detection, u₃ act, u₄ conflict
    typ: NDArray[np.intp],
    can_cheat: NDArray[np.bool_],
    gain: NDArray[np.float64],
    starts: NDArray[np.int64],  # (F, n)
    exposure_month: NDArray[np.int64],  # (n,)
    istate: NDArray[np.int64],  # (INT_ROWS, n)
    flags: NDArray[np.bool_],  # (FLAG_ROWS, n)
    fstate: NDArray[np.float64],  # (FLOAT_ROWS, n)
    levels: NDArray[np.float64],  # (I, n)
    open_l: NDArray[np.int64],  # (F, n)
    full_l: NDArray[np.int64],  # (F, n)
    counts: NDArray[np.int64],  # (O,) out: runs in each state at the end of the month
    posterior_sum: NDArray[np.float64],  # (3,) out
    share: NDArray[np.float64],
    kept: NDArray[np.bool_],
    erosion: NDArray[np.float64],
    reals: NDArray[np.float64],  # d, pressure, relief, memory, hazard base and pressure,
    # dampening, escalation, min sincere, exposure seen (as run_block packs them)
    ints: NDArray[np.int64],  # K, release level, posterior release, stall tolerance,
    # on detection, renegotiation months, exposure on (as run_block packs them)
    statement: NDArray[np.float64],
    declared_soft: NDArray[np.float64],
    verified_soft: NDArray[np.float64],
    hollow_hard: NDArray[np.float64],
    penalty: NDArray[np.float64],
    discount_goal: NDArray[np.float64],
    cheat_prior: NDArray[np.float64],  # (3, months)
    detection: NDArray[np.float64],  # (months,)
    detection_within_goal: NDArray[np.float64],
    hard: NDArray[np.bool_],  # (K,)
    verifiable: NDArray[np.bool_],
    stops: NDArray[np.bool_],
    tranche: NDArray[np.float64],
    due_by: NDArray[np.int64],  # (months,)
    scheduled: NDArray[np.float64],
    deadline: NDArray[np.int64],  # (K + 1,)
    lik_act: NDArray[np.float64],  # (K + 1, 4, 3)
) -> None:
    """Advance every run of the block from month ``t`` to month ``t + 1``."""
    d, pressure, relief, memory = reals[0], reals[1], reals[2], reals[3]
    hazard_base, hazard_pressure, dampening, escalation = reals[4], reals[5], reals[6], reals[7]
    min_sincere, exposure_seen = reals[8], reals[9]
    k, release_level, posterior_release = ints[0], ints[1], ints[2] != 0
    stall_tolerance, on_detection, renegotiation = ints[3], ints[4], ints[5]
    has_exposure = ints[6] != 0
    month = t + 1
    n = typ.shape[0]
    n_instruments = share.shape[0]
    n_later = starts.shape[0]
    p = detection[t]
    pg = detection_within_goal[t]
    counts[:] = 0
    s0 = s1 = s2 = 0.0
    for i in range(n):
        status = istate[I_STATUS, i]
        if status in (VERIFIED_CVID, CONFLICT):
            counts[status] += 1
            s0 += fstate[F_P0, i]
            s1 += fstate[F_P1, i]
            s2 += fstate[F_P2, i]
            continue
        u_dec, u_det, u_act, u_conf = u[0, i], u[1, i], u[2, i], u[3, i]
        x = typ[i]
        decided = flags[B_DECIDED, i]
        escalated = flags[B_ESCALATED, i]
        suspended = flags[B_SUSPENDED, i]
        paid = fstate[F_PAID, i]
        talks = status == RUNNING
        # 1. pressure
        stock = 0.0
        for m in range(n_instruments):
            if escalated:
                target = 1.0
            elif talks:
                target = pressure * (1.0 - relief * paid) if kept[m] else 0.0
            else:
                target = pressure
            level = levels[m, i]
            level = target if target >= level else max(target, level * (1.0 - erosion[m]))
            levels[m, i] = level
            stock += share[m] * level
        sustained = fstate[F_SUSTAINED, i]
        sustained += (stock - sustained) / memory
        fstate[F_SUSTAINED, i] = sustained
        # 2. decision
        h = min((hazard_base + hazard_pressure * sustained) * (1.0 - dampening * paid), 1.0)
        returned = False
        if not decided and u_dec < h:
            decided = True
            suspended = False
            escalated = False
            if not talks:
                returned = True
                status = RUNNING
                istate[I_LAST, i] = month
        talks = status == RUNNING
        away = not talks
        # 3. conflict
        if not decided and escalation > 0.0 and u_conf < escalation * stock:
            istate[I_STATUS, i] = CONFLICT
            istate[I_END, i] = month
            flags[B_DECIDED, i] = decided
            flags[B_SUSPENDED, i] = suspended
            flags[B_ESCALATED, i] = escalated
            counts[CONFLICT] += 1
            s0 += fstate[F_P0, i]
            s1 += fstate[F_P1, i]
            s2 += fstate[F_P2, i]
            continue
        # 4. production and cheating
        cheat = False
        if not decided:
            if talks:
                if not flags[B_FROZEN, i]:
                    istate[I_OPEN, i] += 1
                    for f in range(n_later):
                        if month > starts[f, i]:
                            open_l[f, i] += 1
                stake = 0.0 if suspended else 1.0 - paid
                # the deterrence condition P < D/(D + B), written P·B < D·(1 − P)
                b = discount_goal[x] * (penalty[x] + stake)
                cheat = can_cheat[i] and pg * b < gain[i] * (1.0 - pg)
                if cheat:
                    istate[I_SECRET, i] += 1
            else:
                istate[I_FULL, i] += 1
                for f in range(n_later):
                    if month > starts[f, i]:
                        full_l[f, i] += 1
        # 5. detection: by the regime, or intelligence exposing the hidden facilities
        exposed = has_exposure and not decided and talks and month == exposure_month[i]
        detected = (cheat and u_det < p) or exposed
        if exposed:
            flags[B_INTELLIGENCE, i] = True
        watched = talks
        if detected:
            detections = istate[I_DETECTIONS, i] + 1
            istate[I_DETECTIONS, i] = detections
            suspended = True
            escalated = True
            leave = False
            if on_detection == RENEGOTIATE:
                istate[I_UNTIL, i] = month + renegotiation
            elif on_detection == SNAP_BACK:
                leave = detections >= 2
            else:
                leave = True
            if leave:
                status = BREAKDOWN if paid > 0.0 else EXPOSED
                istate[I_END, i] = month
                talks = False
                row = I_FIRST_BREAKDOWN if status == BREAKDOWN else I_FIRST_EXPOSED
                istate[row, i] = min(istate[row, i], month)
        # 6. acts
        lik0 = lik1 = lik2 = 1.0
        progressed = False
        step = istate[I_STEP, i]
        owed_h = istate[I_OWED_H, i]
        owed_s = istate[I_OWED_S, i]
        due = fstate[F_DUE, i]
        if talks and step < k:
            j = step
            level_ = _act_level(
                decided, hard[j], verifiable[j], u_act, d, statement[x], declared_soft[x],
                verified_soft[x], hollow_hard[x],
            )  # fmt: skip
            lik0 = lik_act[j, level_, 0]
            lik1 = lik_act[j, level_, 1]
            lik2 = lik_act[j, level_, 2]
            if level_ >= release_level:
                progressed = True
                if level_ < 3:
                    if not verifiable[j]:
                        flags[B_BLOCKED, i] = True
                    elif hard[j]:
                        owed_h += 1
                    else:
                        owed_s += 1
                elif stops[j]:
                    flags[B_FROZEN, i] = True
                due += tranche[j]
                step += 1
                if decided and level_ == 3:
                    limit = min(due_by[t], k)
                    power = d
                    extra = 0
                    while step < limit and verifiable[step]:
                        power *= d
                        if u_act < power:
                            if stops[step]:
                                flags[B_FROZEN, i] = True
                            due += tranche[step]
                            step += 1
                            extra += 1
                        else:
                            lik0 *= 1.0 - d
                            break
                    if extra:
                        lik0 = lik0 * d ** float(extra)  # pow, as the reference's d**extra
                        lik1 = 0.0
                        lik2 = 0.0
        elif talks and owed_h + owed_s > 0:
            oh0, os0 = owed_h, owed_s
            seen = 2  # 0 a hard step verified, 1 a soft one, 2 nothing
            if decided:
                if u_act < d:
                    progressed = True
                    if owed_h > 0:
                        owed_h -= 1
                        seen = 0
                    else:
                        owed_s -= 1
                        seen = 1
            elif owed_s > 0 and u_act < verified_soft[x]:
                progressed = True
                owed_s -= 1
                seen = 1
            p_und1 = verified_soft[1] if os0 > 0 else 0.0
            p_und2 = verified_soft[2] if os0 > 0 else 0.0
            if seen == 0:
                lik0, lik1, lik2 = d, 0.0, 0.0
            elif seen == 1:
                lik0, lik1, lik2 = (0.0 if oh0 > 0 else d), p_und1, p_und2
            else:
                lik0, lik1, lik2 = 1.0 - d, 1.0 - p_und1, 1.0 - p_und2
        if progressed:
            istate[I_LAST, i] = month
        if talks:
            due += scheduled[t]
        # 7. beliefs
        q0, q1, q2 = fstate[F_P0, i], fstate[F_P1, i], fstate[F_P2, i]
        c0 = q0 + h * (q1 + q2)
        c1 = q1 * (1.0 - h)
        c2 = q2 * (1.0 - h)
        if has_exposure and watched:
            n0 = 1.0 - cheat_prior[0, t] * p
            n1 = (1.0 - cheat_prior[1, t] * p) * (1.0 - exposure_seen)
            n2 = (1.0 - cheat_prior[2, t] * p) * (1.0 - exposure_seen)
            if detected:
                lik0 *= 1.0 - n0
                lik1 *= 1.0 - n1
                lik2 *= 1.0 - n2
            else:
                lik0 *= n0
                lik1 *= n1
                lik2 *= n2
        elif p > 0.0 and watched:
            e0 = cheat_prior[0, t] * p
            e1 = cheat_prior[1, t] * p
            e2 = cheat_prior[2, t] * p
            if detected:
                lik0 *= e0
                lik1 *= e1
                lik2 *= e2
            else:
                lik0 *= 1.0 - e0
                lik1 *= 1.0 - e1
                lik2 *= 1.0 - e2
        if away:
            lik0 = 0.0
        if returned:
            lik1 = 0.0
            lik2 = 0.0
        m0, m1, m2 = c0 * lik0, c1 * lik1, c2 * lik2
        total = m0 + m1 + m2
        if total > 0.0:
            c0, c1, c2 = m0 / total, m1 / total, m2 / total
        fstate[F_P0, i], fstate[F_P1, i], fstate[F_P2, i] = c0, c1, c2
        # 8. payment
        believed = not posterior_release or c0 >= min_sincere
        if talks and not suspended and due > 0.0 and believed:
            paid += due
            if not decided:
                fstate[F_PAID_CHEAT, i] += due
            due = 0.0
        # 9. outcomes
        if (
            talks and decided and step >= k and owed_h == 0 and owed_s == 0
            and not flags[B_BLOCKED, i]
        ):  # fmt: skip
            status = VERIFIED_CVID
            istate[I_END, i] = month
            paid = 1.0
        elif talks and month - max(istate[I_LAST, i], deadline[min(step, k)]) >= stall_tolerance:
            status = STALEMATE
            istate[I_END, i] = month
            istate[I_FIRST_STALEMATE, i] = min(istate[I_FIRST_STALEMATE, i], month)
        if (
            on_detection == RENEGOTIATE
            and suspended
            and istate[I_UNTIL, i] == month
            and not decided
        ):
            suspended = False
            escalated = False
        istate[I_STATUS, i] = status
        istate[I_STEP, i] = step
        istate[I_OWED_H, i] = owed_h
        istate[I_OWED_S, i] = owed_s
        fstate[F_DUE, i] = due
        fstate[F_PAID, i] = paid
        flags[B_DECIDED, i] = decided
        flags[B_SUSPENDED, i] = suspended
        flags[B_ESCALATED, i] = escalated
        counts[status] += 1
        s0 += c0
        s1 += c1
        s2 += c2
    posterior_sum[0] = s0
    posterior_sum[1] = s1
    posterior_sum[2] = s2
