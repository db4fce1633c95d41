"""Screening on the dashboard (AppTest): a curator's decisions one candidate at a time, each
through the services under the curator's name, refused when another curator decided first;
and the claim's PRISMA 2020 flow on its page, in the Markdown summary and the overview.

Every paper is synthetic: PMIDs above 90000000, DOIs under 10.5555/.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from evidence.domain.metadata import Bibliographic
from evidence.domain.models import Candidate, History, Reference
from evidence.domain.vocab import Role, SearchService
from evidence.errors import NotAllowed
from evidence.services.finding.decisions import decide
from evidence.services.finding.searching import search_records
from evidence.services.records.accounts import SignedIn, add_account
from evidence.services.transfer.exporting import markdown_summary
from evidence.services.views.claim_detail import claim_detail
from evidence.store.engine import Store
from evidence.webui import curation, data, screening

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
PASSWORD = "correct horse battery staple"
CLAIM = "fascial-continuity-plantar-fascia-to-occiput"
EMPTY_CLAIM = "berlin-2023-tibial-compression-case-series"  # searched by hand, nothing linked


def paper(n: int, title: str, abstract: str, *types: str) -> Bibliographic:
    return Bibliographic(
        doi=f"10.5555/screen.{n}",
        pmid=str(90300000 + n),
        title=title,
        journal="Journal of Synthetic Musculoskeletal Research",
        year=2015 + n,
        abstract=abstract,
        publication_types=("Journal Article", *types),
    )


PUBMED = [
    paper(
        1,
        "Fascial continuity from the plantar fascia to the occiput in 12 cadavers",
        "A synthetic dissection study traced a continuous fascia from the plantar fascia "
        "along the heel cord and the back to the occiput.",
    ),
    paper(
        2,
        "Myofascial tension between the heel cord and the back: a dissection study",
        "Synthetic cadavers were dissected to follow tension from the heel cord upwards.",
    ),
    paper(
        3,
        "Plantar fascia thickness in runners: a cross-sectional study",
        "A synthetic survey measured plantar fascia thickness in 200 runners.",
        "Observational Study",
    ),
    paper(
        4,
        "Calf stretching for plantar heel pain: a randomised trial",
        "A synthetic trial of calf stretching against usual care.",
        "Randomized Controlled Trial",
    ),
    paper(5, "Walking speed in knee osteoarthritis", "Synthetic gait data from a clinic."),
    paper(6, "Dry needling for neck pain: a case report", "A synthetic case.", "Case Reports"),
]
EMBASE = [PUBMED[0], paper(7, "Thoracolumbar fascia stiffness and back pain", "Synthetic.")]


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    data.clear_caches()
    yield
    data.clear_caches()


@pytest.fixture
def ledger(seeded_store: Store) -> Store:
    """Curators cleo and ann, viewer vic; CLAIM's candidates from a PubMed search (6) and an
    Embase export (2, one of them a paper PubMed found too)."""
    with seeded_store.transaction() as s:
        for name, role in (("cleo", "curator"), ("ann", "curator"), ("vic", "viewer")):
            add_account(s, username=name, role=role, password=PASSWORD, actor="t")
        for database, service, records in (
            ("PubMed", SearchService.pubmed, PUBMED),
            ("Embase", SearchService.file, EMBASE),
        ):
            search_records(
                s,
                claim_id=CLAIM,
                service=service,
                database=database,
                query="plantar fascia occiput",
                total=len(records),
                records=records,
                actor="t",
            )
    return seeded_store


@pytest.fixture
def app(seeded_url: str, ledger: Store, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", seeded_url)
    return AppTest.from_file(APP, default_timeout=60)


def sign_in(app: AppTest, name: str) -> AppTest:
    app.run()
    app.switch_page("app_pages/sign_in.py")
    app.run()
    app.text_input(key="sign_in_name").input(name)
    app.text_input(key="sign_in_password").input(PASSWORD)
    return app.form_submit_button[0].click().run()


def screen(app: AppTest, claim_id: str = CLAIM) -> AppTest:
    app.switch_page("app_pages/screen.py")
    app.query_params["id"] = claim_id
    return app.run()


def open_claim(app: AppTest, claim_id: str = CLAIM) -> AppTest:
    app.switch_page("app_pages/claim.py")
    app.query_params["id"] = claim_id
    return app.run()


def button(app: AppTest, label: str):  # noqa: ANN201
    (found,) = [b for b in app.button if b.label == label]
    return found


def shown(app: AppTest) -> str:
    """The reference key of the candidate on screen (its buttons are keyed by it)."""
    key = button(app, "Skip").key
    return key.removeprefix(f"screen:{CLAIM}:").rsplit(":", 2)[0]


def by_key(app: AppTest, kind: str, suffix: str):  # noqa: ANN201
    (found,) = [w for w in getattr(app, kind) if (w.key or "").endswith(suffix)]
    return found


def candidate_block(app: AppTest) -> str:
    (block,) = [h.value for h in app.html if 'class="screen-candidate"' in h.value]
    return block


def text_of(html: str) -> str:
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


def states(store: Store, claim_id: str = CLAIM) -> dict[str, tuple[str, str | None]]:
    with store.reading() as s:
        rows = s.execute(
            select(Reference.key, Candidate.state, Candidate.reason)
            .join(Candidate, Candidate.reference_id == Reference.id)
            .where(Candidate.claim_id == claim_id)
        ).all()
    return {key: (state, reason) for key, state, reason in rows}


def flash(app: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*app.success, *app.warning, *app.error]).replace(
        "\\", ""
    )


# --- screening -------------------------------------------------------------------------------


def test_a_curator_screens_candidates_one_at_a_time(app: AppTest, ledger: Store) -> None:
    sign_in(app, "cleo")
    screen(app)
    assert not app.exception and not app.error
    (bar,) = app.get("progress")
    assert "0 of 7 screened, 0 included" in bar.proto.text
    first = shown(app)
    # the likeliest first: the paper that says what the claim says
    assert first == "pmid:90300001"
    block = text_of(candidate_block(app))
    assert "Fascial continuity from the plantar fascia to the occiput" in block
    assert "doi:10.5555/screen.1" in block and "PMID 90300001" in block
    assert "<mark" in candidate_block(app)  # the claim's words marked

    button(app, "Maybe").click().run()
    assert "maybe" in flash(app)
    second = shown(app)
    assert second != first

    by_key(app, "selectbox", ":reason").set_value("wrong_population")
    button(app, "Exclude").click().run()
    assert "Excluded" in flash(app) and "(wrong population)" in flash(app)
    third = shown(app)

    button(app, "Include").click().run()  # the judgement form, nothing written yet
    assert states(ledger)[third] == ("unscreened", None)
    button(app, "Include now, judge later").click().run()
    assert "to judge later" in flash(app)
    fourth = shown(app)
    button(app, "Skip").click().run()  # nothing written: the next one shows
    assert shown(app) not in (fourth, first, second, third)
    assert states(ledger)[fourth] == ("unscreened", None)

    found = states(ledger)
    assert found[first] == ("maybe", None)
    assert found[second] == ("excluded", "wrong_population")
    assert found[third] == ("included", None)
    (bar,) = app.get("progress")
    assert "3 of 7 screened, 1 included" in bar.proto.text
    with ledger.reading() as s:
        actors = s.scalars(select(History.actor).where(History.entity == "candidate")).all()
    assert actors == ["cleo"] * 3
    # the paper included without a judgement waits below, to be judged on this page
    assert "Included, not yet judged (1)" in [h.value for h in app.subheader]


def test_an_exclusion_needs_a_reason_and_other_needs_words(app: AppTest, ledger: Store) -> None:
    sign_in(app, "cleo")
    screen(app)
    first = shown(app)
    button(app, "Exclude").click().run()
    assert "Choose why it is excluded" in flash(app)
    assert states(ledger)[first] == ("unscreened", None)

    by_key(app, "selectbox", ":reason").set_value("other")
    button(app, "Exclude").click().run()
    assert "an exclusion for another reason says which" in flash(app)
    assert states(ledger)[first] == ("unscreened", None) and shown(app) == first

    by_key(app, "text_input", ":reason_text").input("a conference abstract only")
    button(app, "Exclude").click().run()
    assert "(other)" in flash(app)
    assert states(ledger)[first] == ("excluded", "other")
    with ledger.reading() as s:
        text = s.scalar(select(Candidate.reason_text).where(Candidate.state == "excluded"))
    assert text == "a conference abstract only"


def test_including_with_a_judgement_links_it_and_moves_the_counts(
    app: AppTest, ledger: Store
) -> None:
    with ledger.reading() as s:
        before = claim_detail(s, CLAIM)
    sign_in(app, "cleo")
    screen(app)
    first = shown(app)
    button(app, "Include").click().run()
    assert "Suggested design" not in text_of(candidate_block(app))  # a plain journal article
    button(app, "Include and link as evidence").click().run()
    assert "Write the rationale" in flash(app)  # and nothing written
    assert states(ledger)[first] == ("unscreened", None)

    by_key(app, "selectbox", ":stance").set_value("supports")
    by_key(app, "selectbox", ":design").set_value("cadaver_anatomical")
    by_key(app, "text_area", ":rationale").input("A synthetic dissection that bears on it.")
    button(app, "Include and link as evidence").click().run()
    assert not app.exception
    assert "linked it as evidence (supports)" in flash(app) and "Now:" in flash(app)
    with ledger.reading() as s:
        after = claim_detail(s, CLAIM)
    assert after["supporting"] == before["supporting"] + 1
    (link,) = [e for e in after["evidence"] if e["reference"]["key"] == first]
    assert (link["stance"], link["design"], link["curator"]) == (
        "supports",
        "cadaver_anatomical",
        "cleo",
    )
    assert after["prisma"]["judged"] == 1 and after["included_not_judged"] == []


def test_a_paper_included_for_later_is_judged_on_the_page(app: AppTest, ledger: Store) -> None:
    sign_in(app, "cleo")
    screen(app)
    first = shown(app)
    button(app, "Include").click().run()
    button(app, "Include now, judge later").click().run()
    (expander,) = [e for e in app.expander if "Fascial continuity" in e.label]
    form = f"screen:{CLAIM}:{first}:later"
    app.text_area(key=f"{form}:rationale").input("A synthetic dissection, judged later.")
    app.button(key=f"{form}:link").click().run()
    assert "Linked" in flash(app), flash(app)
    with ledger.reading() as s:
        detail = claim_detail(s, CLAIM)
    assert first in [e["reference"]["key"] for e in detail["evidence"]]
    assert not [e for e in app.expander if "Fascial continuity" in e.label]


def test_a_decision_made_meanwhile_by_another_curator_is_not_overwritten(
    app: AppTest, ledger: Store
) -> None:
    sign_in(app, "cleo")
    screen(app)
    first = shown(app)
    with ledger.transaction() as s:  # ann, in another tab, is quicker
        decide(s, claim_id=CLAIM, ref=first, decision="exclude", reason="wrong_design", actor="ann")
    by_key(app, "selectbox", ":reason").set_value("duplicate")
    button(app, "Exclude").click().run()
    assert not app.exception
    said = flash(app)
    assert "ann decided" in said and "it is now excluded (wrong design)" in said
    assert "was not recorded" in said
    assert [w.value for w in app.warning]  # a warning, not a success
    assert states(ledger)[first] == ("excluded", "wrong_design")  # theirs stands
    assert shown(app) != first  # and the queue moves on


def test_a_claim_with_no_candidates_says_how_to_get_some(app: AppTest) -> None:
    sign_in(app, "cleo")
    screen(app, EMPTY_CLAIM)
    assert not app.exception
    assert any("no candidates yet" in i.value for i in app.info)
    assert [c.value for c in app.code] == [f'evidence search {EMPTY_CLAIM} --pubmed "..."']


def test_a_viewer_or_a_guest_is_refused_the_screen_page(app: AppTest) -> None:
    app.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("app_pages/screen.py")  # a guest: only the refusing stand-in
    sign_in(app, "vic")
    with pytest.raises(ValueError):
        app.switch_page("app_pages/screen.py")
    # and a decision attempted for a viewer is refused by the write itself
    outcome = curation.attempt(
        screening.screen,
        SignedIn("vic", Role.viewer),
        claim_id=CLAIM,
        ref="pmid:90300001",
        decision="include",
        version=1,
    )
    assert isinstance(outcome.error, NotAllowed)


# --- escaping ---------------------------------------------------------------------------------

HOSTILE_TITLE = '<script>alert("t")</script> Tibial nerve <b>compression</b> & "quotes"'
HOSTILE_ABSTRACT = "<img src=x onerror=alert(1)> &quot;tibial&quot; nerve compression [x](y)"


def test_a_hostile_title_abstract_and_database_are_shown_as_text(
    app: AppTest, ledger: Store
) -> None:
    with ledger.transaction() as s:
        search_records(
            s,
            claim_id=EMPTY_CLAIM,
            service=SearchService.file,
            database='Embase <script>alert("db")</script>',
            query="tibial",
            total=1,
            records=[paper(9, HOSTILE_TITLE, HOSTILE_ABSTRACT)],
            actor="t",
        )
    sign_in(app, "cleo")
    screen(app, EMPTY_CLAIM)
    assert not app.exception
    block = candidate_block(app)
    assert "<script" not in block and "<img" not in block and "<b>" not in block
    # shown as the characters they are, the claim's words marked around them
    text = text_of(block)
    assert HOSTILE_TITLE in text and HOSTILE_ABSTRACT in text
    assert "&amp;quot;" in block  # an entity in the text stays text, not a quote mark
    assert re.search(r"<mark[^>]*>Tibial</mark>", block)
    assert re.search(r"<mark[^>]*>compression</mark>", block)

    open_claim(app, EMPTY_CLAIM)
    svg = diagram_svg(app)
    assert "<script" not in svg and "&lt;script&gt;" in svg  # text in the drawing, escaped
    assert 'Embase <script>alert("db")</script> (n = 1)' in diagram_text(app)


# --- the PRISMA flow ------------------------------------------------------------------------


def decide_some(store: Store) -> None:
    """Two excluded (two reasons), one maybe, one included and judged, one included only."""
    with store.transaction() as s:
        for ref, decision, reason in (
            ("pmid:90300005", "exclude", "wrong_population"),
            ("pmid:90300006", "exclude", "wrong_design"),
            ("pmid:90300003", "maybe", None),
            ("pmid:90300002", "include", None),
        ):
            decide(s, claim_id=CLAIM, ref=ref, decision=decision, reason=reason, actor="ann")
    from evidence.services.finding.decisions import Appraisal

    with store.transaction() as s:
        decide(
            s,
            claim_id=CLAIM,
            ref="pmid:90300001",
            decision="include",
            appraisal=Appraisal("supports", "A synthetic dissection."),
            actor="ann",
        )


def diagram_svg(app: AppTest) -> str:
    """The claim page's PRISMA diagram: the SVG an image in its block of HTML shows."""
    (diagram,) = [h.value for h in app.html if 'class="prisma-flow"' in h.value]
    (image,) = lxml.html.fragment_fromstring(diagram, create_parent="div").xpath("//img")
    assert image.get("alt").startswith("PRISMA 2020 flow diagram: ")
    kind, _, encoded = image.get("src").partition(",")
    assert kind == "data:image/svg+xml;base64"
    return base64.b64decode(encoded).decode()


