"""The synthetic papers the fake PubMed, Crossref and OpenAlex know.

Every identifier is synthetic: PMIDs above 90000000, DOIs under ``10.5555/`` and PMCIDs
``PMC9...``; none belongs to a real paper. :func:`make_corpus` builds a deterministic
:class:`Corpus`; with enough slots it holds the special papers of :data:`SPECIAL_PAPERS`
(``corpus.retracted``, ``corpus.book``, ...), the cases the services disagree on. How each
service shows a paper is in ``fake_formats.py``; the servers that answer with them, in
``fake_services.py``. :meth:`Corpus.search` is what the three fakes find for a search (every
title says "synthetic", so that word finds them all).
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

FIRST_PMID = 90000001
NOTICE_PMID_BASE = 99900000  # PubMed notices (retractions, errata ...) the corpus points at
UNKNOWN_PMID_BASE = 99000000  # unknown_pmid() hands these out; nobody knows them
DOI_PREFIX = "10.5555"

# journal -> (ISO abbreviation, ISSN)
JOURNALS = {
    "Journal of Synthetic Musculoskeletal Research": ("J Synth Musculoskelet Res", "5555-0001"),
    "Synthetic Pain Reports": ("Synth Pain Rep", "5555-0002"),
    "Annals of Made-up Medicine": ("Ann Madeup Med", "5555-0003"),
    "Fictional Rehabilitation Quarterly": ("Fict Rehabil Q", "5555-0004"),
    "Placeholder Journal of Evidence & Practice": ("Placeholder J Evid Pract", "5555-0005"),
}

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


def strip_doi(value: str) -> str:
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


_FIELD_TAG = re.compile(r"\[[^\]]*\]")
_TERM = re.compile(r'"([^"]+)"|([^\s"]+)')


def search_terms(query: str) -> list[list[str]]:
    """A search as the fakes read it: alternatives joined by ``OR``, each a list of words and
    quoted phrases that must all be in the paper (``AND`` or a space between them).

    Far less than PubMed's, Crossref's or OpenAlex's query languages, and on purpose: the
    fakes must give counts a test can predict. Field tags (``[tiab]``) and parentheses are
    dropped, so every term is looked for in the title, abstract, journal and authors alike.
    """
    text = _FIELD_TAG.sub(" ", query).replace("(", " ").replace(")", " ")
    alternatives = []
    for part in re.split(r"\s+OR\s+", text.strip()):
        terms = [
            (phrase or word).casefold()
            for phrase, word in _TERM.findall(part)
            if (phrase or word) not in ("AND", "&")
        ]
        if terms:
            alternatives.append(terms)
    return alternatives


def _searchable(paper: FakePaper) -> str:
    authors = " ".join(f"{given} {family}" for family, given in paper.authors)
    parts = (paper.title, paper.abstract or "", paper.journal, authors)
    return " ".join(" ".join(parts).casefold().split())


def _matches(paper: FakePaper, alternatives: list[list[str]]) -> bool:
    text = _searchable(paper)
    return any(
        all(re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) for term in terms)
        for terms in alternatives
    )


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

    def __iter__(self) -> Iterator[FakePaper]:
        return iter(self.papers)

    def by_pmid(self, pmid: str) -> FakePaper | None:
        return self._by_pmid.get(str(pmid).strip().lstrip("0"))

    def by_doi(self, doi: str) -> FakePaper | None:
        return self._by_doi.get(strip_doi(doi).casefold())

    def by_pmcid(self, pmcid: str) -> FakePaper | None:
        return self._by_pmcid.get(_pmcid_key(pmcid))

    def pubmed_papers(self) -> list[FakePaper]:
        return [p for p in self.papers if p.in_pubmed]

    def search(self, query: str, known: Callable[[FakePaper], bool]) -> list[FakePaper]:
        """The papers a service that ``known`` says knows them finds for ``query``, in the
        corpus's order (see :func:`search_terms` for how the fakes read a query)."""
        alternatives = search_terms(query)
        return [p for p in self.papers if known(p) and _matches(p, alternatives)]

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


def make_corpus(n_pmid: int, n_doi_only: int, seed: int = 0) -> Corpus:
    """A deterministic corpus: ``n_pmid`` PubMed papers (PMIDs from 90000001, each with a DOI
    Crossref and OpenAlex know) and ``n_doi_only`` papers with a DOI but no PMID.

    When there are enough slots, the first PubMed and DOI-only ones hold the papers of
    :data:`SPECIAL_PAPERS`, reachable as ``corpus.<name>``.
    """
    specials = n_pmid >= SPECIAL_PMID_SLOTS and n_doi_only >= SPECIAL_DOI_SLOTS
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
