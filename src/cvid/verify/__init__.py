"""Verification science: how likely a regime is to catch a diversion or a hidden facility.

Pure functions over numpy arrays, each naming its source:

* :mod:`cvid.verify.sampling` — attribute sampling (exact hypergeometric, IAEA approximation);
* :mod:`cvid.verify.balance` — material balance (MUF, σMUF, covariance of a sequence, CUMUF,
  SITMUF, Page's test, the total-MUF test, Monte Carlo);
* :mod:`cvid.verify.search` — undeclared-site search by challenge inspections;
* :mod:`cvid.verify.regime` — a scenario's regime turned into lesson 3's figures and the
  monthly detection probability the negotiation simulator uses.

>>> from cvid.scenario import load_scenario
>>> from cvid.verify import monthly_detection_probability
>>> 0.0 <= monthly_detection_probability(load_scenario("libya-2003")) <= 1.0
True
"""

from __future__ import annotations

from cvid.verify.balance import (
    BalanceSequence,
    ErrorModel,
    MonteCarloResult,
    TotalMufTest,
    cholesky_factor,
    cumuf,
    diversion_pattern,
    monte_carlo_tests,
    muf,
    muf_covariance,
    one_sided_detection_probability,
    page_alarm_probability,
    page_arl,
    page_detection_probability,
    page_first_alarm,
    page_statistic,
    page_threshold,
    period_index,
    periodize,
    sigma_muf,
    simulate_muf,
    sitmuf,
    total_muf_test,
)
from cvid.verify.regime import (
    VerificationFigures,
    curve_detection_vs_inspections,
    curve_detection_vs_notice,
    curve_detection_vs_sample_size,
    curve_site_detection_vs_months,
    lesson3_figures,
    monthly_detection_probability,
    months_to_probability,
    search_model,
)
from cvid.verify.sampling import (
    DEFAULT_DEFECT_LEVELS,
    SamplingPlan,
    defects_for_goal,
    detection_curve,
    detection_probability,
    mixed_detection_probability,
    non_detection_probability_exact,
    plan_defect_levels,
    plan_sampling,
    sample_size,
    sample_size_iaea,
)
from cvid.verify.search import (
    SearchModel,
    evidence_survival,
    search_detection_probability,
    simulate_search,
    targeting_probability,
)

__all__ = [
    "DEFAULT_DEFECT_LEVELS",
    "BalanceSequence",
    "ErrorModel",
    "MonteCarloResult",
    "SamplingPlan",
    "SearchModel",
    "TotalMufTest",
    "VerificationFigures",
    "cholesky_factor",
    "cumuf",
    "curve_detection_vs_inspections",
    "curve_detection_vs_notice",
    "curve_detection_vs_sample_size",
    "curve_site_detection_vs_months",
    "defects_for_goal",
    "detection_curve",
    "detection_probability",
    "diversion_pattern",
    "evidence_survival",
    "lesson3_figures",
    "mixed_detection_probability",
    "monte_carlo_tests",
    "monthly_detection_probability",
    "months_to_probability",
    "muf",
    "muf_covariance",
    "non_detection_probability_exact",
    "one_sided_detection_probability",
    "page_alarm_probability",
    "page_arl",
    "page_detection_probability",
    "page_first_alarm",
    "page_statistic",
    "page_threshold",
    "period_index",
    "periodize",
    "plan_defect_levels",
    "plan_sampling",
    "sample_size",
    "sample_size_iaea",
    "search_detection_probability",
    "search_model",
    "sigma_muf",
    "simulate_muf",
    "simulate_search",
    "sitmuf",
    "targeting_probability",
    "total_muf_test",
]
