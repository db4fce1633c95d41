"""Quotes in their documents on the dashboard (AppTest): a source's quote in context on the
claim page, an evidence link's quote checked against its paper, a source's document with its
claims marked on the sources page, and the curation form's "unverified" quotes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from evidence.domain.models import Source
from evidence.domain.quote_location import QuoteMatch
from evidence.formats.document_text import DocumentText, TextFormat
from evidence.services.records.accounts import add_account
from evidence.services.records.claims import add_assertion, add_claim
from evidence.services.records.evidence import link_evidence
from evidence.services.records.references import add_references
from evidence.services.records.sources import add_source
from evidence.services.views.claim_detail import claim_detail
from evidence.store.engine import Store
from evidence.webui import data
from evidence.webui.quotes_html import document_html, tidy

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
CLAIM = "lumbar-nerve-root-tethering"
QUOTE = (
    "Persistent structural changes create abnormal tension, tethering the L4-L5 and L5-S1 "
    "nerve roots."
)
DECK = "000_b276ca4228422a67.txt"  # the slide deck that says it
HOSTILE_TEXT = (
    "An opening line.\n\nThe next sentence says <b>bold</b> things. "
    'It runs <script>alert(1)</script> & "quotes" here. And a closing one.\n'
)
HOSTILE_QUOTE = 'It runs <script>alert(1)</script> & "quotes" here.'
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    data.clear_caches()
    yield
    data.clear_caches()


@pytest.fixture
def app(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("EVIDENCE_DATABASE_URL", seeded_url)
    return AppTest.from_file(APP, default_timeout=60)


def open_page(app: AppTest, page: str, **params: str) -> AppTest:
    app.run()  # a page registered under its own url_path is found after a first run
    app.switch_page(f"app_pages/{page}.py")
    for k, v in params.items():
        app.query_params[k] = v
    app.run()
    assert not app.exception, app.exception
    return app


def block(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def html_with(app: AppTest, css_class: str) -> list[str]:
    return [h.value for h in app.html if f'class="{css_class}"' in h.value]


def source_cards(app: AppTest) -> list[lxml.html.HtmlElement]:
    """The claim page's "Who asserts it" cards (quotes_html.asserted_by_html)."""
    (cards,) = html_with(app, "evidence-source")
    return block(cards).xpath("//div[@class='evidence-source']")


def quotes_shown(app: AppTest) -> list[dict[str, str]]:
    """Each quote of "Who asserts it": its block's text, the marked words and its state."""
    out = []
    for card in source_cards(app):
        for quote in card.xpath(".//blockquote[@class='evidence-quote']"):
            (state,) = quote.xpath("following-sibling::p[@class='evidence-quote-state'][1]")
            out.append(
                {
                    "text": quote.text_content(),
                    "marked": " | ".join(m.text_content() for m in quote.xpath(".//mark")),
                    "state": state.text_content(),
                }
            )
    return out


def with_text(session: Session, key: str, text: str, **fields: str) -> None:
    add_source(
        session,
        key=key,
        title=fields.pop("title", f"Source {key}"),
        kind=fields.pop("kind", "other"),
        actor="t",
        text=DocumentText(text, TextFormat.text),
        **fields,
    )


# --- the claim page: each asserting source's quote in its context --------------------------


def test_a_sources_quote_is_shown_in_its_context_with_the_quote_marked(app: AppTest) -> None:
    open_page(app, "claim", id=CLAIM)
    assert not app.error
    (card,) = source_cards(app)
    assert "Foot Problems: A Neuromyofascial Science Perspective" in card.text_content()
    (shown,) = quotes_shown(app)
    assert shown["marked"] == QUOTE
    # the line before and after it on the slide, and the state beside it
    before, _, after = shown["text"].partition(QUOTE)
    assert before.strip().endswith("Neural Compression") and after.strip()
    assert shown["state"] == "found in the document"
    # a slide's runs of blank and space-only lines read as one blank line
    assert "\n\n\n" not in shown["text"] and " \n" not in shown["text"]


def test_one_source_quoted_twice_is_one_card_with_both_quotes(app: AppTest) -> None:
    open_page(app, "claim", id="lumbar-root-lower-limb-neuropathy")
    (card,) = source_cards(app)
    assert len(card.xpath(".//mark")) == 2
    assert [q["state"] for q in quotes_shown(app)] == ["found in the document"] * 2


