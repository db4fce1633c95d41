"""PubMed XML (efetch responses, baseline and update files), read incrementally.

Memory stays flat however large the file: each ``PubmedArticle``, ``PubmedBookArticle`` or
``DeleteCitation`` element is turned into a record and then dropped from the tree. The
article's own identifiers are read from its ``PubmedData/ArticleIdList`` (and the
citation's ``PMID``) only: the ``ReferenceList`` of an article carries identifiers of the
*other* papers it cites.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, cast

from lxml import etree

from evidence.domain.identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from evidence.domain.metadata import (
    IDENTIFIERS,
    LIST_FIELDS,
    TEXT_FIELDS,
    Notice,
    PaperMetadata,
)
from evidence.domain.publication_types import NOTICE_REF_TYPES, retraction_status, suggest_design
from evidence.domain.vocab import Design, Retraction
from evidence.errors import InvalidIdentifier, InvalidRecord
from evidence.formats.citations import BrokenRecord, Citation

_ROOTS = {"PubmedArticleSet", "PubmedBookArticleSet"}
_RECORDS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")


@dataclass(frozen=True)
class PubmedRecord:
    """One article (or book chapter) as PubMed describes it."""

    position: int
    pmid: str | None
    doi: str | None
    pmcid: str | None
    title: str | None
    authors: tuple[str, ...]
    journal: str | None
    year: int | None
    abstract: str | None
    publication_types: tuple[str, ...]
    keywords: tuple[str, ...]
    retraction: Retraction | None
    suggested_design: Design | None
    is_book: bool = False
    # (RefType, the notice's PMID) of the CommentsCorrections that put a notice on this paper
    notices: tuple[tuple[str, str | None], ...] = ()
    raw: bytes | None = None  # the record's own XML, when asked for (a cache keeps it)

    def notice_list(self) -> tuple[Notice, ...]:
        found = [
            Notice(NOTICE_REF_TYPES[ref_type], "pubmed", ref_type, f"PMID {pmid}" if pmid else None)
            for ref_type, pmid in self.notices
        ]
        if any(t.casefold() == "retracted publication" for t in self.publication_types):
            found.append(Notice(Retraction.retracted, "pubmed", "Retracted Publication"))
        return tuple(found)

    def _paper(self) -> dict[str, Any]:
        """What an import and the metadata client both take from the record."""
        shared = (*IDENTIFIERS, *TEXT_FIELDS, *LIST_FIELDS)
        return {**{name: getattr(self, name) for name in shared}, "notices": self.notice_list()}

    def to_citation(self) -> Citation:
        """The record as an import reads it; ids are normalised already, so nothing breaks."""
        label = f"PMID {self.pmid}" if self.pmid else None
        return Citation(
            position=self.position, label=label, keywords=self.keywords, **self._paper()
        )

    def to_metadata(self) -> PaperMetadata:
        return PaperMetadata(service="pubmed", **self._paper())


@dataclass(frozen=True)
class DeletedCitations:
    """PMIDs an update file withdraws from PubMed."""

    position: int
    pmids: tuple[str, ...]


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    # titles carry <i>, <sup> ...; most elements are leaves, and .text is cheaper
    # lxml types itertext() as str or bytes; a tree parsed from bytes yields str
    raw = element.text if len(element) == 0 else "".join(cast("Iterator[str]", element.itertext()))
    text = " ".join(raw.split()) if raw else ""
    return text or None


_FIRST_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")  # "1998 Dec-1999 Jan": 1998


def _date_year(date: etree._Element | None) -> int | None:
    """A PubDate's (or ArticleDate's) year: its Year, else its MedlineDate's first year."""
    if date is None:
        return None
    found = (date.findtext("Year") or "").strip()
    if found.isdigit():
        return int(found)
    match = _FIRST_YEAR.search(date.findtext("MedlineDate") or "")
    return int(match.group(1)) if match else None


def _first_year(*dates: etree._Element | None) -> int | None:
    """The year PubMed cites, from the dates in the order given: for an article the journal
    issue's, then the electronic publication's (one published online in 2021 in the "2020
    Jul-Sep" issue is cited as 2020); for a book, the book's."""
    for date in dates:
        year = _date_year(date)
        if year is not None:
            return year
    return None


def _authors(author_list: etree._Element | None) -> tuple[str, ...]:
    names = []
    for author in author_list if author_list is not None else ():
        if author.tag != "Author":
            continue
        # one pass over the author's few children, not a search for each part
        parts: dict[str, etree._Element] = {}
        for part in author:
            parts.setdefault(part.tag, part)
        collective = _text(parts.get("CollectiveName"))
        last = _text(parts.get("LastName"))
        initials = _text(parts.get("Initials")) or _text(parts.get("ForeName"))
        name = collective or " ".join(p for p in (last, initials) if p)
        if name:
            names.append(name)
    return tuple(names)


