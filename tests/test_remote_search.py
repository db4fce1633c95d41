"""Literature searches (remote/searching.py and its three clients) against the fake PubMed,
Crossref and OpenAlex on 127.0.0.1: paging to the limit or to the end, the fewest requests,
the pace, every fault the services send, a WebEnv and a cursor that expire."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from evidence import settings as evidence_settings
from evidence.errors import InvalidValue, MissingValue, ServiceFailure, ValidationFailure
from evidence.remote import http as remote_http
from evidence.remote.http import Http, Traffic, make_client
from evidence.remote.openalex_search import SELECT
from evidence.remote.pubmed_search import search_pubmed
from evidence.remote.searching import MAX_LIMIT, SearchResult, search
from evidence.settings import Settings
from tests.support.fake_corpus import Corpus, FakePaper, make_corpus
from tests.support.fake_formats import crossref_work_list, render_efetch_xml
from tests.support.fake_services import FakeServices, Fault, RequestRecord, status, truncated

EMAIL = "curator@example.org"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    # 2,600 PubMed papers and 400 DOI-only ones, every title "(synthetic ...)"; a paper with
    # no DOI that only PubMed and OpenAlex know, to read a work without one
    papers = make_corpus(2600, 400)
    papers.add(
        FakePaper(
            pmid="90009999",
            title="Synthetic gait retraining for runners without a DOI (synthetic x1).",
            abstract="A synthetic report of a work that has no DOI.",
            in_openalex=True,
        )
    )
    return papers


@pytest.fixture
def fake(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    monkeypatch.setattr(remote_http, "BACKOFF", 0.01)
    with FakeServices(corpus, enforce_limits=True) as services:
        yield services


def settings_for(fake: FakeServices, tmp_path: Path, **env: str) -> Settings:
    return evidence_settings.from_environment(
        {
            "EVIDENCE_DATA_DIR": str(tmp_path),
            "EVIDENCE_CONTACT_EMAIL": EMAIL,
            "EVIDENCE_HTTP_RETRIES": "3",
            "EVIDENCE_HTTP_TIMEOUT": "5",
            **fake.env(),
            **env,
        }
    )


def run(
    fake: FakeServices, tmp_path: Path, database: str, query: str, limit: int, **env: str
) -> tuple[SearchResult, list[tuple[int, int]]]:
    seen: list[tuple[int, int]] = []
    result = search(
        database,
        query,
        settings_for(fake, tmp_path, **env),
        limit=limit,
        progress=lambda done, of: seen.append((done, of)),
        backoff=0.01,
    )
    return result, seen


def run_pubmed(
    fake: FakeServices, tmp_path: Path, limit: int, batch: int, **env: str
) -> tuple[SearchResult, list[tuple[int, int]]]:
    """A PubMed search for "synthetic" fetched ``batch`` records a request."""
    settings = settings_for(fake, tmp_path, **env)
    seen: list[tuple[int, int]] = []

    async def go() -> SearchResult:
        client = make_client(settings)
        http = Http(settings, Traffic(), backoff=0.01, client=client)
        try:
            return await search_pubmed(
                http,
                settings,
                "synthetic",
                limit=limit,
                batch=batch,
                progress=lambda done, of: seen.append((done, of)),
            )
        finally:
            await client.aclose()

    return asyncio.run(go()), seen


def once(predicate: Callable[[RequestRecord], bool]) -> Callable[[RequestRecord], bool]:
    """A fault's predicate that holds for the first matching request only."""
    lock, fired = threading.Lock(), [False]

    def first(record: RequestRecord) -> bool:
        with lock:
            if fired[0] or not predicate(record):
                return False
            fired[0] = True
            return True

    return first


def efetch(record: RequestRecord) -> bool:
    return record.path.endswith("/efetch.fcgi")


def esearch(record: RequestRecord) -> bool:
    return record.path.endswith("/esearch.fcgi")


def nth_page(n: int) -> Callable[[RequestRecord], bool]:
    """Crossref's or OpenAlex's n-th list request (1: the one with cursor=*)."""
    count = [0]
    lock = threading.Lock()

    def match(record: RequestRecord) -> bool:
        if record.path.rstrip("/") != "/works":
            return False
        with lock:
            count[0] += 1
            return count[0] == n

    return match


def pmids(papers: list[FakePaper]) -> list[str | None]:
    return [p.pmid for p in papers]


def dois(papers: list[FakePaper]) -> list[str | None]:
    return [p.doi.lower() if p.doi else None for p in papers]


