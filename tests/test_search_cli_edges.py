"""Edges of `evidence search` and `evidence screen CLAIM` a review found: a --limit that a file
export would ignore, re-runs that fail halfway, OpenAlex's page size, and the terminal loop
meeting a mistyped stance or another curator's decision.

Against a real SQLite file (and PostgreSQL when available) and the fake PubMed / Crossref /
OpenAlex on 127.0.0.1: every record synthetic (PMIDs above 90000000, DOIs under 10.5555/).
"""

# ruff: noqa: F811  (the fixtures imported from test_finding are arguments by name)
from __future__ import annotations

import json

import httpx
import pytest
from sqlmodel import select

from evidence import settings
from evidence.cli import screening
from evidence.cli.app import app
from evidence.domain.models import EvidenceSearch
from evidence.remote.openalex import OR_LIMIT, PER_PAGE
from evidence.services.finding.decisions import decide
from evidence.services.finding.searching import DEFAULT_LIMIT
from evidence.services.metadata.lookups import lookup
from evidence.store.engine import Store
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.fake_corpus import Corpus, FakePaper
from tests.support.fake_formats import openalex_list
from tests.support.fake_services import FakeServices, status
from tests.support.snapshot import rows

# the finding tests' claim, fake services and corpus (fixtures, by name)
from tests.test_finding import CLAIM, IMPORTS, QUERY, corpus, fails, fake  # noqa: F401


def searches(url: str) -> list[tuple[str | None, int | None]]:
    store = Store.open(url)
    try:
        with store.reading() as s:
            found = s.scalars(
                select(EvidenceSearch)
                .where(EvidenceSearch.claim_id == CLAIM)
                .order_by(EvidenceSearch.id)  # type: ignore[arg-type]
            )
            return [(r.service, r.rerun_of) for r in found]
    finally:
        store.close()


# --- --limit with --file ---------------------------------------------------------------------


def test_a_limit_given_with_a_file_is_refused_and_nothing_is_read(
    cli: Cli, seeded_url: str
) -> None:
    before = rows(seeded_url)
    export = str(IMPORTS / "endnote.ris")
    # the default's own value, typed, is as much a mistake as any other
    for limit in ("3", str(DEFAULT_LIMIT)):
        out = fails(cli("search", CLAIM, "--file", export, "--limit", limit), 2)
        assert "--limit" in out and "a file export is read whole" in out
    assert rows(seeded_url) == before
    ok(cli("search", CLAIM, "--file", export))  # without --limit it is read as before


# --- re-runs failing halfway -----------------------------------------------------------------


def _two_searches_and_a_new_paper(cli: Cli, corpus: Corpus) -> None:
    ok(cli("search", CLAIM, "--pubmed", QUERY))
    ok(cli("search", CLAIM, "--crossref", QUERY))
    corpus.add(
        FakePaper(
            pmid="90099101",
            doi="10.5555/evid.rerun.1",
            title="Plantar heel pain in a later synthetic trial (synthetic r1).",
            abstract="A synthetic abstract about plantar heel pain published after the search.",
        )
    )


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_rerun_failing_after_others_reports_what_was_kept(
    cli: Cli, fake: FakeServices, corpus: Corpus, seeded_url: str, as_json: bool
) -> None:
    _two_searches_and_a_new_paper(cli, corpus)
    recorded = searches(seeded_url)
    fake.fail_always("crossref", lambda r: True, status(500))
    result = cli("search", "--rerun", "--all", *(["--json"] if as_json else []))
    assert result.exit_code == 7, (result.stdout, result.stderr)
    # the PubMed re-run was committed before Crossref failed: it is reported, then the error
    if as_json:
        (kept,) = json.loads(result.stdout)
        assert (kept["claim"], kept["new"]) == (CLAIM, 1) and kept["rerun_of"] is not None
    else:
        assert f"{CLAIM}: PubMed \u201c{QUERY}\u201d again: 1 new" in result.stdout
    assert "Crossref" in result.stderr and "1 re-run(s) done and kept" in result.stderr
    pubmed_first = recorded[0]
    assert pubmed_first[0] == "pubmed"
    after = searches(seeded_url)
    assert after[: len(recorded)] == recorded
    (rerun,) = after[len(recorded) :]
    assert rerun[0] == "pubmed" and rerun[1] is not None  # no Crossref re-run half-written


