"""Scenario files: a state's program and an agreement with it, loaded from TOML.

>>> from cvid.scenario import load_scenario
>>> s = load_scenario("libya-2003")          # a bundled example, or a path to a .toml file
>>> s.agreement.provisions.access
'anywhere-anytime'
"""

from __future__ import annotations

from cvid.scenario.agreement import (
    RESERVED_TARGETS,
    Agreement,
    Commitment,
    Concession,
    Provisions,
)
from cvid.scenario.common import Estimate
from cvid.scenario.counterpart import (
    COUNTERPART_TYPES,
    CounterpartModel,
    ProductionAssumptions,
    TypePrior,
)
from cvid.scenario.load import (
    ScenarioError,
    example_path,
    examples,
    load_scenario,
    loads_scenario,
    scenario_from_dict,
)
from cvid.scenario.model import Meta, Scenario
from cvid.scenario.pressure import INSTRUMENT_KINDS, Instrument, Pressure
from cvid.scenario.program import (
    DIRECT_USE_MATERIALS,
    SIGNIFICANT_QUANTITY_KG,
    Facility,
    Material,
    MissileSystem,
    Program,
    WeaponStock,
)
from cvid.scenario.redteam import RedTeamAssumptions
from cvid.scenario.regime import AttributeSamplingPlan, MaterialBalancePlan, VerificationRegime
from cvid.scenario.schema import scenario_json_schema
from cvid.scenario.strategy import PRESET_STRATEGY_NAMES, RESERVED_STRATEGY_NAMES, StrategySpec
from cvid.scenario.template import render_template
from cvid.scenario.thresholds import LessonThresholds
from cvid.scenario.vocabulary import (
    DECLARING_KINDS,
    EXPOSING_KINDS,
    EXPOSING_TARGETS,
    IRREVERSIBLE_KINDS,
    MATERIAL_PRODUCTION_KINDS,
    REVERSIBLE_KINDS,
    SENSITIVE_FACILITY_KINDS,
    STOPPING_KINDS,
    MissileClass,
)

__all__ = [
    "COUNTERPART_TYPES",
    "DECLARING_KINDS",
    "DIRECT_USE_MATERIALS",
    "EXPOSING_KINDS",
    "EXPOSING_TARGETS",
    "INSTRUMENT_KINDS",
    "IRREVERSIBLE_KINDS",
    "MATERIAL_PRODUCTION_KINDS",
    "PRESET_STRATEGY_NAMES",
    "RESERVED_STRATEGY_NAMES",
    "RESERVED_TARGETS",
    "REVERSIBLE_KINDS",
    "SENSITIVE_FACILITY_KINDS",
    "SIGNIFICANT_QUANTITY_KG",
    "STOPPING_KINDS",
    "Agreement",
    "AttributeSamplingPlan",
    "Commitment",
    "Concession",
    "CounterpartModel",
    "Estimate",
    "Facility",
    "Instrument",
    "LessonThresholds",
    "Material",
    "MaterialBalancePlan",
    "Meta",
    "MissileClass",
    "MissileSystem",
    "Pressure",
    "ProductionAssumptions",
    "Program",
    "Provisions",
    "RedTeamAssumptions",
    "Scenario",
    "ScenarioError",
    "StrategySpec",
    "TypePrior",
    "VerificationRegime",
    "WeaponStock",
    "example_path",
    "examples",
    "load_scenario",
    "loads_scenario",
    "render_template",
    "scenario_from_dict",
    "scenario_json_schema",
]
