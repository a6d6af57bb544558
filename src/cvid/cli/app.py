"""The ``cvid`` command: one Typer application, one sub-command group per part."""

from __future__ import annotations

import typer

from cvid.cli.common import CvidGroup

app = typer.Typer(
    cls=CvidGroup,
    name="cvid",
    help="Verify denuclearization: would this agreement let a state pretend to disarm, "
    "and would we notice?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    """Attach every command module (imported here so that `cvid --help` lists them all)."""
    from cvid.cli import (
        assess_cmd,
        compliance_cmd,
        ledger_cmd,
        redteam_cmd,
        scenario_cmd,
        serve_cmd,
        simulate_cmd,
        verify_cmd,
    )

    # ledger before compliance: compliance adds `ledger import` and `ledger replay`.
    for module in (
        scenario_cmd,
        assess_cmd,
        verify_cmd,
        simulate_cmd,
        ledger_cmd,
        compliance_cmd,
        redteam_cmd,
        serve_cmd,
    ):
        module.register(app)


_register()
