"""cvid: verify denuclearization.

Parts (each a subpackage with a small public API):
``scenario`` (program and agreement files), ``verify`` (verification science),
``negotiate`` (strategy simulator), ``ledger`` (signed evidence log),
``compliance`` (status from evidence), ``assess`` (the scorecard and report).
"""

from __future__ import annotations

from typing import Any

from cvid.errors import CheckFailed, CvidError, InputError


def __getattr__(name: str) -> Any:
    """``cvid.__version__``, read from the installed metadata on first use (fast start)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("cvid")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            return "0.0.0"
    raise AttributeError(name)


__all__ = ["CheckFailed", "CvidError", "InputError", "__version__"]
