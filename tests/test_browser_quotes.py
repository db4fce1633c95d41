"""Quotes in their documents, in real Chromium: a claim's quote in context, a source's text.

Starts the real `evidence dashboard` on a fresh data directory (it creates and seeds the
database), drives Debian's Chromium with Playwright and keeps screenshots in the test's
tmp_path, with copies in /tmp/shots for a person to look at. Under CI=true a missing
Chromium fails the run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from tests.conftest import IN_CI
from tests.support.postgres import free_port

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path("/tmp/shots")
CLAIM = "lumbar-nerve-root-tethering"
QUOTE = (
    "Persistent structural changes create abnormal tension, tethering the L4-L5 and L5-S1 "
    "nerve roots."
)
DECK = "000_b276ca4228422a67.txt"  # the slide deck that says it
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("browser-quotes")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")}
    env |= {"EVIDENCE_DATA_DIR": str(data_dir), "EVIDENCE_USER": "browser-test"}
    port = free_port()
    log_path = data_dir / "dashboard.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "evidence", "dashboard", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("dashboard did not start:\n" + log_path.read_text())
                time.sleep(0.3)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required under CI=true (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield browser.new_page(viewport={"width": 1400, "height": 1100})
        browser.close()


def settle(page: Page) -> None:
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    page.wait_for_timeout(300)


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
