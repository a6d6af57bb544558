"""Public observation datasets turned into signed ``observation`` records.

Formats (the bundled datasets, ``cvid data list``, name theirs; a path works too):

* ``cns-missile-tests`` — the CNS North Korea Missile Test Database as republished in
  nagix/nk-missile-tests (``{"timeBins": [{"year", "data": [...]}]}``). Dates mix conventions
  (shared/research/README.md): a row with a time ``HH:MM (UTC)`` is a UTC date; a row without
  a time is a Korean local date (KST, UTC+9) and is placed at 12:00 KST unless a sourced launch
  time is known (:data:`KNOWN_LAUNCH_TIMES`), so 2012-04-13 Unha-3 becomes 2012-04-12 22:39 UTC.
  ICBMs count as ``icbm-testing`` and ``long-range-launch``, satellite launchers (SLV) as
  ``long-range-launch``; a launch of unknown type is *unresolved* (``basis.unresolved``: a
  "possible ICBM test" when CNS describes it so), never a test of a class.
* ``nuclear-explosions`` — the SIPRI list of nuclear explosions 1945–98 (data-is-plural CSV:
  ``date_long`` YYYYMMDD and ``origin_t`` hhmmss.s, GMT), rows of the scenario's state only.
* ``dprk-nuclear-tests`` — shared/research/dprk_tests.csv (``date_utc``, origin times of
  Yao et al. 2018 in UTC), the DPRK tests after 1998.
* ``csis-provocations`` — the CSIS Beyond Parallel database of North Korean provocations
  (stiles/north-korea-provocations CSV): missile launches and nuclear tests (Korean local
  dates, placed at 12:00 KST); other provocations are skipped and counted.

Every record says what kind of source it is (``basis``: press for CNS and CSIS compilations,
measurement for seismic origin times), keeps its original row in the description and pins the
source file by its SHA-256 in ``attachments``. A dataset about one state (the DPRK datasets)
imports only into a scenario about that state. Imports are all-or-nothing: every row is parsed
and checked before one transaction appends them all; a truncated or malformed file is refused
whole, naming the row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, computed_field

from cvid.compliance.engine import agreement_id, agreement_start
from cvid.compliance.rules import program_item_ids
from cvid.data import Dataset, resolve
from cvid.errors import InputError
from cvid.ledger import Ledger, PartyKey
from cvid.results import Result
from cvid.scenario import Scenario

FORMATS: tuple[str, ...] = (
    "cns-missile-tests",
    "nuclear-explosions",
    "dprk-nuclear-tests",
    "csis-provocations",
)

#: Formats whose every row is about one state (the state, as a scenario's program names it).
FORMAT_STATE: Mapping[str, str] = {
    "cns-missile-tests": "DPRK",
    "dprk-nuclear-tests": "DPRK",
    "csis-provocations": "DPRK",
}

#: Names a scenario may give the DPRK.
DPRK_NAMES: frozenset[str] = frozenset(
    {
        "dprk",
        "north korea",
        "democratic people's republic of korea",
        "korea, north",
        "korea (dprk)",
    }
)

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
_UTC_TIME = re.compile(r"^(\d{1,2}):(\d{2}) \(UTC\)\Z")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}\Z")
_ICBM_TEXT = re.compile(r"\bICBM\b|intercontinental|Hwasong-1[4-9]", re.IGNORECASE)
_SATELLITE_TEXT = re.compile(r"satellite", re.IGNORECASE)
_CNS_FIELDS = ("date", "time", "missile", "outcome")


class ImportReport(Result):
    """What an import did: rows read, records appended (their ledger indices), rows skipped
    because they fall before the agreement or concern another state or another kind of event,
    and how many launches were unresolved (of unknown type). ``to_json()`` is the JSON of
    ``cvid ledger import --json``."""

    format: str
    dataset: str | None = Field(default=None, description="The bundled dataset, if it is one")
    file: str
    sha256: str = Field(description="SHA-256 of the file read")
    rows: int
    indices: tuple[int, ...] = Field(description="Ledger indices of the records appended")
    skipped_before_agreement: int
    skipped_other: int
    unresolved: int = 0
    first: str | None = Field(default=None, description="UTC time of the first record kept")
    last: str | None = Field(default=None, description="UTC time of the last record kept")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def imported(self) -> int:
        """How many records were appended."""
        return len(self.indices)


@dataclass(frozen=True)
class _Row:
    number: int
    time: datetime
    items: tuple[str, ...]
    site: str | None
    description: str
    basis: dict[str, Any]


def _z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bad(path: Path, n: int | None, reason: str, fld: str | None = None) -> InputError:
    where = f"{path}: record {n}" if n is not None else str(path)
    return InputError(reason, source=where, field=fld)


def _basis(
    kind: str, document: str, time_zone: str, date: str | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": kind, "document": document[:20_000], "time_zone": time_zone}
    if date is not None:
        out["date"] = date
    out.update(extra)
    return out


# ------------------------------------------------------------------------------ CNS


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


def _cns_class(missile: str, text: str) -> tuple[list[str], str, dict[str, Any] | None]:
    """Testing targets, class in words and (for a launch of unknown type) what is unresolved."""
    refs = ["missile-testing"]
    if missile in ICBM_MISSILES:
        return [*refs, "icbm-testing", "long-range-launch"], "ICBM", None
    if missile in SLV_MISSILES:
        return [*refs, "long-range-launch"], "space launch vehicle", None
    if missile == "unknown":
        if _ICBM_TEXT.search(text):
            question = "possible ICBM test (launch of unknown type; CNS notes an ICBM)"
        elif _SATELLITE_TEXT.search(text):
            question = (
                "possible satellite or long-range launch (type unknown; CNS notes a satellite)"
            )
        else:
            question = "launch of unknown type (could be of any class, an ICBM included)"
        return (
            refs,
            "unknown type",
            {"question": question, "targets": ["icbm-testing", "long-range-launch"]},
        )
    return refs, "shorter-range or other class", None


def _cns_rows(path: Path, text: str, items: set[str]) -> list[_Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(path, None, f"not JSON (truncated?): {exc.msg}, line {exc.lineno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("timeBins"), list):
        raise _bad(path, None, "not the CNS missile test format: no 'timeBins' list", "timeBins")
    out: list[_Row] = []
    n = 0
    for b, tb in enumerate(data["timeBins"]):
        if not isinstance(tb, dict) or not isinstance(tb.get("data"), list):
            raise _bad(path, None, f"timeBins[{b}] has no 'data' list", f"timeBins[{b}]")
        for row in tb["data"]:
            n += 1
            if not isinstance(row, dict):
                raise _bad(path, n, "not a launch entry (needs date, time, missile, outcome)")
            for key in _CNS_FIELDS:
                if not isinstance(row.get(key), str) or not row[key].strip():
                    raise _bad(
                        path, n, f"not a complete launch entry: no {key!r} (truncated?)", key
                    )
            t, note = _cns_time(path, n, row)
            missile = str(row["missile"])
            cns_text = str(row.get("description", ""))
            refs, cls, unresolved = _cns_class(missile, cns_text)
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
                f"record {n}: {original}. CNS note: {cns_text[:2000]}"
            )
            extra: dict[str, Any] = {}
            if unresolved is not None:
                extra["unresolved"] = unresolved
            basis = _basis(
                "press",
                f"CNS North Korea Missile Test Database (CNS/NTI), via nagix/nk-missile-tests, "
                f"{path.name} record {n}",
                note[:200],
                **extra,
            )
            site = facility if _ID.match(facility) else None
            out.append(_Row(n, t, tuple(refs), site, desc, basis))
    return out


# ------------------------------------------------------------------------------ CSV formats


def _csv(path: Path, text: str, needed: set[str]) -> list[dict[str, str]]:
    """Every row of a CSV file as a dict; refused whole when the file is malformed: a quote
    left open (a file cut inside a field), a row with fewer or more fields than the header
    (a file cut inside a row), or no rows."""
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        fields = list(reader.fieldnames or ())
        if not set(needed) <= set(fields):
            missing = ", ".join(sorted(needed - set(fields)))
            raise _bad(path, None, f"wrong format: missing column(s) {missing}", "header")
        rows: list[dict[str, str]] = []
        for n, r in enumerate(reader, 1):
            if None in r:
                raise _bad(path, n, f"has more fields than the header's {len(fields)}", "header")
            short = [k for k, v in r.items() if v is None]
            if short:
                raise _bad(
                    path,
                    n,
                    f"truncated row: {len(fields) - len(short)} of {len(fields)} fields "
                    f"(no {', '.join(short)}); nothing imported",
                    short[0],
                )
            rows.append(r)
    except csv.Error as exc:
        raise _bad(path, reader.line_num or None, f"malformed CSV (truncated?): {exc}") from None
    if not rows:
        raise _bad(path, None, "has a header but no rows", "header")
    if not text.endswith(("\n", "\r")):
        raise _bad(
            path, len(rows), "the file does not end with a line break: truncated? nothing imported"
        )
    return rows


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
        if not r["country"].strip():
            raise _bad(path, n, "has no country", "country")
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
        basis = _basis(
            "measurement",
            f"SIPRI/FOA, Nuclear Explosions 1945-1998 (July 2000), via "
            f"data-is-plural/nuclear-explosions, {path.name} record {n}",
            note
            if note == "origin time GMT"
            else "date only (GMT); the source's time is impossible",
            "2000-07",
        )
        out.append(_Row(n, t, ("nuclear-testing",), None, desc, basis))
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
        if not r["sources"].strip():
            raise _bad(path, n, "cites no sources", "sources")
        desc = (
            f"Nuclear test (DPRK claim: {r.get('dprk_claim')}); USGS mb {r.get('usgs_mb')}, "
            f"CTBTO mb {r.get('ctbto_mb')}; yields: {r.get('yield_estimates')}. Origin time UTC "
            f"(Yao et al. 2018). Source: shared/research/dprk_tests.csv record {n}: "
            f"{r.get('sources')}"
        )
        basis = _basis(
            "measurement",
            f"{path.name} record {n} (seismic origin time, Yao et al. 2018): {r['sources']}",
            "UTC origin time (Yao et al. 2018, SRL)",
        )
        out.append(_Row(n, t, ("nuclear-testing",), "punggye-ri", desc, basis))
    return out


def _csis_targets(event: str) -> tuple[list[str] | None, dict[str, Any] | None]:
    """Testing targets of a CSIS event, what is unresolved, or (None, None) when the event is
    no test (balloons, artillery, incursions...)."""
    e = event.lower()
    if "nuclear test" in e:
        return ["nuclear-testing"], None
    if "intercontinental" in e or "inter-continental" in e or "icbm" in e:
        return ["missile-testing", "icbm-testing", "long-range-launch"], None
    if "satellite" in e:
        return ["missile-testing", "long-range-launch"], None
    if "type unknown" in e:
        return ["missile-testing"], {
            "question": f"launch of unknown type (CSIS: {event})"[:200],
            "targets": ["icbm-testing", "long-range-launch"],
        }
    if "missile" in e and "launch" in e:
        return ["missile-testing"], None
    return None, None


def _csis_rows(path: Path, text: str) -> tuple[list[_Row], int]:
    rows = _csv(path, text, {"date", "type", "event", "description", "resources"})
    out = []
    other = 0
    for n, r in enumerate(rows, 1):
        try:
            day = datetime.strptime(r["date"].strip(), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise _bad(path, n, f"unparseable date {r['date']!r}", "date") from None
        refs, unresolved = _csis_targets(r["event"])
        if refs is None:
            other += 1
            continue
        t = day + timedelta(hours=12) - KST
        desc = (
            f"{r['event']} ({r['type']}). Date normalized to UTC: a Korean local date, placed "
            f"at 12:00 KST. Source: CSIS Beyond Parallel database of North Korean provocations "
            f"(via stiles/north-korea-provocations), record {n}: {r['description'][:3000]} "
            f"Resources: {r['resources'][:1000]}"
        )
        extra: dict[str, Any] = {}
        if unresolved is not None:
            extra["unresolved"] = unresolved
        basis = _basis(
            "press",
            f"CSIS Beyond Parallel, Database of North Korean Provocations, via "
            f"stiles/north-korea-provocations, {path.name} record {n}; {r['resources'][:1000]}",
            "Korean local date (KST, UTC+9), placed at 12:00 KST",
            **extra,
        )
        out.append(_Row(n, t, tuple(refs), None, desc, basis))
    return out, other


# ------------------------------------------------------------------------------ importing


def _country(s: Scenario) -> str:
    state = s.program.state.strip()
    return SIPRI_COUNTRIES.get(state.lower(), state.upper())


def _same_state(dataset_state: str, scenario_state: str) -> bool:
    a, b = dataset_state.strip().lower(), scenario_state.strip().lower()
    if a in DPRK_NAMES:
        return b in DPRK_NAMES
    return a == b


def dataset_records(
    fmt: str | None,
    path: str | Path,
    scenario: Scenario,
    *,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], ImportReport]:
    """Parse dataset ``path`` (a file, or the name of a bundled dataset, ``cvid data list``) of
    format ``fmt`` (default: the bundled dataset's) into unsigned observation records for the
    scenario's agreement (rows before its start are skipped and counted). Bad rows, a
    truncated file or a dataset about another state than the scenario's raise
    :class:`InputError` naming the file (and row); nothing is written here."""
    file, bundled = resolve(path)
    fmt = _format(fmt, bundled, file)
    state = FORMAT_STATE.get(fmt) or (bundled.state if bundled is not None else None)
    if state is not None and not _same_state(state, scenario.program.state):
        raise InputError(
            f"the dataset is about the {state}; scenario {scenario.meta.name!r} is about "
            f"{scenario.program.state}: its rows would be observations of another state. "
            "Nothing imported",
            source=str(file),
            field="--scenario",
        )
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=str(file)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(file, None, "not UTF-8 text") from None
    if not text.strip():
        raise _bad(file, None, "is empty")
    digest = hashlib.sha256(raw).hexdigest()
    other = 0
    if fmt == "cns-missile-tests":
        rows = _cns_rows(file, text, program_item_ids(scenario))
    elif fmt == "nuclear-explosions":
        rows, other = _sipri_rows(file, text, _country(scenario))
    elif fmt == "csis-provocations":
        rows, other = _csis_rows(file, text)
    else:
        rows = _dprk_rows(file, text)
    start = agreement_start(scenario)
    now = now or datetime.now(UTC)
    records = []
    before = 0
    kept: list[_Row] = []
    for r in rows:
        if r.time > now:
            raise _bad(file, r.number, f"dated {_z(r.time)}, in the future", "date")
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
                "attachments": [{"name": file.name[:200], "sha256": digest}],
                "basis": r.basis,
            }
        )
    report = ImportReport(
        format=fmt,
        dataset=bundled.name if bundled is not None else None,
        file=str(file),
        sha256=digest,
        rows=len(rows) + other,
        indices=(),
        skipped_before_agreement=before,
        skipped_other=other,
        unresolved=sum(1 for r in kept if "unresolved" in r.basis),
        first=_z(kept[0].time) if kept else None,
        last=_z(kept[-1].time) if kept else None,
    )
    return records, report


def _format(fmt: str | None, bundled: Dataset | None, file: Path) -> str:
    if fmt is None:
        if bundled is None or bundled.format is None:
            what = "this file" if bundled is None else f"dataset {bundled.name!r}"
            raise InputError(
                f"say the format of {what} (--format: {', '.join(FORMATS)})",
                source=str(file),
                field="--format",
            )
        return bundled.format
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}", field="--format")
    return fmt


def import_dataset(
    ledger: Ledger,
    key: PartyKey,
    fmt: str | None,
    path: str | Path,
    scenario: Scenario,
    *,
    now: datetime | None = None,
) -> ImportReport:
    """Import dataset ``path`` (a file or a bundled dataset's name) into ``ledger`` as
    observations signed by ``key`` (an observer or the inspectorate): all rows in one
    transaction, or none."""
    records, report = dataset_records(fmt, path, scenario, now=now)
    if not records:
        return report
    indices = ledger.append(records, key, batch_size=len(records), source=report.file)
    return report.model_copy(update={"indices": tuple(indices)})
