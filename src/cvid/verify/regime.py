"""A scenario's verification regime turned into the numbers of lesson 3.

Two routes to a clandestine weapons capability are watched:

1. **Diversion of one significant quantity (SQ) from declared material.** The balance test
   detects it with P_MB = Φ(SQ/σMUF − z_{1−α}) (Avenhaus & Canty 1996, eq. 3.22) and the
   attribute sample with the exact hypergeometric probability for M = ⌈SQ / item content⌉
   falsified items (ibid., ch. 2); the two are independent, so P = 1 − (1 − P_MB)(1 − P_AS).
   In a month, the balance closes with probability min(1, balances a year / 12) and an
   inspection (with its sample) happens with probability min(1, routine inspections a
   year / 12).
2. **An undeclared production facility**, found by challenge inspections
   (:mod:`cvid.verify.search`), with intelligence cueing raised by access to people and
   documents, and by national technical means at the regime's stated monthly rate.

``monthly_detection_probability`` gives the chance that clandestine work running during a
month is detected in that month: by default the lesser of the two routes (a state that
cheats picks the route the regime watches least).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cvid.scenario import SIGNIFICANT_QUANTITY_KG, Scenario
from cvid.verify.balance import one_sided_detection_probability, sigma_muf
from cvid.verify.sampling import (
    defects_for_goal,
    detection_probability,
    sample_size,
    sample_size_iaea,
)
from cvid.verify.search import SearchModel, combined_cueing

FloatArray = NDArray[np.float64]
Activity = Literal["worst-case", "undeclared-facility", "diversion"]


def balanced_material(s: Scenario) -> str:
    """The direct-use material the balance watches: the regime's choice, else the program's
    first direct-use material, else plutonium."""
    mb = s.verification.material_balance
    if mb.material is not None:
        return mb.material
    for m in s.program.materials:
        if m.kind in ("plutonium", "heu", "u233"):
            return m.kind
    return "plutonium"


def significant_quantity(s: Scenario) -> float:
    """The IAEA significant quantity (kg) of the balanced material (IAEA Safeguards
    Glossary, 2022, §3.14)."""
    return SIGNIFICANT_QUANTITY_KG[balanced_material(s)]


def regime_sigma_muf(s: Scenario) -> float:
    """σMUF (kg) of one balance period of the regime's facility: BI = EI = inventory,
    R = S = throughput, one systematic error per stratum (so the −2·BI·EI·δs² term applies)."""
    mb = s.verification.material_balance
    return float(
        sigma_muf(
            mb.inventory_kg,
            mb.throughput_kg_per_period,
            mb.throughput_kg_per_period,
            mb.inventory_kg,
            mb.random_rsd,
            mb.systematic_rsd,
            same_calibration=(mb.calibration_periods is None or mb.calibration_periods > 1),
        )
    )


def _inspections_reach_declared(s: Scenario) -> bool:
    return s.agreement.provisions.access != "none"


def balance_detection_probability(s: Scenario) -> float:
    """P_MB: the balance test detects an abrupt loss of one SQ in a period."""
    sig = regime_sigma_muf(s)
    if not _inspections_reach_declared(s):
        return 0.0
    alpha = s.verification.material_balance.false_alarm_probability
    if sig == 0.0:
        return 1.0
    if alpha <= 0.0:
        return 0.0
    if alpha >= 1.0:
        return 1.0
    return float(one_sided_detection_probability(significant_quantity(s), sig, alpha))


def sampling_figures(s: Scenario) -> tuple[int, int, int, float]:
    """(defects M, exact sample size, IAEA sample size, detection probability) for one SQ."""
    plan = s.verification.sampling
    m = min(defects_for_goal(significant_quantity(s), plan.item_content_kg), plan.items)
    n = sample_size(plan.items, m, plan.detection_goal)
    n_iaea = sample_size_iaea(plan.items, m, plan.detection_goal)
    pd = float(detection_probability(plan.items, m, n)) if _inspections_reach_declared(s) else 0.0
    return m, n, n_iaea, pd


def diversion_detection_within_goal(s: Scenario) -> float:
    """Detection probability of one SQ diverted within the timeliness goal, by the balance
    test and attribute sampling together: 1 − (1 − P_MB·b)(1 − P_AS·i), where b and i are the
    chances that a balance closes and that an inspection takes place within the goal
    (min(1, rate × goal / 12))."""
    v = s.verification
    goal = v.timeliness_goal_months
    b = min(1.0, v.material_balance.periods_per_year * goal / 12.0)
    i = min(1.0, v.routine_inspections_per_year * goal / 12.0)
    p_as = sampling_figures(s)[3]
    return 1.0 - (1.0 - balance_detection_probability(s) * b) * (1.0 - p_as * i)


def search_model(
    s: Scenario, *, inspections_per_year: float | None = None, notice_hours: float | None = None
) -> SearchModel:
    """The undeclared-site search model the scenario implies."""
    v, pr = s.verification, s.agreement.provisions
    cueing = combined_cueing(
        v.intelligence_cueing,
        v.cueing_from_people if pr.access_to_people else 0.0,
        v.cueing_from_documents if pr.access_to_documents else 0.0,
    )
    c = v.concealment_time_hours
    return SearchModel(
        candidate_sites=v.candidate_sites,
        challenge_inspections_per_year=(
            v.challenge_inspections_per_year
            if inspections_per_year is None
            else inspections_per_year
        ),
        cueing=cueing,
        notice_hours=pr.challenge_notice_hours if notice_hours is None else notice_hours,
        concealment_low_hours=c.low,
        concealment_high_hours=c.high,
        concealment_mode_hours=c.mode,
        site_detection_probability=v.site_detection_probability,
        access=pr.access,
        managed_access_delay_hours=v.managed_access_delay_hours,
    )


def _with_national_means(s: Scenario, p_regime: float, months: float = 1.0) -> float:
    ntm = s.verification.national_means_detection_per_month
    return float(1.0 - (1.0 - p_regime) * (1.0 - ntm) ** months)


def monthly_detection_probability(s: Scenario, activity: Activity = "worst-case") -> float:
    """Chance that clandestine work running during a month is detected that month.

    ``undeclared-facility``: 1 − exp(−λπ/12) from the search model, combined with national
    technical means; ``diversion``: 1 − (1 − P_MB·b)(1 − P_AS·i) with b, i the monthly chances of
    a balance and of an inspection; ``worst-case`` (default): the lesser of the two. See the
    module docstring for the model and its sources.
    """
    site = _with_national_means(s, float(search_model(s).probability_within(1.0)))
    v = s.verification
    b = min(1.0, v.material_balance.periods_per_year / 12.0)
    i = min(1.0, v.routine_inspections_per_year / 12.0)
    p_as = sampling_figures(s)[3]
    div = _with_national_means(
        s, 1.0 - (1.0 - balance_detection_probability(s) * b) * (1.0 - p_as * i)
    )
    if activity == "undeclared-facility":
        return site
    if activity == "diversion":
        return div
    return min(site, div)


@dataclass(frozen=True)
class VerificationFigures:
    """The numbers lesson 3 shows, with the inputs they came from."""

    material: str
    significant_quantity_kg: float
    detection_probability_sq_within_goal: float
    timeliness_goal_months: float
    balance_detection_probability: float
    sampling_detection_probability: float
    undeclared_site_probability_1y: float
    undeclared_site_probability_1y_low: float
    undeclared_site_probability_1y_high: float
    sigma_muf_kg: float
    sigma_muf_per_sq: float
    sample_size: int
    sample_size_iaea: int
    defects: int
    monthly_detection_probability: float
    monthly_detection_undeclared_facility: float
    monthly_detection_diversion: float
    inputs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the shape of lesson 3's ``verification`` figures)."""
        return asdict(self)


