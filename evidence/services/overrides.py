"""Curator overrides of a verdict: only with a written reason, never hiding the computed one."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from evidence import clock
from evidence.domain.models import Override
from evidence.domain.vocab import Verdict, parse
from evidence.errors import MissingReason, OverrideNotFound
from evidence.services import history
from evidence.services.claims import get_claim


def _reason(reason: str | None, action: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise MissingReason(action)
    return text


def set_override(
    session: Session, *, claim_id: str, verdict: str, reason: str | None, actor: str
) -> Override:
    text = _reason(reason, "an override")
    claim = get_claim(session, claim_id)
    value = parse(Verdict, verdict, field="verdict").value
    current = session.scalar(select(Override).where(Override.claim_id == claim.id))
    before = history.override_snapshot(current) if current else None
    if current is None:
        current = Override(
            claim_id=claim.id, verdict=value, reason=text, curator=actor, created_at=clock.now()
        )
        session.add(current)
    else:
        current.verdict, current.reason = value, text
        current.curator, current.created_at = actor, clock.now()
    session.flush()
    history.record(
        session,
        entity="override",
        key=claim.id,
        claim_id=claim.id,
        action="create" if before is None else "update",
        actor=actor,
        before=before,
        after=history.override_snapshot(current),
        reason=text,
    )
    return current


def clear_override(session: Session, *, claim_id: str, reason: str | None, actor: str) -> None:
    text = _reason(reason, "removing an override")
    claim = get_claim(session, claim_id)
    current = session.scalar(select(Override).where(Override.claim_id == claim.id))
    if current is None:
        raise OverrideNotFound(claim.id, "it has none to remove")
    before = history.override_snapshot(current)
    session.delete(current)
    history.record(
        session,
        entity="override",
        key=claim.id,
        claim_id=claim.id,
        action="delete",
        actor=actor,
        before=before,
        after=None,
        reason=text,
    )
