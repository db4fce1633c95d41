"""Everything about one claim: its verdict, the evidence table, who asserts it, searches, links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from evidence import clock
from evidence.domain.grading import LinkGrade
from evidence.domain.models import Evidence, Override, Reference
from evidence.domain.vocab import Downgrade
from evidence.services.claim_links import links_of
from evidence.services.claims import assertions_for, get_claim
from evidence.services.evidence import links_with_references
from evidence.services.searches import search_dict, searches_for
from evidence.services.verdicts import ClaimSummary, gather, link_input


def evidence_row(ref: Reference, grade: LinkGrade, ev: Evidence) -> dict[str, Any]:
    link = grade.link
    return {
        "reference": {
            "key": ref.key,
            "doi": ref.doi,
            "pmid": ref.pmid,
            "pmcid": ref.pmcid,
            "title": ref.title,
            "first_author": ref.authors[0] if ref.authors else None,
            "journal": ref.journal,
            "year": ref.year,
            "retraction": ref.retraction,
            "retraction_notices": ref.retraction_notices,
        },
        "design": ref.graded_design,
        "design_suggested": ref.design is None and ref.suggested_design is not None,
        "design_label": grade.design_label,
        "review_of": ref.review_of,
        "stance": link.stance.value,
        "downgrades": [d.value for d in link.downgrades],
        "upgrades": [u.value for u in link.upgrades],
        "directness": "indirect" if Downgrade.indirectness in link.downgrades else "direct",
        "risk_of_bias": "high" if Downgrade.risk_of_bias in link.downgrades else "not_flagged",
        "starting_certainty": grade.start.label,
        "certainty": grade.certainty.label,
        "certainty_symbols": grade.certainty.symbols,
        "counts": grade.counts,
        "status": "retracted"
        if link.withdrawn
        else "insufficient"
        if not grade.counts
        else "counted",
        "retracted": link.withdrawn,
        "rationale": ev.rationale,
        "quote": ev.quote,
        "curator": ev.curator,
        "version": ev.version,
    }


def claim_detail(session: Session, claim_id: str) -> dict[str, Any]:
    claim = get_claim(session, claim_id)
    # the evidence table and the verdict come from the same rows, read once
    rows = links_with_references(session, [claim.id])
    links = [link_input(ev.stance, ev.downgrades, ev.upgrades, ref) for ev, ref in rows]
    grade = gather(session, [claim.id], links={claim.id: links}).grade(claim)
    detail = ClaimSummary(claim, grade).to_dict()
    ordered = sorted(
        zip(rows, grade.links, strict=True),
        key=lambda item: (not item[1].counts, -item[1].certainty),
    )
    detail["evidence"] = [evidence_row(ref, lg, ev) for (ev, ref), lg in ordered]
    detail["why_not_higher"] = list(grade.limits)
    detail["sources"] = [
        {
            "key": s.key,
            "title": s.title,
            "kind": s.kind,
            "conflicts_of_interest": s.conflicts_of_interest,
            "quote": a.quote,
        }
        for s, a in assertions_for(session, claim.id)
    ]
    detail["searches"] = [search_dict(s) for s in searches_for(session, claim.id)]
    detail["claim_links"] = [
        {
            "from": link.from_claim_id,
            "to": link.to_claim_id,
            "relation": link.relation,
            "source": source.key if source else None,
        }
        for link, source in links_of(session, claim.id)
    ]
    override = session.scalar(select(Override).where(Override.claim_id == claim.id))
    detail["override"] = (
        None
        if override is None
        else {
            "verdict": override.verdict,
            "reason": override.reason,
            "curator": override.curator,
            "at": clock.iso(override.created_at),
            "version": override.version,
        }
    )
    detail["notes"] = claim.notes
    detail["created_at"] = clock.iso(claim.created_at)
    detail["updated_at"] = clock.iso(claim.updated_at)
    return detail
