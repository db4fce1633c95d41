"""Screening in real Chromium: a curator screens a claim's candidates on the Screen page,
includes one with a judgement, and the claim's page shows the verdict moved and the flow.

The real `evidence dashboard` on a fresh data directory (test_browser.py's fixtures: it creates
and seeds the database, and adds the curator cleo); the candidates come from a database's
export read by `evidence search --file`, as a curator would make them. Screenshots go to
/tmp/shots for a person to look at. Under CI=true a missing Chromium fails the run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser import _evidence_of_failure, dashboard, data_dir, page, settle, sign_in

pytestmark = pytest.mark.browser
# the fixtures shared with test_browser.py (pytest finds them by these names)
__all__ = ["_evidence_of_failure", "dashboard", "data_dir", "page"]
SHOTS = Path("/tmp/shots")
CLAIM = "berlin-2023-tibial-compression-case-series"  # searched by hand, nothing linked yet
EXPORT = Path(__file__).parent / "fixtures" / "imports" / "endnote.ris"  # five records


def search_export(data_dir: Path) -> None:
    """`evidence search CLAIM --file EXPORT --database Embase`, against the dashboard's
    database (its data directory): the claim's five candidates."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")}
    env |= {"EVIDENCE_DATA_DIR": str(data_dir), "EVIDENCE_USER": "browser-test"}
    done = subprocess.run(
        [sys.executable, "-m", "evidence", "search", CLAIM, "--file", str(EXPORT)]
        + ["--database", "Embase"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` (type it, then Enter)."""
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']", has_text=label)
    box.locator("input").fill(option)
    page.keyboard.press("Enter")


def press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settle(page)


def flash(page: Page) -> str:
    found = page.locator("[data-testid='stAlert']").first
    found.wait_for()
    return found.inner_text()


def progress(page: Page) -> str:
    return page.locator("[data-testid='stProgress']").inner_text()


def title_shown(page: Page) -> str:
    return page.locator(".screen-title").inner_text()


def test_a_curator_screens_five_candidates_and_the_claim_moves(
    dashboard: str,
    page: Page,
    data_dir: Path,
) -> None:
    SHOTS.mkdir(exist_ok=True)
    search_export(data_dir)
    page.context.clear_cookies()  # no sign-in left by another module's tests
    page.goto(f"{dashboard}/claim?id={CLAIM}")
    settle(page)
    expect(page.get_by_text("Unproven", exact=True).first).to_be_visible()
    expect(page.get_by_text("0 supporting · 0 refuting")).to_be_visible()
    sign_in(page, "cleo")

    page.get_by_role("link", name="Screen candidates").first.click()
    settle(page)
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
    picker.fill("A 2023 case series from a Berlin")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/screen?id={CLAIM}")
    settle(page)
    expect(page.locator(".screen-candidate")).to_be_visible()
    assert "0 of 5 screened, 0 included" in progress(page)
    page.screenshot(path=SHOTS / "screen-page.png", full_page=True)

    seen = [title_shown(page)]
    # 1: include it, judged at once: it supports the claim, an RCT
    press(page, "Include")
    expect(page.get_by_role("button", name="Include and link as evidence")).to_be_visible()
    choose(page, "Stance", "supports")
    choose(page, "Study design", "RCT")
    page.get_by_label("Rationale").fill("A synthetic trial that bears on it.")
    page.screenshot(path=SHOTS / "screen-include.png", full_page=True)
    press(page, "Include and link as evidence")
    said = flash(page)
    assert "linked it as evidence (supports)" in said and "Supported" in said, said
    assert "1 of 5 screened, 1 included" in progress(page)

    # 2: an exclusion needs its reason; "other" needs words
    seen.append(title_shown(page))
    assert seen[1] != seen[0]
    press(page, "Exclude")
    assert "Choose why it is excluded" in flash(page)
    choose(page, "Reason to exclude", "other")
    press(page, "Exclude")
    assert "an exclusion for another reason says which" in flash(page)
    page.get_by_label("Other reason, in words").fill("a synthetic conference abstract")
    press(page, "Exclude")
    assert "(other)" in flash(page)

    # 3, 4, 5: excluded for a reason, maybe, excluded
    for decision, reason in (
        ("Exclude", "wrong population"),
        ("Maybe", None),
        ("Exclude", "wrong design"),
    ):
        seen.append(title_shown(page))
        if reason:
            choose(page, "Reason to exclude", reason)
        press(page, decision)
        expect(page.locator("[data-testid='stAlertContentSuccess']")).to_be_visible()
    assert len(set(seen)) == 5, seen  # each decision moved on to another paper
    assert "5 of 5 screened, 1 included" in progress(page)
    # the maybe comes back last, marked as such
    expect(page.get_by_text("Marked maybe earlier")).to_be_visible()

    page.get_by_role("link", name="As readers see it").click()
    page.wait_for_url(f"**/claim?id={CLAIM}")
    settle(page)
    expect(page.get_by_text("Supported", exact=True).first).to_be_visible()
    expect(page.get_by_text("1 supporting · 0 refuting")).to_be_visible()
    expect(page.get_by_text("A synthetic trial that bears on it.")).to_be_visible()
    heading = page.get_by_role("heading", name="Screening: PRISMA 2020 flow")
    expect(heading).to_be_visible()
    diagram = page.locator(".prisma-flow img")
    expect(diagram).to_be_visible()
    expect(diagram).to_have_attribute("alt", re.compile("3 excluded · 1 maybe · 1 included"))
    # the browser drew the SVG: it has a size of its own, at full width or the page's
    page.wait_for_function(
        "document.querySelector('.prisma-flow img').naturalWidth > 400", timeout=10_000
    )
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 200
    diagram.scroll_into_view_if_needed()
    heading.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "prisma.png")
