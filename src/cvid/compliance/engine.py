"""Derive the state of an agreement from evidence only: statuses, findings and indicators.

Status of a commitment at a date ``at`` (first rule that holds wins):

1. ``violated`` — a record contradicts it (see :func:`cvid.compliance.rules.contradiction`);
2. ``verified`` — every verification method it lists is satisfied by a record that names it and
   is signed by a role allowed for that method (:data:`~cvid.compliance.rules.METHOD_SIGNERS`),
   and the act itself (removal, dismantlement, declaration, disclosure) is on the ledger;
3. ``overdue`` — its deadline (agreement start + ``deadline_months``) has passed;
4. ``claimed`` — the state says it did it (statement, declaration, disclosure, grant);
5. ``pending`` — none of these.

A commitment that lists no verification method can never be verified: words cannot verify.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cvid.compliance.evidence import Evidence, as_utc, sort_evidence
from cvid.compliance.result import (
    AccessOutcome,
    Change,
    CommitmentStatus,
    ComplianceFinding,
    ComplianceState,
    ConcessionCheck,
    Indicator,
    Outcome,
    Severity,
    Status,
    Verdict,
)
from cvid.compliance.rules import (
    ACT_KINDS,
    act_targets,
    contradiction,
    is_claim,
    program_item_ids,
    satisfies_act,
    satisfies_method,
)
from cvid.errors import InputError
from cvid.scenario import RESERVED_TARGETS, SIGNIFICANT_QUANTITY_KG, Commitment, Estimate, Scenario
from cvid.verify import total_muf_test

#: Mean length of a month in days (365.25 / 12), to turn ``deadline_months`` into dates.
DAYS_PER_MONTH = 365.25 / 12


def agreement_start(s: Scenario) -> datetime:
    """The agreement's start as a UTC moment (00:00 on the start date)."""
    if s.agreement.start is None:
        raise InputError(
            "the agreement has no start date; compliance needs one",
            source=s.meta.name,
            field="agreement.start",
        )
    return datetime(
        s.agreement.start.year, s.agreement.start.month, s.agreement.start.day, tzinfo=UTC
    )


def months_after(start: datetime, months: float) -> datetime:
    """``start`` plus ``months`` mean months."""
    return start + timedelta(days=months * DAYS_PER_MONTH)


def agreement_id(s: Scenario) -> str:
    """The identifier evidence records use for the scenario's agreement (its meta name)."""
    return s.meta.name


def check_evidence(
    s: Scenario,
    evidence: Iterable[Evidence],
    *,
    now: datetime | None = None,
    label: str = "ledger record",
) -> None:
    """Refuse evidence the scenario cannot place: unknown commitments, program items or
    concessions, and dates before the agreement's start or in the future.

    The error names the record (``label`` and its index, e.g. a line number) and the reason.
    """
    start = agreement_start(s)
    now = now or datetime.now(UTC)
    commitments = {c.id for c in s.agreement.commitments}
    concessions = {c.id for c in s.agreement.concessions}
    items = program_item_ids(s) | set(RESERVED_TARGETS)
    for e in evidence:
        where = f"{label} {e.index}"
        for c in e.commitments:
            if c not in commitments:
                raise InputError(
                    f"refers to commitment {c!r}, which is not in scenario {s.meta.name!r}",
                    source=where,
                    field="refs.commitments",
                )
        for i in e.items:
            if i not in items:
                raise InputError(
                    f"refers to item {i!r}, which is not in the program of {s.meta.name!r}",
                    source=where,
                    field="refs.items",
                )
        cid = e.payload.get("concession_id") if e.kind == "concession" else None
        if cid is not None and cid not in concessions:
            raise InputError(
                f"refers to concession {cid!r}, which is not in scenario {s.meta.name!r}",
                source=where,
                field="payload.concession_id",
            )
        if e.time < start:
            raise InputError(
                f"dated {e.time:%Y-%m-%d}, before the agreement started ({start:%Y-%m-%d})",
                source=where,
                field="time",
            )
        if e.time > now:
            raise InputError(f"dated {e.time:%Y-%m-%d}, in the future", source=where, field="time")


