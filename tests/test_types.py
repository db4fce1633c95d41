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


def _keys(typed: type) -> set[str]:
    return set(typed.__required_keys__) | set(typed.__optional_keys__)  # type: ignore[attr-defined]


def test_the_result_types_name_the_keys_the_readers_get(seeded_store) -> None:  # noqa: ANN001
    """The TypedDicts that cross from services to the CLI and pages are the real shapes:
    every key the code produces is declared, and every declared key is produced."""
    from evidence.services.views.claim_detail import (
        AssertedBy,
        ClaimDetail,
        ClaimLinkRow,
        EvidenceRow,
        PaperRow,
        claim_detail,
    )
    from evidence.services.views.mechanisms import (
        ChainPath,
        ClaimChains,
        LedgerChains,
        LedgerMechanism,
        NumberedChain,
        all_chains,
        chain,
    )
    from evidence.services.views.summaries import ClaimSummary, list_claims
    from evidence.store.queries import SearchRow

    with seeded_store.reading() as s:
        summaries = list_claims(s)
        details = [claim_detail(s, c["id"]) for c in summaries]
        chained = all_chains(s)
        through = [chain(s, c["id"]) for c in summaries]
    assert all(set(c) == _keys(ClaimSummary) for c in summaries)
    assert all(set(d) == _keys(ClaimDetail) for d in details)
    shapes = [
        (EvidenceRow, [e for d in details for e in d["evidence"]]),
        (PaperRow, [e["reference"] for d in details for e in d["evidence"]]),
        (AssertedBy, [a for d in details for a in d["sources"]]),
        (SearchRow, [r for d in details for r in d["searches"]]),
        (ClaimLinkRow, [link for d in details for link in d["claim_links"]]),
        (LedgerChains, [chained]),
        (LedgerMechanism, chained["mechanisms"]),
        (NumberedChain, chained["chains"]),
        (ClaimChains, through),
        (ChainPath, [p for c in through for p in c["paths"]]),
    ]
    for typed, rows in shapes:
        assert rows, f"the starter content has no {typed.__name__} to compare"
        assert all(set(r) == _keys(typed) for r in rows), typed.__name__
