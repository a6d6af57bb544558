"""Material balance accountancy: MUF, σMUF, the covariance of a balance sequence, CUMUF,
SITMUF, Page's test and the test on the total MUF, with detection and false-alarm
probabilities in closed (or Markov-chain) form and by vectorized Monte Carlo.

Sources: Avenhaus & Canty, *Compliance Quantified* (1996), ch. 3–4 (MUF, σMUF, sequences of
balances, the total-MUF test); Jaech, *Statistical Methods in Nuclear Material Control* (1973)
(multiplicative error model); Page, *Biometrika* 41 (1954) (the CUSUM test); Brook & Evans,
*Biometrika* 59 (1972) (average run lengths by a Markov chain); Avenhaus & Jaech, *J. Amer.
Statist. Assoc.* 76 (1981) (the total-MUF test is most powerful for a fixed horizon).

Measurement model (Jaech 1973): a measured quantity is x̃ = x(1 + r + s), r random per
measurement with relative standard deviation δr, s systematic, shared by all measurements of
one stratum (inventory, receipts, shipments) in one calibration period, with δs.
The inventory taken at the end of period t is the beginning inventory of period t + 1: one
measurement, one random error, which is why neighbouring balances are correlated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy import linalg, optimize, stats

from cvid.errors import InputError
from cvid.results import Result

FloatArray = NDArray[np.float64]
Stratum = Literal["inventory", "receipts", "shipments"]
STRATA: tuple[Stratum, ...] = ("inventory", "receipts", "shipments")


@dataclass(frozen=True)
class ErrorModel:
    """Relative standard deviations of random and systematic errors per measurement stratum.

    ``calibration_periods``: number of balance periods that share one systematic error
    (None = one systematic error per stratum for the whole horizon).
    """

    random_rsd: dict[str, float] = field(
        default_factory=lambda: {"inventory": 0.01, "receipts": 0.01, "shipments": 0.01}
    )
    systematic_rsd: dict[str, float] = field(
        default_factory=lambda: {"inventory": 0.005, "receipts": 0.005, "shipments": 0.005}
    )
    calibration_periods: int | None = None

    def __post_init__(self) -> None:
        for kind, table in (
            ("random_rsd", self.random_rsd),
            ("systematic_rsd", self.systematic_rsd),
        ):
            for s in STRATA:
                v = table.get(s)
                if v is None:
                    raise InputError(f"missing the {s} stratum", field=kind)
                if not (math.isfinite(v) and v >= 0):
                    raise InputError(f"{s}: must be a non-negative number, got {v!r}", field=kind)
        if self.calibration_periods is not None and self.calibration_periods < 1:
            raise InputError(
                f"must be at least 1, got {self.calibration_periods}", field="calibration_periods"
            )

    @classmethod
    def uniform(
        cls, random_rsd: float, systematic_rsd: float, calibration_periods: int | None = None
    ) -> ErrorModel:
        """The same δr and δs for every stratum (the ``cvid plan balance`` default)."""
        return cls(
            {s: random_rsd for s in STRATA},
            {s: systematic_rsd for s in STRATA},
            calibration_periods,
        )


@dataclass(frozen=True)
class BalanceSequence:
    """Balance periods: beginning inventory, receipts, shipments, ending inventory (kg).

    The ending inventory of period t must equal the beginning inventory of period t + 1 (it is
    the same physical inventory).
    """

    beginning_inventory: FloatArray
    receipts: FloatArray
    shipments: FloatArray
    ending_inventory: FloatArray

    @classmethod
    def from_arrays(
        cls,
        beginning_inventory: ArrayLike,
        receipts: ArrayLike,
        shipments: ArrayLike,
        ending_inventory: ArrayLike,
        *,
        source: str | None = None,
    ) -> BalanceSequence:
        """Validate and build: equal lengths, finite non-negative values, chained inventories."""
        cols = {
            "beginning_inventory": np.asarray(beginning_inventory, dtype=np.float64).ravel(),
            "receipts": np.asarray(receipts, dtype=np.float64).ravel(),
            "shipments": np.asarray(shipments, dtype=np.float64).ravel(),
            "ending_inventory": np.asarray(ending_inventory, dtype=np.float64).ravel(),
        }
        n = {len(v) for v in cols.values()}
        if len(n) != 1:
            raise InputError("columns have different lengths", source=source)
        if n == {0}:
            raise InputError("no balance periods", source=source)
        for name, v in cols.items():
            bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
            if bad.size:
                raise InputError(
                    f"period {bad[0] + 1}: must be a finite number ≥ 0, got {v[bad[0]]!r}",
                    source=source,
                    field=name,
                )
        bi, ei = cols["beginning_inventory"], cols["ending_inventory"]
        mismatch = np.flatnonzero(~np.isclose(ei[:-1], bi[1:], rtol=1e-9, atol=1e-9))
        if mismatch.size:
            t = int(mismatch[0])
            raise InputError(
                f"period {t + 2}: beginning inventory {bi[t + 1]:g} differs from the ending "
                f"inventory {ei[t]:g} of period {t + 1} (they are one physical inventory)",
                source=source,
                field="beginning_inventory",
            )
        return cls(bi, cols["receipts"], cols["shipments"], ei)

    @property
    def periods(self) -> int:
        return int(self.receipts.shape[0])

    @property
    def inventories(self) -> FloatArray:
        """The T + 1 physical inventories I_0 … I_T."""
        return np.concatenate([self.beginning_inventory[:1], self.ending_inventory])


def muf(
    beginning_inventory: ArrayLike,
    receipts: ArrayLike,
    shipments: ArrayLike,
    ending_inventory: ArrayLike,
) -> FloatArray:
    """Material unaccounted for per period: MUF = BI + R − S − EI (kg; Avenhaus & Canty 1996,
    eq. 3.1)."""
    return np.asarray(
        np.asarray(beginning_inventory, dtype=np.float64)
        + np.asarray(receipts, dtype=np.float64)
        - np.asarray(shipments, dtype=np.float64)
        - np.asarray(ending_inventory, dtype=np.float64),
        dtype=np.float64,
    )


def sigma_muf(
    beginning_inventory: ArrayLike,
    receipts: ArrayLike,
    shipments: ArrayLike,
    ending_inventory: ArrayLike,
    random_rsd: float,
    systematic_rsd: float,
    *,
    same_calibration: bool = True,
    receipt_batches: int = 1,
    shipment_batches: int = 1,
) -> FloatArray:
    """Standard deviation of one balance's MUF (kg) under x̃ = x(1 + r + s):

    σ² = δr²(BI² + R²/B_R + S²/B_S + EI²) + δs²(BI² + EI² − 2·BI·EI) + δs²(R² + S²),

    where receipts and shipments come in B_R and B_S equal batches, each measured with its
    own random error (so their random variance is B·δr²(R/B)² = δr²R²/B) and all sharing
    one systematic error (a class of B batches, Avenhaus & Canty 1996, §3.1). There is one
    systematic error for receipts, one for shipments and — when BI and EI are measured
    in the same calibration period — one shared by both inventories, hence the −2·BI·EI·δs²
    term (Avenhaus & Canty 1996, eq. 3.12; Jaech 1973, §6). ``same_calibration=False`` drops
    that covariance (the inventories then carry independent systematic errors).
    """
    bi = np.asarray(beginning_inventory, dtype=np.float64)
    r = np.asarray(receipts, dtype=np.float64)
    s = np.asarray(shipments, dtype=np.float64)
    ei = np.asarray(ending_inventory, dtype=np.float64)
    if receipt_batches < 1 or shipment_batches < 1:
        raise InputError("must be at least 1", field="receipt_batches")
    rnd = random_rsd**2 * (bi**2 + r**2 / receipt_batches + s**2 / shipment_batches + ei**2)
    cross = -2.0 * bi * ei * systematic_rsd**2 if same_calibration else 0.0
    sys = systematic_rsd**2 * (bi**2 + ei**2 + r**2 + s**2) + cross
    return np.asarray(np.sqrt(rnd + sys), dtype=np.float64)


def _blocks(periods: int, calibration_periods: int | None) -> tuple[NDArray[np.intp], ...]:
    """Calibration block of each inventory I_0..I_T, receipt and shipment of periods 1..T.

    Period t (1-based) belongs to block (t − 1) // c; the inventory I_t taken at the end of
    period t belongs to period t's block, I_0 to block 0.
    """
    c = calibration_periods or periods
    t = np.arange(1, periods + 1)
    flows = (t - 1) // c
    inv = np.concatenate([[0], flows]).astype(np.intp)
    return inv, flows.astype(np.intp), flows.astype(np.intp)


def muf_covariance(seq: BalanceSequence, errors: ErrorModel) -> FloatArray:
    """The full T × T covariance matrix Σ of the MUF sequence (kg²).

    Σ = A·C·Aᵀ with A the balance operator (MUF_t = I_{t−1} + R_t − S_t − I_t) and C the
    covariance of all measurement errors: random (x·δr)² on the diagonal; systematic x_j·x_k·δs²
    for two measurements of one stratum in one calibration period (Avenhaus & Canty 1996,
    §3.3; Jaech 1973). Neighbouring balances share an inventory, so Σ is tridiagonal in its
    random part and full in its systematic part.
    """
    t_n = seq.periods
    inv = seq.inventories
    inv_b, rec_b, shp_b = _blocks(t_n, errors.calibration_periods)
    # Loadings of each MUF on each measured quantity's relative error.
    a_inv = np.zeros((t_n, t_n + 1))
    idx = np.arange(t_n)
    a_inv[idx, idx] = inv[:-1]
    a_inv[idx, idx + 1] = -inv[1:]
    a_rec = np.diag(seq.receipts)
    a_shp = -np.diag(seq.shipments)
    cov = np.zeros((t_n, t_n))
    for a, blocks, s in (
        (a_inv, inv_b, "inventory"),
        (a_rec, rec_b, "receipts"),
        (a_shp, shp_b, "shipments"),
    ):
        dr, ds = errors.random_rsd[s], errors.systematic_rsd[s]
        cov += dr**2 * (a @ a.T)
        # Systematic: sum of loadings within each block, outer product.
        nb = int(blocks.max()) + 1
        g = np.zeros((a.shape[1], nb))
        g[np.arange(a.shape[1]), blocks] = 1.0
        b = a @ g
        cov += ds**2 * (b @ b.T)
    return np.asarray((cov + cov.T) / 2.0, dtype=np.float64)


def cholesky_factor(cov: ArrayLike, *, source: str | None = None) -> FloatArray:
    """Lower Cholesky factor L of Σ = L·Lᵀ (scipy.linalg.cholesky); a covariance that is not
    positive definite (e.g. zero measurement errors, or an empty stratum) is an InputError."""
    sigma = np.asarray(cov, dtype=np.float64)
    if sigma.ndim != 2 or sigma.shape[0] != sigma.shape[1]:
        raise InputError("covariance must be a square matrix", source=source, field="covariance")
    try:
        return np.asarray(linalg.cholesky(sigma, lower=True), dtype=np.float64)
    except linalg.LinAlgError:
        raise InputError(
            "covariance matrix of the balances is singular (not positive definite): some "
            "period has zero measurement uncertainty",
            source=source,
            field="covariance",
        ) from None


def cumuf(muf_values: ArrayLike) -> FloatArray:
    """Cumulative MUF: CUMUF_t = Σ_{u ≤ t} MUF_u (Avenhaus & Canty 1996, §3.4)."""
    return np.cumsum(np.asarray(muf_values, dtype=np.float64), axis=-1)


def sitmuf(muf_values: ArrayLike, cov: ArrayLike) -> FloatArray:
    """Standardized independent transformed MUF: y = L⁻¹·MUF with Σ = L·Lᵀ (Cholesky).

    y_t depends only on MUF_1..MUF_t (L is lower triangular), so y_1 = MUF_1/σ_1; without
    diversion the y_t are independent N(0, 1) (Avenhaus & Canty 1996, §4.3). Accepts one
    sequence (T,) or a batch (…, T).
    """
    lower = cholesky_factor(cov)
    x = np.asarray(muf_values, dtype=np.float64)
    y = linalg.solve_triangular(lower, np.moveaxis(x, -1, 0), lower=True)
    return np.asarray(np.moveaxis(y, 0, -1), dtype=np.float64)


def page_statistic(y: ArrayLike, k: float) -> FloatArray:
    """Page's CUSUM: S_0 = 0, S_t = max(0, S_{t−1} + y_t − k), with −k from the first step
    (Page 1954). Works along the last axis of a batch."""
    x = np.asarray(y, dtype=np.float64)
    out = np.empty_like(x)
    s = np.zeros(x.shape[:-1])
    for t in range(x.shape[-1]):
        s = np.maximum(0.0, s + x[..., t] - k)
        out[..., t] = s
    return out


def page_first_alarm(y: ArrayLike, k: float, h: float) -> int | None:
    """First period (1-based) where Page's statistic exceeds h, or None."""
    s = page_statistic(y, k)
    hits = np.flatnonzero(s > h)
    return int(hits[0]) + 1 if hits.size else None


