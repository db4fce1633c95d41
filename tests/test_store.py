"""The store: migrations, SQLite settings, URL handling, the bounded cost of listing verdicts."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, text

from evidence import clock
from evidence.domain.models import metadata
from evidence.errors import DatabaseUnavailable, SchemaOutOfDate
from evidence.services.records.claims import add_claim
from evidence.services.records.evidence import link_evidence
from evidence.services.records.references import add_references, edit_reference
from evidence.services.records.searches import log_search
from evidence.services.views.summaries import list_claims
from evidence.store.engine import Store
from evidence.store.migrate import current_revision, ensure_current, head_revision, upgrade
from evidence.store.search import OUTSIDE_MODELS


def test_migrations_build_exactly_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, kind, parent: name not in OUTSIDE_MODELS}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []
    assert current_revision(store) == head_revision()


def test_the_schema_head_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from evidence.store.migrate import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == head_revision()


def test_upgrade_is_safe_to_run_twice(new_db: Callable[..., str]) -> None:
    store = Store.open(new_db(migrated=False), create=True)
    try:
        assert upgrade(store) == (None, head_revision())
        assert upgrade(store) == (head_revision(), head_revision())
        ensure_current(store)
    finally:
        store.close()


def test_an_unmigrated_database_is_refused_with_a_hint(new_db: Callable[..., str]) -> None:
    store = Store.open(new_db(migrated=False), create=True)
    try:
        with pytest.raises(SchemaOutOfDate, match="evidence init"):
            ensure_current(store)
    finally:
        store.close()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path) -> None:  # noqa: ANN001
    store = Store.open(f"sqlite:///{tmp_path / 'x.db'}", create=True)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.close()
    # WAL is a property of the file, seen by any other program that opens it
    with sqlite3.connect(tmp_path / "x.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("not a url", "not a database URL"),
        ("mysql://u@localhost/x", "unsupported database 'mysql'"),
        ("sqlite:////no/such/folder/x.db", "run `evidence init` first"),
        ("postgresql://nobody@127.0.0.1:1/nothing", "cannot use database"),
    ],
)
def test_unusable_urls_are_named_in_the_error(url: str, problem: str) -> None:
    with pytest.raises(DatabaseUnavailable, match=problem.replace("(", r"\(")) as info:
        Store.open(url)
    assert "cannot use database" in str(info.value)


def test_a_missing_folder_is_refused_even_for_init() -> None:
    with pytest.raises(DatabaseUnavailable, match="folder /no/such/folder does not exist"):
        Store.open("sqlite:////no/such/folder/x.db", create=True)


def test_passwords_never_appear_in_errors() -> None:
    with pytest.raises(DatabaseUnavailable) as info:
        Store.open("postgresql://user:s3cret@127.0.0.1:1/db")
    assert "s3cret" not in str(info.value)


def _fill(store: Store, start: int, n: int) -> None:
    with store.transaction() as s:
        for i in range(start, start + n):
            claim_id = f"claim-{i}"
            add_claim(
                s,
                claim_id=claim_id,
                statement=f"Synthetic claim {i}.",
                claim_type="association",
                actor="t",
            )
            ref = add_references(s, identifiers=[f"10.5555/q{i}"], actor="t")[0].reference
            edit_reference(s, ref=ref.key, design="cohort", actor="t")
            link_evidence(
                s,
                claim_id=claim_id,
                ref=ref.key,
                stance="supports",
                rationale="Synthetic.",
                actor="t",
            )
            if i % 3 == 0:
                log_search(s, claim_id=claim_id, database="PubMed", query="q", hits=0, actor="t")


def _statements_to_list(store: Store) -> int:
    count = 0

    def counter(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(store.engine, "before_cursor_execute", counter)
    try:
        with store.reading() as s:
            assert list_claims(s)
    finally:
        event.remove(store.engine, "before_cursor_execute", counter)
    return count


def test_listing_verdicts_costs_the_same_queries_for_5_or_60_claims(store: Store) -> None:
    _fill(store, 0, 5)
    small = _statements_to_list(store)
    _fill(store, 5, 55)
    large = _statements_to_list(store)
    assert small == large <= 5


def test_a_write_the_database_refuses_becomes_a_conflict_message(store: Store) -> None:
    from evidence.domain.models import Claim
    from evidence.errors import WriteConflict

    with store.transaction() as s:
        add_claim(s, claim_id="taken", statement="S.", claim_type="causal", actor="a")
    # what a second writer's insert looks like when it passed its existence check an instant
    # before the first writer committed
    stamp = clock.now()
    duplicate = Claim(
        id="taken",
        statement="T.",
        type="causal",
        tags=[],
        version=1,
        created_at=stamp,
        updated_at=stamp,
    )
    refused = pytest.raises(WriteConflict, match="nothing was written: try again")
    with refused, store.transaction() as s:
        s.add(duplicate)
    with store.reading() as s:
        assert s.get(Claim, "taken").statement == "S."


def test_a_locked_sqlite_file_is_reported_not_crashed_on(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    store = Store.open(url, create=True)
    upgrade(store)
    store.close()
    locker = sqlite3.connect(tmp_path / "locked.db", timeout=0)
    locker.execute("BEGIN IMMEDIATE")
    patient = Store.open(url)
    # wait 50 ms for the lock instead of the usual 10 s
    event.listen(patient.engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout=50"))
    patient.engine.dispose()
    try:
        locked = pytest.raises(DatabaseUnavailable, match="database is locked")
        with locked, patient.transaction() as s:
            add_claim(s, claim_id="blocked", statement="S.", claim_type="causal", actor="a")
    finally:
        locker.rollback()
        locker.close()
        patient.close()


def test_reads_see_one_snapshot(store: Store) -> None:
    with store.transaction() as s:
        add_claim(s, claim_id="first", statement="S.", claim_type="causal", actor="a")
    with store.reading() as reader:
        assert len(list_claims(reader)) == 1
        with store.transaction() as s:  # another writer commits while the page is reading
            add_claim(s, claim_id="second", statement="S.", claim_type="causal", actor="a")
        assert len(list_claims(reader)) == 1
    with store.reading() as reader:
        assert len(list_claims(reader)) == 2
