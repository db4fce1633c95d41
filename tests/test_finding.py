"""Issue 12: searches run per claim, their records the claim's candidates, screened one by one.

Against a real SQLite file and PostgreSQL server, and the fake PubMed / Crossref / OpenAlex on
127.0.0.1 (tests/support/fake_services.py): every record synthetic (PMIDs above 90000000,
DOIs under 10.5555/).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from evidence.cli.app import app
from evidence.domain.models import Candidate, History, Reference
from evidence.remote import http as remote_http
from evidence.store.engine import Store
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.fake_corpus import Corpus, FakePaper, make_corpus
from tests.support.fake_services import FakeServices, status
from tests.support.snapshot import rows

CLAIM = "fascial-continuity-plantar-fascia-to-occiput"
QUERY = "plantar heel pain"
IMPORTS = Path(__file__).parent / "fixtures" / "imports"


def fails(result, code: int) -> str:  # noqa: ANN001
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout + result.stderr


@pytest.fixture
def corpus() -> Corpus:
    return make_corpus(120, 10)


@pytest.fixture
def fake(corpus: Corpus, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeServices]:
    monkeypatch.setattr(remote_http, "BACKOFF", 0.01)
    with FakeServices(corpus) as services:
        for name, value in {
            **services.env(),
            "EVIDENCE_DATA_DIR": str(tmp_path / "data"),
            "EVIDENCE_CONTACT_EMAIL": "curator@example.org",
            "EVIDENCE_HTTP_RETRIES": "2",
        }.items():
            monkeypatch.setenv(name, value)
        yield services


def matching(corpus: Corpus, words: str) -> int:
    """How many of the corpus's PubMed papers the fake finds for ``words`` (every word)."""
    wanted = words.lower().split()
    return sum(
        1
        for p in corpus.papers
        if p.pmid and all(w in f"{p.title} {p.abstract or ''}".lower() for w in wanted)
    )


def candidates(url: str, claim: str = CLAIM) -> dict[str, str]:
    store = Store.open(url)
    try:
        with store.reading() as s:
            return dict(
                s.execute(
                    select(Reference.key, Candidate.state)
                    .join(Candidate, Candidate.reference_id == Reference.id)
                    .where(Candidate.claim_id == claim)
                ).all()
            )
    finally:
        store.close()


def prisma(cli: Cli, claim: str = CLAIM) -> dict:
    return json.loads(ok(cli("claim", "show", claim, "--json")))["prisma"]


def adds_up(flow: dict) -> None:
    assert flow["identified"] == flow["duplicates"] + flow["candidates"]
    assert flow["candidates"] == (
        flow["unscreened"] + flow["maybe"] + flow["excluded"] + flow["included"]
    )
    assert flow["excluded"] == sum(flow["excluded_by_reason"].values())
    assert flow["included"] == flow["judged"] + flow["included_not_judged"]
    assert flow["identified"] == sum(flow["identified_by_database"].values())


# --- searches ---------------------------------------------------------------------------------


def test_a_pubmed_search_is_recorded_and_its_records_become_candidates(
    cli: Cli, fake: FakeServices, corpus: Corpus, seeded_url: str
) -> None:
    expected = matching(corpus, QUERY)
    assert expected > 5
    before = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    out = json.loads(ok(cli("search", CLAIM, "--pubmed", QUERY, "--json")))
    assert (out["database"], out["query"], out["hits"]) == ("PubMed", QUERY, expected)
    assert (out["identified"], out["duplicates"], out["new"]) == (expected, 0, expected)
    found = candidates(seeded_url)
    assert len(found) == expected and set(found.values()) == {"unscreened"}
    flow = prisma(cli)
    adds_up(flow)
    (search,) = [s for s in flow["searches"] if s["service"] == "pubmed"]
    assert search["date"] is not None and search["query"] == QUERY
    # a candidate is not evidence: the evidence and its counts are what they were
    shown = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    assert shown["evidence"] == before["evidence"]
    assert (shown["supporting"], shown["refuting"]) == (before["supporting"], before["refuting"])

    again = json.loads(ok(cli("search", CLAIM, "--crossref", QUERY, "--json")))
    assert again["new"] + again["duplicates"] == again["identified"]
    assert again["duplicates"] > 0  # the same papers, met through Crossref's DOIs
    adds_up(prisma(cli))


