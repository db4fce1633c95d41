"""The metadata services' answers kept on disk, one entry per paper and service.

Per paper rather than per HTTP response: batches are made afresh on every run, so a cached
response would only help a run asking for exactly the same batch. Here a second run over the
same papers finds every answer (including "this service does not know it") and makes no
request, and a run over a larger set asks only for what is new. A small SQLite file (the
standard library's sqlite3): safe for two processes at once, nothing to install.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from evidence import clock
from evidence.errors import CacheUnavailable

SCHEMA = """
CREATE TABLE IF NOT EXISTS answer (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    found INTEGER NOT NULL,
    body BLOB,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
)
"""


@dataclass(frozen=True)
class Entry:
    found: bool
    body: bytes | None  # the service's own record for the paper (XML or JSON), when found


class ResponseCache:
    FILE = "metadata.sqlite3"

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.FILE
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise CacheUnavailable(self.path, str(exc)) from exc

    def get_many(self, namespace: str, keys: Iterable[str]) -> dict[str, Entry]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Entry] = {}
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, found, body FROM answer WHERE namespace = ? AND key IN ({marks})",
                [namespace, *part],
            )
            found.update({key: Entry(bool(hit), body) for key, hit, body in rows})
        return found

    def put_many(self, namespace: str, entries: Mapping[str, Entry]) -> None:
        if not entries:
            return
        stamp = clock.iso(clock.now())
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO answer VALUES (?, ?, ?, ?, ?)",
                    [(namespace, k, int(e.found), e.body, stamp) for k, e in entries.items()],
                )
        except sqlite3.Error as exc:
            raise CacheUnavailable(self.path, str(exc)) from exc

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM answer").fetchone()[0])

    def close(self) -> None:
        self._db.close()
