"""Material quantities: declared against measured or estimated, and the inspectorate's
inventory findings (undeclared or missing items, discrepancies, broken seals).

A declared quantity is judged against each inspectorate quantity by the kind of its source: a
measurement (or an inspector's observation) by the one-sided test on the shortfall with the
regime's measurement errors (:func:`measurement_finding`); an estimate by its own range only
(:func:`estimate_finding`); a press report or a record of unstated kind is shown, never tested.
The scenario's own ``mass_kg`` range is an estimate too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from cvid.compliance._records import Sources, key
from cvid.compliance.evidence import Evidence
from cvid.compliance.result import ComplianceFinding, Severity
from cvid.scenario import SIGNIFICANT_QUANTITY_KG, Estimate, Scenario
from cvid.verify import total_muf_test


def estimate_sigma(e: Estimate) -> float:
    """Standard deviation of an estimate: uniform (h − l)/√12, triangular
    √((a² + b² + c² − ab − ac − bc)/18), 0 for a point (standard results for these laws)."""
    if e.is_point:
        return 0.0
    if e.mode is None:
        return (e.high - e.low) / math.sqrt(12.0)
    a, b, c = e.low, e.high, e.mode
    return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)


def quantity_kg(e: Evidence) -> float | None:
    """The quantity in kg an inspectorate record states about a material, or None."""
    if e.kind == "finding":
        mq = e.payload.get("measured_quantity")
        if mq is not None and e.payload.get("unit") in (None, "kg"):
            return float(mq)
    if e.kind == "sample-result" and e.payload.get("unit") == "kg":
        return float(e.payload["value"])
    return None


def _declaration_finding(
    severity: Severity,
    message: str,
    evidence: tuple[int, ...],
    on: datetime,
    figures: dict[str, Any],
    sources: tuple[str, ...],
) -> ComplianceFinding:
    return ComplianceFinding(
        kind="declaration-vs-finding",
        severity=severity,
        message=message,
        evidence=evidence,
        on=on,
        figures=figures,
        sources=sources,
    )


def estimate_finding(
    item: str,
    dq: float,
    de: Evidence,
    what: str,
    low: float,
    high: float,
    central: float,
    sq: float | None,
    idx: tuple[int, ...],
    sources: tuple[str, ...],
    extra: Mapping[str, Any],
) -> ComplianceFinding:
    """A declared quantity against an estimate, judged by the estimate's own range only: an
    estimate (a reconstruction, an analysis) has no bulk-measurement error model, so there is
    no σMUF test and no false-alarm probability (cases.md conventions: estimates are never
    measurements)."""
    shortfall = central - dq
    sq_text = f" = {shortfall / sq:.2f} SQ" if sq and shortfall > 0 else ""
    rng = f"{low:.3g}–{high:.3g} kg" if high > low else f"{central:.3g} kg (a point)"
    sev: Severity
    if dq < low:
        position = "below"
        msg = (
            f"{item}: declared {dq:g} kg is below the whole range of the {what} ({rng}; "
            f"central {central:.3g} kg, {shortfall:.3g} kg{sq_text} more) — judged by the "
            "estimate's own range, not by a measurement test"
        )
        sev = "warn"
    elif dq > high:
        position = "above"
        msg = f"{item}: declared {dq:g} kg is above the range of the {what} ({rng})"
        sev = "info"
    else:
        position = "within"
        msg = (
            f"{item}: declared {dq:g} kg lies within the range of the {what} ({rng}; "
            f"central {central:.3g} kg) — an estimate, not a measurement: no significance test"
        )
        sev = "warn" if sq and shortfall >= sq else "info"
    figures: dict[str, Any] = {
        "item": item,
        "declared_kg": dq,
        "reference": what,
        "reference_kg": central,
        "low_kg": low,
        "high_kg": high,
        "shortfall_kg": shortfall,
        "shortfall_sq": shortfall / sq if sq else None,
        "test": "estimate-range",
        "position": position,
        **extra,
    }
    return _declaration_finding(sev, msg, (de.index, *idx), de.time, figures, sources)


def measurement_finding(
    item: str,
    dq: float,
    de: Evidence,
    what: str,
    ref: float,
    sigma: float,
    rsd: float,
    alpha: float,
    sq: float | None,
    idx: tuple[int, ...],
    sources: tuple[str, ...],
) -> ComplianceFinding:
    """A declared quantity against a measured one, judged by the one-sided test on the
    shortfall (cvid.verify.total_muf_test with one balance: alarm when shortfall >
    z_{1-α}·σ, σ² = σ_reference² + σ_declared²; Avenhaus & Canty 1996, ch. 3)."""
    shortfall = ref - dq
    total = math.hypot(sigma, rsd * dq)
    figures: dict[str, Any] = {
        "item": item,
        "declared_kg": dq,
        "reference": what,
        "reference_kg": ref,
        "sigma_kg": total,
        "shortfall_kg": shortfall,
        "shortfall_sq": shortfall / sq if sq else None,
        "alpha": alpha,
        "test": "one-sided measurement test",
    }
    if total > 0:
        test = total_muf_test([shortfall], [[total * total]], alpha)
        significant = bool(test.alarm)
        figures["threshold_kg"] = test.threshold
    else:
        significant = shortfall > 0
        figures["threshold_kg"] = 0.0
    figures["significant"] = significant
    sq_text = f" = {shortfall / sq:.2f} SQ" if sq else ""
    sev: Severity
    if shortfall <= 0:
        msg = f"{item}: declared {dq:g} kg is not below the {what} {ref:.3g} kg"
        sev = "info"
    elif significant:
        msg = (
            f"{item}: declared {dq:g} kg is {shortfall:.3g} kg{sq_text} below the {what} "
            f"{ref:.3g} kg — beyond measurement uncertainty (σ {total:.2g} kg, α {alpha:g})"
        )
        sev = "fail"
    else:
        msg = (
            f"{item}: declared {dq:g} kg is {shortfall:.3g} kg{sq_text} below the {what} "
            f"{ref:.3g} kg — within uncertainty (σ {total:.2g} kg, α {alpha:g})"
        )
        sev = "warn" if sq and shortfall >= sq else "info"
    return _declaration_finding(sev, msg, (de.index, *idx), de.time, figures, sources)


class Quantities:
    """The declarations, the inspectorate's quantities and inventory findings absorbed so far."""

    def __init__(self, s: Scenario) -> None:
        self.scenario = s
        self.materials = {m.id: m for m in s.program.materials}
        self.inspectorate_findings: list[Evidence] = []
        self.broken_seals: list[Evidence] = []
        self.declarations: list[Evidence] = []
        self.quantities: dict[str, list[Evidence]] = {}

    def add(self, e: Evidence) -> None:
        kind, role, p = e.kind, e.role, e.payload
        if role == "inspectorate":
            if kind == "finding" and p.get("result") in ("undeclared", "missing", "discrepancy"):
                self.inspectorate_findings.append(e)
            if kind == "seal-check" and p.get("intact") is False:
                self.broken_seals.append(e)
            if kind in ("finding", "sample-result"):
                item = p.get("item")
                if isinstance(item, str) and item in self.materials and quantity_kg(e) is not None:
                    self.quantities.setdefault(item, []).append(e)
        if (
            role == "state"
            and kind == "declaration"
            and any(d.get("item") in self.materials for d in p.get("declared", ()))
        ):
            self.declarations.append(e)

    def findings(self, sources: Sources, cutoff: datetime) -> list[ComplianceFinding]:
        """Inventory findings, broken seals, then declared against found quantities."""
        out: list[ComplianceFinding] = []
        for e in self.inspectorate_findings:
            if e.time > cutoff:
                continue
            result = str(e.payload["result"])
            what = str(e.payload.get("item") or e.payload.get("site") or "an item")
            out.append(
                sources.finding(
                    "undeclared-item" if result == "undeclared" else "discrepancy",
                    "fail" if result != "discrepancy" else "warn",
                    f"{result}: {what} ({e.time:%Y-%m-%d}): {e.payload.get('description')}",
                    (e.index,),
                    e.time,
                )
            )
        for e in self.broken_seals:
            if e.time <= cutoff:
                out.append(
                    sources.finding(
                        "seal-broken",
                        "fail",
                        f"seal {e.payload.get('seal_id')} found broken on {e.time:%Y-%m-%d}",
                        (e.index,),
                        e.time,
                    )
                )
        out += self._quantity_findings(sources, cutoff)
        return out

    def _quantity_findings(self, sources: Sources, cutoff: datetime) -> list[ComplianceFinding]:
        """Declared material quantities against the inspectorate's quantities and the
        scenario's estimate. A measurement is judged by the one-sided test with the regime's
        measurement errors; an estimate (a record of kind ``estimate``, or the scenario's
        ``mass_kg`` range) by its own range only; a press report or a record of unstated kind
        is shown, never tested."""
        mb = self.scenario.verification.material_balance
        alpha = mb.false_alarm_probability
        rsd = math.hypot(mb.random_rsd, mb.systematic_rsd)
        declared: dict[str, tuple[float, Evidence]] = {}
        for e in sorted((d for d in self.declarations if d.time <= cutoff), key=key):
            for d in e.payload.get("declared", ()):
                item, q, unit = d.get("item"), d.get("quantity"), d.get("unit")
                if item in self.materials and q is not None and unit in (None, "kg"):
                    declared[item] = (float(q), e)
        out: list[ComplianceFinding] = []
        for item, (dq, de) in declared.items():
            m = self.materials[item]
            sq = SIGNIFICANT_QUANTITY_KG.get(m.kind)
            refs = sorted(
                (
                    e
                    for e in self.quantities.get(item, ())
                    if de.time - timedelta(days=3650) <= e.time <= cutoff
                ),
                key=key,
            )
            for e in refs:
                value = quantity_kg(e)
                assert value is not None
                what = f"{e.source_kind} (record {e.index})"
                cited = sources.of((de.index, e.index))
                if e.is_estimate and e.uncertainty is not None:
                    u = e.uncertainty
                    given = u.get("central")
                    central = float(given) if given is not None else value
                    extra = {
                        "source_kind": "estimate",
                        "method": e.basis.get("method") if e.basis else None,
                        "meaning": u.get("meaning"),
                    }
                    out.append(
                        estimate_finding(
                            item,
                            dq,
                            de,
                            f"estimate (record {e.index})",
                            float(u["low"]),
                            float(u["high"]),
                            central,
                            sq,
                            (e.index,),
                            cited,
                            extra,
                        )
                    )
                elif e.source_kind in ("measurement", "inspector-observation"):
                    sigma = rsd * value
                    if e.kind == "sample-result" and e.payload.get("uncertainty") is not None:
                        sigma = float(e.payload["uncertainty"])
                    out.append(
                        measurement_finding(
                            item,
                            dq,
                            de,
                            f"measured {what}",
                            value,
                            sigma,
                            rsd,
                            alpha,
                            sq,
                            (e.index,),
                            cited,
                        )
                    )
                else:
                    shortfall = value - dq
                    sev: Severity = "warn" if sq and shortfall >= sq else "info"
                    out.append(
                        _declaration_finding(
                            sev,
                            f"{item}: declared {dq:g} kg against {value:.3g} kg reported by a "
                            f"record of kind {what}: not a measurement, not tested",
                            (de.index, e.index),
                            de.time,
                            {
                                "item": item,
                                "declared_kg": dq,
                                "reference": what,
                                "reference_kg": value,
                                "shortfall_kg": shortfall,
                                "shortfall_sq": shortfall / sq if sq else None,
                                "test": "none",
                            },
                            cited,
                        )
                    )
            est = m.mass_kg
            label = f"scenario estimate ({est.source})" if est.source else "scenario estimate"
            out.append(
                estimate_finding(
                    item,
                    dq,
                    de,
                    label,
                    est.low,
                    est.high,
                    est.mean,
                    sq,
                    (),
                    sources.of((de.index,), "estimate (scenario)"),
                    {"source_kind": "estimate", "sigma_kg": estimate_sigma(est)},
                )
            )
        return out
