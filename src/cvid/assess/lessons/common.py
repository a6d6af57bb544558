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


def civil_fuel_commitments(s: Scenario) -> list[Commitment]:
    """Commitments that act only on civil material declared and under safeguards before the
    agreement (``program.materials[].safeguarded_civil``), such as the return of a research
    reactor's HEU fuel to its supplier.

    The rule of lesson 1's clocks, and why: the op-ed's benchmark is the strategic decision
    shown by removing the *weapons program* — Libya's centrifuges, weapon drawings, UF6 and
    Scud-C left within about four months (2003-12-19 to 2004-03-06, events.csv). The Tajura
    reactor's HEU fuel was declared and safeguarded before 2003 (IAEA GOV/2004/12) and left
    in 2004, 2006 and 2009 on the supplier's and the reactor's schedule (conversion to LEU
    in 2006, cases.md §9): a civil-fuel matter that says nothing about whether the state
    decided to give up weapons. So the clocks of lesson 1 (irreversible acts, verified
    completion) and the irreversible core of lesson 2 leave these commitments out, and
    lesson 1 shows them in a finding of their own; lesson 4's end state still counts the
    material. The rule is a property of the material (declared, safeguarded, civil), not of
    a deadline: an undeclared or unsafeguarded stock is always in the clocks."""
    civil = {m.id for m in s.program.materials if m.safeguarded_civil}
    return [c for c in s.agreement.commitments if c.targets and set(c.targets) <= civil]


def weapons_program_commitments(s: Scenario) -> list[Commitment]:
    """Every commitment except :func:`civil_fuel_commitments`: what lesson 1 times."""
    civil = {c.id for c in civil_fuel_commitments(s)}
    return [c for c in s.agreement.commitments if c.id not in civil]


def verified_completion_months(s: Scenario) -> tuple[float | None, str]:
    """Month by which every commitment of the weapons program is due *and* its irreversible
    steps verifiable (by the adequacy table), or None with the reason. Commitments on
    safeguarded civil fuel are left out (:func:`civil_fuel_commitments`)."""
    commitments = weapons_program_commitments(s)
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
    """Month by which the irreversible core (every dismantle, remove, destroy of the weapons
    program, :func:`weapons_program_commitments`) is due and verifiable; None when it never
    is."""
    core = [c for c in weapons_program_commitments(s) if c.kind in IRREVERSIBLE_KINDS]
    if not core or not all(verifiable(s, c) for c in core):
        return None
    return max(due(c) for c in core)


def due(c: Commitment) -> float:
    return 0.0 if c.completed_before_agreement else c.deadline_months
