"""Benchmark: the dashboard as a person feels it, in headless Chromium, over synthetic ledgers
of 100, 20,000 and 200,000 claims (5 papers and 10 evidence links per claim); plus what keeping
the stored verdicts current costs a writer, and the dashboard's pages through AppTest.

    python benchmarks/dashboard.py [--sizes 100 20000 200000] [--keep DIR] [--no-apptest]
                                   [--again 3] [--warm-runs 5] [--timeout 600]
                                   [--visit-timeout 120]

Everything runs in one process, so the ratios compare figures of one machine at one time:

1. Builds. Each ledger is made by the CLI, ``evidence --db sqlite:///PATH demo-data --claims N
   --references 5N --links 10N``, and its wall time printed. With ``--keep DIR`` the files stay
   in DIR and a rerun reuses a file that holds N claims (any other file there is rebuilt).
2. The floor: a bare Streamlit page writing one line, served with the command-line flags
   `evidence dashboard` gives streamlit (evidence/cli/admin.py, ``dashboard()``).
3. The browser, in two rounds: the floor and the overview (``/``) at every size, then the
   claim page (``/claim?id=...``, a claim with about 10 links) at every size. A round starts
   fresh servers, one per page and size, each ``evidence --db URL dashboard --port P`` as a
   subprocess, waited for until ``/_stcore/health`` answers "ok" (that wait is the "start"
   column). One Chromium serves the whole run (warmed up on a throwaway floor server), with a
   new context per visit so nothing is cached client-side. A visit is timed from
   ``page.goto`` until the page shows its content and the app's root says the script is idle
   (``data-test-script-state`` is "notRunning"): the overview shows the "Supported" band's
   header and a claim card's "Evidence and details" link, a claim page its statement, the
   floor its line. "first" is each server's first visit; "again" the median of 3
   (``--again``) further visits, made to the servers in turn (so a change in the machine's
   load falls on every size alike, not on whichever was being measured). After the visits
   each server's peak resident memory is read (VmHWM in /proc/PID/status: `evidence
   dashboard` execs streamlit, so the PID spawned is the server's); the larger of a size's
   two servers counts. Where a visit's time goes is printed too, as the page saw it (no
   targets): DOMContentLoaded (the document and Streamlit's JavaScript, fetched afresh by
   every new context), the script's run (from the root saying "running" to "notRunning": the
   server's run and the drawing of what it streams), and, on the claim page, when its
   evidence table's rows appear (HTML since st.table, drawn after the script was idle, went).
4. Writes, in this process, through the services, each change in its own
   ``Store.transaction()`` and undone afterwards (benchmarks/write_timing.py; the history rows
   the benchmark wrote are then deleted, so the database is left as built): (a) revising one
   existing link's stance with ``link_evidence`` and its commit, against the same call with
   ``evidence.store.verdicts.apply_pending`` (the regrade before commit) replaced by a no-op
   and the transaction rolled back: the difference, in ms, is the extra write time of keeping
   verdicts current for one link change (medians of 3; the regrade's own time is shown too;
   the difference also holds what a commit costs over a rollback, so it errs high);
   (b) a paper cited by few claims linked to 1,000 more (all the others, in a ledger of
   1,000 claims or fewer; setup, one transaction, not timed), then
   ``edit_reference(..., retraction="retracted")`` with its commit (median of 3, each undone
   with retraction="none"); (c) ``evidence --db URL claims list --band unproven --json >
   /dev/null``, wall time as a subprocess.
5. AppTest (skipped with ``--no-apptest``; benchmarks/apptest_timing.py): each page run in
   this process, server-side wall time of ``AppTest.run()``: cold (caches emptied), warm
   (median of 5 reruns, ``--warm-runs``), and the overview's first run after a curator's change
   (median), with the SQL statements each run issues.

Targets (PASS/FAIL each; exit 1 if any fails, if a page showed an exception or an error, a
visit timed out, a server did not start, a write failed, or a claim page did not keep showing
its claim). At the largest size:

- every overview and claim-page visit, first and again, within 1.5x the floor's visit of the
  same kind, and within 1.25x the same visit at the smallest size;
- the dashboard's peak RSS within 1.5x its peak RSS at the smallest size;
- the extra time of regrading for one link change at most 50 ms;
- retracting a paper cited by 1,000 claims at most 2 s, commit included;
- ``claims list --band unproven --json`` at most 3 s;
- (AppTest) the overview warm within 1 s and within 3x its warm time at the smallest size,
  within 1 s after a change, and the same number of SQL statements per page (cold, warm and
  after a change) at every size (for the claim page, every size over the 300 claims its
  picker lists whole: evidence/webui/picker.py FULL_LIST).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import apptest_timing
import browser_timing
import write_timing
from browser_timing import Chromium, Ready, Server, Visit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the evidence package, imported inside functions

DEFAULT_SIZES = [100, 20_000, 200_000]
REFS_PER_CLAIM = 5
LINKS_PER_CLAIM = 10
FLOOR_LINE = "Floor: a bare Streamlit page with one line."
FLOOR_RATIO = 1.5  # largest size against the floor, per visit kind
SMALL_RATIO = 1.25  # largest size against the smallest, per page and visit kind
RSS_RATIO = 1.5  # the server's peak RSS, largest size against the smallest
KINDS = ("first", "again")
Key = tuple[str, int]  # (page, claims) of one server in a round; the floor's is ("floor", 0)
EVIDENCE_ROWS = "table.evidence-table tbody tr"  # the claim page's evidence table


@dataclass
class PageVisits:
    """One page's visits in the browser: the first to a fresh server, then the others."""

    start_seconds: float | None = None  # server spawned until its health check answered
    first: Visit | None = None
    again: list[Visit] = field(default_factory=list)
    rss_mib: float | None = None

    def seconds(self, kind: str) -> float | None:
        return self._median(kind, lambda v: v.seconds)

    def later_seconds(self, kind: str) -> float | None:
        return self._median(kind, lambda v: v.later_seconds)

    def loaded_seconds(self, kind: str) -> float | None:
        return self._median(kind, lambda v: v.loaded_seconds)

    def run_seconds(self, kind: str) -> float | None:
        return self._median(kind, lambda v: v.run_seconds)

    def _median(self, kind: str, get: Callable[[Visit], float | None]) -> float | None:
        visits = [self.first] if kind == "first" else self.again
        times = [t for t in (get(v) for v in visits if v is not None) if t is not None]
        return statistics.median(times) if times else None

    @property
    def errors(self) -> list[str]:
        return [v.error for v in [self.first, *self.again] if v is not None and v.error]


