"""Access: what happened to each access request, and the findings about access.

An access request is settled by the inspectorate's own record of getting in (an inspection with
access at the site that started after the request) or by a denial; a state-signed grant alone
does not settle it, and the delay is measured to the inspectors' entry. A request settled on
records all dated by the evaluation date is cached until an answer to it, or an earlier entry
at its site, arrives.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from cvid.compliance._records import Sources, key, merge
from cvid.compliance.evidence import Evidence, as_utc
from cvid.compliance.result import AccessOutcome, ComplianceFinding, MeasuredBy, Outcome, Severity
from cvid.scenario import Scenario


class Access:
    """Access requests, answers, entries and limited inspections absorbed so far."""

    def __init__(self, s: Scenario) -> None:
        self.scenario = s
        #: access requests sorted by (POSIX time, index, arrival)
        self.requests: list[tuple[float, int, int, Evidence]] = []
        self._new_requests: list[tuple[float, int, int, Evidence]] = []
        self.answers: dict[str, list[Evidence]] = {}
        #: inspectorate inspections with access, per site, sorted by (started, index): the
        #: POSIX start time, the index, an arrival number (never equal) and the record
        self.entries: dict[str, list[tuple[float, int, int, Evidence]]] = {}
        self._new_entries: dict[str, list[tuple[float, int, int, Evidence]]] = {}
        self._seq = 0
        #: the latest record time per site (entries) and per request id (answers)
        self.latest: dict[tuple[str, str], datetime] = {}
        #: settled access outcomes: id(request) -> (answers counted, latest record seen, outcome)
        self.access_cache: dict[int, tuple[int, datetime, AccessOutcome]] = {}
        #: per site, the settled requests: id(request) -> (requested, settled) POSIX times
        self.settled_at_site: dict[str, dict[int, tuple[float, float]]] = {}
        self.denials: list[Evidence] = []
        self.limited_inspections: list[Evidence] = []

    def add(self, e: Evidence) -> None:
        kind, p = e.kind, e.payload
        if e.role == "inspectorate":
            if kind == "access-request":
                self._seq += 1
                self._new_requests.append((e.time.timestamp(), e.index, self._seq, e))
            if kind == "inspection":
                self._inspection(e)
        if kind in ("access-granted", "access-denied"):
            rid = str(p.get("request_id"))
            self.answers.setdefault(rid, []).append(e)
            self.latest[("rid", rid)] = max(self.latest.get(("rid", rid), e.time), e.time)
            if kind == "access-denied":
                self.denials.append(e)

    def _inspection(self, e: Evidence) -> None:
        p = e.payload
        access = p.get("access")
        if access != "full":
            self.limited_inspections.append(e)
        if access in ("full", "partial"):
            try:
                started = as_utc(str(p.get("started")))
            except ValueError:
                started = e.time
            self._seq += 1
            site = str(p.get("site"))
            self.latest[("site", site)] = max(self.latest.get(("site", site), e.time), e.time)
            t = started.timestamp()
            settled = self.settled_at_site.get(site)
            if settled:
                for rid_, (requested, done) in list(settled.items()):
                    if requested <= t <= done:  # an earlier entry: settle it again
                        del settled[rid_]
                        self.access_cache.pop(rid_, None)
            self._new_entries.setdefault(site, []).append(
                (started.timestamp(), e.index, self._seq, e)
            )

    def commit(self) -> None:
        """Sort the records added since the last call into place."""
        merge(self.requests, self._new_requests)
        for site, new in self._new_entries.items():
            merge(self.entries.setdefault(site, []), new)
        self._new_entries.clear()

    def outcomes(self, at: datetime, cutoff: datetime) -> list[AccessOutcome]:
        notice = self.scenario.agreement.provisions.challenge_notice_hours
        out = []
        last = bisect.bisect_right(self.requests, (cutoff.timestamp(), sys.maxsize))
        for _, _, _, e in self.requests[:last]:
            rid = str(e.payload["request_id"])
            site = str(e.payload.get("site"))
            # a request settled (entry or denial) on records all dated by ``cutoff`` stays
            # settled until an answer to it, or an earlier entry at its site, arrives
            n_answers = len(self.answers.get(rid, ()))
            hit = self.access_cache.get(id(e))
            if hit is not None and hit[0] == n_answers and cutoff >= hit[1]:
                out.append(hit[2])
                continue
            answers = sorted(
                (a for a in self.answers.get(rid, ()) if e.time <= a.time <= cutoff), key=key
            )
            grant = next((a for a in answers if a.kind == "access-granted"), None)
            denial = next((a for a in answers if a.kind == "access-denied"), None)
            entry = self._entry(site, e.time, cutoff)
            answered = answers[0].time if answers else None
            idx: list[int] = [e.index] + [a.index for a in (grant, denial) if a is not None]
            outcome: Outcome
            measured: MeasuredBy
            entered: datetime | None = None
            if entry is not None and (denial is None or entry[0] <= denial.time):
                entered = entry[0]
                idx.append(entry[1].index)
                partial = entry[1].payload.get("access") == "partial" or (
                    grant is not None and grant.payload.get("scope") == "partial"
                )
                outcome = "partial" if partial else "granted"
                delay = (entered - e.time).total_seconds() / 3600.0
                measured = "inspectorate-entry"
                within = outcome == "granted" and delay <= notice
            elif denial is not None:
                outcome, measured = "denied", "denial"
                delay = (denial.time - e.time).total_seconds() / 3600.0
                within = False
            else:
                outcome = "not-entered" if grant is not None else "unanswered"
                measured = "still-waiting"
                delay = (at - e.time).total_seconds() / 3600.0
                within = delay <= notice
            result = AccessOutcome(
                request_id=rid,
                site=site,
                access=str(e.payload.get("access")),
                requested=e.time,
                outcome=outcome,
                answered=answered,
                delay_hours=delay,
                within_notice=within,
                evidence=tuple(sorted(set(idx))),
                entered=entered,
                measured_by=measured,
                notice_hours=notice,
            )
            seen = max(
                self.latest.get(("site", site), e.time), self.latest.get(("rid", rid), e.time)
            )
            if measured != "still-waiting" and cutoff >= seen:
                settled = entered if entered is not None else denial.time if denial else e.time
                self.access_cache[id(e)] = (n_answers, seen, result)
                self.settled_at_site.setdefault(site, {})[id(e)] = (
                    e.time.timestamp(),
                    settled.timestamp(),
                )
            out.append(result)
        return out

    def _entry(
        self, site: str, requested: datetime, cutoff: datetime
    ) -> tuple[datetime, Evidence] | None:
        """The inspectorate's first record of getting in at ``site`` after ``requested``
        (an inspection with access that started then or later), known by ``cutoff``."""
        entries = self.entries.get(site, [])
        k = bisect.bisect_left(entries, (requested.timestamp(), -1, -1, None))
        last = cutoff.timestamp()
        for j in range(k, len(entries)):
            started, _, _, i = entries[j]
            if started > last:
                return None
            if i.time <= cutoff:
                return datetime.fromtimestamp(started, UTC), i
        return None

    def findings(
        self, sources: Sources, outcomes: Sequence[AccessOutcome], cutoff: datetime
    ) -> list[ComplianceFinding]:
        p = self.scenario.agreement.provisions
        notice = p.challenge_notice_hours
        anywhere = p.access == "anywhere-anytime"
        out = []
        for a in outcomes:
            figures = {
                "delay_hours": a.delay_hours,
                "notice_hours": notice,
                "measured_by": a.measured_by,
            }
            if a.outcome == "denied":
                out.append(
                    sources.finding(
                        "access-denied",
                        "fail",
                        f"access to {a.site} ({a.access}) requested {a.requested:%Y-%m-%d} "
                        "was denied",
                        a.evidence,
                        a.answered,
                        figures,
                    )
                )
            elif a.outcome in ("unanswered", "not-entered"):
                sev: Severity = "info" if a.within_notice else "fail"
                granted = (
                    f"granted by the state on {a.answered:%Y-%m-%d %H:%M} UTC (state-signed) "
                    "but the inspectorate has not recorded getting in"
                    if a.outcome == "not-entered" and a.answered is not None
                    else "no answer"
                )
                out.append(
                    sources.finding(
                        "access-unanswered",
                        sev,
                        f"access to {a.site} requested {a.requested:%Y-%m-%d}: {granted} after "
                        f"{a.delay_hours:.0f} h (notice time {notice:g} h)",
                        a.evidence,
                        a.requested,
                        figures,
                    )
                )
            elif not a.within_notice:
                grant_note = ""
                if a.answered is not None and a.entered is not None:
                    claimed = (a.answered - a.requested).total_seconds() / 3600.0
                    gap = (a.entered - a.answered).total_seconds() / 3600.0
                    if gap > notice:
                        grant_note = (
                            f"; the state-signed grant is dated {claimed:.0f} h after the "
                            f"request, {gap:.0f} h before the inspectors got in"
                        )
                        figures["grant_hours"] = claimed
                out.append(
                    sources.finding(
                        "access-delayed",
                        "fail" if anywhere else "warn",
                        f"access to {a.site}: the inspectors got in {a.delay_hours:.0f} h after "
                        "the request (the inspectorate's own record of entry)"
                        + (" (partial)" if a.outcome == "partial" else "")
                        + f"; the agreed notice is {notice:g} h"
                        + (" (anywhere-anytime)" if anywhere else "")
                        + grant_note,
                        a.evidence,
                        a.entered,
                        figures,
                    )
                )
        answered_ids = {a.request_id for a in outcomes}
        for e in self.limited_inspections:
            if e.time > cutoff:
                continue
            out.append(
                sources.finding(
                    "inspection-access",
                    "fail" if e.payload.get("access") == "none" else "warn",
                    f"inspection at {e.payload.get('site')} on {e.time:%Y-%m-%d} had "
                    f"{e.payload.get('access')} access",
                    (e.index,),
                    e.time,
                )
            )
        for e in self.denials:
            if e.time <= cutoff and e.payload.get("request_id") not in answered_ids:
                out.append(
                    sources.finding(
                        "access-denied",
                        "fail",
                        f"access denied on {e.time:%Y-%m-%d}: {e.payload.get('reason')}",
                        (e.index,),
                        e.time,
                    )
                )
        return out
