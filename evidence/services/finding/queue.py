"""A claim's screening queue: its undecided candidates, most likely relevant first.

The order is domain/ranking.py's: by likeness to the claim's statement and its searches'
queries until there are decisions to learn from, then by a classifier retrained on them.
Included counts as relevant and excluded as not; a "maybe" is neither and waits behind the
unscreened. The ranking's scores are kept on the candidates (``keep_scores``) so a list of
them shows its order without ranking again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from evidence.domain.models import Candidate as StoredCandidate
from evidence.domain.models import EvidenceSearch, Reference
from evidence.domain.ranking import Candidate, Ranking, ScreeningRanker
from evidence.domain.vocab import Screening
from evidence.store.queries import get_claim
from evidence.store.tables import table_of


@dataclass(frozen=True)
class QueueItem:
    """One candidate as the screener sees it."""

    reference: str  # the paper's key
    title: str | None
    journal: str | None
    year: int | None
    abstract: str | None
    publication_types: tuple[str, ...]
    suggested_design: str | None
    doi: str | None
    pmid: str | None
    state: str
    version: int
    score: float

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "publication_types": list(self.publication_types)}


@dataclass(frozen=True)
class Queue:
    claim_id: str
    statement: str
    terms: tuple[str, ...]  # the claim's words, for highlighting
    items: tuple[QueueItem, ...]  # unscreened in rank order, then the maybes
    ranking: Ranking
    total: int  # candidates
    included: int
    excluded: int

    @property
    def screened(self) -> int:
        return self.total - sum(1 for i in self.items if i.state == Screening.unscreened.value)

    def progress(self) -> str:
        """ "312 of 2,000 screened, 14 included; the model expects about 2 more relevant in
        the rest; 40 screened since the last include"."""
        if self.total == 0:
            return (
                f'no candidates yet: `evidence search {self.claim_id} --pubmed "QUERY"` (or'
                " --crossref, --openalex, --file) finds some"
            )
        said = f"{self.screened:,} of {self.total:,} screened, {self.included:,} included"
        expected = self.ranking.expected_relevant_remaining
        if expected is not None and self.items:
            said += f"; the model expects about {round(expected):,} more relevant in the rest"
        if self.ranking.screened:
            said += (
                f"; {self.ranking.screened_since_last_include:,} screened since the last include"
            )
        return said

    def to_dict(self) -> dict[str, object]:
        return {
            "claim": self.claim_id,
            "total": self.total,
            "screened": self.screened,
            "included": self.included,
            "excluded": self.excluded,
            "maybe": sum(1 for i in self.items if i.state == Screening.maybe.value),
            "ranking": self.ranking.method,
            "screened_since_last_include": self.ranking.screened_since_last_include,
            "expected_relevant_remaining": self.ranking.expected_relevant_remaining,
            "progress": self.progress(),
        }


class QueueBuilder:
    """Keeps one claim's ranker between decisions (the CLI's screening loop): a retrain
    then refits the classifier only, not the vectoriser."""

    def __init__(self, session: Session, claim_id: str) -> None:
        claim = get_claim(session, claim_id)
        # plain values: the builder outlives the session it was made in
        self.claim_id, self.statement = claim.id, claim.statement
        rows = session.execute(
            select(StoredCandidate, Reference)
            .join(Reference, col(Reference.id) == StoredCandidate.reference_id)
            .where(StoredCandidate.claim_id == claim.id)
            .order_by(col(StoredCandidate.id))
        ).all()
        self.papers = {ref.key: _paper(ref) for _, ref in rows}
        queries = session.scalars(
            select(EvidenceSearch.query).where(
                EvidenceSearch.claim_id == claim.id, col(EvidenceSearch.service).is_not(None)
            )
        )
        # a claim with no search yet has an empty queue, not an error
        self.ranker = (
            ScreeningRanker(
                [Candidate(ref.key, ref.title or "", ref.abstract or "") for _, ref in rows],
                statement=claim.statement,
                query=" ".join(dict.fromkeys(queries)) or None,
            )
            if rows
            else None
        )

    def build(self, session: Session) -> Queue:
        states = session.execute(
            select(Reference.key, StoredCandidate)
            .join(Reference, col(Reference.id) == StoredCandidate.reference_id)
            .where(StoredCandidate.claim_id == self.claim_id)
            .order_by(col(StoredCandidate.decided_at), col(StoredCandidate.id))
        ).all()
        decisions = [
            (key, 1 if c.state == Screening.included.value else 0)
            for key, c in states
            if c.state in (Screening.included.value, Screening.excluded.value)
            and key in self.papers
        ]
        ranking = self.ranker.rank(decisions) if self.ranker is not None else _NOTHING
        by_key = dict(states)
        items = [
            _item(self.papers[r.id], by_key[r.id], r.score)
            for r in ranking.ranked
            if r.id in by_key
        ]
        items.sort(key=lambda i: i.state == Screening.maybe.value)  # stable: rank kept
        counts = {s: 0 for s in Screening}
        for _, c in states:
            counts[Screening(c.state)] += 1
        return Queue(
            claim_id=self.claim_id,
            statement=self.statement,
            terms=tuple(w for w in self.statement.split() if len(w) > 3),
            items=tuple(items),
            ranking=ranking,
            total=len(states),
            included=counts[Screening.included],
            excluded=counts[Screening.excluded],
        )


_NOTHING = Ranking(
    ranked=(),
    method="similarity",
    screened=0,
    relevant_found=0,
    screened_since_last_include=0,
    expected_relevant_remaining=None,
)


def screening_queue(session: Session, claim_id: str) -> Queue:
    return QueueBuilder(session, claim_id).build(session)


def keep_scores(session: Session, queue: Queue) -> None:
    """Store each undecided candidate's score (one executemany)."""
    if not queue.items:
        return
    ids = dict(
        session.execute(
            select(Reference.key, Reference.id).where(
                col(Reference.key).in_([i.reference for i in queue.items])
            )
        ).all()
    )
    table = table_of(StoredCandidate)
    session.execute(
        update(table)
        .where(table.c.claim_id == queue.claim_id, table.c.reference_id == bindparam("ref"))
        .values(score=bindparam("value")),
        [{"ref": ids[i.reference], "value": i.score} for i in queue.items],
    )


def _paper(ref: Reference) -> dict[str, Any]:
    return {
        "reference": ref.key,
        "title": ref.title,
        "journal": ref.journal,
        "year": ref.year,
        "abstract": ref.abstract,
        "publication_types": tuple(ref.publication_types),
        "suggested_design": ref.suggested_design,
        "doi": ref.doi,
        "pmid": ref.pmid,
    }


def _item(paper: dict[str, Any], candidate: StoredCandidate, score: float) -> QueueItem:
    return QueueItem(
        **paper, state=candidate.state, version=candidate.version, score=round(float(score), 6)
    )
