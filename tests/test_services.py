"""The service layer on both backends: curation, verdict changes, history, optimistic locking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from evidence.domain.models import Claim, Evidence, History, Override, Reference
from evidence.errors import (
    AlreadyExists,
    ClaimNotFound,
    ConflictError,
    InvalidIdentifier,
    InvalidValue,
    LinkNotFound,
    MissingReason,
    MissingValue,
    ReferenceNotFound,
)
from evidence.services.records.claim_links import link_claims
from evidence.services.records.claims import add_claim, edit_claim
from evidence.services.records.evidence import LinkChange, link_evidence, unlink_evidence
from evidence.services.records.overrides import clear_override, set_override
from evidence.services.records.references import add_references, edit_reference, find_reference
from evidence.services.records.searches import log_search
from evidence.services.records.sources import add_source
from evidence.services.views.claim_detail import claim_detail
from evidence.services.views.mechanisms import chain
from evidence.services.views.source_scorecards import scorecards
from evidence.store.engine import Store
from evidence.store.history import list_history


def verdict(store: Store, claim_id: str) -> dict:
    with store.reading() as s:
        return claim_detail(s, claim_id)


@pytest.fixture
def claim(store: Store) -> str:
    with store.transaction() as s:
        add_claim(
            s,
            claim_id="heel-pain-association",
            statement="Synthetic claim for tests.",
            claim_type="association",
            tags=["Heel", "plantar-fasciitis"],
            actor="ann",
        )
        for n, design in enumerate(["cohort", "rct", "case_report"], start=1):
            ref = add_references(s, identifiers=[f"10.5555/test.{n}"], actor="ann")[0].reference
            edit_reference(s, ref=ref.key, design=design, actor="ann")
    return "heel-pain-association"


def test_claims_are_created_with_normalised_tags_and_a_history_row(
    store: Store, claim: str
) -> None:
    d = verdict(store, claim)
    assert d["tags"] == ["heel", "plantar_fasciitis"]
    assert d["verdict"] == "unproven" and d["unproven_reason"] == "not_assessed"
    with store.reading() as s:
        rows = list_history(s, claim_id=claim)
    assert [(r["entity"], r["action"], r["actor"]) for r in rows] == [("claim", "create", "ann")]
    assert (
        rows[0]["before"] is None and rows[0]["after"]["statement"] == "Synthetic claim for tests."
    )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"claim_id": "heel-pain-association"}, AlreadyExists),
        ({"claim_id": "Not A Slug"}, InvalidValue),
        ({"claim_type": "anecdote"}, InvalidValue),
        ({"statement": "   "}, InvalidValue),
        ({"tags": ["no/slashes"]}, InvalidValue),
    ],
)
def test_bad_claims_are_refused(store: Store, claim: str, kwargs: dict, error: type) -> None:
    args = {"claim_id": "another-claim", "statement": "S.", "claim_type": "causal", "actor": "a"}
    with pytest.raises(error), store.transaction() as s:
        add_claim(s, **(args | kwargs))
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 1


def test_an_edit_bumps_the_version_and_records_before_after_and_why(
    store: Store, claim: str
) -> None:
    with store.transaction() as s:
        edited, changed = edit_claim(
            s,
            claim_id=claim,
            actor="bob",
            reason="clearer wording",
            statement="Reworded synthetic claim.",
            add_tags=["calf"],
        )
    assert changed and edited.version == 2
    with store.reading() as s:
        last = list_history(s, claim_id=claim, limit=1)[0]
    assert last["actor"] == "bob" and last["reason"] == "clearer wording"
    assert last["before"]["statement"] == "Synthetic claim for tests."
    assert last["after"]["statement"] == "Reworded synthetic claim."
    assert last["after"]["tags"] == ["calf", "heel", "plantar_fasciitis"]
    assert last["after"]["version"] == 2


def test_an_edit_that_changes_nothing_writes_nothing(store: Store, claim: str) -> None:
    with store.transaction() as s:
        same, changed = edit_claim(
            s, claim_id=claim, actor="bob", statement="Synthetic claim for tests."
        )
    assert not changed and same.version == 1
    with store.reading() as s:
        assert len(list_history(s, claim_id=claim)) == 1


def test_an_edit_based_on_an_old_version_is_refused(store: Store, claim: str) -> None:
    with store.transaction() as s:
        edit_claim(
            s, claim_id=claim, actor="ann", statement="First writer's wording.", expected_version=1
        )
    with (
        pytest.raises(ConflictError, match="version 1.*now at version 2"),
        store.transaction() as s,
    ):
        edit_claim(
            s, claim_id=claim, actor="bob", statement="Second writer's wording.", expected_version=1
        )
    assert verdict(store, claim)["statement"] == "First writer's wording."


def test_a_writer_committing_between_read_and_write_is_detected(store: Store, claim: str) -> None:
    """Bob reads, Ann commits an edit, Bob writes: Bob gets a conflict and Ann's edit stays."""
    with store.transaction() as bob:
        held = bob.get(Claim, claim)  # Bob's session now holds version 1
        assert held is not None and held.version == 1
        with store.transaction() as ann:
            edit_claim(ann, claim_id=claim, actor="ann", statement="Ann's wording.")
        with pytest.raises(ConflictError, match="now at version 2"):
            edit_claim(bob, claim_id=claim, actor="bob", statement="Bob's wording.")
    d = verdict(store, claim)
    assert (d["statement"], d["version"]) == ("Ann's wording.", 2)
    with store.reading() as s:
        assert [h["actor"] for h in list_history(s, claim_id=claim)] == ["ann", "ann"]


def test_references_are_one_row_per_paper_however_reached(store: Store) -> None:
    with store.transaction() as s:
        added = add_references(
            s,
            identifiers=[
                "10.5555/ABC.1",
                "https://doi.org/10.5555/abc.1",
                "doi:10.5555/Abc.1",
                "PMID: 90000001",
                "https://pubmed.ncbi.nlm.nih.gov/90000001/",
                "PMC9000001",
            ],
            actor="ann",
        )
    assert [a.created for a in added] == [True, False, False, True, False, True]
    assert added[0].reference.doi == "10.5555/abc.1"
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Reference)) == 3
        assert find_reference(s, "10.5555/ABC.1").key == "doi:10.5555/abc.1"


def test_one_malformed_identifier_stores_none_of_the_batch(store: Store) -> None:
    with pytest.raises(InvalidIdentifier, match="10.5555"), store.transaction() as s:
        add_references(s, identifiers=["10.5555/good", "10.5555"], actor="ann")
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Reference)) == 0


def test_an_identifier_already_on_another_paper_is_refused(store: Store, claim: str) -> None:
    with pytest.raises(AlreadyExists, match="doi:10.5555/test.2"), store.transaction() as s:
        edit_reference(s, ref="10.5555/test.1", doi="10.5555/TEST.2", actor="ann")


def test_linking_evidence_changes_the_verdict_and_is_recorded(store: Store, claim: str) -> None:
    with store.transaction() as s:
        _, change = link_evidence(
            s,
            claim_id=claim,
            ref="10.5555/test.1",
            stance="supports",
            rationale="Cohort supports it.",
            actor="ann",
        )
    assert change is LinkChange.created
    d = verdict(store, claim)
    assert (d["verdict"], d["certainty"]) == ("limited_support", "low")
    assert d["explanation"] == (
        "Limited support (low): 1 cohort study supports it (best: low); none refute it."
    )
    with store.transaction() as s:
        _, change = link_evidence(
            s,
            claim_id=claim,
            ref="doi:10.5555/test.2",
            stance="supports",
            rationale="RCT supports it.",
            directness="indirect",
            actor="ann",
        )
    assert change is LinkChange.created
    d = verdict(store, claim)
    assert (d["verdict"], d["certainty"]) == ("supported", "moderate")
    rct = next(e for e in d["evidence"] if e["design"] == "rct")
    assert rct["directness"] == "indirect" and rct["downgrades"] == ["indirectness"]
    assert rct["starting_certainty"] == "high" and rct["certainty"] == "moderate"


def test_relinking_replaces_the_assessment_and_keeps_the_old_one_in_history(
    store: Store, claim: str
) -> None:
    with store.transaction() as s:
        link_evidence(
            s,
            claim_id=claim,
            ref="10.5555/test.2",
            stance="supports",
            rationale="First reading.",
            actor="ann",
        )
    with store.transaction() as s:
        link, change = link_evidence(
            s,
            claim_id=claim,
            ref="10.5555/test.2",
            stance="refutes",
            rationale="Second reading.",
            risk_of_bias="high",
            actor="bob",
            reason="re-read the paper",
        )
    assert change is LinkChange.updated and link.version == 2
    d = verdict(store, claim)
    assert d["verdict"] == "refuted" and d["certainty"] == "moderate"
    with store.reading() as s:
        last = list_history(s, claim_id=claim, limit=1)[0]
    assert (last["entity"], last["action"], last["actor"]) == ("evidence", "update", "bob")
    assert last["before"]["stance"] == "supports" and last["after"]["stance"] == "refutes"
    assert last["after"]["downgrades"] == ["risk_of_bias"]
    with pytest.raises(ConflictError), store.transaction() as s:
        link_evidence(
            s,
            claim_id=claim,
            ref="10.5555/test.2",
            stance="supports",
            rationale="Stale.",
            actor="ann",
            expected_version=1,
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"stance": "agrees"}, InvalidValue, "invalid stance 'agrees'"),
        ({"ref": "10.5555/nowhere"}, ReferenceNotFound, "10.5555/nowhere"),
        ({"claim_id": "no-such-claim"}, ClaimNotFound, "no-such-claim"),
        ({"rationale": " "}, InvalidValue, "rationale"),
        ({"directness": "sideways"}, InvalidValue, "directness"),
        ({"downgrades": ["publication_bias"]}, InvalidValue, "downgrade"),
    ],
)
def test_bad_links_are_refused(
    store: Store, claim: str, kwargs: dict, error: type, message: str
) -> None:
    args = {
        "claim_id": claim,
        "ref": "10.5555/test.1",
        "stance": "supports",
        "rationale": "Reason.",
        "actor": "ann",
    }
    with pytest.raises(error, match=message), store.transaction() as s:
        link_evidence(s, **(args | kwargs))
    assert verdict(store, claim)["evidence"] == []


def test_unlinking_removes_the_evidence(store: Store, claim: str) -> None:
    with store.transaction() as s:
        link_evidence(
            s, claim_id=claim, ref="10.5555/test.1", stance="supports", rationale="R.", actor="ann"
        )
    with store.transaction() as s:
        unlink_evidence(s, claim_id=claim, ref="10.5555/test.1", actor="ann", reason="wrong paper")
    assert verdict(store, claim)["evidence"] == []
    with pytest.raises(LinkNotFound), store.transaction() as s:
        unlink_evidence(s, claim_id=claim, ref="10.5555/test.1", actor="ann")


def test_a_retraction_removes_a_paper_from_the_verdict_but_not_from_view(
    store: Store, claim: str
) -> None:
    with store.transaction() as s:
        link_evidence(
            s, claim_id=claim, ref="10.5555/test.2", stance="supports", rationale="R.", actor="ann"
        )
    assert verdict(store, claim)["verdict"] == "supported"
    with store.transaction() as s:
        edit_reference(s, ref="10.5555/test.2", retraction="retracted", actor="ann")
    d = verdict(store, claim)
    assert (d["verdict"], d["unproven_reason"], d["retracted"]) == ("unproven", "retracted_only", 1)
    assert d["evidence"][0]["retracted"] and not d["evidence"][0]["counts"]
    assert "1 retracted paper was excluded" in d["explanation"]


def test_overrides_need_a_reason_and_leave_the_computed_verdict_visible(
    store: Store, claim: str
) -> None:
    for reason in (None, "", "   "):
        with pytest.raises(MissingReason), store.transaction() as s:
            set_override(s, claim_id=claim, verdict="supported", reason=reason, actor="ann")
    with pytest.raises(InvalidValue, match="verdict"), store.transaction() as s:
        set_override(s, claim_id=claim, verdict="true", reason="r", actor="ann")
    with store.transaction() as s:
        set_override(s, claim_id=claim, verdict="refuted", reason="Panel consensus.", actor="ann")
    d = verdict(store, claim)
    assert (d["verdict"], d["band"], d["computed_verdict"]) == ("refuted", "disputed", "unproven")
    assert d["overridden"] and d["override"]["reason"] == "Panel consensus."
    assert "Panel consensus." in d["explanation"] and "Computed: Unproven" in d["explanation"]
    with pytest.raises(MissingReason), store.transaction() as s:
        clear_override(s, claim_id=claim, reason=None, actor="ann")
    with store.transaction() as s:
        clear_override(s, claim_id=claim, reason="Panel revised.", actor="ann")
    assert verdict(store, claim)["verdict"] == "unproven"
    with store.reading() as s:
        actions = [(h["entity"], h["action"]) for h in list_history(s, claim_id=claim)][:2]
    assert actions == [("override", "delete"), ("override", "create")]


def test_a_recorded_search_tells_searched_from_not_assessed(store: Store, claim: str) -> None:
    assert verdict(store, claim)["unproven_reason"] == "not_assessed"
    with store.transaction() as s:
        log_search(
            s,
            claim_id=claim,
            database="PubMed",
            query="heel AND synthetic",
            hits=0,
            searched_on="2026-01-02",
            actor="ann",
        )
    d = verdict(store, claim)
    assert d["unproven_reason"] == "searched_nothing_found"
    assert d["explanation"] == (
        "Unproven: searched, nothing found — 1 search recorded (PubMed, latest 2026-01-02)."
    )
    assert d["searches"][0]["query"] == "heel AND synthetic"
    for bad in (
        {"searched_on": "yesterday"},
        {"hits": -1},
        {"database": ""},
        {"searched_on": "2999-01-01"},
    ):
        with pytest.raises(InvalidValue), store.transaction() as s:
            log_search(
                s,
                **(
                    {
                        "claim_id": claim,
                        "database": "PubMed",
                        "query": "q",
                        "hits": 1,
                        "actor": "ann",
                    }
                    | bad
                ),
            )


def test_chains_follow_leads_to_and_mark_the_weakest_step(store: Store, claim: str) -> None:
    with store.transaction() as s:
        add_claim(s, claim_id="upstream", statement="Cause.", claim_type="mechanism", actor="a")
        add_claim(s, claim_id="downstream", statement="Effect.", claim_type="causal", actor="a")
        link_claims(s, from_claim="upstream", to_claim=claim, relation="leads_to", actor="a")
        link_claims(s, from_claim=claim, to_claim="downstream", relation="leads_to", actor="a")
        link_evidence(
            s, claim_id=claim, ref="10.5555/test.2", stance="supports", rationale="R.", actor="a"
        )
        link_evidence(
            s,
            claim_id="upstream",
            ref="10.5555/test.1",
            stance="supports",
            rationale="R.",
            actor="a",
        )
        link_evidence(
            s,
            claim_id="downstream",
            ref="10.5555/test.3",
            stance="refutes",
            rationale="R.",
            actor="a",
        )
    with store.reading() as s:
        result = chain(s, claim)
    (path,) = result["paths"]
    assert [step["id"] for step in path["steps"]] == ["upstream", claim, "downstream"]
    assert [step["verdict"] for step in path["steps"]] == [
        "limited_support",
        "supported",
        "unproven",
    ]
    assert (path["weakest"], path["weakest_index"]) == ("downstream", 2)
    with pytest.raises(AlreadyExists), store.transaction() as s:
        link_claims(s, from_claim="upstream", to_claim=claim, relation="leads_to", actor="a")
    with pytest.raises(InvalidValue), store.transaction() as s:
        link_claims(s, from_claim=claim, to_claim=claim, relation="leads_to", actor="a")
    with pytest.raises(InvalidValue), store.transaction() as s:
        link_claims(s, from_claim=claim, to_claim="upstream", relation="causes", actor="a")


def test_scorecards_count_each_sources_claims_by_verdict(store: Store, claim: str) -> None:
    from evidence.services.records.claims import add_assertion

    with store.transaction() as s:
        add_source(
            s, key="deck", title="A synthetic deck", kind="educational_slide_deck", actor="a"
        )
        add_source(
            s,
            key="shop",
            title="A synthetic shop page",
            kind="commercial_marketing",
            actor="a",
            conflicts_of_interest="Sells the product.",
        )
        for quote in ("Quote one.", "Quote two."):  # the deck keeps no text: unverified
            add_assertion(
                s, claim_id=claim, source_key="deck", quote=quote, actor="a", unverified=True
            )
        link_evidence(
            s, claim_id=claim, ref="10.5555/test.2", stance="supports", rationale="R.", actor="a"
        )
    with store.reading() as s:
        cards = {c["key"]: c for c in scorecards(s)}
    assert cards["deck"]["claims"] == 1 and cards["deck"]["verdicts"]["supported"] == 1
    assert cards["deck"]["bands"] == {"supported": 1, "disputed": 0, "unproven": 0}
    assert cards["shop"]["claims"] == 0
    assert cards["shop"]["conflicts_of_interest"] == "Sells the product."


def test_history_rows_carry_when(store: Store, claim: str) -> None:
    with store.reading() as s:
        row = s.scalars(select(History)).first()
        assert row is not None and row.at is not None and row.actor == "ann"


def test_a_chain_may_not_loop_back_on_itself(store: Store, claim: str) -> None:
    with store.transaction() as s:
        add_claim(s, claim_id="step-b", statement="B.", claim_type="mechanism", actor="a")
        add_claim(s, claim_id="step-c", statement="C.", claim_type="mechanism", actor="a")
        link_claims(s, from_claim=claim, to_claim="step-b", relation="leads_to", actor="a")
        link_claims(s, from_claim="step-b", to_claim="step-c", relation="leads_to", actor="a")
    with pytest.raises(InvalidValue, match="step-b → step-c"), store.transaction() as s:
        link_claims(s, from_claim="step-c", to_claim=claim, relation="leads_to", actor="a")
    with store.transaction() as s:  # other relations may point back
        link_claims(s, from_claim="step-c", to_claim=claim, relation="refines", actor="a")


def test_a_claim_link_is_one_history_row_seen_from_both_claims(store: Store, claim: str) -> None:
    with store.transaction() as s:
        add_claim(s, claim_id="other", statement="O.", claim_type="causal", actor="a")
        link_claims(s, from_claim=claim, to_claim="other", relation="refines", actor="a")
    with store.reading() as s:
        everything = [h for h in list_history(s) if h["entity"] == "claim_link"]
        mine = [h["key"] for h in list_history(s, claim_id=claim) if h["entity"] == "claim_link"]
        theirs = [
            h["key"] for h in list_history(s, claim_id="other") if h["entity"] == "claim_link"
        ]
    assert len(everything) == 1
    assert mine == theirs == [f"{claim} refines other"]


def test_clearing_a_missing_override_says_so(store: Store, claim: str) -> None:
    from evidence.errors import OverrideNotFound

    missing = pytest.raises(OverrideNotFound, match=f"override for claim '{claim}'")
    with missing, store.transaction() as s:
        clear_override(s, claim_id=claim, reason="r", actor="a")


def test_a_wrong_version_is_not_blamed_on_someone_else(store: Store, claim: str) -> None:
    wrong = pytest.raises(ConflictError, match="is at version 1, not version 7")
    with wrong, store.transaction() as s:
        edit_claim(s, claim_id=claim, actor="a", statement="New.", expected_version=7)


def test_a_key_made_from_an_identifier_follows_it(store: Store) -> None:
    with store.transaction() as s:
        add_references(s, identifiers=["90000002"], actor="a")
        ref = edit_reference(s, ref="90000002", pmid="90000003", actor="a")
        assert ref.key == "pmid:90000003"
    with store.reading() as s:
        assert find_reference(s, "pmid:90000003").pmid == "90000003"


def test_revising_a_link_keeps_what_is_not_given(store: Store, claim: str) -> None:
    with store.transaction() as s:
        link_evidence(
            s,
            claim_id=claim,
            ref="10.5555/test.1",
            stance="supports",
            rationale="Cohort.",
            risk_of_bias="high",
            downgrades=["imprecision"],
            quote="A quote.",
            actor="ann",
        )
    with store.transaction() as s:
        link, change = link_evidence(
            s, claim_id=claim, ref="10.5555/test.1", rationale="Cohort, reworded.", actor="bob"
        )
        assert change is LinkChange.updated
        assert (link.stance, link.downgrades, link.quote) == (
            "supports",
            ["risk_of_bias", "imprecision"],
            "A quote.",
        )
    with store.transaction() as s:
        _, change = link_evidence(
            s, claim_id=claim, ref="10.5555/test.1", rationale="Cohort, reworded.", actor="bob"
        )
        assert change is LinkChange.unchanged
    with store.transaction() as s:
        link, _ = link_evidence(
            s, claim_id=claim, ref="10.5555/test.1", risk_of_bias="not_flagged", actor="bob"
        )
        assert link.downgrades == ["imprecision"]
        link, _ = link_evidence(
            s,
            claim_id=claim,
            ref="10.5555/test.1",
            replace_judgements=True,
            upgrades=["large_effect"],
            actor="bob",
        )
        assert (link.downgrades, link.upgrades) == ([], ["large_effect"])
    with pytest.raises(MissingValue, match="missing stance"), store.transaction() as s:
        link_evidence(s, claim_id=claim, ref="10.5555/test.2", rationale="New.", actor="a")


