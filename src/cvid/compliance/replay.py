"""Historical evidence streams (JSON Lines) replayed into a ledger with demo party keys.

A stream file has a header line and one record per line::

    {"stream": "cvid-evidence/1", "scenario": "libya-2003",
     "parties": {"libya": "state", "iaea": "inspectorate", ...}, "title": "...", "sources": [...]}
    {"party": "iaea", "kind": "inspection", "time": "2003-12-29", "refs": {...},
     "payload": {...}, "source": "events.csv 2003-12-20: IAEA GOV/2008/39 ..."}

``time`` is an RFC 3339 UTC time or a date (00:00 UTC). Every record must cite its
``source``; the citation is appended to the payload's text and pinned by its SHA-256 as an
attachment. Every record must also say what kind of source it is, in ``basis``
(:class:`cvid.ledger.records.Basis`)::

    "basis": {"kind": "press", "date": "2004-01-27", "time_zone": "UTC date of the report"}
    "basis": {"kind": "estimate", "date": "2008-05", "time_zone": "date only",
              "method": "reconstruction from the reactor operating records",
              "uncertainty": {"low": 30, "high": 50, "central": 37, "unit": "kg",
                              "meaning": "range of published estimates"}}

``kind`` is one of ``measurement``, ``inspector-observation``, ``state-claim``, ``estimate``
(with its own ``uncertainty`` and ``method``) or ``press``; ``document`` defaults to the
``source`` citation. Parties sign with *demo* keys derived from their names (:func:`demo_key`), so a
replay is reproducible (same records, same Merkle root) — never use them for real evidence.

A replay is all-or-nothing: every line is parsed, checked against the scenario (known
commitments, items and concessions; dates from the agreement's start up to now) and signed
before one transaction appends them all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field

from cvid.compliance.engine import agreement_id, check_evidence
from cvid.compliance.evidence import Evidence
from cvid.errors import InputError
from cvid.ledger import Ledger, PartyKey, Role, sign_record
from cvid.results import Result
from cvid.scenario import Scenario, load_scenario

STREAM_FORMAT = "cvid-evidence/1"
_DEMO_CONTEXT = b"cvid demo party key v1\n"

#: The payload field that carries a record's text, by kind (the source is appended to it).
TEXT_FIELD: Mapping[str, str | None] = {
    "statement": "text",
    "access-denied": "reason",
    "sample-result": None,
}


def demo_key(name: str, role: str) -> PartyKey:
    """A deterministic Ed25519 key for party ``name`` (seed SHA-256 of a fixed context and the
    name). For replays of public history only: anyone can derive it."""
    seed = hashlib.sha256(_DEMO_CONTEXT + name.encode()).digest()
    return PartyKey(name, Role(role).value, Ed25519PrivateKey.from_private_bytes(seed))


def _evidence_dir() -> Path:
    return Path(str(resources.files("cvid") / "examples" / "evidence"))


def bundled_streams() -> list[str]:
    """Names of the bundled evidence streams (the examples' and the case library's)."""
    cases = _evidence_dir().parent / "cases"
    return sorted(p.stem for d in (_evidence_dir(), cases) for p in d.glob("*.jsonl"))


def stream_path(name_or_path: str | Path) -> Path:
    """A stream file: an existing path, or the name of a bundled stream."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    for folder in (_evidence_dir(), _evidence_dir().parent / "cases"):
        bundled = folder / f"{name_or_path}.jsonl"
        if bundled.is_file():
            return bundled
    known = ", ".join(bundled_streams())
    raise InputError(f"no such file or bundled stream (bundled: {known})", source=str(p))


@dataclass(frozen=True)
class StreamRecord:
    """One line of a stream: its line number, the signing party and the unsigned record."""

    line: int
    party: str
    record: dict[str, Any]


@dataclass(frozen=True)
class Stream:
    """A parsed, checked stream: its scenario, parties with roles, and records."""

    path: Path
    scenario: Scenario
    parties: Mapping[str, str]
    records: tuple[StreamRecord, ...]
    title: str


class ReplayReport(Result):
    """What a replay appended: the ledger, the stream, the parties (name → role) and the
    ledger indices of the records, which one transaction appends in a row (``first_index``
    to ``last_index``). ``to_json()`` is the JSON of ``cvid ledger replay --json``, its JSON
    Schema ``schema/ledger-replay.schema.json``."""

    ledger: str
    stream: str
    scenario: str
    parties: dict[str, str]
    appended: int = Field(ge=0, description="How many records were appended")
    first_index: int | None = Field(description="Ledger index of the first, if any")
    last_index: int | None = Field(description="Ledger index of the last, if any")

    @classmethod
    def of(
        cls,
        ledger: str,
        stream: str,
        scenario: str,
        parties: Mapping[str, str],
        indices: Sequence[int],
    ) -> ReplayReport:
        """The report of a replay that appended ``indices`` (consecutive, as one
        transaction appends them)."""
        if list(indices) != list(range(indices[0], indices[0] + len(indices)) if indices else []):
            raise ValueError(f"a replay appends consecutive indices, got {list(indices)}")
        return cls(
            ledger=ledger,
            stream=stream,
            scenario=scenario,
            parties=dict(parties),
            appended=len(indices),
            first_index=indices[0] if indices else None,
            last_index=indices[-1] if indices else None,
        )

    @property
    def indices(self) -> tuple[int, ...]:
        """Ledger indices of the records appended."""
        if self.first_index is None:
            return ()
        return tuple(range(self.first_index, self.first_index + self.appended))


