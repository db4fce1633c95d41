"""The `evidence` command: global options, sub-commands, and errors turned into messages.

Exit codes: 0 ok; 1 unexpected error; 2 bad input or usage; 3 unknown record; 4 already
exists; 5 conflicting concurrent change; 6 database unusable or not initialised.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from evidence import settings
from evidence.cli import admin, curation, reports
from evidence.cli.claims import claim_app, claims_app
from evidence.cli.context import AppContext
from evidence.cli.refs import ref_app, refs_app
from evidence.errors import EvidenceError


class _Group(TyperGroup):
    """Turns the package's errors into one line on stderr and the class's exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EvidenceError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from exc


app = typer.Typer(
    cls=_Group,
    help="evidence: a claim-level literature evidence ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
    app_ctx = AppContext(settings.configure(database_url=db, user=as_user))
    ctx.obj = app_ctx
    ctx.call_on_close(app_ctx.close)


app.command()(admin.init)
app.command()(admin.seed)
app.command()(admin.dashboard)
app.add_typer(claim_app, name="claim")
app.add_typer(claims_app, name="claims")
app.add_typer(ref_app, name="ref")
app.add_typer(refs_app, name="refs")
app.command()(curation.link)
app.command()(curation.unlink)
app.command()(curation.override)
app.command("search-log")(curation.search_log)
app.command("claim-link")(curation.claim_link)
app.command()(reports.chain)
app.command()(reports.sources)
app.add_typer(reports.source_app, name="source")
app.command()(reports.history)


def main() -> None:
    app()
