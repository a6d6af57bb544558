"""``cvid status`` (compliance from evidence), ``cvid ledger import``, ``cvid ledger replay``
and ``cvid data list|show`` (the datasets that ship with cvid).

JSON shapes (``--json``):

- status: :meth:`cvid.compliance.ComplianceState.to_dict` — ``{"agreement", "scenario", "at",
  "records", "counts", "commitments": [...], "findings": [{..., "sources": [...]}],
  "access": [...], "concessions": [...], "indicators": {...}, "timeline": [...]}``;
- ledger import: ``{"format", "dataset", "file", "sha256", "rows", "imported", "indices",
  "skipped_before_agreement", "skipped_other", "unresolved", "first", "last"}``;
- data list: ``[{"name", "title", "file", "format", "state", "source", "version",
  "retrieved", "licence", "sha256", "provenance"}]``;
- ledger replay: ``{"ledger", "stream", "scenario", "parties", "appended", "first_index",
  "last_index"}``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from cvid.cli.common import console, emit_json, finding_line
from cvid.compliance import (
    FORMATS,
    ComplianceFinding,
    ComplianceState,
    agreement_evidence,
    agreement_id,
    evaluate,
    import_dataset,
    replay_stream,
)
from cvid.data import dataset, datasets
from cvid.errors import InputError
from cvid.ledger import Ledger, read_private_key
from cvid.scenario import load_scenario

_STATUS_STYLE = {
    "pending": "dim",
    "claimed": "yellow",
    "verified": "bold green",
    "holding": "green",
    "overdue": "bold yellow",
    "violated": "bold red",
}


#: Findings printed in the timeline too (``--timeline``), beside the status changes.
_ON_TIMELINE = frozenset({"outside-agreement", "unresolved", "violation"})


def _day(t: object) -> str:
    return "—" if t is None else f"{t:%Y-%m-%d}"


def _where(f: ComplianceFinding) -> str:
    """The kinds of source and the records behind a finding, as printed after it."""
    parts = []
    if f.sources:
        parts.append("; ".join(f.sources))
    if f.evidence:
        parts.append("records " + ", ".join(map(str, f.evidence)))
    return f"  [{' · '.join(parts)}]" if parts else ""


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
        console.print(Text("\nFindings (kind of source in brackets)", style="bold"))
        for f in state.findings:
            console.print(finding_line(f.severity, f.message, _where(f)))
    if state.access:
        console.print(Text("\nAccess requests", style="bold"))
        for a in state.access:
            delay = "—" if a.delay_hours is None else f"{a.delay_hours:.0f} h"
            ok = "within notice" if a.within_notice else "NOT within notice"
            basis = {
                "inspectorate-entry": "to the inspectorate's record of entry",
                "denial": "to the denial",
                "still-waiting": "still outside",
            }[a.measured_by]
            console.print(
                f"  {a.request_id}: {a.site} ({a.access}) {a.outcome} after {delay} "
                f"({basis}), {ok}",
                markup=False,
            )
    if state.concessions:
        console.print(Text("\nConcessions", style="bold"))
        for k in state.concessions:
            console.print(f"  {k.id} {k.action} {k.on:%Y-%m-%d}: {k.verdict}", markup=False)
    console.print(Text(f"\nIndicators: {state.balance}", style="bold"))
    for i in state.indicators:
        console.print(
            f"  {i.side:>8}  {i.message}  [{'; '.join(i.sources) + ' · ' if i.sources else ''}"
            f"records {', '.join(map(str, i.evidence))}]",
            markup=False,
        )
    if timeline:
        console.print(Text("\nTimeline", style="bold"))
        rows: list[tuple[datetime, str, str]] = []
        for ch in state.timeline:
            idx = ", ".join(map(str, ch.evidence)) or "deadline"
            rows.append(
                (
                    ch.on,
                    "0",
                    f"  {ch.on:%Y-%m-%d}  {ch.commitment}: {ch.before} → {ch.after}  [{idx}]",
                )
            )
        for f in state.findings:
            if f.kind in _ON_TIMELINE and f.on is not None:
                rows.append((f.on, "1", f"  {f.on:%Y-%m-%d}  {f.message}{_where(f)}"))
        for _, _, line in sorted(rows, key=lambda r: (r[0], r[1])):
            console.print(line, markup=False)
    console.print(
        Text("\nAsk for any record's inclusion proof: cvid ledger proof DB INDEX", style="dim")
    )


def status_command(
    ledger: str = typer.Option(..., "--ledger", help="Ledger file or postgresql:// URL."),
    scenario: str = typer.Option(..., "--scenario", help="Scenario file or bundled name."),
    at: str | None = typer.Option(
        None, "--at", help="Date (YYYY-MM-DD) to evaluate at (default: now)."
    ),
    timeline: bool = typer.Option(False, "--timeline", help="Print the status changes in order."),
    as_json: bool = typer.Option(False, "--json", help="Print the state as JSON."),
    with_beliefs: bool = typer.Option(
        False, "--beliefs", help="Also the posterior over the counterpart's types."
    ),
    prior: str | None = typer.Option(
        None,
        "--prior",
        help="With --beliefs: sincere=P,time-buyer=P,hedger=P (sums to 1; default: "
        "the scenario's counterpart prior).",
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
        ev = agreement_evidence(led, agreement_id(s), source=ledger)
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
    file: str = typer.Argument(
        ..., help="The dataset file, or the name of a bundled dataset (cvid data list)."
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        help="One of: " + ", ".join(FORMATS) + " (default: the bundled dataset's).",
    ),
    key: Path = typer.Option(..., "--key", help="The observer's NAME.key (registered)."),
    scenario: str = typer.Option(..., "--scenario", help="Scenario the observations are for."),
    log_key: Path | None = typer.Option(
        None,
        "--log-key",
        help="The log's private key file (default: $CVID_LEDGER_LOG_KEY, or DB.logkey beside "
        "a SQLite file).",
    ),
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
        f"imported {len(report.indices)} observations from {report.dataset or file} "
        f"({report.format}); {report.skipped_before_agreement} rows before the agreement and "
        f"{report.skipped_other} of other states or events skipped; {report.unresolved} "
        "unresolved (type unknown)"
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


data_app = typer.Typer(
    name="data", help="The public datasets that ship with cvid.", no_args_is_help=True
)


@data_app.command("list")
def data_list(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """Every bundled dataset: name, source, date of retrieval, licence."""
    found = datasets()
    if as_json:
        emit_json([d.to_dict() for d in found])
        return
    table = Table(title="Datasets that ship with cvid (cvid data show NAME for provenance)")
    table.add_column("name", no_wrap=True)
    for col in ("format", "source", "retrieved", "licence"):
        table.add_column(col, overflow="fold")
    for d in found:
        table.add_row(d.name, d.format or "—", d.source, d.retrieved, d.licence)
    console.print(table)


@data_app.command("show")
def data_show(
    name: str = typer.Argument(..., help="A bundled dataset's name."),
    as_json: bool = typer.Option(False, "--json", help="Print the entry as JSON."),
) -> None:
    """One dataset's catalogue entry and its PROVENANCE.md."""
    d = dataset(name)
    if as_json:
        emit_json(d.to_dict())
        return
    for key, value in d.to_dict().items():
        console.print(f"{key:>10}: {value}", markup=False)
    console.print()
    console.print(d.provenance.read_text(encoding="utf-8"), markup=False)


def register(app: typer.Typer) -> None:
    """Attach ``cvid status``, the ledger group's ``import`` and ``replay``, and ``cvid data``."""
    from cvid.cli.ledger_cmd import ledger_app

    app.command("status")(status_command)
    ledger_app.command("import")(import_command)
    ledger_app.command("replay")(replay_command)
    app.add_typer(data_app)
