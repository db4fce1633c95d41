"""`evidence check` and the Ledger health page: each kind of finding provoked and cleared
(through the commands its fix names), the exit codes, the JSON, the near-duplicate and loop
finders on their own, and the page's links and escaping. Every paper made here is synthetic
(DOIs under 10.5555/, PMIDs above 90000000)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from evidence import clock
from evidence.domain.loops import loops
from evidence.domain.models import Claim, ClaimLink, EvidenceSearch, Reference
from evidence.domain.near_duplicates import clusters, near
from evidence.errors import InvalidValue
from evidence.remote import http as remote_http
from evidence.services.records.searches import log_search
from evidence.services.views.ledger_health import KINDS, Finding, findings, ledger_health
from evidence.store.engine import Store
from evidence.webui import data, health
from evidence.webui.health import kind_html
from tests.conftest import Cli
from tests.support.cli_result import ok
from tests.support.fake_corpus import Corpus, FakePaper
from tests.support.fake_services import FakeServices
from tests.support.settings_env import set_env

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
CLAIM = "lumbar-nerve-root-tethering"  # a starter claim with evidence
QUOTE = "Calf stretching eased heel pain in every synthetic runner we followed."
NEARLY = "Calf stretching eased heel pain in every synthetic jogger we followed."
DOC = "An opening line of a synthetic page.\n\n{} And a closing line.\n"
BIB = """@article{{syn,
  title = {{Calf stretching for heel pain: a synthetic trial}},
  author = {{Alder, Ann}},
  journal = {{Synthetic Pain Reports}},
  year = {{2021}},
  doi = {{{doi}}},
  abstract = {{Calf stretching reduced heel pain at six weeks. Nobody was harmed.}}
}}
"""
DOI = "10.5555/health.check.1"
RCT_PMID = "90000501"
FINDING_KEYS = set(Finding.__annotations__)


# --- helpers ----------------------------------------------------------------------------


def report(cli: Cli, *args: str) -> dict:
    """`evidence check --json`: its exit code must say whether there were findings."""
    result = cli("check", "--json", *args)
    assert result.exit_code in (0, 1), (result.stdout, result.stderr)
    out = json.loads(result.stdout)
    assert result.exit_code == (1 if out["findings"] else 0)
    return out


def of_kind(cli: Cli, kind: str, *args: str) -> list[dict]:
    return [f for f in report(cli, *args)["findings"] if f["kind"] == kind]


def records(cli: Cli, kind: str, *args: str) -> list[str]:
    return [f["record"] for f in of_kind(cli, kind, *args)]


def fix_command(finding: dict) -> list[str]:
    """The first command a finding's fix names, as arguments (without `evidence`)."""
    command = re.search(r"`evidence ([^`]+)`", finding["fix"])
    assert command, finding["fix"]
    return command.group(1).split()


def document(tmp_path: Path, name: str, sentence: str) -> str:
    path = tmp_path / name
    path.write_text(DOC.format(sentence))
    return str(path)


def add_claim(cli: Cli, claim: str, statement: str) -> None:
    ok(cli("claim", "add", claim, "--statement", statement, "--type", "treatment"))


def linked_paper(cli: Cli, tmp_path: Path, claim: str = CLAIM) -> str:
    """A synthetic paper with an abstract (from a BibTeX file) linked to ``claim``."""
    bib = tmp_path / "paper.bib"
    bib.write_text(BIB.format(doi=DOI))
    ok(cli("import", str(bib), "--claim", claim, "--stance", "supports", "--rationale", "Syn."))
    return f"doi:{DOI}"


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """later(days=N): from now on the clock reads N days after the test began."""
    start = clock.now()

    def move(**delta: float) -> None:
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(**delta))

    return move


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    """The stand-ins for PubMed, Crossref and OpenAlex, knowing one synthetic RCT."""
    corpus = Corpus(
        [
            FakePaper(
                pmid=RCT_PMID,
                doi="10.5555/health.check.rct",
                title="Night splints for plantar heel pain: a synthetic randomised trial",
                authors=[("Birch", "Chen")],
                abstract="Night splints reduced morning heel pain in this synthetic trial.",
                publication_types=["Journal Article", "Randomized Controlled Trial"],
            )
        ]
    )
    monkeypatch.setattr(remote_http, "BACKOFF", 0.05)
    with FakeServices(corpus) as fake:
        set_env(monkeypatch, **fake.env(), EVIDENCE_HTTP_RETRIES="2")
        yield fake


