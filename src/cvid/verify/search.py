"""Undeclared-site search: the chance that challenge inspections find a clandestine facility.

Model (cvid's; the structure follows the search-and-access analyses of Avenhaus, Canty et
al. for the Additional Protocol and the Chemical Weapons Convention):

* Challenge inspections come at random times, a Poisson process of rate λ a year, so the state
  cannot time its activity around them: N(T) ~ Poisson(λT/12) inspections in T months.
* **Cueing is persistent**: in a given history intelligence (with interviews and records, when
  inspectors may use them) either knows the site or it does not. With probability c it does,
  and every challenge inspection goes there; otherwise inspectors search the K candidate
  sites **without replacement** (a site inspected and found clean is not revisited), so the
  true site is the J-th visited with J uniform on 1..K. (``replacement=True`` gives the older
  picture of a fresh random draw per inspection.)
* The state gets the notice time plus, under managed access, the access delay; the evidence is
  still there when inspectors arrive if its signature outlasts that delay:
  s = P(T_conceal > t_notice + t_delay), T_conceal from the regime's estimate (or from the
  activity's signature persistence, :data:`SIGNATURE_PERSISTENCE_HOURS`).
* At the right, uncleaned site inspectors find evidence with probability p_d; one visit
  detects with π = s·p_d.

Closed forms, T months, λ a year:

* cued (intelligence knows the site): F_c(T) = 1 − exp(−λ·π·T/12) (Poisson thinning);
* uncued, without replacement: F_u(T) = π·E[min(N(T), K)]/K, with
  E[min(N, K)] = Σ_{k=1}^{K} P(N ≥ k); with replacement F_u(T) = 1 − exp(−λ·π·T/(12K));
* P(found within T) = c·F_c(T) + (1 − c)·F_u(T).

The older model redrew the cue at every inspection, q = c + (1 − c)/K per visit, which lets
every history benefit from intelligence and so overstates the search (about 1.00 instead of
0.59 for ``dprk-2018-libya-model``); it is kept as :meth:`SearchModel.redrawn_probability_within`
for comparison. Inspectors without access to undeclared sites ("declared-sites-only",
"none") never reach the facility: π = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import poisson

from cvid.errors import InputError
from cvid.verify.sampling import check_probability

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Access regimes under which challenge inspections can reach an undeclared site.
REACHING_ACCESS: frozenset[str] = frozenset({"anywhere-anytime", "managed"})

#: Hours a signature of each activity survives clean-up when inspectors take environmental
#: samples (low, high). Uranium and plutonium particles persist for years: IAEA environmental
#: sampling found HEU particles at Kalaye Electric in 2003 although Iran had renovated the
#: workshop (IAEA GOV/2003/75, 10 November 2003); Donohue, "Strengthening IAEA safeguards
#: through environmental sampling and analysis", J. Alloys Compd. 271–273 (1998) 11–18.
#: The 2–10 year range is cvid's judgement from those reports. Activities without such a
#: particle signature keep the regime's ``concealment_time_hours`` (cleaned up in days).
SIGNATURE_PERSISTENCE_HOURS: dict[str, tuple[float, float]] = {
    "enrichment": (2 * 8766.0, 10 * 8766.0),
    "reprocessing": (2 * 8766.0, 10 * 8766.0),
    "conversion": (2 * 8766.0, 10 * 8766.0),
    "fuel-fabrication": (2 * 8766.0, 10 * 8766.0),
}


def signature_persistence(
    activity: str, environmental_sampling: bool
) -> tuple[float, float] | None:
    """(low, high) hours a signature of ``activity`` outlasts clean-up, or None when the
    regime's own concealment time applies (no particle signature, or no sampling)."""
    if not environmental_sampling:
        return None
    return SIGNATURE_PERSISTENCE_HOURS.get(activity)


def targeting_probability(candidate_sites: int, cueing: float) -> float:
    """q = c + (1 − c)/K: chance one inspection goes to the true site when the cue is redrawn
    at every inspection (the older model; see the module docstring)."""
    if candidate_sites < 1:
        raise InputError(f"must be at least 1, got {candidate_sites}", field="candidate_sites")
    c = check_probability(cueing, "intelligence_cueing")
    return c + (1.0 - c) / candidate_sites


