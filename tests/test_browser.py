"""The dashboard as a person meets it: `evidence dashboard` on a fresh machine, in real Chromium.

Starts the real command (which creates and seeds the default database, then serves
Streamlit headless) on a free port, drives Debian's Chromium with Playwright, and saves
screenshots under test-artifacts/. Under CI=true a missing Chromium fails the run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import IN_CI, PHASE_REPORTS
from tests.support.postgres import free_port

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "a synthetic test password"
# a 2-core CI machine can take seconds over a rerun (Argon2 on sign-in, regrading on attach);
# expectations retry until the run that draws them has finished
expect.set_options(timeout=30_000)
CLAIM = "berlin-2023-tibial-compression-case-series"  # searched, nothing linked yet


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-data")


@pytest.fixture(scope="module")
def dashboard(data_dir: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")}
    env |= {"EVIDENCE_DATA_DIR": str(data_dir), "EVIDENCE_USER": "browser-test"}
    port = free_port()
    log = (data_dir / "dashboard.log").open("w")
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
                pytest.fail("dashboard did not start:\n" + (data_dir / "dashboard.log").read_text())
            time.sleep(0.3)
        assert (data_dir / "evidence.db").exists(), "first start should create the default database"
        for name, role in (("cleo", "curator"), ("vic", "viewer")):
            made = subprocess.run(
                [sys.executable, "-m", "evidence", "users", "add", name, "--role", role]
                + ["--password-stdin"],
                input=PASSWORD + "\n",
                env=env,
                capture_output=True,
                text=True,
            )
            assert made.returncode == 0, made.stderr
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def page():  # noqa: ANN201
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required under CI=true (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


@pytest.fixture(autouse=True)
def _evidence_of_failure(request: pytest.FixtureRequest, page, data_dir: Path) -> Iterator[None]:  # noqa: ANN001
    """A failed step leaves a screenshot and what the page and the server said, for CI's log."""
    yield
    call = request.node.stash.get(PHASE_REPORTS, {}).get("call")
    if call is None or not call.failed:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"failed-{request.node.name}.png", full_page=True)
    print(f"--- page at {page.url} ---\n{page.locator('body').inner_text()}")
    log = (data_dir / "dashboard.log").read_text()
    print(f"--- dashboard log (last 3000 characters) ---\n{log[-3000:]}")


def settle(page) -> None:  # noqa: ANN001
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    page.wait_for_timeout(300)


