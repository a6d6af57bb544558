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
    findings.append(
        Finding(
            "verification.material_balance",
            _judge(p_div, t.detection_goal, t.detection_warn),
            f"A diversion of one significant quantity ({v.significant_quantity_kg:g} kg "
            f"{v.material}) is detected within {v.timeliness_goal_months:g} month(s) with "
            f"probability {p_div:.2f} (goal {t.detection_goal:.2f}).",
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
    findings.append(
        Finding(
            "verification.material_balance",
            "info" if v.sigma_muf_per_sq <= limit else "warn",
            f"σMUF is {v.sigma_muf_kg:.3g} kg, {v.sigma_muf_per_sq:.2f} of a significant quantity "
            f"(at most {limit:.2f} detects 1 SQ with α = β = 0.05).",
        )
    )
    figures: dict[str, Any] = {"verification": v.to_dict()}
    figures.update(
        {
            "detection_probability_sq_within_goal": p_div,
            "undeclared_site_probability_1y": p_site,
            "undeclared_site_probability_1y_interval": [
                v.undeclared_site_probability_1y_low,
                v.undeclared_site_probability_1y_high,
            ],
            "sigma_muf_kg": v.sigma_muf_kg,
            "sigma_muf_per_sq": v.sigma_muf_per_sq,
            "monthly_detection_probability": v.monthly_detection_probability,
        }
    )
    return {"figures": figures, "findings": findings}