def combined_cueing(base: float, *extra: float) -> float:
    """Independent leads combined: 1 − (1 − c₀)·Π(1 − cᵢ)."""
    miss = 1.0 - check_probability(base, "intelligence_cueing")
    for i, c in enumerate(extra):
        miss *= 1.0 - check_probability(c, f"cueing[{i}]")
    return 1.0 - miss


def evidence_survival(
    delay_hours: ArrayLike,
    conceal_low: float,
    conceal_high: float,
    conceal_mode: float | None = None,
) -> FloatArray:
    """P(T_conceal > delay) for T_conceal uniform on [low, high] (triangular with a mode;
    a point when low = high). Vectorized over ``delay_hours``."""
    d = np.asarray(delay_hours, dtype=np.float64)
    lo, hi = float(conceal_low), float(conceal_high)
    if not (0 <= lo <= hi and math.isfinite(hi)):
        raise InputError("need 0 ≤ low ≤ high", field="concealment_time_hours")
    if hi == lo:
        return np.asarray(np.where(d < lo, 1.0, 0.0), dtype=np.float64)
    if conceal_mode is None:
        return np.asarray(np.clip((hi - d) / (hi - lo), 0.0, 1.0), dtype=np.float64)
    m = float(conceal_mode)
    x = np.clip(d, lo, hi)
    left = (x - lo) ** 2 / ((hi - lo) * (m - lo)) if m > lo else np.zeros_like(x)
    right = 1.0 - (hi - x) ** 2 / ((hi - lo) * (hi - m)) if hi > m else np.ones_like(x)
    cdf = np.where(x <= m, left, right)
    return np.asarray(1.0 - cdf, dtype=np.float64)


def expected_visits_without_replacement(
    inspections_mean: ArrayLike, candidate_sites: int
) -> FloatArray:
    """E[min(N, K)] for N ~ Poisson(mean), vectorized over the mean.

    Σ_{k=1}^{K} P(N ≥ k) in closed form: Σ_{k<K} k·P(N = k) = μ·P(N ≤ K − 2) (as
    k·P(N = k) = μ·P(N = k − 1)), so E[min(N, K)] = K·P(N ≥ K) + μ·P(N ≤ K − 2) — two
    Poisson tail evaluations instead of K (the sum is kept in
    :func:`expected_visits_by_sum` for the test)."""
    mu = np.asarray(inspections_mean, dtype=np.float64)
    k = float(candidate_sites)
    if candidate_sites <= 0:
        return np.zeros_like(mu)
    out = k * poisson.sf(k - 1.0, mu) + mu * poisson.cdf(k - 2.0, mu)
    return np.asarray(np.minimum(out, np.minimum(mu, k)), dtype=np.float64)


def expected_visits_by_sum(inspections_mean: ArrayLike, candidate_sites: int) -> FloatArray:
    """E[min(N, K)] = Σ_{k=1}^{K} P(N ≥ k) term by term (the definition; slow for large K)."""
    mu = np.asarray(inspections_mean, dtype=np.float64)
    k = np.arange(1, candidate_sites + 1, dtype=np.float64)
    sf = poisson.sf(k[:, None] - 1.0, mu.reshape(1, -1))  # P(N > k − 1) = P(N ≥ k)
    return np.asarray(sf.sum(axis=0).reshape(mu.shape), dtype=np.float64)


@dataclass(frozen=True)
class SearchParts:
    """P(found within T) split by whether intelligence knew the site (arrays over T).

    ``cued`` and ``uncued`` are contributions (they sum to ``total``);
    ``if_cued`` and ``if_uncued`` are the conditional probabilities F_c and F_u."""

    total: FloatArray
    cued: FloatArray
    uncued: FloatArray
    if_cued: FloatArray
    if_uncued: FloatArray
    cueing: float


