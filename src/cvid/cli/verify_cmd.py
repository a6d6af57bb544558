"""``cvid plan sampling|balance|search|production`` and ``cvid game inspection|dresher|matrix``.

The plan commands only parse and print: what they compute is :mod:`cvid.verify.analysis`
(``sampling_analysis``, ``balance_analysis``, ``search_plan``, ``production_check``), whose
typed results are the JSON below (schemas under ``schema/``).

JSON shapes (``--json``), stable:

* plan sampling → ``{"sample_size", "sample_size_iaea", "detection_probability", "defects",
  "items", "detect", "levels"}`` (``levels``: one entry per defect level when the goal is in kg)
* plan balance → ``{"periods": [{"period", "muf", "sigma_muf", "cumuf", "sitmuf", "page",
  "alarm"}], "covariance", "total_muf_test": {...}, "page_test": {...},
  "detection_probability", "false_alarm_probability", "monte_carlo": {...}}``; the top-level
  probabilities are those of Page's test on SITMUF over the horizon
* plan search → ``{"probability", "interval": [low, high], "months", "per_inspection_probability",
  "targeting_probability", "evidence_survival", "cued", "uncued", "if_cued", "if_uncued",
  "cueing", "redrawn_cue_probability", "replacement", "curve": {"months", "probability"}}``
* plan production → the declaration check (``estimate_kg``, ``shortfall_kg``, ``shortfall_sq``,
  ``probability_shortfall``, ``probability_shortfall_one_sq``, …)
* game inspection → ``{"inspection_probability", "violation_probability", "inspector_payoff",
  "inspectee_payoff", "leadership": {"inspection_probability", "inspector_payoff", …},
  "deterrence_detection_probability", "regret"}``
* game dresher → ``{"value", "closed_form_value", "inspection_probability",
  "violation_probability", "values", …}``
* game matrix → ``{"value", "row_strategy", "column_strategy", "row_regret", "column_regret",
  "rows", "columns"}``
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cvid.cli.common import JSON_OPT, console, emit_json
from cvid.scenario import MaterialBalancePlan, load_scenario
from cvid.verify import (
    InspectionGame,
    balance_analysis,
    check_probability,
    dresher,
    manual_search_model,
    production_check,
    read_balance_csv,
    read_matrix_csv,
    sampling_analysis,
    search_model,
    search_plan,
    solve_zero_sum,
)

plan_app = typer.Typer(
    help="Plan verification: sampling, balances, search, production.", no_args_is_help=True
)
game_app = typer.Typer(
    help="Inspection games: equilibria, leadership, Dresher, matrix games.", no_args_is_help=True
)


def _fmt(x: float | None, digits: int = 4) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


# --- plan sampling -------------------------------------------------------------------------


@plan_app.command("sampling")
def plan_sampling_cmd(
    items: int = typer.Option(..., "--items", help="Items in the stratum (N)."),
    detect: float = typer.Option(..., "--detect", help="Detection probability sought (0–1)."),
    defects: int | None = typer.Option(
        None, "--defects", help="Falsified items (M; default: from --goal-kg/--item-kg)."
    ),
    goal_kg: float | None = typer.Option(
        None, "--goal-kg", help="Goal quantity in kg (no default; with --item-kg)."
    ),
    item_kg: float | None = typer.Option(
        None, "--item-kg", help="Material per item in kg (no default; with --goal-kg)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Smallest attribute sample (exact hypergeometric) and the IAEA approximation."""
    out = sampling_analysis(items, detect, defects=defects, goal_kg=goal_kg, item_kg=item_kg)
    if as_json:
        emit_json(out)
        return
    console.print(
        f"N = {items}, M = {out.defects} falsified: verify [bold]{out.sample_size}[/] items "
        f"(IAEA approximation {out.sample_size_iaea}); detection probability "
        f"{out.detection_probability:.4f} ≥ {detect:g}"
    )
    if out.levels:
        t = Table("defect level", "fraction removed", "defects M", "n exact", "n IAEA", "P detect")
        for lv in out.levels:
            t.add_row(
                lv.level,
                f"{lv.fraction_removed:g}",
                str(lv.defects),
                str(lv.sample_size),
                str(lv.sample_size_iaea),
                f"{lv.detection_probability:.4f}",
            )
        console.print(t)


# --- plan balance --------------------------------------------------------------------------

#: The scenario's balance plan is the one home of the measurement-error defaults.
_BALANCE_DEFAULTS = MaterialBalancePlan.model_fields


