"""The case catalogue: every case's scenario, evidence stream and documented outcome.

The bundled catalogue is ``cvid/examples/cases/catalog.toml``; a case's ``scenario`` and
``evidence`` are bundled names (an example, or a file of the case library) or paths relative
to the catalogue file. Every outcome names its source; a case that is not scored (a
hypothetical agreement) says why in its outcome.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from cvid.compliance.replay import Stream, load_stream
from cvid.errors import InputError, did_you_mean
from cvid.results import Result
from cvid.scenario import Scenario, load_scenario
from cvid.scenario.common import Id

OutcomeKind = Literal["verified-disarmament", "reversed", "collapsed", "ongoing", "not-applicable"]
ReferenceGrade = Literal["pass", "warn", "fail", "n/a"]

#: How far each documented outcome got toward verified disarmament, for the rank correlation:
#: collapsed (ended before its end state was verified) 0, reversed (verified results later
#: undone) 1, ongoing (neither reached nor undone) 2, verified disarmament 3.
OUTCOME_RANK: dict[str, int] = {
    "collapsed": 0,
    "reversed": 1,
    "ongoing": 2,
    "verified-disarmament": 3,
}


class Outcome(Result):
    """A case's documented outcome: its kind, date, what happened, and the source."""

    kind: OutcomeKind
    date: str | None = Field(
        default=None, description="ISO date (or YYYY-MM, YYYY) the outcome was reached."
    )
    summary: str = Field(min_length=1)
    source: str = Field(description="The documents the outcome rests on (required).")
    note: str = ""

    @field_validator("source")
    @classmethod
    def _has_source(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a case's outcome must name its source")
        return value

    @property
    def rank(self) -> int | None:
        """Position on :data:`OUTCOME_RANK` (None for an unscored case)."""
        return OUTCOME_RANK.get(self.kind)

    @property
    def verified(self) -> bool:
        """True for verified disarmament (the event whose probability is scored)."""
        return self.kind == "verified-disarmament"


class Reference(Result):
    """The grades of shared research (cases.md summary table), one reader's analysis."""

    grades: tuple[ReferenceGrade, ReferenceGrade, ReferenceGrade, ReferenceGrade]
    text: tuple[str, str, str, str]
    not_explained: str = ""


class CaseEntry(Result):
    """One entry of the catalogue."""

    name: Id
    years: str = Field(min_length=1)
    scenario: str = Field(min_length=1, description="Bundled scenario name or relative path.")
    evidence: str | None = Field(
        default=None, description="Bundled evidence stream name or relative path."
    )
    scored: bool = Field(default=True, description="False for a case without an outcome.")
    outcome: Outcome
    reference: Reference | None = None

    @model_validator(mode="after")
    def _scored_has_outcome(self) -> CaseEntry:
        if self.scored and self.outcome.kind == "not-applicable":
            raise ValueError("a scored case needs an outcome kind other than 'not-applicable'")
        return self


class _CatalogFile(Result):
    cases: tuple[CaseEntry, ...] = Field(alias="case", min_length=1)


@dataclass(frozen=True)
class Case:
    """A case of the catalogue, able to load its scenario and evidence stream."""

    entry: CaseEntry
    catalog_dir: Path

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def outcome(self) -> Outcome:
        return self.entry.outcome

    def resolve(self, ref: str) -> str:
        """``ref`` as a path when it names a file next to the catalogue, else unchanged (a
        bundled name)."""
        return self._resolve(ref)

    def _resolve(self, ref: str) -> str:
        local = self.catalog_dir / ref
        return str(local) if local.is_file() else ref

    def scenario(self) -> Scenario:
        """The case's scenario (validated)."""
        return load_scenario(self._resolve(self.entry.scenario))

    def stream(self, scenario: Scenario | None = None) -> Stream | None:
        """The case's evidence stream, checked against its scenario (None if it has none)."""
        if self.entry.evidence is None:
            return None
        return load_stream(self._resolve(self.entry.evidence), scenario or self.scenario())


@dataclass(frozen=True)
class Catalog:
    """The cases of a catalogue file, in file order."""

    path: Path
    cases: tuple[Case, ...]

    def names(self) -> list[str]:
        return [c.name for c in self.cases]

    def case(self, name: str) -> Case:
        """The case called ``name`` (InputError naming close matches if there is none)."""
        for c in self.cases:
            if c.name == name:
                return c
        known = self.names()
        raise InputError(
            f"no case named {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}",
            source=str(self.path),
            field="NAME",
        )


def bundled_catalog_path() -> Path:
    """The catalogue that ships with cvid."""
    return Path(str(resources.files("cvid") / "examples" / "cases" / "catalog.toml"))


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalogue (the bundled one by default). Bad input is an
    :class:`~cvid.errors.InputError` naming the file, the field and the reason."""
    p = Path(path) if path is not None else bundled_catalog_path()
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the case catalogue ({exc})", source=str(p)) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", source=str(p)) from None
    try:
        parsed = _CatalogFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err.get("loc", ()))
        name = _case_name(data, loc)
        reason = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "missing":
            reason = "required field is missing"
            if loc[-2:] == ("outcome", "source"):
                reason = "a case's outcome must name its source (required field is missing)"
        if err.get("type") == "extra_forbidden":
            reason = f"unknown field '{loc[-1]}'"
        where = _field(loc) + (f" (case '{name}')" if name else "")
        raise InputError(reason, source=str(p), field=where) from None
    seen: set[str] = set()
    for i, entry in enumerate(parsed.cases):
        if entry.name in seen:
            raise InputError(
                f"duplicate case name '{entry.name}'", source=str(p), field=f"case[{i}]"
            )
        seen.add(entry.name)
    return Catalog(p, tuple(Case(e, p.parent) for e in parsed.cases))


def _case_name(data: dict[str, Any], loc: tuple[int | str, ...]) -> str | None:
    if len(loc) >= 2 and loc[0] == "case" and isinstance(loc[1], int):
        items = data.get("case")
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            name = items[loc[1]].get("name")
            return str(name) if name is not None else None
    return None


def validate_case(case: Case) -> tuple[Scenario, Stream | None]:
    """Load the case's scenario and evidence stream; an InputError names what is wrong."""
    s = case.scenario()
    return s, case.stream(s)