# ------------------------------------------------------------------------------ commitments


class _Track:
    """What the evidence says about one commitment, with the earliest time of each part."""

    def __init__(self, s: Scenario, c: Commitment, start: datetime) -> None:
        self.c = c
        self.deadline = months_after(start, c.deadline_months)
        self.claim: Evidence | None = None
        self.methods: dict[str, Evidence] = {}
        self.acts: dict[str, Evidence] = {}
        self.act_items = act_targets(s, c) if c.kind in ACT_KINDS else []
        self.violation: tuple[Evidence, str] | None = None
        self.declared: Evidence | None = None

    def add(self, s: Scenario, e: Evidence) -> None:
        c = self.c
        if self.claim is None and is_claim(e, c):
            self.claim = e
        if (
            self.declared is None
            and e.role == "state"
            and e.refers_to(c.id)
            and (
                (c.kind == "declare" and e.kind == "declaration")
                or (c.kind == "disclose" and e.kind == "disclosure")
            )
            and (c.kind != "declare" or c.scope != "complete" or e.payload.get("complete") is True)
        ):
            self.declared = e
        for m in c.verification:
            if m not in self.methods and satisfies_method(e, c, m):
                self.methods[m] = e
        for item in self.act_items:
            if item not in self.acts and satisfies_act(e, c, item):
                self.acts[item] = e
        if self.violation is None:
            why = contradiction(s, e, c)
            if why is not None:
                self.violation = (e, why)

    def missing(self) -> list[str]:
        c = self.c
        out: list[str] = [m for m in c.verification if m not in self.methods]
        if not c.verification:
            out.append("no verification method agreed")
        out += [f"act on {i}" for i in self.act_items if i not in self.acts]
        if c.kind in ("declare", "disclose") and self.declared is None:
            out.append("complete declaration" if c.kind == "declare" else "disclosure")
        return out

    def verified_on(self) -> datetime | None:
        if self.missing():
            return None
        times = [e.time for e in (*self.methods.values(), *self.acts.values())]
        if self.declared is not None:
            times.append(self.declared.time)
        return max(times)

    def status(self, t: datetime) -> Status:
        if self.violation is not None and self.violation[0].time <= t:
            return "violated"
        v = self.verified_on()
        if v is not None and v <= t:
            return "verified"
        if self.deadline <= t:
            return "overdue"
        if self.claim is not None and self.claim.time <= t:
            return "claimed"
        return "pending"

    def indices(self) -> tuple[int, ...]:
        parts = [self.claim, self.declared, *self.methods.values(), *self.acts.values()]
        if self.violation is not None:
            parts.append(self.violation[0])
        return tuple(sorted({e.index for e in parts if e is not None}))

    def changes(self, at: datetime) -> list[Change]:
        points: list[tuple[datetime, tuple[int, ...]]] = [(self.deadline, ())]
        if self.claim is not None:
            points.append((self.claim.time, (self.claim.index,)))
        v = self.verified_on()
        if v is not None:
            points.append((v, tuple(e.index for e in self._verifying() if e.time == v)))
        if self.violation is not None:
            points.append((self.violation[0].time, (self.violation[0].index,)))
        out: list[Change] = []
        before: Status = "pending"
        for t, idx in sorted(points, key=lambda p: p[0]):
            if t > at:
                continue
            now = self.status(t)
            if now != before:
                out.append(Change(t, self.c.id, before, now, idx))
                before = now
        return out

    def _verifying(self) -> list[Evidence]:
        parts = [*self.methods.values(), *self.acts.values()]
        if self.declared is not None:
            parts.append(self.declared)
        return parts

    def result(self, at: datetime) -> CommitmentStatus:
        status = self.status(at)
        missing = self.missing()
        if status == "violated":
            assert self.violation is not None
            why = f"{self.violation[1]} (record {self.violation[0].index})"
        elif status == "verified":
            why = "required evidence on the ledger from allowed verifiers"
        elif self.claim is not None:
            why = "claimed by the state; missing: " + ", ".join(missing)
        else:
            why = "missing: " + ", ".join(missing)
        return CommitmentStatus(
            id=self.c.id,
            kind=self.c.kind,
            status=status,
            deadline=self.deadline,
            claimed_on=self.claim.time if self.claim is not None else None,
            verified_on=self.verified_on(),
            violated_on=self.violation[0].time if self.violation is not None else None,
            evidence=self.indices(),
            missing=tuple(missing),
            why=why,
        )


