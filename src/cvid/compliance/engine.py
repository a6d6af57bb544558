"""Derive the state of an agreement from evidence only: statuses, findings and indicators.

This module orchestrates; each family of findings has its own module:

* :mod:`cvid.compliance.calendar` — the agreement's start, deadlines, and the records the
  scenario cannot place (findings "outside the agreement", :func:`check_evidence`);
* :mod:`cvid.compliance.status` — each commitment's status (violated, verified, holding,
  overdue, claimed, pending), violations, overdue and unverifiable commitments, unresolved
  observations;
* :mod:`cvid.compliance.quantities` — declared against measured or estimated quantities, and
  the inspectorate's inventory findings;
* :mod:`cvid.compliance.access` — access requests, delays and denials;
* :mod:`cvid.compliance.concessions` — relief against verified results;
* :mod:`cvid.compliance.indicators` — indicators of a decision or of pretence.

A record the scenario cannot place — dated before the agreement's start or in the future, or
naming a commitment, program item or concession the scenario does not have — is never an error
here: it is a finding of its own ("outside the agreement: …") and does not count towards any
status. Any registered party can append such a record, the inspected state included; an
append-only log keeps it forever, so refusing to evaluate would let one record block the
agreement's compliance for good. (:func:`check_evidence` still refuses them, for authored files.)

The work is incremental: :class:`ComplianceTracker` absorbs records one at a time (from a ledger
by tree size) into per-commitment and per-family accumulators that keep the earliest record of
each kind, so the state at any date is assembled from those accumulators without reading the
log again. :func:`evaluate` is a tracker that absorbs a list once.
"""

from __future__ import annotations

import bisect
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cvid.compliance._records import Sources, merge
from cvid.compliance.access import Access
from cvid.compliance.calendar import (
    DAYS_PER_MONTH,
    Outside,
    Scope,
    agreement_id,
    agreement_start,
    check_evidence,
    months_after,
)
from cvid.compliance.concessions import Concessions
from cvid.compliance.evidence import Evidence, as_utc
from cvid.compliance.indicators import Indicators
from cvid.compliance.quantities import Quantities, estimate_sigma
from cvid.compliance.result import ComplianceFinding, ComplianceState
from cvid.compliance.rules import RuleContext, observed_tests
from cvid.compliance.status import CommitmentTrack, Unresolved, commitment_findings
from cvid.scenario import Scenario

if TYPE_CHECKING:
    from cvid.ledger import Ledger


