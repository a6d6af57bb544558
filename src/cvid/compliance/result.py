"""The compliance state of an agreement: statuses, findings, access, concessions, indicators.

Frozen dataclasses; ``ComplianceState.to_dict()`` is the documented JSON of
``cvid status --json``::

    {"agreement", "scenario", "at", "records",
     "commitments": [{"id", "kind", "status", "deadline", "claimed_on", "verified_on",
                      "violated_on", "evidence": [index...], "missing": [method...], "why"}],
     "findings": [{"kind", "severity", "message", "on", "evidence": [index...],
                   "sources": [kind of source...], "figures": {...}}],
     "access": [{"request_id", "site", "requested", "outcome", "answered", "entered",
                 "delay_hours", "measured_by", "within_notice", "evidence": [index...]}],
     "concessions": [{"id", "action", "on", "requires", "unverified", "finding", "evidence"}],
     "indicators": {"decision": [{"kind", "message", "evidence", "sources"}...],
                    "pretence": [...],
                    "balance": "decision|pretence|mixed|none"},
     "timeline": [{"on", "commitment", "from", "to", "evidence": [index...]}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["pending", "claimed", "verified", "holding", "overdue", "violated"]
#: ``holding``: a moratorium (a freeze on testing) that no record contradicts.
STATUSES: tuple[Status, ...] = (
    "pending",
    "claimed",
    "verified",
    "holding",
    "overdue",
    "violated",
)
Severity = Literal["info", "warn", "fail"]
#: ``not-entered``: the state granted access but the inspectorate has not recorded getting in.
Outcome = Literal["granted", "partial", "denied", "unanswered", "not-entered"]
#: What an access delay is measured to: the inspectorate's own record of getting in, the
#: denial, or (no answer, or no entry yet) the time of evaluation.
MeasuredBy = Literal["inspectorate-entry", "denial", "still-waiting"]
Verdict = Literal[
    "released-after-verification",
    "relief-before-results",
    "withheld-correctly",
    "withheld-after-verification",
]


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _memo(obj: object, build: Any) -> dict[str, Any]:
    """``obj``'s JSON dict, built once per (frozen) object and copied on every call (the
    tracker hands out the same settled objects on every read); list and dict values are
    copied too, so a caller may change what it gets."""
    memo = obj.__dict__.get("_json")
    if memo is None:
        d = build()
        memo = (d, tuple(k for k, v in d.items() if isinstance(v, list | dict)))
        object.__setattr__(obj, "_json", memo)
    d, mutable = memo
    out = dict(d)
    for k in mutable:
        out[k] = d[k].copy()
    return out


@dataclass(frozen=True)
class CommitmentStatus:
    """Where one commitment stands at the evaluation date, and the evidence behind it."""

    id: str
    kind: str
    status: Status
    deadline: datetime
    claimed_on: datetime | None
    verified_on: datetime | None
    violated_on: datetime | None
    evidence: tuple[int, ...]
    missing: tuple[str, ...]
    why: str

    def to_dict(self) -> dict[str, Any]:
        return _memo(
            self,
            lambda: {
                "id": self.id,
                "kind": self.kind,
                "status": self.status,
                "deadline": _iso(self.deadline),
                "claimed_on": _iso(self.claimed_on),
                "verified_on": _iso(self.verified_on),
                "violated_on": _iso(self.violated_on),
                "evidence": list(self.evidence),
                "missing": list(self.missing),
                "why": self.why,
            },
        )


@dataclass(frozen=True)
class ComplianceFinding:
    """One thing the evidence shows that matters: a violation, a discrepancy, a denial...

    ``sources`` are the kinds of source of the records behind it, in the order of
    ``evidence`` without repeats (``measurement``, ``inspector-observation``, ``state-claim``,
    ``estimate``, ``press``; "(inferred from signer role)" when a record does not state it;
    ``scenario`` for a figure taken from the scenario file)."""

    kind: str
    severity: Severity
    message: str
    evidence: tuple[int, ...] = ()
    on: datetime | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return _memo(
            self,
            lambda: {
                "kind": self.kind,
                "severity": self.severity,
                "message": self.message,
                "on": _iso(self.on),
                "evidence": list(self.evidence),
                "sources": list(self.sources),
                "figures": dict(self.figures),
            },
        )


@dataclass(frozen=True)
class AccessOutcome:
    """One access request and what became of it.

    ``answered`` is when the state's grant or a denial is dated; ``entered`` when the
    inspectorate's own inspection record at the site says it got in. ``delay_hours`` is
    measured to ``entered`` (never to the state-signed grant, which the state can backdate),
    to the denial, or, while the inspectors are still outside, to the time of evaluation;
    ``within_notice`` is true only when the inspectorate got in within the agreed notice
    (``agreement.provisions.challenge_notice_hours``)."""

    request_id: str
    site: str
    access: str
    requested: datetime
    outcome: Outcome
    answered: datetime | None
    delay_hours: float | None
    within_notice: bool
    evidence: tuple[int, ...]
    entered: datetime | None = None
    measured_by: MeasuredBy = "still-waiting"
    notice_hours: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _memo(
            self,
            lambda: {
                "request_id": self.request_id,
                "site": self.site,
                "access": self.access,
                "requested": _iso(self.requested),
                "outcome": self.outcome,
                "answered": _iso(self.answered),
                "entered": _iso(self.entered),
                "delay_hours": self.delay_hours,
                "measured_by": self.measured_by,
                "notice_hours": self.notice_hours,
                "within_notice": self.within_notice,
                "evidence": list(self.evidence),
            },
        )


@dataclass(frozen=True)
class ConcessionCheck:
    """A concession act on the ledger checked against the commitments it depends on."""

    id: str
    action: str
    on: datetime
    requires: tuple[str, ...]
    unverified: tuple[str, ...]
    verdict: Verdict
    evidence: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return _memo(
            self,
            lambda: {
                "id": self.id,
                "action": self.action,
                "on": _iso(self.on),
                "requires": list(self.requires),
                "unverified": list(self.unverified),
                "verdict": self.verdict,
                "evidence": list(self.evidence),
            },
        )


@dataclass(frozen=True)
class Indicator:
    """A sign of a strategic decision or of pretence, with the records that show it and their
    kinds of source (as :attr:`ComplianceFinding.sources`)."""

    side: Literal["decision", "pretence"]
    kind: str
    message: str
    evidence: tuple[int, ...]
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return _memo(
            self,
            lambda: {
                "kind": self.kind,
                "message": self.message,
                "evidence": list(self.evidence),
                "sources": list(self.sources),
            },
        )


@dataclass(frozen=True)
class Change:
    """A change of a commitment's status, with the records (or deadline) that caused it."""

    on: datetime
    commitment: str
    before: Status
    after: Status
    evidence: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return _memo(
            self,
            lambda: {
                "on": _iso(self.on),
                "commitment": self.commitment,
                "from": self.before,
                "to": self.after,
                "evidence": list(self.evidence),
            },
        )


