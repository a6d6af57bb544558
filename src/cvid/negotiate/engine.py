"""The Monte Carlo engine: one month a step, all runs of a block at once (the month itself is
compiled, :mod:`cvid.negotiate.kernel`; draws and summaries are numpy).

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

import numpy as np
from numpy.typing import NDArray

from cvid.negotiate.production import ProductionModel
from cvid.scenario import Estimate, StrategySpec

#: Runs per block: the unit of reproducibility and of memory (fixed; do not change lightly,
#: the numbers of a seed depend on it).
BLOCK_SIZE = 32_768

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

    Implementation: the per-run state lives in a few arrays; each month numpy draws the four
    uniforms of every run and :func:`cvid.negotiate.kernel.advance_month` (compiled) applies
    steps 1–9 to each run in turn, with the arithmetic of the scalar reference; capability is
    then computed from the month counts in numpy."""
    from cvid.negotiate import kernel as kn

    rng = block_generator(seed, block)
    ini = draw_initial(c, rng, n)
    typ = ini.typ
    t_max = c.months
    rate_secret = c.clandestine_share[typ] * ini.rate_hidden
    can_cheat = rate_secret.sum(axis=0) > 0
    typ_i = typ.astype(np.intp)
    starts = np.ascontiguousarray(ini.delayed_start, dtype=np.int64)
    n_later = int(starts.shape[0])
    expo = ini.exposure_month
    exposure_month = np.full(n, t_max + 1, np.int64) if expo is None else expo.astype(np.int64)

    istate = np.zeros((kn.INT_ROWS, n), np.int64)
    istate[kn.I_END] = t_max
    istate[kn.I_FIRST_BREAKDOWN : kn.I_FIRST_STALEMATE + 1] = t_max + 1
    flags = np.zeros((kn.FLAG_ROWS, n), bool)
    flags[kn.B_DECIDED] = typ == 0
    fstate = np.zeros((kn.FLOAT_ROWS, n))
    fstate[kn.F_PAID] = c.upfront
    fstate[kn.F_PAID_CHEAT] = np.where(typ == 0, 0.0, c.upfront)
    fstate[kn.F_SUSTAINED] = float(sum(c.instrument_share))  # as the reference sums it
    fstate[kn.F_P0 : kn.F_P2 + 1] = c.prior[:, None]
    levels = np.ones((c.instrument_share.size, n))
    open_l = np.zeros((n_later, n), np.int64)
    full_l = np.zeros((n_later, n), np.int64)
    reals = np.array(
        [
            c.decided_step, c.pressure, c.pressure_relief, c.memory_months, c.hazard_base,
            c.hazard_pressure, c.dampening, c.escalation_hazard, c.min_sincere, c.exposure_seen,
        ],
        dtype=np.float64,
    )  # fmt: skip
    ints = np.array(
        [
            c.steps, c.release_level, int(c.posterior_release), c.stall_tolerance,
            c.on_detection, c.renegotiation_months, int(expo is not None),
        ],
        dtype=np.int64,
    )  # fmt: skip
    lik_act = np.ascontiguousarray(c.act_likelihood())
    occupancy = np.zeros((len(OUTCOMES), t_max + 1), np.int64)
    posterior_sum = np.zeros((3, t_max + 1))
    occupancy[RUNNING, 0] = n
    posterior_sum[:, 0] = (
        fstate[kn.F_P0].sum(), fstate[kn.F_P1].sum(), fstate[kn.F_P2].sum()
    )  # fmt: skip
    counts = np.zeros(len(OUTCOMES), np.int64)
    month_posterior = np.zeros(3)
    ubuf = np.empty((4, n))
    consts = (
        c.instrument_share, c.instrument_kept, c.instrument_erosion, reals, ints, c.statement,
        c.declared_soft, c.verified_soft, c.hollow_hard, c.penalty, c.discount_goal,
        np.ascontiguousarray(c.cheat_prior), c.detection, c.detection_within_goal, c.hard,
        c.verifiable, c.stops_production, c.tranche, c.due_by, c.scheduled, c.deadline, lik_act,
    )  # fmt: skip
    ended = 0  # runs in verified CVID or conflict at the end of the last month
    for t in range(t_max):
        month = t + 1
        if ended == n:  # every run is over for good: nothing is drawn any more
            occupancy[:, month] = occupancy[:, month - 1]
            posterior_sum[:, month] = posterior_sum[:, month - 1]
            continue
        rng.random(out=ubuf)  # the same numbers as rng.random((4, n))
        kn.advance_month(
            t, ubuf, typ_i, can_cheat, ini.gain, starts, exposure_month, istate, flags, fstate,
            levels, open_l, full_l, counts, month_posterior, *consts,
        )  # fmt: skip
        occupancy[:, month] = counts
        posterior_sum[:, month] = month_posterior
        ended = int(counts[VERIFIED_CVID] + counts[CONFLICT])

    status = istate[kn.I_STATUS].astype(np.int8)
    end = istate[kn.I_END]
    secret_months = istate[kn.I_SECRET]
    open_months = istate[kn.I_OPEN]
    full_months = istate[kn.I_FULL]
    open_later, full_later = open_l, full_l

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
        end_month=end.astype(np.int16),
        paid=fstate[kn.F_PAID].copy(),
        paid_to_cheater=fstate[kn.F_PAID_CHEAT].copy(),
        clandestine_months=secret_months.astype(np.int16),
        detections=istate[kn.I_DETECTIONS].astype(np.int16),
        intelligence=flags[kn.B_INTELLIGENCE].copy(),
        clandestine_kg=sec,
        capability_end_kg=capability_end,
        capability_peak_kg=peak,
        posterior=fstate[kn.F_P0 : kn.F_P2 + 1].copy(),
        occupancy=occupancy,
        posterior_sum=posterior_sum,
        first_away=istate[kn.I_FIRST_BREAKDOWN : kn.I_FIRST_STALEMATE + 1].astype(np.int16),
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
