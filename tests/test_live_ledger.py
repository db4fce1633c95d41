"""The dashboard's graded ledger is brought up to date claim by claim: after every kind of
change, the patched snapshot must equal one read from scratch (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple

import pytest
from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from evidence.domain.models import Claim, Evidence, History, Reference
from evidence.services import ledger_changes
from evidence.services.claim_links import link_claims
from evidence.services.claims import add_assertion, add_claim, edit_claim
from evidence.services.evidence import link_evidence, unlink_evidence
from evidence.services.history import data_version
from evidence.services.ledger_changes import changes_since
from evidence.services.overrides import clear_override, set_override
from evidence.services.references import add_references, edit_reference
from evidence.services.searches import log_search
from evidence.services.sources import add_source
from evidence.store.engine import Store
from evidence.webui.live_ledger import LiveLedger, Snapshot, read_all, refresh

ACTOR = "tester"


def a_linked_paper(session: Session) -> tuple[str, str]:
    """A claim with evidence and the key of one of its papers (seed content varies)."""
    claim_id, key = session.execute(
        select(Evidence.claim_id, Reference.key)
        .join(Reference, Reference.id == Evidence.reference_id)
        .order_by(Evidence.claim_id, Reference.key)
        .limit(1)
    ).one()
    return claim_id, key


def an_unlinked_claim(session: Session) -> str:
    linked = select(Evidence.claim_id)
    return session.scalar(
        select(Claim.id).where(Claim.id.not_in(linked)).order_by(Claim.id).limit(1)
    )


def same(patched: Snapshot, fresh: Snapshot) -> None:
    assert patched.version == fresh.version
    assert patched.claims == fresh.claims
    assert astuple(patched.ledger) == astuple(fresh.ledger)


# Each change is one transaction, as a curator's would be; together they cover every kind of
# history row: a claim, its evidence, override, searches, assertions, chain links, papers
# (a grading field, and a title that only search reads) and sources.
def _new_claim(s: Session) -> None:
    add_claim(
        s,
        claim_id="synthetic-live-claim",
        statement="A synthetic claim made while the dashboard was open.",
        claim_type="treatment",
        tags=["synthetic"],
        actor=ACTOR,
    )


def _edit_claim(s: Session) -> None:
    claim_id, _ = a_linked_paper(s)
    edit_claim(s, claim_id=claim_id, actor=ACTOR, add_tags=["edited-live"])


def _link(s: Session) -> None:
    add_references(s, identifiers=["10.5555/live-ledger-1"], actor=ACTOR)
    link_evidence(
        s,
        claim_id=an_unlinked_claim(s),
        ref="doi:10.5555/live-ledger-1",
        actor=ACTOR,
        stance="supports",
        rationale="A synthetic trial.",
    )
    edit_reference(s, ref="doi:10.5555/live-ledger-1", actor=ACTOR, design="rct")


def _unlink(s: Session) -> None:
    claim_id, key = a_linked_paper(s)
    unlink_evidence(s, claim_id=claim_id, ref=key, actor=ACTOR, reason="wrong paper")


def _retract(s: Session) -> None:
    _, key = a_linked_paper(s)
    edit_reference(s, ref=key, actor=ACTOR, retraction="retracted")


def _retitle(s: Session) -> None:
    _, key = a_linked_paper(s)
    edit_reference(s, ref=key, actor=ACTOR, title="Zyzzyva: a synthetic title")


def _override(s: Session) -> None:
    claim_id, _ = a_linked_paper(s)
    set_override(s, claim_id=claim_id, verdict="refuted", reason="Synthetic.", actor=ACTOR)


def _clear_override(s: Session) -> None:
    claim_id, _ = a_linked_paper(s)
    set_override(s, claim_id=claim_id, verdict="refuted", reason="Synthetic.", actor=ACTOR)
    s.flush()
    clear_override(s, claim_id=claim_id, reason="Synthetic.", actor=ACTOR)


def _search(s: Session) -> None:
    log_search(
        s,
        claim_id=an_unlinked_claim(s),
        database="pubmed",
        query="synthetic",
        hits=0,
        actor=ACTOR,
    )


def _source_and_assertion(s: Session) -> None:
    add_source(
        s, key="synthetic-live-source", title="A synthetic leaflet", kind="other", actor=ACTOR
    )
    add_assertion(
        s,
        claim_id=an_unlinked_claim(s),
        source_key="synthetic-live-source",
        quote="It works.",
        actor=ACTOR,
    )


def _chain(s: Session) -> None:
    claim_id, _ = a_linked_paper(s)
    link_claims(
        s, from_claim=claim_id, relation="leads_to", to_claim=an_unlinked_claim(s), actor=ACTOR
    )


CHANGES: dict[str, Callable[[Session], None]] = {
    "new claim": _new_claim,
    "claim edited": _edit_claim,
    "paper linked and its design set": _link,
    "paper unlinked": _unlink,
    "paper retracted": _retract,
    "paper retitled": _retitle,
    "override": _override,
    "override cleared": _clear_override,
    "search logged": _search,
    "source and quote added": _source_and_assertion,
    "claims chained": _chain,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_patched_snapshot_equals_one_read_afresh(seeded_store: Store, change: str) -> None:
    with seeded_store.reading() as s:
        before = read_all(s)
    with seeded_store.transaction() as s:
        CHANGES[change](s)
    with seeded_store.reading() as s:
        changes = changes_since(s, before.version)
        patched = refresh(s, before)
        fresh = read_all(s)
    assert changes is not None and changes.version != before.version
    assert 0 < len(changes.claim_ids) <= 3  # only the claims the change touched
    assert patched is not before
    same(patched, fresh)


def test_a_retitled_paper_is_found_under_its_new_title(seeded_store: Store) -> None:
    with seeded_store.reading() as s:
        before = read_all(s)
        claim_id, key = a_linked_paper(s)
    with seeded_store.transaction() as s:
        edit_reference(s, ref=key, actor=ACTOR, title="Zyzzyva: a synthetic title")
    with seeded_store.reading() as s:
        changes = changes_since(s, before.version)
        after = refresh(s, before)
    assert changes is not None and claim_id in changes.claim_ids
    found = [
        c["id"]
        for c, h in zip(after.ledger.claims, after.ledger.haystacks, strict=True)
        if "zyzzyva" in h
    ]
    assert claim_id in found
    assert not any("zyzzyva" in h for h in before.ledger.haystacks)


def test_nothing_changed_keeps_the_same_snapshot(seeded_store: Store) -> None:
    with seeded_store.reading() as s:
        before = read_all(s)
        assert refresh(s, before) is before
        assert changes_since(s, before.version) == ledger_changes.Changes(
            before.version, frozenset(), sources=False
        )


def test_a_row_the_history_cannot_place_means_reading_everything(seeded_store: Store) -> None:
    """A history row committed late below the newest id seen (PostgreSQL can do that), or
    one removed, shows only in the count: the whole ledger is read again."""
    with seeded_store.reading() as s:
        before = read_all(s)
    with seeded_store.transaction() as s:
        _override(s)
        _chain(s)  # two rows newer than the version seen, but the count grows by one
        s.flush()
        oldest = s.scalar(select(func.min(History.id)))
        s.execute(delete(History).where(History.id == oldest))
    with seeded_store.reading() as s:
        assert changes_since(s, before.version) is None
        same(refresh(s, before), read_all(s))


def test_a_bulk_change_means_reading_everything(
    seeded_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_changes, "MOST", 1)
    with seeded_store.reading() as s:
        before = read_all(s)
    with seeded_store.transaction() as s:
        _chain(s)  # two claims
    with seeded_store.reading() as s:
        assert changes_since(s, before.version) is None
        same(refresh(s, before), read_all(s))


def test_the_live_ledger_follows_the_version_each_run_read(seeded_store: Store) -> None:
    live = LiveLedger(seeded_store)
    with seeded_store.reading() as s:
        first_version = data_version(s)
    first = live.at(first_version)
    assert live.at(first_version) is first
    with seeded_store.transaction() as s:
        _override(s)
    with seeded_store.reading() as s:
        fresh = read_all(s)
    second = live.at(fresh.version)
    same(second, fresh)
    # a run that read its version before the change still gets the newer snapshot
    assert live.at(first_version) is second
    overridden = [c for c in second.claims if c["overridden"]]
    assert [c["verdict"] for c in overridden if c["id"] == a_linked(seeded_store)] == ["refuted"]


def a_linked(store: Store) -> str:
    with store.reading() as s:
        return a_linked_paper(s)[0]


def current_version(store: Store) -> tuple[int, int]:
    with store.reading() as s:
        return data_version(s)


@pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_paper_retracted_while_another_claim_links_it_regrades_that_claim_too(
    seeded_store: Store,
) -> None:
    """Under READ COMMITTED the retracting writer looks for the paper's claims before a second
    writer's new link commits, so its history rows miss that claim; the reader must not."""
    live = LiveLedger(seeded_store)
    live.at(current_version(seeded_store))
    with seeded_store.reading() as s:
        _, key = a_linked_paper(s)
        other = an_unlinked_claim(s)
    retracting = Session(seeded_store.engine, expire_on_commit=False)
    try:
        # its history rows are written at commit, so their ids come after the link's
        edit_reference(retracting, ref=key, actor=ACTOR, retraction="retracted")
        with seeded_store.transaction() as s:
            link_evidence(
                s, claim_id=other, ref=key, actor=ACTOR, stance="supports", rationale="Synthetic."
            )
        between = live.at(current_version(seeded_store))  # a dashboard run in between
        assert not between.ledger.by_id[other]["retracted"]
        retracting.commit()
    finally:
        retracting.close()
    after = live.at(current_version(seeded_store))
    with seeded_store.reading() as s:
        fresh = read_all(s)
    assert fresh.ledger.by_id[other]["retracted"]
    same(after, fresh)


def test_a_change_the_history_missed_is_mended_by_a_whole_read_in_the_background(
    seeded_store: Store,
) -> None:
    live = LiveLedger(seeded_store, reread_seconds=0)  # every refresh starts a whole read
    live.at(current_version(seeded_store))
    live.wait_for_reread(timeout=60)  # the one the first read started, before the change
    with seeded_store.transaction() as s:
        claim_id, _ = a_linked_paper(s)
        # a fix made in SQL by hand writes no history
        s.execute(update(Claim).where(Claim.id == claim_id).values(statement="Mended by hand."))
        _search(s)  # and a change that does, elsewhere
    patched = live.at(current_version(seeded_store))
    assert patched.ledger.by_id[claim_id]["statement"] != "Mended by hand."
    live.wait_for_reread(timeout=60)
    mended = live.at(current_version(seeded_store))
    assert mended.ledger.by_id[claim_id]["statement"] == "Mended by hand."
    with seeded_store.reading() as s:
        same(mended, read_all(s))
