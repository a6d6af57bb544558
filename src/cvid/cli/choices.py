"""The CLI's fixed choices as enums: typer shows them in ``--help`` and refuses any other
value with exit status 2, naming the option and the choices. Kept free of heavy imports (the
CLI starts fast); a test keeps :class:`Outcome` equal to the simulator's outcomes."""

from __future__ import annotations

from enum import StrEnum


class FailOn(StrEnum):
    """``cvid assess --fail-on``: the grade from which the exit status is 1."""

    FAIL = "fail"
    WARN = "warn"


class ReportFormat(StrEnum):
    """``cvid assess --format``: the report's format (cvid.assess.FORMATS)."""

    HTML = "html"
    PDF = "pdf"


class Outcome(StrEnum):
    """``cvid sweep --outcome``: an outcome of a run (cvid.negotiate.OUTCOMES)."""

    VERIFIED_CVID = "verified_cvid"
    EXPOSED = "exposed"
    BREAKDOWN = "breakdown"
    STALEMATE = "stalemate"
    CONFLICT = "conflict"
    RUNNING = "running"


__all__ = ["FailOn", "Outcome", "ReportFormat"]