class ComplianceTracker:
    """The compliance of one scenario's agreement, kept up to date as records arrive.

    :meth:`absorb` takes evidence in any order; :meth:`absorb_ledger` reads only the records
    a ledger gained since the last call (by tree size, after checking that the log still has
    the root it had at that size — a different history starts the tracker over) and
    :meth:`state` assembles the :class:`ComplianceState` at a date from the accumulators,
    without reading the log again. Reading the state costs time in proportion to the records
    that matter (claims, verifications, findings, access, concessions), not to the log's
    size; a state at an explicit date is cached until the next record arrives. Thread-safe.

    >>> tracker = ComplianceTracker(scenario)                  # doctest: +SKIP
    >>> tracker.absorb_ledger(ledger)                          # doctest: +SKIP
    >>> tracker.state(at="2004-04-19").commitment("remove-remaining").status  # doctest: +SKIP
    'verified'
    """

    def __init__(self, scenario: Scenario, *, agreement: str | None = None) -> None:
        self.scenario = scenario
        self.agreement = agreement or agreement_id(scenario)
        self._scope = Scope(scenario)
        self._ctx = RuleContext.of(scenario)
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        s = self.scenario
        start = self._scope.start
        self.size = 0  # ledger records absorbed (of any agreement)
        self._root = b""
        self._version = 0
        self._cache: dict[tuple[int, datetime, datetime], ComplianceState] = {}
        self._sources = Sources()
        #: (POSIX time, index) of the in-range records, sorted; floats compare fast
        self._times: list[tuple[float, int]] = []
        self._new_times: list[tuple[float, int]] = []
        self._by_index: dict[int, Evidence] = {}
        self._tracks = {
            c.id: CommitmentTrack(s, c, start, self._ctx) for c in s.agreement.commitments
        }
        self._outside = Outside(self._scope)
        self._quantities = Quantities(s)
        self._access = Access(s)
        self._concessions = Concessions(s, self._tracks)
        self._indicators = Indicators(s)
        self._unresolved = Unresolved(s, self._ctx)

    # ---------------------------------------------------------------- absorbing
    def absorb(self, evidence: Iterable[Evidence]) -> int:
        """Take in evidence records (of this agreement); the number taken."""
        n = 0
        with self._lock:
            for e in evidence:
                self._absorb_one(e)
                n += 1
            if n:
                merge(self._times, self._new_times)
                self._access.commit()
                self._version += 1
                self._cache.clear()
        return n

    def absorb_ledger(self, ledger: Ledger) -> int:
        """Take in the records ``ledger`` gained since the last call (signatures checked on
        read), keeping those of this agreement; the number of new records of the agreement.

        If the log's root at the size already absorbed is not the one seen then (another
        ledger, or a rewritten history), the tracker starts over from the first record."""
        with self._lock:
            size = ledger.size
            if size < self.size or (self.size and ledger.root_hash(self.size) != self._root):
                self._reset()
            if size == self.size:
                return 0
            new = [
                Evidence.from_entry(entry)
                for entry in ledger.records(self.size, size)
                if entry.agreement == self.agreement
            ]
            self.absorb(new)
            self.size = size
            self._root = ledger.root_hash(size)
            return len(new)

    def _absorb_one(self, e: Evidence) -> None:
        self._sources.add(e)
        if not self._outside.add(e):
            return  # dated before the agreement's start: it counts for nothing
        self._new_times.append((e.time.timestamp(), e.index))
        self._by_index[e.index] = e
        ctx = self._ctx
        tests = observed_tests(e, ctx.missile_classes)
        subjects = e.subjects()
        for t in self._tracks.values():
            t.add(e, ctx, tests, subjects)
        self._quantities.add(e)
        self._access.add(e)
        self._indicators.add(e)
        self._concessions.add(e)
        self._unresolved.add(e)

    # ---------------------------------------------------------------- reading
    def state(
        self, at: datetime | str | None = None, *, now: datetime | None = None
    ) -> ComplianceState:
        """The compliance state on the evidence dated up to ``at`` (default: now). Records
        dated after ``now`` are findings "outside the agreement" and count for nothing."""
        now_t = now or datetime.now(UTC)
        at_t = as_utc(at) if at is not None else now_t
        cutoff = min(at_t, now_t)
        with self._lock:
            key = (self._version, at_t, cutoff)
            cached = self._cache.get(key) if at is not None and at_t <= now_t else None
            if cached is not None:
                return cached
            state = self._build(at_t, cutoff, now_t)
            if at is not None and at_t <= now_t:
                if len(self._cache) >= 16:
                    self._cache.clear()
                self._cache[key] = state
            return state

    def _build(self, at: datetime, cutoff: datetime, now: datetime) -> ComplianceState:
        s = self.scenario
        start = self._scope.start
        tracks = self._tracks
        sources = self._sources
        statuses = [tracks[c.id].result(at) for c in s.agreement.commitments]
        timeline = sorted(
            (ch for t in tracks.values() for ch in t.changes(cutoff)),
            key=lambda ch: (ch.on, ch.commitment),
        )
        first_future = bisect.bisect_right(self._times, (now.timestamp(), sys.maxsize))
        future = [self._by_index[i] for _, i in self._times[first_future:]]
        findings: list[ComplianceFinding] = self._outside.findings(sources, cutoff, future, now)
        findings += commitment_findings(s, tracks, statuses, sources, cutoff)
        findings += self._quantities.findings(sources, cutoff)
        access = self._access.outcomes(at, cutoff)
        findings += self._access.findings(sources, access, cutoff)
        concessions = self._concessions.checks(cutoff)
        findings += self._concessions.findings(sources, concessions)
        findings += self._unresolved.findings(sources, cutoff)
        findings.sort(key=lambda f: (f.on or start, f.kind, f.evidence, f.message))
        indicators = [
            i.model_copy(update={"sources": sources.of(i.evidence)})
            for i in self._indicators.indicators(statuses, findings, access, cutoff)
        ]
        return ComplianceState(
            agreement=self.agreement,
            scenario=s.meta.name,
            at=at,
            records=bisect.bisect_right(self._times, (cutoff.timestamp(), sys.maxsize)),
            commitments=tuple(statuses),
            findings=tuple(findings),
            access=tuple(access),
            concessions=tuple(concessions),
            indicators=tuple(indicators),
            timeline=tuple(timeline),
        )


# ------------------------------------------------------------------------------ evaluate


def evaluate(
    scenario: Scenario,
    evidence: Iterable[Evidence],
    at: datetime | str | None = None,
    *,
    check: bool = False,
    now: datetime | None = None,
) -> ComplianceState:
    """The compliance state of ``scenario``'s agreement on the evidence dated up to ``at``
    (default: now).

    Evidence the scenario cannot place (before the agreement's start, in the future, naming an
    unknown commitment, item or concession) becomes a finding "outside the agreement" and
    counts for nothing; with ``check`` it is refused instead (:func:`check_evidence`, an
    :class:`InputError` naming the record), for authored files."""
    items = list(evidence)
    if check:
        check_evidence(scenario, items, now=now)
    tracker = ComplianceTracker(scenario)
    tracker.absorb(items)
    return tracker.state(at, now=now)


def violations(state: ComplianceState, commitment: str | None = None) -> list[ComplianceFinding]:
    """The violation findings of ``state`` (of one commitment if given), in time order."""
    return [
        f
        for f in state.findings
        if f.kind == "violation"
        and (commitment is None or f.figures.get("commitment") == commitment)
    ]


__all__ = [
    "DAYS_PER_MONTH",
    "ComplianceTracker",
    "agreement_id",
    "agreement_start",
    "check_evidence",
    "estimate_sigma",
    "evaluate",
    "months_after",
    "violations",
]