# ------------------------------------------------------------------------------ declarations


def estimate_sigma(e: Estimate) -> float:
    """Standard deviation of an estimate: uniform (h − l)/√12, triangular
    √((a² + b² + c² − ab − ac − bc)/18), 0 for a point (standard results for these laws)."""
    if e.is_point:
        return 0.0
    if e.mode is None:
        return (e.high - e.low) / math.sqrt(12.0)
    a, b, c = e.low, e.high, e.mode
    return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)


def _quantity_findings(s: Scenario, ev: Sequence[Evidence]) -> list[ComplianceFinding]:
    """Declared material quantities against measured or estimated ones, each judged by the
    one-sided test on the shortfall (cvid.verify.total_muf_test with one balance: alarm when
    shortfall > z_{1-α}·σ, σ² = σ_reference² + σ_declared²; Avenhaus & Canty 1996, ch. 3)."""
    materials = {m.id: m for m in s.program.materials}
    mb = s.verification.material_balance
    alpha = mb.false_alarm_probability
    rsd = math.hypot(mb.random_rsd, mb.systematic_rsd)
    declared: dict[str, tuple[float, Evidence]] = {}
    for e in ev:
        if e.kind != "declaration" or e.role != "state":
            continue
        for d in e.payload.get("declared", ()):
            item, q, unit = d.get("item"), d.get("quantity"), d.get("unit")
            if item in materials and q is not None and unit in (None, "kg"):
                declared[item] = (float(q), e)
    out: list[ComplianceFinding] = []
    for item, (dq, de) in declared.items():
        m = materials[item]
        sq = SIGNIFICANT_QUANTITY_KG.get(m.kind)
        refs: list[tuple[str, float, float, tuple[int, ...]]] = []
        for e in ev:
            if e.role != "inspectorate" or e.time < de.time - timedelta(days=3650):
                continue
            if e.kind == "finding" and e.payload.get("item") == item:
                mq = e.payload.get("measured_quantity")
                if mq is not None and e.payload.get("unit") in (None, "kg"):
                    refs.append((f"measured (record {e.index})", float(mq), rsd * mq, (e.index,)))
            if (
                e.kind == "sample-result"
                and e.payload.get("item") == item
                and e.payload.get("unit") == "kg"
            ):
                v = float(e.payload["value"])
                u = e.payload.get("uncertainty")
                refs.append(
                    (f"measured (record {e.index})", v, rsd * v if u is None else u, (e.index,))
                )
        est = m.mass_kg
        label = f"estimated ({est.source})" if est.source else "estimated (scenario)"
        refs.append((label, est.mean, estimate_sigma(est), ()))
        for what, ref, sigma, idx in refs:
            shortfall = ref - dq
            sig_declared = rsd * dq
            total = math.hypot(sigma, sig_declared)
            figures: dict[str, Any] = {
                "item": item,
                "declared_kg": dq,
                "reference": what,
                "reference_kg": ref,
                "sigma_kg": total,
                "shortfall_kg": shortfall,
                "shortfall_sq": shortfall / sq if sq else None,
                "alpha": alpha,
            }
            if total > 0:
                test = total_muf_test([shortfall], [[total * total]], alpha)
                significant = bool(test.alarm)
                figures["threshold_kg"] = test.threshold
            else:
                significant = shortfall > 0
                figures["threshold_kg"] = 0.0
            figures["significant"] = significant
            sq_text = f" = {shortfall / sq:.2f} SQ" if sq else ""
            if shortfall <= 0:
                msg = f"{item}: declared {dq:g} kg is not below the {what} {ref:.3g} kg"
                sev: Severity = "info"
            elif significant:
                msg = (
                    f"{item}: declared {dq:g} kg is {shortfall:.3g} kg{sq_text} below the {what} "
                    f"{ref:.3g} kg — beyond measurement uncertainty (σ {total:.2g} kg, α {alpha:g})"
                )
                sev = "fail"
            else:
                msg = (
                    f"{item}: declared {dq:g} kg is {shortfall:.3g} kg{sq_text} below the {what} "
                    f"{ref:.3g} kg — within uncertainty (σ {total:.2g} kg, α {alpha:g})"
                )
                sev = "warn" if sq and shortfall >= sq else "info"
            out.append(
                ComplianceFinding(
                    "declaration-vs-finding", sev, msg, (de.index, *idx), de.time, figures
                )
            )
    return out


# ------------------------------------------------------------------------------ access


def _access(s: Scenario, ev: Sequence[Evidence], at: datetime) -> list[AccessOutcome]:
    notice = s.agreement.provisions.challenge_notice_hours
    answers: dict[str, Evidence] = {}
    for e in ev:
        if e.kind in ("access-granted", "access-denied"):
            answers.setdefault(str(e.payload.get("request_id")), e)
    out = []
    for e in ev:
        if e.kind != "access-request" or e.role != "inspectorate":
            continue
        rid = str(e.payload["request_id"])
        ans = answers.get(rid)
        if ans is None or ans.time < e.time:
            waited = (at - e.time).total_seconds() / 3600.0
            out.append(
                AccessOutcome(
                    rid,
                    str(e.payload.get("site")),
                    str(e.payload.get("access")),
                    e.time,
                    "unanswered",
                    None,
                    waited,
                    waited <= notice,
                    (e.index,),
                )
            )
            continue
        delay = (ans.time - e.time).total_seconds() / 3600.0
        if ans.kind == "access-denied":
            outcome: Outcome = "denied"
        else:
            outcome = "granted" if ans.payload.get("scope") == "full" else "partial"
        out.append(
            AccessOutcome(
                rid,
                str(e.payload.get("site")),
                str(e.payload.get("access")),
                e.time,
                outcome,
                ans.time,
                delay,
                outcome == "granted" and delay <= notice,
                (e.index, ans.index),
            )
        )
    return out


def _access_findings(
    s: Scenario, outcomes: Sequence[AccessOutcome], ev: Sequence[Evidence]
) -> list[ComplianceFinding]:
    p = s.agreement.provisions
    out = []
    for a in outcomes:
        if a.outcome == "denied":
            out.append(
                ComplianceFinding(
                    "access-denied",
                    "fail",
                    f"access to {a.site} ({a.access}) requested {a.requested:%Y-%m-%d} was denied",
                    a.evidence,
                    a.answered,
                )
            )
        elif a.outcome == "unanswered":
            sev2: Severity = "info" if a.within_notice else "fail"
            out.append(
                ComplianceFinding(
                    "access-unanswered",
                    sev2,
                    f"access to {a.site} requested {a.requested:%Y-%m-%d}: no answer after "
                    f"{a.delay_hours:.0f} h (notice time {p.challenge_notice_hours:g} h)",
                    a.evidence,
                    a.requested,
                    {"delay_hours": a.delay_hours},
                )
            )
        elif not a.within_notice:
            anywhere = p.access == "anywhere-anytime"
            out.append(
                ComplianceFinding(
                    "access-delayed",
                    "fail" if anywhere else "warn",
                    f"access to {a.site} came after {a.delay_hours:.0f} h"
                    + (" (partial)" if a.outcome == "partial" else "")
                    + f"; the agreement's notice time is {p.challenge_notice_hours:g} h"
                    + (" (anywhere-anytime)" if anywhere else ""),
                    a.evidence,
                    a.answered,
                    {"delay_hours": a.delay_hours},
                )
            )
    for e in ev:
        if (
            e.kind == "inspection"
            and e.role == "inspectorate"
            and e.payload.get("access") != "full"
        ):
            out.append(
                ComplianceFinding(
                    "inspection-access",
                    "fail" if e.payload.get("access") == "none" else "warn",
                    f"inspection at {e.payload.get('site')} on {e.time:%Y-%m-%d} had "
                    f"{e.payload.get('access')} access",
                    (e.index,),
                    e.time,
                )
            )
        if e.kind == "access-denied" and e.payload.get("request_id") not in {
            a.request_id for a in outcomes
        }:
            out.append(
                ComplianceFinding(
                    "access-denied",
                    "fail",
                    f"access denied on {e.time:%Y-%m-%d}: {e.payload.get('reason')}",
                    (e.index,),
                    e.time,
                )
            )
    return out


