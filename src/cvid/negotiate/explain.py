"""``explain``: one paragraph, generated from a result, saying why the strategies differ."""

from __future__ import annotations

from typing import Any

from cvid.negotiate.simulation import SimulationResult


def _pct(x: float) -> str:
    return f"{100.0 * x:.0f}%"


def explain(result: SimulationResult) -> str:
    """Why the strategies of ``result`` end differently, in one paragraph of plain text.

    Built only from the result's figures: the ranking with its Monte Carlo uncertainty,
    strategies for which verified CVID is unreachable by construction (and the first reason),
    and for the best and the worst reachable strategy the share of concessions paid to
    cheaters, the share of cheaters exposed or caught, stalemates, conflict and what time-buyers
    produced in secret; exposures by intelligence outside the regime where there are any.
    """
    data = result.to_dict()
    ranking: list[dict[str, Any]] = data["ranking"]
    s = data["strategies"]
    parts: list[str] = []
    reachable = [r for r in ranking if r["reachable"]]
    blocked = [r for r in ranking if not r["reachable"]]
    if reachable:
        best = reachable[0]
        parts.append(
            f"On {result.scenario} ({result.runs:,} runs, {result.months} months), "
            f"'{best['strategy']}' reaches verified CVID most often "
            f"({best['verified_cvid']:.2f} ± {best['standard_error']:.2f})"
            + (
                f", statistically tied with {', '.join(repr(t) for t in best['tied_with'])}"
                if best["tied_with"]
                else ""
            )
            + "."
        )
    else:
        parts.append(f"On {result.scenario} no strategy can reach verified CVID by construction.")
    for r in blocked:
        parts.append(
            f"For '{r['strategy']}' verified CVID is unreachable: {r['unreachable'][0]}"
            + (f" (and {len(r['unreachable']) - 1} more)" if len(r["unreachable"]) > 1 else "")
            + "."
        )
    for r in reachable[:1] + reachable[-1:] if len(reachable) > 1 else reachable:
        d = s[r["strategy"]]
        o = d["outcomes"]
        tb = d["clandestine_production"]["time-buyer"]["significant_quantities"]["mean"]
        bits = [
            f"pays cheaters {d['concessions_to_cheaters']['mean']:.2f} of the package on average",
            f"ends exposed {_pct(o['exposed'])} or in breakdown {_pct(o['breakdown'])}",
            f"in stalemate {_pct(o['stalemate'])}",
        ]
        if o["conflict"] > 0:
            bits.append(f"in conflict {_pct(o['conflict'])}")
        if tb is not None:
            bits.append(f"while time-buyers make {tb:.2f} SQ in secret")
        parts.append(f"'{r['strategy']}' " + ", ".join(bits) + ".")
    thresholds = next(iter(s.values()))["deterrence"] if s else None
    if thresholds:
        tb_thr = thresholds["threshold_by_type"].get("time-buyer")
        p = thresholds["detection_within_goal"]
        if tb_thr is not None:
            verdict = "deters" if p >= tb_thr else "does not deter"
            parts.append(
                f"The regime's chance of detection within the timeliness goal ({p:.3f}) "
                f"{verdict} a typical time-buyer (threshold D/(D + B) = {tb_thr:.3f} with the "
                "whole package at stake)."
            )
    by_intelligence = {
        name: d["detections"]["probability_by_intelligence"]
        for name, d in s.items()
        if d["detections"]["probability_by_intelligence"] > 0.0
    }
    if by_intelligence:
        parts.append(
            "Intelligence outside the inspection regime (the scenario's "
            "intelligence_exposure_per_month) exposes the hidden facilities in "
            + ", ".join(f"{_pct(v)} of runs under '{k}'" for k, v in by_intelligence.items())
            + "."
        )
    if any(v.get("pressure_is_default") for v in s.values()):
        parts.append("Pressure uses the default instrument (the scenario has no [pressure] table).")
    return " ".join(parts)