def test_a_search_limit_and_bad_input(cli: Cli, fake: FakeServices, seeded_url: str) -> None:
    out = json.loads(ok(cli("search", CLAIM, "--pubmed", QUERY, "--limit", "3", "--json")))
    assert (out["identified"], out["new"]) == (3, 3)
    before = rows(seeded_url)
    assert "give one of --pubmed" in fails(cli("search", CLAIM), 2)
    both = cli("search", CLAIM, "--pubmed", "a", "--crossref", "b")
    assert "give one of" in fails(both, 2)
    assert "unknown claim 'no-such-claim'" in fails(
        cli("search", "no-such-claim", "--pubmed", "x"), 3
    )
    assert "give a CLAIM or --all" in fails(cli("search", "--rerun"), 2)
    assert rows(seeded_url) == before


def test_a_search_failing_halfway_leaves_nothing(
    cli: Cli, fake: FakeServices, corpus: Corpus, seeded_url: str
) -> None:
    before = rows(seeded_url)
    fake.fail_always("pubmed", lambda r: r.endpoint == "efetch", status(500))
    out = fails(cli("search", CLAIM, "--pubmed", QUERY), 7)
    assert "PubMed" in out
    assert rows(seeded_url) == before


def test_a_file_export_is_a_search_and_a_second_read_finds_only_duplicates(
    cli: Cli, seeded_url: str
) -> None:
    path = IMPORTS / "endnote.ris"
    first = json.loads(
        ok(cli("search", CLAIM, "--file", str(path), "--database", "Embase", "--json"))
    )
    assert first["identified"] == first["new"] > 0 and first["duplicates"] == 0
    second = json.loads(ok(cli("search", CLAIM, "--file", str(path), "--json")))
    assert (second["new"], second["duplicates"]) == (0, second["identified"])
    flow = prisma(cli)
    adds_up(flow)
    assert flow["identified_by_database"]["Embase"] == first["identified"]
    broken = cli("search", CLAIM, "--file", str(IMPORTS / "binary.ris"))
    assert "binary" in fails(broken, 2)


def test_a_rerun_fetches_as_deep_as_the_search_it_repeats(
    cli: Cli, fake: FakeServices, seeded_url: str
) -> None:
    first = json.loads(ok(cli("search", CLAIM, "--pubmed", QUERY, "--limit", "3", "--json")))
    assert first["hits"] > 3 and first["identified"] == 3
    again = json.loads(ok(cli("search", "--rerun", CLAIM, "--json")))
    # the same three, not the default 2,000: the records past the first cut-off are not new
    assert [(r["identified"], r["new"]) for r in again] == [(3, 0)]
    assert "as deep as the search it repeats" in fails(
        cli("search", "--rerun", CLAIM, "--limit", "50"), 2
    )


def test_a_file_of_which_nothing_can_be_read_is_no_search(
    cli: Cli, seeded_url: str, tmp_path: Path
) -> None:
    before = rows(seeded_url)
    truncated = tmp_path / "truncated.ris"
    truncated.write_text("TY  - JOUR\nTI  - A record cut off before its end (synthetic)\n")
    out = fails(cli("search", CLAIM, "--file", str(truncated)), 2)
    assert "truncated.ris" in out and "no record in it could be read" in out
    assert "ER line" in out  # the first unreadable record's problem
    assert rows(seeded_url) == before  # no search recorded, no paper stored


def test_a_search_that_finds_only_the_claims_evidence_is_not_nothing_found(
    cli: Cli, seeded_url: str, tmp_path: Path
) -> None:
    listed = json.loads(ok(cli("claims", "list", "--json")))
    claims = listed if isinstance(listed, list) else listed["claims"]
    claim = next(c["id"] for c in claims if c["supporting"] + c["refuting"] > 0)
    shown = json.loads(ok(cli("claim", "show", claim, "--json")))
    paper = next(e["reference"] for e in shown["evidence"] if e["reference"].get("doi"))
    # the claim's own evidence paper, exported again by a database
    export = tmp_path / "again.ris"
    export.write_text(
        f"TY  - JOUR\nTI  - {paper.get('title') or 'untitled'}\nDO  - {paper['doi']}\nER  - \n"
    )
    out = json.loads(ok(cli("search", claim, "--file", str(export), "--json")))
    assert (out["identified"], out["duplicates"], out["new"]) == (1, 1, 0)
    flow = prisma(cli, claim)
    adds_up(flow)
    assert flow["candidates"] == 0 and flow["nothing_found"] is None


