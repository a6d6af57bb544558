"""Running the bundled example notebooks from top to bottom (nbclient), shared by the tests
of each notebook."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "src" / "cvid" / "examples" / "notebooks"


def read_notebook(name: str) -> nbformat.NotebookNode:
    """The bundled notebook ``name`` (``NAME.ipynb`` under examples/notebooks), validated."""
    nb: nbformat.NotebookNode = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    return nb


def run_notebook(
    name: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> nbformat.NotebookNode:
    """Execute the bundled notebook ``name`` in ``workdir`` with this environment's kernel and
    return it with its outputs; fails if any cell raised."""
    # The kernel spec starts "python": make it this environment's interpreter.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    nb = read_notebook(name)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
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
    return nb
