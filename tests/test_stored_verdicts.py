"""Stored verdicts: current after every kind of change, in the same transaction, on both
databases; the rules version; `regrade [--check]`; full-text search in SQL."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from typer.testing import CliRunner

from evidence.cli.app import app
from evidence.domain.metadata import Notice, PaperMetadata
from evidence.domain.models import ClaimVerdict, Reference
from evidence.domain.vocab import ClaimType, Design, Downgrade, Retraction, Stance, Upgrade, Verdict
from evidence.errors import EvidenceError, VerdictsOutOfDate
from evidence.services.metadata.resolving import apply_metadata
from evidence.services.records.claims import add_claim, edit_claim
from evidence.services.records.evidence import link_evidence, unlink_evidence
from evidence.services.records.overrides import clear_override, set_override
from evidence.services.records.references import add_references, edit_reference
from evidence.services.records.searches import log_search
from evidence.services.transfer.dump import read_dump, restore, write_dump
from evidence.services.views import claim_listing
from evidence.services.views.claim_detail import claim_detail
from evidence.services.views.claim_listing import Filters
from evidence.services.views.summaries import list_claims, summary_of
from evidence.store import verdicts
from evidence.store.engine import Store
from evidence.store.history import data_version, list_history
from evidence.store.migrate import ensure_current, grade_if_needed

CLAIMS = ["c-assoc", "c-mech", "c-treat", "c-diag"]
KINDS = ["association", "mechanism", "treatment", "diagnostic"]
PAPERS = [f"10.5555/stored.{i}" for i in range(6)]


def fresh_differences(store: Store) -> list[verdicts.Difference]:
    with store.reading() as s:
        return verdicts.regrade_all(s, write=False).differences


@pytest.fixture
def small(store: Store) -> Iterator[Store]:
    """Four claims of different types and six papers, none linked yet."""
    with store.transaction() as s:
        for claim_id, kind in zip(CLAIMS, KINDS, strict=True):
            add_claim(
                s,
                claim_id=claim_id,
                statement=f"Synthetic {kind} claim about heel pain ({claim_id}).",
                claim_type=kind,
                tags=["heel", kind],
                actor="ann",
            )
        add_references(s, identifiers=PAPERS, actor="ann")
    yield store


@pytest.fixture
def cli(small: Store) -> Callable[..., Any]:
    runner = CliRunner()

    def run(*args: str) -> Any:
        env = {"EVIDENCE_USER": "tester", "EVIDENCE_DATABASE_URL": small.given}
        return runner.invoke(app, list(args), env=env)

    return run


# --- every kind of change, at random -----------------------------------------------------

claim_ids = st.sampled_from(CLAIMS)
papers = st.sampled_from(PAPERS)
stances = st.sampled_from([s.value for s in Stance])
designs = st.sampled_from([d.value for d in Design])
downgrades = st.lists(st.sampled_from([d.value for d in Downgrade]), max_size=3, unique=True)
upgrades = st.lists(st.sampled_from([u.value for u in Upgrade]), max_size=2, unique=True)
retractions = st.sampled_from([r.value for r in Retraction] + ["none"])
verdict_values = st.sampled_from([v.value for v in Verdict])

operations = st.one_of(
    st.tuples(st.just("link"), claim_ids, papers, stances, downgrades, upgrades),
    st.tuples(st.just("unlink"), claim_ids, papers),
    st.tuples(st.just("design"), papers, designs, st.sampled_from(["rcts", "mixed", None])),
    st.tuples(st.just("retraction"), papers, retractions),
    st.tuples(st.just("title"), papers, st.sampled_from(["Calcaneal spur", "Sciatic nerve"])),
    st.tuples(
        st.just("resolve"),
        papers,
        st.sampled_from(["Randomized Controlled Trial", "Case Reports", "Review"]),
        st.booleans(),
    ),
    st.tuples(st.just("override"), claim_ids, verdict_values),
    st.tuples(st.just("clear"), claim_ids),
    st.tuples(st.just("type"), claim_ids, st.sampled_from([t.value for t in ClaimType])),
    st.tuples(st.just("statement"), claim_ids, st.sampled_from(["Lumbar origin.", "Calf."])),
    st.tuples(st.just("search"), claim_ids),
)


def apply(s: Any, op: tuple) -> None:
    kind, *args = op
    if kind == "link":
        claim, paper, stance, down, up = args
        link_evidence(
            s,
            claim_id=claim,
            ref=paper,
            stance=stance,
            rationale="Synthetic.",
            downgrades=down,
            upgrades=up,
            replace_judgements=True,
            actor="prop",
        )
    elif kind == "unlink":
        unlink_evidence(s, claim_id=args[0], ref=args[1], actor="prop")
    elif kind == "design":
        paper, design, review_of = args
        reviews = design.startswith("systematic")
        edit_reference(
            s, ref=paper, actor="prop", design=design, review_of=review_of if reviews else None
        )
    elif kind == "retraction":
        edit_reference(s, ref=args[0], actor="prop", retraction=args[1])
    elif kind == "title":
        edit_reference(s, ref=args[0], actor="prop", title=args[1])
    elif kind == "resolve":
        paper, publication_type, retracted = args
        ref = s.scalar(select(Reference).where(Reference.doi == paper))
        notices = (Notice(Retraction.retracted, "crossref", "retraction"),) if retracted else ()
        meta = PaperMetadata(
            "crossref",
            doi=paper,
            title=f"Resolved {publication_type}",
            publication_types=(publication_type,),
            notices=notices,
        )
        apply_metadata(s, ref, meta, actor="prop")
    elif kind == "override":
        set_override(s, claim_id=args[0], verdict=args[1], reason="Synthetic.", actor="prop")
    elif kind == "clear":
        clear_override(s, claim_id=args[0], reason="Synthetic.", actor="prop")
    elif kind == "type":
        edit_claim(s, claim_id=args[0], claim_type=args[1], actor="prop")
    elif kind == "statement":
        edit_claim(s, claim_id=args[0], statement=args[1], actor="prop")
    elif kind == "search":
        log_search(s, claim_id=args[0], database="PubMed", query="heel", hits=0, actor="prop")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=8))
def test_after_any_sequence_of_changes_the_stored_verdicts_are_a_fresh_grading(
    small: Store, steps: list[tuple]
) -> None:
    for op in steps:
        try:
            with small.transaction() as s:
                apply(s, op)
        except EvidenceError:  # an unlink of no link, a clear of no override ...
            pass
        assert fresh_differences(small) == [], op


# --- one transaction ---------------------------------------------------------------------


def test_the_verdict_moves_in_the_transaction_that_links(small: Store) -> None:
    with small.transaction() as s:
        link_evidence(
            s, claim_id="c-treat", ref=PAPERS[0], stance="supports", rationale="R.", actor="a"
        )
        # read inside the transaction: the change is already graded
        assert summary_of(s, "c-treat")["verdict"] == "unproven"  # no design: anecdotal
        edit_reference(s, ref=PAPERS[0], actor="a", design="rct")
        assert summary_of(s, "c-treat")["verdict"] == "supported"
    with small.reading() as s:
        stored = s.scalar(select(ClaimVerdict).where(ClaimVerdict.claim_id == "c-treat"))
        assert (stored.verdict, stored.certainty, stored.supporting) == ("supported", 4, 1)
        detail = claim_detail(s, "c-treat")
        assert detail["evidence"][0]["certainty"] == "high"


def test_a_change_that_fails_halfway_leaves_the_stored_verdicts_as_they_were(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with small.transaction() as s:
        link_evidence(
            s, claim_id="c-treat", ref=PAPERS[0], stance="supports", rationale="R.", actor="a"
        )
    with small.reading() as s:
        before = list_claims(s)
        assert (
            before[next(i for i, c in enumerate(before) if c["id"] == "c-treat")]["unproven_reason"]
            == "very_low_only"
        )

    # the service fails after its change
    with pytest.raises(RuntimeError), small.transaction() as s:
        edit_reference(s, ref=PAPERS[0], actor="a", design="rct")
        raise RuntimeError("interrupted")

    # the verdicts' own write fails after its first statement
    real = verdicts._write

    def half(session: Any, inserts: Any, updates: Any, *rest: Any) -> None:
        real(session, inserts, updates, [], [], [])
        raise RuntimeError("disk full")

    monkeypatch.setattr(verdicts, "_write", half)
    with pytest.raises(RuntimeError, match="disk full"), small.transaction() as s:
        edit_reference(s, ref=PAPERS[0], actor="a", design="rct")
    monkeypatch.undo()

    with small.reading() as s:
        assert list_claims(s) == before
        assert s.scalar(select(Reference.design).where(Reference.doi == PAPERS[0])) is None
    assert fresh_differences(small) == []


def test_a_retraction_regrades_every_claim_citing_the_paper(small: Store) -> None:
    with small.transaction() as s:
        edit_reference(s, ref=PAPERS[1], actor="a", design="rct")
        for claim in CLAIMS:
            link_evidence(
                s, claim_id=claim, ref=PAPERS[1], stance="supports", rationale="R.", actor="a"
            )
    with small.reading() as s:
        assert {c["verdict"] for c in list_claims(s)} == {"supported"}
    with small.transaction() as s:
        edit_reference(s, ref=PAPERS[1], actor="a", retraction="retracted")
    with small.reading() as s:
        rows = list_claims(s)
        assert {(c["verdict"], c["retracted"], c["unproven_reason"]) for c in rows} == {
            ("unproven", 1, "retracted_only")
        }


def test_a_restored_dump_is_graded_and_holds_no_verdicts(
    small: Store, new_db: Callable[..., str]
) -> None:
    with small.transaction() as s:
        edit_reference(s, ref=PAPERS[2], actor="a", design="cohort")
        link_evidence(
            s, claim_id="c-assoc", ref=PAPERS[2], stance="supports", rationale="R.", actor="a"
        )
    with small.reading() as s:
        dump = "".join(write_dump(s))
        original = list_claims(s)
    assert "claim_verdict" not in dump and "start_certainty" not in dump
    other = Store.open(new_db())
    try:
        with other.transaction() as s:
            restore(s, read_dump(dump.encode(), "dump.json"), name="dump.json")
        with other.reading() as s:
            assert list_claims(s) == original
        assert fresh_differences(other) == []
    finally:
        other.close()


# --- rules version and regrade -----------------------------------------------------------


def test_other_rules_are_refused_until_init_grades_again(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_current(small)
    assert grade_if_needed(small) is None  # nothing to do
    newer = verdicts.RULES_VERSION + 1
    monkeypatch.setattr(verdicts, "RULES_VERSION", newer)
    import evidence.store.migrate as migrate

    monkeypatch.setattr(migrate, "RULES_VERSION", newer)
    with pytest.raises(VerdictsOutOfDate, match="evidence init"):
        ensure_current(small)
    done = grade_if_needed(small)
    assert done is not None and done.claims == len(CLAIMS) and done.changed == len(CLAIMS)
    ensure_current(small)
    with small.reading() as s:
        assert set(s.scalars(select(ClaimVerdict.rules_version))) == {newer}


def test_regrade_check_finds_a_verdict_changed_behind_its_back_and_regrade_mends_it(
    cli: Any, small: Store
) -> None:
    with small.transaction() as s:
        s.execute(text("UPDATE claim_verdict SET verdict = 'supported' WHERE claim_id = 'c-mech'"))
        s.execute(text("DELETE FROM claim_tag WHERE claim_id = 'c-diag'"))
    result = cli("regrade", "--check", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["checked_only"] is True
    assert report["differences"] == [
        {"claim": "c-diag", "fields": ["tags"]},
        {"claim": "c-mech", "fields": ["verdict"]},
    ]
    with small.reading() as s:
        seen = data_version(s)
    result = cli("regrade")
    assert result.exit_code == 0 and "2 stored verdicts rewritten" in result.stdout
    with small.reading() as s:  # in the history, so every dashboard's caches move on
        assert data_version(s) != seen
        (row,) = [h for h in list_history(s, limit=1)]
        assert (row["entity"], row["actor"], row["after"]["claims_regraded"]) == (
            "verdicts",
            "tester",
            2,
        )
    result = cli("regrade", "--check")
    assert result.exit_code == 0 and "all current" in result.stdout


def test_init_grades_an_existing_database_that_has_no_stored_verdicts(
    cli: Any, small: Store
) -> None:
    with small.transaction() as s:
        s.execute(text("DELETE FROM claim_verdict"))
        s.execute(text("DELETE FROM claim_tag"))
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert f"Graded {len(CLAIMS)} claims" in result.stdout
    assert fresh_differences(small) == []
    result = cli("init")
    assert "Graded" not in result.stdout  # nothing left to do


# --- search and filters in SQL -------------------------------------------------------------


def found(store: Store, query: str, **filters: Any) -> list[str]:
    with store.reading() as s:
        rows = claim_listing.matching_claims(s, Filters(query=query, **filters))
        return sorted(c["id"] for c in rows)


def test_search_matches_words_prefixes_ids_tags_and_paper_titles(small: Store) -> None:
    with small.transaction() as s:
        edit_reference(s, ref=PAPERS[3], actor="a", title="Ultrasound of the Plantar Fascia")
        link_evidence(
            s, claim_id="c-diag", ref=PAPERS[3], stance="supports", rationale="R.", actor="a"
        )
    assert found(small, "synthetic") == sorted(CLAIMS)
    assert found(small, "ultrasound") == ["c-diag"]
    assert found(small, "plant fasc") == ["c-diag"]  # beginnings of words
    assert found(small, "ULTRASOUND heel") == ["c-diag"]  # every term, any case
    assert found(small, "c-mech") == ["c-mech"]  # an id: its words in a row
    assert found(small, "mechanism") == ["c-mech"]  # a tag (and the statement)
    assert found(small, "ultrasound mechanism") == []
    assert found(small, "plantar-fascia") == ["c-diag"]  # its words in a row
    assert found(small, "fascia-plantar") == []  # ... and in that order
    # a retitled paper is found by its new title at once
    with small.transaction() as s:
        edit_reference(s, ref=PAPERS[3], actor="a", title="Sonography of the heel")
    assert found(small, "ultrasound") == []
    assert found(small, "sonography") == ["c-diag"]


@pytest.mark.parametrize(
    "query", ['"', "*", "AND", "a:b", "(x", "NEAR(", "!&|", "'; DROP TABLE claim; --", "é", "^"]
)
def test_any_typed_search_is_words_not_syntax(small: Store, query: str) -> None:
    found(small, query)  # no error from the database, whatever was typed
    assert found(small, f"synthetic {query}") in ([], sorted(CLAIMS))


def test_filters_counts_and_pages_come_from_sql(small: Store) -> None:
    with small.transaction() as s:
        edit_reference(s, ref=PAPERS[4], actor="a", design="rct")
        link_evidence(
            s, claim_id="c-treat", ref=PAPERS[4], stance="supports", rationale="R.", actor="a"
        )
        link_evidence(
            s, claim_id="c-assoc", ref=PAPERS[4], stance="refutes", rationale="R.", actor="a"
        )
    with small.reading() as s:
        assert claim_listing.verdict_counts(s) == {"supported": 1, "refuted": 1, "unproven": 2}
        assert claim_listing.verdict_counts(s, Filters(tags=("treatment",))) == {"supported": 1}
        assert claim_listing.verdict_counts(s, Filters(certainties=("high",))) == {
            "supported": 1,
            "refuted": 1,
        }
        assert claim_listing.verdict_counts(s, Filters(types=("mechanism",))) == {"unproven": 1}
        first = claim_listing.claims_page(s, Filters(), band=None, page=1, size=2)
        second = claim_listing.claims_page(s, Filters(), band=None, page=2, size=2)
        # strongest first (refuted is weaker than unproven), then by id
        assert [c["id"] for c in first + second] == ["c-treat", "c-diag", "c-mech", "c-assoc"]
        unproven = claim_listing.claims_page(s, Filters(), band="unproven", page=1, size=20)
        assert [c["id"] for c in unproven] == ["c-diag", "c-mech"]
        assert claim_listing.tags(s) == sorted(
            {"heel", *[t.value for t in ClaimType]} - {"causal", "prevalence"}
        )


def test_claims_list_json_is_streamed_and_the_same_as_one_list(cli: Any, small: Store) -> None:
    result = cli("claims", "list", "--json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    with small.reading() as s:
        assert listed == list_claims(s)
    lines = result.stdout.splitlines()  # one claim to a line, between the brackets
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(CLAIMS) + 2
    empty = cli("claims", "list", "--band", "disputed", "--json")
    assert empty.stdout == "[]\n"
    assert io.StringIO(empty.stdout).read() == "[]\n"


# --- writers racing on PostgreSQL ----------------------------------------------------------


@pytest.mark.postgres
def test_racing_writers_leave_every_stored_verdict_right(postgres_factory: Any) -> None:
    """Two processes: one links papers to claims while the other retracts those papers, at
    the same moments. Afterwards `regrade --check` finds nothing to mend: every claim whose
    paper was retracted is unproven."""
    import multiprocessing

    from tests.support import concurrent_writers as race

    episodes = 40
    url = postgres_factory.new(seeded=False)
    store = Store.open(url)
    try:
        with store.transaction() as s:
            for n in range(episodes):
                add_claim(
                    s,
                    claim_id=race.claim_id(n),
                    statement="Synthetic race.",
                    claim_type="causal",
                    actor="setup",
                )
            add_references(s, identifiers=[race.paper(n) for n in range(episodes)], actor="setup")
            for n in range(episodes):
                edit_reference(s, ref=race.paper(n), actor="setup", design="rct")
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(2)
        writers = [
            context.Process(target=race.run, args=(url, role, episodes, barrier, seed))
            for seed, role in enumerate(["linker", "retractor"])
        ]
        for w in writers:
            w.start()
        for w in writers:
            w.join(timeout=300)
        assert [w.exitcode for w in writers] == [0, 0]
        assert fresh_differences(store) == []
        with store.reading() as s:
            rows = list_claims(s)
        assert len(rows) == episodes
        assert {(c["verdict"], c["retracted"]) for c in rows} <= {("unproven", 1), ("unproven", 0)}
    finally:
        store.close()


def test_a_database_made_before_stored_verdicts_is_graded_by_its_upgrade(
    new_db: Callable[..., str],
) -> None:
    """A ledger at schema 0004 (no stored verdicts), written as that version wrote it:
    `evidence init` migrates it and grades every claim, links included."""
    from alembic import command

    from evidence.store.migrate import alembic_config, current_revision, head_revision

    url = new_db(migrated=False)
    store = Store.open(url, create=True)
    try:
        config = alembic_config(store)
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0004")
        stamp = "2026-11-30 12:00:00+00:00"
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO claim (id, statement, type, tags, version, created_at, "
                    "updated_at) VALUES ('old-claim', 'Written before stored verdicts.', "
                    "'treatment', '[\"heel\"]', 1, :at, :at)"
                ),
                {"at": stamp},
            )
            conn.execute(
                text(
                    "INSERT INTO reference (key, doi, authors, publication_types, keywords, "
                    "design, retraction_notices, seen_at) VALUES ('doi:10.5555/old.1', "
                    "'10.5555/old.1', '[]', '[]', '[]', 'rct', '[]', '[]')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO evidence (claim_id, reference_id, stance, downgrades, upgrades,"
                    " rationale, curator, version, created_at, updated_at) SELECT 'old-claim', "
                    "id, 'supports', '[\"imprecision\"]', '[]', 'A trial.', 'ann', 1, :at, :at "
                    "FROM reference"
                ),
                {"at": stamp},
            )
        runner = CliRunner()
        result = runner.invoke(app, ["--db", url, "init"], env={"EVIDENCE_USER": "tester"})
        assert result.exit_code == 0, result.output
        assert "migrated from 0004" in result.stdout and "Graded 1 claims" in result.stdout
        assert current_revision(store) == head_revision()
        with store.reading() as s:
            (claim,) = list_claims(s)
            assert (claim["verdict"], claim["certainty"]) == ("supported", "moderate")
            detail = claim_detail(s, "old-claim")
            assert detail["evidence"][0]["starting_certainty"] == "high"
            assert claim_listing.tags(s) == ["heel"]
        assert fresh_differences(store) == []
    finally:
        store.close()


def test_regrade_mends_verdict_rows_removed_in_sql_whatever_else_is_left(
    cli: Any, small: Store
) -> None:
    with small.transaction() as s:
        s.execute(text("DELETE FROM claim_verdict"))  # the tags stay
    assert cli("regrade", "--check").exit_code == 1
    result = cli("regrade")
    assert result.exit_code == 0, result.output
    assert fresh_differences(small) == []
