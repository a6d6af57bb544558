"""Shared fixtures: the report of every bundled example, built once per test session."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cvid.assess import Report, build_report
from cvid.scenario import examples

EXAMPLES = [name for name, _ in examples()]
#: A fixed generation time so two builds of one report are byte-identical.
GENERATED = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
#: Runs per strategy in the tests (the CLI default is 10,000; fewer keeps the tests quick).
RUNS = 4000


@pytest.fixture(scope="session")
def reports() -> dict[str, Report]:
    """The report of every bundled example, simulation included."""
    return {
        name: build_report(name, runs=RUNS, seed=7, generated_at=GENERATED) for name in EXAMPLES
    }
