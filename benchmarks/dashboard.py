"""Benchmark: the dashboard's overview and a claim page over synthetic ledgers of 100 and of
20,000 claims (5 papers and 10 evidence links per claim), built by `evidence demo-data`'s
service into temporary SQLite files.

Each page is run through Streamlit's AppTest, in this process, and timed on the server side
(the wall time of ``AppTest.run()``): a cold first run with the dashboard's caches emptied
(``evidence.webui.data.clear_caches()``), then warm reruns (their median). The overview is
also timed on the first run after a curator's change (an override set, then cleared, on one
claim, written through the services as the dashboard's curation pages do): the "changed"
column, the median of those runs. A SQLAlchemy
listener on the Engine class counts the SQL statements each run issues. Before anything is
timed, each page is run once untimed, so that importing the dashboard's modules is nobody's
cost. All sizes run in the same process: the smallest is the baseline of the ratios.

    python benchmarks/dashboard.py [--sizes 100 20000] [--warm-runs 5] [--keep DIR]

Prints a table per size and page, and the ratio of the overview's time at the largest size
to its time at the smallest. Exits 1 if a page raised, if the claim page did not keep showing
the claim asked for, or if a target is missed: on the warm run, the overview at the largest
size within 1 s and within 3x its time at the smallest; the overview after a change at the
largest size within 1 s; and the same number of SQL statements per page (cold, warm and
after a change) at every size.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APP = ROOT / "dashboard" / "streamlit_app.py"
CLAIM_PAGE = "app_pages/claim.py"
REFS_PER_CLAIM = 5
LINKS_PER_CLAIM = 10
TARGET_SECONDS = 1.0
TARGET_RATIO = 3.0


class SqlCounter:
    """Counts every statement any engine sends to its database."""

    def __init__(self) -> None:
        from sqlalchemy import Engine, event

        self.count = 0
        event.listen(Engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any, **_kwargs: Any) -> None:
        self.count += 1


@dataclass
class PageFigures:
    cold_seconds: float | None = None
    cold_sql: int | None = None
    warm_seconds: list[float] = field(default_factory=list)
    warm_sql: list[int] = field(default_factory=list)
    changed_seconds: list[float] = field(default_factory=list)
    changed_sql: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def warm_median(self) -> float | None:
        return statistics.median(self.warm_seconds) if self.warm_seconds else None

    @property
    def changed_median(self) -> float | None:
        return statistics.median(self.changed_seconds) if self.changed_seconds else None

    @property
    def warm_sql_text(self) -> str:
        return _spread(self.warm_sql)

    @property
    def changed_sql_text(self) -> str:
        return _spread(self.changed_sql)


def _spread(counts: list[int]) -> str:
    if not counts:
        return "-"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def build(path: Path, claims: int) -> tuple[float, bool]:
    """A demo ledger of ``claims`` claims in a SQLite file; (seconds, whether it was built)."""
    from evidence.services.demo_data import DemoPlan, DemoSizes, fill_demo_data
    from evidence.store.engine import Store
    from evidence.store.migrate import upgrade

    if path.exists():
        return 0.0, False
    started = time.perf_counter()
    store = Store.open(f"sqlite:///{path}", create=True)
    try:
        upgrade(store)
        sizes = DemoSizes(claims, claims * REFS_PER_CLAIM, claims * LINKS_PER_CLAIM)
        with store.transaction() as session:
            fill_demo_data(session, DemoPlan(sizes, actor="benchmark"), database=str(path))
    finally:
        store.close()
    return time.perf_counter() - started, True


def pick_claim(url: str) -> tuple[str, int]:
    """A claim with several evidence links (about 10), on a mechanism chain if one is."""
    from sqlalchemy import func, or_, select

    from evidence.domain.models import ClaimLink, Evidence
    from evidence.store.engine import Store

    store = Store.open(url)
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
            row = session.execute(
                select(Evidence.claim_id, links)
                .group_by(Evidence.claim_id)
                .having(links >= 5)
                .order_by(~on_chain, func.abs(links - LINKS_PER_CLAIM), Evidence.claim_id)
                .limit(1)
            ).one()
    finally:
        store.close()
    return str(row[0]), int(row[1])


def use_database(url: str) -> None:
    from evidence import settings

    os.environ["EVIDENCE_DATABASE_URL"] = url
    settings.reset()


def unoverridden_claim(url: str) -> str:
    """A claim with no override, so setting one and clearing it leaves its verdict as it was."""
    from sqlalchemy import select

    from evidence.domain.models import Claim, Override
    from evidence.store.engine import Store

    store = Store.open(url)
    try:
        with store.reading() as session:
            return session.scalars(
                select(Claim.id)
                .where(Claim.id.not_in(select(Override.claim_id)))
                .order_by(Claim.id)
                .limit(1)
            ).one()
    finally:
        store.close()


def change_one_claim(url: str, claim_id: str, n: int) -> None:
    """A curator's change: the ``n``-th sets an override on the claim, the next clears it.
    (Each adds a history row, so a database kept with --keep grows by a few rows a run.)"""
    from evidence.services.overrides import clear_override, set_override
    from evidence.store.engine import Store

    store = Store.open(url)
    try:
        with store.transaction() as session:
            if n % 2 == 0:
                set_override(
                    session, claim_id=claim_id, verdict="refuted", reason="bench", actor="bench"
                )
            else:
                clear_override(session, claim_id=claim_id, reason="bench", actor="bench")
    finally:
        store.close()


def run_page(
    at: Any,
    counter: SqlCounter,
    figures: PageFigures,
    *,
    cold: bool,
    claim_id: str | None = None,
    changed: bool = False,
) -> None:
    """One timed ``at.run()``, its SQL statements, and any exception the page showed; with
    ``claim_id``, whether the page still shows that claim (its address still names it)."""
    before = counter.count
    started = time.perf_counter()
    try:
        at.run()
    except Exception as exc:  # a timeout, or the script failing outside the page
        figures.errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
        return
    seconds = time.perf_counter() - started
    statements = counter.count - before
    for shown in at.exception:
        figures.errors.append(str(shown.message).splitlines()[0] if shown.message else "error")
    moved = any("moved to claim" in e for e in figures.errors)
    if claim_id is not None and at.query_params.get("id") != claim_id and not moved:
        run = "the cold run" if cold else f"warm rerun {len(figures.warm_seconds) + 1}"
        figures.errors.append(
            f"{run} moved to claim {at.query_params.get('id')!r} from {claim_id!r} "
            "(and the runs after it showed that claim)"
        )
    if cold:
        figures.cold_seconds, figures.cold_sql = seconds, statements
    elif changed:
        figures.changed_seconds.append(seconds)
        figures.changed_sql.append(statements)
    else:
        figures.warm_seconds.append(seconds)
        figures.warm_sql.append(statements)


def shows(at: Any, claim_id: str) -> bool:
    """Whether the page names the claim (its id, or its statement's number) somewhere."""
    number = f"synthetic demo claim {int(claim_id.rsplit('-', 1)[1])})"
    texts = [
        str(e.value).replace("\\", "")  # markdown escapes
        for kind in ("header", "subheader", "title", "markdown", "caption")
        for e in getattr(at, kind)
    ]
    return any(claim_id in t or number in t for t in texts)


def measure(
    url: str, claim_id: str, counter: SqlCounter, *, warm_runs: int, timeout: float
) -> dict[str, PageFigures]:
    """The overview (the default page), then the claim page, each cold then warm."""
    from streamlit.testing.v1 import AppTest

    use_database(url)
    results = {"overview": PageFigures(), "claim": PageFigures()}
    clear_caches()
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    run_page(at, counter, results["overview"], cold=True)
    for _ in range(warm_runs):
        run_page(at, counter, results["overview"], cold=False)
    changed = unoverridden_claim(url)
    for n in range(warm_runs + warm_runs % 2):  # an even number: the verdicts end as they began
        change_one_claim(url, changed, n)
        run_page(at, counter, results["overview"], cold=False, changed=True)
    # AppTest finds a page registered by st.navigation only after a first run (done above)
    clear_caches()
    at.switch_page(CLAIM_PAGE)
    at.query_params["id"] = claim_id
    run_page(at, counter, results["claim"], cold=True, claim_id=claim_id)
    if not results["claim"].errors and not shows(at, claim_id):
        results["claim"].errors.append(f"it did not show claim {claim_id}")
    for _ in range(warm_runs):
        run_page(at, counter, results["claim"], cold=False, claim_id=claim_id)
    clear_caches()
    return results


def warm_up(url: str, claim_id: str, timeout: float) -> None:
    """Run each page once, untimed: module imports and Streamlit's first-run setup."""
    from streamlit.testing.v1 import AppTest

    use_database(url)
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.run()
    at.switch_page(CLAIM_PAGE)
    at.query_params["id"] = claim_id
    at.run()
    clear_caches()


def quiet_streamlit() -> None:
    """No "missing ScriptRunContext" / "No runtime found" warnings: AppTest runs without a
    server, and clearing the caches between runs happens outside any script run."""
    import streamlit.logger
    import streamlit.testing.v1  # noqa: F401  (its loggers exist once it is imported)

    streamlit.logger.set_log_level("error")  # for loggers made from now on
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.startswith("streamlit") and isinstance(logger, logging.Logger):
            logger.setLevel(logging.ERROR)


def clear_caches() -> None:
    from evidence.webui import data

    quiet_streamlit()
    data.clear_caches()


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 20000])
    parser.add_argument("--warm-runs", type=int, default=5, help="Warm reruns per page.")
    parser.add_argument(
        "--timeout", type=float, default=600, help="Seconds one AppTest run may take."
    )
    parser.add_argument(
        "--keep", type=Path, help="Keep the databases in this folder (and reuse them)."
    )
    args = parser.parse_args()
    sizes = sorted(set(args.sizes))

    quiet_streamlit()
    work = args.keep or Path(tempfile.mkdtemp(prefix="evidence-dashboard-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    counter = SqlCounter()
    results: dict[int, dict[str, PageFigures]] = {}
    for n, size in enumerate(sizes):
        db = work / f"demo-{size}.sqlite"
        seconds, built = build(db, size)
        url = f"sqlite:///{db}"
        claim_id, links = pick_claim(url)
        what = (
            f"{size:,} claims, {size * REFS_PER_CLAIM:,} papers, {size * LINKS_PER_CLAIM:,} links"
        )
        print(
            (f"built {what} in {seconds:.1f} s" if built else f"reused {what}")
            + f" ({db}); claim page: {claim_id} ({links} links)",
            flush=True,
        )
        if n == 0:
            warm_up(url, claim_id, args.timeout)
        results[size] = measure(
            url, claim_id, counter, warm_runs=args.warm_runs, timeout=args.timeout
        )

    print()
    print(
        f"{'claims':>8}  {'page':<9} {'cold s':>8} {'cold SQL':>9} "
        f"{'warm s':>8} {'warm SQL':>9} {'changed s':>10} {'changed SQL':>12}"
        f"   (medians of {args.warm_runs} reruns)"
    )
    for size in sizes:
        for page, f in results[size].items():
            print(
                f"{size:>8,}  {page:<9} {_s(f.cold_seconds):>8} {f.cold_sql or '-':>9} "
                f"{_s(f.warm_median):>8} {f.warm_sql_text:>9} "
                f"{_s(f.changed_median):>10} {f.changed_sql_text:>12}"
            )
            for error in dict.fromkeys(f.errors):
                print(f"{'':>8}  {page:<9} PROBLEM: {error}")

    missed = [
        f"{size:,} claims: the {page} page: {'; '.join(dict.fromkeys(f.errors))}"
        for size in sizes
        for page, f in results[size].items()
        if f.errors
    ]
    small, large = sizes[0], sizes[-1]
    base, top = results[small]["overview"], results[large]["overview"]
    if top.warm_median is not None and top.warm_median > TARGET_SECONDS:
        missed.append(
            f"overview at {large:,} claims takes {top.warm_median:.3f} s warm "
            f"(target <= {TARGET_SECONDS:g} s)"
        )
    if top.changed_median is not None and top.changed_median > TARGET_SECONDS:
        missed.append(
            f"overview at {large:,} claims takes {top.changed_median:.3f} s after a change "
            f"(target <= {TARGET_SECONDS:g} s)"
        )
    if len(sizes) > 1 and base.warm_median and top.warm_median is not None:
        ratio = top.warm_median / base.warm_median
        cold = (
            f"; cold {top.cold_seconds / base.cold_seconds:.1f}x"
            if base.cold_seconds and top.cold_seconds is not None
            else ""
        )
        print(
            f"\noverview at {large:,} / at {small:,} claims: warm {ratio:.2f}x "
            f"(target <= {TARGET_RATIO:g}x){cold}"
        )
        if ratio > TARGET_RATIO:
            missed.append(f"overview warm ratio {ratio:.2f}x (target <= {TARGET_RATIO:g}x)")
    for page in ("overview", "claim"):
        for label, get in (
            ("cold", lambda f: f.cold_sql),
            ("warm", lambda f: max(f.warm_sql) if f.warm_sql else None),
            ("after a change", lambda f: max(f.changed_sql) if f.changed_sql else None),
        ):
            counts = {size: get(results[size][page]) for size in sizes}
            if len(set(counts.values())) > 1:
                shown = ", ".join(f"{counts[s]} at {s:,}" for s in sizes)
                missed.append(
                    f"{page} page issues a different number of SQL statements {label}: {shown}"
                )
    print("targets: " + ("all met" if not missed else "MISSED " + "; ".join(missed)))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
