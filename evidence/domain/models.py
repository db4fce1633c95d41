"""The ledger's tables (SQLModel): declarations only; reads and writes live in store/, services/.

Closed vocabularies are stored as their string values and parsed through
:mod:`evidence.domain.vocab` on the way in. A verdict is never typed in: it is computed by
:mod:`evidence.domain.grading`, and the tables and columns marked ``DERIVED`` keep what it
computed, written in the same transaction as every change that moves it (store/verdicts.py).
They are left out of the JSON dump, which holds only what people recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from evidence.domain.names import title_key

# One MetaData for the ledger, not SQLModel's global one, so that nothing else defining
# tables in the same process (tests, plugins) leaks into our migrations.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class Base(SQLModel, registry=registry(metadata=metadata)):
    pass


# info marker of a table or column that only keeps what the grading computed
DERIVED = {"derived": True}


def is_derived(item: Any) -> bool:
    return bool(item.info.get("derived"))


def _ts(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


def _fk(target: str, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(String(200), ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class Source(Base, table=True):
    """A document that asserts claims (slide deck, article, guideline, marketing page ...)."""

    __tablename__ = "source"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    title: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    origin: str | None = Field(default=None, sa_column=Column(Text))
    url: str | None = Field(default=None, sa_column=Column(Text))
    conflicts_of_interest: str | None = Field(default=None, sa_column=Column(Text))
    credibility_notes: str | None = Field(default=None, sa_column=Column(Text))
    # the document itself (HTML kept as its text), so a quote can be found and shown in it
    text: str | None = Field(default=None, sa_column=Column(Text))
    text_sha256: str | None = Field(default=None, sa_column=Column(String(64)))
    text_size: int | None = None  # bytes of the stored text, UTF-8
    text_format: str | None = Field(default=None, sa_column=Column(String(10)))  # as given


class Claim(Base, table=True):
    """One checkable statement. ``version`` guards concurrent edits (optimistic locking)."""

    __tablename__ = "claim"

    id: str = Field(sa_column=Column(String(200), primary_key=True))
    statement: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(sa_column=Column(String(20), nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str | None = Field(default=None, sa_column=Column(Text))
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(sa_column=_ts())
    updated_at: datetime = Field(sa_column=_ts())


class Assertion(Base, table=True):
    """Source -> Claim: who says it, located by a short quote."""

    __tablename__ = "assertion"
    __table_args__ = (UniqueConstraint("source_id", "claim_id", "quote"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", ondelete="CASCADE", index=True)
    claim_id: str = Field(sa_column=_fk("claim.id"))
    quote: str = Field(sa_column=Column(Text, nullable=False))
    # where the quote is in the source's stored text (domain/quote_location.py), kept current
    # by the services whenever the quote or the text changes: character offsets, how it was
    # found (QuoteMatch) and rapidfuzz's score (100 for an exact match)
    quote_start: int | None = None
    quote_end: int | None = None
    quote_match: str | None = Field(default=None, sa_column=Column(String(10)))
    quote_score: float | None = None


class Reference(Base, table=True):
    """A published paper: one row however many identifiers reach it."""

    __tablename__ = "reference"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    doi: str | None = Field(default=None, sa_column=Column(String(300), unique=True))
    pmid: str | None = Field(default=None, sa_column=Column(String(12), unique=True))
    pmcid: str | None = Field(default=None, sa_column=Column(String(16), unique=True))
    title: str | None = Field(default=None, sa_column=Column(Text))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    journal: str | None = Field(default=None, sa_column=Column(Text))
    year: int | None = None
    publication_types: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    keywords: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    design: str | None = Field(default=None, sa_column=Column(String(40)))  # the curator's
    # what PubMed's publication types suggest; grading uses it while design is unset
    suggested_design: str | None = Field(default=None, sa_column=Column(String(40)))
    review_of: str | None = Field(default=None, sa_column=Column(String(20)))
    sample_size: int | None = None
    abstract: str | None = Field(default=None, sa_column=Column(Text))
    summary: str | None = Field(default=None, sa_column=Column(Text))
    notes: str | None = Field(default=None, sa_column=Column(Text))
    retraction: str | None = Field(default=None, sa_column=Column(String(40)))
    # what each service reported: [{"status", "service", "detail", "notice"}]
    retraction_notices: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    seen_at: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    metadata_source: str | None = Field(default=None, sa_column=Column(String(100)))
    metadata_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # names.title_key of title, year and first author: how an import finds this paper when
    # the incoming record shares no identifier with it. Kept current by _keep_title_key.
    title_key: str | None = Field(default=None, sa_column=Column(String(300), index=True))

    # a hybrid property is not a pydantic field
    model_config = {"ignored_types": (hybrid_property,)}

    @hybrid_property
    def graded_design(self) -> str | None:
        """The design grading reads: the curator's, else the one publication types suggest.
        In a query it is the same rule in SQL (coalesce), so the rule is written once."""
        return self.design or self.suggested_design

    @graded_design.inplace.expression
    @classmethod
    def _graded_design_sql(cls) -> ColumnElement[str | None]:
        return func.coalesce(cls.design, cls.suggested_design)


@event.listens_for(Reference, "before_insert")
@event.listens_for(Reference, "before_update")
def _keep_title_key(_mapper: Any, _connection: Any, target: Reference) -> None:
    target.title_key = title_key(target.title, target.year, target.authors)


def paper_row(values: dict[str, Any]) -> dict[str, Any]:
    """A paper's row for a Core insert or update, with the columns the ORM event above
    derives for ORM writes (title_key): bulk writes bypass the event, not the rule."""
    values["title_key"] = title_key(
        values.get("title"), values.get("year"), values.get("authors") or []
    )
    return values


class Evidence(Base, table=True):
    """Claim <- Reference: how one paper bears on one claim."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("claim_id", "reference_id"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(sa_column=_fk("claim.id"))
    reference_id: int = Field(foreign_key="reference.id", ondelete="RESTRICT", index=True)
    stance: str = Field(sa_column=Column(String(20), nullable=False))
    downgrades: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    upgrades: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    quote: str | None = Field(default=None, sa_column=Column(Text))
    curator: str = Field(sa_column=Column(String(200), nullable=False))
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(sa_column=_ts())
    updated_at: datetime = Field(sa_column=_ts())
    # derived: the link's GRADE certainty (Certainty values) before and after its judgements
    start_certainty: int | None = Field(default=None, sa_column=Column(Integer, info=DERIVED))
    certainty: int | None = Field(default=None, sa_column=Column(Integer, info=DERIVED))


