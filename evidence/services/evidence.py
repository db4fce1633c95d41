"""Evidence links (claim <- paper) and the GRADE judgements recorded on them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlmodel import Session

from evidence import clock
from evidence.domain.models import Evidence, Reference
from evidence.domain.vocab import (
    Directness,
    Downgrade,
    RiskOfBias,
    Stance,
    Upgrade,
    parse,
)
from evidence.errors import ConflictError, InvalidValue, LinkNotFound
from evidence.services import history
from evidence.services.claims import get_claim
from evidence.services.references import find_reference


def judgements(
    *,
    directness: str | None = None,
    risk_of_bias: str | None = None,
    downgrades: Sequence[str] = (),
    upgrades: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """The downgrade and upgrade lists of a link, in vocabulary order.

    ``directness`` and ``risk_of_bias`` are the curator-facing words for two of the
    downgrades: ``indirect`` records indirectness, ``high`` records risk of bias.
    """
    down = {parse(Downgrade, d, field="downgrade") for d in downgrades}
    if directness is not None:
        if parse(Directness, directness, field="directness") is Directness.indirect:
            down.add(Downgrade.indirectness)
        else:
            down.discard(Downgrade.indirectness)
    if risk_of_bias is not None:
        if parse(RiskOfBias, risk_of_bias, field="risk of bias") is RiskOfBias.high:
            down.add(Downgrade.risk_of_bias)
        else:
            down.discard(Downgrade.risk_of_bias)
    up = {parse(Upgrade, u, field="upgrade") for u in upgrades}
    return [d.value for d in Downgrade if d in down], [u.value for u in Upgrade if u in up]


def link_evidence(
    session: Session,
    *,
    claim_id: str,
    ref: str,
    stance: str,
    rationale: str,
    actor: str,
    directness: str | None = None,
    risk_of_bias: str | None = None,
    downgrades: Sequence[str] = (),
    upgrades: Sequence[str] = (),
    quote: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> tuple[Evidence, bool]:
    """Create or replace the assessment of how ``ref`` bears on ``claim_id``.

    Returns the link and whether it was created. Replacing a link checks its version like a
    claim edit does, so two curators re-grading the same link cannot silently overwrite
    each other.
    """
    claim = get_claim(session, claim_id)
    reference = find_reference(session, ref)
    stance_value = parse(Stance, stance, field="stance")
    text = " ".join((rationale or "").split())
    if not text:
        raise InvalidValue(
            "rationale", rationale, "one sentence on how the paper bears on the claim"
        )
    down, up = judgements(
        directness=directness, risk_of_bias=risk_of_bias, downgrades=downgrades, upgrades=upgrades
    )
    values = {
        "stance": stance_value.value,
        "downgrades": down,
        "upgrades": up,
        "rationale": text,
        "quote": " ".join(quote.split()) if quote else None,
    }
    existing = session.scalar(
        select(Evidence).where(Evidence.claim_id == claim.id, Evidence.reference_id == reference.id)
    )
    stamp = clock.now()
    key = f"{claim.id}<-{reference.key}"
    if existing is None:
        link = Evidence(
            claim_id=claim.id,
            reference_id=reference.id,
            curator=actor,
            version=1,
            created_at=stamp,
            updated_at=stamp,
            **values,
        )
        session.add(link)
        session.flush()
        history.record(
            session,
            entity="evidence",
            key=key,
            claim_id=claim.id,
            action="create",
            actor=actor,
            before=None,
            after=history.evidence_snapshot(link, reference),
            reason=reason,
        )
        return link, True

    seen = existing.version
    if expected_version is not None and expected_version != seen:
        raise ConflictError("evidence link", key, expected_version, seen)
    before = history.evidence_snapshot(existing, reference)
    if all(getattr(existing, k) == v for k, v in values.items()):
        return existing, False
    result = session.execute(
        update(Evidence)
        .where(Evidence.id == existing.id, Evidence.version == seen)
        .values(**values, curator=actor, version=seen + 1, updated_at=stamp)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        actual = session.scalar(select(Evidence.version).where(Evidence.id == existing.id))
        raise ConflictError("evidence link", key, seen, actual)
    session.refresh(existing)
    history.record(
        session,
        entity="evidence",
        key=key,
        claim_id=claim.id,
        action="update",
        actor=actor,
        before=before,
        after=history.evidence_snapshot(existing, reference),
        reason=reason,
    )
    return existing, False


def unlink_evidence(
    session: Session, *, claim_id: str, ref: str, actor: str, reason: str | None = None
) -> None:
    claim = get_claim(session, claim_id)
    reference = find_reference(session, ref)
    link = session.scalar(
        select(Evidence).where(Evidence.claim_id == claim.id, Evidence.reference_id == reference.id)
    )
    if link is None:
        raise LinkNotFound(f"{claim.id}<-{reference.key}", "that paper is not linked to that claim")
    before = history.evidence_snapshot(link, reference)
    session.delete(link)
    history.record(
        session,
        entity="evidence",
        key=f"{claim.id}<-{reference.key}",
        claim_id=claim.id,
        action="delete",
        actor=actor,
        before=before,
        after=None,
        reason=reason,
    )


def links_with_references(
    session: Session, claim_ids: Sequence[str] | None = None
) -> list[tuple[Evidence, Reference]]:
    """Evidence links joined to their papers, in one query."""
    query = (
        select(Evidence, Reference)
        .join(Reference, Reference.id == Evidence.reference_id)
        .order_by(Evidence.claim_id, Evidence.id)
    )
    if claim_ids is not None:
        query = query.where(Evidence.claim_id.in_(claim_ids))
    return [(e, r) for e, r in session.execute(query)]