def test_a_hostile_quote_and_its_document_stay_text_never_markup(
    app: AppTest, seeded_store: Store
) -> None:
    with seeded_store.transaction() as s:
        with_text(s, "hostile", HOSTILE_TEXT, title="<b>Title</b> <img src=x onerror=alert(1)>")
        add_claim(
            s, claim_id="hostile-claim", statement="<i>Hostile</i>.", claim_type="causal", actor="t"
        )
        add_assertion(
            s, claim_id="hostile-claim", source_key="hostile", quote=HOSTILE_QUOTE, actor="t"
        )
    open_page(app, "claim", id="hostile-claim")
    (cards,) = html_with(app, "evidence-source")
    for markup in ("<script", "<b>", "<img", "<i>"):
        assert markup not in cards
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in cards
    (shown,) = quotes_shown(app)
    assert shown["marked"] == HOSTILE_QUOTE  # shown as these very characters
    assert "says <b>bold</b> things." in shown["text"]  # the sentence before, as text
    (card,) = source_cards(app)
    assert card.text_content().startswith("<b>Title</b> <img src=x onerror=alert(1)>")

    # and on the sources page, the whole document
    document = open_document(open_page(app, "sources"), "hostile", kinds=("other",))
    for markup in ("<script", "<b>", "<img"):
        assert markup not in document
    text = block(document).xpath("//div[@class='evidence-document']")[0].text_content()
    assert text.startswith(HOSTILE_TEXT.strip().split(" It runs")[0])
    assert HOSTILE_QUOTE in text


def test_each_state_of_a_sources_quote_is_said_beside_it(app: AppTest, seeded_store: Store) -> None:
    text = "First we say one thing. Heel pain comes from the lower back in most people. Then more."
    with seeded_store.transaction() as s:
        with_text(s, "said", text)
        add_source(s, key="no-text", title="A source with no text", kind="other", actor="t")
        add_claim(s, claim_id="quoted-claim", statement="Quoted.", claim_type="causal", actor="t")
        for key, quote, unverified in (
            ("said", "Heel pain comes from the lower back in most people.", False),
            ("said", "Heel pain comes from the lower spine in most people.", False),  # one word
            ("said", "Nothing like this is in the text at all.", True),
            ("no-text", "Whatever it says.", True),
        ):
            add_assertion(
                s,
                claim_id="quoted-claim",
                source_key=key,
                quote=quote,
                actor="t",
                unverified=unverified,
            )
        (near,) = [q for q in claim_detail(s, "quoted-claim")["sources"] if "spine" in q["quote"]]
    assert near["quote_match"] == QuoteMatch.fuzzy.value and near["quote_score"] is not None
    open_page(app, "claim", id="quoted-claim")
    shown = {q["text"].strip(): q for q in quotes_shown(app)}
    states = [q["state"] for q in quotes_shown(app)]
    assert states == [
        "the source's text is not stored",
        "found in the document",
        f"nearly found (score {near['quote_score']:g}): check the wording · recorded as "
        "\u201cHeel pain comes from the lower spine in most people.\u201d",
        "not found in the document's text",
    ]
    # a near match marks the document's own words, in their context
    (fuzzy,) = [q for q in shown.values() if q["state"].startswith("nearly found")]
    assert fuzzy["marked"] == "Heel pain comes from the lower back in most people."
    assert fuzzy["text"] == text
    # a quote not found (or with nothing to find it in) is the quote as recorded, unmarked
    assert shown["\u201cNothing like this is in the text at all.\u201d"]["marked"] == ""
    assert shown["\u201cWhatever it says.\u201d"]["marked"] == ""


# --- the claim page: an evidence link's quote, checked against its paper ---------------------


def evidence_rows(app: AppTest) -> list[dict[str, str]]:
    (table,) = html_with(app, "evidence-table")
    root = block(table)
    columns = [th.text_content() for th in root.xpath("//thead//th")]
    return [
        dict(zip(columns, (td.text_content() for td in tr.xpath("./td")), strict=True))
        for tr in root.xpath("//tbody/tr")
    ]


