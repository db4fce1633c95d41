"""Everything about one claim: its verdict, the evidence table, who asserts it, searches, links."""

from __future__ import annotations

from typing import Any, TypedDict, cast

from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.grading import design_noun
from evidence.domain.models import (
    Assertion,
    Candidate,
    ClaimVerdict,
    Evidence,
    Override,
    Reference,
)
from evidence.domain.quote_location import CONTEXT_LIMIT, QuoteMatch, context, locate_in_paper
from evidence.domain.vocab import (
    WITHDRAWN,
    Certainty,
    Design,
    Directness,
    Downgrade,
    ReviewOf,
    RiskOfBias,
    Screening,
    Stance,
)
from evidence.services.views.prisma import PrismaFlow, prisma_flow
from evidence.services.views.summaries import ClaimSummary, summary_of
from evidence.store.queries import (
    SearchRow,
    assertions_for,
    get_claim,
    links_of,
    links_with_references,
    search_dict,
    searches_for,
    source_text_window,
)


class PaperRow(TypedDict):
    """The paper of an evidence link, as its row shows it."""

    key: str
    doi: str | None
    pmid: str | None
    pmcid: str | None
    title: str | None
    first_author: str | None
    authors: list[str]
    journal: str | None
    year: int | None
    metadata_pending: bool
    retraction: str | None
    retraction_notices: list[dict[str, Any]]


class EvidenceRow(TypedDict):
    """One row of a claim's evidence table (``claim show --json``'s ``evidence``)."""

    reference: PaperRow
    design: str | None
    design_suggested: bool
    design_label: str
    review_of: str | None
    stance: str
    downgrades: list[str]
    upgrades: list[str]
    directness: str
    risk_of_bias: str
    starting_certainty: str
    certainty: str
    certainty_symbols: str
    counts: bool
    status: str  # "counted", "insufficient" or "retracted"
    retracted: bool
    rationale: str
    quote: str | None
    quote_check: QuoteCheck | None  # None when the link has no quote
    curator: str
    version: int


class AssertedBy(TypedDict):
    """A source that asserts the claim, with its words."""

    key: str
    title: str
    kind: str
    conflicts_of_interest: str | None
    quote: str
    quote_match: str  # QuoteMatch: exact, fuzzy, not_found, no_text
    quote_score: float | None  # 100 when exact; rapidfuzz's score when fuzzy
    context: QuoteContext | None  # the quote in its document, when it was found there


class QuoteContext(TypedDict):
    """A quote as its document has it, with the sentence before and after."""

    before: str
    quote: str
    after: str
    start: int  # character offsets of the quote in the source's text
    end: int


class QuoteCheck(TypedDict):
    """An evidence link's quote checked against its paper's title and abstract."""

    state: str  # "verified", "not_found" or "not_checkable" (no abstract stored)
    match: str  # QuoteMatch: how it was found (exact or fuzzy), or why not
    score: float | None


# A link between claims, as its page lists it; "from" is a keyword, hence the call form
ClaimLinkRow = TypedDict(
    "ClaimLinkRow", {"from": str, "to": str, "relation": str, "source": str | None}
)


class OverrideRow(TypedDict):
    """A curator's override of the computed verdict."""

    verdict: str
    certainty: str | None  # the curator's own; None when the shown one was fitted to the verdict
    reason: str
    curator: str
    at: str
    version: int


class ClaimDetail(ClaimSummary):
    """One claim as its page and ``claim show --json`` give it: its summary and the rest."""

    evidence: list[EvidenceRow]
    why_not_higher: list[str]
    sources: list[AssertedBy]
    searches: list[SearchRow]
    prisma: PrismaFlow  # the claim's PRISMA 2020 flow (services/views/prisma.py)
    included_not_judged: list[PaperRow]  # included in screening, no evidence link yet
    claim_links: list[ClaimLinkRow]
    override: OverrideRow | None
    notes: str | None
    created_at: str
    updated_at: str


def paper_row(ref: Reference) -> PaperRow:
    return {
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
    }