# --- the starter content, exit codes, JSON ------------------------------------------------


def test_the_starter_content_prints_its_findings(cli: Cli, seeded_store: Store) -> None:
    with seeded_store.reading() as s:
        claims = set(s.scalars(select(Claim.id)))
        searched = set(s.scalars(select(EvidenceSearch.claim_id)))
    result = cli("check", "--limit", "0")
    assert result.exit_code == 1, result.stderr
    text = result.stdout
    assert "Claims with no recorded search [claim_without_search, note]:" in text
    unsearched = sorted(claims - searched)
    assert unsearched and searched
    listed = re.findall(r"^  claim (\S+)$", text, flags=re.M)
    assert listed == unsearched
    assert f"  fix: record the search you ran: `evidence search-log {unsearched[0]} " in text
    n = len(unsearched)
    assert text.rstrip().endswith(
        f"{n} findings (0 problems, {n} notes): {n} claim_without_search."
    )
    # the starter content's quotes are all in their documents, its papers all have a
    # curator's design and were filled in at seeding, its chains do not loop, and no two
    # of its 40 claims say the same thing
    assert report(cli)["summary"]["kinds"] == {
        k: n if k == "claim_without_search" else 0 for k in KINDS
    }


def test_the_text_output_caps_each_kind_and_says_how_many_more(cli: Cli) -> None:
    text = ok_or_findings(cli("check", "--limit", "3"))
    assert len(re.findall(r"^  claim \S+$", text, flags=re.M)) == 3
    assert re.search(r"… and \d+ more \(`evidence check --limit 0` or `--json`", text)


def ok_or_findings(result) -> str:  # noqa: ANN001
    assert result.exit_code == 1, (result.stdout, result.stderr)
    return result.stdout


def test_a_clean_ledger_exits_0(cli: Cli, seeded_store: Store, db_url: str) -> None:
    empty = Cli(db_url)("check")
    assert empty.exit_code == 0, empty.stdout
    assert "The ledger is healthy: nothing to fix." in empty.stdout
    with seeded_store.transaction() as s:
        for claim in s.scalars(select(Claim.id)).all():
            if not s.scalars(select(EvidenceSearch).where(EvidenceSearch.claim_id == claim)).all():
                log_search(s, claim_id=claim, database="PubMed", query="q", hits=0, actor="t")
    result = cli("check")
    assert result.exit_code == 0, result.stdout
    assert report(cli)["findings"] == []


def test_bad_input_exits_2(cli: Cli, tmp_path: Path, new_db: Callable[..., str]) -> None:
    for args in (["--stale-days", "-1"], ["--limit", "-1"], ["--stale-days", "soon"]):
        result = cli("check", *args)
        assert result.exit_code == 2, (args, result.stdout)
        assert "error:" in result.stderr and args[0] in result.stderr
    missing = cli("check", url=f"sqlite:///{tmp_path / 'nowhere' / 'ledger.db'}")
    assert missing.exit_code == 2 and "cannot use database" in missing.stderr
    bare = cli("check", url=new_db(migrated=False))
    assert bare.exit_code == 2 and "evidence init" in bare.stderr
    assert missing.stdout == bare.stdout == ""


def test_the_service_refuses_negative_days_and_reads_the_given_now(seeded_store: Store) -> None:
    with seeded_store.reading() as s:
        with pytest.raises(InvalidValue):
            findings(s, stale_days=-1)  # refused at once, not when first read
        soon = ledger_health(s, now=clock.now() + timedelta(days=89))
        late = ledger_health(s, now=clock.now() + timedelta(days=91))
    assert soon["summary"]["kinds"]["paper_not_refreshed"] == 0
    assert late["summary"]["kinds"]["paper_not_refreshed"] > 100