def test_a_rerun_adds_only_records_not_seen_before(
    cli: Cli, fake: FakeServices, corpus: Corpus, seeded_url: str
) -> None:
    ok(cli("search", CLAIM, "--pubmed", QUERY))
    first = set(candidates(seeded_url))
    out = json.loads(ok(cli("search", "--rerun", CLAIM, "--json")))
    assert [r["new"] for r in out] == [0]
    corpus.add(
        FakePaper(
            pmid="90099001",
            doi="10.5555/evid.new.1",
            title="Plantar heel pain after a new synthetic trial (synthetic n1).",
            abstract="A synthetic abstract about plantar heel pain published after the search.",
        )
    )
    out = json.loads(ok(cli("search", "--rerun", "--all", "--json")))
    assert [(r["claim"], r["new"]) for r in out] == [(CLAIM, 1)]
    assert out[0]["rerun_of"] is not None
    assert set(candidates(seeded_url)) - first == {"pmid:90099001"}
    adds_up(prisma(cli))


def test_a_search_that_came_back_short_says_so_and_keeps_its_limit(seeded_url: str) -> None:
    """PubMed may withdraw a record between the search and the fetch: the report and the
    search's notes say how many never came, and the limit is kept for its re-runs."""
    from evidence.domain.metadata import PaperMetadata
    from evidence.remote.searching import SearchResult
    from evidence.services.finding.searching import rerun_limit, store_result

    sent = [
        PaperMetadata(
            service="pubmed",
            pmid=str(90099100 + i),
            title=f"A synthetic heel pain record {i} (synthetic)",
            abstract="A synthetic abstract.",
        )
        for i in range(3)
    ]
    result = SearchResult(
        database="pubmed", query=QUERY, total=40, records=sent, requests=2, limit=5, unreadable=1
    )
    store = Store.open(seeded_url)
    try:
        with store.transaction() as session:
            run = store_result(session, claim_id=CLAIM, result=result, actor="ann")
            report = run.report.to_dict()
            assert (report["identified"], report["new"], report["missing"]) == (3, 3, 1)
            assert report["unreadable"] == 1
            assert run.search.notes is not None and "1 of the 5 records asked" in run.search.notes
            assert run.search.fetch_limit == 5 and rerun_limit(run.search) == 5
    finally:
        store.close()


# --- screening --------------------------------------------------------------------------------


@pytest.fixture
def screened(cli: Cli, seeded_url: str) -> list[str]:
    """The claim's candidates from a file export, in the queue's order."""
    ok(cli("search", CLAIM, "--file", str(IMPORTS / "endnote.ris"), "--database", "Embase"))
    queue = json.loads(ok(cli("screen", CLAIM, "--next", "--json")))
    assert queue["ranking"] == "similarity" and queue["screened"] == 0
    return sorted(candidates(seeded_url))


def test_decisions_are_recorded_with_their_reasons_and_the_flow_adds_up(
    cli: Cli, screened: list[str], seeded_url: str
) -> None:
    a, b, c = screened[:3]
    ok(cli("screen", "decide", CLAIM, a, "exclude", "--reason", "wrong_population", user="ann"))
    ok(cli("screen", "decide", CLAIM, b, "maybe", user="ann"))
    ok(cli("screen", "decide", CLAIM, c, "include", user="ann"))
    assert candidates(seeded_url)[a] == "excluded"
    flow = prisma(cli)
    adds_up(flow)
    assert flow["excluded_by_reason"] == {"wrong_population": 1}
    assert (flow["included"], flow["judged"], flow["maybe"]) == (1, 0, 1)
    shown = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    assert [p["key"] for p in shown["included_not_judged"]] == [c]
    store = Store.open(seeded_url)
    try:
        with store.reading() as s:
            decided = s.scalars(select(History.actor).where(History.entity == "candidate")).all()
    finally:
        store.close()
    assert decided == ["ann", "ann", "ann"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["exclude"], 2, "missing reason: an exclusion needs one"),
        (["exclude", "--reason", "sideways"], 2, "invalid exclusion reason 'sideways'"),
        (["exclude", "--reason", "other"], 2, "an exclusion for another reason says which"),
        (["include", "--reason", "wrong_outcome"], 2, "a reason only for an exclusion"),
        (["perhaps"], 2, "invalid decision 'perhaps'"),
        (["include", "--stance", "supports"], 2, "--stance and --rationale go together"),
    ],
)
def test_a_bad_decision_is_refused_and_nothing_is_written(
    cli: Cli, screened: list[str], seeded_url: str, args: list[str], code: int, message: str
) -> None:
    before = rows(seeded_url)
    assert message in fails(cli("screen", "decide", CLAIM, screened[0], *args), code)
    assert rows(seeded_url) == before


