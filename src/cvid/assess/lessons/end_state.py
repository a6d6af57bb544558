"""Lesson 4: complete, verifiable and irreversible dismantlement as the end state, with no
conditions outside the program. What is in scope, and how far the agreement takes each item,
comes from :mod:`cvid.assess.scope` (the one definition, also read by the end-state figure
and the report's checklist through this lesson's figures)."""

from __future__ import annotations

from typing import Any

from cvid.assess.lessons.common import (
    PARTICIPLE,
    cpath,
    months_text,
    verifiable,
    verified_core_months,
)
from cvid.assess.result import Finding, LessonResult, Severity, grade_of
from cvid.assess.scope import item_coverage
from cvid.scenario import IRREVERSIBLE_KINDS, SENSITIVE_FACILITY_KINDS, Scenario
from cvid.verify import search_default_label, search_model

#: Wording of a stated goal that carries conditions outside the state's program, and why.
CONDITIONAL_GOAL_WORDING: dict[str, str] = {
    "korean peninsula": "in the DPRK's usage 'denuclearization of the Korean Peninsula' "
    "includes the US nuclear umbrella and US forces in the South (KCNA, 2018-12-20)",
    "nuclear-weapon-free zone": "a zone makes disarmament depend on every state of the region",
    "nuclear weapon free zone": "a zone makes disarmament depend on every state of the region",
    "hostile policy": "ending 'hostile policy' is a condition on the other parties",
}


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
                    cpath(s, c, "cap"),
                    "fail",
                    f"'{c.id}' caps {c.cap.quantity} at {c.cap.value:g} {c.cap.unit}: a ceiling, "
                    "not elimination.",
                )
            )
            reduced.append({"term": f"cap '{c.id}'", "field": cpath(s, c, "cap")})
        if c.sunset is not None:
            findings.append(
                Finding(
                    cpath(s, c, "sunset"),
                    "fail",
                    f"'{c.id}' lapses on {c.sunset.isoformat()}: a time-limited restriction "
                    "is not an irreversible end state.",
                )
            )
            reduced.append({"term": f"sunset of '{c.id}'", "field": cpath(s, c, "sunset")})
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
                    cpath(s, c, "verification"),
                    "fail",
                    f"'{c.id}' ({c.kind}) is unverified: nobody can confirm it was irreversible.",
                )
            )
        elif not verifiable(s, c):
            findings.append(
                Finding(
                    cpath(s, c, "verification"),
                    "fail",
                    f"'{c.id}' ({c.kind}) cannot be verified by its methods "
                    f"({', '.join(c.verification)}): nobody can confirm it was irreversible.",
                )
            )

    covered: list[str] = []
    uncovered: list[dict[str, str]] = []
    residual: list[dict[str, Any]] = []
    found_by_end = float(search_model(s).probability_within(a.duration_months))
    coverage = item_coverage(s, declared_items)
    for ic in coverage:
        item, cs = ic.item, ic.commitments
        if ic.status == "until-found":
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
                    f"through the agreement's {months_text(a.duration_months)} with probability "
                    f"{hidden:.2f} (search model of lesson 3).{search_default_label(s)}",
                )
            )
            continue
        if ic.covered:
            covered.append(item.item_id)
            continue
        sev = "fail" if item.sensitive or item.kind == "weapons" else "warn"
        why = f" (in scope: {item.reason})" if item.reason else ""
        if ic.status == "irreversible-unverified":
            steps = ", ".join(f"'{c.id}'" for c in cs if c.kind in IRREVERSIBLE_KINDS)
            how = "made irreversible only by steps nothing can verify"
            uncovered.append({"item": item.item_id, "status": how})
            findings.append(
                Finding(
                    item.path,
                    sev,
                    f"{item.label}{why} is {how} ({steps}): not counted as eliminated.",
                )
            )
            continue
        weak = sorted({PARTICIPLE[c.kind] for c in cs})
        how = f"only {' and '.join(weak)}" if weak else "not covered by any commitment"
        uncovered.append({"item": item.item_id, "status": how})
        findings.append(
            Finding(
                item.path,
                sev,
                f"{item.label}{why} is {how}: no dismantlement, removal or destruction.",
            )
        )
    removed_abroad = any(c.kind == "remove" and verifiable(s, c) for c in a.commitments)
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
    names_cvid = "irreversib" in goal and "verif" in goal
    if not goal:
        findings.append(
            Finding(
                "agreement.stated_goal",
                "info",
                "The agreement states no goal, so it does not name verifiable, irreversible "
                "dismantlement.",
            )
        )
    elif not names_cvid:
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
        "items": [ic.to_dict() for ic in coverage],
        "checklist": _checklist(
            s, len(covered), in_scope, removed_abroad, names_cvid, sorted(conditional)
        ),
    }
    grade = grade_of(tuple(findings))
    if grade == "pass":
        summary = "Every nuclear item is dismantled, removed or destroyed under verification."
    elif not irreversible:
        summary = "Freeze-only: nothing is made irreversible."
    else:
        summary = (
            f"{len(covered)} of {in_scope} items are made irreversible under verification; "
            "see findings."
        )
    return LessonResult(4, grade, summary, tuple(findings), figures)


def _checklist(
    s: Scenario,
    covered: int,
    in_scope: int,
    removed_abroad: bool,
    names_cvid: bool,
    conditional: list[str],
) -> list[dict[str, Any]]:
    """The end state against each letter of CVID, as the report's checklist shows it: one
    row per criterion with whether it is met and the evidence (the same rules as the
    findings above)."""
    a = s.agreement
    pr = a.provisions
    irreversible = [c for c in a.commitments if c.kind in IRREVERSIBLE_KINDS]
    unverifiable = [c.id for c in irreversible if not verifiable(s, c)]

    def row(criterion: str, met: bool, evidence: str) -> dict[str, Any]:
        return {"criterion": criterion, "met": met, "evidence": evidence}

    return [
        row(
            "Complete: every nuclear item dismantled, removed or destroyed under verification",
            covered == in_scope,
            f"{covered} of {in_scope} items",
        ),
        row(
            "Verifiable: every irreversible step can be verified by its methods",
            not unverifiable,
            "not verifiable: " + ", ".join(unverifiable)
            if unverifiable
            else "agreement.commitments[].verification",
        ),
        row(
            "Irreversible: no enrichment kept",
            not pr.retained_enrichment,
            "agreement.provisions.retained_enrichment",
        ),
        row(
            "Irreversible: no reprocessing kept",
            not pr.retained_reprocessing,
            "agreement.provisions.retained_reprocessing",
        ),
        row(
            "Irreversible: material and parts removed from the country",
            removed_abroad,
            "a verifiable 'remove' commitment",
        ),
        row(
            "Unconditional: not tied to conditions outside the program",
            not pr.external_conditions and not conditional,
            ", ".join([*pr.external_conditions, *(f"goal says '{w}'" for w in conditional)])
            or "none",
        ),
        row(
            "The stated goal names verifiable, irreversible dismantlement",
            names_cvid,
            f"“{a.stated_goal}”" if a.stated_goal else "no stated goal",
        ),
    ]