ABSTRACT = (
    "Background: heel pain is common. Results: heel pain fell by half at six weeks in the "
    "treated group. Conclusion: it may help."
)


def test_an_evidence_quote_says_whether_its_paper_has_it(app: AppTest, seeded_store: Store) -> None:
    with seeded_store.transaction() as s:
        before = claim_detail(s, CLAIM)
        for n, quote, abstract in (
            (1, "heel pain fell by half at six weeks", ABSTRACT),
            (2, "heel pain fell by a half at six weeks in the treated group", ABSTRACT),
            (3, "the knees were never mentioned by anyone", ABSTRACT),
            (4, "heel pain fell by half at six weeks", None),
        ):
            (added,) = add_references(s, identifiers=[f"10.5555/checked.{n}"], actor="t")
            added.reference.title, added.reference.year = f"Synthetic trial {n}", 2020
            added.reference.abstract = abstract
            link_evidence(
                s,
                claim_id=CLAIM,
                ref=added.reference.key,
                actor="t",
                stance="supports",
                rationale="Synthetic.",
                quote=quote,
            )
        after = claim_detail(s, CLAIM)
    open_page(app, "claim", id=CLAIM)
    quotes = {
        r["Paper"]: r["Quote from the paper"]
        for r in evidence_rows(app)
        if r["Paper"].startswith("Synthetic trial")
    }
    assert quotes["Synthetic trial 1"].endswith("\u2713 verified in the paper's title or abstract")
    near = quotes["Synthetic trial 2"]
    assert "\u2713 verified, nearly (score " in near and near.endswith("): check the wording")
    assert quotes["Synthetic trial 3"] == (
        "\u201cthe knees were never mentioned by anyone\u201d"
        "\u26a0 QUOTE NOT FOUND in the paper's title or abstract"
    )
    assert quotes["Synthetic trial 4"].endswith("not checkable (no abstract stored)")
    # flagged as a retraction is, in strong capitals
    (table,) = html_with(app, "evidence-table")
    assert "<strong>\u26a0 QUOTE NOT FOUND</strong>" in table
    # the check is what the reader is told, not part of the grading: the link still counts
    (row,) = [r for r in evidence_rows(app) if r["Paper"] == "Synthetic trial 3"]
    assert "excluded" not in row["Certainty"] and "not counted" not in row["Certainty"]
    assert after["supporting"] == before["supporting"] + 4
    checks = [e["quote_check"] for e in after["evidence"] if e["quote_check"]]
    assert sorted(c["state"] for c in checks) == [
        "not_checkable",
        "not_found",
        "verified",
        "verified",
    ]


def test_a_link_without_a_quote_shows_no_check(app: AppTest) -> None:
    open_page(app, "claim", id=CLAIM)
    (table,) = html_with(app, "evidence-table")
    assert "evidence-quote-check" not in table


# --- the sources page: a document with its claims marked -------------------------------------


def open_document(app: AppTest, key: str, *, kinds: tuple[str, ...] = ()) -> str:
    """Turn on the source's document on the sources page; the block of HTML it is in."""
    if kinds:
        app.multiselect(key="sources_kinds").set_value(list(kinds)).run()
    app.toggle(key=f"source_document_{key}").set_value(True).run()
    assert not app.exception, app.exception
    (document,) = html_with(app, "evidence-document")
    return document