# ------------------------------------------------------------------------------ concessions


def _concessions(
    s: Scenario, ev: Sequence[Evidence], tracks: dict[str, _Track]
) -> list[ConcessionCheck]:
    defs = {c.id: c for c in s.agreement.concessions}
    out = []
    for e in ev:
        if e.kind != "concession" or e.role not in ("admin", "observer"):
            continue
        cid = str(e.payload["concession_id"])
        c = defs.get(cid)
        if c is None:
            continue
        unverified = []
        for r in c.requires:
            t = tracks.get(r)
            v = t.verified_on() if t is not None else None
            if (
                t is None
                or v is None
                or v > e.time
                or (t.violation is not None and t.violation[0].time <= e.time)
            ):
                unverified.append(r)
        action = str(e.payload["action"])
        if action == "released":
            verdict: Verdict = (
                "relief-before-results" if unverified else "released-after-verification"
            )
        else:
            verdict = "withheld-correctly" if unverified else "withheld-after-verification"
        out.append(
            ConcessionCheck(
                cid, action, e.time, tuple(c.requires), tuple(unverified), verdict, (e.index,)
            )
        )
    return out


def _concession_findings(s: Scenario, checks: Sequence[ConcessionCheck]) -> list[ComplianceFinding]:
    defs = {c.id: c for c in s.agreement.concessions}
    out = []
    for c in checks:
        terms = defs[c.id].release_on
        if c.verdict == "relief-before-results":
            extra = "" if terms == "verified" else f" (the agreement released it on '{terms}')"
            out.append(
                ComplianceFinding(
                    "relief-before-results",
                    "fail",
                    f"{c.id} released {c.on:%Y-%m-%d} before {', '.join(c.unverified)} "
                    f"was verified{extra}",
                    c.evidence,
                    c.on,
                )
            )
        elif c.verdict == "withheld-after-verification":
            out.append(
                ComplianceFinding(
                    "withheld-after-verification",
                    "warn",
                    f"{c.id} {c.action} {c.on:%Y-%m-%d} although {', '.join(c.requires)} "
                    "was verified",
                    c.evidence,
                    c.on,
                )
            )
        else:
            out.append(
                ComplianceFinding(
                    c.verdict,
                    "info",
                    f"{c.id} {c.action} {c.on:%Y-%m-%d}"
                    + (
                        f": {', '.join(c.unverified)} not verified"
                        if c.unverified
                        else " after its milestones were verified"
                    ),
                    c.evidence,
                    c.on,
                )
            )
    return out


# ------------------------------------------------------------------------------ indicators


