"""The compliance of each stored scenario kept up to date with the ledger: a
:class:`cvid.compliance.ComplianceTracker` and a belief tracker per scenario that absorb only
the records appended since the last read, and a cache of the states answered."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cvid.compliance import (
    BeliefState,
    BeliefTracker,
    ComplianceState,
    ComplianceTracker,
    Evidence,
    check_evidence,
)
from cvid.compliance.evidence import as_utc
from cvid.errors import CheckFailed, InputError
from cvid.ledger import Ledger, leaf_hash
from cvid.scenario import Scenario
from cvid.web.service.ledger import LedgerAccess

#: Compliance results kept (per scenario, tree size, date and check).
COMPLIANCE_CACHE = 256


@dataclass
class _Followed:
    """The compliance of one stored scenario kept up to date with the ledger: its
    :class:`cvid.compliance.ComplianceTracker`, the tree size and root absorbed, the
    agreement's evidence in log order (for the belief tracker) and the records the scenario
    cannot place (``check=True`` refuses them; the others are findings)."""

    scenario: Scenario
    tracker: ComplianceTracker
    size: int = 0
    root: bytes = b""
    evidence: list[Evidence] = field(default_factory=list)
    suspects: list[Evidence] = field(default_factory=list)
    beliefs: BeliefTracker | None = None
    believed: int = 0  # evidence taken in by ``beliefs``
    belief_state: BeliefState | None = None  # its state after ``believed`` records
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.tracker = ComplianceTracker(self.scenario)
        self.size, self.root = 0, b""
        self.evidence, self.suspects = [], []
        self.beliefs, self.believed, self.belief_state = None, 0, None


class Following(LedgerAccess):
    """Compliance states and beliefs of the stored scenarios from the ledger's evidence."""

    def _init_following(self) -> None:
        self._compliance_lock = threading.Lock()
        self._followed: OrderedDict[int, _Followed] = OrderedDict()
        self._compliance: OrderedDict[tuple[Any, ...], ComplianceState] = OrderedDict()
        #: Compliance reads answered from the cache / computed (for tests and benchmarks).
        self.compliance_hits = 0
        self.compliance_misses = 0
        #: Ledger records read into the compliance trackers (for tests and benchmarks).
        self.records_absorbed = 0

    # ------------------------------------------------------------------ compliance
    def compliance(
        self, scenario_id: int, *, at: str | None = None, check: bool = True
    ) -> ComplianceState:
        """The compliance state of a stored scenario's agreement from the ledger's evidence,
        as of ``at`` (default: now); with ``check`` a record the scenario cannot place is
        refused (:class:`InputError`) instead of being a finding.

        Each scenario has a :class:`cvid.compliance.ComplianceTracker` that absorbs only the
        records the ledger gained since the last read (:meth:`follow`); the state is then
        assembled from the tracker. Answers are also cached per tree size and root, date and
        check; a read "as of now" for one second at most (statuses change as deadlines pass).
        """
        at = parse_at(at)
        f, _, _ = self.follow(scenario_id)
        stamp = at if at is not None else int(time.time())
        with f.lock:  # the state and its key are of the same absorbed tree
            key = (scenario_id, f.size, f.root, stamp, check)
            with self._compliance_lock:
                hit = self._compliance.get(key)
                if hit is not None:
                    self._compliance.move_to_end(key)
                    self.compliance_hits += 1
                    return hit
            if check:
                check_evidence(f.scenario, f.suspects)
            out = f.tracker.state(at)
        with self._compliance_lock:
            self.compliance_misses += 1
            self._compliance[key] = out
            while len(self._compliance) > COMPLIANCE_CACHE:
                self._compliance.popitem(last=False)
        return out

    def beliefs(self, scenario_id: int, *, at: str | None = None) -> BeliefState:
        """The posterior over the counterpart's types (:class:`cvid.compliance.BeliefTracker`)
        from the agreement's records so far, in time order, with the ranked next demands.

        Records arriving in time order update the tracker; one dated before the records
        already taken in (a late report of an old event) is replayed in from where it falls,
        until the state after a record equals the one held (:meth:`BeliefTracker.insert`).
        The state is assembled from the tracker's stored parts, not from a pass over the
        records.
        With ``at`` (a date counts to its end) only the records dated up to then count, and
        the silence up to it (:meth:`BeliefTracker.state_as_of`: from the state held after
        the last of them; not cached, the tracker left as it is).
        """
        at = parse_at(at)
        f, _, _ = self.follow(scenario_id)
        with f.lock:
            if at is None and f.belief_state is not None and f.believed == len(f.evidence):
                return f.belief_state
            if f.beliefs is None:
                f.beliefs = BeliefTracker(f.scenario)
            for e in sorted(f.evidence[f.believed :], key=lambda e: (e.time, e.index)):
                f.beliefs.insert(e)
            f.believed = len(f.evidence)
            if at is not None:
                return f.beliefs.state_as_of(as_utc(at))
            f.belief_state = f.beliefs.state(None)
            return f.belief_state

    def beliefs_from_defaults(self, scenario_id: int) -> bool:
        """True if the scenario gives no ``[counterpart]``: its belief tracker then runs on
        the built-in prior and likelihoods, and what it shows must say so."""
        f, _, _ = self.follow(scenario_id)
        return "counterpart" not in f.scenario.model_fields_set

    def follow(self, scenario_id: int) -> tuple[_Followed, int, bytes]:
        """The scenario's tracker brought up to the ledger's head: the tracker, the tree size
        and root it now reflects.

        Only the records appended since the last call are read. Their signatures are not
        checked again: every record reached the table through :meth:`Ledger.submit`, which
        checked its schema, signature and signer's role before a checkpoint was signed over
        it; here each record's bytes are checked against the tree's leaf hash, and a tree whose
        root at the absorbed size changed (not an append-only history) is read again from the
        start. The full check of every signature is the ledger audit (``cvid ledger verify``,
        ``GET /api/v1/ledger/audit``).
        """
        with self._compliance_lock:
            f = self._followed.get(scenario_id)
            if f is not None:
                self._followed.move_to_end(scenario_id)
        if f is None:
            s = self.stored_scenario(scenario_id)
            f = _Followed(s, ComplianceTracker(s))
            with self._compliance_lock:
                f = self._followed.setdefault(scenario_id, f)
                while len(self._followed) > COMPLIANCE_CACHE:
                    self._followed.popitem(last=False)
        agreement = f.tracker.agreement

        def absorb(led: Ledger) -> tuple[int, bytes]:
            size = led.size
            if f.size and (size < f.size or led.root_hash(f.size) != f.root):
                f.reset()
            if size == f.size:
                return f.size, f.root
            root = led.root_hash(size)
            new = []
            for e in led.records(f.size, size, verify=False):
                if leaf_hash(e.data) != e.leaf_hash:
                    raise CheckFailed(f"record {e.index}: data does not match its leaf hash")
                if e.agreement == agreement:
                    new.append(Evidence.from_entry(e))
            f.tracker.absorb(new)
            f.suspects.extend(_suspects(f.scenario, new))
            f.evidence.extend(new)
            self.records_absorbed += size - f.size
            f.size, f.root = size, root
            return size, root

        with f.lock:
            size, root = self.on_ledger(absorb)
        return f, size, root


