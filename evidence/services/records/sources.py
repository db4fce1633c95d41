"""Source documents: the slide decks, articles and pages that assert claims, and their text.

A source may keep its document's text. Every assertion's quote is then located in it
(domain/quote_location.py) and the place stored on the assertion, here, in the same
transaction as the text or the quote that moved it: a page reads the place, it never
searches a document.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from evidence.domain.models import Assertion, Source
from evidence.domain.quote_location import Location, locate
from evidence.domain.vocab import SourceKind, parse
from evidence.errors import AlreadyExists, InvalidValue, SourceNotFound
from evidence.formats.document_text import DocumentText, read_document
from evidence.store import history

# the CLI and the pages read a document's file through here, before their transaction
__all__ = [
    "DocumentText",
    "add_source",
    "get_source",
    "place_quote",
    "read_document",
    "set_source_text",
]


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
    text: DocumentText | None = None,
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
    if text is not None:
        _keep_text(source, text)
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
        after={"title": source.title, "kind": source.kind, **_text_summary(source)},
        reason=reason,
    )
    return source


def set_source_text(
    session: Session, key: str, text: DocumentText, *, actor: str, reason: str | None = None
) -> tuple[Source, list[Assertion]]:
    """Store (or replace) a source's text and locate every quote of its assertions in it.

    Returns the source and its assertions, placed anew; the history keeps the text's
    fingerprint before and after (the text itself is in the source, not repeated there).
    """
    source = get_source(session, key)
    before = _text_summary(source)
    _keep_text(source, text)
    assertions = list(
        session.scalars(
            select(Assertion).where(Assertion.source_id == source.id).order_by(col(Assertion.id))
        )
    )
    for assertion in assertions:
        place_quote(assertion, source)
    session.flush()
    if before != _text_summary(source):
        history.record(
            session,
            entity="source",
            key=source.key,
            claim_id=None,
            action="update",
            actor=actor,
            before=before,
            after=_text_summary(source),
            reason=reason,
        )
    return source, assertions


def place_quote(assertion: Assertion, source: Source) -> Location:
    """Locate the assertion's quote in its source's text and keep where it is."""
    found = locate(assertion.quote, source.text)
    assertion.quote_match = found.match.value
    assertion.quote_start, assertion.quote_end = found.start, found.end
    assertion.quote_score = found.score
    return found


def _keep_text(source: Source, text: DocumentText) -> None:
    source.text = text.text
    source.text_sha256 = text.sha256
    source.text_size = text.size
    source.text_format = text.format.value


def _text_summary(source: Source) -> dict[str, object]:
    if source.text is None:
        return {}
    return {"text_sha256": source.text_sha256, "text_size": source.text_size}