def diagram_text(app: AppTest) -> str:
    svg = diagram_svg(app)
    assert svg.startswith("<svg") and "<title>" not in svg
    return " ".join(" ".join(lxml.etree.fromstring(svg.encode()).itertext()).split())


def test_the_claim_page_shows_the_prisma_flow_with_its_numbers(app: AppTest, ledger: Store) -> None:
    decide_some(ledger)
    app.run()
    open_claim(app)
    assert not app.exception and not app.error
    assert "Screening: PRISMA 2020 flow" in [s.value for s in app.subheader]
    drawn = diagram_text(app)
    for said in (
        "Records identified (n = 8)",
        "PubMed (n = 6)",
        "Embase (n = 2)",
        "duplicates (n = 1)",
        "Candidates after duplicates removed (n = 7)",
        "Awaiting screening (n = 2)",
        "Records screened (title and abstract) (n = 5)",
        "Records excluded (n = 2)",
        "wrong population (n = 1)",
        "wrong design (n = 1)",
        "Maybe: to look at again (n = 1)",
        "Included for appraisal (n = 2)",
        "Judged: linked as evidence (n = 1)",
        "Included, not yet judged (n = 1)",
    ):
        assert said in drawn, said
    captions = " ".join(str(c.value) for c in app.caption).replace("\\", "")
    assert "8 identified · 1 duplicates removed · 5 of 7 screened · 2 excluded" in captions
    # the one included and not judged, listed; a guest gets no link to judge it
    (listed,) = [h.value for h in app.html if 'class="included-not-judged"' in h.value]
    assert "Myofascial tension between the heel cord" in text_of(listed)
    assert "screen?id=" not in listed
    assert "Included, not yet judged (1)" in " ".join(m.value for m in app.markdown)


