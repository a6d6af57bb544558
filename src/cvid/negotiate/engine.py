"""The vectorized Monte Carlo engine: one month a step, all runs of a block at once.

A run is one negotiation against one counterpart. Each month, in this order:

1. *Decision.* A state that has not made the strategic decision makes it with the hazard
   ``h = (base + sensitivity × vulnerability × S) × (1 − dampening × paid)``, where ``S`` is
   the pressure averaged exponentially over ``pressure_memory_months`` and ``paid`` the share
   of the concession package received.
2. *Production.* Declared facilities produce until a step that stops them is verified or the
   state decides; an undecided state also produces in secret at ``clandestine_share`` of its
   hidden capacity (undeclared facilities plus ``hidden_capacity_share`` of the declared).
3. *Detection.* A month of secret production is detected with the month's detection
   probability p (from :mod:`cvid.verify`, times the strategy's ``detection_scale``). One
   uniform u serves steps 1 and 3: the state decides if u < h; otherwise its secret
   production is detected if h ≤ u < h + (1 − h)·p, which has probability p given no
   decision (the two events are as if drawn independently). Detection ends the run in
   breakdown, or (``snap-back``) restores full pressure and suspends concessions, a second
   detection ending the run.
4. *Act.* The counterpart acts on the step asked of it; the act reaches a level (nothing,
   statement, declared, verified) drawn from its type's chances (a decided state completes
   the step, verified, with ``decided_step_probability``). A step counts as done when the act
   reaches the strategy's ``release_on`` level, and its concessions are released (unless
   suspended after a detection); a step whose verification stops the declared production
   freezes it. Steps
   counted done without verification must be verified after the last step; an undecided
   state never lets a hard step be verified, and a step the agreement gives no means of
   verification can never be.
5. *Outcome.* All steps verified, by a state that has made the strategic decision (an
   undecided one keeps its hidden capacity): verified CVID (the whole package is paid,
   capability goes to zero). No step counted done for ``stall_tolerance_months``:
   stalemate. Otherwise the run goes on until the horizon. After a breakdown or stalemate
   the program produces at full capacity until the horizon.

Random numbers: each block of runs has its own stream from one ``numpy.random.SeedSequence``
(``SeedSequence(seed, spawn_key=(block,))``, the block-th child of ``SeedSequence(seed)``),
so results do not depend on how blocks are spread over processes. A block's stream is read
in a fixed order: one uniform per run for its type, the stocks and facility rates of every
run, then each month two uniforms (decision and detection, act) for every run of the block,
whether or not it is still going, until no run of the block is left. The strategies of one
simulation therefore face the same counterparts and the same luck (common random numbers),
which sharpens their comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cvid.negotiate.production import ProductionModel
from cvid.scenario import StrategySpec

#: Runs per block: the unit of reproducibility and of memory (fixed; do not change lightly,
#: the numbers of a seed depend on it).
BLOCK_SIZE = 32_768

#: Bins of the capability histograms (quantiles are read from them).
CAPABILITY_BINS = 1024
#: Bins of the concession-share histograms over [0, 1] (share resolution 0.001).
SHARE_BINS = 1000

RUNNING, VERIFIED_CVID, BREAKDOWN, STALEMATE = 0, 1, 2, 3
OUTCOMES: tuple[str, ...] = ("running", "verified_cvid", "breakdown", "stalemate")

LEVELS: dict[str, int] = {"statement": 1, "declared": 2, "verified": 3}


@dataclass(frozen=True)
class Compiled:
    """Everything numeric the engine needs for one strategy against one scenario."""

    months: int
    prior: NDArray[np.float64]  # (3,) sincere, time-buyer, hedger
    statement: NDArray[np.float64]  # (3,) chance an act reaches at least a statement
    declared_soft: NDArray[np.float64]  # (3,) ... at least a declared soft step
    verified_soft: NDArray[np.float64]  # (3,) ... a verified soft step
    hollow_hard: NDArray[np.float64]  # (3,) ... a declared (hollow) hard step
    clandestine_share: NDArray[np.float64]  # (3,)
    decided_step: float
    hazard_base: float
    hazard_pressure: float  # pressure_sensitivity × economic_vulnerability
    dampening: float
    memory_months: float
    hard: NDArray[np.bool_]  # (K,)
    verifiable: NDArray[np.bool_]  # (K,)
    stops_production: NDArray[np.bool_]  # (K,)
    tranche: NDArray[np.float64]  # (K,) share of the package released when step j is done
    upfront: float
    scheduled: NDArray[np.float64]  # (months,) share released by the calendar in month t+1
    release_level: int
    stall_tolerance: int  # months; a huge number for "never"
    snap_back: bool
    pressure: float
    pressure_relief: float
    detection: NDArray[np.float64]  # (months,)
    production: ProductionModel
    spec: StrategySpec
    step_ids: tuple[str, ...] = ()

    @property
    def steps(self) -> int:
        """Number of steps K."""
        return int(self.hard.shape[0])


@dataclass
class BlockSummary:
    """Mergeable summary of a set of runs (counts, sums and histograms; no per-run data)."""

    months: int
    materials: tuple[str, ...]
    capability_hi_kg: float
    capability_hi_sq: float
    runs: int = 0
    outcome_month: NDArray[np.int64] = field(init=False)  # (4, months + 1)
    outcome_by_type: NDArray[np.int64] = field(init=False)  # (3, 4)
    capability_end_hist: NDArray[np.int64] = field(init=False)
    capability_peak_hist: NDArray[np.int64] = field(init=False)
    sq_end_hist: NDArray[np.int64] = field(init=False)
    paid_hist: NDArray[np.int64] = field(init=False)
    paid_cheat_hist: NDArray[np.int64] = field(init=False)
    clandestine_hist: NDArray[np.int64] = field(init=False)
    #: per-block sums of per-run quantities, added exactly (math.fsum) when read, so that the
    #: totals do not depend on how blocks are grouped or in which order they are merged
    sums: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.months
        self.outcome_month = np.zeros((4, t + 1), np.int64)
        self.outcome_by_type = np.zeros((3, 4), np.int64)
        self.capability_end_hist = np.zeros(CAPABILITY_BINS, np.int64)
        self.capability_peak_hist = np.zeros(CAPABILITY_BINS, np.int64)
        self.sq_end_hist = np.zeros(CAPABILITY_BINS, np.int64)
        self.paid_hist = np.zeros(SHARE_BINS + 1, np.int64)
        self.paid_cheat_hist = np.zeros(SHARE_BINS + 1, np.int64)
        self.clandestine_hist = np.zeros(t + 1, np.int64)

    def merge(self, other: BlockSummary) -> BlockSummary:
        """Add ``other`` into this summary (same horizon and bins) and return self."""
        self.runs += other.runs
        self.outcome_month += other.outcome_month
        self.outcome_by_type += other.outcome_by_type
        self.capability_end_hist += other.capability_end_hist
        self.capability_peak_hist += other.capability_peak_hist
        self.sq_end_hist += other.sq_end_hist
        self.paid_hist += other.paid_hist
        self.paid_cheat_hist += other.paid_cheat_hist
        self.clandestine_hist += other.clandestine_hist
        for k, v in other.sums.items():
            self.sums.setdefault(k, []).extend(v)
        return self

    def total(self, key: str) -> float:
        """Exactly rounded sum of ``key`` over all runs (0 if absent)."""
        return math.fsum(self.sums.get(key, ()))


def empty_summary(c: Compiled) -> BlockSummary:
    """A summary of zero runs for ``c`` (the identity of :meth:`BlockSummary.merge`)."""
    return BlockSummary(
        months=c.months,
        materials=c.production.materials,
        capability_hi_kg=c.production.capability_bound_kg(c.months),
        capability_hi_sq=c.production.capability_bound_sq(c.months),
    )


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The random stream of block ``block``: child ``block`` of ``SeedSequence(seed)``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def block_sizes(runs: int) -> list[int]:
    """Sizes of the blocks that make up ``runs`` runs (all full but the last)."""
    full, rest = divmod(runs, BLOCK_SIZE)
    return [BLOCK_SIZE] * full + ([rest] if rest else [])


@dataclass
class Runs:
    """Per-run results of one block (used by the summary and by tests)."""

    counterpart_type: NDArray[np.int8]
    status: NDArray[np.int8]
    end_month: NDArray[np.int16]
    paid: NDArray[np.float64]
    paid_to_cheater: NDArray[np.float64]
    clandestine_months: NDArray[np.int16]
    capability_end_kg: NDArray[np.float64]  # (M, n)
    capability_peak_kg: NDArray[np.float64]  # (M, n)


def draw_initial(
    c: Compiled, rng: np.random.Generator, n: int
) -> tuple[NDArray[np.int8], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Counterpart types, stocks (M, n), declared and hidden monthly rates (M, n) of n runs."""
    u = rng.random(n)
    typ = (u >= c.prior[0]).astype(np.int8) + (u >= c.prior[0] + c.prior[1]).astype(np.int8)
    p = c.production
    m = len(p.materials)
    stock = np.zeros((m, n))
    for idx, est in p.stocks:
        stock[idx] += est.sample(rng, n)
    declared = np.zeros((m, n))
    hidden = np.zeros((m, n))
    for r in p.rates:
        (declared if r.declared else hidden)[r.material] += r.sample(rng, n)
    hidden += p.hidden_capacity_share * declared
    return typ, stock, declared, hidden


