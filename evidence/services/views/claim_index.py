"""Names for pickers and links: every source's title, every claim's statement (one query
each, nothing graded)."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from evidence.domain.models import Claim, Source


def source_titles(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Source.key, Source.title).order_by(Source.key)).all())


def claim_statements(session: Session, ids: Collection[str] | None = None) -> dict[str, str]:
    """Every claim's statement by id (or those of ``ids``, a few hundred at most)."""
    query = select(Claim.id, Claim.statement)
    if ids is not None:
        query = query.where(col(Claim.id).in_(list(ids)))
    return dict(session.execute(query).all())
