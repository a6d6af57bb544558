"""Every command's defaults are in its ``--help`` (issue 16), and the README's fixed steps run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from typer._click.core import Command, Context
from typer.core import TyperArgument as Argument
from typer.core import TyperGroup as Group
from typer.core import TyperOption as Option
from typer.testing import CliRunner

from cvid.cli.registry import build_app

runner = CliRunner()


def _leaves(command: Command, path: str) -> Iterator[tuple[str, Command]]:
    if isinstance(command, Group):
        ctx = Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            yield from _leaves(sub, f"{path} {name}")
    else:
        yield path, command


def _undocumented(command: Command) -> list[str]:
    """Optional parameters whose default the help neither shows nor explains."""
    missing = []
    for param in command.params:
        if param.required or param.name == "help":
            continue
        text = (getattr(param, "help", None) or "").lower()
        if isinstance(param, Option) and (param.is_flag or param.count):
            continue  # a flag is off unless given
        explained = "default" in text or "$cvid" in text
        shown = param.default is not None and getattr(param, "show_default", None) is not False
        if isinstance(param, Argument):
            shown = False  # the help of an argument never shows its default
        if not (explained or shown):
            missing.append(param.opts[-1] if param.opts else str(param.name))
    return missing


def test_every_optional_parameter_documents_its_default() -> None:
    root = typer.main.get_command(build_app())
    problems = {
        path: missing
        for path, command in _leaves(root, "cvid")
        if (missing := _undocumented(command))
    }
    assert problems == {}


def test_keygen_creates_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "keys" / "inner"
    app = build_app()
    r = runner.invoke(
        app,
        [
            "ledger",
            "keygen",
            "--party",
            "iaea",
            "--role",
            "inspectorate",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)
    assert Path(made["private_key_file"]).is_file()
    assert (out / "iaea.pub").is_file()
    # a file where the folder should be is bad input, not a traceback
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = runner.invoke(
        app, ["ledger", "keygen", "--party", "iaea", "--role", "state", "--out", str(blocker)]
    )
    assert r.exit_code == 2
    assert "exists and is not a folder" in r.stderr


def test_sweep_lists_parameters_without_a_scenario() -> None:
    app = build_app()
    alone = runner.invoke(app, ["sweep", "--list-parameters", "--json"])
    assert alone.exit_code == 0, alone.output
    names = json.loads(alone.stdout)
    assert "verification.challenge_inspections_per_year" in names
    given = runner.invoke(app, ["sweep", "libya-2003", "--list-parameters", "--json"])
    assert json.loads(given.stdout) == names
    none = runner.invoke(app, ["sweep"])
    assert none.exit_code == 2
    assert "give a scenario" in none.stderr


@pytest.mark.parametrize("given", [[], ["--random-rsd", "0.01", "--systematic-rsd", "0.005"]])
def test_plan_balance_defaults_are_the_scenario_plan_defaults(given: list[str]) -> None:
    """Without the error options, the errors are MaterialBalancePlan's defaults (1 %, 0.5 %).

    Independent check of σMUF for period 1 of examples/data/sample-balance.csv
    (BI 20, R 10, S 10, EI 20 kg): the random part alone is
    0.01·√(20² + 10² + 10² + 20²) = 0.3162 kg, so σMUF is at least that.
    """
    csv = Path(__file__).parents[2] / "examples" / "data" / "sample-balance.csv"
    r = runner.invoke(build_app(), ["plan", "balance", str(csv), "--json", *given])
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout)["periods"][0]
    assert first["sigma_muf"] >= 0.3162 - 1e-4
    assert first["sigma_muf"] < 0.4


def test_plan_balance_defaults_match_with_explicit_values() -> None:
    csv = Path(__file__).parents[2] / "examples" / "data" / "sample-balance.csv"
    base = ["plan", "balance", str(csv), "--json"]
    app = build_app()
    a = runner.invoke(app, base)
    b = runner.invoke(app, [*base, "--random-rsd", "0.01", "--systematic-rsd", "0.005"])
    assert json.loads(a.stdout) == json.loads(b.stdout)
