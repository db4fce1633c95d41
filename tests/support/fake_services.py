"""Stand-ins for PubMed E-utilities, the Crossref REST API and OpenAlex, served over real HTTP.

Used by tests and by the benchmark: a client under test talks to three local
``ThreadingHTTPServer`` instances (one per service, each its own ``host:port``) exactly as it
would talk to the real services, so timeouts, retries, pacing and parsing are all exercised.
Standard library only.

Every identifier here is synthetic: PMIDs above 90000000, DOIs under ``10.5555/`` and PMCIDs
``PMC9...``; none belongs to a real paper.

The pieces:

* :class:`FakePaper` and :class:`Corpus` (built by :func:`make_corpus`): what each service
  knows. A corpus of at least :data:`SPECIAL_PMID_SLOTS` PubMed papers and
  :data:`SPECIAL_DOI_SLOTS` DOI-only papers holds the special papers named in
  :data:`SPECIAL_PAPERS` (``corpus.retracted``, ``corpus.book``, ...).
* Renderers producing each service's published format: :func:`render_efetch_xml`,
  :func:`render_esearch_json`, :func:`crossref_work`, :func:`crossref_work_list`,
  :func:`crossref_single`, :func:`openalex_work`, :func:`openalex_list`.
* :class:`FakeServices`: the servers, with a request log, latency, rate and concurrency
  limits (sliding windows, answered with 429) and fault injection (:func:`status`,
  :func:`pubmed_rate_limit_200`, :func:`slow`, :func:`truncated`, :func:`invalid_body`).

``python -m tests.support.fake_services tests/fixtures`` rewrites the ``*_synthetic.json``
fixtures from these renderers.
"""

from __future__ import annotations

import calendar
import contextlib
import itertools
import json
import random
import re
import socket
import socketserver
import sys
import threading
import time
import traceback
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

SERVICES = ("pubmed", "crossref", "openalex")

# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------

FIRST_PMID = 90000001
NOTICE_PMID_BASE = 99900000  # PubMed notices (retractions, errata ...) the corpus points at
UNKNOWN_PMID_BASE = 99000000  # unknown_pmid() hands these out; nobody knows them
DOI_PREFIX = "10.5555"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# MeSH unique ids of the publication types (the UI attribute of PubMed's PublicationType).
PUBLICATION_TYPE_UI = {
    "Journal Article": "D016428",
    "Randomized Controlled Trial": "D016449",
    "Meta-Analysis": "D017418",
    "Systematic Review": "D000078182",
    "Observational Study": "D064888",
    "Case Reports": "D002363",
    "Review": "D016454",
    "Comparative Study": "D003160",
    "Multicenter Study": "D016448",
    "Clinical Trial": "D016430",
    "Retracted Publication": "D016441",
    "Retraction of Publication": "D016440",
    "Published Erratum": "D016425",
    "Editorial": "D016421",
    "Letter": "D016422",
}

# journal -> (ISO abbreviation, ISSN)
JOURNALS = {
    "Journal of Synthetic Musculoskeletal Research": ("J Synth Musculoskelet Res", "5555-0001"),
    "Synthetic Pain Reports": ("Synth Pain Rep", "5555-0002"),
    "Annals of Made-up Medicine": ("Ann Madeup Med", "5555-0003"),
    "Fictional Rehabilitation Quarterly": ("Fict Rehabil Q", "5555-0004"),
    "Placeholder Journal of Evidence & Practice": ("Placeholder J Evid Pract", "5555-0005"),
}
BOOK_PUBLISHER = "Synthetic Publishing"
CROSSREF_PUBLISHER = "Synthetic Scholarly Press"
CROSSREF_MEMBER = "99999"

_FAMILIES = (
    "Alder", "Birch", "Cedar", "Dunmore", "Ellery", "Fenwick", "Garrow", "Hollis", "Ingram",
    "Jessop", "Kestrel", "Lorne", "Marlow", "Norcott", "Oakes", "Pell", "Quill", "Rook",
    "Sable", "Thorne", "Umber", "Vane", "Wren", "Yarrow", "Müller-Ñúñez",
)  # fmt: skip
_GIVENS = ("Ann", "Bob J", "Chen", "Dara", "Elif", "Femi", "Grace", "Hiro", "Inès", "Jon", "Kai")
_CONDITIONS = (
    "plantar heel pain", "knee osteoarthritis", "chronic low back pain",
    "tension-type headache", "lateral elbow tendinopathy", "Achilles tendinopathy",
    "chronic neck pain", "subacromial shoulder pain",
)  # fmt: skip
_INTERVENTIONS = (
    "exercise therapy", "manual therapy", "corticosteroid injection", "dry needling",
    "shockwave therapy", "orthotic insoles", "pain education", "calf stretching",
)  # fmt: skip

# Designs of the generated PubMed papers: (publication types, title pattern).
_DESIGNS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Journal Article", "Randomized Controlled Trial"), "{i} for {c}: a randomised trial"),
    (
        ("Journal Article", "Meta-Analysis", "Systematic Review", "Review"),
        "{i} for {c}: a systematic review and meta-analysis",
    ),
    (("Journal Article", "Systematic Review", "Review"), "{i} for {c}: a systematic review"),
    (("Journal Article", "Observational Study"), "{i} and {c}: a cohort study"),
    (("Case Reports", "Journal Article"), "{c} treated with {i}: a case report"),
    (("Journal Article", "Review"), "{i} for {c}: a narrative review"),
    (("Journal Article",), "{i} & pain in {c}"),
    (("Journal Article", "Comparative Study"), "{i} compared with usual care for {c}"),
)


@dataclass
class FakePaper:
    """One paper as the three services know it.

    ``doi`` keeps the case it was registered with (PubMed and Crossref show it so; OpenAlex
    lower-cases it). ``abstract`` lines of the form ``LABEL: text`` are rendered as a
    structured abstract (labelled ``AbstractText`` elements, JATS sections). ``pubmed_notices``
    are ``(RefType, notice PMID)`` pairs; ``crossref_updates`` are dicts with ``type``,
    ``source`` and ``DOI`` (optionally ``date`` as ``[y, m, d]``). ``crossref_date_parts``
    overrides Crossref's ``issued`` date (``[None]`` for Crossref's ``[[null]]``).
    ``cited`` lists ``(pmid, doi)`` of other papers, rendered in PubMed's ``ReferenceList``
    and Crossref's ``reference``.
    """

    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    title: str = "A synthetic paper"
    authors: list[tuple[str, str]] = field(default_factory=list)
    journal: str = "Journal of Synthetic Musculoskeletal Research"
    year: int | None = 2020
    month: int | None = 1
    day: int | None = None
    abstract: str | None = None
    publication_types: list[str] = field(default_factory=lambda: ["Journal Article"])
    pubmed_notices: list[tuple[str, str]] = field(default_factory=list)
    crossref_updates: list[dict[str, Any]] = field(default_factory=list)
    crossref_date_parts: list[int | None] | None = None
    crossref_abstract: bool = True
    openalex_retracted: bool = False
    is_book: bool = False
    in_pubmed: bool | None = None  # None: known to PubMed iff it has a PMID
    in_crossref: bool | None = None  # None: known to Crossref iff it has a DOI (and is no book)
    in_openalex: bool | None = None  # None: known to OpenAlex iff it has a DOI
    cited: list[tuple[str | None, str | None]] = field(default_factory=list)
    openalex_id: str | None = None  # assigned by Corpus.add when missing

    def __post_init__(self) -> None:
        if self.in_pubmed is None:
            self.in_pubmed = self.pmid is not None
        if self.in_crossref is None:
            self.in_crossref = self.doi is not None and not self.is_book
        if self.in_openalex is None:
            self.in_openalex = self.doi is not None and not self.is_book

    @property
    def abstract_sections(self) -> list[tuple[str | None, str]]:
        """``(label or None, text)`` pieces of the abstract."""
        if not self.abstract:
            return []
        lines = [line.strip() for line in self.abstract.splitlines() if line.strip()]
        labelled = [re.match(r"^([A-Z][A-Z &/-]*[A-Z]):\s+(.+)$", line) for line in lines]
        if lines and all(labelled):
            return [(m.group(1), m.group(2)) for m in labelled if m]
        return [(None, " ".join(lines))]


# Special papers: (attribute name, description). The PubMed ones take the first PubMed
# slots of a generated corpus, the DOI-only ones the first DOI-only slots.
SPECIAL_PAPERS: dict[str, str] = {
    "retracted": "PubMed 'Retracted Publication' with RetractionIn; Crossref updated-by "
    "retraction (publisher) and OpenAlex is_retracted agree",
    "expression_of_concern": "PubMed ExpressionOfConcernIn; Crossref updated-by "
    "expression_of_concern (publisher), with a structured JATS abstract",
    "corrected": "PubMed ErratumIn; Crossref updated-by correction (publisher)",
    "republished": "PubMed 'Retracted Publication' with RetractedandRepublishedIn only",
    "book": "a PubmedBookArticle (no DOI; unknown to Crossref and OpenAlex)",
    "openalex_only_retracted": "in PubMed; OpenAlex is_retracted, PubMed and Crossref silent",
    "crossref_missing": "in PubMed with a DOI that Crossref does not know (OpenAlex does)",
    "crossref_retracted": "DOI-only; Crossref updated-by retraction from retraction-watch only",
    "partial_date": "DOI-only; Crossref issued date-parts [[null]] with published-online",
}
_PMID_SPECIALS = (
    "retracted",
    "expression_of_concern",
    "corrected",
    "republished",
    "book",
    "openalex_only_retracted",
    "crossref_missing",
)
_DOI_SPECIALS = ("crossref_retracted", "partial_date")
SPECIAL_PMID_SLOTS = len(_PMID_SPECIALS)
SPECIAL_DOI_SLOTS = len(_DOI_SPECIALS)