def test_the_json_shape(cli: Cli, tmp_path: Path) -> None:
    linked_paper(cli, tmp_path)
    out = report(cli)
    assert set(out) == {"findings", "summary"}
    summary = out["summary"]
    assert set(summary) == {"findings", "problems", "notes", "kinds"}
    assert list(summary["kinds"]) == list(KINDS)
    assert summary["findings"] == len(out["findings"]) == summary["problems"] + summary["notes"]
    kinds = [f["kind"] for f in out["findings"]]
    assert kinds == sorted(kinds, key=list(KINDS).index)  # grouped, in KINDS order
    for f in out["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] == KINDS[f["kind"]][0]
        assert f["claim"] == (f["claims"][0] if f["claims"] else None)
        assert f["problem"].endswith(".") and "`evidence " in f["fix"]
    (paper,) = [f for f in out["findings"] if f["kind"] == "design_not_recorded"]
    assert paper["reference"] == f"doi:{DOI}" and paper["record"] == f"paper doi:{DOI}"
    assert paper["claims"] == [CLAIM] and paper["source"] is None


# --- each kind, provoked and cleared --------------------------------------------------------


def unverified_quote(
    cli: Cli,
    tmp_path: Path,
    quote: str = QUOTE,
    sentence: str = "Nothing about stretching here.",
) -> None:
    """A source "synthetic-page" whose text holds ``sentence``, asserting ``quote``
    unverified (so the quote is not in the text)."""
    text = document(tmp_path, "page.txt", sentence)
    ok(
        cli(
            "source",
            "add",
            "synthetic-page",
            "--title",
            "A page",
            "--kind",
            "other",
            "--text-file",
            text,
        )
    )
    ok(cli("claim", "assert", CLAIM, "synthetic-page", "--quote", quote, "--unverified"))


def test_a_quote_not_in_its_sources_text_is_found(cli: Cli, tmp_path: Path) -> None:
    unverified_quote(cli, tmp_path)
    (found,) = of_kind(cli, "quote_not_found")
    assert found["record"] == f"assertion synthetic-page → claim {CLAIM}"
    assert (found["claim"], found["source"], found["severity"]) == (
        CLAIM,
        "synthetic-page",
        "problem",
    )
    assert QUOTE in found["problem"]
    assert fix_command(found)[:3] == ["source", "text", "synthetic-page"]


def test_a_quote_not_found_is_cleared_by_the_right_text(cli: Cli, tmp_path: Path) -> None:
    unverified_quote(cli, tmp_path)
    ok(cli("source", "text", "synthetic-page", document(tmp_path, "right.txt", QUOTE)))
    assert of_kind(cli, "quote_not_found") == []
    assert of_kind(cli, "quote_nearly_found") == []


def quote_from_bare_source(cli: Cli) -> None:
    ok(cli("source", "add", "synthetic-bare", "--title", "No text", "--kind", "other"))
    ok(cli("claim", "assert", CLAIM, "synthetic-bare", "--quote", QUOTE, "--unverified"))
    ok(
        cli(
            "claim",
            "assert",
            "radiculopathy-prevalence-foot-pain",
            "synthetic-bare",
            "--quote",
            "Another synthetic quote.",
            "--unverified",
        )
    )


def test_a_source_without_text_is_found_once_for_its_quotes(cli: Cli) -> None:
    quote_from_bare_source(cli)
    (found,) = of_kind(cli, "source_without_text")
    assert found["record"] == "source synthetic-bare" and found["source"] == "synthetic-bare"
    assert "has no stored text: its 2 quotes cannot be checked" in found["problem"]
    assert fix_command(found) == ["source", "text", "synthetic-bare", "FILE"]
    assert of_kind(cli, "quote_not_found") == []  # nothing was looked in


def test_a_source_without_text_is_cleared_by_its_fix(cli: Cli, tmp_path: Path) -> None:
    quote_from_bare_source(cli)
    (found,) = of_kind(cli, "source_without_text")
    text = tmp_path / "bare.txt"
    text.write_text(DOC.format(QUOTE + " Another synthetic quote."))
    command = [str(text) if arg == "FILE" else arg for arg in fix_command(found)]
    ok(cli(*command))
    assert of_kind(cli, "source_without_text") == []
    assert of_kind(cli, "quote_not_found") == []


def nearly_quoted(cli: Cli, tmp_path: Path) -> None:
    text = document(tmp_path, "near.txt", NEARLY)
    ok(
        cli(
            "source",
            "add",
            "synthetic-near",
            "--title",
            "Near",
            "--kind",
            "other",
            "--text-file",
            text,
        )
    )
    # nearly found is found: the quote is recorded without --unverified
    ok(cli("claim", "assert", CLAIM, "synthetic-near", "--quote", QUOTE))


def test_a_quote_only_nearly_found_is_a_note_with_its_score(cli: Cli, tmp_path: Path) -> None:
    nearly_quoted(cli, tmp_path)
    (found,) = of_kind(cli, "quote_nearly_found")
    assert found["severity"] == "note" and found["claim"] == CLAIM
    score = float(re.search(r"score ([\d.]+) of 100", found["problem"]).group(1))
    assert 80 <= score < 100
    assert fix_command(found) == ["claim", "show", CLAIM]


def test_a_quote_nearly_found_is_cleared_by_the_exact_wording(cli: Cli, tmp_path: Path) -> None:
    nearly_quoted(cli, tmp_path)
    ok(cli("source", "text", "synthetic-near", document(tmp_path, "exact.txt", QUOTE)))
    assert of_kind(cli, "quote_nearly_found") == []


def test_an_evidence_quote_not_in_the_abstract_is_found(cli: Cli, tmp_path: Path) -> None:
    paper = linked_paper(cli, tmp_path)
    ok(cli("link", CLAIM, paper, "--quote", "Stretching cured everyone."))
    (found,) = of_kind(cli, "evidence_quote_not_found")
    assert found["record"] == f"link {CLAIM} <- {paper}"
    assert (found["claim"], found["reference"]) == (CLAIM, paper)
    assert fix_command(found)[:3] == ["link", CLAIM, paper]


def test_an_evidence_quote_is_cleared_by_the_papers_words(cli: Cli, tmp_path: Path) -> None:
    paper = linked_paper(cli, tmp_path)
    ok(cli("link", CLAIM, paper, "--quote", "Stretching cured everyone."))
    ok(cli("link", CLAIM, paper, "--quote", "Calf stretching reduced heel pain at six weeks."))
    assert of_kind(cli, "evidence_quote_not_found") == []


def test_a_quote_on_a_paper_without_an_abstract_is_not_a_finding(cli: Cli) -> None:
    ok(cli("ref", "add", "10.5555/health.check.bare"))
    ok(
        cli(
            "link",
            CLAIM,
            "doi:10.5555/health.check.bare",
            "--stance",
            "supports",
            "--rationale",
            "Syn.",
            "--quote",
            "Words nobody can check yet.",
        )
    )
    assert of_kind(cli, "evidence_quote_not_found") == []
    # what can be done is said once, of the paper
    assert records(cli, "paper_never_resolved") == ["paper doi:10.5555/health.check.bare"]


def test_a_cited_paper_without_a_design_is_found(cli: Cli, tmp_path: Path) -> None:
    paper = linked_paper(cli, tmp_path)
    (found,) = of_kind(cli, "design_not_recorded")
    assert found["record"] == f"paper {paper}" and found["claims"] == [CLAIM]
    assert f"in claim {CLAIM}" in found["problem"]
    assert fix_command(found) == ["ref", "edit", paper, "--design", "DESIGN"]


def test_a_design_recorded_clears_it(cli: Cli, tmp_path: Path) -> None:
    paper = linked_paper(cli, tmp_path)
    ok(cli("ref", "edit", paper, "--design", "cohort"))
    assert of_kind(cli, "design_not_recorded") == []
    assert of_kind(cli, "design_only_suggested") == []


def resolved_rct(cli: Cli) -> None:
    ok(cli("ref", "add", RCT_PMID))
    ok(cli("resolve", RCT_PMID))
    ok(cli("link", CLAIM, RCT_PMID, "--stance", "supports", "--rationale", "Syn."))


def test_a_design_only_suggested_is_a_note(cli: Cli, services: FakeServices) -> None:
    resolved_rct(cli)
    (found,) = of_kind(cli, "design_only_suggested")
    assert found["record"] == f"paper pmid:{RCT_PMID}" and found["severity"] == "note"
    assert "its design, rct, comes from its publication types" in found["problem"]
    assert fix_command(found) == ["ref", "edit", f"pmid:{RCT_PMID}", "--design", "rct"]
    assert of_kind(cli, "design_not_recorded") == []


def test_a_design_confirmed_clears_the_note(cli: Cli, services: FakeServices) -> None:
    resolved_rct(cli)
    (found,) = of_kind(cli, "design_only_suggested")
    ok(cli(*fix_command(found)))
    assert of_kind(cli, "design_only_suggested") == []


def test_a_paper_never_resolved_is_found(cli: Cli) -> None:
    ok(cli("ref", "add", RCT_PMID))
    (found,) = of_kind(cli, "paper_never_resolved")
    assert found["record"] == f"paper pmid:{RCT_PMID}" and found["claims"] == []
    assert fix_command(found) == ["resolve", f"pmid:{RCT_PMID}"]


def test_resolving_a_paper_clears_it(cli: Cli, services: FakeServices) -> None:
    ok(cli("ref", "add", RCT_PMID))
    (found,) = of_kind(cli, "paper_never_resolved")
    ok(cli(*fix_command(found)))
    assert of_kind(cli, "paper_never_resolved") == []


def test_papers_not_checked_for_retractions_lately_are_found(
    cli: Cli, later: Callable[..., None], seeded_store: Store
) -> None:
    assert of_kind(cli, "paper_not_refreshed") == []
    later(days=100)
    found = of_kind(cli, "paper_not_refreshed")
    with seeded_store.reading() as s:
        keys = sorted(s.scalars(select(Reference.key)))
    assert [f["reference"] for f in found] == keys
    assert "more than 90 days ago" in found[0]["problem"]
    assert fix_command(found[0]) == ["resolve", keys[0], "--refresh"]


def test_a_longer_window_clears_them(cli: Cli, later: Callable[..., None]) -> None:
    later(days=100)
    assert of_kind(cli, "paper_not_refreshed", "--stale-days", "120") == []
    assert of_kind(cli, "paper_not_refreshed", "--stale-days", "99") != []


def test_a_claim_without_a_search_is_found(cli: Cli) -> None:
    add_claim(cli, "synthetic-unsearched", "Synthetic: taping prevents ankle sprains in cats.")
    assert "claim synthetic-unsearched" in records(cli, "claim_without_search")


def test_a_search_logged_clears_it(cli: Cli) -> None:
    add_claim(cli, "synthetic-unsearched", "Synthetic: taping prevents ankle sprains in cats.")
    (found,) = [
        f for f in of_kind(cli, "claim_without_search") if f["claim"] == "synthetic-unsearched"
    ]
    assert fix_command(found)[:2] == ["search-log", "synthetic-unsearched"]
    ok(
        cli(
            "search-log",
            "synthetic-unsearched",
            "--database",
            "PubMed",
            "--query",
            "taping",
            "--hits",
            "0",
        )
    )
    assert "claim synthetic-unsearched" not in records(cli, "claim_without_search")


TWIN_A = "Synthetic: calf stretching reduces plantar heel pain in adult runners."
TWIN_B = "Synthetic: calf-stretching reduces plantar heel pain in runners"


def twins(cli: Cli) -> None:
    add_claim(cli, "synthetic-twin-a", TWIN_A)
    add_claim(cli, "synthetic-twin-b", TWIN_B)


def test_claims_asserting_nearly_the_same_statement_are_found(cli: Cli) -> None:
    twins(cli)
    (found,) = of_kind(cli, "near_duplicate_claims")
    assert found["claims"] == ["synthetic-twin-a", "synthetic-twin-b"]
    assert found["record"] == "claims synthetic-twin-a, synthetic-twin-b"
    assert "2 claims assert nearly the same statement" in found["problem"]


def test_near_duplicates_are_cleared_by_rewording_or_linking(cli: Cli) -> None:
    twins(cli)
    ok(
        cli(
            "claim",
            "edit",
            "synthetic-twin-b",
            "--statement",
            "Synthetic: calf stretching worsens Achilles tendinopathy in runners.",
        )
    )
    assert of_kind(cli, "near_duplicate_claims") == []
    ok(cli("claim", "edit", "synthetic-twin-b", "--statement", TWIN_B))
    (found,) = of_kind(cli, "near_duplicate_claims")
    ok(cli("claim-link", "synthetic-twin-a", "synthetic-twin-b", "--relation", "refines"))
    assert of_kind(cli, "near_duplicate_claims") == []


LOOP = ["synthetic-loop-a", "synthetic-loop-b", "synthetic-loop-c"]


def looping_chain(cli: Cli) -> None:
    for claim in LOOP:
        add_claim(cli, claim, f"Synthetic step {claim[-1]} of a looping mechanism.")
    ok(cli("claim-link", LOOP[0], LOOP[1]))
    ok(cli("claim-link", LOOP[1], LOOP[2]))
    assert cli("claim-link", LOOP[2], LOOP[0]).exit_code == 2  # linking refuses the loop
    # ... which an import of an older ledger could still bring
    store = Store.open(cli.url)
    try:
        with store.transaction() as s:
            s.add(
                ClaimLink(
                    from_claim_id=LOOP[2],
                    to_claim_id=LOOP[0],
                    relation="leads_to",
                    curator="t",
                    created_at=clock.now(),
                )
            )
    finally:
        store.close()


def test_a_looping_chain_is_found_with_its_claims_in_order(cli: Cli) -> None:
    looping_chain(cli)
    (found,) = of_kind(cli, "leads_to_cycle")
    assert found["claims"] == LOOP and found["severity"] == "problem"
    assert found["record"] == "chain " + " → ".join([*LOOP, LOOP[0]])
    assert fix_command(found) == ["claim-unlink", LOOP[2], LOOP[0]]


def test_unlinking_as_the_fix_says_clears_the_loop(cli: Cli) -> None:
    looping_chain(cli)
    (found,) = of_kind(cli, "leads_to_cycle")
    ok(cli(*fix_command(found)))
    assert of_kind(cli, "leads_to_cycle") == []


def stale_override(cli: Cli, later: Callable[..., None]) -> str:
    paper = json.loads(ok(cli("claim", "show", CLAIM, "--json")))["evidence"][0]["reference"]
    later(days=1)
    ok(cli("override", CLAIM, "contested", "--reason", "Synthetic reading of the evidence."))
    assert of_kind(cli, "override_older_than_evidence") == []
    later(days=2)
    ok(cli("link", CLAIM, paper["key"], "--rationale", "Revised after a synthetic re-read."))
    return paper["key"]


def test_an_override_older_than_its_evidence_is_found(cli: Cli, later: Callable[..., None]) -> None:
    stale_override(cli, later)
    (found,) = of_kind(cli, "override_older_than_evidence")
    assert found["record"] == f"override of claim {CLAIM}" and found["claim"] == CLAIM
    assert "is older than a change to its evidence" in found["problem"]
    assert fix_command(found)[:3] == ["override", CLAIM, "contested"]


def test_restating_the_override_clears_it(cli: Cli, later: Callable[..., None]) -> None:
    stale_override(cli, later)
    later(days=3)
    ok(cli("override", CLAIM, "contested", "--reason", "Still contested after the re-read."))
    assert of_kind(cli, "override_older_than_evidence") == []


# --- the finders on their own --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Orthoses reduce low back pain.", "orthoses reduce LOW back pain", True),
        ("Orthoses reduce low back pain in adults.", "Orthoses reduce back pain in adults.", True),
        (
            "Plantar fasciitis follows calf tightness.",
            "Plantar fascitis follows calf tightness.",
            True,
        ),
        ("Nerve fibres join the fascicles.", "Nerve fibers join the fascicles.", True),
        # one word of a template changed is another claim
        (
            "Weak foot muscles in the ankle sensitise the calf.",
            "Weak foot muscles in the ankle sensitise the heel.",
            False,
        ),
        # so is the same words the other way round
        (
            "An altered gait transmits strain from the ankle to the knee.",
            "An altered gait transmits strain from the knee to the ankle.",
            False,
        ),
        ("Heel pain affects 10% of runners.", "Heel pain affects 90% of runners.", False),
        (
            "Taping is effective for ankle sprains.",
            "Taping is not effective for ankle sprains.",
            False,
        ),
        (
            "Orthoses reduce low back pain.",
            "Orthoses reduce low back pain in elderly adults.",
            False,
        ),
    ],
)
def test_what_counts_as_nearly_the_same_statement(a: str, b: str, same: bool) -> None:
    assert near(a, b) is same
    assert near(b, a) is same


