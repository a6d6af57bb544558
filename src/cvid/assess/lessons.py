"""Rule-based checks of the four lessons. Every threshold comes from ``scenario.thresholds``.

Each check returns findings that name the scenario field they come from, so a reader can
see exactly which term of the agreement earned the grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cvid.assess.result import Finding, LessonResult, Severity, grade_of
from cvid.scenario import (
    DIRECT_USE_MATERIALS,
    IRREVERSIBLE_KINDS,
    REVERSIBLE_KINDS,
    SENSITIVE_FACILITY_KINDS,
    Commitment,
    Scenario,
)

#: Facility kinds that belong to the nuclear weapons program proper.
NUCLEAR_FACILITY_KINDS = frozenset(
    {
        "reactor",
        "enrichment",
        "reprocessing",
        "conversion",
        "fuel-fabrication",
        "weapons-design",
        "weapons-assembly",
        "test-site",
    }
)
#: Missile classes whose range makes them part of a denuclearization end state.
STRATEGIC_MISSILES = frozenset({"icbm", "irbm", "slbm", "slv"})
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
}
#: Concession kinds whose early release costs little pressure (warn rather than fail).
LOW_COST_CONCESSIONS = frozenset({"summit", "diplomatic"})


def _idx(s: Scenario, c: Commitment) -> int:
    return s.agreement.commitments.index(c)


def _cpath(s: Scenario, c: Commitment, field: str = "") -> str:
    base = f"agreement.commitments[{_idx(s, c)}]"
    return f"{base}.{field}" if field else base


def _months(x: float) -> str:
    return f"{x:g} month" + ("" if x == 1 else "s")


def covering(s: Scenario, item_id: str, item_kind: str, declared: bool = True) -> list[Commitment]:
    """Commitments whose targets include this program item, by id or by a reserved name."""
    group = {
        "facility": "all-facilities",
        "material": "all-materials",
        "weapons": "all-weapons",
        "missile": "all-missiles",
    }[item_kind]
    names = {item_id, "all", group}
    if not declared:
        names.add("undeclared-sites")
    return [c for c in s.agreement.commitments if names & set(c.targets)]


def verified_completion_months(s: Scenario) -> tuple[float | None, str]:
    """Month by which every commitment is due *and* verifiable, or None with the reason."""
    commitments = s.agreement.commitments
    if not commitments:
        return None, "the agreement has no commitments"
    end_steps = [c for c in commitments if c.kind in IRREVERSIBLE_KINDS]
    if not end_steps:
        return None, "no commitment dismantles, removes or destroys anything"
    unverified = [c for c in end_steps if not c.verification]
    if unverified:
        return None, f"'{unverified[0].id}' ({unverified[0].kind}) has no verification"
    return max(c.deadline_months for c in commitments), ""


def _concrete_acts(s: Scenario) -> dict[str, Commitment | None]:
    """The earliest commitment that delivers each of the three first concrete acts."""
    a = s.agreement
    found: dict[str, Commitment | None] = {"declaration": None, "access": None, "documents": None}

    def earliest(cands: Iterable[Commitment]) -> Commitment | None:
        return min(cands, key=lambda c: c.deadline_months, default=None)

    found["declaration"] = earliest(
        c for c in a.commitments if c.kind == "declare" and c.scope == "complete"
    )
    found["access"] = earliest(
        c
        for c in a.commitments
        if c.kind == "grant-access"
        and {"all", "all-facilities", "undeclared-sites"} & set(c.targets)
    )
    found["documents"] = earliest(
        c
        for c in a.commitments
        if c.kind in {"disclose", "grant-access"} and "documents" in c.targets
    )
    return found


def lesson1(s: Scenario) -> LessonResult:
    """Strategic decision shown by concrete, verified acts, finished in months (Libya ~4)."""
    t = s.thresholds
    a = s.agreement
    findings: list[Finding] = []
    completion, why_never = verified_completion_months(s)
    scheduled = max((c.deadline_months for c in a.commitments), default=None)
    if completion is None:
        findings.append(
            Finding(
                "agreement.commitments",
                "fail",
                f"No verified completion is ever reached: {why_never}.",
            )
        )
    elif completion > t.completion_warn_months:
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                "fail",
                f"Verified completion is planned at {_months(completion)}: years, not months "
                f"(Libya took about {t.libya_benchmark_months:g}).",
            )
        )
    elif completion > t.completion_pass_months:
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                "warn",
                f"Verified completion at {_months(completion)} is slower than "
                f"{_months(t.completion_pass_months)} "
                f"({completion / t.libya_benchmark_months:.1f}× the Libya benchmark).",
            )
        )
    else:
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                "info",
                f"Verified completion within {_months(completion)} "
                f"({completion / t.libya_benchmark_months:.1f}× the Libya benchmark of "
                f"{_months(t.libya_benchmark_months)}).",
            )
        )

    acts = _concrete_acts(s)
    labels = {
        "declaration": "a complete declaration of the whole program",
        "access": "access to all sites, declared or not",
        "documents": "disclosure of the program's documents",
    }
    for act, c in acts.items():
        if c is None:
            severity: Severity = "fail" if act == "declaration" else "warn"
            findings.append(
                Finding(
                    "agreement.commitments",
                    severity,
                    f"No commitment asks for {labels[act]}.",
                )
            )
        elif c.deadline_months > t.first_milestone_months:
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
                    f"{labels[act].capitalize()} comes first ('{c.id}', "
                    f"month {c.deadline_months:g}).",
                )
            )

    if a.commitments:
        first_due = min(c.deadline_months for c in a.commitments)
        first = [c for c in a.commitments if c.deadline_months == first_due]
        if all(c.kind in REVERSIBLE_KINDS or not c.verification for c in first):
            findings.append(
                Finding(
                    _cpath(s, first[0], "kind"),
                    "warn",
                    "The first step is only "
                    + ", ".join(
                        f"'{c.id}' ({c.kind}{'' if c.verification else ', unverified'})"
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
    findings.extend(_freeze_after_capability(s))

    unverified = sum(1 for c in a.commitments if not c.verification)
    figures: dict[str, Any] = {
        "verified_completion_months": completion,
        "scheduled_completion_months": scheduled,
        "libya_benchmark_months": t.libya_benchmark_months,
        "ratio_to_libya": None if completion is None else completion / t.libya_benchmark_months,
        "first_concrete_acts": {
            act: None if c is None else {"commitment": c.id, "month": c.deadline_months}
            for act, c in acts.items()
        },
        "commitments": len(a.commitments),
        "unverified_commitments": unverified,
    }
    grade = grade_of(tuple(findings))
    if completion is None:
        summary = "No verified end: " + why_never + "."
    else:
        summary = f"Verified completion planned at {_months(completion)}"
        summary += "; concrete acts first." if grade == "pass" else "; see findings."
    return LessonResult(1, grade, summary, tuple(findings), figures)


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


def lesson2(s: Scenario) -> LessonResult:
    """Concessions only after the commitments they pay for are verified."""
    a = s.agreement
    findings: list[Finding] = []
    deadlines = {c.id: c for c in a.commitments}
    completion, _ = verified_completion_months(s)
    early_value = [0.0, 0.0, 0.0]  # low, central, high
    total_value = [0.0, 0.0, 0.0]
    early_ids: list[str] = []
    for i, k in enumerate(a.concessions):
        path = f"agreement.concessions[{i}]"
        value = k.value_musd
        if value is not None:
            total_value = [
                total_value[0] + value.low,
                total_value[1] + value.central,
                total_value[2] + value.high,
            ]
        severity_early: Severity = "warn" if k.kind in LOW_COST_CONCESSIONS else "fail"
        problems: list[tuple[str, str]] = []
        if k.release_on == "statement":
            problems.append((f"{path}.release_on", "is released on a statement, not on acts"))
        elif k.release_on == "declared":
            problems.append(
                (f"{path}.release_on", "is released on declared steps: claimed is not done")
            )
        elif k.release_on == "schedule":
            problems.append((f"{path}.release_on", "is released by the calendar, whatever happens"))
        if not k.requires:
            problems.append((f"{path}.requires", "is tied to no verified commitment"))
        for dep in k.requires:
            c = deadlines[dep]
            if not c.verification:
                problems.append(
                    (
                        f"{path}.requires",
                        f"pays for '{dep}', which has no verification and so is never verified",
                    )
                )
            elif k.month < c.deadline_months:
                problems.append(
                    (
                        f"{path}.month",
                        f"is released at month {k.month:g}, before '{dep}' is due "
                        f"(month {c.deadline_months:g}) and verified",
                    )
                )
        if problems:
            early_ids.append(k.id)
            if value is not None:
                early_value = [
                    early_value[0] + value.low,
                    early_value[1] + value.central,
                    early_value[2] + value.high,
                ]
            for field, why in problems:
                findings.append(
                    Finding(field, severity_early, f"Concession '{k.id}' ({k.kind}) {why}.")
                )
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
    first_relief = min((k.month for k in a.concessions), default=None)
    figures: dict[str, Any] = {
        "concessions": len(a.concessions),
        "released_before_verification": len(early_ids),
        "early_concessions": early_ids,
        "value_musd_total": {
            "low": total_value[0],
            "central": total_value[1],
            "high": total_value[2],
        },
        "value_musd_before_verification": {
            "low": early_value[0],
            "central": early_value[1],
            "high": early_value[2],
        },
        "share_of_value_before_verification": (
            early_value[1] / total_value[1] if total_value[1] > 0 else None
        ),
        "first_relief_month": first_relief,
        "verified_completion_months": completion,
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
                "warn",
                "Managed access: the inspected state negotiates where and when inspectors go.",
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
                "warn",
                "No access to the program's scientists and officials.",
            )
        )
    if not pr.access_to_documents:
        out.append(
            Finding(
                "agreement.provisions.access_to_documents",
                "warn",
                "No access to production and procurement records.",
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
    }
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


def lesson4(s: Scenario) -> LessonResult:
    """Complete, verifiable and irreversible dismantlement as the end state, no conditions."""
    p, a = s.program, s.agreement
    pr = a.provisions
    findings: list[Finding] = []
    if pr.retained_enrichment:
        findings.append(
            Finding(
                "agreement.provisions.retained_enrichment",
                "fail",
                "The state keeps uranium enrichment: a path back to HEU stays open.",
            )
        )
    if pr.retained_reprocessing:
        findings.append(
            Finding(
                "agreement.provisions.retained_reprocessing",
                "fail",
                "The state keeps reprocessing: a path back to plutonium stays open.",
            )
        )
    for j, cond in enumerate(pr.external_conditions):
        findings.append(
            Finding(
                f"agreement.provisions.external_conditions[{j}]",
                "fail",
                f"Disarmament is tied to '{cond}', a condition outside the program.",
            )
        )
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

    covered: list[str] = []
    uncovered: list[dict[str, str]] = []

    def check(
        item_id: str, item_kind: str, label: str, path: str, severity: Severity, declared: bool
    ) -> None:
        cs = covering(s, item_id, item_kind, declared)
        strong = [c for c in cs if c.kind in IRREVERSIBLE_KINDS]
        if strong:
            covered.append(item_id)
            return
        weak = sorted({_PARTICIPLE[c.kind] for c in cs})
        how = f"only {' and '.join(weak)}" if weak else "not covered by any commitment"
        uncovered.append({"item": item_id, "status": how})
        findings.append(
            Finding(
                path,
                severity,
                f"{label} is {how}: no dismantlement, removal or destruction.",
            )
        )

    for i, f in enumerate(p.facilities):
        if f.kind not in NUCLEAR_FACILITY_KINDS or f.status == "dismantled":
            continue
        sev: Severity = "fail" if f.kind in SENSITIVE_FACILITY_KINDS or not f.declared else "warn"
        label = f"{'Undeclared ' if not f.declared else ''}{f.kind} facility '{f.id}'"
        check(f.id, "facility", label, f"program.facilities[{i}]", sev, f.declared)
    for i, m in enumerate(p.materials):
        if m.kind in DIRECT_USE_MATERIALS or m.kind == "uf6":
            sev = "fail" if m.kind in DIRECT_USE_MATERIALS else "warn"
            check(
                m.id, "material", f"{m.kind} stock '{m.id}'", f"program.materials[{i}]", sev, True
            )
    for i, w in enumerate(p.weapons):
        check(w.id, "weapons", f"Weapons '{w.id}'", f"program.weapons[{i}]", "fail", True)
    for i, ms in enumerate(p.missiles):
        if ms.missile_class in STRATEGIC_MISSILES:
            check(
                ms.id,
                "missile",
                f"{ms.missile_class.upper()} '{ms.id}'",
                f"program.missiles[{i}]",
                "warn",
                True,
            )
    removed_abroad = any(c.kind == "remove" and c.verification for c in a.commitments)
    if irreversible and not removed_abroad:
        findings.append(
            Finding(
                "agreement.commitments",
                "warn",
                "Nothing is removed from the country: dismantled parts and material stay at hand.",
            )
        )
    goal = a.stated_goal.lower()
    if goal and not ("irreversib" in goal and "verif" in goal):
        findings.append(
            Finding(
                "agreement.stated_goal",
                "info",
                f'The stated goal ("{a.stated_goal}") does not name verifiable, '
                "irreversible dismantlement.",
            )
        )
    in_scope = len(covered) + len(uncovered)
    figures: dict[str, Any] = {
        "items_in_scope": in_scope,
        "items_irreversibly_covered": len(covered),
        "coverage": len(covered) / in_scope if in_scope else None,
        "uncovered_items": uncovered,
        "retained_enrichment": pr.retained_enrichment,
        "retained_reprocessing": pr.retained_reprocessing,
        "external_conditions": list(pr.external_conditions),
        "removal_out_of_country": removed_abroad,
    }
    grade = grade_of(tuple(findings))
    if grade == "pass":
        summary = "Every nuclear item is dismantled, removed or destroyed under verification."
    elif not irreversible:
        summary = "Freeze-only: nothing is made irreversible."
    else:
        summary = f"{len(covered)} of {in_scope} items are made irreversible; see findings."
    return LessonResult(4, grade, summary, tuple(findings), figures)
