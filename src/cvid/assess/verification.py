"""Lesson 3's numbers: what :mod:`cvid.verify` says the regime can catch, judged by thresholds."""

from __future__ import annotations

import math
from typing import Any

from cvid.assess.result import Finding, Severity
from cvid.scenario import Scenario
from cvid.verify import lesson3_figures

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
        f"the state's best split hides {eq['falsified_kg']:g} kg in {eq['falsified_items']} "
        f"falsified item(s) and leaves {eq['in_muf_kg']:g} kg in MUF; the independent union "
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
            f"{p_site:.2f}{interval}.",
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