def test_no_two_starter_claims_are_near_duplicates(seeded_store: Store) -> None:
    with seeded_store.reading() as s:
        statements = s.execute(select(Claim.id, Claim.statement)).all()
    assert len(statements) >= 40
    assert clusters(statements) == []


def synthetic_statements(n: int) -> list[tuple[str, str]]:
    """``n`` distinct synthetic statements from one template and a small vocabulary (the
    worst case for an index on rare words: no word is rare)."""
    exposures = [
        "Calf stretching",
        "Dry needling",
        "Orthotic insoles",
        "Shockwave therapy",
        "Manual therapy",
        "Pain education",
        "Exercise therapy",
        "Night splints",
    ]
    sites = ["heel", "ankle", "knee", "hip", "calf", "foot", "lumbar spine", "plantar fascia"]
    verbs = ["reduces pain in", "improves function in", "prevents recurrence of", "worsens"]
    conditions = [
        "plantar heel pain",
        "Achilles tendinopathy",
        "knee osteoarthritis",
        "chronic low back pain",
        "hallux valgus",
        "tarsal tunnel syndrome",
        "flat foot",
        "sciatica",
        "metatarsalgia",
        "shin splints",
    ]
    people = ["in runners", "in older adults", "in office workers", "in athletes", "after surgery"]
    out = []
    for e in exposures:
        for s in sites:
            for v in verbs:
                for c in conditions:
                    for p in people:
                        out.append(f"{e} applied to the {s} {v} {c} {p}.")
    step = len(out) // n
    return [(f"synthetic-{i:05d}", text) for i, text in enumerate(out[::step][:n])]


