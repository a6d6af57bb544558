"""One JSON dialect: non-finite numbers are null, numpy and models become plain JSON."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pytest
from pydantic import ValidationError

from cvid.results import Result, jsonable, to_json


class Figure(Result):
    name: str
    value: float
    when: date | None = None


def test_non_finite_numbers_are_null_everywhere() -> None:
    data = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": np.float64("nan"), "d": (1, 2)}
    assert jsonable(data) == {"a": None, "b": [None, None, 1.5], "c": None, "d": [1, 2]}
    text = to_json(data)
    assert "NaN" not in text
    assert "Infinity" not in text
    assert json.loads(text)["b"] == [None, None, 1.5]


def test_numpy_and_models() -> None:
    arr = np.array([[1.0, np.nan], [2.0, 3.0]])
    assert jsonable(arr) == [[1.0, None], [2.0, 3.0]]
    assert jsonable(np.int64(7)) == 7
    assert isinstance(jsonable(np.int64(7)), int)
    fig = Figure(name="sigma_muf", value=math.nan, when=date(2004, 3, 10))
    assert json.loads(fig.to_json()) == {"name": "sigma_muf", "value": None, "when": "2004-03-10"}


def test_results_are_frozen_and_strict() -> None:
    fig = Figure(name="x", value=1.0)
    with pytest.raises(ValidationError):
        fig.value = 2.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Figure(name="x", value=1.0, extra=1)  # type: ignore[call-arg]
