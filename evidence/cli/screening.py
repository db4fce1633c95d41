"""`evidence screen`: a claim's candidates one at a time, most likely relevant first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from evidence.cli.context import app_context
from evidence.cli.curation import OTHER_DOWNGRADES, one_way_each
from evidence.cli.output import console, print_json, say
from evidence.domain.term_marks import marked, term_pattern
from evidence.domain.vocab import ExclusionReason, Screening, Stance, Upgrade, parse
from evidence.errors import ConflictError, InvalidValue
from evidence.services.finding.decisions import Appraisal, decide, get_candidate
from evidence.services.views.prisma import prisma_flow

if TYPE_CHECKING:
    from sqlmodel import Session

    from evidence.services.finding.queue import Queue, QueueItem

REASONS = ", ".join(r.value for r in ExclusionReason)


class _ClaimFirst(TyperGroup):
    """`evidence screen CLAIM` is the queue; `screen decide ...` and `screen simulate ...`
    are commands: a first word that names no command is a claim."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["queue", *args]
        return list(super().parse_args(ctx, args))


screen_app = typer.Typer(
    cls=_ClaimFirst,
    help="Screen a claim's candidates by title and abstract: `evidence screen CLAIM`.",
    no_args_is_help=True,
)


@screen_app.command("decide")
def screen_decide(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="Claim id.")],
    ref: Annotated[str, typer.Argument(help="The candidate's reference key or identifier.")],
    decision: Annotated[str, typer.Argument(help="include, exclude or maybe.")],
    reason: Annotated[str | None, typer.Option(help=f"Why it is excluded: {REASONS}.")] = None,
    reason_text: Annotated[
        str | None, typer.Option(help="In words (needed with --reason other).")
    ] = None,
    stance: Annotated[
        str | None,
        typer.Option(
            help=", ".join(s.value for s in Stance)
            + ": with --rationale, an inclusion is judged at once (an evidence link)."
        ),
    ] = None,
    rationale: Annotated[str | None, typer.Option(help="How the paper bears on the claim.")] = None,
    downgrade: Annotated[
        list[str] | None, typer.Option(help=", ".join(OTHER_DOWNGRADES) + " (repeatable).")
    ] = None,
    upgrade: Annotated[
        list[str] | None,
        typer.Option(help=", ".join(u.value for u in Upgrade) + " (repeatable)."),
    ] = None,
    revise: Annotated[
        bool, typer.Option("--revise", help="Change a decision already made.")
    ] = False,
    expected_version: Annotated[
        int | None, typer.Option(help="Refuse unless the candidate is still at this version.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Record one screening decision (for scripts; `evidence screen CLAIM` asks one by one)."""
    if (stance is None) != (rationale is None):
        raise typer.BadParameter("--stance and --rationale go together", param_hint="--stance")
    one_way_each(downgrade or [])
    appraisal = (
        Appraisal(stance, rationale, tuple(downgrade or ()), tuple(upgrade or ()))
        if stance is not None and rationale is not None
        else None
    )
    app = app_context(ctx)
    with app.store().transaction() as session:
        candidate = decide(
            session,
            claim_id=claim,
            ref=ref,
            decision=decision,
            actor=app.actor,
            reason=reason,
            reason_text=reason_text,
            appraisal=appraisal,
            expected_version=expected_version,
            revise=revise,
        )
        flow = prisma_flow(session, candidate.claim_id)
    if as_json:
        print_json(
            {
                "state": candidate.state,
                "reason": candidate.reason,
                "version": candidate.version,
                "prisma": flow,
            }
        )
        return
    state = Screening(candidate.state)
    what = state.value + (
        f" ({ExclusionReason(candidate.reason).label})" if candidate.reason else ""
    )
    judged = " and linked as evidence" if appraisal is not None else ""
    say(
        f"{ref}: {what}{judged}. {flow['screened']:,} of {flow['candidates']:,} screened, "
        f"{flow['included']:,} included."
    )


CHOICES = {"i": "include", "e": "exclude", "m": "maybe", "s": "skip", "q": "quit"}


@screen_app.command("queue", hidden=True)
def screen_queue(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="Claim id.")],
    next_only: Annotated[
        bool, typer.Option("--next", help="Show the next candidate and stop (for scripts).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with --next).")] = False,
) -> None:
    """One candidate at a time: include, exclude (with a reason), maybe, skip or quit."""
    # the ranker's scikit-learn takes a second to import: only this command pays for it,
    # not every `evidence` command (the CLI's start-up is in `claims list`'s 3 s budget)
    from evidence.services.finding.queue import QueueBuilder, keep_scores

    app = app_context(ctx)
    store = app.store()
    with store.reading() as session:
        builder = QueueBuilder(session, claim)
        queue = builder.build(session)
    if next_only:
        top = queue.items[0] if queue.items else None
        if as_json:
            print_json({**queue.to_dict(), "next": top.to_dict() if top else None})
        elif top is None:
            say(_nothing_left(queue))
        else:
            _show(queue, top)
        return
    skipped: set[str] = set()
    while True:
        waiting = [i for i in queue.items if i.reference not in skipped]
        if not waiting:
            say(_nothing_left(queue))
            return
        item = waiting[0]
        _show(queue, item)
        choice = CHOICES.get(
            typer.prompt("[i]nclude, [e]xclude, [m]aybe, [s]kip, [q]uit").strip().lower()[:1]
        )
        if choice is None:
            say("Type i, e, m, s or q.")
            continue
        if choice == "quit":
            say(queue.progress() + ".")
            return
        if choice == "skip":
            skipped.add(item.reference)
            continue
        reason = text = None
        appraisal = None
        if choice == "exclude":
            reason, text = _ask_reason()
        elif choice == "include":
            appraisal = _ask_appraisal()
        try:
            with store.transaction() as session:
                decide(
                    session,
                    claim_id=queue.claim_id,
                    ref=item.reference,
                    decision=choice,
                    actor=app.actor,
                    reason=reason,
                    reason_text=text,
                    appraisal=appraisal,
                    expected_version=item.version,
                )
                queue = builder.build(session)
                keep_scores(session, queue)
        except ConflictError:
            # another curator screening the same claim got there first: their decision
            # stands, and this session goes on with the queue as it now is
            with store.reading() as session:
                say(_decided_meanwhile(session, queue.claim_id, item.reference))
                queue = builder.build(session)