def included_not_judged(session: Session, claim_id: str) -> list[PaperRow]:
    """The claim's candidates included in screening that no evidence link judges yet."""
    judged = select(Evidence.reference_id).where(Evidence.claim_id == claim_id)
    papers = session.scalars(
        select(Reference)
        .join(Candidate, col(Candidate.reference_id) == Reference.id)
        .where(
            Candidate.claim_id == claim_id,
            Candidate.state == Screening.included.value,
            col(Candidate.reference_id).not_in(judged),
        )
        .order_by(col(Candidate.decided_at), col(Reference.key))
    )
    return [paper_row(ref) for ref in papers]


def evidence_row(ref: Reference, ev: Evidence) -> EvidenceRow:
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
        "reference": paper_row(ref),
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
        "quote_check": quote_check(ev.quote, ref.title, ref.abstract) if ev.quote else None,
        "curator": ev.curator,
        "version": ev.version,
    }


def quote_check(quote: str, title: str | None, abstract: str | None) -> QuoteCheck:
    found = locate_in_paper(quote, title, abstract)
    state = (
        "verified"
        if found.match.located
        else "not_checkable"
        if found.match is QuoteMatch.no_text
        else "not_found"
    )
    return {"state": state, "match": found.match.value, "score": found.score}


def quote_context(session: Session, assertion: Assertion) -> QuoteContext | None:
    """The assertion's quote with a sentence either side, read from the stored text."""
    start, end = assertion.quote_start, assertion.quote_end
    if start is None or end is None:
        return None
    low = max(0, start - CONTEXT_LIMIT)
    window = source_text_window(session, assertion.source_id, low, end + CONTEXT_LIMIT)
    if window is None:
        return None
    before, quote, after = context(window, start - low, end - low)
    return {"before": before, "quote": quote, "after": after, "start": start, "end": end}


def claim_detail(session: Session, claim_id: str) -> ClaimDetail:
    """One claim as its page shows it: the stored verdict and link certainties, nothing
    graded here."""
    claim = get_claim(session, claim_id)
    summary = summary_of(session, claim.id)
    rows = [evidence_row(ref, ev) for ev, ref in links_with_references(session, [claim.id])]
    # counted evidence first, strongest first
    order = {c.label: c.value for c in Certainty}
    rows.sort(key=lambda r: (not r["counts"], -order[r["certainty"]]))
    why_not_higher = list(
        session.scalar(select(ClaimVerdict.why_not_higher).where(ClaimVerdict.claim_id == claim.id))
        or ()
    )
    sources: list[AssertedBy] = [
        {
            "key": s.key,
            "title": s.title,
            "kind": s.kind,
            "conflicts_of_interest": s.conflicts_of_interest,
            "quote": a.quote,
            "quote_match": QuoteMatch.stored(a.quote_match).value,
            "quote_score": a.quote_score,
            "context": quote_context(session, a),
        }
        for s, a in assertions_for(session, claim.id)
    ]
    claim_links: list[ClaimLinkRow] = [
        {
            "from": link.from_claim_id,
            "to": link.to_claim_id,
            "relation": link.relation,
            "source": source.key if source else None,
        }
        for link, source in links_of(session, claim.id)
    ]
    override = session.scalar(select(Override).where(Override.claim_id == claim.id))
    overridden: OverrideRow | None = None
    if override is not None:
        overridden = {
            "verdict": override.verdict,
            # the curator's own, or None when the shown one was fitted to the verdict
            "certainty": Certainty(override.certainty).label if override.certainty else None,
            "reason": override.reason,
            "curator": override.curator,
            "at": clock.iso(override.created_at),
            "version": override.version,
        }
    return {
        **summary,
        "evidence": rows,
        "why_not_higher": why_not_higher,
        "sources": sources,
        "searches": [search_dict(s) for s in searches_for(session, claim.id)],
        "prisma": prisma_flow(session, claim.id),
        "included_not_judged": included_not_judged(session, claim.id),
        "claim_links": claim_links,
        "override": overridden,
        "notes": claim.notes,
        "created_at": clock.iso(claim.created_at),
        "updated_at": clock.iso(claim.updated_at),
    }
