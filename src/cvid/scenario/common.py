"""Building blocks of the scenario model: the frozen base model, ids, uncertain quantities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

if TYPE_CHECKING:  # numpy is imported where a sample is drawn, so loading a scenario is fast
    import numpy as np
    from numpy.typing import NDArray

#: A short identifier used to refer to a facility, material, commitment or concession.
Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", min_length=1, max_length=80),
]


class Model(BaseModel):
    """Base of every scenario model: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Estimate(Model):
    """An uncertain non-negative quantity: a point value, a ``low``–``high`` uniform range,
    or a triangular ``low``–``mode``–``high`` distribution. Units come from the field name.

    In TOML write a bare number (``mass_kg = 30.8``) or a table
    (``mass_kg = { low = 20, high = 53, source = "ISIS 2006" }``).
    """

    low: float = Field(ge=0, description="Lowest plausible value (or the point value).")
    high: float = Field(ge=0, description="Highest plausible value.")
    mode: float | None = Field(
        default=None, ge=0, description="Most likely value; makes the distribution triangular."
    )
    source: str = Field(default="", description="Who published this estimate.")

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, bool):
            return data  # let pydantic refuse booleans
        if isinstance(data, int | float):
            if data < 0:
                raise ValueError(f"must not be negative (got {data:g})")
            return {"low": data, "high": data}
        if isinstance(data, dict) and "value" in data:
            rest = {k: v for k, v in data.items() if k != "value"}
            return {"low": data["value"], "high": data["value"], **rest}
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        table = handler(core_schema)
        return {
            "anyOf": [{"type": "number", "minimum": 0}, table],
            "description": "A non-negative number, or a table {low, high[, mode][, source]}.",
        }

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g}) is below low ({self.low:g})")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(
                f"mode ({self.mode:g}) lies outside low–high ({self.low:g}–{self.high:g})"
            )
        return self

    @property
    def is_point(self) -> bool:
        """True when the estimate is a single number."""
        return self.low == self.high

    @property
    def mean(self) -> float:
        """Mean of the distribution (uniform or triangular)."""
        if self.mode is None:
            return (self.low + self.high) / 2.0
        return (self.low + self.mode + self.high) / 3.0

    @property
    def central(self) -> float:
        """The mode where given, else the midpoint."""
        return self.mode if self.mode is not None else (self.low + self.high) / 2.0

    def sample(self, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
        """Draw ``size`` values from the estimate's distribution."""
        import numpy as np

        if self.is_point:
            return np.full(size, self.low)
        if self.mode is None:
            return rng.uniform(self.low, self.high, size)
        return rng.triangular(self.low, self.mode, self.high, size)

    def __str__(self) -> str:
        if self.is_point:
            return f"{self.low:g}"
        if self.mode is None:
            return f"{self.low:g}–{self.high:g}"
        return f"{self.low:g}–{self.high:g} (mode {self.mode:g})"


#: A probability in [0, 1].
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
