"""CSL-JSON (Zotero, Mendeley, pandoc, citeproc-js and citeproc exports), read and written.

Reading takes what those tools write: a JSON array of items, a single item, or
``{"items": [...]}``. Field by field: ``title``; ``author`` as ``{family, given}`` (particles
and suffix kept with the family name, as BibTeX does: "van der Berg, Jan") or ``{literal}``,
and ``editor`` when there is no author, as citeproc does; ``container-title``, else
``container-title-short`` or Zotero's ``journalAbbreviation``, else for a book its
``collection-title``; the year of ``issued`` whether given as ``date-parts`` (numbers or
strings), ``raw``, ``literal`` or an EDTF string; ``DOI``, ``PMID`` and ``PMCID`` as top-level
keys in any case, else the ``PMID:``/``PMCID:``/``DOI:`` lines Zotero puts in ``note``, else a
doi.org, PubMed or PMC ``URL``; ``abstract``; ``keyword`` (a comma- or semicolon-separated
string, or a list); and the publication types from ``custom``. citeproc's inline markup
(``<i>``, ``<b>``, ``<sup>``, ``<sub>``, ``<span class="nocase">``) is dropped from text.

An item that is not a JSON object, or holds a field of the wrong shape (an ``author`` that is
not a list of names), is a :class:`BrokenRecord`; the other items are still read.

Writing gives CSL 1.0.2 items: ``type`` article-journal (book when a publication type says
Book), ``PMID`` and ``PMCID`` as the top-level variables CSL 1.0.2 defines, and the
publication types, which CSL has no variable for, in ``custom`` ("publication-types"), the
object CSL 1.0.2 sets aside for data of its own; ``genre`` or ``note`` would be printed by
some styles. Item ids are the keys :func:`evidence.formats.bibtex.citation_keys` gives, so a
BibTeX and a CSL-JSON export of the same papers cite them the same way. CSL-JSON cannot carry
retraction notices (only a "Retracted Publication" publication type).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from evidence.domain.identifiers import IdKind, parse_identifier
from evidence.errors import InvalidIdentifier, InvalidRecord
from evidence.formats.bibtex import (
    citation_keys,
    identifiers_in_note,
    join_keywords,
    split_keywords,
)
from evidence.formats.citations import (
    BrokenRecord,
    Citation,
    Record,
    author_name,
    citation,
    literal_name,
    split_name,
)

__all__ = ["read_csl_json", "write_csl_json"]

# Keys that make a JSON object a CSL item rather than some other JSON (compared in lower case).
_CSL_KEYS = {
    "id",
    "type",
    "title",
    "author",
    "editor",
    "issued",
    "container-title",
    "container-title-short",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "abstract",
    "keyword",
    "note",
    "page",
    "volume",
    "issue",
    "issn",
    "isbn",
    "publisher",
    "citation-key",
}
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|sc)>|<span(?:\s[^<>]*)?>|</span>", re.IGNORECASE)
_TYPES_KEY = "publication-types"


class _Malformed(ValueError):
    """A field whose JSON shape CSL does not allow; the item becomes a BrokenRecord."""


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), "a number"
    )


def _text(value: object, field: str, *, markup: bool = True) -> str | None:
    """Text as it reads: citeproc's inline markup dropped, unless it is an identifier."""
    if value is None:
        return None
    if isinstance(value, str):
        return _MARKUP.sub("", value) if markup else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Malformed(f"{field}: expected text, got {_kind(value)}")


def _name(value: object, field: str) -> str | None:
    if isinstance(value, str):
        return literal_name(value)
    if not isinstance(value, dict):
        raise _Malformed(f"{field}: expected a name object, got {_kind(value)}")
    literal = _text(value.get("literal"), field)
    if literal:
        return literal_name(literal)
    family = " ".join(
        part
        for part in (
            _text(value.get(key), field)
            for key in ("dropping-particle", "non-dropping-particle", "family", "suffix")
        )
        if part
    )
    return author_name(family, _text(value.get("given"), field))


