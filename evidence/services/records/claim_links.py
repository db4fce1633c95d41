"""Claim -> claim links: steps of a proposed mechanism chain, refinements, contradictions."""

from __future__ import annotations

from sqlmodel import Session, select

from evidence import clock
from evidence.domain.chains import find_path
from evidence.domain.models import ClaimLink, Source
from evidence.domain.vocab import Relation, parse
from evidence.errors import AlreadyExists, InvalidValue, LinkNotFound
from evidence.services.records.sources import get_source
from evidence.store import history
from evidence.store.queries import get_claim, leads_to_edges


def link_claims(
    session: Session,
    *,
    from_claim: str,
    to_claim: str,
    relation: str,
    actor: str,
    source_key: str | None = None,
    reason: str | None = None,
) -> ClaimLink:
    a, b = get_claim(session, from_claim), get_claim(session, to_claim)
    rel = parse(Relation, relation, field="relation")
    if a.id == b.id:
        raise InvalidValue("claim link", f"{a.id} -> {b.id}", "two different claims")
    if rel is Relation.leads_to:
        loop = find_path(leads_to_edges(session), b.id, a.id)
        if loop:
            raise InvalidValue(
                "claim link",
                f"{a.id} leads_to {b.id}",
                "a chain that does not loop back on itself (already: " + " → ".join(loop) + ")",
            )
    source = get_source(session, source_key) if source_key else None
    exists = session.scalar(
        select(ClaimLink.id).where(
            ClaimLink.from_claim_id == a.id,
            ClaimLink.to_claim_id == b.id,
            ClaimLink.relation == rel.value,
        )
    )
    if exists is not None:
        raise AlreadyExists("claim link", f"{a.id} {rel.value} {b.id}")
    link = ClaimLink(
        from_claim_id=a.id,
        to_claim_id=b.id,
        relation=rel.value,
        source_id=source.id if source else None,
        curator=actor,
        created_at=clock.now(),
    )
    session.add(link)
    session.flush()
    after = {
        "from": a.id,
        "to": b.id,
        "relation": rel.value,
        "source": source.key if source else None,
    }
    history.record(
        session,
        entity="claim_link",
        key=f"{a.id} {rel.value} {b.id}",
        claim_id=a.id,
        related_claim_id=b.id,
        action="create",
        actor=actor,
        before=None,
        after=after,
        reason=reason,
    )
    return link


def unlink_claims(
    session: Session,
    *,
    from_claim: str,
    to_claim: str,
    relation: str,
    actor: str,
    reason: str | None = None,
) -> None:
    a, b = get_claim(session, from_claim), get_claim(session, to_claim)
    rel = parse(Relation, relation, field="relation")
    key = f"{a.id} {rel.value} {b.id}"
    link = session.scalar(
        select(ClaimLink).where(
            ClaimLink.from_claim_id == a.id,
            ClaimLink.to_claim_id == b.id,
            ClaimLink.relation == rel.value,
        )
    )
    if link is None:
        raise LinkNotFound(key, "no such link between those claims")
    source = session.get(Source, link.source_id) if link.source_id else None
    before = {
        "from": a.id,
        "to": b.id,
        "relation": rel.value,
        "source": source.key if source else None,
    }
    session.delete(link)
    history.record(
        session,
        entity="claim_link",
        key=key,
        claim_id=a.id,
        related_claim_id=b.id,
        action="delete",
        actor=actor,
        before=before,
        after=None,
        reason=reason,
    )
