"""Lesson 1: a strategic decision shown by concrete, verified acts.

Two clocks from the plan (the irreversible acts of abandonment against the Libya benchmark;
verified completion against a feasibility estimate scaled by the program's size) and, with an
evidence ledger, the state's behaviour: how soon the hard steps were verified and what it
disclosed of its own accord (:func:`ledger_behaviour`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cvid.assess.lessons.common import (
    civil_fuel_commitments,
    cpath,
    due,
    months_text,
    verifiable,
    verified_completion_months,
    weapons_program_commitments,
)
from cvid.assess.result import Finding, LessonResult, Severity, grade_of
from cvid.assess.scope import covering
from cvid.scenario import (
    DIRECT_USE_MATERIALS,
    IRREVERSIBLE_KINDS,
    REVERSIBLE_KINDS,
    SENSITIVE_FACILITY_KINDS,
    Commitment,
    Scenario,
)

if TYPE_CHECKING:
    from cvid.compliance import ComplianceState
    from cvid.compliance.evidence import Evidence


def irreversible_acts(s: Scenario) -> dict[str, dict[str, Any] | None]:
    """The state's irreversible acts of lesson 1 — halt, complete declaration, access and
    hand-over — each the earliest verifiable commitment that delivers it (month 0 for an act
    completed before the agreement), or None when none does. ``halt`` is not needed (month 0)
    when no sensitive facility operates; ``hand-over`` is the month by which every weapon
    and every stock of direct-use material or UF6 (the materials of lesson 4's scope) is
    covered by a verifiable remove, dismantle or destroy — civil fuel declared and
    safeguarded before the agreement excepted (:func:`civil_fuel_commitments`)."""
    p = s.program
    good = [c for c in weapons_program_commitments(s) if verifiable(s, c)]

    def first(cands: Iterable[Commitment]) -> dict[str, Any] | None:
        c = min(cands, key=due, default=None)
        return None if c is None else {"commitment": c.id, "month": due(c)}

    sensitive = [
        f for f in p.facilities if f.kind in SENSITIVE_FACILITY_KINDS and f.status == "operating"
    ]
    halting_kinds = {"freeze", "disable", *IRREVERSIBLE_KINDS}
    if sensitive:
        months = []
        for f in sensitive:
            reach = covering(s, f.id, "facility", f.declared)
            hit = first(c for c in good if c.kind in halting_kinds and c in reach)
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
PACE_FACILITY_KINDS = frozenset(
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
        if f.kind in PACE_FACILITY_KINDS and f.status == "operating" and f.id not in kept
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


def lesson1(s: Scenario, behaviour: dict[str, Any] | None = None) -> LessonResult:
    """Strategic decision shown by concrete, verified acts: two clocks. Months to the state's
    irreversible acts (halt, complete declaration, access, hand-over) against the Libya
    benchmark; months to verified completion against a feasibility estimate scaled by the
    program's size (Hecker, Carlin & Serbin 2018: 6–10 years for the DPRK's program).

    ``behaviour`` (from :func:`ledger_behaviour`, when an evidence ledger is given) adds the
    state's observed behaviour: its findings grade the lesson with the plan's, and its
    figures go under ``figures["behaviour"]``."""
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
                f"{months_text(t.libya_benchmark_months)}"
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
                f"Verified completion at {months_text(completion)} is faster than the "
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
                f"Verified completion at {months_text(completion)} is later than "
                f"{t.slower_than_feasible_factor:g}× the {high:.0f} months the work needs: "
                "time bought beyond the task.",
            )
        )
    else:
        findings.append(
            Finding(
                "agreement.commitments[].deadline_months",
                "info",
                f"Verified completion at {months_text(completion)} fits the {low:.0f}–{high:.0f} "
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
                + ", ".join(f"'{c.id}' (month {due(c):g})" for c in civil)
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
        elif due(c) > t.first_milestone_months:
            findings.append(
                Finding(
                    cpath(s, c, "deadline_months"),
                    "warn",
                    f"{labels[act].capitalize()} ('{c.id}') is due only at "
                    f"{months_text(c.deadline_months)}, not among the first steps "
                    f"(≤ {months_text(t.first_milestone_months)}).",
                )
            )
        else:
            findings.append(
                Finding(
                    cpath(s, c, "deadline_months"),
                    "info",
                    f"{labels[act].capitalize()} comes first ('{c.id}', month {due(c):g}).",
                )
            )

    if a.commitments:
        first_due = min(due(c) for c in a.commitments)
        first = [c for c in a.commitments if due(c) == first_due]
        if all(c.kind in REVERSIBLE_KINDS or not verifiable(s, c) for c in first):
            findings.append(
                Finding(
                    cpath(s, first[0], "kind"),
                    "warn",
                    "The first step is only "
                    + ", ".join(
                        f"'{c.id}' ({c.kind}{'' if verifiable(s, c) else ', unverifiable'})"
                        for c in first
                    )
                    + ": words and pauses, not a strategic decision shown by acts.",
                )
            )

    for c in a.commitments:
        if not c.verification:
            findings.append(
                Finding(
                    cpath(s, c, "verification"),
                    "warn",
                    f"'{c.id}' ({c.kind}) has no verification: it can be claimed, never verified.",
                )
            )
        if c.completed_before_agreement and not verifiable(s, c):
            findings.append(
                Finding(
                    cpath(s, c, "completed_before_agreement"),
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
            act: None if c is None else {"commitment": c.id, "month": due(c)}
            for act, c in first_acts.items()
        },
        "commitments": len(a.commitments),
        "civil_fuel_commitments": [c.id for c in civil],
        "unverified_commitments": unverified,
        "unverifiable_commitments": [c.id for c in a.commitments if not verifiable(s, c)],
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
    if behaviour is not None:
        findings.extend(behaviour["findings"])
        figures["behaviour"] = behaviour["figures"]
    grade = grade_of(tuple(findings))
    if acts_month is None:
        summary = "The irreversible acts are never all asked for"
    else:
        summary = f"Irreversible acts by month {acts_month:g}"
    if completion is None:
        summary += "; no verified end: " + why_never + "."
    else:
        need = f"{low:.0f}" if round(low) == round(high) else f"{low:.0f}–{high:.0f}"
        summary += f"; verified completion at {months_text(completion)} (needs about {need})."
    if behaviour is not None:
        summary += " " + behaviour["summary"]
    return LessonResult(1, grade, summary, tuple(findings), figures)


def _concrete_acts(s: Scenario) -> dict[str, Commitment | None]:
    """The earliest commitment that delivers each of the three first concrete acts."""
    a = s.agreement

    def earliest(cands: Iterable[Commitment]) -> Commitment | None:
        return min(cands, key=due, default=None)

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
                    cpath(s, c, "targets"),
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
                    cpath(s, c, "targets"),
                    "warn",
                    f"'{c.id}' freezes ICBM testing after the {m.name} was flight-tested{when}: "
                    "it freezes a capability already achieved.",
                )
            )
    return out


#: Mean month length in days (365.25 / 12), for months between ledger dates.
DAYS_PER_MONTH = 30.4375


def hard_step(c: Commitment) -> bool:
    """A step only a state that has decided would take: a complete declaration, access to
    sites, or a dismantlement, removal or destruction (not a freeze, a disablement or a
    partial declaration)."""
    if c.kind in IRREVERSIBLE_KINDS or c.kind == "grant-access":
        return True
    return c.kind == "declare" and c.scope == "complete"


def ledger_behaviour(
    s: Scenario, state: ComplianceState, evidence: Sequence[Evidence]
) -> dict[str, Any]:
    """Lesson 1 on the state's observed behaviour (the evidence ledger), not its promises.

    * **Verified acts against statements**: for each hard step (:func:`hard_step`) the month
      from ``agreement.start`` it was verified or claimed; a claim the inspectorate never
      verified is a statement, not an act.
    * **Time to the first verified hard step**, judged like the plan's first steps: within
      ``thresholds.first_milestone_months`` passes, within ``completion_warn_months`` warns,
      later fails; none verified after that long (by the last record) fails.
    * **Voluntary disclosures** (signed by the state, ``voluntary = true``), and which of them
      name items the program lists as undeclared — what only a state that has decided gives.
      When the program has suspected undeclared facilities and the state disclosed none of
      them by the last record, the lesson warns.
    * **A declaration contradicted** by the inspectorate's findings fails: pretence, not a
      decision.
    """
    t = s.thresholds
    start = s.agreement.start
    # Judged as of the last record, never the clock: the same ledger gives the same lesson.
    last = max((e.time for e in evidence), default=None)
    start_dt = None if start is None else datetime(start.year, start.month, start.day, tzinfo=UTC)

    def month(when: datetime | None) -> float | None:
        if when is None or start_dt is None:
            return None
        return round((when - start_dt).total_seconds() / 86400.0 / DAYS_PER_MONTH, 2)

    by_id = {c.id: c for c in s.agreement.commitments}
    rows: list[dict[str, Any]] = []
    for cs in state.commitments:
        c = by_id.get(cs.id)
        if c is None or not hard_step(c):
            continue
        rows.append(
            {
                "commitment": cs.id,
                "kind": cs.kind,
                "status": cs.status,
                "claimed_month": month(cs.claimed_on),
                "verified_month": month(cs.verified_on),
                "verified_on": (
                    None if cs.verified_on is None else cs.verified_on.date().isoformat()
                ),
            }
        )
    # Statements: every commitment claimed but never verified (hard step or not).
    statements = [
        cs.id
        for cs in state.commitments
        if cs.claimed_on is not None and cs.status not in ("verified", "violated")
    ]
    verified = [r for r in rows if r["status"] == "verified"]
    undeclared = {f.id for f in s.program.facilities if not f.declared}
    disclosures = [
        e
        for e in evidence
        if e.role == "state" and e.kind == "disclosure" and e.payload.get("voluntary") is True
    ]
    revealed = sorted({i for e in disclosures for i in e.items} & undeclared)
    contradicted = [
        i for i in state.indicators if i.side == "pretence" and i.kind == "declaration-contradicted"
    ]
    findings: list[Finding] = []
    field = "ledger"
    elapsed = month(last)
    first = min(
        (r["verified_month"] for r in verified if r["verified_month"] is not None), default=None
    )
    if last is None:
        findings.append(
            Finding(
                field,
                "info",
                "The ledger holds no records of this agreement yet: lesson 1 is judged on the "
                "plan alone.",
            )
        )
    elif start_dt is None:
        findings.append(
            Finding(
                "agreement.start",
                "info",
                "The agreement has no start date, so the months from the agreement to the "
                "verified steps on the ledger cannot be measured.",
            )
        )
    elif first is not None:
        sev: Severity = (
            "info"
            if first <= t.first_milestone_months
            else "warn"
            if first <= t.completion_warn_months
            else "fail"
        )
        findings.append(
            Finding(
                field,
                sev,
                f"On the ledger the first hard step was verified {months_text(round(first, 1))} "
                "after "
                f"the agreement ({len(verified)} of {len(rows)} hard steps verified by the last "
                f"record, {last.date().isoformat() if last else 'none'}).",
            )
        )
    elif rows and elapsed is not None and elapsed > t.first_milestone_months:
        findings.append(
            Finding(
                field,
                "fail" if elapsed > t.completion_warn_months else "warn",
                f"On the ledger no hard step (complete declaration, access, dismantlement, "
                f"removal) is verified {months_text(round(elapsed, 1))} after the agreement.",
            )
        )
    if statements:
        sev = "fail" if not verified else "warn"
        findings.append(
            Finding(
                field,
                sev,
                f"Claimed but never verified: {', '.join(repr(x) for x in statements)} — "
                + (
                    "statements, not acts; nothing hard is verified."
                    if not verified
                    else "statements alongside the verified acts."
                ),
            )
        )
    if disclosures:
        what = f", naming items not declared before: {', '.join(revealed)}" if revealed else ""
        findings.append(
            Finding(
                field,
                "info",
                f"The state disclosed of its own accord {len(disclosures)} time(s){what}: what "
                "only a state that has decided gives.",
            )
        )
    if last is not None and undeclared and not set(revealed) >= undeclared:
        hidden = sorted(undeclared - set(revealed))
        findings.append(
            Finding(
                "program.facilities[].declared",
                "warn",
                "By the last record the state has not disclosed the suspected undeclared "
                f"{'site' if len(hidden) == 1 else 'sites'} {', '.join(hidden)} of its own accord.",
            )
        )
    for ind in contradicted:
        findings.append(
            Finding(field, "fail", f"A declaration is contradicted by inspection: {ind.message}")
        )
    figures: dict[str, Any] = {
        "last_record": None if last is None else last.isoformat(),
        "months_since_agreement": elapsed,
        "hard_steps": rows,
        "hard_steps_verified": len(verified),
        "first_verified_hard_step_months": first,
        "claimed_not_verified": statements,
        "voluntary_disclosures": len(disclosures),
        "undeclared_items_disclosed": revealed,
        "declarations_contradicted": len(contradicted),
    }
    if verified and not statements:
        summary = f"On the ledger: {len(verified)} hard step(s) verified, no empty claims."
    elif verified:
        summary = (
            f"On the ledger: {len(verified)} hard step(s) verified, {len(statements)} claim(s) "
            "never verified."
        )
    elif statements:
        summary = f"On the ledger: {len(statements)} claim(s), no hard step verified."
    elif last is None:
        summary = "The ledger holds no records of this agreement yet."
    else:
        summary = "On the ledger: no hard step verified yet."
    return {"figures": figures, "findings": findings, "summary": summary}
