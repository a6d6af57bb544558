"""How the report writes numbers and probabilities (also its Jinja filters)."""

from __future__ import annotations

import math
from typing import Any

from cvid.assess.figures import num


def fmt(value: Any, digits: int = 3) -> str:
    """A number for people: ``—`` for missing, ``∞`` for infinity, 3 significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if math.isinf(value):
            return "∞"
        if value == int(value) and abs(value) < 1e6:
            return f"{int(value):,}"
        return num(value, digits)
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, digits) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {fmt(v, digits)}" for k, v in value.items()) or "—"
    return str(value)


def prob(value: float | None, se: float | None = None) -> str:
    """A probability as ``0.42`` or ``0.42 ± 0.01`` (± two standard errors)."""
    if value is None:
        return "—"
    if se is None:
        return f"{value:.2f}"
    return f"{value:.2f} ± {2 * se:.2f}"
