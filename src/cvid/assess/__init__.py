"""The main job: a scorecard per lesson for a scenario (``cvid assess``).

>>> from cvid.assess import assess
>>> result = assess("libya-2003")
>>> [lesson.grade for lesson in result.lessons]
['pass', 'pass', 'pass', 'pass']
"""

from __future__ import annotations

from cvid.assess.engine import assess, assumptions_of, scenario_summary
from cvid.assess.report import (
    FORMATS,
    Report,
    build_report,
    ledger_compliance,
    render_html,
    write_report,
)
from cvid.assess.result import (
    LESSON_TITLES,
    Assessment,
    Assumption,
    Finding,
    Grade,
    LessonResult,
    Severity,
)

__all__ = [
    "FORMATS",
    "LESSON_TITLES",
    "Assessment",
    "Assumption",
    "Finding",
    "Grade",
    "LessonResult",
    "Report",
    "Severity",
    "assess",
    "assumptions_of",
    "build_report",
    "ledger_compliance",
    "render_html",
    "scenario_summary",
    "write_report",
]
