"""Command-line interface (Typer). It only calls the public APIs of the other parts.

``app`` is the full application (every command attached), for tests and embedding; the
console script :func:`main` builds only what the command line asks for, so it starts fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from cvid.cli.registry import app_for, build_app

if TYPE_CHECKING:
    import typer

    app: typer.Typer


def main() -> None:
    """Entry point of the ``cvid`` console script."""
    app_for(sys.argv[1:])(prog_name="cvid")


def __getattr__(name: str) -> Any:
    if name == "app":
        full = build_app()
        globals()["app"] = full
        return full
    raise AttributeError(name)


__all__ = ["app", "build_app", "main"]
