"""The shared vocabulary (cvid.scenario.vocabulary) speaks the scenario language: every word of
every group is a word a scenario file may use, and the parts that read a group read the one
definition (issue 17: one home per rule)."""

from __future__ import annotations

import importlib
from typing import get_args

from cvid.scenario import vocabulary as v
from cvid.scenario.agreement import RESERVED_TARGETS, CommitmentKind
from cvid.scenario.program import FacilityKind, MissileSystem


def test_commitment_kind_groups_are_commitment_kinds() -> None:
    kinds = set(get_args(CommitmentKind))
    for name in (
        "IRREVERSIBLE_KINDS",
        "REVERSIBLE_KINDS",
        "STOPPING_KINDS",
        "DECLARING_KINDS",
        "EXPOSING_KINDS",
    ):
        group = getattr(v, name)
        assert group and group <= kinds, (name, group - kinds)
    assert not v.IRREVERSIBLE_KINDS & v.REVERSIBLE_KINDS
    assert v.STOPPING_KINDS == v.IRREVERSIBLE_KINDS | v.REVERSIBLE_KINDS


def test_facility_groups_and_targets_are_scenario_words() -> None:
    facilities = set(get_args(FacilityKind))
    assert v.SENSITIVE_FACILITY_KINDS <= v.MATERIAL_PRODUCTION_KINDS <= facilities
    assert set(RESERVED_TARGETS) >= v.EXPOSING_TARGETS


def test_one_missile_class_vocabulary() -> None:
    """The program's missiles and the agreement's missile scope take the same classes."""
    from cvid.scenario.agreement import MissileScope

    program = MissileSystem.model_fields["missile_class"].annotation
    scope = MissileScope.model_fields["classes"].annotation
    classes = get_args(v.MissileClass)
    assert classes and get_args(program) == classes
    (item,) = get_args(scope)  # list[MissileClass]
    assert get_args(item) == classes


def test_readers_use_the_shared_groups() -> None:
    """The red team and the belief model read the shared sets, not copies of their own."""
    beliefs = importlib.import_module("cvid.compliance.beliefs")  # the package's
    paths = importlib.import_module("cvid.redteam.paths")  # names shadow the modules

    assert beliefs.EXPOSING_KINDS is v.EXPOSING_KINDS
    assert beliefs.EXPOSING_TARGETS is v.EXPOSING_TARGETS
    assert paths.STOPPING_KINDS is v.STOPPING_KINDS
    assert paths.IRREVERSIBLE_KINDS is v.IRREVERSIBLE_KINDS


def test_one_outcome_vocabulary() -> None:
    """Every outcome the engine produces has one label, read by the CLI, the plots and the
    report (they used to carry three copies, the report's without 'exposed' or 'conflict')."""
    from cvid.assess import figures
    from cvid.negotiate import OUTCOME_LABELS, OUTCOMES

    assert set(OUTCOME_LABELS) == set(OUTCOMES)
    assert figures.OUTCOME_LABELS is OUTCOME_LABELS


def test_cli_outcome_choices_are_the_simulators_outcomes() -> None:
    from cvid.cli.choices import Outcome
    from cvid.negotiate import OUTCOMES

    assert {o.value for o in Outcome} == set(OUTCOMES)
