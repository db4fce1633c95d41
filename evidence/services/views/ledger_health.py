"""The ledger's health: what a curator should look at, each finding with the command that fixes it.

A pure read. The findings come kind by kind, in the order of :data:`KINDS`, each kind read
with a query or two and its rows held only as long as its findings are made (the text of a
source is never read: an assertion keeps where its quote was found). So the CLI can print
them as they come and a ledger of 200,000 claims is checked in bounded memory per kind.
Near-duplicate statements are found without comparing every pair (domain/near_duplicates.py),
loops of ``leads_to`` links by Tarjan's algorithm (domain/loops.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import and_, exists, func, or_, select
from sqlmodel import Session, col

from evidence import clock
from evidence.domain.loops import loops
from evidence.domain.models import (
    Assertion,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceSearch,
    Override,
    Reference,
    Source,
)
from evidence.domain.near_duplicates import clusters
from evidence.domain.quote_location import QuoteMatch
from evidence.errors import InvalidValue
from evidence.services.views.claim_detail import quote_check
from evidence.store.queries import leads_to_edges

PROBLEM, NOTE = "problem", "note"
DEFAULT_STALE_DAYS = 90
_BATCH = 2000

# kind -> (severity, heading); findings come in this order
KINDS: dict[str, tuple[str, str]] = {
    "quote_not_found": (PROBLEM, "Quotes not found in their source's text"),
    "source_without_text": (PROBLEM, "Sources whose quotes cannot be checked"),
    "quote_nearly_found": (NOTE, "Quotes only nearly found"),
    "evidence_quote_not_found": (PROBLEM, "Evidence quotes not in the paper's abstract"),
    "design_not_recorded": (PROBLEM, "Cited papers with no study design"),
    "design_only_suggested": (NOTE, "Cited papers whose design nobody confirmed"),
    "paper_never_resolved": (PROBLEM, "Papers never checked against the services"),
    "paper_not_refreshed": (NOTE, "Papers not checked for retractions lately"),
    "claim_without_search": (NOTE, "Claims with no recorded search"),
    "near_duplicate_claims": (NOTE, "Claims that assert nearly the same statement"),
    "leads_to_cycle": (PROBLEM, "Mechanism chains that loop"),
    "override_older_than_evidence": (PROBLEM, "Overrides older than the evidence"),
}


class Finding(TypedDict):
    """One thing to look at: what it names, what is wrong and what to do."""

    kind: str  # a key of KINDS
    severity: str  # "problem" or "note"
    record: str  # e.g. "assertion S → claim X", "paper K", "link X <- K"
    claim: str | None  # the claim to open, when there is one
    claims: list[str]  # every claim the finding names (two or more for duplicates, cycles)
    source: str | None
    reference: str | None
    problem: str
    fix: str


class HealthSummary(TypedDict):
    findings: int
    problems: int
    notes: int
    kinds: dict[str, int]  # every kind, 0 included


class LedgerHealth(TypedDict):
    summary: HealthSummary
    findings: list[Finding]  # up to ``limit`` of each kind, in KINDS order


def _finding(
    kind: str,
    record: str,
    problem: str,
    fix: str,
    *,
    claims: Sequence[str] = (),
    source: str | None = None,
    reference: str | None = None,
) -> Finding:
    return {
        "kind": kind,
        "severity": KINDS[kind][0],
        "record": record,
        "claim": claims[0] if claims else None,
        "claims": list(claims),
        "source": source,
        "reference": reference,
        "problem": problem,
        "fix": fix,
    }


def findings(
    session: Session, *, stale_days: int = DEFAULT_STALE_DAYS, now: datetime | None = None
) -> Iterator[Finding]:
    """Every finding, kind by kind in KINDS order, each kind sorted by its record.

    ``now`` (default: the clock's) and ``stale_days`` say which papers were not checked for
    retractions lately. A bad ``stale_days`` is refused here, before anything is read."""
    if isinstance(stale_days, bool) or stale_days < 0:
        raise InvalidValue("stale days", stale_days, "a number of days, 0 or more")
    at = clock.as_utc(now) if now is not None else clock.now()
    return _all(session, at - timedelta(days=stale_days), stale_days)


def _all(session: Session, since: datetime, stale_days: int) -> Iterator[Finding]:
    yield from _assertion_quotes(session)
    yield from _evidence_quotes(session)
    yield from _designs(session)
    yield from _papers(session, since, stale_days)
    yield from _unsearched(session)
    yield from _near_duplicates(session)
    yield from _cycles(session)
    yield from _stale_overrides(session)


def empty_summary() -> HealthSummary:
    return {"findings": 0, "problems": 0, "notes": 0, "kinds": dict.fromkeys(KINDS, 0)}


def count(summary: HealthSummary, finding: Finding) -> None:
    summary["findings"] += 1
    summary["problems" if finding["severity"] == PROBLEM else "notes"] += 1
    summary["kinds"][finding["kind"]] += 1


def ledger_health(
    session: Session,
    *,
    stale_days: int = DEFAULT_STALE_DAYS,
    now: datetime | None = None,
    limit: int | None = None,
) -> LedgerHealth:
    """The summary of every finding, and the findings themselves (``limit`` of each kind)."""
    summary = empty_summary()
    kept: list[Finding] = []
    for found in findings(session, stale_days=stale_days, now=now):
        count(summary, found)
        if limit is None or summary["kinds"][found["kind"]] <= limit:
            kept.append(found)
    return {"summary": summary, "findings": kept}


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- quotes ---------------------------------------------------------------------------


def _assertion_quotes(session: Session) -> Iterator[Finding]:
    match = col(Assertion.quote_match)
    rows = session.execute(
        select(
            col(Source.key),
            col(Assertion.claim_id),
            col(Assertion.quote),
            col(Assertion.quote_score),
            match,
        )
        .join(Source, col(Source.id) == Assertion.source_id)
        .where(match.in_([QuoteMatch.not_found.value, QuoteMatch.fuzzy.value]))
    ).all()
    missing = sorted((r for r in rows if r[4] == QuoteMatch.not_found.value), key=_by_place)
    for key, claim, quote, _, _ in missing:
        yield _finding(
            "quote_not_found",
            f"assertion {key} → claim {claim}",
            f"the quote “{_short(quote)}” is not in the source's stored text, exactly or nearly.",
            f"check the quote against the document; if the stored text is not the document "
            f"it came from, store the right one: `evidence source text {key} FILE`.",
            claims=[claim],
            source=key,
        )
    yield from _sources_without_text(session)
    nearly = sorted((r for r in rows if r[4] == QuoteMatch.fuzzy.value), key=_by_place)
    for key, claim, quote, score, _ in nearly:
        yield _finding(
            "quote_nearly_found",
            f"assertion {key} → claim {claim}",
            f"the quote “{_short(quote)}” is only nearly in the source's text (score "
            f"{score or 0:g} of 100).",
            f"check the wording against the document (`evidence claim show {claim}` shows it "
            "in place).",
            claims=[claim],
            source=key,
        )


def _by_place(row: Sequence[Any]) -> tuple[str, str, str]:
    return (row[0], row[1], row[2])


def _sources_without_text(session: Session) -> Iterator[Finding]:
    """One finding per source, not per quote: the fix is the source's, and a source of a
    large ledger asserts thousands of claims."""
    unplaced = or_(
        col(Assertion.quote_match).is_(None), col(Assertion.quote_match) == QuoteMatch.no_text.value
    )
    rows = session.execute(
        select(
            col(Source.key),
            col(Source.text_size).is_not(None),
            func.count(),
            func.min(col(Assertion.claim_id)),
        )
        .join(Assertion, col(Assertion.source_id) == col(Source.id))
        .where(unplaced)
        .group_by(col(Source.id), col(Source.key), col(Source.text_size))
    ).all()
    for key, has_text, n, first in sorted(rows):
        quotes = f"{n} quote{'s' if n != 1 else ''}"
        problem = (
            f"{quotes} asserted from it were never looked for in its stored text."
            if has_text
            else f"it has no stored text: its {quotes} cannot be checked."
        )
        yield _finding(
            "source_without_text",
            f"source {key}",
            problem,
            f"store the document's text and every quote is located: "
            f"`evidence source text {key} FILE`.",
            claims=[first],
            source=key,
        )


def _evidence_quotes(session: Session) -> Iterator[Finding]:
    """Evidence quotes against their papers' title and abstract. A paper without an
    abstract cannot be checked and is passed over: `paper_never_resolved` already names
    those whose abstract may still come."""
    query = (
        select(
            col(Evidence.claim_id), col(Evidence.quote), col(Reference.key), col(Reference.abstract)
        )
        .join(Reference, col(Reference.id) == Evidence.reference_id)
        .where(col(Evidence.quote).is_not(None), col(Reference.abstract).is_not(None))
        .add_columns(col(Reference.title))
    )
    missing: list[tuple[str, str, str]] = []
    for claim, quote, key, abstract, title in session.execute(
        query.execution_options(yield_per=_BATCH)
    ):
        if not quote.strip() or quote in abstract:  # as given: found, without normalising
            continue
        if quote_check(quote, title, abstract)["state"] == "not_found":
            missing.append((claim, key, quote))
    for claim, key, quote in sorted(missing):
        yield _finding(
            "evidence_quote_not_found",
            f"link {claim} <- {key}",
            f"the quote “{_short(quote)}” is not in the paper's title or abstract.",
            f"check it against the paper and record it as the paper words it: "
            f'`evidence link {claim} {key} --quote "..."`.',
            claims=[claim],
            reference=key,
        )


# --- papers ---------------------------------------------------------------------------


def _designs(session: Session) -> Iterator[Finding]:
    """Cited papers the curator has given no design: per paper (the fix is the paper's),
    naming the claims that cite it."""
    rows = session.execute(
        select(
            col(Reference.key),
            col(Reference.suggested_design),
            func.count(),
            func.min(col(Evidence.claim_id)),
        )
        .join(Evidence, col(Evidence.reference_id) == col(Reference.id))
        .where(col(Reference.design).is_(None))
        .group_by(col(Reference.id), col(Reference.key), col(Reference.suggested_design))
    ).all()
    none = sorted(tuple(r) for r in rows if r[1] is None)
    for key, _, n, first in none:
        yield _finding(
            "design_not_recorded",
            f"paper {key}",
            "no study design is recorded: it is graded as anecdotal (very low certainty) "
            f"in {_cited(n, first)}.",
            f"record its design: `evidence ref edit {key} --design DESIGN` (`evidence resolve "
            f"{key}` may suggest one from PubMed's publication types).",
            claims=[first],
            reference=key,
        )
    suggested = sorted(tuple(r) for r in rows if r[1] is not None)
    for key, design, n, first in suggested:
        yield _finding(
            "design_only_suggested",
            f"paper {key}",
            f"its design, {design}, comes from its publication types and no curator has "
            f"confirmed it; it is graded as such in {_cited(n, first)}.",
            f"confirm or correct it: `evidence ref edit {key} --design {design}`.",
            claims=[first],
            reference=key,
        )


def _cited(n: int, first: str) -> str:
    return f"claim {first}" if n == 1 else f"the {n:,} claims citing it ({first} …)"


# a paper stored from its identifier alone (`ref add`) says "curator": no service answered
_NEVER_ANSWERED = ("curator",)


def _papers(session: Session, since: datetime, days: int) -> Iterator[Finding]:
    never = or_(
        col(Reference.metadata_at).is_(None),
        col(Reference.metadata_source).is_(None),
        col(Reference.metadata_source).in_(_NEVER_ANSWERED),
    )
    for (key,) in sorted(session.execute(select(col(Reference.key)).where(never)).all()):
        yield _finding(
            "paper_never_resolved",
            f"paper {key}",
            "it was never filled in by PubMed, Crossref or OpenAlex, so it was "
            "never checked for a retraction.",
            f"resolve it: `evidence resolve {key}`.",
            reference=key,
        )
    old = and_(col(Reference.metadata_at) < since, ~never)
    rows = session.execute(select(col(Reference.key), col(Reference.metadata_at)).where(old)).all()
    for key, at in sorted(rows):
        yield _finding(
            "paper_not_refreshed",
            f"paper {key}",
            f"it was last checked for a retraction on "
            f"{clock.as_utc(at).date().isoformat()}, more than {days} days ago.",
            f"ask the services again: `evidence resolve {key} --refresh` "
            "(or `evidence resolve --all --refresh`).",
            reference=key,
        )


# --- claims ---------------------------------------------------------------------------


def _unsearched(session: Session) -> Iterator[Finding]:
    searched = exists().where(col(EvidenceSearch.claim_id) == col(Claim.id))
    ids = sorted(session.scalars(select(col(Claim.id)).where(~searched)))
    for claim in ids:
        yield _finding(
            "claim_without_search",
            f"claim {claim}",
            "no evidence search is recorded: nobody can tell whether "
            "evidence was looked for and not found.",
            f"record the search you ran: `evidence search-log {claim} --database PubMed "
            '--query "..." --hits N`, or run one and screen what it finds: '
            f'`evidence search {claim} --pubmed "..."`.',
            claims=[claim],
        )


def _cycles(session: Session) -> Iterator[Finding]:
    for cycle, size in loops(leads_to_edges(session)):
        shown = " → ".join([*cycle, cycle[0]])
        more = f" ({size} claims loop together)" if size > len(cycle) else ""
        yield _finding(
            "leads_to_cycle",
            f"chain {shown}",
            f"the leads_to links loop back on themselves: {shown}{more}; a step of a "
            "mechanism cannot be its own cause.",
            f"remove the link that closes the loop: `evidence claim-unlink {cycle[-1]} "
            f"{cycle[0]}`.",
            claims=cycle,
        )


def _stale_overrides(session: Session) -> Iterator[Finding]:
    newest = func.max(func.coalesce(col(Evidence.updated_at), col(Evidence.created_at)))
    rows = session.execute(
        select(
            col(Override.claim_id),
            col(Override.verdict),
            col(Override.created_at),
            newest,
            func.max(col(Evidence.created_at)),
        )
        .join(Evidence, col(Evidence.claim_id) == Override.claim_id)
        .group_by(
            col(Override.id),
            col(Override.claim_id),
            col(Override.verdict),
            col(Override.created_at),
        )
    ).all()
    stale = []
    for claim, verdict, at, updated, created in rows:
        latest = max(clock.as_utc(t) for t in (updated, created) if t is not None)
        if latest > clock.as_utc(at):
            stale.append((claim, verdict, clock.as_utc(at), latest))
    for claim, verdict, at, latest in sorted(stale):
        yield _finding(
            "override_older_than_evidence",
            f"override of claim {claim}",
            f"the override ({verdict}, {clock.iso(at)}) is older than a change to "
            f"its evidence ({clock.iso(latest)}): it was decided without that evidence.",
            f"review it against the evidence now recorded, then restate it "
            f'(`evidence override {claim} {verdict} --reason "..."`) or drop it '
            f'(`evidence override {claim} --clear --reason "..."`).',
            claims=[claim],
        )


# --- near-duplicate claims -------------------------------------------------------------


def _near_duplicates(session: Session) -> Iterator[Finding]:
    query = select(col(Claim.id), col(Claim.statement)).execution_options(yield_per=_BATCH)
    found = clusters((claim_id, statement) for claim_id, statement in session.execute(query))
    apart = _linked_pairs(session)
    for cluster in found:
        ids = cluster.claims
        if len(ids) <= _LINKED_UP_TO and _all_linked(ids, apart):
            continue  # a curator linked them: they differ on purpose
        named = ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
        yield _finding(
            "near_duplicate_claims",
            f"claims {named}",
            f"{len(ids)} claims assert nearly the same statement "
            f"(“{_short(cluster.statements[0], 70)}”).",
            "if they are one claim, keep one and link its evidence there (`evidence link`); "
            "if not, tell them apart (`evidence claim edit ID --statement ...`) or say how "
            f"they differ (`evidence claim-link {ids[0]} {ids[1]} --relation refines`).",
            claims=ids,
        )


# a group every two of which a curator has linked (refines, contradicts ...) is left out;
# a group larger than this is more than a few claims told apart on purpose
_LINKED_UP_TO = 12


def _all_linked(ids: Sequence[str], apart: set[frozenset[str]]) -> bool:
    return all(frozenset((a, b)) in apart for n, a in enumerate(ids) for b in ids[n + 1 :])


def _linked_pairs(session: Session) -> set[frozenset[str]]:
    rows = session.execute(select(col(ClaimLink.from_claim_id), col(ClaimLink.to_claim_id)))
    return {frozenset(r) for r in rows}
