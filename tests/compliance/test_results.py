"""Compliance and data results as frozen typed models: JSON that reads back equal (the keys the
commands always wrote), frozen, non-finite numbers as null.

The results come from the bundled Libya 2003 evidence stream replayed into a SQLite ledger,
the belief tracker over it, the bundled DPRK nuclear-test dataset (src/cvid/data) imported
against tests/compliance/data/leap-day-2012.toml, and the bundled dataset catalogue.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from cvid.compliance import (
    BeliefState,
    ImportReport,
    ReplayReport,
    beliefs,
    import_dataset,
    replay_stream,
)
from cvid.compliance.beliefs import BeliefModel, BeliefPoint, Demand
from cvid.data import Dataset, datasets
from cvid.ledger import Ledger, generate_party_key
from cvid.scenario import load_scenario

HERE = Path(__file__).parent
LIBYA = load_scenario("libya-2003")


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReplayReport, BeliefState]:
    db = tmp_path_factory.mktemp("results") / "libya.db"
    report = replay_stream("libya-2003", db)
    with Ledger.open(db) as led:
        return report, beliefs(led, LIBYA, at="2004-06-30")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> ImportReport:
    s = load_scenario(HERE / "data" / "leap-day-2012.toml")
    obs = generate_party_key("observer", "observer")
    with Ledger.create(tmp_path_factory.mktemp("results") / "dprk.db") as led:
        led.register(obs.public)
        return import_dataset(led, obs, None, "dprk-nuclear-tests", s)


def test_replay_report_round_trips_and_keeps_its_keys(
    replayed: tuple[ReplayReport, BeliefState],
) -> None:
    r, _ = replayed
    assert ReplayReport.model_validate_json(r.to_json()) == r
    d = r.to_dict()
    assert set(d) == {
        *("ledger", "stream", "scenario", "parties"),
        *("appended", "first_index", "last_index"),
    }
    assert d["appended"] == len(r.indices) > 10
    assert r.indices == tuple(range(d["first_index"], d["last_index"] + 1))
    empty = ReplayReport.of("l.db", "s.jsonl", "x", {"a": "state"}, [])
    assert empty.to_dict()["first_index"] is None and empty.indices == ()
    with pytest.raises(ValueError, match="consecutive"):
        ReplayReport.of("l.db", "s.jsonl", "x", {}, [3, 5])


def test_import_report_round_trips_and_keeps_its_keys(imported: ImportReport) -> None:
    assert ImportReport.model_validate_json(imported.to_json()) == imported
    d = imported.to_dict()
    assert d["imported"] == len(d["indices"]) == len(imported.indices) > 0
    assert d["dataset"] == "dprk-nuclear-tests"
    assert set(d) == {
        *("format", "dataset", "file", "sha256", "rows", "imported", "indices"),
        *("skipped_before_agreement", "skipped_other", "unresolved", "first", "last"),
    }


def test_belief_state_round_trips_and_keeps_its_keys(
    replayed: tuple[ReplayReport, BeliefState],
) -> None:
    _, b = replayed
    back = BeliefState.model_validate_json(b.to_json())
    assert back == b
    assert back.to_dict() == b.to_dict()
    d = b.to_dict()
    assert d["types"] == ["sincere", "time-buyer", "hedger"]
    assert d["posterior"] == dict(zip(d["types"], b.posterior, strict=True))
    assert d["most_likely"] == b.most_likely == "sincere"
    assert d["model"] == {"floor": b.floor, "likelihoods": "scenario [counterpart] per-type tables"}
    assert d["at"] == "2004-06-30T23:59:59.999999Z"  # a date counts to its end
    p = d["series"][0]
    assert p["time"].endswith("Z") and set(p["posterior"]) == set(d["types"])
    for part in (b.series[0], b.movers[0], b.next_demands[0], b.model):
        assert isinstance(part, BeliefPoint | Demand | BeliefModel)
        assert type(part).model_validate_json(part.to_json()) == part


def test_datasets_round_trip_without_their_extra_files() -> None:
    for d in datasets():
        j = d.to_dict()
        assert j["file"] == str(d.path) and j["provenance"] == str(d.provenance)
        assert "extra_files" not in j and "path" not in j
        back = Dataset.model_validate_json(d.to_json())
        assert back == d.model_copy(update={"extra_files": ()})


def test_results_are_frozen(
    replayed: tuple[ReplayReport, BeliefState], imported: ImportReport
) -> None:
    r, b = replayed
    with pytest.raises(ValidationError):
        r.appended = 0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        b.records = 0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        b.series[0].shift = 1.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        imported.rows = 0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        datasets()[0].name = "x"  # type: ignore[misc]


def test_non_finite_numbers_are_null(replayed: tuple[ReplayReport, BeliefState]) -> None:
    _, b = replayed
    point = b.series[0].model_copy(update={"shift": math.nan, "posterior": (math.inf, 0.0, 0.0)})
    d = json.loads(point.to_json())
    assert d["shift"] is None
    assert d["posterior"]["sincere"] is None
    m = json.loads(BeliefModel(floor=math.inf).to_json())
    assert m["floor"] is None