# --- Markov-chain (Brook & Evans 1972) results for Page's test ---------------------------


def _chain(k: float, h: float, states: int) -> tuple[FloatArray, float]:
    """State grid of the Brook–Evans chain: state 0 is S = 0; states 1..m−1 are the mid-points
    of m − 1 intervals of width w = 2h/(2m − 1) (Brook & Evans 1972, §2)."""
    w = 2.0 * h / (2 * states - 1)
    centres = np.arange(states, dtype=np.float64) * w
    return centres, w


def _transitions(centres: FloatArray, w: float, k: float, mu: float) -> FloatArray:
    """Transition matrix among the non-alarm states for y ~ N(mu, 1)."""
    c = centres
    # From state i, S' = c_i + y − k. State 0 collects S' ≤ w/2; state j collects
    # (c_j − w/2, c_j + w/2].
    upper = c[None, :] + w / 2.0 - c[:, None] + k - mu
    cdf_up = stats.norm.cdf(upper)
    cdf_lo = np.concatenate([np.zeros((len(c), 1)), cdf_up[:, :-1]], axis=1)
    return np.asarray(cdf_up - cdf_lo, dtype=np.float64)


def page_arl(k: float, h: float, shift: float = 0.0, states: int = 400) -> float:
    """Average run length of Page's test on N(shift, 1) data, S_0 = 0, alarm when S > h:
    ARL = e₀ᵀ(I − R)⁻¹·1 with R the Brook–Evans transition matrix (Brook & Evans 1972)."""
    if h <= 0:
        raise InputError(f"must be positive, got {h:g}", field="h")
    centres, w = _chain(k, h, states)
    r = _transitions(centres, w, k, shift)
    arl = np.linalg.solve(np.eye(states) - r, np.ones(states))
    return float(arl[0])


