"""Which claims have candidates waiting to be screened, and how many a re-run search found.

One grouped query over the unscreened candidates (their state is indexed), for the curators'
notice on the overview and the Screen page's list of claims to screen. A candidate counts as
new from a re-run when the search that first found it re-ran an earlier one: the papers a
rerun adds are those published (or indexed) since, which a curator has not seen yet.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from evidence.domain.models import Candidate, Claim, EvidenceSearch
from evidence.domain.vocab import Screening


class ClaimToScreen(TypedDict):
    claim_id: str
    statement: str
    unscreened: int  # candidates waiting to be screened
    from_reruns: int  # of those, found by a re-run search


def claims_to_screen(session: Session) -> list[ClaimToScreen]:
    """Every claim with unscreened candidates, those with new ones from reruns first, then
    the most waiting first."""
    from_rerun = func.sum(case((col(EvidenceSearch.rerun_of).is_not(None), 1), else_=0))
    rows = session.execute(
        select(Candidate.claim_id, Claim.statement, func.count(), from_rerun)
        .join(Claim, col(Claim.id) == Candidate.claim_id)
        .outerjoin(EvidenceSearch, col(EvidenceSearch.id) == Candidate.search_id)
        .where(Candidate.state == Screening.unscreened.value)
        .group_by(Candidate.claim_id, Claim.statement)
    ).all()
    found: list[ClaimToScreen] = [
        {
            "claim_id": claim_id,
            "statement": statement,
            "unscreened": int(waiting),
            "from_reruns": int(new or 0),
        }
        for claim_id, statement, waiting, new in rows
    ]
    found.sort(key=lambda c: (-c["from_reruns"], -c["unscreened"], c["claim_id"]))
    return found
