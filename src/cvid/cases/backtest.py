"""The backtest: do the four lessons, and the simulator, explain the documented outcomes?

For every case of the catalogue: the four lesson grades of its agreement (cvid's rules applied
to the encoded facts, :func:`cvid.assess.assess`), the simulated outcome distribution of its
own agreement (:func:`cvid.negotiate.simulate`, strategy ``agreement``) under the documented
defaults of the behavioural model, and the documented outcome with its source. Then:

- the Spearman rank correlation (``scipy.stats.spearmanr``, average ranks for ties) of the
  lesson score (pass 2, warn 1, fail 0, summed over the four lessons) and of the simulated
  P(verified disarmament) against the outcome rank (:data:`cvid.cases.catalog.OUTCOME_RANK`);
- the Brier score (Brier 1950) of the simulated P(verified disarmament) against the outcomes
  (1 for verified disarmament, else 0): the share of runs whose own agreement ends with every
  step verified, counted only for an agreement that dismantles, removes or destroys something
  under verification (a moratorium held to its end is not a disarmament: 0) — beside the
  Brier score of the base rate (the share of
  verified outcomes forecast for every case, p̄(1 − p̄)) and the skill 1 − B/B_base;
- the cases the lessons do not explain: a case none of whose lessons fails that did not end in
  verified disarmament, or a case with a failed lesson that did, with the findings that would
  have to change;
- a sensitivity line per behavioural parameter (:data:`cvid.negotiate.DEFAULT_PARAMETERS`, the
  documented range of each): P(verified disarmament) of every case at the low and the high
  end of the range, and whether the ranking of cases survives (Spearman ρ with the ranking at the
  defaults ≥ :data:`SURVIVAL_RHO` at both ends).

"Documented defaults": each case is simulated with ``[counterpart]`` reset to the defaults
of :class:`cvid.scenario.CounterpartModel` (the sources are in its field descriptions), so no
case carries a prior chosen with hindsight; the program, agreement, verification regime and
pressure are the case's own. Grades come from the scenario as written (ex ante): the evidence
stream is validated and counted but not used to grade, since it records the outcome.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from cvid.assess import assess
from cvid.cases.catalog import OUTCOME_RANK, Case, Catalog, Outcome, Reference, load_catalog
from cvid.errors import InputError
from cvid.negotiate import DEFAULT_PARAMETERS, simulate
from cvid.negotiate.sweeps import apply_point
from cvid.results import Result
from cvid.scenario import IRREVERSIBLE_KINDS, CounterpartModel, Scenario
from cvid.verify import SEARCH_DEFAULT_MARK
from cvid.verify.adequacy import verifiable

if TYPE_CHECKING:
    import pandas as pd

#: Points per grade in the lesson score (0–8 over the four lessons).
GRADE_POINTS: dict[str, int] = {"pass": 2, "warn": 1, "fail": 0}
#: The ranking of cases survives a parameter's range when its Spearman ρ with the ranking at
#: the defaults is at least this at both ends of the range (a cvid convention: ρ ≥ 0.8 is
#: conventionally read as a strong monotone association).
SURVIVAL_RHO = 0.8
DEFAULT_BACKTEST_RUNS = 2_000
DEFAULT_SEED = 0
#: Months simulated at least (the simulator's default); longer agreements get their duration.
MIN_MONTHS = 120

Grade = Literal["pass", "warn", "fail"]
Progress = Callable[[str], None]


class CaseFinding(Result):
    """A finding of one lesson that the case's grade rests on."""

    lesson: int
    severity: Literal["warn", "fail"]
    field: str
    message: str


