"""What the overview searches and filters on besides a claim's own fields, for every claim
(or for the few a change touched).

Two queries however many claims there are: the titles of each claim's papers (so a search
for a paper finds the claims it bears on) and the sources asserting each claim.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select
from sqlmodel import Session

from evidence.domain.models import Assertion, Claim, Evidence, Reference, Source


def paper_titles(
    session: Session, claim_ids: Collection[str] | None = None
) -> dict[str, list[str]]:
    titles: dict[str, list[str]] = defaultdict(list)
    # in link order, so a claim's text to search is the same however the rows were read
    query = (
        select(Evidence.claim_id, Reference.title)
        .join(Reference, Reference.id == Evidence.reference_id)
        .order_by(Evidence.id)
    )
    if claim_ids is not None:
        query = query.where(Evidence.claim_id.in_(claim_ids))
    for claim_id, title in session.execute(query):
        if title:
            titles[claim_id].append(title)
    return dict(titles)


def asserting_sources(
    session: Session, claim_ids: Collection[str] | None = None
) -> dict[str, list[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    query = select(Assertion.claim_id, Source.key).join(Source, Source.id == Assertion.source_id)
    if claim_ids is not None:
        query = query.where(Assertion.claim_id.in_(claim_ids))
    for claim_id, key in session.execute(query):
        keys[claim_id].add(key)
    return {claim_id: sorted(found) for claim_id, found in keys.items()}


def source_titles(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Source.key, Source.title).order_by(Source.key)).all())


def claim_statements(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Claim.id, Claim.statement)).all())
