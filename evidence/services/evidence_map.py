"""The ledger in aggregate, for the dashboard's map and sources pages.

Claims by verdict × certainty, evidence by publication year × study design (retracted papers
counted apart, whatever their design) and each source's claims by verdict. The verdicts are
taken as given (the caller has graded every claim once already, e.g. with list_claims), so
nothing here grades again; what needs the database is one aggregate query each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import case, distinct, func, select
from sqlmodel import Session

from evidence.domain.models import Evidence, Reference
from evidence.domain.vocab import WITHDRAWN, Certainty, Design, Verdict

# evidence groups besides the study designs
RETRACTED = "retracted"  # a withdrawn paper, counted apart: it counts for nothing
NOT_RECORDED = "not_recorded"  # no design recorded or suggested
GROUPS = [*(d.value for d in Design), NOT_RECORDED, RETRACTED]
CERTAINTIES = [c.label for c in sorted(Certainty, reverse=True)]
ANY = "any"  # a filter that takes every value
C = TypeVar("C", bound=Mapping[str, Any])


def claim_cells(claims: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """How many claims have each verdict at each certainty (cells with none left out)."""
    counts = Counter((c["verdict"], c["certainty"]) for c in claims)
    return [
        {"verdict": v.value, "certainty": cert, "claims": counts[v.value, cert]}
        for v in Verdict
        for cert in CERTAINTIES
        if counts[v.value, cert]
    ]


def claims_in_cell(claims: Iterable[C], *, verdict: str = ANY, certainty: str = ANY) -> list[C]:
    """The claims with this verdict and this certainty (ANY for either takes all)."""
    return [
        c for c in claims if verdict in (ANY, c["verdict"]) and certainty in (ANY, c["certainty"])
    ]


def _group():  # type: ignore[no-untyped-def]
    withdrawn = [r.value for r in WITHDRAWN]
    return case(
        (Reference.retraction.in_(withdrawn), RETRACTED),
        else_=func.coalesce(Reference.design, Reference.suggested_design, NOT_RECORDED),
    )


def evidence_cells(session: Session) -> list[dict[str, Any]]:
    """Evidence links by their paper's year and group (design, or retracted), in one query.

    ``links`` counts evidence links (a paper cited for two claims counts twice), ``papers``
    the distinct papers behind them. ``year`` is None where the paper's year is not recorded.
    """
    group = _group().label("group")
    query = (
        select(
            Reference.year,
            group,
            func.count(Evidence.id),
            func.count(distinct(Reference.id)),
        )
        .join(Reference, Reference.id == Evidence.reference_id)
        .group_by(Reference.year, group)
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
        select(Evidence.claim_id).distinct().join(Reference, Reference.id == Evidence.reference_id)
    )
    if year is None:
        query = query.where(Reference.year.is_(None))
    elif year != ANY:
        query = query.where(Reference.year == int(year))
    if group != ANY:
        query = query.where(_group() == group)
    # ordered here, not in SQL: database collations disagree on text (see list_claims)
    return sorted(session.scalars(query))
