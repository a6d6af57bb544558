"""The example notebook runs from top to bottom (nbclient), so it never rots."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

NOTEBOOK = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "cvid"
    / "examples"
    / "notebooks"
    / "scenario-to-report.ipynb"
)


@pytest.mark.slow
def test_notebook_runs_and_writes_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # The kernel spec starts "python": make it this environment's interpreter.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors == []
    report = tmp_path / "dprk-2018-step-by-step-report.html"
    assert report.stat().st_size > 100_000
    # The assessment rendered itself as HTML, and the figure was displayed as SVG.
    mimes = {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert {"text/html", "image/svg+xml"} <= mimes
