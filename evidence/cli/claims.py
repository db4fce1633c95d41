"""Claims: add, edit, show, list, and the sources that assert them."""

from __future__ import annotations

from typing import Annotated

import typer

from evidence.cli.context import app_context
from evidence.cli.output import console, print_json, print_json_list, say
from evidence.domain.models import Assertion
from evidence.domain.quote_location import QuoteMatch
from evidence.domain.vocab import Band, ClaimType
from evidence.services.records.claims import add_assertion, add_claim, edit_claim
from evidence.services.views.claim_detail import claim_detail
from evidence.services.views.summaries import iter_claims

claim_app = typer.Typer(help="Add, edit and show one claim.", no_args_is_help=True)
claims_app = typer.Typer(help="List claims with their verdicts.", no_args_is_help=True)

TYPES = ", ".join(t.value for t in ClaimType)
Reason = Annotated[str | None, typer.Option(help="Why: written to the history.")]
Unverified = Annotated[
    bool,
    typer.Option(
        "--unverified",
        help="Record a quote that is not in the source's stored text (or the source has none).",
    ),
]


@claim_app.command("add")
def add(
    ctx: typer.Context,
    claim_id: Annotated[str, typer.Argument(help="Kebab-case id, e.g. calf-tightness-in-pf.")],
    statement: Annotated[str, typer.Option(help="The claim in one checkable sentence.")],
    type_: Annotated[str, typer.Option("--type", help=f"One of: {TYPES}.")],
    tag: Annotated[list[str] | None, typer.Option(help="A topic tag (repeatable).")] = None,
    source: Annotated[str | None, typer.Option(help="Key of a source that asserts it.")] = None,
    quote: Annotated[str | None, typer.Option(help="Locating quote from --source.")] = None,
    unverified: Unverified = False,
    notes: Annotated[str | None, typer.Option(help="Curator's notes.")] = None,
    reason: Reason = None,
) -> None:
    """Add a claim (optionally with the source that asserts it)."""
    if (source is None) != (quote is None):
        raise typer.BadParameter("--source and --quote go together", param_hint="--source/--quote")
    app = app_context(ctx)
    added = None
    with app.store().transaction() as session:
        claim = add_claim(
            session,
            claim_id=claim_id,
            statement=statement,
            claim_type=type_,
            tags=tag or [],
            notes=notes,
            actor=app.actor,
            reason=reason,
        )
        if source is not None and quote is not None:
            added = add_assertion(
                session,
                claim_id=claim.id,
                source_key=source,
                quote=quote,
                actor=app.actor,
                unverified=unverified,
            )
    say(f"Added claim {claim_id}.")
    if source is not None and added is not None:
        _say_where(added, source)


