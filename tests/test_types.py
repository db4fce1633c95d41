"""The type check of evidence/ (issue 15): mypy, configured in pyproject.toml, finds nothing.

Run here rather than as a separate CI step so that the README's one test command covers it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy comes with the test extras")

ROOT = Path(__file__).resolve().parent.parent


def test_evidence_type_checks_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # mypy reads [tool.mypy] from the working directory
    out, err, status = mypy_api.run(["--config-file", "pyproject.toml"])
    assert status == 0, out + err
    assert re.search(r"Success: no issues found in \d+ source files", out), out


def test_every_type_ignore_names_its_code_and_why() -> None:
    """A ``# type: ignore`` names the error it silences and says why, on its line or above."""
    bare = []
    for path in sorted((ROOT / "evidence").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if "# type: ignore" not in line:
                continue
            named = re.search(r"# type: ignore\[[a-z-]+(,[a-z-]+)*\]", line)
            after = line.split("# type: ignore", 1)[1]
            reason = re.search(r"\]\s*(#|\()\s*\S", after) or (
                number > 1 and lines[number - 2].strip().startswith("#")
            )
            if not (named and reason):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "\n".join(bare)