def page_alarm_probability(means: ArrayLike, k: float, h: float, states: int = 600) -> FloatArray:
    """P(Page's test has alarmed by period t), t = 1..T, for independent N(means_t, 1) data:
    the Brook–Evans chain propagated period by period (time-varying means allowed)."""
    mu = np.asarray(means, dtype=np.float64)
    if h <= 0:
        raise InputError(f"must be positive, got {h:g}", field="h")
    centres, w = _chain(k, h, states)
    p = np.zeros(states)
    p[0] = 1.0
    out = np.empty(mu.shape[0])
    cache: dict[float, FloatArray] = {}
    for t, m in enumerate(mu):
        key = float(m)
        r = cache.get(key)
        if r is None:
            r = _transitions(centres, w, k, key)
            cache[key] = r
        p = p @ r
        out[t] = 1.0 - p.sum()
    return out


def page_threshold(periods: int, k: float, alpha: float) -> float:
    """The h that gives Page's test on SITMUF a false-alarm probability ``alpha`` over the
    horizon (solved on the Brook–Evans chain with scipy.optimize.brentq)."""
    if not 0.0 < alpha < 1.0:
        raise InputError(f"must lie strictly between 0 and 1, got {alpha:g}", field="alpha")

    def f(h: float) -> float:
        return float(page_alarm_probability(np.zeros(periods), k, h)[-1]) - alpha

    lo, hi = 1e-6, 1.0
    while f(hi) > 0:
        hi *= 2.0
        if hi > 1e3:
            raise InputError("no threshold reaches that false-alarm probability", field="alpha")
    if f(lo) < 0:
        return lo
    return float(optimize.brentq(f, lo, hi, xtol=1e-10))


