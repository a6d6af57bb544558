"""Public observation datasets turned into signed ``observation`` records.

Formats:

* ``cns-missile-tests`` — the CNS North Korea Missile Test Database as republished in
  nagix/nk-missile-tests (``{"timeBins": [{"year", "data": [...]}]}``). Dates mix conventions
  (shared/research/README.md): a row with a time ``HH:MM (UTC)`` is a UTC date; a row without
  a time is a Korean local date (KST, UTC+9) and is placed at 12:00 KST unless a sourced launch
  time is known (:data:`KNOWN_LAUNCH_TIMES`), so 2012-04-13 Unha-3 becomes 2012-04-12 22:39 UTC.
* ``nuclear-explosions`` — the SIPRI list of nuclear explosions 1945–98 (data-is-plural CSV:
  ``date_long`` YYYYMMDD and ``origin_t`` hhmmss.s, GMT), rows of the scenario's state only.
* ``dprk-nuclear-tests`` — shared/research/dprk_tests.csv (``date_utc``, origin times of
  Yao et al. 2018 in UTC), the DPRK tests after 1998.

Each record keeps its original row in the description and pins the source file by its
SHA-256 in ``attachments``. Imports are all-or-nothing: every row is parsed and checked before
one transaction appends them all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cvid.compliance.engine import agreement_id, agreement_start
from cvid.compliance.rules import program_item_ids
from cvid.errors import InputError
from cvid.ledger import Ledger, PartyKey
from cvid.scenario import Scenario

FORMATS: tuple[str, ...] = ("cns-missile-tests", "nuclear-explosions", "dprk-nuclear-tests")

#: Missiles the CNS database describes as intercontinental ballistic missiles.
ICBM_MISSILES: frozenset[str] = frozenset(
    {"hwasong-14", "hwasong-15", "hwasong-17", "hwasong-18", "hwasong-19", "hwasong-20"}
)
#: Space launch vehicles in the CNS database (ICBM-class boosters; counted as long-range
#: launches by the 2012 Leap Day terms, see events.csv 2012-03-16).
SLV_MISSILES: frozenset[str] = frozenset({"unha", "unha-3", "taepodong-1", "chollima-1"})

#: Launch times (UTC) from other sources for CNS rows without a time, by (CNS date, missile).
KNOWN_LAUNCH_TIMES: Mapping[tuple[str, str], tuple[str, str]] = {
    ("2012-04-13", "unha-3"): (
        "2012-04-12T22:39:00Z",
        "~07:39 KST = 2012-04-12 22:39 UTC (events.csv 2012-04-13; armscontrol.org ACT 2012-05)",
    ),
}

#: SIPRI country codes of the states a scenario may name.
SIPRI_COUNTRIES: Mapping[str, str] = {
    "united states": "USA",
    "usa": "USA",
    "ussr": "USSR",
    "russia": "USSR",
    "united kingdom": "UK",
    "uk": "UK",
    "france": "FRANCE",
    "china": "CHINA",
    "india": "INDIA",
    "pakistan": "PAKIST",
}

KST = timedelta(hours=9)
_UTC_TIME = re.compile(r"^(\d{1,2}):(\d{2}) \(UTC\)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$")


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows read, records appended (their ledger indices), rows skipped
    because they fall before the agreement or concern another state."""

    format: str
    file: str
    sha256: str
    rows: int
    indices: tuple[int, ...]
    skipped_before_agreement: int
    skipped_other: int
    first: str | None = None
    last: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of ``cvid ledger import --json``."""
        return {
            "format": self.format,
            "file": self.file,
            "sha256": self.sha256,
            "rows": self.rows,
            "imported": len(self.indices),
            "indices": list(self.indices),
            "skipped_before_agreement": self.skipped_before_agreement,
            "skipped_other": self.skipped_other,
            "first": self.first,
            "last": self.last,
        }


@dataclass(frozen=True)
class _Row:
    number: int
    time: datetime
    items: tuple[str, ...]
    site: str | None
    description: str


def _z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bad(path: Path, n: int | None, reason: str, fld: str | None = None) -> InputError:
    where = f"{path}: record {n}" if n is not None else str(path)
    return InputError(reason, source=where, field=fld)


def _cns_time(path: Path, n: int, row: Mapping[str, Any]) -> tuple[datetime, str]:
    raw_date = row.get("date")
    raw_time = str(row.get("time", "unknown"))
    missile = str(row.get("missile", "unknown"))
    if not isinstance(raw_date, str):
        raise _bad(path, n, "has no date", "date")
    known = KNOWN_LAUNCH_TIMES.get((raw_date, missile))
    if known is not None:
        return datetime.fromisoformat(known[0].replace("Z", "+00:00")), known[1]
    m = _UTC_TIME.match(raw_time)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
            day = datetime.strptime(raw_date, "%Y-%m-%d").replace(tzinfo=UTC)
            precision = "day"
        elif re.fullmatch(r"\d{4}-\d{2}", raw_date):
            day = datetime.strptime(raw_date, "%Y-%m").replace(tzinfo=UTC)
            precision = "month"
        else:
            raise ValueError(raw_date)
    except ValueError:
        raise _bad(path, n, f"unparseable date {raw_date!r}", "date") from None
    if m is not None and precision == "day":
        hh, mm = int(m.group(1)), int(m.group(2))
        if hh > 23 or mm > 59:
            raise _bad(path, n, f"unparseable time {raw_time!r}", "time")
        return day + timedelta(hours=hh, minutes=mm), "CNS time given in UTC"
    if raw_time != "unknown" and m is None:
        raise _bad(path, n, f"unparseable time {raw_time!r}", "time")
    # no time: a Korean local date; put it at 12:00 KST (03:00 UTC the same day)
    note = "no time in CNS; the date is a Korean local date, placed at 12:00 KST"
    if precision == "month":
        note = "CNS gives only the month; placed on its first day at 12:00 KST"
    return day + timedelta(hours=12) - KST, note


def _cns_rows(path: Path, text: str, items: set[str]) -> list[_Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(path, None, f"not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("timeBins"), list):
        raise _bad(path, None, "not the CNS missile test format: no 'timeBins' list", "timeBins")
    out: list[_Row] = []
    n = 0
    for b, tb in enumerate(data["timeBins"]):
        if not isinstance(tb, dict) or not isinstance(tb.get("data"), list):
            raise _bad(path, None, f"timeBins[{b}] has no 'data' list", f"timeBins[{b}]")
        for row in tb["data"]:
            n += 1
            if not isinstance(row, dict) or "missile" not in row:
                raise _bad(path, n, "not a launch entry (needs date, time, missile)")
            t, note = _cns_time(path, n, row)
            missile = str(row["missile"])
            refs = ["missile-testing"]
            cls = "unknown class"
            if missile in ICBM_MISSILES:
                refs.append("icbm-testing")
                cls = "ICBM"
            elif missile in SLV_MISSILES:
                cls = "space launch vehicle"
            if missile in items:
                refs.append(missile)
            facility = str(row.get("facility", ""))
            original = json.dumps(
                {k: v for k, v in row.items() if k != "description"}, sort_keys=True
            )
            desc = (
                f"Launch of {missile} ({cls}) from {facility or 'unknown site'}, outcome "
                f"{row.get('outcome', 'unknown')}. Date normalized to UTC: {note}. "
                f"Source: CNS North Korea Missile Test Database (via nagix/nk-missile-tests), "
                f"record {n}: {original}. CNS note: {str(row.get('description', ''))[:2000]}"
            )
            site = facility if _ID.match(facility) else None
            out.append(_Row(n, t, tuple(refs), site, desc))
    return out


def _csv(path: Path, text: str, needed: set[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or ())
    if not needed <= fields:
        missing = ", ".join(sorted(needed - fields))
        raise _bad(path, None, f"wrong format: missing column(s) {missing}", "header")
    return list(reader)


def _sipri_rows(path: Path, text: str, country: str) -> tuple[list[_Row], int]:
    rows = _csv(path, text, {"date_long", "origin_t", "country", "region", "name", "type"})
    out: list[_Row] = []
    other = 0
    for n, r in enumerate(rows, 1):
        try:
            day = datetime.strptime(r["date_long"].strip(), "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            raise _bad(path, n, f"unparseable date {r['date_long']!r}", "date_long") from None
        try:
            secs = float(r["origin_t"] or 0.0)
        except ValueError:
            raise _bad(path, n, f"unparseable origin time {r['origin_t']!r}", "origin_t") from None
        hh, rest = divmod(int(secs), 10000)
        mm, ss = divmod(rest, 100)
        note = "origin time GMT"
        if hh > 23 or mm > 59 or ss > 59:
            # the SIPRI list has a few impossible times (240000, 650003): keep the date only
            hh = mm = ss = 0
            note = f"origin time {r['origin_t']} impossible in the source; date kept, time unknown"
        if r["country"].strip().upper() != country:
            other += 1
            continue
        t = day + timedelta(hours=hh, minutes=mm, seconds=ss)
        desc = (
            f"{note}. "
            f"Nuclear explosion {r.get('name') or '(unnamed)'} at {r['region']} ({r['type']}), "
            f"mb {r.get('mb')}, yield {r.get('yield_1')}–{r.get('yield_u')} kt. "
            f"Source: SIPRI nuclear explosions 1945–98 (data-is-plural/nuclear-explosions), "
            f"record {n}: {json.dumps(r, sort_keys=True)}"
        )
        out.append(_Row(n, t, ("nuclear-testing",), None, desc))
    return out, other


def _dprk_rows(path: Path, text: str) -> list[_Row]:
    rows = _csv(path, text, {"date_utc", "origin_time_utc_yao2018", "sources"})
    out = []
    for n, r in enumerate(rows, 1):
        stamp = f"{r['date_utc'].strip()}T{r['origin_time_utc_yao2018'].strip()}"
        try:
            t = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
        except ValueError:
            raise _bad(path, n, f"unparseable date/time {stamp!r}", "date_utc") from None
        desc = (
            f"Nuclear test (DPRK claim: {r.get('dprk_claim')}); USGS mb {r.get('usgs_mb')}, "
            f"CTBTO mb {r.get('ctbto_mb')}; yields: {r.get('yield_estimates')}. Origin time UTC "
            f"(Yao et al. 2018). Source: shared/research/dprk_tests.csv record {n}: "
            f"{r.get('sources')}"
        )
        out.append(_Row(n, t, ("nuclear-testing",), "punggye-ri", desc))
    return out


def _country(s: Scenario) -> str:
    state = s.program.state.strip()
    return SIPRI_COUNTRIES.get(state.lower(), state.upper())


def dataset_records(
    fmt: str, path: Path, scenario: Scenario, *, now: datetime | None = None
) -> tuple[list[dict[str, Any]], ImportReport]:
    """Parse dataset ``path`` of format ``fmt`` into unsigned observation records for the
    scenario's agreement (rows before its start are skipped and counted). Bad rows raise
    :class:`InputError` naming the record; nothing is written here."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}", field="--format")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(path, None, "not UTF-8 text") from None
    digest = hashlib.sha256(raw).hexdigest()
    other = 0
    if fmt == "cns-missile-tests":
        rows = _cns_rows(path, text, program_item_ids(scenario))
    elif fmt == "nuclear-explosions":
        rows, other = _sipri_rows(path, text, _country(scenario))
    else:
        rows = _dprk_rows(path, text)
    start = agreement_start(scenario)
    now = now or datetime.now(UTC)
    records = []
    before = 0
    kept: list[_Row] = []
    for r in rows:
        if r.time > now:
            raise _bad(path, r.number, f"dated {_z(r.time)}, in the future", "date")
        if r.time < start:
            before += 1
            continue
        kept.append(r)
    for r in kept:
        payload: dict[str, Any] = {"description": r.description}
        if r.site is not None:
            payload["site"] = r.site
        records.append(
            {
                "kind": "observation",
                "agreement": agreement_id(scenario),
                "time": _z(r.time),
                "refs": {"commitments": [], "items": list(r.items)},
                "payload": payload,
                "attachments": [{"name": path.name[:200], "sha256": digest}],
            }
        )
    report = ImportReport(
        fmt,
        str(path),
        digest,
        len(rows) + other,
        (),
        before,
        other,
        _z(kept[0].time) if kept else None,
        _z(kept[-1].time) if kept else None,
    )
    return records, report


def import_dataset(
    ledger: Ledger,
    key: PartyKey,
    fmt: str,
    path: Path,
    scenario: Scenario,
    *,
    now: datetime | None = None,
) -> ImportReport:
    """Import dataset ``path`` into ``ledger`` as observations signed by ``key`` (an observer
    or the inspectorate): all rows in one transaction, or none."""
    records, report = dataset_records(fmt, path, scenario, now=now)
    if not records:
        return report
    indices = ledger.append(records, key, batch_size=len(records), source=str(path))
    return ImportReport(
        report.format,
        report.file,
        report.sha256,
        report.rows,
        tuple(indices),
        report.skipped_before_agreement,
        report.skipped_other,
        report.first,
        report.last,
    )
