"""Which claims changed since a data version, read from the history.

Every change writes history (see :func:`history.data_version`), so the rows added since a
version name the claims whose verdict, text, papers or sources may have moved. A view of
20,000 graded claims can then regrade those few instead of the whole ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from evidence.domain.models import Evidence, History, Reference
from evidence.services.history import data_version

# Past this many, rereading everything costs less than IN lists of thousands of ids.
MOST = 500


@dataclass(frozen=True)
class Changes:
    version: tuple[int, int]  # the data version these changes bring the reader up to
    claim_ids: frozenset[str]  # claims to read again (some may have been removed)
    sources: bool  # a source document changed: its title, or which claims it asserts


def changes_since(session: Session, seen: tuple[int, int]) -> Changes | None:
    """What changed after the data version ``seen``; None when everything must be read
    again: the history cannot tell, or more than :data:`MOST` claims or papers (or ten times
    as many history rows) changed.

    Read it in one snapshot (``Store.reading``) with whatever it is used to refresh. On
    PostgreSQL a transaction holding a lower history id can commit after a higher one is
    visible; such a row is not among those newer than ``seen``, so the row count tells it.
    """
    version = data_version(session)
    seen_count, seen_top = seen
    if version == seen:
        return Changes(version, frozenset(), sources=False)
    if not 0 < version[0] - seen_count <= 10 * MOST:
        return None  # history removed, or a bulk change (an import, a restore)
    rows = session.execute(
        select(History.entity, History.entity_key, History.claim_id, History.related_claim_id)
        .where(History.id > seen_top, History.id <= version[1])
        .order_by(History.id)
    ).all()
    if seen_count + len(rows) != version[0]:
        return None  # a row committed late below ``seen_top``, or history was removed
    claim_ids: set[str] = set()
    papers: set[str] = set()
    sources = False
    for entity, key, claim_id, related_claim_id in rows:
        claim_ids.update(c for c in (claim_id, related_claim_id) if c)
        if entity == "reference":
            # its title is searched with the claims citing it, and its design and retraction
            # grade them; those claims are read now, since the writer may have missed one
            # linked to the paper meanwhile (PostgreSQL's READ COMMITTED)
            papers.add(key)
        elif entity == "source":
            sources = True
    if len(papers) > MOST or len(claim_ids) > MOST:
        return None
    if papers:
        claim_ids.update(
            session.scalars(
                select(Evidence.claim_id)
                .join(Reference, Reference.id == Evidence.reference_id)
                .where(Reference.key.in_(sorted(papers)))
            )
        )
    if len(claim_ids) > MOST:
        return None
    return Changes(version, frozenset(claim_ids), sources)
