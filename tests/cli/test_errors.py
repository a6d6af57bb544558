"""Every cvid error reaches the user as one line and an exit status, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CVID = str(Path(sys.executable).with_name("cvid"))


def test_missing_weasyprint_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    # A machine without WeasyPrint: a package of that name that cannot be imported.
    fake = tmp_path / "site" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no weasyprint here')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), env.get("PYTHONPATH", "")])
    out = tmp_path / "r.pdf"
    done = subprocess.run(
        [CVID, "assess", "libya-2003", "--no-simulate", "--report", str(out), "--format", "pdf"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2, done.stderr
    assert "PDF output needs WeasyPrint" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_fixed_choices_refuse_other_values_naming_the_option() -> None:
    """--fail-on, --format and --outcome are enums: another value exits 2 naming the option
    and the choices, before any work is done."""
    for args, option in (
        (["assess", "libya-2003", "--no-simulate", "--fail-on", "nope"], "--fail-on"),
        (["assess", "libya-2003", "--no-simulate", "--format", "docx"], "--format"),
        (["sweep", "libya-2003", "--vary", "runs=1:2:2", "--outcome", "won"], "--outcome"),
    ):
        proc = subprocess.run([CVID, *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, (args, proc.stderr)
        assert f"Invalid value for '{option}'" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
