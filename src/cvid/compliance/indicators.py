"""Indicators of a strategic decision or of pretence, read from the acts and the findings.

A decision shows in acts that cost the state something: irreversible steps (removal,
irreversible dismantlement), voluntary disclosure (of sites not declared before, above all) and
access beyond what the agreement requires. Pretence shows in declarations contradicted by
findings, access delayed or denied, only reversible steps on the ledger, and claims not
verified by their deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from cvid.compliance._records import key
from cvid.compliance.evidence import Evidence
from cvid.compliance.result import AccessOutcome, CommitmentStatus, ComplianceFinding, Indicator
from cvid.scenario import Scenario


def indicator(
    side: Literal["decision", "pretence"], kind: str, message: str, evidence: tuple[int, ...]
) -> Indicator:
    """An indicator of a decision or of pretence, with the records that show it."""
    return Indicator(side=side, kind=kind, message=message, evidence=evidence)


class Indicators:
    """The acts that indicate a decision, and the reversible steps, absorbed so far."""

    def __init__(self, s: Scenario) -> None:
        self.scenario = s
        self.undeclared = frozenset(f.id for f in s.program.facilities if not f.declared)
        self.decision_acts: list[tuple[Evidence, Indicator]] = []
        self.reversible: list[Evidence] = []

    def _act(self, e: Evidence, kind: str, message: str) -> None:
        self.decision_acts.append((e, indicator("decision", kind, message, (e.index,))))

    def add(self, e: Evidence) -> None:
        kind, role, p = e.kind, e.role, e.payload
        if role == "inspectorate":
            if kind == "inspection" and p.get("access") == "full":
                self._beyond_required(e)
            if kind == "removal":
                self._act(
                    e,
                    "irreversible-step",
                    f"{p.get('item')} removed to {p.get('destination')} on {e.time:%Y-%m-%d}",
                )
            if kind == "dismantlement":
                if p.get("irreversible"):
                    self._act(
                        e, "irreversible-step", f"{p.get('item')} dismantled ({p.get('method')})"
                    )
                else:
                    self.reversible.append(e)
        if role == "state" and kind == "disclosure" and p.get("voluntary") is True:
            new = sorted(set(e.items) & self.undeclared)
            what = f" incl. sites not declared before: {', '.join(new)}" if new else ""
            message = f"voluntary disclosure of {p.get('subject')}{what}"
            self._act(e, "voluntary-disclosure", message)

    def _beyond_required(self, e: Evidence) -> None:
        """An inspection with full access that went beyond what the agreement requires."""
        prov = self.scenario.agreement.provisions
        acts = set(e.payload.get("activities", ()))
        beyond = []
        if "interviews" in acts and not prov.access_to_people:
            beyond.append("interviews")
        if "document-review" in acts and not prov.access_to_documents:
            beyond.append("documents")
        if e.subjects() & self.undeclared and prov.access in ("declared-sites-only", "none"):
            beyond.append("undeclared sites")
        if beyond:
            self._act(
                e, "access-beyond-required", f"access beyond what was required: {', '.join(beyond)}"
            )

    def indicators(
        self,
        statuses: Sequence[CommitmentStatus],
        findings: Sequence[ComplianceFinding],
        access: Sequence[AccessOutcome],
        cutoff: datetime,
    ) -> list[Indicator]:
        p = self.scenario.agreement.provisions
        out: list[Indicator] = [
            ind
            for e, ind in sorted(self.decision_acts, key=lambda x: key(x[0]))
            if e.time <= cutoff
        ]
        for a in access:
            if a.outcome == "granted" and a.within_notice and p.access != "anywhere-anytime":
                out.append(
                    indicator(
                        "decision",
                        "access-beyond-required",
                        f"access to {a.site} granted within {a.delay_hours or 0:.0f} h",
                        a.evidence,
                    )
                )
            if not a.within_notice:
                out.append(
                    indicator(
                        "pretence",
                        "access-delayed-or-denied",
                        f"access to {a.site}: {a.outcome}"
                        + (f" after {a.delay_hours:.0f} h" if a.delay_hours is not None else ""),
                        a.evidence,
                    )
                )
        for f in findings:
            if (
                f.kind == "declaration-vs-finding" and f.severity == "fail"
            ) or f.kind == "undeclared-item":
                out.append(indicator("pretence", "declaration-contradicted", f.message, f.evidence))
            if f.kind in ("access-denied", "inspection-access") and f.severity == "fail":
                out.append(indicator("pretence", "access-delayed-or-denied", f.message, f.evidence))
        reversible = [e.index for e in sorted(self.reversible, key=key) if e.time <= cutoff]
        irreversible = any(i.kind == "irreversible-step" for i in out)
        if reversible and not irreversible:
            out.append(
                indicator(
                    "pretence",
                    "reversible-steps-only",
                    "only reversible steps (disablement, freeze) on the ledger",
                    tuple(reversible),
                )
            )
        for c in statuses:
            if c.claimed_on is not None and c.status == "overdue":
                out.append(
                    indicator(
                        "pretence",
                        "claim-not-verified",
                        f"{c.id} claimed {c.claimed_on:%Y-%m-%d} but not verified by its deadline",
                        c.evidence,
                    )
                )
        return out
