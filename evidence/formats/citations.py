"""One bibliographic record, whatever file it came from or goes to.

Every reader (BibTeX, RIS, MEDLINE, PubMed XML, CSL-JSON, CSV) yields :class:`Citation`
records, or a :class:`BrokenRecord` naming the record's place in the file and what is wrong
with it, so that one broken entry never hides the good ones around it. Every writer takes
:class:`Citation` records. :func:`citation` is the one place where raw field text becomes
a record: identifiers normalised (a malformed one breaks the record rather than being
guessed at), years read out of dates, names put in one form, blanks dropped.

Names go through :mod:`evidence.domain.names` (re-exported here for the readers), so that
every format stores them in one form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from evidence.domain.identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from evidence.domain.metadata import Bibliographic, Notice
from evidence.domain.names import (  # noqa: F401  (the readers' vocabulary)
    author_name,
    clean,
    family_name,
    literal_name,
    plain,
    split_name,
    title_key,
)
from evidence.errors import InvalidIdentifier


@dataclass(frozen=True)
class Citation(Bibliographic):
    """A paper as a bibliographic file describes it; identifiers already normalised.

    Its notices are what the file itself says of retraction (PubMed XML and MEDLINE carry it).
    """

    position: int  # 1-based: the record's number in its file
    line: int | None = None  # the line it starts on, for formats that have lines
    label: str | None = None  # the record's own name in the file: BibTeX key, RIS ID ...
    keywords: tuple[str, ...] = field(default=(), kw_only=True)  # files give them, services not

    @property
    def where(self) -> str:
        return where(self.position, self.line, self.label)


# What a bibliographic file can say of a paper (Bibliographic's fields and keywords), in the
# order files and exports list it: spelled out because that order is the files' (the CSV
# header) and must not move; tests/test_bibliographic.py holds it to the shared type
FIELDS = (
    "doi",
    "pmid",
    "pmcid",
    "title",
    "authors",
    "journal",
    "year",
    "abstract",
    "keywords",
    "publication_types",
)


@dataclass(frozen=True)
class BrokenRecord:
    """A record that cannot be read, and why; the records around it are still read."""

    position: int
    problem: str
    line: int | None = None
    label: str | None = None

    @property
    def where(self) -> str:
        return where(self.position, self.line, self.label)


Record = Citation | BrokenRecord


def where(position: int, line: int | None, label: str | None) -> str:
    """A record as a person finds it in the file: 'record 3 (line 41, smith2020)'."""
    extra = ", ".join(p for p in (f"line {line}" if line else None, label) if p)
    return f"record {position}" + (f" ({extra})" if extra else "")


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)")


def read_year(text: object) -> int | None:
    """The publication year in '2019', '2019/03/01/', '2019 Mar-Apr', 'Spring 2019' ..."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 1500 <= text <= 2199 else None
    match = _YEAR.search(str(text or ""))
    return int(match.group(1)) if match else None


def _identifier(kind: str, text: object, normalize: Callable[[str], str]) -> str | None:
    value = clean(text)
    if value is None:
        return None
    try:
        return normalize(value)
    except InvalidIdentifier as exc:
        raise InvalidIdentifier(value, f"in the {kind} field: {exc.reason}") from exc


def citation(
    *,
    position: int,
    line: int | None = None,
    label: str | None = None,
    doi: object = None,
    pmid: object = None,
    pmcid: object = None,
    title: object = None,
    authors: Iterable[str | None] = (),
    journal: object = None,
    year: object = None,
    abstract: object = None,
    publication_types: Iterable[object] = (),
    keywords: Iterable[object] = (),
    notices: Iterable[Notice] = (),
) -> Record:
    """A :class:`Citation` from raw field values, or a :class:`BrokenRecord` saying why not."""
    label = clean(label)
    try:
        ids = {
            "doi": _identifier("DOI", doi, normalize_doi),
            "pmid": _identifier("PMID", pmid, normalize_pmid),
            "pmcid": _identifier("PMCID", pmcid, normalize_pmcid),
        }
    except InvalidIdentifier as exc:
        return BrokenRecord(position, str(exc), line=line, label=label)
    text_title = clean(title)
    if not any(ids.values()) and not text_title:
        return BrokenRecord(position, "no DOI, PMID, PMCID or title", line=line, label=label)
    abstract_text = plain(str(abstract)).strip() if abstract is not None else ""
    return Citation(
        position=position,
        line=line,
        label=label,
        title=text_title,
        authors=tuple(a for a in (clean(x) for x in authors) if a),  # two Wang Y are two
        journal=clean(journal),
        year=read_year(year),
        abstract=abstract_text or None,
        publication_types=_unique(clean(t) for t in publication_types),
        keywords=_unique(clean(k) for k in keywords),
        notices=tuple(notices),
        **ids,
    )


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)
