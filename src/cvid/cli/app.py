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
    from cvid.cli import assess_cmd, scenario_cmd

    scenario_cmd.register(app)
    assess_cmd.register(app)

    # further parts register here, one line each:
    __import__("cvid.cli.verify_cmd", fromlist=["register"]).register(app)
    __import__("cvid.cli.ledger_cmd", fromlist=["register"]).register(app)
    __import__("cvid.cli.compliance_cmd", fromlist=["register"]).register(app)
    __import__("cvid.cli.simulate_cmd", fromlist=["register"]).register(app)
    __import__("cvid.cli.serve_cmd", fromlist=["register"]).register(app)


_register()
