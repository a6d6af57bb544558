"""Rule-based checks of the four lessons. Every threshold comes from ``scenario.thresholds``.

Each check returns findings that name the scenario field they come from, so a reader can
see exactly which term of the agreement earned the grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cvid.assess.result import Finding, LessonResult, Severity, grade_of
from cvid.assess.scope import (
    NUCLEAR_FACILITY_KINDS,
    STRATEGIC_MISSILES,
    covering,
    scope_items,
)
from cvid.scenario import (
    DIRECT_USE_MATERIALS,
    IRREVERSIBLE_KINDS,
    REVERSIBLE_KINDS,
    SENSITIVE_FACILITY_KINDS,
    Commitment,
    Scenario,
)
from cvid.scenario.program import is_producing
from cvid.verify import heu_kg, plutonium_kg, search_model
from cvid.verify.adequacy import adequacy

__all__ = [
    "NUCLEAR_FACILITY_KINDS",
    "STRATEGIC_MISSILES",
    "civil_fuel_commitments",
    "covering",
    "feasibility_months",
    "irreversible_acts",
    "lesson1",
    "lesson2",
    "lesson3",
    "lesson3_rules",
    "lesson4",
    "verified_completion_months",
    "verified_core_months",
    "weapons_program_commitments",
]

_PARTICIPLE = {
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
#: Concession kinds whose early release costs little pressure (warn rather than fail).
LOW_COST_CONCESSIONS = frozenset({"summit", "diplomatic"})
#: Wording of a stated goal that carries conditions outside the state's program, and why.
CONDITIONAL_GOAL_WORDING: dict[str, str] = {
    "korean peninsula": "in the DPRK's usage 'denuclearization of the Korean Peninsula' "
    "includes the US nuclear umbrella and US forces in the South (KCNA, 2018-12-20)",
    "nuclear-weapon-free zone": "a zone makes disarmament depend on every state of the region",
    "nuclear weapon free zone": "a zone makes disarmament depend on every state of the region",
    "hostile policy": "ending 'hostile policy' is a condition on the other parties",
}


def _verifiable(s: Scenario, c: Commitment) -> bool:
    return bool(c.verification) and adequacy(s, c).verifiable


def _idx(s: Scenario, c: Commitment) -> int:
    return s.agreement.commitments.index(c)


def _cpath(s: Scenario, c: Commitment, field: str = "") -> str:
    base = f"agreement.commitments[{_idx(s, c)}]"
    return f"{base}.{field}" if field else base


def _months(x: float) -> str:
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
    inadequate = [c for c in end_steps if not _verifiable(s, c)]
    if inadequate:
        c = inadequate[0]
        gap = adequacy(s, c).gaps[0]
        return None, (
            f"'{c.id}' ({c.kind}) cannot be verified by {', '.join(c.verification)}: "
            f"{gap.target} needs {gap.needs}"
        )
    return max(_due(c) for c in commitments), ""


def verified_core_months(s: Scenario) -> float | None:
    """Month by which the irreversible core (every dismantle, remove, destroy of the weapons
    program, :func:`weapons_program_commitments`) is due and verifiable; None when it never
    is."""
    core = [c for c in weapons_program_commitments(s) if c.kind in IRREVERSIBLE_KINDS]
    if not core or not all(_verifiable(s, c) for c in core):
        return None
    return max(_due(c) for c in core)


def _due(c: Commitment) -> float:
    return 0.0 if c.completed_before_agreement else c.deadline_months


def irreversible_acts(s: Scenario) -> dict[str, dict[str, Any] | None]:
    """The state's irreversible acts of lesson 1 — halt, complete declaration, access and
    hand-over — each the earliest verifiable commitment that delivers it (month 0 for an act
    completed before the agreement), or None when none does. ``halt`` is not needed (month 0)
    when no sensitive facility operates; ``hand-over`` is the month by which every weapon
    and every stock of direct-use material or UF6 (the materials of lesson 4's scope) is
    covered by a verifiable remove, dismantle or destroy — civil fuel declared and
    safeguarded before the agreement excepted (:func:`civil_fuel_commitments`)."""
    p = s.program
    good = [c for c in weapons_program_commitments(s) if _verifiable(s, c)]

    def first(cands: Iterable[Commitment]) -> dict[str, Any] | None:
        c = min(cands, key=_due, default=None)
        return None if c is None else {"commitment": c.id, "month": _due(c)}

    sensitive = [
        f for f in p.facilities if f.kind in SENSITIVE_FACILITY_KINDS and f.status == "operating"
    ]
    halting_kinds = {"freeze", "disable", *IRREVERSIBLE_KINDS}
    if sensitive:
        months = []
        for f in sensitive:
            names = {f.id, "all", "all-facilities"} | (
                set() if f.declared else {"undeclared-sites"}
            )
            hit = first(c for c in good if c.kind in halting_kinds and names & set(c.targets))
            months.append(hit)
        halt = None if any(m is None for m in months) else max(months, key=lambda m: m["month"])  # type: ignore[index]
    else:
        halt = {"commitment": None, "month": 0.0}
    declaration = first(c for c in good if c.kind == "declare" and c.scope == "complete")
    access = first(
        c
        for c in good
        if c.kind == "grant-access"
        and {"all", "all-facilities", "undeclared-sites"} & set(c.targets)
    )
    stocks = [("weapons", w.id) for w in p.weapons] + [
        ("material", m.id)
        for m in p.materials
        if (m.kind in DIRECT_USE_MATERIALS or m.kind == "uf6") and not m.safeguarded_civil
    ]
    if stocks:
        each = [
            first(c for c in good if c.kind in IRREVERSIBLE_KINDS and c in covering(s, i, k))
            for k, i in stocks
        ]
        hand_over = None if any(e is None for e in each) else max(each, key=lambda e: e["month"])  # type: ignore[index]
    else:
        hand_over = {"commitment": None, "month": 0.0}
    return {"halt": halt, "declaration": declaration, "access": access, "hand_over": hand_over}


#: Facilities whose elimination sets the pace of verified dismantlement (size index).
PRODUCTION_FACILITY_KINDS = frozenset(
    {"reactor", "enrichment", "reprocessing", "conversion", "fuel-fabrication", "test-site"}
)


def program_size_index(s: Scenario) -> dict[str, float]:
    """The program's size against the feasibility reference: ratios of warheads, kg of
    direct-use material and operating production facilities (central estimates), and their
    mean, the index (see :class:`cvid.scenario.thresholds.FeasibilityBasis`)."""
    p, ref = s.program, s.thresholds.feasibility
    warheads = sum(w.count.central for w in p.weapons)
    kg = sum(m.mass_kg.central for m in p.materials if m.kind in DIRECT_USE_MATERIALS)
    kept = set(s.agreement.provisions.civil_items_retained)
    facilities = sum(
        1
        for f in p.facilities
        if f.kind in PRODUCTION_FACILITY_KINDS and f.status == "operating" and f.id not in kept
    )

    def ratio(x: float, r: float) -> float:
        return x / r if r > 0 else 0.0

    parts = {
        "warheads": ratio(warheads, ref.reference_warheads),
        "fissile_kg": ratio(kg, ref.reference_fissile_kg),
        "facilities": ratio(facilities, ref.reference_facilities),
    }
    return {**parts, "index": sum(parts.values()) / len(parts)}


def feasibility_months(s: Scenario) -> tuple[float, float]:
    """(low, high) months verified elimination of this program would take: the reference
    range times the size index, never below the Libya benchmark."""
    t = s.thresholds
    i = program_size_index(s)["index"]
    ref = t.feasibility
    return (
        max(t.libya_benchmark_months, ref.months_low * i),
        max(t.libya_benchmark_months, ref.months_high * i),
    )


def lesson1(s: Scenario) -> LessonResult:
    """Strategic decision shown by concrete, verified acts: two clocks. Months to the state's
    irreversible acts (halt, complete declaration, access, hand-over) against the Libya
    benchmark; months to verified completion against a feasibility estimate scaled by the
    program's size (Hecker, Carlin & Serbin 2018: 6–10 years for the DPRK's program)."""
    t = s.thresholds
    a = s.agreement
    findings: list[Finding] = []
    completion, why_never = verified_completion_months(s)
    scheduled = max((c.deadline_months for c in a.commitments), default=None)

    # Clock 1: the irreversible acts of abandonment.
    acts = irreversible_acts(s)
    act_labels = {
        "halt": "a halt of every operating enrichment and reprocessing plant",
        "declaration": "a complete, verifiable declaration",
        "access": "access to all sites, declared or not",
        "hand_over": "the hand-over of every weapon and stock of direct-use material or UF6",
    }
    missing = [k for k, v in acts.items() if v is None]
    for k in missing:
        sev: Severity = "fail" if k in ("declaration", "hand_over") else "warn"
        findings.append(
            Finding(
                "agreement.commitments",
                sev,
                f"No verifiable commitment delivers {act_labels[k]}.",
            )
        )
    acts_month = None if missing else max(v["month"] for v in acts.values() if v is not None)
    if acts_month is not None:
        ratio = acts_month / t.libya_benchmark_months
        if acts_month > t.completion_warn_months:
            sev = "fail"
        elif acts_month > t.completion_pass_months:
            sev = "warn"
        else:
            sev = "info"
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                sev,
                f"The irreversible acts (halt, declaration, access, hand-over) are done by "
                f"month {acts_month:g}: {ratio:.1f}× the Libya benchmark of "
                f"{_months(t.libya_benchmark_months)}"
                + (": years, not months." if sev == "fail" else "."),
            )
        )

    # Clock 2: verified completion against what the program's size needs.
    low, high = feasibility_months(s)
    size = program_size_index(s)
    if completion is None:
        findings.append(
            Finding(
                "agreement.commitments",
                "fail",
                f"No verified completion is ever reached: {why_never}.",
            )
        )
    elif completion < t.faster_than_feasible_fraction * low:
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                "warn",
                f"Verified completion at {_months(completion)} is faster than the "
                f"{low:.0f}–{high:.0f} months verified elimination of a program this size needs "
                f"({t.feasibility.source}; size index {size['index']:.2f}): the months are "
                "months to abandon, and verification must be planned for years.",
            )
        )
    elif completion > t.slower_than_feasible_factor * high:
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                "warn",
                f"Verified completion at {_months(completion)} is later than "
                f"{t.slower_than_feasible_factor:g}× the {high:.0f} months the work needs: "
                "time bought beyond the task.",
            )
        )
    else:
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                "info",
                f"Verified completion at {_months(completion)} fits the {low:.0f}–{high:.0f} "
                f"months a program this size needs (size index {size['index']:.2f}).",
            )
        )

    civil = civil_fuel_commitments(s)
    if civil:
        findings.append(
            Finding(
                "program.materials[].safeguarded_civil",
                "info",
                "Outside the clocks, as civil fuel declared and safeguarded before the agreement: "
                + ", ".join(f"'{c.id}' (month {_due(c):g})" for c in civil)
                + ". Lesson 1 times the weapons program; lesson 4 still counts this material.",
            )
        )

    first_acts = _concrete_acts(s)
    labels = {
        "declaration": "a complete declaration of the whole program",
        "access": "access to all sites, declared or not",
        "documents": "disclosure of the program's documents",
    }
    for act, c in first_acts.items():
        if c is None:
            if act == "declaration" and "declaration" in missing:
                continue
            findings.append(
                Finding("agreement.commitments", "warn", f"No commitment asks for {labels[act]}.")
            )
        elif _due(c) > t.first_milestone_months:
            findings.append(
                Finding(
                    _cpath(s, c, "deadline_months"),
                    "warn",
                    f"{labels[act].capitalize()} ('{c.id}') is due only at "
                    f"{_months(c.deadline_months)}, not among the first steps "
                    f"(≤ {_months(t.first_milestone_months)}).",
                )
            )
        else:
            findings.append(
                Finding(
                    _cpath(s, c, "deadline_months"),
                    "info",
                    f"{labels[act].capitalize()} comes first ('{c.id}', month {_due(c):g}).",
                )
            )

    if a.commitments:
        first_due = min(_due(c) for c in a.commitments)
        first = [c for c in a.commitments if _due(c) == first_due]
        if all(c.kind in REVERSIBLE_KINDS or not _verifiable(s, c) for c in first):
            findings.append(
                Finding(
                    _cpath(s, first[0], "kind"),
                    "warn",
                    "The first step is only "
                    + ", ".join(
                        f"'{c.id}' ({c.kind}{'' if _verifiable(s, c) else ', unverifiable'})"
                        for c in first
                    )
                    + ": words and pauses, not a strategic decision shown by acts.",
                )
            )

    for c in a.commitments:
        if not c.verification:
            findings.append(
                Finding(
                    _cpath(s, c, "verification"),
                    "warn",
                    f"'{c.id}' ({c.kind}) has no verification: it can be claimed, never verified.",
                )
            )
        if c.completed_before_agreement and not _verifiable(s, c):
            findings.append(
                Finding(
                    _cpath(s, c, "completed_before_agreement"),
                    "warn",
                    f"'{c.id}' was done before the agreement without verification it can rest "
                    "on: a gesture, not a verified act.",
                )
            )
    findings.extend(_freeze_after_capability(s))

    unverified = sum(1 for c in a.commitments if not c.verification)
    figures: dict[str, Any] = {
        "verified_completion_months": completion,
        "scheduled_completion_months": scheduled,
        "libya_benchmark_months": t.libya_benchmark_months,
        "ratio_to_libya": None if completion is None else completion / t.libya_benchmark_months,
        "first_concrete_acts": {
            act: None if c is None else {"commitment": c.id, "month": _due(c)}
            for act, c in first_acts.items()
        },
        "commitments": len(a.commitments),
        "civil_fuel_commitments": [c.id for c in civil],
        "unverified_commitments": unverified,
        "unverifiable_commitments": [c.id for c in a.commitments if not _verifiable(s, c)],
        "clocks": {
            "irreversible_acts": {
                "months": acts_month,
                "acts": acts,
                "libya_benchmark_months": t.libya_benchmark_months,
                "ratio_to_libya": None
                if acts_month is None
                else acts_month / t.libya_benchmark_months,
            },
            "verified_completion": {
                "months": completion,
                "feasibility_months": [low, high],
                "size": size,
                "basis": t.feasibility.source,
            },
        },
    }
    grade = grade_of(tuple(findings))
    if acts_month is None:
        summary = "The irreversible acts are never all asked for"
    else:
        summary = f"Irreversible acts by month {acts_month:g}"
    if completion is None:
        summary += "; no verified end: " + why_never + "."
    else:
        need = f"{low:.0f}" if round(low) == round(high) else f"{low:.0f}–{high:.0f}"
        summary += f"; verified completion at {_months(completion)} (needs about {need})."
    return LessonResult(1, grade, summary, tuple(findings), figures)


def _concrete_acts(s: Scenario) -> dict[str, Commitment | None]:
    """The earliest commitment that delivers each of the three first concrete acts."""
    a = s.agreement

    def earliest(cands: Iterable[Commitment]) -> Commitment | None:
        return min(cands, key=_due, default=None)

    return {
        "declaration": earliest(
            c for c in a.commitments if c.kind == "declare" and c.scope == "complete"
        ),
        "access": earliest(
            c
            for c in a.commitments
            if c.kind == "grant-access"
            and {"all", "all-facilities", "undeclared-sites"} & set(c.targets)
        ),
        "documents": earliest(
            c
            for c in a.commitments
            if c.kind in {"disclose", "grant-access"} and "documents" in c.targets
        ),
    }


def _freeze_after_capability(s: Scenario) -> list[Finding]:
    """A freeze that comes after the capability it freezes was demonstrated costs nothing."""
    p = s.program
    out: list[Finding] = []
    icbms = [m for m in p.missiles if m.missile_class == "icbm" and m.flight_tests > 0]
    for c in s.agreement.commitments:
        if c.kind != "freeze":
            continue
        targets = set(c.targets)
        if "nuclear-testing" in targets and p.nuclear_tests > 0:
            last = f", the last on {p.last_nuclear_test.isoformat()}" if p.last_nuclear_test else ""
            out.append(
                Finding(
                    _cpath(s, c, "targets"),
                    "warn",
                    f"'{c.id}' freezes nuclear testing after {p.nuclear_tests} tests{last}: "
                    "the capability is already demonstrated, so the freeze gives up little.",
                )
            )
        frozen_missiles = [
            m
            for m in icbms
            if {"icbm-testing", "missile-testing", m.id} & targets and c.kind == "freeze"
        ]
        if frozen_missiles:
            m = max(frozen_missiles, key=lambda m: m.last_flight_test or p.as_of)
            when = f" (last test {m.last_flight_test.isoformat()})" if m.last_flight_test else ""
            out.append(
                Finding(
                    _cpath(s, c, "targets"),
                    "warn",
                    f"'{c.id}' freezes ICBM testing after the {m.name} was flight-tested{when}: "
                    "it freezes a capability already achieved.",
                )
            )
    return out


def _add(acc: list[float], value: Any) -> list[float]:
    if value is None:
        return acc
    return [acc[0] + value.low, acc[1] + value.central, acc[2] + value.high]


def _value_dict(v: list[float]) -> dict[str, float]:
    return {"low": v[0], "central": v[1], "high": v[2]}


def _pressure_findings(s: Scenario, core: float | None) -> tuple[list[Finding], dict[str, Any]]:
    """Breadth and continuity of pressure from the ``[pressure]`` table."""
    t, pr = s.thresholds, s.pressure
    out: list[Finding] = []
    if pr.is_default():
        out.append(
            Finding(
                "pressure",
                "info",
                "No [pressure] table: the breadth and continuity of pressure are not assessed "
                "(state the instruments to have them judged).",
            )
        )
        return out, {"stated": False}
    kinds = pr.kinds()
    if len(kinds) < t.pressure_min_kinds:
        out.append(
            Finding(
                "pressure.instruments",
                "warn",
                f"Only {len(kinds)} kind(s) of instrument ({', '.join(sorted(kinds))}); all tools "
                f"of statecraft means at least {t.pressure_min_kinds}.",
            )
        )
    total = pr.total_share()
    keep = pr.continuing_share() / total if total > 0 else 0.0
    sev: Severity = (
        "fail"
        if keep < t.pressure_continuing_share_fail
        else "warn"
        if keep < t.pressure_continuing_share_warn
        else "info"
    )
    out.append(
        Finding(
            "pressure.instruments[].continues",
            sev,
            f"{keep:.0%} of the stated leverage stays in force through the negotiation "
            f"(at least {t.pressure_continuing_share_warn:.0%} passes).",
        )
    )
    horizon = core if core is not None else s.agreement.duration_months
    left = 0.0
    for i, ins in enumerate(pr.instruments):
        if ins.continues:
            left += ins.share
            continue
        remaining = ins.share * (1.0 - ins.erosion_per_month) ** horizon
        left += remaining
        out.append(
            Finding(
                f"pressure.instruments[{i}].continues",
                "warn",
                f"'{ins.id}' ({ins.kind}, {ins.enforcer or 'no enforcer stated'}) is eased when "
                f"talks begin: its {ins.share:.0%} share of leverage erodes to "
                f"{remaining:.0%} by month {horizon:g}.",
            )
        )
    figures = {
        "stated": True,
        "kinds": sorted(kinds),
        "instruments": len(pr.instruments),
        "total_share": total,
        "continuing_share": pr.continuing_share(),
        "continuing_fraction": keep,
        "leverage_at_core_month": left,
        "core_month": horizon,
    }
    return out, figures


def lesson2(s: Scenario) -> LessonResult:
    """All tools of statecraft and no relief before results: concessions only after the
    commitments they pay for are verified; relief paid for reversible steps (freeze,
    disablement) warns; material relief before the irreversible core is verified fails;
    breadth and continuity of pressure from ``[pressure]``."""
    a = s.agreement
    findings: list[Finding] = []
    by_id = {c.id: c for c in a.commitments}
    completion, _ = verified_completion_months(s)
    core = verified_core_months(s)
    early_value = [0.0, 0.0, 0.0]
    before_core_value = [0.0, 0.0, 0.0]
    total_value = [0.0, 0.0, 0.0]
    early_ids: list[str] = []
    before_core_ids: list[str] = []
    for i, k in enumerate(a.concessions):
        path = f"agreement.concessions[{i}]"
        total_value = _add(total_value, k.value_musd)
        material = k.kind not in LOW_COST_CONCESSIONS
        severity_early: Severity = "fail" if material else "warn"
        when = "before the agreement" if k.pre_agreement else f"at month {k.month:g}"
        problems: list[tuple[str, str, Severity]] = []
        if k.pre_agreement:
            problems.append(
                (
                    f"{path}.pre_agreement",
                    "is granted before the agreement, for nothing",
                    severity_early,
                )
            )
        if k.release_on == "statement":
            problems.append(
                (f"{path}.release_on", "is released on a statement, not on acts", severity_early)
            )
        elif k.release_on == "declared":
            problems.append(
                (
                    f"{path}.release_on",
                    "is released on declared steps: claimed is not done",
                    severity_early,
                )
            )
        elif k.release_on == "schedule":
            problems.append(
                (
                    f"{path}.release_on",
                    "is released by the calendar, whatever happens",
                    severity_early,
                )
            )
        if not k.requires and not k.pre_agreement:
            problems.append(
                (f"{path}.requires", "is tied to no verified commitment", severity_early)
            )
        for dep in k.requires:
            c = by_id[dep]
            if not c.verification:
                problems.append(
                    (
                        f"{path}.requires",
                        f"pays for '{dep}', which has no verification and so is never verified",
                        severity_early,
                    )
                )
            elif not _verifiable(s, c):
                problems.append(
                    (
                        f"{path}.requires",
                        f"pays for '{dep}', whose methods cannot verify it",
                        severity_early,
                    )
                )
            elif not k.pre_agreement and k.month < _due(c):
                problems.append(
                    (
                        f"{path}.month",
                        f"is released at month {k.month:g}, before '{dep}' is due "
                        f"(month {_due(c):g}) and verified",
                        severity_early,
                    )
                )
        if k.requires and all(by_id[d].kind in REVERSIBLE_KINDS for d in k.requires):
            problems.append(
                (
                    f"{path}.requires",
                    "pays for reversible steps only ("
                    + ", ".join(f"'{d}' {by_id[d].kind}" for d in k.requires)
                    + "), which can be undone after the relief is pocketed",
                    "warn",
                )
            )
        released_before_core = k.pre_agreement or core is None or k.month < core
        if released_before_core:
            before_core_ids.append(k.id)
            before_core_value = _add(before_core_value, k.value_musd)
            if material:
                core_text = "never" if core is None else f"at month {core:g}"
                if not k.is_reversible:
                    tail = "; it cannot be taken back"
                elif k.snapback:
                    tail = "; it snaps back automatically on a violation"
                else:
                    tail = "; it can be reimposed, but only by a new decision"
                problems.append(
                    (
                        f"{path}.month",
                        f"is material relief {when}, before the irreversible core is verified "
                        f"({core_text}){tail}",
                        "warn" if k.is_reversible else "fail",
                    )
                )
        hard = [pr for pr in problems if not pr[1].startswith("pays for reversible")]
        if hard:
            early_ids.append(k.id)
            early_value = _add(early_value, k.value_musd)
        if problems:
            for field, why, sev in problems:
                findings.append(Finding(field, sev, f"Concession '{k.id}' ({k.kind}) {why}."))
        else:
            findings.append(
                Finding(
                    f"{path}.requires",
                    "info",
                    f"Concession '{k.id}' waits for verified "
                    + ", ".join(f"'{d}'" for d in k.requires)
                    + ".",
                )
            )
    if not a.concessions:
        findings.append(
            Finding("agreement.concessions", "info", "No concessions: pressure is held throughout.")
        )
    pressure_findings, pressure_figures = _pressure_findings(s, core)
    findings.extend(pressure_findings)
    first_relief = min((0.0 if k.pre_agreement else k.month for k in a.concessions), default=None)
    figures: dict[str, Any] = {
        "concessions": len(a.concessions),
        "released_before_verification": len(early_ids),
        "early_concessions": early_ids,
        "value_musd_total": _value_dict(total_value),
        "value_musd_before_verification": _value_dict(early_value),
        "share_of_value_before_verification": (
            early_value[1] / total_value[1] if total_value[1] > 0 else None
        ),
        "verified_core_months": core,
        "released_before_core": before_core_ids,
        "value_musd_before_core": _value_dict(before_core_value),
        "share_of_value_before_core": (
            before_core_value[1] / total_value[1] if total_value[1] > 0 else None
        ),
        "first_relief_month": first_relief,
        "verified_completion_months": completion,
        "pressure": pressure_figures,
    }
    grade = grade_of(tuple(findings))
    if early_ids:
        summary = (
            f"{len(early_ids)} of {len(a.concessions)} concessions come before the steps they pay "
            "for are verified."
        )
    elif a.concessions:
        summary = "Every concession waits for verified results."
    else:
        summary = "No concessions; pressure is held until results."
    share = figures["share_of_value_before_core"]
    if share is not None:
        summary += f" {share:.0%} of the package's value comes before the irreversible core."
    return LessonResult(2, grade, summary, tuple(findings), figures)


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
            continue
        ad = adequacy(s, c)
        for gap in ad.gaps:
            out.append(
                Finding(
                    _cpath(s, c, "verification"),
                    "fail",
                    f"'{c.id}' ({c.kind}) cannot be verified by {', '.join(c.verification)}: "
                    f"{gap.target} ({gap.target_class}) needs {gap.needs}. {gap.source}",
                )
            )
        for missing in ad.rows_missing:
            out.append(
                Finding(
                    _cpath(s, c, "verification"),
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
    good = [c for c in s.agreement.commitments if c.kind in _HALTING and _verifiable(s, c)]
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


def lesson3(s: Scenario, quantitative: dict[str, Any] | None = None) -> LessonResult:
    """Effective verification: access rules plus the verification figures of :mod:`cvid.verify`."""
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
            sum(1 for c in a.commitments if _verifiable(s, c)) / len(a.commitments)
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
    if quantitative:
        figures.update(quantitative.get("figures", {}))
        findings.extend(quantitative.get("findings", []))
    grade = grade_of(tuple(findings))
    summary = {
        "pass": "Inspectors can go anywhere, anytime and see people and documents.",
        "warn": "Verification has gaps a cheater could use; see findings.",
        "fail": "Verification cannot reach what a cheater would hide.",
    }[grade]
    return LessonResult(3, grade, summary, tuple(findings), figures)


def lesson4(s: Scenario, declared_items: frozenset[str] = frozenset()) -> LessonResult:
    """Complete, verifiable and irreversible dismantlement as the end state, no conditions.

    Scope from :mod:`cvid.assess.scope`. An undeclared item counts as covered only once
    declared or found: before that the chance it stays hidden through the agreement (the
    search model of lesson 3) is carried as residual undeclared capability. A reduced end
    state (retained enrichment or reprocessing, caps instead of elimination, time limits,
    civil items kept) is told apart from reciprocal benefits given after the end state.
    ``declared_items``: undeclared items the evidence shows declared or found (ledger)."""
    p, a = s.program, s.agreement
    pr = a.provisions
    t = s.thresholds
    findings: list[Finding] = []
    reduced: list[dict[str, str]] = []
    if pr.retained_enrichment:
        findings.append(
            Finding(
                "agreement.provisions.retained_enrichment",
                "fail",
                "The state keeps uranium enrichment: a path back to HEU stays open.",
            )
        )
        reduced.append({"term": "retained enrichment", "field": "agreement.provisions"})
    if pr.retained_reprocessing:
        findings.append(
            Finding(
                "agreement.provisions.retained_reprocessing",
                "fail",
                "The state keeps reprocessing: a path back to plutonium stays open.",
            )
        )
        reduced.append({"term": "retained reprocessing", "field": "agreement.provisions"})
    for j, cond in enumerate(pr.external_conditions):
        findings.append(
            Finding(
                f"agreement.provisions.external_conditions[{j}]",
                "fail",
                f"Disarmament is tied to '{cond}', a condition outside the program.",
            )
        )
    kinds = p.item_ids()
    for j, kept_id in enumerate(pr.civil_items_retained):
        kind = kinds[kept_id]
        f = next((f for f in p.facilities if f.id == kept_id), None)
        if f is not None and f.kind in SENSITIVE_FACILITY_KINDS:
            findings.append(
                Finding(
                    f"agreement.provisions.civil_items_retained[{j}]",
                    "fail",
                    f"'{kept_id}' ({f.kind}) is kept as a 'civil' item: an enrichment or "
                    "reprocessing plant is a path to weapon material whatever its label.",
                )
            )
        else:
            findings.append(
                Finding(
                    f"agreement.provisions.civil_items_retained[{j}]",
                    "info",
                    f"'{kept_id}' ({kind}) remains as a safeguarded civil item, outside CVID "
                    "scope.",
                )
            )
        reduced.append({"term": f"civil item '{kept_id}' kept", "field": "civil_items_retained"})
    for c in a.commitments:
        if c.kind == "limit" and c.cap is not None:
            findings.append(
                Finding(
                    _cpath(s, c, "cap"),
                    "fail",
                    f"'{c.id}' caps {c.cap.quantity} at {c.cap.value:g} {c.cap.unit}: a ceiling, "
                    "not elimination.",
                )
            )
            reduced.append({"term": f"cap '{c.id}'", "field": _cpath(s, c, "cap")})
        if c.sunset is not None:
            findings.append(
                Finding(
                    _cpath(s, c, "sunset"),
                    "fail",
                    f"'{c.id}' lapses on {c.sunset.isoformat()}: a time-limited restriction "
                    "is not an irreversible end state.",
                )
            )
            reduced.append({"term": f"sunset of '{c.id}'", "field": _cpath(s, c, "sunset")})
    irreversible = [c for c in a.commitments if c.kind in IRREVERSIBLE_KINDS]
    if not irreversible:
        findings.append(
            Finding(
                "agreement.commitments",
                "fail",
                "Freeze-only: no commitment dismantles, removes or destroys anything, "
                "so every step can be undone.",
            )
        )
    for c in irreversible:
        if not c.verification:
            findings.append(
                Finding(
                    _cpath(s, c, "verification"),
                    "fail",
                    f"'{c.id}' ({c.kind}) is unverified: nobody can confirm it was irreversible.",
                )
            )
        elif not _verifiable(s, c):
            findings.append(
                Finding(
                    _cpath(s, c, "verification"),
                    "fail",
                    f"'{c.id}' ({c.kind}) cannot be verified by its methods "
                    f"({', '.join(c.verification)}): nobody can confirm it was irreversible.",
                )
            )

    covered: list[str] = []
    uncovered: list[dict[str, str]] = []
    residual: list[dict[str, Any]] = []
    found_by_end = float(search_model(s).probability_within(a.duration_months))
    for item in scope_items(s):
        cs = covering(s, item.item_id, item.kind, item.declared)
        if not item.declared and item.item_id not in declared_items:
            named = [c for c in cs if c.kind in IRREVERSIBLE_KINDS]
            hidden = 1.0 - found_by_end
            residual.append(
                {
                    "item": item.item_id,
                    "probability_hidden": hidden,
                    "probability_found": found_by_end,
                    "months": a.duration_months,
                }
            )
            uncovered.append(
                {"item": item.item_id, "status": "covered only once declared or found"}
            )
            sev: Severity = "fail" if found_by_end < t.detection_goal else "warn"
            by = (
                f" ('{named[0].id}' targets it, but nothing can be dismantled before it is found)"
                if named
                else ""
            )
            findings.append(
                Finding(
                    item.path,
                    sev,
                    f"{item.label} is covered only once declared or found{by}: it stays hidden "
                    f"through the agreement's {_months(a.duration_months)} with probability "
                    f"{hidden:.2f} (search model of lesson 3).",
                )
            )
            continue
        strong = [c for c in cs if c.kind in IRREVERSIBLE_KINDS]
        if strong:
            covered.append(item.item_id)
            continue
        weak = sorted({_PARTICIPLE[c.kind] for c in cs})
        how = f"only {' and '.join(weak)}" if weak else "not covered by any commitment"
        uncovered.append({"item": item.item_id, "status": how})
        sev = "fail" if item.sensitive or item.kind == "weapons" else "warn"
        why = f" (in scope: {item.reason})" if item.reason else ""
        findings.append(
            Finding(
                item.path,
                sev,
                f"{item.label}{why} is {how}: no dismantlement, removal or destruction.",
            )
        )
    removed_abroad = any(c.kind == "remove" and _verifiable(s, c) for c in a.commitments)
    if irreversible and not removed_abroad:
        findings.append(
            Finding(
                "agreement.commitments",
                "warn",
                "Nothing is removed from the country: dismantled parts and material stay at hand.",
            )
        )
    goal = a.stated_goal.lower()
    conditional = {w: why for w, why in CONDITIONAL_GOAL_WORDING.items() if w in goal}
    for wording, why in conditional.items():
        findings.append(
            Finding(
                "agreement.stated_goal",
                "warn",
                f'The stated goal ("{a.stated_goal}") says "{wording}": {why}, a condition '
                "outside the state's program.",
            )
        )
    if goal and not ("irreversib" in goal and "verif" in goal):
        findings.append(
            Finding(
                "agreement.stated_goal",
                "info",
                f'The stated goal ("{a.stated_goal}") does not name verifiable, '
                "irreversible dismantlement.",
            )
        )
    core = verified_core_months(s)
    reciprocal = [
        k.id for k in a.concessions if core is not None and not k.pre_agreement and k.month >= core
    ]
    in_scope = len(covered) + len(uncovered)
    figures: dict[str, Any] = {
        "items_in_scope": in_scope,
        "items_irreversibly_covered": len(covered),
        "coverage": len(covered) / in_scope if in_scope else None,
        "uncovered_items": uncovered,
        "residual_undeclared_capability": residual,
        "retained_enrichment": pr.retained_enrichment,
        "retained_reprocessing": pr.retained_reprocessing,
        "external_conditions": list(pr.external_conditions),
        "conditional_goal_wording": sorted(conditional),
        "removal_out_of_country": removed_abroad,
        "reduced_end_state": reduced,
        "reciprocal_benefits_after_end_state": reciprocal,
        "missile_scope": pr.missile_scope.model_dump(mode="json"),
    }
    grade = grade_of(tuple(findings))
    if grade == "pass":
        summary = "Every nuclear item is dismantled, removed or destroyed under verification."
    elif not irreversible:
        summary = "Freeze-only: nothing is made irreversible."
    else:
        summary = f"{len(covered)} of {in_scope} items are made irreversible; see findings."
    return LessonResult(4, grade, summary, tuple(findings), figures)
