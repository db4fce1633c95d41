#!/usr/bin/env python
"""Screenshots of the evidence dashboard, served from a given checkout of the project.

    python docs/screenshots/shoot.py SRC_DIR OUT_DIR [--claim ID] [--keep-db]

SRC_DIR  a checkout of the project (e.g. /tmp/before or /work/main); its own code is used
         for everything (PYTHONPATH=SRC_DIR, cwd SRC_DIR).
OUT_DIR  where the PNGs go (created if missing):
           claim.png         claim page (?id=CLAIM), full page
           chains.png        chains page (?claim=CLAIM), full page
           sources.png       sources page, full page
           evidence_map.png  evidence map page, full page
           sources-1400.png  sources page, 1400x1000 viewport only, scrolled to the
                             scorecard table (do all its columns fit?)

Steps: a fresh SQLite database in a temp dir, `python -m evidence --db URL init` and `seed`
(the checkout's starter content), then the checkout's dashboard (Streamlit, headless) on a
free 127.0.0.1 port, then Playwright driving /usr/bin/chromium (viewport 1400x1000, light
colour scheme). The server is stopped and the temp dir removed at the end, whatever happens.
Exits non-zero with a message naming the step that failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTH, HEIGHT = 1400, 1000
DEFAULT_CLAIM = "lumbar-root-lower-limb-neuropathy"
SERVER_START_TIMEOUT = 90  # s
PAGE_TIMEOUT = 60_000  # ms
SETTLE = 1.5  # s after network idle and Streamlit idle

STREAMLIT_FLAGS = [
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--client.toolbarMode",
    "viewer",
    "--server.fileWatcherType",
    "none",
    "--server.runOnSave",
    "false",
]


class Failure(Exception):
    pass


def log(msg: str) -> None:
    print(f"[shoot] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(src: Path, tmp: Path, db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    env["EVIDENCE_DATABASE_URL"] = db_url
    env["EVIDENCE_DATA_DIR"] = str(tmp / "data")  # keep the user's data folder untouched
    env["EVIDENCE_CACHE_DIR"] = str(tmp / "cache")
    env.setdefault("EVIDENCE_USER", "screenshots")
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in the checkout
    return env


def run_cli(src: Path, env: dict[str, str], db_url: str, *args: str) -> None:
    cmd = [sys.executable, "-m", "evidence", "--db", db_url, *args]
    log("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, cwd=src, env=env, capture_output=True, text=True, timeout=300)
    out = (proc.stdout + proc.stderr).strip()
    if out:
        print("    " + out.replace("\n", "\n    "), flush=True)
    if proc.returncode != 0:
        raise Failure(f"`evidence {' '.join(args)}` failed (exit {proc.returncode})")


def make_database(src: Path, env: dict[str, str], db_url: str) -> None:
    run_cli(src, env, db_url, "init")
    run_cli(src, env, db_url, "seed")


def dashboard_script(src: Path) -> Path:
    for candidate in (
        src / "dashboard" / "streamlit_app.py",
        src / "evidence" / "_bundled" / "dashboard" / "streamlit_app.py",
    ):
        if candidate.is_file():
            return candidate
    raise Failure(f"no dashboard/streamlit_app.py in {src}")


def start_server(src: Path, env: dict[str, str], port: int, logfile: Path) -> subprocess.Popen:
    script = dashboard_script(src)
    # the way `evidence dashboard` launches it, when the checkout has that module
    if (src / "evidence" / "webui" / "serve.py").is_file():
        runner = ["-m", "evidence.webui.serve"]
    else:
        runner = ["-m", "streamlit"]
    cmd = [
        sys.executable,
        *runner,
        "run",
        str(script),
        *STREAMLIT_FLAGS,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    log("$ " + " ".join(cmd))
    out = logfile.open("w")
    proc = subprocess.Popen(
        cmd, cwd=src, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failure(
                f"the dashboard exited at start (exit {proc.returncode}):\n"
                + logfile.read_text()[-3000:]
            )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    log(f"dashboard answers on {url}")
                    return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise Failure(
        f"the dashboard did not answer on {url} within {SERVER_START_TIMEOUT} s:\n"
        + logfile.read_text()[-3000:]
    )


def stop_server(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: the server and nothing else
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# ---------------------------------------------------------------------------- browser

# The element that scrolls in Streamlit (the window itself does not), newest name first.
SCROLLER_JS = """
() => {
  const sels = ['[data-testid="stMain"]', 'section.stMain', 'section.main',
                '[data-testid="stAppViewContainer"]'];
  for (const s of sels) {
    const el = document.querySelector(s);
    if (el && el.scrollHeight > el.clientHeight + 1) return s;
  }
  for (const s of sels) { if (document.querySelector(s)) return s; }
  return null;
}
"""


def wait_idle(page, what: str) -> None:
    """Page drawn, Streamlit not running, no exception box, charts drawn."""
    try:
        page.wait_for_selector('[data-testid="stApp"]', timeout=PAGE_TIMEOUT)
        page.wait_for_selector(
            '[data-testid="stMainBlockContainer"], .block-container', timeout=PAGE_TIMEOUT
        )
        # the app reports it is running a script with the status widget ("Running...")
        deadline = time.monotonic() + PAGE_TIMEOUT / 1000
        quiet_since = None
        while time.monotonic() < deadline:
            busy = page.evaluate("""() => {
                const w = document.querySelector('[data-testid="stStatusWidget"]');
                const running = !!(w && /running|connecting/i.test(w.innerText || ''));
                const spinner = !!document.querySelector('[data-testid="stSpinner"]');
                const skeleton = !!document.querySelector('[data-testid="stSkeleton"]');
                const stale = document.querySelectorAll('[data-stale="true"]').length > 0;
                return running || spinner || skeleton || stale;
            }""")
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 1.0:
                break
            time.sleep(0.2)
        else:
            raise Failure(f"{what}: Streamlit still running after {PAGE_TIMEOUT // 1000} s")
        # the websocket keeps a connection open: the idle status above is what counts
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=15_000)
        # charts: each vega-lite chart holds a drawn canvas or svg, each graphviz an svg
        page.wait_for_function(
            """() => {
            const vega = document.querySelectorAll('.vega-embed');
            const dot = document.querySelectorAll('[data-testid="stGraphVizChart"]');
            return [...vega].every(c => c.querySelector('canvas, svg')) &&
                   [...dot].every(c => c.querySelector('svg g'));
        }""",
            timeout=PAGE_TIMEOUT,
        )
    except Failure:
        raise
    except Exception as exc:
        raise Failure(f"{what}: page did not finish drawing: {exc}") from exc
    time.sleep(SETTLE)
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        raise Failure(f"{what}: the page shows an exception:\n{errors.first.inner_text()[:2000]}")


def full_page_shot(page, path: Path, what: str) -> None:
    """Streamlit scrolls an inner element, so a plain full_page shot is one screen tall:
    grow the viewport to the content's height, then shoot, then shrink it back."""
    sel = page.evaluate(SCROLLER_JS)
    height = HEIGHT
    for _ in range(6):  # grow until the height stops changing (lazy parts may appear)
        content = page.evaluate(
            """(sel) => {
                const el = sel && document.querySelector(sel);
                const inner = el ? el.scrollHeight : 0;
                return Math.max(inner, document.documentElement.scrollHeight);
            }""",
            sel,
        )
        want = max(HEIGHT, int(content))
        if want <= height:
            break
        height = want
        page.set_viewport_size({"width": WIDTH, "height": height})
        time.sleep(0.8)
        wait_idle(page, what)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    log(f"saved {path} ({WIDTH}x{height})")


def visit(page, url: str, what: str) -> None:
    log(f"open {url}")
    try:
        resp = page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT)
    except Exception as exc:
        raise Failure(f"{what}: cannot open {url}: {exc}") from exc
    if resp is not None and resp.status >= 400:
        raise Failure(f"{what}: {url} answered HTTP {resp.status}")
    wait_idle(page, what)


def check_page_text(page, what: str, must_contain: str | None) -> None:
    text = page.locator('[data-testid="stMain"], section.main').first.inner_text()
    if "Page not found" in text or "page not found" in text.lower()[:300]:
        raise Failure(f"{what}: Streamlit says page not found")
    if must_contain and must_contain.lower() not in text.lower():
        raise Failure(
            f"{what}: expected to see {must_contain!r} on the page; it shows:\n" + text[:1500]
        )


def shoot(base: str, out: Path, claim: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": WIDTH, "height": HEIGHT},
                color_scheme="light",
                device_scale_factor=1,
            )
            page = context.new_page()
            # stay on this machine: nothing but the dashboard is fetched
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(base)
                    or route.request.url.startswith(("data:", "blob:"))
                    else route.abort()
                ),
            )

            shots = [
                ("claim", f"{base}/claim?id={claim}", None),
                ("chains", f"{base}/chains?claim={claim}", "Chains"),
                ("sources", f"{base}/sources", "Sources"),
                ("evidence_map", f"{base}/map", None),
            ]
            for name, url, expect in shots:
                visit(page, url, name)
                check_page_text(page, name, expect)
                if name == "claim":
                    text = page.locator('[data-testid="stMain"]').first.inner_text()
                    if "Choose a claim" in text and "Back to the overview" in text:
                        raise Failure(f"claim: the page did not open claim {claim!r}")
                full_page_shot(page, out / f"{name}.png", name)

            # the scorecard table on the sources page, as a 1400 px screen shows it
            visit(page, f"{base}/sources", "sources-1400")
            table = page.locator('[data-testid="stDataFrame"]').first
            if not table.count():
                raise Failure("sources-1400: no scorecard table (stDataFrame) on the page")
            table.scroll_into_view_if_needed()
            # put the table's top a little below the top of the screen, chart's end above it
            sel = page.evaluate(SCROLLER_JS)
            page.evaluate(
                """(sel) => {
                    const t = document.querySelector('[data-testid="stDataFrame"]');
                    const el = sel && document.querySelector(sel);
                    const top = t.getBoundingClientRect().top;
                    if (el) el.scrollTop += top - 160; else window.scrollBy(0, top - 160);
                }""",
                sel,
            )
            time.sleep(SETTLE)
            page.screenshot(path=str(out / "sources-1400.png"), full_page=False)
            log(f"saved {out / 'sources-1400.png'} ({WIDTH}x{HEIGHT}, viewport)")
        finally:
            browser.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path, help="a checkout of the project")
    ap.add_argument("out", type=Path, help="folder for the PNGs")
    ap.add_argument("--claim", default=DEFAULT_CLAIM, help=f"claim id (default {DEFAULT_CLAIM})")
    ap.add_argument("--keep-db", action="store_true", help="keep the temp dir (prints it)")
    a = ap.parse_args()

    src = a.src.resolve()
    if not (src / "evidence" / "__init__.py").is_file():
        print(
            f"shoot: {src} is not a checkout of the project (no evidence/ package)", file=sys.stderr
        )
        return 2
    if not Path(CHROMIUM).exists():
        print(f"shoot: {CHROMIUM} is missing", file=sys.stderr)
        return 2
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    tmp = Path(tempfile.mkdtemp(prefix="evidence-shots-"))
    db_url = f"sqlite:///{tmp / 'x.sqlite'}"
    env = base_env(src, tmp, db_url)
    server = None
    step = "make the database"
    try:
        make_database(src, env, db_url)
        step = "start the dashboard"
        port = free_port()
        server = start_server(src, env, port, tmp / "streamlit.log")
        step = "take the screenshots"
        shoot(f"http://127.0.0.1:{port}", out, a.claim)
    except Failure as exc:
        print(f"shoot: failed to {step}: {exc}", file=sys.stderr)
        if server is not None and (tmp / "streamlit.log").exists():
            tail = (tmp / "streamlit.log").read_text()[-2000:]
            if tail.strip():
                print("--- server log (end) ---\n" + tail, file=sys.stderr)
        return 1
    except Exception as exc:  # anything unexpected: still say which step
        print(f"shoot: failed to {step}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_server(server)
        if a.keep_db:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    log(f"done: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