def lesson3_figures(s: Scenario) -> VerificationFigures:
    """All of lesson 3's verification figures for the scenario's regime."""
    v, pr = s.verification, s.agreement.provisions
    sq = significant_quantity(s)
    sig = regime_sigma_muf(s)
    m, n, n_iaea, p_as = sampling_figures(s)
    model = search_model(s)
    lo, mid, hi = model.interval_within(12.0)
    ntm = v.national_means_detection_per_month
    lo, mid, hi = (1.0 - (1.0 - x) * (1.0 - ntm) ** 12 for x in (lo, mid, hi))
    mb = v.material_balance
    inputs: dict[str, Any] = {
        "access": pr.access,
        "challenge_notice_hours": pr.challenge_notice_hours,
        "access_to_people": pr.access_to_people,
        "access_to_documents": pr.access_to_documents,
        "routine_inspections_per_year": v.routine_inspections_per_year,
        "challenge_inspections_per_year": v.challenge_inspections_per_year,
        "candidate_sites": v.candidate_sites,
        "intelligence_cueing": v.intelligence_cueing,
        "effective_cueing": model.cueing,
        "concealment_time_hours": [v.concealment_time_hours.low, v.concealment_time_hours.high],
        "effective_delay_hours": model.delay_hours,
        "site_detection_probability": v.site_detection_probability,
        "managed_access_delay_hours": v.managed_access_delay_hours,
        "national_means_detection_per_month": ntm,
        "items": v.sampling.items,
        "item_content_kg": v.sampling.item_content_kg,
        "sampling_detection_goal": v.sampling.detection_goal,
        "inventory_kg": mb.inventory_kg,
        "throughput_kg_per_period": mb.throughput_kg_per_period,
        "random_rsd": mb.random_rsd,
        "systematic_rsd": mb.systematic_rsd,
        "periods_per_year": mb.periods_per_year,
        "false_alarm_probability": mb.false_alarm_probability,
    }
    return VerificationFigures(
        material=balanced_material(s),
        significant_quantity_kg=sq,
        detection_probability_sq_within_goal=diversion_detection_within_goal(s),
        timeliness_goal_months=v.timeliness_goal_months,
        balance_detection_probability=balance_detection_probability(s),
        sampling_detection_probability=p_as,
        undeclared_site_probability_1y=mid,
        undeclared_site_probability_1y_low=lo,
        undeclared_site_probability_1y_high=hi,
        sigma_muf_kg=sig,
        sigma_muf_per_sq=sig / sq,
        sample_size=n,
        sample_size_iaea=n_iaea,
        defects=m,
        monthly_detection_probability=monthly_detection_probability(s),
        monthly_detection_undeclared_facility=monthly_detection_probability(
            s, "undeclared-facility"
        ),
        monthly_detection_diversion=monthly_detection_probability(s, "diversion"),
        inputs=inputs,
    )


