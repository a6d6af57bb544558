"""One JSON dialect for every result cvid computes, whatever surface prints it.

JSON has no NaN or infinity: a non-finite number is written as ``null`` (an unknown or
undefined figure, e.g. a detection time that never comes). numpy scalars and arrays become
plain numbers and lists; pydantic models and objects with ``to_dict()`` are dumped first.
The CLI's ``--json``, the web API and stored results all go through :func:`jsonable`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of ``value``: non-finite floats → None, numpy → Python, models dumped."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="python", by_alias=True))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return jsonable(value.tolist())
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    return value


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON text in cvid's one dialect (see :func:`jsonable`)."""
    return json.dumps(jsonable(value), indent=indent, ensure_ascii=False, allow_nan=False)


class Result(BaseModel):
    """Base of cvid's typed results: frozen, unknown fields refused, one JSON serializer."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        """Read back what :meth:`to_json` wrote: computed fields (derived from the stored
        fields, ``@computed_field``) are written but not read."""
        computed = cls.__pydantic_computed_fields__
        if not computed or not isinstance(data, Mapping):
            return data
        names = set(computed) | {c.alias for c in computed.values() if c.alias}
        return {k: v for k, v in data.items() if k not in names}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The result as JSON (non-finite numbers as null)."""
        return to_json(self, indent=indent)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready Python data (what :meth:`to_json` writes)."""
        out = jsonable(self)
        assert isinstance(out, dict)
        return out


__all__ = ["Result", "jsonable", "to_json"]
