"""The agreement's calendar and what a record may refer to: start, deadlines, and the records
the scenario cannot place ("outside the agreement").

A record dated before the agreement's start or in the future, or naming a commitment, program
item or concession the scenario does not have, counts for nothing towards any status; on a
ledger it is a finding of its own (:class:`Outside`), in an authored file an error
(:func:`check_evidence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from cvid.compliance._records import Sources, describe
from cvid.compliance.evidence import Evidence
from cvid.compliance.result import ComplianceFinding
from cvid.compliance.rules import program_item_ids
from cvid.errors import InputError
from cvid.scenario import RESERVED_TARGETS, Scenario

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


class Scope:
    """What a record may refer to in a scenario: commitments, items, concessions, dates."""

    def __init__(self, s: Scenario) -> None:
        self.name = s.meta.name
        self.start = agreement_start(s)
        self.commitments = frozenset(c.id for c in s.agreement.commitments)
        self.concessions = frozenset(c.id for c in s.agreement.concessions)
        self.items = frozenset(program_item_ids(s) | set(RESERVED_TARGETS))

    def references(self, e: Evidence) -> Iterator[tuple[str, str]]:
        """(field, reason) for every reference of ``e`` the scenario does not have."""
        for c in e.commitments:
            if c not in self.commitments:
                yield (
                    "refs.commitments",
                    f"refers to commitment {c!r}, which is not in scenario {self.name!r}",
                )
        for i in e.items:
            if i not in self.items:
                yield (
                    "refs.items",
                    f"refers to item {i!r}, which is not in the program of {self.name!r}",
                )
        cid = e.payload.get("concession_id") if e.kind == "concession" else None
        if cid is not None and cid not in self.concessions:
            yield (
                "payload.concession_id",
                f"refers to concession {cid!r}, which is not in scenario {self.name!r}",
            )

    def before(self, e: Evidence) -> str | None:
        """Why ``e`` is dated before the agreement's start, or None."""
        if e.time < self.start:
            return f"dated {e.time:%Y-%m-%d}, before the agreement started ({self.start:%Y-%m-%d})"
        return None


def check_evidence(
    s: Scenario,
    evidence: Iterable[Evidence],
    *,
    now: datetime | None = None,
    label: str = "ledger record",
) -> None:
    """Refuse evidence the scenario cannot place: unknown commitments, program items or
    concessions, and dates before the agreement's start or in the future. For authored files
    (evidence streams) — on a ledger such records are findings, see
    :func:`cvid.compliance.evaluate`.

    The error names the record (``label`` and its index, e.g. a line number) and the reason.
    """
    scope = Scope(s)
    now = now or datetime.now(UTC)
    for e in evidence:
        where = f"{label} {e.index}"
        for fld, reason in scope.references(e):
            raise InputError(reason, source=where, field=fld)
        early = scope.before(e)
        if early is not None:
            raise InputError(early, source=where, field="time")
        if e.time > now:
            raise InputError(f"dated {e.time:%Y-%m-%d}, in the future", source=where, field="time")


class Outside:
    """The records the scenario cannot place, kept to be reported as findings."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.before: list[tuple[Evidence, str]] = []
        self.refs: list[tuple[Evidence, str, str]] = []

    def add(self, e: Evidence) -> bool:
        """Note what of ``e`` lies outside the agreement; False when it is dated before the
        start (then it counts for nothing at all)."""
        early = self.scope.before(e)
        if early is not None:
            self.before.append((e, early))
            return False
        for fld, reason in self.scope.references(e):
            self.refs.append((e, fld, reason))
        return True

    def findings(
        self, sources: Sources, cutoff: datetime, future: Iterable[Evidence], now: datetime
    ) -> list[ComplianceFinding]:
        """Findings "outside the agreement": records before the start, the ``future`` records
        (dated after ``now``) and unknown references of records dated by ``cutoff``."""
        out = []
        for e, why in self.before:
            out.append(
                sources.finding(
                    "outside-agreement",
                    "warn",
                    f"outside the agreement: {describe(e)} is {why}; it counts for nothing",
                    (e.index,),
                    e.time,
                    {"reason": "before-start", "field": "time"},
                )
            )
        for e in future:
            out.append(
                sources.finding(
                    "outside-agreement",
                    "warn",
                    f"outside the agreement: {describe(e)} is dated {e.time:%Y-%m-%d}, in the "
                    f"future (now {now:%Y-%m-%d}); it counts for nothing until then",
                    (e.index,),
                    e.time,
                    {"reason": "future", "field": "time"},
                )
            )
        for e, fld, why in self.refs:
            if e.time > cutoff:
                continue
            out.append(
                sources.finding(
                    "outside-agreement",
                    "warn",
                    f"outside the agreement: {describe(e)} {why}; that reference is ignored",
                    (e.index,),
                    e.time,
                    {"reason": "unknown-reference", "field": fld},
                )
            )
        return out