def test_unlinking_a_link_regraded_meanwhile_is_refused(store: Store, claim: str) -> None:
    with store.transaction() as s:
        link_evidence(
            s, claim_id=claim, ref="10.5555/test.1", stance="supports", rationale="R.", actor="ann"
        )
    with store.transaction() as ann:
        held = ann.scalars(select(Evidence)).one()  # Ann reads the link at version 1
        with store.transaction() as bob:
            link_evidence(bob, claim_id=claim, ref="10.5555/test.1", stance="refutes", actor="bob")
        with pytest.raises(ConflictError, match="now at version 2"):
            unlink_evidence(ann, claim_id=claim, ref="10.5555/test.1", actor="ann")
        assert held.version == 1
    assert verdict(store, claim)["evidence"][0]["stance"] == "refutes"
    with pytest.raises(ConflictError), store.transaction() as s:
        unlink_evidence(s, claim_id=claim, ref="10.5555/test.1", actor="a", expected_version=1)


def test_two_curators_overriding_at_once_do_not_overwrite_each_other(
    store: Store, claim: str
) -> None:
    with store.transaction() as s:
        set_override(s, claim_id=claim, verdict="refuted", reason="First.", actor="ann")
    with store.transaction() as bob:
        held = bob.scalars(select(Override)).one()  # Bob reads version 1
        with store.transaction() as ann:
            set_override(ann, claim_id=claim, verdict="contested", reason="Second.", actor="ann")
        with pytest.raises(ConflictError, match="override .* now at version 2"):
            set_override(bob, claim_id=claim, verdict="supported", reason="Bob's.", actor="bob")
        assert held.version == 1
    assert verdict(store, claim)["override"]["reason"] == "Second."
    with pytest.raises(ConflictError), store.transaction() as s:
        clear_override(s, claim_id=claim, reason="r", actor="a", expected_version=1)
    with pytest.raises(ClaimNotFound), store.transaction() as s:  # unknown claim named first
        set_override(s, claim_id="no-such-claim", verdict="supported", reason=None, actor="a")


def test_lists_come_in_the_same_order_on_every_database(store: Store) -> None:
    from evidence.services.views.summaries import list_claims
    from evidence.store.queries import searches_for

    with store.transaction() as s:
        for claim_id in ("ab", "a-z", "a-b"):  # ICU collation skips hyphens, bytes do not
            add_claim(s, claim_id=claim_id, statement="S.", claim_type="causal", actor="a")
        add_source(s, key="alpha-review", title="A", kind="other", actor="a")
        add_source(s, key="Zeta-review", title="Z", kind="other", actor="a")
        log_search(s, claim_id="ab", database="PubMed", query="undated", hits=0, actor="a")
        log_search(
            s,
            claim_id="ab",
            database="PubMed",
            query="dated",
            hits=0,
            searched_on="2020-01-01",
            actor="a",
        )
    with store.reading() as s:
        assert [c["id"] for c in list_claims(s)] == ["a-b", "a-z", "ab"]
        assert [c["key"] for c in scorecards(s)] == ["Zeta-review", "alpha-review"]
        assert [x.query for x in searches_for(s, "ab")] == ["dated", "undated"]


def test_a_retraction_is_written_to_the_history_of_every_claim_it_moves(
    store: Store, claim: str
) -> None:
    with store.transaction() as s:
        link_evidence(
            s, claim_id=claim, ref="10.5555/test.2", stance="supports", rationale="R.", actor="ann"
        )
        edit_reference(
            s,
            ref="10.5555/test.2",
            retraction="retracted",
            actor="bob",
            reason="Retraction notice seen",
        )
    with store.reading() as s:
        last = list_history(s, claim_id=claim, limit=1)[0]
    assert (last["entity"], last["actor"], last["reason"]) == (
        "reference",
        "bob",
        "Retraction notice seen",
    )
    assert (last["before"]["retraction"], last["after"]["retraction"]) == (None, "retracted")


