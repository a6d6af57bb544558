"""``cvid scenario validate|schema|new`` and ``cvid examples``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from cvid.cli.common import JSON_OPT, console, emit_json
from cvid.errors import InputError
from cvid.scenario import examples, load_scenario, render_template, scenario_json_schema

scenario_app = typer.Typer(help="Check, describe and start scenario files.", no_args_is_help=True)


@scenario_app.command("validate")
def validate(
    files: list[str] = typer.Argument(..., help="Scenario files (or bundled example names)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Check scenario files against the schema and their internal references."""
    results = []
    for f in files:
        s = load_scenario(f)
        p, a = s.program, s.agreement
        results.append(
            {
                "file": f,
                "valid": True,
                "name": s.meta.name,
                "facilities": len(p.facilities),
                "materials": len(p.materials),
                "commitments": len(a.commitments),
                "concessions": len(a.concessions),
            }
        )
    if as_json:
        emit_json(results if len(results) > 1 else results[0])
        return
    for r in results:
        console.print(
            f"[green]ok[/] {r['file']}: {r['name']} — {r['facilities']} facilities, "
            f"{r['materials']} materials, {r['commitments']} commitments, "
            f"{r['concessions']} concessions"
        )


@scenario_app.command("schema")
def schema(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write to this file instead (default: stdout)."
    ),
) -> None:
    """Print the JSON Schema of scenario files (for editors and validators)."""
    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@scenario_app.command("new")
def new(
    name: str = typer.Argument(..., help="Name of the scenario; the file is NAME.toml."),
    directory: Path = typer.Option(Path("."), "--dir", help="Folder to write into."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starting scenario file NAME.toml."""
    stem = name.removesuffix(".toml")
    if not stem or any(c in stem for c in "/\\") or stem.startswith("."):
        raise InputError("a scenario name is a plain file name without folders", field="NAME")
    target = directory / f"{stem}.toml"
    if target.exists() and not force:
        raise InputError("file exists; use --force to overwrite", source=str(target))
    if not directory.is_dir():
        raise InputError("folder does not exist", source=str(directory))
    text = render_template(stem)
    tmp = target.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    console.print(f"wrote {target} — edit it, then run: cvid scenario validate {target}")


def list_examples(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List the bundled example scenarios."""
    rows = examples()
    if as_json:
        emit_json([{"name": n, "title": t} for n, t in rows])
        return
    table = Table("name", "title", title="Bundled scenarios (use the name wherever a file goes)")
    for n, t in rows:
        table.add_row(n, t)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach these commands to the root app."""
    app.add_typer(scenario_app, name="scenario")
    app.command("examples")(list_examples)
