"""demo-data: a synthetic ledger of a chosen size, for benchmarks and demos."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from evidence.cli.context import app_context
from evidence.cli.output import progress_bar, say
from evidence.services.transfer.demo_data import fill_demo_data
from evidence.services.transfer.demo_plan import DemoPlan, DemoSizes
from evidence.services.transfer.demo_vocabulary import DEFAULT_SEED
from evidence.store.migrate import upgrade

_DEFAULTS = DemoSizes()
_LABELS = {
    "evidence": "evidence links",
    "claim_links": "claim links",
    "history": "history entries",
}


def demo_data(
    ctx: typer.Context,
    claims: Annotated[int, typer.Option(help="Claims to make (10 to 1,000,000).")] = (
        _DEFAULTS.claims
    ),
    references: Annotated[int, typer.Option(help="Papers to make (10 to 1,000,000).")] = (
        _DEFAULTS.references
    ),
    links: Annotated[
        int, typer.Option(help="Evidence links (claim <- paper) to make, spread over the claims.")
    ] = _DEFAULTS.links,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed and sizes give the same ledger.")
    ] = DEFAULT_SEED,
) -> None:
    """Fill an empty database (created if need be) with a synthetic demo ledger.

    Everything written says it is synthetic: DOIs under 10.5555/, PMIDs above 90000000,
    ids and keys with "demo" in them. One transaction: on any failure nothing is written.
    """
    app = app_context(ctx)
    plan = DemoPlan(DemoSizes(claims, references, links), seed=seed, actor=app.actor)
    store = app.store(create=True, check_schema=False)  # sizes are checked before this
    upgrade(store)
    counts = plan.counts
    started = time.perf_counter()
    with progress_bar("Writing demo data") as (set_total, advance):
        set_total(sum(counts.values()) + plan.sizes.claims)  # the rows, then the grading
        with store.transaction() as session:
            written = fill_demo_data(session, plan, database=store.display_url, progress=advance)
    seconds = time.perf_counter() - started
    shown = ", ".join(f"{n:,} {_LABELS.get(name, name)}" for name, n in written.items())
    say(
        f"Filled {store.display_url} with synthetic demo data (seed {seed}) in "
        f"{seconds:.1f} s: {shown}."
    )
