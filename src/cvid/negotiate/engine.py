"""The vectorized Monte Carlo engine: one month a step, all runs of a block at once.

A run is one negotiation against one counterpart whose type (sincere, time-buyer, hedger) is
drawn from the prior; a sincere state has made the strategic decision, the others may make
it later. The run is in one of the states ``running`` (talks go on), ``exposed`` (we walked
away after detecting cheating before any concession was paid), ``breakdown`` (the same
after concessions were paid), ``stalemate`` (we walked away after a stall), ``verified_cvid``
(every step verified by a decided state; absorbing) or ``conflict`` (armed conflict under a
threat of force; absorbing). A state that makes the strategic decision after we walked away
comes back and talks resume. Each month, in this order:

1. *Pressure.* Each instrument i of the scenario's ``[pressure]`` table (one default
   instrument, share 1, erosion 0.02, when there is none) has a level L_i in [0, 1]
   (1 at the start). Its target is 1 after a detection (pressure restored and escalated),
   the strategy's ``pressure`` after we walked away, and during talks
   ``pressure × (1 − relief × paid)`` for instruments kept (0 for those eased when talks
   begin). L_i rises to its target at once and, above it, erodes by
   ``erosion_per_month`` a month toward it. The pressure stock is S = Σ share_i·L_i and the
   sustained pressure P̄ its exponential average over ``pressure_memory_months``.
2. *Decision.* An undecided state decides with hazard
   h = (base + sensitivity × vulnerability × P̄)·(1 − dampening × paid) (uniform u₁ < h).
3. *Conflict.* Under a strategy that threatens force, an undecided state ends in conflict
   with probability escalation_hazard × S (uniform u₄).
4. *Production and cheating.* During talks declared facilities produce until a verified
   step stops them (one under construction only once built, after its drawn
   ``operating_from_months``); an undecided state also runs ``clandestine_share`` of its hidden
   capacity in secret when this month's secret production pays: with P the chance of
   detection within the timeliness goal g, D its gain (drawn once per run) and
   B = δ^g·(penalty + concessions at stake) (the share not yet paid, unless suspended), it
   cheats iff P < D/(D + B), the inspection-game deterrence condition
   (:func:`cvid.negotiate.science.deterrence_threshold`). After we walked away the whole
   program, hidden capacity included, produces openly. A decided state produces nothing.
5. *Detection.* A month of secret production is detected with the month's probability p
   (uniform u₂ < p). Independently of the regime, intelligence exposes the hidden facilities
   of an undecided state in talks in its drawn exposure month (geometric, from the monthly
   chances of the facilities' ``intelligence_exposure_per_month``, whether or not they produce;
   a state that has decided is not exposed); an exposure counts as a detection. Concessions
   are suspended, pressure restored and escalated, the
   detection recorded; the strategy walks away (exposed if nothing was paid, else
   breakdown), snaps back (talks go on; the second detection walks away) or renegotiates
   (suspension and escalation for ``renegotiation_months``).
6. *Act.* During talks the counterpart acts on the step asked (uniform u₃): an undecided
   state reaches a statement, a declared step or (soft steps only) a verified one with its
   type's chances; a decided state completes the step, verified, with
   ``decided_step_probability`` and goes on with the next while each succeeds (u₃ < d^k for
   the k-th step of the month) up to every step due by the end of the month. A step counts
   when the act reaches ``release_on`` (``posterior``: a declared step); its concessions
   become due. Steps counted without verification are verified after the last step (a
   decided state one a month with chance d, hard ones first; an undecided one a soft one
   with its ``verified_step_probability``); a step without means of verification can never
   be. Calendar concessions become due in their month.
7. *Beliefs.* Our posterior over (decided, time-buyer, hedger) is carried forward by the
   hazard h (which we know, since we see pressure and payments) and updated by Bayes' rule
   with the likelihood of what we saw: the act's level, the extra steps, an owed step
   verified, a detection or none (using each type's share of cheaters with the whole
   package at stake and, for the undecided types, the chance of an exposure by intelligence,
   taken as 1 − Π(1 − mean chance) every month), a return to talks or none.
8. *Payment.* Due concessions are paid while not suspended and, under ``posterior``, while
   P(decided) ≥ ``min_sincere_probability``.
9. *Outcome.* A decided state with every step verified: verified CVID (the whole package is
   paid). No step counted for ``stall_tolerance_months`` counted from the later of the last
   progress and the deadline of the step now asked (the last deadline once every step has
   counted): stalemate. A counterpart is not stalling on a step that is not yet due.

At the horizon (or at conflict) capability is the stocks plus everything produced. After
verified CVID it is what the agreement did not cover: stocks and facilities that no
verified dismantlement, removal or destruction names (with their production to the
horizon), plus — with the chance that it stayed hidden (survival of the regime's search
over the months to completion, zero when a verified step exposed undeclared sites) —
the hidden capacity and its secret production.

Random numbers: each block of runs has its own stream from one ``numpy.random.SeedSequence``
(``SeedSequence(seed, spawn_key=(block,))``), read in a fixed order: one uniform per run for
its type, the stocks, each facility's rate, one uniform per run for its cheating gain and one
for whether hidden capacity survives, the month each declared facility under construction
would be built (only when there is one), the monthly chance of exposure by intelligence of
each hidden facility that states one and one uniform per run for the month it comes (only
when there is one), then four uniforms (u₁ decision, u₂ detection, u₃ act,
u₄ conflict) for every run each month until no run of the block is left going. The
strategies of one simulation therefore face the same counterparts and the same luck
(common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cvid.negotiate.production import ProductionModel
from cvid.scenario import Estimate, StrategySpec

#: Runs per block: the unit of reproducibility and of memory (fixed; do not change lightly,
#: the numbers of a seed depend on it).
BLOCK_SIZE = 32_768

#: Share of a block's runs in talks from which the month's steps in talks are computed for
#: every run in place rather than on the runs in talks gathered (speed only; same numbers).
DENSE_SHARE = 0.6

#: Bins of the capability histograms (quantiles are read from them).
CAPABILITY_BINS = 1024
#: Bins of the concession-share histograms over [0, 1] (share resolution 0.001).
SHARE_BINS = 1000

RUNNING, VERIFIED_CVID, BREAKDOWN, STALEMATE, EXPOSED, CONFLICT = 0, 1, 2, 3, 4, 5
OUTCOMES: tuple[str, ...] = (
    "running",
    "verified_cvid",
    "breakdown",
    "stalemate",
    "exposed",
    "conflict",
)
#: States in which the run is over for good.
ABSORBING: frozenset[int] = frozenset({VERIFIED_CVID, CONFLICT})
#: States a run may leave again (a state that decides after we walked away comes back); the
#: engine records the month each run first entered them.
WALKED_AWAY: tuple[int, ...] = (BREAKDOWN, EXPOSED, STALEMATE)

LEVELS: dict[str, int] = {"statement": 1, "declared": 2, "verified": 3}
WALK_AWAY, SNAP_BACK, RENEGOTIATE = 0, 1, 2
ON_DETECTION: dict[str, int] = {
    "breakdown": WALK_AWAY,
    "snap-back": SNAP_BACK,
    "renegotiate": RENEGOTIATE,
}


@dataclass(frozen=True)
class Compiled:
    """Everything numeric the engine needs for one strategy against one scenario."""

    months: int
    prior: NDArray[np.float64]  # (3,) sincere, time-buyer, hedger
    statement: NDArray[np.float64]  # (3,) chance an act reaches at least a statement
    declared_soft: NDArray[np.float64]  # (3,) ... at least a declared soft step
    verified_soft: NDArray[np.float64]  # (3,) ... a verified soft step
    hollow_hard: NDArray[np.float64]  # (3,) ... a declared (hollow) hard step
    clandestine_share: NDArray[np.float64]  # (3,) share of hidden capacity run when cheating
    gain_bounds: NDArray[np.float64]  # (3, 3) low, mode (NaN: uniform), high of the gain
    penalty: NDArray[np.float64]  # (3,) penalty beyond lost concessions (package units)
    discount_goal: NDArray[np.float64]  # (3,) δ^g
    cheat_prior: NDArray[np.float64]  # (3, months) negotiator's P(cheat | type)
    deterrence_thresholds: tuple[float, ...]  # D/(D+B) of each type's central state
    decided_step: float
    hazard_base: float
    hazard_pressure: float  # pressure_sensitivity × economic_vulnerability
    dampening: float
    memory_months: float
    hard: NDArray[np.bool_]  # (K,)
    verifiable: NDArray[np.bool_]  # (K,)
    stops_production: NDArray[np.bool_]  # (K,)
    tranche: NDArray[np.float64]  # (K,) share of the package due when step j counts
    upfront: float
    scheduled: NDArray[np.float64]  # (months,) share due by the calendar in month t+1
    due_by: NDArray[np.int64]  # (months,) steps due by the end of month t+1
    #: (K + 1,) month each step is due (ceil of its deadline); row K the last deadline
    deadline: NDArray[np.int64]
    release_level: int
    posterior_release: bool
    min_sincere: float
    stall_tolerance: int  # months; a huge number for "never"
    on_detection: int
    renegotiation_months: int
    pressure: float
    pressure_relief: float
    instrument_share: NDArray[np.float64]  # (I,)
    instrument_erosion: NDArray[np.float64]  # (I,)
    instrument_kept: NDArray[np.bool_]  # (I,) enforced during talks
    pressure_default: bool  # no [pressure] table: one default instrument
    escalation_hazard: float
    detection: NDArray[np.float64]  # (months,)
    detection_within_goal: NDArray[np.float64]  # (months,)
    production: ProductionModel
    stock_covered: NDArray[np.bool_]  # (stocks,)
    rate_covered: NDArray[np.bool_]  # (rates,)
    hidden_survival: NDArray[np.float64]  # (months + 1,)
    unreachable: tuple[str, ...]
    spec: StrategySpec
    step_ids: tuple[str, ...] = ()
    #: monthly chance, one estimate per undeclared facility that states one, that
    #: intelligence outside the regime exposes the facility (``intelligence_exposure_per_month``)
    exposure_rates: tuple[Estimate, ...] = ()
    #: the negotiator's model of that chance for an undecided state: 1 − Π(1 − mean)
    exposure_seen: float = 0.0

    @property
    def steps(self) -> int:
        """Number of steps K."""
        return int(self.hard.shape[0])

    def act_likelihood(self) -> NDArray[np.float64]:
        """(K + 1, 4, 3): chance of an act of level 0–3 on step j for a decided state, a
        time-buyer and a hedger (the posterior's likelihoods; row K is unused)."""
        k = self.steps
        out = np.zeros((k + 1, 4, 3))
        d = self.decided_step
        for j in range(k):
            top = 3 if self.verifiable[j] else 2
            out[j, top, 0] += d
            out[j, 1, 0] += 1.0 - d
            for typ in (1, 2):
                st = self.statement[typ]
                if self.hard[j]:
                    v, dec = 0.0, self.hollow_hard[typ]
                else:
                    v, dec = self.verified_soft[typ], self.declared_soft[typ]
                out[j, top, typ] += v
                out[j, 2, typ] += dec - v
                out[j, 1, typ] += st - dec
                out[j, 0, typ] += 1.0 - st
        return out


@dataclass
class BlockSummary:
    """Mergeable summary of a set of runs (counts, sums and histograms; no per-run data)."""

    months: int
    materials: tuple[str, ...]
    capability_hi_kg: float
    capability_hi_sq: float
    runs: int = 0
    outcome_month: NDArray[np.int64] = field(init=False)  # (O, months + 1) final state × entry
    occupancy: NDArray[np.int64] = field(init=False)  # (O, months + 1) runs in state by month
    #: (O, months + 1) runs that entered each state for the first time in each month (running:
    #: every run at month 0)
    first_entry: NDArray[np.int64] = field(init=False)
    posterior_sum: NDArray[np.float64] = field(init=False)  # (3, months + 1)
    outcome_by_type: NDArray[np.int64] = field(init=False)  # (3, O)
    unrewarded_by_type: NDArray[np.int64] = field(init=False)  # (3,) nothing paid while undecided
    capability_end_hist: NDArray[np.int64] = field(init=False)
    capability_peak_hist: NDArray[np.int64] = field(init=False)
    sq_end_hist: NDArray[np.int64] = field(init=False)
    secret_kg_hist: NDArray[np.int64] = field(init=False)  # (3, bins)
    secret_sq_hist: NDArray[np.int64] = field(init=False)  # (3, bins)
    paid_hist: NDArray[np.int64] = field(init=False)
    paid_cheat_hist: NDArray[np.int64] = field(init=False)
    clandestine_hist: NDArray[np.int64] = field(init=False)
    #: per-block sums of per-run quantities, added exactly (math.fsum) when read, so that the
    #: totals do not depend on how blocks are grouped or in which order they are merged
    sums: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t, o = self.months, len(OUTCOMES)
        self.outcome_month = np.zeros((o, t + 1), np.int64)
        self.occupancy = np.zeros((o, t + 1), np.int64)
        self.first_entry = np.zeros((o, t + 1), np.int64)
        self.posterior_sum = np.zeros((3, t + 1))
        self.outcome_by_type = np.zeros((3, o), np.int64)
        self.unrewarded_by_type = np.zeros(3, np.int64)
        self.capability_end_hist = np.zeros(CAPABILITY_BINS, np.int64)
        self.capability_peak_hist = np.zeros(CAPABILITY_BINS, np.int64)
        self.sq_end_hist = np.zeros(CAPABILITY_BINS, np.int64)
        self.secret_kg_hist = np.zeros((3, CAPABILITY_BINS), np.int64)
        self.secret_sq_hist = np.zeros((3, CAPABILITY_BINS), np.int64)
        self.paid_hist = np.zeros(SHARE_BINS + 1, np.int64)
        self.paid_cheat_hist = np.zeros(SHARE_BINS + 1, np.int64)
        self.clandestine_hist = np.zeros(t + 1, np.int64)

    _ARRAYS: tuple[str, ...] = (
        "outcome_month", "occupancy", "first_entry", "posterior_sum", "outcome_by_type",
        "unrewarded_by_type", "capability_end_hist", "capability_peak_hist", "sq_end_hist",
        "secret_kg_hist", "secret_sq_hist", "paid_hist", "paid_cheat_hist", "clandestine_hist",
    )  # fmt: skip

    def merge(self, other: BlockSummary) -> BlockSummary:
        """Add ``other`` into this summary (same horizon and bins) and return self."""
        self.runs += other.runs
        for name in self._ARRAYS:
            mine = getattr(self, name)
            mine += getattr(other, name)
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
class Initial:
    """The per-run draws made before month 1 (see the module docstring for their order)."""

    typ: NDArray[np.int8]
    stock: NDArray[np.float64]  # (M, n)
    stock_uncovered: NDArray[np.float64]  # (M, n)
    rate_declared: NDArray[np.float64]  # (M, n)
    rate_declared_uncovered: NDArray[np.float64]  # (M, n)
    rate_hidden: NDArray[np.float64]  # (M, n) undeclared facilities + hidden share
    rate_hidden_uncovered: NDArray[np.float64]  # (M, n) undeclared facilities nothing covers
    gain: NDArray[np.float64]  # (n,)
    u_hidden: NDArray[np.float64]  # (n,)
    #: declared facilities under construction: (F, M, n) rates, the part nothing covers,
    #: and (F, n) the month after which each produces
    delayed: NDArray[np.float64]
    delayed_uncovered: NDArray[np.float64]
    delayed_start: NDArray[np.int64]
    #: (n,) month in which intelligence would expose the hidden facilities (months + 1:
    #: not within the horizon); None when no facility states such a chance
    exposure_month: NDArray[np.int64] | None = None


def exposure_months(
    chance: NDArray[np.float64], u: NDArray[np.float64], months: int
) -> NDArray[np.int64]:
    """The first month of a run of monthly trials with success chance ``chance`` (geometric:
    P(month > t) = (1 − chance)^t), from one uniform ``u`` per run by inversion; capped at
    ``months`` + 1, which stands for "not within the horizon"."""
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.floor(np.log1p(-u) / np.log1p(-chance)) + 1.0
    m = np.where(chance >= 1.0, 1.0, np.where(chance <= 0.0, months + 1.0, m))
    return np.minimum(m, months + 1.0).astype(np.int64)


def draw_initial(c: Compiled, rng: np.random.Generator, n: int) -> Initial:
    """Types, stocks, facility rates, cheating gains and hidden-survival uniforms of n runs."""
    from cvid.negotiate.compile import gain_ppf

    u = rng.random(n)
    typ = (u >= c.prior[0]).astype(np.int8) + (u >= c.prior[0] + c.prior[1]).astype(np.int8)
    p = c.production
    m = len(p.materials)
    stock = np.zeros((m, n))
    stock_unc = np.zeros((m, n))
    for j, (idx, est) in enumerate(p.stocks):
        x = est.sample(rng, n)
        stock[idx] += x
        if not c.stock_covered[j]:
            stock_unc[idx] += x
    declared = np.zeros((m, n))
    declared_unc = np.zeros((m, n))
    hidden = np.zeros((m, n))
    hidden_unc = np.zeros((m, n))
    later = [j for j, r in enumerate(p.rates) if r.start is not None]
    delayed = np.zeros((len(later), m, n))
    delayed_unc = np.zeros((len(later), m, n))
    for j, r in enumerate(p.rates):
        x = r.sample(rng, n)
        if r.start is not None:
            f = later.index(j)
            delayed[f, r.material] = x
            if not c.rate_covered[j]:
                delayed_unc[f, r.material] = x
            continue
        (declared if r.declared else hidden)[r.material] += x
        if not c.rate_covered[j]:
            (declared_unc if r.declared else hidden_unc)[r.material] += x
    hidden += p.hidden_capacity_share * declared
    gain = gain_ppf(c.gain_bounds[typ], rng.random(n))
    u_hidden = rng.random(n)
    start = np.zeros((len(later), n), np.int64)
    for f, j in enumerate(later):
        built = p.rates[j].start
        assert built is not None
        start[f] = np.ceil(built.sample(rng, n)).astype(np.int64)
    exposure = None
    if c.exposure_rates:
        missed = np.ones(n)
        for e in c.exposure_rates:
            missed *= 1.0 - e.sample(rng, n)
        exposure = exposure_months(1.0 - missed, rng.random(n), c.months)
    return Initial(
        typ, stock, stock_unc, declared, declared_unc, hidden, hidden_unc, gain, u_hidden,
        delayed, delayed_unc, start, exposure,
    )  # fmt: skip


@dataclass
class Runs:
    """Per-run results of one block (used by the summary and by tests)."""

    counterpart_type: NDArray[np.int8]
    status: NDArray[np.int8]
    end_month: NDArray[np.int16]
    paid: NDArray[np.float64]
    paid_to_cheater: NDArray[np.float64]
    clandestine_months: NDArray[np.int16]
    detections: NDArray[np.int16]
    #: (n,) exposed by intelligence outside the regime (counted among the detections)
    intelligence: NDArray[np.bool_]
    clandestine_kg: NDArray[np.float64]  # (M, n)
    capability_end_kg: NDArray[np.float64]  # (M, n)
    capability_peak_kg: NDArray[np.float64]  # (M, n)
    posterior: NDArray[np.float64]  # (3, n) at the horizon
    #: (3, n) month each run first entered breakdown, exposed and stalemate (WALKED_AWAY
    #: order); months + 1 if it never did
    first_away: NDArray[np.int16]
    #: (O, months + 1) runs in each state at the end of each month; (3, months + 1) the sum of
    #: the posterior over runs
    occupancy: NDArray[np.int64]
    posterior_sum: NDArray[np.float64]


def run_block(c: Compiled, seed: int, block: int, n: int) -> Runs:
    """Simulate the ``n`` runs of block ``block`` by the rules of the module docstring.

    Implementation: each month the pressure, the decision and the conflict draw are computed
    for every run, then everything that only happens in talks (steps 4–9) on the runs in
    talks: what is read for each of them (the act's uniform and index, the beliefs) is
    gathered by index when fewer than ``DENSE_SHARE`` of the runs are in talks, else computed
    for every run in place with the others masked out; the rest of the per-run state (steps,
    owed steps, dues, payments, the stall clock, the choice to cheat) is kept for every run
    and changed by index where events happen. Every number is the same either way. The
    beliefs of a run away from talks move only in the month after it left (being away rules
    out a decided state); later months leave them as they are, as the rules do up to
    rounding (the one exception, a decided state away from talks under a decision hazard of
    exactly 1, needs decision_hazard_base + pressure_sensitivity × economic_vulnerability ≥
    1). State counts are kept as runs move."""
    rng = block_generator(seed, block)
    ini = draw_initial(c, rng, n)
    typ = ini.typ
    t_max = c.months
    k_steps = c.steps
    rate_secret = c.clandestine_share[typ] * ini.rate_hidden
    can_cheat = rate_secret.sum(axis=0) > 0
    gain = ini.gain
    share, erosion = c.instrument_share, c.instrument_erosion
    kept = c.instrument_kept[:, None]
    keep_factor = 1.0 - erosion[:, None]
    all_kept = bool(c.instrument_kept.all())
    d = c.decided_step
    deadline_ext = c.deadline
    tranche_ext = np.append(c.tranche, 0.0)
    stops_ext = np.append(c.stops_production, False)
    hard_ext = np.append(c.hard, False)
    verifiable_ext = np.append(c.verifiable, True)
    vs = c.verified_soft

    status = np.zeros(n, np.int8)
    end = np.full(n, t_max, np.int16)
    decided = typ == 0
    undecided = ~decided  # live and undecided
    live = np.ones(n, bool)  # not verified CVID nor conflict
    talks = np.ones(n, bool)  # status == RUNNING
    step = np.zeros(n, np.int64)
    owed_h = np.zeros(n, np.int64)
    owed_s = np.zeros(n, np.int64)
    done = np.full(n, k_steps == 0)  # step == K: every step has counted
    owing = np.zeros(n, bool)  # owed_h + owed_s > 0
    blocked = np.zeros(n, bool)
    frozen = np.zeros(n, bool)
    suspended = np.zeros(n, bool)
    escalated = np.zeros(n, bool)
    n_escalated = 0
    until = np.zeros(n, np.int64)  # month a renegotiation's suspension ends
    detections = np.zeros(n, np.int16)
    intelligence = np.zeros(n, bool)
    expo = ini.exposure_month
    if expo is not None:  # the runs to be exposed each month: expo_order[bounds[m]:bounds[m+1]]
        expo_order = np.argsort(expo, kind="stable")
        expo_bounds = np.searchsorted(expo[expo_order], np.arange(t_max + 3))
    first_away = np.full((len(WALKED_AWAY), n), t_max + 1, np.int16)
    paid = np.full(n, c.upfront)
    paid_cheat = np.where(decided, 0.0, c.upfront)
    # functions of paid, updated where it changes: the pressure target during talks and the
    # concessions' dampening of the decision hazard
    talk_target = c.pressure * (1.0 - c.pressure_relief * paid)
    dampf = 1.0 - c.dampening * paid  # (0 once a run has ended: no more decisions)
    due = np.zeros(n)
    dues = np.zeros(n, bool)  # due > 0 (set where due grows, cleared on payment)
    level = np.ones((share.size, n))
    simple_pressure = share.size == 1 and all_kept
    level0, kf0, share0 = level[0], float(keep_factor[0, 0]), float(share[0])
    stock_s = float(share.sum())
    sustained = np.full(n, stock_s)
    # the month from which a run in talks counts towards a stall: the later of its last
    # progress and the deadline of the step it is asked (kept where either changes)
    clock = np.full(n, max(0, int(deadline_ext[0])), np.int64)
    open_months = np.zeros(n, np.int16)
    # month counts are added up in int8 (bool + int8 needs no cast) and carried into the
    # int16 counts every 127 months and at the end
    open8 = np.zeros(n, np.int8)
    full8 = np.zeros(n, np.int8)
    secret_months = np.zeros(n, np.int16)
    full_months = np.zeros(n, np.int16)
    n_later = int(ini.delayed_start.shape[0])
    open_later = np.zeros((n_later, n), np.int16)  # the same, once each is built
    full_later = np.zeros((n_later, n), np.int16)
    p0 = np.full(n, float(c.prior[0]))
    p1 = np.full(n, float(c.prior[1]))
    p2 = np.full(n, float(c.prior[2]))
    # likelihood of what is seen of the owed steps: [type][seen * 2 + flag], seen 0 a hard
    # step verified, 1 a soft one, 2 nothing; flag: for a decided state a hard step is still
    # owed, for the others a soft one is
    final_lik = np.array(
        [
            [d, d, d, 0.0, 1.0 - d, 1.0 - d],
            *(
                [0.0, 0.0, v * False, v * True, 1.0 - v * False, 1.0 - v * True]
                for v in (float(vs[1]), float(vs[2]))
            ),
        ]
    )
    # per-run constants read during talks: the type's chances and terms are looked up from
    # the type; a state with nothing to produce in secret never gains from cheating
    typ_i = typ.astype(np.intp)
    gain_eff = np.where(can_cheat, gain, -np.inf)
    pen_r = c.penalty.take(typ_i)
    dg_r = c.discount_goal.take(typ_i)
    vs_r = vs.take(typ_i)
    # The act: with u₃ its uniform, the raw level is a count of thresholds passed,
    # (u₃ < T1) + (u₃ < T2) + (u₃ < T3), the thresholds looked up by kj = code·(K + 1) + step
    # (code 0 a decided state: 1, d, d, so 3 with chance d, else 1; code 1 or 2 an undecided
    # time-buyer or hedger: statement, declared (hollow for a hard step), verified (never for
    # a hard step)). The act's index a = 4·kj + raw level then reads everything that follows
    # from tables: the level is the raw one capped at 2 for a step that cannot be verified;
    # whether the step counts, is verified, owed, blocked, freezes production, leads a
    # decided state on; its tranche; the act's likelihood under each type (1 once every step
    # has counted, and for the entry ``no_act``: no act seen).
    code = np.where(decided, 0, typ_i)
    k1 = k_steps + 1
    kj = code * k1  # code·(K + 1) + step, kept where either changes
    thr = np.zeros((3, 3, k1))
    thr[0, 0] = 1.0  # u₃ < 1 always
    thr[0, 1] = d
    thr[0, 2] = d
    for x in (1, 2):
        thr[x, 0] = c.statement[x]
        thr[x, 1] = np.where(hard_ext, c.hollow_hard[x], c.declared_soft[x])
        thr[x, 2] = np.where(hard_ext, 0.0, vs[x])
    thr1, thr2, thr3 = thr.transpose(1, 0, 2).reshape(3, -1)  # by kj
    no_act = 3 * k1 * 4
    a_code, a_j, a_raw = (x.reshape(-1) for x in np.indices((3, k1, 4)))
    a_in = a_j < k_steps
    a_ver = verifiable_ext[a_j]
    a_hard = hard_ext[a_j]
    a_lvl = np.minimum(a_raw, 2 + a_ver)
    a_counted = a_in & (a_lvl >= c.release_level)
    a_verified = a_counted & (a_lvl == 3)
    a_unverified = a_counted & (a_lvl < 3)
    f_blocked, f_owed_h, f_owed_s, f_frozen, f_chain = 1, 2, 4, 8, 16
    act_flags = (
        f_blocked * (a_unverified & ~a_ver)
        + f_owed_h * (a_unverified & a_ver & a_hard)
        + f_owed_s * (a_unverified & a_ver & ~a_hard)
        + f_frozen * (a_verified & stops_ext[a_j])
        + f_chain * (a_verified & (a_code == 0))
    ).astype(np.int64)
    act_counts = np.append(a_counted, False)
    act_tranche = tranche_ext[a_j]
    lik_flat = c.act_likelihood().reshape(-1, 3)
    lik0, lik1, lik2 = (
        np.append(np.where(a_in, lik_flat[:, x].take(a_j * 4 + a_lvl), 1.0), 1.0) for x in range(3)
    )
    # the choice to cheat (the inspection-game deterrence condition), kept for every run for
    # the month's P(detection within the goal) and recomputed where its inputs change
    cheat_pg = float("nan")
    cheat_all = np.zeros(n, bool)
    # its two sides for the month's P (P·δ^g by run, and D·(1 − P) by run)
    cheat_lhs = np.zeros(n)
    cheat_rhs = np.zeros(n)

    def recheat(idx: NDArray[np.intp] | None) -> None:
        if idx is None:
            np.multiply(cheat_pg, dg_r, out=cheat_lhs)
            # a run that cannot cheat (gain −∞) under certain detection gives −∞ · 0 = NaN,
            # and NaN < x is False: it does not cheat, as it would not for any other P
            with np.errstate(invalid="ignore"):
                np.multiply(gain_eff, 1.0 - cheat_pg, out=cheat_rhs)
            stake_ = np.where(suspended, 0.0, 1.0 - paid)
            cheat_all[:] = (cheat_lhs * (pen_r + stake_) < cheat_rhs) & undecided
        elif idx.size:
            idx = idx[undecided[idx]]  # the others never cheat
            stake_ = np.where(suspended[idx], 0.0, 1.0 - paid[idx])
            cheat_all[idx] = cheat_lhs[idx] * (pen_r[idx] + stake_) < cheat_rhs[idx]

    cheat_q = c.cheat_prior * c.detection  # the negotiator's P(detected cheating | type)
    occupancy = np.zeros((len(OUTCOMES), t_max + 1), np.int64)
    posterior_sum = np.zeros((3, t_max + 1))
    counts = np.zeros(len(OUTCOMES), np.int64)
    counts[RUNNING] = n
    occupancy[:, 0] = counts
    posterior_sum[:, 0] = (p0.sum(), p1.sum(), p2.sum())
    ubuf = np.empty((4, n))
    # scratch arrays written with out= (allocating a fresh array costs as much as the
    # arithmetic): the hazard, the act's index, a threshold, and the beliefs' terms
    h_all = np.empty(n)
    act_buf = np.empty(n, np.int64)
    kk_buf = np.empty(n, np.int64)
    thr_buf = np.empty(n)
    fb = [np.empty(n) for _ in range(10)]
    tmp = np.empty(n)
    left = np.zeros(0, np.intp)  # runs that walked away last month (posterior still moves)
    none = np.zeros(0, np.intp)
    reneg = c.on_detection == RENEGOTIATE

    # the pressure target of each run (one instrument enforced in talks: kept up to date at
    # every event that changes it, i.e. a return, a detection, a payment, a stall, a decision
    # or a renegotiation's end)
    tgt = talk_target.copy()

    def retarget(idx: NDArray[np.intp]) -> None:
        if simple_pressure:
            tgt[idx] = np.where(
                escalated[idx], 1.0, np.where(talks[idx], talk_target[idx], c.pressure)
            )

    def move(idx: NDArray[np.intp], to: int) -> None:
        """Set the state of runs ``idx`` to ``to``, keeping the counts."""
        counts[:] -= np.bincount(status[idx], minlength=len(OUTCOMES))
        counts[to] += idx.size
        status[idx] = to

    for t in range(t_max):
        month = t + 1
        if counts[VERIFIED_CVID] + counts[CONFLICT] == n:
            occupancy[:, month] = occupancy[:, month - 1]
            posterior_sum[:, month] = posterior_sum[:, month - 1]
            continue
        rng.random(out=ubuf)  # the same numbers as rng.random((4, n))
        u_dec, u_det, u_act, u_conf = ubuf

        # 1. pressure stock: L = max(target, L·(1 − erosion)) (rises at once, erodes above)
        if simple_pressure:
            level0 *= kf0
            np.maximum(level0, tgt, out=level0)
            stock = level0 if share0 == 1.0 else share0 * level0
        else:
            target = np.where(talks, talk_target, c.pressure)[None, :]
            if not all_kept:
                target = target * np.where(talks[None, :], kept, True)
            if n_escalated:
                target = np.where(escalated[None, :], 1.0, target)
            level *= keep_factor
            np.maximum(level, target, out=level)
            stock = share @ level
        np.subtract(stock, sustained, out=tmp)
        tmp /= c.memory_months
        sustained += tmp

        # 2. strategic decision (the hazard the negotiator also knows)
        np.multiply(c.hazard_pressure, sustained, out=h_all)
        h_all += c.hazard_base
        h_all *= dampf  # 0 for an ended run: it keeps its posterior
        np.minimum(h_all, 1.0, out=h_all)
        decide = undecided & (u_dec < h_all)
        di = np.flatnonzero(decide)
        returned = none
        if di.size:
            returned = di[~talks[di]]
            decided[di] = True
            undecided[di] = False
            code[di] = 0
            kj[di] = step[di]
            cheat_all[di] = False
            if returned.size:
                move(returned, RUNNING)
                talks[returned] = True
                clock[returned] = np.maximum(
                    month, deadline_ext.take(np.minimum(step[returned], k_steps))
                )
            suspended[di] = False
            if n_escalated:
                escalated[di] = False
                n_escalated = int(np.count_nonzero(escalated))
            retarget(di)

        # 3. conflict under a threat of force
        if c.escalation_hazard > 0.0:
            wi = np.flatnonzero(undecided & (u_conf < c.escalation_hazard * stock))
            if wi.size:
                move(wi, CONFLICT)
                end[wi] = month
                h_all[wi] = 0.0
                dampf[wi] = 0.0
                live[wi] = False
                talks[wi] = False
                undecided[wi] = False
                cheat_all[wi] = False

        # 4. production (declared facilities in talks; the whole program after we walked away)
        open_now = talks & undecided
        open_now &= ~frozen
        open8 += open_now.view(np.int8)
        full_now = undecided & ~talks
        full8 += full_now.view(np.int8)
        if month % 127 == 0:
            open_months += open8
            full_months += full8
            open8[:] = 0
            full8[:] = 0
        if n_later:
            built = ini.delayed_start < month
            open_later += built & open_now
            full_later += built & full_now

        # the runs in talks: everything below happens to them only. The per-run state is
        # kept for every run and changed by index; what is read for every run in talks is
        # gathered when few runs are in talks, else computed for every run in place
        # ("dense": positions are runs; the runs outside talks see no act and keep their
        # beliefs).
        m = int(np.count_nonzero(talks))
        dense = m >= DENSE_SHARE * n
        ti = none if dense else np.flatnonzero(talks)
        outside = np.flatnonzero(~talks) if dense else none
        left_now = none
        if m:

            def g(a: NDArray[Any]) -> NDArray[Any]:
                return a if dense else a[ti]  # noqa: B023

            # the choice to cheat: the inspection-game deterrence condition
            pg = float(c.detection_within_goal[t])
            if pg != cheat_pg:
                cheat_pg = pg
                recheat(None)
            if dense:
                cpos = ci = np.flatnonzero(cheat_all & talks)
            else:
                cpos = np.flatnonzero(cheat_all[ti])  # positions among the runs in talks
                ci = ti[cpos]
            secret_months[ci] += 1

            # 5. detection: a month of secret production caught by the regime, or the
            # hidden facilities exposed by intelligence (an undecided state in talks)
            p_t = c.detection[t]
            dpos = lpos = dd = none
            if p_t > 0.0 and ci.size:
                hit = u_det[ci] < p_t
                dpos = cpos[hit]
                dd = ci[hit]
            if expo is not None:
                ei = expo_order[expo_bounds[month] : expo_bounds[month + 1]]
                ei = ei[talks[ei] & undecided[ei]]
                if ei.size:
                    intelligence[ei] = True
                    dd = np.union1d(dd, ei)
                    dpos = dd if dense else np.searchsorted(ti, dd)
            if dd.size:
                detections[dd] += 1
                suspended[dd] = True
                recheat(dd)
                escalated[dd] = True
                n_escalated = int(np.count_nonzero(escalated))
                if reneg:
                    until[dd] = month + c.renegotiation_months
                    leave = none
                elif c.on_detection == SNAP_BACK:
                    again = detections[dd] >= 2
                    leave, lpos = dd[again], dpos[again]
                else:
                    leave, lpos = dd, dpos
                if leave.size:
                    pl = paid[leave] > 0.0
                    broke, caught = leave[pl], leave[~pl]
                    move(broke, BREAKDOWN)
                    move(caught, EXPOSED)
                    end[leave] = month
                    first_away[0, broke] = np.minimum(first_away[0, broke], month)
                    first_away[1, caught] = np.minimum(first_away[1, caught], month)
                    talks[leave] = False
                    left_now = leave
                retarget(dd)

            # 6. acts (by the runs still in talks)
            # owed steps are verified once every step has counted
            fin = np.flatnonzero(talks & done & owing)
            ua = g(u_act)
            sz = n if dense else m
            kk = kj if dense else np.take(kj, ti, out=kk_buf[:sz])
            act = np.multiply(kk, 4, out=act_buf[:sz])
            tb = thr_buf[:sz]
            act += ua < thr1.take(kk, out=tb)
            act += ua < thr2.take(kk, out=tb)
            act += ua < thr3.take(kk, out=tb)
            act[lpos] = no_act  # walked away this month: no act
            act[outside] = no_act
            cj = np.flatnonzero(act_counts.take(act))
            cr = cj if dense else ti[cj]
            ext_i, ext_n, failed = none, none, none
            if cj.size:
                a_c = act[cj]
                flags = act_flags.take(a_c)
                nb = cr[(flags & f_blocked) != 0]
                if nb.size:
                    blocked[nb] = True
                oh_i = cr[(flags & f_owed_h) != 0]
                owed_h[oh_i] += 1
                os_i = cr[(flags & f_owed_s) != 0]
                owed_s[os_i] += 1
                owing[oh_i] = True
                owing[os_i] = True
                fz = cr[(flags & f_frozen) != 0]
                if fz.size:
                    frozen[fz] = True
                due[cr] += act_tranche.take(a_c)
                dues[cr] = due[cr] > 0.0
                step[cr] += 1
                kj[cr] += 1
                # a decided state goes on with the next verifiable steps due this month
                limit = min(int(c.due_by[t]), k_steps)
                on = (flags & f_chain) != 0
                chain, chain_r = cj[on], cr[on]
                power = d
                ext_parts: list[NDArray[np.intp]] = []
                fail_parts: list[NDArray[np.intp]] = []
                while chain.size:
                    sc_ = step[chain_r]
                    ok_ = (sc_ < limit) & verifiable_ext[np.minimum(sc_, k_steps)]
                    chain, chain_r = chain[ok_], chain_r[ok_]
                    if not chain.size:
                        break
                    power *= d
                    good_ = ua[chain] < power
                    fail_parts.append(chain[~good_])
                    chain, chain_r = chain[good_], chain_r[good_]
                    jj = step[chain_r]
                    fz2 = stops_ext[jj]
                    if fz2.any():
                        frozen[chain_r[fz2]] = True
                    due[chain_r] += tranche_ext[jj]
                    dues[chain_r] = due[chain_r] > 0.0
                    step[chain_r] += 1
                    kj[chain_r] += 1
                    ext_parts.append(chain)
                if ext_parts:  # nested: each part is within the one before
                    ext_i = ext_parts[0]
                    cnt = np.zeros(act.size, np.int64)
                    for part in ext_parts:
                        cnt[part] += 1
                    ext_n = cnt[ext_i]
                if fail_parts:
                    failed = np.concatenate(fail_parts)
                step_c = step[cr]
                done[cr] = step_c >= k_steps
                clock[cr] = np.maximum(month, deadline_ext.take(np.minimum(step_c, k_steps)))
            fi = fin if dense else np.searchsorted(ti, fin)
            if fin.size:
                oh0, os0 = owed_h[fin], owed_s[fin]
                dec_f, u_f = decided[fin], u_act[fin]
                fd = dec_f & (u_f < d)
                th = fd & (oh0 > 0)
                fu = ~dec_f & (os0 > 0) & (u_f < vs_r[fin])
                owed_h[fin] -= th
                owed_s[fin] -= (fd & ~th) | fu
                owing[fin] = (owed_h[fin] + owed_s[fin]) > 0
                pf = fin[fd | fu]
                clock[pf] = np.maximum(month, deadline_ext.take(np.minimum(step[pf], k_steps)))
            if c.scheduled[t] > 0.0:
                in_talks = np.flatnonzero(talks)
                due[in_talks] += c.scheduled[t]
                dues[in_talks] = due[in_talks] > 0.0

            # 7. beliefs: carry forward by the hazard, then Bayes' rule on what was seen
            bq0, bq1, bq2, bh, stay, c0, c1, c2, l0, l1 = (b[:sz] for b in fb)
            if dense:
                h_t, q0, q1, q2 = h_all, p0, p1, p2
            else:
                h_t = np.take(h_all, ti, out=bh)
                q0 = np.take(p0, ti, out=bq0)
                q1 = np.take(p1, ti, out=bq1)
                q2 = np.take(p2, ti, out=bq2)
            np.subtract(1.0, h_t, out=stay)
            np.add(q1, q2, out=c0)
            np.multiply(h_t, c0, out=c0)
            np.add(q0, c0, out=c0)
            np.multiply(q1, stay, out=c1)
            np.multiply(q2, stay, out=c2)
            lik0.take(act, out=l0)
            lik1.take(act, out=l1)
            l2 = lik2.take(act, out=stay)  # (stay is no longer needed)
            if ext_i.size:  # extra steps: impossible for an undecided state
                l0[ext_i] *= d**ext_n
                l1[ext_i] = 0.0
                l2[ext_i] = 0.0
            if failed.size:  # a decided state's chain stopped by a failure
                l0[failed] *= 1.0 - d
            if fin.size:
                # what was seen: 0 a hard step verified, 1 a soft one, 2 nothing
                seen = np.where(th, 0, np.where((fd & ~th) | fu, 1, 2))
                l0[fi] *= final_lik[0].take(seen * 2 + (oh0 > 0))
                soft_owed = os0 > 0
                l1[fi] *= final_lik[1].take(seen * 2 + soft_owed)
                l2[fi] *= final_lik[2].take(seen * 2 + soft_owed)
            if expo is not None:  # a detection or none, intelligence included
                for k_i, lk in ((0, l0), (1, l1), (2, l2)):
                    e_k = 0.0 if k_i == 0 else c.exposure_seen
                    q_none = (1.0 - float(cheat_q[k_i, t])) * (1.0 - e_k)
                    seen_det = lk[dpos] * (1.0 - q_none)
                    lk *= q_none
                    lk[dpos] = seen_det
            elif p_t > 0.0:  # a detection or none
                for k_i, lk in ((0, l0), (1, l1), (2, l2)):
                    q = float(cheat_q[k_i, t])
                    seen_det = lk[dpos] * q
                    lk *= 1.0 - q
                    lk[dpos] = seen_det
            if returned.size:  # came back: decided
                back = returned if dense else np.searchsorted(ti, returned)
                l1[back] = 0.0
                l2[back] = 0.0
            n0 = np.multiply(c0, l0, out=l0)
            n1 = np.multiply(c1, l1, out=l1)
            n2 = np.multiply(c2, l2, out=l2)
            total = np.add(n0, n1, out=bh)
            total += n2
            bad = np.flatnonzero(~(total > 0.0))  # an observation the model rules out: keep
            total[bad] = 1.0
            n0 /= total
            n1 /= total
            n2 /= total
            n0[bad], n1[bad], n2[bad] = c0[bad], c1[bad], c2[bad]
            if dense:
                if outside.size:
                    n0[outside], n1[outside], n2[outside] = p0[outside], p1[outside], p2[outside]
                # the new beliefs are the arrays themselves; the old ones become scratch
                fb[8], fb[9], fb[4] = p0, p1, p2
                p0, p1, p2 = n0, n1, n2
            else:
                p0[ti], p1[ti], p2[ti] = n0, n1, n2

            # 8. payment
            pi = np.flatnonzero(dues)
            pi = pi[talks[pi] & ~suspended[pi]]
            if c.posterior_release:
                pi = pi[p0[pi] >= c.min_sincere]
            if pi.size:
                amount = due[pi]
                paid[pi] += amount
                paid_cheat[pi] += np.where(decided[pi], 0.0, amount)
                due[pi] = 0.0
                dues[pi] = False
                paid_i = paid[pi]
                talk_target[pi] = c.pressure * (1.0 - c.pressure_relief * paid_i)
                dampf[pi] = 1.0 - c.dampening * paid_i
                retarget(pi)
                recheat(pi)

            # 9. outcomes
            won = talks & decided & done
            won &= ~owing
            won &= ~blocked
            wj = np.flatnonzero(won)
            if wj.size:
                move(wj, VERIFIED_CVID)
                end[wj] = month
                paid[wj] = 1.0
                talk_target[wj] = c.pressure * (1.0 - c.pressure_relief)
                dampf[wj] = 0.0
                talks[wj] = False
                live[wj] = False
            sj = none
            if c.stall_tolerance <= month:  # (month − clock ≥ tolerance needs it)
                sj = np.flatnonzero(talks & (clock <= month - c.stall_tolerance))
            if sj.size:
                move(sj, STALEMATE)
                end[sj] = month
                first_away[2, sj] = np.minimum(first_away[2, sj], month)
                talks[sj] = False
                retarget(sj)
                left_now = np.concatenate([left_now, sj]) if left_now.size else sj

        # beliefs of the runs that walked away last month and are still away: the act and
        # detection are not seen (no talks), and being away rules out a decided state
        if left.size:
            left = left[live[left] & ~talks[left]]
        if left.size:
            h_l = h_all[left]
            q0, q1, q2 = p0[left], p1[left], p2[left]
            stay = 1.0 - h_l
            c0 = q0 + h_l * (q1 + q2)
            c1 = q1 * stay
            c2 = q2 * stay
            total = c1 + c2
            ok = total > 0.0
            safe = np.where(ok, total, 1.0)
            p0[left] = np.where(ok, 0.0, c0)
            p1[left] = np.where(ok, c1 / safe, c1)
            p2[left] = np.where(ok, c2 / safe, c2)
        left = left_now

        if reneg and n_escalated:
            lift = np.flatnonzero(suspended & (until == month) & ~decided)
            suspended[lift] = False
            escalated[lift] = False
            recheat(lift)
            n_escalated = int(np.count_nonzero(escalated))
            retarget(lift)

        occupancy[:, month] = counts
        posterior_sum[:, month] = (p0.sum(), p1.sum(), p2.sum())

    open_months += open8
    full_months += full8

    # capability
    sec = rate_secret * secret_months
    peak = (
        ini.stock
        + ini.rate_declared * open_months
        + sec
        + (ini.rate_declared + ini.rate_hidden) * full_months
    )
    won = status == VERIFIED_CVID
    after = np.where(won, t_max - end, 0).astype(float)
    kept_hidden = ini.u_hidden < c.hidden_survival[np.where(won, end, 0)]
    hidden_cov = ini.rate_hidden - ini.rate_hidden_uncovered
    hidden_kept_rate = ini.rate_hidden_uncovered + np.where(kept_hidden, hidden_cov, 0.0)
    share_kept = np.divide(
        hidden_kept_rate, ini.rate_hidden, out=np.zeros_like(hidden_kept_rate),
        where=ini.rate_hidden > 0,
    )  # fmt: skip
    retained = (
        ini.stock_uncovered
        + ini.rate_declared_uncovered * (open_months + after)
        + sec * share_kept
        + hidden_kept_rate * after
    )
    for f in range(n_later):
        rate_f, unc_f = ini.delayed[f], ini.delayed_uncovered[f]
        peak = peak + rate_f * (open_later[f] + full_later[f])
        after_f = np.where(won, np.maximum(t_max - np.maximum(end, ini.delayed_start[f]), 0), 0)
        retained = retained + unc_f * (open_later[f] + after_f)
    capability_end = np.where(won, retained, peak)
    peak = np.maximum(peak, capability_end)  # uncovered items keep producing after completion
    return Runs(
        counterpart_type=typ,
        status=status,
        end_month=end,
        paid=paid,
        paid_to_cheater=paid_cheat,
        clandestine_months=secret_months,
        detections=detections,
        intelligence=intelligence,
        clandestine_kg=sec,
        capability_end_kg=capability_end,
        capability_peak_kg=peak,
        posterior=np.stack([p0, p1, p2]),
        occupancy=occupancy,
        posterior_sum=posterior_sum,
        first_away=first_away,
    )


def summarize(c: Compiled, r: Runs) -> BlockSummary:
    """Reduce per-run results to a mergeable :class:`BlockSummary`."""
    s = empty_summary(c)
    n = int(r.status.shape[0])
    s.runs = n
    t = c.months
    st = r.status.astype(np.intp)
    np.add.at(s.outcome_month, (st, r.end_month.astype(np.intp)), 1)
    np.add.at(s.outcome_by_type, (r.counterpart_type.astype(np.intp), st), 1)
    s.occupancy += r.occupancy
    s.first_entry[RUNNING, 0] += n
    for code in ABSORBING:
        s.first_entry[code] += s.outcome_month[code]
    for row, code in enumerate(WALKED_AWAY):
        s.first_entry[code] += np.bincount(r.first_away[row], minlength=t + 2)[: t + 1]
    s.posterior_sum += r.posterior_sum
    unrewarded = r.paid_to_cheater <= 0.0
    s.unrewarded_by_type += np.bincount(
        r.counterpart_type.astype(np.intp), weights=unrewarded, minlength=3
    ).astype(np.int64)
    sq = c.production.significant_quantity_kg[:, None]
    cap_end = r.capability_end_kg.sum(axis=0)
    cap_peak = r.capability_peak_kg.sum(axis=0)
    sq_end = (r.capability_end_kg / sq).sum(axis=0) if sq.size else np.zeros(n)
    secret_kg = r.clandestine_kg.sum(axis=0)
    secret_sq = (r.clandestine_kg / sq).sum(axis=0) if sq.size else np.zeros(n)
    s.capability_end_hist += _hist(cap_end, s.capability_hi_kg)
    s.capability_peak_hist += _hist(cap_peak, s.capability_hi_kg)
    s.sq_end_hist += _hist(sq_end, s.capability_hi_sq)
    for i in range(3):
        mine = r.counterpart_type == i
        s.secret_kg_hist[i] += _hist(secret_kg[mine], s.capability_hi_kg)
        s.secret_sq_hist[i] += _hist(secret_sq[mine], s.capability_hi_sq)
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
        "detections": [float(r.detections.sum())],
        "runs_detected": [float((r.detections > 0).sum())],
        "runs_exposed_by_intelligence": [float(r.intelligence.sum())],
    }
    for i, name in enumerate(("sincere", "time-buyer", "hedger")):
        mine = r.counterpart_type == i
        s.sums[f"clandestine_kg:{name}"] = [float(secret_kg[mine].sum())]
        s.sums[f"clandestine_sq:{name}"] = [float(secret_sq[mine].sum())]
        s.sums[f"clandestine_kg_sq:{name}"] = [float((secret_kg[mine] ** 2).sum())]
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
