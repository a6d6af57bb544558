"""Use cases of verification planning, each returning a frozen typed result.

These are what ``cvid plan sampling|balance|search|production`` compute; the CLI only parses
options and prints, so the web service (or a notebook) gets the same figures from the same
function. Inputs are checked here, and a bad one raises :class:`~cvid.errors.InputError`
naming the option (``--items``, ``--random-rsd``…) it came from.

* :func:`sampling_analysis` — the attribute sample for N items and M falsified (given, or
  derived from a goal quantity), exact and IAEA, per defect level;
* :func:`balance_analysis` — MUF, σMUF, CUMUF, SITMUF and Page's test over a balance
  sequence, the total-MUF test, and their false-alarm and detection probabilities (closed
  form / Markov chain, and Monte Carlo);
* :func:`search_plan` — the probability that challenge inspections find an undeclared
  facility within T months, its parts (cued, uncued) and its curve;
* :func:`production_check` — what reactors or enrichment plants made against what was
  declared: shortfall in kg and SQ with its probabilities.

Each result serializes with :meth:`cvid.results.Result.to_json` (non-finite numbers as null);
their JSON Schemas are published under ``schema/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, NotRequired

import numpy as np
from pydantic import Field, model_serializer
from typing_extensions import TypedDict

from cvid.errors import InputError
from cvid.results import Result
from cvid.scenario import SIGNIFICANT_QUANTITY_KG
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
    page_alarm_probability,
    page_detection_probability,
    page_statistic,
    page_threshold,
    sitmuf,
    total_muf_test,
)
from cvid.verify.production import (
    Campaign,
    EstimateQuantiles,
    Quantiles,
    Range,
    compare_declaration,
    example_record_path,
    heu_kg,
    load_record,
    plutonium_draws,
)
from cvid.verify.sampling import (
    SamplingPlan,
    check_probability,
    defects_for_goal,
    plan_defect_levels,
    plan_sampling,
)
from cvid.verify.search import SearchModel

# --- sampling ------------------------------------------------------------------------------


class SamplingAnalysis(Result):
    """``cvid plan sampling``: the sample for N items with M falsified."""

    sample_size: int
    sample_size_iaea: int
    detection_probability: float
    defects: int = Field(description="Falsified items M")
    items: int = Field(description="Items in the stratum N")
    detect: float = Field(description="Detection probability sought")
    levels: tuple[SamplingPlan, ...] = Field(
        description="One entry per defect level when the goal is given in kg, else empty"
    )


def sampling_analysis(
    items: int,
    detect: float,
    *,
    defects: int | None = None,
    goal_kg: float | None = None,
    item_kg: float | None = None,
) -> SamplingAnalysis:
    """The smallest attribute sample (exact hypergeometric) and the IAEA approximation, for
    ``defects`` falsified items or for those a goal quantity needs (``goal_kg``/``item_kg``)."""
    check_probability(detect, "--detect")
    if items < 1:
        raise InputError(f"must be at least 1, got {items}", field="--items")
    levels: tuple[SamplingPlan, ...] = ()
    if defects is None:
        if goal_kg is None or item_kg is None:
            raise InputError("give --defects, or --goal-kg with --item-kg", field="--defects")
        m = defects_for_goal(goal_kg, item_kg)
        if m > items:
            raise InputError(
                f"the goal needs {m} falsified items, more than the {items} items",
                field="--goal-kg",
            )
        levels = tuple(plan_defect_levels(items, item_kg, goal_kg, detect))
    else:
        if goal_kg is not None or item_kg is not None:
            raise InputError("give --defects or --goal-kg/--item-kg, not both", field="--defects")
        if defects > items:
            raise InputError(f"{defects} defects is more than the {items} items", field="--defects")
        if defects < 1:
            raise InputError(f"must be at least 1, got {defects}", field="--defects")
        m = defects
    plan = plan_sampling(items, m, detect)
    return SamplingAnalysis(
        sample_size=plan.sample_size,
        sample_size_iaea=plan.sample_size_iaea,
        detection_probability=plan.detection_probability,
        defects=plan.defects,
        items=items,
        detect=detect,
        levels=levels,
    )


# --- material balance ----------------------------------------------------------------------


class BalancePeriod(Result):
    """One balance period: MUF and its statistics (kg, except SITMUF and Page in σ units)."""

    period: int = Field(description="1-based period number")
    muf: float
    sigma_muf: float
    cumuf: float
    sitmuf: float
    page: float = Field(description="Page's statistic on SITMUF after this period")
    alarm: bool = Field(description="Page's statistic above the threshold h")


class PageTestResult(Result):
    """Page's CUSUM test on SITMUF with reference value k and threshold h."""

    k: float
    h: float
    first_alarm_period: int | None
    false_alarm_probability: float = Field(description="Over the horizon (Markov chain)")
    detection_probability: float | None = Field(description="With a diversion only")


