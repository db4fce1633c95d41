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

from tests.conftest import IN_CI
from tests.support.postgres import free_port

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("browser-data")
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
    from playwright.sync_api import sync_playwright

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
        assert page.get_by_role("heading", name=f"{band} (").first.is_visible()
    assert page.get_by_text("⊕⊕◯◯ low").first.is_visible()
    page.screenshot(path=ARTIFACTS / "overview.png")

    page.get_by_placeholder("words in the claim, its id or tags").fill("orthoses")
    page.keyboard.press("Enter")
    settle(page)
    links = page.locator("[data-testid='stPageLink'] a")
    assert links.count() == 1
    links.first.click()
    page.wait_for_url("**/claim?id=foot-orthoses-reduce-back-pain")
    settle(page)
    assert page.get_by_role("heading", name="Evidence", exact=True).is_visible()
    assert page.get_by_text("Contested", exact=True).first.is_visible()
    rows = page.locator("[data-testid='stTable'] tbody tr")
    assert rows.count() == 8
    assert page.get_by_text(
        "The Hidden Connection Between Your Feet and Chronic Back Pain"
    ).is_visible()
    page.screenshot(path=ARTIFACTS / "claim.png")

    # from one claim to the next through its chain
    page.goto(f"{dashboard}/claim?id=lumbar-nerve-root-tethering")
    settle(page)
    page.get_by_role("button", name=re.compile("leads to this claim")).first.click()
    page.wait_for_url("**/claim?id=lordosis-loss-alters-lumbar-mechanics")
    settle(page)
    assert page.get_by_role(
        "heading", name=re.compile("^Loss of the normal lumbar lordosis")
    ).is_visible()
    page.screenshot(path=ARTIFACTS / "linked-claim.png")
    # self-hosted means self-contained: no fonts, icons or telemetry fetched from elsewhere
    assert outside == []
