"""Errors that every part of cvid raises for a user's mistake or a failed check.

An :class:`InputError` names where the bad input is (file, field path) and why it is bad;
the CLI prints it as one line and exits 2. A :class:`CheckFailed` means a check ran and
found a problem (for instance tampering in a ledger); the CLI exits 1.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class CvidError(Exception):
    """Base class of cvid's own errors."""


class InputError(CvidError, ValueError):
    """Bad input from a user: names the source (file or argument), the field path and the reason."""

    def __init__(self, reason: str, *, source: str | None = None, field: str | None = None) -> None:
        self.reason = reason
        self.source = source
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line: ``source: field: reason`` with the parts that are known."""
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.reason])


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the known name closest to a mistyped ``name`` (difflib ratio
    at least 0.5), or an empty string: the one hint every "unknown …" error carries."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


class CheckFailed(CvidError):
    """A check ran and failed (exit status 1): tampering found, a proof that does not verify."""


class MissingDependency(CvidError):
    """An optional dependency a command needs is not installed: names the ``pip`` extra."""

    def __init__(self, module: str, extra: str, what: str, detail: str = "") -> None:
        self.module = module
        self.extra = extra
        more = f" ({detail})" if detail else ""
        super().__init__(
            f"{what} needs the optional package {module!r}, not installed{more}; "
            f"install it with: pip install 'cvid[{extra}]'"
        )
