"""Which figures the report shows: the data of each (:mod:`cvid.assess.figures`), and for each
one left out a note saying what input would produce it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cvid.assess import figures as F
from cvid.assess.figures import FigureData, num
from cvid.assess.result import Assessment
from cvid.scenario import Scenario


def nothing_to_find(s: Scenario, fd: FigureData) -> str | None:
    """Why a lesson-3 search curve is zero over its whole range (a flat line at zero says
    nothing a sentence cannot), or None when it shows something."""
    if max(fd.data["probability"], default=0.0) > 0.0:
        return None
    v, pr = s.verification, s.agreement.provisions
    what = {
        "lesson3-inspections": "at any number of challenge inspections",
        "lesson3-notice": "at any notice time",
        "lesson3-site-search": "over the whole search",
    }.get(fd.id, "everywhere")
    if pr.access in ("declared-sites-only", "none"):
        reason = (
            f"access is '{pr.access}' (agreement.provisions.access): inspectors can never "
            "enter an undeclared site"
        )
    elif v.challenge_inspections_per_year <= 0 and fd.id != "lesson3-inspections":
        reason = (
            "there are no challenge inspections (verification.challenge_inspections_per_year = 0)"
        )
    elif pr.access == "managed":
        c = v.concealment_time_hours
        reason = (
            f"managed access adds {num(v.managed_access_delay_hours)} hours "
            "(verification.managed_access_delay_hours) to the notice, longer than the "
            f"{num(c.low)}–{num(c.high)} hours the state needs to hide its traces "
            "(verification.concealment_time_hours)"
        )
    else:
        reason = "no inspection route reaches the site under this regime"
    ntm = v.national_means_detection_per_month
    tail = (
        ""
        if fd.id != "lesson3-site-search" or ntm > 0
        else " and national technical means add nothing "
        "(verification.national_means_detection_per_month = 0)"
    )
    return (
        f"The chance of finding an undeclared site is zero {what}: {reason}{tail}. "
        f"{fd.title} would be a flat line at zero."
    )


def build_figures(s: Scenario, a: Assessment) -> tuple[dict[str, FigureData], dict[str, str]]:
    """The data of every figure the report can show for this assessment, and a note for each
    figure or section left out (by id) saying what input would produce it."""
    figures: dict[str, FigureData] = {}
    notes: dict[str, str] = {}
    figures["lesson1-timeline"] = F.timeline_data(s, a)
    if s.agreement.concessions:
        figures["lesson2-concessions"] = F.concessions_data(s, a)
    else:
        notes["lesson2-concessions"] = (
            "No concessions in the agreement, so there is nothing to plot against the verified "
            "milestones; add [[agreement.concessions]] to see them."
        )
    figures["lesson3-sample-size"] = F.sample_size_data(s, a)
    for fd in (F.inspections_data(s), F.notice_data(s), F.site_search_data(s)):
        why = nothing_to_find(s, fd)
        if why is None:
            figures[fd.id] = fd
        else:
            notes[fd.id] = why
    sig = F.sigma_muf_data(s, a)
    if sig.data["sigma_muf_kg"] > 0:
        figures["lesson3-sigma-muf"] = sig
    else:
        notes["lesson3-sigma-muf"] = (
            "σMUF is zero (no measurement error or no material in "
            "verification.material_balance); give inventory, throughput and error RSDs to "
            "plot the balance test."
        )
    if F.end_state_items(a):
        figures["lesson4-end-state"] = F.end_state_data(a)
    else:
        notes["lesson4-end-state"] = (
            "The program lists no nuclear item in CVID's scope; add facilities, materials, "
            "weapons or missiles to [program] to see the end state item by item."
        )
    sim = a.simulation_result
    if sim is not None:
        figures["simulation-outcomes"] = F.outcomes_data(sim)
        figures["simulation-capability"] = F.capability_data(sim)
        figures["simulation-concessions"] = F.concessions_paid_data(sim)
    return figures, notes


def report_figures(
    s: Scenario, a: Assessment, compliance: Mapping[str, Any] | None
) -> tuple[dict[str, FigureData], dict[str, str]]:
    """:func:`build_figures`, and with a compliance state the compliance timeline (or the
    note saying what it needs)."""
    figures, notes = build_figures(s, a)
    if compliance is not None:
        timeline = F.compliance_data(s, compliance)
        if timeline is not None:
            figures["compliance-timeline"] = timeline
        else:
            notes["compliance-timeline"] = (
                "The compliance timeline needs the full compliance state (build_report with "
                "ledger=...) and the agreement's start date (agreement.start)."
            )
    return figures, notes