class CaseResult(Result):
    """One case in the backtest."""

    name: str
    title: str
    years: str
    kind: str = Field(description="The scenario's meta.kind: historical or hypothetical.")
    scored: bool
    grades: tuple[Grade, Grade, Grade, Grade]
    grades_with_evidence: tuple[Grade, Grade, Grade, Grade] | None = Field(
        default=None,
        description="The grades once the case's evidence stream, replayed into a ledger, is "
        "applied (cvid assess --ledger); shown, never scored: the stream records the outcome.",
    )
    lesson_score: int = Field(description="pass 2, warn 1, fail 0, summed over the lessons.")
    lessons_pass: bool = Field(description="True when no lesson fails.")
    reference: Reference | None = None
    grade_differences: tuple[int, ...] = Field(
        default=(), description="Lessons whose cvid grade differs from the reference grade."
    )
    outcome: Outcome
    outcome_rank: int | None
    simulated: dict[str, float] = Field(description="Outcome probabilities at the horizon.")
    standard_errors: dict[str, float]
    p_verified: float = Field(
        description="Simulated P(verified disarmament): the simulated share of runs that end "
        "with every step of the case's own agreement verified, counted only for an agreement "
        "with a verifiable dismantlement, removal or destruction (0 for a freeze or a "
        "moratorium, whose verified end is not a disarmament)."
    )
    dismantles: bool = Field(
        default=True,
        description="Whether the agreement has a dismantlement, removal or destruction that "
        "its verification methods can verify (cvid.verify.adequacy); without one, p_verified "
        "is 0 whatever the simulated completion.",
    )
    months: int
    findings: tuple[CaseFinding, ...]
    defaults_used: tuple[str, ...] = Field(
        default=(),
        description="Model inputs the case's scenario leaves at cvid's built-in defaults "
        "(figures resting on them are defaults, not facts of the case).",
    )
    evidence_records: int = Field(description="Records in the case's evidence stream.")
    evidence_source_kinds: dict[str, int] = Field(
        default_factory=dict, description="Records of the stream by kind of source."
    )


class Correlation(Result):
    """A Spearman rank correlation, its two-sided p-value and the number of cases."""

    rho: float | None
    p_value: float | None
    n: int


class Unexplained(Result):
    """A case the lessons do not explain, and what would have to change."""

    name: str
    kind: Literal["passing case failed", "failing case succeeded"]
    grades: tuple[Grade, Grade, Grade, Grade]
    outcome: str
    findings_to_change: tuple[str, ...]
    reference_note: str = ""


class SensitivityLine(Result):
    """Whether the ranking of cases survives one behavioural parameter's documented range."""

    parameter: str
    low: float
    high: float
    p_verified_low: dict[str, float]
    p_verified_high: dict[str, float]
    rho_with_defaults_low: float | None
    rho_with_defaults_high: float | None
    rho_with_outcomes_low: float | None
    rho_with_outcomes_high: float | None
    survives: bool | None = Field(
        description="ρ with the defaults' ranking ≥ SURVIVAL_RHO at both ends; None when the "
        "ranking at the defaults is all ties (nothing to survive)."
    )


class BacktestResult(Result):
    """The backtest of the four lessons and the simulator against the documented outcomes."""

    catalog: str
    runs: int
    seed: int
    counterpart: str = Field(description="Which behavioural parameters the simulation used.")
    cases: tuple[CaseResult, ...]
    scored: tuple[str, ...]
    not_scored: tuple[str, ...]
    spearman_grades: Correlation
    spearman_simulated: Correlation
    base_rate: float
    brier: float
    brier_base_rate: float
    brier_skill: float | None
    unexplained: tuple[Unexplained, ...]
    sensitivity: tuple[SensitivityLine, ...] | None
    sensitivity_runs: int | None
    survival_rho: float = SURVIVAL_RHO
    outcome_rank: dict[str, int] = Field(default_factory=lambda: dict(OUTCOME_RANK))

    def case(self, name: str) -> CaseResult:
        """The result of the case called ``name`` (KeyError if none)."""
        for c in self.cases:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_frame(self) -> pd.DataFrame:
        """One row per case: the four grades, the lesson score, P(verified disarmament) with its
        standard error, and the documented outcome with its date and source."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "case": c.name,
                    "years": c.years,
                    **{f"L{i + 1}": g for i, g in enumerate(c.grades)},
                    "score": c.lesson_score,
                    "p_verified": c.p_verified,
                    "se": c.standard_errors.get("verified_cvid", 0.0),
                    "outcome": c.outcome.kind,
                    "outcome_date": c.outcome.date,
                    "scored": c.scored,
                    "outcome_source": c.outcome.source,
                }
                for c in self.cases
            ]
        )

    def _repr_html_(self) -> str:
        """Jupyter shows the backtest as its HTML report."""
        from cvid.cases.report import backtest_report_html

        return backtest_report_html(self)

    def sensitivity_summary(self) -> str:
        """One line: which parameters' ranges the ranking of cases survives."""
        if self.sensitivity is None:
            return "sensitivity not run"
        kept = [s.parameter for s in self.sensitivity if s.survives]
        lost = [s.parameter for s in self.sensitivity if s.survives is False]
        undefined = [s.parameter for s in self.sensitivity if s.survives is None]
        parts = [
            f"the ranking of cases by P(verified disarmament) survives {len(kept)} of "
            f"{len(self.sensitivity)} behavioural parameters' documented ranges "
            f"(ρ with the defaults' ranking ≥ {self.survival_rho:g} at both ends)"
        ]
        if lost:
            parts.append("not: " + ", ".join(lost))
        if undefined:
            parts.append("undefined (all ties at the defaults): " + ", ".join(undefined))
        return "; ".join(parts)


