"""The dashboard through Streamlit's AppTest: bands, claim page, escaping, bad databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from streamlit.testing.v1 import AppTest

from evidence.services.records.claims import add_assertion, add_claim
from evidence.services.records.sources import add_source
from evidence.services.views.summaries import list_claims
from evidence.store.engine import Store
from evidence.webui import data

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    data.clear_caches()
    yield
    data.clear_caches()


@pytest.fixture
def app(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", seeded_url)
    return AppTest.from_file(APP, default_timeout=60)


def open_claim(app: AppTest, claim_id: str) -> AppTest:
    app.switch_page("app_pages/claim.py")
    app.query_params["id"] = claim_id
    return app.run()


def link_new_paper(session: object, claim_id: str, identifier: str, **link: str) -> None:
    """Store a synthetic paper and link it in support of the claim."""
    from evidence.services.records.evidence import link_evidence
    from evidence.services.records.references import add_references

    add_references(session, identifiers=[identifier.split(":", 1)[1]], actor="t")
    link_evidence(
        session,
        claim_id=claim_id,
        ref=identifier,
        actor="t",
        stance="supports",
        rationale="Synthetic.",
        **link,
    )


def texts(app: AppTest) -> str:
    """What the page says: its Markdown and captions as sent, and the HTML cards' text."""
    return "\n".join(
        [*(str(e.value) for e in [*app.markdown, *app.caption]), *map(card_text, app.html)]
    )


def card_text(element: object) -> str:
    return card_text_of(element.value)


def card_text_of(html: str) -> str:
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


def evidence_rows(app: AppTest) -> list[dict[str, str]]:
    """The claim page's evidence table (webui/evidence_table.py), each cell as its text; a
    row's "hrefs" are the addresses its links lead to."""
    (table,) = [h for h in app.html if 'class="evidence-table"' in h.value]
    block = lxml.html.fragment_fromstring(table.value, create_parent="div")
    columns = [th.text_content() for th in block.xpath("//thead//th")]
    rows = []
    for tr in block.xpath("//tbody/tr"):
        row = dict(zip(columns, (td.text_content() for td in tr.xpath("./td")), strict=True))
        row["hrefs"] = " ".join(a.get("href") for a in tr.xpath(".//a"))
        rows.append(row)
    return rows


def band_counts(app: AppTest) -> dict[str, int]:
    """The overview's head, band by band (render.band_counts_html)."""
    counts = {}
    for element in app.html:
        block = lxml.html.fragment_fromstring(element.value, create_parent="div")
        for cell in block.xpath("//div[@class='evidence-band-count']"):
            label, number, _ = cell.xpath("./div")
            counts[label.text_content()] = int(number.text_content().replace(",", ""))
    return counts


def claim_page_links(app: AppTest) -> list[tuple[str, str]]:
    """Each in-app link to a claim's page, as (its text, the claim id), in the order shown
    (render.claim_cards_html and claim_link_html: plain links the page's script keeps in
    the app)."""
    links = []
    for element in app.html:
        block = lxml.html.fragment_fromstring(element.value, create_parent="div")
        for link in block.xpath("//a[@class='evidence-page-link']"):
            page, _, query = link.get("href").partition("?")
            assert page == "claim" and query.startswith("id="), link.get("href")
            links.append((link.text_content(), unquote(query.removeprefix("id="))))
    return links


def card_links(app: AppTest) -> list[str]:
    """The claim ids the overview's cards link to, in the order shown."""
    return [claim_id for _, claim_id in claim_page_links(app)]


def test_overview_shows_three_bands_with_every_claim(app: AppTest, seeded_store: Store) -> None:
    app.run()
    assert not app.exception
    with seeded_store.reading() as s:
        claims = list_claims(s)
    counts = {
        b: sum(1 for c in claims if c["band"] == b) for b in ("supported", "disputed", "unproven")
    }
    assert band_counts(app) == {
        "Supported": counts["supported"],
        "Disputed": counts["disputed"],
        "Unproven": counts["unproven"],
    }
    headers = [h.value for h in app.header]
    assert headers == [
        f"Supported ({counts['supported']})",
        f"Disputed ({counts['disputed']})",
        f"Unproven ({counts['unproven']})",
    ]
    links = card_links(app)
    # one "Evidence and details" link per claim, twenty to a page in each band
    assert len(claims) == 40 and counts["unproven"] == 21
    assert len(links) == 39 and set(links) <= {c["id"] for c in claims}
    assert f"Claims 1–20 of {counts['unproven']}" in texts(app)
    app.get("pagination")[0].set_value(2).run()
    assert len(card_links(app)) == 40 - 20
    body = texts(app)
    assert "Claim 21 of 21" in body  # the last page holds one
    assert "⊕⊕◯◯ low" in body
    assert "Contested (moderate)" in body  # explanations are there


