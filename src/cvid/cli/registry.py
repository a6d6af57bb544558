"""Which module builds each ``cvid`` command, so the console script imports only what it runs.

Each command module is imported only when one of its commands runs, so ``cvid --help`` and
``cvid scenario validate`` do not pay for scipy, pandas or SQLAlchemy. :data:`COMMANDS` says
which module provides each top-level command and its one-line help (a test checks the index
against the full application).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import typer

from cvid.cli.common import CvidGroup

HELP = (
    "Verify denuclearization: would this agreement let a state pretend to disarm, "
    "and would we notice?"
)


def _scenario(app: typer.Typer) -> None:
    from cvid.cli import scenario_cmd

    scenario_cmd.register(app)


def _assess(app: typer.Typer) -> None:
    from cvid.cli import assess_cmd

    assess_cmd.register(app)


def _verify(app: typer.Typer) -> None:
    from cvid.cli import verify_cmd

    verify_cmd.register(app)


def _simulate(app: typer.Typer) -> None:
    from cvid.cli import simulate_cmd

    simulate_cmd.register(app)


def _ledger(app: typer.Typer) -> None:
    from cvid.cli import ledger_cmd

    ledger_cmd.register(app)


def _compliance(app: typer.Typer) -> None:
    # After _ledger: compliance adds `ledger import` and `ledger replay` to the ledger group.
    from cvid.cli import compliance_cmd

    compliance_cmd.register(app)


def _redteam(app: typer.Typer) -> None:
    from cvid.cli import redteam_cmd

    redteam_cmd.register(app)


def _cases(app: typer.Typer) -> None:
    from cvid.cli import cases_cmd

    cases_cmd.register(app)


def _serve(app: typer.Typer) -> None:
    from cvid.cli import serve_cmd

    serve_cmd.register(app)


Registrar = Callable[[typer.Typer], None]

#: Every registrar, in the order the full application attaches them.
REGISTRARS: tuple[Registrar, ...] = (
    _scenario,
    _assess,
    _verify,
    _simulate,
    _ledger,
    _compliance,
    _redteam,
    _cases,
    _serve,
)

#: Top-level command → (registrars that build it, one-line help shown by ``cvid --help``).
COMMANDS: dict[str, tuple[tuple[Registrar, ...], str]] = {
    "scenario": ((_scenario,), "Check, describe and start scenario files."),
    "examples": ((_scenario,), "List the bundled example scenarios."),
    "assess": (
        (_assess,),
        "Assess an agreement against the four lessons: grades, findings and figures.",
    ),
    "plan": ((_verify,), "Plan verification: sampling, balances, search, production."),
    "game": ((_verify,), "Inspection games: equilibria, leadership, Dresher, matrix games."),
    "simulate": (
        (_simulate,),
        "Simulate negotiation strategies against the scenario's counterpart.",
    ),
    "sweep": ((_simulate,), "Simulate strategies over a grid of parameter values, as Dask tasks."),
    "ledger": (
        (_ledger, _compliance),
        "Tamper-evident evidence ledger: signed records in an RFC 9162 Merkle-tree log.",
    ),
    "status": (
        (_compliance,),
        "Status of every commitment derived from the evidence ledger, with findings.",
    ),
    "data": ((_compliance,), "The public datasets that ship with cvid."),
    "redteam": (
        (_redteam,),
        "Red team: the state's best concealment paths, the inspection game, provision values.",
    ),
    "cases": (
        (_cases,),
        "The sourced case library: list and show cases, backtest the four lessons.",
    ),
    "serve": (
        (_serve,),
        "Serve the REST API (/api/v1, OpenAPI at /api/v1/openapi.json) and the web pages.",
    ),
}


def _new_app() -> typer.Typer:
    app = typer.Typer(
        cls=CvidGroup,
        name="cvid",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    # A callback keeps the application a group even when it holds one command (`cvid serve`).
    app.callback()(_root)
    return app


def _root() -> None:
    """The root group has no options of its own."""


def build_app(registrars: Sequence[Registrar] = REGISTRARS) -> typer.Typer:
    """A Typer application with the commands of ``registrars`` attached (all by default)."""
    app = _new_app()
    for register in registrars:
        register(app)
    return app


def _index_app() -> typer.Typer:
    """The top-level help without importing any command module: names and one-line help."""
    app = _new_app()
    for name, (_, short_help) in COMMANDS.items():
        app.command(name, help=short_help, context_settings={"ignore_unknown_options": True})(
            _never_run
        )
    return app


def _never_run() -> None:  # pragma: no cover - the index only prints help
    raise typer.Exit(0)


def _ledger_own(sub: str | None) -> bool:
    """True when ``cvid ledger SUB`` is one of ledger_cmd's own sub-commands, so the
    compliance commands (``ledger import``, ``ledger replay``: scipy, pandas) need not load."""
    if sub is None:
        return False
    from cvid.cli.ledger_cmd import ledger_app

    own = {c.name for c in ledger_app.registered_commands}
    own |= {g.name for g in ledger_app.registered_groups}
    return sub in own


def app_for(argv: Sequence[str]) -> typer.Typer:
    """The smallest application that can run ``argv`` (the arguments after ``cvid``)."""
    words = [a for a in argv if not a.startswith("-")]
    first = words[0] if words else None
    if first is None:
        return _index_app()
    if first not in COMMANDS:
        return build_app()  # let Click report the unknown command with its suggestions
    needed = COMMANDS[first][0]
    if first == "ledger" and _ledger_own(words[1] if len(words) > 1 else None):
        needed = (_ledger,)
    return build_app([r for r in REGISTRARS if r in needed])
