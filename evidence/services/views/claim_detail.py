"""Everything about one claim: its verdict, the evidence table, who asserts it, searches, links."""

from __future__ import annotations

from typing import Any, cast

from sqlmodel import Session, select

from evidence import clock
from evidence.domain.grading import design_noun
from evidence.domain.models import ClaimVerdict, Evidence, Override, Reference
from evidence.domain.vocab import (
    WITHDRAWN,
    Certainty,
    Design,
    Directness,
    Downgrade,
    ReviewOf,
    RiskOfBias,
    Stance,
)
from evidence.services.views.summaries import summary_of
from evidence.store.queries import (
    assertions_for,
    get_claim,
    links_of,
    links_with_references,
    search_dict,
    searches_for,
)


def evidence_row(ref: Reference, ev: Evidence) -> dict[str, Any]:
    """One row of a claim's evidence table, with the certainties stored for the link."""
    design = ref.graded_design
    withdrawn = ref.retraction in {r.value for r in WITHDRAWN}
    counts = not withdrawn and ev.stance != Stance.insufficient.value
    # derived columns, never None once the link's change is graded: before every commit, and
    # for a pending change by summary_of (claim_detail) or the curation page before they read
    start = Certainty(cast(int, ev.start_certainty))
    certainty = Certainty(cast(int, ev.certainty))
    downgrades = list(ev.downgrades)
    return {
        "reference": {
            "key": ref.key,
            "doi": ref.doi,
            "pmid": ref.pmid,
            "pmcid": ref.pmcid,
            "title": ref.title,
            "first_author": ref.authors[0] if ref.authors else None,
            "authors": list(ref.authors),
            "journal": ref.journal,
            "year": ref.year,
            # stored from its identifier alone and never answered for by a service (resolve
            # names them in metadata_source): its title or year is still to come
            "metadata_pending": ref.metadata_source in (None, "curator")
            and not (ref.title and ref.year),
            "retraction": ref.retraction,
            "retraction_notices": ref.retraction_notices,
        },
        "design": design,
        "design_suggested": ref.design is None and ref.suggested_design is not None,
        "design_label": design_noun(
            Design(design) if design else None,
            ReviewOf(ref.review_of) if ref.review_of else None,
            1,
        ),
        "review_of": ref.review_of,
        "stance": ev.stance,
        "downgrades": downgrades,
        "upgrades": list(ev.upgrades),
        "directness": (
            Directness.indirect if Downgrade.indirectness.value in downgrades else Directness.direct
        ).value,
        "risk_of_bias": (
            RiskOfBias.high
            if Downgrade.risk_of_bias.value in downgrades
            else RiskOfBias.not_flagged
        ).value,
        "starting_certainty": start.label,
        "certainty": certainty.label,
        "certainty_symbols": certainty.symbols,
        "counts": counts,
        "status": "retracted" if withdrawn else "insufficient" if not counts else "counted",
        "retracted": withdrawn,
        "rationale": ev.rationale,
        "quote": ev.quote,
        "curator": ev.curator,
        "version": ev.version,
    }


def claim_detail(session: Session, claim_id: str) -> dict[str, Any]:
    """One claim as its page shows it: the stored verdict and link certainties, nothing
    graded here."""
    claim = get_claim(session, claim_id)
    detail = summary_of(session, claim.id)
    rows = [evidence_row(ref, ev) for ev, ref in links_with_references(session, [claim.id])]
    # counted evidence first, strongest first
    order = {c.label: c.value for c in Certainty}
    rows.sort(key=lambda r: (not r["counts"], -order[r["certainty"]]))
    detail["evidence"] = rows
    detail["why_not_higher"] = list(
        session.scalar(select(ClaimVerdict.why_not_higher).where(ClaimVerdict.claim_id == claim.id))
        or ()
    )
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
            # the curator's own, or None when the shown one was fitted to the verdict
            "certainty": Certainty(override.certainty).label if override.certainty else None,
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