def test_overview_search_narrows_the_list(app: AppTest) -> None:
    app.run()
    app.text_input(key="overview_search").input("orthoses").run()
    assert len(card_links(app)) == 2  # one says so; a paper of the other is titled so
    assert "2 of 40 claims match." in texts(app)
    app.text_input(key="overview_search").input("rocker sole shoes").run()  # a title only
    assert len(card_links(app)) == 1
    app.text_input(key="overview_search").input("").run()
    app.multiselect(key="overview_types").select("prevalence").run()
    assert len(card_links(app)) == 2


def test_claim_page_shows_verdict_evidence_sources_and_chain(app: AppTest) -> None:
    open_claim(app, "lumbar-nerve-root-tethering")
    assert not app.exception and not app.error
    body = texts(app)
    assert "Unproven \\(very low\\)" in body
    assert "Why not higher" in body
    rows = evidence_rows(app)
    assert len(rows) == 4  # one row per evidence link
    assert any(r["Links"].startswith("PubMed") for r in rows)
    assert any("https://pubmed.ncbi.nlm.nih.gov/" in r["hrefs"] for r in rows)
    assert any("https://doi.org/10." in r["hrefs"] for r in rows)
    assert "Who asserts it" in [s.value for s in app.subheader]
    assert "tethering the L4-L5 and L5-S1 nerve roots" in body  # in its context (st.html)
    links = [text for text, _ in claim_page_links(app)]
    assert [t for t in links if "weakest step" in t], "the weakest step of each chain is marked"
    assert links and all(t.startswith("→ ") and t.count("→") == 1 for t in links)  # one arrow


def test_claim_page_tells_searched_from_not_assessed(app: AppTest) -> None:
    open_claim(app, "berlin-2023-tibial-compression-case-series")
    body = texts(app)
    assert "searched, nothing found" in body
    assert "No paper is linked to this claim yet." in [m.value for m in app.markdown]


def test_an_unknown_claim_id_is_reported(app: AppTest) -> None:
    open_claim(app, "no-such-claim")
    assert [e.value for e in app.error] == ["There is no claim with id 'no\\-such\\-claim'\\."]


def test_claim_text_is_shown_as_text_never_markup(app: AppTest, seeded_store: Store) -> None:
    hostile = "<script>alert(1)</script> **bold** [link](https://example.org)"
    with seeded_store.transaction() as s:
        add_source(s, key="hostile", title="<b>Title</b>", kind="other", actor="t")
        add_claim(s, claim_id="hostile-claim", statement=hostile, claim_type="causal", actor="t")
        add_assertion(
            s,
            claim_id="hostile-claim",
            source_key="hostile",
            quote="<img src=x onerror=alert(1)>",
            actor="t",
            unverified=True,  # the source has no text to find it in
        )
    open_claim(app, "hostile-claim")
    assert not app.exception
    rendered = [h.value for h in app.header] + [m.value for m in app.markdown]
    assert any("\\<script\\>alert\\(1\\)\\</script\\> \\*\\*bold\\*\\*" in r for r in rendered)
    unescaped = re.compile(r"(?<!\\)[<>]|(?<!\\)\]\(")
    assert not [r for r in rendered if unescaped.search(r)]
    # the source's title and quote are in "Who asserts it", HTML with every character escaped
    (sources,) = [h.value for h in app.html if 'class="evidence-source"' in h.value]
    assert "<img" not in sources and "<b>" not in sources
    assert "&lt;img src=x onerror=alert(1)&gt;" in sources
    assert card_text_of(sources).startswith("<b>Title</b>")


def test_an_overview_card_shows_claim_text_as_text_never_markup(
    app: AppTest, seeded_store: Store
) -> None:
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(1)> "quoted" & **bold**'
    with seeded_store.transaction() as s:
        add_claim(s, claim_id="hostile-claim", statement=hostile, claim_type="causal", actor="t")
    app.run()
    app.text_input(key="overview_search").input("hostile").run()
    assert not app.exception
    # the one claim found, in its band's block (the other block is the links' script)
    (card,) = [h for h in app.html if "evidence-card" in h.value]
    # the card's HTML holds the statement escaped: shown as these characters, run as nothing
    assert card_text(card).startswith(hostile)
    assert "<script" not in card.value and "<img" not in card.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;" in card.value
    assert "&quot;quoted&quot; &amp; **bold**" in card.value


