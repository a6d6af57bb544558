"""Reading scenario files: TOML in, a validated :class:`Scenario` out, or one clear error."""

from __future__ import annotations

import difflib
import re
import tomllib
import types
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from cvid.errors import InputError, did_you_mean
from cvid.scenario.model import ReferenceProblem, Scenario


class ScenarioError(InputError):
    """A scenario file is malformed or inconsistent; ``problems`` lists (field, reason) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        field, reason = problems[0]
        super().__init__(reason, source=source, field=field)

    def describe(self) -> str:
        lines = []
        for field, reason in getattr(self, "problems", [(self.field or "", self.reason)]):
            parts = [p for p in (self.source, field) if p]
            lines.append(": ".join([*parts, reason]))
        return "\n".join(lines)


_TOML_POSITION = re.compile(r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a :class:`ScenarioError` with line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_POSITION.match(message)
        if m:
            where = f"line {m['line']}, column {m['col']}"
            raise ScenarioError(source, [(where, f"invalid TOML: {m['msg']}")]) from None
        raise ScenarioError(source, [("", f"invalid TOML: {message}")]) from None


def scenario_from_dict(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed scenario; every problem is reported with its field path."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_describe_error(err, data) for err in exc.errors()]
        raise ScenarioError(source, _dedupe(problems)) from None


def load_scenario(path_or_name: str | Path) -> Scenario:
    """Load a scenario from a TOML file, or a bundled example by name (see :func:`examples`)."""
    path = Path(path_or_name)
    if not path.exists():
        bundled = _bundled_path(str(path_or_name))
        if bundled is None:
            names = [name for name, _ in examples()]
            hint = difflib.get_close_matches(path.stem, names, n=1)
            extra = f" (did you mean the bundled example '{hint[0]}'?)" if hint else ""
            raise InputError(f"no such file or bundled example{extra}", source=str(path))
        return loads_scenario(bundled.read_text(encoding="utf-8"), source=bundled.name)
    if path.is_dir():
        raise InputError("is a directory, not a scenario file", source=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None
    return loads_scenario(text, source=str(path))


def loads_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse and validate scenario TOML text."""
    return scenario_from_dict(parse_toml(text, source), source)


def examples() -> list[tuple[str, str]]:
    """The bundled example scenarios as (name, one-line title), sorted by name."""
    out = []
    for entry in _examples_dir().iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            meta = data.get("meta", {})
            out.append((entry.name.removesuffix(".toml"), str(meta.get("title", ""))))
    return sorted(out)


def example_path(name: str) -> Path:
    """Filesystem path of a bundled example (InputError if there is none by that name)."""
    found = _bundled_path(name)
    if found is None:
        raise InputError("no bundled example by that name", source=name)
    return found


def _examples_dir() -> Path:
    return Path(str(resources.files("cvid") / "examples"))


def _bundled_path(name: str) -> Path | None:
    """A bundled example, or else a scenario of the case library (``examples/cases/``, whose
    ``catalog.toml`` is the case index, not a scenario)."""
    stem = Path(name).name.removesuffix(".toml")
    if stem == "catalog":
        return None
    for folder in (_examples_dir(), _examples_dir() / "cases"):
        candidate = folder / f"{stem}.toml"
        if candidate.is_file():
            return candidate
    return None


# --- turning pydantic errors into field paths and reasons ---------------------------------


def _dedupe(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _model_fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """Field names (and aliases) of the model that sits at ``loc`` inside a Scenario."""
    current: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        model = _as_model(current)
        if model is None:
            return []
        field = model.model_fields.get(part)
        if field is None:
            field = next((f for f in model.model_fields.values() if f.alias == part), None)
        if field is None:
            return []
        current = field.annotation
    model = _as_model(current)
    if model is None:
        return []
    names: list[str] = []
    for name, field in model.model_fields.items():
        names.append(field.alias or name)
    return names


def _as_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _unwrap(annotation: Any) -> Iterator[Any]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, list, tuple, set, frozenset):
        for arg in get_args(annotation):
            yield from _unwrap(arg)
    elif origin is dict:
        args = get_args(annotation)
        if args:
            yield from _unwrap(args[-1])
    else:
        yield annotation


def _describe_error(err: Any, data: Mapping[str, Any]) -> tuple[str, str]:
    loc: tuple[int | str, ...] = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, ReferenceProblem):
        return cause.field, cause.reason
    field = _path(loc)
    value = err.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        known = _model_fields_at(loc[:-1])
        return field, f"unknown field '{name}'{did_you_mean(name, known)}"
    if kind == "missing":
        return field, "required field is missing"
    numeric = kind in {"float_parsing", "int_parsing", "float_type", "int_type"}
    # An uncertain quantity (Estimate) given as text: "25 MW" instead of 25.
    numeric = numeric or (kind in {"model_type", "dict_type"} and "Estimate" in str(err.get("msg")))
    if numeric and isinstance(value, str) and re.search(r"\d", value):
        return field, (
            f"expected a bare number, got '{value}': the unit is in the field name "
            "or the schema, so write only the number"
        )
    message = str(err.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if kind in {"greater_than_equal", "greater_than"} and isinstance(value, int | float):
        message += f" (got {value:g})"
    if kind == "literal_error":
        message = f"got {value!r}; " + message.replace("Input should be", "expected")
    return field, message
