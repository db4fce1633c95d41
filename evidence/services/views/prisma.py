"""A claim's PRISMA 2020 flow: identified per database, duplicates removed, screened,
excluded per reason, included, judged.

Read from the claim's recorded searches and its candidates, in a few grouped queries. The
counts add up: identified = duplicates + new candidates (+ records the import could not
read), and new candidates = unscreened + maybe + excluded + included.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import func
from sqlmodel import Session, col, select

from evidence.domain.models import Candidate, Evidence, EvidenceSearch
from evidence.domain.vocab import ExclusionReason, Screening


class FlowSearch(TypedDict):
    id: int
    database: str
    query: str
    date: str | None
    service: str | None  # None for a search logged by hand
    hits: int | None
    identified: int | None
    duplicates: int | None
    new: int | None
    rerun_of: int | None


class PrismaFlow(TypedDict):
    searches: list[FlowSearch]
    identified: int
    identified_by_database: dict[str, int]
    duplicates: int
    candidates: int
    screened: int
    unscreened: int
    maybe: int
    excluded: int
    excluded_by_reason: dict[str, int]  # ExclusionReason -> count, reasons used only
    included: int
    judged: int  # included and appraised: an evidence link of the claim cites it
    included_not_judged: int
    nothing_found: str | None  # "searched, nothing found" with the search named, or None


def prisma_flow(session: Session, claim_id: str) -> PrismaFlow:
    searches = list(
        session.scalars(
            select(EvidenceSearch)
            .where(EvidenceSearch.claim_id == claim_id)
            .order_by(col(EvidenceSearch.id))
        )
    )
    by_database: dict[str, int] = {}
    for s in searches:
        by_database[s.database] = by_database.get(s.database, 0) + (s.identified or 0)
    states = dict(
        session.execute(
            select(Candidate.state, func.count())
            .where(Candidate.claim_id == claim_id)
            .group_by(Candidate.state)
        ).all()
    )
    reasons = dict(
        session.execute(
            select(Candidate.reason, func.count())
            .where(Candidate.claim_id == claim_id, Candidate.state == Screening.excluded.value)
            .group_by(Candidate.reason)
        ).all()
    )
    judged = session.scalar(
        select(func.count())
        .select_from(Candidate)
        .join(
            Evidence,
            (col(Evidence.claim_id) == Candidate.claim_id)
            & (col(Evidence.reference_id) == Candidate.reference_id),
        )
        .where(Candidate.claim_id == claim_id, Candidate.state == Screening.included.value)
    )
    count = {s: int(states.get(s.value, 0)) for s in Screening}
    included = count[Screening.included]
    flow: PrismaFlow = {
        "searches": [_search(s) for s in searches],
        "identified": sum(by_database.values()),
        "identified_by_database": by_database,
        "duplicates": sum(s.duplicates or 0 for s in searches),
        "candidates": sum(count.values()),
        "screened": sum(count.values()) - count[Screening.unscreened],
        "unscreened": count[Screening.unscreened],
        "maybe": count[Screening.maybe],
        "excluded": count[Screening.excluded],
        "excluded_by_reason": {
            r.value: int(reasons[r.value]) for r in ExclusionReason if reasons.get(r.value)
        },
        "included": included,
        "judged": int(judged or 0),
        "included_not_judged": included - int(judged or 0),
        "nothing_found": None,
    }
    run = [s for s in searches if s.service is not None]
    open_or_in = included or count[Screening.unscreened] or count[Screening.maybe]
    # no candidate at all is not "nothing found": every record was the claim's evidence
    # already (or nothing could be read), so the search found what the claim cites
    if run and flow["candidates"] and not open_or_in:
        last = run[-1]
        when = f", {last.searched_on.isoformat()}" if last.searched_on else ""
        more = f" and {len(run) - 1} more" if len(run) > 1 else ""
        flow["nothing_found"] = (
            f"searched, nothing found: {last.database} \u201c{last.query}\u201d{when}{more}; "
            f"all {flow['candidates']:,} records screened, none included"
        )
    return flow


def _search(s: EvidenceSearch) -> FlowSearch:
    return {
        "id": s.id or 0,
        "database": s.database,
        "query": s.query,
        "date": s.searched_on.isoformat() if s.searched_on else None,
        "service": s.service,
        "hits": s.hits,
        "identified": s.identified,
        "duplicates": s.duplicates,
        "new": s.added,
        "rerun_of": s.rerun_of,
    }
