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
