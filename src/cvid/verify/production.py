"""Production estimates: what the facilities could have made, against what was declared.

* Plutonium: a natural-uranium, graphite-moderated reactor at low burnup makes about
  0.9–1.0 g Pu per MW(thermal)-day, so Pu (kg) = P_th · days · capacity factor · g/MWd / 1000
  (Albright, Berkhout & Walker, *Plutonium and Highly Enriched Uranium 1996*, SIPRI; the
  project references).
* Enrichment: separative work by the value function V(x) = (2x − 1)·ln(x/(1 − x));
  SWU = P·V(x_p) + T·V(x_t) − F·V(x_f) with F = P(x_p − x_t)/(x_f − x_t) and T = F − P
  (Benedict, Pigford & Levi, *Nuclear Chemical Engineering*, 2nd ed., 1981, ch. 12).

Uncertain inputs are ranges; the estimate is propagated by Monte Carlo (uniform draws over
each range, triangular with a mode) and reported as quantiles, and a declaration is compared
with it: shortfall = estimate − declared, in kg and significant quantities, with the
probability that it exceeds zero and one SQ.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field

from cvid.errors import InputError
from cvid.results import Result
from cvid.scenario import Estimate, Facility, ProductionAssumptions
from cvid.scenario.program import is_producing

FloatArray = NDArray[np.float64]
#: Natural uranium U-235 atom fraction (0.711 wt %).
NATURAL_ASSAY = 0.00711
#: Plutonium made per MW(thermal)-day in a natural-uranium graphite reactor at low burnup.
PU_G_PER_MWD = (0.9, 1.0)


def plutonium_kg(
    thermal_power_mw: ArrayLike,
    days: ArrayLike,
    capacity_factor: ArrayLike,
    g_per_mwd: ArrayLike = 0.95,
) -> FloatArray:
    """Pu made (kg) = P_th (MW) × days × capacity factor × g/MWd ÷ 1000. Broadcasts."""
    out = (
        np.asarray(thermal_power_mw, dtype=np.float64)
        * np.asarray(days, dtype=np.float64)
        * np.asarray(capacity_factor, dtype=np.float64)
        * np.asarray(g_per_mwd, dtype=np.float64)
        / 1000.0
    )
    return np.asarray(out, dtype=np.float64)


def value_function(x: ArrayLike) -> FloatArray:
    """V(x) = (2x − 1)·ln(x/(1 − x)) for an assay 0 < x < 1 (Benedict, Pigford & Levi 1981)."""
    a = np.asarray(x, dtype=np.float64)
    if np.any((a <= 0) | (a >= 1)):
        raise InputError("assays must lie strictly between 0 and 1", field="assay")
    return np.asarray((2 * a - 1) * np.log(a / (1 - a)), dtype=np.float64)


def feed_and_tails(
    product_kg: ArrayLike, xp: float, xf: float, xt: float
) -> tuple[FloatArray, FloatArray]:
    """Feed F = P(x_p − x_t)/(x_f − x_t) and tails T = F − P (kg uranium)."""
    if not 0 < xt < xf < xp < 1:
        raise InputError("need 0 < tails < feed < product assay < 1", field="assay")
    p = np.asarray(product_kg, dtype=np.float64)
    f = p * (xp - xt) / (xf - xt)
    return np.asarray(f, dtype=np.float64), np.asarray(f - p, dtype=np.float64)


def separative_work(
    product_kg: ArrayLike, xp: float, xf: float = NATURAL_ASSAY, xt: float = 0.003
) -> FloatArray:
    """kg-SWU to make ``product_kg`` at assay x_p from feed x_f with tails x_t."""
    f, t = feed_and_tails(product_kg, xp, xf, xt)
    p = np.asarray(product_kg, dtype=np.float64)
    vp, vf, vt = (float(value_function(v)) for v in (xp, xf, xt))
    return np.asarray(p * vp + t * vt - f * vf, dtype=np.float64)


def heu_kg(
    swu: ArrayLike, xp: float = 0.9, xf: float = NATURAL_ASSAY, xt: float = 0.003
) -> FloatArray:
    """kg of enriched product (assay x_p) that ``swu`` kg-SWU makes: SWU ÷ SWU per kg product."""
    per_kg = float(separative_work(1.0, xp, xf, xt))
    return np.asarray(np.asarray(swu, dtype=np.float64) / per_kg, dtype=np.float64)


# --- a scenario facility's monthly production -----------------------------------------------


@dataclass(frozen=True)
class MonthlyProduction:
    """A facility's production of direct-use material: ``constant × Π factors`` kg a month of
    ``material`` ("plutonium", or "heu" counted as kg of U-235)."""

    material: str
    constant: float
    factors: tuple[Estimate, ...]


def monthly_production(f: Facility, a: ProductionAssumptions) -> MonthlyProduction | None:
    """How much direct-use material facility ``f`` makes a month, or None if it makes none.

    Reactors: Pu = P_th × CF × days a year ÷ 12 × g/MWd ÷ 1000 (:func:`plutonium_kg`).
    Enrichment plants: kg U-235 = SWU a year ÷ 12 ÷ SWU per kg product × product assay
    (:func:`heu_kg`). Only a facility that produces unless stopped does
    (:func:`cvid.scenario.program.is_producing`: operating, of unknown status, or under
    construction with a start of operation). The one formula of the simulator
    (``cvid.negotiate``, which also times a start) and the red team (``cvid.redteam``).
    """
    if not is_producing(f):
        return None
    if f.kind == "reactor" and f.thermal_power_mw is not None:
        cf = f.capacity_factor or Estimate(low=1.0, high=1.0)
        days = float(plutonium_kg(1.0, f.operating_days_per_year / 12.0, 1.0, 1.0))
        return MonthlyProduction("plutonium", days, (f.thermal_power_mw, cf, a.plutonium_g_per_mwd))
    if f.kind == "enrichment" and f.separative_capacity_swu_per_year is not None:
        per_swu = float(heu_kg(1.0, a.heu_product_assay, a.feed_assay, a.tails_assay))
        constant = per_swu * a.heu_product_assay / 12.0
        return MonthlyProduction("heu", constant, (f.separative_capacity_swu_per_year,))
    return None


# --- ranges and records -------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """An uncertain input: uniform on [low, high], or triangular with a mode."""

    low: float
    high: float
    mode: float | None = None

    @classmethod
    def parse(cls, value: Any, name: str) -> Range:
        """A number, ``"lo:hi"``, ``"lo:mode:hi"``, a two-list or ``{low, high[, mode]}``."""
        try:
            if isinstance(value, bool):
                raise TypeError
            if isinstance(value, int | float):
                r = cls(float(value), float(value))
            elif isinstance(value, str):
                parts = [float(p) for p in value.split(":")]
                if len(parts) == 1:
                    r = cls(parts[0], parts[0])
                elif len(parts) == 2:
                    r = cls(parts[0], parts[1])
                elif len(parts) == 3:
                    r = cls(parts[0], parts[2], parts[1])
                else:
                    raise ValueError
            elif isinstance(value, list | tuple) and len(value) == 2:
                r = cls(float(value[0]), float(value[1]))
            elif isinstance(value, dict):
                r = cls(float(value["low"]), float(value["high"]), value.get("mode"))
            else:
                raise TypeError
        except (TypeError, ValueError, KeyError):
            raise InputError(
                f"expected a number, LOW:HIGH or LOW:MODE:HIGH, got {value!r}", field=name
            ) from None
        r.check(name)
        return r

    def check(self, name: str) -> None:
        vals = [self.low, self.high] + ([self.mode] if self.mode is not None else [])
        if not all(math.isfinite(v) for v in vals) or self.low < 0:
            raise InputError("values must be finite and non-negative", field=name)
        if self.high < self.low:
            raise InputError(f"high {self.high:g} is below low {self.low:g}", field=name)
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise InputError("mode must lie between low and high", field=name)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        if self.low == self.high:
            return np.full(size, self.low)
        if self.mode is None:
            return rng.uniform(self.low, self.high, size)
        return rng.triangular(self.low, self.mode, self.high, size)


@dataclass(frozen=True)
class Campaign:
    """One irradiation campaign of a reactor (or a run of an enrichment plant)."""

    name: str
    days: float
    thermal_power_mw: Range
    capacity_factor: Range
    separated_fraction: Range = field(default_factory=lambda: Range(1.0, 1.0))
    source: str = ""


class Quantiles(Result):
    """5 %, 50 % and 95 % quantiles of a Monte Carlo distribution."""

    p05: float
    median: float
    p95: float


class EstimateQuantiles(Quantiles):
    """Quantiles and the mean of the production estimate (kg)."""

    mean: float


class DeclarationCheck(Result):
    """Estimate against declaration, with the uncertainty of the estimate (kg; SQ)."""

    material: str
    declared_kg: float
    significant_quantity_kg: float
    estimate_kg: EstimateQuantiles
    shortfall_kg: Quantiles = Field(description="Estimate − declared, kg")
    shortfall_sq: Quantiles = Field(description="Estimate − declared, SQ")
    probability_shortfall: float
    probability_shortfall_one_sq: float
    replications: int
    campaigns: tuple[dict[str, Any], ...] = Field(
        description="Per campaign: name, days, separated_kg quantiles and source; or the "
        "enrichment's SWU range"
    )


def compare_declaration(
    estimate_draws: ArrayLike,
    declared_kg: float,
    significant_quantity_kg: float,
    material: str = "plutonium",
    campaigns: list[dict[str, Any]] | None = None,
) -> DeclarationCheck:
    """Shortfall = estimate − declared, quantiles in kg and SQ, P(shortfall > 0) and
    P(shortfall > 1 SQ) over the draws."""
    x = np.asarray(estimate_draws, dtype=np.float64)
    if not (math.isfinite(declared_kg) and declared_kg >= 0):
        raise InputError(f"must be a non-negative number, got {declared_kg!r}", field="declared_kg")
    q = np.quantile(x, [0.05, 0.5, 0.95])
    short = x - declared_kg
    sq = significant_quantity_kg
    qs = np.quantile(short, [0.05, 0.5, 0.95])
    return DeclarationCheck(
        material=material,
        declared_kg=declared_kg,
        significant_quantity_kg=sq,
        estimate_kg=EstimateQuantiles(
            p05=float(q[0]), median=float(q[1]), p95=float(q[2]), mean=float(x.mean())
        ),
        shortfall_kg=Quantiles(p05=float(qs[0]), median=float(qs[1]), p95=float(qs[2])),
        shortfall_sq=Quantiles(
            p05=float(qs[0] / sq), median=float(qs[1] / sq), p95=float(qs[2] / sq)
        ),
        probability_shortfall=float(np.mean(short > 0)),
        probability_shortfall_one_sq=float(np.mean(short > sq)),
        replications=int(x.size),
        campaigns=tuple(campaigns or ()),
    )


def plutonium_draws(
    campaigns: list[Campaign],
    g_per_mwd: Range,
    replications: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, list[dict[str, Any]]]:
    """Monte Carlo draws of separated Pu (kg) summed over campaigns; g/MWd is one draw per
    replication shared by all campaigns (the same reactor physics), the rest independent."""
    if replications < 1:
        raise InputError(f"must be at least 1, got {replications}", field="replications")
    g = g_per_mwd.sample(rng, replications)
    total = np.zeros(replications)
    rows = []
    for c in campaigns:
        made = plutonium_kg(
            c.thermal_power_mw.sample(rng, replications),
            c.days,
            c.capacity_factor.sample(rng, replications),
            g,
        )
        sep = made * c.separated_fraction.sample(rng, replications)
        total += sep
        q = np.quantile(sep, [0.05, 0.5, 0.95])
        rows.append(
            {
                "name": c.name,
                "days": c.days,
                "separated_kg": {"p05": float(q[0]), "median": float(q[1]), "p95": float(q[2])},
                "source": c.source,
            }
        )
    return total, rows


def load_record(path: str | Path) -> tuple[dict[str, Any], list[Campaign]]:
    """Read a production record (TOML): ``[declaration]`` with ``declared_kg`` (and optional
    ``material``, ``g_per_mwd``), and ``[[campaign]]`` tables with ``name``, ``start`` and
    ``end`` dates (or ``days``), ``thermal_power_mw``, ``capacity_factor`` and optional
    ``separated_fraction`` and ``source``."""
    p = Path(path)
    src = str(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", source=src) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", source=src) from None
    decl = data.get("declaration")
    if not isinstance(decl, dict) or "declared_kg" not in decl:
        raise InputError(
            "needs a [declaration] table with declared_kg", source=src, field="declaration"
        )
    raw = data.get("campaign")
    if not isinstance(raw, list) or not raw:
        raise InputError("needs at least one [[campaign]] table", source=src, field="campaign")
    campaigns: list[Campaign] = []
    for i, c in enumerate(raw):
        where = f"campaign[{i}]"
        if not isinstance(c, dict):
            raise InputError("must be a table", source=src, field=where)
        try:
            if "days" in c:
                days = float(c["days"])
            else:
                start, end = c["start"], c["end"]
                if not isinstance(start, date) or not isinstance(end, date):
                    raise InputError("start and end must be TOML dates", source=src, field=where)
                days = float((end - start).days)
            if not days > 0:
                raise InputError("must last a positive number of days", source=src, field=where)
            campaigns.append(
                Campaign(
                    name=str(c.get("name", where)),
                    days=days,
                    thermal_power_mw=Range.parse(
                        c["thermal_power_mw"], f"{where}.thermal_power_mw"
                    ),
                    capacity_factor=Range.parse(c["capacity_factor"], f"{where}.capacity_factor"),
                    separated_fraction=Range.parse(
                        c.get("separated_fraction", 1.0), f"{where}.separated_fraction"
                    ),
                    source=str(c.get("source", "")),
                )
            )
        except KeyError as exc:
            raise InputError(f"missing {exc.args[0]}", source=src, field=where) from None
        except InputError as exc:
            raise InputError(exc.reason, source=src, field=exc.field) from None
        cf = campaigns[-1].capacity_factor
        sf = campaigns[-1].separated_fraction
        if cf.high > 1 or sf.high > 1:
            raise InputError("fractions must not exceed 1", source=src, field=where)
    return decl, campaigns


def example_record_path(name: str = "dprk-2008") -> Path:
    """Path of a bundled production record (``dprk-2008``: the June 2008 declaration against
    the Yongbyon 5 MWe reactor's operating history)."""
    from importlib import resources

    p = Path(str(resources.files("cvid") / "examples" / "data" / f"{name}-production.toml"))
    if not p.is_file():
        raise InputError("no bundled production record by that name", source=name)
    return p
