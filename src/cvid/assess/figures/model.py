"""What a figure is before it is drawn: :class:`FigureData`, and the number format the
figures and the report share."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import Field

from cvid.results import Result


def num(x: float, digits: int = 6) -> str:
    """``x`` with at most ``digits`` significant digits and never in scientific notation
    (``1e-05`` reads as a typo to most readers of a report): ``0.0000123``, ``1230000``."""
    x = float(x)
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return str(
        np.format_float_positional(x, precision=digits, unique=False, fractional=False, trim="-")
    )


class FigureData(Result):
    """One figure: its numbers and what they come from.

    ``data`` is JSON-ready (the golden tests compare it); ``inputs`` names the scenario fields
    the figure depends on, with their values; ``source`` names the formula's source.
    """

    id: str
    title: str
    description: str
    xlabel: str
    ylabel: str
    data: dict[str, Any]
    inputs: dict[str, Any] = Field(default_factory=dict)
    source: str = ""


def floats(a: Any) -> list[float]:
    """``a`` (a sequence or array) as a list of Python floats."""
    return [float(x) for x in np.asarray(a, dtype=np.float64)]


def pct(p: float) -> str:
    """A share as a whole percentage, ``42 %``."""
    return f"{100.0 * p:.0f} %"
