"""The red team: how would a state cheat under this exact agreement, and what would it collect
before being caught?

* :mod:`cvid.redteam.paths` — the state's acquisition and concealment paths (undeclared
  items, hollow steps, secret production at declared or undeclared facilities, stalling);
* :mod:`cvid.redteam.model` — each path's detection probability over time (from
  :mod:`cvid.verify`: site search, balance and sampling, the checks each commitment
  requires), its material and its payoff against each allocation of inspection effort;
* :mod:`cvid.redteam.game` — the zero-sum game solved by HiGHS (column generation for large
  path sets, with bounds);
* :mod:`cvid.redteam.analysis` — ranked paths, equilibrium detection probability, the value
  of each verification provision and the cheapest change that deters every path.

>>> from cvid.scenario import load_scenario
>>> from cvid.redteam import red_team
>>> r = red_team(load_scenario("libya-2003"))
>>> all(p.time_to_exposure_months is not None for p in r.paths)
True
"""

from __future__ import annotations

from cvid.redteam.analysis import (
    PROVISION_LABELS,
    PROVISIONS,
    BestPath,
    BudgetSplit,
    DeterringChange,
    MaterialMonth,
    PathReport,
    ProvisionValue,
    RedTeamGame,
    RedTeamResult,
    best_path,
    cheapest_change,
    deterrence_margin,
    in_force,
    red_team,
    thresholds,
    with_changes,
)
from cvid.redteam.game import Solution, best_reply, solve
from cvid.redteam.model import (
    Allocations,
    Channels,
    Evaluation,
    Game,
    allocations,
    build,
    compliance_payoff,
    cumulative_hazard,
    evaluate,
    material_sq,
    method_detection,
    verifiable,
)
from cvid.redteam.paths import (
    PathBlock,
    PathSpace,
    brute_force_paths,
    enumerate_paths,
    iter_path_blocks,
    path_space,
    producers,
)
from cvid.redteam.report import render_html

__all__ = [
    "PROVISIONS",
    "PROVISION_LABELS",
    "Allocations",
    "BestPath",
    "BudgetSplit",
    "Channels",
    "DeterringChange",
    "Evaluation",
    "Game",
    "MaterialMonth",
    "PathBlock",
    "PathReport",
    "PathSpace",
    "ProvisionValue",
    "RedTeamGame",
    "RedTeamResult",
    "Solution",
    "allocations",
    "best_path",
    "best_reply",
    "brute_force_paths",
    "build",
    "cheapest_change",
    "compliance_payoff",
    "cumulative_hazard",
    "deterrence_margin",
    "enumerate_paths",
    "evaluate",
    "in_force",
    "iter_path_blocks",
    "material_sq",
    "method_detection",
    "path_space",
    "producers",
    "red_team",
    "render_html",
    "solve",
    "thresholds",
    "verifiable",
    "with_changes",
]
