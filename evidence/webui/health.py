"""The Ledger health page's read and its HTML: `evidence check`'s findings, each linked to
its record. Cached like data.py's reads, on the database URL and the data version, so a
fix made anywhere shows on the next rerun and an unchanged ledger is checked once."""

from __future__ import annotations

import html
import re

import streamlit as st

from evidence import settings
from evidence.services.views.ledger_health import KINDS, Finding, LedgerHealth, ledger_health
from evidence.webui import data
from evidence.webui.render import claim_link_html

# findings kept of each kind: the page is for reading, `evidence check --json` lists them all
SHOWN = 50


@st.cache_data(show_spinner="Checking the ledger…", max_entries=4)
def _health(url: str, version: tuple[int, int]) -> LedgerHealth:
    with data._store(url).reading() as session:
        return ledger_health(session, limit=SHOWN)


def health() -> LedgerHealth:
    return _health(settings.get().database_url, data.version())


_CELL = "flex: 1 1 10rem"
_MUTED = "font-size: 0.875rem; opacity: 0.7"


def summary_html(health: LedgerHealth) -> str:
    """The counts: problems, notes, and each kind that has findings."""
    s = health["summary"]
    cells = [
        f'<div style="{_CELL}"><div style="font-size: 0.875rem">{label}</div>'
        f'<div style="font-size: 2.25rem; line-height: 1.3">{n:,}</div></div>'
        for label, n in (("Problems", s["problems"]), ("Notes", s["notes"]))
    ]
    kinds = [
        f"<li>{html.escape(KINDS[kind][1])}: {n:,}</li>" for kind, n in s["kinds"].items() if n
    ]
    return (
        f'<div class="health-summary" style="display: flex; flex-wrap: wrap; gap: 1rem">'
        f"{''.join(cells)}</div>" + (f'<ul style="{_MUTED}">{"".join(kinds)}</ul>' if kinds else "")
    )


def kind_html(kind: str, found: list[Finding], total: int) -> str:
    """One kind's findings as a list: the record (linked to its claim when it names one),
    the problem and the fix. Every piece of ledger text is escaped."""
    severity, heading = KINDS[kind]
    items = "".join(_item(f) for f in found)
    rest = total - len(found)
    more = (
        f'<p style="{_MUTED}">… and {rest:,} more: `evidence check --json` lists them all.</p>'
        if rest > 0
        else ""
    )
    return (
        f'<div class="health-kind" data-kind="{html.escape(kind)}">'
        f'<h4 style="margin: 0.8rem 0 0.3rem">{html.escape(heading)} '
        f'<span style="{_MUTED}">· {total:,} · {html.escape(severity)}</span></h4>'
        f'<ul style="margin: 0">{items}</ul>{more}</div>'
    )


def _item(finding: Finding) -> str:
    record = html.escape(finding["record"])
    links = "".join(claim_link_html(c, c) for c in finding["claims"][:6])
    return (
        f'<li class="health-finding" style="margin-bottom: 0.6rem">'
        f'<div style="font-weight: 600">{record}</div>'
        f"<div>{html.escape(finding['problem'])}</div>"
        f'<div style="{_MUTED}">Fix: {_commands(finding["fix"])}</div>{links}</li>'
    )


_COMMAND = re.compile(r"`([^`]+)`")


def _commands(text: str) -> str:
    """The fix escaped, its `commands` set as code (the backticks survive escaping)."""
    return _COMMAND.sub(r"<code>\1</code>", html.escape(text))
