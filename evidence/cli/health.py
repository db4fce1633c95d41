"""`evidence check`: the ledger's health, each finding with what fixes it.

Exit codes are a checker's: 0 clean, 1 findings (notes too: each is something a curator
should act on), 2 when the check could not be made (a bad option, or a database that cannot
be read). A database error is 2 here, not the 6 of other commands, because a script running
`evidence check` reads 1 as "findings" and anything else as "not checked".
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Annotated

import orjson
import typer

from evidence.cli.context import app_context
from evidence.cli.output import say
from evidence.errors import StoreError
from evidence.services.views.ledger_health import (
    DEFAULT_STALE_DAYS,
    KINDS,
    Finding,
    HealthSummary,
    count,
    empty_summary,
    findings,
)

SHOWN = 20


def check(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print JSON: {"findings": [...], "summary": {...}}.')
    ] = False,
    stale_days: Annotated[
        int,
        typer.Option(min=0, help="A paper not checked for retractions in this many days is named."),
    ] = DEFAULT_STALE_DAYS,
    limit: Annotated[
        int,
        typer.Option(min=0, help="Findings printed of each kind (0: all); --json prints all."),
    ] = SHOWN,
) -> None:
    """The ledger's health: quotes not found, designs unconfirmed, papers unresolved or not
    checked lately, claims unsearched or duplicated, looping chains, stale overrides."""
    app = app_context(ctx)
    try:
        with app.store().reading() as session:
            found = findings(session, stale_days=stale_days)
            summary = _print_json(found) if as_json else _print_text(found, limit)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if summary["findings"]:
        raise typer.Exit(1)


def _print_json(found: Iterable[Finding]) -> HealthSummary:
    """The findings written as they come (a large ledger has hundreds of thousands), then
    the summary, which is only known at the end."""
    summary = empty_summary()
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(b'{"findings": [')
    for n, finding in enumerate(found):
        count(summary, finding)
        out.write((b"\n  " if n == 0 else b",\n  ") + orjson.dumps(finding))
    out.write(b'\n], "summary": ' + orjson.dumps(summary) + b"}\n")
    out.flush()
    return summary


def _print_text(found: Iterable[Finding], limit: int) -> HealthSummary:
    summary = empty_summary()
    kind = None
    for finding in found:
        if finding["kind"] != kind:
            _more(summary, kind, limit)
            kind = finding["kind"]
            severity, heading = KINDS[kind]
            gap = "\n" if summary["findings"] else ""
            say(f"{gap}{heading} [{kind}, {severity}]:")
        count(summary, finding)
        if not limit or summary["kinds"][kind] <= limit:
            say(f"  {finding['record']}")
            say(f"    {finding['problem']}")
            say(f"    fix: {finding['fix']}")
    _more(summary, kind, limit)
    if not summary["findings"]:
        say("The ledger is healthy: nothing to fix.")
        return summary
    parts = [f"{n:,} {kind}" for kind, n in summary["kinds"].items() if n]
    total, problems, notes = summary["findings"], summary["problems"], summary["notes"]
    say(
        f"\n{_n(total, 'finding')} ({_n(problems, 'problem')}, {_n(notes, 'note')}): "
        + ", ".join(parts)
        + "."
    )
    return summary


def _more(summary: HealthSummary, kind: str | None, limit: int) -> None:
    if kind is not None and limit and summary["kinds"][kind] > limit:
        rest = summary["kinds"][kind] - limit
        say(f"  … and {rest:,} more (`evidence check --limit 0` or `--json` lists them all)")


def _n(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
