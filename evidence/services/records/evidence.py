"""Evidence links (claim <- paper) and the GRADE judgements recorded on them."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TypedDict

from sqlmodel import Session, select

from evidence import clock
from evidence.domain.models import Evidence
from evidence.domain.vocab import (
    Directness,
    Downgrade,
    RiskOfBias,
    Stance,
    Upgrade,
    parse,
)
from evidence.errors import ConflictError, InvalidValue, LinkNotFound, MissingValue
from evidence.services.records.references import find_reference
from evidence.store import history, verdicts
from evidence.store.locking import delete_if_unchanged, update_if_unchanged
from evidence.store.queries import get_claim
from evidence.store.tables import stored_id


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


class _LinkValues(TypedDict, total=False):
    """The fields of a link that ``link_evidence`` writes from what the curator gave."""

    downgrades: list[str]
    upgrades: list[str]
    stance: str
    rationale: str
    quote: str | None


class LinkChange(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


def _words(text: str | None) -> str | None:
    joined = " ".join((text or "").split())
    return joined or None


def is_linked(session: Session, *, claim_id: str, reference_id: int) -> bool:
    found = select(Evidence.id).where(
        Evidence.claim_id == claim_id, Evidence.reference_id == reference_id
    )
    return session.scalar(found) is not None


def link_evidence(
    session: Session,
    *,
    claim_id: str,
    ref: str,
    actor: str,
    stance: str | None = None,
    rationale: str | None = None,
    directness: str | None = None,
    risk_of_bias: str | None = None,
    downgrades: Sequence[str] = (),
    upgrades: Sequence[str] = (),
    replace_judgements: bool = False,
    quote: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> tuple[Evidence, LinkChange]:
    """Record, or revise, how ``ref`` bears on ``claim_id``.

    A new link needs a stance and a rationale. Revising a link changes only what is given:
    the stance, rationale and quote stay unless replaced, and the downgrades and upgrades
    given are added to those recorded (``directness`` / ``risk_of_bias`` set or clear those
    two; ``replace_judgements`` starts the lists afresh). A revision checks the link's
    version like a claim edit does, so two curators cannot silently overwrite each other.
    """
    claim = get_claim(session, claim_id)
    reference = find_reference(session, ref)
    existing = session.scalar(
        select(Evidence).where(Evidence.claim_id == claim.id, Evidence.reference_id == reference.id)
    )
    key = f"{claim.id}<-{reference.key}"
    if expected_version is not None and existing is None:
        raise ConflictError("evidence link", key, expected_version, None)  # removed meanwhile
    if existing is not None and expected_version not in (None, existing.version):
        raise ConflictError("evidence link", key, expected_version, existing.version)
    kept = None if replace_judgements else existing
    down, up = judgements(
        directness=directness,
        risk_of_bias=risk_of_bias,
        downgrades=[*(kept.downgrades if kept is not None else []), *downgrades],
        upgrades=[*(kept.upgrades if kept is not None else []), *upgrades],
    )
    values: _LinkValues = {"downgrades": down, "upgrades": up}
    if stance is not None:
        values["stance"] = parse(Stance, stance, field="stance").value
    if rationale is not None:
        sentence = _words(rationale)
        if sentence is None:
            raise InvalidValue("rationale", rationale, "one sentence on how the paper bears on it")
        values["rationale"] = sentence
    if quote is not None:
        values["quote"] = _words(quote)
    verdicts.mark_claims(session, [claim.id])
    stamp = clock.now()

    if existing is None:
        for needed in ("stance", "rationale"):
            if needed not in values:
                raise MissingValue(needed, "a new evidence link needs one")
        link = Evidence(
            claim_id=claim.id,
            reference_id=stored_id(reference),
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
        return link, LinkChange.created

    before = history.evidence_snapshot(existing, reference)
    if all(getattr(existing, k) == v for k, v in values.items()):
        return existing, LinkChange.unchanged
    update_if_unchanged(
        session,
        existing,
        values | {"curator": actor, "updated_at": stamp},
        kind="evidence link",
        key=key,
    )
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
    return existing, LinkChange.updated


def unlink_evidence(
    session: Session,
    *,
    claim_id: str,
    ref: str,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Remove a link; refused if someone re-graded it since it was read."""
    claim = get_claim(session, claim_id)
    reference = find_reference(session, ref)
    key = f"{claim.id}<-{reference.key}"
    link = session.scalar(
        select(Evidence).where(Evidence.claim_id == claim.id, Evidence.reference_id == reference.id)
    )
    if link is None:
        raise LinkNotFound(key, "that paper is not linked to that claim")
    seen = link.version
    if expected_version is not None and expected_version != seen:
        raise ConflictError("evidence link", key, expected_version, seen)
    before = history.evidence_snapshot(link, reference)
    verdicts.mark_claims(session, [claim.id])
    delete_if_unchanged(session, link, kind="evidence link", key=key)
    history.record(
        session,
        entity="evidence",
        key=key,
        claim_id=claim.id,
        action="delete",
        actor=actor,
        before=before,
        after=None,
        reason=reason,
    )