def in_pubmed(paper: FakePaper) -> bool:
    return bool(paper.in_pubmed and paper.pmid)


def in_crossref(paper: FakePaper) -> bool:
    return bool(paper.in_crossref and paper.doi)


def in_openalex(paper: FakePaper) -> bool:
    return bool(paper.in_openalex)


def assert_progress(seen: list[tuple[int, int]], wanted: int) -> None:
    assert seen, "no progress reported"
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (wanted, wanted)


# -- the fakes answer in the services' formats -----------------------------------------------


def test_the_fake_services_search_in_their_real_formats(fake: FakeServices) -> None:
    with httpx.Client(timeout=5) as client:
        asked = {"term": "synthetic", "usehistory": "y", "retmode": "json", "retmax": "0"}
        found = client.post(f"{fake.pubmed_url}/esearch.fcgi", data=asked).json()["esearchresult"]
        assert list(found)[:6] == ["count", "retmax", "retstart", "querykey", "webenv", "idlist"]
        assert (found["retmax"], found["idlist"], found["querykey"]) == ("0", [], "1")
        assert "warninglist" not in found  # hits, none of them listed: not "No items found"
        history = {"WebEnv": found["webenv"], "query_key": "1", "retmode": "xml"}
        gone = client.get(
            f"{fake.pubmed_url}/efetch.fcgi", params={**history, "WebEnv": "MCID_unknown"}
        )
        assert gone.status_code == 200
        assert "<eFetchResult>\n\t<ERROR>Unable to obtain query #1</ERROR>" in gone.text
        too_many = client.get(
            f"{fake.pubmed_url}/efetch.fcgi", params={**history, "retmax": "10001"}
        )
        assert too_many.status_code == 400

        first = client.get(
            f"{fake.crossref_url}/works", params={"query": "synthetic", "rows": "2", "cursor": "*"}
        ).json()["message"]
        assert list(first)[:3] == ["facets", "next-cursor", "total-results"]
        again = client.get(
            f"{fake.crossref_url}/works", params={"cursor": first["next-cursor"], "rows": "2"}
        ).json()["message"]
        # a scroll: the same cursor string, the next page
        assert again["next-cursor"] == first["next-cursor"]
        assert again["items"][0]["DOI"] not in {item["DOI"] for item in first["items"]}

        params = {"search": "heel pain", "per-page": "100", "cursor": "*", "select": "id,doi"}
        page = client.get(f"{fake.openalex_url}/works", params=params).json()
        assert page["meta"]["page"] is None and page["meta"]["next_cursor"]
        assert set(page["results"][0]) == {"id", "doi"}
        while page["results"]:  # the end: no results and a null cursor
            last = page
            params["cursor"] = page["meta"]["next_cursor"]
            page = client.get(f"{fake.openalex_url}/works", params=params).json()
        assert page["meta"]["next_cursor"] is None and last["meta"]["next_cursor"]
        wrong = client.get(f"{fake.openalex_url}/works", params={**params, "select": "ids.pmid"})
        assert wrong.status_code == 400


# -- PubMed -----------------------------------------------------------------------------------


