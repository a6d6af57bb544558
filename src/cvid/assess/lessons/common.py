"""Helpers every lesson shares: whether a commitment is verifiable (the adequacy table of
:mod:`cvid.verify.adequacy`), when it is due, how its field is named in findings, and the two
schedule figures (verified completion, verified irreversible core) that lessons 1, 2 and 4
all read. ``verifiable`` is :func:`cvid.verify.adequacy.verifiable` itself (no method at all
is never verifiable), re-exported so the lessons, the scope and the figure share one rule."""

from __future__ import annotations

from cvid.scenario import IRREVERSIBLE_KINDS, Commitment, Scenario
from cvid.verify.adequacy import adequacy, verifiable

__all__ = [
    "PARTICIPLE",
    "cpath",
    "due",
    "months_text",
    "verifiable",
    "verified_completion_months",
    "verified_core_months",
]

#: What a commitment of each kind does to its target, for findings ("only frozen").
PARTICIPLE = {
    "declare": "declared",
    "freeze": "frozen",
    "disable": "disabled",
    "verify": "verified",
    "grant-access": "opened to inspectors",
    "disclose": "disclosed",
    "dismantle": "dismantled",
    "remove": "removed",
    "destroy": "destroyed",
    "limit": "capped",
    "convert": "converted",
}


def _idx(s: Scenario, c: Commitment) -> int:
    return s.agreement.commitments.index(c)


def cpath(s: Scenario, c: Commitment, field: str = "") -> str:
    base = f"agreement.commitments[{_idx(s, c)}]"
    return f"{base}.{field}" if field else base


def months_text(x: float) -> str:
    return f"{x:g} month" + ("" if x == 1 else "s")


def verified_completion_months(s: Scenario) -> tuple[float | None, str]:
    """Month by which every commitment is due *and* its irreversible steps verifiable (by the
    adequacy table), or None with the reason."""
    commitments = s.agreement.commitments
    if not commitments:
        return None, "the agreement has no commitments"
    end_steps = [c for c in commitments if c.kind in IRREVERSIBLE_KINDS]
    if not end_steps:
        return None, "no commitment dismantles, removes or destroys anything"
    unverified = [c for c in end_steps if not c.verification]
    if unverified:
        return None, f"'{unverified[0].id}' ({unverified[0].kind}) has no verification"
    inadequate = [c for c in end_steps if not verifiable(s, c)]
    if inadequate:
        c = inadequate[0]
        gap = adequacy(s, c).gaps[0]
        return None, (
            f"'{c.id}' ({c.kind}) cannot be verified by {', '.join(c.verification)}: "
            f"{gap.target} needs {gap.needs}"
        )
    return max(due(c) for c in commitments), ""


def verified_core_months(s: Scenario) -> float | None:
    """Month by which the irreversible core (every dismantle, remove, destroy) is due and
    verifiable; None when it never is."""
    core = [c for c in s.agreement.commitments if c.kind in IRREVERSIBLE_KINDS]
    if not core or not all(verifiable(s, c) for c in core):
        return None
    return max(due(c) for c in core)


def due(c: Commitment) -> float:
    return 0.0 if c.completed_before_agreement else c.deadline_months
