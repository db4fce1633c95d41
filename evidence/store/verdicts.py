"""Stored verdicts: what the grading computed, kept current in the transaction that moves it.

A service that changes something grading reads (a claim's type or text, an evidence link, a
paper's design, review_of, retraction or title, an override, a search) calls
:func:`mark_claims` or :func:`mark_papers` before its first write. That takes the ledger's
grading lock (PostgreSQL; SQLite lets one writer in at a time anyway) and notes what to
regrade; :meth:`Store.transaction` calls :func:`apply_pending` just before it commits, which
regrades those claims and writes their rows: ``claim_verdict``, ``claim_tag`` and each
link's certainties on ``evidence``. Nothing is read from the history to find out what
changed, and nothing is graded that was not touched.

Why a lock: on PostgreSQL two writers see each other's changes only once committed. A
paper retracted while another writer links it to a claim would leave that claim graded
with the paper unretracted, whichever commits last. Writers that change grading inputs
take turns instead (from their first such write to their commit), so every regrade reads
every change committed before it.

The grading itself stays the pure functions of :mod:`evidence.domain.grading`; this module
reads their inputs in a few queries per 500 claims and keeps their results.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, bindparam, cast, delete, func, insert, select, text, update
from sqlmodel import Session, col

from evidence import clock
from evidence.domain.grading import (
    RULES_VERSION,
    ClaimGrade,
    LinkInput,
    OverrideInput,
    SearchInput,
    grade_claim,
    rank,
)
from evidence.domain.models import (
    Claim,
    ClaimTag,
    ClaimVerdict,
    Evidence,
    EvidenceSearch,
    History,
    Override,
    Reference,
)
from evidence.domain.search_text import document
from evidence.domain.vocab import (
    Certainty,
    ClaimType,
    Design,
    Downgrade,
    Retraction,
    ReviewOf,
    Stance,
    Upgrade,
    Verdict,
)
from evidence.store.tables import table_of

BATCH = 500  # claims regraded per round of queries: IN lists stay short on both databases
LOCK_KEY = 0x65766964656E6365 % (1 << 62)  # "evidence": the grading lock's advisory key
_PENDING = "evidence.pending_verdicts"
_LOCKED = "evidence.grading_lock_held"

# what grading reads, for ANALYZE after a bulk load (see regrade_all)
_INPUT_TABLES = ("claim", "evidence", "reference", "evidence_search", "override")
_VERDICT = table_of(ClaimVerdict)
_EVIDENCE = table_of(Evidence)
_TAG = table_of(ClaimTag)
VERDICT_FIELDS = tuple(c.name for c in _VERDICT.columns if c.name != "id")


@dataclass
class _Pending:
    claims: set[str] = field(default_factory=set)
    papers: set[int] = field(default_factory=set)
    everything: bool = False


def lock(session: Session) -> None:
    """Take the grading lock for the rest of this transaction (PostgreSQL; idempotent)."""
    if session.info.get(_LOCKED):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    session.info[_LOCKED] = True


def _pending(session: Session) -> _Pending:
    lock(session)
    return session.info.setdefault(_PENDING, _Pending())


def mark_claims(session: Session, claim_ids: Iterable[str]) -> None:
    """These claims' grading inputs are about to change: regrade them before commit."""
    _pending(session).claims.update(claim_ids)


def mark_papers(session: Session, reference_ids: Iterable[int]) -> None:
    """These papers are about to change: regrade every claim citing them before commit
    (which claims those are is read then, once every link of this transaction is in)."""
    _pending(session).papers.update(reference_ids)


def mark_everything(session: Session) -> None:
    """A bulk load (restore, demo data): regrade the whole ledger before commit."""
    _pending(session).everything = True


Progress = Callable[[int], None]


def apply_pending(session: Session, progress: Progress | None = None) -> None:
    """Regrade what this transaction marked. Store.transaction calls it before committing."""
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    session.flush()
    if pending.everything:
        regrade_all(session, progress=progress)
        return
    ids = set(pending.claims)
    for batch in _chunks(sorted(pending.papers)):
        ids.update(
            session.scalars(
                select(col(Evidence.claim_id)).where(col(Evidence.reference_id).in_(batch))
            )
        )
    for batch in _chunks(sorted(ids)):
        _sync(session, batch, write=True)