#: Bits of :attr:`StateTables.flags`.
STOPS, PAYS, DONE = 1, 2, 4


@dataclass(frozen=True)
class StateTables:
    """The negotiation state of a run as one integer, and what each state does.

    A state is (type, decided, step asked for, hard and soft steps owed verification,
    blocked): ``code = (((((2·type + decided)·(K+1) + step)·(H+1) + owed_hard)·(S+1)
    + owed_soft)·2 + blocked)`` with H hard and S soft steps. For each state: the chance
    that this month's act counts (``progress``) and that it is verified (``verified``), and
    whether it is verified CVID (``done``); the state after a decision (``decide``); and for
    each (state, verified) key = 2·code + verified after an act that counts: the next state,
    the share of the package paid and whether declared production stops.
    """

    progress: NDArray[np.float64]
    verified: NDArray[np.float64]
    done: NDArray[np.bool_]
    decide: NDArray[np.intp]
    next_state: NDArray[np.intp]
    share: NDArray[np.float64]
    stops: NDArray[np.bool_]
    flags: NDArray[np.int8]  # per key: STOPS | PAYS | DONE (the next state is verified CVID)

    def code(self, typ: NDArray[np.int8], decided: NDArray[np.bool_]) -> NDArray[np.intp]:
        """Codes of runs at the start: step 0, nothing owed, not blocked."""
        per_base = self.progress.shape[0] // 6
        return np.asarray((typ.astype(np.intp) * 2 + decided) * per_base, np.intp)