class DiversionSpec(Result):
    """The loss the detection probabilities are for."""

    kg: float
    pattern: Literal["abrupt", "protracted"]
    per_period: tuple[float, ...]


class _MonteCarloJSON(TypedDict):
    """What :class:`MonteCarloSummary` writes: ``detection`` only when there is a loss."""

    false_alarm: MonteCarloResult
    detection: NotRequired[MonteCarloResult]


class MonteCarloSummary(Result):
    """Monte Carlo alarm rates without a loss (false alarms) and, with one, with it."""

    false_alarm: MonteCarloResult
    detection: MonteCarloResult | None = Field(
        default=None, description="Present only when a diversion is given"
    )

    @model_serializer(mode="plain")
    def _omit_absent_detection(self) -> _MonteCarloJSON:
        out: _MonteCarloJSON = {"false_alarm": self.false_alarm}
        if self.detection is not None:
            out["detection"] = self.detection
        return out


class BalanceAnalysis(Result):
    """``cvid plan balance``: a balance sequence through every test; the top-level
    probabilities are those of Page's test on SITMUF over the horizon."""

    periods: tuple[BalancePeriod, ...]
    covariance: tuple[tuple[float, ...], ...] = Field(description="Covariance of the MUFs, kg²")
    total_muf_test: TotalMufTest
    page_test: PageTestResult
    diversion: DiversionSpec | None
    detection_probability: float | None
    false_alarm_probability: float
    monte_carlo: MonteCarloSummary


def balance_analysis(
    seq: BalanceSequence,
    *,
    random_rsd: float,
    systematic_rsd: float,
    alpha: float = 0.05,
    k: float = 0.5,
    h: float | None = None,
    diversion_kg: float | None = None,
    pattern: str = "abrupt",
    at_period: int = 1,
    calibration_periods: int | None = None,
    replications: int = 20_000,
    seed: int = 0,
    source: str | None = None,
) -> BalanceAnalysis:
    """MUF, σMUF, CUMUF, SITMUF and Page's test for ``seq`` with uniform relative measurement
    errors; ``h`` defaults to the threshold giving false-alarm probability ``alpha`` over the
    horizon. With ``diversion_kg`` (``abrupt`` in ``at_period`` or ``protracted``), the
    detection probabilities too. ``source`` names the sequence's file in errors."""
    for name, v in (("--random-rsd", random_rsd), ("--systematic-rsd", systematic_rsd)):
        if not (np.isfinite(v) and 0 <= v <= 1):
            raise InputError(f"must lie in [0, 1], got {v:g}", field=name)
    check_probability(alpha, "--alpha")
    if not 0 < alpha < 1:
        raise InputError("must lie strictly between 0 and 1", field="--alpha")
    if h is not None and h <= 0:
        raise InputError(f"must be positive, got {h:g}", field="--h")
    if replications < 1:
        raise InputError(f"must be at least 1, got {replications}", field="--replications")
    errors = ErrorModel.uniform(random_rsd, systematic_rsd, calibration_periods)
    cov = muf_covariance(seq, errors)
    cholesky_factor(cov, source=source)
    t_n = seq.periods
    values = muf(seq.beginning_inventory, seq.receipts, seq.shipments, seq.ending_inventory)
    y = sitmuf(values, cov)
    h_used = page_threshold(t_n, k, alpha) if h is None else h
    s = page_statistic(y, k)
    d = None if diversion_kg is None else diversion_pattern(t_n, diversion_kg, pattern, at_period)
    total = total_muf_test(values, cov, alpha, d)
    fa = float(page_alarm_probability(np.zeros(t_n), k, h_used)[-1])
    pd = None if d is None else page_detection_probability(d, cov, k, h_used)
    mc_fa = monte_carlo_tests(
        seq, errors, k=k, h=h_used, alpha=alpha, replications=replications, seed=seed
    )
    mc_d = None
    if d is not None:
        mc_d = monte_carlo_tests(
            seq,
            errors,
            k=k,
            h=h_used,
            alpha=alpha,
            replications=replications,
            seed=seed + 1,
            diversion=d,
        )
    first = np.flatnonzero(s > h_used)
    return BalanceAnalysis(
        periods=tuple(
            BalancePeriod(
                period=i + 1,
                muf=float(values[i]),
                sigma_muf=float(np.sqrt(cov[i, i])),
                cumuf=float(c),
                sitmuf=float(y[i]),
                page=float(s[i]),
                alarm=bool(s[i] > h_used),
            )
            for i, c in enumerate(cumuf(values))
        ),
        covariance=tuple(tuple(float(x) for x in row) for row in cov),
        total_muf_test=total,
        page_test=PageTestResult(
            k=k,
            h=h_used,
            first_alarm_period=int(first[0]) + 1 if first.size else None,
            false_alarm_probability=fa,
            detection_probability=pd,
        ),
        diversion=None
        if d is None
        else DiversionSpec(
            kg=float(np.sum(d)) if diversion_kg is None else diversion_kg,
            pattern="protracted" if pattern == "protracted" else "abrupt",
            per_period=tuple(float(x) for x in d),
        ),
        detection_probability=pd,
        false_alarm_probability=fa,
        monte_carlo=MonteCarloSummary(
            false_alarm=mc_fa,
            detection=mc_d,
        ),
    )


