"""The status machine of each commitment, and the findings about commitments.

Status of a commitment at a date ``at`` (first rule that holds wins):

1. ``violated`` — a record contradicts it (see :func:`cvid.compliance.rules.contradiction`);
2. ``verified`` — every verification method it lists is satisfied by a record that names it and
   is signed by a role allowed for that method (:data:`~cvid.compliance.rules.METHOD_SIGNERS`),
   and the act itself (removal, dismantlement, declaration, disclosure) is on the ledger;
3. ``holding`` — a moratorium (a freeze on testing, :func:`~cvid.compliance.rules.is_moratorium`)
   from the agreement's start, while no record contradicts it;
4. ``overdue`` — its deadline (agreement start + ``deadline_months``) has passed;
5. ``claimed`` — the state says it did it (statement, declaration, disclosure, grant);
6. ``pending`` — none of these.

A commitment that lists no verification method can never be verified: words cannot verify.
Findings here: violations (every contradiction, a moratorium broken again included), overdue
commitments, commitments no evidence can verify, and unresolved observations that would breach
a commitment if confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cvid.compliance._records import Sources, earlier, key
from cvid.compliance.calendar import months_after
from cvid.compliance.evidence import Evidence
from cvid.compliance.result import Change, CommitmentStatus, ComplianceFinding, Status
from cvid.compliance.rules import (
    ACT_KINDS,
    RuleContext,
    act_targets,
    contradiction_of,
    is_claim,
    is_moratorium,
    satisfies_act,
    satisfies_method,
)
from cvid.scenario import Commitment, Scenario


class CommitmentTrack:
    """What the evidence says about one commitment: the earliest record of each part (claim,
    declaration, each verification method, each act, the first contradiction) and every
    contradiction. Records may arrive in any order; the state at ``t`` uses parts dated ≤ t."""

    def __init__(self, s: Scenario, c: Commitment, start: datetime, ctx: RuleContext) -> None:
        self.c = c
        self.start = start
        self.deadline = months_after(start, c.deadline_months)
        self.moratorium = is_moratorium(s, c)
        self.claim: Evidence | None = None
        self.methods: dict[str, Evidence] = {}
        self.acts: dict[str, Evidence] = {}
        self.act_items = act_targets(s, c) if c.kind in ACT_KINDS else []
        self.first_violation: tuple[Evidence, str] | None = None
        self.violations: list[tuple[Evidence, str]] = []
        self.declared: Evidence | None = None
        self._wants_declaration = c.kind in ("declare", "disclose")

    def add(
        self,
        e: Evidence,
        ctx: RuleContext,
        tests: set[str],
        subjects: set[str],
    ) -> None:
        c = self.c
        named = c.id in e.commitments
        if named:
            if is_claim(e, c):
                self.claim = earlier(self.claim, e)
            if (
                self._wants_declaration
                and e.role == "state"
                and (
                    (c.kind == "declare" and e.kind == "declaration")
                    or (c.kind == "disclose" and e.kind == "disclosure")
                )
                and (
                    c.kind != "declare"
                    or c.scope != "complete"
                    or e.payload.get("complete") is True
                )
            ):
                self.declared = earlier(self.declared, e)
            for m in c.verification:
                if satisfies_method(e, c, m):
                    self.methods[m] = earlier(self.methods.get(m), e)
            for item in self.act_items:
                if satisfies_act(e, c, item):
                    self.acts[item] = earlier(self.acts.get(item), e)
        why = contradiction_of(ctx, e, c, tests, subjects)
        if why is not None:
            self.violations.append((e, why))
            if self.first_violation is None or key(e) < key(self.first_violation[0]):
                self.first_violation = (e, why)

    # -- the parts dated up to t
    def _claim(self, t: datetime) -> Evidence | None:
        return self.claim if self.claim is not None and self.claim.time <= t else None

    def _declared(self, t: datetime) -> Evidence | None:
        d = self.declared
        return d if d is not None and d.time <= t else None

    def _methods(self, t: datetime) -> dict[str, Evidence]:
        return {m: e for m, e in self.methods.items() if e.time <= t}

    def _acts(self, t: datetime) -> dict[str, Evidence]:
        return {i: e for i, e in self.acts.items() if e.time <= t}

    def violation(self, t: datetime) -> tuple[Evidence, str] | None:
        v = self.first_violation
        return v if v is not None and v[0].time <= t else None

    def missing(self, t: datetime) -> list[str]:
        c = self.c
        methods, acts = self._methods(t), self._acts(t)
        out: list[str] = [m for m in c.verification if m not in methods]
        if not c.verification:
            out.append("no verification method agreed")
        out += [f"act on {i}" for i in self.act_items if i not in acts]
        if self._wants_declaration and self._declared(t) is None:
            out.append("complete declaration" if c.kind == "declare" else "disclosure")
        return out

    def _verifying(self, t: datetime) -> list[Evidence]:
        parts = [*self._methods(t).values(), *self._acts(t).values()]
        d = self._declared(t)
        if d is not None:
            parts.append(d)
        return parts

    def verified_on(self, t: datetime) -> datetime | None:
        """When the last missing part arrived, if every part is on the ledger by ``t``."""
        if self.missing(t):
            return None
        return max(e.time for e in self._verifying(t))

    def status(self, t: datetime) -> Status:
        if self.violation(t) is not None:
            return "violated"
        if self.verified_on(t) is not None:
            return "verified"
        if self.moratorium and t >= self.start:
            return "holding"
        if self.deadline <= t:
            return "overdue"
        if self._claim(t) is not None:
            return "claimed"
        return "pending"

    def indices(self, t: datetime) -> tuple[int, ...]:
        parts = [self._claim(t), self._declared(t), *self._verifying(t)]
        v = self.violation(t)
        if v is not None:
            parts.append(v[0])
        return tuple(sorted({e.index for e in parts if e is not None}))

    def changes(self, at: datetime) -> list[Change]:
        points: list[tuple[datetime, tuple[int, ...]]] = [(self.deadline, ())]
        if self.moratorium:
            points.append((self.start, ()))
        claim = self._claim(at)
        if claim is not None:
            points.append((claim.time, (claim.index,)))
        v = self.verified_on(at)
        if v is not None:
            points.append((v, tuple(e.index for e in self._verifying(at) if e.time == v)))
        viol = self.violation(at)
        if viol is not None:
            points.append((viol[0].time, (viol[0].index,)))
        out: list[Change] = []
        before: Status = "pending"
        for t, idx in sorted(points, key=lambda p: p[0]):
            if t > at:
                continue
            now = self.status(t)
            if now != before:
                out.append(
                    Change(on=t, commitment=self.c.id, before=before, after=now, evidence=idx)
                )
                before = now
        return out

    def result(self, at: datetime) -> CommitmentStatus:
        status = self.status(at)
        missing = self.missing(at)
        claim = self._claim(at)
        viol = self.violation(at)
        if status == "violated":
            assert viol is not None
            why = f"{viol[1]} (record {viol[0].index})"
        elif status == "verified":
            why = "required evidence on the ledger from allowed verifiers"
        elif status == "holding":
            why = "moratorium in force; no record contradicts it"
        elif claim is not None:
            why = "claimed by the state; missing: " + ", ".join(missing)
        else:
            why = "missing: " + ", ".join(missing)
        return CommitmentStatus(
            id=self.c.id,
            kind=self.c.kind,
            status=status,
            deadline=self.deadline,
            claimed_on=claim.time if claim is not None else None,
            verified_on=self.verified_on(at),
            violated_on=viol[0].time if viol is not None else None,
            evidence=self.indices(at),
            missing=tuple(missing),
            why=why,
        )


def commitment_findings(
    s: Scenario,
    tracks: Mapping[str, CommitmentTrack],
    statuses: Sequence[CommitmentStatus],
    sources: Sources,
    cutoff: datetime,
) -> list[ComplianceFinding]:
    """Violations, overdue commitments and commitments that list no verification method."""
    findings: list[ComplianceFinding] = []
    for st in statuses:
        t = tracks[st.id]
        viol = t.violation(cutoff)
        if st.status == "violated" and viol is not None:
            e, why = viol
            findings.append(
                sources.finding(
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
                sources.finding(
                    "overdue",
                    "warn",
                    f"{st.id} overdue since {st.deadline:%Y-%m-%d}{claimed}; missing: "
                    + ", ".join(st.missing),
                    st.evidence,
                    st.deadline,
                    {"commitment": st.id},
                    "scenario deadline",
                )
            )
    # every further contradiction (a moratorium broken again) is a violation finding too
    for c in s.agreement.commitments:
        t = tracks[c.id]
        first = t.first_violation
        for e, why in sorted(t.violations, key=lambda v: key(v[0])):
            if e.time > cutoff or (first is not None and e is first[0]):
                continue
            findings.append(
                sources.finding(
                    "violation",
                    "fail",
                    f"{c.id} violated on {e.time:%Y-%m-%d}: {why}",
                    (e.index,),
                    e.time,
                    {"commitment": c.id},
                )
            )
    for c in s.agreement.commitments:
        if not c.verification:
            findings.append(
                sources.finding(
                    "unverifiable",
                    "warn",
                    f"{c.id} lists no verification method: no evidence can ever verify it",
                    (),
                    None,
                    {"commitment": c.id},
                    "scenario",
                )
            )
    return findings


class Unresolved:
    """Observations whose source leaves open what they show (``basis.unresolved``: a question
    and the testing targets it may concern)."""

    def __init__(self, s: Scenario, ctx: RuleContext) -> None:
        self.scenario = s
        self.ctx = ctx
        self.records: list[Evidence] = []

    def add(self, e: Evidence) -> None:
        if (
            e.kind == "observation"
            and e.role in ("observer", "inspectorate")
            and e.basis is not None
            and isinstance(e.basis.get("unresolved"), Mapping)
        ):
            self.records.append(e)

    def findings(self, sources: Sources, cutoff: datetime) -> list[ComplianceFinding]:
        """Each unresolved observation dated by ``cutoff`` is a finding of its own: a ``warn``
        when a commitment in force bans one of its possible targets, else ``info``."""
        out = []
        end = self.ctx.window_end
        for e in sorted((u for u in self.records if u.time <= cutoff), key=key):
            assert e.basis is not None
            u = e.basis["unresolved"]
            possible = set(u.get("targets", ()))
            hit = sorted(
                c.id
                for c in self.scenario.agreement.commitments
                if possible & self.ctx.targets.get(c.id, frozenset())
                and (end is None or e.time < end)
            )
            out.append(
                sources.finding(
                    "unresolved",
                    "warn" if hit else "info",
                    f"unresolved: {u.get('question')} on {e.time:%Y-%m-%d}"
                    + (f" (would breach {', '.join(hit)} if confirmed)" if hit else ""),
                    (e.index,),
                    e.time,
                    {"possible": sorted(possible), "commitments": hit},
                )
            )
        return out