@dataclass
class Ledger:
    size: int
    path: Path
    build_seconds: float | None  # None: reused
    claim_id: str = ""
    claim_links: int = 0
    statement: str = ""

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


@dataclass
class Run:
    """Everything measured, and how long each part of the run took."""

    ledgers: dict[int, Ledger] = field(default_factory=dict)
    floor: PageVisits = field(default_factory=PageVisits)
    pages: dict[int, dict[str, PageVisits]] = field(default_factory=dict)
    writes: dict[int, write_timing.WriteFigures] = field(default_factory=dict)
    apptest: dict[int, dict[str, apptest_timing.PageFigures]] = field(default_factory=dict)
    parts: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.parts[name] = self.parts.get(name, 0.0) + time.perf_counter() - started


# --- building ------------------------------------------------------------------------------


def claims_in(path: Path) -> int | None:
    """How many claims the file holds; None if it is not a ledger (or not finished)."""
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM claim").fetchone()[0])
    except sqlite3.Error:
        return None


def remove_database(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def build(path: Path, claims: int, log: Path) -> float | None:
    """The ledger through the CLI; its seconds, or None when a kept file already held it."""
    if claims_in(path) == claims:
        return None
    remove_database(path)  # a half-built or other-sized file: demo-data refuses a full one
    command = [
        *browser_timing.evidence_command(),
        "--db",
        f"sqlite:///{path}",
        "demo-data",
        "--claims",
        str(claims),
        "--references",
        str(claims * REFS_PER_CLAIM),
        "--links",
        str(claims * LINKS_PER_CLAIM),
    ]
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            command, stdout=out, stderr=subprocess.STDOUT, env=browser_timing.server_env()
        )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or claims_in(path) != claims:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(
            f"demo-data failed for {claims:,} claims (exit {done.returncode}):\n{tail}"
        )
    return seconds


