"""The sourced case library and the backtest of the four lessons (``cvid cases``).

>>> from cvid.cases import load_catalog, backtest
>>> cat = load_catalog()                       # the bundled catalogue
>>> cat.case("south-africa-1989").outcome.kind
'verified-disarmament'
>>> r = backtest(runs=200, sensitivity=False)  # doctest: +SKIP
>>> r.spearman_grades.rho, r.brier, r.brier_base_rate  # doctest: +SKIP

Every case has a scenario (``cvid/examples/cases/NAME.toml`` or a bundled example), an
evidence stream whose every record says its kind of source, and a documented outcome with its
source (:mod:`cvid.cases.catalog`). :func:`backtest` grades every case, simulates its agreement
under the documented defaults and says how well both explain the outcomes
(:mod:`cvid.cases.backtest`); :func:`backtest_report_html` renders the result.
"""

from __future__ import annotations

from cvid.cases.backtest import (
    DEFAULT_BACKTEST_RUNS,
    GRADE_POINTS,
    SURVIVAL_RHO,
    BacktestResult,
    CaseFinding,
    CaseResult,
    Correlation,
    SensitivityLine,
    Unexplained,
    backtest,
    brier_score,
    defaults_used,
    dismantles_under_verification,
    spearman,
    with_default_counterpart,
)
from cvid.cases.catalog import (
    OUTCOME_RANK,
    Case,
    CaseEntry,
    Catalog,
    Outcome,
    Reference,
    bundled_catalog_path,
    load_catalog,
    validate_case,
)
from cvid.cases.report import backtest_report_html

__all__ = [
    "DEFAULT_BACKTEST_RUNS",
    "GRADE_POINTS",
    "OUTCOME_RANK",
    "SURVIVAL_RHO",
    "BacktestResult",
    "Case",
    "CaseEntry",
    "CaseFinding",
    "CaseResult",
    "Catalog",
    "Correlation",
    "Outcome",
    "Reference",
    "SensitivityLine",
    "Unexplained",
    "backtest",
    "backtest_report_html",
    "brier_score",
    "bundled_catalog_path",
    "defaults_used",
    "dismantles_under_verification",
    "load_catalog",
    "spearman",
    "validate_case",
    "with_default_counterpart",
]
