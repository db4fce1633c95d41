"""Alembic migrations, applied programmatically by `evidence init` (safe to run twice).

Alembic itself is imported only to migrate: every other command merely checks the schema's
revision, which is one query, and a quarter of a second of imports saved on each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import inspect, select, text
from sqlmodel import col

from evidence.domain.grading import RULES_VERSION
from evidence.domain.models import ClaimVerdict
from evidence.errors import SchemaOutOfDate, VerdictsOutOfDate
from evidence.store import verdicts
from evidence.store.engine import Store

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration's revision (tests/test_store.py checks it is alembic's head).
HEAD = "0009"


def alembic_config(store: Store | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if store is not None:
        config.set_main_option("sqlalchemy.url", store.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str:
    return HEAD


def current_revision(store: Store) -> str | None:
    """The revision alembic recorded in the database (None before the first migration)."""
    with store.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(store: Store) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after)."""
    from alembic import command

    before = current_revision(store)
    config = alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    # alembic has just recorded the head revision, so there is one
    return before, cast(str, current_revision(store))


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
            select(col(ClaimVerdict.rules_version))
            .where(col(ClaimVerdict.rules_version) != RULES_VERSION)
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