def _strip_doi(value: str) -> str:
    value = value.strip()
    changed = True
    while changed:
        changed = False
        for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi.org/"):
            if value.casefold().startswith(prefix):
                value, changed = value[len(prefix) :], True
        if value.casefold().startswith("doi:"):
            value, changed = value[4:].strip(), True
    return value


def _pmcid_key(value: str) -> str:
    value = value.strip().upper()
    return value if value.startswith("PMC") else f"PMC{value}"


class Corpus:
    """The papers the fake services know, with lookups by PMID, DOI (any case) and PMCID."""

    def __init__(self, papers: Iterable[FakePaper] = ()) -> None:
        self.papers: list[FakePaper] = []
        self.special: dict[str, FakePaper] = {}
        self._by_pmid: dict[str, FakePaper] = {}
        self._by_doi: dict[str, FakePaper] = {}
        self._by_pmcid: dict[str, FakePaper] = {}
        self._openalex_ids = itertools.count(1)
        self._unknown_pmids = itertools.count(1)
        self._unknown_dois = itertools.count(1)
        self._unknown_pmcids = itertools.count(1)
        for paper in papers:
            self.add(paper)

    def add(self, paper: FakePaper) -> FakePaper:
        """Add a paper; its PMID, DOI and PMCID must be new to the corpus."""
        keys = []
        if paper.pmid is not None:
            if paper.pmid in self._by_pmid:
                raise ValueError(f"PMID {paper.pmid} is already in the corpus")
            keys.append((self._by_pmid, paper.pmid))
        if paper.doi is not None:
            if paper.doi.casefold() in self._by_doi:
                raise ValueError(f"DOI {paper.doi} is already in the corpus")
            keys.append((self._by_doi, paper.doi.casefold()))
        if paper.pmcid is not None:
            if _pmcid_key(paper.pmcid) in self._by_pmcid:
                raise ValueError(f"PMCID {paper.pmcid} is already in the corpus")
            keys.append((self._by_pmcid, _pmcid_key(paper.pmcid)))
        if paper.openalex_id is None:
            paper.openalex_id = f"W9{next(self._openalex_ids):09d}"
        for index, key in keys:
            index[key] = paper
        self.papers.append(paper)
        return paper

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[FakePaper]:
        return iter(self.papers)

    def by_pmid(self, pmid: str) -> FakePaper | None:
        return self._by_pmid.get(str(pmid).strip().lstrip("0"))

    def by_doi(self, doi: str) -> FakePaper | None:
        return self._by_doi.get(_strip_doi(doi).casefold())

    def by_pmcid(self, pmcid: str) -> FakePaper | None:
        return self._by_pmcid.get(_pmcid_key(pmcid))

    def pubmed_papers(self) -> list[FakePaper]:
        return [p for p in self.papers if p.in_pubmed]

    def doi_only_papers(self) -> list[FakePaper]:
        return [p for p in self.papers if p.pmid is None and p.doi is not None]

    def unknown_pmid(self) -> str:
        """A synthetic PMID no service knows (a new one on every call)."""
        while True:
            pmid = str(UNKNOWN_PMID_BASE + next(self._unknown_pmids))
            if pmid not in self._by_pmid:
                return pmid

    def unknown_doi(self) -> str:
        """A synthetic DOI no service knows (a new one on every call)."""
        while True:
            doi = f"{DOI_PREFIX}/evid.unknown.{next(self._unknown_dois)}"
            if doi not in self._by_doi:
                return doi

    def unknown_pmcid(self) -> str:
        while True:
            pmcid = f"PMC98{next(self._unknown_pmcids):05d}"
            if pmcid not in self._by_pmcid:
                return pmcid

    def _special(self, name: str) -> FakePaper:
        try:
            return self.special[name]
        except KeyError:
            raise LookupError(
                f"this corpus has no special paper {name!r}: make_corpus() adds them when "
                f"n_pmid >= {SPECIAL_PMID_SLOTS} and n_doi_only >= {SPECIAL_DOI_SLOTS}"
            ) from None

    @property
    def retracted(self) -> FakePaper:
        return self._special("retracted")

    @property
    def expression_of_concern(self) -> FakePaper:
        return self._special("expression_of_concern")

    @property
    def corrected(self) -> FakePaper:
        return self._special("corrected")

    @property
    def republished(self) -> FakePaper:
        return self._special("republished")

    @property
    def book(self) -> FakePaper:
        return self._special("book")

    @property
    def openalex_only_retracted(self) -> FakePaper:
        return self._special("openalex_only_retracted")

    @property
    def crossref_missing(self) -> FakePaper:
        return self._special("crossref_missing")

    @property
    def crossref_retracted(self) -> FakePaper:
        return self._special("crossref_retracted")

    @property
    def partial_date(self) -> FakePaper:
        return self._special("partial_date")


def _authors(rng: random.Random) -> list[tuple[str, str]]:
    count = rng.choice((1, 2, 3, 3, 4, 6))
    return [(rng.choice(_FAMILIES), rng.choice(_GIVENS)) for _ in range(count)]


def _abstract(rng: random.Random, condition: str, intervention: str) -> str | None:
    shape = rng.random()
    if shape < 0.15:
        return None
    if shape < 0.55:
        return (
            f"BACKGROUND: Synthetic background on {condition}.\n"
            f"METHODS: Synthetic methods testing {intervention}.\n"
            f"RESULTS: Pain improved (p < 0.05) & function did not.\n"
            f"CONCLUSIONS: Synthetic conclusions."
        )
    return f"A synthetic abstract about {intervention} for {condition}; effects were small."


def make_corpus(
    n_pmid: int, n_doi_only: int, seed: int = 0, *, specials: bool | None = None
) -> Corpus:
    """A deterministic corpus: ``n_pmid`` PubMed papers (PMIDs from 90000001, each with a DOI
    Crossref and OpenAlex know) and ``n_doi_only`` papers with a DOI but no PMID.

    With ``specials`` (default: when there are enough slots) the first PubMed and DOI-only
    slots hold the papers of :data:`SPECIAL_PAPERS`, reachable as ``corpus.<name>``.
    """
    if specials is None:
        specials = n_pmid >= SPECIAL_PMID_SLOTS and n_doi_only >= SPECIAL_DOI_SLOTS
    elif specials and (n_pmid < SPECIAL_PMID_SLOTS or n_doi_only < SPECIAL_DOI_SLOTS):
        raise ValueError(
            f"special papers need n_pmid >= {SPECIAL_PMID_SLOTS} "
            f"and n_doi_only >= {SPECIAL_DOI_SLOTS}"
        )
    rng = random.Random(seed)
    corpus = Corpus()
    journals = list(JOURNALS)
    notices = itertools.count(1)

    def base(i: int, kind: str) -> FakePaper:
        condition, intervention = rng.choice(_CONDITIONS), rng.choice(_INTERVENTIONS)
        types, pattern = rng.choice(_DESIGNS)
        title = pattern.format(i=intervention, c=condition)
        title = title[0].upper() + title[1:] + f" (synthetic {kind}{i})."
        suffix = f"evid.{kind}.{i}"
        year = rng.randint(1995, 2025)
        return FakePaper(
            doi=f"{DOI_PREFIX}/{suffix.upper() if i % 5 == 0 else suffix}",
            title=title,
            authors=_authors(rng),
            journal=rng.choice(journals),
            year=year,
            month=rng.randint(1, 12),
            day=rng.randint(1, 28),
            abstract=_abstract(rng, condition, intervention),
            publication_types=list(types),
            crossref_abstract=rng.random() < 0.5,
        )

    pubmed: list[FakePaper] = []
    for i in range(1, n_pmid + 1):
        paper = base(i, "p")
        paper.pmid = str(FIRST_PMID + i - 1)
        paper.in_pubmed = True
        if i % 3 == 0:
            paper.pmcid = f"PMC9{i:06d}"
        if pubmed and rng.random() < 0.6:
            for other in rng.sample(pubmed, min(len(pubmed), rng.randint(1, 3))):
                paper.cited.append((other.pmid, other.doi))
        pubmed.append(paper)
    doi_only = []
    for i in range(1, n_doi_only + 1):
        paper = base(i, "d")
        paper.in_pubmed = False
        doi_only.append(paper)

    def notice_pmid() -> str:
        return str(NOTICE_PMID_BASE + next(notices))

    def notice_doi(kind: str, paper: FakePaper) -> str:
        return f"{DOI_PREFIX}/evid.notice.{kind}.{(paper.pmid or paper.doi or '').split('/')[-1]}"

    if specials:
        named = dict(zip(_PMID_SPECIALS, pubmed, strict=False))
        named.update(zip(_DOI_SPECIALS, doi_only, strict=False))
        for name, paper in named.items():
            paper.title = paper.title.rstrip(".") + f" [{name.replace('_', ' ')}]."
            corpus.special[name] = paper
        p = named["retracted"]
        p.publication_types = ["Journal Article", "Randomized Controlled Trial"]
        p.publication_types.append("Retracted Publication")
        p.pubmed_notices = [("RetractionIn", notice_pmid())]
        p.crossref_updates = [
            {"type": "retraction", "source": "publisher", "DOI": notice_doi("retraction", p)}
        ]
        p.openalex_retracted = True
        p.abstract = p.abstract or "A synthetic trial whose data could not be verified."
        p = named["expression_of_concern"]
        p.pubmed_notices = [("ExpressionOfConcernIn", notice_pmid())]
        p.crossref_updates = [
            {
                "type": "expression_of_concern",
                "source": "publisher",
                "DOI": notice_doi("eoc", p),
            }
        ]
        p.abstract = (
            "BACKGROUND: Synthetic background.\nMETHODS: Synthetic methods.\n"
            "RESULTS: Synthetic results (p < 0.05).\nCONCLUSIONS: Synthetic conclusions."
        )
        p.crossref_abstract = True
        p = named["corrected"]
        p.pubmed_notices = [("ErratumIn", notice_pmid())]
        p.crossref_updates = [
            {"type": "correction", "source": "publisher", "DOI": notice_doi("erratum", p)}
        ]
        p = named["republished"]
        p.publication_types = ["Journal Article", "Retracted Publication"]
        p.pubmed_notices = [("RetractedandRepublishedIn", notice_pmid())]
        p = named["book"]
        p.is_book, p.doi, p.pmcid = True, None, None
        p.in_crossref = p.in_openalex = False
        p.publication_types = ["Review"]
        p.title = "Plantar heel pain (synthetic chapter) [book]"
        p.journal = "Synthetic Clinical Reference"
        p.cited = []
        named["openalex_only_retracted"].openalex_retracted = True
        named["crossref_missing"].in_crossref = False
        p = named["crossref_retracted"]
        p.crossref_updates = [
            {
                "type": "retraction",
                "source": "retraction-watch",
                "DOI": notice_doi("retraction", p),
            }
        ]
        p = named["partial_date"]
        p.crossref_date_parts = [None]
    for paper in pubmed + doi_only:
        corpus.add(paper)
    return corpus


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------