def test_2000_pubmed_records_take_one_esearch_and_one_efetch_at_the_pace(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    hits = corpus.search("synthetic", in_pubmed)
    result, seen = run(fake, tmp_path, "pubmed", "synthetic", 2000)

    assert (result.database, result.total, len(result.records)) == ("pubmed", len(hits), 2000)
    assert [r.pmid for r in result.records] == pmids(hits[:2000])
    assert result.requests == 2 and result.complete
    assert_progress(seen, 2000)
    # the records are PubMed's, whole: abstract, publication types, journal, year, DOI
    paper = hits[100]
    record = result.records[100]
    assert record.service == "pubmed" and record.doi == (paper.doi or "").lower()
    assert (record.journal, record.year) == (paper.journal, paper.year)
    assert list(record.publication_types) == paper.publication_types
    assert bool(record.abstract) == bool(paper.abstract)

    search_request, fetch_request = fake.requests("pubmed")
    assert search_request.method == "POST" and search_request.params["usehistory"] == "y"
    assert (search_request.params["retmax"], search_request.params["term"]) == ("0", "synthetic")
    assert search_request.params["email"] == EMAIL and search_request.params["tool"]
    assert fetch_request.params["retstart"] == "0" and fetch_request.params["retmax"] == "2000"
    assert fetch_request.params["query_key"] == "1"
    assert fetch_request.params["WebEnv"].startswith("MCID_")
    # the pace: the efetch waited for its turn (3 a second without an API key)
    gap = fetch_request.started - search_request.started
    assert gap >= 1 / 3 - 0.02
    floor = 2 / 3  # the fewest requests (2) at 3 a second
    print(
        f"\nPubMed, 2,000 records from the fake: {result.seconds:.3f} s in {result.requests} "
        f"requests; pacing floor {floor:.3f} s (target <= {1.25 * floor:.3f} s); "
        f"esearch-to-efetch gap {gap:.3f} s"
    )
    assert result.seconds >= gap
    assert result.seconds < 3 * floor  # loose: a slow machine, not a slow client


@pytest.mark.parametrize(
    ("limit", "batch", "expected"),
    [(1200, 500, [(0, 500), (500, 500), (1000, 200)]), (400, 10000, [(0, 400)])],
)
def test_pubmed_pages_come_in_the_fewest_efetch_requests(
    fake: FakeServices,
    corpus: Corpus,
    tmp_path: Path,
    limit: int,
    batch: int,
    expected: list[tuple[int, int]],
) -> None:
    result, seen = run_pubmed(fake, tmp_path, limit, batch)
    assert [r.pmid for r in result.records] == pmids(corpus.search("synthetic", in_pubmed))[:limit]
    fetches = [r for r in fake.requests("pubmed") if efetch(r)]
    asked = sorted((int(r.params["retstart"]), int(r.params["retmax"])) for r in fetches)
    assert asked == expected
    assert result.requests == 1 + len(expected)
    assert_progress(seen, limit)
    assert not fake.count_429("pubmed")


@pytest.mark.parametrize(("key", "per_second"), [(None, 3), ("synthetic-key", 10)])
def test_pubmed_keeps_to_3_requests_a_second_or_10_with_an_api_key(
    fake: FakeServices, tmp_path: Path, key: str | None, per_second: int
) -> None:
    env = {"EVIDENCE_NCBI_API_KEY": key} if key else {}
    result, _ = run_pubmed(fake, tmp_path, 1000, 100, **env)
    assert len(result.records) == 1000 and result.requests == 11
    starts = sorted(r.started for r in fake.requests("pubmed"))
    assert not fake.count_429("pubmed")  # the fake enforces the published windows
    for i in range(len(starts) - per_second):  # never more than the pace in any second
        assert starts[i + per_second] - starts[i] >= 1.0 - 0.02
    elapsed = starts[-1] - starts[0]
    assert elapsed >= (len(starts) - 1) / per_second * 0.8
    if key:  # the key's pace is used, not the keyless one
        assert elapsed < (len(starts) - 1) / 3
        assert {r.params.get("api_key") for r in fake.requests("pubmed")} == {key}


def test_a_pubmed_search_with_fewer_hits_than_the_limit_fetches_them_all(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    hits = corpus.search('"knee osteoarthritis"[tiab]', in_pubmed)
    assert 0 < len(hits) < 2000
    result, seen = run(fake, tmp_path, "pubmed", '"knee osteoarthritis"[tiab]', 2000)
    assert result.total == len(hits) and [r.pmid for r in result.records] == pmids(hits)
    assert result.requests == 2 and result.complete
    assert_progress(seen, len(hits))


def test_a_pubmed_search_without_hits_asks_nothing_more(fake: FakeServices, tmp_path: Path) -> None:
    result, _ = run(fake, tmp_path, "pubmed", "zyzzyva", 2000)
    assert (result.total, result.records, result.requests) == (0, [], 1)
    assert result.complete


PUBMED_LIMIT_BODY = json.dumps(
    {"error": "API rate limit exceeded", "api-key": "127.0.0.1", "count": "4", "limit": "3"}
)


@pytest.mark.parametrize("endpoint", [esearch, efetch], ids=["esearch", "efetch"])
@pytest.mark.parametrize(
    "fault",
    [
        status(429, retry_after=0.1),
        status(200, body=PUBMED_LIMIT_BODY, content_type="application/json"),
        status(500),
        status(503, retry_after=0.1),
        truncated(),
    ],
    ids=["429", "rate-limit-in-200", "500", "503", "truncated"],
)
def test_pubmed_faults_are_retried_and_the_search_completes(
    fake: FakeServices,
    corpus: Corpus,
    tmp_path: Path,
    endpoint: Callable[[RequestRecord], bool],
    fault: Fault,
) -> None:
    fake.fail_always("pubmed", once(endpoint), fault)
    result, _ = run(fake, tmp_path, "pubmed", "synthetic", 300)
    assert [r.pmid for r in result.records] == pmids(corpus.search("synthetic", in_pubmed))[:300]
    assert result.requests == 3  # one of them again


def test_pubmed_retries_are_bounded_and_the_failure_names_pubmed(
    fake: FakeServices, tmp_path: Path
) -> None:
    fake.fail_always("pubmed", efetch, status(502))
    with pytest.raises(ServiceFailure) as caught:
        run(fake, tmp_path, "pubmed", "synthetic", 300)
    assert str(caught.value) == "PubMed: HTTP 502 from the service (gave up after 4 attempts)"
    assert fake.count("pubmed") == 1 + 4


def test_a_query_pubmed_refuses_fails_at_once_with_its_reason(
    fake: FakeServices, tmp_path: Path
) -> None:
    refusal = json.dumps({"esearchresult": {"ERROR": "Invalid query: unbalanced parentheses"}})
    fake.inject("pubmed", status(200, body=refusal, content_type="application/json"))
    with pytest.raises(ServiceFailure) as caught:
        run(fake, tmp_path, "pubmed", "(knee", 100)
    assert "PubMed refused the search: Invalid query: unbalanced parentheses" in str(caught.value)
    assert fake.count("pubmed") == 1


@pytest.mark.parametrize("answer", [200, 400])
def test_a_webenv_lost_mid_fetch_is_searched_again_once_and_the_fetch_goes_on(
    fake: FakeServices, corpus: Corpus, tmp_path: Path, answer: int
) -> None:
    fake.expire_history(2, status=answer)  # each WebEnv serves two pages, then it is gone
    result, _ = run_pubmed(fake, tmp_path, 600, 200)
    assert [r.pmid for r in result.records] == pmids(corpus.search("synthetic", in_pubmed))[:600]
    log = fake.requests("pubmed")
    assert len([r for r in log if esearch(r)]) == 2
    fetches = [r for r in log if efetch(r)]
    first, second = fetches[0].params["WebEnv"], fetches[-1].params["WebEnv"]
    # the three pages asked from the first WebEnv (one answered with its loss), then the
    # lost one again, at the retstart it had, from the history of the search run again
    assert [r.params["WebEnv"] for r in fetches] == [first] * 3 + [second] and first != second
    assert sorted(int(r.params["retstart"]) for r in fetches[:3]) == [0, 200, 400]
    assert fetches[3].params["retstart"] in {"0", "200", "400"}
    assert result.requests == 1 + 3 + 1 + 1
    if answer == 400:
        assert [r.status for r in fetches].count(400) == 1


def test_a_webenv_lost_twice_fails_the_search_and_keeps_nothing(
    fake: FakeServices, tmp_path: Path
) -> None:
    fake.expire_history(1)
    with pytest.raises(ServiceFailure) as caught:
        run_pubmed(fake, tmp_path, 600, 200)
    message = str(caught.value)
    assert message.startswith("PubMed: the search's history (WebEnv) was lost twice")
    assert "Unable to obtain query #1" in message  # what PubMed said, passed on
    assert message.endswith("nothing was kept: run the search again")
    assert [esearch(r) for r in fake.requests("pubmed")].count(True) == 2


# -- Crossref ---------------------------------------------------------------------------------


def crossref_hits(corpus: Corpus, query: str) -> list[str | None]:
    return dois(corpus.search(query, in_crossref))


def test_2000_crossref_works_take_two_cursor_pages(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    result, seen = run(fake, tmp_path, "crossref", "synthetic", 2000)
    hits = crossref_hits(corpus, "synthetic")
    assert result.total == len(hits) > 2000
    assert [r.doi for r in result.records] == hits[:2000]
    assert result.requests == 2 and result.complete
    assert_progress(seen, 2000)
    first, second = fake.requests("crossref")
    assert first.params == {"query": "synthetic", "rows": "1000", "cursor": "*", "mailto": EMAIL}
    assert second.params["cursor"] not in ("*", "") and second.params["rows"] == "1000"
    assert not fake.count_429("crossref")


def test_crossref_paging_ends_with_the_short_page(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    result, _ = run(fake, tmp_path, "crossref", "synthetic", MAX_LIMIT)
    hits = crossref_hits(corpus, "synthetic")
    assert len(hits) % 1000 and [r.doi for r in result.records] == hits
    assert result.requests == -(-len(hits) // 1000)  # no request past the short last page


def test_a_small_crossref_search_is_one_page(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    result, _ = run(fake, tmp_path, "crossref", "plantar heel pain", 50)
    hits = crossref_hits(corpus, "plantar heel pain")
    assert [r.doi for r in result.records] == hits[:50] and result.total == len(hits)
    assert result.requests == 1
    assert fake.requests("crossref")[0].params["rows"] == "50"


@pytest.mark.parametrize(
    ("fault", "requests"),
    [
        (status(429, retry_after=0.1), 3),  # refused, never served: the same page again
        (status(500), 5),  # then a fresh cursor: the page may have been served
        (status(503, retry_after=0.1), 5),
        (truncated(), 5),  # served and lost: the retry is the page after
    ],
    ids=["429", "500", "503", "truncated"],
)
def test_a_crossref_page_lost_on_the_way_is_not_missing_from_the_result(
    fake: FakeServices, corpus: Corpus, tmp_path: Path, fault: Fault, requests: int
) -> None:
    fake.fail_always("crossref", nth_page(2), fault)
    result, _ = run(fake, tmp_path, "crossref", "synthetic", 2000)
    assert [r.doi for r in result.records] == crossref_hits(corpus, "synthetic")[:2000]
    assert result.requests == requests


def test_an_expired_crossref_cursor_is_replaced_and_the_search_completes(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    fake.expire_cursors(1, cursors=1)  # the first cursor serves two pages, then expires
    result, _ = run(fake, tmp_path, "crossref", "synthetic", 3000)
    hits = crossref_hits(corpus, "synthetic")
    assert [r.doi for r in result.records] == hits[:3000]
    statuses = [r.status for r in fake.requests("crossref")]
    assert statuses == [200, 200, 404, 200, 200, 200]


def test_a_crossref_cursor_that_keeps_expiring_fails_the_search(
    fake: FakeServices, tmp_path: Path
) -> None:
    fake.expire_cursors(0)
    with pytest.raises(ServiceFailure) as caught:
        run(fake, tmp_path, "crossref", "synthetic", 2000)
    assert str(caught.value).startswith("Crossref: the search's cursor expired, 3 times")
    assert fake.count("crossref") == 6


def test_a_query_crossref_refuses_fails_with_its_reasons(
    fake: FakeServices, tmp_path: Path
) -> None:
    body = {
        "status": "failed",
        "message-type": "validation-failure",
        "message": [{"type": "query-too-long", "value": "x", "message": "Query too long"}],
    }
    fake.inject("crossref", status(400, body=json.dumps(body), content_type="application/json"))
    with pytest.raises(ValidationFailure) as caught:
        run(fake, tmp_path, "crossref", "synthetic", 100)
    assert str(caught.value) == "Crossref: Query too long"
    assert fake.count("crossref") == 1


# -- OpenAlex ---------------------------------------------------------------------------------


def test_2000_openalex_works_take_twenty_pages_of_100(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    result, seen = run(
        fake, tmp_path, "openalex", "synthetic", 2000, EVIDENCE_OPENALEX_API_KEY="synthetic-key"
    )
    hits = corpus.search("synthetic", in_openalex)
    assert result.total == len(hits) > 2000
    assert [r.doi for r in result.records] == dois(hits[:2000])
    assert [r.pmid for r in result.records] == pmids(hits[:2000])
    assert result.requests == 20 and result.complete
    assert_progress(seen, 2000)
    log = fake.requests("openalex")
    assert log[0].params == {
        "search": "synthetic",
        "per-page": "100",
        "cursor": "*",
        "select": SELECT,
        "api_key": "synthetic-key",
        "mailto": EMAIL,
    }
    cursors = [r.params["cursor"] for r in log]
    assert len(set(cursors)) == 20  # each page asked with the cursor the one before gave


def test_openalex_paging_stops_at_the_count_and_keeps_works_without_a_doi(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    result, _ = run(fake, tmp_path, "openalex", "synthetic gait retraining", 100)
    hits = corpus.search("synthetic gait retraining", in_openalex)
    assert [(r.doi, r.pmid) for r in result.records] == [
        (h.doi and h.doi.lower(), h.pmid) for h in hits
    ]
    no_doi = next(r for r in result.records if r.doi is None)
    assert no_doi.pmid == "90009999" and no_doi.title and no_doi.abstract
    assert result.requests == 1  # the count was reached: no request for the empty page
    assert "api_key" not in fake.requests("openalex")[0].params  # none configured


def test_openalex_paging_to_the_end(fake: FakeServices, corpus: Corpus, tmp_path: Path) -> None:
    result, _ = run(fake, tmp_path, "openalex", "synthetic", MAX_LIMIT)
    hits = corpus.search("synthetic", in_openalex)
    assert [r.doi for r in result.records] == dois(hits) and result.complete
    assert result.requests == -(-len(hits) // 100)


@pytest.mark.parametrize(
    "fault",
    [status(429, retry_after=0.1), status(500), truncated()],
    ids=["429", "500", "truncated"],
)
def test_openalex_faults_are_retried_with_the_same_cursor(
    fake: FakeServices, corpus: Corpus, tmp_path: Path, fault: Fault
) -> None:
    fake.fail_always("openalex", nth_page(2), fault)
    result, _ = run(fake, tmp_path, "openalex", "synthetic", 600)
    assert [r.doi for r in result.records] == dois(corpus.search("synthetic", in_openalex)[:600])
    log = fake.requests("openalex")
    assert result.requests == 7 and log[1].params["cursor"] == log[2].params["cursor"]


def test_openalex_without_an_accepted_key_says_what_is_needed(
    fake: FakeServices, tmp_path: Path
) -> None:
    body = json.dumps({"error": "Unauthorized", "message": "An API key is required."})
    fake.inject("openalex", status(401, body=body, content_type="application/json"))
    with pytest.raises(ServiceFailure) as caught:
        run(fake, tmp_path, "openalex", "synthetic", 100)
    message = str(caught.value)
    assert message.startswith("OpenAlex: refused the search (HTTP 401: An API key is required.)")
    assert "EVIDENCE_OPENALEX_API_KEY" in message and fake.count("openalex") == 1


def test_openalex_rate_limit_403_is_waited_out(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    body = json.dumps({"error": "Forbidden", "message": "Rate limit exceeded"})
    fake.inject(
        "openalex", status(403, retry_after=0.1, body=body, content_type="application/json")
    )
    result, _ = run(fake, tmp_path, "openalex", "synthetic", 100)
    assert len(result.records) == 100 and result.requests == 2


# -- records no reader can use ----------------------------------------------------------------


def test_a_record_no_reader_can_use_is_counted_and_the_rest_kept(
    fake: FakeServices, corpus: Corpus, tmp_path: Path
) -> None:
    papers = corpus.search("synthetic", in_pubmed)[:3]
    # PubMed: an article without its MedlineCitation among two whole ones
    articles = render_efetch_xml(papers[1:])
    odd = "<PubmedArticle><PubmedData/></PubmedArticle>\n"
    body = articles.replace("<PubmedArticleSet>\n", "<PubmedArticleSet>\n" + odd, 1)
    fake.fail_always("pubmed", once(efetch), status(200, body=body, content_type="text/xml"))
    result, _ = run(fake, tmp_path, "pubmed", "synthetic", 3)
    assert [r.pmid for r in result.records] == pmids(papers[1:])
    assert (result.unreadable, result.complete, result.requests) == (1, True, 2)

    # Crossref: a work without its DOI among two whole ones
    page = crossref_work_list(corpus.search("synthetic", in_crossref)[:3], rows=3, total=3)
    del page["message"]["items"][0]["DOI"]
    page["message"]["next-cursor"] = "synthetic-cursor"
    fake.inject("crossref", status(200, body=json.dumps(page), content_type="application/json"))
    result, _ = run(fake, tmp_path, "crossref", "synthetic", 3)
    assert [r.doi for r in result.records] == crossref_hits(corpus, "synthetic")[1:3]
    assert (result.unreadable, result.complete, result.requests) == (1, True, 1)


# -- what is checked before anything is sent -------------------------------------------------


@pytest.mark.parametrize(
    ("database", "query", "limit", "error"),
    [
        ("scopus", "synthetic", 10, InvalidValue),
        ("pubmed", "   ", 10, MissingValue),
        ("crossref", "synthetic", 0, InvalidValue),
        ("openalex", "synthetic", MAX_LIMIT + 1, InvalidValue),
    ],
)
def test_a_search_that_cannot_be_run_as_asked_sends_nothing(
    fake: FakeServices, tmp_path: Path, database: str, query: str, limit: int, error: type
) -> None:
    with pytest.raises(error):
        search(database, query, settings_for(fake, tmp_path), limit=limit)
    assert sum(fake.count(s) for s in ("pubmed", "crossref", "openalex")) == 0
