"""Files in and out: import, export, restore."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from evidence.cli.context import app_context
from evidence.cli.output import print_json, progress_bar, say
from evidence.domain.vocab import Band, Downgrade, Stance, Upgrade
from evidence.errors import InvalidRecord, MissingValue
from evidence.store.migrate import upgrade

if TYPE_CHECKING:  # imported where used, to keep the CLI's start quick
    from evidence.services.transfer.importing import ImportReport, RecordResult

_SHOWN = 50  # merged / skipped records listed on the terminal; --report has them all


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to import.", show_default=False)],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto (from the content) | bibtex | ris | medline | pubmed-xml | csl-json | csv.",
        ),
    ] = "auto",
    encoding: Annotated[
        str | None,
        typer.Option(help="The file's text encoding when it is not UTF-8 (e.g. cp1252)."),
    ] = None,
    claim: Annotated[
        str | None, typer.Option(help="Link every imported paper to this claim.")
    ] = None,
    stance: Annotated[
        str | None,
        typer.Option(help=", ".join(s.value for s in Stance) + " (with --claim)."),
    ] = None,
    rationale: Annotated[
        str | None, typer.Option(help="Why these papers bear on the claim (with --claim).")
    ] = None,
    downgrade: Annotated[
        list[str] | None,
        typer.Option(help=", ".join(d.value for d in Downgrade) + " (repeatable, with --claim)."),
    ] = None,
    upgrade_: Annotated[
        list[str] | None,
        typer.Option(
            "--upgrade", help=", ".join(u.value for u in Upgrade) + " (repeatable, with --claim)."
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Write nothing unless every record can be imported."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read, match and report; write nothing.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(help="Write what became of every record to this file (JSON Lines)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import papers from BibTeX, RIS, MEDLINE (.nbib), PubMed XML (.xml, .xml.gz), CSL-JSON
    or CSV (Rayyan, Covidence). A paper already stored (same DOI, PMID or PMCID, or the same
    title, year and first author) is merged: its empty fields are filled, nothing is
    overwritten. Broken records are skipped and listed, unless --strict."""
    from evidence.services.transfer.importing import Attachment, import_file, open_records

    attach = None
    if claim is not None:
        if stance is None or rationale is None:
            raise MissingValue("--stance and --rationale", "--claim links every paper with them")
        attach = Attachment(claim, stance, rationale, tuple(downgrade or ()), tuple(upgrade_ or ()))
    elif stance or rationale or downgrade or upgrade_:
        raise MissingValue("--claim", "--stance, --rationale and judgements go with --claim")
    app = app_context(ctx)
    opened = open_records(file, fmt, encoding)
    if report is not None and report.resolve() == file.resolve():
        raise InvalidRecord(str(report), None, "the report would overwrite the file imported")
    with ExitStack() as stack:
        sink = stack.enter_context(_whole_file(report, "w")) if report is not None else None
        with progress_bar(f"Importing {file.name}", percent=True) as (set_total, advance):
            set_total(opened.total)
            state = {"done": 0}

            def progress(done: int) -> None:
                advance(done - state["done"])
                state["done"] = done

            def on_result(result: RecordResult) -> None:
                if sink is not None:
                    sink.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")

            with app.store().transaction(rehearse=dry_run) as session:
                summary = import_file(
                    session,
                    opened,
                    actor=app.actor,
                    attach=attach,
                    strict=strict,
                    on_result=on_result,
                    progress=progress,
                )
    if as_json:
        print_json({**summary.to_dict(), "dry_run": dry_run})
        return
    _print_summary(summary, dry_run=dry_run, report=report)


