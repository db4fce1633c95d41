"""A synthetic ledger of any size, for benchmarks and demos (`evidence demo-data`).

Everything in it says it is synthetic: DOIs under the test prefix ``10.5555/``, PMIDs above
90000000, keys and claim ids that say "demo", statements and titles that end with
"(synthetic demo ...)". The words are the ledger's own domain (foot, heel, calf, lumbar ...)
so every dashboard page has something plausible to show, with the variety a real ledger
has: every claim type, study design, stance, downgrade and upgrade; retracted papers;
searches, overrides, sources asserting claims, and ``leads_to`` chains of 3 to 5 claims.

Three modules: demo_vocabulary.py holds the words and the shares of each kind of thing;
demo_plan.py's :class:`DemoPlan` is the pure part, which from the sizes and a seed decides
the shape of the ledger and yields the rows of each table (the same seed and sizes give the
same rows, bar the timestamps); here :func:`fill_demo_data` writes them with SQLAlchemy Core
in batches, one statement per batch and table, into an empty ledger, in the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel import Session

from evidence.domain.models import (
    Assertion,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceSearch,
    History,
    Override,
    Reference,
    Source,
)
from evidence.errors import InvalidValue
from evidence.services.transfer.demo_plan import (
    DemoPlan,
)
from evidence.services.transfer.demo_vocabulary import (
    BATCH,
)
from evidence.store import verdicts
from evidence.store.tables import table_of

# -- vocabulary ----------------------------------------------------------------------------


# -- writing ---------------------------------------------------------------------------------


def ledger_contents(session: Session) -> dict[str, int]:
    """How many claims, references and sources the ledger holds."""
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in (("claims", Claim), ("references", Reference), ("sources", Source))
    }


def fill_demo_data(
    session: Session,
    plan: DemoPlan,
    *,
    database: str,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write ``plan`` into an empty ledger and grade it; returns the rows written per table.

    ``progress`` is told of every batch of rows written, then of every batch of claims
    graded (so a bar's total is the rows plus the claims).

    Refuses (:class:`InvalidValue`, naming ``database``, before writing anything) when the
    ledger already holds claims, references or sources: demo rows must never mix with a
    curator's. Accounts may exist. The caller's transaction makes it all or nothing.
    """
    held = {name: n for name, n in ledger_contents(session).items() if n}
    if held:
        raise InvalidValue(
            "database",
            database,
            "an empty ledger (demo data never mixes with real records); this one holds "
            + ", ".join(f"{n:,} {name}" for name, n in held.items()),
        )

    verdicts.mark_everything(session)

    def write(table: Table, rows: Iterable[dict[str, Any]]) -> int:
        # Core, not the ORM: one executemany per batch, no per-row events or identity map
        done, rows = 0, iter(rows)
        while chunk := list(islice(rows, BATCH)):
            session.execute(table.insert(), chunk)
            done += len(chunk)
            if progress is not None:
                progress(len(chunk))
        return done

    def ids(key: Any, id_: Any, names: list[str]) -> list[int]:
        stored = {k: v for k, v in session.execute(select(key, id_))}
        return [stored[name] for name in names]

    written = {"sources": write(table_of(Source), plan.sources())}
    source_ids = ids(Source.key, Source.id, [plan.source_key(i) for i in range(plan.source_count)])
    written["claims"] = write(table_of(Claim), plan.claims())
    written["references"] = write(table_of(Reference), plan.references())
    reference_ids = ids(
        Reference.key,
        Reference.id,
        [plan.reference_key(i) for i in range(plan.sizes.references)],
    )
    written["evidence"] = write(table_of(Evidence), plan.evidence(reference_ids))
    written["assertions"] = write(table_of(Assertion), plan.assertions(source_ids))
    written["claim_links"] = write(table_of(ClaimLink), plan.claim_links(source_ids))
    written["searches"] = write(table_of(EvidenceSearch), plan.searches())
    written["overrides"] = write(table_of(Override), plan.overrides())
    written["history"] = write(table_of(History), plan.history())
    # graded here rather than at commit, so the progress bar follows it too
    verdicts.apply_pending(session, progress=progress)
    return written