def state_tables(c: Compiled) -> StateTables:
    """Build :class:`StateTables` for ``c`` (vectorized over every state).

    While steps remain, an undecided state's act reaches a statement with ``statement``, at
    least a declared step with ``declared_soft`` (a soft step) or ``hollow_hard`` (a hard one,
    claimed without doing it), and a verified step with ``verified_soft`` (soft steps only); a
    decided state always speaks and completes the step, verified, with ``decided_step``. A step
    without means of verification is at most declared. Once every step is counted done, a
    decided state verifies an owed step (hard ones first) with ``decided_step``, an undecided
    one an owed soft step with ``verified_soft``.
    """
    k = c.steps
    n_hard = int(c.hard.sum())
    n_soft = k - n_hard
    hard = np.append(c.hard, False)
    verifiable = np.append(c.verifiable, True)
    stops = np.append(c.stops_production, False)
    tranche = np.append(c.tranche, 0.0)
    shape = (6, k + 1, n_hard + 1, n_soft + 1, 2)
    base, step, owed_h, owed_s, blocked = (a.ravel() for a in np.indices(shape))
    typ, dec = base // 2, (base % 2).astype(bool)

    def code(b: Any, j: Any, oh: Any, os_: Any, bl: Any) -> NDArray[np.intp]:
        oh = np.minimum(oh, n_hard)
        os_ = np.minimum(os_, n_soft)
        return np.asarray(
            (((b * (k + 1) + j) * (n_hard + 1) + oh) * (n_soft + 1) + os_) * 2 + bl, np.intp
        )

    in_steps = step < k
    hard_j = hard[step]
    ver_j = verifiable[step]
    t1 = np.where(dec, 1.0, c.statement[typ])
    t2 = np.where(dec, c.decided_step, np.where(hard_j, c.hollow_hard[typ], c.declared_soft[typ]))
    t3 = np.where(
        ver_j, np.where(dec, c.decided_step, np.where(hard_j, 0.0, c.verified_soft[typ])), 0.0
    )
    required = (t1, t2, t3)[c.release_level - 1]
    owe_s = owed_s > 0
    owe_any = owe_s | (owed_h > 0)
    final = np.where(dec, c.decided_step * owe_any, c.verified_soft[typ] * owe_s)
    progress = np.where(in_steps, required, final)
    verified = np.where(in_steps, t3, final)
    done = dec & (step == k) & (owed_h == 0) & (owed_s == 0) & (blocked == 0)
    decide = code(np.where(dec, base, base + 1), step, owed_h, owed_s, blocked)

    # after an act that counts, unverified (v = 0) or verified (v = 1)
    nxt = np.empty((base.size, 2), np.intp)
    share = np.zeros((base.size, 2))
    stop = np.zeros((base.size, 2), bool)
    take_hard = dec & (owed_h > 0)
    final_next = code(base, step, owed_h - take_hard, owed_s - (~take_hard & (owed_s > 0)), blocked)
    for v in (0, 1):
        later = (v == 0) & ver_j
        advanced = code(
            base,
            np.minimum(step + 1, k),
            owed_h + (later & hard_j),
            owed_s + (later & ~hard_j),
            blocked | ((v == 0) & ~ver_j),
        )
        nxt[:, v] = np.where(in_steps, advanced, final_next)
        share[:, v] = np.where(in_steps, tranche[step], 0.0)
        stop[:, v] = in_steps & (v == 1) & stops[step]
    next_state = nxt.ravel()
    flags = (
        np.where(stop.ravel(), STOPS, 0)
        | np.where(share.ravel() > 0, PAYS, 0)
        | np.where(done[next_state], DONE, 0)
    ).astype(np.int8)
    return StateTables(
        progress=progress,
        verified=verified,
        done=done,
        decide=decide,
        next_state=next_state,
        share=share.ravel(),
        stops=stop.ravel(),
        flags=flags,
    )