def pick_claim(ledger: Ledger) -> None:
    """A claim with several evidence links (about 10), on a mechanism chain if one is."""
    from sqlalchemy import func, or_, select

    from evidence.domain.models import Claim, ClaimLink, Evidence
    from evidence.store.engine import Store

    store = Store.open(ledger.url)
    try:
        with store.reading() as session:
            links = func.count(Evidence.id)
            on_chain = (
                select(ClaimLink.id)
                .where(
                    ClaimLink.relation == "leads_to",
                    or_(
                        ClaimLink.from_claim_id == Evidence.claim_id,
                        ClaimLink.to_claim_id == Evidence.claim_id,
                    ),
                )
                .exists()
            )
            claim_id, count = session.execute(
                select(Evidence.claim_id, links)
                .group_by(Evidence.claim_id)
                .having(links >= 5)
                .order_by(~on_chain, func.abs(links - LINKS_PER_CLAIM), Evidence.claim_id)
                .limit(1)
            ).one()
            statement = session.scalar(select(Claim.statement).where(Claim.id == claim_id))
    finally:
        store.close()
    ledger.claim_id, ledger.claim_links, ledger.statement = str(claim_id), int(count), statement


# --- the browser ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A page to visit on a server of its own."""

    name: str  # for logs and screenshots
    start: Callable[[int], Server]  # starts the server on a port
    path: str
    ready: Ready


def visit_round(
    chromium: Chromium, targets: dict[Key, Target], *, again: int
) -> dict[Key, PageVisits]:
    """Fresh servers for all ``targets`` at once; each server's first visit, then ``again``
    visits to each in turn (so a change in the machine's load falls on every size alike, not
    on whichever was measured then); then each server's peak memory. Idle, the servers
    waiting their turn cost nothing measurable."""
    servers: dict[Key, Server] = {}
    out: dict[Key, PageVisits] = {}
    try:
        for key, target in targets.items():
            try:
                servers[key] = target.start(browser_timing.free_port())
            except RuntimeError as exc:  # reported with the figures; the others still run
                out[key] = PageVisits(first=Visit(None, str(exc).splitlines()[0]))
                continue
            out[key] = PageVisits(start_seconds=servers[key].start_seconds)
        live = list(servers)
        for key in live:
            target = targets[key]
            url = servers[key].url + target.path
            out[key].first = chromium.visit(url, target.ready, name=f"{target.name}-first")
        for n in range(again):
            for key in live[n % len(live) :] + live[: n % len(live)]:  # a different one first
                target = targets[key]
                url = servers[key].url + target.path
                name = f"{target.name}-again-{n + 1}"
                out[key].again.append(chromium.visit(url, target.ready, name=name))
        for key in live:
            out[key].rss_mib = servers[key].peak_rss_mib()
    finally:
        for server in servers.values():
            server.stop()
    return out


def floor_target(work: Path, timeout: float) -> Target:
    script = work / "floor_app.py"
    script.write_text(f"import streamlit as st\n\nst.write({FLOOR_LINE!r})\n")
    log = work / "logs" / "floor-server.log"

    def start(port: int) -> Server:
        return Server(browser_timing.floor_command(script, port), log, port=port, timeout=timeout)

    return Target("floor", start, "/", Ready(texts=(FLOOR_LINE,)))


def dashboard_target(ledger: Ledger, page: str, work: Path, timeout: float) -> Target:
    log = work / "logs" / f"dashboard-{ledger.size}-{page}.log"

    def start(port: int) -> Server:
        command = browser_timing.dashboard_command(ledger.url, port)
        return Server(command, log, port=port, timeout=timeout)

    if page == "overview":
        return Target(
            f"overview-{ledger.size}",
            start,
            "/",
            Ready(heading="Supported", link="Evidence and details"),
        )
    return Target(
        f"claim-{ledger.size}",
        start,
        f"/claim?id={ledger.claim_id}",
        Ready(texts=(ledger.statement,), later=EVIDENCE_ROWS),
    )


