"""Thresholds of the lesson checks: the judgement calls of an assessment, kept as data."""

from __future__ import annotations

from pydantic import Field

from cvid.scenario.common import Model, Probability


class LessonThresholds(Model):
    """Where a lesson check turns from pass to warn to fail. Defaults follow the Libya case."""

    libya_benchmark_months: float = Field(
        default=4.0,
        gt=0,
        description="Libya 2003–04: announcement 2003-12-19 to last nuclear shipment 2004-03-06.",
    )
    completion_pass_months: float = Field(
        default=6.0,
        gt=0,
        description="Verified completion by this month passes lesson 1 ('months, not years').",
    )
    completion_warn_months: float = Field(
        default=12.0, gt=0, description="Verified completion later than this fails lesson 1."
    )
    first_milestone_months: float = Field(
        default=3.0,
        gt=0,
        description="Concrete acts (full declaration, access, documents) due by this month.",
    )
    detection_goal: Probability = Field(
        default=0.9, description="Detection probability a regime should reach (IAEA 'high')."
    )
    detection_warn: Probability = Field(
        default=0.5, description="Below this detection probability lesson 3 fails."
    )
    max_notice_hours_anywhere_anytime: float = Field(
        default=24.0, ge=0, description="Longest notice still counted as 'anytime' access."
    )
