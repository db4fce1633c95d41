"""A claim's evidence table as one block of HTML, every piece of ledger text escaped.

The claim page drew it with st.table, whose code (Arrow, a pandas styler, moment) a first
visit fetched after the page's own script had finished, so the table, the page's reason to
exist, came last; as HTML made here it arrives with the rest of the page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from evidence.domain.identifiers import Identifier
from evidence.webui.render import LINK_NAMES, NOTICE_LABELS, safe_url

COLUMNS = (
    "Paper",
    "Design",
    "Year",
    "Stance",
    "Certainty",
    "Downgrades / upgrades",
    "Rationale",
    "Quote from the paper",
    "Links",
)
STATUS_TEXT = {"retracted": "excluded: retracted", "insufficient": "not counted: insufficient"}

_TABLE = "width: 100%; min-width: 48rem; border-collapse: collapse; font-size: 0.875rem"
_HEAD = (
    "text-align: left; vertical-align: bottom; font-weight: 600; padding: 0.4rem 0.5rem;"
    " border-bottom: 1px solid rgba(128, 128, 128, 0.5)"
)
_CELL = (
    "text-align: left; vertical-align: top; padding: 0.4rem 0.5rem;"
    " border-bottom: 1px solid rgba(128, 128, 128, 0.25); overflow-wrap: break-word"
)
# a curator's rationale and a paper's quote keep their line breaks
_PROSE = "; white-space: pre-line"
_PROSE_COLUMNS = {"Rationale", "Quote from the paper"}


def _text(value: object) -> str:
    return html.escape(str(value))


def _paper(ref: Mapping[str, Any]) -> str:
    flag = NOTICE_LABELS.get(ref["retraction"] or "")
    title = _text(ref["title"] or f"Title not recorded ({ref['key']})")
    out = (f"<strong>{_text(flag)}</strong> — " if flag else "") + title
    if ref["metadata_pending"]:
        out += " · <em>metadata pending: run <code>evidence resolve</code></em>"
    return out


# a quote not in its paper's abstract is flagged as a retraction is, in capitals up front:
# the reader should not take the words for the paper's own
QUOTE_NOT_FOUND = "\u26a0 QUOTE NOT FOUND"
_CHECK = "display: block; margin-top: 0.3rem; font-size: 0.8125rem; white-space: normal"
_QUIET = _CHECK + "; opacity: 0.7"


def quote_check_html(check: Mapping[str, Any] | None) -> str:
    """What checking a link's quote against its paper's title and abstract found. The
    verdict does not depend on it: it tells the reader how far to trust the words."""
    if check is None:
        return ""
    if check["state"] == "verified":
        said = "\u2713 verified in the paper's title or abstract"
        if check["match"] == "fuzzy":
            score = "?" if check["score"] is None else f"{check['score']:g}"
            said = f"\u2713 verified, nearly (score {score}): check the wording"
        return f'<span class="evidence-quote-check" style="{_QUIET}">{_text(said)}</span>'
    if check["state"] == "not_found":
        return (
            f'<span class="evidence-quote-check" style="{_CHECK}">'
            f"<strong>{_text(QUOTE_NOT_FOUND)}</strong> in the paper's title or abstract</span>"
        )
    return (
        f'<span class="evidence-quote-check" style="{_QUIET}">'
        "not checkable (no abstract stored)</span>"
    )


def _quote(e: Mapping[str, Any]) -> str:
    if not e["quote"]:
        return ""
    return f"\u201c{_text(e['quote'])}\u201d" + quote_check_html(e.get("quote_check"))


def paper_links_html(ref: Mapping[str, Any]) -> str:
    """Links to the paper on PubMed, doi.org and PMC, for those identifiers it has."""
    links = [
        f'<a href="{_text(safe_url(Identifier(kind, ref[kind.value]).url))}" target="_blank"'
        f' rel="noopener noreferrer">{_text(name)}</a>'
        for kind, name in LINK_NAMES.items()
        if ref.get(kind.value)
    ]
    return " · ".join(links) or "no identifier"


def _cells(e: Mapping[str, Any]) -> tuple[str, ...]:
    ref = e["reference"]
    judged = ", ".join(d.replace("_", " ") for d in [*e["downgrades"], *e["upgrades"]])
    return (
        _paper(ref),
        _text(e["design_label"])
        + (" (suggested by its publication types)" if e["design_suggested"] else ""),
        "" if ref["year"] is None else _text(ref["year"]),
        _text(e["stance"]),
        _text(STATUS_TEXT.get(e["status"], f"{e['certainty_symbols']} {e['certainty']}")),
        _text(judged or "none"),
        _text(e["rationale"]),
        _quote(e),
        paper_links_html(ref),
    )


def evidence_table_html(evidence: Sequence[Mapping[str, Any]]) -> str:
    """One row per evidence link, in the order given (counted first, strongest first)."""
    head = "".join(f'<th style="{_HEAD}">{_text(c)}</th>' for c in COLUMNS)
    styles = [_CELL + (_PROSE if c in _PROSE_COLUMNS else "") for c in COLUMNS]
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td style="{style}">{cell}</td>'
            for style, cell in zip(styles, _cells(e), strict=True)
        )
        + "</tr>"
        for e in evidence
    )
    # a narrow window scrolls the table, not the page
    return (
        '<div style="overflow-x: auto">'
        f'<table class="evidence-table" style="{_TABLE}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )
