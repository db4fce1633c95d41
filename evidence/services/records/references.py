"""Papers: stored once, found by key or by any of their identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.identifiers import (
    Identifier,
    IdKind,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
    parse_identifier,
)
from evidence.domain.models import Evidence, Reference
from evidence.domain.vocab import REVIEW_DESIGNS, Design, Retraction, ReviewOf, parse
from evidence.errors import AlreadyExists, InvalidIdentifier, InvalidValue, ReferenceNotFound
from evidence.store import history, verdicts
from evidence.store.tables import stored_id

MAX_KEY = 200


def check_key(what: str, key: str | None) -> str:
    text = (key or "").strip()
    if not text or len(text) > MAX_KEY:
        raise InvalidValue(what, key, f"a name of 1 to {MAX_KEY} characters")
    return text


def check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1500 <= year <= 2200:
        raise InvalidValue("year", year, "a four-digit publication year")
    return year


def check_sample_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidValue("sample size", size, "a whole number of participants, 1 or more")
    return size


def _column(kind: IdKind) -> Mapped[str | None]:
    columns = {
        IdKind.doi: Reference.doi,
        IdKind.pmid: Reference.pmid,
        IdKind.pmcid: Reference.pmcid,
    }
    return col(columns[kind])


def by_identifier(session: Session, ident: Identifier) -> Reference | None:
    return session.scalar(select(Reference).where(_column(ident.kind) == ident.value))


def find_reference(session: Session, ref: str) -> Reference:
    """A stored paper by its key, or by a DOI / PMID / PMCID / URL that reaches it."""
    found = session.scalar(select(Reference).where(Reference.key == ref))
    if found is not None:
        return found
    try:
        ident = parse_identifier(ref)
    except InvalidIdentifier as exc:
        raise ReferenceNotFound(ref, "not a stored reference key or a valid identifier") from exc
    found = by_identifier(session, ident)
    if found is None:
        raise ReferenceNotFound(ref, f"no stored paper has {ident}; add it with `evidence ref add`")
    return found


@dataclass(frozen=True)
class AddedReference:
    input: str
    identifier: Identifier
    reference: Reference
    created: bool


def add_references(
    session: Session, *, identifiers: Sequence[str], actor: str
) -> list[AddedReference]:
    """Store each paper once. Every identifier is checked before anything is written."""
    parsed = [(text, parse_identifier(text)) for text in identifiers]
    results: list[AddedReference] = []
    for text, ident in parsed:
        existing = by_identifier(session, ident)
        if existing is not None:
            results.append(AddedReference(text, ident, existing, created=False))
            continue
        ref = Reference(key=str(ident), metadata_source="curator", metadata_at=clock.now())
        setattr(ref, ident.kind.value, ident.value)
        store_reference(session, ref, actor=actor)
        results.append(AddedReference(text, ident, ref, created=True))
    return results


def store_reference(
    session: Session, ref: Reference, *, actor: str, reason: str | None = None
) -> Reference:
    """Insert a new paper and record its creation in the history."""
    session.add(ref)
    session.flush()
    history.record(
        session,
        entity="reference",
        key=ref.key,
        claim_id=None,
        action="create",
        actor=actor,
        before=None,
        after=reference_snapshot(ref),
        reason=reason,
    )
    return ref


# What the history keeps of a paper: its key and the columns that grade it (the curator's
# design and review_of among them), not the bibliographic fields (no abstract, no types), so
# it is not built from them; stored snapshots are written in this order
SNAPSHOT_FIELDS = (
    "key",
    "doi",
    "pmid",
    "pmcid",
    "title",
    "year",
    "journal",
    "authors",
    "design",
    "suggested_design",
    "review_of",
    "retraction",
)


def reference_snapshot(ref: Reference | dict[str, Any]) -> dict[str, Any]:
    """What the history keeps of a paper (a stored one, or the values of one being inserted)."""
    if isinstance(ref, dict):
        return {name: ref.get(name) for name in SNAPSHOT_FIELDS}
    return {name: getattr(ref, name) for name in SNAPSHOT_FIELDS}


def citing_claims(session: Session, reference_id: int) -> list[str]:
    """The ids of the claims that cite the paper, in id order."""
    return list(
        session.scalars(
            select(Evidence.claim_id)
            .where(Evidence.reference_id == reference_id)
            .order_by(Evidence.claim_id)
        )
    )


def edit_reference(
    session: Session,
    *,
    ref: str,
    actor: str,
    reason: str | None = None,
    **changes: Any,
) -> Reference:
    """Set curated fields of a paper (design, review_of, title, year, journal, authors,
    identifiers, retraction). A design set here is a curator's and wins over any suggested
    one. A title or journal given empty clears it."""
    verdicts.lock(session)  # before reading: the paper read is then the latest committed
    reference = find_reference(session, ref)
    verdicts.mark_papers(session, [stored_id(reference)])
    before = reference_snapshot(reference)
    values = {k: v for k, v in changes.items() if v is not None}
    if "design" in values:
        values["design"] = parse(Design, values["design"], field="design").value
    if "review_of" in values:
        values["review_of"] = parse(ReviewOf, values["review_of"], field="review_of").value
    if "retraction" in values:
        text = str(values["retraction"]).strip().lower()
        if text in ("", "none"):
            values["retraction"] = None
        elif text in {r.value for r in Retraction}:
            values["retraction"] = text
        else:
            raise InvalidValue(
                "retraction", values["retraction"], [r.value for r in Retraction] + ["none"]
            )

    if "year" in values:
        values["year"] = check_year(values["year"])
    if "authors" in values:
        # one name a line or item, as the paper lists them; an empty list clears them
        names = values["authors"]
        names = names.splitlines() if isinstance(names, str) else list(names)
        values["authors"] = [" ".join(str(n).split()) for n in names if str(n).strip()]
    for field in ("title", "journal"):
        if field in values:
            values[field] = " ".join(str(values[field]).split()) or None
    normalizers = {
        IdKind.doi: normalize_doi,
        IdKind.pmid: normalize_pmid,
        IdKind.pmcid: normalize_pmcid,
    }
    for kind, normalize in normalizers.items():
        if kind.value in values:
            ident = Identifier(kind, normalize(str(values[kind.value])))
            other = by_identifier(session, ident)
            if other is not None and other.id != reference.id:
                raise AlreadyExists("reference", other.key, f"already has {ident}")
            values[kind.value] = ident.value
            # a key made from the old identifier would now point nowhere: follow the change
            old = getattr(reference, kind.value)
            if (
                old
                and reference.key == f"{kind.value}:{old}"
                and not session.scalar(select(Reference.id).where(Reference.key == str(ident)))
            ):
                values["key"] = str(ident)
    design = values.get("design", reference.design)
    if design not in {d.value for d in REVIEW_DESIGNS}:
        if values.get("review_of"):
            raise InvalidValue("review_of", values["review_of"], "only for systematic reviews")
        values["review_of"] = None  # what a review pooled means nothing for another design
    for key, value in values.items():
        setattr(reference, key, value)
    record_update(session, reference, before, actor=actor, reason=reason)
    return reference


GRADING_FIELDS = ("design", "suggested_design", "review_of", "retraction")
# what else of a paper its claims keep: its title is searched with them
INDEXED_FIELDS = (*GRADING_FIELDS, "title")


def record_update(
    session: Session,
    reference: Reference,
    before: dict[str, Any],
    *,
    actor: str,
    reason: str | None,
    other_changes: bool = False,
) -> bool:
    """Write a changed paper to the history (False if nothing changed).

    ``other_changes`` says fields outside the snapshot changed (authors, abstract ...). A
    change that moves grading (a retraction, a design) is written once for each claim citing
    the paper, so each claim's history shows why its verdict moved.
    """
    after = reference_snapshot(reference)
    if after == before and not other_changes:
        return False
    if any(before.get(k) != after.get(k) for k in INDEXED_FIELDS):
        verdicts.mark_papers(session, [stored_id(reference)])
    session.flush()
    affected: Sequence[str | None] = [None]
    if any(before.get(k) != after.get(k) for k in GRADING_FIELDS):
        affected = sorted(
            set(
                session.scalars(
                    select(Evidence.claim_id).where(Evidence.reference_id == reference.id)
                )
            )
        ) or [None]
    for claim_id in affected:
        history.record(
            session,
            entity="reference",
            key=reference.key,
            claim_id=claim_id,
            action="update",
            actor=actor,
            before=before,
            after=after,
            reason=reason,
        )
    return True


def list_references(session: Session) -> list[Reference]:
    return sorted(session.scalars(select(Reference)), key=lambda r: r.key)


def remove_reference(session: Session, *, ref: str, actor: str, reason: str | None = None) -> str:
    """Delete a paper that no claim cites (a mistyped identifier, say); returns its key."""
    reference = find_reference(session, ref)
    cited_by = sorted(
        set(session.scalars(select(Evidence.claim_id).where(Evidence.reference_id == reference.id)))
    )
    if cited_by:
        raise InvalidValue(
            "reference",
            reference.key,
            "a paper no claim cites; unlink it first from " + ", ".join(cited_by),
        )
    before = reference_snapshot(reference)
    session.delete(reference)
    history.record(
        session,
        entity="reference",
        key=before["key"],
        claim_id=None,
        action="delete",
        actor=actor,
        before=before,
        after=None,
        reason=reason,
    )
    return str(before["key"])
