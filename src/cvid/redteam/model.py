"""Detection, material and payoff of every path against every allocation of inspection effort.

**The inspectorate's pure strategies.** A budget of E inspections a year
(``redteam.budget_inspections_per_year``, default the regime's routine plus challenge
inspections) is split between challenge inspections at suspect sites and routine inspections
at declared sites: allocation j sends c_j = min(Q, f_j·E) to challenge inspections, with
f_j = j/(n − 1) and Q the agreement's quota (``challenge_inspections_per_year``), and
r_j = E − c_j to routine inspections. The inspectorate mixes over these n allocations.

**Detection, as hazards** (survival S(t) = exp(−Λ(t)), Λ the sum over the path's parts, so
independent channels multiply their non-detection):

* an item at an undisclosed site, from the first deadline that covers it (τ months
  since): Λ = −ln(1 − F_j(τ)) + λ_NTM·τ, with F_j the chance that c_j challenge inspections
  a year find it within τ (:func:`cvid.verify.search_model`: persistent cueing from
  intelligence, people and documents, search without replacement among the candidate sites,
  evidence or its particle signature surviving notice and managed-access delay, site
  detection), λ_NTM = −ln(1 − national means a month); hidden items are at separate sites;
  a hidden facility with ``intelligence_exposure_per_month`` adds λ_I·t, t the months since
  the agreement's start (intelligence outside the regime, production or not; λ_I =
  −ln(1 − its mean));
* a hollow step, at its deadline, the check the commitment requires: one jump
  −ln(1 − d), d = 1 − Π(1 − d_m) over the commitment's verification methods that the
  provisions allow (on-site methods need some access, challenge inspections access to
  undeclared sites, interviews access to people, documents access to documents; d_m the
  site detection probability, the cueing from people or documents, or national means),
  and d = 0 when the methods cannot verify the commitment at all
  (:func:`cvid.verify.adequacy.verifiable`, the verification-adequacy table);
  afterwards, when an on-site method is allowed, routine inspections revisit: for a step on
  declared material or production the regime's monthly detection of a one-SQ diversion at
  r_j routine inspections a year — the MUF − D equilibrium, the diverter splitting the SQ
  between falsified items and MUF (:func:`cvid.verify.diversion_equilibrium` over one month,
  an inspection in the month with probability min(1, r_j/12)) —, else r_j/12 visits spread
  over the declared facilities, each detecting with the site detection probability; plus
  λ_NTM;
* a stall: certain at the stall deadline (an overdue step is overt).

**Payoff to the state** (units: all the agreement's concessions = 1, weighted by
``value_musd`` when every concession has one):
U = Σ_k v_k·[k collected]·S(R_k) + g·SQ·S(H) − B·(1 − S(H)), with R_k the month concession k
would be released (its month, after the steps it requires and the concessions before it),
collected when it comes before the stall; SQ the significant quantities the path keeps or
makes beyond what compliance leaves by the agreement's end; g =
``redteam.material_value_per_sq``; B = ``redteam.penalty``; H the agreement's duration plus
``redteam.followup_months`` (the regime keeps watching after the last deadline). Each term
falls as any hazard rises, so more verification never raises a path's payoff: the invariant
the provision values rest on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cvid.errors import InputError
from cvid.redteam.paths import ZERO, PathBlock, PathSpace, Rate, path_space
from cvid.scenario import Scenario
from cvid.verify import SearchModel, diversion_equilibrium, search_model
from cvid.verify.adequacy import verifiable as adequate
from cvid.verify.search import REACHING_ACCESS

FloatArray = NDArray[np.float64]

#: Hazard used for certain detection (a stall), large enough that exp(−BIG) is 0.
BIG = 700.0
#: Largest jump of a check (detection probability 1 − e^−50).
MAX_JUMP = 50.0

ONSITE_METHODS: frozenset[str] = frozenset(
    {
        "on-site-inspection",
        "environmental-sampling",
        "material-accountancy",
        "seals-and-surveillance",
        "removal-escort",
        "remote-monitoring",
    }
)


def _hazard(p: float) -> float:
    """−ln(1 − p), capped at MAX_JUMP."""
    if p >= 1.0:
        return MAX_JUMP
    return min(MAX_JUMP, -math.log1p(-p))


def method_detection(s: Scenario, method: str) -> float:
    """Chance that one check by ``method`` exposes a hollow step; 0 when the provisions do not
    allow the method (an adapter standing in for the lessons' verification-adequacy table)."""
    pr, v = s.agreement.provisions, s.verification
    if method in ONSITE_METHODS or method in ("chain-of-custody", "information-barrier"):
        return v.site_detection_probability if pr.access != "none" else 0.0
    if method == "challenge-inspection":
        return v.site_detection_probability if pr.access in REACHING_ACCESS else 0.0
    if method == "interviews":
        return v.cueing_from_people if pr.access_to_people else 0.0
    if method == "document-review":
        return v.cueing_from_documents if pr.access_to_documents else 0.0
    if method == "national-technical-means":
        return v.national_means_detection_per_month
    return 0.0


def verifiable(s: Scenario, commitment_id: str) -> bool:
    """True when the commitment's methods can verify it (the adequacy table of
    :mod:`cvid.verify.adequacy`) and some of them can expose a hollow claim under the
    agreement's provisions."""
    c = s.agreement.commitment(commitment_id)
    return adequate(s, c) and any(method_detection(s, m) > 0.0 for m in c.verification)


@dataclass(frozen=True)
class Allocations:
    """The inspectorate's pure strategies: inspections a year to challenge and routine."""

    budget: float
    quota: float
    challenge: FloatArray
    routine: FloatArray

    def to_list(self) -> list[dict[str, float]]:
        return [
            {"challenge_per_year": float(c), "routine_per_year": float(r)}
            for c, r in zip(self.challenge, self.routine, strict=True)
        ]


def allocations(s: Scenario, budget: float | None = None) -> Allocations:
    """The ``redteam.allocation_steps`` splits of the budget (module docstring)."""
    v, rt = s.verification, s.redteam
    if budget is None:
        budget = rt.budget_inspections_per_year
    if budget is None:
        budget = v.routine_inspections_per_year + v.challenge_inspections_per_year
    if not math.isfinite(budget) or budget < 0:
        raise InputError(
            f"the inspection budget must be a non-negative number of inspections a year, "
            f"got {budget:g}",
            field="redteam.budget_inspections_per_year",
        )
    quota = v.challenge_inspections_per_year
    f = np.linspace(0.0, 1.0, rt.allocation_steps)
    challenge = np.minimum(quota, f * budget)
    return Allocations(float(budget), float(quota), challenge, budget - challenge)


#: MUF − D equilibria already computed: the provisions the red team varies (access beyond
#: declared sites, people, documents, notice, challenge quota) do not change them.
_DIVERSION_CACHE: dict[tuple[Any, ...], tuple[float, tuple[object, ...]]] = {}


def _diversion_detection(s: Scenario, routine_per_year: float) -> float:
    """Detection of one SQ diverted within a month at ``routine_per_year`` inspections
    (:func:`cvid.verify.diversion_equilibrium`), cached on the inputs it reads."""
    v = s.verification
    keep = (v.material_balance, v.sampling, s.program)
    key = (
        *(id(x) for x in keep),
        v.timeliness_goal_months,
        s.agreement.provisions.access == "none",
        routine_per_year,
    )
    hit = _DIVERSION_CACHE.get(key)
    if hit is not None:
        return hit[0]
    regime = v.model_copy(update={"routine_inspections_per_year": routine_per_year})
    p = float(
        diversion_equilibrium(
            s.model_copy(update={"verification": regime}), 1.0
        ).detection_probability
    )
    if len(_DIVERSION_CACHE) > 4096:
        _DIVERSION_CACHE.clear()
    _DIVERSION_CACHE[key] = (p, keep)  # the objects are kept so that their ids stay theirs
    return p


@dataclass(frozen=True)
class Channels:
    """Hazards a month under each allocation (J,), and each step's check and revisit rates."""

    site_rate: FloatArray  # hazard of the first month a hidden item is searched for
    searches: tuple[SearchModel, ...]  # (J,) the search under each allocation
    ntm_rate: float
    declared_rate: FloatArray
    step_rate: FloatArray
    claim_jump: FloatArray  # (S,)
    revisit: FloatArray  # (S, J): ongoing hazard of each hollow step
    per_challenge_inspection: float
    check_probability: FloatArray  # (S,) d of each step's check
    #: (I,) hazard a month that intelligence exposes each hidden item, from the agreement's
    #: start: −ln(1 − mean) of a facility's intelligence_exposure_per_month, else 0
    exposure_rate: FloatArray = field(default_factory=lambda: np.zeros(0))


def channels(s: Scenario, space: PathSpace, alloc: Allocations) -> Channels:
    """Monthly hazards of every channel under every allocation (module docstring)."""
    v = s.verification
    ntm = _hazard(v.national_means_detection_per_month)
    searches = tuple(search_model(s, inspections_per_year=float(c)) for c in alloc.challenge)
    pi = float(searches[-1].per_visit()) if searches else 0.0
    site = np.array(
        [-math.log1p(-min(float(m.probability_within(1.0)), 1 - 1e-15)) for m in searches]
    )
    site = site + ntm
    p_div = np.array([_diversion_detection(s, float(r)) for r in alloc.routine])
    declared = -np.log1p(-np.minimum(p_div, 1.0 - 1e-15)) + ntm
    n_sites = max(1, sum(1 for f in s.program.facilities if f.declared))
    step = alloc.routine / 12.0 / n_sites * v.site_detection_probability + ntm
    jumps, checks, rows = [], [], []
    for st in space.steps:
        c = s.agreement.commitment(st.id)
        miss = 1.0
        for m in c.verification:
            miss *= 1.0 - method_detection(s, m)
        can_verify = adequate(s, c)
        d = 1.0 - miss if can_verify else 0.0
        checks.append(d)
        jumps.append(_hazard(d))
        onsite = can_verify and any(
            m in ONSITE_METHODS and method_detection(s, m) > 0 for m in c.verification
        )
        if not onsite:
            rows.append(np.full(alloc.challenge.shape, ntm))
        elif st.material:
            rows.append(declared)
        else:
            rows.append(step)
    n_j = alloc.challenge.shape[0]
    revisit = np.array(rows, dtype=np.float64).reshape(len(space.steps), n_j)
    facilities = {f.id: f for f in s.program.facilities}
    exposure = []
    for it in space.items:
        e = facilities[it.id].intelligence_exposure_per_month if it.kind == "facility" else None
        exposure.append(0.0 if e is None else _hazard(e.mean))
    return Channels(
        site_rate=np.asarray(site, dtype=np.float64),
        searches=searches,
        ntm_rate=ntm,
        declared_rate=np.asarray(declared, dtype=np.float64),
        step_rate=np.asarray(step, dtype=np.float64),
        claim_jump=np.array(jumps, dtype=np.float64),
        revisit=revisit,
        per_challenge_inspection=pi,
        check_probability=np.array(checks, dtype=np.float64),
        exposure_rate=np.array(exposure, dtype=np.float64),
    )


@dataclass(frozen=True)
class Concessions:
    """Each concession's id, weight (sums to 1, or all 0 when there are none) and the month
    R_k it would be released when every step comes on its deadline."""

    ids: tuple[str, ...]
    weight: FloatArray
    release: FloatArray
    weighted_by_value: bool


def concessions(s: Scenario) -> Concessions:
    """Release months and weights of the agreement's concessions (module docstring)."""
    a = s.agreement
    ids = tuple(k.id for k in a.concessions)
    deadline = {c.id: c.deadline_months for c in a.commitments}
    release: dict[str, float] = {}

    def month(k_id: str) -> float:
        if k_id in release:
            return release[k_id]
        k = next(x for x in a.concessions if x.id == k_id)
        r = float(k.month)
        if k.release_on in ("declared", "verified"):
            r = max([r, *(deadline[c] for c in k.requires)])
        r = max([r, *(month(p) for p in k.after)])
        release[k_id] = r
        return r

    rel = np.array([month(k) for k in ids], dtype=np.float64)
    values = [k.value_musd for k in a.concessions]
    by_value = bool(values) and all(v is not None for v in values)
    if by_value:
        w = np.array([v.mean for v in values if v is not None], dtype=np.float64)
        if w.sum() <= 0:
            by_value = False
    if not by_value:
        w = np.ones(len(ids), dtype=np.float64)
    w = w / w.sum() if w.size else w
    return Concessions(ids, w, rel, by_value)


@dataclass(frozen=True)
class Game:
    """One scenario variant ready for evaluation: its path space, allocations, channels,
    concessions and payoff parameters."""

    scenario: Scenario
    space: PathSpace
    alloc: Allocations
    ch: Channels
    conc: Concessions
    material_value: float
    penalty: float
    cache: dict[bytes, FloatArray] = field(default_factory=dict, compare=False, repr=False)

    @property
    def horizon(self) -> float:
        """The agreement's duration (months)."""
        return self.space.horizon

    @property
    def end(self) -> float:
        """End of the evaluation: the duration plus the follow-up months."""
        return self.space.horizon + self.scenario.redteam.followup_months


def build(s: Scenario, budget: float | None = None, space: PathSpace | None = None) -> Game:
    """The game of ``s`` (with an optional budget override)."""
    sp = path_space(s) if space is None else space
    alloc = allocations(s, budget)
    return Game(
        scenario=s,
        space=sp,
        alloc=alloc,
        ch=channels(s, sp, alloc),
        conc=concessions(s),
        material_value=s.redteam.material_value_per_sq,
        penalty=s.redteam.penalty,
    )


def cumulative_hazard(g: Game, paths: PathBlock, times: FloatArray) -> FloatArray:
    """Λ(t) of each path at each time under each allocation: shape (n, T, J)."""
    sp, ch = g.space, g.ch
    t = np.asarray(times, dtype=np.float64)
    n, n_t, n_j = len(paths), t.shape[0], g.alloc.challenge.shape[0]
    out = np.zeros((n, n_t, n_j))
    if sp.items:
        site = site_hazard(g, t)  # (I, T, J)
        out += (paths.hidden.astype(np.float64) @ site.reshape(len(sp.items), n_t * n_j)).reshape(
            n, n_t, n_j
        )
    if sp.steps:
        d = np.array([st.month for st in sp.steps])
        after = (t[None, :] >= d[:, None]).astype(np.float64)  # (S, T)
        h = paths.hollow.astype(np.float64)
        out += (h @ (ch.claim_jump[:, None] * after))[:, :, None]
        since = np.maximum(0.0, t[None, :] - d[:, None])  # (S, T)
        rev = since[:, :, None] * ch.revisit[:, None, :]  # (S, T, J)
        out += (h @ rev.reshape(len(sp.steps), n_t * n_j)).reshape(n, n_t, n_j)
    stalled = ~np.isnan(paths.stall)
    if stalled.any():
        hit = stalled[:, None] & (t[None, :] >= np.where(stalled, paths.stall, np.inf)[:, None])
        out += np.where(hit, BIG, 0.0)[:, :, None]
    return out


def first_breach(g: Game, paths: PathBlock) -> FloatArray:
    """(n,): the month each path first breaks the agreement (hidden item due, hollow claim or
    stall)."""
    sp = g.space
    out = np.where(np.isnan(paths.stall), np.inf, paths.stall)
    if sp.items:
        b = np.array([it.breach_month for it in sp.items])
        out = np.minimum(out, np.where(paths.hidden, b[None, :], np.inf).min(axis=1))
    if sp.steps:
        d = np.array([st.month for st in sp.steps])
        out = np.minimum(out, np.where(paths.hollow, d[None, :], np.inf).min(axis=1))
    return np.asarray(out, dtype=np.float64)


def site_hazard(g: Game, times: FloatArray) -> FloatArray:
    """(I, T, J): cumulative hazard of each hidden item at each time under each allocation,
    −ln(1 − F_j(τ)) + λ_NTM·τ + λ_I·t with τ the months since the item's breach, t since the
    agreement's start and λ_I the item's exposure by intelligence (cached per times)."""
    key = np.asarray(times, dtype=np.float64).tobytes()
    hit = g.cache.get(key)
    if hit is not None:
        return hit
    b = np.array([it.breach_month for it in g.space.items])
    tau = np.maximum(0.0, np.asarray(times)[None, :] - b[:, None])  # (I, T)
    exposed = g.ch.exposure_rate[:, None] * np.maximum(0.0, np.asarray(times))[None, :]
    out = np.empty((*tau.shape, len(g.ch.searches)))
    for j, m in enumerate(g.ch.searches):
        f = np.minimum(np.asarray(m.probability_within(tau), dtype=np.float64), 1.0 - 1e-15)
        out[:, :, j] = -np.log1p(-f) + g.ch.ntm_rate * tau + exposed
    if len(g.cache) > 64:
        g.cache.clear()
    g.cache[key] = out
    return out


def honest_delivered(g: Game, paths: PathBlock) -> NDArray[np.bool_]:
    """(n, S): steps delivered for real (before the stall, not hollow)."""
    d = np.array([st.month for st in g.space.steps])
    lim = np.where(np.isnan(paths.stall), np.inf, paths.stall)
    return (d[None, :] < lim[:, None]) & ~paths.hollow


def material_sq(
    g: Game, paths: PathBlock, at: float | None = None, which: str = "mid", unit: str = "sq"
) -> FloatArray:
    """Significant quantities (``unit="sq"``) or kg of direct-use material (``"kg"``, weapons
    left out) each path keeps or makes beyond compliance by month ``at`` (default: the
    horizon); ``which`` is low, mid or high."""
    sp = g.space
    t_end = sp.horizon if at is None else float(at)
    n = len(paths)
    total = np.zeros(n)
    step_ix = {st.id: j for j, st in enumerate(sp.steps)}
    item_ix = {it.id: i for i, it in enumerate(sp.items)}
    honest = honest_delivered(g, paths)
    d = np.array([st.month for st in sp.steps])
    from cvid.scenario import SIGNIFICANT_QUANTITY_KG

    for q in sp.producers:
        rate = getattr(q.kg_per_month, which)
        if unit == "sq":
            rate /= SIGNIFICANT_QUANTITY_KG[q.material]
        if rate == 0.0:
            continue
        comp = sp.compliance_stop[q.facility]
        stop = np.full(n, sp.horizon)
        for c_id in sp.stop_steps.get(q.facility, ()):
            j = step_ix.get(c_id)
            if j is not None:
                stop = np.where(honest[:, j], np.minimum(stop, d[j]), stop)
        if q.facility in item_ix:
            stop = np.where(paths.hidden[:, item_ix[q.facility]], sp.horizon, stop)
        made = np.clip(np.minimum(stop, t_end) - comp, 0.0, None)
        total += rate * made
    stocks = _stock_sq(g, which, unit)
    for sid, (full_sq, first) in stocks.items():
        kept = np.ones(n, dtype=bool)
        for c_id in sp.eliminate_steps.get(sid, ()):
            j = step_ix.get(c_id)
            if j is not None:
                kept &= ~honest[:, j]
        hidden_sq = np.zeros(n)
        if sid in item_ix:
            it = sp.items[item_ix[sid]]
            amount = getattr(it.sq if unit == "sq" else it.kg, which)
            hidden_sq = np.where(paths.hidden[:, item_ix[sid]], amount, 0.0)
        gain = np.where(kept, full_sq, hidden_sq)
        total += np.where(t_end >= first, gain, 0.0)
    # a stock that only has to be declared is kept under compliance too: hiding gains nothing
    return total


def _stock_sq(g: Game, which: str, unit: str = "sq") -> dict[str, tuple[float, float]]:
    """Stocks and weapons the agreement eliminates: (full SQ or kg, month first due)."""
    s, sp = g.scenario, g.space
    from cvid.scenario import SIGNIFICANT_QUANTITY_KG

    out: dict[str, tuple[float, float]] = {}
    due = {c.id: c.deadline_months for c in s.agreement.commitments}
    for m in s.program.materials:
        steps = sp.eliminate_steps.get(m.id)
        if (
            not steps
            or m.kind not in SIGNIFICANT_QUANTITY_KG
            or m.kind
            not in (
                "plutonium",
                "heu",
                "u233",
            )
        ):
            continue
        r = Rate(low=m.mass_kg.low, mid=m.mass_kg.mean, high=m.mass_kg.high)
        per = SIGNIFICANT_QUANTITY_KG[m.kind] if unit == "sq" else 1.0
        out[m.id] = (getattr(r, which) / per, min(due[c] for c in steps))
    for w in s.program.weapons:
        steps = sp.eliminate_steps.get(w.id)
        if not steps:
            continue
        r = Rate(low=w.count.low, mid=w.count.mean, high=w.count.high)
        r = r.scaled(s.redteam.weapon_sq)
        if unit == "kg":
            r = ZERO
        out[w.id] = (getattr(r, which), min(due[c] for c in steps))
    return out


def collected(g: Game, paths: PathBlock) -> NDArray[np.bool_]:
    """(n, K): concessions each path collects (released before its stall)."""
    lim = np.where(np.isnan(paths.stall), np.inf, paths.stall)
    return g.conc.release[None, :] < lim[:, None]


@dataclass(frozen=True)
class Evaluation:
    """Payoff and detection probability by the horizon of a block of paths: (n, J) each;
    the undetected gain (n,) and SQ (n,)."""

    payoff: FloatArray
    detection: FloatArray
    gain: FloatArray
    sq: FloatArray


def evaluate(g: Game, paths: PathBlock) -> Evaluation:
    """Payoff matrix rows of ``paths`` (module docstring)."""
    rel = g.conc.release
    times = np.unique(np.concatenate([rel, [g.end]]))
    lam = cumulative_hazard(g, paths, times)
    surv = np.exp(-lam)  # (n, T, J)
    col = collected(g, paths).astype(np.float64) * g.conc.weight[None, :]  # (n, K)
    idx = np.searchsorted(times, rel)
    end = surv[:, -1, :]
    sq = material_sq(g, paths)
    payoff = np.einsum("nk,nkj->nj", col, surv[:, idx, :]) if rel.size else np.zeros_like(end)
    payoff = payoff + g.material_value * sq[:, None] * end - g.penalty * (1.0 - end)
    gain = col.sum(axis=1) + g.material_value * sq
    return Evaluation(payoff, 1.0 - end, gain, sq)


def compliance_payoff(g: Game) -> float:
    """The benchmark: every step done, every concession collected, nothing kept."""
    return float(g.conc.weight.sum())