EFETCH_PROLOGUE = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def _x(text: object) -> str:
    return escape(str(text))


def _attr(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _stable(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def _journal_info(paper: FakePaper) -> tuple[str, str | None]:
    abbreviation, issn = JOURNALS.get(paper.journal, (paper.journal, None))
    return abbreviation, issn


def _initials(given: str) -> str:
    return "".join(part[0] for part in given.replace("-", " ").split() if part)


def _pages(paper: FakePaper) -> tuple[int, int]:
    start = _stable(paper.pmid, paper.doi) % 400 + 1
    return start, start + _stable(paper.doi, paper.pmid) % 12 + 3


def _volume_issue(paper: FakePaper) -> tuple[str, str]:
    year = paper.year or 2020
    return str(max(1, year - 1990)), str(((paper.month or 1) + 2) // 3)


def _xml_authors(paper: FakePaper, indent: str, kind: str | None = None) -> list[str]:
    if not paper.authors:
        return []
    type_attr = f' Type="{kind}"' if kind else ""
    out = [f'{indent}<AuthorList CompleteYN="Y"{type_attr}>']
    for family, given in paper.authors:
        out.append(
            f'{indent}    <Author ValidYN="Y"><LastName>{_x(family)}</LastName>'
            f"<ForeName>{_x(given)}</ForeName><Initials>{_x(_initials(given))}</Initials>"
            "</Author>"
        )
    out.append(f"{indent}</AuthorList>")
    return out


def _xml_abstract(paper: FakePaper, indent: str) -> list[str]:
    sections = paper.abstract_sections
    if not sections:
        return []
    out = [f"{indent}<Abstract>"]
    for label, text in sections:
        if label:
            out.append(
                f'{indent}    <AbstractText Label="{_attr(label)}" NlmCategory="{_attr(label)}">'
                f"{_x(text)}</AbstractText>"
            )
        else:
            out.append(f"{indent}    <AbstractText>{_x(text)}</AbstractText>")
    out.append(f"{indent}</Abstract>")
    return out


def _xml_history(paper: FakePaper, indent: str) -> list[str]:
    year, month, day = paper.year or 2020, paper.month or 1, paper.day or 1
    out = [f"{indent}<History>"]
    for status in ("received", "accepted", "pubmed", "medline", "entrez"):
        out.append(
            f'{indent}    <PubMedPubDate PubStatus="{status}"><Year>{year}</Year>'
            f"<Month>{month}</Month><Day>{day}</Day></PubMedPubDate>"
        )
    out.append(f"{indent}</History>")
    return out


def _xml_ids(paper: FakePaper, indent: str, extra: Iterable[tuple[str, str]] = ()) -> list[str]:
    ids = [("pubmed", paper.pmid), ("doi", paper.doi), ("pmc", paper.pmcid), *extra]
    out = [f"{indent}<ArticleIdList>"]
    for kind, value in ids:
        if value:
            out.append(f'{indent}    <ArticleId IdType="{kind}">{_x(value)}</ArticleId>')
    out.append(f"{indent}</ArticleIdList>")
    return out


def _pubmed_article(paper: FakePaper) -> list[str]:
    abbreviation, issn = _journal_info(paper)
    volume, issue = _volume_issue(paper)
    first, last = _pages(paper)
    out = [
        "<PubmedArticle>",
        '    <MedlineCitation Status="MEDLINE" Owner="NLM">',
        f'        <PMID Version="1">{_x(paper.pmid)}</PMID>',
        '        <Article PubModel="Print-Electronic">',
        "            <Journal>",
    ]
    if issn:
        out.append(f'                <ISSN IssnType="Electronic">{issn}</ISSN>')
    pub_date = []
    if paper.year:
        pub_date.append(f"<Year>{paper.year}</Year>")
        if paper.month:
            pub_date.append(f"<Month>{MONTHS[paper.month - 1]}</Month>")
    else:
        pub_date.append("<MedlineDate>Undated</MedlineDate>")
    out += [
        '                <JournalIssue CitedMedium="Internet">',
        f"                    <Volume>{volume}</Volume><Issue>{issue}</Issue>",
        f"                    <PubDate>{''.join(pub_date)}</PubDate>",
        "                </JournalIssue>",
        f"                <Title>{_x(paper.journal)}</Title>",
        f"                <ISOAbbreviation>{_x(abbreviation)}</ISOAbbreviation>",
        "            </Journal>",
        f"            <ArticleTitle>{_x(paper.title)}</ArticleTitle>",
        f"            <Pagination><StartPage>{first}</StartPage><EndPage>{last}</EndPage>"
        f"<MedlinePgn>{first}-{last}</MedlinePgn></Pagination>",
    ]
    if paper.doi:
        out.append(
            f'            <ELocationID EIdType="doi" ValidYN="Y">{_x(paper.doi)}</ELocationID>'
        )
    out += _xml_abstract(paper, "            ")
    out += _xml_authors(paper, "            ")
    out.append("            <Language>eng</Language>")
    out.append("            <PublicationTypeList>")
    for ptype in paper.publication_types:
        ui = PUBLICATION_TYPE_UI.get(ptype, "D000000")
        out.append(f'                <PublicationType UI="{ui}">{_x(ptype)}</PublicationType>')
    out.append("            </PublicationTypeList>")
    if paper.year and paper.month and paper.day:
        out.append(
            '            <ArticleDate DateType="Electronic">'
            f"<Year>{paper.year}</Year><Month>{paper.month:02d}</Month>"
            f"<Day>{paper.day:02d}</Day></ArticleDate>"
        )
    out.append("        </Article>")
    out.append(
        "        <MedlineJournalInfo><Country>England</Country>"
        f"<MedlineTA>{_x(abbreviation)}</MedlineTA>"
        f"<NlmUniqueID>9{_stable(paper.journal) % 10**8:08d}</NlmUniqueID></MedlineJournalInfo>"
    )
    if paper.pubmed_notices:
        out.append("        <CommentsCorrectionsList>")
        for ref_type, notice in paper.pubmed_notices:
            source = f"{abbreviation}. {(paper.year or 2020) + 1};{volume}:{first}"
            pmid = f'<PMID Version="1">{_x(notice)}</PMID>' if notice else ""
            out.append(
                f'            <CommentsCorrections RefType="{_attr(ref_type)}">'
                f"<RefSource>{_x(source)}</RefSource>{pmid}</CommentsCorrections>"
            )
        out.append("        </CommentsCorrectionsList>")
    out.append("    </MedlineCitation>")
    out.append("    <PubmedData>")
    out += _xml_history(paper, "        ")
    out.append("        <PublicationStatus>ppublish</PublicationStatus>")
    out += _xml_ids(paper, "        ")
    if paper.cited:
        out.append("        <ReferenceList>")
        for n, (pmid, doi) in enumerate(paper.cited, 1):
            out.append("            <Reference>")
            out.append(
                f"                <Citation>Cited synthetic paper {n}. "
                f"{_x(abbreviation)}. 2001.</Citation>"
            )
            ids = [("pubmed", pmid), ("doi", doi)]
            out.append("                <ArticleIdList>")
            for kind, value in ids:
                if value:
                    out.append(
                        f'                    <ArticleId IdType="{kind}">{_x(value)}</ArticleId>'
                    )
            out.append("                </ArticleIdList>")
            out.append("            </Reference>")
        out.append("        </ReferenceList>")
    out.append("    </PubmedData>")
    out.append("</PubmedArticle>")
    return out


def _pubmed_book(paper: FakePaper) -> list[str]:
    accession = f"NBK9{int(paper.pmid or 0) % 10**5:05d}"
    out = [
        "<PubmedBookArticle>",
        "    <BookDocument>",
        f'        <PMID Version="1">{_x(paper.pmid)}</PMID>',
        "        <ArticleIdList>",
        f'            <ArticleId IdType="bookaccession">{accession}</ArticleId>',
        "        </ArticleIdList>",
        "        <Book>",
        f"            <Publisher><PublisherName>{_x(BOOK_PUBLISHER)}</PublisherName>"
        "<PublisherLocation>Nowhere</PublisherLocation></Publisher>",
        f'            <BookTitle book="synthbook">{_x(paper.journal)}</BookTitle>',
        f"            <PubDate><Year>{paper.year or 2020}</Year></PubDate>",
        '            <AuthorList Type="editors">',
        '                <Author ValidYN="Y"><LastName>Editor</LastName>'
        "<ForeName>Edith</ForeName><Initials>E</Initials></Author>",
        "            </AuthorList>",
        "            <Medium>Internet</Medium>",
        "        </Book>",
        f'        <ArticleTitle book="synthbook" part="{accession.lower()}">'
        f"{_x(paper.title)}</ArticleTitle>",
        "        <Language>eng</Language>",
    ]
    out += _xml_authors(paper, "        ", kind="authors")
    for ptype in paper.publication_types:
        ui = PUBLICATION_TYPE_UI.get(ptype, "D000000")
        out.append(f'        <PublicationType UI="{ui}">{_x(ptype)}</PublicationType>')
    out += _xml_abstract(paper, "        ")
    out.append("    </BookDocument>")
    out.append("    <PubmedBookData>")
    out += _xml_history(paper, "        ")
    out.append("        <PublicationStatus>ppublish</PublicationStatus>")
    out += _xml_ids(paper, "        ")
    out.append("    </PubmedBookData>")
    out.append("</PubmedBookArticle>")
    return out


def render_efetch_xml(papers: Iterable[FakePaper]) -> str:
    """A PubMed efetch (``db=pubmed&retmode=xml``) response holding ``papers`` in order."""
    body: list[str] = []
    for paper in papers:
        body += _pubmed_book(paper) if paper.is_book else _pubmed_article(paper)
    if not body:
        return EFETCH_PROLOGUE + "<PubmedArticleSet></PubmedArticleSet>\n"
    return EFETCH_PROLOGUE + "<PubmedArticleSet>\n" + "\n".join(body) + "\n</PubmedArticleSet>\n"


def render_esearch_json(
    pmids: list[str],
    *,
    count: int | None = None,
    retstart: int = 0,
    query_translation: str = "",
    phrases_not_found: Iterable[str] = (),
    fields_not_found: Iterable[str] = (),
) -> dict[str, Any]:
    """An esearch ``retmode=json`` response returning ``pmids`` (one page of ``count``)."""
    result: dict[str, Any] = {
        "count": str(len(pmids) if count is None else count),
        "retmax": str(len(pmids)),
        "retstart": str(retstart),
        "idlist": list(pmids),
        "translationset": [],
        "querytranslation": query_translation,
    }
    phrases, fields = list(phrases_not_found), list(fields_not_found)
    if phrases or fields or not pmids:
        result["errorlist"] = {"phrasesnotfound": phrases, "fieldsnotfound": fields}
    if not pmids:
        result["warninglist"] = {
            "phrasesignored": [],
            "quotedphrasesnotfound": [],
            "outputmessages": ["No items found."],
        }
    return {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}


def _esearch_xml(data: dict[str, Any]) -> str:
    result = data["esearchresult"]
    ids = "".join(f"<Id>{pmid}</Id>\n" for pmid in result["idlist"])
    errors = ""
    if "errorlist" in result:
        errors = (
            "<ErrorList>"
            + "".join(
                f"<PhraseNotFound>{_x(p)}</PhraseNotFound>"
                for p in result["errorlist"]["phrasesnotfound"]
            )
            + "".join(
                f"<FieldNotFound>{_x(f)}</FieldNotFound>"
                for f in result["errorlist"]["fieldsnotfound"]
            )
            + "</ErrorList>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
        '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
        f"<eSearchResult><Count>{result['count']}</Count><RetMax>{result['retmax']}</RetMax>"
        f"<RetStart>{result['retstart']}</RetStart><IdList>\n{ids}</IdList>"
        f"<TranslationSet/><QueryTranslation>{_x(result['querytranslation'])}"
        f"</QueryTranslation>{errors}</eSearchResult>\n"
    )


def _date_obj(parts: list[int], hour: int = 0) -> dict[str, Any]:
    y, m, d = (list(parts) + [1, 1])[:3]
    stamp = calendar.timegm((y, m, d, hour, 0, 0, 0, 0, 0))
    return {
        "date-parts": [list(parts)],
        "date-time": f"{y:04d}-{m:02d}-{d:02d}T{hour:02d}:00:00Z",
        "timestamp": stamp * 1000,
    }


def _paper_parts(paper: FakePaper) -> list[int]:
    parts = [p for p in (paper.year, paper.month, paper.day) if p]
    return parts if paper.year else []


def _jats(paper: FakePaper) -> str:
    pieces = []
    for label, text in paper.abstract_sections:
        if label:
            pieces.append(
                f"<jats:sec><jats:title>{_x(label.capitalize())}</jats:title>"
                f"<jats:p>{_x(text)}</jats:p></jats:sec>"
            )
        else:
            pieces.append(f"<jats:p>{_x(text)}</jats:p>")
    return "".join(pieces)


_UPDATE_LABELS = {
    "retraction": "Retraction",
    "expression_of_concern": "Expression of concern",
    "correction": "Correction",
    "withdrawal": "Withdrawal",
    "erratum": "Erratum",
}


def crossref_work(paper: FakePaper, *, score: float = 1.0) -> dict[str, Any]:
    """The Crossref work object (``message`` of /works/{doi}, an item of /works)."""
    assert paper.doi, "Crossref only knows papers with a DOI"
    abbreviation, issn = _journal_info(paper)
    volume, issue = _volume_issue(paper)
    first, last = _pages(paper)
    parts = _paper_parts(paper)
    explicit = paper.crossref_date_parts
    dates: dict[str, list[Any]] = {}
    if explicit is None:
        issued: list[Any] = parts or [None]
        if len(parts) >= 2:
            dates["published-print"] = parts[:2]
        if parts:
            dates["published-online"] = parts
    elif explicit == [None] or not explicit:
        issued = [None]
        if parts:
            dates["published-online"] = parts
    else:
        issued = list(explicit)
        dates["published-print"] = issued
    made = [paper.year or 2020, paper.month or 1, paper.day or 1]
    work: dict[str, Any] = {
        "indexed": _date_obj([2025, 1, 15], 8),
        "reference-count": len(paper.cited),
        "publisher": CROSSREF_PUBLISHER,
        "issue": issue,
        "content-domain": {"domain": [], "crossmark-restriction": False},
        "short-container-title": [abbreviation],
    }
    if paper.crossref_abstract and paper.abstract:
        work["abstract"] = _jats(paper)
    if "published-print" in dates:
        work["published-print"] = {"date-parts": [dates["published-print"]]}
    work["DOI"] = paper.doi
    work["type"] = "journal-article"
    work["created"] = _date_obj(made, 10)
    work["page"] = f"{first}-{last}"
    work["update-policy"] = f"https://doi.org/{DOI_PREFIX}/crossmark-policy"
    work["source"] = "Crossref"
    work["is-referenced-by-count"] = _stable(paper.doi) % 50
    work["title"] = [paper.title]
    work["prefix"] = DOI_PREFIX
    work["volume"] = volume
    if paper.authors:
        work["author"] = [
            {
                "given": given,
                "family": family,
                "sequence": "first" if n == 0 else "additional",
                "affiliation": [],
            }
            for n, (family, given) in enumerate(paper.authors)
        ]
    work["member"] = CROSSREF_MEMBER
    if paper.cited:
        work["reference"] = [
            {"key": f"ref{n}", "doi-asserted-by": "publisher", "DOI": doi.lower()}
            for n, (_, doi) in enumerate(paper.cited, 1)
            if doi
        ]
    work["container-title"] = [paper.journal]
    work["language"] = "en"
    work["deposited"] = _date_obj([made[0] + 1, made[1], made[2]], 12)
    work["score"] = score
    work["resource"] = {"primary": {"URL": f"https://journals.example.org/{paper.doi.lower()}"}}
    work["issued"] = {"date-parts": [issued]}
    work["references-count"] = len(paper.cited)
    if issue:
        work["journal-issue"] = {"issue": issue}
    work["URL"] = f"https://doi.org/{paper.doi}"
    if issn:
        work["ISSN"] = [issn]
        work["issn-type"] = [{"type": "electronic", "value": issn}]
    if "published-online" in dates:
        work["published-online"] = {"date-parts": [dates["published-online"]]}
    if issued != [None]:
        work["published"] = {"date-parts": [issued]}
    if paper.crossref_updates:
        updates = []
        for update in paper.crossref_updates:
            when = update.get("date") or [(paper.year or 2020) + 2, 3, 1]
            entry: dict[str, Any] = {
                "updated": _date_obj(list(when)),
                "DOI": update["DOI"],
                "type": update["type"],
                "source": update.get("source", "publisher"),
                "label": _UPDATE_LABELS.get(update["type"], update["type"].capitalize()),
            }
            if entry["source"] == "retraction-watch":
                entry["record-id"] = str(_stable(update["DOI"]) % 90000 + 10000)
            updates.append(entry)
        work["updated-by"] = updates
    return work


def crossref_work_list(
    papers: list[FakePaper], *, rows: int = 20, offset: int = 0, total: int | None = None
) -> dict[str, Any]:
    """A /works list response: ``papers`` are the page's items."""
    return {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {
            "facets": {},
            "total-results": len(papers) if total is None else total,
            "items": [crossref_work(p) for p in papers],
            "items-per-page": rows,
            "query": {"start-index": offset, "search-terms": None},
        },
    }


def crossref_single(paper: FakePaper) -> dict[str, Any]:
    """A /works/{doi} response."""
    return {
        "status": "ok",
        "message-type": "work",
        "message-version": "1.0.0",
        "message": crossref_work(paper),
    }


def _inverted_index(text: str | None) -> dict[str, list[int]] | None:
    if not text:
        return None
    index: dict[str, list[int]] = {}
    for position, word in enumerate(text.split()):
        index.setdefault(word, []).append(position)
    return index


def openalex_work(paper: FakePaper) -> dict[str, Any]:
    """An OpenAlex work object."""
    wid = f"https://openalex.org/{paper.openalex_id or 'W9000000000'}"
    doi_url = f"https://doi.org/{paper.doi.lower()}" if paper.doi else None
    abbreviation, issn = _journal_info(paper)
    ids: dict[str, str] = {"openalex": wid}
    if doi_url:
        ids["doi"] = doi_url
    if paper.pmid:
        ids["pmid"] = f"https://pubmed.ncbi.nlm.nih.gov/{paper.pmid}"
    if paper.pmcid:
        ids["pmcid"] = f"https://www.ncbi.nlm.nih.gov/pmc/articles/{paper.pmcid.upper()[3:]}"
    date = None
    if paper.year:
        date = f"{paper.year:04d}-{paper.month or 1:02d}-{paper.day or 1:02d}"
    authorships = []
    for n, (family, given) in enumerate(paper.authors):
        name = f"{given} {family}"
        position = "first" if n == 0 else "last" if n == len(paper.authors) - 1 else "middle"
        authorships.append(
            {
                "author_position": position,
                "author": {
                    "id": f"https://openalex.org/A9{_stable(name) % 10**9:09d}",
                    "display_name": name,
                    "orcid": None,
                },
                "institutions": [],
                "countries": [],
                "is_corresponding": n == 0,
                "raw_author_name": name,
                "raw_affiliation_strings": [],
            }
        )
    text = " ".join(t for _, t in paper.abstract_sections) if paper.abstract else None
    return {
        "id": wid,
        "doi": doi_url,
        "title": paper.title,
        "display_name": paper.title,
        "publication_year": paper.year,
        "publication_date": date,
        "ids": ids,
        "language": "en",
        "primary_location": {
            "is_oa": False,
            "landing_page_url": doi_url,
            "pdf_url": None,
            "source": {
                "id": f"https://openalex.org/S9{_stable(paper.journal) % 10**9:09d}",
                "display_name": paper.journal,
                "issn_l": issn,
                "issn": [issn] if issn else None,
                "is_oa": False,
                "host_organization_name": CROSSREF_PUBLISHER,
                "type": "journal",
            },
            "license": None,
            "version": "publishedVersion",
        },
        "type": "article",
        "type_crossref": "journal-article",
        "authorships": authorships,
        "cited_by_count": _stable(paper.doi, "openalex") % 60,
        "is_retracted": paper.openalex_retracted,
        "is_paratext": False,
        "abstract_inverted_index": _inverted_index(text),
        "updated_date": "2025-01-15T08:00:00.000000",
        "created_date": f"{paper.year or 2020:04d}-{paper.month or 1:02d}-15",
        "abbreviated_title": abbreviation if abbreviation != paper.journal else None,
    }


def openalex_list(
    papers: list[FakePaper], *, per_page: int = 25, page: int = 1, total: int | None = None
) -> dict[str, Any]:
    """An OpenAlex /works list response: ``papers`` are the page's results."""
    return {
        "meta": {
            "count": len(papers) if total is None else total,
            "db_response_time_ms": 12,
            "page": page,
            "per_page": per_page,
            "groups_count": None,
        },
        "results": [openalex_work(p) for p in papers],
        "group_by": [],
    }


# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour; build with :func:`status`, :func:`slow` etc."""

    kind: str  # status | pubmed_rate_limit_200 | slow | truncated | invalid_body
    code: int = 200
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    seconds: float = 0.0


def status(
    code: int,
    retry_after: float | str | None = None,
    body: bytes | str | None = None,
    content_type: str | None = None,
) -> Fault:
    """Answer with HTTP ``code`` (a service-typical body unless ``body`` is given)."""
    if isinstance(body, str):
        body = body.encode()
    return Fault(
        "status",
        code=code,
        retry_after=None if retry_after is None else str(retry_after),
        body=body,
        content_type=content_type,
    )


def pubmed_rate_limit_200() -> Fault:
    """PubMed's rate-limit error delivered with status 200, as E-utilities sometimes does."""
    return Fault("pubmed_rate_limit_200")


def slow(seconds: float) -> Fault:
    """Wait ``seconds`` before answering normally (the client has usually timed out)."""
    return Fault("slow", seconds=seconds)


def truncated() -> Fault:
    """Send the full Content-Length but only half the body, then close the connection."""
    return Fault("truncated")


def invalid_body() -> Fault:
    """Status 200 with a broken body: XML (or JSON) cut in the middle."""
    return Fault("invalid_body")


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


class Limit(NamedTuple):
    count: int
    interval: float  # seconds


DEFAULT_LIMITS: dict[str, Limit] = {
    "pubmed": Limit(3, 1.0),
    "pubmed_api_key": Limit(10, 1.0),
    "crossref_list": Limit(3, 1.0),
    "crossref_single": Limit(10, 1.0),
    "openalex": Limit(10, 1.0),
}
DEFAULT_CONCURRENCY: dict[str, int | None] = {"pubmed": None, "crossref": 3, "openalex": None}
_LIMIT_SERVICE = {
    "pubmed": "pubmed",
    "pubmed_api_key": "pubmed",
    "crossref_list": "crossref",
    "crossref_single": "crossref",
    "openalex": "openalex",
}


@dataclass
class RequestRecord:
    """One request a fake service received (``started``/``finished``: time.monotonic())."""

    service: str
    method: str
    path: str
    params: dict[str, str]
    started: float
    client: str = ""
    status: int = 0
    finished: float | None = None
    fault: str | None = None


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    truncate: bool = False


@dataclass
class _State:
    name: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    log: list[RequestRecord] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    sticky: list[tuple[Callable[[RequestRecord], bool], Fault]] = field(default_factory=list)
    windows: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    inflight: int = 0


def _json(data: Any, status_code: int = 200, headers: Iterable[tuple[str, str]] = ()) -> _Reply:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _Reply(status_code, body, "application/json; charset=utf-8", list(headers))


def _text(text: str, status_code: int, content_type: str = "text/plain") -> _Reply:
    return _Reply(status_code, text.encode(), content_type)


_TOKEN_SPLIT = re.compile(r'[\s,|()"+]+')
_FIELD_TAG = re.compile(r"\[[^\]]*\]$")


def _normalise_token(token: str) -> str:
    token = _FIELD_TAG.sub("", token.strip())
    token = _strip_doi(token)
    for prefix in ("pmid:", "https://pubmed.ncbi.nlm.nih.gov/", "ids.pmid:"):
        if token.casefold().startswith(prefix):
            token = token[len(prefix) :]
    return token.strip("/").casefold()


def _mentions(record: RequestRecord) -> set[str]:
    found = set()
    texts = list(record.params.values())
    if record.path.startswith("/works/"):
        found.add(_normalise_token(record.path[len("/works/") :]))
    for text in texts:
        for token in _TOKEN_SPLIT.split(text):
            if token:
                found.add(_normalise_token(token))
    found.discard("")
    return found


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeServices, service: str) -> None:
        self.fake = fake
        self.service = service
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:  # no reverse DNS lookup of 127.0.0.1
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away: nothing to report
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: with Nagle, delayed ACKs add ~40 ms each
    disable_nagle_algorithm = True
    server: _Server
    timeout = 60  # idle keep-alive connections are dropped after this

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:  # BrokenPipe, ConnectionReset, timeouts: the client went away
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        fake, service = self.server.fake, self.server.service
        record = fake._begin(service, method, unquote(split.path), params, self.client_address[0])
        reply, admitted = fake._process(service, record)
        try:
            self._send(reply)
        finally:
            record.finished = time.monotonic()
            if admitted:
                fake._release(service)

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body[: len(reply.body) // 2] if reply.truncate else reply.body)
        self.wfile.flush()
        if reply.truncate:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_WR)


class FakeServices:
    """PubMed, Crossref and OpenAlex on three local ports; use as a context manager.

    ``latency`` delays every response. ``enforce_limits`` (True, False, or the names of the
    services to police) turns on the sliding-window rate limits (:data:`DEFAULT_LIMITS`) and
    concurrency limits (:data:`DEFAULT_CONCURRENCY`); ``limits`` (keys of
    :data:`DEFAULT_LIMITS`, or ``"crossref"`` for both Crossref windows, values
    ``(count, interval seconds)``) and ``concurrency`` (service -> max in-flight or None)
    override them and turn enforcement on for the services they name. A request refused
    with 429 is logged but does not count toward the window. ``announce`` (same keys) makes
    the rate-limit headers say other limits than those enforced, as Crossref's list endpoint
    announces 10 requests a second where its polite pool allows 3.

    Injected faults (:meth:`inject`, :meth:`fail_always`) bypass the limits; the requests
    they answer count toward the window, except injected 429s. ``slow()`` waits, then the
    request is handled normally, limits included.
    """

    def __init__(
        self,
        corpus: Corpus,
        latency: float = 0.0,
        enforce_limits: bool | Iterable[str] = False,
        *,
        limits: dict[str, tuple[int, float]] | None = None,
        concurrency: dict[str, int | None] | None = None,
        announce: dict[str, tuple[int, float]] | None = None,
    ) -> None:
        self.corpus = corpus
        self.latency = latency
        self.limits: dict[str, Limit] = dict(DEFAULT_LIMITS)
        self.concurrency: dict[str, int | None] = dict(DEFAULT_CONCURRENCY)
        if enforce_limits is True:
            self.enforced = set(SERVICES)
        elif enforce_limits is False:
            self.enforced = set()
        else:
            self.enforced = set(enforce_limits)
        for key, value in (limits or {}).items():
            keys = ["crossref_list", "crossref_single"] if key == "crossref" else [key]
            for k in keys:
                if k not in DEFAULT_LIMITS:
                    raise ValueError(f"unknown limit {key!r}; known: {sorted(DEFAULT_LIMITS)}")
                self.limits[k] = Limit(int(value[0]), float(value[1]))
                self.enforced.add(_LIMIT_SERVICE[k])
        self.announced: dict[str, Limit] = {}
        for key, value in (announce or {}).items():
            if key not in DEFAULT_LIMITS:
                raise ValueError(f"unknown limit {key!r}; known: {sorted(DEFAULT_LIMITS)}")
            self.announced[key] = Limit(int(value[0]), float(value[1]))
        for service, value in (concurrency or {}).items():
            if service not in SERVICES:
                raise ValueError(f"unknown service {service!r}")
            self.concurrency[service] = value
            self.enforced.add(service)
        unknown = self.enforced - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}")
        self._states = {name: _State(name) for name in SERVICES}
        self._stop = threading.Event()
        self._servers: dict[str, _Server] = {}
        self._threads: dict[str, threading.Thread] = {}
        self.pubmed_url = self.crossref_url = self.openalex_url = ""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeServices:
        try:
            for name in SERVICES:
                server = _Server(self, name)
                self._servers[name] = server
                thread = threading.Thread(
                    target=server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"fake-{name}",
                    daemon=True,
                )
                thread.start()
                self._threads[name] = thread
        except BaseException:
            self.stop()
            raise
        port = {name: server.server_address[1] for name, server in self._servers.items()}
        self.pubmed_url = f"http://127.0.0.1:{port['pubmed']}/entrez/eutils"
        self.crossref_url = f"http://127.0.0.1:{port['crossref']}"
        self.openalex_url = f"http://127.0.0.1:{port['openalex']}"
        return self

    def stop(self) -> None:
        """Stop serving, close every socket and let in-flight handlers finish."""
        self._stop.set()  # wake handlers sleeping on latency or slow()
        stoppers = [  # shutdown() waits for a serve_forever() loop: stop all three at once
            threading.Thread(target=self._servers[name].shutdown, daemon=True)
            for name in self._threads
        ]
        for stopper in stoppers:
            stopper.start()
        for thread in [*stoppers, *self._threads.values()]:
            thread.join(timeout=5)
        for server in self._servers.values():
            server.server_close()
            with server.connections_lock:
                open_connections = list(server.connections)
            for connection in open_connections:  # idle keep-alive clients: unblock the reader
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        for server in self._servers.values():
            while server.connections and time.monotonic() < deadline:
                time.sleep(0.01)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> FakeServices:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        return {
            "EVIDENCE_PUBMED_URL": self.pubmed_url,
            "EVIDENCE_CROSSREF_URL": self.crossref_url,
            "EVIDENCE_OPENALEX_URL": self.openalex_url,
        }

    # -- log ---------------------------------------------------------------------------------

    def requests(self, service: str) -> list[RequestRecord]:
        state = self._state(service)
        with state.lock:
            return list(state.log)

    def count(self, service: str) -> int:
        return len(self.requests(service))

    def count_429(self, service: str) -> int:
        return sum(1 for r in self.requests(service) if r.status == 429)

    def reset_log(self) -> None:
        for state in self._states.values():
            with state.lock:
                state.log.clear()

    # -- faults ------------------------------------------------------------------------------

    def inject(self, service: str, *faults: Fault) -> None:
        """Queue faults: each incoming request to ``service`` takes the next one (FIFO)."""
        state = self._state(service)
        with state.lock:
            state.faults.extend(faults)

    def fail_always(
        self, service: str, identifier: str | Callable[[RequestRecord], bool], fault: Fault
    ) -> None:
        """Apply ``fault`` to every request mentioning ``identifier`` (a DOI, PMID or PMCID,
        any case or URL form) or matching a predicate on the :class:`RequestRecord`."""
        if callable(identifier):
            predicate = identifier
        else:
            wanted = _normalise_token(identifier)

            def predicate(record: RequestRecord) -> bool:
                return wanted in _mentions(record)

        state = self._state(service)
        with state.lock:
            state.sticky.append((predicate, fault))

    inject_for = fail_always

    def clear_faults(self, service: str | None = None) -> None:
        for name in [service] if service else SERVICES:
            state = self._state(name)
            with state.lock:
                state.faults.clear()
                state.sticky.clear()

    def pending_faults(self, service: str) -> int:
        state = self._state(service)
        with state.lock:
            return len(state.faults)

    # -- internals ---------------------------------------------------------------------------

    def _state(self, service: str) -> _State:
        try:
            return self._states[service]
        except KeyError:
            raise ValueError(f"unknown service {service!r}; one of {SERVICES}") from None

    def _begin(
        self, service: str, method: str, path: str, params: dict[str, str], client: str
    ) -> RequestRecord:
        record = RequestRecord(service, method, path, params, time.monotonic(), client)
        state = self._states[service]
        with state.lock:
            state.log.append(record)
        return record

    def _take_fault(self, state: _State, record: RequestRecord) -> Fault | None:
        with state.lock:
            if state.faults:
                return state.faults.popleft()
            sticky = list(state.sticky)
        for predicate, fault in sticky:
            if predicate(record):
                return fault
        return None

    def _limit_key(self, service: str, record: RequestRecord) -> tuple[str, str]:
        if service == "pubmed":
            key = record.params.get("api_key")
            return ("pubmed_api_key", key) if key else ("pubmed", record.client)
        if service == "crossref":
            single = record.path.startswith("/works/")
            return ("crossref_single" if single else "crossref_list", "")
        return ("openalex", "")

    def _admit(self, state: _State, key: tuple[str, str], force: bool) -> tuple[bool, str]:
        limit = self.limits[key[0]]
        enforced = state.name in self.enforced
        cap = self.concurrency.get(state.name)
        with state.lock:
            now = time.monotonic()
            window = state.windows.setdefault(key, deque())
            while window and window[0] <= now - limit.interval:
                window.popleft()
            if not force and enforced:
                if cap is not None and state.inflight >= cap:
                    return False, "concurrency"
                if len(window) >= limit.count:
                    return False, "rate"
            window.append(now)
            state.inflight += 1
            return True, ""

    def _release(self, service: str) -> None:
        state = self._states[service]
        with state.lock:
            state.inflight -= 1

    def _process(self, service: str, record: RequestRecord) -> tuple[_Reply, bool]:
        state = self._states[service]
        fault = self._take_fault(state, record)
        record.fault = fault.kind if fault else None
        if fault is not None and fault.kind == "slow":
            self._stop.wait(fault.seconds)
            fault = None
        key = self._limit_key(service, record)
        if fault is not None and fault.kind == "status" and fault.code == 429:
            admitted, why = False, ""  # an injected 429 does not count toward the window
        else:
            admitted, why = self._admit(state, key, force=fault is not None)
        try:
            if self.latency > 0:
                self._stop.wait(self.latency)
            if fault is not None:
                reply = self._fault_reply(service, record, fault)
            elif not admitted:
                reply = self._too_many(service, record, key, why)
            else:
                reply = self._normal(service, record)
        except Exception:  # a bug in the fake: say so loudly, answer 500
            traceback.print_exc()
            reply = _text(traceback.format_exc(), 500)
        reply.headers += self._limit_headers(service, record, key)
        record.status = reply.status
        return reply, admitted

    def _limit_headers(
        self, service: str, record: RequestRecord, key: tuple[str, str]
    ) -> list[tuple[str, str]]:
        limit = self.announced.get(key[0], self.limits[key[0]])
        if service == "crossref":
            interval = f"{limit.interval:g}s"
            cap = self.concurrency.get("crossref")
            headers = [
                ("X-Rate-Limit-Limit", str(limit.count)),
                ("X-Rate-Limit-Interval", interval),
            ]
            if cap is not None:
                headers.append(("X-Concurrency-Limit", str(cap)))
            return headers
        if service == "pubmed":
            state = self._states[service]
            with state.lock:
                used = len(state.windows.get(key, ()))
            return [
                ("X-RateLimit-Limit", str(limit.count)),
                ("X-RateLimit-Remaining", str(max(0, limit.count - used))),
            ]
        return []

    def _too_many(
        self, service: str, record: RequestRecord, key: tuple[str, str], why: str
    ) -> _Reply:
        limit = self.limits[key[0]]
        if service == "pubmed":
            state = self._states[service]
            with state.lock:
                used = len(state.windows.get(key, ()))
            return _json(self._pubmed_limit_body(record, used + 1, limit.count), 429)
        if service == "crossref":
            retry = str(max(1, int(limit.interval + 0.999)))
            what = "concurrent requests" if why == "concurrency" else "requests"
            body = {
                "status": "failed",
                "message-type": "too-many-requests",
                "message": f"Too many {what}. Please slow down.",
            }
            return _json(body, 429, [("Retry-After", retry)])
        return _json(
            {
                "error": "Rate limit exceeded",
                "message": f"Too many requests: at most {limit.count} per "
                f"{limit.interval:g} seconds.",
            },
            429,
        )

    def _pubmed_limit_body(self, record: RequestRecord, count: int, limit: int) -> dict:
        return {
            "error": "API rate limit exceeded",
            "api-key": record.params.get("api_key") or record.client or "127.0.0.1",
            "count": str(count),
            "limit": str(limit),
        }

    def _fault_reply(self, service: str, record: RequestRecord, fault: Fault) -> _Reply:
        if fault.kind == "pubmed_rate_limit_200":
            body = {"error": "API rate limit exceeded", "api-key": "127.0.0.1"}
            body.update(count="4", limit="3")
            return _json(body, 200)
        if fault.kind == "truncated":
            reply = self._normal(service, record)
            reply.truncate = True
            return reply
        if fault.kind == "invalid_body":
            reply = self._normal(service, record)
            if reply.status == 200 and len(reply.body) > 2:
                reply.body = reply.body[: len(reply.body) // 2]
            elif service == "pubmed":
                reply = _text(EFETCH_PROLOGUE + "<PubmedArticleSet>\n<PubmedArti", 200, "text/xml")
            elif service == "crossref":
                reply = _json({}, 200)
                reply.body = b'{"status":"ok","message'
            else:
                reply = _json({}, 200)
                reply.body = b'{"meta":{"count"'
            reply.status = 200
            return reply
        # status
        headers = [("Retry-After", fault.retry_after)] if fault.retry_after else []
        if fault.body is not None:
            reply = _Reply(fault.code, fault.body, fault.content_type or "text/plain", headers)
            return reply
        reply = self._default_error(service, record, fault.code)
        if fault.content_type:
            reply.content_type = fault.content_type
        reply.headers += headers
        return reply

    def _default_error(self, service: str, record: RequestRecord, code: int) -> _Reply:
        if code == 429:
            if service == "pubmed":
                limit = self.limits["pubmed_api_key" if "api_key" in record.params else "pubmed"]
                return _json(self._pubmed_limit_body(record, limit.count + 1, limit.count), 429)
            if service == "crossref":
                return _json(
                    {
                        "status": "failed",
                        "message-type": "too-many-requests",
                        "message": "Too many requests. Please slow down.",
                    },
                    429,
                )
            return _json({"error": "Rate limit exceeded", "message": "Too many requests."}, 429)
        if code == 404 and service == "crossref":
            return _text("Resource not found.", 404)
        reasons = {
            400: "Bad Request",
            403: "Forbidden",
            404: "Not Found",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        reason = reasons.get(code, "Error")
        if service == "openalex" and code < 500:
            return _json({"error": reason, "message": reason}, code)
        html = (
            f"<html><head><title>{code} {reason}</title></head>"
            f"<body><center><h1>{code} {reason}</h1></center></body></html>\n"
        )
        return _text(html, code, "text/html")

    # -- the services proper -------------------------------------------------------------------

    def _normal(self, service: str, record: RequestRecord) -> _Reply:
        path = record.path.rstrip("/") or "/"
        if service == "pubmed":
            if record.method not in ("GET", "POST"):
                return _text("Method Not Allowed", 405)
            if path == "/entrez/eutils/efetch.fcgi":
                return self._efetch(record)
            if path == "/entrez/eutils/esearch.fcgi":
                return self._esearch(record)
            return _text("Not Found", 404)
        if record.method != "GET":
            return _text("Method Not Allowed", 405)
        if service == "crossref":
            if path == "/works":
                return self._crossref_list(record)
            if path.startswith("/works/"):
                return self._crossref_single(record.path[len("/works/") :])
            return _text("Resource not found.", 404)
        if path == "/works":
            return self._openalex_list(record)
        if path.startswith("/works/"):
            return self._openalex_single(record.path[len("/works/") :])
        return _json({"error": "Not Found", "message": "The URL was not found."}, 404)

    # PubMed

    def _pubmed_db_error(self, record: RequestRecord) -> _Reply | None:
        db = record.params.get("db", "pubmed")
        if db != "pubmed":
            return _json({"error": f"Invalid db name specified: {db}"}, 400)
        return None

    def _efetch(self, record: RequestRecord) -> _Reply:
        error = self._pubmed_db_error(record)
        if error:
            return error
        ids = [i for i in re.split(r"[,\s]+", record.params.get("id", "")) if i]
        if not ids:
            body = (
                '<?xml version="1.0" encoding="UTF-8" ?>\n'
                "<eFetchResult>\n\t<ERROR>Empty id list - nothing todo</ERROR>\n</eFetchResult>\n"
            )
            return _text(body, 400, "text/xml; charset=UTF-8")
        papers, seen = [], set()
        for pmid in ids:
            paper = self.corpus.by_pmid(pmid) if pmid.isdigit() else None
            if paper is not None and paper.in_pubmed and paper.pmid not in seen:
                seen.add(paper.pmid)
                papers.append(paper)
        return _text(render_efetch_xml(papers), 200, "text/xml; charset=UTF-8")

    def _esearch(self, record: RequestRecord) -> _Reply:
        error = self._pubmed_db_error(record)
        if error:
            return error
        term = record.params.get("term", "").strip()
        as_json = record.params.get("retmode", "xml").lower() == "json"
        if not term:
            data = {
                "header": {"type": "esearch", "version": "0.3"},
                "esearchresult": {"ERROR": "Empty term and query_key - nothing todo"},
            }
            return (
                _json(data)
                if as_json
                else _text(
                    "<eSearchResult><ERROR>Empty term and query_key - nothing todo</ERROR>"
                    "</eSearchResult>\n",
                    200,
                    "text/xml; charset=UTF-8",
                )
            )
        try:
            retmax = max(0, min(10000, int(record.params.get("retmax", "20"))))
            retstart = max(0, int(record.params.get("retstart", "0")))
        except ValueError:
            retmax, retstart = 20, 0
        found: set[int] = set()
        phrases, fields, translated = [], [], []
        for clause in re.split(r"\s+OR\s+", term):
            clause = clause.strip()
            while clause.startswith("(") and clause.endswith(")"):
                clause = clause[1:-1].strip()
            match = re.fullmatch(r'"?([^"\[\]]+?)"?\s*(?:\[([^\]]+)\])?', clause)
            if not match:
                phrases.append(clause)
                continue
            value, tag = match.group(1).strip(), (match.group(2) or "").strip().lower()
            paper, field_name = None, None
            if tag in ("doi", "aid", "lid", "location id") or (not tag and value.startswith("10.")):
                paper, field_name = self.corpus.by_doi(value), "DOI"
            elif tag in ("pmcid", "pmc") or (not tag and value.upper().startswith("PMC")):
                paper, field_name = self.corpus.by_pmcid(value), "PMCID"
            elif tag in ("pmid", "uid") or (not tag and value.isdigit()):
                paper = self.corpus.by_pmid(value) if value.isdigit() else None
                field_name = "UID"
            else:
                fields.append(tag)
                continue
            if paper is not None and paper.in_pubmed and paper.pmid:
                found.add(int(paper.pmid))
                translated.append(f"{value}[{field_name}]")
            else:
                phrases.append(clause)
        ordered = [str(p) for p in sorted(found)]
        data = render_esearch_json(
            ordered[retstart : retstart + retmax],
            count=len(ordered),
            retstart=retstart,
            query_translation=" OR ".join(translated),
            phrases_not_found=phrases,
            fields_not_found=fields,
        )
        if as_json:
            return _json(data)
        return _text(_esearch_xml(data), 200, "text/xml; charset=UTF-8")

    # Crossref

    _CROSSREF_PARAMS = frozenset(
        [
            "filter",
            "rows",
            "offset",
            "mailto",
            "select",
            "sort",
            "order",
            "query",
            "cursor",
            "facet",
            "sample",
        ]
    )

    @staticmethod
    def _crossref_failure(kind: str, value: str, message: str) -> _Reply:
        body = {
            "status": "failed",
            "message-type": "validation-failure",
            "message": [{"type": kind, "value": value, "message": message}],
        }
        return _json(body, 400)

    def _crossref_list(self, record: RequestRecord) -> _Reply:
        params = record.params
        for name in params:
            if name not in self._CROSSREF_PARAMS and not name.startswith("query."):
                return self._crossref_failure(
                    "unknown-parameter",
                    name,
                    f"Parameter {name} specified but there is no such parameter "
                    "available on this route",
                )
        numbers = {}
        for name, default, top in (("rows", 20, 1000), ("offset", 0, 10000)):
            raw = params.get(name, str(default))
            if not raw.isdigit() or int(raw) > top:
                return self._crossref_failure(
                    "integer-not-valid",
                    raw,
                    f"Integer specified as {raw} but must be a positive integer "
                    f"less than or equal to {top}.",
                )
            numbers[name] = int(raw)
        rows, offset = numbers["rows"], numbers["offset"]
        papers: list[FakePaper] = []
        raw_filter = params.get("filter")
        if raw_filter is None:
            papers = [p for p in self.corpus if p.in_crossref and p.doi]
        else:
            seen = set()
            for part in raw_filter.split(","):
                name, sep, value = part.partition(":")
                name = name.strip()
                if not sep or name != "doi":
                    return self._crossref_failure(
                        "unknown-filter",
                        name,
                        f"Filter {name} specified but there is no such filter for this "
                        "route. Valid filters for this route are: doi",
                    )
                doi = _strip_doi(value)
                if not re.match(r"^10\.\d{4,9}/\S+$", doi):
                    return self._crossref_failure(
                        "invalid-doi", value, f"DOI specified as {value} but is not valid"
                    )
                paper = self.corpus.by_doi(doi)
                if paper is not None and paper.in_crossref and id(paper) not in seen:
                    seen.add(id(paper))
                    papers.append(paper)
        data = crossref_work_list(
            papers[offset : offset + rows], rows=rows, offset=offset, total=len(papers)
        )
        select = params.get("select")
        if select:
            keep = {s.strip() for s in select.split(",")}
            data["message"]["items"] = [
                {k: v for k, v in item.items() if k in keep} for item in data["message"]["items"]
            ]
        return _json(data)

    def _crossref_single(self, raw: str) -> _Reply:
        paper = self.corpus.by_doi(raw)
        if paper is None or not paper.in_crossref:
            return _text("Resource not found.", 404)
        return _json(crossref_single(paper))

    # OpenAlex

    _OPENALEX_PARAMS = frozenset(
        [
            "filter",
            "per-page",
            "per_page",
            "page",
            "mailto",
            "api_key",
            "select",
            "sort",
            "cursor",
            "search",
            "sample",
            "seed",
            "group_by",
            "group-by",
        ]
    )

    @staticmethod
    def _openalex_failure(message: str) -> _Reply:
        return _json({"error": "Invalid query parameters error.", "message": message}, 400)

    def _openalex_list(self, record: RequestRecord) -> _Reply:
        params = record.params
        for name in params:
            if name not in self._OPENALEX_PARAMS:
                return self._openalex_failure(f"{name} is not a valid parameter.")
        raw_per_page = params.get("per-page", params.get("per_page", "25"))
        raw_page = params.get("page", "1")
        if not raw_per_page.isdigit() or not 1 <= int(raw_per_page) <= 200:
            return self._openalex_failure("per-page parameter must be between 1 and 200")
        if not raw_page.isdigit() or int(raw_page) < 1:
            return self._openalex_failure("page parameter must be a positive integer")
        per_page, page = int(raw_per_page), int(raw_page)
        papers: list[FakePaper] = []
        raw_filter = params.get("filter")
        if raw_filter is None:
            papers = [p for p in self.corpus if p.in_openalex]
        else:
            seen = set()
            for part in raw_filter.split(","):
                name, sep, value = part.partition(":")
                name = name.strip()
                if not sep or name not in ("doi", "ids.pmid", "pmid"):
                    return self._openalex_failure(
                        f"{name} is not a valid field. Valid fields here are: doi, ids.pmid, pmid"
                    )
                values = [v for v in value.split("|") if v.strip()]
                if len(values) > 100:
                    return self._openalex_failure(
                        f"Maximum number of values exceeded for {name}. Decrease values to 100 "
                        "or below, or consider using a list of filters."
                    )
                for item in values:
                    if name == "doi":
                        paper = self.corpus.by_doi(item)
                    else:
                        pmid = _normalise_token(item)
                        paper = self.corpus.by_pmid(pmid) if pmid.isdigit() else None
                    if paper is not None and paper.in_openalex and id(paper) not in seen:
                        seen.add(id(paper))
                        papers.append(paper)
        start = (page - 1) * per_page
        data = openalex_list(
            papers[start : start + per_page], per_page=per_page, page=page, total=len(papers)
        )
        select = params.get("select")
        if select:
            keep = {s.strip() for s in select.split(",")}
            valid = set(openalex_work(FakePaper(doi=f"{DOI_PREFIX}/x")))
            bad = sorted(keep - valid)
            if bad:
                return self._openalex_failure(f"{bad[0]} is not a valid select field.")
            data["results"] = [{k: v for k, v in r.items() if k in keep} for r in data["results"]]
        return _json(data)

    def _openalex_single(self, raw: str) -> _Reply:
        token = raw.strip()
        paper = None
        if token.casefold().startswith(("pmid:", "https://pubmed.ncbi.nlm.nih.gov/")):
            pmid = _normalise_token(token)
            paper = self.corpus.by_pmid(pmid) if pmid.isdigit() else None
        elif re.fullmatch(r"[Ww]\d+", token):
            paper = next((p for p in self.corpus if p.openalex_id == token.upper()), None)
        else:
            paper = self.corpus.by_doi(token)
        if paper is None or not paper.in_openalex:
            return _json({"error": "404 Not Found", "message": "Work not found."}, 404)
        return _json(openalex_work(paper))


# --------------------------------------------------------------------------------------------
# Static fixtures
# --------------------------------------------------------------------------------------------


def fixture_corpus() -> Corpus:
    """The corpus the ``*_synthetic.json`` fixtures are rendered from."""
    return make_corpus(12, 4, seed=0)


def fixture_documents() -> dict[str, Any]:
    """File name -> JSON document of each static fixture."""
    corpus = fixture_corpus()
    plain = corpus.by_doi(f"{DOI_PREFIX}/evid.p.10")  # registered as 10.5555/EVID.P.10
    with_pmcid = corpus.by_pmid("90000009")
    assert plain is not None and with_pmcid is not None and with_pmcid.pmcid
    listed = [plain, corpus.partial_date, corpus.crossref_retracted]
    esearch_hits = [corpus.retracted, with_pmcid, plain]
    return {
        "crossref_work_list_synthetic.json": crossref_work_list(listed, rows=20),
        "crossref_work_synthetic.json": crossref_single(corpus.expression_of_concern),
        "openalex_works_synthetic.json": openalex_list([corpus.retracted, with_pmcid], per_page=25),
        "esearch_synthetic.json": render_esearch_json(
            [p.pmid or "" for p in esearch_hits],
            query_translation=" OR ".join(f"{p.doi}[DOI]" for p in esearch_hits),
        ),
    }


def write_fixtures(folder: Path) -> list[Path]:
    written = []
    for name, document in fixture_documents().items():
        path = Path(folder) / name
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_fixtures(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(written_path)