def test_a_curator_is_led_from_the_list_to_the_screen_page(app: AppTest, ledger: Store) -> None:
    decide_some(ledger)
    sign_in(app, "cleo")
    open_claim(app)
    (listed,) = [h.value for h in app.html if 'class="included-not-judged"' in h.value]
    assert f'href="screen?id={CLAIM}"' in listed


def test_no_flow_without_a_search_the_tool_ran(app: AppTest, ledger: Store) -> None:
    open_claim(app, EMPTY_CLAIM)  # searched by hand only
    assert not app.exception
    assert "Screening: PRISMA 2020 flow" not in [s.value for s in app.subheader]
    assert not [h for h in app.html if 'class="prisma-flow"' in h.value]


def test_screened_to_the_end_with_nothing_included_says_so(app: AppTest, ledger: Store) -> None:
    with ledger.transaction() as s:
        for key in states(ledger):
            decide(
                s, claim_id=CLAIM, ref=key, decision="exclude", reason="wrong_outcome", actor="ann"
            )
    open_claim(app)
    said = " ".join(m.value for m in app.markdown).replace("\\", "")
    assert "Searched, nothing found: Embase" in said and "none included" in said
    assert "Records excluded (n = 7)" in diagram_text(app)
    sign_in(app, "cleo")
    screen(app)
    assert any("Nothing left to screen" in s.value for s in app.success)


