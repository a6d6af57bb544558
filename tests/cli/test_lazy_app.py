"""The console script builds only the commands it needs; its help index matches the full app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main
from typer._click.core import Context
from typer.core import TyperGroup as Group

from cvid.cli.registry import COMMANDS, app_for, build_app

CVID = str(Path(sys.executable).with_name("cvid"))


def _commands(app: typer.Typer) -> dict[str, str]:
    group = typer.main.get_command(app)
    assert isinstance(group, Group)
    ctx = Context(group)
    out = {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        out[name] = command.get_short_help_str(limit=300)
    return out


def test_help_index_matches_the_full_application() -> None:
    assert _commands(app_for([])) == _commands(build_app())
    assert set(COMMANDS) == set(_commands(build_app()))


def test_each_command_gets_what_it_needs() -> None:
    full = _commands(build_app())
    for name in COMMANDS:
        part = _commands(app_for([name, "--help"]))
        assert name in part
        assert part[name] == full[name]
        assert set(part) <= set(full)
    # `ledger` carries the compliance sub-commands too.
    ledger = typer.main.get_command(app_for(["ledger"]))
    assert isinstance(ledger, Group)
    sub = ledger.get_command(Context(ledger), "ledger")
    assert isinstance(sub, Group)
    assert {"import", "replay", "append"} <= set(sub.list_commands(Context(sub)))


def test_help_and_validate_do_not_import_the_heavy_parts() -> None:
    code = (
        "import sys; from cvid.cli import main; sys.argv = ['cvid'] + sys.argv[1:]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('scipy', 'pandas', 'sqlalchemy', 'pyarrow', 'matplotlib')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    for args in (["--help"], ["scenario", "validate", "libya-2003"]):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        ).stdout
        assert "HEAVY []" in out, (args, out)


def test_unknown_command_is_a_usage_error() -> None:
    done = subprocess.run([CVID, "asess"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "asess" in done.stderr


def test_ledger_proof_loads_neither_compliance_nor_record_models(tmp_path: Path) -> None:
    """``cvid ledger proof`` (issue 17: start in under 1 s) needs the database and the tree,
    not the compliance commands (scipy, pandas) nor the record models it never validates."""
    db = str(tmp_path / "l.db")
    subprocess.run([CVID, "ledger", "replay", db, "libya-2003"], capture_output=True, check=True)
    code = (
        "import sys; from cvid.cli import main; sys.argv = ['cvid'] + sys.argv[1:]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('scipy', 'pandas', 'pyarrow', 'matplotlib', 'cvid.compliance',"
        " 'cvid.ledger.records', 'cvid.ledger.audit') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "ledger", "proof", db, "3"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "HEAVY []" in out, out
    assert "root hash" in out
