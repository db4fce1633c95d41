"""Curator overrides of a verdict: only with a written reason, never hiding the computed one."""

from __future__ import annotations

from sqlmodel import Session, select

from evidence import clock
from evidence.domain.grading import CERTAINTIES_OF
from evidence.domain.models import Override
from evidence.domain.vocab import Certainty, Verdict, parse, spelling
from evidence.errors import ConflictError, InvalidValue, MissingReason, OverrideNotFound
from evidence.services.views.summaries import summary_of
from evidence.store import history, verdicts
from evidence.store.locking import delete_if_unchanged, update_if_unchanged
from evidence.store.queries import get_claim


def _reason(reason: str | None, action: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise MissingReason(action)
    return text


def parse_certainty(verdict: Verdict, text: str | None, claim_id: str = "") -> Certainty | None:
    """The curator's certainty for an overridden verdict, one the verdict can have: an
    unproven claim is of very low certainty, a supported one of moderate or high."""
    if text is None or not str(text).strip():
        return None
    allowed = CERTAINTIES_OF[verdict]
    chosen = Certainty.__members__.get(spelling(text))  # by name: its values are numbers
    if chosen is None:
        raise InvalidValue("certainty", text, [c.label for c in Certainty])
    if chosen not in allowed:
        raise InvalidValue(
            "certainty",
            text,
            f"{' or '.join(c.label for c in allowed)} for the verdict {verdict.label}"
            + (f" (claim {claim_id})" if claim_id else ""),
        )
    return chosen


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
    certainty: str | None = None,
    expected_version: int | None = None,
) -> Override:
    """Set (or replace) a claim's override. ``certainty`` is the curator's; without it the
    claim shows the certainty nearest the computed one that the verdict can have."""
    claim = get_claim(session, claim_id)
    text = _reason(reason, "an override")
    chosen = parse(Verdict, verdict, field="verdict")
    value = chosen.value
    level = parse_certainty(chosen, certainty, claim.id)
    stored_level = int(level) if level else None
    current = session.scalar(select(Override).where(Override.claim_id == claim.id))
    _check_version(claim.id, current, expected_version)
    before = history.override_snapshot(current) if current else None
    verdicts.mark_claims(session, [claim.id])
    if current is None:
        current = Override(
            claim_id=claim.id,
            verdict=value,
            certainty=stored_level,
            reason=text,
            curator=actor,
            version=1,
            created_at=clock.now(),
        )
        session.add(current)
        session.flush()
    else:
        values = {
            "verdict": value,
            "certainty": stored_level,
            "reason": text,
            "curator": actor,
            "created_at": clock.now(),
        }
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


def same_as_computed(session: Session, claim_id: str) -> str | None:
    """A warning when a claim's override says what the grading already says: it changes
    nothing but the reason shown, and it will hide a later change of the computed verdict."""
    now = summary_of(session, claim_id)
    if not now["overridden"] or now["verdict"] != now["computed_verdict"]:
        return None
    return (
        f"the override of {claim_id} is the computed verdict "
        f"({Verdict(now['verdict']).label.lower()}): it will keep that verdict even when "
        "new evidence moves the computed one. Remove it if that is not meant."
    )


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