def test_near_duplicates_among_thousands_of_claims_are_found_fast() -> None:
    statements = synthetic_statements(5000)
    planted = []
    for i in range(0, 5000, 250):  # twenty copies with "the" dropped and the stop removed
        claim, text = statements[i]
        planted.append([claim, f"{claim}-copy"])
        statements.append((f"{claim}-copy", text.replace(" the ", " ").rstrip(".")))
    start = time.perf_counter()
    found = clusters(statements)
    seconds = time.perf_counter() - start
    assert sorted(c.claims for c in found) == sorted(planted)
    # every pair scored one by one in Python takes well over 10 s here (12.5 million pairs)
    assert seconds < 5, seconds


def test_loops_are_named_in_order_through_their_smallest_claim() -> None:
    edges = [
        ("b", "c"),
        ("c", "a"),
        ("a", "b"),
        ("c", "d"),
        ("d", "e"),
        ("x", "x"),
        ("p", "q"),
        ("q", "p"),
        ("q", "r"),
        ("r", "p"),
    ]
    assert loops(edges) == [(["a", "b", "c"], 3), (["p", "q"], 3), (["x"], 1)]
    chain = [(f"s{i:05d}", f"s{i + 1:05d}") for i in range(20000)]  # long, and no loop
    assert loops(chain) == []
    assert loops([*chain, ("s20000", "s00000")])[0][1] == 20001


