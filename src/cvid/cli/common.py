"""Helpers shared by the CLI commands: consoles, JSON output and error exits."""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from typer._click.core import Context
from typer.core import TyperGroup

from cvid.errors import CheckFailed, CvidError, InputError

#: Human output goes to stdout; errors and progress to stderr.
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

#: Rich styles of grades and finding severities, shared by every command that prints them.
GRADE_STYLE = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red"}
SEVERITY_STYLE = {"info": "dim", "warn": "yellow", "fail": "red"}

#: The ``--json`` switch of every command whose JSON is "the result".
JSON_OPT = typer.Option(False, "--json", help="Print the result as JSON.")

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


def emit_json(payload: Any) -> None:
    """Print ``payload`` as indented JSON on stdout."""
    from cvid.results import to_json  # pydantic: only when JSON is asked for

    sys.stdout.write(to_json(payload) + "\n")


def finding_line(severity: str, message: str, where: str = "") -> Text:
    """One indented finding: its severity in colour, the message, and where it comes from."""
    return Text.assemble(
        ("  ", ""),
        (f"{severity:>4}", SEVERITY_STYLE.get(severity, "")),
        ("  ", ""),
        (message, ""),
        (where, "dim"),
    )


def fail_input(reason: str, *, source: str | None = None, field: str | None = None) -> None:
    """Stop the command with a bad-input error (exit 2)."""
    raise InputError(reason, source=source, field=field)


class CvidGroup(TyperGroup):
    """Root command group: turns cvid's errors into one message and an exit status."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            err_console.print(f"[bold red]error:[/] {escape(exc.describe())}", soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except CheckFailed as exc:
            err_console.print(f"[bold red]check failed:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(EXIT_CHECK_FAILED) from None
        except CvidError as exc:  # e.g. an optional tool such as WeasyPrint is missing
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
