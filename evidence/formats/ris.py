"""RIS files, as EndNote, Zotero, Scopus and NCBI's citation exporter write them, and as we do.

We find the record boundaries ourselves instead of calling rispy's parser: rispy silently
merges a record that lost its ``ER  -`` line into the next one, drops a truncated last
record, and joins an abstract's lines with spaces, losing its paragraphs. Here a record that
runs into the next ``TY`` or into the end of the file becomes a :class:`BrokenRecord` naming
its line, and the records around it are still read. A tag line is what Zotero accepts (two
capitals or a capital and a digit, one or two spaces, a hyphen); any other line continues the
field above it, which is how EndNote writes multi-line fields (one keyword per line under a
single ``KW``) and how long abstracts wrap.

Exporters put the same datum under different tags, so each field is read from a list of tags
in order of trust (see the mapping in :func:`_citation`). Identifiers are only taken from
places that say what they are: an accession number is a PMID only when the record says it
comes from PubMed/MEDLINE; ``C2`` holds the PMCID in EndNote and the PMID in Scopus exports.
Publication types are read from ``M3`` (and, for records from PubMed, from lines of the notes,
where EndNote's PubMed import lists them) only when they are MEDLINE publication types:
Embase and Scopus put document types such as "Article" in M3, which are not PubMed's types.

What a round trip through RIS loses: retraction notices (not written), publication types
outside MEDLINE's vocabulary (written, not read back), keywords containing ";" (read back
split), spaces at the start or end of an abstract's lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from evidence.errors import InvalidRecord
from evidence.formats.citations import (
    BrokenRecord,
    Citation,
    Record,
    citation,
    clean,
    literal_name,
    read_year,
    split_name,
)

# Zotero's own test for a tag line; rispy insists on two spaces, some exporters write one.
_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_NEWLINES = re.compile(r"\r\n|\r|\n")

_BOOKS = {"BOOK", "EBOOK", "EDBOOK", "CLSWK"}
_CHAPTERS = {"CHAP", "ECHAP"}
# "Name of Database" values that make an accession number a PMID (NCBI: "PubMed", Ovid:
# "Ovid MEDLINE(R)"); without DB, EndNote's PubMed import says so with DP "NLM". Zotero's DP
# "PubMed" is only the catalogue the item was saved from, and its AN is an archive location.
_PUBMED_DATABASE = re.compile(r"pubmed|medline", re.IGNORECASE)
_PUBMED_PROVIDER = re.compile(r"^\s*nlm\s*$", re.IGNORECASE)
# Cochrane CENTRAL: "C3  - PUBMED 38407106,EMBASE 643589775"
_CENTRAL_PMID = re.compile(r"\bPUBMED\s+(\d+)")
# Zotero writes notes as HTML: "<p>PMID: 1<br/>PMCID: PMC1</p>"
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")
_PMCID = re.compile(r"PMC\d+", re.IGNORECASE)
_DOI_LIKE = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+$", re.IGNORECASE)
# Zotero keeps identifiers it has no field for as "PMID: ..." lines of Extra, which reach
# RIS as N1 (or M2) notes; older exports say "PubMed PMID: ...".
_NOTE_PMID = re.compile(r"^\s*(?:PubMed\s+)?PMID:\s*(.+?)\s*$", re.IGNORECASE)
_NOTE_PMCID = re.compile(r"^\s*(?:PubMed\s+Central\s+)?PMCID:\s*(.+?)\s*$", re.IGNORECASE)
_NOTE_DOI = re.compile(r"^\s*DOI:\s*(.+?)\s*$", re.IGNORECASE)
# NCBI's citation exporter: "U1  - 35367415[pmid]", "U2  - PMC9097458[pmcid]".
_BRACKETED = re.compile(r"^\s*(.+?)\s*\[(pmid|pmcid)\]\s*$", re.IGNORECASE)

# MEDLINE's publication types (plus the two book types we write ourselves): the only M3
# values read as publication types. Unknown names are dropped, never guessed at.
_PUBLICATION_TYPES = {
    name.casefold(): name
    for name in (
        "Adaptive Clinical Trial",
        "Address",
        "Autobiography",
        "Bibliography",
        "Biography",
        "Book",
        "Book Chapter",
        "Case Reports",
        "Classical Article",
        "Clinical Conference",
        "Clinical Study",
        "Clinical Trial",
        "Clinical Trial Protocol",
        "Clinical Trial, Phase I",
        "Clinical Trial, Phase II",
        "Clinical Trial, Phase III",
        "Clinical Trial, Phase IV",
        "Clinical Trial, Veterinary",
        "Collected Work",
        "Comment",
        "Comparative Study",
        "Congress",
        "Consensus Development Conference",
        "Consensus Development Conference, NIH",
        "Controlled Clinical Trial",
        "Corrected and Republished Article",
        "Dataset",
        "Dictionary",
        "Directory",
        "Duplicate Publication",
        "Editorial",
        "Electronic Supplementary Materials",
        "English Abstract",
        "Equivalence Trial",
        "Evaluation Study",
        "Expression of Concern",
        "Festschrift",
        "Government Publication",
        "Guideline",
        "Historical Article",
        "Interactive Tutorial",
        "Interview",
        "Introductory Journal Article",
        "Journal Article",
        "Lecture",
        "Legal Case",
        "Legislation",
        "Letter",
        "Meta-Analysis",
        "Multicenter Study",
        "News",
        "Newspaper Article",
        "Observational Study",
        "Observational Study, Veterinary",
        "Overall",
        "Patient Education Handout",
        "Periodical Index",
        "Personal Narrative",
        "Portrait",
        "Practice Guideline",
        "Pragmatic Clinical Trial",
        "Preprint",
        "Published Erratum",
        "Randomized Controlled Trial",
        "Randomized Controlled Trial, Veterinary",
        "Research Support, American Recovery and Reinvestment Act",
        "Research Support, N.I.H., Extramural",
        "Research Support, N.I.H., Intramural",
        "Research Support, Non-U.S. Gov't",
        "Research Support, U.S. Gov't, Non-P.H.S.",
        "Research Support, U.S. Gov't, P.H.S.",
        "Retracted Publication",
        "Retraction Notice",
        "Retraction of Publication",
        "Review",
        "Scientific Integrity Review",
        "Systematic Review",
        "Technical Report",
        "Twin Study",
        "Validation Study",
        "Video-Audio Media",
        "Webcast",
    )
}


@dataclass
class _Field:
    tag: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass
class _Raw:
    """One record's tag lines as found, before any of them is interpreted."""

    start: int
    type: str | None  # None: tags that came without a TY line
    fields: list[_Field] = field(default_factory=list)

    def add(self, tag: str, value: str) -> None:
        self.fields.append(_Field(tag, [value]))

    def continue_field(self, line: str) -> None:
        if self.fields:
            self.fields[-1].lines.append(line.strip())

    def texts(self, *tags: str) -> list[str]:
        """Non-empty values of the tags, the first tag's values first."""
        return [f.text for tag in tags for f in self.fields if f.tag == tag and f.text]

    def first(self, *tags: str) -> str | None:
        return next(iter(self.texts(*tags)), None)

    def lines(self, *tags: str) -> list[str]:
        """Every non-empty line of the tags' values: one item per line, as EndNote lists."""
        return [line for text in self.texts(*tags) for line in text.split("\n") if line.strip()]

    @property
    def label(self) -> str | None:
        return self.first("ID")


