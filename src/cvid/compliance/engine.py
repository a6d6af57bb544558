"""Derive the state of an agreement from evidence only: statuses, findings and indicators.

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

A record the scenario cannot place — dated before the agreement's start or in the future, or
naming a commitment, program item or concession the scenario does not have — is never an error
here: it is a finding of its own ("outside the agreement: …") and does not count towards any
status. Any registered party can append such a record, the inspected state included; an
append-only log keeps it forever, so refusing to evaluate would let one record block the
agreement's compliance for good. (:func:`check_evidence` still refuses them, for authored files.)

The work is incremental: :class:`ComplianceTracker` absorbs records one at a time (from a ledger
by tree size) into per-commitment and per-category accumulators that keep the earliest record of
each kind, so the state at any date is assembled from those accumulators without reading the
log again. :func:`evaluate` is a tracker that absorbs a list once.
"""

from __future__ import annotations

import bisect
import math
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cvid.compliance.evidence import Evidence, as_utc
from cvid.compliance.result import (
    AccessOutcome,
    Change,
    CommitmentStatus,
    ComplianceFinding,
    ComplianceState,
    ConcessionCheck,
    Indicator,
    MeasuredBy,
    Outcome,
    Severity,
    Status,
    Verdict,
)
from cvid.compliance.rules import (
    ACT_KINDS,
    RuleContext,
    act_targets,
    contradiction_of,
    is_claim,
    is_moratorium,
    observed_tests,
    program_item_ids,
    satisfies_act,
    satisfies_method,
)
from cvid.errors import InputError
from cvid.scenario import RESERVED_TARGETS, SIGNIFICANT_QUANTITY_KG, Commitment, Estimate, Scenario
from cvid.verify import total_muf_test

if TYPE_CHECKING:
    from cvid.ledger import Ledger

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


def _merge(into: list[Any], new: list[Any]) -> None:
    """Add ``new`` items to the sorted list ``into`` (and empty ``new``): a few by binary
    insertion, many by one sort (Timsort merges the two sorted runs in linear time)."""
    if len(new) <= 32:
        for x in new:
            bisect.insort(into, x)
    else:
        into.extend(new)
        into.sort()
    new.clear()


def _key(e: Evidence) -> tuple[datetime, int]:
    return (e.time, e.index)


def _earlier(a: Evidence | None, b: Evidence) -> Evidence:
    return b if a is None or _key(b) < _key(a) else a


def _describe(e: Evidence) -> str:
    return f"record {e.index} ({e.kind}, {e.source_label}, signed by {e.signer})"


