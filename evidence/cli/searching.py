"""`evidence search`: a claim's searches run by the tool, their records its candidates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidence.cli.context import app_context
from evidence.cli.output import print_json, progress_bar, say, warn
from evidence.domain.metadata import SERVICE_NAMES
from evidence.domain.vocab import SearchService
from evidence.errors import EvidenceError
from evidence.services.finding.searching import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    SearchRun,
    fetch,
    rerun_limit,
    search_file,
    searches_to_rerun,
    store_result,
)
from evidence.store.queries import get_claim


def report_run(run: SearchRun, *, as_json: bool) -> None:
    search, report = run.search, run.report
    if as_json:
        print_json(
            {
                "search": search.id,
                "database": search.database,
                "query": search.query,
                "hits": search.hits,
                **report.to_dict(),
            }
        )
        return
    hits = f"{search.hits:,} hits, " if search.hits is not None else ""
    say(
        f"Searched {search.database} for {search.claim_id}: {hits}{report.identified:,} "
        f"records identified, {report.duplicates:,} duplicates, {report.added:,} new candidates."
    )
    for line in report.unreadable[:10]:
        say(f"  not used: {line}")
    if len(report.unreadable) > 10:
        say(f"  ... and {len(report.unreadable) - 10:,} more not used")
    if report.missing:
        say(
            f"  came back short: {report.missing:,} record(s) the service counted never came"
            " (withdrawn between the search and the fetch?)"
        )
    if report.added:
        say(f"Screen them with `evidence screen {search.claim_id}`.")


def search_from_file(
    ctx: typer.Context,
    claim: str,
    file: Path,
    *,
    database: str | None,
    query: str | None,
    encoding: str | None,
    as_json: bool,
) -> None:
    app = app_context(ctx)
    with progress_bar(f"Reading {file.name}", percent=True) as (total, advance):
        seen = {"n": 0}

        def moved(done: int) -> None:
            advance(done - seen["n"])
            seen["n"] = done

        with app.store().transaction() as session:
            run = search_file(
                session,
                claim_id=claim,
                path=file,
                actor=app.actor,
                database=database,
                query=query,
                encoding=encoding,
                progress=moved,
            )
    report_run(run, as_json=as_json)


def search(
    ctx: typer.Context,
    claim: Annotated[str | None, typer.Argument(help="Claim id (with --rerun: optional).")] = None,
    pubmed: Annotated[str | None, typer.Option(help="Search PubMed for this query.")] = None,
    crossref: Annotated[str | None, typer.Option(help="Search Crossref for this query.")] = None,
    openalex: Annotated[
        str | None, typer.Option(help="Search OpenAlex for this query (set an API key).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(help="A database's export: RIS, .nbib (MEDLINE), BibTeX, PubMed XML."),
    ] = None,
    database: Annotated[
        str | None, typer.Option(help="With --file: the database it came from, e.g. Embase.")
    ] = None,
    query: Annotated[
        str | None, typer.Option(help="With --file: the query that was run there.")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_LIMIT, help="Records to fetch at most.")
    ] = DEFAULT_LIMIT,
    rerun: Annotated[
        bool,
        typer.Option("--rerun", help="Run the claim's recorded searches again (living search)."),
    ] = False,
    all_claims: Annotated[bool, typer.Option("--all", help="With --rerun: every claim.")] = False,
    encoding: Annotated[str | None, typer.Option(help="With --file: its text encoding.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search for a claim's evidence; the records become its candidates, to screen."""
    given = {
        name: value
        for name, value in (("pubmed", pubmed), ("crossref", crossref), ("openalex", openalex))
        if value is not None
    }
    if rerun:
        if given or file is not None:
            raise typer.BadParameter("--rerun runs the recorded searches: give no new one")
        if _given(ctx, "limit"):
            raise typer.BadParameter(
                "a re-run fetches as deep as the search it repeats (its own --limit)",
                param_hint="--limit",
            )
        if (claim is None) == (not all_claims):
            raise typer.BadParameter("give a CLAIM or --all", param_hint="--rerun")
        _rerun(ctx, None if all_claims else claim, as_json=as_json)
        return
    if claim is None:
        raise typer.BadParameter("which claim is the search for?", param_hint="CLAIM")
    if len(given) + (file is not None) != 1:
        raise typer.BadParameter(
            "give one of --pubmed, --crossref, --openalex or --file", param_hint="--pubmed"
        )
    if file is not None:
        if _given(ctx, "limit"):
            # a file holds the whole export: cutting it short would record a search that
            # found fewer records than the database gave
            raise typer.BadParameter(
                "--limit applies to --pubmed, --crossref and --openalex; a file export is "
                "read whole",
                param_hint="--limit",
            )
        search_from_file(
            ctx, claim, file, database=database, query=query, encoding=encoding, as_json=as_json
        )
        return
    if database is not None or query is not None:
        raise typer.BadParameter("--database and --query go with --file", param_hint="--database")
    ((name, text),) = given.items()
    run = _run_remote(ctx, claim, SearchService(name), text, limit)
    report_run(run, as_json=as_json)