@dataclass(frozen=True)
class SearchModel:
    """Inputs of the search model, all in the units the names say."""

    candidate_sites: int
    challenge_inspections_per_year: float
    cueing: float
    notice_hours: float
    concealment_low_hours: float
    concealment_high_hours: float
    concealment_mode_hours: float | None = None
    site_detection_probability: float = 0.9
    access: str = "anywhere-anytime"
    managed_access_delay_hours: float = 0.0
    replacement: bool = False

    def __post_init__(self) -> None:
        if self.challenge_inspections_per_year < 0 or not math.isfinite(
            self.challenge_inspections_per_year
        ):
            raise InputError("must be a non-negative number", field="inspections_per_year")
        if self.notice_hours < 0:
            raise InputError("must not be negative", field="notice_hours")
        check_probability(self.site_detection_probability, "site_detection_probability")
        targeting_probability(self.candidate_sites, self.cueing)

    @property
    def delay_hours(self) -> float:
        """Time the state has before inspectors stand at the site."""
        extra = self.managed_access_delay_hours if self.access == "managed" else 0.0
        return self.notice_hours + extra

    def survival(self, concealment_hours: float | None = None) -> float:
        """s: chance the evidence is still there when inspectors arrive."""
        if concealment_hours is not None:
            return 1.0 if concealment_hours > self.delay_hours else 0.0
        return float(
            evidence_survival(
                self.delay_hours,
                self.concealment_low_hours,
                self.concealment_high_hours,
                self.concealment_mode_hours,
            )
        )

    def per_visit(self, concealment_hours: float | None = None) -> float:
        """π = s·p_d: chance one inspection *at the true site* finds evidence."""
        if self.access not in REACHING_ACCESS:
            return 0.0
        return self.survival(concealment_hours) * self.site_detection_probability

    def per_inspection(self, concealment_hours: float | None = None) -> float:
        """q·π with q = c + (1 − c)/K: one inspection's detection chance under the older
        redrawn-cue model."""
        return targeting_probability(self.candidate_sites, self.cueing) * self.per_visit(
            concealment_hours
        )

    def parts_within(
        self, months: ArrayLike, concealment_hours: float | None = None
    ) -> SearchParts:
        """Cued and uncued parts of P(found within T months) (module docstring)."""
        t = np.asarray(months, dtype=np.float64)
        pi = self.per_visit(concealment_hours)
        mean = self.challenge_inspections_per_year * t / 12.0
        f_c = np.asarray(-np.expm1(-mean * pi), dtype=np.float64)
        if self.replacement:
            f_u = np.asarray(-np.expm1(-mean * pi / self.candidate_sites), dtype=np.float64)
        else:
            f_u = pi * expected_visits_without_replacement(mean, self.candidate_sites)
            f_u = np.asarray(f_u / self.candidate_sites, dtype=np.float64)
        c = self.cueing
        return SearchParts(c * f_c + (1 - c) * f_u, c * f_c, (1 - c) * f_u, f_c, f_u, c)

    def probability_within(
        self, months: ArrayLike, concealment_hours: float | None = None
    ) -> FloatArray:
        """P(found within T months) = c·F_c(T) + (1 − c)·F_u(T)."""
        return self.parts_within(months, concealment_hours).total

    def redrawn_probability_within(self, months: ArrayLike) -> FloatArray:
        """The older model, cue redrawn per inspection: 1 − exp(−λ·q·π·T/12)."""
        t = np.asarray(months, dtype=np.float64)
        rate = self.challenge_inspections_per_year * self.per_inspection() / 12.0
        return np.asarray(-np.expm1(-rate * t), dtype=np.float64)

    def interval_within(self, months: float) -> tuple[float, float, float]:
        """(low, central, high): the central figure averages over the concealment-time
        distribution; low and high take its fastest and slowest ends (the state's ability to
        clean up is the uncertain input)."""
        central = float(self.probability_within(months))
        lo_c = self.concealment_low_hours
        hi_c = self.concealment_high_hours
        low = float(self.probability_within(months, lo_c)) if lo_c != hi_c else central
        high = float(self.probability_within(months, hi_c)) if lo_c != hi_c else central
        return min(low, central), central, max(high, central)

    def monthly_hazard(self, months: int) -> tuple[FloatArray, FloatArray]:
        """(h_cued, h_uncued): chance the site is found in month m+1 given not found by month
        m, m = 0..months−1, for a history where intelligence knows the site and one where it
        does not. h = (F(m+1) − F(m)) / (1 − F(m)); the cued hazard is constant."""
        if months < 0:
            raise InputError(f"must not be negative, got {months}", field="months")
        t = np.arange(months + 1, dtype=np.float64)
        parts = self.parts_within(t)
        out = []
        for f in (parts.if_cued, parts.if_uncued):
            f = np.asarray(f, dtype=np.float64)
            rest = 1.0 - f[:-1]
            h = np.divide(f[1:] - f[:-1], rest, out=np.ones_like(rest), where=rest > 1e-15)
            out.append(np.asarray(np.clip(h, 0.0, 1.0), dtype=np.float64))
        return out[0], out[1]