def _time(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InputError(
            "time must be a string (date or RFC 3339 UTC time)", source=where, field="time"
        )
    text = value.strip()
    try:
        if len(text) == 10:
            datetime.strptime(text, "%Y-%m-%d")
            return f"{text}T00:00:00Z"
        if not text.endswith("Z"):
            raise ValueError(text)
        datetime.fromisoformat(text[:-1])
    except ValueError:
        raise InputError(f"unparseable date {value!r}", source=where, field="time") from None
    return text


def load_stream(
    path: str | Path, scenario: Scenario | None = None, *, now: datetime | None = None
) -> Stream:
    """Read and check a stream; the scenario is the one the header names unless given."""
    p = stream_path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the stream ({exc})", source=str(p)) from None
    parsed: list[tuple[int, dict[str, Any]]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON ({exc.msg})", source=f"{p}: line {n}") from None
        if not isinstance(obj, dict):
            raise InputError("each line is a JSON object", source=f"{p}: line {n}")
        parsed.append((n, obj))
    if not parsed or parsed[0][1].get("stream") != STREAM_FORMAT:
        raise InputError(
            f'the first line must be a header with "stream": "{STREAM_FORMAT}"',
            source=f"{p}: line {parsed[0][0] if parsed else 1}",
        )
    hn, header = parsed[0]
    parties = header.get("parties")
    if not isinstance(parties, dict) or not parties:
        raise InputError("the header needs a 'parties' object", source=f"{p}: line {hn}")
    for name, role in parties.items():
        try:
            demo_key(str(name), str(role))
        except ValueError:
            raise InputError(
                f"party {name!r} has unknown role {role!r}", source=f"{p}: line {hn}"
            ) from None
    if scenario is None:
        if not isinstance(header.get("scenario"), str):
            raise InputError("the header needs a 'scenario' name", source=f"{p}: line {hn}")
        scenario = load_scenario(header["scenario"])
    agreement = agreement_id(scenario)
    records: list[StreamRecord] = []
    evidence: list[Evidence] = []
    for n, obj in parsed[1:]:
        where = f"{p}: line {n}"
        party = obj.get("party")
        if party not in parties:
            raise InputError(f"party {party!r} is not in the header", source=where, field="party")
        source = obj.get("source")
        if not isinstance(source, str) or not source.strip():
            raise InputError("every record must cite its source", source=where, field="source")
        extra = set(obj) - {
            "party",
            "kind",
            "time",
            "refs",
            "payload",
            "source",
            "basis",
            "note",
        }
        if extra:
            raise InputError(f"unknown field(s) {', '.join(sorted(extra))}", source=where)
        kind = obj.get("kind")
        payload = obj.get("payload")
        if not isinstance(payload, dict):
            raise InputError("payload must be an object", source=where, field="payload")
        payload = dict(payload)
        text_field = TEXT_FIELD.get(str(kind), "description")
        if text_field is not None:
            before = payload.get(text_field)
            payload[text_field] = (f"{before} " if before else "") + f"[source: {source}]"
        refs = obj.get("refs", {"commitments": [], "items": []})
        basis = obj.get("basis")
        if not isinstance(basis, dict):
            raise InputError(
                "every record must say what kind of source it is: 'basis' with kind "
                "(measurement, inspector-observation, state-claim, estimate, press), "
                "time_zone and, for an estimate, uncertainty and method",
                source=where,
                field="basis",
            )
        basis = {"document": source, **basis}
        record = {
            "kind": kind,
            "agreement": agreement,
            "time": _time(obj.get("time"), where),
            "refs": refs,
            "payload": payload,
            "attachments": [
                {"name": "source citation", "sha256": hashlib.sha256(source.encode()).hexdigest()}
            ],
            "basis": basis,
        }
        # sign with the party's demo key now: checks the schema and the role for the kind
        signed = sign_record(record, demo_key(str(party), str(parties[party])), source=where)
        ev = Evidence(
            index=n,
            kind=str(kind),
            time=datetime.fromisoformat(record["time"].replace("Z", "+00:00")).astimezone(UTC),
            signer=str(party),
            role=str(parties[party]),
            commitments=tuple(signed["refs"].get("commitments", [])),
            items=tuple(signed["refs"].get("items", [])),
            payload=signed["payload"],
            basis=signed.get("basis"),
        )
        check_evidence(scenario, [ev], now=now, label=f"{p}: line")
        records.append(StreamRecord(n, str(party), record))
        evidence.append(ev)
    return Stream(p, scenario, dict(parties), tuple(records), str(header.get("title", "")))


def replay_stream(
    stream: str | Path,
    ledger: str | Path,
    *,
    scenario: Scenario | None = None,
    create: bool = True,
    now: datetime | None = None,
) -> ReplayReport:
    """Replay ``stream`` into ``ledger`` (created if absent and ``create``): register the demo
    parties, sign every record and append them all in one transaction."""
    st = load_stream(stream, scenario, now=now)
    keys = {name: demo_key(name, role) for name, role in st.parties.items()}
    signed = [sign_record(r.record, keys[r.party]) for r in st.records]
    target = str(ledger)
    is_url = "://" in target
    exists = is_url or Path(target).exists()
    if not exists and not create:
        raise InputError("no ledger here", source=target)
    led = Ledger.open(target) if exists else Ledger.create(target)
    with led:
        for k in keys.values():
            led.register(k.public)
        indices = led.submit(signed, batch_size=max(1, len(signed)), source=str(st.path))
    return ReplayReport.of(target, str(st.path), st.scenario.meta.name, st.parties, indices)
