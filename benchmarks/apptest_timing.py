"""The dashboard's pages run through Streamlit's AppTest in this process: server-side times.

Used by benchmarks/dashboard.py (unless --no-apptest). Each page is timed as the wall time
of ``AppTest.run()``: a cold first run with the dashboard's caches emptied
(``evidence.webui.data.clear_caches()``), then warm reruns (their median). The overview is
also timed on the first run after a curator's change (an override set, then cleared, on one
claim, written through the services as the dashboard's curation pages do). A SQLAlchemy
listener on the Engine class counts the SQL statements each run issues.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import write_timing
from write_timing import ACTOR

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "streamlit_app.py"
CLAIM_PAGE = "app_pages/claim.py"
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
    (Each adds a history row: measure() deletes them afterwards.)"""
    from evidence.services.records.overrides import clear_override, set_override
    from evidence.store.engine import Store

    store = Store.open(url)
    try:
        with store.transaction() as session:
            if n % 2 == 0:
                set_override(
                    session, claim_id=claim_id, verdict="refuted", reason="bench", actor=ACTOR
                )
            else:
                clear_override(session, claim_id=claim_id, reason="bench", actor=ACTOR)
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
    with write_timing.history_undone(url):
        # an even number of changes: the verdicts end as they began
        for n in range(warm_runs + warm_runs % 2):
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
