"""Source scorecards: how each source's claims fare once graded."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from evidence.domain.models import Assertion, ClaimVerdict, Source
from evidence.domain.scorecard import scorecard
from evidence.domain.vocab import Band, Verdict
from evidence.store.queries import SOURCE_TEXT


def scorecards(session: Session) -> list[dict[str, Any]]:
    """Each source with how many of its claims fall in each verdict, and which claims: one
    query for every assertion with its claim's stored verdict."""
    sources = sorted(
        session.scalars(select(Source).options(defer(SOURCE_TEXT))), key=lambda s: s.key
    )
    triples = session.connection().execute(
        select(Source.key, Assertion.claim_id, ClaimVerdict.verdict)
        .join(Assertion, col(Assertion.source_id) == Source.id)
        .join(ClaimVerdict, col(ClaimVerdict.claim_id) == Assertion.claim_id)
    )
    pairs, verdicts = [], {}
    for key, claim_id, verdict in triples:
        pairs.append((key, claim_id))
        verdicts[claim_id] = verdict
    members = {v.value: v for v in Verdict}
    cards = scorecard(pairs, {c: members[v] for c, v in verdicts.items()})
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
