"""Screening decisions on a claim's candidates: include, exclude (with a reason), maybe.

Every decision is in the history under the curator's name. Two curators may screen one claim
at once: a decision is written only if the candidate is still as the curator saw it
(optimistic locking on its version), so no decision silently replaces another; changing a
decision already made (include or exclude, not maybe) takes ``revise``. Including a candidate
with a stance and rationale links it as evidence in the same transaction; without them it is
"included, not yet judged", and including it again with them judges it. An inclusion is not
revised away while its paper is linked as evidence (the link would go on counting): the link
is removed first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from evidence import clock
from evidence.domain.models import Candidate, Evidence, Reference
from evidence.domain.vocab import ExclusionReason, Screening, parse, spelling
from evidence.errors import (
    AlreadyDecided,
    CandidateLinked,
    CandidateNotFound,
    ConflictError,
    InvalidValue,
    MissingValue,
)
from evidence.services.records.evidence import link_evidence
from evidence.services.records.references import find_reference
from evidence.store import history
from evidence.store.locking import update_if_unchanged
from evidence.store.queries import get_claim

# the verbs a curator types, and the states' own names
DECISIONS = {
    "include": Screening.included,
    "exclude": Screening.excluded,
    "maybe": Screening.maybe,
    **{s.value: s for s in Screening if s is not Screening.unscreened},
}


@dataclass(frozen=True)
class Appraisal:
    """The evidence link an inclusion makes at once (``link`` with the same fields)."""

    stance: str
    rationale: str
    downgrades: tuple[str, ...] = ()
    upgrades: tuple[str, ...] = ()


def get_candidate(session: Session, claim_id: str, ref: str) -> tuple[Candidate, Reference]:
    claim = get_claim(session, claim_id)
    paper = find_reference(session, ref)
    candidate = session.scalar(
        select(Candidate).where(Candidate.claim_id == claim.id, Candidate.reference_id == paper.id)
    )
    if candidate is None:
        raise CandidateNotFound(
            f"{paper.key} for {claim.id}", "see `evidence screen CLAIM --next` for the queue"
        )
    return candidate, paper


def decide(
    session: Session,
    *,
    claim_id: str,
    ref: str,
    decision: str,
    actor: str,
    reason: str | None = None,
    reason_text: str | None = None,
    appraisal: Appraisal | None = None,
    expected_version: int | None = None,
    revise: bool = False,
) -> Candidate:
    """Record a curator's decision on one candidate (and, with ``appraisal``, link it)."""
    state = DECISIONS.get(spelling(decision))
    if state is None:
        raise InvalidValue("decision", decision, "include, exclude or maybe")
    why, text = _reason(state, reason, reason_text)
    if appraisal is not None and state is not Screening.included:
        raise InvalidValue("decision", decision, "include, when a stance is given")
    candidate, paper = get_candidate(session, claim_id, ref)
    key = f"{candidate.claim_id}<-{paper.key}"
    if expected_version is not None and candidate.version != expected_version:
        raise ConflictError("candidate", key, expected_version, candidate.version)
    # a "maybe" is there to be decided later: deciding it is not changing a decision
    open_states = (Screening.unscreened.value, Screening.maybe.value)
    linked = session.scalar(
        select(Evidence.id).where(
            Evidence.claim_id == candidate.claim_id, Evidence.reference_id == paper.id
        )
    )
    if candidate.state == Screening.included.value and state is not Screening.included and linked:
        raise CandidateLinked(key, candidate.claim_id, paper.key, candidate.version)
    if candidate.state not in open_states and not revise:
        if (candidate.state, candidate.reason) == (state.value, why):
            # the same decision again: nothing to write, unless it judges a paper that was
            # "included, not yet judged" (appraisal later is the point of that state)
            if appraisal is not None and linked is None:
                _link(session, candidate, paper, appraisal, actor)
            return candidate
        raise AlreadyDecided(key, candidate.state, candidate.decided_by, candidate.version)
    before = _snapshot(candidate)
    update_if_unchanged(
        session,
        candidate,
        {
            "state": state.value,
            "reason": why,
            "reason_text": text,
            "decided_by": actor,
            "decided_at": clock.now(),
        },
        kind="candidate",
        key=key,
    )
    history.record(
        session,
        entity="candidate",
        key=key,
        claim_id=candidate.claim_id,
        action="update",
        actor=actor,
        before=before,
        after=_snapshot(candidate),
        reason=text,
    )
    if appraisal is not None and linked is None:
        _link(session, candidate, paper, appraisal, actor)
    return candidate


def _link(
    session: Session, candidate: Candidate, paper: Reference, appraisal: Appraisal, actor: str
) -> None:
    link_evidence(
        session,
        claim_id=candidate.claim_id,
        ref=paper.key,
        actor=actor,
        stance=appraisal.stance,
        rationale=appraisal.rationale,
        downgrades=list(appraisal.downgrades),
        upgrades=list(appraisal.upgrades),
        reason="included in screening",
    )


def _reason(
    state: Screening, reason: str | None, text: str | None
) -> tuple[str | None, str | None]:
    text = " ".join((text or "").split()) or None
    if state is not Screening.excluded:
        if reason:
            raise InvalidValue("reason", reason, "a reason only for an exclusion")
        return None, text
    if not reason:
        raise MissingValue(
            "reason", "an exclusion needs one: " + ", ".join(r.value for r in ExclusionReason)
        )
    why = parse(ExclusionReason, reason, field="exclusion reason")
    if why is ExclusionReason.other and not text:
        raise MissingValue("reason text", "an exclusion for another reason says which")
    return why.value, text


def _snapshot(candidate: Candidate) -> dict[str, object]:
    return {"state": candidate.state, "reason": candidate.reason, "version": candidate.version}