@plan_app.command("balance")
def plan_balance_cmd(
    file: Path = typer.Argument(
        ...,
        help="CSV: beginning_inventory, receipts, shipments, "
        "ending_inventory (kg), one row per balance period.",
    ),
    random_rsd: float = typer.Option(
        _BALANCE_DEFAULTS["random_rsd"].default,
        "--random-rsd",
        help="Random relative std. dev. of each measurement (default: as a scenario's "
        "[verification.material_balance]).",
    ),
    systematic_rsd: float = typer.Option(
        _BALANCE_DEFAULTS["systematic_rsd"].default,
        "--systematic-rsd",
        help="Systematic relative std. dev. (default: as a scenario's "
        "[verification.material_balance]).",
    ),
    alpha: float = typer.Option(0.05, "--alpha", help="False-alarm probability of each test."),
    k: float = typer.Option(0.5, "--k", help="Reference value of Page's test (SITMUF units)."),
    h: float | None = typer.Option(
        None,
        "--h",
        help="Page threshold; default: the h giving "
        "false-alarm probability alpha over the horizon.",
    ),
    diversion_kg: float | None = typer.Option(
        None, "--diversion-kg", help="Loss to detect (kg; default: none, false alarms only)."
    ),
    pattern: str = typer.Option("abrupt", "--pattern", help="abrupt | protracted"),
    at_period: int = typer.Option(1, "--at-period", help="Period of an abrupt loss."),
    calibration_periods: int | None = typer.Option(
        None,
        "--calibration-periods",
        help="Periods sharing one systematic error (default: the whole sequence).",
    ),
    replications: int = typer.Option(20_000, "--replications", help="Monte Carlo runs."),
    seed: int = typer.Option(0, "--seed", help="Monte Carlo seed."),
    as_json: bool = JSON_OPT,
) -> None:
    """MUF, σMUF, CUMUF, SITMUF and Page's test for a balance sequence, with detection and
    false-alarm probabilities (Markov chain / closed form, and Monte Carlo)."""
    out = balance_analysis(
        read_balance_csv(file),
        random_rsd=random_rsd,
        systematic_rsd=systematic_rsd,
        alpha=alpha,
        k=k,
        h=h,
        diversion_kg=diversion_kg,
        pattern=pattern,
        at_period=at_period,
        calibration_periods=calibration_periods,
        replications=replications,
        seed=seed,
        source=str(file),
    )
    if as_json:
        emit_json(out)
        return
    page, total, mc = out.page_test, out.total_muf_test, out.monte_carlo
    t = Table(
        "period",
        "MUF kg",
        "σMUF kg",
        "CUMUF kg",
        "SITMUF",
        "Page",
        "alarm",
        title=f"{file} — Page's test k = {k:g}, h = {page.h:.4g}",
    )
    for p in out.periods:
        t.add_row(
            str(p.period),
            f"{p.muf:.4g}",
            f"{p.sigma_muf:.4g}",
            f"{p.cumuf:.4g}",
            f"{p.sitmuf:.3f}",
            f"{p.page:.3f}",
            "[red]ALARM[/]" if p.alarm else "",
        )
    console.print(t)
    console.print(
        f"total MUF {total.statistic:.4g} kg, σ {total.sigma:.4g} kg, threshold "
        f"{total.threshold:.4g} kg: {'ALARM' if total.alarm else 'no alarm'}"
    )
    console.print(
        f"Page's test: false-alarm probability {out.false_alarm_probability:.4f} "
        f"(Monte Carlo {mc.false_alarm.page_alarm_probability:.4f} ± "
        f"{mc.false_alarm.page_standard_error:.4f})"
    )
    if mc.detection is not None:
        det = mc.detection
        console.print(
            f"{pattern} loss of {diversion_kg:g} kg: P(detect) Page "
            f"{_fmt(out.detection_probability)} "
            f"(MC {det.page_alarm_probability:.4f} ± "
            f"{det.page_standard_error:.4f}), total-MUF test "
            f"{_fmt(total.detection_probability)} (MC "
            f"{det.total_alarm_probability:.4f} ± "
            f"{det.total_standard_error:.4f})"
        )


# --- plan search ---------------------------------------------------------------------------


