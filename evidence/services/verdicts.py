"""Verdicts for many claims at once, in a fixed number of queries however many claims there are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
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
from evidence.services.evidence import links_with_references


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

    rows: dict[str, list[tuple[Evidence, Reference]]]
    searches: dict[str, list[SearchInput]]
    overrides: dict[str, OverrideInput]

    def grade(self, claim: Claim) -> ClaimGrade:
        links = [
            link_input(ev.stance, ev.downgrades, ev.upgrades, ref)
            for ev, ref in self.rows.get(claim.id, ())
        ]
        return grade_claim(
            ClaimType(claim.type),
            links,
            self.searches.get(claim.id, ()),
            self.overrides.get(claim.id),
        )


def gather(session: Session, claim_ids: Sequence[str] | None) -> GradingInputs:
    """Read links (with their papers), searches and overrides; None reads them for all claims."""
    rows: dict[str, list[tuple[Evidence, Reference]]] = defaultdict(list)
    for ev, ref in links_with_references(session, claim_ids):
        rows[ev.claim_id].append((ev, ref))
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
    return GradingInputs(rows, searches, overrides)


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
