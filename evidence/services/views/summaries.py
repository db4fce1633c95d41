"""Claims with their verdicts, read from the store: no reader grades (see store/verdicts.py).

A claim's summary is one row of ``claim`` joined to its ``claim_verdict``: listing every
claim is one query however many there are, and a page of twenty reads twenty rows.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from functools import lru_cache
from typing import Any, TypedDict

from sqlalchemy import Select, Text, cast, select
from sqlmodel import Session, col

from evidence.domain.grading import strength_of
from evidence.domain.models import Claim, ClaimVerdict
from evidence.domain.vocab import Band, Certainty, parse
from evidence.errors import ClaimNotFound
from evidence.store import verdicts as stored_verdicts

_IN_LIST = 500  # ids per IN list


class ClaimSummary(TypedDict):
    """A claim with its stored verdict, as ``claims list --json`` prints it and every page
    reads it (the README lists these fields; tests/test_docs.py holds them to it)."""

    id: str
    statement: str
    type: str
    tags: list[str]
    verdict: str
    band: str
    certainty: str  # the label: "high", "moderate", "low", "very low"
    certainty_symbols: str
    explanation: str
    computed_verdict: str  # what the evidence gives, before any override
    computed_certainty: str
    computed_certainty_symbols: str
    computed_explanation: str
    unproven_reason: str | None
    overridden: bool
    supporting: int
    refuting: int
    mixed: int
    insufficient: int
    retracted: int
    version: int
    strength: list[int]  # orders claims from weakest to strongest (verdict, then certainty)


def summary_query() -> Select:
    """Every claim's summary columns (ordered, filtered and paged by the caller)."""
    v = ClaimVerdict
    return select(
        col(Claim.id),
        col(Claim.statement),
        col(Claim.type),
        cast(Claim.tags, Text),  # as text: the few distinct tag lists are parsed once each
        col(Claim.version),
        col(v.verdict),
        col(v.band),
        col(v.certainty),
        col(v.explanation),
        col(v.computed_verdict),
        col(v.computed_certainty),
        col(v.computed_explanation),
        col(v.unproven_reason),
        col(v.overridden),
        col(v.supporting),
        col(v.refuting),
        col(v.mixed),
        col(v.insufficient),
        col(v.retracted),
        col(v.rank),
    ).join(v, col(v.claim_id) == Claim.id)


_CERTAINTIES = {c.value: (c.label, c.symbols) for c in Certainty}
_strength = lru_cache(maxsize=64)(strength_of)  # a few dozen ranks recur on every row


@lru_cache(maxsize=4096)
def _tags(stored: str | None) -> tuple[str, ...]:
    return tuple(json.loads(stored)) if stored else ()


def summary(row: Any) -> ClaimSummary:
    """A row of :func:`summary_query` as the readers take it (``claims list --json``)."""
    (
        claim_id,
        statement,
        claim_type,
        tags,
        version,
        verdict,
        band,
        certainty,
        explanation,
        computed_verdict,
        computed_certainty,
        computed_explanation,
        unproven_reason,
        overridden,
        supporting,
        refuting,
        mixed,
        insufficient,
        retracted,
        rank,
    ) = row
    label, symbols = _CERTAINTIES[certainty]
    computed_label, computed_symbols = _CERTAINTIES.get(computed_certainty, (label, symbols))
    return {
        "id": claim_id,
        "statement": statement,
        "type": claim_type,
        "tags": list(_tags(tags)),
        "verdict": verdict,
        "band": band,
        "certainty": label,
        "certainty_symbols": symbols,
        "explanation": explanation,
        "computed_verdict": computed_verdict,
        "computed_certainty": computed_label,
        "computed_certainty_symbols": computed_symbols,
        "computed_explanation": computed_explanation,
        "unproven_reason": unproven_reason,
        "overridden": bool(overridden),
        "supporting": supporting,
        "refuting": refuting,
        "mixed": mixed,
        "insufficient": insufficient,
        "retracted": retracted,
        "version": version,
        # orders claims from weakest to strongest (verdict, then certainty)
        "strength": list(_strength(rank)),
    }


def iter_claims(session: Session, *, band: str | None = None) -> Iterator[ClaimSummary]:
    """Every claim (or a band's) with its verdict, in id order, read in batches."""
    query = summary_query().order_by(ClaimVerdict.claim_id)  # byte order on both databases
    if band:
        query = query.where(col(ClaimVerdict.band) == parse(Band, band, field="band").value)
    # through the connection: plain rows, without the ORM's per-row work
    for row in session.connection().execute(query.execution_options(yield_per=2000)):
        yield summary(row)


def list_claims(session: Session, *, band: str | None = None) -> list[ClaimSummary]:
    return list(iter_claims(session, band=band))


def summaries_of(session: Session, claim_ids: Collection[str]) -> dict[str, ClaimSummary]:
    """The summaries of the claims among ``claim_ids`` that exist, by id.

    Inside a write transaction the verdicts its changes moved are brought up to date first,
    so a service can say what a change did before it commits.
    """
    stored_verdicts.apply_pending(session)
    ids = sorted(set(claim_ids))
    out: dict[str, ClaimSummary] = {}
    for start in range(0, len(ids), _IN_LIST):
        batch = ids[start : start + _IN_LIST]
        for row in session.execute(summary_query().where(col(Claim.id).in_(batch))):
            out[row.id] = summary(row)
    return out


def summary_of(session: Session, claim_id: str) -> ClaimSummary:
    found = summaries_of(session, [claim_id]).get(claim_id)
    if found is None:
        raise ClaimNotFound(claim_id, "see `evidence claims list`")
    return found
