"""Checking a CliRunner result."""

from __future__ import annotations


def ok(result) -> str:  # noqa: ANN001
    """The command's stdout, after checking it succeeded (its output shown if not)."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout
