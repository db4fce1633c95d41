"""The dashboard as a person meets it: servers started as subprocesses, pages timed in Chromium.

Used by benchmarks/dashboard.py. A visit is timed from ``page.goto`` until the page shows
what it is for *and* Streamlit says its script is idle (the ``data-test-script-state``
attribute of the app's root, as tests/test_browser.py waits for it); each visit is made in a
new browser context, so nothing is cached client-side between visits.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

# what `evidence dashboard` passes to streamlit: the floor is served the same way
from evidence.cli.admin import STREAMLIT_FLAGS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

ADDRESS = "127.0.0.1"
VIEWPORT = {"width": 1400, "height": 1000}

# Polled in the page until it returns something truthy: the app's root says no script is
# running, and what the visit waits for is on screen; or the page shows an exception or an
# st.error (the dashboard's way of saying a database or a claim cannot be used). The root
# reads "initial" until a first run has started, so "notRunning" means a run finished; the
# content is checked too because Streamlit streams elements while the script runs.
_READY_JS = """
(want) => {
  // right after goto's "commit" the document may have no body yet
  const main = document.querySelector("[data-testid='stMain']") || document.body;
  if (!main) return false;
  const failed = main.querySelector(
    "[data-testid='stException'], [data-testid='stAlertContentError']");
  if (failed) return {error: (failed.textContent || "an error").trim().slice(0, 300)};
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const text = main.textContent || "";
  if (!want.texts.every((t) => text.includes(t))) return false;
  if (want.heading && ![...main.querySelectorAll("h1, h2, h3")].some(
        (h) => (h.textContent || "").trim().startsWith(want.heading))) return false;
  if (want.link && ![...main.querySelectorAll("a")].some(
        (a) => (a.textContent || "").includes(want.link))) return false;
  return true;
}
"""

# Installed in every page before its own scripts: when (ms since navigation began) the app's
# root first said a script was running, and then that it was not. Only that attribute is
# observed, so the page's drawing does not pay for the bookkeeping.
_PHASES_JS = """
(() => {
  const seen = (window.__benchScriptStates = {});
  new MutationObserver((records) => {
    for (const r of records) {
      const state = r.target.getAttribute("data-test-script-state");
      if (state === "running" && !("running" in seen)) seen.running = performance.now();
      if (state === "notRunning" && "running" in seen && !("notRunning" in seen))
        seen.notRunning = performance.now();
    }
  }).observe(document, {subtree: true, attributes: true,
                        attributeFilter: ["data-test-script-state"]});
})();
"""
_READ_PHASES_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {loaded: nav ? nav.domContentLoadedEventEnd : null, ...window.__benchScriptStates};
}
"""


@dataclass(frozen=True)
class Ready:
    """What a page must show before its visit counts as done."""

    texts: tuple[str, ...] = ()  # each somewhere in the main area's text
    heading: str | None = None  # a heading starting with this
    link: str | None = None  # a link in the page whose text contains this
    # an element that may be drawn after the script is idle (as st.table's rows were, their
    # code loaded on demand): its time is recorded apart, not part of the visit's
    later: str | None = None

    def as_arg(self) -> dict[str, Any]:
        return {"texts": list(self.texts), "heading": self.heading, "link": self.link}


@dataclass
class Visit:
    seconds: float | None
    error: str | None = None
    later_seconds: float | None = None  # from goto until Ready.later was on the page
    # where the time went, as the page saw it (seconds since navigation began): the
    # document and Streamlit's JavaScript loaded (DOMContentLoaded), and the script's run
    # from the root saying "running" to it saying "notRunning"
    loaded_seconds: float | None = None
    run_seconds: float | None = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((ADDRESS, 0))
        return int(probe.getsockname()[1])


def evidence_command() -> list[str]:
    """The `evidence` console script of this environment (as a person runs it)."""
    script = Path(sys.executable).with_name("evidence")
    return [str(script)] if script.exists() else [sys.executable, "-m", "evidence"]


def dashboard_command(db_url: str, port: int) -> list[str]:
    return [*evidence_command(), "--db", db_url, "dashboard", "--port", str(port)]


def floor_command(script: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        *STREAMLIT_FLAGS,
        "--server.port",
        str(port),
        "--server.address",
        ADDRESS,
    ]


def server_env() -> dict[str, str]:
    """This environment without EVIDENCE_* settings (the AppTest part sets the database URL
    in this process): the server gets its database from --db only."""
    return {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")} | {
        "EVIDENCE_USER": "benchmark"
    }


class Server:
    """A Streamlit server in its own process group. `evidence dashboard` execs streamlit, so
    the process spawned is the server itself: its /proc status is the server's memory."""

    def __init__(self, command: list[str], log: Path, *, port: int, timeout: float) -> None:
        self.url = f"http://{ADDRESS}:{port}"
        self.log = log
        self._log_file = log.open("w")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            env=server_env(),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - started

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._log_file.flush()
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the server did not start ({self.log}):\n{tail}")
            time.sleep(0.1)

    def peak_rss_mib(self) -> float | None:
        """The server's peak resident memory so far (VmHWM), in MiB."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # reported in kB
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log_file.close()


class Chromium:
    """One headless Chromium for the whole run; every visit gets a new context."""

    def __init__(self, *, timeout: float, artifacts: Path) -> None:
        self.timeout_ms = timeout * 1000
        self.artifacts = artifacts
        self._playwright: Playwright = sync_playwright().start()
        try:
            self._browser: Browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        except BaseException:
            self._playwright.stop()
            raise

    def visit(self, url: str, ready: Ready, *, name: str) -> Visit:
        """Time one visit; on a failure, a screenshot named ``name`` goes to the artifacts."""
        context = self._browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        context.add_init_script(_PHASES_JS)
        page = context.new_page()
        try:
            started = time.perf_counter()
            # "commit": goto returns once the answer starts arriving; the wait below is what
            # decides when the page is usable, whatever the load event does meanwhile
            page.goto(url, wait_until="commit", timeout=self.timeout_ms)
            outcome = page.wait_for_function(
                _READY_JS, arg=ready.as_arg(), polling=10, timeout=self.timeout_ms
            ).json_value()
            seconds = time.perf_counter() - started
            if isinstance(outcome, dict) and outcome.get("error"):
                self._keep_evidence(page, name)
                return Visit(seconds, f"the page shows an error: {outcome['error']}")
            visit = Visit(seconds)
            phases = page.evaluate(_READ_PHASES_JS)
            if phases.get("loaded"):
                visit.loaded_seconds = phases["loaded"] / 1000
            if "running" in phases and "notRunning" in phases:
                visit.run_seconds = (phases["notRunning"] - phases["running"]) / 1000
            if ready.later:
                try:
                    page.wait_for_selector(ready.later, state="attached", timeout=self.timeout_ms)
                    visit.later_seconds = time.perf_counter() - started
                except PlaywrightError:
                    self._keep_evidence(page, name)
                    visit.error = f"{ready.later} never appeared after the script was idle"
            return visit
        except PlaywrightError as exc:
            self._keep_evidence(page, name)
            return Visit(None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        finally:
            context.close()

    def _keep_evidence(self, page: Any, name: str) -> None:
        try:
            self.artifacts.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=self.artifacts / f"{name}.png", full_page=True, timeout=10_000)
        except PlaywrightError:
            pass  # the page itself may be what broke; the error text is reported anyway

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()