# --- undeclared-site search ----------------------------------------------------------------

ACCESS_REGIMES = ("anywhere-anytime", "managed", "declared-sites-only", "none")


class SearchCurve(Result):
    """P(find within t months) on a grid of t."""

    months: tuple[float, ...]
    probability: tuple[float, ...]


class SearchAnalysis(Result):
    """``cvid plan search``: challenge inspections against one undeclared facility."""

    probability: float = Field(description="P(find within the horizon), mid concealment time")
    interval: tuple[float, float] = Field(description="Over the concealment-time range")
    months: float
    per_inspection_probability: float
    targeting_probability: float = Field(description="P(an inspection targets the true site)")
    evidence_survival: float = Field(description="P(evidence still there when inspectors arrive)")
    delay_hours: float
    access: str
    cueing: float
    cued: float = Field(description="P(cued and found)")
    uncued: float = Field(description="P(not cued and found by search)")
    if_cued: float
    if_uncued: float
    redrawn_cue_probability: float = Field(
        description="The same inputs with the cue redrawn at every inspection (overstated)"
    )
    replacement: bool = Field(description="Search with replacement of inspected sites")
    curve: SearchCurve


def manual_search_model(
    *,
    sites: int = 100,
    inspections_per_year: float = 4.0,
    cueing: float = 0.2,
    notice_hours: float = 24.0,
    conceal_hours: str = "24:168",
    site_detection: float = 0.9,
    access: str = "anywhere-anytime",
    managed_delay_hours: float = 576.0,
) -> SearchModel:
    """A search model from explicit inputs (``conceal_hours``: ``H`` or ``LOW:HIGH``)."""
    if access not in ACCESS_REGIMES:
        raise InputError(f"unknown access regime {access!r}", field="--access")
    conceal = Range.parse(conceal_hours, "--conceal-hours")
    check_probability(cueing, "--cueing")
    check_probability(site_detection, "--site-detection")
    return SearchModel(
        sites,
        inspections_per_year,
        cueing,
        notice_hours,
        conceal.low,
        conceal.high,
        conceal.mode,
        site_detection,
        access,
        managed_delay_hours,
    )


def search_plan(model: SearchModel, months: float) -> SearchAnalysis:
    """The probability that ``model``'s inspections find the facility within ``months``."""
    if not (np.isfinite(months) and months >= 0):
        raise InputError(f"must be a non-negative number, got {months:g}", field="--months")
    lo, mid, hi = model.interval_within(months)
    grid = np.linspace(0.0, max(months, 1.0) * 2, 25)
    q = model.cueing + (1 - model.cueing) / model.candidate_sites
    pi = model.per_inspection()
    parts = model.parts_within(months)
    found = q * model.site_detection_probability
    return SearchAnalysis(
        probability=mid,
        interval=(lo, hi),
        months=months,
        per_inspection_probability=pi,
        targeting_probability=q,
        evidence_survival=pi / found if found > 0 else 0.0,
        delay_hours=model.delay_hours,
        access=model.access,
        cueing=model.cueing,
        cued=float(parts.cued),
        uncued=float(parts.uncued),
        if_cued=float(parts.if_cued),
        if_uncued=float(parts.if_uncued),
        redrawn_cue_probability=float(model.redrawn_probability_within(months)),
        replacement=model.replacement,
        curve=SearchCurve(
            months=tuple(float(x) for x in grid),
            probability=tuple(float(x) for x in model.probability_within(grid)),
        ),
    )