def _names(value: object, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed(f"{field}: expected a list of names, got {_kind(value)}")
    return [n for n in (_name(v, field) for v in value) if n]


def _year(value: object) -> object:
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return parts[0][0]  # [[2019, 3, 1]] or [["2019"]]; a range's start
        return value.get("raw") or value.get("literal") or value.get("edtf")
    if isinstance(value, (str, int)):
        return value  # an EDTF string, or a bare year
    if value is None:
        return None
    raise _Malformed(f"issued: expected a date object, got {_kind(value)}")


def _list(value: object, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [t for t in (_text(v, field) for v in value) if t]
    return split_keywords(_text(value, field))


def _item(item: dict[str, Any], position: int, line: int | None) -> Record:
    fields = {str(key).lower(): value for key, value in reversed(item.items())}
    label = fields.get("id", fields.get("citation-key"))
    label = str(label) if label is not None else None
    try:
        ids = {k: _text(fields.get(k.value), k.value.upper(), markup=False) for k in IdKind}
        note = _text(fields.get("note"), "note", markup=False)
        for kind, value in identifiers_in_note(note).items():
            ids[kind] = ids[kind] or value
        if not any(ids.values()):
            try:  # a doi.org, PubMed or PMC link names the paper; any other URL does not
                from_url = parse_identifier(_text(fields.get("url"), "URL", markup=False) or "")
                ids[from_url.kind] = from_url.value
            except InvalidIdentifier:
                pass
        book = fields.get("type") == "book"
        journal = (
            _text(fields.get("container-title"), "container-title")
            or _text(fields.get("container-title-short"), "container-title-short")
            or _text(fields.get("journalabbreviation"), "journalAbbreviation")
            or (_text(fields.get("collection-title"), "collection-title") if book else None)
        )
        custom = fields.get("custom")
        types = custom.get(_TYPES_KEY) if isinstance(custom, dict) else None
        return citation(
            position=position,
            line=line,
            label=label,
            doi=ids[IdKind.doi],
            pmid=ids[IdKind.pmid],
            pmcid=ids[IdKind.pmcid],
            title=_text(fields.get("title"), "title"),
            authors=_names(fields.get("author"), "author")
            or _names(fields.get("editor"), "editor"),
            journal=journal,
            year=_year(fields.get("issued")),
            abstract=_text(fields.get("abstract"), "abstract"),
            publication_types=_list(types, _TYPES_KEY),
            keywords=_list(fields.get("keyword"), "keyword"),
        )
    except _Malformed as exc:
        return BrokenRecord(position, str(exc), line=line, label=label)


def _array_lines(text: str) -> list[int]:
    """The line each element of a (valid) top-level JSON array starts on."""
    decoder = json.JSONDecoder()
    skip = re.compile(r"[\s,]*")
    index = text.index("[") + 1
    line, counted = 1, 0
    lines: list[int] = []
    while True:
        gap = skip.match(text, index)
        assert gap is not None  # a pattern of only "*" matches, if only the empty string
        index = gap.end()
        if text[index] == "]":
            return lines
        line += text.count("\n", counted, index)
        counted = index
        lines.append(line)
        _, index = decoder.raw_decode(text, index)


def _items(text: str, name: str) -> list[tuple[object, int | None]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            name, f"line {exc.lineno}", f"not valid JSON: {exc.msg} (column {exc.colno})"
        ) from exc
    if isinstance(data, list):
        return list(zip(data, _array_lines(text), strict=True))
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return [(item, None) for item in data["items"]]
    if isinstance(data, dict) and _CSL_KEYS & {str(k).lower() for k in data}:
        return [(data, text.count("\n", 0, len(text) - len(text.lstrip())) + 1)]
    if isinstance(data, dict):
        keys = ", ".join(sorted(map(str, data))[:8]) or "none"
        raise InvalidRecord(
            name, None, f'not CSL-JSON: an object with no "items" and no CSL fields (keys: {keys})'
        )
    raise InvalidRecord(name, None, f"not CSL-JSON: {_kind(data)}, not a list of items")


def read_csl_json(text: str, *, name: str) -> Iterator[Record]:
    """Yield one record per CSL-JSON item, in file order.

    Raises :class:`InvalidRecord` if the text is not JSON (naming the line), or is JSON but
    not CSL-JSON (no item with any CSL field), or holds no item at all.
    """
    items = _items(text, name)
    if not items:
        raise InvalidRecord(name, None, "no CSL-JSON items (the list is empty)")
    if not any(
        isinstance(item, dict) and _CSL_KEYS & {str(k).lower() for k in item} for item, _ in items
    ):
        raise InvalidRecord(
            name, None, "not CSL-JSON: no item has a CSL field (id, type, title, author, DOI ...)"
        )
    for position, (item, line) in enumerate(items, start=1):
        if isinstance(item, dict):
            yield _item(item, position, line)
        else:
            problem = f"not a CSL item: {_kind(item)} where an object belongs"
            yield BrokenRecord(position, problem, line=line)


def _csl_name(name: str) -> dict[str, str]:
    family, given = split_name(name)
    return {"family": family, "given": given} if given else {"literal": family}


def _csl_item(key: str, item: Citation) -> dict[str, Any]:
    book = any(t.casefold() == "book" for t in item.publication_types)
    values: dict[str, Any] = {
        "id": key,
        "type": "book" if book else "article-journal",
        "title": item.title,
        "author": [_csl_name(a) for a in item.authors] or None,
        "container-title": item.journal,
        "issued": {"date-parts": [[item.year]]} if item.year is not None else None,
        "DOI": item.doi,
        "PMID": item.pmid,
        "PMCID": item.pmcid,
        "abstract": item.abstract,
        "keyword": join_keywords(item.keywords) if item.keywords else None,
        "custom": {_TYPES_KEY: list(item.publication_types)} if item.publication_types else None,
    }
    return {k: v for k, v in values.items() if v is not None}


def write_csl_json(citations: Iterable[Citation]) -> Iterator[str]:
    """Yield a CSL-JSON array (UTF-8 text, two-space indent), one item per chunk."""
    first = True
    for key, item in citation_keys(citations):
        body = json.dumps(_csl_item(key, item), ensure_ascii=False, indent=2)
        yield ("[\n" if first else ",\n") + "  " + body.replace("\n", "\n  ")
        first = False
    yield "[]\n" if first else "\n]\n"
