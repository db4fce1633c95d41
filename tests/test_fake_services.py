"""The fake PubMed, Crossref and OpenAlex services answer as the real ones do, over real HTTP."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from lxml import etree

from evidence.domain.vocab import Retraction
from evidence.formats.pubmed_xml import PubmedRecord, read_pubmed_xml
from tests.support.fake_corpus import SPECIAL_PAPERS, Corpus, FakePaper, make_corpus
from tests.support.fake_formats import EFETCH_PROLOGUE, fixture_documents, write_fixtures
from tests.support.fake_services import FakeServices, slow, status, truncated

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus(30, 10)


@pytest.fixture
def fake(corpus: Corpus) -> Iterator[FakeServices]:
    with FakeServices(corpus) as services:
        yield services


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def efetch(fake: FakeServices, client: httpx.Client, *pmids: str, **extra: str) -> httpx.Response:
    params = {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml", **extra}
    return client.get(f"{fake.pubmed_url}/efetch.fcgi", params=params)


def esearch(fake: FakeServices, client: httpx.Client, term: str, **extra: str) -> dict:
    params = {"db": "pubmed", "term": term, "retmode": "json", "retmax": "20", **extra}
    response = client.get(f"{fake.pubmed_url}/esearch.fcgi", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def pubmed_records(body: bytes) -> list[PubmedRecord]:
    records = list(read_pubmed_xml(io.BytesIO(body)))
    assert all(isinstance(r, PubmedRecord) for r in records)
    return records


# -- corpus ---------------------------------------------------------------------------------


def test_the_corpus_is_deterministic_synthetic_and_holds_the_special_papers(
    corpus: Corpus,
) -> None:
    again = make_corpus(30, 10)
    assert [(p.pmid, p.doi, p.title) for p in again] == [(p.pmid, p.doi, p.title) for p in corpus]
    assert make_corpus(30, 10, seed=1).papers[10].title != corpus.papers[10].title
    assert len(corpus.pubmed_papers()) == 30 and len(corpus.doi_only_papers()) == 10
    for paper in corpus:
        assert paper.pmid is None or int(paper.pmid) > 90000000
        assert paper.doi is None or paper.doi.startswith("10.5555/")
        assert paper.pmcid is None or paper.pmcid.startswith("PMC9")
        for ref_type, notice in paper.pubmed_notices:
            assert int(notice) > 90000000 and corpus.by_pmid(notice) is None, ref_type
    assert any(p.doi and p.doi != p.doi.lower() for p in corpus)  # some registered upper case
    designs = {t for p in corpus.pubmed_papers() for t in p.publication_types}
    assert {"Randomized Controlled Trial", "Meta-Analysis", "Systematic Review"} <= designs
    assert {"Observational Study", "Case Reports", "Review", "Journal Article"} <= designs

    assert set(corpus.special) == set(SPECIAL_PAPERS)
    assert "Retracted Publication" in corpus.retracted.publication_types
    assert (
        "RetractionIn",
        corpus.retracted.pubmed_notices[0][1],
    ) in corpus.retracted.pubmed_notices
    assert corpus.expression_of_concern.pubmed_notices[0][0] == "ExpressionOfConcernIn"
    assert corpus.corrected.pubmed_notices[0][0] == "ErratumIn"
    assert corpus.republished.pubmed_notices[0][0] == "RetractedandRepublishedIn"
    assert corpus.book.is_book and corpus.book.in_pubmed and not corpus.book.in_crossref
    assert corpus.crossref_retracted.pmid is None
    assert corpus.crossref_retracted.crossref_updates[0]["source"] == "retraction-watch"
    assert corpus.partial_date.pmid is None and corpus.partial_date.crossref_date_parts == [None]
    only = corpus.openalex_only_retracted
    assert only.openalex_retracted and not only.crossref_updates and not only.pubmed_notices
    assert "Retracted Publication" not in only.publication_types
    missing = corpus.crossref_missing
    assert missing.in_pubmed and missing.in_openalex and not missing.in_crossref

    with pytest.raises(LookupError):
        _ = make_corpus(3, 0).retracted


def test_lookups_additions_and_unknown_identifiers() -> None:
    corpus = make_corpus(10, 3)
    upper = next(p for p in corpus if p.doi and p.doi != p.doi.lower())
    assert corpus.by_doi(upper.doi.lower()) is upper
    assert corpus.by_doi(f"https://doi.org/{upper.doi}") is upper
    with_pmcid = next(p for p in corpus if p.pmcid)
    assert corpus.by_pmcid(with_pmcid.pmcid.lower()) is with_pmcid
    assert corpus.by_pmid(with_pmcid.pmid) is with_pmcid

    added = corpus.add(FakePaper(pmid="90555001", doi="10.5555/Test.Added", title="Added"))
    assert added.openalex_id and corpus.by_doi("10.5555/test.added") is added
    with pytest.raises(ValueError, match="already"):
        corpus.add(FakePaper(doi="10.5555/TEST.ADDED"))

    pmids = {corpus.unknown_pmid() for _ in range(3)}
    dois = {corpus.unknown_doi() for _ in range(3)}
    assert len(pmids) == 3 and all(int(p) > 90000000 and not corpus.by_pmid(p) for p in pmids)
    assert len(dois) == 3 and all(d.startswith("10.5555/") and not corpus.by_doi(d) for d in dois)


# -- PubMed ---------------------------------------------------------------------------------


def test_efetch_returns_the_requested_articles_in_order_and_leaves_unknown_ones_out(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    third, first = corpus.pubmed_papers()[12], corpus.pubmed_papers()[8]
    response = efetch(fake, client, third.pmid, corpus.unknown_pmid(), first.pmid)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.startswith(EFETCH_PROLOGUE)
    root = etree.fromstring(response.content)  # well-formed
    assert root.tag == "PubmedArticleSet"
    assert [a.findtext("MedlineCitation/PMID") for a in root] == [third.pmid, first.pmid]
    records = pubmed_records(response.content)
    assert [(r.pmid, r.doi, r.pmcid) for r in records] == [
        (p.pmid, p.doi.lower(), p.pmcid) for p in (third, first)
    ]
    assert records[0].title == third.title and records[0].year == third.year


def test_efetch_by_post_and_the_special_papers_read_back(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    specials = [
        corpus.retracted,
        corpus.expression_of_concern,
        corpus.corrected,
        corpus.republished,
        corpus.book,
    ]
    response = client.post(
        f"{fake.pubmed_url}/efetch.fcgi",
        data={"db": "pubmed", "id": ",".join(p.pmid for p in specials), "retmode": "xml"},
    )
    assert response.status_code == 200
    records = pubmed_records(response.content)
    assert [r.pmid for r in records] == [p.pmid for p in specials]
    assert [r.retraction for r in records] == [
        Retraction.retracted,
        Retraction.expression_of_concern,
        Retraction.corrected,
        Retraction.retracted_and_republished,
        None,
    ]
    book = records[-1]
    assert book.is_book and book.title == corpus.book.title and book.doi is None
    root = etree.fromstring(response.content)
    assert root[-1].tag == "PubmedBookArticle"
    assert root[-1].findtext("BookDocument/Book/BookTitle") == corpus.book.journal


def test_efetch_escapes_text_and_renders_structured_abstracts(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    paper = corpus.add(
        FakePaper(
            pmid="90777001",
            doi="10.5555/Escape.<1>",
            title='Pain & "function" in <b>adults</b>',
            authors=[("O'Brien", "Zoë")],
            abstract="BACKGROUND: a < b & c.\nRESULTS: fine.",
        )
    )
    response = efetch(fake, client, paper.pmid)
    root = etree.fromstring(response.content)
    article = root.find("PubmedArticle/MedlineCitation/Article")
    assert article is not None
    assert article.findtext("ArticleTitle") == paper.title
    assert article.find("AuthorList/Author/ForeName").text == "Zoë"
    labels = [(t.get("Label"), t.text) for t in article.findall("Abstract/AbstractText")]
    assert labels == [("BACKGROUND", "a < b & c."), ("RESULTS", "fine.")]
    (record,) = pubmed_records(response.content)
    assert record.abstract == paper.abstract


def test_efetch_reference_lists_carry_other_papers_ids(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    citing = [p for p in corpus.pubmed_papers() if p.cited][:5]
    assert citing
    response = efetch(fake, client, *(p.pmid for p in citing))
    root = etree.fromstring(response.content)
    for article, paper in zip(root, citing, strict=True):
        own = {i.text for i in article.findall("PubmedData/ArticleIdList/ArticleId")}
        cited = {i.text for i in article.findall("PubmedData/ReferenceList//ArticleId")}
        assert cited and not own & cited
        assert cited == {x for pair in paper.cited for x in pair if x}
        for pmid in (i.text for i in article.iterfind(".//Reference//ArticleId[@IdType='pubmed']")):
            assert corpus.by_pmid(pmid) is not None and pmid != paper.pmid
    for record, paper in zip(pubmed_records(response.content), citing, strict=True):
        assert record.pmid == paper.pmid  # the reader takes the article's own ids only


def test_efetch_of_unknown_ids_is_an_empty_set(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    response = efetch(fake, client, corpus.unknown_pmid(), corpus.unknown_pmid())
    assert response.status_code == 200
    assert response.text == EFETCH_PROLOGUE + "<PubmedArticleSet></PubmedArticleSet>\n"
    assert not pubmed_records(response.content)


def test_esearch_maps_dois_and_pmcids_to_pmids(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    papers = corpus.pubmed_papers()
    a, b, c = papers[9], papers[14], papers[20]
    with_pmcid = next(p for p in papers[21:] if p.pmcid)
    term = " OR ".join(
        [
            f"{a.doi.upper()}[doi]",
            f'"{b.doi.lower()}"[doi]',
            f"{c.doi}[DOI]",
            f"{with_pmcid.pmcid}[pmcid]",
            f"{corpus.unknown_doi()}[doi]",
            f"{corpus.partial_date.doi}[doi]",  # in Crossref only: PubMed does not know it
        ]
    )
    result = esearch(fake, client, term)
    assert result["header"] == {"type": "esearch", "version": "0.3"}
    found = result["esearchresult"]
    wanted = sorted([a.pmid, b.pmid, c.pmid, with_pmcid.pmid], key=int)
    assert found["idlist"] == wanted and found["count"] == "4" and found["retmax"] == "4"
    assert found["retstart"] == "0" and found["translationset"] == []
    assert len(found["errorlist"]["phrasesnotfound"]) == 2

    capped = esearch(fake, client, term, retmax="2")["esearchresult"]
    assert capped["idlist"] == wanted[:2] and capped["count"] == "4" and capped["retmax"] == "2"

    posted = client.post(
        f"{fake.pubmed_url}/esearch.fcgi",
        data={"db": "pubmed", "term": term, "retmode": "json", "retmax": "20"},
    ).json()
    assert posted["esearchresult"]["idlist"] == wanted


def test_esearch_without_hits_reports_what_it_did_not_find(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    found = esearch(fake, client, f"{corpus.unknown_doi()}[doi]")["esearchresult"]
    assert found["count"] == "0" and found["retmax"] == "0" and found["idlist"] == []
    assert set(found["errorlist"]) == {"phrasesnotfound", "fieldsnotfound"}
    assert found["errorlist"]["phrasesnotfound"]


def test_esearch_default_retmax_is_20(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    papers = [p for p in corpus.pubmed_papers() if p.doi][:25]
    term = " OR ".join(f"{p.doi}[doi]" for p in papers)
    response = client.get(
        f"{fake.pubmed_url}/esearch.fcgi", params={"db": "pubmed", "term": term, "retmode": "json"}
    )
    found = response.json()["esearchresult"]
    assert found["count"] == "25" and len(found["idlist"]) == 20


# -- Crossref -------------------------------------------------------------------------------


def test_crossref_list_matches_dois_in_any_case(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    upper = next(p for p in corpus.doi_only_papers() if p.doi != p.doi.lower())
    wanted = [corpus.crossref_retracted, corpus.partial_date, upper]
    dois = [corpus.crossref_retracted.doi, corpus.partial_date.doi.upper(), upper.doi.lower()]
    filters = [f"doi:{d}" for d in dois] + [f"doi:{corpus.unknown_doi()}"]
    filters.append(f"doi:{corpus.crossref_missing.doi}")  # Crossref does not know it
    response = client.get(
        f"{fake.crossref_url}/works",
        params={"filter": ",".join(filters), "rows": "10", "mailto": "t@example.org"},
    )
    assert response.status_code == 200
    assert response.headers["X-Rate-Limit-Limit"] == "3"
    assert response.headers["X-Rate-Limit-Interval"] == "1s"
    assert response.headers["X-Concurrency-Limit"] == "3"
    data = response.json()
    assert {k: data[k] for k in ("status", "message-type", "message-version")} == {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
    }
    message = data["message"]
    assert message["total-results"] == 3 and message["items-per-page"] == 10
    assert message["query"] == {"start-index": 0, "search-terms": None}
    items = {item["DOI"]: item for item in message["items"]}
    assert set(items) == {p.doi for p in wanted}  # as registered, original case
    retracted = items[corpus.crossref_retracted.doi]
    (update,) = retracted["updated-by"]
    assert (update["type"], update["source"], update["label"]) == (
        "retraction",
        "retraction-watch",
        "Retraction",
    )
    assert update["DOI"].startswith("10.5555/") and update["record-id"]
    assert update["updated"]["date-parts"][0][0] > 1900
    partial = items[corpus.partial_date.doi]
    assert partial["issued"] == {"date-parts": [[None]]} and "published-online" in partial
    assert "updated-by" not in items[upper.doi]
    item = items[upper.doi]
    assert item["title"] == [upper.title] and item["container-title"] == [upper.journal]
    assert item["URL"] == f"https://doi.org/{upper.doi}" and item["type"] == "journal-article"
    assert item["author"][0]["sequence"] == "first" and item["prefix"] == "10.5555"


def test_crossref_single_record_and_not_found(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    paper = corpus.expression_of_concern
    encoded = paper.doi.replace("/", "%2F")
    for path in (encoded, paper.doi.upper()):
        response = client.get(f"{fake.crossref_url}/works/{path}")
        assert response.status_code == 200
        assert response.headers["X-Rate-Limit-Limit"] == "10"
        assert response.headers["X-Concurrency-Limit"] == "3"
        data = response.json()
        assert data["message-type"] == "work" and data["status"] == "ok"
        work = data["message"]
        assert work["DOI"] == paper.doi
        assert work["abstract"].count("<jats:p>") == 4
        assert work["updated-by"][0]["type"] == "expression_of_concern"
        assert work["updated-by"][0]["source"] == "publisher"

    for doi in (corpus.unknown_doi(), corpus.crossref_missing.doi):
        response = client.get(f"{fake.crossref_url}/works/{doi}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Resource not found."
        assert response.headers["X-Rate-Limit-Limit"] == "10"


@pytest.mark.parametrize(
    "params",
    [
        {"filter": "from-pub-date:2020"},
        {"filter": "doi:10.5555/ok", "rows": "1001"},
        {"filter": "doi:10.5555/ok", "row": "5"},
    ],
)
def test_crossref_rejects_bad_queries(
    fake: FakeServices, client: httpx.Client, params: dict[str, str]
) -> None:
    response = client.get(f"{fake.crossref_url}/works", params=params)
    assert response.status_code == 400
    data = response.json()
    assert data["status"] == "failed" and data["message-type"] == "validation-failure"
    (problem,) = data["message"]
    assert set(problem) == {"type", "value", "message"}
    assert response.headers["X-Rate-Limit-Limit"] == "3"


# -- OpenAlex -------------------------------------------------------------------------------


def test_openalex_filter_by_doi(fake: FakeServices, client: httpx.Client, corpus: Corpus) -> None:
    wanted = [corpus.retracted, corpus.openalex_only_retracted, corpus.crossref_missing]
    plain = next(p for p in corpus.pubmed_papers() if p.pmcid and p.abstract and p.doi)
    values = [f"https://doi.org/{p.doi.upper()}" for p in wanted]
    values += [plain.doi, corpus.unknown_doi()]  # bare DOIs are accepted too
    response = client.get(
        f"{fake.openalex_url}/works",
        params={"filter": "doi:" + "|".join(values), "per-page": "50", "mailto": "t@example.org"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["count"] == 4 and data["meta"]["per_page"] == 50 and data["group_by"] == []
    works = {w["doi"]: w for w in data["results"]}
    assert set(works) == {f"https://doi.org/{p.doi.lower()}" for p in [*wanted, plain]}
    flags = {w["ids"]["pmid"].rsplit("/", 1)[1]: w["is_retracted"] for w in works.values()}
    assert flags[corpus.retracted.pmid] and flags[corpus.openalex_only_retracted.pmid]
    assert not flags[corpus.crossref_missing.pmid]
    work = works[f"https://doi.org/{plain.doi.lower()}"]
    assert (
        work["id"].startswith("https://openalex.org/W9") and work["ids"]["openalex"] == work["id"]
    )
    assert work["ids"]["pmcid"].endswith("/" + plain.pmcid[3:])
    assert work["publication_year"] == plain.year and work["type"] == "article"
    assert work["primary_location"]["source"]["display_name"] == plain.journal
    assert work["authorships"][0]["author"]["display_name"].endswith(plain.authors[0][0])
    positions = sorted((p, w) for w, ps in work["abstract_inverted_index"].items() for p in ps)
    assert " ".join(w for _, w in positions) == " ".join(plain.abstract.split())


def test_openalex_limits_or_values_and_page_size(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    dois = [p.doi for p in corpus if p.doi]
    hundred = dois + [corpus.unknown_doi() for _ in range(100 - len(dois))]
    response = client.get(
        f"{fake.openalex_url}/works",
        params={"filter": "doi:" + "|".join(hundred), "per-page": "100"},
    )
    assert response.status_code == 200
    assert response.json()["meta"]["count"] == len([p for p in corpus if p.in_openalex])

    for params in (
        {"filter": "doi:" + "|".join([*hundred, corpus.unknown_doi()]), "per-page": "100"},
        {"filter": f"doi:{dois[0]}", "per-page": "101"},
        {"filter": f"title:{dois[0]}"},
    ):
        response = client.get(f"{fake.openalex_url}/works", params=params)
        assert response.status_code == 400
        data = response.json()
        assert data["error"] == "Invalid query parameters error." and data["message"]


def test_openalex_single_work_by_doi_url_and_not_found(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    paper = corpus.crossref_missing  # OpenAlex knows it where Crossref does not
    response = client.get(f"{fake.openalex_url}/works/https://doi.org/{paper.doi.upper()}")
    assert response.status_code == 200
    work = response.json()
    assert work["doi"] == f"https://doi.org/{paper.doi.lower()}" and work["title"] == paper.title
    missing = client.get(f"{fake.openalex_url}/works/https://doi.org/{corpus.unknown_doi()}")
    assert missing.status_code == 404 and missing.json()["message"] == "Work not found."


# -- faults ---------------------------------------------------------------------------------


def test_status_faults_happen_once_each_then_service_resumes(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    fake.inject("crossref", status(429), status(429, retry_after=2), status(503), status(500))
    url = f"{fake.crossref_url}/works/{corpus.crossref_retracted.doi}"
    first, second, third, fourth, fifth = (client.get(url) for _ in range(5))
    assert first.status_code == 429 and "retry-after" not in first.headers
    assert second.status_code == 429 and second.headers["retry-after"] == "2"
    assert third.status_code == 503 and fourth.status_code == 500
    assert fifth.status_code == 200 and fifth.json()["message"]["DOI"]
    assert fake.count_429("crossref") == 2 and fake.count("crossref") == 5
    assert [r.fault for r in fake.requests("crossref")] == ["status"] * 4 + [None]

    fake.inject("openalex", status(404, body='{"x": 1}', content_type="application/json"))
    response = client.get(f"{fake.openalex_url}/works", params={"filter": "doi:10.5555/a"})
    assert response.status_code == 404 and response.json() == {"x": 1}
    assert client.get(f"{fake.openalex_url}/works").status_code == 200


def test_slow_answers_outlast_the_client_timeout(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    fake.inject("openalex", slow(2.0))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.get(f"{fake.openalex_url}/works", timeout=0.2)
    assert time.monotonic() - started < 1.5
    assert client.get(f"{fake.openalex_url}/works", timeout=2).status_code == 200


def test_truncated_bodies_break_the_connection(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    fake.inject("pubmed", truncated())
    pmid = corpus.pubmed_papers()[11].pmid
    with pytest.raises(httpx.RemoteProtocolError):
        efetch(fake, client, pmid)
    assert efetch(fake, client, pmid).status_code == 200

    fake.inject("crossref", truncated())
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(f"{fake.crossref_url}/works/{corpus.partial_date.doi}")


def test_a_fault_can_stick_to_one_identifier(
    fake: FakeServices, client: httpx.Client, corpus: Corpus
) -> None:
    cursed, fine = corpus.crossref_retracted.doi, corpus.partial_date.doi
    fake.fail_always("crossref", cursed.upper(), status(500))
    for _ in range(2):
        assert client.get(f"{fake.crossref_url}/works/{cursed}").status_code == 500
        assert client.get(f"{fake.crossref_url}/works/{fine}").status_code == 200
    listed = client.get(f"{fake.crossref_url}/works", params={"filter": f"doi:{fine},doi:{cursed}"})
    assert listed.status_code == 500
    fake.clear_faults("crossref")
    assert client.get(f"{fake.crossref_url}/works/{cursed}").status_code == 200

    fake.fail_always("pubmed", lambda record: record.path.endswith("esearch.fcgi"), status(503))
    assert client.get(f"{fake.pubmed_url}/esearch.fcgi", params={"term": "x"}).status_code == 503
    assert efetch(fake, client, corpus.retracted.pmid).status_code == 200


# -- limits, latency and the log ------------------------------------------------------------


def wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def test_requests_beyond_the_window_get_429_and_rejected_ones_do_not_count(
    corpus: Corpus, client: httpx.Client
) -> None:
    # a window of 2 s: the five requests must all fall in it, on a loaded 2-core machine too
    # (at 0.4 s they once did not, and the third got a 200)
    with FakeServices(corpus, limits={"openalex": (2, 2.0)}) as fake:
        url = f"{fake.openalex_url}/works"
        codes = [client.get(url).status_code for _ in range(4)]
        assert codes == [200, 200, 429, 429]
        rejected = client.get(url)
        assert rejected.json()["error"] == "Rate limit exceeded" and rejected.json()["message"]
        assert fake.count_429("openalex") == 3 and fake.count("openalex") == 5
        first = fake.requests("openalex")[0].started
        assert time.monotonic() < first + 2.0, "the requests took longer than the window"
        wait_until(first + 2.05)
        assert client.get(url).status_code == 200  # the 429s did not fill the window


def test_paced_requests_stay_within_the_window(corpus: Corpus, client: httpx.Client) -> None:
    with FakeServices(corpus, limits={"openalex": (2, 0.3)}) as fake:
        start = time.monotonic()
        for n in range(5):
            wait_until(start + n * 0.2)
            assert client.get(f"{fake.openalex_url}/works").status_code == 200
        assert fake.count_429("openalex") == 0


def test_pubmed_limits_are_higher_with_an_api_key(corpus: Corpus, client: httpx.Client) -> None:
    limits = {"pubmed": (1, 5.0), "pubmed_api_key": (3, 5.0)}
    with FakeServices(corpus, limits=limits) as fake:
        pmid = corpus.retracted.pmid
        assert efetch(fake, client, pmid).status_code == 200
        refused = efetch(fake, client, pmid)
        assert refused.status_code == 429 and "retry-after" not in refused.headers
        assert refused.headers["content-type"].startswith("application/json")
        assert refused.json() == {
            "error": "API rate limit exceeded",
            "api-key": "127.0.0.1",
            "count": "2",
            "limit": "1",
        }
        codes = [efetch(fake, client, pmid, api_key="k").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


def test_enforce_limits_uses_the_published_defaults(corpus: Corpus, client: httpx.Client) -> None:
    with FakeServices(corpus, enforce_limits=True) as fake:
        codes = [client.get(f"{fake.crossref_url}/works").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.get(f"{fake.crossref_url}/works")
        assert refused.headers["retry-after"] == "1" and refused.json()
        doi = corpus.partial_date.doi
        # single-record lookups have their own, larger window
        codes = [client.get(f"{fake.crossref_url}/works/{doi}").status_code for _ in range(10)]
        assert codes == [200] * 10


def test_crossref_refuses_a_fourth_concurrent_request(corpus: Corpus, client: httpx.Client) -> None:
    with FakeServices(corpus, latency=0.3, enforce_limits=["crossref"]) as fake:
        url = f"{fake.crossref_url}/works/{corpus.partial_date.doi}"
        barrier = threading.Barrier(4)

        def fetch(_: int) -> httpx.Response:
            barrier.wait()
            return client.get(url)

        with ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(fetch, range(4)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 200, 200, 429]
        refused = next(r for r in responses if r.status_code == 429)
        assert refused.headers["retry-after"] == "1"
        assert client.get(url).status_code == 200  # the others are done: room again


def test_latency_delays_each_response_but_requests_overlap(
    corpus: Corpus, client: httpx.Client
) -> None:
    with FakeServices(corpus, latency=0.3) as fake:
        started = time.monotonic()
        assert client.get(f"{fake.openalex_url}/works").status_code == 200
        assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        with ThreadPoolExecutor(5) as pool:
            codes = list(pool.map(lambda _: client.get(f"{fake.openalex_url}/works"), range(5)))
        assert codes and all(r.status_code == 200 for r in codes)
        assert time.monotonic() - started < 1.0


def test_the_request_log(fake: FakeServices, client: httpx.Client, corpus: Corpus) -> None:
    before = time.monotonic()
    client.post(
        f"{fake.pubmed_url}/efetch.fcgi?tool=evidence",
        data={"db": "pubmed", "id": corpus.retracted.pmid, "email": "t@example.org"},
    )
    client.get(f"{fake.crossref_url}/works/{corpus.unknown_doi()}")
    (record,) = fake.requests("pubmed")
    assert (record.method, record.path, record.status) == (
        "POST",
        "/entrez/eutils/efetch.fcgi",
        200,
    )
    assert record.params == {
        "tool": "evidence",
        "db": "pubmed",
        "id": corpus.retracted.pmid,
        "email": "t@example.org",
    }
    assert before <= record.started <= time.monotonic()
    assert fake.requests("crossref")[0].status == 404
    assert (fake.count("pubmed"), fake.count("crossref"), fake.count("openalex")) == (1, 1, 0)
    fake.reset_log()
    assert fake.count("pubmed") == fake.count("crossref") == 0
    with pytest.raises(ValueError):
        fake.count("scopus")


def test_urls_env_and_shutdown(corpus: Corpus) -> None:
    with FakeServices(corpus) as fake:
        urls = fake.env()
        assert urls == {
            "EVIDENCE_PUBMED_URL": fake.pubmed_url,
            "EVIDENCE_CROSSREF_URL": fake.crossref_url,
            "EVIDENCE_OPENALEX_URL": fake.openalex_url,
        }
        assert fake.pubmed_url.endswith("/entrez/eutils")
        hosts = {u.split("/")[2] for u in urls.values()}
        assert len(hosts) == 3 and all(h.startswith("127.0.0.1:") for h in hosts)
        with httpx.Client() as http:  # a keep-alive connection still open at exit
            assert http.get(f"{fake.openalex_url}/works").status_code == 200
            fake.stop()
            with pytest.raises(httpx.TransportError):
                http.get(f"{fake.openalex_url}/works", timeout=1)


# -- static fixtures ------------------------------------------------------------------------


def test_the_json_fixtures_are_what_the_renderers_produce() -> None:
    for name, document in fixture_documents().items():
        stored = json.loads((FIXTURES / name).read_text("utf-8"))
        assert stored == document, f"{name} is stale: python -m tests.support.fake_formats"
    work_list = json.loads((FIXTURES / "crossref_work_list_synthetic.json").read_text("utf-8"))
    items = work_list["message"]["items"]
    assert len(items) == 3
    assert len(items[0]["issued"]["date-parts"][0]) == 3 and "updated-by" not in items[0]
    assert items[1]["issued"] == {"date-parts": [[None]]} and "published-online" in items[1]
    assert items[2]["updated-by"][0]["source"] == "retraction-watch"
    work = json.loads((FIXTURES / "crossref_work_synthetic.json").read_text("utf-8"))["message"]
    assert work["updated-by"][0]["type"] == "expression_of_concern"
    assert "<jats:p>" in work["abstract"]
    openalex = json.loads((FIXTURES / "openalex_works_synthetic.json").read_text("utf-8"))
    assert [w["is_retracted"] for w in openalex["results"]] == [True, False]
    assert all(w["abstract_inverted_index"] for w in openalex["results"])
    text = " ".join((FIXTURES / name).read_text("utf-8") for name in fixture_documents())
    assert set(re.findall(r"\b10\.\d{4,9}/", text)) == {"10.5555/"}
    assert all(int(n) > 90000000 for n in re.findall(r"\b9\d{7}\b", text))


def test_the_fixture_writer_reproduces_the_files_byte_for_byte(tmp_path: Path) -> None:
    for written in write_fixtures(tmp_path):
        assert written.read_bytes() == (FIXTURES / written.name).read_bytes(), written.name
