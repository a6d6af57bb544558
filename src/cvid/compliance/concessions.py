"""Concessions against verified results: was relief released only after the steps it pays
for were verified ("relief after results"), or withheld while they were not?

A concession record (signed by an admin or an observer) releases or withholds a concession of
the agreement; it is judged against the statuses, on that record's date, of the commitments the
concession requires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cvid.compliance._records import Sources, key
from cvid.compliance.evidence import Evidence
from cvid.compliance.result import ComplianceFinding, ConcessionCheck, Verdict
from cvid.compliance.status import CommitmentTrack
from cvid.scenario import Scenario


class Concessions:
    """Concession records absorbed so far, judged against the commitments' tracks."""

    def __init__(self, s: Scenario, tracks: Mapping[str, CommitmentTrack]) -> None:
        self.scenario = s
        self.tracks = tracks
        self.records: list[Evidence] = []

    def add(self, e: Evidence) -> None:
        if e.kind == "concession" and e.role in ("admin", "observer"):
            self.records.append(e)

    def checks(self, cutoff: datetime) -> list[ConcessionCheck]:
        defs = {c.id: c for c in self.scenario.agreement.concessions}
        out = []
        for e in sorted((r for r in self.records if r.time <= cutoff), key=key):
            c = defs.get(str(e.payload["concession_id"]))
            if c is None:
                continue  # reported as outside the agreement
            unverified = []
            for r in c.requires:
                t = self.tracks.get(r)
                if t is None or t.verified_on(e.time) is None or t.violation(e.time) is not None:
                    unverified.append(r)
            action = str(e.payload["action"])
            if action == "released":
                verdict: Verdict = (
                    "relief-before-results" if unverified else "released-after-verification"
                )
            else:
                verdict = "withheld-correctly" if unverified else "withheld-after-verification"
            out.append(
                ConcessionCheck(
                    id=c.id,
                    action=action,
                    on=e.time,
                    requires=tuple(c.requires),
                    unverified=tuple(unverified),
                    verdict=verdict,
                    evidence=(e.index,),
                )
            )
        return out

    def findings(
        self, sources: Sources, checks: Sequence[ConcessionCheck]
    ) -> list[ComplianceFinding]:
        defs = {c.id: c for c in self.scenario.agreement.concessions}
        out = []
        for c in checks:
            terms = defs[c.id].release_on
            if c.verdict == "relief-before-results":
                extra = "" if terms == "verified" else f" (the agreement released it on '{terms}')"
                out.append(
                    sources.finding(
                        "relief-before-results",
                        "fail",
                        f"{c.id} released {c.on:%Y-%m-%d} before {', '.join(c.unverified)} "
                        f"was verified{extra}",
                        c.evidence,
                        c.on,
                    )
                )
            elif c.verdict == "withheld-after-verification":
                out.append(
                    sources.finding(
                        "withheld-after-verification",
                        "warn",
                        f"{c.id} {c.action} {c.on:%Y-%m-%d} although {', '.join(c.requires)} "
                        "was verified",
                        c.evidence,
                        c.on,
                    )
                )
            else:
                out.append(
                    sources.finding(
                        c.verdict,
                        "info",
                        f"{c.id} {c.action} {c.on:%Y-%m-%d}"
                        + (
                            f": {', '.join(c.unverified)} not verified"
                            if c.unverified
                            else " after its milestones were verified"
                        ),
                        c.evidence,
                        c.on,
                    )
                )
        return out
