"""The compliance section: the state of the agreement from the evidence on a ledger, and the
block the template shows (from that state or from the summary the assessment keeps)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cvid.scenario import Scenario


def ledger_compliance(s: Scenario, ledger: str | Path, *, shared: bool = False) -> dict[str, Any]:
    """The full compliance state of ``s`` from the evidence on ``ledger`` (the shape of
    :meth:`cvid.compliance.ComplianceState.to_dict`) with the latest signed checkpoint;
    ``shared`` as in :func:`cvid.compliance.agreement_evidence`."""
    from cvid.compliance import agreement_evidence, agreement_id, evaluate
    from cvid.errors import CheckFailed
    from cvid.ledger import Ledger

    with Ledger.open(ledger) as led:
        evidence = agreement_evidence(led, agreement_id(s), source=str(ledger), shared=shared)
        try:
            checkpoint: str | None = led.checkpoint()
        except CheckFailed:
            checkpoint = None
    out = evaluate(s, evidence).to_dict()
    out["checkpoint"] = checkpoint
    return out


def _day(moment: Any) -> str | None:
    """The UTC date of an ISO moment (``2008-01-01T15:18:00Z`` → ``2008-01-01``): deadlines
    come from month arithmetic, whose clock time means nothing to a reader."""
    if moment is None or moment == "":
        return None
    return str(moment)[:10]


def compliance_block(c: Mapping[str, Any]) -> dict[str, Any]:
    """The compliance block for the template, from the full state or from the short summary
    that :func:`cvid.assess.assess` keeps (``statuses`` instead of ``commitments``)."""
    counts = c.get("counts", {})
    commitments = list(c.get("commitments", []))
    if not commitments:
        commitments = [
            {
                "id": k,
                "status": v,
                "deadline": None,
                "claimed_on": None,
                "verified_on": None,
                "why": "",
            }
            for k, v in (c.get("statuses") or {}).items()
        ]
    commitments = [
        {**x, **{k: _day(x.get(k)) for k in ("deadline", "claimed_on", "verified_on")}}
        for x in commitments
    ]
    indicators = c.get("indicators")
    balance = indicators.get("balance", "") if isinstance(indicators, Mapping) else indicators
    return {
        "agreement": c.get("agreement", ""),
        "at": _day(c.get("at")) or "",
        "records": c.get("records", 0),
        "counts": [(k, v) for k, v in counts.items()],
        "commitments": commitments,
        "findings": [
            {**f, "on": _day(f.get("on"))}
            for f in c.get("findings", [])
            if f.get("severity") != "info"
        ],
        "timeline": [{**t, "on": _day(t.get("on"))} for t in c.get("timeline", [])],
        "balance": balance or "",
        "decision": list(indicators.get("decision", [])) if isinstance(indicators, Mapping) else [],
        "pretence": list(indicators.get("pretence", [])) if isinstance(indicators, Mapping) else [],
        "checkpoint": c.get("checkpoint"),
    }
