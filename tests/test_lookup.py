"""`lookup` against real HTTP servers standing in for PubMed, Crossref and OpenAlex: what is
read from each, how requests are batched and paced, and each family of fault over sockets."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from evidence import settings
from evidence.remote import http as remote_http
from evidence.remote import pubmed as remote_pubmed
from evidence.remote import resolver as remote_resolver
from evidence.services.metadata.lookups import lookup, lookup_row
from tests.conftest import Cli
from tests.support.fake_corpus import Corpus, make_corpus
from tests.support.fake_services import FakeServices, slow, status, truncated
from tests.support.settings_env import set_env


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus(460, 20)


@pytest.fixture(autouse=True)
def _quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote_http, "BACKOFF", 0.05)  # Retry-After waits stay real


@pytest.fixture
def fake(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    with FakeServices(corpus) as services:
        set_env(
            monkeypatch,
            **services.env(),
            EVIDENCE_CONTACT_EMAIL="curator@example.org",
            EVIDENCE_HTTP_TIMEOUT="1",
            EVIDENCE_HTTP_RETRIES="3",
        )
        yield services


@pytest.fixture
def with_openalex(fake: FakeServices, monkeypatch: pytest.MonkeyPatch) -> FakeServices:
    set_env(monkeypatch, EVIDENCE_OPENALEX_API_KEY="synthetic-key")
    return fake


def rows(*identifiers: str, **options: bool) -> list[dict]:
    report = lookup(list(identifiers), settings.get(), **options)
    return [lookup_row(r) for r in report.resolutions]


def one(identifier: str) -> dict:
    (row,) = rows(identifier)
    return row


# -- what is read ---------------------------------------------------------------------------


def test_a_pmid_is_filled_from_pubmed_with_a_suggested_design(corpus: Corpus, fake) -> None:
    paper = next(p for p in corpus.pubmed_papers() if "Meta-Analysis" in p.publication_types)
    row = one(paper.pmid)
    assert row["status"] == "found"
    assert (row["pmid"], row["doi"], row["title"], row["year"]) == (
        paper.pmid,
        paper.doi.lower(),
        paper.title,
        paper.year,
    )
    assert row["journal"] == paper.journal
    assert row["authors"][0] == f"{paper.authors[0][0]} " + "".join(
        w[0] for w in paper.authors[0][1].replace("-", " ").split()
    )
    assert row["design"] == "systematic_review_meta_analysis"
    assert row["sources"] == ["pubmed", "crossref"]
    assert row["retraction"] is None and row["error"] is None


def test_only_the_articles_own_identifiers_are_read(corpus: Corpus, fake) -> None:
    paper = next(p for p in corpus.pubmed_papers() if p.cited and p.doi)
    row = one(paper.pmid)
    cited = {i for pair in paper.cited for i in pair if i}
    assert row["pmid"] == paper.pmid and row["pmid"] not in cited
    assert row["doi"] == paper.doi.lower() and row["doi"] not in {c.lower() for c in cited}


@pytest.mark.parametrize(
    ("special", "status_", "by"),
    [
        ("retracted", "retracted", {"pubmed", "crossref"}),
        ("republished", "retracted_and_republished", {"pubmed"}),
        ("expression_of_concern", "expression_of_concern", {"pubmed", "crossref"}),
        ("corrected", "corrected", {"pubmed", "crossref"}),
    ],
)
def test_pubmed_and_crossref_notices_are_told_apart(
    corpus: Corpus, fake, special: str, status_: str, by: set[str]
) -> None:
    row = one(getattr(corpus, special).pmid)
    assert row["retraction"] == status_
    assert {n["service"] for n in row["notices"]} == by


def test_a_retraction_only_retraction_watch_knows_is_found_by_doi(corpus: Corpus, fake) -> None:
    row = one(corpus.crossref_retracted.doi)
    assert row["status"] == "found" and row["retraction"] == "retracted"
    (notice,) = row["notices"]
    assert notice["service"] == "crossref" and "retraction-watch" in notice["detail"]
    assert row["pmid"] is None and row["sources"] == ["crossref"]


def test_openalex_is_asked_only_with_a_key(corpus: Corpus, fake, monkeypatch) -> None:
    paper = corpus.openalex_only_retracted
    assert one(paper.pmid)["retraction"] is None
    assert fake.count("openalex") == 0
    set_env(monkeypatch, EVIDENCE_OPENALEX_API_KEY="synthetic-key")
    row = one(paper.pmid)
    assert row["retraction"] == "retracted" and row["sources"][-1] == "openalex"
    assert fake.requests("openalex")[0].params["api_key"] == "synthetic-key"


def test_a_doi_only_paper_gets_its_pmid_and_design_through_esearch(corpus: Corpus, fake) -> None:
    paper = next(
        p
        for p in corpus.pubmed_papers()[10:]
        if "Randomized Controlled Trial" in p.publication_types
    )
    row = one(f"https://doi.org/{paper.doi.upper()}")
    assert (row["pmid"], row["design"]) == (paper.pmid, "rct")
    search = [r for r in fake.requests("pubmed") if r.path.endswith("esearch.fcgi")]
    assert len(search) == 1 and f'"{paper.doi.lower()}"[doi]' in search[0].params["term"]


def test_a_pmcid_is_found_through_pubmed(corpus: Corpus, fake) -> None:
    paper = next(p for p in corpus.pubmed_papers() if p.pmcid)
    row = one(paper.pmcid)
    assert (row["status"], row["pmid"], row["pmcid"]) == ("found", paper.pmid, paper.pmcid)


def test_books_partial_dates_and_papers_crossref_lacks(corpus: Corpus, fake) -> None:
    book, dateless, lacking = rows(
        corpus.book.pmid, corpus.partial_date.doi, corpus.crossref_missing.pmid
    )
    assert book["status"] == "found" and book["title"] == corpus.book.title
    assert dateless["status"] == "found" and dateless["year"] == corpus.partial_date.year
    assert lacking["status"] == "found" and lacking["sources"] == ["pubmed"]


def test_unknown_and_invalid_inputs_are_reported_each(corpus: Corpus, fake) -> None:
    known = corpus.pubmed_papers()[20]
    got = rows("not-an-id", corpus.unknown_pmid(), corpus.unknown_doi(), known.pmid)
    assert [r["status"] for r in got] == ["invalid", "not_found", "not_found", "found"]
    assert "not a DOI" in got[0]["error"]


# -- batching, etiquette, pacing --------------------------------------------------------------


def test_pmids_go_in_batches_of_200_with_tool_and_email(corpus: Corpus, fake) -> None:
    pmids = [p.pmid for p in corpus.pubmed_papers()[:450]]
    got = rows(*pmids)
    assert all(r["status"] == "found" for r in got)
    efetch = [r for r in fake.requests("pubmed") if r.path.endswith("efetch.fcgi")]
    assert sorted(len(r.params["id"].split(",")) for r in efetch) == [50, 200, 200]
    assert {r.method for r in efetch} == {"GET"}
    assert all(
        r.params["tool"] == "evidence" and r.params["email"] == "curator@example.org"
        for r in efetch
    )
    crossref = fake.requests("crossref")
    assert len(crossref) == 5  # 450 DOIs, 100 a filter
    assert all(r.params["mailto"] == "curator@example.org" for r in crossref)


def test_larger_efetch_batches_are_posted(corpus: Corpus, fake, monkeypatch) -> None:
    monkeypatch.setattr(remote_pubmed, "EFETCH_BATCH", 300)
    monkeypatch.setattr(remote_resolver, "EFETCH_BATCH", 300)
    rows(*[p.pmid for p in corpus.pubmed_papers()[:250]])
    (efetch,) = [r for r in fake.requests("pubmed") if r.path.endswith("efetch.fcgi")]
    assert efetch.method == "POST" and len(efetch.params["id"].split(",")) == 250


def test_the_api_key_raises_pubmeds_rate(corpus: Corpus, fake, monkeypatch) -> None:
    set_env(monkeypatch, EVIDENCE_NCBI_API_KEY="synthetic-ncbi-key")
    rows(corpus.pubmed_papers()[30].pmid)
    assert fake.requests("pubmed")[0].params["api_key"] == "synthetic-ncbi-key"


def test_the_services_limits_are_never_exceeded(corpus: Corpus, monkeypatch) -> None:
    limits = {"pubmed": (3, 1.0), "crossref_list": (3, 1.0), "crossref_single": (10, 1.0)}
    with FakeServices(corpus, latency=0.02, limits=limits) as services:
        # the polite pool: Crossref's published 3 list requests a second, as enforced here
        set_env(monkeypatch, **services.env(), EVIDENCE_CONTACT_EMAIL="curator@example.org")
        # 12 efetch-sized chunks would be 12 requests in a burst without pacing
        monkeypatch.setattr(remote_pubmed, "EFETCH_BATCH", 20)
        monkeypatch.setattr(remote_resolver, "EFETCH_BATCH", 20)
        started = time.monotonic()
        got = rows(*[p.pmid for p in corpus.pubmed_papers()[100:340]])
        took = time.monotonic() - started
        assert all(r["status"] == "found" for r in got)
        assert services.count_429("pubmed") == 0 and services.count_429("crossref") == 0
        assert services.count("pubmed") == 12
        assert took < 6  # 12 requests at 3 a second: about 4 windows, not 12 seconds


def test_crossrefs_announced_limits_are_adopted(corpus: Corpus, monkeypatch) -> None:
    limits = {"crossref_list": (2, 1.0)}
    with FakeServices(corpus, limits=limits) as services:
        set_env(monkeypatch, **services.env())
        monkeypatch.setattr(remote_resolver, "EFETCH_BATCH", 25)
        # PubMed answers fast; Crossref then has 8 batches to ask for at its announced 2/s
        got = rows(*[p.pmid for p in corpus.pubmed_papers()[100:300]])
        assert all(r["status"] == "found" for r in got)
        # at most one, in the first window, before Crossref's first answer told us its limit
        assert services.count_429("crossref") <= 1
        assert services.requests("crossref")[-1].status == 200


def test_a_crossref_stricter_than_it_announces_slows_us_down(monkeypatch) -> None:
    # Crossref's list endpoint announces 10 requests a second; its polite pool enforces 3
    big = make_corpus(6000, 0, seed=3)
    pmids = [p.pmid for p in big.pubmed_papers()]
    with FakeServices(
        big,
        latency=0.05,
        limits={"crossref_list": (3, 1.0)},
        announce={"crossref_list": (10, 1.0)},
    ) as services:
        set_env(monkeypatch, **services.env(), EVIDENCE_CONTACT_EMAIL="curator@example.org")
        started = time.monotonic()
        report = lookup(pmids, settings.get())
        took = time.monotonic() - started
        listed = [r for r in services.requests("crossref") if not r.path.startswith("/works/")]
    assert all(r.status == "found" for r in report.resolutions)
    answered = sum(r.status == 200 for r in listed)
    floor = answered / 3  # the list requests the batches need, at the enforced rate
    refused = sum(r.status == 429 for r in listed)
    assert refused <= 3, f"{refused} of {len(listed)} list requests refused"
    assert took <= 1.25 * floor + 2, f"{took:.1f} s against a floor of {floor:.1f} s"


def test_a_lane_slowed_by_the_service_is_told_in_the_summary(corpus: Corpus, monkeypatch) -> None:
    # a service that refuses below even our assumed pace: the lane is slowed, and says so
    with FakeServices(
        corpus, limits={"crossref_list": (1, 1.0)}, announce={"crossref_list": (3, 1.0)}
    ) as services:
        set_env(monkeypatch, **services.env(), EVIDENCE_CONTACT_EMAIL="curator@example.org")
        monkeypatch.setattr(remote_resolver, "EFETCH_BATCH", 25)
        pmids = [p.pmid for p in corpus.pubmed_papers()[:300]]
        result = Cli(None)("lookup", *pmids, "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 300  # stdout holds the rows and nothing else
    (note,) = [line for line in result.stderr.splitlines() if line.startswith("Note:")]
    assert note.startswith("Note: Crossref (list requests) slowed")
    lowest = float(note.split(", to ")[1].split(" a second")[0])
    assert lowest < 3  # below the pace it started at: the polite pool's published 3


# -- faults --------------------------------------------------------------------------------
# A fault of each family (429, 5xx, truncated, slow) for each service keeps the sockets path
# covered; the other faults (bodies that do not parse, NCBI's 200 rate limit, retry bounds,
# waits too long to wait) are in tests/test_http_client.py, through MockTransport.


@pytest.mark.parametrize(
    "fault",
    [status(429, retry_after=1), status(503), truncated(), slow(2.5)],
    ids=["429-retry-after", "503", "truncated", "slow"],
)
def test_pubmed_faults_are_retried(corpus: Corpus, fake, fault) -> None:
    paper = corpus.pubmed_papers()[40]
    fake.inject("pubmed", fault)
    started = time.monotonic()
    row = one(paper.pmid)
    assert row["status"] == "found" and row["error"] is None, row
    assert fake.count("pubmed") == 2
    if fault.kind == "status" and fault.retry_after:
        assert time.monotonic() - started >= float(fault.retry_after)


@pytest.mark.parametrize(
    "fault",
    [status(429, retry_after=1), status(503), truncated(), slow(2.5)],
    ids=["429", "503", "truncated", "slow"],
)
def test_crossref_and_openalex_faults_are_retried(corpus: Corpus, with_openalex, fault) -> None:
    fake = with_openalex
    paper = corpus.crossref_retracted
    fake.inject("crossref", fault)
    fake.inject("openalex", fault)
    row = one(paper.doi)
    assert row["status"] == "found" and row["retraction"] == "retracted", row
    assert row["error"] is None
    assert fake.count("crossref") == 2 and fake.count("openalex") == 2


def test_one_papers_failure_leaves_the_others_whole(corpus: Corpus, fake) -> None:
    good, bad = corpus.pubmed_papers()[43], corpus.doi_only_papers()[5]
    fake.fail_always("crossref", bad.doi, status(500))
    got = {r["input"]: r for r in rows(good.pmid, bad.doi, corpus.crossref_retracted.doi)}
    assert got[good.pmid]["status"] == "found" and got[good.pmid]["error"] is None
    assert got[bad.doi]["status"] == "error" and "Crossref: HTTP 500" in got[bad.doi]["error"]
    # the DOI asked alongside it in the failed batch shares its fate, and says so
    assert got[corpus.crossref_retracted.doi]["status"] == "error"


def test_a_pubmed_paper_whose_crossref_check_failed_is_found_but_flagged(
    corpus: Corpus, fake
) -> None:
    paper = corpus.pubmed_papers()[44]
    fake.fail_always("crossref", paper.doi, status(500))
    row = one(paper.pmid)
    assert row["status"] == "found" and row["title"] == paper.title
    assert row["error"].startswith("Crossref: HTTP 500")


def test_a_batch_crossref_rejects_is_asked_for_one_by_one(corpus: Corpus, fake) -> None:
    a, b = corpus.doi_only_papers()[6:8]
    refusal = {
        "status": "failed",
        "message-type": "validation-failure",
        "message": [{"type": "invalid-doi", "value": a.doi, "message": "Invalid DOI"}],
    }
    fake.inject("crossref", status(400, body=json.dumps(refusal), content_type="application/json"))
    got = rows(a.doi, b.doi)
    assert [r["status"] for r in got] == ["found", "found"]
    paths = [r.path for r in fake.requests("crossref")]
    assert paths[0] == "/works" and sorted(paths[1:]) == sorted(f"/works/{p.doi}" for p in (a, b))


def test_crossref_404_for_a_single_record_is_not_found(corpus: Corpus, fake, monkeypatch) -> None:
    doi = "10.5555/comma,in.doi"  # a comma cannot go in a filter: asked for on its own
    row = one(doi)
    assert row["status"] == "not_found"
    assert [r.path for r in fake.requests("crossref")] == ["/works/10.5555/comma,in.doi"]
    assert fake.requests("crossref")[0].status == 404


# -- cache ---------------------------------------------------------------------------------


def test_a_second_run_is_answered_from_the_cache(corpus: Corpus, with_openalex) -> None:
    fake = with_openalex
    ids = [p.pmid for p in corpus.pubmed_papers()[50:80]] + [corpus.unknown_doi()]
    ids += [p.doi for p in corpus.doi_only_papers()[8:12]]
    first = rows(*ids)
    made = {s: fake.count(s) for s in ("pubmed", "crossref", "openalex")}
    assert all(made.values())
    fake.reset_log()
    assert rows(*ids) == first
    assert rows(*ids, offline=True) == first
    assert sum(fake.count(s) for s in ("pubmed", "crossref", "openalex")) == 0
    rows(*ids, refresh=True)
    assert {s: fake.count(s) for s in ("pubmed", "crossref", "openalex")} == made


def test_a_larger_run_asks_only_for_what_is_new(corpus: Corpus, fake) -> None:
    papers = corpus.pubmed_papers()[80:100]
    rows(*[p.pmid for p in papers[:10]])
    fake.reset_log()
    rows(*[p.pmid for p in papers])
    (efetch,) = [r for r in fake.requests("pubmed") if r.path.endswith("efetch.fcgi")]
    assert sorted(efetch.params["id"].split(",")) == sorted(p.pmid for p in papers[10:])


def test_offline_without_the_cache_fails_every_paper_and_asks_nobody(corpus: Corpus, fake) -> None:
    got = rows(corpus.pubmed_papers()[100].pmid, corpus.doi_only_papers()[13].doi, offline=True)
    assert [r["status"] for r in got] == ["error", "error"]
    assert all("offline" in r["error"] for r in got)
    assert sum(fake.count(s) for s in ("pubmed", "crossref", "openalex")) == 0


def test_failures_are_not_cached(corpus: Corpus, fake) -> None:
    paper = corpus.pubmed_papers()[101]
    fake.inject("pubmed", *[status(500)] * 4)
    assert one(paper.pmid)["status"] == "error"
    assert one(paper.pmid)["status"] == "found"


# -- the command ---------------------------------------------------------------------------


def test_lookup_command_json_and_exit_codes(corpus: Corpus, fake) -> None:
    cli = Cli(None)
    paper = corpus.retracted
    result = cli("lookup", paper.pmid, "--json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)
    expected = {
        "input",
        "status",
        "pmid",
        "doi",
        "pmcid",
        "title",
        "journal",
        "year",
        "authors",
        "publication_types",
        "design",
        "retraction",
        "error",
    }
    assert expected <= set(row)
    assert row["retraction"] == "retracted"
    text = cli("lookup", paper.pmid)
    assert "RETRACTED: PubMed RetractionIn" in text.stdout
    missing = cli("lookup", corpus.unknown_pmid())
    assert missing.exit_code == 3 and "no service knows this paper" in missing.stderr
    bad = cli("lookup", "10.5555")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: invalid identifier '10.5555'")
    fake.inject("pubmed", *[status(500)] * 4)
    failed = cli("lookup", corpus.pubmed_papers()[102].pmid)
    assert failed.exit_code == 7
    assert "1 of 1 paper could not be resolved (PubMed: HTTP 500" in failed.stderr


def test_bad_http_settings_are_named(fake, monkeypatch) -> None:
    monkeypatch.setenv("EVIDENCE_HTTP_TIMEOUT", "soon")
    result = Cli(None)("lookup", "90000001")
    assert result.exit_code == 2
    assert "EVIDENCE_HTTP_TIMEOUT" in result.stderr and "'soon'" in result.stderr


def test_max_retry_after_is_the_documented_two_minutes() -> None:
    assert remote_http.MAX_RETRY_AFTER == 120


def test_an_answer_no_reader_expected_fails_only_its_batch(corpus: Corpus, fake) -> None:
    odd, paper = corpus.doi_only_papers()[14], corpus.pubmed_papers()[103]
    body = {
        "status": "ok",
        "message-type": "work-list",
        "message": {"items": [{"DOI": odd.doi, "issued": "2020"}]},  # issued is not an object
    }
    fake.inject("crossref", status(200, body=json.dumps(body), content_type="application/json"))
    got = {r["input"]: r for r in rows(odd.doi, paper.pmid)}
    assert got[odd.doi]["status"] == "error"
    assert "Crossref: unreadable answer (AttributeError" in got[odd.doi]["error"]
    assert got[paper.pmid]["status"] == "found" and got[paper.pmid]["error"] is None


def test_a_pubmed_search_it_refuses_is_not_retried(corpus: Corpus, fake) -> None:
    refusal = {"esearchresult": {"ERROR": "Invalid query"}}
    fake.inject("pubmed", status(200, body=json.dumps(refusal), content_type="application/json"))
    row = one(corpus.doi_only_papers()[15].doi)
    assert row["status"] == "found"  # Crossref still answered
    assert row["error"] == "PubMed: PubMed refused the search: Invalid query"
    assert fake.count("pubmed") == 1
