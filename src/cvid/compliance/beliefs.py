"""The belief tracker: P(type | signed evidence) for the counterpart, and the next demand.

The counterpart is one of three types (sincere, time-buyer, hedger; prior from
``[counterpart.prior]``). Each signed record updates the posterior by Bayes' rule,
log P(type | e₁..eₙ) = log P(type) + Σ log P(eᵢ | type) + const, with the likelihoods of the
strategic counterpart model (``[counterpart]`` of the scenario, the tables the negotiation
simulator uses; read through :func:`act_probabilities`):

* **Acts on a step** climb a ladder per commitment — statement, declared, verified — and an
  undecided type reaches at least each level with ``statement_probability``,
  ``declared_step_probability`` and ``verified_step_probability``; a *hard* step (one that
  exposes or removes the hidden program: a complete declaration, access to people, documents
  or undeclared sites, disclosure, dismantlement, removal, destruction) is claimed by an
  undecided type only hollow (``hollow_declaration_probability``) and never verified. When a
  record lifts a commitment from level a to level b the likelihood is P(≥b | type)/P(≥a | type),
  so a claim followed by its verification counts once, at its highest level. A commitment with
  no required verification tops out at *declared*. A sincere state reaches every level.
* **Voluntary disclosure** of items not known before (a disclosure marked voluntary, or a
  declaration or disclosure naming facilities the program lists as undeclared, each item
  counted the first time it is named) is what only a state that has decided gives: P = 1
  for sincere, the floor for the others.
* **Refusals** (access denied, a statement that the state stops, an inspection with no
  access) have P = 1 − P(verified | type); **exposed hollow claims** (findings of a
  discrepancy, an undeclared item, a violation; inconsistent samples; broken seals)
  P = ``hollow_declaration_probability``.
* **Silence**: each month a step stays short of its top level after its deadline multiplies
  by the chance of not completing it in a month: 1 − ``decided_step_probability`` for a
  sincere state (Libya 2003–04: about four months for everything), 1 − P(top | type) for the
  others. Time is counted from the start of each record's UTC day, so records of one day
  commute: the posterior does not depend on their order.

Probabilities the model sets to 0 are raised to the **floor**,
max(``decision_hazard_base``, 0.001): the monthly chance that an undecided state makes the
strategic decision meanwhile (types are fixed over the record here; the simulator lets them
change).

**The next demand**: for each commitment not yet at its top level, the mutual information
I(type; act) between the type (current posterior) and the level its act reaches in a month
if it were demanded next (bits), ranked; a sincere state completes it with
``decided_step_probability``, the others as above. This is lesson 1 made operational: ask
first for what only a state that has decided would give.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, cast

import numpy as np
from pydantic import BeforeValidator, Field, PlainSerializer, computed_field
from typing_extensions import TypedDict

from cvid.compliance.engine import DAYS_PER_MONTH, agreement_id, agreement_start
from cvid.compliance.evidence import Evidence, as_utc, evidence_from_ledger, sort_evidence
from cvid.errors import InputError
from cvid.ledger import Ledger
from cvid.results import Result, jsonable
from cvid.scenario import (
    COUNTERPART_TYPES,
    EXPOSING_KINDS,
    EXPOSING_TARGETS,
    IRREVERSIBLE_KINDS,
    Commitment,
    Scenario,
)

TYPES: tuple[str, str, str] = COUNTERPART_TYPES
#: Ladder levels of an act on a step.
LEVELS: tuple[str, ...] = ("none", "statement", "declared", "verified")
_NEGATIVE_FINDINGS: frozenset[str] = frozenset(
    {"discrepancy", "undeclared", "missing", "violation"}
)


def is_hard(c: Commitment) -> bool:
    """A step that exposes or removes the hidden program (the simulator's definition)."""
    return (
        c.kind in IRREVERSIBLE_KINDS
        or c.kind in EXPOSING_KINDS
        or (c.kind == "declare" and c.scope == "complete")
        or any(t in EXPOSING_TARGETS for t in c.targets)
    )


def floor_probability(s: Scenario) -> float:
    """The floor for acts the model rules out for a type (module docstring)."""
    return max(s.counterpart.decision_hazard_base, 1e-3)


def act_probabilities(s: Scenario, c: Commitment) -> np.ndarray:
    """(3 types × 4 levels): P(act on ``c`` reaches at least each level | type), levels
    none, statement, declared, verified; nested and floored. An adapter over the scenario's
    per-type tables (the counterpart model of :mod:`cvid.negotiate`)."""
    cp = s.counterpart
    lo = floor_probability(s)
    hard = is_hard(c)
    out = np.ones((3, 4))
    for i, t in enumerate(TYPES):
        if t == "sincere":
            st, de, ve = (
                cp.per_type("statement_probability", t),
                cp.per_type("declared_step_probability", t),
                cp.per_type("verified_step_probability", t),
            )
        else:
            st = cp.per_type("statement_probability", t)
            if hard:
                de = cp.per_type("hollow_declaration_probability", t)
                ve = 0.0
            else:
                de = cp.per_type("declared_step_probability", t)
                ve = cp.per_type("verified_step_probability", t)
        st = max(st, lo)
        de = min(max(de, lo), st)
        ve = min(max(ve, lo), de)
        out[i, 1:] = (st, de, ve)
    return out


def top_level(c: Commitment) -> int:
    """Highest ladder level a commitment can reach: verified, or declared when it needs no
    verification."""
    return 3 if c.verification else 2


def completion_probability(s: Scenario, c: Commitment) -> np.ndarray:
    """(3,): chance a month that each type brings ``c`` to its top level when asked."""
    p = act_probabilities(s, c)[:, top_level(c)].copy()
    p[0] = s.counterpart.decided_step_probability
    return np.asarray(p, dtype=np.float64)


def outcome_distribution(s: Scenario, c: Commitment) -> np.ndarray:
    """(3 types × outcomes): the level the act on ``c`` reaches within a month of being
    demanded (none … top), per type; a sincere state reaches the top with
    ``decided_step_probability`` and otherwise at least announces it."""
    top = top_level(c)
    at_least = act_probabilities(s, c)[:, : top + 1].copy()
    at_least[0, :top] = 1.0
    at_least[0, top] = s.counterpart.decided_step_probability
    nxt = np.concatenate([at_least[:, 1:], np.zeros((3, 1))], axis=1)
    return np.asarray(np.clip(at_least - nxt, 0.0, 1.0), dtype=np.float64)


def _entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum())


