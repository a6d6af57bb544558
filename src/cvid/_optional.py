"""Optional dependencies: import one, or say which ``pip`` extra installs it.

The extras (``pyproject.toml``): ``pdf`` (WeasyPrint, for PDF reports), ``sweep`` (Dask
distributed, pyarrow and SALib: parameter sweeps, Parquet tables, sensitivity analysis),
``postgres`` (psycopg, for ledgers and services on PostgreSQL), ``web`` (FastAPI, uvicorn,
python-multipart: ``cvid serve``) and ``all``. A missing one is a
:class:`~cvid.errors.MissingDependency` (exit status 2 with one line), never a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cvid.errors import MissingDependency

#: Extra → the packages it installs, as modules are imported (kept equal to pyproject.toml by
#: tests/test_packaging.py).
EXTRAS: dict[str, tuple[str, ...]] = {
    "pdf": ("weasyprint",),
    "sweep": ("distributed", "pyarrow", "SALib"),
    "postgres": ("psycopg",),
    "web": ("fastapi", "uvicorn", "multipart"),
}


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import ``module`` (e.g. ``"distributed"``), or raise :class:`MissingDependency` saying
    that ``what`` (e.g. ``"cvid sweep"``) needs the extra ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise  # the module is there but one of its own imports is broken: a real bug
        raise MissingDependency(top, extra, what) from None