def _suspects(s: Scenario, batch: Sequence[Evidence]) -> list[Evidence]:
    """The records of ``batch`` that :func:`cvid.compliance.check_evidence` refuses now (an
    unknown reference, a date before the agreement or in the future). A record that passes
    now passes later too, so checking these again is the whole check of the ledger."""
    now = datetime.now(UTC)

    def refused(records: Sequence[Evidence]) -> bool:
        try:
            check_evidence(s, records, now=now)
        except InputError:
            return True
        return False

    # the whole batch at once first: almost always it passes, and then no record is suspect
    return [e for e in batch if refused([e])] if refused(batch) else []


def parse_at(at: str | None) -> str | None:
    """Check an ``at`` date (``YYYY-MM-DD``) or UTC time (``YYYY-MM-DDTHH:MM:SS[.f]Z``):
    the same text if it names a real moment, else :class:`InputError` on field ``at``."""
    if at is None:
        return None
    text = at.strip()
    try:
        if len(text) == 10:
            date.fromisoformat(text)
        elif len(text) > 10 and text.endswith("Z") and text[10] == "T":
            datetime.fromisoformat(text[:-1] + "+00:00")
        else:
            raise ValueError
    except ValueError:
        raise InputError(
            f"{at[:40]!r} is not a date (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:MM:SSZ)",
            field="at",
        ) from None
    return text


__all__ = ["COMPLIANCE_CACHE", "Following", "parse_at"]
