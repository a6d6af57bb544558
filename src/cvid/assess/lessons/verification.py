"""Lesson 3: verification that reaches what a cheater would hide.

The rules (access, notice, people, documents, the adequacy table), what a freeze leaves
running, the figures of :mod:`cvid.verify` judged by the thresholds, and the state's best
path under the agreement from the red team (:func:`cvid.redteam.best_path`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from cvid.assess.lessons.common import cpath, months_text, verifiable
from cvid.assess.result import Finding, LessonResult, Severity, grade_of
from cvid.assess.scope import covering
from cvid.scenario import Scenario
from cvid.scenario.program import is_producing
from cvid.verify import heu_kg, lesson3_figures, plutonium_kg, search_default_label
from cvid.verify.adequacy import adequacy

if TYPE_CHECKING:
    from cvid.redteam import BestPath


def lesson3_rules(s: Scenario) -> list[Finding]:
    """Rule-based part of lesson 3: access, notice, people and documents, challenge inspections."""
    pr = s.agreement.provisions
    v = s.verification
    t = s.thresholds
    out: list[Finding] = []
    field = "agreement.provisions.access"
    if pr.access == "anywhere-anytime":
        out.append(Finding(field, "info", "Inspectors may go anywhere, anytime."))
    elif pr.access == "managed":
        out.append(
            Finding(
                field,
                t.without_anywhere_anytime,
                "Managed access: the inspected state negotiates where and when inspectors go "
                "(no anywhere-anytime access).",
            )
        )
    else:
        out.append(
            Finding(
                field,
                "fail",
                f"Access is '{pr.access}': undeclared sites cannot be inspected at all.",
            )
        )
    if pr.access != "none" and pr.challenge_notice_hours > t.max_notice_hours_anywhere_anytime:
        out.append(
            Finding(
                "agreement.provisions.challenge_notice_hours",
                "warn",
                f"{pr.challenge_notice_hours:g} hours' notice before a challenge inspection "
                f"is more than {t.max_notice_hours_anywhere_anytime:g}: time to clean up a site.",
            )
        )
    if not pr.access_to_people:
        out.append(
            Finding(
                "agreement.provisions.access_to_people",
                t.without_access_to_people,
                "No access to the program's scientists and officials.",
            )
        )
    if not pr.access_to_documents:
        out.append(
            Finding(
                "agreement.provisions.access_to_documents",
                t.without_access_to_documents,
                "No access to production and procurement records.",
            )
        )
    for c in s.agreement.commitments:
        if not c.verification:
            # No method at all is no better than an inadequate one (a method added to a step
            # must never worsen the lesson).
            out.append(
                Finding(
                    cpath(s, c, "verification"),
                    "fail",
                    f"'{c.id}' ({c.kind}) has no verification: nothing in the agreement can "
                    "confirm it.",
                )
            )
            continue
        ad = adequacy(s, c)
        for gap in ad.gaps:
            out.append(
                Finding(
                    cpath(s, c, "verification"),
                    "fail",
                    f"'{c.id}' ({c.kind}) cannot be verified by {', '.join(c.verification)}: "
                    f"{gap.target} ({gap.target_class}) needs {gap.needs}. {gap.source}",
                )
            )
        for missing in ad.rows_missing:
            out.append(
                Finding(
                    cpath(s, c, "verification"),
                    "info",
                    f"'{c.id}': the adequacy table has no row for {missing}; any method "
                    "other than national technical means is accepted.",
                )
            )
    if pr.access in {"anywhere-anytime", "managed"} and v.challenge_inspections_per_year == 0:
        out.append(
            Finding(
                "verification.challenge_inspections_per_year",
                "warn",
                "No challenge inspections are planned, so the access right is never used.",
            )
        )
    undeclared = [f for f in s.program.facilities if not f.declared]
    if undeclared and pr.access in {"declared-sites-only", "none"}:
        names = ", ".join(f"'{f.id}'" for f in undeclared)
        out.append(
            Finding(
                "program.facilities[].declared",
                "fail",
                f"Suspected undeclared facilities ({names}) lie outside the inspectors' reach.",
            )
        )
    return out


#: Grams of plutonium per MWd(th) used for the freeze's running production (the lower end of
#: 0.9–1.0 g/MWd for a graphite-moderated reactor, research README; Yongbyon 5 MWe).
PU_G_PER_MWD = 0.95
_HALTING = frozenset({"freeze", "disable", "dismantle", "remove", "destroy"})


def left_running(s: Scenario) -> dict[str, Any]:
    """What the agreement leaves running: operating reactors and enrichment plants no
    verifiable freeze, disablement or dismantlement reaches (undeclared ones until found),
    with their production a year (kg and significant quantities, low–high from the
    facility's estimates: Pu = P·365·cf·0.95 g/MWd; U-235 in 90 % HEU from the plant's
    kg-SWU, 0.3 % tails), and missiles whose flight tests nothing stops."""
    p = s.program
    good = [c for c in s.agreement.commitments if c.kind in _HALTING and verifiable(s, c)]
    facilities: list[dict[str, Any]] = []
    for f in p.facilities:
        if not is_producing(f) or f.kind not in ("reactor", "enrichment"):
            continue
        halted = f.declared and any(c in covering(s, f.id, "facility", True) for c in good)
        if halted:
            continue
        row: dict[str, Any] = {"facility": f.id, "kind": f.kind, "declared": f.declared}
        if f.kind == "reactor" and f.thermal_power_mw is not None:
            cf = f.capacity_factor
            pu_lo = float(plutonium_kg(f.thermal_power_mw.low, f.operating_days_per_year,
                                       cf.low if cf else 1.0, PU_G_PER_MWD))  # fmt: skip
            pu_hi = float(plutonium_kg(f.thermal_power_mw.high, f.operating_days_per_year,
                                       cf.high if cf else 1.0, PU_G_PER_MWD))  # fmt: skip
            row.update(material="plutonium", kg_per_year=[pu_lo, pu_hi])
            row["sq_per_year"] = [pu_lo / 8.0, pu_hi / 8.0]
        elif f.kind == "enrichment" and f.separative_capacity_swu_per_year is not None:
            swu = f.separative_capacity_swu_per_year
            lo, hi = (0.9 * float(heu_kg(x)) for x in (swu.low, swu.high))
            row.update(material="heu", kg_per_year=[lo, hi], sq_per_year=[lo / 25.0, hi / 25.0])
        facilities.append(row)
    missiles = []
    for m in p.missiles:
        names = {m.id, "all", "all-missiles", "missile-testing"}
        if m.missile_class == "icbm":
            names.add("icbm-testing")
        if not any(names & set(c.targets) for c in good):
            missiles.append(m.id)
    sq = [sum(r.get("sq_per_year", [0, 0])[i] for r in facilities) for i in (0, 1)]
    return {"facilities": facilities, "sq_per_year": sq, "missiles_untested_free": missiles}


def lesson3(
    s: Scenario,
    quantitative: dict[str, Any] | None = None,
    red_team: dict[str, Any] | None = None,
) -> LessonResult:
    """Effective verification: access rules, the verification figures of :mod:`cvid.verify`
    (``quantitative``, from :func:`lesson3_quantitative`) and the state's best path under the
    agreement (``red_team``, from :func:`lesson3_red_team`)."""
    findings = lesson3_rules(s)
    a = s.agreement
    figures: dict[str, Any] = {
        "access": a.provisions.access,
        "challenge_notice_hours": a.provisions.challenge_notice_hours,
        "access_to_people": a.provisions.access_to_people,
        "access_to_documents": a.provisions.access_to_documents,
        "share_of_commitments_with_verification": (
            sum(1 for c in a.commitments if c.verification) / len(a.commitments)
            if a.commitments
            else None
        ),
        "share_of_commitments_verifiable": (
            sum(1 for c in a.commitments if verifiable(s, c)) / len(a.commitments)
            if a.commitments
            else None
        ),
        "adequacy": [adequacy(s, c).to_dict() for c in a.commitments],
        "left_running": left_running(s),
    }
    running = figures["left_running"]
    if any(c.kind in ("freeze", "disable") for c in a.commitments) and running["facilities"]:
        parts = []
        for r in running["facilities"]:
            name = f"'{r['facility']}'" + ("" if r["declared"] else " (undeclared)")
            if "sq_per_year" in r:
                lo, hi = r["sq_per_year"]
                kg_lo, kg_hi = r["kg_per_year"]
                name += (
                    f", {kg_lo:.0f}–{kg_hi:.0f} kg {r['material']} ({lo:.1f}–{hi:.1f} SQ) a year"
                )
            else:
                name += ", capacity not stated"
            parts.append(name)
        findings.append(
            Finding(
                "agreement.commitments",
                "warn",
                "The freeze leaves running " + "; ".join(parts) + ".",
            )
        )
    for part in (quantitative, red_team):
        if part:
            figures.update(part.get("figures", {}))
            findings.extend(part.get("findings", []))
    grade = grade_of(tuple(findings))
    summary = {
        "pass": "Inspectors can go anywhere, anytime and see people and documents.",
        "warn": "Verification has gaps a cheater could use; see findings.",
        "fail": "Verification cannot reach what a cheater would hide.",
    }[grade]
    return LessonResult(3, grade, summary, tuple(findings), figures)


#: σMUF must not exceed SQ / (z_{1-α} + z_{1-β}) = SQ / 3.29 to detect one SQ with α = β = 0.05
#: (research README: PD = Φ(M/σ − z_{1−α})).
SIGMA_MUF_FRACTION_OF_SQ = 1.0 / (2.0 * 1.6448536269514722)


def _judge(p: float, goal: float, warn: float) -> Severity:
    return "info" if p >= goal else "warn" if p >= warn else "fail"


def lesson3_quantitative(s: Scenario) -> dict[str, Any]:
    """Figures and findings of lesson 3 from the regime (see ``cvid.verify.lesson3_figures``)."""
    t = s.thresholds
    v = lesson3_figures(s)
    findings: list[Finding] = []
    p_div = v.detection_probability_sq_within_goal
    eq = v.diversion_equilibrium
    split = (
        f"the state's best split hides {eq.falsified_kg:g} kg in {eq.falsified_items} "
        f"falsified item(s) and leaves {eq.in_muf_kg:g} kg in MUF; the independent union "
        f"of the two tests would claim {v.independent_union_within_goal:.2f}"
    )
    if v.material_balance_basis == "facility-plan":
        findings.append(
            Finding(
                "verification.material_balance",
                _judge(p_div, t.detection_goal, t.detection_warn),
                f"A diversion of one significant quantity ({v.significant_quantity_kg:g} kg "
                f"{v.material}) is detected within {v.timeliness_goal_months:g} month(s) with "
                f"probability {p_div:.2f} (goal {t.detection_goal:.2f}): {split} "
                f"({v.material_balance_note}).",
            )
        )
    elif v.material_balance_basis == "default-plan":
        findings.append(
            Finding(
                "verification.material_balance.facility",
                "info",
                f"Default plan, illustrative: {v.material_balance_note}. Under it a diversion "
                f"of one SQ ({v.significant_quantity_kg:g} kg {v.material}) would be detected "
                f"in time with probability {p_div:.2f}; not graded.",
            )
        )
    else:
        findings.append(
            Finding(
                "verification.material_balance",
                "info",
                f"Material balance not applicable: {v.material_balance_note}.",
            )
        )
    p_site = v.undeclared_site_probability_1y
    interval = ""
    if not math.isclose(
        v.undeclared_site_probability_1y_low, v.undeclared_site_probability_1y_high
    ):
        interval = (
            f" ({v.undeclared_site_probability_1y_low:.2f}–"
            f"{v.undeclared_site_probability_1y_high:.2f} over the concealment-time range)"
        )
    findings.append(
        Finding(
            "verification.challenge_inspections_per_year",
            _judge(p_site, t.detection_goal, t.detection_warn),
            f"An undeclared enrichment plant is found within a year with probability "
            f"{p_site:.2f}{interval}.{search_default_label(s)}",
        )
    )
    limit = SIGMA_MUF_FRACTION_OF_SQ
    if v.material_balance_basis == "facility-plan":
        findings.append(
            Finding(
                "verification.material_balance",
                "info" if v.sigma_muf_per_sq <= limit else "warn",
                f"σMUF is {v.sigma_muf_kg:.3g} kg, {v.sigma_muf_per_sq:.2f} of a significant "
                f"quantity (at most {limit:.2f} detects 1 SQ with α = β = 0.05).",
            )
        )
    findings.append(
        Finding(
            "verification.intelligence_cueing",
            "info",
            f"Of the chance to find the site within a year, {v.undeclared_site_cued_1y:.2f} "
            f"comes from histories where intelligence knows the site and "
            f"{v.undeclared_site_uncued_1y:.2f} from searching the candidates without it "
            f"(a cue redrawn at every inspection would claim "
            f"{v.undeclared_site_redrawn_cue_1y:.2f}).",
        )
    )
    figures: dict[str, Any] = {"verification": v.to_dict()}
    if v.material_balance_basis == "facility-plan":
        # Headline figures only when the plan is the scenario's own.
        figures["detection_probability_sq_within_goal"] = p_div
        figures["sigma_muf_kg"] = v.sigma_muf_kg
        figures["sigma_muf_per_sq"] = v.sigma_muf_per_sq
    figures.update(
        {
            "material_balance_basis": v.material_balance_basis,
            "undeclared_site_probability_1y": p_site,
            "undeclared_site_probability_1y_interval": [
                v.undeclared_site_probability_1y_low,
                v.undeclared_site_probability_1y_high,
            ],
            "monthly_detection_probability": v.monthly_detection_probability,
        }
    )
    return {"figures": figures, "findings": findings}


#: Best paths already solved, by the scenario's JSON and the red-team fields it sets (whether
#: a payoff is the scenario's own or a default is part of the answer). The red team is the
#: slow part of ``assess``; the report, the service and repeated runs ask for it again.
_BEST_PATHS: dict[tuple[str, frozenset[str]], BestPath | None] = {}
_BEST_PATHS_MAX = 32


def state_best_path(s: Scenario) -> BestPath | None:
    """:func:`cvid.redteam.best_path` of ``s``, solved once per distinct scenario."""
    from cvid.redteam import best_path

    key = (s.model_dump_json(), frozenset(s.redteam.model_fields_set))
    if key not in _BEST_PATHS:
        if len(_BEST_PATHS) >= _BEST_PATHS_MAX:
            _BEST_PATHS.pop(next(iter(_BEST_PATHS)))
        _BEST_PATHS[key] = best_path(s)
    return _BEST_PATHS[key]


def lesson3_red_team(s: Scenario) -> dict[str, Any]:
    """What a cheater would do under this agreement: the state's best path against the
    inspectorate's equilibrium allocation (:func:`cvid.redteam.best_path`), with its
    equilibrium detection probability judged like the other detection figures
    (``thresholds.detection_goal`` and ``detection_warn``).

    When every path is undetected the lesson fails. When the red team's payoffs rest on its
    built-in assumptions (no ``[redteam]`` table setting them), the finding says so and
    warns at most: which path is *best* depends on those payoffs."""
    t = s.thresholds
    b = state_best_path(s)
    if b is None:
        return {
            "figures": {"red_team": None},
            "findings": [
                Finding(
                    "agreement.commitments",
                    "info",
                    "Red team: the agreement has no commitment the state could evade, so there "
                    "is no cheating path to rank.",
                )
            ],
        }
    p_eq = b.equilibrium_detection_probability
    sq = b.material_sq
    material = (
        f"{sq['low']:g}–{sq['high']:g} SQ kept"
        if sq.get("high", 0.0) > 0
        else "no material kept (it buys time and concessions)"
    )
    if b.time_to_exposure_months is None:
        exposure = "it is never exposed within the agreement"
    else:
        exposure = f"exposed after about {months_text(round(b.time_to_exposure_months, 1))}"
    if b.concessions_before_exposure:
        exposure += ", having collected " + ", ".join(
            f"'{k}'" for k in b.concessions_before_exposure
        )
    pays = (
        "cheating pays more than complying"
        if b.payoff > b.compliance_payoff
        else "complying pays more than this or any path"
    )
    label = (
        " Payoffs from the red team's built-in assumptions (no [redteam] table): illustrative."
        if b.assumptions_defaulted
        else ""
    )
    sev: Severity
    if b.every_path_undetected:
        sev = "fail"
        text = (
            f"Red team: every path is undetected; the state's best is '{b.path}' "
            f"({material}; {exposure})."
        )
    else:
        sev = "info" if p_eq >= t.detection_goal else "warn" if p_eq >= t.detection_warn else "fail"
        if b.assumptions_defaulted and sev == "fail":
            sev = "warn"
        text = (
            f"Red team: a cheater's best path under this agreement is '{b.path}' "
            f"({', '.join(b.kinds)}; {material}). Against the inspectorate's best allocation "
            f"it is caught with equilibrium probability {p_eq:.2f} "
            f"(goal {t.detection_goal:.2f}); {exposure}; {pays}."
        )
    return {
        "figures": {"red_team": b.to_dict()},
        "findings": [Finding("agreement.commitments", sev, text + label)],
    }
