"""``cvid status`` (compliance from evidence), ``cvid ledger import`` and ``cvid ledger replay``.

JSON shapes (``--json``):

- status: :meth:`cvid.compliance.ComplianceState.to_dict` — ``{"agreement", "scenario", "at",
  "records", "counts", "commitments": [...], "findings": [...], "access": [...],
  "concessions": [...], "indicators": {...}, "timeline": [...]}``;
- ledger import: ``{"format", "file", "sha256", "rows", "imported", "indices",
  "skipped_before_agreement", "skipped_other", "first", "last"}``;
- ledger replay: ``{"ledger", "stream", "scenario", "parties", "appended", "first_index",
  "last_index"}``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from cvid.cli.common import console, emit_json, finding_line
from cvid.compliance import (
    FORMATS,
    ComplianceState,
    agreement_id,
    evaluate,
    evidence_from_ledger,
    import_dataset,
    replay_stream,
)
from cvid.errors import InputError
from cvid.ledger import Ledger, read_private_key
from cvid.scenario import load_scenario

_STATUS_STYLE = {
    "pending": "dim",
    "claimed": "yellow",
    "verified": "bold green",
    "overdue": "bold yellow",
    "violated": "bold red",
}


def _day(t: object) -> str:
    return "—" if t is None else f"{t:%Y-%m-%d}"


def render(state: ComplianceState, *, timeline: bool = False) -> None:
    """Print the state with Rich: commitments, findings, access, concessions, indicators."""
    table = Table(
        title=f"{state.scenario} · status at {state.at:%Y-%m-%d} · {state.records} records"
    )
    for col in ("commitment", "status", "deadline", "claimed", "verified", "evidence", "why"):
        table.add_column(col)
    for c in state.commitments:
        table.add_row(
            c.id,
            Text(c.status, style=_STATUS_STYLE[c.status]),
            _day(c.deadline),
            _day(c.claimed_on),
            _day(c.verified_on),
            ", ".join(str(i) for i in c.evidence) or "—",
            c.why,
        )
    console.print(table)
    if state.findings:
        console.print(Text("\nFindings", style="bold"))
        for f in state.findings:
            idx = f"  [records {', '.join(map(str, f.evidence))}]" if f.evidence else ""
            console.print(finding_line(f.severity, f.message, idx))
    if state.access:
        console.print(Text("\nAccess requests", style="bold"))
        for a in state.access:
            delay = "—" if a.delay_hours is None else f"{a.delay_hours:.0f} h"
            ok = "within notice" if a.within_notice else "NOT within notice"
            console.print(
                f"  {a.request_id}: {a.site} ({a.access}) {a.outcome} after {delay}, {ok}"
            )
    if state.concessions:
        console.print(Text("\nConcessions", style="bold"))
        for k in state.concessions:
            console.print(f"  {k.id} {k.action} {k.on:%Y-%m-%d}: {k.verdict}")
    console.print(Text(f"\nIndicators: {state.balance}", style="bold"))
    for i in state.indicators:
        console.print(f"  {i.side:>8}  {i.message}  [records {', '.join(map(str, i.evidence))}]")
    if timeline:
        console.print(Text("\nTimeline", style="bold"))
        for ch in state.timeline:
            idx = ", ".join(map(str, ch.evidence)) or "deadline"
            console.print(f"  {ch.on:%Y-%m-%d}  {ch.commitment}: {ch.before} → {ch.after}  [{idx}]")
    console.print(
        Text("\nAsk for any record's inclusion proof: cvid ledger proof DB INDEX", style="dim")
    )


def status_command(
    ledger: str = typer.Option(..., "--ledger", help="Ledger file or postgresql:// URL."),
    scenario: str = typer.Option(..., "--scenario", help="Scenario file or bundled name."),
    at: str | None = typer.Option(None, "--at", help="Date (YYYY-MM-DD) to evaluate at."),
    timeline: bool = typer.Option(False, "--timeline", help="Print the status changes in order."),
    as_json: bool = typer.Option(False, "--json", help="Print the state as JSON."),
    with_beliefs: bool = typer.Option(
        False, "--beliefs", help="Also the posterior over the counterpart's types."
    ),
    prior: str | None = typer.Option(
        None, "--prior", help="With --beliefs: sincere=P,time-buyer=P,hedger=P (sums to 1)."
    ),
) -> None:
    """Status of every commitment derived from the evidence ledger, with findings."""
    s = load_scenario(scenario)
    if at is not None:
        try:
            from datetime import date

            date.fromisoformat(at)
        except ValueError:
            raise InputError("not a date (YYYY-MM-DD)", source="--at") from None
    with Ledger.open(ledger) as led:
        ev = evidence_from_ledger(led, agreement_id(s))
    state = evaluate(s, ev, at)
    if with_beliefs:
        from cvid.cli.beliefs_cmd import parse_prior, render_beliefs
        from cvid.compliance import beliefs

        b = beliefs(ev, s, at=at, prior=parse_prior(prior))
        if as_json:
            emit_json({**state.to_dict(), "beliefs": b.to_dict()})
        else:
            render(state, timeline=timeline)
            render_beliefs(b)
        return
    if as_json:
        emit_json(state.to_dict())
    else:
        render(state, timeline=timeline)


def import_command(
    db: str = typer.Argument(..., help="Ledger file or postgresql:// URL."),
    file: Path = typer.Argument(..., help="The dataset file."),
    fmt: str = typer.Option(..., "--format", help="One of: " + ", ".join(FORMATS)),
    key: Path = typer.Option(..., "--key", help="The observer's NAME.key (registered)."),
    scenario: str = typer.Option(..., "--scenario", help="Scenario the observations are for."),
    log_key: Path | None = typer.Option(None, "--log-key", help="The log's private key file."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
) -> None:
    """Import a public dataset as signed observations (all rows or none)."""
    s = load_scenario(scenario)
    party = read_private_key(key)
    with Ledger.open(db, log_key=log_key) as led:
        report = import_dataset(led, party, fmt, file, s)
    if as_json:
        emit_json(report.to_dict())
        return
    console.print(
        f"imported {len(report.indices)} observations from {file} ({fmt}); "
        f"{report.skipped_before_agreement} rows before the agreement and "
        f"{report.skipped_other} of other states skipped"
    )


def replay_command(
    db: str = typer.Argument(..., help="Ledger file (created if absent) or postgresql:// URL."),
    stream: str = typer.Argument(..., help="Evidence stream (.jsonl) or a bundled name."),
    as_json: bool = typer.Option(False, "--json", help="Print the replay report as JSON."),
) -> None:
    """Replay a sourced evidence stream into a ledger, signed with demo party keys."""
    report = replay_stream(stream, db)
    if as_json:
        emit_json(report.to_dict())
        return
    console.print(
        f"replayed {len(report.indices)} records of {report.stream} into {report.ledger} "
        f"(scenario {report.scenario}; demo keys for {', '.join(report.parties)})"
    )


def register(app: typer.Typer) -> None:
    """Attach ``cvid status`` and the ledger group's ``import`` and ``replay``."""
    from cvid.cli.ledger_cmd import ledger_app

    app.command("status")(status_command)
    ledger_app.command("import")(import_command)
    ledger_app.command("replay")(replay_command)