def claim_links(root: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    links = []
    for a in root.xpath(".//a[@class='evidence-page-link']"):
        page, _, query = a.get("href").partition("?")
        assert page == "claim" and query.startswith("id="), a.get("href")
        links.append((a.text_content(), unquote(query.removeprefix("id="))))
    return links


def test_no_document_is_read_or_drawn_until_asked_for(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    reads = data.source_document
    monkeypatch.setattr(data, "source_document", lambda key: asked.append(key) or reads(key))
    open_page(app, "sources")
    assert not html_with(app, "evidence-document") and asked == []
    toggles = [t for t in app.toggle if (t.key or "").startswith("source_document_")]
    assert len(toggles) == 5 and not any(t.value for t in toggles)
    open_document(app, DECK)
    assert asked == [DECK]


def test_the_sources_page_shows_a_document_with_each_claim_marked_and_linked(
    app: AppTest, seeded_store: Store
) -> None:
    with seeded_store.reading() as s:
        source = s.scalar(select(Source).where(col(Source.key) == DECK))
        assert source is not None and source.text is not None
        sha, size = source.text_sha256, source.text_size
    document = open_document(open_page(app, "sources"), DECK)
    root = block(document)
    (text,) = root.xpath("//div[@class='evidence-document']")
    marks = text.xpath(".//mark")
    assert QUOTE in [m.text_content() for m in marks]
    # each mark is followed by its claim's number, a link to the claim's page
    labels = claim_links(text)
    numbers = list(dict.fromkeys(n for n, _ in labels))  # a claim quoted twice: one number
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)]
    assert CLAIM in {claim_id for _, claim_id in labels}
    # and the claims are listed below by number, each a link with its verdict
    listed = [(t, c) for t, c in claim_links(root) if (t, c) not in labels]
    assert [c for _, c in listed] == list(dict.fromkeys(c for _, c in labels))
    assert listed[0][0].startswith("\u2192 1. ")
    # the text as stored, its blank lines tidied: nothing lost, nothing added
    with seeded_store.reading() as s:
        stored = s.scalar(select(Source.text).where(col(Source.key) == DECK))
    assert "".join(text.xpath(".//text()[not(ancestor::a)]")) == tidy(stored or "").strip()
    assert f"{size:,} bytes" in document and f"SHA-256 {sha}" in root.text_content()
    assert "quotes not found" not in root.text_content().lower()


def test_a_documents_quotes_not_found_are_listed_below_it(
    app: AppTest, seeded_store: Store
) -> None:
    with seeded_store.transaction() as s:
        with_text(s, "listed", "One sentence is here. Another follows it.")
        add_claim(s, claim_id="found-claim", statement="Found.", claim_type="causal", actor="t")
        add_claim(s, claim_id="lost-claim", statement="Lost.", claim_type="causal", actor="t")
        add_assertion(
            s, claim_id="found-claim", source_key="listed", quote="Another follows it.", actor="t"
        )
        add_assertion(
            s,
            claim_id="lost-claim",
            source_key="listed",
            quote="Not a word of this is there.",
            actor="t",
            unverified=True,
        )
    document = open_document(open_page(app, "sources"), "listed", kinds=("other",))
    root = block(document)
    (missing,) = root.xpath("//div[@class='evidence-missing-quote']")
    assert missing.text_content().startswith(
        "\u201cNot a word of this is there.\u201d not found in the document's text"
    )
    assert claim_links(missing) == [("\u2192 Lost.", "lost-claim")]
    (text,) = root.xpath("//div[@class='evidence-document']")
    assert [m.text_content() for m in text.xpath(".//mark")] == ["Another follows it."]
    assert "1 of 2 quotes found in it" in root.text_content()


def test_a_source_without_text_says_so_when_its_document_is_asked_for(
    app: AppTest, seeded_store: Store
) -> None:
    with seeded_store.transaction() as s:
        add_source(s, key="bare", title="Bare", kind="other", actor="t")
    open_page(app, "sources")
    app.multiselect(key="sources_kinds").set_value(["other"]).run()
    app.toggle(key="source_document_bare").set_value(True).run()
    assert not html_with(app, "evidence-document")
    assert any("text is not stored" in c.value for c in app.caption)