def test_a_paper_that_is_not_a_candidate_and_a_second_decision(
    cli: Cli, screened: list[str]
) -> None:
    assert "unknown" in fails(cli("screen", "decide", CLAIM, "10.5555/not.here", "include"), 3)
    ok(cli("screen", "decide", CLAIM, screened[0], "include", user="ann"))
    out = fails(
        cli("screen", "decide", CLAIM, screened[0], "exclude", "--reason", "duplicate", user="bob"),
        5,
    )
    assert "already included (by ann)" in out and "--revise" in out
    ok(cli("screen", "decide", CLAIM, screened[0], "include", user="bob"))  # same: no change
    ok(
        cli(
            "screen",
            "decide",
            CLAIM,
            screened[0],
            "exclude",
            "--reason",
            "duplicate",
            "--revise",
            user="bob",
        )
    )
    assert prisma(cli)["excluded_by_reason"] == {"duplicate": 1}


def test_including_with_a_judgement_makes_it_evidence_and_moves_the_verdict(
    cli: Cli, screened: list[str], seeded_url: str
) -> None:
    before = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    paper = screened[0]
    ok(
        cli(
            "screen",
            "decide",
            CLAIM,
            paper,
            "include",
            "--stance",
            "supports",
            "--rationale",
            "A synthetic study that bears on it.",
        )
    )
    after = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    assert paper in [e["reference"]["key"] for e in after["evidence"]]
    assert after["supporting"] == before["supporting"] + 1
    assert after["prisma"]["judged"] == 1 and after["included_not_judged"] == []


def test_an_included_paper_is_judged_later_and_its_link_guards_a_revision(
    cli: Cli, screened: list[str], seeded_url: str
) -> None:
    paper = screened[0]
    judge = ("--stance", "supports", "--rationale", "A synthetic study that bears on it.")
    ok(cli("screen", "decide", CLAIM, paper, "include", user="ann"))
    waiting = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    assert waiting["prisma"]["included_not_judged"] == 1
    assert paper not in [e["reference"]["key"] for e in waiting["evidence"]]
    # judging it later is not changing the decision: no --revise
    ok(cli("screen", "decide", CLAIM, paper, "include", *judge, user="bob"))
    judged = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    assert paper in [e["reference"]["key"] for e in judged["evidence"]]
    assert (judged["prisma"]["judged"], judged["prisma"]["included_not_judged"]) == (1, 0)
    assert judged["supporting"] == waiting["supporting"] + 1
    # the same judgement again writes nothing
    before = rows(seeded_url)
    ok(cli("screen", "decide", CLAIM, paper, "include", *judge, user="bob"))
    # an inclusion is not revised away under its evidence link, which would go on counting
    out = fails(
        cli("screen", "decide", CLAIM, paper, "exclude", "--reason", "wrong_design", "--revise"),
        5,
    )
    assert "included and linked as evidence" in out and f"evidence unlink {CLAIM} " in out
    assert "linked as evidence" in fails(
        cli("screen", "decide", CLAIM, paper, "maybe", "--revise"), 5
    )
    assert rows(seeded_url) == before
    ok(cli("unlink", CLAIM, paper, "--reason", "screened out on a second reading"))
    ok(cli("screen", "decide", CLAIM, paper, "exclude", "--reason", "wrong_design", "--revise"))
    after = json.loads(ok(cli("claim", "show", CLAIM, "--json")))
    assert paper not in [e["reference"]["key"] for e in after["evidence"]]
    assert after["supporting"] == waiting["supporting"]
    adds_up(after["prisma"])


def test_a_claim_with_no_candidates_has_an_empty_queue(cli: Cli, seeded_url: str) -> None:
    queue = json.loads(ok(cli("screen", CLAIM, "--next", "--json")))
    assert queue["next"] is None and (queue["total"], queue["screened"]) == (0, 0)
    assert queue["progress"].startswith(f"no candidates yet: `evidence search {CLAIM} --pubmed")
    shown = cli.runner.invoke(
        app,
        ["screen", CLAIM],
        input="q\n",
        env={"EVIDENCE_DATABASE_URL": cli.url or "", "EVIDENCE_USER": "ann"},
    )
    assert "no candidates yet" in ok(shown)


def test_the_terminal_screens_one_at_a_time(cli: Cli, screened: list[str]) -> None:
    runner = cli.runner

    result = runner.invoke(
        app,
        ["screen", CLAIM],
        input="i\n\ne\n4\ns\nm\nq\n",
        env={"EVIDENCE_DATABASE_URL": cli.url or "", "EVIDENCE_USER": "ann"},
    )
    assert result.exit_code == 0, result.stdout
    assert "[i]nclude, [e]xclude, [m]aybe, [s]kip, [q]uit" in result.stdout
    assert "wrong design" in result.stdout
    flow = prisma(cli)
    assert (flow["included"], flow["excluded"], flow["maybe"]) == (1, 1, 1)
    assert flow["excluded_by_reason"] == {"wrong_design": 1}


