"""The words full-text search matches: one folding for the stored text and for the query.

Both databases are handed text already folded here (lower case, accents dropped, every run
of characters that is not a letter or digit made one space), so SQLite's FTS5 and
PostgreSQL's text search see the same words and a query matches the same claims on both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SEPARATORS = re.compile(r"[\W_]+")
MAX_QUERY_WORDS = 24  # words in all: beyond this a search narrows nothing a person would see


@lru_cache(maxsize=65536)  # a paper's title recurs for every claim it bears on
def fold(text: str) -> str:
    """``text`` as its words, space-separated: lower case, accents dropped."""
    plain = text.casefold()
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", plain).strip()


def words(text: str) -> list[str]:
    return fold(text).split()


def document(parts: Iterable[str | None]) -> str:
    """The stored text of a claim: its parts' words, space-separated."""
    return " ".join(folded for part in parts if part and (folded := fold(part)))


def query_terms(query: str) -> list[list[str]]:
    """What a typed search asks for: each whitespace-separated term as its folded words.

    Every term must match; a term's words must follow one another (``plantar-fasciitis``
    finds "plantar fasciitis"), and its last word may be the start of a longer one
    (``fasci`` finds "fasciitis").
    """
    kept: list[list[str]] = []
    room = MAX_QUERY_WORDS
    for term in query.split():
        found = words(term)[:room]
        if found:
            kept.append(found)
            room -= len(found)
        if room <= 0:
            break
    return kept
