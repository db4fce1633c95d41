"""The dashboard's writes: each one a single transaction through the service layer.

Every change is made with the signed-in curator's name as the actor, so the history says
who made it. The role is checked here again, not only by the router: a write is refused
unless the account behind it may curate at the moment it is made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from evidence.domain.vocab import Role
from evidence.errors import (
    AlreadyExists,
    ConflictError,
    EvidenceError,
    InvalidValue,
    MissingValue,
    NotAllowed,
    QuoteNotFound,
)
from evidence.services.records.accounts import SignedIn, find_role
from evidence.services.records.claim_links import link_claims, unlink_claims
from evidence.services.records.claims import add_assertion, add_claim, edit_claim
from evidence.services.records.evidence import is_linked, link_evidence, unlink_evidence
from evidence.services.records.overrides import clear_override, same_as_computed, set_override
from evidence.services.records.references import add_references, edit_reference
from evidence.services.records.searches import log_search
from evidence.services.views.claim_detail import evidence_row
from evidence.services.views.summaries import summary_of
from evidence.store import verdicts
from evidence.store.tables import stored_id
from evidence.webui import data

Change = Callable[..., str]
FLASH = "curation_flash"  # what the curation page says after a change lands


@dataclass(frozen=True)
class Outcome:
    """What became of one change: what was done, or the error that stopped it."""

    message: str
    error: EvidenceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def conflict(self) -> bool:
        """Someone else changed the record meanwhile: the form should offer the latest."""
        return isinstance(self.error, ConflictError)


def attempt(change: Change, user: SignedIn, **values: Any) -> Outcome:
    """Make one change in one transaction, as ``user``."""
    try:
        with data.store().transaction() as session:
            # before any write: a change that writes first and waits for the lock after
            # could deadlock with a writer holding it (an import adding the same paper)
            verdicts.lock(session)
            role = find_role(session, user.username)
            # a single sign-on user without a local account is a viewer, so never gets here
            if role is None or not SignedIn(user.username, role).may(Role.curator):
                raise NotAllowed(user.username)
            return Outcome(change(session, user.username, **values))
    except EvidenceError as exc:
        return Outcome(message_of(exc), exc)


UNVERIFIED = "Unverified: record the quote even if it is not in the source's text"


def message_of(exc: EvidenceError) -> str:
    """What the page says about an error: its own message, but for a quote not found. That
    one tells of the command line's --unverified; on the page it is the form's checkbox."""
    if not isinstance(exc, QuoteNotFound):
        return str(exc)
    said = exc.quote if len(exc.quote) <= 60 else exc.quote[:57] + "..."
    if exc.has_text:
        problem = (
            f"The quote {said!r} is not in the text of source {exc.source!r}, exactly or "
            "nearly: copy it from the document again"
        )
    else:
        problem = (
            f"Source {exc.source!r} has no stored text to find the quote {said!r} in: store "
            f"it with `evidence source text {exc.source} FILE`"
        )
    return f"{problem}, or tick “Unverified” to record the quote as it is."


def _now(session: Session, claim_id: str) -> str:
    now = summary_of(session, claim_id)
    return f"Now: {now['certainty_symbols']} {now['explanation']}"


def new_claim(
    session: Session,
    actor: str,
    *,
    source_key: str | None,
    quote: str,
    unverified: bool = False,
    **claim: Any,
) -> str:
    if quote.strip() and not source_key:
        raise InvalidValue("source", "", "the source the quote comes from (or no quote)")
    add_claim(session, actor=actor, **claim)
    if source_key:
        add_assertion(
            session,
            claim_id=claim["claim_id"],
            source_key=source_key,
            quote=quote,
            actor=actor,
            unverified=unverified,
        )
    return f"Claim {claim['claim_id']} added."


def change_claim(session: Session, actor: str, *, version: int, **values: Any) -> str:
    _, changed = edit_claim(session, actor=actor, expected_version=version, **values)
    return "Claim saved." if changed else "Nothing to save: the claim is as it was."


def assert_claim(session: Session, actor: str, **values: Any) -> str:
    add_assertion(session, actor=actor, **values)
    return f"Quote from {values['source_key']} added."


def attach_paper(
    session: Session,
    actor: str,
    *,
    identifier: str,
    design: str | None,
    review_of: str | None = None,
    **link: Any,
) -> str:
    """Store the paper if it is new (by DOI, PMID, PMCID or its URL), then link it."""
    (added,) = add_references(session, identifiers=[identifier], actor=actor)
    ref = added.reference
    if is_linked(session, claim_id=link["claim_id"], reference_id=stored_id(ref)):
        title = f"\u201c{ref.title}\u201d " if ref.title else ""
        raise AlreadyExists(
            "paper",
            ref.key,
            f"{title}is already linked to claim {link['claim_id']!r}: revise that link under "
            "Linked papers",
        )
    if design or review_of:
        edit_reference(session, ref=ref.key, actor=actor, design=design, review_of=review_of)
    linked, _ = link_evidence(session, ref=ref.key, actor=actor, replace_judgements=True, **link)
    new = "new paper" if added.created else "paper already in the ledger"
    now = _now(session, link["claim_id"])  # grades the change, this link's certainties too
    session.refresh(linked)
    row = evidence_row(ref, linked)
    # what the link is worth and why: a review of RCTs starts high, a mixed review low
    start, end = row["starting_certainty"], row["certainty"]
    worth = f"Design: {row['design_label']}, so the link starts at {start} certainty" + (
        f" and ends at {end} after its downgrades." if end != start else "."
    )
    return f"Linked {ref.key} ({new}). {worth} {now}"


def revise_link(session: Session, actor: str, *, version: int, **link: Any) -> str:
    _, change = link_evidence(
        session, actor=actor, replace_judgements=True, expected_version=version, **link
    )
    said = "Link unchanged." if change.value == "unchanged" else f"Link to {link['ref']} revised."
    return f"{said} {_now(session, link['claim_id'])}"


def edit_paper(
    session: Session, actor: str, *, claim_id: str, ref: str, year: str, **details: Any
) -> str:
    """Set a paper's title, year, journal and authors by hand: for a paper attached while
    the services could not be reached (``year`` as typed; blank leaves it as it is)."""
    typed = year.strip()
    number = int(typed) if typed.isdigit() else typed or None
    edit_reference(session, ref=ref, actor=actor, year=number, **details)
    return f"Details of {ref} saved. {_now(session, claim_id)}"


def remove_link(session: Session, actor: str, *, version: int, **link: Any) -> str:
    unlink_evidence(session, actor=actor, expected_version=version, **link)
    return f"Link to {link['ref']} removed. {_now(session, link['claim_id'])}"


def record_search(session: Session, actor: str, **search: Any) -> str:
    log_search(session, actor=actor, **search)
    return f"Search recorded. {_now(session, search['claim_id'])}"


def override(session: Session, actor: str, *, version: int | None, **values: Any) -> str:
    set_override(session, actor=actor, expected_version=version, **values)
    warning = same_as_computed(session, values["claim_id"])
    said = f"Override saved. {_now(session, values['claim_id'])}"
    return f"{said} Note: {warning}" if warning else said


def drop_override(session: Session, actor: str, *, version: int | None, **values: Any) -> str:
    clear_override(session, actor=actor, expected_version=version, **values)
    return f"Override removed. {_now(session, values['claim_id'])}"


def _link_words(link: dict[str, Any]) -> str:
    return f"{link['from_claim']} {link['relation'].replace('_', ' ')} {link['to_claim']}"


def link_to_claim(session: Session, actor: str, **link: Any) -> str:
    if not (link["from_claim"] and link["to_claim"]):
        raise MissingValue("claim", "choose the other claim to link this one with")
    link_claims(session, actor=actor, **link)
    return f"Linked: {_link_words(link)}."


def unlink_claim(session: Session, actor: str, **link: Any) -> str:
    unlink_claims(session, actor=actor, **link)
    return f"Removed: {_link_words(link)}."


def tag_list(text: str) -> Sequence[str]:
    return [t for t in text.split(",") if t.strip()]
