"""The graded ledger the overview and the charts read, kept current by regrading only what
changed.

Grading 20,000 claims takes seconds; after a curator's change only the few claims the
history names are read and graded again, and the rest of the previous snapshot is reused.
A snapshot is never changed once made: a run that holds one keeps a consistent view.

Patching trusts the history to name every claim a change touched. In case it ever does not
(a paper's key changed under a concurrent writer, a fix made in SQL by hand), a snapshot
patched for longer than REREAD_SECONDS is read whole again in a background thread, so a
gap lasts minutes, not until the server restarts, and no reader waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from evidence.services.claim_index import asserting_sources, paper_titles, source_titles
from evidence.services.history import data_version
from evidence.services.ledger_changes import changes_since
from evidence.services.verdicts import list_claims, summaries_of
from evidence.store.engine import Store
from evidence.webui.filtering import Ledger

REREAD_SECONDS = 600.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    version: tuple[int, int]
    claims: list[dict[str, Any]]  # ordered by id
    ledger: Ledger
    titles: dict[str, list[str]]  # per claim: its papers' titles
    sources: dict[str, list[str]]  # per claim: the sources asserting it
    read_whole_at: float  # time.monotonic() of the whole read this one was patched from


def read_all(session: Session) -> Snapshot:
    version = data_version(session)
    claims = [s.to_dict() for s in list_claims(session)]
    titles, sources = paper_titles(session), asserting_sources(session)
    return _snapshot(version, claims, titles, sources, session, time.monotonic())


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
    if changes.sources:
        sources = asserting_sources(session)
    elif ids:
        sources.update(asserting_sources(session, ids))
    claims = sorted(by_id.values(), key=lambda c: c["id"])
    return _snapshot(changes.version, claims, titles, sources, session, previous.read_whole_at)


def _snapshot(
    version: tuple[int, int],
    claims: list[dict[str, Any]],
    titles: dict[str, list[str]],
    sources: dict[str, list[str]],
    session: Session,
    read_whole_at: float,
) -> Snapshot:
    ledger = Ledger.build(claims, titles, sources, source_titles(session))
    return Snapshot(version, claims, ledger, titles, sources, read_whole_at)


class LiveLedger:
    """One database's latest snapshot, shared by every session of the server."""

    def __init__(self, store: Store, *, reread_seconds: float = REREAD_SECONDS) -> None:
        self._store = store
        self._reread_seconds = reread_seconds
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._rereading: threading.Thread | None = None

    def at(self, version: tuple[int, int]) -> Snapshot:
        """The snapshot at ``version`` (the one this run read), or a newer one when another
        run has moved on since."""
        with self._lock:
            current = self._current
            if current is None or current.version != version:
                with self._store.reading() as session:
                    current = self._current = refresh(session, current)
                stale = time.monotonic() - current.read_whole_at > self._reread_seconds
                if stale and self._rereading is None:
                    self._rereading = threading.Thread(
                        target=self._reread, name="evidence-ledger-reread", daemon=True
                    )
                    self._rereading.start()
            return current

    def wait_for_reread(self, timeout: float | None = None) -> None:
        thread = self._rereading
        if thread is not None:
            thread.join(timeout)

    def _reread(self) -> None:
        try:
            with self._store.reading() as session:
                whole = read_all(session)
            with self._lock, self._store.reading() as session:
                # changes made while it was read are patched on
                self._current = refresh(session, whole)
        except Exception:  # the next stale patch tries again; readers keep the snapshot they have
            log.exception("reading the whole ledger again failed")
        finally:
            with self._lock:
                self._rereading = None
