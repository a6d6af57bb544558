"""Lesson 4's section of the report: the items in CVID's scope with what covers them, and the
checklist, both as lesson 4 found them (:mod:`cvid.assess.scope`)."""

from __future__ import annotations

from typing import Any

from cvid.assess.figures import ITEM_STATUSES, end_state_items
from cvid.assess.report.format import fmt
from cvid.assess.result import Assessment
from cvid.scenario import Scenario


def lesson4_extra(s: Scenario, a: Assessment) -> dict[str, Any]:
    items = end_state_items(a)
    f = a.lesson(4).figures
    status_label = {k: v[0] for k, v in ITEM_STATUSES.items()}
    checklist = [(c["criterion"], c["met"], c["evidence"]) for c in f["checklist"]]
    return {
        "items": [
            {
                **i,
                "status_label": status_label[i["status"]],
                "covered_by": "; ".join(
                    f"{c['id']} ({c['kind']}, month {fmt(c['deadline_months'])}, "
                    f"{', '.join(c['verification']) or 'unverified'})"
                    for c in i["commitments"]
                )
                or "—",
            }
            for i in items
        ],
        "checklist": checklist,
    }
