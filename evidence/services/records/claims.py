"""Claims and the assertions (source quotes) behind them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlmodel import Session, select

from evidence import clock
from evidence.domain.models import Assertion, Claim
from evidence.domain.vocab import ClaimType, parse
from evidence.errors import AlreadyExists, ConflictError, InvalidValue, QuoteNotFound
from evidence.services.records.sources import get_source, place_quote
from evidence.store import history, verdicts
from evidence.store.locking import update_if_unchanged
from evidence.store.queries import get_claim
from evidence.store.tables import stored_id

_CLAIM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
MAX_STATEMENT = 2000
MAX_QUOTE_WORDS = 60


def check_claim_id(claim_id: str) -> str:
    if not _CLAIM_ID.match(claim_id or "") or len(claim_id) > 200:
        raise InvalidValue(
            "claim id",
            claim_id,
            "lower-case words joined by hyphens, e.g. calf-contracture-in-plantar-fasciitis",
        )
    return claim_id


def check_statement(statement: str) -> str:
    text = " ".join((statement or "").split())
    if not text:
        raise InvalidValue("statement", statement, "a non-empty sentence")
    if len(text) > MAX_STATEMENT:
        raise InvalidValue("statement", text[:40] + "...", f"at most {MAX_STATEMENT} characters")
    return text


def normalize_tags(tags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        norm = re.sub(r"[\s-]+", "_", tag.strip().lower())
        if not _TAG.match(norm):
            raise InvalidValue(
                "tag", tag, "letters, digits and underscores, e.g. plantar_fasciitis"
            )
        if norm not in out:
            out.append(norm)
    return sorted(out)


def check_quote(quote: str) -> str:
    text = " ".join((quote or "").split())
    if not text:
        raise InvalidValue("quote", quote, "a short verbatim quote that locates the claim")
    if len(text.split()) > MAX_QUOTE_WORDS:
        raise InvalidValue("quote", text[:40] + "...", f"at most {MAX_QUOTE_WORDS} words")
    return text


def add_claim(
    session: Session,
    *,
    claim_id: str,
    statement: str,
    claim_type: str,
    tags: Sequence[str] = (),
    notes: str | None = None,
    actor: str,
    reason: str | None = None,
) -> Claim:
    check_claim_id(claim_id)
    claim_type = parse(ClaimType, claim_type, field="claim type")
    if session.get(Claim, claim_id) is not None:
        raise AlreadyExists("claim", claim_id)
    verdicts.mark_claims(session, [claim_id])
    stamp = clock.now()
    claim = Claim(
        id=claim_id,
        statement=check_statement(statement),
        type=claim_type.value,
        tags=normalize_tags(tags),
        notes=notes or None,
        version=1,
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(claim)
    session.flush()
    history.record(
        session,
        entity="claim",
        key=claim_id,
        claim_id=claim_id,
        action="create",
        actor=actor,
        before=None,
        after=history.claim_snapshot(claim),
        reason=reason,
    )
    return claim


def edit_claim(
    session: Session,
    *,
    claim_id: str,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
    statement: str | None = None,
    claim_type: str | None = None,
    tags: Sequence[str] | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    notes: str | None = None,
) -> tuple[Claim, bool]:
    """Change a claim; returns it and whether anything changed.

    Raises :class:`ConflictError` if the claim changed since it was read.

    ``expected_version`` is the version the editor saw (the dashboard's form, or a script
    passing --expected-version); without it the version read here is the one checked, which
    still catches a writer that commits between this read and the write.
    """
    claim = get_claim(session, claim_id)
    seen = claim.version
    if expected_version is not None and expected_version != seen:
        raise ConflictError("claim", claim_id, expected_version, seen)
    before = history.claim_snapshot(claim)
    values: dict[str, object] = {}
    if statement is not None:
        values["statement"] = check_statement(statement)
    if claim_type is not None:
        values["type"] = parse(ClaimType, claim_type, field="claim type").value
    new_tags = list(claim.tags) if tags is None else normalize_tags(tags)
    new_tags = normalize_tags([*new_tags, *add_tags])
    dropped = set(normalize_tags(remove_tags))
    new_tags = [t for t in new_tags if t not in dropped]
    if new_tags != list(claim.tags):
        values["tags"] = new_tags
    if notes is not None:
        values["notes"] = notes or None
    values = {k: v for k, v in values.items() if v != before.get(k)}
    if not values:
        return claim, False
    verdicts.mark_claims(session, [claim_id])  # its type grades it; its words are searched
    update_if_unchanged(
        session, claim, values | {"updated_at": clock.now()}, kind="claim", key=claim_id
    )
    history.record(
        session,
        entity="claim",
        key=claim_id,
        claim_id=claim_id,
        action="update",
        actor=actor,
        before=before,
        after=history.claim_snapshot(claim),
        reason=reason,
    )
    return claim, True


def add_assertion(
    session: Session,
    *,
    claim_id: str,
    source_key: str,
    quote: str,
    actor: str,
    unverified: bool = False,
    reason: str | None = None,
) -> Assertion | None:
    """Record that a source asserts a claim; returns None if that quote is already recorded.

    The quote must be in the source's stored text (exactly or nearly, domain/quote_location)
    unless ``unverified``: then it is recorded as not found, or as having no text to be found
    in, and `evidence check` lists it until it is found.
    """
    claim = get_claim(session, claim_id)
    source = get_source(session, source_key)
    text = check_quote(quote)
    existing = session.scalar(
        select(Assertion).where(
            Assertion.claim_id == claim.id,
            Assertion.source_id == source.id,
            Assertion.quote == text,
        )
    )
    if existing is not None:
        return None
    assertion = Assertion(source_id=stored_id(source), claim_id=claim.id, quote=text)
    found = place_quote(assertion, source)
    if not found.match.located and not unverified:
        raise QuoteNotFound(source.key, text, has_text=source.text is not None)
    session.add(assertion)
    session.flush()
    history.record(
        session,
        entity="assertion",
        key=f"{source.key}:{claim.id}",
        claim_id=claim.id,
        action="create",
        actor=actor,
        before=None,
        after={"source": source.key, "quote": text, "quote_match": found.match.value},
        reason=reason,
    )
    return assertion
