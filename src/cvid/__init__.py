"""cvid: verify denuclearization.

Parts (each a subpackage with a small public API):
``scenario`` (program and agreement files), ``verify`` (verification science),
``negotiate`` (strategy simulator), ``ledger`` (signed evidence log),
``compliance`` (status from evidence), ``assess`` (the scorecard and report).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from cvid.errors import CheckFailed, CvidError, InputError

try:
    __version__ = version("cvid")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["CheckFailed", "CvidError", "InputError", "__version__"]
