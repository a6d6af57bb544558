"""The state's acquisition and concealment paths under an agreement, and their building blocks.

A *path* is one way for the state to cheat, made of three choices:

* **undeclared items** — program items the agreement covers (a commitment names them, or a
  reserved target such as ``all`` or ``all-facilities`` takes them in) that the state keeps at
  undisclosed sites: undeclared facilities (``declared = false``), the undeclared part of a
  material stock (``mass_kg`` less ``declared_mass_kg``), weapons. Items the state declared
  before the agreement cannot be hidden and are not candidates.
* **hollow steps** — commitments the state claims done without doing them (every kind but
  ``declare`` and ``disclose``, whose hollow form *is* an undeclared item). A hollow freeze,
  disablement or dismantlement of a declared producing facility is secret production at a
  declared facility; a hollow removal of a stock keeps the stock.
* **stalling** — the state delivers every step due before a deadline and stops at it, openly:
  the steps due at or after it never come, and the breach is overt at that deadline.

Items hidden or steps made hollow only count when they fall before the stall (a step never
delivered cannot be hollow; an item whose declaration never falls due is not concealed). That
is the *canonical form* of a path; :func:`enumerate_paths` generates canonical paths
directly and :func:`brute_force_paths` (for tests) forms every combination and reduces it.
Full compliance (nothing hidden, nothing hollow, no stall) is not a path: it is the benchmark.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from cvid.results import Result
from cvid.scenario import (
    DECLARING_KINDS,
    DIRECT_USE_MATERIALS,
    IRREVERSIBLE_KINDS,
    SIGNIFICANT_QUANTITY_KG,
    STOPPING_KINDS,
    Commitment,
    Estimate,
    Scenario,
)
from cvid.verify import monthly_production

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Rate(Result):
    """Low, central and high values of a non-negative quantity (JSON ``low``, ``central``,
    ``high``), in the unit of what it measures (kg a month, SQ, weapons)."""

    low: float
    mid: float = Field(alias="central")
    high: float

    def scaled(self, k: float) -> Rate:
        """Every value times ``k``."""
        return Rate(low=self.low * k, mid=self.mid * k, high=self.high * k)


ZERO = Rate(low=0.0, mid=0.0, high=0.0)


def _est(e: Estimate) -> Rate:
    return Rate(low=e.low, mid=e.mean, high=e.high)


def _product(*factors: Estimate) -> Rate:
    lo = mid = hi = 1.0
    for f in factors:
        lo, mid, hi = lo * f.low, mid * f.mean, hi * f.high
    return Rate(low=lo, mid=mid, high=hi)


@dataclass(frozen=True)
class Producer:
    """A facility making direct-use material: kg a month of ``material`` (low/central/high)."""

    facility: str
    declared: bool
    material: str
    kg_per_month: Rate


def producers(s: Scenario) -> list[Producer]:
    """Producing facilities and their rates: reactors Pu = P_th × CF × days/12 × g/MWd ÷ 1000,
    enrichment plants kg U-235 = SWU a year ÷ 12 ÷ SWU per kg product × product assay
    (:func:`cvid.verify.monthly_production`, the simulator's formula)."""
    out: list[Producer] = []
    for f in s.program.facilities:
        made = monthly_production(f, s.counterpart.production)
        if made is not None:
            r = _product(*made.factors).scaled(made.constant)
            out.append(Producer(f.id, f.declared, made.material, r))
    return out


def expand_targets(s: Scenario, c: Commitment) -> set[str]:
    """Program item ids a commitment covers (reserved names expanded)."""
    p = s.program
    out: set[str] = set()
    for t in c.targets:
        if t == "all":
            out |= set(p.item_ids())
        elif t == "all-facilities":
            out |= {f.id for f in p.facilities}
        elif t == "all-materials":
            out |= {m.id for m in p.materials}
        elif t == "all-weapons":
            out |= {w.id for w in p.weapons}
        elif t == "all-missiles":
            out |= {m.id for m in p.missiles}
        elif t in p.item_ids():
            out.add(t)
    return out


@dataclass(frozen=True)
class Item:
    """A program item the state could keep at an undisclosed site."""

    id: str
    kind: str  # facility, material, weapons
    breach_month: float  # earliest deadline of a commitment covering it
    kg: Rate  # material hidden (stocks), 0 for facilities and weapons
    sq: Rate  # significant quantities hidden (stocks, weapons)
    material: str | None


@dataclass(frozen=True)
class Step:
    """A commitment the state could deliver hollow, at its deadline."""

    id: str
    kind: str
    month: float
    stops: tuple[str, ...]  # declared producing facilities whose production it would stop
    eliminates: tuple[str, ...]  # stocks and weapons it would eliminate
    material: bool  # targets declared material or production (watched by accountancy)


@dataclass(frozen=True)
class PathSpace:
    """Everything the paths are made of: candidate items, hollowable steps, stall deadlines,
    producers and when compliance would stop each one, the horizon in months."""

    horizon: float
    items: tuple[Item, ...]
    steps: tuple[Step, ...]
    stalls: tuple[float, ...]
    producers: tuple[Producer, ...]
    compliance_stop: dict[str, float]  # facility -> month compliance stops it (horizon: never)
    stop_steps: dict[str, tuple[str, ...]]  # facility -> commitments that stop it
    eliminate_steps: dict[str, tuple[str, ...]]  # stock -> commitments that eliminate it

    @property
    def components(self) -> int:
        return len(self.items) + len(self.steps)

    def eligible(self, stall: float | None) -> tuple[BoolArray, BoolArray]:
        """Which items and steps may be part of a path stalling at ``stall`` (None: none)."""
        lim = math.inf if stall is None else stall
        items = np.array([it.breach_month < lim for it in self.items], dtype=bool)
        steps = np.array([st.month < lim for st in self.steps], dtype=bool)
        return items, steps

    def count(self) -> int:
        """Number of canonical paths (compliance excluded)."""
        total = 0
        for stall in (None, *self.stalls):
            i, st = self.eligible(stall)
            total += 2 ** int(i.sum() + st.sum())
        return total - 1


def path_space(s: Scenario) -> PathSpace:
    """The building blocks of the paths in ``s`` (see the module docstring)."""
    a, p = s.agreement, s.program
    horizon = float(a.duration_months)
    covers = {c.id: expand_targets(s, c) for c in a.commitments}
    prods = producers(s)
    prod_ids = {q.facility for q in prods}
    stop_steps: dict[str, list[str]] = {q.facility: [] for q in prods}
    compliance_stop: dict[str, float] = {q.facility: horizon for q in prods}
    for c in a.commitments:
        if c.kind in STOPPING_KINDS:
            for f in covers[c.id] & prod_ids:
                stop_steps[f].append(c.id)
                compliance_stop[f] = min(compliance_stop[f], c.deadline_months)

    def breach(item_id: str) -> float | None:
        months = [c.deadline_months for c in a.commitments if item_id in covers[c.id]]
        return min(months) if months else None

    eliminate_steps: dict[str, list[str]] = {}
    items: list[Item] = []
    for fac in p.facilities:
        b = breach(fac.id)
        if not fac.declared and b is not None:
            items.append(Item(fac.id, "facility", b, ZERO, ZERO, None))
    for m in p.materials:
        b = breach(m.id)
        hidden = _est(m.mass_kg)
        if m.declared_mass_kg is not None:
            d = m.declared_mass_kg
            hidden = Rate(
                low=max(0.0, hidden.low - d),
                mid=max(0.0, hidden.mid - d),
                high=max(0.0, hidden.high - d),
            )
        if b is None or hidden.high <= 0.0:
            continue
        sq_kg = SIGNIFICANT_QUANTITY_KG.get(m.kind)
        sq = hidden.scaled(1.0 / sq_kg) if sq_kg and m.kind in DIRECT_USE_MATERIALS else ZERO
        items.append(Item(m.id, "material", b, hidden, sq, m.kind))
    for w in p.weapons:
        b = breach(w.id)
        if b is not None:
            sq = _est(w.count).scaled(s.redteam.weapon_sq)
            items.append(Item(w.id, "weapons", b, ZERO, sq, None))
    stock_ids = {it.id for it in items if it.kind != "facility"}
    stock_ids |= {m.id for m in p.materials} | {w.id for w in p.weapons}
    declared_material = {m.id for m in p.materials} | {w.id for w in p.weapons}
    steps: list[Step] = []
    for c in a.commitments:
        for t in covers[c.id] & stock_ids:
            if c.kind in IRREVERSIBLE_KINDS:
                eliminate_steps.setdefault(t, []).append(c.id)
        if c.kind in DECLARING_KINDS:
            continue
        stops = tuple(sorted(f for f in covers[c.id] & prod_ids if c.kind in STOPPING_KINDS))
        elim = tuple(sorted(covers[c.id] & stock_ids)) if c.kind in IRREVERSIBLE_KINDS else ()
        material = bool(stops) or bool(set(elim) & declared_material)
        steps.append(Step(c.id, c.kind, float(c.deadline_months), stops, elim, material))
    stalls = tuple(sorted({float(c.deadline_months) for c in a.commitments}))
    return PathSpace(
        horizon=horizon,
        items=tuple(items),
        steps=tuple(steps),
        stalls=stalls,
        producers=tuple(prods),
        compliance_stop=compliance_stop,
        stop_steps={k: tuple(v) for k, v in stop_steps.items()},
        eliminate_steps={k: tuple(v) for k, v in eliminate_steps.items()},
    )


@dataclass(frozen=True)
class PathBlock:
    """A block of paths as arrays: hidden items (n × I), hollow steps (n × S), stall month
    (n; NaN when the state never stalls)."""

    hidden: BoolArray
    hollow: BoolArray
    stall: FloatArray

    def __len__(self) -> int:
        return int(self.stall.shape[0])

    def key(self, i: int) -> tuple[tuple[int, ...], tuple[int, ...], float | None]:
        """A hashable identity of path ``i``."""
        st = float(self.stall[i])
        return (
            tuple(np.flatnonzero(self.hidden[i]).tolist()),
            tuple(np.flatnonzero(self.hollow[i]).tolist()),
            None if math.isnan(st) else st,
        )

    def take(self, idx: NDArray[np.int64]) -> PathBlock:
        return PathBlock(self.hidden[idx], self.hollow[idx], self.stall[idx])

    @staticmethod
    def concat(blocks: list[PathBlock], n_items: int, n_steps: int) -> PathBlock:
        if not blocks:
            return PathBlock(
                np.zeros((0, n_items), bool), np.zeros((0, n_steps), bool), np.zeros(0)
            )
        return PathBlock(
            np.concatenate([b.hidden for b in blocks]),
            np.concatenate([b.hollow for b in blocks]),
            np.concatenate([b.stall for b in blocks]),
        )


def _subsets(n: int, start: int, stop: int) -> BoolArray:
    codes = np.arange(start, stop, dtype=np.int64)[:, None]
    return np.asarray((codes >> np.arange(n, dtype=np.int64)) & 1, dtype=bool)


def iter_path_blocks(space: PathSpace, block: int = 1 << 16) -> Iterator[PathBlock]:
    """Every canonical path, in blocks of at most ``block`` rows (compliance left out)."""
    n_i, n_s = len(space.items), len(space.steps)
    for stall in (None, *space.stalls):
        ei, es = space.eligible(stall)
        cols = np.concatenate([np.flatnonzero(ei), n_i + np.flatnonzero(es)])
        n = int(cols.size)
        total = 1 << n
        first = 1 if stall is None else 0  # code 0 with no stall is compliance
        for lo in range(first, total, block):
            hi = min(total, lo + block)
            bits = _subsets(n, lo, hi)
            full = np.zeros((hi - lo, n_i + n_s), dtype=bool)
            full[:, cols] = bits
            st = np.full(hi - lo, np.nan if stall is None else stall)
            yield PathBlock(full[:, :n_i], full[:, n_i:], st)


def enumerate_paths(space: PathSpace) -> PathBlock:
    """All canonical paths in one block."""
    return PathBlock.concat(list(iter_path_blocks(space)), len(space.items), len(space.steps))


def brute_force_paths(
    space: PathSpace,
) -> set[tuple[tuple[int, ...], tuple[int, ...], float | None]]:
    """Every combination of hidden items, hollow steps and stall, reduced to canonical form and
    deduplicated — the reference :func:`enumerate_paths` is tested against (small spaces)."""
    n_i, n_s = len(space.items), len(space.steps)
    out: set[tuple[tuple[int, ...], tuple[int, ...], float | None]] = set()
    for stall in (None, *space.stalls):
        lim = math.inf if stall is None else stall
        for hid in itertools.product((False, True), repeat=n_i):
            for hol in itertools.product((False, True), repeat=n_s):
                h = tuple(i for i in range(n_i) if hid[i] and space.items[i].breach_month < lim)
                w = tuple(j for j in range(n_s) if hol[j] and space.steps[j].month < lim)
                if stall is None and not h and not w:
                    continue
                out.add((h, w, stall))
    return out