@dataclass(frozen=True)
class ComplianceState:
    """The state of an agreement at ``at`` as derived from ``records`` evidence records."""

    agreement: str
    scenario: str
    at: datetime
    records: int
    commitments: tuple[CommitmentStatus, ...]
    findings: tuple[ComplianceFinding, ...]
    access: tuple[AccessOutcome, ...]
    concessions: tuple[ConcessionCheck, ...]
    indicators: tuple[Indicator, ...]
    timeline: tuple[Change, ...]

    def commitment(self, commitment_id: str) -> CommitmentStatus:
        """The status of the commitment with this id (KeyError if none)."""
        for c in self.commitments:
            if c.id == commitment_id:
                return c
        raise KeyError(commitment_id)

    def counts(self) -> dict[str, int]:
        """How many commitments are in each status."""
        out: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for c in self.commitments:
            out[c.status] += 1
        return out

    @property
    def balance(self) -> str:
        """``decision`` if only decision indicators, ``pretence`` if only pretence indicators
        (or more pretence than decision), ``mixed`` otherwise, ``none`` if there are none."""
        d = sum(1 for i in self.indicators if i.side == "decision")
        p = sum(1 for i in self.indicators if i.side == "pretence")
        if not d and not p:
            return "none"
        if d and not p:
            return "decision"
        if p >= d:
            return "pretence"
        return "mixed"

    def summary(self) -> dict[str, Any]:
        """A short JSON block for ``cvid assess``: counts, worst findings and the balance."""
        return {
            "agreement": self.agreement,
            "at": _iso(self.at),
            "records": self.records,
            "counts": self.counts(),
            "statuses": {c.id: c.status for c in self.commitments},
            "findings": [f.to_dict() for f in self.findings if f.severity != "info"],
            "indicators": self.balance,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "scenario": self.scenario,
            "at": _iso(self.at),
            "records": self.records,
            "counts": self.counts(),
            "commitments": [c.to_dict() for c in self.commitments],
            "findings": [f.to_dict() for f in self.findings],
            "access": [a.to_dict() for a in self.access],
            "concessions": [c.to_dict() for c in self.concessions],
            "indicators": {
                "decision": [i.to_dict() for i in self.indicators if i.side == "decision"],
                "pretence": [i.to_dict() for i in self.indicators if i.side == "pretence"],
                "balance": self.balance,
            },
            "timeline": [c.to_dict() for c in self.timeline],
        }