# --- the dashboard page -------------------------------------------------------------------


@pytest.fixture
def app(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    data.clear_caches()
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", seeded_url)
    yield AppTest.from_file(APP, default_timeout=60)
    data.clear_caches()


def open_health(app: AppTest) -> AppTest:
    app.run()  # a page registered under its own url_path is found after a first run
    app.switch_page("app_pages/ledger_health.py")
    app.run()
    assert not app.exception, app.exception
    return app


def finding_blocks(app: AppTest) -> dict[str, lxml.html.HtmlElement]:
    out = {}
    for element in app.html:
        block = lxml.html.fragment_fromstring(element.value, create_parent="div")
        for kind in block.xpath("//div[@class='health-kind']"):
            out[kind.get("data-kind")] = kind
    return out


def test_the_page_shows_the_findings_linked_to_their_claims(app: AppTest, cli: Cli) -> None:
    out = report(cli)
    open_health(app)
    assert app.title[0].value == "Ledger health"
    (summary,) = [h.value for h in app.html if 'class="health-summary"' in h.value]
    counts = lxml.html.fragment_fromstring(summary, create_parent="div").text_content()
    assert f"Problems0Notes{out['summary']['notes']}" in counts
    blocks = finding_blocks(app)
    assert list(blocks) == ["claim_without_search"]
    first = out["findings"][0]
    (item, *_) = blocks["claim_without_search"].xpath(".//li[@class='health-finding']")
    assert first["record"] in item.text_content() and first["problem"] in item.text_content()
    (link,) = item.xpath(".//a[@class='evidence-page-link']")
    page, _, query = link.get("href").partition("?")
    assert (page, unquote(query)) == ("claim", f"id={first['claim']}")


def test_the_page_shows_ledger_text_as_text(app: AppTest, cli: Cli, tmp_path: Path) -> None:
    hostile = 'It runs <script>alert(1)</script> & "quotes" <b>here</b>.'
    unverified_quote(cli, tmp_path, hostile, "Nothing to see.")
    open_health(app)
    block = finding_blocks(app)["quote_not_found"]
    assert hostile in block.text_content()
    assert not block.xpath(".//script") and not block.xpath(".//b")
    raw = kind_html("quote_not_found", [of_kind(cli, "quote_not_found")[0]], 1)
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_the_page_caps_a_long_list_and_says_how_many_more(
    app: AppTest, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = report(cli)["summary"]["kinds"]["claim_without_search"]
    monkeypatch.setattr(health, "SHOWN", 10)
    open_health(app)
    block = finding_blocks(app)["claim_without_search"]
    assert len(block.xpath(".//li[@class='health-finding']")) == 10
    assert f"… and {total - 10:,} more: `evidence check --json` lists them all." in (
        block.text_content()
    )


def test_a_findings_html_escapes_every_field_and_sets_commands_as_code() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    finding: Finding = {
        "kind": "quote_not_found",
        "severity": "problem",
        "record": f"assertion {hostile} → claim synthetic-x",
        "claim": "synthetic-x",
        "claims": ["synthetic-x"],
        "source": hostile,
        "reference": None,
        "problem": f"the quote “{hostile}” is not in the source's stored text.",
        "fix": f"store the right one: `evidence source text {hostile} FILE`.",
    }
    block = lxml.html.fragment_fromstring(
        kind_html("quote_not_found", [finding], 3), create_parent="div"
    )
    assert not block.xpath("//img")
    assert block.text_content().count(hostile) == 3
    (code,) = block.xpath("//code")
    assert code.text_content() == f"evidence source text {hostile} FILE"
    (link,) = block.xpath("//a")
    assert link.get("href") == "claim?id=synthetic-x"
    assert "… and 2 more" in block.text_content()