@dataclass(frozen=True)
class Difference:
    """A claim whose stored rows differ from a fresh grading: which fields, and how."""

    claim_id: str
    fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim_id, "fields": list(self.fields)}


@dataclass
class Regrade:
    claims: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.differences)


def regrade_all(
    session: Session,
    *,
    write: bool = True,
    progress: Progress | None = None,
    actor: str | None = None,
) -> Regrade:
    """Grade every claim afresh, a batch at a time; with ``write``, store what differs.

    Without ``write`` it only compares (``evidence regrade --check``): the differences are
    the claims whose stored verdict, counts, texts, tags or link certainties are not what
    the rules compute now. With an ``actor``, verdicts rewritten are recorded in the history
    (which also tells every dashboard's caches that the ledger changed).
    """
    fresh = False
    if write:
        lock(session)
        session.flush()
        # nothing stored yet (a restore, demo data, a first grading): nothing to compare with
        fresh = all(session.scalar(select(t.c.claim_id).limit(1)) is None for t in (_VERDICT, _TAG))
        if fresh and session.get_bind().dialect.name == "postgresql":
            # A bulk load in this same transaction leaves the planner believing its tables
            # empty, and it would scan them whole for every batch; ANALYZE counts them.
            session.execute(text("ANALYZE " + ", ".join(_INPUT_TABLES)))
    report = Regrade()
    last: str | None = None
    while True:
        query = select(col(Claim.id)).order_by(col(Claim.id)).limit(BATCH)
        if last is not None:
            query = query.where(col(Claim.id) > last)
        batch = list(session.scalars(query))
        if not batch:
            break
        report.differences += _sync(session, batch, write=write, fresh=fresh)
        report.claims += len(batch)
        last = batch[-1]
        if progress is not None:
            progress(len(batch))
    if write and actor and report.changed:
        session.add(
            History(
                entity="verdicts",
                entity_key="all claims",
                claim_id=None,
                action="update",
                actor=actor,
                at=clock.now(),
                before=None,
                after={"rules_version": RULES_VERSION, "claims_regraded": report.changed},
                reason=f"{report.changed} stored verdicts differed from a fresh grading",
            )
        )
    return report


def claim_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Claim)) or 0


def needs_regrade(session: Session) -> bool:
    """A claim has no stored verdict, or one graded by other rules than these."""
    claims = claim_count(session)
    stored = session.scalar(select(func.count()).select_from(_VERDICT)) or 0
    if claims != stored:
        return True
    other = select(_VERDICT.c.id).where(_VERDICT.c.rules_version != RULES_VERSION).limit(1)
    return session.scalar(other) is not None


# --- one batch ------------------------------------------------------------------------------


class _LinkReader:
    """Link inputs from bare columns. The same few stance / judgement / design combinations
    recur across a ledger, so each is parsed into vocabulary members once."""

    def __init__(self) -> None:
        self._parsed: dict[tuple, tuple] = {}

    def __call__(
        self,
        reference: str,
        stance: str,
        downgrades: Any,
        upgrades: Any,
        design: str | None,
        review_of: str | None,
        retraction: str | None,
    ) -> LinkInput:
        key = (stance, _hashable(downgrades), _hashable(upgrades), design, review_of, retraction)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = self._parsed[key] = (
                Stance(stance),
                Design(design) if design else None,
                ReviewOf(review_of) if review_of else None,
                tuple(Downgrade(d) for d in _names(downgrades)),
                tuple(Upgrade(u) for u in _names(upgrades)),
                Retraction(retraction) if retraction else None,
            )
        return LinkInput(reference, *parsed)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _names(value: Any) -> list[str]:
    # the JSON columns are read as text where the driver leaves them so (SQLite)
    return json.loads(value) if isinstance(value, str) else list(value or ())


@dataclass
class _Claim:
    type: ClaimType
    texts: list[str]
    tags: list[str]
    links: list[LinkInput] = field(default_factory=list)
    link_ids: list[tuple[int, tuple[int | None, int | None]]] = field(default_factory=list)
    # (evidence id, its stored (start, certainty)), in the order of links
    searches: list[SearchInput] = field(default_factory=list)
    override: OverrideInput | None = None


