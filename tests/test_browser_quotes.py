"""Quotes in their documents, in real Chromium: a claim's quote in context, a source's text.

The browser suite's real `evidence dashboard` (tests/test_browser.py: a fresh data
directory, created and seeded on first start) in Debian's Chromium; screenshots are kept in
the test's tmp_path, with copies in /tmp/shots for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.test_browser import _evidence_of_failure, dashboard, data_dir, page, settle

pytestmark = pytest.mark.browser
# the browser suite's server, Chromium page and evidence on failure (pytest finds them by
# these names)
__all__ = ["_evidence_of_failure", "dashboard", "data_dir", "page"]
SHOTS = Path("/tmp/shots")
CLAIM = "lumbar-nerve-root-tethering"
QUOTE = (
    "Persistent structural changes create abnormal tension, tethering the L4-L5 and L5-S1 "
    "nerve roots."
)
DECK = "000_b276ca4228422a67.txt"  # the slide deck that says it
expect.set_options(timeout=30_000)


def top(element: Locator) -> None:
    """Scroll the page so that ``element`` is at the top of the window, below the app's
    header (which would cover it)."""
    element.evaluate("e => { e.style.scrollMarginTop = '5rem'; e.scrollIntoView(true) }")
    element.page.wait_for_timeout(300)


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    """A screenshot in the test's directory, and a copy where a person can find it."""
    path = tmp_path / name
    page.screenshot(path=path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / name)


def test_a_reader_sees_a_quote_in_its_document_and_the_document_itself(
    dashboard: str, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{dashboard}/claim?id={CLAIM}")
    settle(page)
    main = page.locator("[data-testid='stMain']")
    quote = main.locator("blockquote.evidence-quote").first
    expect(quote).to_contain_text("Neural Compression")  # the slide's line before it
    mark = quote.locator("mark")
    expect(mark).to_have_text(QUOTE)
    expect(mark).to_be_visible()
    # highlighted: the mark has a fill of its own, not the page's
    fill = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert fill not in ("rgba(0, 0, 0, 0)", "transparent"), fill
    expect(main.locator("p.evidence-quote-state").first).to_have_text("found in the document")
    top(page.get_by_role("heading", name="Who asserts it"))
    shoot(page, tmp_path, "quote-in-context.png")

    page.goto(f"{dashboard}/sources")
    settle(page)
    # no document is drawn until asked for
    expect(main.locator("div.evidence-document")).to_have_count(0)
    card = main.locator(f"[class*='st-key-source-{DECK.split('.')[0]}']")
    card.get_by_text("Read the document, its claims marked").click()
    settle(page)
    document = card.locator("div.evidence-document")
    expect(document).to_be_visible()
    expect(document.locator("mark", has_text=QUOTE)).to_have_count(1)
    expect(card.get_by_text("SHA-256")).to_be_visible()
    top(card.get_by_text("Read the document, its claims marked"))
    # the document scrolls in its own box: start it a little above the quote looked for
    document.evaluate(
        """(d, quote) => {
            const mark = [...d.querySelectorAll('mark')].find(m => m.textContent === quote);
            d.scrollTop += mark.getBoundingClientRect().top - d.getBoundingClientRect().top - 220;
        }""",
        QUOTE,
    )
    shoot(page, tmp_path, "source-document.png")

    # a claim's label in the document opens the claim, within the app
    page.evaluate("window.stillTheSameDocument = true")
    label = document.locator("a.evidence-page-link").first
    claim_id = (label.get_attribute("href") or "").removeprefix("claim?id=")
    label.click()
    page.wait_for_url(f"**/claim?id={claim_id}")
    settle(page)
    expect(page.get_by_role("heading", name="Who asserts it")).to_be_visible()
    assert page.evaluate("window.stillTheSameDocument === true")