def read_ris(text: str, *, name: str) -> Iterator[Record]:
    """One :class:`Citation` or :class:`BrokenRecord` per RIS record, in file order.

    ``position`` is the record's number, ``line`` the line of its ``TY``, ``label`` its
    ``ID``. Raises :class:`InvalidRecord` at once when the text holds no ``TY`` line at all.
    """
    lines = _NEWLINES.split(text.removeprefix("\ufeff"))
    if not any((m := _TAG.match(line)) and m.group(1) == "TY" for line in lines):
        raise InvalidRecord(name, None, "no RIS records (no line starts with 'TY  - ')")
    return _records(lines)


def _records(lines: list[str]) -> Iterator[Record]:
    position = 0
    record: _Raw | None = None
    for number, line in enumerate(lines, start=1):
        match = _TAG.match(line)
        if match is None:
            if record is not None:
                record.continue_field(line)
            continue  # text between records: export headers, blank lines
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                position += 1
                yield _unfinished(record, position, next_ty=number)
            record = _Raw(number, value)
        elif tag == "ER":
            if record is not None:
                position += 1
                yield _finished(record, position)
            record = None
        else:
            if record is None:  # a tag after an ER: a record that lost its TY line
                record = _Raw(number, None)
            record.add(tag, value)
    if record is not None:
        position += 1
        yield _unfinished(record, position)