def information_gain(posterior: Sequence[float] | np.ndarray, outcomes: np.ndarray) -> float:
    """Mutual information I(T; A) = H(A) − Σ_t π_t·H(A | t) in bits, for the type
    distribution π and outcome table P(A | t) (Cover & Thomas 2006, eq. 2.39)."""
    pi = np.asarray(posterior, dtype=np.float64)
    marg = pi @ outcomes
    return max(0.0, _entropy(marg) - float(sum(pi[i] * _entropy(outcomes[i]) for i in range(3))))


def _prior(s: Scenario, prior: Mapping[str, float] | Sequence[float] | None) -> np.ndarray:
    if prior is None:
        return np.array(s.counterpart.prior.as_tuple(), dtype=np.float64)
    if isinstance(prior, Mapping):
        unknown = sorted(set(prior) - set(TYPES))
        if unknown:
            raise InputError(
                f"unknown counterpart type '{unknown[0]}' (types are {', '.join(TYPES)})",
                source="--prior",
            )
        vals = [float(prior.get(t, 0.0)) for t in TYPES]
    else:
        vals = [float(v) for v in prior]
        if len(vals) != 3:
            raise InputError(
                "needs three probabilities (sincere, time-buyer, hedger)", source="--prior"
            )
    if any(not math.isfinite(v) or v < 0 or v > 1 for v in vals):
        raise InputError("each prior probability must lie in [0, 1]", source="--prior")
    total = sum(vals)
    if abs(total - 1.0) > 1e-9:
        raise InputError(f"the prior probabilities sum to {total:g}, not 1", source="--prior")
    return np.array(vals, dtype=np.float64)


