"""Quotes in their documents, as blocks of HTML: every piece of ledger text escaped.

The claim page shows each asserting source's quote with the sentence before and after it;
the sources page shows a whole document with each of its claims' quotes marked where it
stands. Both are made here as HTML (st.html) rather than widgets: a page of quotes drawn as
Markdown elements is a tree of React components per quote, where HTML is set in one go.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from evidence.domain.quote_location import QuoteMatch
from evidence.webui.render import BadgeColour, badge_html, claim_link_html, claim_tag_html, short

# the text's look on the light theme and the dark one alike (st.html cannot name the theme's
# colours): a mark is a faint fill of yellow, the text keeps the theme's own colour
_MARK = (
    "background: rgba(250, 200, 0, 0.38); color: inherit; padding: 0 0.1em; border-radius: 0.2em"
)
# two claims quoting the same words: the shared part is darker, so both quotes show
_MARK_OVERLAP = (
    "background: rgba(250, 170, 0, 0.6); color: inherit; padding: 0 0.1em; border-radius: 0.2em"
)
# a near match is the document's wording, not the recorded one: marked, but told apart
_MARK_NEAR = (
    _MARK + "; text-decoration: underline dotted rgb(214, 104, 0); text-underline-offset: 0.2em"
)
_CARD = (
    "border: 1px solid rgba(128, 128, 128, 0.3); border-radius: 0.5rem; padding: 0.75rem 1rem;"
    " margin-bottom: 0.75rem"
)
_QUOTE = (
    "margin: 0.5rem 0 0.25rem; padding: 0.1rem 0 0.1rem 0.75rem;"
    " border-left: 3px solid rgba(128, 128, 128, 0.45); white-space: pre-line"
)
_AROUND = "opacity: 0.72"  # the sentences around a quote: there, but quieter than it
_SMALL = "margin: 0.15rem 0 0; font-size: 0.8125rem"
_DOCUMENT = (
    "white-space: pre-wrap; overflow-wrap: break-word; max-height: 42rem; overflow-y: auto;"
    " line-height: 1.6; padding: 0.75rem 1rem; border: 1px solid rgba(128, 128, 128, 0.3);"
    " border-radius: 0.5rem; font-size: 0.9375rem"
)

_BREAKS = re.compile(r"\s*\n\s*")


def tidy(text: str) -> str:
    """Text whose line breaks are its layout: a slide's runs of blank and space-only lines
    become one blank line, a single line break stays one, and lines lose their indent."""
    return _BREAKS.sub(lambda m: "\n\n" if m.group().count("\n") > 1 else "\n", text)


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _score(score: float | None) -> str:
    return "?" if score is None else f"{score:g}"


def source_quote_state(match: str, score: float | None) -> tuple[str, BadgeColour]:
    """What became of a source's quote when it was looked for in the source's text."""
    found = QuoteMatch.stored(match)
    if found is QuoteMatch.exact:
        return "found in the document", "green"
    if found is QuoteMatch.fuzzy:
        return f"nearly found (score {_score(score)}): check the wording", "orange"
    if found is QuoteMatch.not_found:
        return "not found in the document's text", "red"
    return "the source's text is not stored", "gray"


def quote_in_context_html(entry: Mapping[str, Any]) -> str:
    """One asserting source's quote: where it was found, with the sentence before and after
    and the quote marked; otherwise the quote as recorded. Its state beside it."""
    state, colour = source_quote_state(entry["quote_match"], entry["quote_score"])
    found = entry.get("context")
    if found:
        near = QuoteMatch.stored(entry["quote_match"]) is QuoteMatch.fuzzy
        before, quote, after = tidy(found["before"]), tidy(found["quote"]), tidy(found["after"])
        body = (
            (f'<span style="{_AROUND}">{_e(before)}</span>' if before else "")
            + f'<mark style="{_MARK_NEAR if near else _MARK}">{_e(quote)}</mark>'
            + (f'<span style="{_AROUND}">{_e(after)}</span>' if after else "")
        )
    else:
        near = False
        body = f"\u201c{_e(entry['quote'])}\u201d"
    line = badge_html(state, colour)
    if near:  # the document's words are marked above: the curator's are these
        line += f" · recorded as \u201c{_e(entry['quote'])}\u201d"
    return (
        f'<blockquote class="evidence-quote" style="{_QUOTE}">{body}</blockquote>'
        f'<p class="evidence-quote-state" style="{_SMALL}">{line}</p>'
    )


def asserted_by_html(sources: Sequence[Mapping[str, Any]]) -> str:
    """The claim page's "Who asserts it": a card per source, its quotes in their context."""
    by_source: dict[str, list[Mapping[str, Any]]] = {}
    for s in sources:
        by_source.setdefault(s["key"], []).append(s)
    cards = []
    for quotes in by_source.values():
        s = quotes[0]
        head = (
            f'<p style="margin: 0"><strong>{_e(s["title"])}</strong> · '
            f"{_e(s['kind'].replace('_', ' '))}</p>"
        )
        conflicts = (
            f'<p style="{_SMALL}; margin-top: 0.6rem; opacity: 0.7">Conflicts of interest: '
            f"{_e(s['conflicts_of_interest'])}</p>"
            if s["conflicts_of_interest"]
            else ""
        )
        cards.append(
            f'<div class="evidence-source" style="{_CARD}">{head}'
            + "".join(quote_in_context_html(q) for q in quotes)
            + f"{conflicts}</div>"
        )
    return "".join(cards)


