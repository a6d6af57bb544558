"""Undeclared-site search: the chance that challenge inspections find a clandestine facility.

Model (cvid's; the structure follows the search-and-access analyses of Avenhaus, Canty et
al. for the Additional Protocol and the Chemical Weapons Convention):

* Challenge inspections come at random times, a Poisson process of rate λ a year, so the state
  cannot time its activity around them.
* An inspection goes to the true site with probability q = c + (1 − c)/K: intelligence (with
  interviews and records, when inspectors may use them) points it there with probability c,
  otherwise it picks one of K candidate sites at random.
* The state gets the notice time plus, under managed access, the access delay; the evidence is
  still there when inspectors arrive if the state needs longer than that to hide it:
  s = P(T_conceal > t_notice + t_delay), T_conceal from the regime's estimate.
* At the right, uncleaned site inspectors find evidence with probability p_d.

Each inspection therefore detects with probability π = q·s·p_d, and in T months
P(found) = 1 − exp(−λ·π·T/12) (Poisson thinning). Inspectors without access to undeclared
sites ("declared-sites-only", "none") never reach the facility: π = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvid.errors import InputError
from cvid.verify.sampling import check_probability

FloatArray = NDArray[np.float64]

#: Access regimes under which challenge inspections can reach an undeclared site.
REACHING_ACCESS: frozenset[str] = frozenset({"anywhere-anytime", "managed"})


def targeting_probability(candidate_sites: int, cueing: float) -> float:
    """q = c + (1 − c)/K: chance an inspection goes to the true site among K candidates."""
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

    def per_inspection(self, concealment_hours: float | None = None) -> float:
        """π = q·s·p_d, the chance one challenge inspection finds the facility."""
        if self.access not in REACHING_ACCESS:
            return 0.0
        q = targeting_probability(self.candidate_sites, self.cueing)
        if concealment_hours is None:
            s = float(
                evidence_survival(
                    self.delay_hours,
                    self.concealment_low_hours,
                    self.concealment_high_hours,
                    self.concealment_mode_hours,
                )
            )
        else:
            s = 1.0 if concealment_hours > self.delay_hours else 0.0
        return q * s * self.site_detection_probability

    def probability_within(
        self, months: ArrayLike, concealment_hours: float | None = None
    ) -> FloatArray:
        """P(found within T months) = 1 − exp(−λ·π·T/12)."""
        t = np.asarray(months, dtype=np.float64)
        rate = self.challenge_inspections_per_year * self.per_inspection(concealment_hours) / 12.0
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
    )
    return m.probability_within(months)


def simulate_search(
    model: SearchModel, months: float, replications: int, rng: np.random.Generator
) -> FloatArray:
    """Monte Carlo of the search, inspection by inspection (for tests): returns a 0/1 array
    of whether the facility was found within ``months``."""
    if model.access not in REACHING_ACCESS:
        return np.zeros(replications)
    counts = rng.poisson(model.challenge_inspections_per_year * months / 12.0, replications)
    found = np.zeros(replications, dtype=bool)
    max_n = int(counts.max()) if replications else 0
    lo, hi, mode = (
        model.concealment_low_hours,
        model.concealment_high_hours,
        model.concealment_mode_hours,
    )
    for i in range(max_n):
        active = counts > i
        cued = rng.random(replications) < model.cueing
        random_hit = rng.integers(0, model.candidate_sites, replications) == 0
        at_site = cued | random_hit
        if hi == lo:
            conceal = np.full(replications, lo)
        elif mode is None:
            conceal = rng.uniform(lo, hi, replications)
        else:
            conceal = rng.triangular(lo, mode, hi, replications)
        intact = conceal > model.delay_hours
        seen = rng.random(replications) < model.site_detection_probability
        found |= active & at_site & intact & seen
    return found.astype(np.float64)
