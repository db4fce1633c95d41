"""Two dashboard servers on one PostgreSQL database, in real Chromium: a change a curator
makes through one is on the other's next page (the verdicts are the store's, and each page
reads them; no server keeps a graded copy of its own)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.postgres import free_port
from tests.test_browser import (
    ARTIFACTS,
    CLAIM,
    PASSWORD,
    attach_a_trial,
    page,
    settle,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
__all__ = ["page"]  # the browser fixture, shared with test_browser.py


def serve(url: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("w") as out:  # the server keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "evidence", "--db", url, "dashboard", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{address}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, address
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("dashboard did not start:\n" + log.read_text())
        time.sleep(0.3)


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def two_dashboards(
    postgres_factory: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    url = postgres_factory.new(seeded=True)
    folder = tmp_path_factory.mktemp("two-dashboards")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")}
    env |= {"EVIDENCE_DATA_DIR": str(folder), "EVIDENCE_USER": "browser-test"}
    made = subprocess.run(
        [sys.executable, "-m", "evidence", "--db", url, "users", "add", "cleo"]
        + ["--role", "curator", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    first, a = serve(url, env, folder / "a.log")
    try:
        second, b = serve(url, env, folder / "b.log")
        try:
            yield a, b
        finally:
            stop(second)
    finally:
        stop(first)


def test_a_change_through_one_dashboard_is_on_the_others_next_page(
    two_dashboards: tuple[str, str],
    page,  # noqa: ANN001
) -> None:
    a, b = two_dashboards
    page.goto(f"{b}/claim?id={CLAIM}")
    settle(page)
    expect(page.get_by_text("Unproven", exact=True).first).to_be_visible()
    page.goto(b)
    settle(page)
    expect(page.get_by_text("40 claims.")).to_be_visible()

    # a curator attaches a trial to the claim through the other dashboard
    page.goto(f"{a}/claim?id={CLAIM}")
    settle(page)
    sign_in(page, "cleo")
    attach_a_trial(page, "PMID 90000124")
    expect(page.locator("[data-testid='stAlertContentSuccess']")).to_contain_text("Supported")

    # the other server's next pages show it: no reread timer, no restart
    page.goto(f"{b}/claim?id={CLAIM}")
    settle(page)
    expect(page.get_by_text("Supported", exact=True).first).to_be_visible()
    expect(page.get_by_text("A synthetic trial supports it.")).to_be_visible()
    page.goto(b)
    settle(page)
    page.get_by_placeholder("words in the claim, its id, its tags").fill("Berlin orthopaedic")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_text("1 of 40 claims match.")).to_be_visible()
    expect(page.get_by_role("heading", name="Supported (1)")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "second-dashboard.png")
