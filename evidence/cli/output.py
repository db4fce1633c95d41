"""Printing: JSON for scripts, compact text for people. Text from the ledger is never markup."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    # print(), not rich: JSON must reach pipes byte-exact, without wrapping or styling.
    print(json.dumps(data, indent=2, ensure_ascii=False))


def print_json_list(items: Iterable[Any]) -> None:
    """A JSON list written as its items come, one item to a line, so a long one never sits
    whole in memory; orjson encodes each (a tenth of json's time: 200,000 claims list in
    seconds)."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    first = True
    for item in items:
        out.write((b"[\n" if first else b",\n") + orjson.dumps(item))
        first = False
    out.write(b"[]\n" if first else b"\n]\n")
    out.flush()


def say(text: str) -> None:
    console.print(escape(text))


def warn(text: str) -> None:
    """A warning on stderr: what was done may not be what was meant, but it was done."""
    typer.echo(text, err=True)


@contextmanager
def progress_bar(label: str, *, percent: bool = False) -> Iterator[tuple[Any, Any]]:
    """A bar on stderr (only on a terminal); yields (set_total, advance).

    ``percent`` shows how far through rather than a count (a file read by bytes or lines).
    """
    console = Console(stderr=True)
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        TaskProgressColumn() if percent else MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task(label, total=None)
    with bar:
        yield (
            lambda total: bar.update(task, total=total),
            lambda n: bar.advance(task, n),
        )
