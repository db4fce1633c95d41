"""Source scorecards: how each source's claims fare once graded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from evidence.domain.models import Assertion, ClaimVerdict, Source
from evidence.domain.scorecard import scorecard
from evidence.domain.vocab import Band, Verdict


def scorecards(session: Session, verdicts: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Each source with how many of its claims fall in each verdict, and which claims.

    ``verdicts`` maps claim ids to verdict values when the caller has them already; without
    it the stored verdicts of the asserted claims are read here.
    """
    if verdicts is None:
        verdicts = dict(
            session.execute(
                select(ClaimVerdict.claim_id, ClaimVerdict.verdict).where(
                    ClaimVerdict.claim_id.in_(select(Assertion.claim_id))
                )
            ).all()
        )
    sources = sorted(session.scalars(select(Source)), key=lambda s: s.key)
    pairs = [
        (key, claim_id)
        for key, claim_id in session.execute(
            select(Source.key, Assertion.claim_id).join(Assertion, Assertion.source_id == Source.id)
        )
    ]
    cards = scorecard(pairs, {c: Verdict(v) for c, v in verdicts.items()})
    claims_of: dict[str, set[str]] = {}
    for key, claim_id in pairs:
        claims_of.setdefault(key, set()).add(claim_id)
    out = []
    for s in sources:
        counts = cards.get(s.key, Counter({v: 0 for v in Verdict}))
        out.append(
            {
                "key": s.key,
                "title": s.title,
                "kind": s.kind,
                "origin": s.origin,
                "url": s.url,
                "conflicts_of_interest": s.conflicts_of_interest,
                "credibility_notes": s.credibility_notes,
                "claims": sum(counts.values()),
                "verdicts": {v.value: counts[v] for v in Verdict},
                "bands": {b.value: sum(counts[v] for v in Verdict if v.band is b) for b in Band},
                "claim_ids": sorted(claims_of.get(s.key, ())),
            }
        )
    return out
