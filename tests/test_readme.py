"""README.md runs as written: every ```console block, in order, against the shipped files.

The blocks run in one temporary folder holding a copy of ``examples/`` (and whatever earlier
blocks created there), with the ``cvid`` of this environment first on PATH and a terminal
200 columns wide (``COLUMNS=200``). Each ``$ COMMAND`` line (a trailing ``\\`` continues it)
runs in bash; the lines after it, up to the next command, are its expected output, stdout
and stderr together. Comparison is line by line after collapsing runs of whitespace and
removing box-drawing characters (so Rich tables compare by their cells); blank lines do not
count. In the expected output:

- ``...`` on a line of its own stands for any lines (none or many);
- a line ending in ``…`` matches any line that starts with the text before it;
- ``# exit status N`` at the end of a line (or alone) is the exit status the command must
  return (default 0), and is not part of the output;
- ``<!-- readme-test: tolerance=R -->`` just before a block matches every number in its output
  within relative tolerance R (for Monte Carlo figures; a difference of one unit in the last
  printed digit is always allowed);
- ``<!-- readme-test: no-run -->`` just before a block leaves it out (only for commands that
  cannot end in a test, such as ``cvid serve``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COLUMNS = 200
#: Box-drawing (U+2500–U+257F) characters, as Rich draws tables and panels.
BOX = re.compile("[\u2500-\u257f]")
EXIT = re.compile(r"\s*#\s*exit status (\d+)\s*$")
DIRECTIVE = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->")
NUMBER = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")
ANY = "..."


@dataclass
class Command:
    """One ``$`` command of a block with the output the README shows for it."""

    text: str
    line: int
    expected: list[str] = field(default_factory=list)
    status: int = 0


@dataclass
class Block:
    """One ```console block of the README."""

    line: int
    commands: list[Command]
    tolerance: float | None = None
    run: bool = True


def parse(markdown: str) -> list[Block]:
    """The console blocks of ``markdown``, with their directives."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    directives: list[str] = []
    while i < len(lines):
        stripped = lines[i].strip()
        if m := DIRECTIVE.fullmatch(stripped):
            directives.append(m.group(1))
        elif stripped == "```console":
            start = i + 1
            body: list[tuple[int, str]] = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append((i + 1, lines[i]))
                i += 1
            blocks.append(_block(start, body, directives))
            directives = []
        elif stripped:
            directives = []
        i += 1
    return blocks


def _block(start: int, body: list[tuple[int, str]], directives: list[str]) -> Block:
    block = Block(line=start, commands=[])
    for d in directives:
        if d == "no-run":
            block.run = False
        elif d.startswith("tolerance="):
            block.tolerance = float(d.removeprefix("tolerance="))
        else:
            raise ValueError(f"README.md line {start}: unknown readme-test directive '{d}'")
    k = 0
    while k < len(body):
        number, text = body[k]
        if text.startswith("$ "):
            cmd = text[2:]
            while cmd.rstrip().endswith("\\") and k + 1 < len(body):
                k += 1
                cmd = cmd.rstrip()[:-1].rstrip() + " " + body[k][1].strip()
            block.commands.append(Command(cmd, number))
        elif not block.commands:
            raise ValueError(f"README.md line {number}: output before the first '$ ' command")
        else:
            command = block.commands[-1]
            if m := EXIT.search(text):
                command.status = int(m.group(1))
                text = text[: m.start()]
            if normal := normalize(text):
                command.expected.append(normal)
        k += 1
    return block


def normalize(line: str) -> str:
    """A line without box-drawing characters, its whitespace collapsed."""
    return " ".join(BOX.sub(" ", line).split())


def _numbers_close(expected: str, actual: str, tolerance: float) -> bool:
    e_nums, a_nums = NUMBER.findall(expected), NUMBER.findall(actual)
    if NUMBER.sub("#", expected) != NUMBER.sub("#", actual) or len(e_nums) != len(a_nums):
        return False
    for e, a in zip(e_nums, a_nums, strict=True):
        x, y = float(e.replace(",", "")), float(a.replace(",", ""))
        decimals = len(e.partition(".")[2]) if "." in e and "e" not in e.lower() else 0
        if abs(x - y) > max(tolerance * max(abs(x), abs(y)), 10.0**-decimals * 1.0001):
            return False
    return True


