"""The domain's shared words: groups of commitment kinds, facility kinds and missile classes.

One home for every set of words that more than one part of cvid reads (the lessons, the
scope, the red team, the belief model, the simulator), so they cannot drift apart. The
literal types a scenario file may use (``CommitmentKind``, ``FacilityKind``, …) live beside
the models that use them; the groups below name what those words *mean* to the analysis.
"""

from __future__ import annotations

from typing import Literal

#: Kinds of commitment that make a step hard to undo: elimination (irreversibility, lesson 4).
IRREVERSIBLE_KINDS: frozenset[str] = frozenset({"dismantle", "remove", "destroy"})
#: Kinds of commitment that only pause or slow the program (lesson 2: relief for them warns).
REVERSIBLE_KINDS: frozenset[str] = frozenset({"freeze", "disable"})
#: Kinds of commitment that stop declared production once verified: a pause or an elimination.
STOPPING_KINDS: frozenset[str] = REVERSIBLE_KINDS | IRREVERSIBLE_KINDS
#: Kinds of commitment by which the state tells what it has.
DECLARING_KINDS: frozenset[str] = frozenset({"declare", "disclose"})
#: Kinds of commitment that expose a hidden program (with irreversible ones they are "hard"
#: acts, the costly signals a time-buyer avoids: the belief model and the simulator).
EXPOSING_KINDS: frozenset[str] = frozenset({"grant-access", "disclose"})
#: Reserved targets whose access exposes a hidden program (op-ed lesson 3: anywhere, anytime,
#: people and documents).
EXPOSING_TARGETS: frozenset[str] = frozenset({"undeclared-sites", "people", "documents"})

#: Facilities whose existence alone gives a path to weapon-usable material.
SENSITIVE_FACILITY_KINDS: frozenset[str] = frozenset({"enrichment", "reprocessing"})
#: Facilities that make weapon-usable material (plutonium in reactors, separated by
#: reprocessing; HEU by enrichment): a freeze of these stops production.
MATERIAL_PRODUCTION_KINDS: frozenset[str] = frozenset({"reactor", "enrichment", "reprocessing"})

#: Missile classes as a scenario names them: short-, medium-, intermediate-range and
#: intercontinental ballistic missiles, submarine-launched, space launch vehicles, cruise.
MissileClass = Literal["srbm", "mrbm", "irbm", "icbm", "slbm", "slv", "cruise"]

__all__ = [
    "DECLARING_KINDS",
    "EXPOSING_KINDS",
    "EXPOSING_TARGETS",
    "IRREVERSIBLE_KINDS",
    "MATERIAL_PRODUCTION_KINDS",
    "REVERSIBLE_KINDS",
    "SENSITIVE_FACILITY_KINDS",
    "STOPPING_KINDS",
    "MissileClass",
]
