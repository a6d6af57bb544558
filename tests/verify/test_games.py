"""Inspection games: closed forms in exact fractions, regret checks, Dresher's recursion
against its closed form, zero-sum LPs against known values and a second LP.

Sources: Avenhaus & Canty, Compliance Quantified (1996), §4.2; Avenhaus, von Stengel & Zamir,
Inspection games, Handbook of Game Theory vol. 3 (2002), §2–3; Dresher (1962).
"""

from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.errors import InputError
from cvid.verify.games import (
    InspectionGame,
    Number,
    _column_lp,
    _value_2x2,
    dresher,
    dresher_value_closed_form,
    regrets,
    solve_bimatrix_2x2,
    solve_zero_sum,
)


def game(**kw: Number) -> InspectionGame:
    base: dict[str, Number] = dict(
        gain=Fr(1),
        penalty=Fr(2),
        inspection_cost=Fr(1, 10),
        loss_detected=Fr(1, 2),
        loss_undetected=Fr(1),
        non_detection=Fr(1, 10),
        false_alarm=Fr(1, 20),
        false_alarm_cost=Fr(1, 5),
        false_alarm_cost_inspectee=Fr(1, 2),
    )
    base.update(kw)
    return InspectionGame(**base)


def test_equilibrium_closed_form_exact() -> None:
    g = game()
    eq = g.equilibrium()
    d, b, e, a, c = Fr(1), Fr(2), Fr(1, 10), Fr(1, 2), Fr(1)
    beta, alpha, f, h = Fr(1, 10), Fr(1, 20), Fr(1, 5), Fr(1, 2)
    assert eq.p == d / ((1 - beta) * (b + d) - alpha * h)
    assert eq.q == (e + alpha * f) / ((1 - beta) * (c - a) + alpha * f)
    assert eq.regret == 0.0
    # Inspectee's equilibrium payoff equals its legal payoff −p·α·H (indifference).
    assert eq.column_payoff == -eq.p * alpha * h


def test_deterrence_threshold_without_false_alarms() -> None:
    # g/(g + b) (research README; Avenhaus & Canty 1996, §4.2).
    g = game(false_alarm=Fr(0))
    assert g.deterrence_detection_probability() == Fr(1, 3)


def test_leadership_by_grid_search() -> None:
    g = InspectionGame(1.0, 2.0, 0.1, 0.5, 1.0, 0.1, 0.05, 0.2, 0.5)
    ins, tee = (np.array(m, dtype=float) for m in g.matrices())
    p = np.linspace(0, 1, 200_001)
    legal = p * tee[0, 0] + (1 - p) * tee[1, 0]
    viol = p * tee[0, 1] + (1 - p) * tee[1, 1]
    col = np.where(legal >= viol - 1e-12, 0, 1)  # ties favour the leader (legal)
    best = float(np.max(p * ins[0, col] + (1 - p) * ins[1, col]))
    _p_l, pay, legal_ok = g.leadership()
    assert legal_ok
    assert float(pay) == pytest.approx(best, abs=1e-5)
    assert float(pay) >= best - 1e-12


@settings(max_examples=200, deadline=None)
@given(
    d=st.fractions(Fr(1, 10), 10),
    b=st.fractions(0, 10),
    e=st.fractions(0, 1),
    a=st.fractions(0, 1),
    extra=st.fractions(Fr(1, 100), 2),
    beta=st.fractions(0, 1),
    alpha=st.fractions(0, Fr(1, 2)),
    f=st.fractions(0, 2),
    h=st.fractions(0, 2),
)
def test_equilibrium_has_zero_regret_and_leadership_helps(
    d: Fr, b: Fr, e: Fr, a: Fr, extra: Fr, beta: Fr, alpha: Fr, f: Fr, h: Fr
) -> None:
    g = InspectionGame(d, b, e, a, a + extra, beta, alpha, f, h)
    eq = g.equilibrium()
    assert eq.regret == 0.0  # exact arithmetic
    # Inspector leadership never hurts the inspector (Avenhaus, von Stengel & Zamir 2002).
    _, pay, _ = g.leadership()
    assert pay >= eq.row_payoff


