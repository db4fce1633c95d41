"""What a database holds, for "nothing changed" assertions: rows of every table, and file bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url

from evidence.domain.models import metadata
from evidence.store.engine import Store


def rows(url: str) -> dict[str, list[tuple]]:
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            return {table.name: _rows(conn, table) for table in metadata.sorted_tables}
    finally:
        store.close()


def _rows(conn: Any, table: Any) -> list[tuple]:
    columns = list(table.columns)
    order = list(table.primary_key.columns)
    if table.name == "claim_verdict":
        # its id is whatever order the claims were graded in: what matters is the claim's row
        columns = [c for c in columns if c.name != "id"]
        order = [table.c.claim_id]
    return [tuple(r) for r in conn.execute(select(*columns).order_by(*order))]


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
