"""Reading the CSV inputs of ``cvid plan balance`` and ``cvid game matrix`` with clear errors."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cvid.errors import InputError
from cvid.verify.balance import BalanceSequence

BALANCE_COLUMNS = ("beginning_inventory", "receipts", "shipments", "ending_inventory")


def _rows(path: str | Path) -> list[list[str]]:
    src = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    except FileNotFoundError:
        raise InputError("no such file", source=src) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a CSV file", source=src) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a readable CSV file: {exc}", source=src) from None
    if not rows:
        raise InputError("the file is empty", source=src)
    return rows


def _number(cell: str, src: str, where: str) -> float:
    try:
        v = float(cell.strip())
    except ValueError:
        raise InputError(f"{where}: '{cell}' is not a number", source=src) from None
    if not math.isfinite(v):
        raise InputError(f"{where}: '{cell}' is not a finite number", source=src)
    return v


def read_balance_csv(path: str | Path) -> BalanceSequence:
    """One row per balance period with columns beginning_inventory, receipts, shipments,
    ending_inventory (kg; other columns are ignored)."""
    src = str(path)
    rows = _rows(path)
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in BALANCE_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(found: {', '.join(header) or 'none'})",
            source=src,
        )
    if len(rows) < 2:
        raise InputError("no balance periods below the header", source=src)
    idx = {c: header.index(c) for c in BALANCE_COLUMNS}
    cols: dict[str, list[float]] = {c: [] for c in BALANCE_COLUMNS}
    for r, row in enumerate(rows[1:], start=2):
        for c, j in idx.items():
            if j >= len(row) or not row[j].strip():
                raise InputError(f"row {r}, column {c}: empty cell", source=src)
            cols[c].append(_number(row[j], src, f"row {r}, column {c}"))
    return BalanceSequence.from_arrays(*(cols[c] for c in BALANCE_COLUMNS), source=src)


def _is_number(cell: str) -> bool:
    try:
        float(cell.strip())
    except ValueError:
        return False
    return True


def read_matrix_csv(path: str | Path) -> tuple[NDArray[np.float64], list[str], list[str]]:
    """A payoff matrix (row player's payoffs). An optional header row of column labels and an
    optional first column of row labels are recognised when they hold no numbers."""
    src = str(path)
    rows = _rows(path)
    col_labels: list[str] = []
    row_labels: list[str] = []
    if not any(_is_number(c) for c in rows[0][1:]) and len(rows) > 1:
        col_labels = [c.strip() for c in rows[0]]
        rows = rows[1:]
    has_row_labels = all(not _is_number(r[0]) for r in rows) if rows else False
    if has_row_labels:
        row_labels = [r[0].strip() for r in rows]
        rows = [r[1:] for r in rows]
        if col_labels:
            col_labels = col_labels[1:]
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise InputError("rows have different numbers of cells", source=src)
    first = 2 if col_labels else 1
    data = [
        [
            _number(cell, src, f"row {i + first}, column {j + 1 + has_row_labels}")
            for j, cell in enumerate(r)
        ]
        for i, r in enumerate(rows)
    ]
    a = np.asarray(data, dtype=np.float64)
    if a.size == 0:
        raise InputError("no payoffs in the file", source=src)
    if not row_labels:
        row_labels = [f"r{i + 1}" for i in range(a.shape[0])]
    if not col_labels or len(col_labels) != a.shape[1]:
        col_labels = [f"c{j + 1}" for j in range(a.shape[1])]
    return a, row_labels, col_labels
