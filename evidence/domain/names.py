"""Author names in one stored form, and the key that finds one paper under two descriptions.

Names are stored the way PubMed writes them when only initials are known ("Smith JA") and
as "Family, Given" when the given names are known ("Smith, John Adam"); a collective name
("PEDro Collaboration") is kept as it is. :func:`split_name` reads either back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
# control characters (NUL included, which PostgreSQL refuses) and lone surrogates (which no
# encoder writes): files carry them by accident, and nobody means them
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def plain(text: str) -> str:
    """The text without control characters or lone surrogates; tabs and new lines kept."""
    return _UNWANTED.sub("", text)


def clean(text: object) -> str | None:
    """Text with its whitespace collapsed, or None when nothing is left."""
    if text is None:
        return None
    value = _SPACE.sub(" ", plain(str(text))).strip()
    return value or None


def author_name(family: str | None, given: str | None = None) -> str | None:
    """One author in the stored form: 'Smith JA' for initials, 'Smith, John Adam' otherwise."""
    family, given = clean(family), clean(given)
    if not family:
        return given
    if not given:
        return family
    letters = re.sub(r"[.\s-]", "", given)
    if 0 < len(letters) <= 4 and letters.isalpha() and letters.isupper():  # "J. A.", "É"
        return f"{family} {letters}"
    return f"{family}, {given}"


def literal_name(text: str | None) -> str | None:
    """A name given as one string: 'Smith, John' or 'Smith JA' (kept), or 'John Smith'."""
    name = clean(text)
    if not name:
        return None
    if "," in name:
        family, _, given = name.partition(",")
        return author_name(family, given)
    return name


def split_name(name: str) -> tuple[str, str | None]:
    """(family, given) of a stored name; given is 'J. A.' for PubMed-style initials."""
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), clean(given)
    head, _, tail = name.rpartition(" ")
    letters = re.sub(r"[.-]", "", tail)  # "JA", "J.A.", "J.-P."
    if head and letters.isupper() and letters.isalpha() and len(letters) <= 4:
        return head, " ".join(f"{letter}." for letter in letters)
    return name, None


def family_name(name: str) -> str:
    return split_name(name)[0]


_NOT_WORD = re.compile(r"[\W_]+")


# letters Unicode does not decompose into a base letter and a mark
_ASCII = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)


def ascii_text(text: str) -> str:
    """The text in plain ASCII letters, for keys people type: 'Sørensen' -> 'Sorensen'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return decomposed.encode("ascii", "ignore").decode()


def _folded(text: str) -> str:
    """Lower case, no accents, letters and digits only ('Müller-Lyer' -> 'mullerlyer')."""
    if not text.isascii():  # é -> e + a combining mark (dropped below); other scripts kept
        text = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return _NOT_WORD.sub("", text.casefold())


def title_key(title: str | None, year: int | None, authors: Iterable[str]) -> str | None:
    """What two records of one paper share when they share no identifier: the title without
    case, accents, spaces or punctuation, the year, and the first author's family name.
    None without a title or an author: a guess on less would merge different papers. A
    missing year is part of the key: it matches only another record without one."""
    first = next(iter(authors or ()), None)
    folded = _folded(title or "")
    family = _folded(family_name(first)) if first else ""
    if not folded or not family:
        return None
    return f"{folded[:200]}|{year or ''}|{family[:60]}"


def same_title(one: str | None, other: str | None) -> bool:
    """Whether two titles are the same once case, accents and punctuation are set aside."""
    return bool(one and other) and _folded(one or "") == _folded(other or "")
