"""Judging evidence: link, unlink, override, search-log, claim-link."""

from __future__ import annotations

from typing import Annotated

import typer

from evidence import clock
from evidence.cli.context import app_context
from evidence.cli.output import say, warn
from evidence.domain.vocab import (
    Design,
    Downgrade,
    Relation,
    ReviewOf,
    Stance,
    Upgrade,
    Verdict,
    spelling,
)
from evidence.services.records.claim_links import link_claims, unlink_claims
from evidence.services.records.evidence import link_evidence, unlink_evidence
from evidence.services.records.overrides import clear_override, same_as_computed, set_override
from evidence.services.records.references import edit_reference
from evidence.services.records.searches import log_search
from evidence.services.views.summaries import summary_of

DESIGNS = ", ".join(d.value for d in Design) + " (as `ref edit --design`)."
REVIEWED = ", ".join(r.value for r in ReviewOf) + " (as `ref edit --review-of`)."


# risk of bias and indirectness are judged with their own options, which can also lift
# them; --downgrade takes the other two only: one way to say each thing
OWN_OPTION = {
    Downgrade.risk_of_bias: ("--risk-of-bias", "high", "not_flagged"),
    Downgrade.indirectness: ("--directness", "indirect", "direct"),
}
OTHER_DOWNGRADES = [d.value for d in Downgrade if d not in OWN_OPTION]


def one_way_each(downgrades: list[str]) -> None:
    for given in downgrades:
        word = spelling(given)
        if word in OWN_OPTION:
            option, on, off = OWN_OPTION[Downgrade(word)]
            raise typer.BadParameter(
                f"{word.replace('_', ' ')} is set with {option} {on} (and lifted with "
                f"{option} {off}), not --downgrade",
                param_hint="--downgrade",
            )


def _verdict_line(ctx: typer.Context, claim_id: str) -> str:
    with app_context(ctx).store().reading() as session:
        now = summary_of(session, claim_id)
    return f"{now['certainty_symbols']}  {now['explanation']}"


def link(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="Claim id.")],
    ref: Annotated[str, typer.Argument(help="Reference key or identifier (DOI, PMID ...).")],
    stance: Annotated[
        str | None,
        typer.Option(help=", ".join(s.value for s in Stance) + " (needed for a new link)."),
    ] = None,
    rationale: Annotated[
        str | None,
        typer.Option(help="One sentence: how the paper bears on it (needed for a new link)."),
    ] = None,
    directness: Annotated[
        str | None, typer.Option(help="direct | indirect (indirect downgrades one level).")
    ] = None,
    risk_of_bias: Annotated[
        str | None, typer.Option(help="high | not_flagged (high downgrades one level).")
    ] = None,
    downgrade: Annotated[
        list[str] | None,
        typer.Option(
            help=", ".join(OTHER_DOWNGRADES) + " (repeatable; risk of bias and indirectness "
            "have their own options)."
        ),
    ] = None,
    upgrade: Annotated[
        list[str] | None,
        typer.Option(help=", ".join(u.value for u in Upgrade) + " (repeatable)."),
    ] = None,
    replace_judgements: Annotated[
        bool,
        typer.Option(
            "--replace-judgements",
            help="Drop the recorded downgrades/upgrades before adding these.",
        ),
    ] = False,
    quote: Annotated[str | None, typer.Option(help="A short quote from the paper.")] = None,
    design: Annotated[str | None, typer.Option(help="Set the paper's design: " + DESIGNS)] = None,
    review_of: Annotated[
        str | None, typer.Option(help="What a systematic review pooled: " + REVIEWED)
    ] = None,
    expected_version: Annotated[
        int | None, typer.Option(help="Refuse unless the link is still at this version.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why: written to the history.")] = None,
) -> None:
    """Link a paper to a claim with its stance and GRADE judgements, or revise the link.

    Revising changes only what you give: other judgements already recorded are kept.
    With --design (and --review-of) the paper's design is set first, in the same change.
    """
    one_way_each(downgrade or [])
    app = app_context(ctx)
    with app.store().transaction() as session:
        if design is not None or review_of is not None:
            edit_reference(
                session,
                ref=ref,
                actor=app.actor,
                reason=reason,
                design=design,
                review_of=review_of,
            )
        _, change = link_evidence(
            session,
            claim_id=claim,
            ref=ref,
            stance=stance,
            rationale=rationale,
            actor=app.actor,
            directness=directness,
            risk_of_bias=risk_of_bias,
            downgrades=downgrade or [],
            upgrades=upgrade or [],
            replace_judgements=replace_judgements,
            quote=quote,
            reason=reason,
            expected_version=expected_version,
        )
    said = {"created": "Linked.", "updated": "Link updated.", "unchanged": "Link unchanged."}
    say(f"{said[change.value]} " + _verdict_line(ctx, claim))


