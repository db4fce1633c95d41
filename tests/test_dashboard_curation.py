"""Signing in and curating through the dashboard (AppTest): roles enforced on the server, each
change made through the services, in the history under the curator's name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evidence.domain.vocab import Role
from evidence.errors import NotAllowed
from evidence.services.records.accounts import SignedIn, add_account, set_role
from evidence.services.records.claims import edit_claim
from evidence.services.views.claim_detail import claim_detail
from evidence.store.engine import Store
from evidence.store.history import list_history
from evidence.webui import curation, data

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
PASSWORD = "correct horse battery staple"
EMPTY_CLAIM = "berlin-2023-tibial-compression-case-series"  # searched, no evidence linked


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    data.clear_caches()
    yield
    data.clear_caches()


@pytest.fixture
def accounts(seeded_store: Store) -> Store:
    with seeded_store.transaction() as s:
        for name, role in (("ada", "admin"), ("cleo", "curator"), ("vic", "viewer")):
            add_account(s, username=name, role=role, password=PASSWORD, actor="t")
    return seeded_store


@pytest.fixture
def app(seeded_url: str, accounts: Store, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", seeded_url)
    return AppTest.from_file(APP, default_timeout=60)


def sign_in(app: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    app.run()
    app.switch_page("app_pages/sign_in.py")
    app.run()
    app.text_input(key="sign_in_name").input(name)
    app.text_input(key="sign_in_password").input(password)
    return app.form_submit_button[0].click().run()


def curate(app: AppTest, claim_id: str) -> AppTest:
    app.switch_page("app_pages/curate.py")
    app.query_params["id"] = claim_id
    return app.run()


def widget(app: AppTest, kind: str, name: str):  # noqa: ANN201
    """A curation widget by its name: its full key also holds the claim and a generation."""
    (found,) = [w for w in getattr(app, kind) if (w.key or "").startswith(name + ":")]
    return found


def submit(app: AppTest, label: str) -> AppTest:
    (button,) = [b for b in app.form_submit_button if b.label == label]
    return button.click().run()


def menu(app: AppTest) -> str:
    return "\n".join(str(c.value) for c in app.sidebar.caption)


def test_a_guest_reads_without_signing_in_and_sees_no_curation(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert "Reading as a guest." in menu(app)
    assert not [b for b in app.sidebar.button if b.label == "Sign out"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("app_pages/curate.py")  # only the refusing stand-in is registered


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_session(app: AppTest) -> None:
    sign_in(app, "cleo", "not the password")
    assert [e.value for e in app.error] == ["Unknown user name or wrong password\\."]
    sign_in(app, "nobody", PASSWORD)
    assert [e.value for e in app.error] == ["Unknown user name or wrong password\\."]
    for _ in range(4):  # five for cleo in all; the unknown name counts on its own
        sign_in(app, "cleo", "still wrong")
    sign_in(app, "cleo", PASSWORD)  # right, but too soon after five failures
    assert app.error[0].value.startswith("Too many failed attempts")
    assert "Reading as a guest." in menu(app)
    fresh = AppTest.from_file(APP, default_timeout=60)  # a new tab: still locked
    sign_in(fresh, "cleo", PASSWORD)
    assert fresh.error[0].value.startswith("Too many failed attempts")
    sign_in(fresh, "vic", PASSWORD)  # another account is not
    assert "Signed in as **vic** (viewer)." in menu(fresh)


def test_a_viewer_signs_in_but_may_not_curate(app: AppTest) -> None:
    sign_in(app, "vic")
    assert not app.exception
    assert [t.value for t in app.title] == ["Account"]
    assert "Signed in as **vic** (viewer)." in menu(app)
    with pytest.raises(ValueError):
        app.switch_page("app_pages/curate.py")
    # and a write attempted for a viewer is refused by the write itself
    outcome = curation.attempt(
        curation.record_search,
        SignedIn("vic", Role.viewer),
        claim_id=EMPTY_CLAIM,
        database="PubMed",
        query="anything",
        hits=0,
        searched_on=None,
    )
    assert isinstance(outcome.error, NotAllowed) and not outcome.ok
    assert outcome.message == "vic may not curate (the curator role is needed)"


def test_a_curator_attaches_a_paper_and_the_verdict_changes(app: AppTest, accounts: Store) -> None:
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    assert not app.exception
    before = app.caption[0].value
    assert "Unproven" in before
    widget(app, "text_input", "attach_identifier").input("PMID 90000123")
    widget(app, "selectbox", "attach_design").select("rct")
    widget(app, "selectbox", "attach_stance").select("supports")
    widget(app, "text_area", "attach_rationale").input("A synthetic trial supports it.")
    submit(app, "Attach")
    assert not app.exception and not app.error
    (flash,) = app.success
    assert flash.value.startswith(
        "Linked pmid\\:90000123 \\(new paper\\)\\. Design\\: RCT, so the link starts at high "
        "certainty\\. Now\\: ⊕⊕⊕⊕ Supported"
    )
    assert app.caption[0].value.startswith("Supported \\(high\\)")
    with accounts.reading() as s:
        detail = claim_detail(s, EMPTY_CLAIM)
        changes = list_history(s, claim_id=EMPTY_CLAIM, limit=5)
    assert detail["verdict"] == "supported"
    (link,) = detail["evidence"]
    assert (link["stance"], link["design"], link["curator"]) == ("supports", "rct", "cleo")
    assert changes[0]["actor"] == "cleo" and changes[0]["entity"] == "evidence"


def test_a_paper_attached_offline_is_marked_pending_and_its_details_can_be_typed(
    app: AppTest, accounts: Store
) -> None:
    """Issue 16: a paper attached offline was a dead end: "Title not recorded", no year, no
    field to set them and no hint to resolve."""
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    widget(app, "text_input", "attach_identifier").input("10.5555/offline.web.1")
    widget(app, "text_area", "attach_rationale").input("A synthetic case series.")
    submit(app, "Attach")
    key = "doi:10.5555/offline.web.1"
    assert not app.error, [e.value for e in app.error]
    assert any("metadata pending" in e.label for e in app.expander), [e.label for e in app.expander]
    assert any("Metadata pending" in i.value and "evidence resolve" in i.value for i in app.info)

    widget(app, "text_input", f"paper_year:{EMPTY_CLAIM}:{key}").input("19x9")
    widget(app, "form_submit_button", f"paper_save:{EMPTY_CLAIM}:{key}").click().run()
    assert "invalid year '19x9'" in app.error[0].value
    with accounts.reading() as s:
        assert claim_detail(s, EMPTY_CLAIM)["evidence"][0]["reference"]["year"] is None

    title = "A synthetic case series of tibial nerve compression"
    widget(app, "text_area", f"paper_title:{EMPTY_CLAIM}:{key}").input(title)
    widget(app, "text_input", f"paper_year:{EMPTY_CLAIM}:{key}").input("2021")
    widget(app, "text_input", f"paper_journal:{EMPTY_CLAIM}:{key}").input("Synthetic Journal")
    widget(app, "text_area", f"paper_authors:{EMPTY_CLAIM}:{key}").input("Doe J\n  Roe  R \n\n")
    widget(app, "form_submit_button", f"paper_save:{EMPTY_CLAIM}:{key}").click().run()
    assert not app.error, [e.value for e in app.error]
    assert "Details of" in app.success[0].value
    with accounts.reading() as s:
        ref = claim_detail(s, EMPTY_CLAIM)["evidence"][0]["reference"]
        history = list_history(s, limit=1)
    assert (ref["title"], ref["year"], ref["journal"]) == (title, 2021, "Synthetic Journal")
    assert ref["authors"] == ["Doe J", "Roe R"] and not ref["metadata_pending"]
    assert (history[0]["actor"], history[0]["entity"]) == ("cleo", "reference")
    assert history[0]["after"]["authors"] == ["Doe J", "Roe R"]
    assert not any("metadata pending" in e.label for e in app.expander)


@pytest.mark.parametrize(
    ("pooled", "start"), [("rcts", "high"), ("observational", "low"), (None, "low")]
)
def test_the_web_form_says_what_a_review_pooled(
    app: AppTest, accounts: Store, pooled: str | None, start: str
) -> None:
    # a systematic review of RCTs is graded as `ref edit --review-of rcts` grades it, not as
    # a mixed review
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    widget(app, "text_input", "attach_identifier").input("PMID 90000125")
    widget(app, "selectbox", "attach_design").select("systematic_review")
    if pooled:
        widget(app, "selectbox", "attach_review_of").select(pooled)
    widget(app, "text_area", "attach_rationale").input("A synthetic review.")
    submit(app, "Attach")
    assert not app.exception and not app.error, [e.value for e in app.error]
    (flash,) = app.success
    assert f"so the link starts at {start} certainty" in flash.value.replace("\\", "")
    with accounts.reading() as s:
        (link,) = claim_detail(s, EMPTY_CLAIM)["evidence"]
    assert (link["design"], link["review_of"], link["starting_certainty"]) == (
        "systematic_review",
        pooled,
        start,
    )


def test_a_bad_identifier_is_an_error_and_nothing_is_written(app: AppTest, accounts: Store) -> None:
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    widget(app, "text_input", "attach_identifier").input("not-an-id <b>x</b>")
    widget(app, "text_area", "attach_rationale").input("Whatever.")
    submit(app, "Attach")
    assert not app.exception
    (error,) = app.error
    assert "not\\-an\\-id \\<b\\>x\\</b\\>" in error.value  # named, and shown as text
    with accounts.reading() as s:
        assert claim_detail(s, EMPTY_CLAIM)["evidence"] == []


def test_a_curator_revises_judgements_records_a_search_and_overrides(
    app: AppTest, accounts: Store
) -> None:
    claim_id = "foot-orthoses-reduce-back-pain"
    with accounts.reading() as s:
        first = claim_detail(s, claim_id)["evidence"][0]
    flipped = "not_flagged" if first["risk_of_bias"] == "high" else "high"
    sign_in(app, "cleo")
    curate(app, claim_id)
    widget(app, "radio", f"rev_bias:{claim_id}:{first['reference']['key']}").set_value(flipped)
    widget(app, "text_input", f"rev_reason:{claim_id}:{first['reference']['key']}").input(
        "Unblinded assessors."
    )
    widget(
        app, "form_submit_button", f"rev_save:{claim_id}:{first['reference']['key']}"
    ).click().run()
    assert not app.error, [e.value for e in app.error]
    assert "revised" in app.success[0].value
    with accounts.reading() as s:
        revised = {e["reference"]["key"]: e for e in claim_detail(s, claim_id)["evidence"]}
    again = revised[first["reference"]["key"]]
    assert (again["risk_of_bias"], again["curator"]) == (flipped, "cleo")

    widget(app, "text_area", "search_query").input('"foot orthoses" AND "low back pain"')
    widget(app, "number_input", "search_hits").set_value(12)
    submit(app, "Record search")
    assert "Search recorded" in app.success[0].value

    widget(app, "selectbox", "override_verdict").select("refuted")
    submit(app, "Save override")  # no reason
    assert "needs a written reason" in app.error[0].value
    assert "--" not in app.error[0].value  # the form has no command-line options
    widget(app, "text_area", "override_reason").input("Synthetic test override.")
    submit(app, "Save override")
    assert "Override saved" in app.success[0].value
    with accounts.reading() as s:
        detail = claim_detail(s, claim_id)
        actors = {h["actor"] for h in list_history(s, claim_id=claim_id, limit=3)}
    assert detail["override"]["curator"] == "cleo" and detail["verdict"] == "refuted"
    assert detail["searches"][-1]["hits"] == 12
    assert actors == {"cleo"}

    # issue 16: the certainty an override stands at is the curator's, within what the
    # verdict can have; an override equal to the computed verdict is kept with a warning
    widget(app, "selectbox", "override_verdict").select("unproven")
    widget(app, "selectbox", "override_certainty").select("moderate")
    widget(app, "text_area", "override_reason").input("Synthetic test override.")
    submit(app, "Save override")
    assert "expected very low for the verdict Unproven" in app.error[0].value
    widget(app, "selectbox", "override_verdict").select("contested")
    widget(app, "selectbox", "override_certainty").select("high")
    submit(app, "Save override")
    assert "Override saved" in app.success[0].value
    assert "it will keep that verdict" in app.success[0].value  # contested is computed too
    with accounts.reading() as s:
        detail = claim_detail(s, claim_id)
    assert (detail["verdict"], detail["certainty"]) == ("contested", "high")
    assert detail["computed_certainty"] != "high"
    said = [w.value.replace("\\", "") for w in app.warning]
    assert any("Contested, ⊕⊕⊕⊕ high (computed: contested, ⊕" in w for w in said), said


def test_an_edit_made_meanwhile_is_a_conflict_not_an_overwrite(
    app: AppTest, accounts: Store
) -> None:
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    with accounts.transaction() as s:  # someone else, from the CLI
        edit_claim(s, claim_id=EMPTY_CLAIM, actor="other", notes="Edited elsewhere.")
    widget(app, "text_area", "edit_statement").input("A statement edited on a stale page.")
    submit(app, "Save claim")
    assert "changed since" in app.error[0].value or "version" in app.error[0].value
    with accounts.reading() as s:
        detail = claim_detail(s, EMPTY_CLAIM)
    assert detail["notes"] == "Edited elsewhere."
    assert detail["statement"] != "A statement edited on a stale page."


def test_a_chain_link_without_its_other_claim_or_that_loops_is_refused_and_a_good_one_is_made(
    app: AppTest, accounts: Store
) -> None:
    sign_in(app, "cleo")
    curate(app, "nmf-old-injury-lumbar-fibrosis")  # the first step of the seeded chain
    submit(app, "Link claims")  # no other claim chosen
    assert "choose the other claim" in app.error[0].value
    widget(app, "radio", "link_direction").set_value("next step")
    widget(app, "selectbox", "link_other").select("lumbar-nerve-root-tethering")
    submit(app, "Link claims")
    assert "loop back" in app.error[0].value
    widget(app, "radio", "link_direction").set_value("first step")
    widget(app, "selectbox", "link_relation").select("refines")
    widget(app, "selectbox", "link_other").select(EMPTY_CLAIM)
    submit(app, "Link claims")
    assert app.success[0].value.startswith("Linked\\:")
    # and removed again, behind a second button, with the reason in the history
    scope = f"nmf-old-injury-lumbar-fibrosis:refines:{EMPTY_CLAIM}"
    widget(app, "text_input", f"unlink_reason:nmf-old-injury-lumbar-fibrosis:{scope}").input(
        "Linked by mistake."
    )
    widget(app, "button", f"unlink:nmf-old-injury-lumbar-fibrosis:{scope}").click().run()
    assert app.success[0].value.startswith("Removed\\:")
    with accounts.reading() as s:
        (removal,) = [h for h in list_history(s, claim_id=EMPTY_CLAIM) if h["action"] == "delete"]
    assert removal["actor"] == "cleo" and removal["reason"] == "Linked by mistake."


def test_a_curator_adds_a_claim_and_lands_on_its_curation_page(
    app: AppTest, accounts: Store
) -> None:
    sign_in(app, "cleo")
    app.switch_page("app_pages/new_claim.py")
    app.run()
    app.text_input(key="new_id").input("synthetic-new-claim")
    app.text_area(key="new_statement").input("<script>alert(1)</script> is *claimed*.")
    app.selectbox(key="new_type").select("association")
    app.text_input(key="new_tags").input("foot, synthetic")
    submit(app, "Add claim")
    assert not app.exception and not app.error
    assert app.success[0].value == "Claim synthetic\\-new\\-claim added\\."
    assert app.query_params["id"] == "synthetic-new-claim"
    assert "\\<script\\>alert\\(1\\)\\</script\\> is \\*claimed\\*\\." in app.subheader[0].value
    with accounts.reading() as s:
        (change,) = list_history(s, claim_id="synthetic-new-claim")
    assert change["actor"] == "cleo"


def test_a_curator_demoted_meanwhile_is_refused_on_the_next_run(
    app: AppTest, accounts: Store
) -> None:
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    assert [t.value for t in app.title] == ["Curate a claim"]
    with accounts.transaction() as s:
        set_role(s, username="cleo", role="viewer", actor="ada")
    app.run()
    assert [t.value for t in app.title] == ["Curators only"]
    assert "cleo is a viewer" in app.error[0].value
    assert not app.form  # no curation form was built


def test_signing_out_returns_to_guest(app: AppTest) -> None:
    sign_in(app, "cleo")
    assert "Signed in as **cleo** (curator)." in menu(app)
    [b for b in app.sidebar.button if b.label == "Sign out"][0].click().run()
    assert "Reading as a guest." in menu(app)
    with pytest.raises(ValueError):
        app.switch_page("app_pages/curate.py")


AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a synthetic cookie secret for the tests only",
    "client_id": "evidence-tests",
    "client_secret": "synthetic",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


def test_single_sign_on_takes_its_role_from_the_local_account_of_that_email(
    app: AppTest, accounts: Store
) -> None:
    with accounts.transaction() as s:
        add_account(s, username="cleo@example.org", role="curator", password=PASSWORD, actor="t")
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": "cleo@example.org", "email_verified": True}
    app.run()
    assert "Signed in as **cleo@example\\.org** (curator)." in menu(app)
    curate(app, EMPTY_CLAIM)
    assert [t.value for t in app.title] == ["Curate a claim"]
    widget(app, "text_area", "search_query").input("tibial nerve compression Berlin")
    submit(app, "Record search")
    with accounts.reading() as s:
        assert list_history(s, claim_id=EMPTY_CLAIM, limit=1)[0]["actor"] == "cleo@example.org"


def test_single_sign_on_without_a_local_account_is_a_viewer(app: AppTest) -> None:
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": "someone@example.org", "email_verified": True}
    app.run()
    assert "Signed in as **someone@example\\.org** (viewer)." in menu(app)
    with pytest.raises(ValueError):
        app.switch_page("app_pages/curate.py")


def test_the_sign_in_page_offers_single_sign_on_only_when_configured(app: AppTest) -> None:
    app.run()
    app.switch_page("app_pages/sign_in.py")
    app.run()
    assert not [b for b in app.button if b.label == "Sign in with single sign-on"]
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": False}
    app.run()
    assert [b.label for b in app.button][0] == "Sign in with single sign-on"


def test_a_stale_form_stays_a_conflict_however_often_it_is_saved(
    app: AppTest, accounts: Store
) -> None:
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    with accounts.transaction() as s:  # someone else, from the CLI
        edit_claim(s, claim_id=EMPTY_CLAIM, actor="other", notes="Edited elsewhere.")
    app.run()  # any rerun in between
    widget(app, "text_area", "edit_statement").input("A statement edited on a stale page.")
    submit(app, "Save claim")
    assert "by someone else" in app.error[0].value
    submit(app, "Save claim")  # again
    assert "by someone else" in app.error[0].value
    app.button(key="refresh").click().run()  # take the latest
    assert widget(app, "text_area", "edit_notes").value == "Edited elsewhere."
    with accounts.reading() as s:
        assert claim_detail(s, EMPTY_CLAIM)["notes"] == "Edited elsewhere."


def test_switching_claims_never_copies_one_claim_onto_another(
    app: AppTest, accounts: Store
) -> None:
    other = "foot-orthoses-reduce-back-pain"
    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    curate(app, other)
    assert widget(app, "text_area", "edit_statement").value.startswith("Foot orthoses")
    submit(app, "Save claim")
    assert app.success[0].value == "Nothing to save\\: the claim is as it was\\."


def test_an_override_made_meanwhile_and_a_paper_linked_already_are_refused(
    app: AppTest, accounts: Store
) -> None:
    from evidence.services.records.overrides import set_override

    sign_in(app, "cleo")
    curate(app, EMPTY_CLAIM)
    with accounts.transaction() as s:
        set_override(s, claim_id=EMPTY_CLAIM, verdict="refuted", reason="Elsewhere.", actor="o")
    widget(app, "selectbox", "override_verdict").select("supported")
    widget(app, "text_area", "override_reason").input("Mine.")
    submit(app, "Save override")
    assert "by someone else" in app.error[0].value
    with accounts.reading() as s:
        assert claim_detail(s, EMPTY_CLAIM)["override"]["reason"] == "Elsewhere."

    app.button(key="refresh").click().run()
    for _ in range(2):
        widget(app, "text_input", "attach_identifier").input("PMID 90000124")
        widget(app, "text_area", "attach_rationale").input("A synthetic paper.")
        submit(app, "Attach")
    message = app.error[0].value.replace("\\", "")  # the markdown escapes
    assert f"paper 'pmid:90000124' is already linked to claim '{EMPTY_CLAIM}'" in message
    assert "revise that link under Linked papers" in message and "<-" not in message


def test_single_sign_on_with_an_unverified_address_is_not_signed_in(app: AppTest) -> None:
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": "cleo@example.org", "email_verified": False}
    app.run()
    assert "Reading as a guest." in menu(app)


def test_a_quote_without_its_source_is_an_error_and_no_claim_is_added(
    app: AppTest, accounts: Store
) -> None:
    sign_in(app, "cleo")
    app.switch_page("app_pages/new_claim.py")
    app.run()
    app.text_input(key="new_id").input("synthetic-quoted")
    app.text_area(key="new_statement").input("A synthetic statement.")
    app.text_input(key="new_quote").input("said somewhere")
    submit(app, "Add claim")
    assert "the source the quote comes from" in app.error[0].value
    with accounts.reading() as s:
        assert "synthetic-quoted" not in data_ids(s)


def data_ids(session) -> set[str]:  # noqa: ANN001
    from evidence.services.views.claim_index import claim_statements

    return set(claim_statements(session))


def test_a_write_the_database_refused_is_a_conflict_like_a_stale_version(app: AppTest) -> None:
    """Issue 15: the page told a conflict by its wording, which WriteConflict does not share."""
    from evidence.errors import ConflictError, WriteConflict

    def refused(session: object, actor: str) -> str:
        raise WriteConflict("a unique key taken an instant ago")

    def stale(session: object, actor: str) -> str:
        raise ConflictError("claim", EMPTY_CLAIM, 1, 2)

    for change in (refused, stale):
        outcome = curation.attempt(change, SignedIn("cleo", Role.curator))
        assert outcome.conflict and not outcome.ok
    done = curation.attempt(lambda session, actor: "done", SignedIn("cleo", Role.curator))
    assert (done.ok, done.conflict, done.message) == (True, False, "done")
