"""Reading across claims: chains, source scorecards, sources, history."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from evidence.cli.context import app_context
from evidence.cli.output import print_json, say
from evidence.domain.quote_location import QuoteMatch
from evidence.domain.vocab import SourceKind, Verdict
from evidence.services.records.sources import (
    DocumentText,
    add_source,
    read_document,
    set_source_text,
)
from evidence.services.views.history_text import describe_change
from evidence.services.views.mechanisms import chain as chain_of
from evidence.services.views.source_scorecards import scorecards
from evidence.store.history import list_history

source_app = typer.Typer(help="Add source documents and their text.", no_args_is_help=True)


def chain(
    ctx: typer.Context,
    claim: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The mechanism chains through a claim; each is only as strong as its weakest step."""
    with app_context(ctx).store().reading() as session:
        result = chain_of(session, claim)
    if as_json:
        print_json(result)
        return
    if not result["paths"]:
        say(f"{claim} is not part of any leads_to chain.")
        return
    for n, path in enumerate(result["paths"], start=1):
        weakest = Verdict(path["verdict"]).label.lower()
        say(f"Chain {n}: only as strong as its weakest step ({weakest}, {path['certainty']})")
        if path["weakest_why"]:
            say(f"  weakest: step {path['weakest_index'] + 1} — {path['weakest_why']}")
        for i, step in enumerate(path["steps"]):
            mark = "  <- weakest" if i in path["weakest_indexes"] else ""
            if i in path["tied_indexes"]:
                mark = "  <- as weak (tied)"
            label = Verdict(step["verdict"]).label
            say(f"  {'→ ' if i else '  '}{step['id']}: {label} {step['certainty_symbols']}{mark}")


def sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Scorecard of each source: how many of its claims fall in each verdict."""
    with app_context(ctx).store().reading() as session:
        cards = scorecards(session)
    if as_json:
        print_json(cards)
        return
    for c in cards:
        say(f"{c['key']} — {c['title']} ({c['kind'].replace('_', ' ')})")
        counts = ", ".join(f"{c['verdicts'][v.value]} {v.label.lower()}" for v in Verdict)
        say(f"  {c['claims']} claims: {counts}")
        if c["conflicts_of_interest"]:
            say(f"  conflicts of interest: {c['conflicts_of_interest']}")


@source_app.command("add")
def source_add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Short unique name, e.g. a file name or slug.")],
    title: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help=", ".join(k.value for k in SourceKind) + ".")],
    origin: Annotated[str | None, typer.Option(help="Where it came from.")] = None,
    url: Annotated[str | None, typer.Option()] = None,
    conflicts: Annotated[str | None, typer.Option(help="Conflicts of interest.")] = None,
    notes: Annotated[str | None, typer.Option(help="Credibility notes.")] = None,
    text_file: Annotated[
        Path | None,
        typer.Option(help="The document's text: plain text, Markdown or HTML (kept as its text)."),
    ] = None,
) -> None:
    """Add a source document that asserts claims (with its text, so quotes can be checked)."""
    app = app_context(ctx)
    text = read_document(text_file) if text_file is not None else None  # read before writing
    with app.store().transaction() as session:
        add_source(
            session,
            key=key,
            title=title,
            kind=kind,
            actor=app.actor,
            origin=origin,
            url=url,
            conflicts_of_interest=conflicts,
            credibility_notes=notes,
            text=text,
        )
    say(f"Added source {key}." + (f" {_text_line(text)}" if text else ""))


@source_app.command("text")
def source_text(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The source's key.")],
    file: Annotated[Path, typer.Argument(help="Plain text, Markdown or HTML.")],
    reason: Annotated[str | None, typer.Option(help="Why: written to the history.")] = None,
) -> None:
    """Store (or replace) a source's text, and locate every quote asserted from it."""
    app = app_context(ctx)
    text = read_document(file)
    with app.store().transaction() as session:
        _, assertions = set_source_text(session, key, text, actor=app.actor, reason=reason)
        found = Counter(QuoteMatch.stored(a.quote_match) for a in assertions)
    say(f"Stored the text of {key}. {_text_line(text)}")
    if assertions:
        parts = [f"{found[m]} {m.value.replace('_', ' ')}" for m in QuoteMatch if found[m]]
        say(f"  Its {len(assertions)} quotes: " + ", ".join(parts) + ".")
    if found[QuoteMatch.not_found]:
        say("  `evidence check` lists the quotes not found.")


def _text_line(text: DocumentText) -> str:
    return f"{text.size:,} bytes of {text.format.value}, SHA-256 {text.sha256[:12]}…"


def history(
    ctx: typer.Context,
    claim: Annotated[str | None, typer.Argument(help="Only changes touching this claim.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Newest N changes.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who changed what, when, and why (newest first)."""
    with app_context(ctx).store().reading() as session:
        if claim is not None:
            from evidence.store.queries import get_claim

            get_claim(session, claim)
        rows = list_history(session, claim_id=claim, limit=limit)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        why = f" — {r['reason']}" if r["reason"] else ""
        say(f"{r['at']}  {r['actor']}  {describe_change(r)}{why}")