def measure_browser(
    run: Run, sizes: list[int], work: Path, *, again: int, timeout: float, visit_timeout: float
) -> None:
    """The floor and the overview at every size in one round, the claim page in another:
    each round's servers start fresh, so every page has a first visit."""
    chromium = Chromium(timeout=visit_timeout, artifacts=work / "logs")
    try:
        # Chromium's own first page (its renderer, V8, the network service) is nobody's cost
        warm_up = floor_target(work, timeout)
        visit_round(chromium, {("floor", 0): warm_up}, again=0)
        for page in ("overview", "claim"):
            targets: dict[Key, Target] = {}
            if page == "overview":
                targets[("floor", 0)] = floor_target(work, timeout)
            for size in sizes:
                targets[(page, size)] = dashboard_target(run.ledgers[size], page, work, timeout)
            with run.part(f"browser: {page}"):
                measured = visit_round(chromium, targets, again=again)
            for (name, size), visits in measured.items():
                if name == "floor":
                    run.floor = visits
                else:
                    run.pages.setdefault(size, {})[name] = visits
            print(f"browser: {page} measured", flush=True)
    finally:
        chromium.close()


# --- the report ----------------------------------------------------------------------------


def _s(seconds: float | None, digits: int = 3) -> str:
    return "-" if seconds is None else f"{seconds:.{digits}f}"


def _x(top: float | None, base: float | None) -> float | None:
    return None if top is None or not base else top / base


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _spread(visits: PageVisits) -> str:
    times = [v.seconds for v in visits.again if v.seconds is not None]
    return "-" if not times else f"{min(times):.2f}-{max(times):.2f}"