def test_an_unusable_database_is_an_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "no database file" in app.error[0].value


def test_the_claim_page_without_an_id_asks_for_one(app: AppTest) -> None:
    app.switch_page("app_pages/claim.py")
    app.run()
    assert not app.exception
    assert [i.value for i in app.info] == [
        "Choose a claim in the sidebar, or open one from the Overview."
    ]
    picker = app.sidebar.selectbox(key="claim_choice")
    assert picker.format_func("foot-orthoses-reduce-back-pain").startswith("Foot orthoses")


def test_overview_cards_count_mixed_links_and_mark_overrides(
    app: AppTest, seeded_store: Store
) -> None:
    from evidence.services.records.overrides import set_override

    with seeded_store.transaction() as s:
        set_override(
            s,
            claim_id="yoga-relieves-whole-body-tension",
            verdict="refuted",
            reason="Synthetic override for a test.",
            actor="t",
        )
    app.run()
    body = texts(app)
    assert "3 supporting · 0 refuting · 3 mixed (count on both sides)" in body
    assert "⊕⊕◯◯ low (computed: limited support, ⊕⊕◯◯ low)" in body
    (card,) = [c for c in app.html if "Refuted · override" in c.value]
    assert "color: rgb(214, 45, 45)" in card.value  # the override's verdict, in its colour


def test_one_source_quoted_twice_is_one_card(app: AppTest) -> None:
    open_claim(app, "lumbar-root-lower-limb-neuropathy")
    (sources,) = [h.value for h in app.html if 'class="evidence-source"' in h.value]
    block = lxml.html.fragment_fromstring(sources, create_parent="div")
    (card,) = block.xpath("//div[@class='evidence-source']")
    assert len(card.xpath(".//blockquote")) == 2
    assert card.text_content().startswith("Foot Problems: A Neuromyofascial Science Perspective")


def test_links_between_claims_open_the_other_claim(app: AppTest) -> None:
    open_claim(app, "lumbar-nerve-root-tethering")
    first = app.header[0].value
    # a link changes the address (in the browser: tests/test_browser.py); the page follows it
    (linked, moved_to), *_ = [(t, i) for t, i in claim_page_links(app) if "This claim" in t]
    assert moved_to != "lumbar-nerve-root-tethering"
    app.query_params["id"] = moved_to
    app.run()
    assert not app.exception
    assert app.header[0].value != first
    assert app.sidebar.selectbox(key="claim_choice").value == moved_to
    # and a chain step too: the first steps, shared, are listed once, first
    open_claim(app, "lumbar-nerve-root-tethering")
    chain = [
        (t, i) for t, i in claim_page_links(app) if "This claim" not in t and "this claim" not in t
    ]
    assert chain[0][1] == "nmf-old-injury-lumbar-fibrosis"
    app.query_params["id"] = chain[0][1]
    app.run()
    assert app.header[0].value.startswith("Old soft\\-tissue injuries")


def test_a_change_made_elsewhere_shows_on_the_next_run(app: AppTest, seeded_store: Store) -> None:
    app.run()
    assert "40 claims." in texts(app)
    with seeded_store.transaction() as s:  # as the CLI would, from another process
        add_claim(
            s,
            claim_id="added-meanwhile",
            statement="Added while the page was open.",
            claim_type="causal",
            actor="t",
        )
    app.run()
    assert "41 claims." in texts(app)
    assert "Added while the page was open." in texts(app)