def draw_cued(model: SearchModel, runs: int, rng: np.random.Generator) -> BoolArray:
    """The latent 'intelligence knows the site' state of each run (Bernoulli(c))."""
    return np.asarray(rng.random(runs) < model.cueing, dtype=np.bool_)


def search_hazard(model: SearchModel, months: int, cued: ArrayLike) -> FloatArray:
    """Per-run, per-month detection hazard of the undeclared site, shape (runs, months):
    row r is the cued hazard where ``cued[r]``, else the uncued one (without replacement, so
    it rises month by month as the candidates are used up). For the negotiation simulator."""
    h_c, h_u = model.monthly_hazard(months)
    k = np.asarray(cued, dtype=np.bool_).reshape(-1, 1)
    return np.asarray(np.where(k, h_c[None, :], h_u[None, :]), dtype=np.float64)


def search_detection_probability(
    months: ArrayLike,
    *,
    candidate_sites: int,
    inspections_per_year: float,
    cueing: float,
    notice_hours: float,
    concealment_hours: tuple[float, float],
    site_detection_probability: float = 0.9,
    access: str = "anywhere-anytime",
    managed_access_delay_hours: float = 0.0,
    replacement: bool = False,
) -> FloatArray:
    """Probability of finding the facility within ``months`` (array): see the module doc."""
    m = SearchModel(
        candidate_sites,
        inspections_per_year,
        cueing,
        notice_hours,
        concealment_hours[0],
        concealment_hours[1],
        None,
        site_detection_probability,
        access,
        managed_access_delay_hours,
        replacement,
    )
    return m.probability_within(months)


def _conceal_draws(model: SearchModel, rng: np.random.Generator, size: int) -> FloatArray:
    lo, hi, mode = (
        model.concealment_low_hours,
        model.concealment_high_hours,
        model.concealment_mode_hours,
    )
    if hi == lo:
        return np.full(size, lo)
    if mode is None:
        return rng.uniform(lo, hi, size)
    return rng.triangular(lo, mode, hi, size)


def simulate_search(
    model: SearchModel, months: float, replications: int, rng: np.random.Generator
) -> FloatArray:
    """Monte Carlo of the sequential search, inspection by inspection (for tests): one latent
    cue per history, candidate sites visited in a random order without replacement (or with
    it, as the model says), concealment drawn per visit. Returns 0/1 found within ``months``."""
    found, _ = simulate_search_parts(model, months, replications, rng)
    return found


def simulate_search_parts(
    model: SearchModel, months: float, replications: int, rng: np.random.Generator
) -> tuple[FloatArray, BoolArray]:
    """:func:`simulate_search` and the latent cue of each history."""
    cued = draw_cued(model, replications, rng)
    if model.access not in REACHING_ACCESS:
        return np.zeros(replications), cued
    counts = rng.poisson(model.challenge_inspections_per_year * months / 12.0, replications)
    # Uncued: the visit number at which the true site comes up (uniform on 1..K without
    # replacement; with replacement every visit hits it with chance 1/K).
    position = rng.integers(1, model.candidate_sites + 1, replications)
    found = np.zeros(replications, dtype=bool)
    for i in range(int(counts.max()) if replications else 0):
        active = counts > i
        if model.replacement:
            at_site = cued | (rng.integers(0, model.candidate_sites, replications) == 0)
        else:
            at_site = cued | (position == i + 1)
        intact = _conceal_draws(model, rng, replications) > model.delay_hours
        seen = rng.random(replications) < model.site_detection_probability
        found |= active & at_site & intact & seen
    return found.astype(np.float64), cued
