"""The compliance state of an agreement: statuses, findings, access, concessions, indicators.

Frozen typed results (pydantic, :class:`cvid.results.Result`); ``ComplianceState.to_dict()``
(or ``to_json()``) is the documented JSON of ``cvid status --json``, its JSON Schema
``schema/status.schema.json``::

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

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer, model_serializer
from typing_extensions import TypedDict

from cvid.results import Result

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


def _iso_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


#: A UTC moment, written as ``YYYY-MM-DDTHH:MM:SSZ``.
UtcTime = Annotated[datetime, PlainSerializer(_iso_time, return_type=str)]


class CommitmentStatus(Result):
    """Where one commitment stands at the evaluation date, and the evidence behind it."""

    id: str
    kind: str
    status: Status
    deadline: UtcTime
    claimed_on: UtcTime | None
    verified_on: UtcTime | None
    violated_on: UtcTime | None
    evidence: tuple[int, ...] = Field(description="Ledger indices of the records behind it")
    missing: tuple[str, ...] = Field(description="What is still needed to verify it")
    why: str


class ComplianceFinding(Result):
    """One thing the evidence shows that matters: a violation, a discrepancy, a denial...

    ``sources`` are the kinds of source of the records behind it, in the order of
    ``evidence`` without repeats (``measurement``, ``inspector-observation``, ``state-claim``,
    ``estimate``, ``press``; "(inferred from signer role)" when a record does not state it;
    ``scenario`` for a figure taken from the scenario file)."""

    kind: str
    severity: Severity
    message: str
    on: UtcTime | None = None
    evidence: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    figures: dict[str, Any] = Field(
        default_factory=dict, description="The numbers behind the finding, by name"
    )


class AccessOutcome(Result):
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
    requested: UtcTime
    outcome: Outcome
    answered: UtcTime | None
    entered: UtcTime | None = None
    delay_hours: float | None
    measured_by: MeasuredBy = "still-waiting"
    notice_hours: float | None = None
    within_notice: bool
    evidence: tuple[int, ...]


class ConcessionCheck(Result):
    """A concession act on the ledger checked against the commitments it depends on."""

    id: str
    action: str
    on: UtcTime
    requires: tuple[str, ...]
    unverified: tuple[str, ...]
    verdict: Verdict
    evidence: tuple[int, ...]


class Indicator(Result):
    """A sign of a strategic decision or of pretence, with the records that show it and their
    kinds of source (as :attr:`ComplianceFinding.sources`). The JSON groups indicators by
    ``side``."""

    side: Literal["decision", "pretence"] = Field(exclude=True)
    kind: str
    message: str
    evidence: tuple[int, ...]
    sources: tuple[str, ...] = ()


class Change(Result):
    """A change of a commitment's status, with the records (or deadline) that caused it."""

    on: UtcTime
    commitment: str
    before: Status = Field(serialization_alias="from")
    after: Status = Field(serialization_alias="to")
    evidence: tuple[int, ...]


Balance = Literal["decision", "pretence", "mixed", "none"]


class _IndicatorsJSON(TypedDict):
    decision: tuple[Indicator, ...]
    pretence: tuple[Indicator, ...]
    balance: Balance


class _StateJSON(TypedDict):
    """What :class:`ComplianceState` writes."""

    agreement: str
    scenario: str
    at: str
    records: int
    counts: dict[str, int]
    commitments: tuple[CommitmentStatus, ...]
    findings: tuple[ComplianceFinding, ...]
    access: tuple[AccessOutcome, ...]
    concessions: tuple[ConcessionCheck, ...]
    indicators: _IndicatorsJSON
    timeline: tuple[Change, ...]


class ComplianceState(Result):
    """The state of an agreement at ``at`` as derived from ``records`` evidence records."""

    agreement: str
    scenario: str
    at: UtcTime
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
    def balance(self) -> Balance:
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

    @model_serializer(mode="plain")
    def _as_json(self) -> _StateJSON:
        return {
            "agreement": self.agreement,
            "scenario": self.scenario,
            "at": _iso_time(self.at),
            "records": self.records,
            "counts": self.counts(),
            "commitments": self.commitments,
            "findings": self.findings,
            "access": self.access,
            "concessions": self.concessions,
            "indicators": {
                "decision": tuple(i for i in self.indicators if i.side == "decision"),
                "pretence": tuple(i for i in self.indicators if i.side == "pretence"),
                "balance": self.balance,
            },
            "timeline": self.timeline,
        }