def test_bimatrix_finds_pure_equilibrium() -> None:
    # Prisoner's dilemma: (defect, defect) is the only equilibrium.
    row: list[list[Number]] = [[Fr(3), Fr(0)], [Fr(5), Fr(1)]]
    col: list[list[Number]] = [[Fr(3), Fr(5)], [Fr(0), Fr(1)]]
    eqs = solve_bimatrix_2x2(row, col)
    assert [(e.p, e.q) for e in eqs] == [(0, 1)]


def test_dresher_small_case_by_hand() -> None:
    # n = 2, m = 1: [[−B, 1], [1, 0]] has value 1/(B + 2).
    for b in (Fr(0), Fr(1), Fr(3, 2)):
        assert dresher(2, 1, b).value == 1 / (b + 2)


@pytest.mark.parametrize("b", [Fr(0), Fr(1), Fr(2), Fr(1, 2)])
def test_dresher_recursion_equals_closed_form(b: Fr) -> None:
    for n in range(1, 13):
        for m in range(0, n + 2):
            assert dresher(n, m, b).value == dresher_value_closed_form(n, m, b)


def test_dresher_stage_games_by_linear_programming() -> None:
    # Each stage value by the 2 × 2 formula against the LP solver (independent method).
    sol = dresher(8, 3, 1.5)
    v = sol.values
    for n in range(2, 9):
        for m in range(1, min(n, 4)):
            stage: list[list[Number]] = [[-1.5, 1.0], [float(v[n - 1][m - 1]), float(v[n - 1][m])]]
            assert float(_value_2x2(stage)[0]) == pytest.approx(
                solve_zero_sum(np.array(stage)).value, abs=1e-9
            )


def test_zero_sum_known_games() -> None:
    mp = solve_zero_sum([[1, -1], [-1, 1]])
    assert mp.value == pytest.approx(0.0, abs=1e-12)
    assert mp.row_strategy == pytest.approx([0.5, 0.5])
    rps = solve_zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    assert rps.column_strategy == pytest.approx([1 / 3] * 3)
    # [[3, −1], [−2, 1]]: value (3·1 − (−1)(−2))/(3 + 1 + 1 + 2) = 1/7, x = (3/7, 4/7).
    g = solve_zero_sum([[3, -1], [-2, 1]])
    assert g.value == pytest.approx(1 / 7)
    assert g.row_strategy == pytest.approx([3 / 7, 4 / 7])
    # A saddle point.
    s = solve_zero_sum([[4, 5], [2, 1]])
    assert s.value == pytest.approx(4.0)


@settings(max_examples=30, deadline=None)
@given(m=st.integers(1, 25), n=st.integers(1, 25), seed=st.integers(0, 10**6))
def test_zero_sum_random_games_zero_regret(m: int, n: int, seed: int) -> None:
    a = np.random.default_rng(seed).normal(size=(m, n))
    sol = solve_zero_sum(a)
    r_row, r_col = regrets(a, sol.row_strategy, sol.column_strategy)
    assert max(r_row, r_col) < 1e-7
    # The column player's own LP gives the same value.
    y = _column_lp(a, "highs", None)
    assert float(np.max(a @ y)) == pytest.approx(sol.value, abs=1e-7)


def test_bad_game_inputs() -> None:
    with pytest.raises(InputError) as exc:
        InspectionGame(1.0, 1.0, 0.1, 0.5, 1.0, 1.2)
    assert exc.value.field == "non_detection"
    with pytest.raises(InputError):
        InspectionGame(1.0, 1.0, 0.1, 0.5, 1.0, 0.1, false_alarm=-0.1)
    with pytest.raises(InputError):
        solve_zero_sum([[1.0, np.nan]])
    with pytest.raises(InputError):
        dresher(0, 1)
