"""Setting up: init, seed, dashboard."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from evidence import paths
from evidence.cli.context import app_context
from evidence.cli.output import print_json, progress_bar, say
from evidence.domain.grading import RULES_VERSION
from evidence.errors import InvalidValue
from evidence.services.transfer.seeding import load_seeds, seed_if_empty
from evidence.store.engine import Store
from evidence.store.migrate import ensure_schema, grade_if_needed, upgrade
from evidence.store.verdicts import Regrade, claim_count, regrade_all

# How the dashboard's Streamlit server runs: headless, no usage statistics, no developer
# toolbar, no file watching, no "magic" (the pages write through st calls only; magic
# rewrites each page's syntax tree on its first visit, 0.04 s) (benchmarks/ serve their
# floor page the same way).
STREAMLIT_FLAGS = (
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--client.toolbarMode",
    "viewer",
    "--server.fileWatcherType",
    "none",
    "--runner.magicEnabled",
    "false",
)


def init(ctx: typer.Context) -> None:
    """Create the database (or bring its schema up to date), and grade every claim again if
    its stored verdict is missing or was graded by other rules. Safe to run twice."""
    app = app_context(ctx)
    store = app.store(create=True, check_schema=False)
    before, after = upgrade(store)
    state = "already up to date" if before == after else f"migrated from {before or 'empty'}"
    say(f"Database {store.display_url}: schema {after} ({state}).")
    graded = grade_stored(store, app.actor)
    if graded is not None:
        say(
            f"Graded {graded.claims:,} claims with rules version {RULES_VERSION}: "
            f"{graded.changed:,} stored verdicts written."
        )


def grade_stored(store: Store, actor: str) -> Regrade | None:
    """Grade the claims whose stored verdicts are missing or stale, with a progress bar."""
    with progress_bar("Grading claims") as (set_total, advance):
        return grade_if_needed(store, started=set_total, progress=advance, actor=actor)


def regrade(
    ctx: typer.Context,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 if any stored verdict differs from a fresh grading.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Grade every claim afresh and store what differs (one transaction); --check only
    compares, for an operator's consistency check."""
    app = app_context(ctx)
    store = app.store(check_schema=False)
    ensure_schema(store)
    with progress_bar("Checking verdicts" if check else "Grading claims") as (total, advance):
        if check:
            with store.reading() as session:
                total(claim_count(session))
                report = regrade_all(session, write=False, progress=advance)
        else:
            with store.transaction() as session:
                total(claim_count(session))
                report = regrade_all(session, progress=advance, actor=app.actor)
    if as_json:
        print_json(
            {
                "claims": report.claims,
                "rules_version": RULES_VERSION,
                "checked_only": check,
                "differences": [d.to_dict() for d in report.differences],
            }
        )
    else:
        for d in report.differences[:50]:
            say(f"{d.claim_id}: {', '.join(d.fields)}")
        if report.changed > 50:
            say(f"... and {report.changed - 50:,} more")
        if check:
            state = "all current" if not report.changed else f"{report.changed:,} differ"
            say(f"Checked {report.claims:,} stored verdicts against the rules: {state}.")
        else:
            say(f"Graded {report.claims:,} claims: {report.changed:,} stored verdicts rewritten.")
    if check and report.changed:
        raise typer.Exit(1)


def seed(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Option("--path", help="Seed folder (default: the bundled starter content)."),
    ] = None,
) -> None:
    """Load the starter content (claims, sources, papers, evidence, chains). Idempotent."""
    app = app_context(ctx)
    store = app.store()
    with store.transaction() as session:
        report = load_seeds(session, folder=folder or paths.seeds_dir(), actor=app.actor)
    kinds = sorted(set(report.created) | set(report.present))
    parts = []
    for k in kinds:
        part = f"{k}: {report.created.get(k, 0)} added, {report.present.get(k, 0)} already present"
        if report.removed.get(k):
            part += f", {report.removed[k]} left out (removed by a curator)"
        parts.append(part)
    say("Seeded " + store.display_url + "\n  " + "\n  ".join(parts))


def dashboard(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Serve the dashboard; on first start the database is created and seeded."""
    _check_can_listen(address, port)
    app = app_context(ctx)
    # Only the default database is created on the fly: a mistyped --db must not become a
    # new database filled with the starter content.
    store = app.store(create=app.settings.uses_default_database, check_schema=False)
    upgrade(store)
    grade_stored(store, app.actor)
    with store.transaction() as session:
        report = seed_if_empty(session, folder=paths.seeds_dir(), actor=app.actor)
    if report is not None:
        say(f"Empty database: loaded the starter content ({report.total_created} records).")
    app.close()
    env = dict(
        os.environ, EVIDENCE_DATABASE_URL=app.settings.database_url, EVIDENCE_USER=app.settings.user
    )
    say(f"Dashboard on http://{address}:{port} (database {store.display_url}); Ctrl+C stops it.")
    command = [
        sys.executable,
        "-m",
        "evidence.webui.serve",  # Streamlit, with the dashboard's modules imported first
        "run",
        str(paths.dashboard_script()),
        *STREAMLIT_FLAGS,
        "--server.port",
        str(port),
        "--server.address",
        address,
    ]
    sys.stdout.flush()
    # Become Streamlit rather than wrap it: signals (Ctrl+C, a service manager's SIGTERM)
    # then reach the server directly and no orphan is left behind.
    os.execve(sys.executable, command, env)


def _check_can_listen(address: str, port: int) -> None:
    """Fail before touching the database if Streamlit could not listen there."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((address, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidValue(
            "address", f"{address}:{port}", f"a free port on an address of this machine ({reason})"
        ) from exc