def spearman(x: Sequence[float], y: Sequence[float]) -> Correlation:
    """Spearman's ρ of ``x`` and ``y`` with scipy.stats.spearmanr (None when either is
    constant or there are fewer than three pairs)."""
    from scipy import stats

    n = len(x)
    if n < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return Correlation(rho=None, p_value=None, n=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.spearmanr(x, y)
    rho, p = float(res.statistic), float(res.pvalue)
    return Correlation(
        rho=rho if math.isfinite(rho) else None, p_value=p if math.isfinite(p) else None, n=n
    )


def brier_score(p: Sequence[float], y: Sequence[int]) -> float:
    """Mean squared difference of forecast probabilities and 0/1 outcomes (Brier 1950)."""
    if not p or len(p) != len(y):
        raise ValueError("forecasts and outcomes must be non-empty and of equal length")
    return sum((pi - yi) ** 2 for pi, yi in zip(p, y, strict=True)) / len(p)


def with_default_counterpart(s: Scenario) -> Scenario:
    """The scenario with ``[counterpart]`` at the documented defaults."""
    return s.model_copy(update={"counterpart": CounterpartModel()})


def _months(s: Scenario) -> int:
    return max(MIN_MONTHS, math.ceil(s.agreement.duration_months))


def dismantles_under_verification(s: Scenario) -> bool:
    """True when the agreement of ``s`` dismantles, removes or destroys something by a step
    its methods can verify (the adequacy table, cvid.verify.adequacy); an agreement with no
    commitments stands for the verified dismantlement of everything, as in the simulator."""
    steps = s.agreement.commitments
    return not steps or any(c.kind in IRREVERSIBLE_KINDS and verifiable(s, c) for c in steps)


def _p_verified(s: Scenario, runs: int, seed: int, detection: float | None = None) -> float:
    if not dismantles_under_verification(s):
        return 0.0
    r = simulate(
        s, ["agreement"], runs=runs, months=_months(s), seed=seed, detection_probability=detection
    )
    return r.strategies["agreement"].outcome_probabilities()["verified_cvid"]


def defaults_used(s: Scenario) -> tuple[str, ...]:
    """The inputs of ``s`` left at built-in defaults: the ``[pressure]`` table, the
    verification regime's parameters and the challenge notice not stated in the file, and the
    lesson thresholds when none is stated."""
    out: list[str] = []
    if s.pressure.is_default():
        out.append("pressure")
    if "challenge_notice_hours" not in s.agreement.provisions.model_fields_set:
        out.append("agreement.provisions.challenge_notice_hours")
    for name in type(s.verification).model_fields:
        if name != "source" and name not in s.verification.model_fields_set:
            out.append(f"verification.{name}")
    if not s.thresholds.model_fields_set:
        out.append("thresholds")
    return tuple(out)


def _grades_with_evidence(case: Case, s: Scenario) -> tuple[Grade, Grade, Grade, Grade] | None:
    """The grades of ``s`` with its evidence stream replayed into a temporary ledger."""
    if case.entry.evidence is None:
        return None
    from cvid.compliance import replay_stream

    with tempfile.TemporaryDirectory(prefix="cvid-case-") as tmp:
        db = Path(tmp) / "evidence.db"
        replay_stream(case.resolve(case.entry.evidence), db, scenario=s)
        a = assess(s, simulate=False, ledger=db)
    return tuple(le.grade for le in a.lessons)  # type: ignore[return-value]


def _case_result(
    case: Case, runs: int, seed: int, with_evidence: bool
) -> tuple[CaseResult, Scenario]:
    s = case.scenario()
    stream = case.stream(s)
    a = assess(s, simulate=False)
    grades: tuple[Grade, Grade, Grade, Grade] = tuple(le.grade for le in a.lessons)  # type: ignore[assignment]
    findings = tuple(
        CaseFinding(lesson=le.id, severity=f.severity, field=f.field, message=f.message)
        for le in a.lessons
        for f in le.findings
        if f.severity in ("warn", "fail")
    )
    sim_s = with_default_counterpart(s)
    months = _months(sim_s)
    sim = simulate(sim_s, ["agreement"], runs=runs, months=months, seed=seed)
    strat = sim.strategies["agreement"]
    probs = strat.outcome_probabilities()
    dismantles = dismantles_under_verification(sim_s)
    ref = case.entry.reference
    diffs: tuple[int, ...] = ()
    if ref is not None:
        diffs = tuple(
            i + 1
            for i, (g, r) in enumerate(zip(grades, ref.grades, strict=True))
            if r != "n/a" and g != r
        )
    kinds: dict[str, int] = {}
    if stream is not None:
        for r in stream.records:
            k = str(r.record["basis"]["kind"])
            kinds[k] = kinds.get(k, 0) + 1
    result = CaseResult(
        name=case.name,
        title=s.meta.title,
        years=case.entry.years,
        kind=s.meta.kind,
        scored=case.entry.scored,
        grades=grades,
        grades_with_evidence=_grades_with_evidence(case, s) if with_evidence else None,
        lesson_score=sum(GRADE_POINTS[g] for g in grades),
        lessons_pass="fail" not in grades,
        reference=ref,
        grade_differences=diffs,
        outcome=case.outcome,
        outcome_rank=case.outcome.rank,
        simulated=probs,
        standard_errors=strat.standard_errors(),
        p_verified=probs["verified_cvid"] if dismantles else 0.0,
        dismantles=dismantles,
        months=months,
        findings=findings,
        defaults_used=defaults_used(s),
        evidence_records=0 if stream is None else len(stream.records),
        evidence_source_kinds=kinds,
    )
    return result, sim_s


def _unexplained(c: CaseResult) -> Unexplained | None:
    note = c.reference.not_explained if c.reference is not None else ""

    def at_default(f: CaseFinding) -> str:
        field = f.field
        if SEARCH_DEFAULT_MARK in f.message:
            return ""  # a search figure on defaults carries its own label (search_default_label)
        # A finding on a field the case's sources do not give (cvid's built-in default) is
        # labelled: it says what the defaults imply, not what the history shows.
        if any(field == d or field.startswith(d + ".") for d in c.defaults_used):
            return " [field at cvid's built-in default, not from the case's sources]"
        return ""

    if c.lessons_pass and not c.outcome.verified:
        warns = tuple(
            f"lesson {f.lesson} [{f.field}] would have to fail: {f.message}{at_default(f)}"
            for f in c.findings
            if f.severity == "warn"
        )
        change = warns or (
            "no finding of the four lessons flags this case: a rule the lessons do not have "
            "would be needed",
        )
        return Unexplained(
            name=c.name,
            kind="passing case failed",
            grades=c.grades,
            outcome=c.outcome.kind,
            findings_to_change=change,
            reference_note=note,
        )
    if not c.lessons_pass and c.outcome.verified:
        fails = tuple(
            f"lesson {f.lesson} [{f.field}] would have to pass: {f.message}{at_default(f)}"
            for f in c.findings
            if f.severity == "fail"
        )
        return Unexplained(
            name=c.name,
            kind="failing case succeeded",
            grades=c.grades,
            outcome=c.outcome.kind,
            findings_to_change=fails,
            reference_note=note,
        )
    return None


def _sensitivity(
    scenarios: dict[str, Scenario],
    base: dict[str, float],
    ranks: dict[str, int],
    runs: int,
    seed: int,
    progress: Progress | None,
) -> tuple[SensitivityLine, ...]:
    names = list(scenarios)
    base_vec = [base[n] for n in names]
    rank_vec = [float(ranks[n]) for n in names]
    base_constant = len(set(base_vec)) < 2
    lines = []
    for param, (lo, hi) in DEFAULT_PARAMETERS.items():
        ends: list[dict[str, float]] = []
        for value in (lo, hi):
            if progress is not None:
                progress(f"sensitivity {param}={value:g}")
            out: dict[str, float] = {}
            for n, s in scenarios.items():
                varied, _overrides, detection = apply_point(s, {param: value}, source=param)
                out[n] = _p_verified(varied, runs, seed, detection)
            ends.append(out)
        vec_lo = [ends[0][n] for n in names]
        vec_hi = [ends[1][n] for n in names]
        rho_lo = _rho_with(base_vec, vec_lo)
        rho_hi = _rho_with(base_vec, vec_hi)
        survives: bool | None
        if base_constant:
            survives = None
        else:
            survives = all(r is not None and r >= SURVIVAL_RHO for r in (rho_lo, rho_hi))
        lines.append(
            SensitivityLine(
                parameter=param,
                low=lo,
                high=hi,
                p_verified_low=ends[0],
                p_verified_high=ends[1],
                rho_with_defaults_low=rho_lo,
                rho_with_defaults_high=rho_hi,
                rho_with_outcomes_low=spearman(vec_lo, rank_vec).rho,
                rho_with_outcomes_high=spearman(vec_hi, rank_vec).rho,
                survives=survives,
            )
        )
    return tuple(lines)


def _rho_with(base: list[float], other: list[float]) -> float | None:
    if base == other:
        return 1.0
    return spearman(base, other).rho


def backtest(
    catalog: Catalog | str | Path | None = None,
    *,
    runs: int = DEFAULT_BACKTEST_RUNS,
    seed: int = DEFAULT_SEED,
    cases: Sequence[str] | None = None,
    sensitivity: bool = True,
    sensitivity_runs: int | None = None,
    with_evidence: bool = True,
    progress: Progress | None = None,
) -> BacktestResult:
    """Backtest the four lessons and the simulator against every case of ``catalog`` (the
    bundled catalogue by default; ``cases`` restricts it to those names). ``runs`` runs per
    case from ``seed``; the sensitivity analysis uses ``sensitivity_runs`` (default
    ``runs // 4``, at least 100) at each end of each parameter's range. With
    ``with_evidence``, each case's stream is also replayed into a temporary ledger and the
    grades with the evidence applied are reported beside the ex-ante grades."""
    if runs < 1:
        raise InputError("must be at least 1", field="--runs")
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    chosen = [cat.case(n) for n in cases] if cases else list(cat.cases)
    results: list[CaseResult] = []
    sim_scenarios: dict[str, Scenario] = {}
    for case in chosen:
        if progress is not None:
            progress(f"case {case.name}")
        r, sim_s = _case_result(case, runs, seed, with_evidence)
        results.append(r)
        if r.scored:
            sim_scenarios[r.name] = sim_s
    scored = [r for r in results if r.scored]
    if not scored:
        raise InputError("no scored case among those chosen", field="--case")
    ranks = {r.name: int(r.outcome_rank or 0) for r in scored}
    y = [1 if r.outcome.verified else 0 for r in scored]
    p = [r.p_verified for r in scored]
    base_rate = sum(y) / len(y)
    brier = brier_score(p, y)
    brier_base = brier_score([base_rate] * len(y), y)
    sens_runs = sensitivity_runs if sensitivity_runs is not None else max(100, runs // 4)
    sens = (
        _sensitivity(
            sim_scenarios, {r.name: r.p_verified for r in scored}, ranks, sens_runs, seed, progress
        )
        if sensitivity
        else None
    )
    unexplained = tuple(u for u in (_unexplained(r) for r in scored) if u is not None)
    return BacktestResult(
        catalog=str(cat.path),
        runs=runs,
        seed=seed,
        counterpart="documented defaults of CounterpartModel (each case's [counterpart] reset)",
        cases=tuple(results),
        scored=tuple(r.name for r in scored),
        not_scored=tuple(r.name for r in results if not r.scored),
        spearman_grades=spearman(
            [float(r.lesson_score) for r in scored], [float(ranks[r.name]) for r in scored]
        ),
        spearman_simulated=spearman(p, [float(ranks[r.name]) for r in scored]),
        base_rate=base_rate,
        brier=brier,
        brier_base_rate=brier_base,
        brier_skill=None if brier_base == 0 else 1.0 - brier / brier_base,
        unexplained=unexplained,
        sensitivity=sens,
        sensitivity_runs=sens_runs if sensitivity else None,
    )