def _abstract(abstract: etree._Element | None) -> str | None:
    if abstract is None:
        return None
    parts = []
    for piece in abstract.iterchildren("AbstractText"):
        text = _text(piece)
        if text:
            label = piece.get("Label")
            parts.append(f"{label}: {text}" if label else text)
    return "\n".join(parts) or None


_NORMALIZERS = {"pubmed": normalize_pmid, "doi": normalize_doi, "pmc": normalize_pmcid}


def _own_ids(id_list: etree._Element | None) -> dict[str, str]:
    """The article's identifiers, normalised; malformed ones are left out, not guessed at."""
    found: dict[str, str] = {}
    for article_id in id_list.iterchildren("ArticleId") if id_list is not None else ():
        kind = article_id.get("IdType")
        value = (article_id.text or "").strip()
        if kind in _NORMALIZERS and value and kind not in found:
            try:
                found[kind] = _NORMALIZERS[kind](value)
            except InvalidIdentifier:
                continue
    return found


def _texts(elements: Iterable[etree._Element]) -> tuple[str, ...]:
    return tuple(t for t in map(_text, elements) if t)


def _article(element: etree._Element, position: int) -> PubmedRecord:
    citation = element.find("MedlineCitation")
    if citation is None:
        raise InvalidRecord("PubMed XML", f"#{position}", "PubmedArticle without MedlineCitation")
    # A record is mostly what a Reference does not keep (MeSH headings, chemicals, dates,
    # reference lists): one pass over the children picks out the parts that are kept, where
    # a search per field would walk past the rest each time.
    pmid_text = None
    article = None
    keywords: list[etree._Element] = []
    notices: list[tuple[str, str | None]] = []
    for child in citation:
        tag = child.tag
        if tag == "Article":
            article = child if article is None else article
        elif tag == "PMID":
            pmid_text = child.text if pmid_text is None else pmid_text
        elif tag == "KeywordList":
            keywords.extend(child.iterchildren("Keyword"))
        elif tag == "CommentsCorrectionsList":
            notices.extend(
                (c.get("RefType", ""), _pmid(c.findtext("PMID")))
                for c in child.iterchildren("CommentsCorrections")
                if c.get("RefType", "") in NOTICE_REF_TYPES
            )
    parts: dict[str, etree._Element] = {}
    for child in article if article is not None else ():
        parts.setdefault(child.tag, child)
    journal = parts.get("Journal")
    ids = _own_ids(element.find("PubmedData/ArticleIdList"))
    pmid = ids.get("pubmed") or _pmid(pmid_text)
    type_list = parts.get("PublicationTypeList")
    types = _texts(type_list.iterchildren("PublicationType")) if type_list is not None else ()
    return PubmedRecord(
        position=position,
        pmid=pmid,
        doi=ids.get("doi"),
        pmcid=ids.get("pmc"),
        title=_text(parts.get("ArticleTitle")),
        authors=_authors(parts.get("AuthorList")),
        journal=_text(journal.find("Title")) if journal is not None else None,
        year=_first_year(
            journal.find("JournalIssue/PubDate") if journal is not None else None,
            parts.get("ArticleDate"),
        ),
        abstract=_abstract(parts.get("Abstract")),
        publication_types=types,
        keywords=_texts(keywords),
        retraction=retraction_status(types, [ref_type for ref_type, _ in notices]),
        suggested_design=suggest_design(types),
        notices=tuple(notices),
    )


def _book(element: etree._Element, position: int) -> PubmedRecord:
    document = element.find("BookDocument")
    if document is None:
        raise InvalidRecord("PubMed XML", f"#{position}", "PubmedBookArticle without BookDocument")
    ids = _own_ids(element.find("PubmedBookData/ArticleIdList"))
    types = _texts(document.iterchildren("PublicationType"))
    title = _text(document.find("ArticleTitle")) or _text(document.find("Book/BookTitle"))
    return PubmedRecord(
        position=position,
        pmid=ids.get("pubmed") or _pmid(document.findtext("PMID")),
        doi=ids.get("doi"),
        pmcid=ids.get("pmc"),
        title=title,
        authors=_authors(document.find("AuthorList")) or _authors(document.find("Book/AuthorList")),
        journal=_text(document.find("Book/BookTitle")),
        year=_first_year(document.find("Book/PubDate")),
        abstract=_abstract(document.find("Abstract")),
        publication_types=types,
        keywords=_texts(document.iterfind("KeywordList/Keyword")),
        retraction=retraction_status(types),
        suggested_design=suggest_design(types),
        is_book=True,
    )


def _pmid(text: str | None) -> str | None:
    try:
        return normalize_pmid(text) if text and text.strip() else None
    except InvalidIdentifier:
        return None