class ClaimLink(Base, table=True):
    """Claim -> Claim: a step of a mechanism chain, a refinement or a contradiction."""

    __tablename__ = "claim_link"
    __table_args__ = (UniqueConstraint("from_claim_id", "to_claim_id", "relation"),)

    id: int | None = Field(default=None, primary_key=True)
    from_claim_id: str = Field(sa_column=_fk("claim.id"))
    to_claim_id: str = Field(sa_column=_fk("claim.id"))
    relation: str = Field(sa_column=Column(String(20), nullable=False))
    source_id: int | None = Field(default=None, foreign_key="source.id", ondelete="SET NULL")
    curator: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=_ts())


class EvidenceSearch(Base, table=True):
    """A search for evidence done for a claim: 'searched, found nothing' is not 'not assessed'."""

    __tablename__ = "evidence_search"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(sa_column=_fk("claim.id"))
    database: str = Field(sa_column=Column(String(200), nullable=False))
    query: str = Field(sa_column=Column(Text, nullable=False))
    searched_on: date | None = None
    hits: int | None = None
    notes: str | None = Field(default=None, sa_column=Column(Text))
    curator: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=_ts())
    # a search the tool ran (services/finding): where, and what became of its records
    service: str | None = Field(default=None, sa_column=Column(String(20)))  # SearchService
    identified: int | None = None  # records fetched (at most the limit; hits is the total)
    duplicates: int | None = None  # of those, already the claim's candidates or evidence
    added: int | None = None  # new candidates
    rerun_of: int | None = Field(
        default=None, foreign_key="evidence_search.id", ondelete="SET NULL"
    )
    fetch_limit: int | None = None  # the most records it set out to fetch (--limit)


