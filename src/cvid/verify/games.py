"""Inspection games: when does verification deter, and what should inspectors announce?

Notation of Avenhaus & Canty, *Compliance Quantified* (1996), ch. 4 and Avenhaus, von Stengel
& Zamir, "Inspection games", *Handbook of Game Theory* vol. 3 (2002), ch. 51, §2–3:
the inspectee gains D from an undetected violation and loses B when caught; the inspector pays
E per inspection and loses A for a detected and C for an undetected violation (0 < A < C);
an inspection misses a violation with probability β and raises a false alarm on a legal
inspectee with probability α, costing the inspector F and the inspectee H.

Payoffs (inspector, inspectee), rows inspect / do not inspect, columns legal / violate:

=============  ===================  ======================================
               legal                violate
=============  ===================  ======================================
inspect        (−E − αF, −αH)       (−E − (1−β)A − βC, −(1−β)B + βD)
not inspect    (0, 0)               (−C, D)
=============  ===================  ======================================

Every solver here checks the equilibrium it returns by its regret (no player gains by a
unilateral change), the habit Gambit's tests use. Arithmetic works with ``fractions.Fraction``
too, so small games can be solved exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field, PlainSerializer
from scipy import optimize

from cvid.errors import InputError
from cvid.results import Result

Number = float | Fraction
#: A number held exactly (``Fraction``) or as a float, written to JSON as a float.
JsonNumber = Annotated[float | Fraction, PlainSerializer(float, return_type=float)]
FloatArray = NDArray[np.float64]


def _prob(x: Number, name: str) -> Number:
    if not 0 <= x <= 1:
        raise InputError(f"is a probability and must lie in [0, 1], got {float(x):g}", field=name)
    return x


@dataclass(frozen=True)
class BimatrixEquilibrium:
    """A Nash equilibrium of a 2 × 2 game: row plays row 0 with probability ``p``, column
    plays column 1 with probability ``q``; payoffs and the largest regret found."""

    p: Number
    q: Number
    row_payoff: Number
    column_payoff: Number
    regret: float


def _payoff(m: list[list[Number]], p: Number, q: Number) -> Number:
    """Expected payoff with row 0 at probability p and column 1 at probability q."""
    return (
        p * (1 - q) * m[0][0]
        + p * q * m[0][1]
        + (1 - p) * (1 - q) * m[1][0]
        + (1 - p) * q * m[1][1]
    )


def solve_bimatrix_2x2(
    row: list[list[Number]], col: list[list[Number]], tol: float = 1e-12
) -> list[BimatrixEquilibrium]:
    """All equilibria among the pure profiles and the indifference points of a 2 × 2 game,
    each verified by its regret (candidates: p, q ∈ {0, 1, indifference value})."""
    p_cands: list[Number] = [0, 1]
    q_cands: list[Number] = [0, 1]
    den_p = col[0][0] - col[1][0] - col[0][1] + col[1][1]
    if den_p != 0:
        p_star = (col[1][1] - col[1][0]) / den_p
        if 0 < p_star < 1:
            p_cands.append(p_star)
    den_q = row[0][0] - row[0][1] - row[1][0] + row[1][1]
    if den_q != 0:
        q_star = (row[0][0] - row[1][0]) / den_q
        if 0 < q_star < 1:
            q_cands.append(q_star)
    exact = all(isinstance(v, int | Fraction) for mat in (row, col) for r in mat for v in r)
    if exact:
        tol = 0.0  # exact arithmetic: an equilibrium has zero regret, nothing else passes
    found: list[BimatrixEquilibrium] = []
    for p in p_cands:
        for q in q_cands:
            u_row = _payoff(row, p, q)
            u_col = _payoff(col, p, q)
            best_row = max(_payoff(row, 1, q), _payoff(row, 0, q))
            best_col = max(_payoff(col, p, 0), _payoff(col, p, 1))
            regret = float(max(best_row - u_row, best_col - u_col))
            if regret <= tol * (1.0 + max(abs(float(u_row)), abs(float(u_col)))):
                found.append(BimatrixEquilibrium(p, q, u_row, u_col, max(regret, 0.0)))
    return found


@dataclass(frozen=True)
class InspectionGame:
    """The two-person inspection game with errors of both kinds (see the module docstring)."""

    gain: Number  # D
    penalty: Number  # B
    inspection_cost: Number  # E
    loss_detected: Number  # A
    loss_undetected: Number  # C
    non_detection: Number  # β
    false_alarm: Number = 0  # α
    false_alarm_cost: Number = 0  # F (inspector)
    false_alarm_cost_inspectee: Number = 0  # H

    def __post_init__(self) -> None:
        _prob(self.non_detection, "non_detection")
        _prob(self.false_alarm, "false_alarm")
        for name in (
            "gain",
            "penalty",
            "inspection_cost",
            "loss_detected",
            "loss_undetected",
            "false_alarm_cost",
            "false_alarm_cost_inspectee",
        ):
            v = getattr(self, name)
            if not (math.isfinite(float(v)) and v >= 0):
                raise InputError(f"must be a non-negative number, got {v!r}", field=name)
        if self.gain <= 0:
            raise InputError("must be positive (a violation must gain something)", field="gain")

    def matrices(self) -> tuple[list[list[Number]], list[list[Number]]]:
        """(inspector, inspectee) payoffs; rows inspect/not, columns legal/violate."""
        a, b, c, d = self.loss_detected, self.penalty, self.loss_undetected, self.gain
        e, beta, alpha = self.inspection_cost, self.non_detection, self.false_alarm
        f, h = self.false_alarm_cost, self.false_alarm_cost_inspectee
        inspector = [[-e - alpha * f, -e - (1 - beta) * a - beta * c], [0 * d, -c]]
        inspectee = [[-alpha * h, -(1 - beta) * b + beta * d], [0 * d, d]]
        return inspector, inspectee

    def deterrence_gap(self) -> Number:
        """K = (1 − β)(B + D) − αH: an inspectee facing inspection probability p stays legal
        iff p·K ≥ D."""
        return (1 - self.non_detection) * (self.penalty + self.gain) - (
            self.false_alarm * self.false_alarm_cost_inspectee
        )

    def equilibrium(self) -> BimatrixEquilibrium:
        """The Nash equilibrium of the simultaneous game (Avenhaus & Canty 1996, §4.2):
        p* = D/K, q* = (E + αF)/((1 − β)(C − A) + αF) when both lie in (0, 1); otherwise the
        pure equilibrium. Checked by regret."""
        ins, tee = self.matrices()
        eqs = solve_bimatrix_2x2(ins, tee)
        if not eqs:  # cannot happen for a 2 × 2 game (Nash), but never return an unchecked one
            raise InputError("no equilibrium found; check the payoffs", field="game")
        # Several equilibria only in degenerate games: report the one best for the inspector.
        return max(eqs, key=lambda e: (float(e.row_payoff), -float(e.q)))

    def leadership(self) -> tuple[Number, Number, bool]:
        """Inspector leadership (Avenhaus, von Stengel & Zamir 2002, §3): the inspector announces
        the inspection probability first; the inspectee, indifferent, acts legally. Returns
        (inspection probability, inspector payoff, inspectee legal?). The least deterring
        p_L = D/K is announced when deterrence pays; otherwise the best of never or always
        inspecting a sure violator."""
        k = self.deterrence_gap()
        d = self.gain
        ins, _ = self.matrices()
        no_deter_options: list[tuple[Number, Number]] = [(0, ins[1][1]), (1, ins[0][1])]
        if k > 0 and d <= k:
            p_l = d / k
            deter_payoff = p_l * ins[0][0]
            # Not deterring means p < p_L and a violation: the best such p is 0 (payoff −C),
            # or p → p_L from below when inspecting a violator beats not inspecting.
            best_nd = max(ins[1][1], p_l * ins[0][1] + (1 - p_l) * ins[1][1])
            if deter_payoff >= best_nd:
                return p_l, deter_payoff, True
            p_best, pay = max(
                [(0, ins[1][1]), (p_l, p_l * ins[0][1] + (1 - p_l) * ins[1][1])],
                key=lambda t: float(t[1]),
            )
            return p_best, pay, False
        p_best, pay = max(no_deter_options, key=lambda t: float(t[1]))
        return p_best, pay, False

    def deterrence_detection_probability(self) -> Number | None:
        """The least overall detection probability p·(1 − β) that deters:
        (1 − β)·D/K; with no false alarms D/(D + B), the classic g/(g + b) (Avenhaus & Canty
        1996, §4.2). None when no inspection rate can deter (K ≤ 0)."""
        k = self.deterrence_gap()
        if k <= 0:
            return None
        return (1 - self.non_detection) * self.gain / k

    def solve(self) -> dict[str, Any]:
        """Everything ``cvid game inspection --json`` prints."""
        eq = self.equilibrium()
        p_l, pay_l, legal = self.leadership()
        _, tee = self.matrices()
        q_l = 0 if legal else 1
        inspectee_l = _payoff(tee, p_l, q_l)
        ddp = self.deterrence_detection_probability()
        return {
            "inspection_probability": float(eq.p),
            "violation_probability": float(eq.q),
            "inspector_payoff": float(eq.row_payoff),
            "inspectee_payoff": float(eq.column_payoff),
            "regret": eq.regret,
            "leadership": {
                "inspection_probability": float(p_l),
                "inspector_payoff": float(pay_l),
                "inspectee_legal": legal,
                "inspectee_payoff": float(inspectee_l),
            },
            "deterrence_detection_probability": None if ddp is None else float(ddp),
        }


# --- Dresher's sequential game ------------------------------------------------------------


class DresherSolution(Result):
    """Value (to the inspectee) and first-period strategies of Dresher's game, plus the whole
    table of values v(n, m) for n ≤ periods, m ≤ inspections. Exact (``Fraction``) when the
    penalty is; written to JSON as floats."""

    periods: int
    inspections: int
    penalty: JsonNumber
    value: JsonNumber = Field(description="v(periods, inspections) by the recursion")
    closed_form_value: JsonNumber = Field(description="The same value by Dresher's closed form")
    inspection_probability: JsonNumber = Field(description="First period: P(inspect)")
    violation_probability: JsonNumber = Field(description="First period: P(violate)")
    values: tuple[tuple[JsonNumber, ...], ...] = Field(
        description="v(n, m) for n = 0..periods (rows), m = 0..inspections (columns)"
    )


def _value_2x2(m: list[list[Number]]) -> tuple[Number, Number, Number]:
    """(value, P(row 0), P(column 0)) of a 2 × 2 zero-sum game, row maximizing."""
    lower = max(min(m[0]), min(m[1]))
    upper = min(max(m[0][0], m[1][0]), max(m[0][1], m[1][1]))
    if lower == upper:  # saddle point
        for i in (0, 1):
            for j in (0, 1):
                if m[i][j] == lower and m[i][j] == min(m[i]) and m[i][j] == max(m[0][j], m[1][j]):
                    return lower, 1 - i, 1 - j
    a, b, c, d = m[0][0], m[0][1], m[1][0], m[1][1]
    den = a + d - b - c
    return (a * d - b * c) / den, (d - c) / den, (d - b) / den


def dresher(periods: int, inspections: int, penalty: Number = 1) -> DresherSolution:
    """Dresher's (1962) game by its recursion: in each of n periods the inspectee may violate
    (once) and the inspector may use one of m inspections. Payoff to the inspectee: +1 for an
    undetected violation, −B if caught, 0 if legal throughout. v(n, 0) = 1 (n ≥ 1),
    v(n, m) = 0 for m ≥ n, and otherwise v(n, m) is the value of
    [[−B, 1], [v(n−1, m−1), v(n−1, m)]] (rows violate / wait; columns inspect / not)
    (Avenhaus, von Stengel & Zamir 2002, §3)."""
    if periods < 1:
        raise InputError(f"must be at least 1, got {periods}", field="periods")
    if inspections < 0:
        raise InputError(f"must not be negative, got {inspections}", field="inspections")
    if not (math.isfinite(float(penalty)) and penalty >= 0):
        raise InputError(f"must be a non-negative number, got {penalty!r}", field="penalty")
    zero: Number = 0 * penalty
    one: Number = zero + 1
    v: list[list[Number]] = [[zero] * (inspections + 1) for _ in range(periods + 1)]
    first = (zero, zero)
    for n in range(1, periods + 1):
        for m in range(inspections + 1):
            if m == 0:
                v[n][m], pv, pi = one, one, zero
            elif m >= n:
                v[n][m], pv, pi = zero, zero, one
            else:
                val, p_row, p_col = _value_2x2([[-penalty, one], [v[n - 1][m - 1], v[n - 1][m]]])
                v[n][m], pv, pi = val, p_row, p_col
            if n == periods and m == inspections:
                first = (pv, pi)
    return DresherSolution(
        periods=periods,
        inspections=inspections,
        penalty=penalty,
        value=v[periods][inspections],
        closed_form_value=dresher_value_closed_form(periods, inspections, penalty),
        inspection_probability=first[1],
        violation_probability=first[0],
        values=tuple(tuple(row) for row in v),
    )


def dresher_value_closed_form(periods: int, inspections: int, penalty: Number = 1) -> Number:
    """v(n, m) = C(n − 1, m) / Σ_{i=0}^{m} C(n, i)·B^{m−i} for m < n, else 0 (Dresher 1962;
    Avenhaus, von Stengel & Zamir 2002, §3)."""
    n, m = periods, inspections
    if m >= n:
        return 0 * penalty
    den = sum(math.comb(n, i) * penalty ** (m - i) for i in range(m + 1))
    return math.comb(n - 1, m) / den


# --- zero-sum games by linear programming -------------------------------------------------


class ZeroSumSolution(Result):
    """Value and optimal mixed strategies of a matrix game (row player maximizes); the
    strategies as tuples of probabilities (``np.asarray`` for arithmetic)."""

    value: float
    row_strategy: tuple[float, ...] = Field(description="P(row i)")
    column_strategy: tuple[float, ...] = Field(description="P(column j)")
    row_regret: float = Field(description="max_i (A·y)_i − xᵀAy")
    column_regret: float = Field(description="xᵀAy − min_j (xᵀA)_j")


def _check_matrix(payoff: ArrayLike, source: str | None) -> FloatArray:
    a = np.asarray(payoff, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise InputError("the payoff matrix must be 2-dimensional and non-empty", source=source)
    if not np.all(np.isfinite(a)):
        raise InputError("the payoff matrix has non-finite entries", source=source)
    return a


def regrets(payoff: ArrayLike, x: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """(row regret, column regret): how much each player gains by its best pure reply,
    max_i (A·y)_i − xᵀAy and xᵀAy − min_j (xᵀA)_j; both 0 at an equilibrium."""
    a = np.asarray(payoff, dtype=np.float64)
    xv, yv = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    u = float(xv @ a @ yv)
    return float(np.max(a @ yv) - u), float(u - np.min(xv @ a))


def solve_zero_sum(
    payoff: ArrayLike, *, method: str = "highs", tol: float = 1e-7, source: str | None = None
) -> ZeroSumSolution:
    """Solve a finite zero-sum game (row maximizes) by one LP with HiGHS
    (scipy.optimize.linprog): max v s.t. Aᵀx ≥ v·1, Σx = 1, x ≥ 0. The column strategy is the
    dual of the constraints Aᵀx ≥ v (von Neumann 1928; Dantzig 1951). The pair is checked by
    its regrets; should they exceed ``tol``·(1 + max|A|), the column LP is solved too."""
    a = _check_matrix(payoff, source)
    m, n = a.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-a.T, np.ones((n, 1))])
    b_ub = np.zeros(n)
    a_eq = np.zeros((1, m + 1))
    a_eq[0, :m] = 1.0
    bounds = [(0.0, None)] * m + [(None, None)]
    res = optimize.linprog(
        c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.ones(1), bounds=bounds, method=method
    )
    if res.status != 0:
        raise InputError(f"the LP solver failed: {res.message}", source=source)
    x = np.clip(res.x[:m], 0.0, None)
    x /= x.sum()
    y = np.clip(-np.asarray(res.ineqlin.marginals, dtype=np.float64), 0.0, None)
    scale = 1.0 + float(np.max(np.abs(a)))
    if y.sum() <= 0 or not np.isfinite(y.sum()):
        y = _column_lp(a, method, source)
    y /= y.sum()
    r_row, r_col = regrets(a, x, y)
    if max(r_row, r_col) > tol * scale:
        y = _column_lp(a, method, source)
        r_row, r_col = regrets(a, x, y)
    value = float(x @ a @ y)
    return ZeroSumSolution(
        value=value,
        row_strategy=tuple(x.tolist()),
        column_strategy=tuple(y.tolist()),
        row_regret=max(r_row, 0.0),
        column_regret=max(r_col, 0.0),
    )


def _column_lp(a: FloatArray, method: str, source: str | None) -> FloatArray:
    """The column player's LP: min w s.t. A·y ≤ w·1, Σy = 1, y ≥ 0."""
    m, n = a.shape
    c = np.zeros(n + 1)
    c[-1] = 1.0
    res = optimize.linprog(
        c,
        A_ub=np.hstack([a, -np.ones((m, 1))]),
        b_ub=np.zeros(m),
        A_eq=np.hstack([np.ones((1, n)), np.zeros((1, 1))]),
        b_eq=np.ones(1),
        bounds=[(0.0, None)] * n + [(None, None)],
        method=method,
    )
    if res.status != 0:
        raise InputError(f"the LP solver failed: {res.message}", source=source)
    y = np.clip(np.asarray(res.x[:n], dtype=np.float64), 0.0, None)
    return np.asarray(y / y.sum(), dtype=np.float64)
