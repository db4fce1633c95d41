"""Writes against a built ledger: what keeping the stored verdicts current costs a writer.

Used by benchmarks/dashboard.py. Every change goes through the services in its own
``Store.transaction()``, as the CLI and the dashboard make them, and is undone afterwards
through the services too; the history rows the benchmark wrote are then deleted, so a
database kept with --keep gives the same figures (and the same data version) next run.
What the undo cannot give back is bookkeeping no page or verdict reads: the version,
curator and updated_at of the one link and the one paper changed.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

ACTOR = "bench"
REPEATS = 3
RETRACTION_CLAIMS = 1_000
LINK_TARGET_MS = 50.0
RETRACTION_TARGET_SECONDS = 2.0
CLI_TARGET_SECONDS = 3.0


@dataclass
class WriteFigures:
    link_claim: str = ""
    link_paper: str = ""
    link_committed: list[float] = field(default_factory=list)  # seconds, commit included
    link_regrade: list[float] = field(default_factory=list)  # apply_pending within those
    link_skipped: list[float] = field(default_factory=list)  # no regrade, rolled back
    paper: str = ""
    paper_claims: int = 0
    setup_seconds: float | None = None
    retraction: list[float] = field(default_factory=list)
    retraction_regrade: list[float] = field(default_factory=list)
    unretraction: list[float] = field(default_factory=list)
    cli_seconds: float | None = None
    cli_claims: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def extra_ms(self) -> float | None:
        """What the regrade adds to one link change, in ms (median against median)."""
        if not self.link_committed or not self.link_skipped:
            return None
        committed, skipped = (
            statistics.median(self.link_committed),
            statistics.median(self.link_skipped),
        )
        return (committed - skipped) * 1000


@contextmanager
def regrade_replaced(replacement: Callable[..., None]) -> Iterator[None]:
    """``evidence.store.verdicts.apply_pending`` (what Store.transaction calls before it
    commits) replaced for the duration; the services reach it through the module."""
    from evidence.store import verdicts

    original = verdicts.apply_pending
    verdicts.apply_pending = replacement
    try:
        yield
    finally:
        verdicts.apply_pending = original


@contextmanager
def regrade_timed(spent: list[float]) -> Iterator[None]:
    """The real regrade, its duration appended to ``spent``."""
    from evidence.store import verdicts

    original = verdicts.apply_pending

    def timed(session: Any, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            original(session, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    with regrade_replaced(timed):
        yield


def _seconds(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


@contextmanager
def history_undone(url: str) -> Iterator[None]:
    """The history rows the benchmark (ACTOR) writes meanwhile are deleted afterwards,
    whatever happened: with them gone the dashboard's data version (the row count and the
    newest id) is as built, and so is every claim's history."""
    from sqlalchemy import delete, func, select

    from evidence.domain.models import History
    from evidence.store.engine import Store

    store = Store.open(url)
    try:
        with store.reading() as session:
            last = session.scalar(select(func.max(History.id))) or 0
        try:
            yield
        finally:
            # plain SQL, no service: these rows are the benchmark's own, and nothing grades
            # from the history
            with store.transaction() as session:
                session.execute(delete(History).where(History.id > last, History.actor == ACTOR))
    finally:
        store.close()


def measure(url: str, claim_id: str) -> WriteFigures:
    """Both service timings (a link's stance revised; a paper cited by 1,000 claims retracted),
    then the history they wrote removed."""
    from evidence.store.engine import Store

    figures = WriteFigures()
    with history_undone(url):
        store = Store.open(url)
        try:
            _link_change(store, claim_id, figures)
            _retraction(store, claim_id, figures)
        except Exception as exc:  # reported with the other figures
            figures.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        finally:
            store.close()
    return figures


