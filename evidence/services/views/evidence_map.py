"""The ledger in aggregate, for the dashboard's map and sources pages.

Claims by verdict × certainty and evidence by publication year × study design (retracted
papers counted apart, whatever their design): one aggregate query each, over the stored
verdicts, so nothing here grades.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from evidence.domain.models import ClaimVerdict, Evidence, Reference
from evidence.domain.vocab import WITHDRAWN, Certainty, Design, Verdict

# evidence groups besides the study designs
RETRACTED = "retracted"  # a withdrawn paper, counted apart: it counts for nothing
NOT_RECORDED = "not_recorded"  # no design recorded or suggested
GROUPS = [*(d.value for d in Design), NOT_RECORDED, RETRACTED]
CERTAINTIES = [c.label for c in sorted(Certainty, reverse=True)]
ANY = "any"  # a filter that takes every value


def claim_cells(session: Session) -> list[dict[str, Any]]:
    """How many claims have each verdict at each certainty (cells with none left out): one
    grouped query over the stored verdicts."""
    query = select(ClaimVerdict.verdict, ClaimVerdict.certainty, func.count()).group_by(
        col(ClaimVerdict.verdict), col(ClaimVerdict.certainty)
    )
    counts = {
        (verdict, Certainty(level).label): int(n) for verdict, level, n in session.execute(query)
    }
    return [
        {"verdict": v.value, "certainty": cert, "claims": counts[v.value, cert]}
        for v in Verdict
        for cert in CERTAINTIES
        if counts.get((v.value, cert))
    ]


def _group() -> ColumnElement[str]:
    withdrawn = [r.value for r in WITHDRAWN]
    return case(
        (col(Reference.retraction).in_(withdrawn), RETRACTED),
        else_=func.coalesce(Reference.graded_design, NOT_RECORDED),
    )


def evidence_cells(session: Session) -> list[dict[str, Any]]:
    """Evidence links by their paper's year and group (design, or retracted), in one query.

    ``links`` counts evidence links (a paper cited for two claims counts twice), ``papers``
    the distinct papers behind them. ``year`` is None where the paper's year is not recorded.
    """
    # links counted per paper first (from the reference_id index alone), then the papers
    # grouped: each paper's row is read once, not once per link citing it
    per_paper = (
        select(Evidence.reference_id, func.count().label("links"))
        .group_by(col(Evidence.reference_id))
        .subquery()
    )
    group = _group().label("group")
    query = (
        select(Reference.year, group, func.sum(per_paper.c.links), func.count())
        .join(per_paper, per_paper.c.reference_id == Reference.id)
        .group_by(col(Reference.year), group)
    )
    rows = [
        {"year": year, "group": g, "links": int(links), "papers": int(papers)}
        for year, g, links, papers in session.execute(query)
    ]
    order = {g: i for i, g in enumerate(GROUPS)}
    return sorted(
        rows, key=lambda r: (r["year"] is None, r["year"] or 0, order.get(r["group"], len(order)))
    )


def claims_with_evidence(
    session: Session, *, year: int | str | None = ANY, group: str = ANY
) -> list[str]:
    """The ids of claims with evidence from papers of this year (None: not recorded) and
    group (a design, NOT_RECORDED or RETRACTED); ANY takes every value. One query."""
    query = (
        select(Evidence.claim_id)
        .distinct()
        .join(Reference, col(Reference.id) == Evidence.reference_id)
    )
    if year is None:
        query = query.where(col(Reference.year).is_(None))
    elif year != ANY:
        query = query.where(Reference.year == int(year))
    if group != ANY:
        query = query.where(_group() == group)
    # ordered here, not in SQL: database collations disagree on text (see list_claims)
    return sorted(session.scalars(query))