def test_the_markdown_summary_has_the_flow_only_for_claims_searched_by_the_tool(
    ledger: Store,
) -> None:
    decide_some(ledger)
    with ledger.reading() as s:
        summary = "".join(markdown_summary(s, [CLAIM, EMPTY_CLAIM], title="Screened"))
    assert summary.count("PRISMA 2020 flow:") == 1
    section = summary.split("PRISMA 2020 flow:", 1)[1].split("\n\n", 2)[1]
    rows = dict(
        (cells[0].strip().lstrip("\u2003"), int(cells[1].replace(",", "")))
        for line in section.splitlines()[2:]
        for cells in [line.strip("|").split("|")]
    )
    assert rows == {
        "Records identified": 8,
        "from PubMed": 6,
        "from Embase": 2,
        "Duplicates removed": 1,
        "Candidates screened (title and abstract)": 5,
        "Awaiting screening": 2,
        "Excluded": 2,
        "wrong population": 1,
        "wrong design": 1,
        "Maybe (to look at again)": 1,
        "Included": 2,
        "Judged (linked as evidence)": 1,
        "Included, not yet judged": 1,
    }
    # the claim searched by hand has its searches listed, and no flow
    berlin = summary.split(f"`{EMPTY_CLAIM}`")[-1]
    assert "Searches:" in berlin and "PRISMA" not in berlin


