"""A rendered report (:class:`Report`) and how it is written to a file, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cvid.assess.figures import FigureData
from cvid.assess.report.pdf import html_to_pdf
from cvid.errors import InputError

ReportFormat = Literal["html", "pdf"]
FORMATS: tuple[str, ...] = ("html", "pdf")


@dataclass(frozen=True)
class Report:
    """A rendered report: the HTML, the figures' data, and which sections are in it."""

    html: str
    figures: Mapping[str, FigureData]
    sections: tuple[str, ...]
    omitted: Mapping[str, str] = field(default_factory=dict)

    def to_pdf(self) -> bytes:
        """The same report as PDF (see :func:`html_to_pdf`)."""
        return html_to_pdf(self.html)

    def write(self, path: str | Path, format: ReportFormat = "html") -> Path:
        """Write the report atomically (a temporary file renamed into place): nothing
        half-written is left behind if rendering or writing fails."""
        if format not in FORMATS:
            raise InputError(f"unknown format '{format}' (choose html or pdf)", field="format")
        target = Path(path)
        if target.is_dir():
            raise InputError("is a directory, not a file", source=str(target))
        payload = self.html.encode("utf-8") if format == "html" else self.to_pdf()
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.is_dir():
            raise InputError("the folder does not exist", source=str(parent))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target
