"""The fake services' documents, in each service's published format.

PubMed's efetch XML and esearch JSON, Crossref's work and work-list JSON, OpenAlex's work and
list JSON, rendered from the papers of ``fake_corpus.py``. The servers of
``fake_services.py`` answer with them; ``python -m tests.support.fake_formats tests/fixtures``
rewrites the ``*_synthetic.json`` fixtures from them.
"""

from __future__ import annotations

import calendar
import json
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.support.fake_corpus import DOI_PREFIX, JOURNALS, Corpus, FakePaper, make_corpus

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

BOOK_PUBLISHER = "Synthetic Publishing"
CROSSREF_PUBLISHER = "Synthetic Scholarly Press"
CROSSREF_MEMBER = "99999"

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
    history: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """An esearch ``retmode=json`` response returning ``pmids`` (one page of ``count``).

    ``history`` is the ``(query key, WebEnv)`` of a search run with ``usehistory=y``, which
    E-utilities write between ``retstart`` and ``idlist``.
    """
    total = len(pmids) if count is None else count
    result: dict[str, Any] = {
        "count": str(total),
        "retmax": str(len(pmids)),
        "retstart": str(retstart),
    }
    if history is not None:
        result["querykey"], result["webenv"] = history
    result["idlist"] = list(pmids)
    result["translationset"] = []
    result["querytranslation"] = query_translation
    phrases, fields = list(phrases_not_found), list(fields_not_found)
    if phrases or fields or not total:
        result["errorlist"] = {"phrasesnotfound": phrases, "fieldsnotfound": fields}
    if not total:  # not an empty page of hits (retmax=0 with a history): no hits at all
        result["warninglist"] = {
            "phrasesignored": [],
            "quotedphrasesnotfound": [],
            "outputmessages": ["No items found."],
        }
    return {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}


EFETCH_ERROR_PROLOGUE = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch 20131226//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n'
)


def render_efetch_error(message: str) -> str:
    """What efetch sends instead of records when it cannot use the request: for a WebEnv the
    history server no longer holds, ``Unable to obtain query #1``."""
    body = f"<eFetchResult>\n\t<ERROR>{_x(message)}</ERROR>\n</eFetchResult>\n"
    return EFETCH_ERROR_PROLOGUE + body


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
    papers: list[FakePaper],
    *,
    rows: int = 20,
    offset: int = 0,
    total: int | None = None,
    query: str | None = None,
    next_cursor: str | None = None,
) -> dict[str, Any]:
    """A /works list response: ``papers`` are the page's items; ``next_cursor`` is given to a
    request that pages with ``cursor``."""
    message: dict[str, Any] = {"facets": {}}
    if next_cursor is not None:
        message["next-cursor"] = next_cursor
    message["total-results"] = len(papers) if total is None else total
    message["items"] = [crossref_work(p) for p in papers]
    message["items-per-page"] = rows
    message["query"] = {"start-index": offset, "search-terms": query}
    return {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": message,
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


# The root fields of a work that ``select`` may name (nested ones, e.g. ``ids.pmid``, it may
# not). openalex_work() renders a subset of them; the others are simply absent.
OPENALEX_WORK_FIELDS = frozenset(
    (
        "id", "doi", "title", "display_name", "publication_year", "publication_date", "ids",
        "language", "primary_location", "type", "type_crossref", "authorships",
        "cited_by_count", "is_retracted", "is_paratext", "abstract_inverted_index",
        "updated_date", "created_date", "abbreviated_title", "best_oa_location", "locations",
        "open_access", "biblio", "concepts", "topics", "keywords", "mesh", "referenced_works",
        "related_works", "counts_by_year", "grants", "apc_list", "apc_paid", "fwci",
    )
)  # fmt: skip


def openalex_list(
    papers: list[FakePaper],
    *,
    per_page: int = 25,
    page: int | None = 1,
    total: int | None = None,
    cursor: bool = False,
    next_cursor: str | None = None,
    select: Iterable[str] | None = None,
) -> dict[str, Any]:
    """An OpenAlex /works list response: ``papers`` are the page's results. A page asked
    for with ``cursor`` has no page number and a ``next_cursor`` (null once the results are
    used up); ``select`` keeps only those root fields of each work."""
    meta: dict[str, Any] = {
        "count": len(papers) if total is None else total,
        "db_response_time_ms": 12,
        "page": None if cursor else page,
        "per_page": per_page,
    }
    if cursor:
        meta["next_cursor"] = next_cursor
    meta["groups_count"] = None
    works = [openalex_work(p) for p in papers]
    if select is not None:
        kept = list(select)
        works = [{name: work[name] for name in kept if name in work} for work in works]
    return {"meta": meta, "results": works, "group_by": []}


# --------------------------------------------------------------------------------------------
# Fixtures
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