def test_claim_page_shows_notices_and_suggested_designs(app: AppTest, seeded_store: Store) -> None:
    from evidence.domain.metadata import Notice, PaperMetadata
    from evidence.domain.models import Reference
    from evidence.domain.vocab import Retraction
    from evidence.services.metadata.resolving import apply_metadata
    from evidence.services.records.references import add_references

    with seeded_store.transaction() as s:
        add_claim(
            s, claim_id="noticed", statement="A synthetic claim.", claim_type="causal", actor="t"
        )
        link_new_paper(s, "noticed", "pmid:90000077")
        meta = PaperMetadata(
            "pubmed",
            pmid="90000077",
            title="A synthetic trial",
            publication_types=("Journal Article", "Randomized Controlled Trial"),
            notices=(
                Notice(
                    Retraction.expression_of_concern,
                    "pubmed",
                    "ExpressionOfConcernIn",
                    "PMID 99900077",
                ),
            ),
        )
        ref = s.get(
            Reference, add_references(s, identifiers=["90000077"], actor="t")[0].reference.id
        )
        apply_metadata(s, ref, meta, actor="t")
    open_claim(app, "noticed")
    assert not app.exception
    assert "A synthetic trial — notices\\: PubMed\\: ExpressionOfConcernIn \\(PMID 99900077\\)" in (
        texts(app)
    )
    (row,) = evidence_rows(app)
    assert row["Paper"].startswith("EXPRESSION OF CONCERN — ")
    assert row["Design"].endswith(" (suggested by its publication types)")
    assert "metadata from PubMed\\: title" in texts(app)


def test_overview_filters_by_tag_source_certainty_and_verdict(
    app: AppTest, seeded_store: Store
) -> None:
    from collections import defaultdict

    from sqlalchemy import select

    from evidence.domain.models import Assertion, Source

    with seeded_store.reading() as s:
        claims = list_claims(s)
        sources: dict[str, set[str]] = defaultdict(set)
        for claim_id, key in s.execute(
            select(Assertion.claim_id, Source.key).join(Source, Source.id == Assertion.source_id)
        ):
            sources[claim_id].add(key)
    app.run()
    app.multiselect(key="overview_verdicts").select("contested").run()
    contested = [c for c in claims if c["verdict"] == "contested"]
    assert f"{len(contested)} of 40 claims match." in texts(app)
    app.multiselect(key="overview_verdicts").unselect("contested")
    app.multiselect(key="overview_certainties").select("low").run()
    assert f"{sum(c['certainty'] == 'low' for c in claims)} of 40 claims match." in texts(app)
    app.multiselect(key="overview_certainties").unselect("low")
    tag = sorted({t for c in claims for t in c["tags"]})[0]
    app.multiselect(key="overview_tags").select(tag).run()
    assert f"{sum(tag in c['tags'] for c in claims)} of 40 claims match." in texts(app)
    app.multiselect(key="overview_tags").unselect(tag)
    key = sorted({k for keys in sources.values() for k in keys})[0]
    app.multiselect(key="overview_sources").select(key).run()
    wanted = sum(key in keys for keys in sources.values())
    assert f"{wanted} of 40 claims match." in texts(app)
    assert len(card_links(app)) == wanted


def test_the_downloads_are_what_is_on_screen(seeded_store: Store) -> None:
    import csv
    import io

    from evidence.services.views.claim_listing import Filters, matching_claims
    from evidence.webui.downloads import claims_csv, evidence_csv, summary_maker

    with seeded_store.reading() as s:
        shown = list(matching_claims(s, Filters(query="plantar", types=("prevalence",))))
    rows = list(csv.DictReader(io.StringIO(claims_csv(shown))))
    assert [r["id"] for r in rows] == [c["id"] for c in shown] and rows
    assert rows[0]["verdict"] == shown[0]["verdict"]
    title = "Evidence summary: " + Filters(query="plantar", types=("prevalence",)).describe()
    summary = summary_maker(seeded_store, [c["id"] for c in shown], title)()
    assert summary.startswith("# Evidence summary: search “plantar”; type prevalence\n")
    assert summary.count("\n### ") == len(shown)  # a section a claim, under its band
    with seeded_store.reading() as s:
        from evidence.services.views.claim_detail import claim_detail

        detail = claim_detail(s, "foot-orthoses-reduce-back-pain")
    table = list(csv.DictReader(io.StringIO(evidence_csv(detail))))
    assert len(table) == 8 and {r["stance"] for r in table} == {"supports", "refutes"}


def test_a_spreadsheet_formula_in_a_claim_stays_text_in_the_csv() -> None:
    from evidence.webui.downloads import claims_csv

    claim = {
        "id": "x",
        "statement": '=HYPERLINK("http://evil")',
        "type": "causal",
        "tags": ["-tag"],
        "band": "unproven",
        "verdict": "unproven",
        "certainty": "very low",
        "explanation": "+1",
        "supporting": 0,
        "refuting": 0,
        "mixed": 0,
        "retracted": 0,
        "overridden": False,
        "computed_verdict": "unproven",
    }
    row = claims_csv([claim]).splitlines()[1]
    assert "'=HYPERLINK" in row and ",'-tag," in row and ",'+1," in row and ",false," in row


