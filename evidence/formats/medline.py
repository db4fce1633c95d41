"""PubMed's MEDLINE format (the .nbib / .txt that "Send to: Citation manager" and "Save" give).

Each record starts with a ``PMID-`` line and ends at a blank line; a tag is padded to four
characters and followed by "- " (``PMID- ``, ``AU  - ``, ``FAU - ``), and a value continues
on lines indented by six spaces. The format carries more than RIS does, and we read what the
ledger uses: full author names (``FAU``) paired with the short ones (``AU``) so that an author
with only one of them is neither lost nor given a neighbour's name, collective authors
(``CN``) in author order, the DOI from ``LID`` / ``AID`` ``[doi]`` lines, the PMCID, the
publication types, the author keywords (``OT``; MeSH headings are not the paper's keywords),
and the comment/correction lines that put a notice on the paper itself. Those notices are
built exactly as :meth:`PubmedRecord.to_metadata` builds them from PubMed XML, so a paper
imported from either format carries the same notices.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from evidence.domain.identifiers import normalize_pmid
from evidence.domain.metadata import Notice
from evidence.domain.publication_types import NOTICE_REF_TYPES
from evidence.domain.vocab import Retraction
from evidence.errors import InvalidIdentifier, InvalidRecord
from evidence.formats.citations import (
    BrokenRecord,
    Record,
    citation,
    clean,
    literal_name,
    read_year,
)

# The tag sits in columns 1-4 and the hyphen in column 5; an indented line never matches.
_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{3})-(?: (.*))?$")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_DOI = re.compile(r"^(.*?)\s*\[doi\]$", re.IGNORECASE)
_NOTICE_PMID = re.compile(r"\bPMID:\s*(\d+)")

# MEDLINE comment/correction tags and the PubMed XML RefType each stands for; only those that
# put a notice on this paper (the "... of" / "... for" tags sit on the notice itself).
NOTICE_TAGS: dict[str, str] = {
    "RIN": "RetractionIn",
    "RRI": "RetractedandRepublishedIn",
    "ECI": "ExpressionOfConcernIn",
    "EIN": "ErratumIn",
}


@dataclass
class _Raw:
    start: int
    fields: list[tuple[str, list[str]]] = field(default_factory=list)

    def values(self, tag: str) -> list[str]:
        return [v for t, lines in self.fields if t == tag and (v := _joined(lines))]

    def first(self, *tags: str) -> str | None:
        return next((v for tag in tags for v in self.values(tag)), None)


def _joined(lines: list[str]) -> str:
    # PubMed wraps at 80 columns and only at a space, so one space rejoins the pieces
    return " ".join(part for part in (line.strip() for line in lines) if part)


def read_medline(text: str, *, name: str) -> Iterator[Record]:
    """One :class:`Citation` or :class:`BrokenRecord` per MEDLINE record, in file order.

    ``position`` is the record's number, ``line`` the line of its ``PMID-``, ``label`` the
    PMID as written. Raises :class:`InvalidRecord` at once when no line starts with ``PMID-``.
    """
    lines = _NEWLINES.split(text.removeprefix("\ufeff"))
    if not any(_tag(line)[0] == "PMID" for line in lines):
        raise InvalidRecord(name, None, "no MEDLINE records (no line starts with 'PMID- ')")
    return _records(lines)


def _tag(line: str) -> tuple[str | None, str]:
    match = _TAG.match(line)
    if match is None or " " in match.group(1).rstrip():
        return None, line
    return match.group(1).rstrip(), (match.group(2) or "").strip()


def _records(lines: list[str]) -> Iterator[Record]:
    position = 0
    record: _Raw | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if record is not None:
                position += 1
                yield _citation(record, position)
                record = None
            continue
        tag, value = _tag(line)
        if tag is None:
            if record is not None and record.fields:
                record.fields[-1][1].append(line)
            continue  # text outside any record
        if record is not None and tag == "PMID" and record.fields:
            position += 1  # records run together without the blank line between them
            yield _citation(record, position)
            record = None
        if record is None:
            record = _Raw(number)
        record.fields.append((tag, [value]))
    if record is not None:
        position += 1
        yield _citation(record, position)


def _citation(record: _Raw, position: int) -> Record:
    pmid = record.first("PMID")
    if pmid is None:
        return BrokenRecord(
            position,
            f"no PMID line: the record starting at line {record.start} lacks 'PMID- '",
            line=record.start,
        )
    types = record.values("PT")
    return citation(
        position=position,
        line=record.start,
        label=pmid,
        pmid=pmid,
        doi=_doi(record),
        pmcid=record.first("PMC"),
        title=record.first("TI", "BTI"),
        authors=_authors(record),
        journal=record.first("JT", "TA", "BTI"),
        year=read_year(record.first("DP")),
        abstract=record.first("AB"),
        publication_types=types,
        keywords=record.values("OT"),
        notices=_notices(record, types),
    )


def _doi(record: _Raw) -> str | None:
    for tag in ("LID", "AID"):
        for value in record.values(tag):
            match = _DOI.match(value)
            if match:
                return match.group(1)
    return None


def _authors(record: _Raw) -> list[str | None]:
    """Authors in order: FAU preferred, paired with the AU that follows it when both name the
    same person; an AU or FAU alone is an author too; CN (collective names) in place."""
    names: list[str | None] = []
    pending: str | None = None  # a full name waiting for its short form
    for tag, lines in record.fields:
        value = _joined(lines)
        if tag not in ("FAU", "AU", "CN") or not value:
            continue
        if tag == "AU" and pending is not None and _same_person(pending, value):
            names.append(literal_name(pending))
            pending = None
            continue
        if pending is not None:
            names.append(literal_name(pending))
            pending = None
        if tag == "FAU":
            pending = value
        elif tag == "AU":
            names.append(literal_name(value))
        else:
            names.append(clean(value))
    if pending is not None:
        names.append(literal_name(pending))
    return names


def _same_person(full: str, short: str) -> bool:
    """'Wang, Qiang' and 'Wang Q' are one author; 'Wang, Qiang' and 'Wang H' are two."""
    family, _, given = full.partition(",")
    family, given = family.strip(), given.strip()
    if not _fold(short).startswith(_fold(family)):
        return False
    initials = short[len(family) :].strip()
    if not given or not initials:
        return True
    return _fold(initials[0]) == _fold(given[0])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _notices(record: _Raw, types: list[str]) -> list[Notice]:
    found = []
    for tag, lines in record.fields:
        ref_type = NOTICE_TAGS.get(tag)
        text = _joined(lines)
        if ref_type and text:
            found.append(Notice(NOTICE_REF_TYPES[ref_type], "pubmed", ref_type, _notice(text)))
    if any(t.casefold() == "retracted publication" for t in types):
        found.append(Notice(Retraction.retracted, "pubmed", "Retracted Publication"))
    return found


def _notice(text: str) -> str:
    """The notice as PubMed XML names it ("PMID 123"), else the citation as written."""
    match = _NOTICE_PMID.search(text)
    if match:
        try:
            return f"PMID {normalize_pmid(match.group(1))}"
        except InvalidIdentifier:
            pass
    return text