# --- the overview's notice --------------------------------------------------------------------


def test_curators_are_told_of_new_candidates_from_a_rerun(app: AppTest, ledger: Store) -> None:
    with ledger.reading() as s:
        first = claim_detail(s, CLAIM)["prisma"]["searches"][0]["id"]
    with ledger.transaction() as s:
        search_records(
            s,
            claim_id=CLAIM,
            service=SearchService.pubmed,
            database="PubMed",
            query="plantar fascia occiput",
            total=7,
            records=[*PUBMED, paper(8, "A new synthetic dissection of the fascia", "New.")],
            actor="t",
            rerun_of=first,
        )
    app.run()  # a guest: no notice
    assert not [h for h in app.html if 'class="new-candidates"' in h.value]
    sign_in(app, "cleo")
    app.switch_page("app_pages/overview.py")
    app.run()
    (notice,) = [h.value for h in app.html if 'class="new-candidates"' in h.value]
    assert f'href="screen?id={CLAIM}"' in notice
    assert "re-run searches" in text_of(notice) and "(1 new)" in text_of(notice)
    with ledger.transaction() as s:  # screened: the notice goes
        decide(s, claim_id=CLAIM, ref="pmid:90300008", decision="maybe", actor="ann")
    app.run()
    assert not [h for h in app.html if 'class="new-candidates"' in h.value]
