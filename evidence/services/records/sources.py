"""Source documents: the slide decks, articles and pages that assert claims."""

from __future__ import annotations

from sqlmodel import Session, select

from evidence.domain.models import Source
from evidence.domain.vocab import SourceKind, parse
from evidence.errors import AlreadyExists, InvalidValue, SourceNotFound
from evidence.store import history


def get_source(session: Session, key: str) -> Source:
    source = session.scalar(select(Source).where(Source.key == key))
    if source is None:
        raise SourceNotFound(key, "see `evidence sources`")
    return source


def add_source(
    session: Session,
    *,
    key: str,
    title: str,
    kind: str,
    actor: str,
    origin: str | None = None,
    url: str | None = None,
    conflicts_of_interest: str | None = None,
    credibility_notes: str | None = None,
    reason: str | None = None,
) -> Source:
    key = (key or "").strip()
    if not key or len(key) > 200:
        raise InvalidValue("source key", key, "a short unique name of at most 200 characters")
    if not (title or "").strip():
        raise InvalidValue("source title", title, "a non-empty title")
    kind_value = parse(SourceKind, kind, field="source kind")
    if session.scalar(select(Source.id).where(Source.key == key)) is not None:
        raise AlreadyExists("source", key)
    source = Source(
        key=key,
        title=title.strip(),
        kind=kind_value.value,
        origin=origin,
        url=url,
        conflicts_of_interest=conflicts_of_interest,
        credibility_notes=credibility_notes,
    )
    session.add(source)
    session.flush()
    history.record(
        session,
        entity="source",
        key=key,
        claim_id=None,
        action="create",
        actor=actor,
        before=None,
        after={"title": source.title, "kind": source.kind},
        reason=reason,
    )
    return source
