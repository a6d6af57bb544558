"""The zero-sum inspection game between the state's path and the inspectorate's allocation.

Rows are paths (the state maximizes its payoff), columns allocations of inspection effort.
Up to ``redteam.max_paths`` paths the whole matrix is one LP solved by HiGHS through
:func:`cvid.verify.solve_zero_sum` (as ``cvid game matrix`` does). Larger path sets are
solved by **column generation** (here: row generation, the state's paths being the rows;
Dantzig–Wolfe / the double-oracle method of McMahan, Gordon & Blum 2003): the LP holds only
the paths generated so far; the inspectorate's optimal mix y over them is priced against
*every* path, scanned in blocks, and the best reply enters. The restricted value is a lower
bound of the game's value and the best reply's payoff against y an upper bound (the
inspectorate can always play y); the loop stops when they meet within ``tol``, and both
bounds are reported.

The inspectorate's optimal mix is seldom unique; the one reported is refined by a second LP:
among the mixes that hold the state to the game's value (within ``REFINE_TOLERANCE``, relative;
the guarantee reached is reported), the one that minimizes the mean
payoff of the single-part paths (each item hidden, each step hollow, each stall: every way to
cheat counted once), so that the ways the state does not choose are watched too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from cvid.redteam.model import Evaluation, Game, evaluate
from cvid.redteam.paths import PathBlock, enumerate_paths, iter_path_blocks
from cvid.verify import ZeroSumSolution, solve_zero_sum

FloatArray = NDArray[np.float64]

#: The refined mix may leave the state up to this much (relative) above the game's value: an
#: ε-optimal mix, so that payoff differences of a thousandth do not decide where inspectors go.
REFINE_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Solution:
    """Value of the game to the state, the paths in the LP with their payoffs (n, J),
    detection probabilities (n, J), the state's and the inspectorate's optimal mixes,
    the bounds on the value and how the game was solved."""

    value: float
    paths: PathBlock
    payoff: FloatArray
    detection: FloatArray
    gain: FloatArray
    sq: FloatArray
    path_strategy: FloatArray
    allocation_strategy: FloatArray
    lower_bound: float
    upper_bound: float
    method: str
    total_paths: int
    iterations: int
    row_regret: float
    column_regret: float


def solve(g: Game, *, tol: float = 1e-7, block: int = 1 << 15) -> Solution:
    """The equilibrium of the game ``g`` (module docstring)."""
    total = g.space.count()
    if total <= 0:
        raise ValueError("no paths")  # the agreement has no commitment at all; caller handles
    if total <= g.scenario.redteam.max_paths:
        paths = enumerate_paths(g.space)
        ev = evaluate(g, paths)
        z = solve_zero_sum(ev.payoff)
        return _solution(paths, ev, z, (z.value, z.value), "lp", total, 1)
    return _column_generation(g, total, tol, block)


def _solution(
    paths: PathBlock,
    ev: Evaluation,
    z: ZeroSumSolution,
    bounds: tuple[float, float],
    method: str,
    total: int,
    iterations: int,
) -> Solution:
    """The Solution of the LP ``z`` over the rows ``ev`` of ``paths``, with the inspectors'
    mix refined (``refine``) and the game's value bracketed by ``bounds``."""
    return Solution(
        z.value,
        paths,
        ev.payoff,
        ev.detection,
        ev.gain,
        ev.sq,
        np.asarray(z.row_strategy, dtype=np.float64),
        refine(
            ev.payoff, z.value, np.asarray(z.column_strategy, dtype=np.float64), single_part(paths)
        ),
        bounds[0],
        bounds[1],
        method,
        total,
        iterations,
        z.row_regret,
        z.column_regret,
    )


def single_part(paths: PathBlock) -> NDArray[np.bool_]:
    """Paths made of one part only (one item hidden, one step hollow, or one stall)."""
    k = paths.hidden.sum(axis=1) + paths.hollow.sum(axis=1) + (~np.isnan(paths.stall))
    return np.asarray(k == 1)


def refine(
    payoff: FloatArray,
    value: float,
    y0: FloatArray,
    weights: NDArray[np.bool_] | None = None,
    tol: float = REFINE_TOLERANCE,
) -> FloatArray:
    """Among mixes y with max_π (U·y)_π ≤ value + tol·(1 + |value|), the one minimizing the
    mean payoff of the paths selected by ``weights`` (default all); ``y0`` when the LP
    fails."""
    n, m = payoff.shape
    slack = tol * (1.0 + abs(value))
    sel = payoff if weights is None or not weights.any() else payoff[weights]
    res = optimize.linprog(
        sel.mean(axis=0),
        A_ub=payoff,
        b_ub=np.full(n, value + slack),
        A_eq=np.ones((1, m)),
        b_eq=np.ones(1),
        bounds=[(0.0, None)] * m,
        method="highs",
    )
    if res.status != 0:
        return y0
    y = np.clip(np.asarray(res.x, dtype=np.float64), 0.0, None)
    return np.asarray(y / y.sum(), dtype=np.float64)


def best_reply(g: Game, y: FloatArray, block: int = 1 << 15) -> tuple[PathBlock, float]:
    """The path with the largest payoff against the inspectorate's mix ``y`` (all paths
    scanned in blocks) and that payoff."""
    best_val = -np.inf
    best: PathBlock | None = None
    for pb in iter_path_blocks(g.space, block):
        u = evaluate(g, pb).payoff @ y
        i = int(np.argmax(u))
        if u[i] > best_val:
            best_val = float(u[i])
            best = pb.take(np.array([i]))
    assert best is not None
    return best, best_val


def _column_generation(g: Game, total: int, tol: float, block: int) -> Solution:
    n_i, n_s = len(g.space.items), len(g.space.steps)
    # start: every single-part deviation (each item hidden, each step hollow, each stall)
    sp = g.space
    rows_h: list[NDArray[np.bool_]] = []
    rows_w: list[NDArray[np.bool_]] = []
    stalls: list[float] = []
    for i in range(n_i):
        rows_h.append(np.eye(n_i, dtype=bool)[i])
        rows_w.append(np.zeros(n_s, dtype=bool))
        stalls.append(np.nan)
    for j in range(n_s):
        rows_h.append(np.zeros(n_i, dtype=bool))
        rows_w.append(np.eye(n_s, dtype=bool)[j])
        stalls.append(np.nan)
    for m in sp.stalls:
        rows_h.append(np.zeros(n_i, dtype=bool))
        rows_w.append(np.zeros(n_s, dtype=bool))
        stalls.append(m)
    paths = PathBlock(
        np.array(rows_h, dtype=bool).reshape(-1, n_i),
        np.array(rows_w, dtype=bool).reshape(-1, n_s),
        np.array(stalls, dtype=np.float64),
    )
    keys = {paths.key(i) for i in range(len(paths))}
    it = 0
    while True:
        it += 1
        ev = evaluate(g, paths)
        z = solve_zero_sum(ev.payoff)
        reply, upper = best_reply(g, np.asarray(z.column_strategy, dtype=np.float64), block)
        lower = z.value
        if upper <= lower + tol * (1.0 + abs(lower)) or reply.key(0) in keys or it > 500:
            return _solution(
                paths, ev, z, (lower, max(upper, lower)), "column-generation", total, it
            )
        keys.add(reply.key(0))
        paths = PathBlock.concat([paths, reply], n_i, n_s)
