"""What is in scope for CVID, and how far the agreement takes each item: the one definition.
Lesson 4 applies it (:func:`item_coverage`) and carries the result in its figures
(``items``, ``checklist``); the end-state figure and the report's checklist read those
figures and derive nothing themselves.

An item of the program is in scope when its elimination is part of complete denuclearization:

* nuclear facilities (reactors, enrichment, reprocessing, conversion, fuel fabrication,
  weapons design and assembly, test sites) not already dismantled, except civil items the
  agreement lets the state keep under safeguards (``provisions.civil_items_retained``; an
  enrichment or reprocessing plant is never a civil item: keeping one is retained
  enrichment or reprocessing);
* direct-use material (plutonium, HEU, U-233) and UF6;
* every weapon stock;
* missiles by range and payload (:func:`missile_in_scope`): MTCR Category I by default,
  at least 500 kg to at least 300 km, plus any class the agreement or UN resolutions name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SkipValidation, model_serializer
from typing_extensions import TypedDict

from cvid.results import Result
from cvid.scenario import (
    DIRECT_USE_MATERIALS,
    IRREVERSIBLE_KINDS,
    SENSITIVE_FACILITY_KINDS,
    Commitment,
    Scenario,
)
from cvid.scenario.program import MissileSystem
from cvid.verify.adequacy import verifiable

#: Facility kinds that belong to the nuclear weapons program proper.
NUCLEAR_FACILITY_KINDS = frozenset(
    {
        "reactor",
        "enrichment",
        "reprocessing",
        "conversion",
        "fuel-fabrication",
        "weapons-design",
        "weapons-assembly",
        "test-site",
    }
)
#: Missile classes whose range always exceeds the MTCR's 300 km (IRBMs 3,000–5,500 km, ICBMs
#: beyond 5,500 km, SLBMs and space launchers of ICBM class).
STRATEGIC_MISSILES = frozenset({"icbm", "irbm", "slbm", "slv"})
#: The shortest range of each class by definition, km (US DoD usage: MRBM 1,000–3,000 km).
CLASS_MIN_RANGE_KM: dict[str, float] = {
    "mrbm": 1000.0,
    "irbm": 3000.0,
    "icbm": 5500.0,
    "slbm": 1000.0,
    "slv": 5500.0,
}

ItemKind = Literal["facility", "material", "weapons", "missile"]
#: How far the agreement takes an item in scope, from best to worst (the end-state figure
#: keeps this order): an undeclared item is ``until-found`` whatever targets it.
ItemStatus = Literal[
    "irreversible-verified",
    "irreversible-unverified",
    "reversible-only",
    "not-covered",
    "until-found",
]
ITEM_STATUS_ORDER: tuple[ItemStatus, ...] = (
    "irreversible-verified",
    "irreversible-unverified",
    "reversible-only",
    "not-covered",
    "until-found",
)


class ScopeItem(Result):
    """A program item that the end state must eliminate, with where it sits in the file."""

    item_id: str
    kind: ItemKind
    label: str
    path: str = Field(description="Path in the scenario file, e.g. program.facilities[0]")
    declared: bool
    sensitive: bool
    reason: str = Field(description="Why a missile is in scope; empty for other items")

    def __init__(
        self,
        item_id: str,
        kind: ItemKind,
        label: str,
        path: str,
        declared: bool,
        sensitive: bool,
        reason: str,
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            item_id=item_id,
            kind=kind,
            label=label,
            path=path,
            declared=declared,
            sensitive=sensitive,
            reason=reason,
        )


def missile_in_scope(s: Scenario, m: MissileSystem) -> tuple[bool, str]:
    """Whether a missile is in scope, and why (range and payload against the scope's
    thresholds; a class named in ``missile_scope.classes`` is in whatever its figures)."""
    scope = s.agreement.provisions.missile_scope
    if m.missile_class in scope.classes:
        return True, f"its class ({m.missile_class}) is named in scope"
    if m.missile_class == "cruise" and (m.range_km is None or m.payload_kg is None):
        return False, "a cruise missile without stated range and payload"
    rng = m.range_km.high if m.range_km is not None else CLASS_MIN_RANGE_KM.get(m.missile_class)
    if rng is None:
        return False, f"range not stated for a {m.missile_class.upper()} (may be under 300 km)"
    payload = m.payload_kg.high if m.payload_kg is not None else None
    if rng < scope.min_range_km:
        return False, f"range {rng:g} km is under {scope.min_range_km:g} km"
    if payload is not None and payload < scope.min_payload_kg:
        return False, f"payload {payload:g} kg is under {scope.min_payload_kg:g} kg"
    basis = "stated" if m.range_km is not None else "by class"
    pay = "payload not stated, taken as nuclear-capable" if payload is None else f"{payload:g} kg"
    return True, f"range ≥ {scope.min_range_km:g} km ({basis}), {pay}"


def scope_items(s: Scenario) -> list[ScopeItem]:
    """Every program item in CVID scope (module docstring)."""
    p = s.program
    kept = set(s.agreement.provisions.civil_items_retained)
    out: list[ScopeItem] = []
    for i, f in enumerate(p.facilities):
        if f.kind not in NUCLEAR_FACILITY_KINDS or f.status == "dismantled":
            continue
        sensitive = f.kind in SENSITIVE_FACILITY_KINDS
        if f.id in kept and not sensitive:
            continue
        label = f"{'Undeclared ' if not f.declared else ''}{f.kind} facility '{f.id}'"
        out.append(
            ScopeItem(
                f.id, "facility", label, f"program.facilities[{i}]", f.declared, sensitive, ""
            )
        )
    for i, m in enumerate(p.materials):
        if (m.kind in DIRECT_USE_MATERIALS or m.kind == "uf6") and m.id not in kept:
            out.append(
                ScopeItem(
                    m.id,
                    "material",
                    f"{m.kind} stock '{m.id}'",
                    f"program.materials[{i}]",
                    True,
                    m.kind in DIRECT_USE_MATERIALS,
                    "",
                )
            )
    for i, w in enumerate(p.weapons):
        out.append(
            ScopeItem(w.id, "weapons", f"Weapons '{w.id}'", f"program.weapons[{i}]", True, True, "")
        )
    for i, ms in enumerate(p.missiles):
        inside, why = missile_in_scope(s, ms)
        if inside:
            out.append(
                ScopeItem(
                    ms.id,
                    "missile",
                    f"{ms.missile_class.upper()} '{ms.id}'",
                    f"program.missiles[{i}]",
                    True,
                    False,
                    why,
                )
            )
    return out


def covering(s: Scenario, item_id: str, item_kind: str, declared: bool = True) -> list[Commitment]:
    """Commitments whose targets include this program item, by id or by a reserved name.

    A commitment on ``undeclared-sites`` reaches an undeclared item, but covers it only once
    the item is found (:func:`item_coverage`)."""
    group = {
        "facility": "all-facilities",
        "material": "all-materials",
        "weapons": "all-weapons",
        "missile": "all-missiles",
    }[item_kind]
    names = {item_id, "all", group}
    if not declared:
        names.add("undeclared-sites")
    return [c for c in s.agreement.commitments if names & set(c.targets)]


class _CommitmentJSON(TypedDict):
    id: str
    kind: str
    deadline_months: float
    verification: list[str]


class _CoverageJSON(TypedDict):
    """What :class:`ItemCoverage` writes (lesson 4's ``figures["items"]``)."""

    id: str
    category: ItemKind
    name: str
    kind: str
    declared: bool
    status: ItemStatus
    commitments: list[_CommitmentJSON]


class ItemCoverage(Result):
    """An item in scope with the commitments that reach it and how far they take it.

    ``status``: ``irreversible-verified`` when a dismantle, remove or destroy commitment with
    adequate verification (:func:`cvid.verify.adequacy.verifiable`) covers it — the only
    status that counts as covered for CVID; ``irreversible-unverified`` when such a step
    exists but nothing can verify it; ``reversible-only`` when it is only frozen, declared
    or inspected; ``not-covered``; ``until-found`` for an undeclared item not yet declared or
    found (nothing can be dismantled before it is found), unless a verifiable irreversible
    act completed before the agreement names it (it was done already)."""

    item: ScopeItem
    name: str
    item_kind: str = Field(description="Facility kind, material kind, weapons or missile class")
    status: ItemStatus
    commitments: SkipValidation[tuple[Commitment, ...]]

    def __init__(
        self,
        item: ScopeItem,
        name: str,
        item_kind: str,
        status: ItemStatus,
        commitments: tuple[Commitment, ...],
    ) -> None:
        super().__init__(  # type: ignore[call-arg]
            item=item, name=name, item_kind=item_kind, status=status, commitments=commitments
        )

    @property
    def covered(self) -> bool:
        """Whether the item counts as covered for CVID (``irreversible-verified``)."""
        return self.status == "irreversible-verified"

    @model_serializer(mode="plain")
    def _as_json(self) -> _CoverageJSON:
        """The item flattened, with each commitment's id, kind, deadline and methods."""
        return {
            "id": self.item.item_id,
            "category": self.item.kind,
            "name": self.name,
            "kind": self.item_kind,
            "declared": self.item.declared,
            "status": self.status,
            "commitments": [
                {
                    "id": c.id,
                    "kind": c.kind,
                    "deadline_months": float(c.deadline_months),
                    "verification": list(c.verification),
                }
                for c in self.commitments
            ],
        }


def item_coverage(s: Scenario, found: frozenset[str] = frozenset()) -> list[ItemCoverage]:
    """Every item in scope (:func:`scope_items`) with its status (:class:`ItemCoverage`).

    ``found``: undeclared items the evidence shows declared or found; once found, a
    commitment on ``undeclared-sites`` reaches them like any other."""
    p = s.program
    names: dict[str, tuple[str, str]] = {f.id: (f.name or f.id, f.kind) for f in p.facilities}
    names |= {m.id: (m.name or m.id, m.kind) for m in p.materials}
    names |= {w.id: (w.name or w.id, "weapons") for w in p.weapons}
    names |= {m.id: (m.name or m.id, m.missile_class) for m in p.missiles}
    out: list[ItemCoverage] = []
    for item in scope_items(s):
        cs = covering(s, item.item_id, item.kind, item.declared)
        strong = [c for c in cs if c.kind in IRREVERSIBLE_KINDS]
        status: ItemStatus
        # An irreversible act completed before the agreement on an item it names, and
        # verifiable from what it left (cvid.verify.adequacy.RETROSPECTIVE_TABLE), is not
        # waiting to be found: it was done, and the inspectorate verifies it afterwards
        # (South Africa's devices and the Circle facility, dismantled 1990–91 and verified by
        # the IAEA in 1993: IAEA Bulletin 37/1; GC(XXXVII)/1075).
        done_before = any(
            c.completed_before_agreement and item.item_id in c.targets and verifiable(s, c)
            for c in strong
        )
        if not item.declared and item.item_id not in found and not done_before:
            status = "until-found"
        elif any(verifiable(s, c) for c in strong):
            status = "irreversible-verified"
        elif strong:
            status = "irreversible-unverified"
        elif cs:
            status = "reversible-only"
        else:
            status = "not-covered"
        out.append(ItemCoverage(item, *names[item.item_id], status, tuple(cs)))
    return out