class Targets:
    """Each target's line, PASS or FAIL."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failed = 0

    def check(self, ok: bool | None, text: str) -> None:
        if ok is None:
            self.lines.append(f"  FAIL  {text} (not measured)")
            self.failed += 1
            return
        self.lines.append(f"  {'PASS' if ok else 'FAIL'}  {text}")
        self.failed += not ok

    def problem(self, text: str) -> None:
        self.check(False, text)


def print_builds(run: Run) -> None:
    print(f"\n{'claims':>9} {'papers':>11} {'links':>11} {'build s':>9}  database")
    for ledger in run.ledgers.values():
        built = "reused" if ledger.build_seconds is None else _s(ledger.build_seconds, 1)
        print(
            f"{ledger.size:>9,} {ledger.size * REFS_PER_CLAIM:>11,} "
            f"{ledger.size * LINKS_PER_CLAIM:>11,} {built:>9}  {ledger.path}"
        )


def print_browser(run: Run, sizes: list[int], again: int) -> None:
    small = sizes[0]
    print(
        f"\nBrowser: seconds from page.goto until the content is shown and the script idle "
        f"(first = a fresh server's first visit; again = median of {again} more); start s: "
        "from spawning the server until its health check answered"
    )
    print(
        f"{'page':<9} {'claims':>9} {'start s':>8} {'first s':>8} {'again s':>8} "
        f"{'again range':>12} {'RSS MiB':>8}  {'vs floor first/again':>21}  "
        f"{f'vs {small:,} first/again':>23}"
    )
    for page, size, v in _browser_rows(run, sizes):
        vs_floor = vs_small = ""
        if size is not None:
            base = run.pages[small][page]
            vs_floor = "/".join(_ratio(_x(v.seconds(k), run.floor.seconds(k))) for k in KINDS)
            if size != small:
                vs_small = "/".join(_ratio(_x(v.seconds(k), base.seconds(k))) for k in KINDS)
        rss = "-" if v.rss_mib is None else f"{v.rss_mib:.0f}"
        print(
            f"{page:<9} {_size(size):>9} {_s(v.start_seconds, 2):>8} "
            f"{_s(v.seconds('first')):>8} {_s(v.seconds('again')):>8} {_spread(v):>12} "
            f"{rss:>8}  {vs_floor:>21}  {vs_small:>23}"
        )
        for error in dict.fromkeys(v.errors):
            print(f"{'':<9} PROBLEM: {error}")

    print(
        "\nWhere a visit's time goes, as the page saw it (s; first/again): loaded = "
        "DOMContentLoaded (the document and Streamlit's JavaScript, no cache); run = from the "
        "app saying its script runs to it saying it is idle (the server's run and the drawing "
        "of what it streams); table = from goto until the claim page's evidence table has rows "
        "(drawn after the script is idle; no target)"
    )
    print(f"{'page':<9} {'claims':>9} {'loaded':>12} {'run':>12} {'table':>12}")
    for page, size, v in _browser_rows(run, sizes):

        def both(get: Callable[[str], float | None]) -> str:
            return "/".join(_s(get(k), 2) for k in KINDS)

        table = both(v.later_seconds) if page == "claim" else ""
        print(
            f"{page:<9} {_size(size):>9} {both(v.loaded_seconds):>12} "
            f"{both(v.run_seconds):>12} {table:>12}"
        )


def _browser_rows(run: Run, sizes: list[int]) -> list[tuple[str, int | None, PageVisits]]:
    rows: list[tuple[str, int | None, PageVisits]] = [("floor", None, run.floor)]
    return rows + [(page, size, v) for size in sizes for page, v in run.pages[size].items()]


def _size(size: int | None) -> str:
    return "-" if size is None else f"{size:,}"


def print_writes(run: Run, sizes: list[int]) -> None:
    print(
        "\nWrites through the services (ms; medians of 3): one link's stance revised with its "
        "regrade and commit, the regrade's own share, the same call with the regrade skipped "
        "and rolled back, and the difference; a paper cited by 1,000 claims retracted "
        "(commit included) and un-retracted; `claims list --band unproven --json`"
    )
    print(
        f"{'claims':>9} {'link ms':>8} {'regrade':>8} {'skipped':>8} {'extra ms':>9}  "
        f"{'cited by':>8} {'retract s':>10} {'regrade':>8} {'unretract':>10} {'setup s':>8}  "
        f"{'list s':>7} {'listed':>8}"
    )

    def ms(values: list[float]) -> str:
        return "-" if not values else f"{statistics.median(values) * 1000:.1f}"

    def sec(values: list[float]) -> str:
        return "-" if not values else f"{statistics.median(values):.3f}"

    for size in sizes:
        w = run.writes[size]
        extra = "-" if w.extra_ms is None else f"{w.extra_ms:.1f}"
        print(
            f"{size:>9,} {ms(w.link_committed):>8} {ms(w.link_regrade):>8} "
            f"{ms(w.link_skipped):>8} {extra:>9}  {w.paper_claims:>8,} {sec(w.retraction):>10} "
            f"{sec(w.retraction_regrade):>8} {sec(w.unretraction):>10} "
            f"{_s(w.setup_seconds, 1):>8}  {_s(w.cli_seconds, 2):>7} "
            f"{'-' if w.cli_claims is None else f'{w.cli_claims:,}':>8}"
        )
        print(f"{'':>9} (link {w.link_claim} <- {w.link_paper or '-'}; retracted {w.paper or '-'})")
        for error in dict.fromkeys(w.errors):
            print(f"{'':>9} PROBLEM: {error}")


def print_apptest(run: Run, sizes: list[int], warm_runs: int) -> None:
    print(f"\nAppTest, server side in this process (s; warm and changed: medians of {warm_runs})")
    print(
        f"{'claims':>9}  {'page':<9} {'cold s':>8} {'cold SQL':>9} "
        f"{'warm s':>8} {'warm SQL':>9} {'changed s':>10} {'changed SQL':>12}"
    )
    for size in sizes:
        for page, f in run.apptest[size].items():
            print(
                f"{size:>9,}  {page:<9} {_s(f.cold_seconds):>8} {f.cold_sql or '-':>9} "
                f"{_s(f.warm_median):>8} {f.warm_sql_text:>9} "
                f"{_s(f.changed_median):>10} {f.changed_sql_text:>12}"
            )
            for error in dict.fromkeys(f.errors):
                print(f"{'':>9}  {page:<9} PROBLEM: {error}")


def check_targets(run: Run, sizes: list[int], *, apptest: bool) -> Targets:
    targets = Targets()
    small, large = sizes[0], sizes[-1]
    for error in dict.fromkeys(run.floor.errors):
        targets.problem(f"floor page: {error}")
    for size in sizes:
        for page, visits in run.pages[size].items():
            for error in dict.fromkeys(visits.errors):
                targets.problem(f"{size:,} claims, {page} in the browser: {error}")
        for error in dict.fromkeys(run.writes[size].errors):
            targets.problem(f"{size:,} claims, writes: {error}")

    for page in ("overview", "claim"):
        top, base = run.pages[large][page], run.pages[small][page]
        for kind in KINDS:
            seconds = top.seconds(kind)
            floor = _x(seconds, run.floor.seconds(kind))
            targets.check(
                None if floor is None else floor <= FLOOR_RATIO,
                f"{page} {kind} visit at {large:,} claims {_s(seconds)} s = {_ratio(floor)} "
                f"the floor's {_s(run.floor.seconds(kind))} s (target <= {FLOOR_RATIO:g}x)",
            )
            if large != small:
                ratio = _x(seconds, base.seconds(kind))
                targets.check(
                    None if ratio is None else ratio <= SMALL_RATIO,
                    f"{page} {kind} visit at {large:,} claims = {_ratio(ratio)} its "
                    f"{_s(base.seconds(kind))} s at {small:,} (target <= {SMALL_RATIO:g}x)",
                )
    if large != small:
        rss = {
            size: max((v.rss_mib for v in run.pages[size].values() if v.rss_mib), default=None)
            for size in (small, large)
        }
        ratio = _x(rss[large], rss[small])
        targets.check(
            None if ratio is None else ratio <= RSS_RATIO,
            f"dashboard peak RSS at {large:,} claims {rss[large] or 0:.0f} MiB = {_ratio(ratio)} "
            f"its {rss[small] or 0:.0f} MiB at {small:,} (target <= {RSS_RATIO:g}x)",
        )

    w = run.writes[large]
    targets.check(
        None if w.extra_ms is None else w.extra_ms <= write_timing.LINK_TARGET_MS,
        f"regrading for one link change at {large:,} claims adds "
        f"{'-' if w.extra_ms is None else f'{w.extra_ms:.1f}'} ms "
        f"(target <= {write_timing.LINK_TARGET_MS:g} ms)",
    )
    retraction = statistics.median(w.retraction) if w.retraction else None
    targets.check(
        None if retraction is None else retraction <= write_timing.RETRACTION_TARGET_SECONDS,
        f"retracting a paper cited by {w.paper_claims:,} claims at {large:,} claims takes "
        f"{_s(retraction)} s (target <= {write_timing.RETRACTION_TARGET_SECONDS:g} s)",
    )
    targets.check(
        None if w.cli_seconds is None else w.cli_seconds <= write_timing.CLI_TARGET_SECONDS,
        f"`claims list --band unproven --json` at {large:,} claims takes "
        f"{_s(w.cli_seconds, 2)} s (target <= {write_timing.CLI_TARGET_SECONDS:g} s)",
    )
    if apptest:
        check_apptest(run, sizes, targets)
    return targets


def check_apptest(run: Run, sizes: list[int], targets: Targets) -> None:
    small, large = sizes[0], sizes[-1]
    for size in sizes:
        for page, f in run.apptest[size].items():
            for error in dict.fromkeys(f.errors):
                targets.problem(f"{size:,} claims, {page} through AppTest: {error}")
    base, top = run.apptest[small]["overview"], run.apptest[large]["overview"]
    limit = apptest_timing.TARGET_SECONDS
    targets.check(
        None if top.warm_median is None else top.warm_median <= limit,
        f"(AppTest) overview warm at {large:,} claims {_s(top.warm_median)} s "
        f"(target <= {limit:g} s)",
    )
    targets.check(
        None if top.changed_median is None else top.changed_median <= limit,
        f"(AppTest) overview after a change at {large:,} claims {_s(top.changed_median)} s "
        f"(target <= {limit:g} s)",
    )
    if large != small:
        ratio = _x(top.warm_median, base.warm_median)
        targets.check(
            None if ratio is None else ratio <= apptest_timing.TARGET_RATIO,
            f"(AppTest) overview warm at {large:,} = {_ratio(ratio)} its time at {small:,} "
            f"(target <= {apptest_timing.TARGET_RATIO:g}x)",
        )
    from evidence.webui.picker import FULL_LIST

    for page in ("overview", "claim"):
        # the claim page's picker lists a small ledger whole (one query) and searches a large
        # one (more queries, any size): its counts compare only among large ledgers
        compared = [s for s in sizes if page == "overview" or s > FULL_LIST]
        if len(compared) < 2:
            continue
        for label, get in (
            ("cold", lambda f: f.cold_sql),
            ("warm", lambda f: max(f.warm_sql) if f.warm_sql else None),
            ("after a change", lambda f: max(f.changed_sql) if f.changed_sql else None),
        ):
            if page == "claim" and label == "after a change":
                continue  # the claim page is not timed after a change
            counts = {size: get(run.apptest[size][page]) for size in compared}
            shown = ", ".join(f"{counts[s]} at {s:,}" for s in compared)
            targets.check(
                len(set(counts.values())) == 1,
                f"(AppTest) {page} SQL statements {label} the same at every size: {shown}",
            )


# --- the run -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument(
        "--keep", type=Path, help="Keep the databases in this folder (and reuse them)."
    )
    parser.add_argument("--again", type=int, default=3, help="Visits after the first, per page.")
    parser.add_argument(
        "--no-apptest", dest="apptest", action="store_false", help="Skip the AppTest part."
    )
    parser.add_argument("--warm-runs", type=int, default=5, help="AppTest warm reruns per page.")
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="Seconds a server may take to start, or an AppTest run.",
    )
    parser.add_argument(
        "--visit-timeout", type=float, default=120, help="Seconds one browser visit may take."
    )
    args = parser.parse_args()
    sizes = sorted(set(args.sizes))
    if args.again < 1:
        parser.error("--again must be at least 1")

    began = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    work = args.keep or Path(tempfile.mkdtemp(prefix="evidence-dashboard-bench-"))
    (work / "logs").mkdir(parents=True, exist_ok=True)
    run = Run()

    for size in sizes:
        path = work / f"demo-{size}.sqlite"
        with run.part(f"build {size:,}"):
            seconds = build(path, size, work / "logs" / f"build-{size}.log")
        ledger = run.ledgers[size] = Ledger(size, path, seconds)
        pick_claim(ledger)
        how = "reused" if seconds is None else f"built in {seconds:.1f} s"
        print(
            f"{size:,} claims: {how} ({path}); claim page: {ledger.claim_id} "
            f"({ledger.claim_links} links)",
            flush=True,
        )

    measure_browser(
        run, sizes, work, again=args.again, timeout=args.timeout, visit_timeout=args.visit_timeout
    )

    for size in sizes:
        ledger = run.ledgers[size]
        with run.part(f"writes {size:,}"):
            run.writes[size] = write_timing.measure(ledger.url, ledger.claim_id)
            write_timing.cli_unproven(
                browser_timing.evidence_command(), ledger.url, run.writes[size]
            )
        print(f"{size:,} claims: writes measured", flush=True)

    if args.apptest:
        apptest_timing.quiet_streamlit()
        counter = apptest_timing.SqlCounter()
        for n, size in enumerate(sizes):
            ledger = run.ledgers[size]
            with run.part(f"AppTest {size:,}"):
                if n == 0:
                    apptest_timing.warm_up(ledger.url, ledger.claim_id, args.timeout)
                run.apptest[size] = apptest_timing.measure(
                    ledger.url,
                    ledger.claim_id,
                    counter,
                    warm_runs=args.warm_runs,
                    timeout=args.timeout,
                )
            print(f"{size:,} claims: AppTest measured", flush=True)

    print_builds(run)
    print_browser(run, sizes, args.again)
    print_writes(run, sizes)
    if args.apptest:
        print_apptest(run, sizes, args.warm_runs)
    targets = check_targets(run, sizes, apptest=args.apptest)
    print("\nTargets:")
    print("\n".join(targets.lines))
    print(
        "\nTime taken: "
        + "; ".join(f"{name} {seconds:.0f} s" for name, seconds in run.parts.items())
        + f"; in all {time.perf_counter() - began:.0f} s"
    )
    print(
        f"load average (1 min) at the start {load_at_start:.2f}, at the end "
        f"{os.getloadavg()[0]:.2f}: other work on the machine moves every figure"
    )
    print(
        "targets: all met"
        if not targets.failed
        else f"targets: {targets.failed} of {len(targets.lines)} MISSED"
    )
    if args.keep is None:
        if targets.failed:
            # the databases go, the logs and screenshots of what failed stay
            for ledger in run.ledgers.values():
                remove_database(ledger.path)
            print(f"logs kept in {work / 'logs'}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if targets.failed else 0


if __name__ == "__main__":
    sys.exit(main())
