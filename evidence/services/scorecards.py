"""Source scorecards: how each source's claims fare once graded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from evidence.domain.models import Assertion, Claim, Source
from evidence.domain.scorecard import scorecard
from evidence.domain.vocab import Band, Verdict
from evidence.services.verdicts import grade_claims


def scorecards(session: Session) -> list[dict[str, Any]]:
    sources = sorted(session.scalars(select(Source)), key=lambda s: s.key)
    claims = list(session.scalars(select(Claim)))
    grades = grade_claims(session, claims, all_claims=True)
    pairs = [
        (key, claim)
        for key, claim in session.execute(
            select(Source.key, Assertion.claim_id).join(Assertion, Assertion.source_id == Source.id)
        )
    ]
    cards = scorecard(pairs, {cid: g.verdict for cid, g in grades.items()})
    out = []
    for s in sources:
        counts = cards.get(s.key, {v: 0 for v in Verdict})
        out.append(
            {
                "key": s.key,
                "title": s.title,
                "kind": s.kind,
                "origin": s.origin,
                "conflicts_of_interest": s.conflicts_of_interest,
                "credibility_notes": s.credibility_notes,
                "claims": sum(counts.values()),
                "verdicts": {v.value: counts[v] for v in Verdict},
                "bands": {b.value: sum(counts[v] for v in Verdict if v.band is b) for b in Band},
            }
        )
    return out
