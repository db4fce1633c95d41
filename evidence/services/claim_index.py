"""Names for pickers and links: every source's title, every claim's statement (one query
each, nothing graded)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from evidence.domain.models import Claim, Source


def source_titles(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Source.key, Source.title).order_by(Source.key)).all())


def claim_statements(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Claim.id, Claim.statement)).all())
