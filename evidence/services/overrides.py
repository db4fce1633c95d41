"""Curator overrides of a verdict: only with a written reason, never hiding the computed one."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from evidence import clock
from evidence.domain.models import Override
from evidence.domain.vocab import Verdict, parse
from evidence.errors import ConflictError, MissingReason, OverrideNotFound
from evidence.services import history
from evidence.services.claims import get_claim
from evidence.services.locking import delete_if_unchanged, update_if_unchanged
from evidence.store import verdicts


def _reason(reason: str | None, action: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise MissingReason(action)
    return text


def _check_version(key: str, current: Override | None, expected: int | None) -> None:
    """``expected`` 0 means the writer saw no override: one made meanwhile is a conflict."""
    if expected is not None and expected != (current.version if current else 0):
        raise ConflictError("override", key, expected, current.version if current else None)


def set_override(
    session: Session,
    *,
    claim_id: str,
    verdict: str,
    reason: str | None,
    actor: str,
    expected_version: int | None = None,
) -> Override:
    claim = get_claim(session, claim_id)
    text = _reason(reason, "an override")
    value = parse(Verdict, verdict, field="verdict").value
    current = session.scalar(select(Override).where(Override.claim_id == claim.id))
    _check_version(claim.id, current, expected_version)
    before = history.override_snapshot(current) if current else None
    verdicts.mark_claims(session, [claim.id])
    if current is None:
        current = Override(
            claim_id=claim.id,
            verdict=value,
            reason=text,
            curator=actor,
            version=1,
            created_at=clock.now(),
        )
        session.add(current)
        session.flush()
    else:
        values = {"verdict": value, "reason": text, "curator": actor, "created_at": clock.now()}
        update_if_unchanged(session, current, values, kind="override", key=claim.id)
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


def clear_override(
    session: Session,
    *,
    claim_id: str,
    reason: str | None,
    actor: str,
    expected_version: int | None = None,
) -> None:
    claim = get_claim(session, claim_id)
    text = _reason(reason, "removing an override")
    current = session.scalar(select(Override).where(Override.claim_id == claim.id))
    if current is None:
        raise OverrideNotFound(claim.id, "it has none to remove")
    _check_version(claim.id, current, expected_version)
    before = history.override_snapshot(current)
    verdicts.mark_claims(session, [claim.id])
    delete_if_unchanged(session, current, kind="override", key=claim.id)
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