def _read_inputs(session: Session, claim_ids: Sequence[str]) -> dict[str, _Claim]:
    claims: dict[str, _Claim] = {}
    rows = session.execute(
        select(col(Claim.id), col(Claim.type), col(Claim.statement), col(Claim.tags)).where(
            col(Claim.id).in_(claim_ids)
        )
    )
    for claim_id, claim_type, statement, tags in rows:
        tags = list(tags or ())
        claims[claim_id] = _Claim(ClaimType(claim_type), [claim_id, statement, *tags], tags)
    read = _LinkReader()
    links = session.execute(
        select(
            col(Evidence.claim_id),
            col(Evidence.id),
            col(Reference.title),
            col(Reference.key),
            col(Evidence.stance),
            # as text: the few distinct lists are parsed once each (see _LinkReader), not by
            # the driver for every row
            cast(col(Evidence.downgrades), Text),
            cast(col(Evidence.upgrades), Text),
            Reference.graded_design,
            col(Reference.review_of),
            col(Reference.retraction),
            col(Evidence.start_certainty),
            col(Evidence.certainty),
        )
        .join(Reference, col(Reference.id) == Evidence.reference_id)
        .where(col(Evidence.claim_id).in_(claim_ids))
        .order_by(col(Evidence.claim_id), col(Evidence.id))
    )
    for claim_id, link_id, title, *row, start, certainty in links:
        claim = claims.get(claim_id)
        if claim is not None:
            claim.links.append(read(*row))
            claim.link_ids.append((link_id, (start, certainty)))
            if title:
                claim.texts.append(title)
    searches = session.execute(
        select(
            col(EvidenceSearch.claim_id),
            col(EvidenceSearch.database),
            col(EvidenceSearch.searched_on),
            col(EvidenceSearch.hits),
        )
        .where(col(EvidenceSearch.claim_id).in_(claim_ids))
        .order_by(col(EvidenceSearch.id))
    )
    for claim_id, database, day, hits in searches:
        if claim_id in claims:
            claims[claim_id].searches.append(SearchInput(database, day, hits))
    overrides = session.execute(
        select(
            col(Override.claim_id),
            col(Override.verdict),
            col(Override.reason),
            col(Override.curator),
            col(Override.certainty),
        ).where(col(Override.claim_id).in_(claim_ids))
    )
    for claim_id, verdict, reason, curator, certainty in overrides:
        if claim_id in claims:
            claims[claim_id].override = OverrideInput(
                Verdict(verdict), reason, curator, Certainty(certainty) if certainty else None
            )
    return claims


def verdict_row(claim_id: str, grade: ClaimGrade, search_text: str) -> dict[str, Any]:
    """The claim_verdict row of a graded claim."""
    return {
        "claim_id": claim_id,
        "rules_version": RULES_VERSION,
        "verdict": grade.verdict.value,
        "band": grade.band.value,
        "certainty": int(grade.certainty),
        "rank": rank(grade.strength),
        "computed_verdict": grade.computed_verdict.value,
        "computed_certainty": int(grade.computed_certainty),
        "overridden": grade.override is not None,
        "supporting": grade.supporting,
        "refuting": grade.refuting,
        "mixed": grade.mixed,
        "insufficient": grade.insufficient,
        "retracted": grade.retracted,
        "unproven_reason": grade.unproven_reason,
        "explanation": grade.explanation,
        "computed_explanation": grade.computed_explanation,
        "why_not_higher": list(grade.limits),
        "search_text": search_text,
    }