# the JSON keys are the type names (``time-buyer`` has a hyphen)
_ByTypeJSON = TypedDict("_ByTypeJSON", {"sincere": float, "time-buyer": float, "hedger": float})


def _by_type(p: tuple[float, float, float]) -> _ByTypeJSON:
    return cast(_ByTypeJSON, dict(zip(TYPES, p, strict=True)))


def _from_by_type(value: Any) -> Any:
    if isinstance(value, Mapping):
        unknown = set(value) - set(TYPES)
        if unknown:
            raise ValueError(f"unknown counterpart type(s) {', '.join(sorted(unknown))}")
        return tuple(value[t] for t in TYPES)
    return value


#: Probabilities of the three counterpart types, in :data:`TYPES` order; written as an
#: object by type name (``{"sincere": p, "time-buyer": p, "hedger": p}``).
ByType = Annotated[
    tuple[float, float, float],
    BeforeValidator(_from_by_type),
    PlainSerializer(_by_type, return_type=_ByTypeJSON),
]


def _utc_text(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


#: A UTC moment, written in ISO 8601 with ``Z`` for UTC.
UtcTime = Annotated[datetime, PlainSerializer(_utc_text, return_type=str)]


class BeliefPoint(Result):
    """The posterior after one record, what the record was taken to show, and how far it (and
    the silence before it) moved the posterior (total variation distance)."""

    index: int = Field(description="Ledger index of the record")
    time: UtcTime
    kind: str
    commitments: tuple[str, ...]
    acts: tuple[str, ...] = Field(description="What the record was taken to show, in words")
    posterior: ByType
    shift: float = Field(description="Total variation distance the record moved the posterior")
    silence_shift: float = Field(description="The same, of the silence before the record")


class Demand(Result):
    """A commitment not yet at its top level, ranked by how well demanding it next would
    tell the types apart."""

    commitment: str
    kind: str
    hard: bool = Field(description="A step that exposes or removes the hidden program")
    information_bits: float = Field(description="I(type; act) if demanded next, bits")
    completion_probability: dict[str, float] = Field(
        description="Chance a month that each type brings it to its top level"
    )
    reason: str


class BeliefModel(Result):
    """The model the tracker ran: the floor for acts it rules out, and where the likelihoods
    come from."""

    floor: float = Field(description="max(decision_hazard_base, 0.001)")
    likelihoods: str = "scenario [counterpart] per-type tables"


class BeliefState(Result):
    """The tracker's output: the prior, the posterior now, the time series, the records that
    moved it most and the ranked next demands. ``to_json()`` is the ``"beliefs"`` of
    ``cvid status --beliefs --json``, its JSON Schema ``schema/beliefs.schema.json``."""

    scenario: str
    at: UtcTime | None
    prior: ByType
    posterior: ByType
    records: int
    series: tuple[BeliefPoint, ...]
    movers: tuple[BeliefPoint, ...]
    next_demands: tuple[Demand, ...]
    levels: dict[str, str] = Field(
        default_factory=dict, description="Ladder level each commitment has reached"
    )
    model: BeliefModel

    @computed_field  # type: ignore[prop-decorator]
    @property
    def types(self) -> tuple[str, str, str]:
        """The counterpart types, in the order of the probabilities."""
        return TYPES

    @computed_field  # type: ignore[prop-decorator]
    @property
    def most_likely(self) -> str:
        """The type of highest posterior probability."""
        return TYPES[int(np.argmax(self.posterior))]

    @property
    def floor(self) -> float:
        """The floor for acts the model rules out for a type (:func:`floor_probability`)."""
        return self.model.floor

    def summary_dict(self) -> dict[str, Any]:
        """:meth:`to_dict` without ``series`` (one point per record: what the web API and
        the dashboard leave out, and what makes a dump cost O(records))."""
        out = jsonable(self.model_dump(mode="python", by_alias=True, exclude={"series"}))
        assert isinstance(out, dict)
        return out


def _tv(a: np.ndarray, b: np.ndarray) -> float:
    if a is b:  # the same posterior (the record or silence left the log unchanged)
        return 0.0
    return float(0.5 * np.abs(a - b).sum())


def _normalize(logp: np.ndarray) -> np.ndarray:
    m = float(np.max(logp))
    p = np.exp(logp - m)
    return np.asarray(p / p.sum(), dtype=np.float64)


#: Movers kept ranked by the tracker (``state(movers=k)`` for a larger k sorts the series).
MOVERS_KEPT = 16

#: The tracker's state after a record: log posterior (never changed in place), ladder
#: levels in commitment order, the undeclared items disclosed, and the clock.
_Snapshot = tuple[np.ndarray, tuple[int, ...], frozenset[str], datetime]


def _rank(p: BeliefPoint) -> tuple[float, int]:
    """The movers' order: largest shift first, then ledger order."""
    return (-p.shift, p.index)


class BeliefTracker:
    """Bayes' rule record by record; :meth:`update` costs O(commitments), not O(records).

    The tracker keeps, per record taken in, its evidence, its :class:`BeliefPoint` and its
    state after it, and the :data:`MOVERS_KEPT` largest movers, so :meth:`state` is built from
    stored parts (O(commitments + movers), plus one copy of the series) and :meth:`insert`
    takes in a record dated before the last one by replaying from where it falls, stopping
    as soon as the state after a replayed record equals the one held (every later point is
    then unchanged). The result equals :func:`beliefs` from scratch, bit for bit.
    """

    def __init__(
        self,
        scenario: Scenario,
        prior: Mapping[str, float] | Sequence[float] | None = None,
    ) -> None:
        s = scenario
        self.scenario = s
        self.prior = _prior(s, prior)
        with np.errstate(divide="ignore"):
            self.logp = np.log(self.prior)
        self.start = agreement_start(s)
        self.commitments = {c.id: c for c in s.agreement.commitments}
        self.ladder = {c.id: np.log(act_probabilities(s, c)) for c in s.agreement.commitments}
        self.top = {c.id: top_level(c) for c in s.agreement.commitments}
        self.deadline = {
            c.id: self.start + timedelta(days=c.deadline_months * DAYS_PER_MONTH)
            for c in s.agreement.commitments
        }
        self.silence = {
            c.id: np.log1p(-np.minimum(completion_probability(s, c), 1.0 - 1e-12))
            for c in s.agreement.commitments
        }
        self.level = dict.fromkeys(self.commitments, 0)
        lo = floor_probability(s)
        self.log_floor = math.log(lo)
        cp = s.counterpart
        self.log_disclosure = np.array([0.0, math.log(lo), math.log(lo)])
        self.log_hollow = np.log(
            np.maximum([cp.per_type("hollow_declaration_probability", t) for t in TYPES], lo)
        )
        self.undeclared = {f.id for f in s.program.facilities if not f.declared}
        self.disclosed: set[str] = set()
        self.clock = self.start
        self.series: list[BeliefPoint] = []
        #: The records taken in, in time order (ties in ledger order), their sort keys and
        #: the tracker's state after each.
        self.evidence: list[Evidence] = []
        self._keys: list[tuple[datetime, int]] = []
        self._snaps: list[_Snapshot] = []
        self._levels: tuple[int, ...] | None = None  # self.level as a tuple (None: stale)
        self._disclosed: frozenset[str] = frozenset()
        self._movers: list[BeliefPoint] = []  # the MOVERS_KEPT largest, ranked (_rank)
        self._post_of: np.ndarray | None = None  # the logp self._post was computed from
        self._post = self.prior

    @property
    def posterior(self) -> np.ndarray:
        """P(type | records so far), normalized (computed once per change of the log)."""
        if self._post_of is not self.logp:
            self._post = _normalize(self.logp)
            self._post_of = self.logp
        return self._post

    def advance(self, until: datetime) -> float:
        """Count the silence up to ``until`` (start of its UTC day); the shift it caused."""
        day = datetime(until.year, until.month, until.day, tzinfo=UTC)
        if day <= self.clock:
            return 0.0
        before = self.posterior
        for cid, lvl in self.level.items():
            if lvl >= self.top[cid]:
                continue
            frm = max(self.clock, self.deadline[cid])
            if day > frm:
                months = (day - frm).total_seconds() / 86400.0 / DAYS_PER_MONTH
                self.logp = self.logp + months * self.silence[cid]
        self.clock = day
        return _tv(before, self.posterior)

    def _lift(self, cid: str, level: int) -> str | None:
        level = min(level, self.top[cid])
        old = self.level[cid]
        if level <= old:
            return None
        lad = self.ladder[cid]
        self.logp = self.logp + lad[:, level] - lad[:, old]
        self.level[cid] = level
        self._levels = None
        return f"{cid}: {LEVELS[level]}"

    def _refuse(self, cid: str) -> str:
        lad = self.ladder[cid]
        p_top = np.exp(lad[:, self.top[cid]])
        p_top[0] = min(p_top[0], 1.0)
        miss = np.log(np.maximum(1.0 - p_top, math.exp(self.log_floor)))
        miss[0] = self.log_floor
        self.logp = self.logp + miss
        return f"{cid}: refused"

    def _hollow(self, cid: str | None) -> str:
        self.logp = self.logp + self.log_hollow
        return f"{cid or 'declaration'}: hollow claim exposed"

    def update(self, e: Evidence) -> BeliefPoint:
        """Apply one record (records must come in time order, any order within a day)."""
        point = self._step(e)
        self.series.append(point)
        self.evidence.append(e)
        self._keys.append((e.time, e.index))
        self._snaps.append(self._snapshot())
        self._rank_in(point)
        return point

    def _step(self, e: Evidence) -> BeliefPoint:
        """Bayes' rule for one record on the state now; its point (not stored)."""
        silence = self.advance(e.time)
        before = self.posterior
        acts: list[str] = []
        cids = [c for c in e.commitments if c in self.commitments]
        k, pl = e.kind, e.payload
        level = 0
        negative = False
        hollow = False
        if k == "statement":
            claim = pl.get("claim")
            if claim == "fulfilled":
                level = 2
            elif claim == "in-progress":
                level = 1
            else:
                negative = True
        elif k == "declaration":
            level = 2
        elif k == "disclosure":
            level = 3 if pl.get("voluntary") else 2
        elif k in ("inspection",):
            access = pl.get("access")
            if access == "full":
                level = 3
            elif access == "partial":
                level = 2
            else:
                negative = True
        elif k == "finding":
            if pl.get("result") in _NEGATIVE_FINDINGS:
                hollow = True
            else:
                level = 3
        elif k == "sample-result":
            r = pl.get("result")
            if r == "inconsistent":
                hollow = True
            elif r == "consistent":
                level = 3
        elif k == "seal-check":
            if pl.get("intact"):
                level = 3
            else:
                hollow = True
        elif k in ("dismantlement", "removal", "access-granted"):
            level = 3
        elif k == "access-denied":
            negative = True
        if hollow:
            acts.append(self._hollow(cids[0] if cids else None))
        for cid in cids:
            if negative:
                acts.append(self._refuse(cid))
            elif level:
                a = self._lift(cid, level)
                if a:
                    acts.append(a)
        if k in ("declaration", "disclosure"):
            named = set(e.items) | {
                str(d.get("item")) for d in pl.get("declared", []) if isinstance(d, Mapping)
            }
            new = sorted((named & self.undeclared) - self.disclosed)
            if new:
                self.disclosed |= set(new)
                self._disclosed = frozenset(self.disclosed)
            if pl.get("voluntary") is True or new:
                self.logp = self.logp + self.log_disclosure
                what = ", ".join(new) if new else str(pl.get("subject", "documents"))
                acts.append(f"voluntary disclosure of items not known before ({what})")
        post = self.posterior
        # built from values of the fields' types already (validating them again is a fifth of
        # the cost of a record)
        point = BeliefPoint.model_construct(
            index=e.index,
            time=e.time,
            kind=k,
            commitments=tuple(e.commitments),
            acts=tuple(acts),
            posterior=(float(post[0]), float(post[1]), float(post[2])),
            shift=_tv(before, post),
            silence_shift=silence,
        )
        return point

    def _snapshot(self) -> _Snapshot:
        if self._levels is None:
            self._levels = tuple(self.level.values())
        return (self.logp, self._levels, self._disclosed, self.clock)

    def _restore(self, snap: _Snapshot | None) -> None:
        """Put the tracker back to a state after a record (None: before any record)."""
        if snap is None:
            with np.errstate(divide="ignore"):
                logp = np.log(self.prior)
            levels = (0,) * len(self.level)
            disclosed: frozenset[str] = frozenset()
            clock = self.start
        else:
            logp, levels, disclosed, clock = snap
        self.logp = logp
        self.level = dict(zip(self.commitments, levels, strict=True))
        self._levels = levels
        self.disclosed = set(disclosed)
        self._disclosed = disclosed
        self.clock = clock

    @staticmethod
    def _same(a: _Snapshot, b: _Snapshot) -> bool:
        return (
            a[1] == b[1]
            and a[2] == b[2]
            and a[3] == b[3]
            and (a[0] is b[0] or a[0].tobytes() == b[0].tobytes())  # bit for bit
        )

    def _rank_in(self, point: BeliefPoint) -> None:
        kept = self._movers
        if len(kept) < MOVERS_KEPT or _rank(point) < _rank(kept[-1]):
            bisect.insort(kept, point, key=_rank)
            del kept[MOVERS_KEPT:]

    def insert(self, e: Evidence) -> BeliefPoint:
        """Take in a record dated anywhere: after the last one it is :meth:`update`; before,
        the records from where it falls (time order, ties in ledger order) are taken in again
        from the state held before it, until the state after one equals the state held
        after it (the rest of the series stands). The record's point is returned."""
        key = (e.time, e.index)
        pos = bisect.bisect_right(self._keys, key)
        n = len(self._keys)
        if pos == n:
            return self.update(e)
        self._restore(self._snaps[pos - 1] if pos else None)
        point = self._step(e)
        self.evidence.insert(pos, e)
        self._keys.insert(pos, key)
        self.series.insert(pos, point)
        self._snaps.insert(pos, self._snapshot())
        self._rank_in(point)
        gone: set[int] = set()  # the points replaced (by id)
        for j in range(pos + 1, n + 1):
            held = self._snaps[j]
            gone.add(id(self.series[j]))
            self.series[j] = p = self._step(self.evidence[j])
            self._snaps[j] = snap = self._snapshot()
            self._rank_in(p)
            if self._same(snap, held):
                self._restore(self._snaps[-1])
                break
        # the replayed points were ranked in; the ones they replaced must go, and if a kept
        # one did, a point outside the kept ones may now rank in: rank them all again
        if any(id(p) in gone for p in self._movers):
            self._movers = heapq.nsmallest(MOVERS_KEPT, self.series, key=_rank)
        return point

    def next_demands(self) -> list[Demand]:
        """Commitments short of their top level, ranked by expected information gain."""
        s = self.scenario
        post = self.posterior
        out: list[Demand] = []
        for cid, c in self.commitments.items():
            if self.level[cid] >= self.top[cid]:
                continue
            table = outcome_distribution(s, c)
            bits = information_gain(post, table)
            comp = completion_probability(s, c)
            probs = {t: float(comp[i]) for i, t in enumerate(TYPES)}
            out.append(
                Demand(
                    commitment=cid,
                    kind=c.kind,
                    hard=is_hard(c),
                    information_bits=bits,
                    completion_probability=probs,
                    reason=_reason(c, probs, bits),
                )
            )
        out.sort(key=lambda d: (-d.information_bits, d.commitment))
        return out

    def state_as_of(self, at: datetime, movers: int = 5) -> BeliefState:
        """The state of the records dated up to ``at`` with the silence up to it (what
        :func:`beliefs` with ``at`` gives), from the state held after the last of them; the
        tracker itself is left as it is. Costs O(records up to ``at``) for the movers only
        when fewer than ``movers`` of the kept ones are dated up to ``at``."""
        pos = bisect.bisect_right(self._keys, (at, math.inf))
        clone = copy.copy(self)
        clone.series, clone.evidence = self.series[:pos], self.evidence[:pos]
        clone._keys, clone._snaps = self._keys[:pos], self._snaps[:pos]
        if pos < len(self._keys):
            # the kept movers dated up to ``at`` rank first among the records up to it (any
            # other ranks below every kept one); the clone needs only ``movers`` of them
            kept = [p for p in self._movers if p.time <= at]
            enough = len(kept) >= min(movers, pos)
            clone._movers = kept if enough else heapq.nsmallest(movers, clone.series, key=_rank)
            clone._restore(self._snaps[pos - 1] if pos else None)
        else:
            clone._movers = list(self._movers)
            clone.level, clone.disclosed = dict(self.level), set(self.disclosed)
        return clone.state(at, movers)

    def state(self, at: datetime | None = None, movers: int = 5) -> BeliefState:
        """The tracker's state now (after counting the silence up to ``at``, if given)."""
        if at is not None:
            self.advance(at)
        post = self.posterior
        if movers <= MOVERS_KEPT:
            ranked = self._movers[:movers]
        else:
            ranked = sorted(self.series, key=_rank)[:movers]
        return BeliefState(
            scenario=self.scenario.meta.name,
            at=at,
            prior=(float(self.prior[0]), float(self.prior[1]), float(self.prior[2])),
            posterior=(float(post[0]), float(post[1]), float(post[2])),
            records=len(self.series),
            series=tuple(self.series),
            movers=tuple(ranked),
            next_demands=tuple(self.next_demands()),
            levels={cid: LEVELS[lvl] for cid, lvl in self.level.items()},
            model=BeliefModel(floor=math.exp(self.log_floor)),
        )


def _reason(c: Commitment, p: Mapping[str, float], bits: float) -> str:
    what = "it" if c.verification else "it (declared only)"
    unverified = (
        ""
        if c.verification
        else "; the agreement gives no way to verify it, so a hollow claim passes as done"
    )
    s, tb, h = p["sincere"], p["time-buyer"], p["hedger"]
    if c.kind in ("declare", "disclose") or is_hard(c):
        core = (
            f"a hard step: a state that has decided completes {what} within a month with "
            f"probability {s:.2f}, a time-buyer {tb:.2f} and a hedger {h:.2f}, because an "
            "undecided state never lets a step that exposes or removes its program be verified"
        )
    else:
        core = (
            f"a soft step: completed within a month with probability {s:.2f} by a sincere "
            f"state, {tb:.2f} by a time-buyer, {h:.2f} by a hedger — undecided states do it too, "
            "so it separates less"
        )
    return f"{core}{unverified} ({bits:.3f} bits expected)"


def beliefs(
    ledger: Ledger | Iterable[Evidence],
    scenario: Scenario,
    *,
    at: str | datetime | None = None,
    prior: Mapping[str, float] | Sequence[float] | None = None,
) -> BeliefState:
    """The posterior over the counterpart's types from every record of ``ledger`` (a
    :class:`cvid.ledger.Ledger` — only the scenario's agreement — or evidence already read)
    up to ``at`` (a date counts to its end), in time order."""
    if isinstance(ledger, Ledger):
        evidence = evidence_from_ledger(ledger, agreement_id(scenario))
    else:
        evidence = list(ledger)
    cut = None if at is None else as_utc(at)
    tracker = BeliefTracker(scenario, prior)
    for e in sort_evidence(evidence):
        if cut is not None and e.time > cut:
            continue
        tracker.update(e)
    return tracker.state(cut)