# --- production ----------------------------------------------------------------------------


class ProductionCheck(Result):
    """``cvid plan production``: the estimate of what was made, against the declaration.

    Without a declaration the declared quantity, the shortfalls and their probabilities are
    null (unknown), not zero."""

    material: str = Field(description="plutonium, or heu (kg of U-235 in HEU)")
    declared_kg: float | None
    significant_quantity_kg: float
    estimate_kg: EstimateQuantiles
    shortfall_kg: Quantiles | None = Field(description="Estimate − declared, kg")
    shortfall_sq: Quantiles | None = Field(description="Estimate − declared, SQ")
    probability_shortfall: float | None
    probability_shortfall_one_sq: float | None
    replications: int
    campaigns: tuple[dict[str, Any], ...] = Field(
        description="Per campaign: name, days, separated_kg quantiles and source; or the "
        "enrichment's SWU range"
    )


def production_check(
    *,
    record: str | None = None,
    thermal_mw: str | None = None,
    days: float | None = None,
    capacity_factor: str = "1",
    g_per_mwd: str = "0.9:1.0",
    swu: str | None = None,
    product_assay: float = 0.9,
    feed_assay: float = 0.00711,
    tails_assay: float = 0.003,
    declared_kg: float | None = None,
    replications: int = 100_000,
    seed: int = 0,
) -> ProductionCheck:
    """Estimate what facilities made — Pu from reactor energy (a production ``record``, or
    ``thermal_mw`` for ``days``), or HEU from separative work (``swu``) — and compare a
    declaration with it. Ranges are ``X`` or ``LO:HI`` (uniform)."""
    if replications < 1:
        raise InputError(f"must be at least 1, got {replications}", field="--replications")
    rng = np.random.default_rng(seed)
    if swu is not None:
        r = Range.parse(swu, "--swu")
        work = r.sample(rng, replications)
        product = heu_kg(work, product_assay, feed_assay, tails_assay)
        draws = product * product_assay
        material, rows = "heu", [{"name": "enrichment", "swu": [r.low, r.high]}]
        decl = declared_kg
    else:
        if record is not None:
            path = (
                Path(record)
                if Path(record).is_file() or record.endswith(".toml")
                else example_record_path(record)
            )
            meta, campaigns = load_record(path)
            g = Range.parse(meta.get("g_per_mwd", g_per_mwd), "g_per_mwd")
            material = str(meta.get("material", "plutonium"))
            decl = float(meta["declared_kg"]) if declared_kg is None else declared_kg
        else:
            if thermal_mw is None or days is None:
                raise InputError(
                    "give --record, or --thermal-mw with --days, or --swu", field="--record"
                )
            if not days > 0:
                raise InputError(f"must be positive, got {days:g}", field="--days")
            cf = Range.parse(capacity_factor, "--capacity-factor")
            if cf.high > 1:
                raise InputError("a capacity factor cannot exceed 1", field="--capacity-factor")
            campaigns = [Campaign("reactor", days, Range.parse(thermal_mw, "--thermal-mw"), cf)]
            g = Range.parse(g_per_mwd, "--g-per-mwd")
            material, decl = "plutonium", declared_kg
        draws, rows = plutonium_draws(campaigns, g, replications, rng)
    sq = SIGNIFICANT_QUANTITY_KG[material]
    check = compare_declaration(draws, 0.0 if decl is None else decl, sq, material, rows)
    known = decl is not None
    return ProductionCheck(
        material=check.material,
        declared_kg=check.declared_kg if known else None,
        significant_quantity_kg=check.significant_quantity_kg,
        estimate_kg=check.estimate_kg,
        shortfall_kg=check.shortfall_kg if known else None,
        shortfall_sq=check.shortfall_sq if known else None,
        probability_shortfall=check.probability_shortfall if known else None,
        probability_shortfall_one_sq=check.probability_shortfall_one_sq if known else None,
        replications=check.replications,
        campaigns=check.campaigns,
    )


__all__ = [
    "ACCESS_REGIMES",
    "BalanceAnalysis",
    "BalancePeriod",
    "DiversionSpec",
    "EstimateQuantiles",
    "MonteCarloSummary",
    "PageTestResult",
    "ProductionCheck",
    "Quantiles",
    "SamplingAnalysis",
    "SearchAnalysis",
    "SearchCurve",
    "balance_analysis",
    "manual_search_model",
    "production_check",
    "sampling_analysis",
    "search_plan",
]
