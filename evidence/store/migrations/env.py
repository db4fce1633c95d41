"""Alembic environment: uses the caller's connection, else the configured or settings URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from evidence import settings
from evidence.domain.models import metadata
from evidence.store.search import OUTSIDE_MODELS

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        # the full-text search parts are the migrations' own, not the models'
        include_name=lambda name, kind, parent: name not in OUTSIDE_MODELS,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or settings.get().database_url
    from evidence.store.engine import parse_url

    with create_engine(parse_url(url)).connect() as conn:
        _run(conn)
