"""Finding a quote in a document: exactly where it can be, fuzzily where it nearly is.

A quote is copied by hand from a page, a PDF or a slide: its line breaks, its runs of spaces
and its typographic quotes and dashes rarely survive the copy. Both sides are normalised the
same way (whitespace to one space, curly quotes to straight ones, every dash to a hyphen,
an ellipsis to three dots) and the quote is looked for exactly; failing that, rapidfuzz's
best partial alignment is taken if it scores at least ``FUZZY_MIN_SCORE`` (0-100), case
ignored. Positions are character offsets into the original text, so a page can show the
quote in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

# Measured on the starter content's 57 quotes (7-25 words): with one word replaced each
# scores 84-97 against its own document, and none scores above 56 against the other four
# documents on the same topic. The line sits between the two.
FUZZY_MIN_SCORE = 80.0

_SAME = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    "\u2026": "...",
    "\u00ad": "",  # a soft hyphen is not there for the reader
    "\u200b": "",
    "\ufeff": "",
}


class QuoteMatch(StrEnum):
    exact = "exact"  # the quote, normalised, is in the text
    fuzzy = "fuzzy"  # nearly: a word or a spelling differs (see quote_score)
    not_found = "not_found"  # the text is there and the quote is not in it
    no_text = "no_text"  # nothing to look in: the source has no stored text

    @property
    def located(self) -> bool:
        return self in (QuoteMatch.exact, QuoteMatch.fuzzy)

    @classmethod
    def stored(cls, value: str | None) -> QuoteMatch:
        """An assertion's stored match; none stored means nothing was there to look in."""
        return cls(value) if value else cls.no_text


@dataclass(frozen=True)
class Location:
    match: QuoteMatch
    start: int | None = None  # offsets into the original text: text[start:end] is the quote
    end: int | None = None
    score: float | None = None  # 100 for an exact match; rapidfuzz's for a fuzzy one

    @classmethod
    def nowhere(cls, match: QuoteMatch) -> Location:
        return cls(match)


def normalise(text: str) -> tuple[str, list[int]]:
    """The text as compared, and for each of its characters the offset it came from."""
    out: list[str] = []
    origin: list[int] = []
    space = True  # leading whitespace goes
    for i, ch in enumerate(text):
        if ch.isspace():  # what str.split() splits on, as compact() does
            if not space:
                out.append(" ")
                origin.append(i)
                space = True
            continue
        same = _SAME.get(ch, ch)
        for c in same:
            out.append(c)
            origin.append(i)
        space = space and not same
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


_TABLE = str.maketrans(_SAME)


def compact(text: str) -> str:
    """The normalised form alone, the same string ``normalise`` gives, in C's time: the
    offsets are worked out only for a quote that is there (a ledger's check reads every
    abstract, and most quotes are not in most of them)."""
    return " ".join(text.translate(_TABLE).split())


def locate(quote: str, text: str | None, *, min_score: float = FUZZY_MIN_SCORE) -> Location:
    """Where ``quote`` is in ``text``: exact first, then the best fuzzy alignment."""
    if text is None or not text.strip():
        return Location.nowhere(QuoteMatch.no_text)
    wanted = compact(quote)
    if not wanted:
        return Location.nowhere(QuoteMatch.not_found)
    haystack = compact(text)
    at = haystack.find(wanted)
    if at >= 0:
        return _placed(text, QuoteMatch.exact, at, at + len(wanted), 100.0)
    folded = haystack.casefold()
    if len(folded) == len(haystack):  # casefold keeps offsets for almost every script
        at = folded.find(wanted.casefold())
        if at >= 0:  # same words, other capitals: close, but not the verbatim quote
            score = round(fuzz.ratio(wanted, haystack[at : at + len(wanted)]), 1)
            return _placed(text, QuoteMatch.fuzzy, at, at + len(wanted), score)
    else:
        folded = haystack.lower()
    found = fuzz.partial_ratio_alignment(wanted.casefold(), folded, score_cutoff=min_score)
    if found is None or found.dest_end <= found.dest_start or len(folded) != len(haystack):
        return Location.nowhere(QuoteMatch.not_found)
    start, end = _whole_words(haystack, found.dest_start, found.dest_end)
    return _placed(text, QuoteMatch.fuzzy, start, end, round(found.score, 1))


def _placed(text: str, match: QuoteMatch, start: int, end: int, score: float) -> Location:
    """A match in the compacted text, placed in the original one."""
    _, origin = normalise(text)
    return Location(match, origin[start], origin[end - 1] + 1, score)


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen an alignment to whole words: it may start or stop inside one."""
    while start > 0 and not text[start - 1].isspace() and not text[start].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace() and not text[end - 1].isspace():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# a full stop after a number is a list's or a slide's numbering ("4. Downstream"), not an end
_SENTENCE_END = re.compile(r"(?<=[^\d\s][.!?])[\"')\]]*\s+|\n\s*\n")
CONTEXT_LIMIT = 600  # characters at most either side


def context(text: str, start: int, end: int, *, sentences: int = 1) -> tuple[str, str, str]:
    """The quote with ``sentences`` whole sentences either side: (before, quote, after).

    A sentence ends at ., ! or ? followed by space, or at a blank line (slides and headings
    end without a full stop). The quote's own sentence is always shown whole.
    """
    low = max(0, start - CONTEXT_LIMIT)
    high = min(len(text), end + CONTEXT_LIMIT)
    begins = [low, *(m.end() for m in _SENTENCE_END.finditer(text, low, start))]
    # the quote's sentence begins at begins[-1]; go back ``sentences`` more
    first = begins[max(0, len(begins) - 1 - sentences)]
    ends = [m.start() for m in _SENTENCE_END.finditer(text, end, high)] + [high]
    last = ends[min(len(ends) - 1, sentences)]
    return text[first:start].lstrip(), text[start:end], text[end:last].rstrip()


def locate_in_paper(quote: str, title: str | None, abstract: str | None) -> Location:
    """An evidence link's quote against its paper's title and abstract (what `resolve` and
    `import` store). Without an abstract the quote cannot be checked (``no_text``): a title
    alone is too short to say that a quote is not in the paper."""
    if not (abstract or "").strip():
        return Location.nowhere(QuoteMatch.no_text)
    return locate(quote, f"{title or ''}\n\n{abstract}")