# --- the test on the total MUF ------------------------------------------------------------


def one_sided_detection_probability(loss: ArrayLike, sigma: ArrayLike, alpha: float) -> FloatArray:
    """P_D = Φ(M/σ − z_{1−α}) for a one-sided normal test of level α (Avenhaus & Canty 1996,
    eq. 3.22). Detecting 1 SQ with α = β = 0.05 needs σ ≤ SQ/3.29."""
    z = stats.norm.ppf(1.0 - alpha)
    return np.asarray(stats.norm.cdf(np.asarray(loss) / np.asarray(sigma) - z), dtype=np.float64)


class TotalMufTest(Result):
    """The one-sided test on Σ MUF over the horizon (alarm when Σ MUF > z_{1−α}·σ; most
    powerful for a fixed horizon: Avenhaus & Jaech 1981); kg."""

    statistic: float = Field(description="Σ MUF, kg")
    sigma: float = Field(description="σ of Σ MUF, kg")
    threshold: float = Field(description="z_{1−α}·σ, kg")
    alarm: bool
    false_alarm_probability: float
    detection_probability: float | None = Field(description="With a diversion only")


def total_muf_test(
    muf_values: ArrayLike, cov: ArrayLike, alpha: float, diversion: ArrayLike | None = None
) -> TotalMufTest:
    """Alarm when Σ MUF > z_{1−α}·σ with σ² = 1ᵀΣ1; P_D = Φ(Σd/σ − z_{1−α})."""
    x = np.asarray(muf_values, dtype=np.float64)
    sigma = float(np.sqrt(np.sum(np.asarray(cov, dtype=np.float64))))
    if not sigma > 0:
        raise InputError("the total MUF has zero variance", field="covariance")
    thr = float(stats.norm.ppf(1.0 - alpha)) * sigma
    total = float(x.sum())
    pd = None
    if diversion is not None:
        pd = float(one_sided_detection_probability(float(np.sum(diversion)), sigma, alpha))
    return TotalMufTest(
        statistic=total,
        sigma=sigma,
        threshold=thr,
        alarm=total > thr,
        false_alarm_probability=alpha,
        detection_probability=pd,
    )


