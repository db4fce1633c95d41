"""Alembic migrations, applied programmatically by `evidence init` (safe to run twice)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from evidence.domain.grading import RULES_VERSION
from evidence.domain.models import ClaimVerdict
from evidence.errors import SchemaOutOfDate, VerdictsOutOfDate
from evidence.store import verdicts
from evidence.store.engine import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(store: Store | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if store is not None:
        config.set_main_option("sqlalchemy.url", store.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: Store) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after)."""
    before = current_revision(store)
    config = alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, current_revision(store)


def ensure_schema(store: Store) -> None:
    head = head_revision()
    current = current_revision(store)
    if current != head:
        raise SchemaOutOfDate(store.display_url, current, head)


def ensure_current(store: Store) -> None:
    """The schema is this version's and so are the rules that graded the stored verdicts."""
    ensure_schema(store)
    with store.reading() as session:
        other = session.scalar(
            select(ClaimVerdict.rules_version)
            .where(ClaimVerdict.rules_version != RULES_VERSION)
            .limit(1)
        )
    if other is not None:
        raise VerdictsOutOfDate(store.display_url, other)


def grade_if_needed(
    store: Store,
    *,
    started: Callable[[int], None] | None = None,
    progress: verdicts.Progress | None = None,
    actor: str | None = None,
) -> verdicts.Regrade | None:
    """Grade every claim again, in one transaction, when a claim has no stored verdict or
    one graded by other rules (after the migration that added them, or an upgrade of the
    rules); None when every stored verdict is current."""
    with store.reading() as session:
        if not verdicts.needs_regrade(session):
            return None
    with store.transaction() as session:
        if started is not None:
            started(verdicts.claim_count(session))
        return verdicts.regrade_all(session, progress=progress, actor=actor)