def line_matches(expected: str, actual: str, tolerance: float | None = None) -> bool:
    """Whether one normalized output line matches the README's line."""
    if expected.endswith("…"):
        prefix = expected[:-1].rstrip()
        if tolerance is None:
            return actual.startswith(prefix)
        return _numbers_close(prefix, actual[: len(prefix)], tolerance) or actual.startswith(prefix)
    if tolerance is None:
        return expected == actual
    return _numbers_close(expected, actual, tolerance)


def output_matches(expected: list[str], actual: list[str], tolerance: float | None = None) -> bool:
    """Whether the actual lines match the expected ones, ``...`` standing for any lines."""
    memo: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:
        key = (i, j)
        if key not in memo:
            if i == len(expected):
                memo[key] = j == len(actual)
            elif expected[i] == ANY:
                memo[key] = any(match(i + 1, k) for k in range(j, len(actual) + 1))
            else:
                memo[key] = (
                    j < len(actual)
                    and line_matches(expected[i], actual[j], tolerance)
                    and match(i + 1, j + 1)
                )
        return memo[key]

    return match(0, 0)


def run_block(block: Block, cwd: Path, env: dict[str, str]) -> list[str]:
    """Run the block's commands in ``cwd``; the problems found, one message each."""
    problems = []
    for c in block.commands:
        proc = subprocess.run(
            ["bash", "-c", c.text],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )
        actual = [n for n in map(normalize, proc.stdout.splitlines()) if n]
        if proc.returncode != c.status:
            problems.append(
                f"README.md line {c.line}: `{c.text}` exited {proc.returncode}, "
                f"the README says {c.status}:\n{proc.stdout}"
            )
        elif not output_matches(c.expected, actual, block.tolerance):
            problems.append(
                f"README.md line {c.line}: `{c.text}` printed\n"
                + "\n".join(actual)
                + "\n--- the README shows\n"
                + "\n".join(c.expected)
            )
    return problems


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CVID_")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(ROOT / "src")
    env["COLUMNS"] = str(COLUMNS)
    env["PYTHONUNBUFFERED"] = "1"
    env["HOME"] = str(home)
    env.pop("NO_COLOR", None)
    env["TERM"] = "dumb"
    return env


# --- the harness itself -------------------------------------------------------------------


def test_parse_reads_commands_output_status_and_directives() -> None:
    text = (
        "<!-- readme-test: tolerance=0.05 -->\n"
        "```console\n$ cvid a \\\n    --b 1\none  two\n│ x │ y │\n... # exit status 1\n```\n"
        "text\n<!-- readme-test: no-run -->\n\n```console\n$ cvid serve\n```\n"
        "```console\n$ cvid c\n```\n"
    )
    first, second, third = parse(text)
    assert first.tolerance == 0.05 and first.run
    (c,) = first.commands
    assert c.text == "cvid a --b 1"
    assert c.expected == ["one two", "x y", "..."]
    assert c.status == 1
    assert not second.run
    assert third.run and third.tolerance is None and third.commands[0].status == 0


def test_output_matching_rules() -> None:
    assert output_matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert output_matches(["a", "...", "z"], ["a", "z"])
    assert not output_matches(["a", "z"], ["a", "b", "z"])
    assert not output_matches(["a"], ["a", "extra"])
    assert output_matches(["a", "..."], ["a", "extra"])
    assert output_matches(['{"leaf": "dd4d…'], ['{"leaf": "dd4d9a0b"}'])
    assert not output_matches(['{"leaf": "dd4d…'], ['{"leaf": "ee4d9a0b"}'])
    # tolerance: relative, or one unit of the last printed digit
    assert output_matches(["p = 0.90 ± 0.01"], ["p = 0.93 ± 0.01"], tolerance=0.05)
    assert not output_matches(["p = 0.90 ± 0.01"], ["p = 0.99 ± 0.01"], tolerance=0.05)
    assert output_matches(["q 0.000"], ["q 0.001"], tolerance=0.05)
    assert not output_matches(["q 0.000 runs"], ["q 0.000 tries"], tolerance=0.05)
    assert not output_matches(["1 000"], ["1 001 2"], tolerance=0.5)
    assert normalize("┃ a  ┃ b ┃") == "a b"


# --- the README ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("readme")
def test_readme_runs_as_written(tmp_path: Path) -> None:
    blocks = parse(README.read_text(encoding="utf-8"))
    assert sum(b.run for b in blocks) >= 8, "the README's console blocks were not found"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    home = tmp_path / ".home"
    home.mkdir()
    env = _environment(home)
    problems: list[str] = []
    for block in blocks:
        if block.run:
            problems += run_block(block, tmp_path, env)
    assert not problems, "\n\n".join(problems)
