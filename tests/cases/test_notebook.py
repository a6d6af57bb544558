"""The backtest notebook is a valid notebook that reruns the backtest from top to bottom."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks import read_notebook, run_notebook

NOTEBOOK = "cases-backtest.ipynb"


def test_notebook_is_valid_and_calls_the_backtest() -> None:
    nb = read_notebook(NOTEBOOK)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "backtest(" in source and "load_catalog()" in source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored clean


@pytest.mark.slow
def test_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = run_notebook(NOTEBOOK, tmp_path, monkeypatch)
    assert (tmp_path / "cases-backtest.html").read_text().startswith("<!doctype html>")
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if "text" in o)
    assert "Spearman" in text and "Brier" in text
