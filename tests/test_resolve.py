"""`evidence resolve`: stored papers filled from the services, one transaction, on SQLite and
PostgreSQL; a new retraction moves verdicts; failures leave their papers exactly as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from evidence.remote import http as remote_http
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.fake_corpus import Corpus, make_corpus
from tests.support.fake_services import FakeServices, status
from tests.support.settings_env import set_env
from tests.support.snapshot import rows


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus(40, 10)


@pytest.fixture
def fake(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    monkeypatch.setattr(remote_http, "BACKOFF", 0.05)
    with FakeServices(corpus) as services:
        set_env(monkeypatch, **services.env(), EVIDENCE_HTTP_RETRIES="2")
        yield services


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


def refs(cli: Cli) -> dict[str, dict]:
    return {r["key"]: r for r in json.loads(ok(cli("refs", "list", "--json")))}


def verdict(cli: Cli, claim: str) -> dict:
    return json.loads(ok(cli("claim", "show", claim, "--json")))


def requests(fake: FakeServices) -> int:
    return sum(fake.count(s) for s in ("pubmed", "crossref", "openalex"))


def claim_citing(cli: Cli, claim: str, *papers: str) -> None:
    ok(
        cli(
            "claim",
            "add",
            claim,
            "--statement",
            f"Synthetic claim {claim}.",
            "--type",
            "association",
        )
    )
    for paper in papers:
        ok(cli("link", claim, paper, "--stance", "supports", "--rationale", "Synthetic."))


def test_resolve_fills_papers_and_a_retraction_moves_the_verdict(
    cli: Cli, fake: FakeServices, corpus: Corpus
) -> None:
    trial = next(
        p
        for p in corpus.pubmed_papers()[10:]
        if "Randomized Controlled Trial" in p.publication_types
    )
    retracted = corpus.retracted
    ok(cli("ref", "add", trial.pmid, retracted.pmid, corpus.crossref_retracted.doi))
    claim_citing(cli, "synthetic-claim", f"pmid:{trial.pmid}", f"pmid:{retracted.pmid}")
    before = verdict(cli, "synthetic-claim")

    result = cli("resolve", "--all", "--json")
    out = json.loads(ok(result))
    assert out["summary"] == {"resolved": 3, "unchanged": 0, "not_found": 0, "failed": 0}
    papers = {p["key"]: p for p in out["papers"]}
    assert papers[f"pmid:{retracted.pmid}"]["newly_retracted"] is True
    assert papers[f"doi:{corpus.crossref_retracted.doi}"]["retraction"] == "retracted"
    assert out["traffic"]["requests"]["pubmed"] >= 1

    stored = refs(cli)
    row = stored[f"pmid:{trial.pmid}"]
    assert (row["title"], row["year"], row["doi"]) == (trial.title, trial.year, trial.doi.lower())
    assert row["retraction"] is None
    assert stored[f"pmid:{retracted.pmid}"]["retraction"] == "retracted"

    after = verdict(cli, "synthetic-claim")
    assert after["retracted"] == before["retracted"] + 1
    rows_ = {e["reference"]["key"]: e for e in after["evidence"]}
    assert rows_[f"pmid:{trial.pmid}"]["design"] == "rct"  # suggested by PubMed, now graded
    assert rows_[f"pmid:{trial.pmid}"]["design_suggested"] is True
    assert rows_[f"pmid:{retracted.pmid}"]["status"] == "retracted"
    notices = rows_[f"pmid:{retracted.pmid}"]["reference"]["retraction_notices"]
    assert {n["service"] for n in notices} == {"pubmed", "crossref"}

    history = json.loads(ok(cli("history", "synthetic-claim", "--json")))
    reasons = [h["reason"] or "" for h in history]
    assert any(r.startswith("RETRACTED (PubMed RetractionIn PMID") for r in reasons)

    text = ok(cli("resolve", "--all"))
    assert "Resolved 0, unchanged 3, not found 0, failed 0" in text
    assert "0 requests" in text


def test_a_second_resolve_makes_no_request_and_refresh_asks_again(
    cli: Cli, fake: FakeServices, corpus: Corpus
) -> None:
    ok(cli("ref", "add", *[p.pmid for p in corpus.pubmed_papers()[12:18]]))
    ok(cli("resolve", "--all"))
    fake.reset_log()
    out = json.loads(ok(cli("resolve", "--all", "--json")))
    assert out["summary"]["unchanged"] == 6 and requests(fake) == 0
    out = json.loads(ok(cli("resolve", "--all", "--refresh", "--json")))
    assert out["summary"]["unchanged"] == 6 and fake.count("pubmed") == 1


def test_a_curators_design_and_a_stored_retraction_are_kept(
    cli: Cli, fake: FakeServices, corpus: Corpus
) -> None:
    trial = next(
        p
        for p in corpus.pubmed_papers()[18:]
        if "Randomized Controlled Trial" in p.publication_types
    )
    other = corpus.pubmed_papers()[19]
    ok(cli("ref", "add", trial.pmid, other.pmid))
    ok(cli("ref", "edit", trial.pmid, "--design", "cohort"))
    ok(cli("ref", "edit", other.pmid, "--retraction", "retracted", "--reason", "notice seen"))
    claim_citing(cli, "kept-claim", trial.pmid)
    ok(cli("resolve", "--all"))
    (link,) = verdict(cli, "kept-claim")["evidence"]
    assert link["design"] == "cohort" and link["design_suggested"] is False
    assert refs(cli)[f"pmid:{other.pmid}"]["retraction"] == "retracted"


def test_one_failure_is_reported_and_leaves_that_paper_alone(
    cli: Cli, fake: FakeServices, corpus: Corpus, db_url: str
) -> None:
    good = corpus.pubmed_papers()[20]
    bad = corpus.doi_only_papers()[4]
    ok(cli("ref", "add", good.pmid, bad.doi))
    fake.fail_always("crossref", bad.doi, status(503))
    untouched = [r for r in rows(db_url)["reference"] if bad.doi.lower() in r]
    result = cli("resolve", "--all")
    assert result.exit_code == 7
    assert f"doi:{bad.doi.lower()}: FAILED: Crossref: HTTP 503" in result.stdout
    assert "Resolved 1, unchanged 0, not found 0, failed 1" in result.stdout
    assert result.stderr.startswith("error: 1 of 2 papers could not be resolved")
    assert [r for r in rows(db_url)["reference"] if bad.doi.lower() in r] == untouched
    assert len(untouched) == 1
    assert refs(cli)[f"pmid:{good.pmid}"]["title"] == good.title


def test_contradicting_identifiers_are_not_written(
    cli: Cli, fake: FakeServices, corpus: Corpus, db_url: str
) -> None:
    paper, other = corpus.pubmed_papers()[21:23]
    ok(cli("ref", "add", paper.pmid))
    ok(cli("ref", "edit", paper.pmid, "--doi", other.doi))  # a curator's slip
    before = rows(db_url)
    result = cli("resolve", paper.pmid)
    assert result.exit_code == 7
    assert f"PubMed gives doi:{paper.doi.lower()} for this paper, not doi:{other.doi.lower()}" in (
        result.stdout
    )
    assert rows(db_url) == before


def test_two_stored_rows_of_one_paper_are_named_not_merged(
    cli: Cli, fake: FakeServices, corpus: Corpus, db_url: str
) -> None:
    paper = corpus.pubmed_papers()[23]
    ok(cli("ref", "add", paper.pmid, paper.doi))  # two rows: the curator did not know
    before = rows(db_url)
    out = json.loads(cli("resolve", "--all", "--json").stdout)
    assert out["summary"]["failed"] == 2
    assert all("they are the same paper" in p["error"] for p in out["papers"])
    assert rows(db_url) == before


def test_resolve_by_claim_and_bad_selections(cli: Cli, fake: FakeServices, corpus: Corpus) -> None:
    cited, loose = corpus.pubmed_papers()[24:26]
    ok(cli("ref", "add", cited.pmid, loose.pmid))
    claim_citing(cli, "by-claim", cited.pmid)
    out = json.loads(ok(cli("resolve", "--claim", "by-claim", "--json")))
    assert [p["key"] for p in out["papers"]] == [f"pmid:{cited.pmid}"]
    assert refs(cli)[f"pmid:{loose.pmid}"]["title"] is None

    fake.reset_log()
    for args, code, message in [
        (("resolve",), 2, "say which papers"),
        (("resolve", "--all", cited.pmid), 2, "--all resolves every paper"),
        (("resolve", "--all", "--offline", "--refresh"), 2, "contradict"),
        (("resolve", "--claim", "no-such-claim"), 3, "unknown claim 'no-such-claim'"),
        (("resolve", corpus.unknown_pmid()), 3, "unknown reference"),
        (("resolve", "not-an-id"), 3, "not a stored reference key or a valid identifier"),
    ]:
        result = cli(*args)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert message in result.stderr
    assert requests(fake) == 0


def test_offline_resolve_uses_only_the_cache(
    cli: Cli, fake: FakeServices, corpus: Corpus, db_url: str
) -> None:
    cached, uncached = corpus.pubmed_papers()[26:28]
    ok(cli("ref", "add", cached.pmid))
    ok(cli("lookup", cached.pmid))  # fills the cache without storing
    ok(cli("ref", "add", uncached.pmid))
    fake.reset_log()
    result = cli("resolve", "--all", "--offline", "--json")
    assert result.exit_code == 7 and requests(fake) == 0
    papers = {p["key"]: p for p in json.loads(result.stdout)["papers"]}
    assert papers[f"pmid:{cached.pmid}"]["status"] == "resolved"
    assert "offline" in papers[f"pmid:{uncached.pmid}"]["error"]


def test_a_paper_no_service_knows_is_counted_not_failed(
    cli: Cli, fake: FakeServices, corpus: Corpus
) -> None:
    ok(cli("ref", "add", corpus.unknown_doi()))
    out = json.loads(ok(cli("resolve", "--all", "--json")))
    assert out["summary"] == {"resolved": 0, "unchanged": 0, "not_found": 1, "failed": 0}


def test_ref_add_resolve_fills_in_and_warns_of_a_retraction(
    cli: Cli, fake: FakeServices, corpus: Corpus
) -> None:
    result = cli(
        "ref", "add", corpus.expression_of_concern.pmid, corpus.republished.pmid, "--resolve"
    )
    text = ok(result)
    assert f"pmid:{corpus.republished.pmid}: NEWLY RETRACTED AND REPUBLISHED" in text
    assert f"pmid:{corpus.expression_of_concern.pmid}: {corpus.expression_of_concern.title}" in text
    stored = refs(cli)
    assert stored[f"pmid:{corpus.expression_of_concern.pmid}"]["retraction"] == (
        "expression_of_concern"
    )


def test_ref_add_resolve_keeps_the_papers_when_the_services_fail(
    cli: Cli, fake: FakeServices, corpus: Corpus
) -> None:
    paper = corpus.pubmed_papers()[30]
    fake.inject("pubmed", *[status(500)] * 3)
    result = cli("ref", "add", paper.pmid, "--resolve", "--json")
    assert result.exit_code == 7
    out = json.loads(result.stdout)
    assert out["added"][0]["created"] is True and out["summary"]["failed"] == 1
    assert refs(cli)[f"pmid:{paper.pmid}"]["title"] is None
    assert "resolve" in result.stderr or "could not be resolved" in result.stderr


def test_a_paper_edited_while_resolving_is_left_alone(
    cli: Cli, fake: FakeServices, corpus: Corpus, db_url: str, monkeypatch
) -> None:
    from evidence.services.metadata import resolving

    paper, other = corpus.pubmed_papers()[31:33]
    ok(cli("ref", "add", paper.pmid))
    real = resolving.resolve

    def resolve_then_edit(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        report = real(*args, **kwargs)
        ok(cli("ref", "edit", paper.pmid, "--pmid", other.pmid))  # a curator, meanwhile
        return report

    monkeypatch.setattr(resolving, "resolve", resolve_then_edit)
    before = rows(db_url)["reference"]
    result = cli("resolve", "--all")
    assert result.exit_code == 7
    assert "identifiers were edited while it was being resolved" in result.stdout
    after = rows(db_url)["reference"]
    assert len(after) == 1 and after != before  # the curator's edit, and nothing else
    stored = refs(cli)[f"pmid:{other.pmid}"]
    assert stored["title"] is None and stored["doi"] is None


def test_notices_are_kept_when_a_service_fails_on_a_later_run(
    cli: Cli, fake: FakeServices, corpus: Corpus
) -> None:
    paper = corpus.retracted
    ok(cli("ref", "add", paper.pmid))
    ok(cli("resolve", "--all"))
    fake.fail_always("crossref", paper.doi, status(500))
    ok(cli("resolve", "--all", "--refresh"))  # PubMed answers; Crossref's check fails
    claim_citing(cli, "kept-notices", paper.pmid)
    (link,) = verdict(cli, "kept-notices")["evidence"]
    services = {n["service"] for n in link["reference"]["retraction_notices"]}
    assert services == {"pubmed", "crossref"}