def _unfinished(record: _Raw, position: int, next_ty: int | None = None) -> BrokenRecord:
    if record.type is None:
        problem = f"no TY line: the tags starting at line {record.start} are outside any record"
    elif next_ty is not None:
        problem = (
            f"no ER line: the record starting at line {record.start} "
            f"runs into the next TY at line {next_ty}"
        )
    else:
        problem = "file ends before the ER line: truncated?"
    return BrokenRecord(position, problem, line=record.start, label=record.label)


def _finished(record: _Raw, position: int) -> Record:
    if record.type is None:
        return _unfinished(record, position)
    return _citation(record, position)


def _citation(record: _Raw, position: int) -> Record:
    kind = (record.type or "").upper()
    if kind in _BOOKS:
        title = record.first("TI", "T1", "BT", "CT", "ST")
        journal = record.first("T2")  # EndNote: Series Title; the only container a book has
    elif kind in _CHAPTERS:
        title = record.first("TI", "T1", "CT", "ST")
        journal = record.first("T2", "BT")  # the book the chapter is in
    else:
        title = record.first("TI", "T1", "CT", "ST")
        # the full name first: JF (NCBI) / T2 (EndNote, Zotero); JO is often abbreviated
        journal = record.first("JF", "T2", "JO", "J2", "JA", "BT")
    authors = record.lines("AU") or record.lines("A1")
    return citation(
        position=position,
        line=record.start,
        label=record.label,
        doi=_doi(record),
        pmid=_pmid(record),
        pmcid=_pmcid(record),
        title=title,
        authors=(literal_name(a) for a in authors),
        journal=journal,
        year=next((y for y in map(read_year, record.texts("PY", "Y1", "DA")) if y), None),
        abstract=record.first("AB", "N2"),
        publication_types=_publication_types(record),
        keywords=(k.strip() for line in record.lines("KW") for k in line.split(";")),
    )


def _doi(record: _Raw) -> str | None:
    given = record.lines("DO")
    if given:
        return given[0]
    # EndNote once wrote DOIs into M3, which Zotero still reads as a DOI when it looks like one
    legacy = [m for m in record.lines("M3") if _DOI_LIKE.match(m.strip())]
    return legacy[0] if legacy else _noted(record, _NOTE_DOI)


def _pmid(record: _Raw) -> str | None:
    for accession in record.lines("AN"):
        noted = _NOTE_PMID.match(accession)
        if noted:
            return noted.group(1)
        if _from_pubmed(record) and _plausible_pmid(accession):
            return accession.strip()
    for value in record.lines("U1"):
        bracketed = _BRACKETED.match(value)
        if bracketed and bracketed.group(2).lower() == "pmid":
            return bracketed.group(1)
    in_notes = _noted(record, _NOTE_PMID)
    if in_notes:
        return in_notes
    for value in record.lines("C3"):
        central = _CENTRAL_PMID.search(value)
        if central:
            return central.group(1)
    if any(db.strip().casefold() == "scopus" for db in record.lines("DB")):
        for value in record.lines("C2"):  # Scopus puts the PubMed ID in C2
            if _plausible_pmid(value):
                return value.strip()
    return None


def _pmcid(record: _Raw) -> str | None:
    # EndNote's PMCID field is C2 for articles, C3 / C7 for electronic articles and books
    for value in record.lines("C2", "C3", "C7"):
        if _PMCID.fullmatch(value.strip()):
            return value.strip()
    for value in record.lines("U2"):
        bracketed = _BRACKETED.match(value)
        if bracketed and bracketed.group(2).lower() == "pmcid":
            return bracketed.group(1)
    return _noted(record, _NOTE_PMCID)