class _Runs:
    """Per-run state of the runs still being simulated (compacted as runs end)."""

    FIELDS: tuple[str, ...] = (
        "run", "state", "decided", "undecided", "frozen", "suspended", "paid", "paid_cheat",
        "pressure", "dev_base", "dev_month", "h_const", "h_var", "damp", "last_progress",
        "open_flag", "cheat_flag", "open_months", "secret_months", "t_progress", "t_verified",
        "status", "end",
    )  # fmt: skip

    def __init__(self, arrays: dict[str, NDArray[Any]]) -> None:
        for name in self.FIELDS:
            setattr(self, name, arrays[name])

    def keep(self, mask: NDArray[np.bool_]) -> None:
        """Drop the runs where ``mask`` is False."""
        idx = np.flatnonzero(mask)
        for name in self.FIELDS:
            setattr(self, name, getattr(self, name).take(idx))

    # declared for the type checker; set in __init__
    run: NDArray[np.intp]
    state: NDArray[np.intp]
    decided: NDArray[np.bool_]
    undecided: NDArray[np.bool_]
    frozen: NDArray[np.bool_]
    suspended: NDArray[np.bool_]
    paid: NDArray[np.float64]
    paid_cheat: NDArray[np.float64]
    pressure: NDArray[np.float64]
    dev_base: NDArray[np.float64]
    dev_month: NDArray[np.int32]
    h_const: NDArray[np.float64]
    h_var: NDArray[np.float64]
    damp: NDArray[np.float64]
    last_progress: NDArray[np.int32]
    open_flag: NDArray[np.bool_]
    cheat_flag: NDArray[np.bool_]
    open_months: NDArray[np.int16]
    secret_months: NDArray[np.int16]
    t_progress: NDArray[np.float64]
    t_verified: NDArray[np.float64]
    status: NDArray[np.int8]
    end: NDArray[np.int16]


