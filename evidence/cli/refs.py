"""Papers: add by identifier, set curated fields, list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from evidence.cli.context import app_context
from evidence.cli.metadata import (
    raise_if_failed,
    report_resolution,
    resolution_dict,
    resolve_stored,
)
from evidence.cli.output import print_json, say
from evidence.domain.vocab import Design, Retraction, ReviewOf, Verdict
from evidence.services.records.references import (
    add_references,
    citing_claims,
    edit_reference,
    find_reference,
    list_references,
    remove_reference,
)
from evidence.services.views.summaries import ClaimSummary, summaries_of
from evidence.store.tables import stored_id

ref_app = typer.Typer(help="Add and edit papers.", no_args_is_help=True)
refs_app = typer.Typer(help="List papers.", no_args_is_help=True)


@ref_app.command("add")
def add(
    ctx: typer.Context,
    identifiers: Annotated[
        list[str], typer.Argument(help="DOI, PMID, PMCID, or a doi.org / PubMed / PMC URL.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    resolve: Annotated[
        bool,
        typer.Option(
            "--resolve",
            help="Fill the papers in from PubMed / Crossref / OpenAlex at once and say if one "
            "was retracted (as `evidence resolve`). The papers are stored even if that fails.",
        ),
    ] = False,
) -> None:
    """Store papers by identifier; one reached twice is stored once."""
    app = app_context(ctx)
    with app.store().transaction() as session:
        added = add_references(session, identifiers=identifiers, actor=app.actor)
        rows: list[dict[str, Any]] = [
            {
                "input": a.input,
                "identifier": str(a.identifier),
                "key": a.reference.key,
                "created": a.created,
            }
            for a in added
        ]
    if as_json and not resolve:
        print_json(rows)
        return
    if not as_json:
        for r in rows:
            say(f"{r['input']} -> {r['key']} ({'added' if r['created'] else 'already stored'})")
    if resolve:
        summary = resolve_stored(app, refs=list(dict.fromkeys(r["key"] for r in rows)))
        if as_json:
            print_json({"added": rows, **resolution_dict(summary)})
            raise_if_failed(summary)
        else:
            if summary.failures:
                say(
                    "The papers are stored as given; `evidence resolve` fills them in once "
                    "the services can be reached."
                )
            report_resolution(summary, as_json=False)


@ref_app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Reference key or identifier.")],
    design: Annotated[
        str | None, typer.Option(help=", ".join(d.value for d in Design) + ".")
    ] = None,
    review_of: Annotated[
        str | None,
        typer.Option(
            help="What a systematic review pooled: " + ", ".join(r.value for r in ReviewOf) + "."
        ),
    ] = None,
    title: Annotated[str | None, typer.Option()] = None,
    journal: Annotated[str | None, typer.Option()] = None,
    year: Annotated[int | None, typer.Option()] = None,
    author: Annotated[
        list[str] | None,
        typer.Option(help="The authors, in order, replacing those recorded (repeatable)."),
    ] = None,
    doi: Annotated[str | None, typer.Option()] = None,
    pmid: Annotated[str | None, typer.Option()] = None,
    pmcid: Annotated[str | None, typer.Option()] = None,
    retraction: Annotated[
        str | None, typer.Option(help=", ".join(r.value for r in Retraction) + ", or none.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why: written to the history.")] = None,
) -> None:
    """Set a paper's curated fields; a design set here wins over any suggested one."""
    given = (design, review_of, title, journal, year, author, doi, pmid, pmcid, retraction)
    if all(v is None for v in given):
        raise typer.BadParameter("nothing to change: give at least one field to set")
    app = app_context(ctx)
    with app.store().transaction() as session:
        cited_by = citing_claims(session, stored_id(find_reference(session, ref)))
        before = summaries_of(session, cited_by)
        reference = edit_reference(
            session,
            ref=ref,
            actor=app.actor,
            reason=reason,
            design=design,
            review_of=review_of,
            title=title,
            journal=journal,
            year=year,
            authors=author,
            doi=doi,
            pmid=pmid,
            pmcid=pmcid,
            retraction=retraction,
        )
        after = summaries_of(session, cited_by)  # regraded in this transaction
    say(f"Updated {reference.key}.")
    for line in verdict_changes(before, after):
        say(line)


def verdict_changes(
    before: Mapping[str, ClaimSummary], after: Mapping[str, ClaimSummary]
) -> list[str]:
    """A line for each claim whose verdict or certainty a change moved (none if no claim
    cites the paper)."""
    if not after:
        return []
    moved = [
        f"  {claim_id}: {_verdict_text(before[claim_id])} -> {_verdict_text(now)}"
        for claim_id, now in after.items()
        if _verdict_text(before[claim_id]) != _verdict_text(now)
    ]
    n = len(after)
    cited = f"{n} claim cites it" if n == 1 else f"{n:,} claims cite it"
    return moved or [f"  No verdict changed ({cited})."]


def _verdict_text(summary: ClaimSummary) -> str:
    return f"{Verdict(summary['verdict']).label} ({summary['certainty']})"


@ref_app.command("remove")
def remove(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Reference key or identifier.")],
    reason: Annotated[str | None, typer.Option(help="Why: written to the history.")] = None,
) -> None:
    """Delete a paper no claim cites (e.g. one added with a mistyped identifier)."""
    app = app_context(ctx)
    with app.store().transaction() as session:
        key = remove_reference(session, ref=ref, actor=app.actor, reason=reason)
    say(f"Removed {key}.")


@refs_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every stored paper."""
    with app_context(ctx).store().reading() as session:
        rows: list[dict[str, Any]] = [
            {
                "key": r.key,
                "doi": r.doi,
                "pmid": r.pmid,
                "pmcid": r.pmcid,
                "title": r.title,
                "authors": r.authors,
                "journal": r.journal,
                "year": r.year,
                "design": r.design,
                "suggested_design": r.suggested_design,
                "review_of": r.review_of,
                "sample_size": r.sample_size,
                "publication_types": r.publication_types,
                "keywords": r.keywords,
                "abstract": r.abstract,
                "retraction": r.retraction,
                "metadata_source": r.metadata_source,
            }
            for r in list_references(session)
        ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        facts = ", ".join(str(x) for x in (r["year"], r["design"]) if x)
        flag = f" [{r['retraction'].upper()}]" if r["retraction"] else ""
        say(f"{r['key']}{flag} ({facts or 'no metadata yet'}): {r['title'] or 'untitled'}")