@plan_app.command("search")
def plan_search_cmd(
    scenario: str | None = typer.Option(
        None,
        "--scenario",
        help="Take every input from this scenario's regime (default: the options below).",
    ),
    sites: int = typer.Option(100, "--sites", help="Candidate sites (K)."),
    inspections_per_year: float = typer.Option(
        4.0, "--inspections-per-year", help="Challenge inspections a year."
    ),
    cueing: float = typer.Option(0.2, "--cueing", help="Intelligence cueing probability."),
    notice_hours: float = typer.Option(24.0, "--notice-hours", help="Notice before access."),
    conceal_hours: str = typer.Option(
        "24:168", "--conceal-hours", help="Hours needed to hide evidence: H or LOW:HIGH."
    ),
    site_detection: float = typer.Option(
        0.9, "--site-detection", help="P(find evidence | right site, not cleaned)."
    ),
    access: str = typer.Option(
        "anywhere-anytime",
        "--access",
        help="anywhere-anytime | managed | declared-sites-only | none",
    ),
    managed_delay_hours: float = typer.Option(
        576.0, "--managed-delay-hours", help="Extra delay under managed access."
    ),
    months: float = typer.Option(12.0, "--months", help="Horizon in months."),
    as_json: bool = JSON_OPT,
) -> None:
    """Probability that challenge inspections find an undeclared facility within T months."""
    if scenario is not None:
        model = search_model(load_scenario(scenario))
    else:
        model = manual_search_model(
            sites=sites,
            inspections_per_year=inspections_per_year,
            cueing=cueing,
            notice_hours=notice_hours,
            conceal_hours=conceal_hours,
            site_detection=site_detection,
            access=access,
            managed_delay_hours=managed_delay_hours,
        )
    out = search_plan(model, months)
    if as_json:
        emit_json(out)
        return
    lo, hi = out.interval
    console.print(
        f"P(find the undeclared facility within {months:g} months) = "
        f"[bold]{out.probability:.3f}[/] (range {lo:.3f}–{hi:.3f} over the concealment time); "
        f"access {out.access}, delay {out.delay_hours:g} h"
    )
    search = "with" if out.replacement else "without"
    console.print(
        f"  cued (intelligence knows the site, P = {out.cueing:.3f}): {out.cued:.3f} "
        f"(if cued {out.if_cued:.3f})\n"
        f"  uncued (search {search} replacement of {model.candidate_sites} sites): "
        f"{out.uncued:.3f} (if uncued {out.if_uncued:.3f})\n"
        f"  with the cue redrawn at every inspection the same inputs would give "
        f"{out.redrawn_cue_probability:.3f} (overstated)"
    )


# --- plan production -----------------------------------------------------------------------


@plan_app.command("production")
def plan_production_cmd(
    record: str | None = typer.Option(
        None,
        "--record",
        help="Production record TOML, or 'dprk-2008' (default: none; give "
        "--thermal-mw/--days or --swu).",
    ),
    thermal_mw: str | None = typer.Option(
        None, "--thermal-mw", help="MW(th): X or LO:HI (no default; with --days)."
    ),
    days: float | None = typer.Option(
        None, "--days", help="Days of operation (no default; with --thermal-mw)."
    ),
    capacity_factor: str = typer.Option("1", "--capacity-factor", help="X or LO:HI."),
    g_per_mwd: str = typer.Option("0.9:1.0", "--g-per-mwd", help="g Pu per MWd: X or LO:HI."),
    swu: str | None = typer.Option(
        None, "--swu", help="Enrichment: kg-SWU in total, X or LO:HI (default: none)."
    ),
    product_assay: float = typer.Option(0.9, "--product-assay", help="HEU assay (fraction)."),
    feed_assay: float = typer.Option(0.00711, "--feed-assay", help="Feed assay (fraction)."),
    tails_assay: float = typer.Option(0.003, "--tails-assay", help="Tails assay (fraction)."),
    declared_kg: float | None = typer.Option(
        None,
        "--declared-kg",
        help="Declared kg (Pu, or U-235 in HEU; default: the record's, else none).",
    ),
    replications: int = typer.Option(100_000, "--replications", help="Monte Carlo draws."),
    seed: int = typer.Option(0, "--seed", help="Monte Carlo seed."),
    as_json: bool = JSON_OPT,
) -> None:
    """Estimate what facilities made (Pu from reactor energy, HEU from separative work) and
    compare a declaration with it: shortfall in kg and SQ with its probability."""
    out = production_check(
        record=record,
        thermal_mw=thermal_mw,
        days=days,
        capacity_factor=capacity_factor,
        g_per_mwd=g_per_mwd,
        swu=swu,
        product_assay=product_assay,
        feed_assay=feed_assay,
        tails_assay=tails_assay,
        declared_kg=declared_kg,
        replications=replications,
        seed=seed,
    )
    if as_json:
        emit_json(out)
        return
    e = out.estimate_kg
    console.print(
        f"{out.material}: estimate {e.median:.1f} kg (90 % interval {e.p05:.1f}–{e.p95:.1f})"
    )
    sk, ss = out.shortfall_kg, out.shortfall_sq
    if out.declared_kg is not None and sk is not None and ss is not None:
        console.print(
            f"declared {out.declared_kg:g} kg → shortfall {sk.median:.1f} kg "
            f"({sk.p05:.1f}–{sk.p95:.1f}) = {ss.median:.2f} SQ; "
            f"P(shortfall > 0) = {out.probability_shortfall:.3f}, "
            f"P(> 1 SQ) = {out.probability_shortfall_one_sq:.3f}"
        )