def _print_summary(summary: ImportReport, *, dry_run: bool, report: Path | None) -> None:
    counts = summary.counts
    verbs = ("would import", "merge", "skip") if dry_run else ("imported", "merged", "skipped")
    say(
        ("Dry run, nothing written: " if dry_run else "")
        + f"{verbs[0]} {counts['imported']}, {verbs[1]} {counts['merged']}, "
        f"{verbs[2]} {counts['skipped']} of {summary.total} records from {summary.file} "
        f"({summary.format})."
    )
    if summary.linked or summary.already_linked:
        linked = "would link" if dry_run else "linked"
        say(f"  {linked} {summary.linked} to the claim")
        if summary.already_linked:
            say(
                f"  {summary.already_linked} already linked to it: their recorded stance and "
                "judgements were kept (change one with `evidence link`)"
            )
    for title, results in (("merged", summary.merged), ("skipped", summary.skipped)):
        for result in results[:_SHOWN]:
            target = f" into {result.reference}" if result.reference else ""
            say(f"  {title} {result.where}{target}: {result.detail}")
        if summary.counts[title] > _SHOWN:
            more = summary.counts[title] - _SHOWN
            say(f"  ... and {more} more {title}" + (f" (see {report})" if report else ""))
    for line in summary.deleted:
        say(f"  {line}")


def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (the full dump) | csv | bibtex | ris | csl-json | markdown.",
            show_default=False,
        ),
    ],
    claim: Annotated[
        list[str] | None,
        typer.Option(help="Only this claim (repeatable); not for json."),
    ] = None,
    band: Annotated[
        list[str] | None,
        typer.Option(help=" | ".join(b.value for b in Band) + " (repeatable); not for json."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Export the ledger: a full JSON dump (restore it with `evidence restore`), a
    bibliography (BibTeX, RIS, CSL-JSON), a spreadsheet of papers (CSV), or a Markdown evidence
    summary per claim."""
    from evidence.services.transfer.exporting import NOT_CARRIED
    from evidence.services.transfer.exporting import export as export_chunks

    app = app_context(ctx)
    with app.store().reading() as session:
        chunks = export_chunks(session, fmt, claim_ids=claim or [], bands=band or [])
        _write(chunks, output)
    if fmt in NOT_CARRIED:
        typer.echo(f"note: {NOT_CARRIED[fmt]}", err=True)
    if output is not None:
        say(f"Wrote {output}.")


def _write(chunks: Iterable[str], output: Path | None) -> None:
    """To stdout, or to a file that appears whole or not at all."""
    if output is None:
        # bytes, not text: the locale's encoding or a platform's line endings must not
        # change a dump on its way out
        stdout = sys.stdout.buffer
        for chunk in chunks:
            stdout.write(chunk.encode("utf-8"))
        stdout.flush()
        return
    with _whole_file(output, "w") as out:
        for chunk in chunks:
            out.write(chunk)


@contextmanager
def _whole_file(path: Path, mode: str) -> Iterator[IO[str]]:
    """A file written under a temporary name and renamed into place only when complete."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InvalidRecord(str(path), None, "its folder does not exist")
    if path.is_dir():
        raise InvalidRecord(str(path), None, "a folder, not a file")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise InvalidRecord(str(path), None, f"cannot write there ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, mode, encoding="utf-8", newline="") as out:
            yield out
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 is for the half-written file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def restore(
    ctx: typer.Context,
    dump: Annotated[Path, typer.Argument(help="A dump from `evidence export --format json`.")],
) -> None:
    """Load a JSON dump into an empty database (created if need be): everything, ids and
    history included, so that the restored database's own dump is the same file."""
    from evidence.services.transfer.dump import read_dump
    from evidence.services.transfer.dump import restore as restore_dump

    try:
        data = dump.read_bytes()
    except OSError as exc:
        raise InvalidRecord(str(dump), None, f"cannot read it ({exc.strerror or exc})") from exc
    rows = read_dump(data, str(dump))  # a bad dump creates no database
    app = app_context(ctx)
    store = app.store(create=True, check_schema=False)
    upgrade(store)
    with store.transaction() as session:
        counts = restore_dump(session, rows, name=str(dump))
    shown = ", ".join(f"{table} {n}" for table, n in counts.items() if n)
    say(f"Restored {dump} into {store.display_url}: {shown or 'an empty ledger'}.")