def _located(quote: Mapping[str, Any], size: int) -> bool:
    start, end = quote["start"], quote["end"]
    return (
        QuoteMatch.stored(quote["match"]).located
        and start is not None
        and end is not None
        and 0 <= start < end <= size
    )


# A document past this many characters is shown as the passages around its quotes: a
# guideline of a megabyte or more, drawn whole, is more than a browser lays out at ease
WHOLE_LIMIT = 200_000
PASSAGE = 1_500  # characters either side of a quote, in a document shown by passages
_GAP = '<span style="opacity: 0.6">\n\n[\u2026]\n\n</span>'


def _passages(size: int, placed: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """The stretches of the text to show: all of it, or each quote's surroundings merged."""
    if size <= WHOLE_LIMIT:
        return [(0, size)]
    spans: list[tuple[int, int]] = []
    for q in placed:
        low, high = max(0, q["start"] - PASSAGE), min(size, q["end"] + PASSAGE)
        if spans and low <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], high))
        else:
            spans.append((low, high))
    return spans or [(0, min(size, WHOLE_LIMIT))]


def document_html(document: Mapping[str, Any], claims: Mapping[str, Mapping[str, Any]]) -> str:
    """A source's text with each located quote marked and labelled with its claim (a link
    to the claim's page, numbered in the order the claims first appear), the claims listed
    below it, then the quotes not found in it.

    ``claims`` are the summaries of the source's claims by id (their statements and
    verdicts); a claim missing from it is named by its id. The text is cut at every quote's
    start and end into flat runs, each marked by the quotes covering it, so quotes that
    overlap or nest never make a mark inside a mark (nor HTML that does not close).
    """
    text: str = document["text"] or ""
    quotes = list(document["quotes"])
    placed = sorted(
        (q for q in quotes if _located(q, len(text))), key=lambda q: (q["start"], -q["end"])
    )
    number: dict[str, int] = {}
    for q in placed:
        number.setdefault(q["claim_id"], len(number) + 1)

    def statement(claim_id: str) -> str:
        return str(claims.get(claim_id, {}).get("statement", claim_id))

    parts: list[str] = []
    passages = _passages(len(text), placed)
    for first, last in passages:
        if first > 0:
            parts.append(_GAP)
        inside = [q for q in placed if first <= q["start"] and q["end"] <= last]
        cuts = sorted({first, last, *(q["start"] for q in inside), *(q["end"] for q in inside)})
        for low, high in zip(cuts, cuts[1:], strict=False):
            piece = tidy(text[low:high])
            if low == first:
                piece = piece.lstrip()
            if high == last:
                piece = piece.rstrip()
            covering = [q for q in inside if q["start"] <= low and high <= q["end"]]
            if covering:
                ids = list(dict.fromkeys(q["claim_id"] for q in covering))
                near = all(QuoteMatch.stored(q["match"]) is QuoteMatch.fuzzy for q in covering)
                style = _MARK_OVERLAP if len(covering) > 1 else _MARK_NEAR if near else _MARK
                hover = " · ".join(f"{number[i]}. {statement(i)}" for i in ids)
                parts.append(f'<mark style="{style}" title="{_e(hover)}">{_e(piece)}</mark>')
            else:
                parts.append(_e(piece))
            ending = dict.fromkeys(q["claim_id"] for q in inside if q["end"] == high)
            parts.extend(
                claim_tag_html(i, str(number[i]), title=f"{number[i]}. {statement(i)}")
                for i in ending
            )
    if passages[-1][1] < len(text):
        parts.append(_GAP)
    out = [f'<div class="evidence-document" style="{_DOCUMENT}">{"".join(parts)}</div>']

    if number:
        out.append(
            '<p style="margin: 0.9rem 0 0.2rem"><strong>The claims marked in it</strong></p>'
        )
        for claim_id, n in number.items():
            verdict = claims.get(claim_id, {}).get("verdict")
            out.append(claim_link_html(claim_id, f"{n}. {short(statement(claim_id))}", verdict))
            nearly = [
                q for q in placed if q["claim_id"] == claim_id and q["match"] == QuoteMatch.fuzzy
            ]
            for q in nearly:
                said = source_quote_state(q["match"], q["score"])[0]
                out.append(
                    f'<p style="{_SMALL}; margin: 0 0 0.3rem 1.2rem; opacity: 0.8">{_e(said)}; '
                    f"recorded as \u201c{_e(q['quote'])}\u201d</p>"
                )
    missing = [q for q in quotes if not _located(q, len(text))]
    if missing:
        out.append(
            '<p style="margin: 0.9rem 0 0.2rem"><strong>Quotes not found in the document'
            "</strong></p>"
        )
        for q in missing:
            state, colour = source_quote_state(q["match"], q["score"])
            out.append(
                f'<div class="evidence-missing-quote" style="margin: 0 0 0.5rem">'
                f'<p style="margin: 0.2rem 0">\u201c{_e(q["quote"])}\u201d '
                f"{badge_html(state, colour)}</p>"
                + claim_link_html(q["claim_id"], short(statement(q["claim_id"])))
                + "</div>"
            )
    return "".join(out)


FORMATS = {
    "text": "plain text",
    "markdown": "Markdown",
    "html": "from HTML: the text a reader sees",
}


def document_facts(document: Mapping[str, Any]) -> str:
    """The stored text's size, format and SHA-256 (to tell it is the document meant)."""
    size = document["size"]
    said = [f"{size:,} bytes" if size is not None else "size not recorded"]
    if document["format"]:
        said.append(FORMATS.get(document["format"], document["format"]))
    located = sum(1 for q in document["quotes"] if _located(q, len(document["text"] or "")))
    said.append(f"{located} of {len(document['quotes'])} quotes found in it")
    if len(document["text"] or "") > WHOLE_LIMIT:
        said.append("too long to show whole: the passages around its quotes")
    return (
        f'<p style="{_SMALL}; opacity: 0.75">{_e(" · ".join(said))}<br>'
        f'SHA-256 <code style="font-size: 0.75rem">{_e(document["sha256"] or "not recorded")}'
        "</code></p>"
    )
