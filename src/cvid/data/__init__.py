"""The public datasets that ship with cvid, each with its provenance and licence note.

``catalog.toml`` in this folder lists them (name, file, import format, source, version, date
of retrieval, licence, SHA-256); each dataset's folder holds the file and a ``PROVENANCE.md``.
:func:`datasets` reads the catalogue, :func:`dataset` finds one by name (a clear error, exit 2,
for a name that does not exist) and :func:`resolve` turns a bundled name or a path into a file.

>>> [d.name for d in datasets()][:2]
['cns-nk-missile-tests', 'sipri-nuclear-explosions-1945-1998']
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field, PlainSerializer, computed_field

from cvid.errors import InputError
from cvid.results import Result

__all__ = ["Dataset", "data_dir", "dataset", "datasets", "resolve"]


def data_dir() -> Path:
    """The folder of the bundled datasets (inside the installed package)."""
    return Path(str(resources.files("cvid") / "data"))


#: A file path, written as text.
PathText = Annotated[Path, PlainSerializer(str, return_type=str)]


class Dataset(Result):
    """One bundled dataset: its name, title, files, the ``cvid ledger import`` format that
    reads it (None if it is not evidence), the state it is about, where it comes from, which
    upstream version it is, when it was retrieved, its licence note and SHA-256 digests.
    ``to_json()`` is one entry of ``cvid data list --json``; the JSON names the main file
    only, so a dataset read back from it has no ``extra_files``."""

    name: str
    title: str
    path: PathText = Field(alias="file", description="The dataset's main file")
    format: str | None
    state: str | None
    source: str
    version: str
    retrieved: str
    licence: str
    sha256: str = Field(description="SHA-256 of the main file")
    extra_files: tuple[tuple[Path, str], ...] = Field(
        default=(), exclude=True, description="Further files with their SHA-256"
    )

    @computed_field(return_type=PathText)  # type: ignore[prop-decorator]
    @property
    def provenance(self) -> Path:
        """The dataset's PROVENANCE.md."""
        return self.path.parent / "PROVENANCE.md"

    def files(self) -> list[tuple[Path, str]]:
        """Every file of the dataset with its expected SHA-256."""
        return [(self.path, self.sha256), *self.extra_files]


@cache
def _catalog() -> tuple[Dataset, ...]:
    root = data_dir()
    raw = tomllib.loads((root / "catalog.toml").read_text(encoding="utf-8"))
    out = []
    for d in raw["dataset"]:
        extra = tuple(
            (root / f, h)
            for f, h in zip(d.get("files", []), d.get("sha256_files", []), strict=True)
        )
        out.append(
            Dataset(
                name=d["name"],
                title=d["title"],
                path=root / d["file"],
                format=d.get("format"),
                state=d.get("state"),
                source=d["source"],
                version=d["version"],
                retrieved=d["retrieved"],
                licence=d["licence"],
                sha256=d["sha256"],
                extra_files=extra,
            )
        )
    return tuple(out)


def datasets() -> list[Dataset]:
    """Every bundled dataset, in catalogue order."""
    return list(_catalog())


def dataset(name: str) -> Dataset:
    """The bundled dataset called ``name``; :class:`InputError` (exit 2) naming the known ones
    if there is none."""
    for d in _catalog():
        if d.name == name:
            return d
    known = ", ".join(d.name for d in _catalog())
    raise InputError(f"no bundled dataset {name!r} (bundled: {known})", field="DATASET")


def resolve(name_or_path: str | Path) -> tuple[Path, Dataset | None]:
    """A dataset file: an existing path (and the bundled dataset it is, if any), or the file
    of the bundled dataset with this name. Neither: :class:`InputError` naming both options."""
    p = Path(name_or_path)
    if p.is_file():
        for d in _catalog():
            if p.resolve() == d.path.resolve():
                return p, d
        return p, None
    for d in _catalog():
        if d.name == str(name_or_path):
            return d.path, d
    known = ", ".join(d.name for d in _catalog())
    raise InputError(
        f"no such file, and no bundled dataset of that name (bundled: {known})",
        source=str(name_or_path),
        field="FILE",
    )