# --- games ---------------------------------------------------------------------------------


@game_app.command("inspection")
def game_inspection_cmd(
    gain: float = typer.Option(
        ..., "--gain", help="D: inspectee's gain from an undetected violation."
    ),
    penalty: float = typer.Option(..., "--penalty", help="B: inspectee's loss when caught."),
    inspection_cost: float = typer.Option(
        ..., "--inspection-cost", help="E: cost of an inspection."
    ),
    loss_detected: float = typer.Option(
        ..., "--loss-detected", help="A: inspector's loss, detected violation."
    ),
    loss_undetected: float = typer.Option(
        ..., "--loss-undetected", help="C: inspector's loss, undetected violation."
    ),
    non_detection: float = typer.Option(
        ..., "--non-detection", help="β: P(miss | violation, inspection)."
    ),
    false_alarm: float = typer.Option(
        0.0, "--false-alarm", help="α: P(false alarm | legal, inspection)."
    ),
    false_alarm_cost: float = typer.Option(
        0.0, "--false-alarm-cost", help="F: inspector's cost of a false alarm."
    ),
    false_alarm_cost_inspectee: float = typer.Option(
        0.0, "--false-alarm-cost-inspectee", help="H: inspectee's cost of a false alarm."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """The inspection game with false alarms: equilibrium, inspector leadership, deterrence."""
    check_probability(non_detection, "--non-detection")
    check_probability(false_alarm, "--false-alarm")
    game = InspectionGame(
        gain,
        penalty,
        inspection_cost,
        loss_detected,
        loss_undetected,
        non_detection,
        false_alarm,
        false_alarm_cost,
        false_alarm_cost_inspectee,
    )
    out = game.solve()
    if as_json:
        emit_json(out)
        return
    lead = out["leadership"]
    console.print(
        f"equilibrium: inspect with p = {out['inspection_probability']:.4f}, violate "
        f"with q = {out['violation_probability']:.4f}; payoffs inspector "
        f"{out['inspector_payoff']:.4f}, inspectee {out['inspectee_payoff']:.4f}"
    )
    console.print(
        f"inspector leadership: announce p = {lead['inspection_probability']:.4f} → "
        f"inspectee {'legal' if lead['inspectee_legal'] else 'violates'}, inspector "
        f"payoff {lead['inspector_payoff']:.4f}"
    )
    console.print(
        f"least detection probability that deters: {_fmt(out['deterrence_detection_probability'])}"
    )


@game_app.command("dresher")
def game_dresher_cmd(
    periods: int = typer.Option(..., "--periods", help="n: periods."),
    inspections: int = typer.Option(..., "--inspections", help="m: inspections."),
    penalty: float = typer.Option(1.0, "--penalty", help="B: loss when a violation is caught."),
    as_json: bool = JSON_OPT,
) -> None:
    """Dresher's sequential inspection game: value and first-period strategies."""
    sol = dresher(periods, inspections, penalty)
    out = sol.to_dict()
    if as_json:
        emit_json(out)
        return
    console.print(
        f"value to the inspectee v({periods}, {inspections}) = {out['value']:.6g} "
        f"(closed form {out['closed_form_value']:.6g}); first period: inspect with "
        f"{out['inspection_probability']:.4f}, violate with "
        f"{out['violation_probability']:.4f}"
    )


@game_app.command("matrix")
def game_matrix_cmd(
    file: Path = typer.Argument(..., help="CSV of the row player's payoffs (row maximizes)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Solve a finite zero-sum game by linear programming (HiGHS), checked by regret."""
    a, rows, cols = read_matrix_csv(file)
    sol = solve_zero_sum(a, source=str(file))
    out = sol.to_dict()
    out["rows"], out["columns"] = rows, cols
    if as_json:
        emit_json(out)
        return
    console.print(f"value {sol.value:.6g} (regrets {sol.row_regret:.1e}, {sol.column_regret:.1e})")
    t = Table("player", "strategy")
    t.add_row(
        "row",
        ", ".join(f"{r} {x:.4f}" for r, x in zip(rows, sol.row_strategy, strict=True) if x > 1e-12),
    )
    t.add_row(
        "column",
        ", ".join(
            f"{c} {y:.4f}" for c, y in zip(cols, sol.column_strategy, strict=True) if y > 1e-12
        ),
    )
    console.print(t)


def register(app: typer.Typer) -> None:
    """Attach ``plan`` and ``game`` to the root app."""
    app.add_typer(plan_app, name="plan")
    app.add_typer(game_app, name="game")
