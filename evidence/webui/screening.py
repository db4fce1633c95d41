"""The Screen page's reads and writes, and the screening parts of the other pages.

The queue's ranker fits its TF-IDF vectoriser over every candidate of a claim when it is
built: seconds at a few thousand, so it is kept per claim (a cached resource, as the CLI's
loop keeps its QueueBuilder between decisions) and built again only when the claim's
candidates or statement change. Ranking the queue after a decision is tens of milliseconds;
the ranked queue is cached by the data version like every other view (data.py).

Each decision is one service call through curation.attempt, with the candidate's version as
the page showed it: a decision another curator made meanwhile is refused, never replaced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import streamlit as st
from sqlalchemy import func
from sqlmodel import Session, col, select

from evidence import settings
from evidence.domain.models import Candidate, Claim, EvidenceSearch
from evidence.domain.term_marks import marked, term_pattern
from evidence.domain.vocab import Screening
from evidence.errors import AlreadyExists, EvidenceError
from evidence.services.finding.decisions import Appraisal, decide, get_candidate
from evidence.services.records.evidence import is_linked, link_evidence
from evidence.services.records.references import edit_reference, find_reference
from evidence.services.views import new_candidates
from evidence.services.views.new_candidates import ClaimToScreen
from evidence.services.views.summaries import summary_of
from evidence.store.tables import stored_id
from evidence.webui import data
from evidence.webui.prisma_chart import reason_label
from evidence.webui.render import DESIGN_LABELS, PAGE_LINK_CLASS, badge_html, safe_url, short

if TYPE_CHECKING:
    from evidence.services.finding.queue import Queue, QueueBuilder, QueueItem

# --- reads ------------------------------------------------------------------------------------


def _fingerprint(session: Session, claim_id: str) -> tuple[int, int, int, int] | None:
    """What the ranker is built from: the claim's statement (its version moves with every
    edit), its candidates and the queries of its searches. None when it has no candidates."""
    count, top = session.execute(
        select(func.count(col(Candidate.id)), func.max(col(Candidate.id))).where(
            Candidate.claim_id == claim_id
        )
    ).one()
    if not count:
        return None
    version = session.scalar(select(Claim.version).where(Claim.id == claim_id)) or 0
    search = session.scalar(
        select(func.max(col(EvidenceSearch.id))).where(
            EvidenceSearch.claim_id == claim_id, col(EvidenceSearch.service).is_not(None)
        )
    )
    return int(version), int(count), int(top or 0), int(search or 0)


# A builder holds the candidates' titles and abstracts as it read them; a paper's details
# corrected meanwhile (`evidence resolve`) show once it is built again, within the hour at
# the latest.
@st.cache_resource(show_spinner="Reading the claim's candidates…", max_entries=8, ttl=3600)
def _builder(
    url: str, claim_id: str, fingerprint: tuple[int, int, int, int], _session: Session
) -> QueueBuilder:
    # imported here, not above: the ranker brings scikit-learn and SciPy (over a second to
    # import), which the claim page and the overview, importing this module for its links
    # and notices, should not wait for
    from evidence.services.finding.queue import QueueBuilder

    return QueueBuilder(_session, claim_id)


def _builder_for(session: Session, claim_id: str) -> QueueBuilder | None:
    fingerprint = _fingerprint(session, claim_id)
    if fingerprint is None:
        return None
    return _builder(settings.get().database_url, claim_id, fingerprint, session)


# the queue is immutable (frozen dataclasses): one object shared by every session
@st.cache_resource(show_spinner=False, max_entries=16)
def _queue(url: str, version: tuple[int, int], claim_id: str) -> Queue | None:
    with data.store().reading() as session:
        builder = _builder_for(session, claim_id)
        return None if builder is None else builder.build(session)


def queue(claim_id: str) -> Queue | None:
    """The claim's screening queue, most likely relevant first; None with no candidates."""
    return _queue(settings.get().database_url, data.version(), claim_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _to_screen(url: str, version: tuple[int, int]) -> list[ClaimToScreen]:
    with data.store().reading() as session:
        return new_candidates.claims_to_screen(session)


def claims_to_screen() -> list[ClaimToScreen]:
    """Every claim with candidates waiting, those with new ones from re-run searches first."""
    return _to_screen(settings.get().database_url, data.version())


def new_from_reruns() -> list[ClaimToScreen]:
    """The claims whose re-run searches found candidates nobody has screened yet."""
    return [c for c in claims_to_screen() if c["from_reruns"]]


# --- writes (each one run by curation.attempt, in one transaction, as the curator) ------------


def _title(session: Session, ref: str) -> str:
    paper = find_reference(session, ref)
    return f"\u201c{short(paper.title or paper.key, 80)}\u201d"


def _now(session: Session, claim_id: str) -> str:
    now = summary_of(session, claim_id)
    return f"Now: {now['certainty_symbols']} {now['explanation']}"


def screen(
    session: Session,
    actor: str,
    *,
    claim_id: str,
    ref: str,
    decision: str,
    version: int,
    revise: bool = False,
    reason: str | None = None,
    reason_text: str | None = None,
    stance: str | None = None,
    rationale: str | None = None,
    downgrades: Sequence[str] = (),
    upgrades: Sequence[str] = (),
    design: str | None = None,
) -> str:
    """One screening decision on the candidate as the page showed it (``version``); an
    inclusion with a stance and rationale links it as evidence at once."""
    appraisal = (
        Appraisal(stance, rationale, tuple(downgrades), tuple(upgrades))
        if stance is not None and rationale is not None
        else None
    )
    if design and appraisal is not None:
        # first, so the new link is graded with the design the curator confirmed
        edit_reference(session, ref=ref, actor=actor, design=design)
    candidate = decide(
        session,
        claim_id=claim_id,
        ref=ref,
        decision=decision,
        actor=actor,
        reason=reason,
        reason_text=reason_text,
        appraisal=appraisal,
        expected_version=version,
        revise=revise,
    )
    # the scores kept on the candidates follow the queue as it now stands (the CLI does too)
    builder = _builder_for(session, claim_id)
    if builder is not None:
        from evidence.services.finding.queue import keep_scores  # see _builder

        keep_scores(session, builder.build(session))
    title = _title(session, ref)
    state = Screening(candidate.state)
    if state is Screening.excluded:
        return f"Excluded {title} ({reason_label(candidate.reason)})."
    if state is Screening.maybe:
        return f"Marked {title} maybe: it waits behind the unscreened candidates."
    if appraisal is not None:
        return (
            f"Included {title} and linked it as evidence ({appraisal.stance}). "
            f"{_now(session, claim_id)}"
        )
    return f"Included {title}, to judge later: it is listed under “Included, not yet judged”."


def judge(
    session: Session,
    actor: str,
    *,
    claim_id: str,
    ref: str,
    stance: str,
    rationale: str,
    downgrades: Sequence[str] = (),
    upgrades: Sequence[str] = (),
    design: str | None = None,
) -> str:
    """Link a paper included earlier ("judge later") as evidence of the claim."""
    paper = find_reference(session, ref)
    if is_linked(session, claim_id=claim_id, reference_id=stored_id(paper)):
        # a second link call would revise the first judgement, not refuse
        raise AlreadyExists(
            "evidence link",
            f"{claim_id}<-{paper.key}",
            "someone judged this paper meanwhile: see the claim's evidence",
        )
    if design:
        edit_reference(session, ref=ref, actor=actor, design=design)
    link_evidence(
        session,
        claim_id=claim_id,
        ref=paper.key,
        actor=actor,
        stance=stance,
        rationale=rationale,
        downgrades=list(downgrades),
        upgrades=list(upgrades),
        reason="judged after screening",
    )
    return f"Linked {_title(session, ref)} as evidence ({stance}). {_now(session, claim_id)}"


def decided_meanwhile(claim_id: str, ref: str, tried: str) -> str:
    """What the page says when a decision was refused because the candidate had changed."""
    try:
        with data.store().reading() as session:
            candidate, paper = get_candidate(session, claim_id, ref)
            # read while the session is open: the rows are detached once it closes
            title = f"\u201c{short(paper.title or paper.key, 80)}\u201d"
            state, reason, who = candidate.state, candidate.reason, candidate.decided_by
    except EvidenceError:  # the claim or the paper is gone, or it is no candidate now
        return (
            f"This candidate is no longer there; your decision ({tried}) was not recorded. "
            "The queue is shown as it now stands."
        )
    if state == Screening.excluded.value and reason:
        state += f" ({reason_label(reason)})"
    who = who or "another curator"
    return (
        f"{who} decided {title} while you were reading it: it is now {state}. Your decision "
        f"({tried}) was not recorded, and theirs stands. The queue is shown as it now stands."
    )


# --- text and HTML ----------------------------------------------------------------------------


_MARK = '<mark style="background: rgba(255, 200, 40, 0.4); color: inherit; padding: 0">'


def marked_html(text: str, pattern: re.Pattern[str] | None) -> str:
    """``text`` as HTML with the claim's words marked, each piece escaped on its own."""
    return marked(text, pattern, lambda word: f"{_MARK}{html.escape(word)}</mark>", html.escape)


def _external(url: str, text: str) -> str:
    return (
        f'<a href="{html.escape(safe_url(url))}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(text)}</a>"
    )


def identifier_links(doi: str | None, pmid: str | None) -> list[str]:
    links = []
    if doi:
        links.append(_external(f"https://doi.org/{doi}", f"doi:{doi}"))
    if pmid:
        links.append(_external(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", f"PMID {pmid}"))
    return links


def design_label(design: str | None) -> str | None:
    return DESIGN_LABELS.get(design, design.replace("_", " ")) if design else None


def candidate_html(item: QueueItem, terms: Sequence[str]) -> str:
    """One candidate as the screener reads it: title and abstract with the claim's words
    marked, where it was published, its identifiers and the design its types suggest."""
    pattern = term_pattern(terms)
    where = [html.escape(str(p)) for p in (item.journal, item.year) if p]
    links = identifier_links(item.doi, item.pmid)
    # the key only where no identifier names the paper (a record from an export without one)
    line = " · ".join([*where, *(links or [html.escape(item.reference)])])
    badges = []
    if item.suggested_design:
        types = ", ".join(item.publication_types)
        badges.append(
            badge_html(f"Suggested design: {design_label(item.suggested_design)}", "blue")
            + (
                f' <span style="font-size: 0.8rem; opacity: 0.7">from its publication types: '
                f"{html.escape(types)}</span>"
                if types
                else ""
            )
        )
    else:
        badges.append(badge_html("No design suggested by its publication types", "gray"))
    if item.state == Screening.maybe.value:
        badges.append(badge_html("Marked maybe earlier", "orange"))
    abstract = (
        marked_html(item.abstract, pattern)
        if item.abstract
        else '<span style="opacity: 0.6">No abstract recorded.</span>'
    )
    return (
        '<div class="screen-candidate" style="border: 1px solid rgba(128, 128, 128, 0.35); '
        'border-radius: 0.5rem; padding: 1rem 1.2rem">'
        '<p class="screen-title" style="margin: 0 0 0.35rem; font-size: 1.2rem; '
        f'font-weight: 600; line-height: 1.4">{marked_html(item.title or "(no title)", pattern)}'
        "</p>"
        f'<p style="margin: 0 0 0.5rem; font-size: 0.9rem; opacity: 0.8">{line}</p>'
        f'<p style="margin: 0 0 0.7rem">{" ".join(badges)}</p>'
        f'<p class="screen-abstract" style="margin: 0; line-height: 1.6">{abstract}</p>'
        "</div>"
    )


_LINK_STYLE = (
    "color: inherit; font-weight: 500; text-decoration: underline;"
    " text-decoration-color: rgba(128, 128, 128, 0.5); text-underline-offset: 0.2em"
)


def page_link_html(page: str, claim_id: str, text: str) -> str:
    """A link to one of the app's pages for a claim, moving within the app as the claim
    links do (render.PAGE_LINK_SCRIPT): ``page`` is its url path ("screen")."""
    return (
        f'<a class="{PAGE_LINK_CLASS}" style="{_LINK_STYLE}" '
        f'href="{page}?id={quote(claim_id, safe="")}">{html.escape(text)}</a>'
    )


def included_html(papers: Sequence[Mapping[str, Any]], claim_id: str, *, judge: bool) -> str:
    """The claim's papers included in screening that no evidence link judges yet; with
    ``judge`` (a curator reading), a link to the Screen page, where they are judged."""
    items = []
    for p in papers:
        where = ", ".join(
            html.escape(str(x))
            for x in (p.get("first_author"), p.get("journal"), p.get("year"))
            if x
        )
        bits = [f'<span style="font-weight: 500">{html.escape(p["title"] or p["key"])}</span>']
        if where:
            bits.append(f'<span style="opacity: 0.75">{where}</span>')
        bits.extend(identifier_links(p.get("doi"), p.get("pmid")))
        items.append(f'<li style="margin: 0.2rem 0">{" · ".join(bits)}</li>')
    out = f'<ul class="included-not-judged" style="margin: 0.2rem 0 0.4rem">{"".join(items)}</ul>'
    if judge:
        out += (
            '<p style="margin: 0">'
            + page_link_html("screen", claim_id, "Judge them on the Screen page \u2192")
            + "</p>"
        )
    return out


def new_candidates_html(claims: Sequence[ClaimToScreen], *, limit: int = 5) -> str:
    """The overview's one line for curators: the claims whose re-run searches found
    candidates not screened yet, each linked to its Screen page."""
    links = [
        page_link_html("screen", c["claim_id"], short(c["statement"], 60))
        + f" ({c['from_reruns']:,} new)"
        for c in claims[:limit]
    ]
    more = f" and {len(claims) - limit:,} more" if len(claims) > limit else ""
    said = "New candidates from re-run searches are waiting to be screened: "
    return (
        f'<p class="new-candidates" style="margin: 0; font-size: 0.9rem">\u2733 {said}'
        + "; ".join(links)
        + f"{more}.</p>"
    )


def to_screen_html(claims: Sequence[ClaimToScreen], *, limit: int = 20) -> str:
    """The Screen page's list of claims with candidates waiting (none chosen yet)."""
    rows = []
    for c in claims[:limit]:
        new = f", {c['from_reruns']:,} new from re-runs" if c["from_reruns"] else ""
        rows.append(
            '<li style="margin: 0.2rem 0">'
            + page_link_html("screen", c["claim_id"], short(c["statement"], 100))
            + f' <span style="opacity: 0.75">({c["unscreened"]:,} waiting{new})</span></li>'
        )
    more = (
        f'<p style="margin: 0; opacity: 0.75">and {len(claims) - limit:,} more claims</p>'
        if len(claims) > limit
        else ""
    )
    return f'<ul style="margin: 0.2rem 0">{"".join(rows)}</ul>{more}'
