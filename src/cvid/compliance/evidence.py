"""Evidence as the compliance engine sees it: one ledger record, flattened and typed.

The engine never reads a database: it takes a sequence of :class:`Evidence` (made from ledger
entries by :func:`evidence_from_ledger`, or built by hand in tests) and derives everything from
it. Each item keeps its ledger index so that a reader can ask for its inclusion proof.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from cvid.errors import InputError
from cvid.ledger import Entry, Ledger


def inferred_source_kind(kind: str, role: str, payload: Mapping[str, Any]) -> str:
    """The kind of source of a record that does not state it (signed before ``basis`` existed),
    from who signed it: a state's record is its claim; an inspectorate sample result, or a
    finding with a measured quantity, is a measurement; any other inspectorate record is an
    inspector's observation; an observer's or administrator's record without a basis is
    ``unstated`` (it may be press, an estimate or a measurement: the record does not say)."""
    if role == "state":
        return "state-claim"
    if role == "inspectorate":
        if kind == "sample-result" or (
            kind == "finding" and payload.get("measured_quantity") is not None
        ):
            return "measurement"
        return "inspector-observation"
    return "unstated"


@dataclass(frozen=True)
class Evidence:
    """One signed record: its ledger index, kind, time (UTC), signer and role, what it refers to
    (commitment ids and program item ids), its payload and its basis (kind of source, document,
    date, time-zone basis; None when the record does not state one)."""

    index: int
    kind: str
    time: datetime
    signer: str
    role: str
    commitments: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)
    basis: Mapping[str, Any] | None = None

    @property
    def source_kind(self) -> str:
        """What kind of source the record is: its ``basis.kind``, or, when it states none, the
        kind inferred from the signer's role (:func:`inferred_source_kind`)."""
        if self.basis is not None and isinstance(self.basis.get("kind"), str):
            return str(self.basis["kind"])
        return inferred_source_kind(self.kind, self.role, self.payload)

    @property
    def source_kind_stated(self) -> bool:
        """True when the record itself states its kind of source (``basis.kind``)."""
        return self.basis is not None and isinstance(self.basis.get("kind"), str)

    @property
    def source_label(self) -> str:
        """The kind of source as shown next to a finding: ``press``, or ``state-claim
        (inferred from signer role)`` when the record does not state it."""
        if self.source_kind_stated:
            return self.source_kind
        return f"{self.source_kind} (inferred from signer role)"

    @property
    def is_estimate(self) -> bool:
        """True for an estimate (analysis, reconstruction): judged by its own uncertainty."""
        return self.source_kind == "estimate"

    @property
    def uncertainty(self) -> Mapping[str, Any] | None:
        """The estimate's own uncertainty (``basis.uncertainty``), if any."""
        if self.basis is None:
            return None
        u = self.basis.get("uncertainty")
        return u if isinstance(u, Mapping) else None

    @property
    def day(self) -> date:
        """The UTC calendar date of the event."""
        return self.time.date()

    def subjects(self) -> set[str]:
        """Program items and sites the record is about: ``refs.items`` plus the payload's
        ``item`` and ``site`` fields."""
        out = set(self.items)
        for key in ("item", "site"):
            value = self.payload.get(key)
            if isinstance(value, str):
                out.add(value)
        return out

    def refers_to(self, commitment_id: str) -> bool:
        """True when the record names the commitment explicitly in ``refs.commitments``."""
        return commitment_id in self.commitments

    @classmethod
    def from_entry(cls, entry: Entry) -> Evidence:
        """The evidence view of a ledger entry."""
        refs = entry.refs
        return cls(
            index=entry.index,
            kind=entry.kind,
            time=entry.time,
            signer=entry.signer,
            role=entry.role,
            commitments=tuple(refs["commitments"]),
            items=tuple(refs["items"]),
            payload=entry.payload,
            basis=entry.record.get("basis"),
        )


def evidence_from_ledger(ledger: Ledger, agreement: str | None = None) -> list[Evidence]:
    """Every record of ``ledger`` (signatures checked on read), optionally only those of the
    agreement named ``agreement``, in log order."""
    return [
        Evidence.from_entry(e)
        for e in ledger.records()
        if agreement is None or e.agreement == agreement
    ]


def agreement_evidence(
    ledger: Ledger, agreement: str, *, source: str, shared: bool = False
) -> list[Evidence]:
    """The records of ``ledger`` for the agreement named ``agreement``, in log order.

    A ledger may hold several agreements; one given for this agreement that holds records but
    none of ``agreement`` was kept for another agreement, and using it would silently show no
    evidence at all: it is refused with an :class:`InputError` naming ``source`` and the
    agreements it does hold. An empty ledger is accepted (no evidence yet), and so is any
    ledger when ``shared`` (a service's one ledger for every agreement it follows, where an
    agreement without records yet is the normal start)."""
    ours: list[Evidence] = []
    others: set[str] = set()
    for e in ledger.records():
        if e.agreement == agreement:
            ours.append(Evidence.from_entry(e))
        else:
            others.add(e.agreement)
    if not ours and others and not shared:
        held = ", ".join(f"'{a}'" for a in sorted(others))
        raise InputError(
            f"the ledger holds records of {held} only, none of this scenario's agreement "
            f"'{agreement}': give the ledger kept for '{agreement}'",
            source=source,
            field="--ledger",
        )
    return ours


def as_utc(value: date | datetime | str) -> datetime:
    """A moment in UTC. A bare date means the end of that UTC day (evidence of that day counts);
    a string is parsed as an ISO date or date-time (``Z`` allowed)."""
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    return datetime.combine(value, time(23, 59, 59, 999999), tzinfo=UTC)


def sort_evidence(evidence: Iterable[Evidence]) -> list[Evidence]:
    """Evidence in time order (ties in ledger order)."""
    return sorted(evidence, key=lambda e: (e.time, e.index))
