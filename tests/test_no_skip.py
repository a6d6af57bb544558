"""Under CVID_NO_SKIP=1 (CI) a skipped test fails; without it a skip stays a skip."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")
PROBE = """
import pytest

def test_skips():
    pytest.skip("no data")

@pytest.mark.skipif(True, reason="marked")
def test_marked():
    pass

@pytest.mark.xfail(reason="known", strict=False)
def test_xfail():
    assert False
"""


def test_skips_fail_under_the_ci_flag(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(PROBE)
    monkeypatch.setenv("CVID_NO_SKIP", "1")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # A skip in the call fails the test; a skip mark (set-up phase) makes it an error.
    result.assert_outcomes(failed=1, errors=1, xfailed=1)
    monkeypatch.setenv("CVID_NO_SKIP", "0")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(skipped=2, xfailed=1)