def test_a_clinician_reads_the_overview_and_opens_a_claim(dashboard: str, page) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((dashboard, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    page.goto(dashboard)
    settle(page)
    for band in ("Supported", "Disputed", "Unproven"):
        expect(page.get_by_role("heading", name=f"{band} (").first).to_be_visible()
    expect(page.get_by_text("⊕⊕◯◯ low").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "overview.png")

    page.get_by_placeholder("words in the claim, its id, its tags").fill("over-the-counter insoles")
    page.keyboard.press("Enter")
    settle(page)
    links = page.locator("[data-testid='stMain'] a.evidence-page-link")
    expect(links).to_have_count(1)
    # the downloads are what is on screen: the one claim found
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="CSV").click()
    rows = Path(csv_download.value.path()).read_text().splitlines()
    assert len(rows) == 2 and rows[1].startswith("foot-orthoses-reduce-back-pain,")
    with page.expect_download() as md_download:
        page.get_by_role("button", name="Summary").click()
    summary = Path(md_download.value.path()).read_text()
    assert summary.startswith("# Evidence summary: search “over-the-counter insoles”\n")
    assert summary.count("\n### ") == 1 and "| Paper |" in summary  # one claim section
    links.first.click()
    page.wait_for_url("**/claim?id=foot-orthoses-reduce-back-pain")
    settle(page)
    expect(page.get_by_role("heading", name="Evidence", exact=True)).to_be_visible()
    expect(page.get_by_text("Contested", exact=True).first).to_be_visible()
    rows = page.locator("[data-testid='stMain'] table.evidence-table tbody tr")
    expect(rows).to_have_count(8)
    # a paper's links open beside the dashboard, not in its place
    paper_links = rows.locator("a")
    expect(paper_links.first).to_have_attribute("target", "_blank")
    expect(
        page.get_by_text("The Hidden Connection Between Your Feet and Chronic Back Pain")
    ).to_be_visible()
    page.screenshot(path=ARTIFACTS / "claim.png")
    # back to the overview: the search is still what it was, and so is the list
    page.go_back()
    settle(page)
    search = page.get_by_placeholder("words in the claim, its id, its tags")
    expect(search).to_have_value("over-the-counter insoles")
    expect(page.locator("[data-testid='stMain'] a.evidence-page-link")).to_have_count(1)

    # from one claim to the next through its chain
    page.goto(f"{dashboard}/claim?id=lumbar-nerve-root-tethering")
    settle(page)
    page.evaluate("window.stillTheSameDocument = true")
    page.get_by_role("link", name=re.compile("leads to this claim")).first.click()
    page.wait_for_url("**/claim?id=lordosis-loss-alters-lumbar-mechanics")
    settle(page)
    expect(
        page.get_by_role("heading", name=re.compile("^Loss of the normal lumbar lordosis"))
    ).to_be_visible()
    page.wait_for_timeout(2500)  # past the script's fallback: it must not reload the page
    assert page.evaluate("window.stillTheSameDocument === true")  # moved within the app
    page.screenshot(path=ARTIFACTS / "linked-claim.png")
    # self-hosted means self-contained: no fonts, icons or telemetry fetched from elsewhere
    assert outside == []


def sign_in(page, name: str) -> None:  # noqa: ANN001
    page.get_by_role("link", name="Sign in").first.click()
    settle(page)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    expect(page.get_by_text(f"Signed in as {name}").first).to_be_visible()


def attach_a_trial(page, pmid: str) -> None:  # noqa: ANN001
    """As a signed-in curator: pick CLAIM on the curation page and attach an RCT to it."""
    page.get_by_role("link", name="Curate a claim").first.click()
    settle(page)
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
    picker.fill("A 2023 case series from a Berlin")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/curate?id={CLAIM}")
    settle(page)
    page.get_by_label("DOI, PMID, PMCID or link").fill(pmid)
    page.locator("[data-testid='stSelectbox']", has_text="Study design").locator("input").fill(
        "rct"
    )
    page.keyboard.press("Enter")
    page.get_by_label("Rationale").first.fill("A synthetic trial supports it.")
    page.get_by_role("button", name="Attach").click()
    settle(page)


def test_a_curator_attaches_evidence_and_the_verdict_changes(dashboard: str, page) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(dashboard)
    settle(page)
    page.get_by_placeholder("words in the claim, its id, its tags").fill("Berlin orthopaedic")
    page.keyboard.press("Enter")
    settle(page)
    # a card's link moves within the app, as a page link does: the same document, the same
    # session (render.PAGE_LINK_SCRIPT), not a fresh load
    page.evaluate("window.stillTheSameDocument = true")
    page.locator("[data-testid='stMain'] a.evidence-page-link").first.click()
    page.wait_for_url(f"**/claim?id={CLAIM}")
    settle(page)
    assert page.evaluate("window.stillTheSameDocument === true")
    expect(page.get_by_text("Unproven", exact=True).first).to_be_visible()

    sign_in(page, "cleo")
    page.screenshot(path=ARTIFACTS / "signed-in.png")
    attach_a_trial(page, "PMID 90000123")
    flash = page.locator("[data-testid='stAlertContentSuccess']")
    expect(flash).to_contain_text("Linked pmid:90000123 (new paper)")
    expect(flash).to_contain_text("Supported")
    page.screenshot(path=ARTIFACTS / "curated.png")

    page.get_by_role("link", name="As readers see it").click()
    page.wait_for_url(f"**/claim?id={CLAIM}")
    settle(page)
    expect(page.get_by_text("Supported", exact=True).first).to_be_visible()
    expect(page.get_by_text("A synthetic trial supports it.")).to_be_visible()

    page.get_by_role("button", name="Sign out").first.click()
    settle(page)
    expect(page.get_by_text("Reading as a guest.")).to_be_visible()
    expect(page.get_by_role("link", name="Curate a claim")).to_have_count(0)


def test_a_viewer_is_refused_the_curation_page(dashboard: str, page) -> None:  # noqa: ANN001
    page.goto(dashboard)
    settle(page)
    sign_in(page, "vic")
    expect(page.get_by_role("link", name="Curate a claim")).to_have_count(0)
    # typed into the address bar: Streamlit follows the URL inside the same session
    page.evaluate(
        "window.history.pushState({}, '', '/curate');"
        "window.dispatchEvent(new PopStateEvent('popstate'))"
    )
    settle(page)
    expect(page.get_by_role("heading", name="Curators only")).to_be_visible()
    expect(page.get_by_text("vic is a viewer")).to_be_visible()
    expect(page.get_by_label("DOI, PMID, PMCID or link")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "viewer-refused.png")
    # and a fresh visit to the address (still vic, by the sign-in cookie) is refused the same
    page.goto(f"{dashboard}/curate?id={CLAIM}")
    settle(page)
    expect(page.get_by_role("heading", name="Curators only")).to_be_visible()
    expect(page.get_by_label("DOI, PMID, PMCID or link")).to_have_count(0)


def test_chains_sources_and_the_evidence_map_draw_and_lead_to_claims(dashboard: str, page) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{dashboard}/sources")
    settle(page)
    expect(
        page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg")
    ).not_to_have_count(0)
    expect(page.get_by_text("Commercial marketing").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "sources.png", full_page=True)

    page.goto(f"{dashboard}/map")
    settle(page)
    page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=30_000)
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(2)
    page.screenshot(path=ARTIFACTS / "evidence-map.png", full_page=True)

    page.goto(f"{dashboard}/chains")
    settle(page)
    node = page.locator("[data-testid='stGraphVizChart'] svg g.node a").first
    node.wait_for(timeout=30_000)
    expect(page.get_by_text("WEAKEST STEP").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "chains.png", full_page=True)
    node.click()  # a step of the graph opens its claim
    page.wait_for_url("**/claim?id=*")
    settle(page)
    expect(page.get_by_role("heading", name="Evidence", exact=True)).to_be_visible()