def unlink(
    ctx: typer.Context,
    claim: str,
    ref: str,
    reason: Annotated[str | None, typer.Option(help="Why: written to the history.")] = None,
    expected_version: Annotated[
        int | None, typer.Option(help="Refuse unless the link is still at this version.")
    ] = None,
) -> None:
    """Remove a paper from a claim's evidence."""
    app = app_context(ctx)
    with app.store().transaction() as session:
        unlink_evidence(
            session,
            claim_id=claim,
            ref=ref,
            actor=app.actor,
            reason=reason,
            expected_version=expected_version,
        )
    say("Unlinked. " + _verdict_line(ctx, claim))


def override(
    ctx: typer.Context,
    claim: str,
    verdict: Annotated[
        str | None, typer.Argument(help=", ".join(v.value for v in Verdict) + ".")
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="Required: why the computed verdict is wrong.")
    ] = None,
    certainty: Annotated[
        str | None,
        typer.Option(
            help="The certainty the override stands at (very_low, low, moderate, high); "
            "by default the computed one, brought within what the verdict can have."
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the override.")] = False,
    expected_version: Annotated[
        int | None, typer.Option(help="Refuse unless the override is still at this version.")
    ] = None,
) -> None:
    """Override a claim's computed verdict, with a written reason (the computed one stays shown)."""
    app = app_context(ctx)
    if clear and verdict is not None:
        raise typer.BadParameter("give either a VERDICT or --clear, not both")
    if clear and certainty is not None:
        raise typer.BadParameter("--certainty goes with a VERDICT, not with --clear")
    if not clear and verdict is None:
        raise typer.BadParameter("give a VERDICT, or --clear to remove the override")
    warning = None
    with app.store().transaction() as session:
        if clear:
            clear_override(
                session,
                claim_id=claim,
                reason=reason,
                actor=app.actor,
                expected_version=expected_version,
            )
        else:
            set_override(
                session,
                claim_id=claim,
                verdict=verdict or "",
                reason=reason,
                actor=app.actor,
                certainty=certainty,
                expected_version=expected_version,
            )
            warning = same_as_computed(session, claim)
    if warning:
        warn(f"Warning: {warning}")
    say(_verdict_line(ctx, claim))


def search_log(
    ctx: typer.Context,
    claim: str,
    database: Annotated[str, typer.Option(help="Where you searched, e.g. PubMed.")],
    query: Annotated[str, typer.Option(help="The query exactly as run.")],
    hits: Annotated[int, typer.Option(help="How many records it returned.")],
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
    notes: Annotated[str | None, typer.Option(help="What was screened, what was found.")] = None,
) -> None:
    """Record an evidence search for a claim ("searched, nothing found" is not "not assessed")."""
    app = app_context(ctx)
    with app.store().transaction() as session:
        log_search(
            session,
            claim_id=claim,
            database=database,
            query=query,
            hits=hits,
            searched_on=date or clock.now().date(),
            notes=notes,
            actor=app.actor,
        )
    say("Search recorded. " + _verdict_line(ctx, claim))


def claim_link(
    ctx: typer.Context,
    from_claim: Annotated[str, typer.Argument(help="The earlier claim (cause).")],
    to_claim: Annotated[str, typer.Argument(help="The later claim (effect).")],
    relation: Annotated[
        str, typer.Option(help=", ".join(r.value for r in Relation) + ".")
    ] = Relation.leads_to.value,
    source: Annotated[str | None, typer.Option(help="Key of the source proposing it.")] = None,
) -> None:
    """Link two claims: a step of a proposed mechanism chain, a refinement, a contradiction."""
    app = app_context(ctx)
    with app.store().transaction() as session:
        link_claims(
            session,
            from_claim=from_claim,
            to_claim=to_claim,
            relation=relation,
            actor=app.actor,
            source_key=source,
        )
    say(f"{from_claim} {relation} {to_claim}.")


def claim_unlink(
    ctx: typer.Context,
    from_claim: Annotated[str, typer.Argument(help="The earlier claim.")],
    to_claim: Annotated[str, typer.Argument(help="The later claim.")],
    relation: Annotated[
        str, typer.Option(help=", ".join(r.value for r in Relation) + ".")
    ] = Relation.leads_to.value,
    reason: Annotated[str | None, typer.Option(help="Why: written to the history.")] = None,
) -> None:
    """Remove a link between two claims."""
    app = app_context(ctx)
    with app.store().transaction() as session:
        unlink_claims(
            session,
            from_claim=from_claim,
            to_claim=to_claim,
            relation=relation,
            actor=app.actor,
            reason=reason,
        )
    say(f"Removed: {from_claim} {relation} {to_claim}.")
