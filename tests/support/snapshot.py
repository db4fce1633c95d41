"""What a database holds, for "nothing changed" assertions: rows of every table, and file bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from evidence.domain.models import metadata
from evidence.store.engine import Store


def rows(url: str) -> dict[str, list[tuple]]:
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            return {
                table.name: [
                    tuple(r)
                    for r in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in metadata.sorted_tables
            }
    finally:
        store.close()


def file_digest(url: str) -> str | None:
    """SHA-256 of a SQLite database file and its WAL, if any (None for a server database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    path = Path(parsed.database or "")
    digest = hashlib.sha256(path.read_bytes())
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()