def _open(source: str | Path | IO[bytes]) -> IO[bytes]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        with path.open("rb") as probe:
            packed = probe.read(2) == b"\x1f\x8b"
        # GzipFile and BufferedReader are binary streams; typeshed does not call them IO[bytes]
        return cast(IO[bytes], gzip.open(path, "rb") if packed else path.open("rb"))
    return source


def _root_tag(stream: IO[bytes]) -> tuple[str | None, bytes]:
    """The document element's name, read from the head of the stream, and the bytes read.

    The records are then parsed with a tag filter (far fewer events than walking every
    element), which alone would let any XML through unnoticed; this looks at the root first.
    """
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True)
    head = b""
    while len(head) < 1 << 20:
        chunk = getattr(stream, "read1", stream.read)(16384)
        if not chunk:
            break
        head += chunk
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            return None, head
        for _, element in parser.read_events():
            if isinstance(element, etree._Element):  # "start" events carry only elements
                return etree.QName(element).localname, head
    return None, head


class _Replay:
    """The bytes already read from a stream, then the rest of it.

    A compressed stream cut short raises when its end is reached; that is kept here and the
    parser sees the end of the data, so the records before the cut still come out and the
    error names the cut, not the parser's surprise.
    """

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest
        self._ended = False
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self._head:
            size = len(self._head) if size < 0 else size
            chunk, self._head = self._head[:size], self._head[size:]
            return chunk
        if self._ended:
            return b""
        try:
            # read1: a buffered read() that fills its buffer from a cut gzip stream raises
            # and drops what it had already read
            read = getattr(self._rest, "read1", self._rest.read)
            chunk = read(size)
        except (EOFError, OSError) as exc:  # gzip: "Compressed file ended before ..."
            self.error, chunk = exc, b""
        if chunk:
            return chunk
        # libxml2 holds back the tail of what it was fed until more comes; at the end it
        # raises on a cut file before reporting the records it held back. Spaces (allowed
        # after the document, harmless inside it, and no new line to throw line numbers off)
        # make it report them first.
        self._ended = True
        return b" " * 4096


def read_pubmed_xml(
    source: str | Path | IO[bytes],
    *,
    name: str | None = None,
    keep_raw: bool = False,
    lenient: bool = False,
) -> Iterator[PubmedRecord | DeletedCitations | BrokenRecord]:
    """Yield the records of a PubMed XML file or stream (gzip-compressed or not), in order.

    With ``keep_raw`` each article carries its own XML, which :func:`read_pubmed_xml` reads
    back when wrapped in ``<PubmedArticleSet>`` (see :func:`wrap_articles`). Raises
    :class:`InvalidRecord` naming the file (and the record, where there is one) if the XML is
    broken or is not PubMed's. With ``lenient`` an article that is well-formed XML but not a
    PubMed article (no MedlineCitation, say) is yielded as a :class:`BrokenRecord` and the
    reading goes on, as an import wants; the metadata client wants the whole answer or none.
    """
    label = name or (str(source) if isinstance(source, (str, Path)) else "PubMed XML")
    stream = _open(source)
    position = 0
    replay: _Replay | None = None
    try:
        root, head = _root_tag(stream)
        if root not in _ROOTS:
            problem = (
                f"not PubMed XML (root element <{root}>, expected <PubmedArticleSet>)"
                if root
                else "broken XML: no element starts the document"
            )
            raise InvalidRecord(label, None, problem)
        replay = _Replay(head, stream)
        events = etree.iterparse(
            replay,
            events=("end",),
            tag=_RECORDS,
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
            remove_comments=True,
        )
        for _, element in events:
            position += 1
            if element.tag in ("PubmedArticle", "PubmedBookArticle"):
                try:
                    record = (_article if element.tag == "PubmedArticle" else _book)(
                        element, position
                    )
                except InvalidRecord as exc:
                    if not lenient:
                        raise InvalidRecord(label, exc.record, exc.problem) from exc
                    yield BrokenRecord(position, exc.problem)
                else:
                    if keep_raw:
                        raw = etree.tostring(element, encoding="utf-8", with_tail=False)
                        record = replace(record, raw=raw)
                    yield record
            else:
                pmids = tuple(p for p in (_pmid(x.text) for x in element.findall("PMID")) if p)
                yield DeletedCitations(position, pmids)
            # keep memory flat: drop this record and everything before it
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        where = f"#{position + 1}" if position else None  # the record it broke in
        cut = replay.error if replay is not None else None
        message = re.sub(r"\s*\(<string>, line \d+\)$", "", str(exc))  # lxml's own echo
        problem = f"the file ends early ({cut})" if cut else f"broken XML: {message}"
        raise InvalidRecord(label, where, problem) from exc
    finally:
        if stream is not source:
            stream.close()


def wrap_articles(articles: Iterable[bytes]) -> bytes:
    """Articles kept with ``keep_raw``, as one PubMed XML document again."""
    return b"<PubmedArticleSet>" + b"".join(articles) + b"</PubmedArticleSet>"
