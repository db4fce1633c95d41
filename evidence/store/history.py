"""The audit trail: one row per change to a claim, evidence link, override or other record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from evidence import clock
from evidence.domain.models import Claim, Evidence, History, Override, Reference
from evidence.domain.vocab import Certainty
from evidence.store.tables import table_of


def record(
    session: Session,
    *,
    entity: str,
    key: str,
    claim_id: str | None,
    action: str,
    actor: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reason: str | None = None,
    related_claim_id: str | None = None,
) -> History:
    row = History(
        **entry(
            entity=entity,
            key=key,
            claim_id=claim_id,
            action=action,
            actor=actor,
            before=before,
            after=after,
            reason=reason,
            related_claim_id=related_claim_id,
        )
    )
    session.add(row)
    return row


def entry(
    *,
    entity: str,
    key: str,
    claim_id: str | None,
    action: str,
    actor: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reason: str | None = None,
    related_claim_id: str | None = None,
) -> dict[str, Any]:
    """One history row's values; :func:`record_many` writes thousands in one statement."""
    return {
        "related_claim_id": related_claim_id,
        "entity": entity,
        "entity_key": key,
        "claim_id": claim_id,
        "action": action,
        "actor": actor,
        "at": clock.now(),
        "before": before,
        "after": after,
        "reason": reason,
    }


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(table_of(History).insert(), rows)


def claim_snapshot(claim: Claim) -> dict[str, Any]:
    return {
        "statement": claim.statement,
        "type": claim.type,
        "tags": list(claim.tags),
        "notes": claim.notes,
        "version": claim.version,
    }


def evidence_snapshot(link: Evidence, reference: Reference) -> dict[str, Any]:
    return {
        "reference": reference.key,
        "stance": link.stance,
        "downgrades": list(link.downgrades),
        "upgrades": list(link.upgrades),
        "rationale": link.rationale,
        "quote": link.quote,
        "curator": link.curator,
        "version": link.version,
    }


def override_snapshot(override: Override) -> dict[str, Any]:
    return {
        "verdict": override.verdict,
        "certainty": Certainty(override.certainty).label if override.certainty else None,
        "reason": override.reason,
        "curator": override.curator,
        "version": override.version,
    }


def list_history(
    session: Session, *, claim_id: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Newest first; for one claim, every change that touched it or its links."""
    query = select(History).order_by(col(History.at).desc(), col(History.id).desc())
    if claim_id is not None:
        query = query.where(
            or_(col(History.claim_id) == claim_id, col(History.related_claim_id) == claim_id)
        )
    if limit is not None:
        query = query.limit(limit)
    return [
        {
            "id": h.id,
            "at": clock.iso(h.at),
            "actor": h.actor,
            "entity": h.entity,
            "key": h.entity_key,
            "claim": h.claim_id,
            "action": h.action,
            "before": h.before,
            "after": h.after,
            "reason": h.reason,
        }
        for h in session.scalars(query)
    ]


def data_version(session: Session) -> tuple[int, int]:
    """Changes with every change (each one writes history): a cheap key for caches.

    The row count is part of it because on PostgreSQL a transaction holding a lower id can
    commit after a higher id is already visible; the maximum alone would miss that row.
    """
    count, top = session.execute(
        select(func.count(col(History.id)), func.max(col(History.id)))
    ).one()
    return int(count or 0), int(top or 0)
