"""Which verification methods can verify which commitment: the verification-adequacy table.

A commitment is *verifiable at all* only when, for every class of thing it targets, its
methods meet one row of :data:`ADEQUACY_TABLE`: the row lists groups of methods, and the
commitment needs at least one method from every group. Each row names its source. National
technical means (satellites, seismic and radar networks) appear only in the rows for test
moratoria: they verify the absence of explosions and flight tests and nothing inside a
building. A commitment whose kind and target have no row is taken as verifiable by any
method other than national technical means, and the gap in the table is reported. A
declaration's completeness may draw on the methods of the agreement's safeguards commitment
(``kind = "verify"`` over ``all``, e.g. the Additional Protocol's environmental sampling).
An irreversible act completed before the agreement (``completed_before_agreement``) is
verified afterwards, from what it left: :data:`RETROSPECTIVE_TABLE` holds those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from cvid.results import Result
from cvid.scenario import DIRECT_USE_MATERIALS, SENSITIVE_FACILITY_KINDS, Commitment, Scenario
from cvid.scenario.agreement import VerificationMethod

TargetClass = Literal[
    "weapons",
    "fissile-material",
    "other-material",
    "sensitive-facility",
    "nuclear-facility",
    "test-site",
    "missile-facility",
    "missile",
    "nuclear-testing",
    "missile-testing",
    "undeclared-sites",
    "documents",
    "people",
    "sites",
    "declaration",
]

METHODS: frozenset[str] = frozenset(VerificationMethod.__args__)  # type: ignore[attr-defined]
_NTM = "national-technical-means"


@dataclass(frozen=True)
class AdequacyRow:
    """Commitment kinds × target class → groups of methods (one from each group needed)."""

    kinds: frozenset[str]
    target: TargetClass
    needs: tuple[frozenset[str], ...]
    source: str

    def met_by(self, methods: set[str]) -> bool:
        """True when ``methods`` holds at least one method of every group."""
        return all(group & methods for group in self.needs)

    def describe(self) -> str:
        """The requirement in words: 'a and (b or c)'."""
        return " and ".join(
            "(" + " or ".join(sorted(group)) + ")" if len(group) > 1 else next(iter(group))
            for group in self.needs
        )


def _row(kinds: str, target: TargetClass, needs: list[list[str]], source: str) -> AdequacyRow:
    return AdequacyRow(frozenset(kinds.split()), target, tuple(frozenset(g) for g in needs), source)


_IRREV = "dismantle remove destroy"
_CONTAINMENT = ["on-site-inspection", "seals-and-surveillance", "remote-monitoring"]

#: The table, one sourced row per (kinds, target class).
ADEQUACY_TABLE: tuple[AdequacyRow, ...] = (
    _row(
        "dismantle destroy",
        "weapons",
        [["chain-of-custody", "removal-escort"], ["information-barrier"]],
        "Warhead dismantlement verification needs a chain of custody from the deployed "
        "warhead to its components and information-barrier measurements that authenticate "
        "it without revealing design: UK–Norway Initiative (2007–); IPNDV Phase I summary "
        "report (2017).",
    ),
    _row(
        "remove",
        "weapons",
        [["removal-escort", "chain-of-custody"]],
        "Removal of weapons to another state ends the state's own capability once they leave "
        "its territory under escort or a custody record: Ukraine, Kazakhstan and Belarus "
        "1992–96, all warheads transferred to Russia, their dismantlement there a separate "
        "step (Trilateral Statement 1994-01-14; White House fact sheets 1996-06-01 and "
        "1996-11-24). Authenticating the warhead with an information barrier belongs to its "
        "dismantlement (the 'dismantle' row), not to its removal.",
    ),
    _row(
        "remove",
        "fissile-material",
        [["material-accountancy"], ["removal-escort", "chain-of-custody"]],
        "Libya 2004: the IAEA measured and sealed the UF6 and the HEU fuel and escorted their "
        "removal (IAEA GOV/2004/12, GOV/2004/33); accountancy under INFCIRC/153 §§ 28–32.",
    ),
    _row(
        "remove",
        "other-material",
        [["removal-escort", "chain-of-custody", "material-accountancy"]],
        "Libya, January 2004: UF6 cylinders and uranium ore concentrate shipped out under "
        "IAEA seals and escort (IAEA GOV/2004/12).",
    ),
    _row(
        "dismantle destroy",
        "fissile-material",
        [["material-accountancy"], ["on-site-inspection", "chain-of-custody"]],
        "Disposition of weapon material under verification: Trilateral Initiative (IAEA, "
        "US, Russia, 1996–2002) — measured, then kept under containment and surveillance.",
    ),
    _row(
        "freeze disable",
        "fissile-material",
        [["material-accountancy", "seals-and-surveillance", "on-site-inspection"]],
        "Agreed Framework 1994: the canned spent fuel at Yongbyon was kept under IAEA seals "
        "and surveillance (IAEA GOV/2711, 1994).",
    ),
    _row(
        "freeze disable",
        "sensitive-facility",
        [_CONTAINMENT],
        "Agreed Framework 1994: the IAEA monitored the freeze with inspectors on site, seals "
        "and cameras; Six-Party disablement 2007 was watched by US experts on site.",
    ),
    _row(
        "freeze disable",
        "nuclear-facility",
        [_CONTAINMENT],
        "As for sensitive facilities: a freeze inside a building is seen only on site or "
        "through seals and cameras (IAEA freeze monitoring, 1994–2002).",
    ),
    _row(
        "dismantle destroy",
        "sensitive-facility",
        [["on-site-inspection"], ["environmental-sampling"]],
        "South Africa 1993: IAEA teams verified the dismantled enrichment and weapons "
        "facilities on site (GC(XXXVII)/1075); environmental sampling shows what a plant "
        "produced (INFCIRC/540, Art. 5–6).",
    ),
    _row(
        "remove",
        "sensitive-facility",
        [["removal-escort", "chain-of-custody"]],
        "Libya, January–March 2004: centrifuges and enrichment equipment were packed and "
        "shipped to the US under US, UK and IAEA escort (IAEA GOV/2004/12).",
    ),
    _row(
        _IRREV,
        "nuclear-facility",
        [["on-site-inspection", "removal-escort"]],
        "South Africa 1993 (GC(XXXVII)/1075); Libya 2004 (GOV/2004/33): dismantlement and "
        "removal seen by inspectors.",
    ),
    _row(
        "dismantle destroy",
        "undeclared-sites",
        [["on-site-inspection"], ["environmental-sampling"]],
        "Dismantling what was hidden needs inspectors on site and samples that show what it "
        "did (INFCIRC/540, complementary access and environmental sampling).",
    ),
    _row(
        "dismantle destroy remove",
        "test-site",
        [["on-site-inspection"]],
        "Punggye-ri, 24 May 2018: tunnel entrances demolished before journalists without "
        "experts, so not verified (38 North, 2018-05); CTBT on-site inspection (Art. IV).",
    ),
    _row(
        _IRREV,
        "missile",
        [["on-site-inspection", "removal-escort"]],
        "INF Treaty (1987), Protocol on Elimination: every elimination witnessed by "
        "inspectors; Libya's Scud-C removal in 2004 (State Department fact sheet "
        "2004-09-20).",
    ),
    _row(
        _IRREV,
        "missile-facility",
        [["on-site-inspection", "removal-escort"]],
        "INF Treaty (1987), Protocol on Inspection: elimination of production and launch "
        "facilities confirmed on site.",
    ),
    _row(
        "freeze",
        "nuclear-testing",
        [[_NTM, "remote-monitoring", "on-site-inspection"]],
        "A test moratorium is verified from afar: the CTBT International Monitoring System "
        "and national seismic networks detected all six DPRK tests (2006–2017).",
    ),
    _row(
        "freeze",
        "missile-testing",
        [[_NTM, "remote-monitoring", "on-site-inspection"]],
        "Flight tests are seen by radar and satellites: every DPRK launch is on record "
        "(CNS North Korea missile test database).",
    ),
    _row(
        "declare",
        "declaration",
        [
            ["on-site-inspection"],
            ["environmental-sampling", "material-accountancy"],
            ["document-review"],
            ["interviews"],
        ],
        "Completeness of a declaration: Libya 2004 (GOV/2004/12) was verified with "
        "inspections, environmental samples, the program's records and interviews with its "
        "people (INFCIRC/540 complementary access); South Africa 1993 (GC(XXXVII)/1075) with "
        "inspections, historical operating and accounting records, interviews and the "
        "reconciliation of the Y-plant's past production with the measured HEU inventory "
        "(IAEA Bulletin 37/1; Albright, Science & Global Security 4, 1994).",
    ),
    _row(
        "grant-access",
        "sites",
        [["challenge-inspection", "on-site-inspection"]],
        "Access is verified by using it: challenge inspections (CWC Verification Annex, Part "
        "X) and complementary access (INFCIRC/540, Art. 4).",
    ),
    _row(
        "grant-access",
        "undeclared-sites",
        [["challenge-inspection"]],
        "Access to sites not declared is shown only by challenge inspections there (CWC "
        "Verification Annex, Part X; INFCIRC/540, Art. 4–5).",
    ),
    _row(
        "grant-access",
        "people",
        [["interviews"]],
        "Access to people is shown by interviews held (Libya 2004, GOV/2004/12; South Africa "
        "1993).",
    ),
    _row(
        "grant-access disclose",
        "documents",
        [["document-review"]],
        "Records handed over and read by inspectors (Libya 2004: weapon design documents "
        "flown to the US, GOV/2004/12).",
    ),
    _row(
        "verify",
        "declaration",
        [["on-site-inspection"]],
        "Safeguards and the Additional Protocol are implemented by inspectors on site "
        "(INFCIRC/153, INFCIRC/540).",
    ),
    _row(
        "limit convert",
        "sensitive-facility",
        [
            ["on-site-inspection"],
            ["remote-monitoring", "environmental-sampling", "material-accountancy"],
        ],
        "JCPOA (2015) Annex I §§ 51–52, 67: enrichment caps verified by inspectors with online "
        "enrichment monitors, seals and environmental samples.",
    ),
    _row(
        "limit convert",
        "nuclear-facility",
        [["on-site-inspection"]],
        "JCPOA (2015) Annex I §§ 2–12: the Arak reactor's conversion verified on site.",
    ),
    _row(
        "limit",
        "fissile-material",
        [["material-accountancy"]],
        "JCPOA (2015) Annex I § 56: the 300 kg ceiling on enriched uranium verified by "
        "accountancy.",
    ),
)


#: Rows for an irreversible act completed before the agreement (``completed_before_agreement``)
#: and verified afterwards: the object no longer exists, so no chain of custody or
#: information barrier can be applied to it; the inspectorate verifies the act from its
#: records, its people and the material it left. These rows replace the table's rows for the
#: same target class; other classes keep the table's rows.
RETROSPECTIVE_TABLE: tuple[AdequacyRow, ...] = (
    _row(
        _IRREV,
        "weapons",
        [["material-accountancy"], ["document-review"], ["interviews"]],
        "South Africa 1991–93: six devices dismantled before NPT accession; the IAEA verified "
        "it afterwards from the historical operating and accounting records, the measured "
        "HEU of the cores and interviews, with weapons experts from nuclear-weapon states "
        "on the team (IAEA Bulletin 37/1, von Baeckmann, Dillon & Perricos; GC(XXXVII)/1075, "
        "1993-09-09: 'no indications … that the South African nuclear weapons programme had "
        "not been completely terminated and dismantled').",
    ),
)


class Gap(Result):
    """One target a commitment cannot verify with its methods, and what it would need."""

    target: str = Field(description="The target (an item id, or a reserved name)")
    target_class: str = Field(description="Its class in the adequacy table, or 'any'")
    needs: str = Field(description="The methods it would need, in words")
    source: str = Field(description="Source of the table's row (empty when none)")


class Adequacy(Result):
    """Whether a commitment is verifiable with its methods, with the gaps if not."""

    commitment: str = Field(description="The commitment's id")
    verifiable: bool
    gaps: tuple[Gap, ...]
    rows_missing: tuple[str, ...] = Field(
        default=(), description="'kind × class' pairs the table has no row for"
    )


def _facility_class(kind: str) -> TargetClass:
    if kind in SENSITIVE_FACILITY_KINDS:
        return "sensitive-facility"
    if kind == "test-site":
        return "test-site"
    if kind in ("missile-production", "missile-base"):
        return "missile-facility"
    return "nuclear-facility"


def target_classes(s: Scenario, c: Commitment) -> list[tuple[str, TargetClass]]:
    """Each (target, class) the commitment acts on; reserved names expand to the program's
    items of that group."""
    p = s.program
    if c.kind in ("declare", "verify"):
        return [(",".join(c.targets) or "program", "declaration")]
    if c.kind == "disclose":
        return [(t, "documents") for t in c.targets] or [("documents", "documents")]
    items: list[tuple[str, TargetClass]] = []

    def facilities() -> list[tuple[str, TargetClass]]:
        return [(f.id, _facility_class(f.kind)) for f in p.facilities]

    def materials() -> list[tuple[str, TargetClass]]:
        return [
            (m.id, "fissile-material" if m.kind in DIRECT_USE_MATERIALS else "other-material")
            for m in p.materials
        ]

    kinds = p.item_ids()
    for t in c.targets:
        if c.kind == "grant-access" and t in ("all", "all-facilities"):
            items.append((t, "sites"))
        elif t == "all":
            items += facilities() + materials()
            items += [(w.id, "weapons") for w in p.weapons]
            items += [(m.id, "missile") for m in p.missiles]
        elif t == "all-facilities":
            items += facilities()
        elif t == "all-materials":
            items += materials()
        elif t == "all-weapons":
            items += [(w.id, "weapons") for w in p.weapons] or [(t, "weapons")]
        elif t == "all-missiles":
            items += [(m.id, "missile") for m in p.missiles] or [(t, "missile")]
        elif t == "nuclear-testing":
            items.append((t, "nuclear-testing"))
        elif t in ("missile-testing", "icbm-testing"):
            items.append((t, "missile-testing"))
        elif t in ("documents", "people", "undeclared-sites"):
            items.append((t, t))  # type: ignore[arg-type]
        elif kinds.get(t) == "facility":
            f = p.facility(t)
            items.append((t, "sites" if c.kind == "grant-access" else _facility_class(f.kind)))
        elif kinds.get(t) == "material":
            m = next(m for m in p.materials if m.id == t)
            items.append(
                (t, "fissile-material" if m.kind in DIRECT_USE_MATERIALS else "other-material")
            )
        elif kinds.get(t) == "weapons":
            items.append((t, "weapons"))
        elif kinds.get(t) == "missile":
            items.append((t, "missile"))
    return items


def rows_for(kind: str, target: str, retrospective: bool = False) -> list[AdequacyRow]:
    """The table's rows for a commitment kind and a target class; ``retrospective`` for an
    act completed before the agreement (:data:`RETROSPECTIVE_TABLE` first)."""
    if retrospective:
        rows = [r for r in RETROSPECTIVE_TABLE if kind in r.kinds and r.target == target]
        if rows:
            return rows
    return [r for r in ADEQUACY_TABLE if kind in r.kinds and r.target == target]


def adequacy(s: Scenario, c: Commitment) -> Adequacy:
    """Whether ``c`` is verifiable at all with its methods (module docstring)."""
    methods: set[str] = set(c.verification)
    if c.kind == "declare" and methods:
        # Completeness is verified under the agreement's safeguards (e.g. the Additional
        # Protocol's environmental sampling): methods of a 'verify' commitment over the whole
        # program count for the declaration too.
        for other in s.agreement.commitments:
            if other.kind == "verify" and "all" in other.targets:
                methods |= set(other.verification)
    if not methods:
        gap = Gap(target=",".join(c.targets), target_class="any", needs="any method", source="")
        return Adequacy(commitment=c.id, verifiable=False, gaps=(gap,))
    gaps: list[Gap] = []
    missing: list[str] = []
    seen: set[tuple[str, str]] = set()
    for target, cls in target_classes(s, c):
        if (target, cls) in seen:
            continue
        seen.add((target, cls))
        rows = rows_for(c.kind, cls, c.completed_before_agreement)
        if not rows:
            missing.append(f"{c.kind} × {cls}")
            if not methods - {_NTM}:
                gaps.append(
                    Gap(
                        target=target,
                        target_class=cls,
                        needs="a method other than national technical means",
                        source="National technical means verify test moratoria, nothing "
                        "inside a building.",
                    )
                )
            continue
        if not any(r.met_by(methods) for r in rows):
            gaps.append(
                Gap(
                    target=target,
                    target_class=cls,
                    needs=rows[0].describe(),
                    source=rows[0].source,
                )
            )
    return Adequacy(
        commitment=c.id,
        verifiable=not gaps,
        gaps=tuple(gaps),
        rows_missing=tuple(sorted(set(missing))),
    )


def verifiable(s: Scenario, c: Commitment) -> bool:
    """True when ``c``'s methods can verify it (:func:`adequacy`)."""
    return adequacy(s, c).verifiable
