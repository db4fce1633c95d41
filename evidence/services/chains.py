"""Mechanism chains as the reader sees them: each step with its verdict, the weakest marked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from evidence.domain.chains import chain_paths, weakest_link
from evidence.domain.models import Claim
from evidence.services.claim_links import leads_to_edges
from evidence.services.claims import get_claim
from evidence.services.verdicts import ClaimSummary, grade_claims


def chain(session: Session, claim_id: str) -> dict[str, Any]:
    """Every ``leads_to`` path through a claim, each with its weakest step."""
    get_claim(session, claim_id)
    paths = chain_paths(leads_to_edges(session), claim_id)
    members = sorted({c for p in paths for c in p})
    claims = list(session.scalars(select(Claim).where(Claim.id.in_(members)))) if members else []
    grades = grade_claims(session, claims)
    summaries = {c.id: ClaimSummary(c, grades[c.id]).to_dict() for c in claims}
    out = []
    for path in paths:
        weakest = weakest_link(path, lambda c: grades[c].strength)
        floor = grades[weakest.claim].strength
        out.append(
            {
                "steps": [summaries[c] for c in path],
                "weakest": weakest.claim,
                "weakest_index": weakest.index,
                # every step as weak as the weakest: a chain can have several weakest links
                "weakest_indexes": [i for i, c in enumerate(path) if grades[c].strength == floor],
                "verdict": summaries[weakest.claim]["verdict"],
                "certainty": summaries[weakest.claim]["certainty"],
            }
        )
    return {"claim": claim_id, "paths": out}