def test_a_paper_with_an_awkward_doi_links_out_safely() -> None:
    from evidence.webui.evidence_table import paper_links_html

    def hrefs(links: str) -> list[str]:
        block = lxml.html.fragment_fromstring(links, create_parent="div")
        return [(a.text_content(), a.get("href")) for a in block.xpath("//a")]

    awkward = paper_links_html({"doi": "10.1002/(SICI)1097-4636(199706)35:4<503::AID>3.0.CO;2-I"})
    assert hrefs(awkward) == [
        (
            "doi.org",
            "https://doi.org/10.1002/%28SICI%291097-4636%28199706%2935:4%3C503::AID%3E3.0.CO;2-I",
        )
    ]
    assert hrefs(paper_links_html({"pmid": "12345678", "doi": "10.5555/x"})) == [
        ("PubMed", "https://pubmed.ncbi.nlm.nih.gov/12345678/"),
        ("doi.org", "https://doi.org/10.5555/x"),
    ]
    assert paper_links_html({}) == "no identifier"


def test_in_a_large_ledger_the_picker_offers_what_a_search_finds(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidence.webui import picker

    monkeypatch.setattr(picker, "FULL_LIST", 10)  # the 40 starter claims count as many
    open_claim(app, "lumbar-nerve-root-tethering")
    assert not app.exception
    assert app.sidebar.selectbox(key="claim_choice").value == "lumbar-nerve-root-tethering"
    app.sidebar.text_input(key="claim_choice_find").input("orthoses").run()
    box = app.sidebar.selectbox(key="claim_choice")
    # the claim on screen first, then the two claims the search finds
    assert len(box.options) == 3 and box.value == "lumbar-nerve-root-tethering"
    box.select_index(2).run()
    # one says so, a paper of the other is titled so (as the overview's search finds them)
    assert app.query_params["id"] in {
        "foot-orthoses-reduce-back-pain",
        "healing-sole-rocker-sandal-relief",
    }
    assert app.sidebar.selectbox(key="claim_choice").value == app.query_params["id"]


def test_a_links_quote_is_on_the_claim_page_and_in_its_csv(
    app: AppTest, seeded_store: Store
) -> None:
    from evidence.webui import downloads

    quote = "Heel pain fell by half at six weeks."
    with seeded_store.transaction() as s:
        link_new_paper(s, "lumbar-nerve-root-tethering", "doi:10.5555/quoted.1", quote=quote)
    open_claim(app, "lumbar-nerve-root-tethering")
    # escaped as text, like every cell of the table, and beside it whether the paper has it
    assert "“Heel pain fell by half at six weeks.”not checkable (no abstract stored)" in [
        r["Quote from the paper"] for r in evidence_rows(app)
    ]
    with seeded_store.reading() as s:
        from evidence.services.views.claim_detail import claim_detail

        csv_text = downloads.evidence_csv(claim_detail(s, "lumbar-nerve-root-tethering"))
    assert quote in csv_text and csv_text.splitlines()[0].endswith(",rationale,quote,curator")


def test_the_evidence_table_shows_ledger_text_as_text_never_markup(
    app: AppTest, seeded_store: Store
) -> None:
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(1)> "q" & **b**'
    with seeded_store.transaction() as s:
        link_new_paper(s, "lumbar-nerve-root-tethering", "doi:10.5555/hostile.1", quote=hostile)
    open_claim(app, "lumbar-nerve-root-tethering")
    (table,) = [h for h in app.html if 'class="evidence-table"' in h.value]
    assert "<script" not in table.value and "<img" not in table.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table.value
    assert f"\u201c{hostile}\u201dnot checkable (no abstract stored)" in [
        r["Quote from the paper"] for r in evidence_rows(app)
    ]


def test_a_paper_with_no_title_or_year_yet_is_marked_pending_on_the_claim_page(
    app: AppTest, seeded_store: Store
) -> None:
    """Issue 16: "Title not recorded" with no hint of what to do about it."""
    with seeded_store.transaction() as s:
        link_new_paper(s, "lumbar-nerve-root-tethering", "doi:10.5555/pending.1")
    open_claim(app, "lumbar-nerve-root-tethering")
    papers = [r["Paper"] for r in evidence_rows(app)]
    (pending,) = [p for p in papers if "metadata pending" in p]
    assert "Title not recorded" in pending and "evidence resolve" in pending
