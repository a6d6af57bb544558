"""What ``cvid status --beliefs`` adds: the posterior over the counterpart's types, the records
that moved it most and the ranked next demands (:func:`cvid.compliance.beliefs`).

JSON (``cvid status --beliefs --json``): the status object with a ``"beliefs"`` key holding
:meth:`cvid.compliance.BeliefState.to_dict` — ``{"scenario", "at", "types", "prior",
"posterior", "most_likely", "records", "series": [...], "movers": [...], "next_demands":
[...], "levels", "model"}``.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from cvid.cli.common import console
from cvid.compliance import BeliefState
from cvid.errors import InputError


def parse_prior(text: str | None) -> dict[str, float] | None:
    """``sincere=0.2,time-buyer=0.5,hedger=0.3`` → a dict (checked by the tracker)."""
    if text is None:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise InputError(f"'{part}' is not TYPE=PROBABILITY", source="--prior")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"'{value}' is not a number", source="--prior") from None
    return out


def render_beliefs(b: BeliefState) -> None:
    """Print the posterior, its time series, the movers and the next demands."""
    post = ", ".join(
        f"{t} {p:.3f}"
        for t, p in zip(("sincere", "time-buyer", "hedger"), b.posterior, strict=True)
    )
    prior = ", ".join(f"{p:.2f}" for p in b.prior)
    console.print(
        Text(f"\nBeliefs after {b.records} records: {post} (prior {prior})", style="bold")
    )
    table = Table(title="Posterior over the counterpart's types, record by record")
    for col in ("record", "day", "kind", "sincere", "time-buyer", "hedger", "shift", "read as"):
        table.add_column(col)
    for p in b.series:
        table.add_row(
            str(p.index),
            f"{p.time:%Y-%m-%d}",
            p.kind,
            *(f"{x:.3f}" for x in p.posterior),
            f"{p.shift:.3f}"
            + (f" (+{p.silence_shift:.3f} silence)" if p.silence_shift > 5e-4 else ""),
            "; ".join(p.acts) or "—",
        )
    console.print(table)
    if b.movers:
        console.print(Text("Records that moved it most", style="bold"))
        for p in b.movers:
            console.print(f"  record {p.index} ({p.time:%Y-%m-%d}, {p.kind}): {p.shift:.3f}")
    if b.next_demands:
        console.print(Text("Next demand (expected information about the type)", style="bold"))
        for i, d in enumerate(b.next_demands, 1):
            console.print(f"  {i}. {d.commitment} ({d.kind}): {d.reason}")
    else:
        console.print(
            Text("Every commitment is at its top level: nothing left to demand", style="dim")
        )