def diversion_pattern(
    periods: int, amount_kg: float, pattern: str, at_period: int = 1
) -> FloatArray:
    """Loss per period: ``abrupt`` puts all of it in ``at_period`` (1-based); ``protracted``
    spreads it evenly over all periods."""
    if not (math.isfinite(amount_kg) and amount_kg >= 0):
        raise InputError(f"must be a non-negative number, got {amount_kg!r}", field="diversion_kg")
    d = np.zeros(periods)
    if pattern == "abrupt":
        if not 1 <= at_period <= periods:
            raise InputError(f"must be within 1..{periods}, got {at_period}", field="at_period")
        d[at_period - 1] = amount_kg
    elif pattern == "protracted":
        d[:] = amount_kg / periods
    else:
        raise InputError(f"must be 'abrupt' or 'protracted', got {pattern!r}", field="pattern")
    return d


def page_detection_probability(
    diversion: ArrayLike, cov: ArrayLike, k: float, h: float, states: int = 600
) -> float:
    """P(Page's test on SITMUF alarms within the horizon) when ``diversion`` kg are lost per
    period. Under diversion SITMUF = L⁻¹d + z, independent normals with means L⁻¹d; the
    Brook–Evans chain gives the alarm probability (closed form up to the chain's grid)."""
    means = linalg.solve_triangular(
        cholesky_factor(cov), np.asarray(diversion, dtype=np.float64), lower=True
    )
    return float(page_alarm_probability(means, k, h, states)[-1])


# --- vectorized Monte Carlo --------------------------------------------------------------


class MonteCarloResult(Result):
    """Alarm rates of Page's test and the total-MUF test over simulated balance sequences,
    with their standard errors √(p(1 − p)/n)."""

    replications: int
    page_alarm_probability: float
    page_standard_error: float
    total_alarm_probability: float
    total_standard_error: float


def simulate_muf(
    seq: BalanceSequence,
    errors: ErrorModel,
    replications: int,
    rng: np.random.Generator,
    diversion: ArrayLike | None = None,
) -> FloatArray:
    """Draw ``replications`` MUF sequences (replications × T) from the measurement model
    itself (random and systematic errors of every measurement), plus the diversion."""
    t_n = seq.periods
    inv = seq.inventories
    inv_b, rec_b, shp_b = _blocks(t_n, errors.calibration_periods)
    nb = int(inv_b.max()) + 1
    z_inv = rng.standard_normal((replications, t_n + 1))
    z_rec = rng.standard_normal((replications, t_n))
    z_shp = rng.standard_normal((replications, t_n))
    z_sys = rng.standard_normal((replications, 3, nb))
    e_inv = z_inv
    e_inv *= errors.random_rsd["inventory"]
    e_inv += errors.systematic_rsd["inventory"] * z_sys[:, 0, inv_b]
    e_inv *= inv
    e_rec = z_rec
    e_rec *= errors.random_rsd["receipts"]
    e_rec += errors.systematic_rsd["receipts"] * z_sys[:, 1, rec_b]
    e_rec *= seq.receipts
    e_shp = z_shp
    e_shp *= errors.random_rsd["shipments"]
    e_shp += errors.systematic_rsd["shipments"] * z_sys[:, 2, shp_b]
    e_shp *= seq.shipments
    out = e_inv[:, :-1] - e_inv[:, 1:]
    out += e_rec
    out -= e_shp
    if diversion is not None:
        out += np.asarray(diversion, dtype=np.float64)
    return out