def _nothing_left(queue: Queue) -> str:
    if not queue.total:
        return f"{queue.claim_id} has {queue.progress()}."
    return f"Nothing left to screen for {queue.claim_id}. {queue.progress()}."


def _show(queue: Queue, item: QueueItem) -> None:
    console.rule(f"{queue.claim_id}: {queue.progress()}")
    console.print(f"[bold]{_marked(item.title or '(no title)', queue.terms)}[/bold]")
    where = ", ".join(str(p) for p in (item.journal, item.year) if p)
    ids = " · ".join(
        p for p in (item.doi and f"doi:{item.doi}", item.pmid and f"PMID {item.pmid}") if p
    )
    console.print(escape(" · ".join(p for p in (where, ids, item.reference) if p)))
    if item.suggested_design:
        console.print(escape(f"suggested design: {item.suggested_design.replace('_', ' ')}"))
    if item.state == Screening.maybe.value:
        console.print("[italic]marked maybe earlier[/italic]")
    console.print()
    console.print(_marked(item.abstract or "(no abstract)", queue.terms))
    console.print()


def _marked(text: str, terms: tuple[str, ...]) -> str:
    """The text as rich markup, the claim's words (and longer words they begin) in bold."""
    return marked(
        text, term_pattern(terms), lambda word: f"[bold yellow]{escape(word)}[/bold yellow]", escape
    )


def _ask_reason() -> tuple[str, str | None]:
    listed = list(ExclusionReason)
    for n, r in enumerate(listed, start=1):
        say(f"  {n}. {r.label}")
    while True:
        picked = typer.prompt("Reason (number)").strip()
        if picked.isdigit() and 1 <= int(picked) <= len(listed):
            reason = listed[int(picked) - 1]
            break
        say(f"Type a number from 1 to {len(listed)}.")
    text = None
    if reason is ExclusionReason.other:
        text = typer.prompt("Which reason")
    return reason.value, text


def _decided_meanwhile(session: Session, claim_id: str, ref: str) -> str:
    candidate, _ = get_candidate(session, claim_id, ref)
    who = candidate.decided_by or "another curator"
    if candidate.state in (Screening.included.value, Screening.excluded.value):
        return f"{ref}: already {candidate.state} by {who} meanwhile; moving on."
    # still open (marked maybe meanwhile, or a write that collided): it comes round again
    return f"{ref}: changed by {who} meanwhile (now {candidate.state}); nothing was written."


def _ask_appraisal() -> Appraisal | None:
    stances = ", ".join(s.value for s in Stance)
    while True:
        typed = typer.prompt(
            f"Stance now ({stances}), or Enter to judge it later", default="", show_default=False
        ).strip()
        if not typed:
            return None
        try:
            stance = parse(Stance, typed, field="stance")
            break
        except InvalidValue:
            say(f"Type one of {stances}, or press Enter to judge it later.")
    while True:
        rationale = typer.prompt("Rationale (one sentence)").strip()
        if rationale:
            return Appraisal(stance.value, rationale)
        say("A stance needs a rationale: one sentence on how the paper bears on the claim.")