def _run_remote(
    ctx: typer.Context,
    claim: str,
    service: SearchService,
    text: str,
    limit: int,
    *,
    rerun_of: int | None = None,
) -> SearchRun:
    app = app_context(ctx)
    with app.store().reading() as session:  # a mistyped claim fails before the fetching
        get_claim(session, claim)
    with progress_bar(f"Fetching from {service.value}") as (set_total, advance):
        seen = {"n": 0}

        def moved(done: int, total: int) -> None:
            set_total(total)
            advance(done - seen["n"])
            seen["n"] = done

        result = fetch(service, text, app.settings, limit=limit, progress=moved)
    with app.store().transaction() as session:
        return store_result(
            session, claim_id=claim, result=result, actor=app.actor, rerun_of=rerun_of
        )


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the option was typed (its default given explicitly counts)."""
    # by name: typer carries its own copy of click, whose enum is not click's
    return getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"


def _rerun(ctx: typer.Context, claim: str | None, *, as_json: bool) -> None:
    app = app_context(ctx)
    with app.store().reading() as session:
        if claim is not None:
            get_claim(session, claim)
        recorded = [
            (s.id or 0, s.claim_id, SearchService(s.service or ""), s.query, rerun_limit(s))
            for s in searches_to_rerun(session, claim)
        ]
    if not recorded:
        say("No search the tool ran is recorded" + (f" for {claim}." if claim else "."))
        return
    done: list[SearchRun] = []
    for search_id, claim_id, service, text, limit in recorded:
        try:
            run = _run_remote(ctx, claim_id, service, text, limit, rerun_of=search_id)
        except EvidenceError:
            # each re-run is committed on its own: those done before the failure stay, so
            # they are reported, and the failing one is named, before the error ends it
            if as_json and done:
                _print_reruns(done)
            if len(recorded) > 1:
                left = len(recorded) - len(done) - 1
                warn(
                    f"{claim_id}: {SERVICE_NAMES[service.value]} \u201c{text}\u201d failed; "
                    f"{len(done):,} re-run(s) done and kept before it"
                    + (f", {left:,} not run" if left else "")
                    + "."
                )
            raise
        done.append(run)
        if not as_json:
            say(
                f"{claim_id}: {run.search.database} \u201c{text}\u201d again: "
                f"{run.report.added:,} new, {run.report.duplicates:,} seen before."
            )
    if as_json:
        _print_reruns(done)


def _print_reruns(done: list[SearchRun]) -> None:
    print_json(
        [
            {
                "claim": r.search.claim_id,
                "search": r.search.id,
                "rerun_of": r.search.rerun_of,
                **r.report.to_dict(),
            }
            for r in done
        ]
    )
