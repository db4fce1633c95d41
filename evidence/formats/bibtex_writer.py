"""BibTeX written: one ``@article`` per paper (see formats/bibtex.py for what is kept)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import default_unparse_stack
from bibtexparser.model import Entry, Field

from evidence.formats.citations import Citation, split_name

# --- writing -------------------------------------------------------------------------------

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[!?](?=`))")
_STOP_WORDS = {"a", "an", "and", "for", "in", "of", "on", "the", "to", "with"}


def _escape(text: str) -> str:
    out = "".join(_SPECIAL.get(char, char) for char in text)
    out = _LIGATURE.sub(r"\1{}", out)
    # a line starting with @ would look like the start of the next entry
    return re.sub(r"\n([ \t]*)@", r"\n\1{@}", out)


def _protected_title(title: str) -> str:
    words = []
    for word in _escape(title).split(" "):
        if any(char.isupper() for char in word):
            word = f"{{{{{word}}}}}" if word.startswith("\\") else f"{{{word}}}"
        words.append(word)
    return " ".join(words)


def _name_part(part: str) -> str:
    escaped = _escape(part)
    # A comma or a lone "and" would split the name (or the list of names) in two, and
    # bibtexparser loses a word made only of escapes (\%) before " and ": braces keep them.
    if "," in part or "\\" in escaped or re.search(r"\band\b", part, re.IGNORECASE):
        return f"{{{escaped}}}"
    return escaped


def _bibtex_name(name: str) -> str:
    family, given = split_name(name)
    if not given:
        return f"{{{_escape(family)}}}"  # one name: a collective author is not split
    return f"{_name_part(family)}, {_name_part(given)}"


def join_keywords(values: Iterable[str], *, semicolons: bool = False) -> str:
    """Keywords as :func:`split_keywords` reads them back: "a, b", or "a; b, c" when one of
    them holds a comma (a single one then ends in ";")."""
    values = list(values)
    commas = any("," in v for v in values)
    text = "; ".join(values) if semicolons or commas else ", ".join(values)
    return text + ";" if commas and ";" not in text else text


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def _generated_key(item: Citation) -> str:
    family = _ascii(split_name(item.authors[0])[0])[:24] if item.authors else ""
    words = [_ascii(w) for w in (item.title or "").split()]
    first = next((w for w in words if w and w not in _STOP_WORDS), "")
    key = f"{family}{item.year or ''}{first[:20]}"
    if key:
        return key
    return f"pmid{item.pmid}" if item.pmid else "ref"


def _label_key(label: str | None) -> str:
    folded = unicodedata.normalize("NFKD", label or "")
    return re.sub(r"[^A-Za-z0-9_:./+-]", "", folded)


def _suffixes() -> Iterator[str]:
    yield ""
    width = 1
    while True:
        for number in range(26**width):
            letters = ""
            for _ in range(width):
                number, digit = divmod(number, 26)
                letters = chr(ord("a") + digit) + letters
            yield letters
        width += 1


def citation_keys(citations: Iterable[Citation]) -> Iterator[tuple[str, Citation]]:
    """Each citation with a key unique in the file (case aside, suffixed a, b, ... aa):
    its label where it has one usable as a BibTeX key, else first author's family name +
    year + first title word that is not "the", "a", "of" ..., in lower-case ASCII."""
    used: set[str] = set()
    for item in citations:
        base = _label_key(item.label) or _generated_key(item)
        key = next(base + s for s in _suffixes() if (base + s).casefold() not in used)
        used.add(key.casefold())
        yield key, item


def _is_book(item: Citation) -> bool:
    return any(t.casefold() == "book" for t in item.publication_types)


def _fields(item: Citation) -> list[Field]:
    book = _is_book(item)
    values = [
        ("title", _protected_title(item.title) if item.title else None),
        ("author", " and ".join(_bibtex_name(a) for a in item.authors) or None),
        ("booktitle" if book else "journal", _escape(item.journal) if item.journal else None),
        ("year", str(item.year) if item.year is not None else None),
        ("doi", re.sub(r"([{}])", r"\\\1", item.doi) if item.doi else None),
        ("pmid", item.pmid),
        ("pmcid", item.pmcid),
        ("abstract", _escape(item.abstract) if item.abstract else None),
        ("keywords", _escape(join_keywords(item.keywords)) if item.keywords else None),
        (
            "pubtype",
            _escape(join_keywords(item.publication_types, semicolons=True))
            if item.publication_types
            else None,
        ),
    ]
    return [Field(key, value) for key, value in values if value]


def write_bibtex(citations: Iterable[Citation]) -> Iterator[str]:
    """Yield a BibTeX file, one entry per chunk; see the module docstring for the fields."""
    layout = bibtexparser.BibtexFormat()
    layout.indent = "  "
    for key, item in citation_keys(citations):
        entry = Entry("book" if _is_book(item) else "article", key, _fields(item))
        yield (
            bibtexparser.write_string(
                Library([entry]),
                unparse_stack=default_unparse_stack(allow_inplace_modification=True),
                bibtex_format=layout,
            )
            + "\n"
        )