def monte_carlo_tests(
    seq: BalanceSequence,
    errors: ErrorModel,
    *,
    k: float,
    h: float,
    alpha: float,
    replications: int,
    seed: int | np.random.SeedSequence = 0,
    diversion: ArrayLike | None = None,
    chunk: int = 10_000,
) -> MonteCarloResult:
    """Alarm probabilities of Page's test on SITMUF and of the total-MUF test estimated by
    simulating the measurement errors (vectorized in chunks; memory ~ chunk × 3T × 8 bytes).
    Standard errors are √(p(1 − p)/n)."""
    if replications < 1:
        raise InputError(f"must be at least 1, got {replications}", field="replications")
    cov = muf_covariance(seq, errors)
    lower = cholesky_factor(cov)
    inv_lower_t = linalg.solve_triangular(lower, np.eye(seq.periods), lower=True).T
    sigma_total = math.sqrt(float(cov.sum()))
    thr = float(stats.norm.ppf(1.0 - alpha)) * sigma_total
    rng = np.random.default_rng(seed)
    page_hits = 0
    total_hits = 0
    done = 0
    while done < replications:
        n = min(chunk, replications - done)
        x = simulate_muf(seq, errors, n, rng, diversion)
        total_hits += int(np.count_nonzero(x.sum(axis=1) > thr))
        y = x @ inv_lower_t
        s = np.zeros(n)
        alarmed = np.zeros(n, dtype=bool)
        for t in range(seq.periods):
            s += y[:, t]
            s -= k
            np.maximum(s, 0.0, out=s)
            alarmed |= s > h
        page_hits += int(np.count_nonzero(alarmed))
        done += n
    p_page = page_hits / replications
    p_total = total_hits / replications
    return MonteCarloResult(
        replications=replications,
        page_alarm_probability=p_page,
        page_standard_error=math.sqrt(max(p_page * (1 - p_page), 0.0) / replications),
        total_alarm_probability=p_total,
        total_standard_error=math.sqrt(max(p_total * (1 - p_total), 0.0) / replications),
    )


# --- turning timed transfers into balance periods ----------------------------------------


def period_index(times: ArrayLike, period_length: float, horizon: float) -> NDArray[np.intp]:
    """Balance period (0-based) of each time; −1 outside the complete periods.

    Periods are half-open [t·L, (t+1)·L): a transfer exactly on a boundary belongs to the later
    period only. The horizon holds ⌊horizon / L⌋ complete periods — when the horizon is a
    multiple of L the last period is complete and kept. Times are in the same unit as L.
    """
    if not (period_length > 0 and math.isfinite(period_length)):
        raise InputError(f"must be positive, got {period_length!r}", field="period_length")
    t = np.asarray(times, dtype=np.float64)
    n_periods = round(horizon / period_length)
    if not math.isclose(n_periods * period_length, horizon, rel_tol=1e-12):
        n_periods = math.floor(horizon / period_length)
    # Integer division with a tolerance so that 0.3 / 0.1 lands in period 3, not 2.
    q = t / period_length
    idx = np.floor(q + 1e-9 * np.maximum(1.0, np.abs(q))).astype(np.intp)
    idx[(idx < 0) | (idx >= n_periods) | (t < 0)] = -1
    return idx


def periodize(
    times: ArrayLike, amounts: ArrayLike, period_length: float, horizon: float
) -> FloatArray:
    """Sum timed transfers into complete balance periods (see :func:`period_index`)."""
    idx = period_index(times, period_length, horizon)
    n_periods = round(horizon / period_length)
    if not math.isclose(n_periods * period_length, horizon, rel_tol=1e-12):
        n_periods = math.floor(horizon / period_length)
    a = np.asarray(amounts, dtype=np.float64)
    keep = idx >= 0
    return np.bincount(idx[keep], weights=a[keep], minlength=n_periods).astype(np.float64)
