"""A search's records become the claim's candidates: stored once, de-duplicated, never evidence.

Each record goes through the import's matching rules (services/transfer/importing.py): a
paper the ledger already has is that paper (its missing fields filled), any other is stored
as a new Reference with its title, abstract, year, journal, publication types and the design
they suggest. The claim then gets a candidate for each paper that is neither its candidate
already nor cited by one of its evidence links; the rest are the search's duplicates. It
all happens in the caller's transaction: a search that fails halfway leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.metadata import Bibliographic
from evidence.domain.models import Candidate, Evidence, EvidenceSearch, Reference
from evidence.domain.vocab import Screening
from evidence.formats.citations import Citation
from evidence.formats.reading import OpenedFile
from evidence.services.transfer.importing import Action, RecordResult, import_file
from evidence.store import history
from evidence.store.tables import stored_id, table_of

_SHARED = tuple(f.name for f in fields(Bibliographic))


@dataclass
class CandidateReport:
    """What a search's records became (PRISMA's "identified" and "duplicates removed")."""

    identified: int = 0  # records read or fetched
    duplicates: int = 0  # the claim's candidates or evidence already, or twice in the search
    added: int = 0  # new candidates
    unreadable: list[str] = field(default_factory=list)  # records the import could not use
    # records the service counted and was asked for but never sent (withdrawn between the
    # search and the fetch): a search that came back short says so
    missing: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "identified": self.identified,
            "duplicates": self.duplicates,
            "new": self.added,
            "unreadable": len(self.unreadable),
            "unreadable_records": self.unreadable[:50],
            "missing": self.missing,
        }


def opened_from(records: Iterable[Bibliographic], name: str, fmt: str) -> OpenedFile:
    """A service's records as the import reads a file's, one citation each."""
    listed = list(records)
    state = {"done": 0}

    def citations() -> Iterator[Citation]:
        for i, record in enumerate(listed, start=1):
            state["done"] = i
            keywords = getattr(record, "keywords", ())
            yield Citation(
                position=i, keywords=tuple(keywords), **{f: getattr(record, f) for f in _SHARED}
            )

    return OpenedFile(name, fmt, citations(), len(listed), lambda: state["done"])


def add_candidates(
    session: Session,
    search: EvidenceSearch,
    opened: OpenedFile,
    *,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> CandidateReport:
    """Store the search's papers and make the new ones the claim's candidates."""
    report = CandidateReport()
    keys: list[str] = []  # in the records' order, once each

    def seen(result: RecordResult) -> None:
        report.identified += 1
        if result.action is Action.skipped or result.reference is None:
            report.unreadable.append(f"{result.where}: {result.detail}")
        elif result.reference in keys:  # the same paper twice in this search
            report.duplicates += 1
        else:
            keys.append(result.reference)

    import_file(session, opened, actor=actor, on_result=seen, progress=progress)
    ids = _reference_ids(session, keys)
    claim = search.claim_id
    taken = set(
        session.scalars(
            select(Candidate.reference_id).where(
                Candidate.claim_id == claim, col(Candidate.reference_id).in_(ids.values())
            )
        )
    ) | set(
        session.scalars(
            select(Evidence.reference_id).where(
                Evidence.claim_id == claim, col(Evidence.reference_id).in_(ids.values())
            )
        )
    )
    now = clock.now()
    rows = []
    for key in keys:
        if ids[key] in taken:
            report.duplicates += 1
            continue
        rows.append(
            {
                "claim_id": claim,
                "reference_id": ids[key],
                "search_id": stored_id(search),
                "state": Screening.unscreened.value,
                "version": 1,
                "created_at": now,
            }
        )
    report.added = len(rows)
    if rows:
        # Core for the same reason the import uses it: thousands of rows, no events needed
        session.execute(table_of(Candidate).insert(), rows)
    search.identified, search.duplicates, search.added = (
        report.identified,
        report.duplicates,
        report.added,
    )
    session.flush()
    history.record(
        session,
        entity="search",
        key=f"{claim}#{search.id}",
        claim_id=claim,
        action="update",
        actor=actor,
        before=None,
        after={
            "identified": report.identified,
            "duplicates": report.duplicates,
            "new": report.added,
        },
        reason="candidates from the search's records",
    )
    return report


def _reference_ids(session: Session, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        found.update(
            (key, ref_id)
            for key, ref_id in session.execute(
                select(Reference.key, Reference.id).where(col(Reference.key).in_(part))
            )
            if ref_id is not None
        )
    return found