# --- OpenAlex's page size --------------------------------------------------------------------


def test_the_fake_openalex_refuses_a_page_over_100_as_openalex_does(fake: FakeServices) -> None:
    assert PER_PAGE <= 100 and OR_LIMIT <= PER_PAGE
    url = f"{fake.openalex_url}/works"
    for name in ("per-page", "per_page"):
        response = httpx.get(url, params={"search": "synthetic", name: "101"})
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "Invalid query parameters error."
        assert "between 1 and 100" in body["message"]
        assert httpx.get(url, params={"search": "synthetic", name: "100"}).status_code == 200


def test_an_openalex_search_pages_by_100(
    cli: Cli, fake: FakeServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_OPENALEX_API_KEY", "synthetic-key")
    out = json.loads(
        ok(cli("search", CLAIM, "--openalex", "synthetic", "--limit", "120", "--json"))
    )
    assert out["identified"] == 120
    assert [r.params["per-page"] for r in fake.requests("openalex")] == ["100", "100"]


def test_a_lookup_batch_whose_works_overflow_the_page_asks_the_rest_one_by_one(
    fake: FakeServices, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_OPENALEX_API_KEY", "synthetic-key")
    first, second = [p for p in corpus if p.doi and p.in_openalex][:2]
    # two works of one DOI filled the page: the second DOI's work fell off it
    page = openalex_list([first, first], per_page=2, total=3)
    fake.inject("openalex", status(200, body=json.dumps(page), content_type="application/json"))
    report = lookup([first.doi, second.doi], settings.get())
    assert all(r.status == "found" for r in report.resolutions)
    asked = fake.requests("openalex")
    assert asked[0].params["per-page"] == str(PER_PAGE)
    assert [r.path for r in asked[1:]] == [f"/works/https://doi.org/{second.doi.lower()}"]


# --- the terminal loop -----------------------------------------------------------------------


@pytest.fixture
def screened(cli: Cli, seeded_url: str) -> list[str]:
    ok(cli("search", CLAIM, "--file", str(IMPORTS / "endnote.ris"), "--database", "Embase"))
    return [json.loads(ok(cli("screen", CLAIM, "--next", "--json")))["next"]["reference"]]


def prisma(cli: Cli) -> dict:
    return json.loads(ok(cli("claim", "show", CLAIM, "--json")))["prisma"]


def test_a_mistyped_stance_is_asked_again(cli: Cli, screened: list[str]) -> None:
    result = cli.runner.invoke(
        app,
        ["screen", CLAIM],
        input="i\nsupport\nsupports\n   \nA synthetic rationale for the test.\nq\n",
        env={"EVIDENCE_DATABASE_URL": cli.url or "", "EVIDENCE_USER": "ann"},
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "Type one of supports, refutes, mixed, insufficient" in result.stdout
    assert "A stance needs a rationale" in result.stdout  # a blank one is asked again too
    flow = prisma(cli)
    assert (flow["included"], flow["judged"]) == (1, 1)


def test_a_candidate_decided_by_another_curator_meanwhile_is_passed_over(
    cli: Cli, screened: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (top,) = screened
    real_prompt = screening.typer.prompt
    calls = {"n": 0}

    def prompt(text: str, *args: object, **kwargs: object) -> object:
        answer = real_prompt(text, *args, **kwargs)
        if text.startswith("[i]nclude") and calls["n"] == 0:
            # bob decides the shown candidate while ann is still reading it
            calls["n"] += 1
            store = Store.open(cli.url or "")
            try:
                with store.transaction() as session:
                    decide(session, claim_id=CLAIM, ref=top, decision="include", actor="bob")
            finally:
                store.close()
        return answer

    monkeypatch.setattr(screening.typer, "prompt", prompt)
    result = cli.runner.invoke(
        app,
        ["screen", CLAIM],
        input="e\n4\nm\nq\n",
        env={"EVIDENCE_DATABASE_URL": cli.url or "", "EVIDENCE_USER": "ann"},
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert f"{top}: already included by bob meanwhile; moving on." in result.stdout
    flow = prisma(cli)
    # bob's inclusion stands, ann's exclusion was not written, and the next one got her maybe
    assert (flow["included"], flow["excluded"], flow["maybe"]) == (1, 0, 1)
