"""The README must keep up with the code: settings, commands, quick start, CI."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from evidence import settings
from evidence.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for name in settings.ENVIRONMENT:
        assert f"`{name}`" in README, name


def test_every_environment_variable_the_code_reads_is_a_setting_or_documented() -> None:
    used = set()
    for path in [*ROOT.glob("evidence/**/*.py"), *ROOT.glob("tests/**/*.py")]:
        used |= set(re.findall(r"\bEVIDENCE_[A-Z_]+\b", path.read_text()))
    used.discard("EVIDENCE_")
    assert used, "expected the code to read EVIDENCE_* variables"
    for name in used:
        assert f"`{name}`" in README, name


def _commands(group, prefix: str = "") -> list[str]:  # noqa: ANN001
    names = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:  # e.g. `screen queue`, which `evidence screen CLAIM` runs
            continue
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):
            names += _commands(command, full + " ")
        else:
            names.append(full)
    return names


def test_every_cli_command_is_documented() -> None:
    commands = _commands(typer.main.get_command(app))
    assert len(commands) >= 20
    for command in commands:
        assert re.search(rf"evidence {re.escape(command)}\b", README), command


def test_the_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick)
    assert len(commands) == 2, commands
    assert "evidence dashboard" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_the_claims_list_fields_are_the_ones_the_readme_lists(seeded_store) -> None:  # noqa: ANN001
    from evidence.services.views.summaries import list_claims

    said = README.split("`claims list --json` prints a list of objects with", 1)[1]
    said = said.split("one claim to a line", 1)[0]
    with seeded_store.reading() as s:
        fields = set(list_claims(s)[0])
    assert set(re.findall(r"`(\w+)`", said)) == fields


def test_the_readme_names_the_current_rules_version_and_regrade() -> None:
    from evidence.domain.grading import RULES_VERSION

    assert (
        f"rules version\n{RULES_VERSION}**" in README or f"rules version {RULES_VERSION}" in README
    )
    assert "evidence regrade --check" in README


def test_the_readme_makes_an_admin_before_the_dashboard_is_described() -> None:
    """Issue 16: a new user found no way in to curate."""
    first = README.index("evidence users add YOUR-NAME --role admin")
    assert first < README.index("## The dashboard")


def _ticked(text: str) -> set[str]:
    return set(re.findall(r"`(\w+)`", text))


def test_the_claim_show_fields_are_the_ones_the_readme_lists(seeded_store) -> None:  # noqa: ANN001
    """Issue 15: the README's JSON field lists are checked against the code, not trusted."""
    from evidence.services.views.claim_detail import claim_detail
    from evidence.services.views.summaries import list_claims

    said = README.split("`claim show --json` adds", 1)[1]
    added, said = said.split("Each link of `evidence` has:", 1)
    link, paper = said.split("Its `reference` is the paper:", 1)
    paper, sources = paper.split("Each of `sources` is", 1)
    sources = sources.split("\n\n", 1)[0].split("(see", 1)[0]
    with seeded_store.reading() as s:
        summary = set(list_claims(s)[0])
        detail = claim_detail(s, "lumbar-nerve-root-tethering")
    assert _ticked(added) == set(detail) - summary
    assert _ticked(link) == set(detail["evidence"][0])
    assert _ticked(paper) == set(detail["evidence"][0]["reference"])
    assert _ticked(sources) == set(detail["sources"][0])
