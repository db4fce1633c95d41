"""`lookup` (ask the metadata services, store nothing) and `resolve` (fill stored papers).

The services (and httpx behind them) are imported when one of these commands runs, not when
the CLI starts: every other command would otherwise pay for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evidence.cli.context import AppContext, app_context
from evidence.cli.output import print_json, progress_bar, say
from evidence.domain.metadata import SERVICE_NAMES, Notice
from evidence.errors import PapersUnresolved

if TYPE_CHECKING:
    from evidence.services.metadata.resolving import Summary, Traffic

OFFLINE_HELP = "Use only the metadata cache: no request is made."
REFRESH_HELP = "Ask the services again even for papers in the cache (e.g. to catch retractions)."


def traffic_text(traffic: Traffic) -> str:
    asked = ", ".join(f"{SERVICE_NAMES[s]} {n}" for s, n in sorted(traffic.requests.items()))
    total = sum(traffic.requests.values())
    parts = [f"{total} request{'s' * (total != 1)}" + (f" ({asked})" if asked else "")]
    limited = sum(traffic.rate_limited.values())
    if limited:
        parts.append(f"{limited} rate-limited")
    retries = sum(traffic.retries.values())
    if retries:
        parts.append(f"{retries} retried")
    hits = sum(traffic.cache_hits.values())
    parts.append(f"{hits} answer{'s' * (hits != 1)} from the cache")
    text = ", ".join(parts)
    for slowed in traffic.slowed.values():
        text += f"; {slowed.text()}"
    return text


def traffic_dict(traffic: Traffic) -> dict[str, Any]:
    return {
        "requests": dict(traffic.requests),
        "rate_limited": dict(traffic.rate_limited),
        "retries": dict(traffic.retries),
        "from_cache": dict(traffic.cache_hits),
        "slowed": {
            name: {
                "times": s.times,
                "lowest_per_second": round(s.lowest_per_second, 3),
                "final_per_second": round(s.final_per_second, 3),
            }
            for name, s in traffic.slowed.items()
        },
    }


def lookup(
    ctx: typer.Context,
    identifiers: Annotated[
        list[str], typer.Argument(help="DOIs, PMIDs, PMCIDs or their URLs.", show_default=False)
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per input.")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help=OFFLINE_HELP)] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help=REFRESH_HELP)] = False,
) -> None:
    """Look papers up in PubMed, Crossref (and OpenAlex with a key) without storing them."""
    from evidence.services.metadata.lookups import lookup as lookup_papers
    from evidence.services.metadata.lookups import lookup_row, raise_for_outcome

    app = app_context(ctx)
    with progress_bar("Looking up") as (set_total, advance):
        set_total(len(identifiers))
        report = lookup_papers(
            identifiers, app.settings, offline=offline, refresh=refresh, progress=advance
        )
    rows = [lookup_row(r) for r in report.resolutions]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            for line in _describe(row):
                say(line)
    for slowed in report.traffic.slowed.values():
        # on stderr: --json prints one object per input and nothing else on stdout
        typer.echo(f"Note: {slowed.text()}.", err=True)
    raise_for_outcome(report.resolutions)


def _describe(row: dict[str, Any]) -> list[str]:
    head = f"{row['input']}: "
    if row["status"] != "found":
        reason = {"not_found": "no service knows this paper"}.get(row["status"], row["error"])
        return [head + f"{row['status'].replace('_', ' ').upper()}: {reason}"]
    facts = ", ".join(str(x) for x in (row["journal"], row["year"]) if x)
    lines = [head + (row["title"] or "untitled") + (f" ({facts})" if facts else "")]
    ids = " ".join(f"{k}:{row[k]}" for k in ("pmid", "doi", "pmcid") if row[k])
    authors = row["authors"]
    who = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    lines.append("  " + " | ".join(x for x in (ids, who) if x))
    if row["publication_types"]:
        suggestion = f" -> suggested design: {row['design']}" if row["design"] else ""
        lines.append("  publication types: " + ", ".join(row["publication_types"]) + suggestion)
    if row["retraction"]:
        said = "; ".join(Notice.from_dict(n).describe() for n in row["notices"])
        lines.append(f"  {_shout(row['retraction'])}: {said}")
    if row["error"]:
        lines.append(f"  incomplete: {row['error']}")
    return lines


def resolve(
    ctx: typer.Context,
    refs: Annotated[
        list[str] | None,
        typer.Argument(help="Stored papers: keys, DOIs, PMIDs or PMCIDs.", show_default=False),
    ] = None,
    claim: Annotated[
        str | None, typer.Option("--claim", help="Every paper linked to this claim.")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every stored paper.")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help=REFRESH_HELP)] = False,
    offline: Annotated[bool, typer.Option("--offline", help=OFFLINE_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fill or refresh stored papers from PubMed, Crossref (and OpenAlex with a key)."""
    if not refs and claim is None and not every:
        raise typer.BadParameter("say which papers: give keys or identifiers, --claim ID or --all")
    if every and (refs or claim is not None):
        raise typer.BadParameter("--all resolves every paper: give no keys and no --claim with it")
    if offline and refresh:
        raise typer.BadParameter("--offline and --refresh contradict each other: choose one")
    summary = resolve_stored(
        app_context(ctx),
        refs=refs or (),
        claim_id=claim,
        every=every,
        offline=offline,
        refresh=refresh,
    )
    report_resolution(summary, as_json=as_json)