class _Scope:
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
    (evidence streams) — on a ledger such records are findings, see :func:`evaluate`.

    The error names the record (``label`` and its index, e.g. a line number) and the reason.
    """
    scope = _Scope(s)
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


# ------------------------------------------------------------------------------ commitments


class _Track:
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
                self.claim = _earlier(self.claim, e)
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
                self.declared = _earlier(self.declared, e)
            for m in c.verification:
                if satisfies_method(e, c, m):
                    self.methods[m] = _earlier(self.methods.get(m), e)
            for item in self.act_items:
                if satisfies_act(e, c, item):
                    self.acts[item] = _earlier(self.acts.get(item), e)
        why = contradiction_of(ctx, e, c, tests, subjects)
        if why is not None:
            self.violations.append((e, why))
            if self.first_violation is None or _key(e) < _key(self.first_violation[0]):
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
                out.append(Change(t, self.c.id, before, now, idx))
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


def _kg(e: Evidence) -> float | None:
    """The quantity in kg an inspectorate record states about a material, or None."""
    if e.kind == "finding":
        mq = e.payload.get("measured_quantity")
        if mq is not None and e.payload.get("unit") in (None, "kg"):
            return float(mq)
    if e.kind == "sample-result" and e.payload.get("unit") == "kg":
        return float(e.payload["value"])
    return None


def _estimate_finding(
    item: str,
    dq: float,
    de: Evidence,
    what: str,
    low: float,
    high: float,
    central: float,
    sq: float | None,
    idx: tuple[int, ...],
    sources: tuple[str, ...],
    extra: Mapping[str, Any],
) -> ComplianceFinding:
    """A declared quantity against an estimate, judged by the estimate's own range only: an
    estimate (a reconstruction, an analysis) has no bulk-measurement error model, so there is
    no σMUF test and no false-alarm probability (cases.md conventions: estimates are never
    measurements)."""
    shortfall = central - dq
    sq_text = f" = {shortfall / sq:.2f} SQ" if sq and shortfall > 0 else ""
    rng = f"{low:.3g}–{high:.3g} kg" if high > low else f"{central:.3g} kg (a point)"
    sev: Severity
    if dq < low:
        position = "below"
        msg = (
            f"{item}: declared {dq:g} kg is below the whole range of the {what} ({rng}; "
            f"central {central:.3g} kg, {shortfall:.3g} kg{sq_text} more) — judged by the "
            "estimate's own range, not by a measurement test"
        )
        sev = "warn"
    elif dq > high:
        position = "above"
        msg = f"{item}: declared {dq:g} kg is above the range of the {what} ({rng})"
        sev = "info"
    else:
        position = "within"
        msg = (
            f"{item}: declared {dq:g} kg lies within the range of the {what} ({rng}; "
            f"central {central:.3g} kg) — an estimate, not a measurement: no significance test"
        )
        sev = "warn" if sq and shortfall >= sq else "info"
    figures: dict[str, Any] = {
        "item": item,
        "declared_kg": dq,
        "reference": what,
        "reference_kg": central,
        "low_kg": low,
        "high_kg": high,
        "shortfall_kg": shortfall,
        "shortfall_sq": shortfall / sq if sq else None,
        "test": "estimate-range",
        "position": position,
        **extra,
    }
    return ComplianceFinding(
        "declaration-vs-finding", sev, msg, (de.index, *idx), de.time, figures, sources
    )


def _measurement_finding(
    item: str,
    dq: float,
    de: Evidence,
    what: str,
    ref: float,
    sigma: float,
    rsd: float,
    alpha: float,
    sq: float | None,
    idx: tuple[int, ...],
    sources: tuple[str, ...],
) -> ComplianceFinding:
    """A declared quantity against a measured one, judged by the one-sided test on the
    shortfall (cvid.verify.total_muf_test with one balance: alarm when shortfall >
    z_{1-α}·σ, σ² = σ_reference² + σ_declared²; Avenhaus & Canty 1996, ch. 3)."""
    shortfall = ref - dq
    total = math.hypot(sigma, rsd * dq)
    figures: dict[str, Any] = {
        "item": item,
        "declared_kg": dq,
        "reference": what,
        "reference_kg": ref,
        "sigma_kg": total,
        "shortfall_kg": shortfall,
        "shortfall_sq": shortfall / sq if sq else None,
        "alpha": alpha,
        "test": "one-sided measurement test",
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
    sev: Severity
    if shortfall <= 0:
        msg = f"{item}: declared {dq:g} kg is not below the {what} {ref:.3g} kg"
        sev = "info"
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
    return ComplianceFinding(
        "declaration-vs-finding", sev, msg, (de.index, *idx), de.time, figures, sources
    )


# ------------------------------------------------------------------------------ the tracker


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
        self._scope = _Scope(scenario)
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
        self._labels: dict[int, str] = {}
        #: (POSIX time, index) of the in-range records, sorted; floats compare fast
        self._times: list[tuple[float, int]] = []
        self._new_times: list[tuple[float, int]] = []
        self._by_index: dict[int, Evidence] = {}
        self._tracks = {c.id: _Track(s, c, start, self._ctx) for c in s.agreement.commitments}
        self._outside_before: list[tuple[Evidence, str]] = []
        self._outside_refs: list[tuple[Evidence, str, str]] = []
        self._inspectorate_findings: list[Evidence] = []
        self._broken_seals: list[Evidence] = []
        self._declarations: list[Evidence] = []
        self._quantities: dict[str, list[Evidence]] = {}
        #: access requests sorted by (POSIX time, index, arrival)
        self._requests: list[tuple[float, int, int, Evidence]] = []
        self._new_requests: list[tuple[float, int, int, Evidence]] = []
        self._answers: dict[str, list[Evidence]] = {}
        #: inspectorate inspections with access, per site, sorted by (started, index): the
        #: POSIX start time, the index, an arrival number (never equal) and the record
        self._entries: dict[str, list[tuple[float, int, int, Evidence]]] = {}
        self._new_entries: dict[str, list[tuple[float, int, int, Evidence]]] = {}
        self._seq = 0
        #: the latest record time per site (entries) and per request id (answers)
        self._latest: dict[tuple[str, str], datetime] = {}
        #: settled access outcomes: id(request) -> (answers counted, latest record seen, outcome)
        self._access_cache: dict[int, tuple[int, datetime, AccessOutcome]] = {}
        #: per site, the settled requests: id(request) -> (requested, settled) POSIX times
        self._settled_at_site: dict[str, dict[int, tuple[float, float]]] = {}
        self._denials: list[Evidence] = []
        self._limited_inspections: list[Evidence] = []
        self._concession_records: list[Evidence] = []
        self._decision_acts: list[tuple[Evidence, Indicator]] = []
        self._reversible: list[Evidence] = []
        self._unresolved: list[Evidence] = []
        self._materials = {m.id: m for m in s.program.materials}
        self._undeclared = frozenset(f.id for f in s.program.facilities if not f.declared)

    # ---------------------------------------------------------------- absorbing
    def absorb(self, evidence: Iterable[Evidence]) -> int:
        """Take in evidence records (of this agreement); the number taken."""
        n = 0
        with self._lock:
            for e in evidence:
                self._absorb_one(e)
                n += 1
            if n:
                _merge(self._times, self._new_times)
                _merge(self._requests, self._new_requests)
                for site, new in self._new_entries.items():
                    _merge(self._entries.setdefault(site, []), new)
                self._new_entries.clear()
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
        scope = self._scope
        self._labels[e.index] = e.source_label
        early = scope.before(e)
        if early is not None:
            self._outside_before.append((e, early))
            return
        self._new_times.append((e.time.timestamp(), e.index))
        self._by_index[e.index] = e
        for fld, reason in scope.references(e):
            self._outside_refs.append((e, fld, reason))
        ctx = self._ctx
        tests = observed_tests(e, ctx.missile_classes)
        subjects = e.subjects()
        for t in self._tracks.values():
            t.add(e, ctx, tests, subjects)
        kind, role, p = e.kind, e.role, e.payload
        if role == "inspectorate":
            if kind == "finding" and p.get("result") in ("undeclared", "missing", "discrepancy"):
                self._inspectorate_findings.append(e)
            if kind == "seal-check" and p.get("intact") is False:
                self._broken_seals.append(e)
            if kind in ("finding", "sample-result"):
                item = p.get("item")
                if isinstance(item, str) and item in self._materials and _kg(e) is not None:
                    self._quantities.setdefault(item, []).append(e)
            if kind == "access-request":
                self._seq += 1
                self._new_requests.append((e.time.timestamp(), e.index, self._seq, e))
            if kind == "inspection":
                self._inspection(e)
            if kind == "removal":
                self._decision_acts.append(
                    (
                        e,
                        Indicator(
                            "decision",
                            "irreversible-step",
                            f"{p.get('item')} removed to {p.get('destination')} "
                            f"on {e.time:%Y-%m-%d}",
                            (e.index,),
                        ),
                    )
                )
            if kind == "dismantlement":
                if p.get("irreversible"):
                    self._decision_acts.append(
                        (
                            e,
                            Indicator(
                                "decision",
                                "irreversible-step",
                                f"{p.get('item')} dismantled ({p.get('method')})",
                                (e.index,),
                            ),
                        )
                    )
                else:
                    self._reversible.append(e)
        if kind in ("access-granted", "access-denied"):
            rid = str(p.get("request_id"))
            self._answers.setdefault(rid, []).append(e)
            self._latest[("rid", rid)] = max(self._latest.get(("rid", rid), e.time), e.time)
            if kind == "access-denied":
                self._denials.append(e)
        if role == "state":
            if kind == "declaration" and any(
                d.get("item") in self._materials for d in p.get("declared", ())
            ):
                self._declarations.append(e)
            if kind == "disclosure" and p.get("voluntary") is True:
                new = sorted(set(e.items) & self._undeclared)
                what = f" incl. sites not declared before: {', '.join(new)}" if new else ""
                self._decision_acts.append(
                    (
                        e,
                        Indicator(
                            "decision",
                            "voluntary-disclosure",
                            f"voluntary disclosure of {p.get('subject')}{what}",
                            (e.index,),
                        ),
                    )
                )
        if kind == "concession" and role in ("admin", "observer"):
            self._concession_records.append(e)
        if (
            kind == "observation"
            and role in ("observer", "inspectorate")
            and e.basis is not None
            and isinstance(e.basis.get("unresolved"), Mapping)
        ):
            self._unresolved.append(e)

    def _inspection(self, e: Evidence) -> None:
        p = e.payload
        access = p.get("access")
        if access != "full":
            self._limited_inspections.append(e)
        if access in ("full", "partial"):
            try:
                started = as_utc(str(p.get("started")))
            except ValueError:
                started = e.time
            self._seq += 1
            site = str(p.get("site"))
            self._latest[("site", site)] = max(self._latest.get(("site", site), e.time), e.time)
            t = started.timestamp()
            settled = self._settled_at_site.get(site)
            if settled:
                for rid_, (requested, done) in list(settled.items()):
                    if requested <= t <= done:  # an earlier entry: settle it again
                        del settled[rid_]
                        self._access_cache.pop(rid_, None)
            self._new_entries.setdefault(site, []).append(
                (started.timestamp(), e.index, self._seq, e)
            )
        if access != "full":
            return
        prov = self.scenario.agreement.provisions
        acts = set(p.get("activities", ()))
        beyond = []
        if "interviews" in acts and not prov.access_to_people:
            beyond.append("interviews")
        if "document-review" in acts and not prov.access_to_documents:
            beyond.append("documents")
        if e.subjects() & self._undeclared and prov.access in ("declared-sites-only", "none"):
            beyond.append("undeclared sites")
        if beyond:
            self._decision_acts.append(
                (
                    e,
                    Indicator(
                        "decision",
                        "access-beyond-required",
                        f"access beyond what was required: {', '.join(beyond)}",
                        (e.index,),
                    ),
                )
            )

    # ---------------------------------------------------------------- reading
    def _sources(self, indices: Iterable[int], *extra: str) -> tuple[str, ...]:
        out: list[str] = []
        for i in indices:
            label = self._labels.get(i)
            if label is not None and label not in out:
                out.append(label)
        for x in extra:
            if x not in out:
                out.append(x)
        return tuple(out)

    def _finding(
        self,
        kind: str,
        severity: Severity,
        message: str,
        evidence: tuple[int, ...] = (),
        on: datetime | None = None,
        figures: Mapping[str, Any] | None = None,
        *extra_sources: str,
    ) -> ComplianceFinding:
        return ComplianceFinding(
            kind,
            severity,
            message,
            evidence,
            on,
            dict(figures or {}),
            self._sources(evidence, *extra_sources),
        )

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
        statuses = [tracks[c.id].result(at) for c in s.agreement.commitments]
        timeline = sorted(
            (ch for t in tracks.values() for ch in t.changes(cutoff)),
            key=lambda ch: (ch.on, ch.commitment),
        )
        findings = self._outside_findings(cutoff, now)
        findings += self._commitment_findings(statuses, cutoff)
        for e in self._inspectorate_findings:
            if e.time > cutoff:
                continue
            result = str(e.payload["result"])
            what = str(e.payload.get("item") or e.payload.get("site") or "an item")
            findings.append(
                self._finding(
                    "undeclared-item" if result == "undeclared" else "discrepancy",
                    "fail" if result != "discrepancy" else "warn",
                    f"{result}: {what} ({e.time:%Y-%m-%d}): {e.payload.get('description')}",
                    (e.index,),
                    e.time,
                )
            )
        for e in self._broken_seals:
            if e.time <= cutoff:
                findings.append(
                    self._finding(
                        "seal-broken",
                        "fail",
                        f"seal {e.payload.get('seal_id')} found broken on {e.time:%Y-%m-%d}",
                        (e.index,),
                        e.time,
                    )
                )
        findings += self._quantity_findings(cutoff)
        access = self._access(at, cutoff)
        findings += self._access_findings(access, cutoff)
        concessions = self._concessions(cutoff)
        findings += self._concession_findings(concessions)
        findings += self._unresolved_findings(cutoff)
        findings.sort(key=lambda f: (f.on or start, f.kind, f.evidence, f.message))
        indicators = self._indicators(statuses, findings, access, cutoff)
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

    # ---------------------------------------------------------------- findings
    def _outside_findings(self, cutoff: datetime, now: datetime) -> list[ComplianceFinding]:
        out = []
        for e, why in self._outside_before:
            out.append(
                self._finding(
                    "outside-agreement",
                    "warn",
                    f"outside the agreement: {_describe(e)} is {why}; it counts for nothing",
                    (e.index,),
                    e.time,
                    {"reason": "before-start", "field": "time"},
                )
            )
        first_future = bisect.bisect_right(self._times, (now.timestamp(), sys.maxsize))
        for _, index in self._times[first_future:]:
            e = self._by_index[index]
            out.append(
                self._finding(
                    "outside-agreement",
                    "warn",
                    f"outside the agreement: {_describe(e)} is dated {e.time:%Y-%m-%d}, in the "
                    f"future (now {now:%Y-%m-%d}); it counts for nothing until then",
                    (e.index,),
                    e.time,
                    {"reason": "future", "field": "time"},
                )
            )
        for e, fld, why in self._outside_refs:
            if e.time > cutoff:
                continue
            out.append(
                self._finding(
                    "outside-agreement",
                    "warn",
                    f"outside the agreement: {_describe(e)} {why}; that reference is ignored",
                    (e.index,),
                    e.time,
                    {"reason": "unknown-reference", "field": fld},
                )
            )
        return out

    def _commitment_findings(
        self, statuses: Sequence[CommitmentStatus], cutoff: datetime
    ) -> list[ComplianceFinding]:
        findings: list[ComplianceFinding] = []
        for st in statuses:
            t = self._tracks[st.id]
            viol = t.violation(cutoff)
            if st.status == "violated" and viol is not None:
                e, why = viol
                findings.append(
                    self._finding(
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
                    self._finding(
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
        for c in self.scenario.agreement.commitments:
            t = self._tracks[c.id]
            first = t.first_violation
            for e, why in sorted(t.violations, key=lambda v: _key(v[0])):
                if e.time > cutoff or (first is not None and e is first[0]):
                    continue
                findings.append(
                    self._finding(
                        "violation",
                        "fail",
                        f"{c.id} violated on {e.time:%Y-%m-%d}: {why}",
                        (e.index,),
                        e.time,
                        {"commitment": c.id},
                    )
                )
        for c in self.scenario.agreement.commitments:
            if not c.verification:
                findings.append(
                    self._finding(
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

    def _quantity_findings(self, cutoff: datetime) -> list[ComplianceFinding]:
        """Declared material quantities against the inspectorate's quantities and the
        scenario's estimate. A measurement is judged by the one-sided test with the regime's
        measurement errors; an estimate (a record of kind ``estimate``, or the scenario's
        ``mass_kg`` range) by its own range only; a press report or a record of unstated kind
        is shown, never tested."""
        mb = self.scenario.verification.material_balance
        alpha = mb.false_alarm_probability
        rsd = math.hypot(mb.random_rsd, mb.systematic_rsd)
        declared: dict[str, tuple[float, Evidence]] = {}
        for e in sorted((d for d in self._declarations if d.time <= cutoff), key=_key):
            for d in e.payload.get("declared", ()):
                item, q, unit = d.get("item"), d.get("quantity"), d.get("unit")
                if item in self._materials and q is not None and unit in (None, "kg"):
                    declared[item] = (float(q), e)
        out: list[ComplianceFinding] = []
        for item, (dq, de) in declared.items():
            m = self._materials[item]
            sq = SIGNIFICANT_QUANTITY_KG.get(m.kind)
            refs = sorted(
                (
                    e
                    for e in self._quantities.get(item, ())
                    if de.time - timedelta(days=3650) <= e.time <= cutoff
                ),
                key=_key,
            )
            for e in refs:
                value = _kg(e)
                assert value is not None
                what = f"{e.source_kind} (record {e.index})"
                sources = self._sources((de.index, e.index))
                if e.is_estimate and e.uncertainty is not None:
                    u = e.uncertainty
                    given = u.get("central")
                    central = float(given) if given is not None else value
                    extra = {
                        "source_kind": "estimate",
                        "method": e.basis.get("method") if e.basis else None,
                        "meaning": u.get("meaning"),
                    }
                    out.append(
                        _estimate_finding(
                            item,
                            dq,
                            de,
                            f"estimate (record {e.index})",
                            float(u["low"]),
                            float(u["high"]),
                            central,
                            sq,
                            (e.index,),
                            sources,
                            extra,
                        )
                    )
                elif e.source_kind in ("measurement", "inspector-observation"):
                    sigma = rsd * value
                    if e.kind == "sample-result" and e.payload.get("uncertainty") is not None:
                        sigma = float(e.payload["uncertainty"])
                    out.append(
                        _measurement_finding(
                            item,
                            dq,
                            de,
                            f"measured {what}",
                            value,
                            sigma,
                            rsd,
                            alpha,
                            sq,
                            (e.index,),
                            sources,
                        )
                    )
                else:
                    shortfall = value - dq
                    sev: Severity = "warn" if sq and shortfall >= sq else "info"
                    out.append(
                        ComplianceFinding(
                            "declaration-vs-finding",
                            sev,
                            f"{item}: declared {dq:g} kg against {value:.3g} kg reported by a "
                            f"record of kind {what}: not a measurement, not tested",
                            (de.index, e.index),
                            de.time,
                            {
                                "item": item,
                                "declared_kg": dq,
                                "reference": what,
                                "reference_kg": value,
                                "shortfall_kg": shortfall,
                                "shortfall_sq": shortfall / sq if sq else None,
                                "test": "none",
                            },
                            sources,
                        )
                    )
            est = m.mass_kg
            label = f"scenario estimate ({est.source})" if est.source else "scenario estimate"
            out.append(
                _estimate_finding(
                    item,
                    dq,
                    de,
                    label,
                    est.low,
                    est.high,
                    est.mean,
                    sq,
                    (),
                    self._sources((de.index,), "estimate (scenario)"),
                    {"source_kind": "estimate", "sigma_kg": estimate_sigma(est)},
                )
            )
        return out

    # ---------------------------------------------------------------- access
    def _access(self, at: datetime, cutoff: datetime) -> list[AccessOutcome]:
        notice = self.scenario.agreement.provisions.challenge_notice_hours
        out = []
        last = bisect.bisect_right(self._requests, (cutoff.timestamp(), sys.maxsize))
        for _, _, _, e in self._requests[:last]:
            rid = str(e.payload["request_id"])
            site = str(e.payload.get("site"))
            # a request settled (entry or denial) on records all dated by ``cutoff`` stays
            # settled until an answer to it, or an earlier entry at its site, arrives
            n_answers = len(self._answers.get(rid, ()))
            hit = self._access_cache.get(id(e))
            if hit is not None and hit[0] == n_answers and cutoff >= hit[1]:
                out.append(hit[2])
                continue
            answers = sorted(
                (a for a in self._answers.get(rid, ()) if e.time <= a.time <= cutoff), key=_key
            )
            grant = next((a for a in answers if a.kind == "access-granted"), None)
            denial = next((a for a in answers if a.kind == "access-denied"), None)
            entry = self._entry(site, e.time, cutoff)
            answered = answers[0].time if answers else None
            idx: list[int] = [e.index] + [a.index for a in (grant, denial) if a is not None]
            outcome: Outcome
            measured: MeasuredBy
            entered: datetime | None = None
            if entry is not None and (denial is None or entry[0] <= denial.time):
                entered = entry[0]
                idx.append(entry[1].index)
                partial = entry[1].payload.get("access") == "partial" or (
                    grant is not None and grant.payload.get("scope") == "partial"
                )
                outcome = "partial" if partial else "granted"
                delay = (entered - e.time).total_seconds() / 3600.0
                measured = "inspectorate-entry"
                within = outcome == "granted" and delay <= notice
            elif denial is not None:
                outcome, measured = "denied", "denial"
                delay = (denial.time - e.time).total_seconds() / 3600.0
                within = False
            else:
                outcome = "not-entered" if grant is not None else "unanswered"
                measured = "still-waiting"
                delay = (at - e.time).total_seconds() / 3600.0
                within = delay <= notice
            result = AccessOutcome(
                rid,
                site,
                str(e.payload.get("access")),
                e.time,
                outcome,
                answered,
                delay,
                within,
                tuple(sorted(set(idx))),
                entered,
                measured,
                notice,
            )
            seen = max(
                self._latest.get(("site", site), e.time), self._latest.get(("rid", rid), e.time)
            )
            if measured != "still-waiting" and cutoff >= seen:
                settled = entered if entered is not None else denial.time if denial else e.time
                self._access_cache[id(e)] = (n_answers, seen, result)
                self._settled_at_site.setdefault(site, {})[id(e)] = (
                    e.time.timestamp(),
                    settled.timestamp(),
                )
            out.append(result)
        return out

    def _entry(
        self, site: str, requested: datetime, cutoff: datetime
    ) -> tuple[datetime, Evidence] | None:
        """The inspectorate's first record of getting in at ``site`` after ``requested``
        (an inspection with access that started then or later), known by ``cutoff``."""
        entries = self._entries.get(site, [])
        k = bisect.bisect_left(entries, (requested.timestamp(), -1, -1, None))
        last = cutoff.timestamp()
        for j in range(k, len(entries)):
            started, _, _, i = entries[j]
            if started > last:
                return None
            if i.time <= cutoff:
                return datetime.fromtimestamp(started, UTC), i
        return None

    def _access_findings(
        self, outcomes: Sequence[AccessOutcome], cutoff: datetime
    ) -> list[ComplianceFinding]:
        p = self.scenario.agreement.provisions
        notice = p.challenge_notice_hours
        anywhere = p.access == "anywhere-anytime"
        out = []
        for a in outcomes:
            figures = {
                "delay_hours": a.delay_hours,
                "notice_hours": notice,
                "measured_by": a.measured_by,
            }
            if a.outcome == "denied":
                out.append(
                    self._finding(
                        "access-denied",
                        "fail",
                        f"access to {a.site} ({a.access}) requested {a.requested:%Y-%m-%d} "
                        "was denied",
                        a.evidence,
                        a.answered,
                        figures,
                    )
                )
            elif a.outcome in ("unanswered", "not-entered"):
                sev: Severity = "info" if a.within_notice else "fail"
                granted = (
                    f"granted by the state on {a.answered:%Y-%m-%d %H:%M} UTC (state-signed) "
                    "but the inspectorate has not recorded getting in"
                    if a.outcome == "not-entered" and a.answered is not None
                    else "no answer"
                )
                out.append(
                    self._finding(
                        "access-unanswered",
                        sev,
                        f"access to {a.site} requested {a.requested:%Y-%m-%d}: {granted} after "
                        f"{a.delay_hours:.0f} h (notice time {notice:g} h)",
                        a.evidence,
                        a.requested,
                        figures,
                    )
                )
            elif not a.within_notice:
                grant_note = ""
                if a.answered is not None and a.entered is not None:
                    claimed = (a.answered - a.requested).total_seconds() / 3600.0
                    gap = (a.entered - a.answered).total_seconds() / 3600.0
                    if gap > notice:
                        grant_note = (
                            f"; the state-signed grant is dated {claimed:.0f} h after the "
                            f"request, {gap:.0f} h before the inspectors got in"
                        )
                        figures["grant_hours"] = claimed
                out.append(
                    self._finding(
                        "access-delayed",
                        "fail" if anywhere else "warn",
                        f"access to {a.site}: the inspectors got in {a.delay_hours:.0f} h after "
                        "the request (the inspectorate's own record of entry)"
                        + (" (partial)" if a.outcome == "partial" else "")
                        + f"; the agreed notice is {notice:g} h"
                        + (" (anywhere-anytime)" if anywhere else "")
                        + grant_note,
                        a.evidence,
                        a.entered,
                        figures,
                    )
                )
        answered_ids = {a.request_id for a in outcomes}
        for e in self._limited_inspections:
            if e.time > cutoff:
                continue
            out.append(
                self._finding(
                    "inspection-access",
                    "fail" if e.payload.get("access") == "none" else "warn",
                    f"inspection at {e.payload.get('site')} on {e.time:%Y-%m-%d} had "
                    f"{e.payload.get('access')} access",
                    (e.index,),
                    e.time,
                )
            )
        for e in self._denials:
            if e.time <= cutoff and e.payload.get("request_id") not in answered_ids:
                out.append(
                    self._finding(
                        "access-denied",
                        "fail",
                        f"access denied on {e.time:%Y-%m-%d}: {e.payload.get('reason')}",
                        (e.index,),
                        e.time,
                    )
                )
        return out

    # ---------------------------------------------------------------- concessions
    def _concessions(self, cutoff: datetime) -> list[ConcessionCheck]:
        defs = {c.id: c for c in self.scenario.agreement.concessions}
        out = []
        for e in sorted((r for r in self._concession_records if r.time <= cutoff), key=_key):
            c = defs.get(str(e.payload["concession_id"]))
            if c is None:
                continue  # reported as outside the agreement
            unverified = []
            for r in c.requires:
                t = self._tracks.get(r)
                if t is None or t.verified_on(e.time) is None or t.violation(e.time) is not None:
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
                    c.id, action, e.time, tuple(c.requires), tuple(unverified), verdict, (e.index,)
                )
            )
        return out

    def _concession_findings(self, checks: Sequence[ConcessionCheck]) -> list[ComplianceFinding]:
        defs = {c.id: c for c in self.scenario.agreement.concessions}
        out = []
        for c in checks:
            terms = defs[c.id].release_on
            if c.verdict == "relief-before-results":
                extra = "" if terms == "verified" else f" (the agreement released it on '{terms}')"
                out.append(
                    self._finding(
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
                    self._finding(
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
                    self._finding(
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

    # ---------------------------------------------------------------- ambiguity
    def _unresolved_findings(self, cutoff: datetime) -> list[ComplianceFinding]:
        """Observations whose source leaves open what they show (``basis.unresolved``: a
        question and the testing targets it may concern), each a finding of its own: a
        ``warn`` when a commitment in force bans one of those targets, else ``info``."""
        out = []
        end = self._ctx.window_end
        for e in sorted((u for u in self._unresolved if u.time <= cutoff), key=_key):
            assert e.basis is not None
            u = e.basis["unresolved"]
            possible = set(u.get("targets", ()))
            hit = sorted(
                c.id
                for c in self.scenario.agreement.commitments
                if possible & self._ctx.targets.get(c.id, frozenset())
                and (end is None or e.time < end)
            )
            out.append(
                self._finding(
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

    # ---------------------------------------------------------------- indicators
    def _indicators(
        self,
        statuses: Sequence[CommitmentStatus],
        findings: Sequence[ComplianceFinding],
        access: Sequence[AccessOutcome],
        cutoff: datetime,
    ) -> list[Indicator]:
        p = self.scenario.agreement.provisions
        out: list[Indicator] = [
            ind
            for e, ind in sorted(self._decision_acts, key=lambda x: _key(x[0]))
            if e.time <= cutoff
        ]
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
            if not a.within_notice:
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
        reversible = [e.index for e in sorted(self._reversible, key=_key) if e.time <= cutoff]
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
        for c in statuses:
            if c.claimed_on is not None and c.status == "overdue":
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