class Candidate(Base, table=True):
    """A paper a search found for a claim, and where it is in screening. Not evidence: it
    counts towards no verdict until it is included and an evidence link judges it."""

    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("claim_id", "reference_id"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(sa_column=_fk("claim.id"))
    reference_id: int = Field(foreign_key="reference.id", ondelete="CASCADE", index=True)
    search_id: int | None = Field(
        default=None, foreign_key="evidence_search.id", ondelete="SET NULL", index=True
    )  # the search that first found it
    state: str = Field(sa_column=Column(String(12), nullable=False, index=True))  # Screening
    reason: str | None = Field(default=None, sa_column=Column(String(20)))  # ExclusionReason
    reason_text: str | None = Field(default=None, sa_column=Column(Text))
    decided_by: str | None = Field(default=None, sa_column=Column(String(200)))
    decided_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    score: float | None = None  # the ranker's, as of the last decision on the claim
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(sa_column=_ts())


class Override(Base, table=True):
    """A curator's verdict in place of the computed one, with the reason that justifies it."""

    __tablename__ = "override"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(
        sa_column=Column(
            String(200), ForeignKey("claim.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    verdict: str = Field(sa_column=Column(String(20), nullable=False))
    # the curator's certainty (Certainty values); None: the one that fits the verdict
    certainty: int | None = Field(default=None, sa_column=Column(Integer))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    curator: str = Field(sa_column=Column(String(200), nullable=False))
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(sa_column=_ts())


class Account(Base, table=True):
    """A local login for the dashboard. The password is kept only as an Argon2id hash."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    password_hash: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=_ts())
    updated_at: datetime = Field(sa_column=_ts())


class History(Base, table=True):
    """One change to a claim, an evidence link, an override (or another curated record)."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_claim_id_at", "claim_id", "at"),
        Index("ix_history_related_claim_id", "related_claim_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(sa_column=Column(String(30), nullable=False))
    entity_key: str = Field(sa_column=Column(Text, nullable=False))
    # Not foreign keys: history outlives the records it describes.
    claim_id: str | None = Field(default=None, sa_column=Column(String(200)))
    # The other claim of a claim-to-claim link, so the change shows in both claims' history.
    related_claim_id: str | None = Field(default=None, sa_column=Column(String(200)))
    action: str = Field(sa_column=Column(String(20), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    at: datetime = Field(sa_column=_ts())
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))
    reason: str | None = Field(default=None, sa_column=Column(Text))


def _claim_key(unique: bool = False) -> Column:
    # byte order on both databases (PostgreSQL's default collation may skip hyphens), so
    # claims page in the same order everywhere and an index serves the overview's ORDER BY
    kind = String(200).with_variant(String(200, collation="C"), "postgresql")
    return Column(kind, ForeignKey("claim.id", ondelete="CASCADE"), nullable=False, unique=unique)


class ClaimVerdict(Base, table=True):
    """A claim's computed verdict as the readers show it, kept current by store/verdicts.py.

    One row per claim. ``verdict`` is the one shown (a curator's override wins) and
    ``computed_verdict`` the grading's own; ``rank`` orders claims, 0 the strongest (see
    grading.rank); ``search_text`` is what the overview's full-text search matches (the
    claim's id, statement and tags and its papers' titles, folded to plain words). On
    PostgreSQL a generated column, search_vector, holds its words indexed (migration 0005).
    """

    __tablename__ = "claim_verdict"
    __table_args__ = (
        Index("ix_claim_verdict_band_order", "band", "rank", "claim_id"),
        Index("ix_claim_verdict_order", "rank", "claim_id"),
        Index("ix_claim_verdict_verdict_certainty", "verdict", "certainty"),
        Index("ix_claim_verdict_rules_version", "rules_version"),
        {"info": DERIVED},
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(sa_column=_claim_key(unique=True))
    rules_version: int = Field(nullable=False)
    verdict: str = Field(sa_column=Column(String(20), nullable=False))
    band: str = Field(sa_column=Column(String(20), nullable=False))
    certainty: int = Field(nullable=False)
    rank: int = Field(nullable=False)
    computed_verdict: str = Field(sa_column=Column(String(20), nullable=False))
    # the grading's own certainty, beside the shown one an override sets (migration 0006)
    computed_certainty: int = Field(sa_column=Column(Integer, nullable=False, server_default="0"))
    overridden: bool = Field(sa_column=Column(Boolean, nullable=False))
    supporting: int = Field(nullable=False)
    refuting: int = Field(nullable=False)
    mixed: int = Field(nullable=False)
    insufficient: int = Field(nullable=False)
    retracted: int = Field(nullable=False)
    unproven_reason: str | None = Field(default=None, sa_column=Column(String(40)))
    explanation: str = Field(sa_column=Column(Text, nullable=False))
    computed_explanation: str = Field(sa_column=Column(Text, nullable=False))
    why_not_higher: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    search_text: str = Field(sa_column=Column(Text, nullable=False))


class ClaimTag(Base, table=True):
    """One tag of one claim (claim.tags, as rows), so tags filter and list in SQL."""

    __tablename__ = "claim_tag"
    __table_args__ = ({"info": DERIVED},)

    claim_id: str = Field(
        sa_column=Column(String(200), ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    )
    tag: str = Field(sa_column=Column(String(200), primary_key=True, index=True))