def test_the_overview_answers_at_its_own_address(dashboard: str, page) -> None:  # noqa: ANN001
    page.goto(f"{dashboard}/overview")
    settle(page)
    expect(page.get_by_role("heading", name="Supported (").first).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_a_sign_in_survives_a_reload_until_sign_out(dashboard: str, page) -> None:  # noqa: ANN001
    """Issue 16: a reload or a full link used to sign a curator out."""
    page.context.clear_cookies()  # an earlier test's sign-in
    page.goto(dashboard)
    settle(page)
    sign_in(page, "cleo")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "evidence_sign_in"]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    hours = (cookie["expires"] - time.time()) / 3600
    assert 11.5 < hours <= 12  # EVIDENCE_SIGN_IN_HOURS, by default 12
    page.reload()
    settle(page)
    expect(page.get_by_text("Signed in as cleo").first).to_be_visible()
    page.goto(f"{dashboard}/claim?id={CLAIM}")  # a full link, e.g. a chain graph's step
    settle(page)
    expect(page.get_by_text("Signed in as cleo").first).to_be_visible()
    expect(page.get_by_role("link", name="Curate", exact=True)).to_be_visible()

    # a cookie altered by hand is not a sign-in
    value = cookie["value"]
    # the signature's first character (all its bits count; the last one's may be padding)
    payload, signature = value.rsplit(".", 1)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    forged = dict(cookie, value=f"{payload}.{flipped}")
    page.context.add_cookies([forged])
    page.reload()
    settle(page)
    expect(page.get_by_text("Reading as a guest.")).to_be_visible()
    page.context.add_cookies([cookie])
    page.reload()
    settle(page)
    expect(page.get_by_text("Signed in as cleo").first).to_be_visible()

    page.get_by_role("button", name="Sign out").first.click()
    settle(page)
    expect(page.get_by_text("Reading as a guest.")).to_be_visible()
    page.wait_for_function("!document.cookie.includes('evidence_sign_in=')")
    page.reload()
    settle(page)
    expect(page.get_by_text("Reading as a guest.")).to_be_visible()