def resolve_stored(app: AppContext, *, refs: Sequence[str], **selection: Any) -> Summary:
    """Resolve stored papers behind a progress bar (for `resolve` and `ref add --resolve`)."""
    from evidence.services.metadata.resolving import resolve_references

    with progress_bar("Resolving") as (set_total, advance):
        return resolve_references(
            app.store(),
            app.settings,
            actor=app.actor,
            refs=refs,
            progress=advance,
            started=set_total,
            **selection,
        )


def _shout(status: str | None) -> str:
    return str(status).upper().replace("_", " ")


def report_resolution(summary: Summary, *, as_json: bool) -> None:
    """Print what `resolve` did; exit 7 (after printing) if a paper could not be resolved."""
    if as_json:
        print_json(resolution_dict(summary))
    else:
        for o in summary.outcomes:
            if o.newly_retracted:
                say(f"{o.key}: NEWLY {_shout(o.retraction)}")
            if o.status == "resolved":
                changed = ", ".join(c.replace("_", " ") for c in o.changed)
                say(f"{o.key}: {o.title or 'untitled'} (updated {changed})")
            elif o.status == "not_found":
                say(f"{o.key}: not found in any service")
            elif o.failed:
                say(f"{o.key}: FAILED: " + "; ".join(o.problems))
            if not o.failed and o.problems:
                say(f"{o.key}: incomplete: " + "; ".join(o.problems))
        c = summary.counts
        newly = sum(o.newly_retracted for o in summary.outcomes)
        say(
            f"Resolved {c['resolved']}"
            + (f" ({newly} newly retracted)" if newly else "")
            + f", unchanged {c['unchanged']}, not found {c['not_found']}, failed {c['failed']}."
            f" {traffic_text(summary.traffic)}; {summary.seconds:.1f} s."
        )
    raise_if_failed(summary)


def resolution_dict(summary: Summary) -> dict[str, Any]:
    return {
        "papers": [o.to_dict() for o in summary.outcomes],
        "summary": summary.counts,
        "traffic": traffic_dict(summary.traffic),
        "seconds": round(summary.seconds, 3),
    }


def raise_if_failed(summary: Summary) -> None:
    failures = summary.failures
    if failures:
        first = failures[0]
        raise PapersUnresolved(
            len(failures), len(summary.outcomes), f"{first.key}: {'; '.join(first.problems)}"
        )
