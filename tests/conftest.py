"""Suite-wide rules: in CI a skipped test is a failure; tests that wait on servers time out.

``CVID_NO_SKIP=1`` (set by ``make test`` and so by CI) turns every skip into a failure, so a
missing PostgreSQL, chromium or data file cannot leave CI green with tests that never ran.
"""

from __future__ import annotations

import os

import pytest

NO_SKIP = os.environ.get("CVID_NO_SKIP", "") not in ("", "0")

#: Seconds a test that waits on a server, a database or a browser may take before it fails.
SERVER_TEST_TIMEOUT = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        waits = item.get_closest_marker("browser") or item.get_closest_marker("postgres")
        under_web = "/tests/web/" in str(item.path).replace(os.sep, "/")
        if (waits or under_web) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(SERVER_TEST_TIMEOUT))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if NO_SKIP and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CVID_NO_SKIP=1 (CI must run every test): {reason}"