def test_the_queue_learns_from_decisions(cli: Cli, screened: list[str]) -> None:
    first = json.loads(ok(cli("screen", CLAIM, "--next", "--json")))
    ok(cli("screen", "decide", CLAIM, first["next"]["reference"], "include"))
    nxt = json.loads(ok(cli("screen", CLAIM, "--next", "--json")))
    ok(
        cli(
            "screen",
            "decide",
            CLAIM,
            nxt["next"]["reference"],
            "exclude",
            "--reason",
            "not_a_study",
        )
    )
    learned = json.loads(ok(cli("screen", CLAIM, "--next", "--json")))
    assert learned["ranking"] == "classifier"
    assert learned["screened"] == 2 and learned["included"] == 1
    assert learned["screened_since_last_include"] == 1


def test_screened_to_the_end_with_nothing_included_says_so(cli: Cli, screened: list[str]) -> None:
    for paper in screened:
        ok(cli("screen", "decide", CLAIM, paper, "exclude", "--reason", "wrong_outcome"))
    flow = prisma(cli)
    adds_up(flow)
    assert flow["nothing_found"] is not None
    assert flow["nothing_found"].startswith("searched, nothing found: Embase")
    assert "none included" in flow["nothing_found"]


def test_two_curators_screening_one_claim_lose_no_decision(
    cli: Cli, screened: list[str], seeded_url: str
) -> None:
    """Two processes deciding at once: each candidate ends with exactly one decision, and a
    candidate decided by one is never offered as unscreened to the other afterwards."""
    import subprocess
    import sys

    # ann excludes and bob includes: whoever is first decides, the other is refused
    script = (
        "import sys\n"
        "from evidence.cli.app import app\n"
        "decision = {'ann': ['exclude', '--reason', 'wrong_design'], 'bob': ['include']}\n"
        "for ref in sys.argv[2:]:\n"
        "    try:\n"
        "        app(['--as', sys.argv[1], 'screen', 'decide', "
        f"'{CLAIM}', ref, *decision[sys.argv[1]]], standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "    except Exception as exc:\n"
        "        assert type(exc).__name__ in ('AlreadyDecided', 'WriteConflict'), exc\n"
    )
    env = {"EVIDENCE_DATABASE_URL": seeded_url, "PATH": "/usr/bin:/bin"}
    import os

    env = {**os.environ, **env}
    procs = [
        subprocess.Popen([sys.executable, "-c", script, who, *screened], env=env)
        for who in ("ann", "bob")
    ]
    for p in procs:
        p.wait(timeout=120)
    for p in procs:
        assert p.returncode == 0
    final = candidates(seeded_url)
    assert set(final.values()) <= {"excluded", "included"} and len(final) == len(screened)
    store = Store.open(seeded_url)
    try:
        with store.reading() as s:
            writes = s.scalar(
                select(func.count()).select_from(History).where(History.entity == "candidate")
            )
            versions = set(s.scalars(select(Candidate.version).where(Candidate.claim_id == CLAIM)))
            # each candidate's one write is by the curator whose decision it holds
            deciders = dict(
                s.execute(
                    select(Reference.key, Candidate.decided_by)
                    .join(Candidate, Candidate.reference_id == Reference.id)
                    .where(Candidate.claim_id == CLAIM)
                ).all()
            )
    finally:
        store.close()
    assert writes == len(screened) and versions == {2}
    assert all(
        deciders[ref] == ("ann" if state == "excluded" else "bob") for ref, state in final.items()
    )
    queue = json.loads(ok(cli("screen", CLAIM, "--next", "--json")))
    assert queue["next"] is None and queue["screened"] == len(screened)


def test_a_maybe_is_decided_later_without_revising(cli: Cli, screened: list[str]) -> None:
    ok(cli("screen", "decide", CLAIM, screened[0], "maybe", user="ann"))
    ok(cli("screen", "decide", CLAIM, screened[0], "exclude", "--reason", "not_a_study"))
    assert prisma(cli)["excluded_by_reason"] == {"not_a_study": 1}


def test_the_cli_does_not_import_the_ranker_until_a_queue_is_asked_for() -> None:
    """scikit-learn takes a second and 150 MB to import: `claims list` must not pay it."""
    import subprocess
    import sys

    probe = "import sys, evidence.cli.app; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