def _link_change(store: Any, claim_id: str, figures: WriteFigures) -> None:
    """One existing link's stance revised: committed with its regrade, then (undone, and)
    the same call with the regrade skipped and rolled back. Medians of REPEATS each."""
    from sqlalchemy import select

    from evidence.domain.models import Evidence, Reference
    from evidence.services.records.evidence import link_evidence

    with store.reading() as session:
        link_id, key, stance = session.execute(
            select(Evidence.id, Reference.key, Evidence.stance)
            .join(Reference, Reference.id == Evidence.reference_id)
            .where(Evidence.claim_id == claim_id)
            .order_by(Evidence.id)
            .limit(1)
        ).one()
    other = "refutes" if stance == "supports" else "supports"
    figures.link_claim, figures.link_paper = claim_id, key

    def revise(to: str, *, rehearse: bool = False) -> None:
        with store.transaction(rehearse=rehearse) as session:
            link_evidence(
                session, claim_id=claim_id, ref=key, actor=ACTOR, stance=to, reason="benchmark"
            )

    try:
        revise(other, rehearse=True)  # untimed: imports, statement caches, pages from disk
        for _ in range(REPEATS):
            with regrade_timed(figures.link_regrade):
                figures.link_committed.append(_seconds(lambda: revise(other)))
            revise(stance)  # undone, regraded back to the verdict as built
            with regrade_replaced(lambda *_a, **_k: None):
                figures.link_skipped.append(_seconds(lambda: revise(other, rehearse=True)))
    finally:
        with store.reading() as session:
            now = session.scalar(select(Evidence.stance).where(Evidence.id == link_id))
        if now != stance:  # a repeat failed between the change and its undo
            revise(stance)


def _retraction(store: Any, claim_id: str, figures: WriteFigures) -> None:
    """A paper linked to RETRACTION_CLAIMS more claims (setup, one transaction), retracted
    and un-retracted REPEATS times (each with its commit), then the setup links removed."""
    from sqlalchemy import func, select

    from evidence.domain.models import Claim, Evidence, Reference
    from evidence.services.records.evidence import link_evidence, unlink_evidence
    from evidence.services.records.references import edit_reference

    with store.reading() as session:
        cited = (
            select(func.count(Evidence.id))
            .where(Evidence.reference_id == Reference.id)
            .scalar_subquery()
        )
        # an unretracted paper cited by few claims (nearly all its claims are then the
        # setup's), among the first thousand: counting every paper's links would take longer
        # than the measurement at a million papers
        candidates = (
            select(Reference.id)
            .where(Reference.retraction.is_(None))
            .order_by(Reference.id)
            .limit(1_000)
            .scalar_subquery()
        )
        paper_id, key = session.execute(
            select(Reference.id, Reference.key)
            .where(Reference.id.in_(candidates))
            .order_by(cited, Reference.id)
            .limit(1)
        ).one()
        claims = list(
            session.scalars(
                select(Claim.id)
                .where(Claim.id != claim_id)
                .where(
                    ~select(Evidence.id)
                    .where(Evidence.claim_id == Claim.id, Evidence.reference_id == paper_id)
                    .exists()
                )
                .order_by(Claim.id)
                .limit(RETRACTION_CLAIMS)
            )
        )
    figures.paper = key

    def link_all() -> None:
        with store.transaction() as session:
            for claim in claims:
                link_evidence(
                    session,
                    claim_id=claim,
                    ref=key,
                    actor=ACTOR,
                    stance="supports",
                    rationale="Benchmark: one paper cited by a thousand claims.",
                )

    def retract(status: str) -> None:
        with store.transaction() as session:
            edit_reference(session, ref=key, actor=ACTOR, retraction=status, reason="benchmark")

    figures.setup_seconds = _seconds(link_all)
    try:
        with store.reading() as session:
            figures.paper_claims = (
                session.scalar(
                    select(func.count(Evidence.id)).where(Evidence.reference_id == paper_id)
                )
                or 0
            )
        for _ in range(REPEATS):
            with regrade_timed(figures.retraction_regrade):
                figures.retraction.append(_seconds(lambda: retract("retracted")))
            figures.unretraction.append(_seconds(lambda: retract("none")))
    finally:
        with store.reading() as session:
            retracted = session.scalar(select(Reference.retraction).where(Reference.id == paper_id))
        if retracted is not None:  # a repeat failed half-way
            retract("none")
        with store.transaction() as session:
            for claim in claims:
                unlink_evidence(session, claim_id=claim, ref=key, actor=ACTOR, reason="benchmark")


def cli_unproven(command: list[str], url: str, figures: WriteFigures) -> None:
    """`evidence --db URL claims list --band unproven --json > /dev/null`, its wall time (the
    output is counted from a second run, untimed, so the timed one writes to /dev/null)."""
    args = [*command, "--db", url, "claims", "list", "--band", "unproven", "--json"]
    started = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        figures.errors.append(f"claims list exited {done.returncode}: {done.stderr.strip()[:300]}")
        return
    figures.cli_seconds = seconds
    shown = subprocess.run(args, capture_output=True, text=True, check=False)
    try:
        figures.cli_claims = len(json.loads(shown.stdout))
    except ValueError:
        figures.errors.append("claims list --json printed something that is not JSON")
