"""Printing: JSON for scripts, compact text for people. Text from the ledger is never markup."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    # print(), not rich: JSON must reach pipes byte-exact, without wrapping or styling.
    print(json.dumps(data, indent=2, ensure_ascii=False))


def say(text: str) -> None:
    console.print(escape(text))
