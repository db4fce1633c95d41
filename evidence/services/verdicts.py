"""Verdicts for many claims at once, in a fixed number of queries however many claims there are."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, func, select, type_coerce
from sqlmodel import Session

from evidence.domain.grading import ClaimGrade, LinkInput, OverrideInput, SearchInput, grade_claim
from evidence.domain.models import Claim, Evidence, EvidenceSearch, Override, Reference
from evidence.domain.vocab import (
    Band,
    ClaimType,
    Design,
    Downgrade,
    Retraction,
    ReviewOf,
    Stance,
    Upgrade,
    Verdict,
    parse,
)


def link_input(
    stance: str, downgrades: Sequence[str], upgrades: Sequence[str], ref: Reference
) -> LinkInput:
    return LinkInput(
        reference=ref.key,
        stance=Stance(stance),
        design=Design(ref.graded_design) if ref.graded_design else None,
        review_of=ReviewOf(ref.review_of) if ref.review_of else None,
        downgrades=tuple(Downgrade(d) for d in downgrades),
        upgrades=tuple(Upgrade(u) for u in upgrades),
        retraction=Retraction(ref.retraction) if ref.retraction else None,
    )


@dataclass
class GradingInputs:
    """Everything grading needs for a set of claims, read in three queries."""

    links: dict[str, list[LinkInput]]
    searches: dict[str, list[SearchInput]]
    overrides: dict[str, OverrideInput]

    def grade(self, claim: Claim) -> ClaimGrade:
        return grade_claim(
            ClaimType(claim.type),
            self.links.get(claim.id, ()),
            self.searches.get(claim.id, ()),
            self.overrides.get(claim.id),
        )


class _LinkReader:
    """Link inputs from bare columns. The same few stance / judgement / design combinations
    recur across a ledger, so each is parsed into vocabulary members once."""

    def __init__(self) -> None:
        self._parsed: dict[tuple, tuple] = {}

    def __call__(
        self,
        reference: str,
        stance: str,
        downgrades: Any,
        upgrades: Any,
        design: str | None,
        review_of: str | None,
        retraction: str | None,
    ) -> LinkInput:
        key = (stance, _hashable(downgrades), _hashable(upgrades), design, review_of, retraction)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self._parsed[key] = (
                Stance(stance),
                Design(design) if design else None,
                ReviewOf(review_of) if review_of else None,
                tuple(Downgrade(d) for d in _names(downgrades)),
                tuple(Upgrade(u) for u in _names(upgrades)),
                Retraction(retraction) if retraction else None,
            )
        return LinkInput(reference, *parsed)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _names(value: Any) -> list[str]:
    # the JSON columns are read as text where the driver leaves them so (SQLite)
    return json.loads(value) if isinstance(value, str) else list(value or ())


def gather(
    session: Session,
    claim_ids: Sequence[str] | None,
    *,
    links: dict[str, list[LinkInput]] | None = None,
) -> GradingInputs:
    """Read the links, searches and overrides of some claims (None: of all claims).

    The links are read as bare columns, not as ORM objects: at 200,000 links that is the
    difference between seconds and half a minute. A caller that has read them already (the
    claim page, which shows them) passes them as ``links``.
    """
    if links is None:
        links = defaultdict(list)
        read = _LinkReader()
        query = (
            select(
                Evidence.claim_id,
                Reference.key,
                Evidence.stance,
                type_coerce(Evidence.downgrades, Text),
                type_coerce(Evidence.upgrades, Text),
                func.coalesce(Reference.design, Reference.suggested_design),
                Reference.review_of,
                Reference.retraction,
            )
            .join(Reference, Reference.id == Evidence.reference_id)
            .order_by(Evidence.claim_id, Evidence.id)
        )
        if claim_ids is not None:
            query = query.where(Evidence.claim_id.in_(claim_ids))
        for claim_id, *row in session.execute(query):
            links[claim_id].append(read(*row))
    searches: dict[str, list[SearchInput]] = defaultdict(list)
    query = select(
        EvidenceSearch.claim_id,
        EvidenceSearch.database,
        EvidenceSearch.searched_on,
        EvidenceSearch.hits,
    ).order_by(EvidenceSearch.id)
    if claim_ids is not None:
        query = query.where(EvidenceSearch.claim_id.in_(claim_ids))
    for claim_id, database, day, hits in session.execute(query):
        searches[claim_id].append(SearchInput(database, day, hits))
    overrides: dict[str, OverrideInput] = {}
    query = select(Override)
    if claim_ids is not None:
        query = query.where(Override.claim_id.in_(claim_ids))
    for o in session.scalars(query):
        overrides[o.claim_id] = OverrideInput(Verdict(o.verdict), o.reason, o.curator)
    return GradingInputs(links, searches, overrides)


def grade_claims(
    session: Session, claims: Sequence[Claim], *, all_claims: bool = False
) -> dict[str, ClaimGrade]:
    """Grade the given claims with three queries (links+papers, searches, overrides).

    ``all_claims`` says ``claims`` is every claim, so the queries need no IN list; a long
    list is read whole too, which costs less than binding thousands of parameters.
    """
    ids = [c.id for c in claims]
    inputs = gather(session, None if all_claims or len(ids) > 500 else ids)
    return {c.id: inputs.grade(c) for c in claims}


@dataclass(frozen=True)
class ClaimSummary:
    claim: Claim
    grade: ClaimGrade

    def to_dict(self) -> dict[str, Any]:
        g = self.grade
        return {
            "id": self.claim.id,
            "statement": self.claim.statement,
            "type": self.claim.type,
            "tags": list(self.claim.tags),
            "verdict": g.verdict.value,
            "band": g.band.value,
            "certainty": g.certainty.label,
            "certainty_symbols": g.certainty.symbols,
            "explanation": g.explanation,
            "computed_verdict": g.computed_verdict.value,
            "computed_explanation": g.computed_explanation,
            "unproven_reason": g.unproven_reason,
            "overridden": g.override is not None,
            "supporting": g.supporting,
            "refuting": g.refuting,
            "mixed": g.mixed,
            "retracted": g.retracted,
            "version": self.claim.version,
            # orders claims from weakest to strongest (verdict, then certainty)
            "strength": list(g.strength),
        }


def list_claims(session: Session, *, band: str | None = None) -> list[ClaimSummary]:
    """Every claim with its verdict, ordered by id; four queries in all."""
    wanted = parse(Band, band, field="band") if band else None
    # ordered in Python: SQLite compares bytes while PostgreSQL's collation may skip hyphens,
    # and the same ledger must list the same way on both
    claims = sorted(session.scalars(select(Claim)), key=lambda c: c.id)
    grades = grade_claims(session, claims, all_claims=True)
    summaries = [ClaimSummary(c, grades[c.id]) for c in claims]
    return [s for s in summaries if wanted is None or s.grade.band is wanted]


def summaries_of(session: Session, claim_ids: Collection[str]) -> list[ClaimSummary]:
    """The claims among ``claim_ids`` that exist, graded (a few: their ids go in IN lists)."""
    claims = list(session.scalars(select(Claim).where(Claim.id.in_(list(claim_ids)))))
    grades = grade_claims(session, claims)
    return [ClaimSummary(c, grades[c.id]) for c in claims]
