"""The `evidence` command: global options, sub-commands, and errors turned into messages.

Exit codes: 0 ok; 1 unexpected error; 2 bad input or usage; 3 unknown record; 4 already
exists; 5 conflicting concurrent change; 6 database unusable or not initialised.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from evidence import settings
from evidence.cli import (
    admin,
    curation,
    demo,
    health,
    metadata,
    reports,
    screening,
    screening_simulate,
    searching,
    transfer,
)
from evidence.cli.claims import claim_app, claims_app
from evidence.cli.context import AppContext
from evidence.cli.refs import ref_app, refs_app
from evidence.cli.users import users_app
from evidence.errors import EvidenceError, MissingReason, MissingValue

# Typer bundles its own click in recent versions and uses the real one in older ones:
# take click's exception classes from a public typer class either way. The type checker
# reads click's own, whose interface the bundled copy keeps.
if TYPE_CHECKING:
    from click.exceptions import ClickException, UsageError
else:
    _CLICK = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
    ClickException, UsageError = _CLICK["ClickException"], _CLICK["UsageError"]


GLOBAL_OPTIONS = ("--db", "--as")


def global_options_first(args: list[str]) -> list[str]:
    """``--db`` and ``--as`` moved before the command wherever they are given.

    They are the root's options, which click only reads before the command's name; people
    type them at the end too (``evidence restore DUMP --db URL``). Nothing after ``--`` is
    touched: it is the command's own arguments, whatever it looks like.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and "=" in arg:
            front.append(arg)
        elif arg in GLOBAL_OPTIONS and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


# what a missing value is called on the command line; the services name fields, not flags
OPTION_OF_FIELD = {"stance": "--stance", "rationale": "--rationale"}


def option_for(exc: EvidenceError) -> str | None:
    """The command-line option that would have given what an error says is missing."""
    if isinstance(exc, MissingReason):
        return "--reason"
    if isinstance(exc, MissingValue):
        return OPTION_OF_FIELD.get(exc.field)
    return None


class _Group(TyperGroup):
    """Every error, ours or a usage error, ends as one line on stderr and an exit code."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if ctx.parent is None:  # the root: `evidence ...`
            args = global_options_first(list(args))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EvidenceError as exc:
            option = option_for(exc)
            typer.echo(f"error: {exc}" + (f" ({option})" if option else ""), err=True)
            raise typer.Exit(exc.exit_code) from exc

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        given = {
            "args": args,
            "prog_name": prog_name,
            "complete_var": complete_var,
            "windows_expand_args": windows_expand_args,
            **extra,
        }
        if not standalone_mode:
            return super().main(**given, standalone_mode=False)
        try:
            code = super().main(**given, standalone_mode=False)
        except ClickException as exc:
            hint = ""
            if isinstance(exc, UsageError) and exc.ctx is not None:
                hint = f" (see `{exc.ctx.command_path} --help`)"
            typer.echo(f"error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_Group,
    help="evidence: a claim-level literature evidence ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (overrides EVIDENCE_DATABASE_URL).")
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Name written to the history (overrides EVIDENCE_USER)."),
    ] = None,
) -> None:
    settings.reset()
    if as_user is not None and not 0 < len(as_user.strip()) <= 200:
        raise typer.BadParameter("give a name of 1 to 200 characters", param_hint="--as")
    app_ctx = AppContext(
        settings.configure(database_url=db, user=as_user.strip() if as_user else None)
    )
    ctx.obj = app_ctx
    ctx.call_on_close(app_ctx.close)


app.command()(admin.init)
app.command()(admin.seed)
app.command()(admin.regrade)
app.command()(admin.dashboard)
app.command("demo-data")(demo.demo_data)
app.add_typer(claim_app, name="claim")
app.add_typer(claims_app, name="claims")
app.add_typer(ref_app, name="ref")
app.add_typer(refs_app, name="refs")
app.command()(curation.link)
app.command()(curation.unlink)
app.command()(curation.override)
app.command("search-log")(curation.search_log)
app.command("claim-link")(curation.claim_link)
app.command("claim-unlink")(curation.claim_unlink)
app.command()(metadata.lookup)
app.command()(metadata.resolve)
app.command("import")(transfer.import_)
app.command()(transfer.export)
app.command()(transfer.restore)
app.command()(reports.chain)
app.command()(reports.sources)
app.add_typer(reports.source_app, name="source")
app.add_typer(users_app, name="users")
app.command()(reports.history)
app.command()(health.check)
app.command()(searching.search)
screening.screen_app.command("simulate")(screening_simulate.simulate)
app.add_typer(screening.screen_app, name="screen")


def main() -> None:
    app()
