"""Lesson 2: all tools of statecraft, and no relief before results.

Concessions are judged against the verified steps they pay for and against the irreversible
core; the breadth and continuity of pressure come from the scenario's ``[pressure]`` table."""

from __future__ import annotations

from typing import Any

from cvid.assess.lessons.common import (
    due,
    verifiable,
    verified_completion_months,
    verified_core_months,
)
from cvid.assess.result import Finding, LessonResult, Severity, grade_of
from cvid.scenario import REVERSIBLE_KINDS, Concession, Scenario

#: Concession kinds whose early release costs little pressure (warn rather than fail).
LOW_COST_CONCESSIONS = frozenset({"summit", "diplomatic"})


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


def _release_reason(k: Concession, early: bool, verified_at: float | None) -> str:
    """Why a concession is early (or that it waits), in a few words, for the figure."""
    if not early:
        return "after its steps are verified"
    if k.pre_agreement:
        return "early: granted before the agreement"
    if not k.requires:
        return "early: tied to no verified step"
    if verified_at is None:
        return "early: pays for a step that can never be verified"
    if k.release_on == "statement":
        return "early: released on a statement"
    if k.release_on == "declared":
        return "early: released on declared (unverified) steps"
    if k.release_on == "schedule":
        return "early: released by the calendar"
    if k.month < verified_at:
        return "early: before its steps are due and verified"
    return "early: material relief before the irreversible core is verified"


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
    releases: list[dict[str, Any]] = []
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
            elif not verifiable(s, c):
                problems.append(
                    (
                        f"{path}.requires",
                        f"pays for '{dep}', whose methods cannot verify it",
                        severity_early,
                    )
                )
            elif not k.pre_agreement and k.month < due(c):
                problems.append(
                    (
                        f"{path}.month",
                        f"is released at month {k.month:g}, before '{dep}' is due "
                        f"(month {due(c):g}) and verified",
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
        reqs = [by_id[d] for d in k.requires]
        can_verify = bool(reqs) and all(verifiable(s, c) for c in reqs)
        verified_at = max(due(c) for c in reqs) if can_verify else None
        releases.append(
            {
                "id": k.id,
                "verified_month": verified_at,
                "early": bool(hard),
                "why": _release_reason(k, bool(hard), verified_at),
            }
        )
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
        "concession_release": releases,
        "verifiable_commitment_months": sorted(due(c) for c in a.commitments if verifiable(s, c)),
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