@claim_app.command("edit")
def edit(
    ctx: typer.Context,
    claim_id: str,
    statement: Annotated[str | None, typer.Option(help="New wording.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help=f"One of: {TYPES}.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Replace all tags (repeatable).")] = None,
    add_tag: Annotated[list[str] | None, typer.Option(help="Add a tag (repeatable).")] = None,
    remove_tag: Annotated[list[str] | None, typer.Option(help="Remove a tag (repeatable).")] = None,
    notes: Annotated[str | None, typer.Option(help="Replace the notes ('' clears).")] = None,
    expected_version: Annotated[
        int | None, typer.Option(help="Refuse unless the claim is still at this version.")
    ] = None,
    reason: Reason = None,
) -> None:
    """Change a claim. A concurrent change by someone else is refused, never overwritten."""
    if all(v is None for v in (statement, type_, tag, add_tag, remove_tag, notes)):
        raise typer.BadParameter(
            "nothing to change: give --statement, --type, --tag, --add-tag, --remove-tag or --notes"
        )
    app = app_context(ctx)
    with app.store().transaction() as session:
        claim, changed = edit_claim(
            session,
            claim_id=claim_id,
            actor=app.actor,
            reason=reason,
            expected_version=expected_version,
            statement=statement,
            claim_type=type_,
            tags=tag,
            add_tags=add_tag or [],
            remove_tags=remove_tag or [],
            notes=notes,
        )
    if changed:
        say(f"Claim {claim_id} is now at version {claim.version}.")
    else:
        say(f"Nothing changed: claim {claim_id} already reads so (version {claim.version}).")


@claim_app.command("assert")
def assert_(
    ctx: typer.Context,
    claim_id: str,
    source: Annotated[str, typer.Argument(help="Source key.")],
    quote: Annotated[str, typer.Option(help="Short verbatim quote locating the claim.")],
    unverified: Unverified = False,
) -> None:
    """Record that a source asserts a claim; the quote must be in the source's stored text."""
    app = app_context(ctx)
    with app.store().transaction() as session:
        added = add_assertion(
            session,
            claim_id=claim_id,
            source_key=source,
            quote=quote,
            actor=app.actor,
            unverified=unverified,
        )
    if added is None:
        say("That quote was already recorded.")
        return
    say("Recorded.")
    _say_where(added, source)


def _say_where(assertion: Assertion, source: str) -> None:
    match = QuoteMatch.stored(assertion.quote_match)
    if match is QuoteMatch.exact:
        at = f"characters {assertion.quote_start}-{assertion.quote_end}"
        say(f"  The quote is in {source}'s text at {at}.")
    elif match is QuoteMatch.fuzzy:
        say(
            f"  The quote is nearly in {source}'s text (score {assertion.quote_score:g} of 100) "
            f"at characters {assertion.quote_start}-{assertion.quote_end}: check its wording."
        )
    elif match is QuoteMatch.not_found:
        say(f"  Unverified: the quote is not in {source}'s text; `evidence check` lists it.")
    else:
        say(f"  Unverified: {source} has no stored text; `evidence check` lists it.")


@claim_app.command("show")
def show(
    ctx: typer.Context,
    claim_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A claim with its verdict, evidence table, sources, searches and links."""
    with app_context(ctx).store().reading() as session:
        detail = claim_detail(session, claim_id)
    if as_json:
        print_json(detail)
        return
    say(f"{detail['id']}  [{detail['type']}]  v{detail['version']}")
    say(detail["statement"])
    say(f"\n{detail['certainty_symbols']}  {detail['explanation']}")
    if detail["why_not_higher"]:
        say("Not higher because: " + "; ".join(detail["why_not_higher"]) + ".")
    if detail["evidence"]:
        say("\nEvidence:")
        for e in detail["evidence"]:
            ref = e["reference"]
            weight = {"retracted": "excluded: RETRACTED", "insufficient": "not counted"}.get(
                e["status"], f"{e['certainty_symbols']} {e['certainty']}"
            )
            year = f", {ref['year']}" if ref["year"] else ""
            say(f"  [{e['stance']}] {weight} — {e['design_label']}{year} — {ref['key']}")
            say(f"      {e['rationale']}")
            if e["quote"]:
                say(f"      From the paper: \u201c{e['quote']}\u201d")
    for s in detail["sources"]:
        say(f"Asserted by {s['key']} ({s['kind']}): \u201c{s['quote']}\u201d")
    for search in detail["searches"]:
        hits = search["hits"] if search["hits"] is not None else "?"
        say(
            f"Searched {search['database']} on {search['date'] or 'an unrecorded date'}: "
            f"{search['query']} ({hits} hits)"
        )
    for link in detail["claim_links"]:
        say(f"Link: {link['from']} {link['relation']} {link['to']}")


@claims_app.command("list")
def list_(
    ctx: typer.Context,
    band: Annotated[
        str | None, typer.Option(help="Only " + " | ".join(b.value for b in Band) + ".")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every claim with its verdict, certainty and explanation."""
    with app_context(ctx).store().reading() as session:
        rows = iter_claims(session, band=band)
        if as_json:
            print_json_list(rows)
            return
        n = 0
        for r in rows:
            say(f"{r['id']}\n  {r['certainty_symbols']}  {r['explanation']}")
            n += 1
    console.print(f"{n} claims")
