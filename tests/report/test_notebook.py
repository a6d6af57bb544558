"""The example notebook runs from top to bottom (nbclient), so it never rots."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.notebooks import run_notebook


@pytest.mark.slow
def test_notebook_runs_and_writes_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = run_notebook("scenario-to-report.ipynb", tmp_path, monkeypatch)
    report = tmp_path / "dprk-2018-step-by-step-report.html"
    assert report.stat().st_size > 100_000
    # The assessment rendered itself as HTML, and the figure was displayed as SVG.
    mimes = {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert {"text/html", "image/svg+xml"} <= mimes
