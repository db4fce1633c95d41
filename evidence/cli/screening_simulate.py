"""`evidence screen simulate FILE --labels LABELS.csv`: how well the screening queue's ranking
would have done on a set someone has already screened.

Needs no database: the records come from the file (any format `evidence import` reads), the
labels from a two-column CSV (a record's key in the file, or its DOI / PMID / PMCID; then 0
or 1), and the replay is evidence/services/finding/screening_simulation.py's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evidence.cli.output import print_json, say


def simulate(
    file: Annotated[
        Path, typer.Argument(help="The screened records (RIS, MEDLINE, BibTeX, PubMed XML, ...).")
    ],
    labels: Annotated[
        Path,
        typer.Option(
            "--labels",
            help="CSV: a record's key in FILE or its DOI / PMID / PMCID, then 1 (relevant) or 0.",
        ),
    ],
    claim_text: Annotated[
        str | None,
        typer.Option(
            "--claim-text",
            help="The claim's statement, used as prior knowledge instead of one relevant and "
            "one irrelevant record drawn at random (or beside them: --prior-relevant 1 "
            "--prior-irrelevant 1).",
        ),
    ] = None,
    prior_relevant: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Relevant records drawn at random and labelled first (default 1, or 0 with "
            "--claim-text).",
        ),
    ] = None,
    prior_irrelevant: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Irrelevant records drawn at random and labelled first (default 1, or 0 with "
            "--claim-text).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seeds the random prior and the classifier.")] = 0,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto (from the content) | bibtex | ris | medline | pubmed-xml | csl-json | csv.",
        ),
    ] = "auto",
    encoding: Annotated[
        str | None, typer.Option(help="FILE's text encoding when it is not UTF-8.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Replay screening FILE top-ranked first, as ASReview's simulate does, and print the
    recall figures (records to 95% and 100% recall, WSS@95, recall after 10%) beside random
    order's. Bad input is an error naming its row or record (exit 2)."""
    from evidence.services.finding.screening_simulation import read_labelled_set
    from evidence.services.finding.screening_simulation import simulate as replay

    labelled = read_labelled_set(file, labels, fmt=fmt, encoding=encoding)
    try:
        result = replay(
            labelled.records,
            labelled.labels,
            claim_text=claim_text,
            seed=seed,
            prior_relevant=prior_relevant,
            prior_irrelevant=prior_irrelevant,
        )
    except ValueError as exc:  # no relevant record, too few of a kind for the prior
        from evidence.errors import InvalidRecord

        raise InvalidRecord(str(labels), None, str(exc)) from exc
    if as_json:
        print_json(result.to_dict())
        return
    drawn = f"{len(result.prior)} records drawn at random (seed {seed})" if result.prior else ""
    prior = " and ".join(p for p in ("the claim text" if result.claim_text else "", drawn) if p)
    say(f"{result.records:,} records, {result.relevant:,} relevant; prior: {prior}")
    say(f"{'':24} {'ranked':>10} {'random':>10}")
    rows = (
        ("screened to 95% recall", result.ranked.screened_to_95, result.random.screened_to_95, 0),
        (
            "screened to 100% recall",
            result.ranked.screened_to_100,
            result.random.screened_to_100,
            0,
        ),
        ("WSS@95", result.ranked.wss_95, result.random.wss_95, 3),
        ("recall after 10%", result.ranked.recall_at_10, result.random.recall_at_10, 3),
    )
    for label, ranked, rnd, places in rows:
        say(f"{label:24} {ranked:>10,.{places}f} {rnd:>10,.{places}f}")
    say("random order: expected values")