def run_block(c: Compiled, seed: int, block: int, n: int) -> Runs:
    """Simulate the ``n`` runs of block ``block`` and return per-run results.

    The loop touches the runs still going with a handful of array operations a month; what
    changes rarely (a step counted done, a decision, a detection, an end) is handled on the
    few runs concerned, by index, and ended runs are dropped from the arrays from time to
    time. Sustained pressure is kept as its deviation from the current pressure, which decays
    by (1 − 1/memory) a month (only its product with the hazard's slope is updated monthly).
    The result is the same as evaluating the rules of the module docstring on every run every
    month (the scalar reference in the tests does that).
    """
    rng = block_generator(seed, block)
    typ, stock, rate_declared, rate_hidden = draw_initial(c, rng, n)
    t_max = c.months
    never = np.iinfo(np.int32).max
    decay = 1.0 - 1.0 / c.memory_months
    decay_power = decay ** np.arange(t_max + 1)

    rate_secret = c.clandestine_share[typ] * rate_hidden
    can_cheat = rate_secret.sum(axis=0) > 0

    tables = state_tables(c)

    decided = typ == 0
    undecided = ~decided
    p0 = c.pressure * (1.0 - c.pressure_relief * c.upfront)
    damp0 = 1.0 - c.dampening * c.upfront
    r = _Runs(
        {
            "run": np.arange(n),
            "state": tables.code(typ, decided),
            "decided": decided,
            "undecided": undecided,
            "frozen": np.zeros(n, bool),
            "suspended": np.zeros(n, bool),
            "paid": np.full(n, c.upfront),
            "paid_cheat": np.where(decided, 0.0, c.upfront),
            "pressure": np.full(n, p0),
            # sustained pressure minus current pressure: dev_base · decay^(t − dev_month)
            "dev_base": np.zeros(n),
            "dev_month": np.zeros(n, np.int32),
            # hazard = h_const + h_var, h_var = k·damp·deviation (decays with it); zero once
            # decided
            "h_const": np.where(undecided, damp0 * (c.hazard_base + c.hazard_pressure * p0), 0.0),
            "h_var": np.zeros(n),
            "damp": np.full(n, damp0),
            "last_progress": np.zeros(n, np.int32),
            "open_flag": undecided.copy(),
            "cheat_flag": undecided & can_cheat,
            # months of open and secret production run from month 1 to the month they stop
            "open_months": np.where(undecided, t_max, 0).astype(np.int16),
            "secret_months": np.where(undecided & can_cheat, t_max, 0).astype(np.int16),
            "t_progress": np.zeros(n),  # chance this month's act counts
            "t_verified": np.zeros(n),  # chance this month's act is verified
            "status": np.zeros(n, np.int8),
            "end": np.full(n, t_max, np.int16),
        }
    )
    out = {name: np.empty(n, getattr(r, name).dtype) for name in _OUTPUT_FIELDS}
    ended = 0  # runs ended since the arrays were last compacted
    going = n  # runs still going

    def flush(idx: NDArray[np.intp] | slice) -> None:
        where = r.run[idx]
        for name in _OUTPUT_FIELDS:
            out[name][where] = getattr(r, name)[idx]

    def refresh(idx: NDArray[np.intp], state: NDArray[np.intp]) -> None:
        """Give runs ``idx`` (all running) the state ``state`` and its act thresholds."""
        r.state[idx] = state
        r.t_progress[idx] = tables.progress[state]
        r.t_verified[idx] = tables.verified[state]

    def finish(idx: NDArray[np.intp], outcome: int, month: int) -> None:
        nonlocal ended, going
        r.open_months[idx[r.open_flag[idx]]] = month
        r.secret_months[idx[r.cheat_flag[idx]]] = month
        r.status[idx] = outcome
        r.end[idx] = month
        r.undecided[idx] = False
        r.open_flag[idx] = False
        r.cheat_flag[idx] = False
        r.t_progress[idx] = 0.0
        r.h_const[idx] = 0.0
        r.h_var[idx] = 0.0
        r.last_progress[idx] = never
        ended += idx.size
        going -= idx.size

    def check_done(idx: NDArray[np.intp], state: NDArray[np.intp], month: int) -> None:
        won = idx[tables.done[state]]
        if won.size:
            finish(won, VERIFIED_CVID, month)
            r.paid[won] = 1.0

    def set_pressure(idx: NDArray[np.intp], pressure: NDArray[np.float64], t: int) -> None:
        deviation = r.dev_base[idx] * decay_power[t - r.dev_month[idx]]
        sustained = r.pressure[idx] + deviation
        r.pressure[idx] = pressure
        r.dev_base[idx] = sustained - pressure
        r.dev_month[idx] = t
        damp = r.damp[idx] * r.undecided[idx]  # no hazard once decided
        r.h_const[idx] = damp * (c.hazard_base + c.hazard_pressure * pressure)
        r.h_var[idx] = damp * c.hazard_pressure * r.dev_base[idx]

    def pay(idx: NDArray[np.intp], share: NDArray[np.float64] | float, t: int) -> None:
        r.paid[idx] += share
        r.paid_cheat[idx] += np.where(r.decided[idx], 0.0, share)
        r.damp[idx] = 1.0 - c.dampening * r.paid[idx]
        set_pressure(
            idx,
            np.where(r.suspended[idx], 1.0, c.pressure * (1.0 - c.pressure_relief * r.paid[idx])),
            t,
        )

    everyone = np.arange(n)
    refresh(everyone, r.state)
    m = n
    hazard = np.empty(n)
    scratch = np.empty(n)
    event = np.empty(n, bool)
    u_all = np.empty((2, n))
    u = u_all
    for t in range(t_max):
        month = t + 1
        if going == 0:  # every run has ended: nothing reads the rest of the stream
            break
        # two uniforms a month for every run of the block, ended or not (common random
        # numbers: strategies face the same luck); only the runs still in the arrays use them
        rng.random((2, n), out=u_all)
        if m < n:
            np.take(u_all, r.run, axis=1, out=u)
        u_fate, u_act = u[0], u[1]

        # 1. strategic decision: h = (base + k·S)·(1 − dampening·paid), S = pressure + deviation
        np.add(r.h_const, r.h_var, out=hazard)
        np.less(u_fate, hazard, out=event)  # zero hazard once decided or ended
        if event.any():
            idx = np.flatnonzero(event)
            r.decided[idx] = True
            r.undecided[idx] = False
            r.h_const[idx] = 0.0
            r.h_var[idx] = 0.0
            r.open_months[idx[r.open_flag[idx]]] = month - 1
            r.secret_months[idx[r.cheat_flag[idx]]] = month - 1
            r.open_flag[idx] = False
            r.cheat_flag[idx] = False
            state = tables.decide[r.state[idx]]
            refresh(idx, state)
            check_done(idx, state, month)

        # 2. production runs on (months are counted when it stops)
        # 3. detection of secret production: h ≤ u < h + (1 − h)·p, i.e. probability p
        #    given no decision; u < h + p is the cheap superset tested on every run
        p_t = c.detection[t]
        if p_t > 0.0:
            np.add(hazard, p_t, out=scratch)
            np.less(u_fate, scratch, out=event)
            if event.any():
                idx = np.flatnonzero(event)
                idx = idx[r.cheat_flag[idx]]
                h, uf = hazard[idx], u_fate[idx]
                idx = idx[(uf >= h) & (uf < h + (1.0 - h) * p_t)]
                if c.snap_back:
                    again = r.suspended[idx]
                    finish(idx[again], BREAKDOWN, month)
                    first = idx[~again]
                    r.suspended[first] = True
                    set_pressure(first, np.ones(first.size), t)
                else:
                    finish(idx, BREAKDOWN, month)

        # 4. the counterpart's act
        np.less(u_act, r.t_progress, out=event)
        if event.any():
            idx = np.flatnonzero(event)
            key = r.state[idx] * 2 + (u_act[idx] < r.t_verified[idx])
            state = tables.next_state[key]
            r.last_progress[idx] = month
            refresh(idx, state)
            flags = tables.flags[key]
            if flags.any():  # a freeze verified, a tranche due, or verified CVID
                some = flags != 0
                sub, f, sub_key = idx[some], flags[some], key[some]
                stop = sub[(f & STOPS) != 0]
                r.frozen[stop] = True
                r.open_months[stop[r.open_flag[stop]]] = month
                r.open_flag[stop] = False
                due = (f & PAYS) != 0
                due &= ~r.suspended[sub]
                if due.any():
                    pay(sub[due], tables.share[sub_key[due]], t)
                won = sub[(f & DONE) != 0]
                if won.size:
                    finish(won, VERIFIED_CVID, month)
                    r.paid[won] = 1.0

        if c.scheduled[t] > 0.0:
            idx = np.flatnonzero((r.status == 0) & ~r.suspended)
            pay(idx, float(c.scheduled[t]), t)

        # 5. stalemate after too long without progress
        if month >= c.stall_tolerance:
            np.less_equal(r.last_progress, month - c.stall_tolerance, out=event)
        if month >= c.stall_tolerance and event.any():
            finish(np.flatnonzero(event), STALEMATE, month)

        r.h_var *= decay

        # drop ended runs once they are a third of the arrays
        if ended > max(1024, m // 3):
            alive = r.status == 0
            flush(np.flatnonzero(~alive))
            r.keep(alive)
            m = r.run.size
            hazard = np.empty(m)
            scratch = np.empty(m)
            event = np.empty(m, bool)
            u = np.empty((2, m))
            ended = 0

    flush(slice(None))
    status = out["status"]
    end = out["end"]
    open_months = out["open_months"]
    secret_months = out["secret_months"]
    after = np.where((status == BREAKDOWN) | (status == STALEMATE), t_max - end, 0)
    peak = stock + rate_declared * open_months + rate_secret * secret_months
    peak += (rate_declared + rate_hidden) * after
    capability_end = np.where(status == VERIFIED_CVID, 0.0, peak)
    return Runs(
        counterpart_type=typ,
        status=status,
        end_month=end,
        paid=out["paid"],
        paid_to_cheater=out["paid_cheat"],
        clandestine_months=secret_months,
        capability_end_kg=capability_end,
        capability_peak_kg=peak,
    )


#: Per-run state written out when runs are dropped and at the end.
_OUTPUT_FIELDS: tuple[str, ...] = (
    "status", "end", "paid", "paid_cheat", "open_months", "secret_months",
)  # fmt: skip


def summarize(c: Compiled, r: Runs) -> BlockSummary:
    """Reduce per-run results to a mergeable :class:`BlockSummary`."""
    s = empty_summary(c)
    n = int(r.status.shape[0])
    s.runs = n
    t = c.months
    np.add.at(s.outcome_month, (r.status.astype(np.intp), r.end_month.astype(np.intp)), 1)
    np.add.at(s.outcome_by_type, (r.counterpart_type.astype(np.intp), r.status.astype(np.intp)), 1)
    sq = c.production.significant_quantity_kg[:, None]
    cap_end = r.capability_end_kg.sum(axis=0)
    cap_peak = r.capability_peak_kg.sum(axis=0)
    sq_end = (r.capability_end_kg / sq).sum(axis=0) if sq.size else np.zeros(n)
    s.capability_end_hist += _hist(cap_end, s.capability_hi_kg)
    s.capability_peak_hist += _hist(cap_peak, s.capability_hi_kg)
    s.sq_end_hist += _hist(sq_end, s.capability_hi_sq)
    s.paid_hist += _share_hist(r.paid)
    s.paid_cheat_hist += _share_hist(r.paid_to_cheater)
    s.clandestine_hist += np.bincount(r.clandestine_months, minlength=t + 1)[: t + 1]
    s.sums = {
        "capability_end_kg": [float(cap_end.sum())],
        "capability_end_kg_sq": [float((cap_end**2).sum())],
        "capability_peak_kg": [float(cap_peak.sum())],
        "capability_end_sq": [float(sq_end.sum())],
        "paid": [float(r.paid.sum())],
        "paid_sq": [float((r.paid**2).sum())],
        "paid_to_cheater": [float(r.paid_to_cheater.sum())],
        "paid_to_cheater_sq": [float((r.paid_to_cheater**2).sum())],
        "runs_paid_to_cheater": [float((r.paid_to_cheater > 0).sum())],
        "clandestine_months": [float(r.clandestine_months.sum())],
    }
    for i, material in enumerate(c.production.materials):
        s.sums[f"capability_end_kg:{material}"] = [float(r.capability_end_kg[i].sum())]
    return s


def simulate_block(c: Compiled, seed: int, block: int, n: int) -> BlockSummary:
    """Simulate block ``block`` (``n`` runs) and summarize it."""
    return summarize(c, run_block(c, seed, block, n))


def _hist(x: NDArray[np.float64], hi: float) -> NDArray[np.int64]:
    """Histogram of non-negative ``x``: bin 0 holds exact zeros, bins 1.. split (0, hi]."""
    inner = CAPABILITY_BINS - 1
    scale = inner / hi if hi > 0.0 else 0.0
    idx = np.minimum((x * scale).astype(np.intp), inner - 1) + 1
    idx[x <= 0.0] = 0
    return np.bincount(idx, minlength=CAPABILITY_BINS)


def capability_bin_values(hi: float) -> NDArray[np.float64]:
    """The value each capability bin stands for: 0, then bin midpoints over (0, hi]."""
    inner = CAPABILITY_BINS - 1
    width = hi / inner if hi > 0.0 else 0.0
    return np.concatenate([[0.0], (np.arange(inner) + 0.5) * width])


def _share_hist(x: NDArray[np.float64]) -> NDArray[np.int64]:
    idx = np.clip(np.floor(x * SHARE_BINS + 1e-9).astype(np.intp), 0, SHARE_BINS)
    return np.bincount(idx, minlength=SHARE_BINS + 1)
