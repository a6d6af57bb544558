"""The simulation section's tables, from the :class:`cvid.negotiate.SimulationResult` kept on
the assessment."""

from __future__ import annotations

from typing import Any

from cvid.assess.figures import strategy_label
from cvid.assess.report.format import fmt, prob


def simulation_table(sim: Any) -> list[dict[str, Any]]:
    d = sim.to_dict()["strategies"]
    rows = []
    for name, r in d.items():
        o, se = r["outcomes"], r["standard_errors"]
        m = r["months_to_outcome"]
        rows.append(
            {
                "name": strategy_label(name),
                "verified_cvid": prob(o["verified_cvid"], se["verified_cvid"])
                + (" (verified completion only: CVID unreachable)" if r["unreachable"] else ""),
                "exposed": prob(o["exposed"], se["exposed"]),
                "breakdown": prob(o["breakdown"], se["breakdown"]),
                "stalemate": prob(o["stalemate"], se["stalemate"]),
                "running": prob(o["running"], se["running"]),
                "months_to_cvid": "—"
                if not m.get("verified_cvid")
                else f"{fmt(m['verified_cvid']['p50'])} "
                f"({fmt(m['verified_cvid']['p10'])}–{fmt(m['verified_cvid']['p90'])})",
                "capability_sq": fmt(r["capability_significant_quantities"]["mean"]),
                "paid": prob(
                    r["concessions_paid"]["mean"], r["concessions_paid"]["standard_error"]
                ),
                "to_cheaters": prob(
                    r["concessions_to_cheaters"]["mean"],
                    r["concessions_to_cheaters"]["standard_error"],
                ),
                "detection": f"{r['detection_probability']:.3f}",
                "steps": len(r["steps"]),
            }
        )
    return rows


def outcomes_by_type(sim: Any) -> list[dict[str, Any]]:
    """Each strategy's outcomes for each counterpart type the runs drew (the type is drawn
    from the scenario's prior in every run, so the shares of runs sum to one)."""
    rows = []
    for name, r in sim.to_dict()["strategies"].items():
        clan = r["clandestine_production"]
        for t, row in r["outcomes_by_type"].items():
            if row["share_of_runs"] == 0:
                continue
            sq = clan[t]["significant_quantities"]["mean"]
            rows.append(
                {
                    "strategy": strategy_label(name),
                    "type": t,
                    "share": f"{row['share_of_runs']:.2f}",
                    "verified_cvid": prob(row["verified_cvid"]),
                    "exposed": prob(row["exposed"]),
                    "breakdown": prob(row["breakdown"]),
                    "stalemate": prob(row["stalemate"]),
                    "conflict": prob(row["conflict"]),
                    "secret_sq": "—" if sq is None else f"{sq:.2f}",
                }
            )
    return rows
