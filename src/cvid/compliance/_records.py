"""Small helpers every finding family of the compliance engine shares: the order of records,
sorted-list upkeep and findings that cite the sources of the records they rest on."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from cvid.compliance.evidence import Evidence
from cvid.compliance.result import ComplianceFinding, Severity


def merge(into: list[Any], new: list[Any]) -> None:
    """Add ``new`` items to the sorted list ``into`` (and empty ``new``): a few by binary
    insertion, many by one sort (Timsort merges the two sorted runs in linear time)."""
    if len(new) <= 32:
        for x in new:
            bisect.insort(into, x)
    else:
        into.extend(new)
        into.sort()
    new.clear()


def key(e: Evidence) -> tuple[datetime, int]:
    """The order of records: by time, then by ledger index."""
    return (e.time, e.index)


def earlier(a: Evidence | None, b: Evidence) -> Evidence:
    """The earlier of two records (``b`` when there is no ``a``)."""
    return b if a is None or key(b) < key(a) else a


def describe(e: Evidence) -> str:
    """A record as findings name it: index, kind, source and signer."""
    return f"record {e.index} ({e.kind}, {e.source_label}, signed by {e.signer})"


class Sources:
    """The source label of every record absorbed, so that findings can cite their sources."""

    def __init__(self) -> None:
        self.labels: dict[int, str] = {}

    def add(self, e: Evidence) -> None:
        self.labels[e.index] = e.source_label

    def of(self, indices: Iterable[int], *extra: str) -> tuple[str, ...]:
        """The distinct source labels of the records ``indices``, then ``extra``, in order."""
        out: list[str] = []
        for i in indices:
            label = self.labels.get(i)
            if label is not None and label not in out:
                out.append(label)
        for x in extra:
            if x not in out:
                out.append(x)
        return tuple(out)

    def finding(
        self,
        kind: str,
        severity: Severity,
        message: str,
        evidence: tuple[int, ...] = (),
        on: datetime | None = None,
        figures: Mapping[str, Any] | None = None,
        *extra_sources: str,
    ) -> ComplianceFinding:
        """A finding citing the sources of its ``evidence`` records (and ``extra_sources``)."""
        return ComplianceFinding(
            kind=kind,
            severity=severity,
            message=message,
            evidence=evidence,
            on=on,
            figures=dict(figures or {}),
            sources=self.of(evidence, *extra_sources),
        )
