"""Packaging: the optional extras match the modules the code asks for, the set-up installs all
of them, and a missing one is a one-line error naming its extra (exit status 2)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cvid._optional import EXTRAS, require
from cvid.errors import CvidError, MissingDependency

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRA_DEPS: dict[str, list[str]] = PROJECT["optional-dependencies"]

#: Distribution name (as pyproject spells it) → the module it provides.
MODULE_OF = {"dask": "distributed", "python-multipart": "multipart"}


def _modules(requirements: list[str]) -> set[str]:
    out = set()
    for req in requirements:
        name = re.split(r"[\[<>=!~ ]", req, maxsplit=1)[0]
        if name == "dask" and "distributed" in req:
            out.add("distributed")
        else:
            out.add(MODULE_OF.get(name, name))
    return out


def test_extras_are_the_ones_the_code_asks_for() -> None:
    for extra, modules in EXTRAS.items():
        assert _modules(EXTRA_DEPS[extra]) == set(modules), extra
    assert EXTRA_DEPS["all"] == [f"cvid[{','.join(EXTRAS)}]"]


def test_no_extra_package_is_a_core_dependency() -> None:
    core = _modules(PROJECT["dependencies"])
    for modules in EXTRAS.values():
        assert not core & set(modules)


def test_the_set_up_installs_every_extra() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[all,dev,bench]'" in makefile
    for modules in EXTRAS.values():
        for module in modules:
            assert importlib.util.find_spec(module) is not None, module


def test_a_missing_extra_names_it() -> None:
    with pytest.raises(MissingDependency) as err:
        require("cvid_no_such_module", "sweep", "cvid sweep")
    assert isinstance(err.value, CvidError)
    assert "pip install 'cvid[sweep]'" in str(err.value)
    assert require("json", "sweep", "x").__name__ == "json"


def test_a_missing_extra_is_one_line_and_exit_2_on_the_command_line(tmp_path: Path) -> None:
    """Run ``cvid sweep`` in a Python that cannot import ``distributed`` (a module of that
    name that raises ImportError, first on the path), the way a base install would."""
    fake = tmp_path / "distributed"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('not installed', name='distributed')\n")
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); from cvid.cli import main; "
        "sys.argv = ['cvid'] + sys.argv[1:]; main()"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "sweep",
            "libya-2003",
            "--vary",
            "detection_probability=0.1:0.2:2",
            "--runs",
            "10",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'cvid[sweep]'" in done.stderr
    assert "Traceback" not in done.stderr