def _indicators(
    s: Scenario,
    ev: Sequence[Evidence],
    statuses: Sequence[CommitmentStatus],
    findings: Sequence[ComplianceFinding],
    access: Sequence[AccessOutcome],
) -> list[Indicator]:
    p = s.agreement.provisions
    undeclared = {f.id for f in s.program.facilities if not f.declared}
    out: list[Indicator] = []
    for e in ev:
        if e.kind == "disclosure" and e.role == "state" and e.payload.get("voluntary") is True:
            new = sorted(set(e.items) & undeclared)
            what = f" incl. sites not declared before: {', '.join(new)}" if new else ""
            out.append(
                Indicator(
                    "decision",
                    "voluntary-disclosure",
                    f"voluntary disclosure of {e.payload.get('subject')}{what}",
                    (e.index,),
                )
            )
        if (
            e.kind == "inspection"
            and e.role == "inspectorate"
            and e.payload.get("access") == "full"
        ):
            acts = set(e.payload.get("activities", ()))
            beyond = []
            if "interviews" in acts and not p.access_to_people:
                beyond.append("interviews")
            if "document-review" in acts and not p.access_to_documents:
                beyond.append("documents")
            if set(e.subjects()) & undeclared and p.access in ("declared-sites-only", "none"):
                beyond.append("undeclared sites")
            if beyond:
                out.append(
                    Indicator(
                        "decision",
                        "access-beyond-required",
                        f"access beyond what was required: {', '.join(beyond)}",
                        (e.index,),
                    )
                )
        if e.kind == "removal" and e.role == "inspectorate":
            out.append(
                Indicator(
                    "decision",
                    "irreversible-step",
                    f"{e.payload.get('item')} removed to {e.payload.get('destination')} "
                    f"on {e.time:%Y-%m-%d}",
                    (e.index,),
                )
            )
        if e.kind == "dismantlement" and e.role == "inspectorate" and e.payload.get("irreversible"):
            out.append(
                Indicator(
                    "decision",
                    "irreversible-step",
                    f"{e.payload.get('item')} dismantled ({e.payload.get('method')})",
                    (e.index,),
                )
            )
    for a in access:
        if a.outcome == "granted" and a.within_notice and p.access != "anywhere-anytime":
            out.append(
                Indicator(
                    "decision",
                    "access-beyond-required",
                    f"access to {a.site} granted within {a.delay_hours or 0:.0f} h",
                    a.evidence,
                )
            )
        if a.outcome in ("denied", "unanswered", "granted", "partial") and not a.within_notice:
            out.append(
                Indicator(
                    "pretence",
                    "access-delayed-or-denied",
                    f"access to {a.site}: {a.outcome}"
                    + (f" after {a.delay_hours:.0f} h" if a.delay_hours is not None else ""),
                    a.evidence,
                )
            )
    for f in findings:
        if (
            f.kind == "declaration-vs-finding" and f.severity == "fail"
        ) or f.kind == "undeclared-item":
            out.append(Indicator("pretence", "declaration-contradicted", f.message, f.evidence))
        if f.kind in ("access-denied", "inspection-access") and f.severity == "fail":
            out.append(Indicator("pretence", "access-delayed-or-denied", f.message, f.evidence))
    reversible = [
        e.index
        for e in ev
        if e.kind == "dismantlement"
        and e.role == "inspectorate"
        and not e.payload.get("irreversible")
    ]
    irreversible = any(i.kind == "irreversible-step" for i in out)
    if reversible and not irreversible:
        out.append(
            Indicator(
                "pretence",
                "reversible-steps-only",
                "only reversible steps (disablement, freeze) on the ledger",
                tuple(reversible),
            )
        )
    unverified_claims = [c for c in statuses if c.claimed_on is not None and c.status == "overdue"]
    for c in unverified_claims:
        out.append(
            Indicator(
                "pretence",
                "claim-not-verified",
                f"{c.id} claimed {c.claimed_on:%Y-%m-%d} but not verified by its deadline",
                c.evidence,
            )
        )
    return out


# ------------------------------------------------------------------------------ evaluate