def _from_pubmed(record: _Raw) -> bool:
    """Does the record say it comes from PubMed? DB decides when given (every line of it:
    EndNote lists "Embase" and "Medline" for an Embase record), else DP ("NLM")."""
    databases = record.lines("DB")
    if databases:
        return all(_PUBMED_DATABASE.search(db) for db in databases)
    return any(_PUBMED_PROVIDER.match(dp) for dp in record.lines("DP"))


def _plausible_pmid(text: str) -> bool:
    # other databases' accession numbers are digits too, but longer (Embase: 10 digits)
    digits = text.strip().lstrip("0")
    return digits.isascii() and digits.isdigit() and len(digits) <= 8


def _notes(record: _Raw) -> list[str]:
    text = "\n".join(record.texts("N1", "M2"))
    plain = _HTML_TAG.sub("", _HTML_BREAK.sub("\n", text))
    return [line.strip() for line in plain.split("\n") if line.strip()]


def _noted(record: _Raw, pattern: re.Pattern[str]) -> str | None:
    for line in _notes(record):
        match = pattern.match(line)
        if match:
            return match.group(1)
    return None


def _publication_types(record: _Raw) -> list[str]:
    found = [part.strip() for line in record.lines("M3") for part in line.split(";")]
    if _from_pubmed(record):
        # EndNote's PubMed import lists the publication types, one a line, in Notes
        found += _notes(record)
    return [_PUBLICATION_TYPES[t.casefold()] for t in found if t.casefold() in _PUBLICATION_TYPES]


def write_ris(citations: Iterable[Citation]) -> Iterator[str]:
    """Standard RIS, one string per record, as EndNote and Zotero import it.

    Lines end in CRLF: the RIS specification asks for it, EndNote writes it, Zotero writes it
    and reads either ending. Tags: TY (JOUR; BOOK / CHAP for the "Book" / "Book Chapter"
    publication types), TI, AU ("Family, Given", one line each), T2 (the journal; for books
    and chapters the series / book title; not JO, which Zotero reads as the abbreviation), PY,
    DO, AN + DB "PubMed" (PMID, as NCBI and EndNote write it), C2 (PMCID: EndNote's PMCID
    field), AB, KW (one per keyword), M3 (publication types joined with "; ": EndNote's "Type
    of Article", where its PubMed import puts them; Zotero ignores it), ID (the label), ER.
    """
    for item in citations:
        yield "".join(f"{line}\r\n" for line in _lines(item)) + "\r\n"


def _lines(item: Citation) -> Iterator[str]:
    types = {t.casefold() for t in item.publication_types}
    kind = "CHAP" if "book chapter" in types else "BOOK" if "book" in types else "JOUR"
    yield f"TY  - {kind}"
    if clean(item.title):
        yield f"TI  - {clean(item.title)}"
    for author in item.authors:
        family, given = split_name(clean(author) or "")
        if family:
            yield f"AU  - {family}, {given}" if given else f"AU  - {family}"
    if clean(item.journal):
        yield f"T2  - {clean(item.journal)}"
    if item.year is not None:
        yield f"PY  - {item.year}"
    if item.doi:
        yield f"DO  - {item.doi}"
    if item.pmid:
        yield f"AN  - {item.pmid}"
        yield "DB  - PubMed"
    if item.pmcid:
        yield f"C2  - {item.pmcid}"
    if item.abstract and item.abstract.strip():
        yield from _abstract(item.abstract.strip())
    for keyword in item.keywords:
        if clean(keyword):
            yield f"KW  - {clean(keyword)}"
    if item.publication_types:
        yield "M3  - " + "; ".join(t for t in map(clean, item.publication_types) if t)
    if clean(item.label):
        yield f"ID  - {clean(item.label)}"
    yield "ER  - "


def _abstract(abstract: str) -> Iterator[str]:
    first, *rest = (line.strip() for line in _NEWLINES.split(abstract))
    yield f"AB  - {first}"
    for line in rest:
        # a paragraph that reads like a tag ("ER  - ...") would end the record early: a
        # leading space keeps it a continuation line, and every reader trims it away
        yield f" {line}" if _TAG.match(line) else line