def test_overlapping_and_nested_quotes_make_flat_well_formed_marks() -> None:
    text = "Alpha beta gamma delta epsilon zeta eta theta."

    def at(words: str, claim_id: str) -> dict[str, object]:
        start = text.index(words)
        return {
            "claim_id": claim_id,
            "quote": words,
            "match": "exact",
            "score": 100.0,
            "start": start,
            "end": start + len(words),
        }

    quotes = [
        at("beta gamma delta", "a"),  # overlaps the next
        at("delta epsilon", "b"),
        at("Alpha beta gamma delta epsilon zeta", "c"),  # holds both
        at("gamma", "d"),  # inside all three
        {**at("theta", "e"), "match": "not_found", "start": None, "end": None},
    ]
    document = {"text": text, "quotes": quotes}
    claims = {c: {"statement": f"Claim <{c}>", "verdict": "supported"} for c in "abcde"}
    out = document_html(document, claims)
    root = block(out)
    # well formed: what lxml parsed is what was written (no mark left open, none nested)
    assert lxml.html.tostring(root, encoding="unicode").count("<mark") == out.count("<mark")
    assert not root.xpath("//mark//mark") and not root.xpath("//mark//a")
    (shown,) = root.xpath("//div[@class='evidence-document']")
    plain = "".join(shown.xpath(".//text()[not(ancestor::a)]"))
    assert plain == text  # every character once, in order
    marked = "".join(m.text_content() for m in shown.xpath(".//mark"))
    assert marked == "Alpha beta gamma delta epsilon zeta"
    # numbered in the order the claims start, each label after its quote's last word
    assert [a.text_content() for a in shown.xpath(".//a")] == ["3", "2", "4", "1"]
    assert [c for _, c in claim_links(shown)] == ["d", "a", "b", "c"]
    # the words two or more quotes share are marked darker; the hover names their claims
    (gamma,) = [m for m in shown.xpath(".//mark") if m.text_content() == "gamma"]
    assert "0.6" in gamma.get("style")
    assert gamma.get("title") == "1. Claim <c> · 2. Claim <a> · 3. Claim <d>"
    assert "&lt;c&gt;" in out and "<c>" not in out
    (missing,) = root.xpath("//div[@class='evidence-missing-quote']")
    assert "\u201ctheta\u201d" in missing.text_content()


# --- curation: a quote not in its source's text ----------------------------------------------


@pytest.fixture
def curator(seeded_store: Store) -> Store:
    with seeded_store.transaction() as s:
        add_account(s, username="cleo", role="curator", password=PASSWORD, actor="t")
    return seeded_store


def sign_in_and_curate(app: AppTest, claim_id: str) -> AppTest:
    app.run()
    app.switch_page("app_pages/sign_in.py")
    app.run()
    app.text_input(key="sign_in_name").input("cleo")
    app.text_input(key="sign_in_password").input(PASSWORD)
    app.form_submit_button[0].click().run()
    app.switch_page("app_pages/curate.py")
    app.query_params["id"] = claim_id
    return app.run()


def widget(app: AppTest, kind: str, name: str):  # noqa: ANN201
    (found,) = [w for w in getattr(app, kind) if (w.key or "").startswith(name + ":")]
    return found


def test_a_quote_not_in_its_source_is_refused_unless_marked_unverified(
    app: AppTest, curator: Store
) -> None:
    sign_in_and_curate(app, CLAIM)
    said = "Words the slide deck never used."
    widget(app, "selectbox", "assert_source").set_value(DECK)
    widget(app, "text_input", "assert_quote").input(said)
    (add,) = [b for b in app.form_submit_button if b.label == "Add quote"]
    add.click().run()
    message = app.error[0].value.replace("\\", "")  # the markdown escapes
    assert f"is not in the text of source '{DECK}', exactly or nearly" in message
    assert "tick “Unverified”" in message and "--unverified" not in message
    with curator.reading() as s:
        assert said not in [q["quote"] for q in claim_detail(s, CLAIM)["sources"]]

    # the form kept what was typed: tick the box and send it again
    widget(app, "checkbox", "assert_unverified").check()
    (add,) = [b for b in app.form_submit_button if b.label == "Add quote"]
    add.click().run()
    assert not app.error
    assert [s.value.replace("\\", "") for s in app.success] == [f"Quote from {DECK} added."]
    with curator.reading() as s:
        (recorded,) = [q for q in claim_detail(s, CLAIM)["sources"] if q["quote"] == said]
    assert recorded["quote_match"] == "not_found" and recorded["context"] is None


def test_a_quote_from_a_source_with_no_text_needs_unverified(app: AppTest, curator: Store) -> None:
    with curator.transaction() as s:
        add_source(s, key="bare", title="Bare", kind="other", actor="t")
    sign_in_and_curate(app, CLAIM)
    widget(app, "selectbox", "assert_source").set_value("bare")
    widget(app, "text_input", "assert_quote").input("Anything at all.")
    (add,) = [b for b in app.form_submit_button if b.label == "Add quote"]
    add.click().run()
    message = app.error[0].value.replace("\\", "")
    assert "Source 'bare' has no stored text" in message
    assert "evidence source text bare FILE" in message and "tick “Unverified”" in message
