"""The graded ledger the overview and the charts read, kept current by regrading only what
changed.

Grading 20,000 claims takes seconds; after a curator's change only the few claims the
history names are read and graded again, and the rest of the previous snapshot is reused.
A snapshot is never changed once made: a run that holds one keeps a consistent view.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from evidence.services.claim_index import asserting_sources, paper_titles, source_titles
from evidence.services.history import data_version
from evidence.services.ledger_changes import changes_since
from evidence.services.verdicts import list_claims, summaries_of
from evidence.store.engine import Store
from evidence.webui.filtering import Ledger


@dataclass(frozen=True)
class Snapshot:
    version: tuple[int, int]
    claims: list[dict[str, Any]]  # ordered by id
    ledger: Ledger
    titles: dict[str, list[str]]  # per claim: its papers' titles
    sources: dict[str, list[str]]  # per claim: the sources asserting it


def read_all(session: Session) -> Snapshot:
    version = data_version(session)
    claims = [s.to_dict() for s in list_claims(session)]
    return _snapshot(version, claims, paper_titles(session), asserting_sources(session), session)


def refresh(session: Session, previous: Snapshot | None) -> Snapshot:
    """The ledger as the session sees it, from ``previous`` where the history allows."""
    if previous is None:
        return read_all(session)
    changes = changes_since(session, previous.version)
    if changes is None:
        return read_all(session)
    if changes.version == previous.version:
        return previous
    ids = changes.claim_ids
    by_id = {c["id"]: c for c in previous.claims}
    titles, sources = dict(previous.titles), dict(previous.sources)
    for claim_id in ids:
        by_id.pop(claim_id, None)
        titles.pop(claim_id, None)
        sources.pop(claim_id, None)
    if ids:
        by_id.update((s.claim.id, s.to_dict()) for s in summaries_of(session, ids))
        titles.update(paper_titles(session, ids))
        sources.update(asserting_sources(session, ids))
    if changes.sources:
        sources = asserting_sources(session)
    claims = sorted(by_id.values(), key=lambda c: c["id"])
    return _snapshot(changes.version, claims, titles, sources, session)


def _snapshot(
    version: tuple[int, int],
    claims: list[dict[str, Any]],
    titles: dict[str, list[str]],
    sources: dict[str, list[str]],
    session: Session,
) -> Snapshot:
    ledger = Ledger.build(claims, titles, sources, source_titles(session))
    return Snapshot(version, claims, ledger, titles, sources)


class LiveLedger:
    """One database's latest snapshot, shared by every session of the server."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._current: Snapshot | None = None

    def at(self, version: tuple[int, int]) -> Snapshot:
        """The snapshot at ``version`` (the one this run read), or a newer one when another
        run has moved on since."""
        with self._lock:
            current = self._current
            if current is None or current.version != version:
                with self._store.reading() as session:
                    current = self._current = refresh(session, current)
            return current
