"""The claim's words marked in a candidate's title and abstract, for the screener's eye.

One rule for the terminal (`evidence screen`) and the dashboard's Screen page: a word of the
claim marks itself and the longer words it begins (its first six letters, so "fasciitis"
finds "fascia"), common words aside. Each piece of the text, marked or not, is formatted on
its own by the caller: marking text already escaped could find a word inside an entity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Words of a claim too common to be worth marking in an abstract
_COMMON = frozenset((
    "about", "after", "also", "among", "before", "between", "both", "does", "each", "from",
    "have", "into", "more", "most", "other", "over", "than", "that", "their", "them", "then",
    "there", "these", "they", "this", "those", "under", "were", "what", "when", "where",
    "which", "while", "with", "without",
))  # fmt: skip


def _stem(word: str) -> str:
    core = re.sub(r"[^\w-]", "", word.lower())
    return core[:6] if len(core) > 6 else core


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """What marks the claim's words; None when there is none worth marking."""
    stems = sorted(
        {_stem(t) for t in terms if t.lower() not in _COMMON and len(_stem(t)) >= 4},
        key=len,
        reverse=True,
    )
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.IGNORECASE)


def marked(
    text: str,
    pattern: re.Pattern[str] | None,
    mark: Callable[[str], str],
    plain: Callable[[str], str],
) -> str:
    """``text`` with each matched word passed through ``mark`` and the rest through ``plain``."""
    if pattern is None:
        return plain(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(plain(text[last : m.start()]))
        out.append(mark(m.group(0)))
        last = m.end()
    out.append(plain(text[last:]))
    return "".join(out)
