"""Schemathesis against the service's OpenAPI document over real HTTP: whatever it generates
(valid and invalid requests, as admin and as observer), the server never answers 5xx.

Schemathesis's pytest plugin does not run under pytest 9, so each operation's strategy is
driven by Hypothesis directly.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.web.conftest import Deployment

schemathesis = pytest.importorskip("schemathesis")
pytestmark = pytest.mark.slow


def _operations(d: Deployment) -> list[Any]:
    schema = schemathesis.openapi.from_url(d.url + "/api/v1/openapi.json")
    schema.config.base_url = d.url
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_no_server_errors_on_generated_requests(sqlite_dep: Deployment, mode: Any) -> None:
    operations = _operations(sqlite_dep)
    assert len(operations) >= 20
    headers = {
        role: {"Authorization": f"Bearer {sqlite_dep.tokens[role]}"}
        for role in ("admin", "observer")
    }
    calls = 0
    for op in operations:

        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=op.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            nonlocal calls
            for role, h in headers.items():
                response = case.call(headers=h, timeout=60)
                calls += 1
                assert response.status_code < 500, (
                    f"{role}: {case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:500]}"
                )

        try:
            check()
        except Unsatisfiable:  # nothing to make invalid (an operation without inputs)
            assert mode == schemathesis.GenerationMode.NEGATIVE
    assert calls >= 2 * len(operations)