# --- curves for the report ---------------------------------------------------------------


def curve_detection_vs_sample_size(
    s: Scenario, sizes: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """(n, exact detection probability of one SQ by attribute sampling)."""
    plan = s.verification.sampling
    m = min(defects_for_goal(significant_quantity(s), plan.item_content_kg), plan.items)
    n = np.arange(plan.items + 1) if sizes is None else np.asarray(sizes)
    n = np.clip(n, 0, plan.items).astype(np.int64)
    return n.astype(np.float64), detection_probability(plan.items, m, n)


def curve_detection_vs_inspections(
    s: Scenario, per_year: ArrayLike | None = None, months: float = 12.0
) -> tuple[FloatArray, FloatArray]:
    """(challenge inspections a year, probability of finding the undeclared site in
    ``months``)."""
    x = np.linspace(0.0, 24.0, 49) if per_year is None else np.asarray(per_year, dtype=np.float64)
    y = np.array(
        [
            float(search_model(s, inspections_per_year=float(v)).probability_within(months))
            for v in x
        ]
    )
    return x, y


def curve_detection_vs_notice(
    s: Scenario, notice_hours: ArrayLike | None = None, months: float = 12.0
) -> tuple[FloatArray, FloatArray]:
    """(notice hours, probability of finding the undeclared site in ``months``)."""
    c = s.verification.concealment_time_hours
    top = max(2.0 * c.high, 48.0)
    x = (
        np.linspace(0.0, top, 97)
        if notice_hours is None
        else np.asarray(notice_hours, dtype=np.float64)
    )
    y = np.array(
        [float(search_model(s, notice_hours=float(v)).probability_within(months)) for v in x]
    )
    return x, y


def curve_site_detection_vs_months(
    s: Scenario, months: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(months, central, low, high) probability of finding the undeclared site within T."""
    t = np.arange(0.0, 37.0) if months is None else np.asarray(months, dtype=np.float64)
    model = search_model(s)
    c = s.verification.concealment_time_hours
    ntm = s.verification.national_means_detection_per_month

    def add_ntm(p: FloatArray) -> FloatArray:
        return np.asarray(1.0 - (1.0 - p) * (1.0 - ntm) ** t, dtype=np.float64)

    mid = add_ntm(model.probability_within(t))
    lo = add_ntm(model.probability_within(t, c.low)) if c.low != c.high else mid
    hi = add_ntm(model.probability_within(t, c.high)) if c.low != c.high else mid
    return t, mid, np.minimum(lo, mid), np.maximum(hi, mid)


def months_to_probability(p_month: float, target: float) -> float:
    """Months until the cumulative detection chance reaches ``target`` at ``p_month`` a month:
    ⌈ln(1 − target)/ln(1 − p)⌉ (inf when p = 0)."""
    if p_month <= 0.0:
        return math.inf
    if p_month >= 1.0:
        return 1.0
    return float(math.ceil(math.log1p(-target) / math.log1p(-p_month)))
