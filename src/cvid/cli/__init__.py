"""Command-line interface (Typer). It only calls the public APIs of the other parts."""

from __future__ import annotations

from cvid.cli.app import app


def main() -> None:
    """Entry point of the ``cvid`` console script."""
    app()


__all__ = ["app", "main"]