def test_reference_edits_stay_consistent(store: Store, claim: str) -> None:
    with store.transaction() as s:
        ref = edit_reference(
            s, ref="10.5555/test.1", design="systematic_review", review_of="rcts", actor="a"
        )
        assert ref.review_of == "rcts"
        ref = edit_reference(s, ref="10.5555/test.1", design="rct", actor="a")
        assert ref.review_of is None  # a review's pooled designs mean nothing for an RCT
        ref = edit_reference(
            s,
            ref="10.5555/test.1",
            pmid="https://pubmed.ncbi.nlm.nih.gov/90000077/",
            doi="doi:10.5555/TEST.1",
            actor="a",
        )
        assert (ref.pmid, ref.doi) == ("90000077", "10.5555/test.1")


class _Statements:
    """Collects the SQL statements run on a store inside a with-block."""

    def __init__(self, store: Store) -> None:
        self.engine, self.seen = store.engine, list[str]()

    def _count(self, *args: object) -> None:
        self.seen.append(str(args[2]))

    def __enter__(self) -> list[str]:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)


def test_all_chains_weighs_every_chain_in_a_bounded_number_of_queries(
    seeded_store: Store,
) -> None:
    from evidence.services.views.mechanisms import all_chains
    from evidence.services.views.summaries import list_claims

    with seeded_store.reading() as s, _Statements(seeded_store) as seen:
        result = all_chains(s)
    assert len(seen) <= 5, seen  # links, claims, and the three grading reads
    with seeded_store.reading() as s:
        given = all_chains(s, claims={c["id"]: c for c in list_claims(s)})
        assert given == result, "graded here or given, the same chains"
        listed = {tuple(c["steps"]): c for c in result["chains"]}
        for claim_id in result["claims"]:
            for path in chain(s, claim_id)["paths"]:
                steps = tuple(step["id"] for step in path["steps"])
                ours = listed[steps]
                assert ours["weakest_indexes"] == path["weakest_indexes"]
                assert (ours["verdict"], ours["certainty"]) == (path["verdict"], path["certainty"])
    lumbar = result["mechanisms"][0]
    assert "nmf-old-injury-lumbar-fibrosis" in lumbar["claims"]
    assert all(result["chains"][n]["mechanism"] == 0 for n in lumbar["chains"])


def test_scorecards_count_the_stored_verdicts_in_two_queries(seeded_store: Store) -> None:
    from collections import Counter

    from evidence.services.views.summaries import list_claims

    with seeded_store.reading() as s:
        verdicts = {c["id"]: c["verdict"] for c in list_claims(s)}
        with _Statements(seeded_store) as seen:
            cards = scorecards(s)
    assert len(seen) == 2  # the sources, then every assertion with its claim's verdict
    assert all(len(c["claim_ids"]) == c["claims"] for c in cards)
    for card in cards:
        counted = Counter(verdicts[c] for c in card["claim_ids"])
        assert {v: n for v, n in card["verdicts"].items() if n} == dict(counted)


def test_evidence_cells_count_links_by_year_and_design_retracted_apart(
    store: Store, claim: str
) -> None:
    from evidence.services.views.evidence_map import RETRACTED, claims_with_evidence, evidence_cells

    with store.transaction() as s:
        edit_reference(s, ref="10.5555/test.1", year=2001, actor="a")
        edit_reference(s, ref="10.5555/test.2", year=2001, actor="a")
        edit_reference(s, ref="10.5555/test.3", retraction="retracted", actor="a")
        for n in (1, 2, 3):
            link_evidence(
                s,
                claim_id=claim,
                ref=f"10.5555/test.{n}",
                stance="supports",
                rationale="R.",
                actor="a",
            )
    with store.reading() as s:
        cells = evidence_cells(s)
        assert cells == [
            {"year": 2001, "group": "rct", "links": 1, "papers": 1},
            {"year": 2001, "group": "cohort", "links": 1, "papers": 1},
            {"year": None, "group": RETRACTED, "links": 1, "papers": 1},
        ]
        assert claims_with_evidence(s, year=2001, group="rct") == [claim]
        assert claims_with_evidence(s, year=2001) == [claim]
        assert claims_with_evidence(s, year=None, group="case_report") == []
        assert claims_with_evidence(s, group=RETRACTED) == [claim]
        assert claims_with_evidence(s, year=1999) == []