def evaluate(
    scenario: Scenario,
    evidence: Iterable[Evidence],
    at: datetime | str | None = None,
    *,
    check: bool = True,
    now: datetime | None = None,
) -> ComplianceState:
    """The compliance state of ``scenario``'s agreement on the evidence dated up to ``at``
    (default: now). With ``check`` the evidence is first checked against the scenario
    (:func:`check_evidence`); evidence before the agreement's start is otherwise ignored."""
    s = scenario
    everything = sort_evidence(evidence)
    if check:
        check_evidence(s, everything, now=now)
    start = agreement_start(s)
    at_t = as_utc(at) if at is not None else (now or datetime.now(UTC))
    ev = [e for e in everything if start <= e.time <= at_t]
    tracks = {c.id: _Track(s, c, start) for c in s.agreement.commitments}
    for e in ev:
        for t in tracks.values():
            t.add(s, e)
    statuses = [tracks[c.id].result(at_t) for c in s.agreement.commitments]
    timeline = sorted(
        (ch for t in tracks.values() for ch in t.changes(at_t)),
        key=lambda ch: (ch.on, ch.commitment),
    )
    findings: list[ComplianceFinding] = []
    for st in statuses:
        t = tracks[st.id]
        if st.status == "violated" and t.violation is not None:
            e, why = t.violation
            findings.append(
                ComplianceFinding(
                    "violation",
                    "fail",
                    f"{st.id} violated on {e.time:%Y-%m-%d}: {why}",
                    (e.index,),
                    e.time,
                    {"commitment": st.id},
                )
            )
        elif st.status == "overdue":
            claimed = f", claimed {st.claimed_on:%Y-%m-%d}" if st.claimed_on else ""
            findings.append(
                ComplianceFinding(
                    "overdue",
                    "warn",
                    f"{st.id} overdue since {st.deadline:%Y-%m-%d}{claimed}; missing: "
                    + ", ".join(st.missing),
                    st.evidence,
                    st.deadline,
                    {"commitment": st.id},
                )
            )
    # every further contradiction (a moratorium broken again) is a violation finding too
    for c in s.agreement.commitments:
        first = tracks[c.id].violation
        for e in ev:
            if first is not None and e is first[0]:
                continue
            again = contradiction(s, e, c)
            if again is not None:
                findings.append(
                    ComplianceFinding(
                        "violation",
                        "fail",
                        f"{c.id} violated on {e.time:%Y-%m-%d}: {again}",
                        (e.index,),
                        e.time,
                        {"commitment": c.id},
                    )
                )
    for c in s.agreement.commitments:
        if not c.verification:
            findings.append(
                ComplianceFinding(
                    "unverifiable",
                    "warn",
                    f"{c.id} lists no verification method: no evidence can ever verify it",
                    (),
                    None,
                    {"commitment": c.id},
                )
            )
    for e in ev:
        if (
            e.kind == "finding"
            and e.role == "inspectorate"
            and e.payload.get("result")
            in (
                "undeclared",
                "missing",
                "discrepancy",
            )
        ):
            what = str(e.payload.get("item") or e.payload.get("site") or "an item")
            findings.append(
                ComplianceFinding(
                    "undeclared-item" if e.payload["result"] == "undeclared" else "discrepancy",
                    "fail" if e.payload["result"] != "discrepancy" else "warn",
                    f"{e.payload['result']}: {what} ({e.time:%Y-%m-%d}): "
                    + str(e.payload.get("description")),
                    (e.index,),
                    e.time,
                )
            )
        if e.kind == "seal-check" and e.role == "inspectorate" and e.payload.get("intact") is False:
            findings.append(
                ComplianceFinding(
                    "seal-broken",
                    "fail",
                    f"seal {e.payload.get('seal_id')} found broken on {e.time:%Y-%m-%d}",
                    (e.index,),
                    e.time,
                )
            )
    findings += _quantity_findings(s, ev)
    access = _access(s, ev, at_t)
    findings += _access_findings(s, access, ev)
    concessions = _concessions(s, ev, tracks)
    findings += _concession_findings(s, concessions)
    findings.sort(key=lambda f: (f.on or start, f.kind))
    indicators = _indicators(s, ev, statuses, findings, access)
    return ComplianceState(
        agreement=agreement_id(s),
        scenario=s.meta.name,
        at=at_t,
        records=len(ev),
        commitments=tuple(statuses),
        findings=tuple(findings),
        access=tuple(access),
        concessions=tuple(concessions),
        indicators=tuple(indicators),
        timeline=tuple(timeline),
    )


def violations(state: ComplianceState, commitment: str | None = None) -> list[ComplianceFinding]:
    """The violation findings of ``state`` (of one commitment if given), in time order."""
    return [
        f
        for f in state.findings
        if f.kind == "violation"
        and (commitment is None or f.figures.get("commitment") == commitment)
    ]