def _sync(
    session: Session, claim_ids: Sequence[str], *, write: bool, fresh: bool = False
) -> list[Difference]:
    """Grade these claims and compare with what is stored; with ``write``, store it.
    ``fresh`` says nothing is stored yet, so there is nothing to read back."""
    inputs = _read_inputs(session, claim_ids)
    stored: dict[str, Any] = {}
    stored_tags: dict[str, set[str]] = defaultdict(set)
    if not fresh:
        stored = {
            row["claim_id"]: row
            for row in session.execute(select(_VERDICT).where(_VERDICT.c.claim_id.in_(claim_ids)))
            .mappings()
            .all()
        }
        for claim_id, tag in session.execute(
            select(_TAG.c.claim_id, _TAG.c.tag).where(_TAG.c.claim_id.in_(claim_ids))
        ):
            stored_tags[claim_id].add(tag)

    differences: list[Difference] = []
    inserts: list[dict[str, Any]] = []
    updates: dict[bool, list[dict[str, Any]]] = {True: [], False: []}  # by search text moved
    link_updates: list[dict[str, Any]] = []
    tags_gone: list[dict[str, Any]] = []
    tags_new: list[dict[str, Any]] = []
    for claim_id in claim_ids:
        claim = inputs.get(claim_id)
        if claim is None:
            continue  # removed: its rows went with it (foreign keys cascade)
        grade = grade_claim(claim.type, claim.links, claim.searches, claim.override)
        row = verdict_row(claim_id, grade, document(claim.texts))
        moved: list[str] = []
        old = stored.get(claim_id)
        if old is None:
            moved.append("verdict row")
            inserts.append(row)
        else:
            changed = [name for name in VERDICT_FIELDS if old[name] != row[name]]
            if changed:
                moved += changed
                updates["search_text" in changed].append(row | {"_id": old["id"]})
        for (link_id, was), graded in zip(claim.link_ids, grade.links, strict=True):
            now = (int(graded.start), int(graded.certainty))
            if was != now:
                link_updates.append({"_id": link_id, "_start": now[0], "_certainty": now[1]})
                if "link certainty" not in moved:
                    moved.append("link certainty")
        have, want = stored_tags.get(claim_id, set()), set(claim.tags)
        if have != want:
            moved.append("tags")
            tags_gone += [{"_claim": claim_id, "_tag": t} for t in sorted(have - want)]
            tags_new += [{"claim_id": claim_id, "tag": t} for t in sorted(want - have)]
        if moved:
            differences.append(Difference(claim_id, tuple(moved)))
    if write:
        _write(session, inserts, updates, link_updates, tags_gone, tags_new)
    return differences


_FEW = 20  # rows past which one statement for all beats one statement each

# PostgreSQL: a batch of link certainties in one statement (three arrays, unnested)
_LINKS_FROM_ARRAYS = text(
    "UPDATE evidence SET start_certainty = graded.start, certainty = graded.certainty "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:starts AS integer[]), "
    "CAST(:certainties AS integer[])) AS graded(id, start, certainty) "
    "WHERE evidence.id = graded.id"
)


def _write(
    session: Session,
    inserts: list[dict[str, Any]],
    updates: dict[bool, list[dict[str, Any]]],
    link_updates: list[dict[str, Any]],
    tags_gone: list[dict[str, Any]],
    tags_new: list[dict[str, Any]],
) -> None:
    changed = updates[True] + updates[False]
    if len(changed) > _FEW:
        # a regrade of many: the rows out and in again (SQLite's triggers move the index too)
        session.execute(delete(_VERDICT).where(_VERDICT.c.id.in_([r["_id"] for r in changed])))
        inserts = inserts + [{k: v for k, v in r.items() if k != "_id"} for r in changed]
    else:
        for with_text, rows in updates.items():
            if rows:
                # leaving search_text out of the SET list spares SQLite's index trigger
                names = [n for n in VERDICT_FIELDS if with_text or n != "search_text"]
                statement = (
                    update(_VERDICT)
                    .where(_VERDICT.c.id == bindparam("_id"))
                    .values({n: bindparam(n) for n in names})
                )
                session.execute(statement, [{k: r[k] for k in ("_id", *names)} for r in rows])
    if inserts:
        session.execute(insert(_VERDICT), inserts)
    if len(link_updates) > _FEW and session.get_bind().dialect.name == "postgresql":
        session.execute(
            _LINKS_FROM_ARRAYS,
            {
                "ids": [r["_id"] for r in link_updates],
                "starts": [r["_start"] for r in link_updates],
                "certainties": [r["_certainty"] for r in link_updates],
            },
        )
    elif link_updates:
        session.execute(
            update(_EVIDENCE)
            .where(_EVIDENCE.c.id == bindparam("_id"))
            .values(start_certainty=bindparam("_start"), certainty=bindparam("_certainty")),
            link_updates,
        )
    if tags_gone:
        session.execute(
            delete(_TAG).where(
                _TAG.c.claim_id == bindparam("_claim"), _TAG.c.tag == bindparam("_tag")
            ),
            tags_gone,
        )
    if tags_new:
        session.execute(insert(_TAG), tags_new)


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
