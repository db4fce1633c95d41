"""The ledger out: a full dump, a bibliography, a spreadsheet or an evidence summary.

The bibliographic formats (BibTeX, RIS, CSV) carry papers; ``--claim`` and ``--band``
choose the papers cited by those claims. What a format cannot carry is said, not dropped in
silence: :data:`NOT_CARRIED` is printed by the CLI next to the file it wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from sqlmodel import Session, col, select

from evidence.domain.metadata import Notice
from evidence.domain.models import Claim, ClaimVerdict, Evidence, Reference
from evidence.domain.vocab import Band, parse
from evidence.errors import InvalidValue
from evidence.formats.citations import Citation
from evidence.services.transfer.dump import write_dump
from evidence.services.views.claim_detail import ClaimDetail, claim_detail
from evidence.services.views.summaries import summaries_of
from evidence.store.queries import get_claim
from evidence.store.tables import stored_id

EXPORT_FORMATS = ("json", "csv", "bibtex", "ris", "csl-json", "markdown")

NOT_CARRIED = {
    "bibtex": "BibTeX carries the papers only: claims, evidence links, verdicts and the "
    "history are in the JSON dump",
    "ris": "RIS carries the papers only: claims, evidence links, verdicts and the history "
    "are in the JSON dump",
    "csv": "CSV carries the papers, their graded design and the claims citing them; the "
    "evidence judgements and the history are in the JSON dump",
    "csl-json": "CSL-JSON carries the papers only: claims, evidence links, verdicts and the "
    "history are in the JSON dump",
    "markdown": "Markdown is a summary for reading; the JSON dump is the full record",
}


def select_claims(
    session: Session, claim_ids: Sequence[str] = (), bands: Sequence[str] = ()
) -> list[Claim] | None:
    """The claims asked for (None: no filter, the whole ledger)."""
    if not claim_ids and not bands:
        return None
    wanted = sorted({parse(Band, b, field="band").value for b in bands})
    if not claim_ids:
        query = (
            select(Claim)
            .join(ClaimVerdict, col(ClaimVerdict.claim_id) == Claim.id)
            .where(col(ClaimVerdict.band).in_(wanted))
            .order_by(ClaimVerdict.claim_id)
        )
        return list(session.scalars(query))
    claims = [get_claim(session, c) for c in dict.fromkeys(claim_ids)]
    if wanted:
        bands_of: dict[str, str] = dict(
            session.execute(
                select(ClaimVerdict.claim_id, ClaimVerdict.band).where(
                    col(ClaimVerdict.claim_id).in_([c.id for c in claims])
                )
            ).all()
        )
        claims = [c for c in claims if bands_of.get(c.id) in wanted]
    return claims


def citation_of(ref: Reference, position: int) -> Citation:
    return Citation(
        position=position,
        label=ref.key,
        doi=ref.doi,
        pmid=ref.pmid,
        pmcid=ref.pmcid,
        title=ref.title,
        authors=tuple(ref.authors),
        journal=ref.journal,
        year=ref.year,
        abstract=ref.abstract,
        publication_types=tuple(ref.publication_types),
        keywords=tuple(ref.keywords),
        notices=tuple(Notice.from_dict(n) for n in ref.retraction_notices),
    )


def _references(
    session: Session, claims: list[Claim] | None
) -> tuple[list[Reference], dict[int, list[str]]]:
    """The papers to write, by key, and for each the claims citing it ('claim (stance)')."""
    links = session.execute(select(Evidence.reference_id, Evidence.claim_id, Evidence.stance))
    wanted = None if claims is None else {c.id for c in claims}
    cited: dict[int, list[str]] = {}
    for ref_id, claim_id, stance in sorted(links, key=lambda r: (r[0], r[1])):
        if wanted is None or claim_id in wanted:
            cited.setdefault(ref_id, []).append(f"{claim_id} ({stance})")
    refs = session.scalars(select(Reference))
    chosen = [r for r in refs if wanted is None or r.id in cited]
    return sorted(chosen, key=lambda r: r.key), cited


def table_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A table shown on screen as CSV (cells guarded against spreadsheet formulas)."""
    from evidence.formats.csv_table import write_table

    return write_table(header, rows)


def markdown_summary(session: Session, claim_ids: Sequence[str], *, title: str) -> Iterator[str]:
    """One section per claim (verdict, why not higher, the evidence table, sources, searches),
    in the spirit of a GRADE summary-of-findings table; grouped by band (Supported, Disputed,
    Unproven) after a contents list, each band's claims in the order given."""
    from evidence.formats.markdown import BandGroup, write_summary

    by_band: dict[str, list[tuple[str, str]]] = {band.value: [] for band in Band}
    for start in range(0, len(claim_ids), 1000):  # the contents only: id, band, statement
        batch = claim_ids[start : start + 1000]
        found = summaries_of(session, batch)
        for claim_id in batch:
            if claim_id in found:
                by_band[found[claim_id]["band"]].append((claim_id, found[claim_id]["statement"]))

    def details(entries: list[tuple[str, str]]) -> Callable[[], Iterator[ClaimDetail]]:
        return lambda: (claim_detail(session, claim_id) for claim_id, _ in entries)

    groups = [BandGroup(b.label, by_band[b.value], details(by_band[b.value])) for b in Band]
    return write_summary(groups, title=title)


def export(
    session: Session, fmt: str, *, claim_ids: Sequence[str] = (), bands: Sequence[str] = ()
) -> Iterator[str]:
    """The export, in chunks of text; every check is made before the first chunk."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidValue("format", fmt, list(EXPORT_FORMATS))
    if fmt == "json":
        if claim_ids or bands:
            raise InvalidValue(
                "filter",
                ", ".join([*claim_ids, *bands]),
                "none: the JSON dump is the whole ledger (filter the other formats)",
            )
        return write_dump(session)
    claims = select_claims(session, claim_ids, bands)
    if fmt == "markdown":
        if claims is None:
            claims = sorted(session.scalars(select(Claim)), key=lambda c: c.id)
        title = f"Evidence summary: {len(claims)} claim" + ("s" if len(claims) != 1 else "")
        return markdown_summary(session, [c.id for c in claims], title=title)
    refs, cited = _references(session, claims)
    citations = [citation_of(r, i) for i, r in enumerate(refs, 1)]
    if fmt == "bibtex":
        from evidence.formats.bibtex import write_bibtex

        return write_bibtex(citations)
    if fmt == "ris":
        from evidence.formats.ris import write_ris

        return write_ris(citations)
    if fmt == "csl-json":
        from evidence.formats.csl_json import write_csl_json

        return write_csl_json(citations)
    from evidence.formats.csv_table import write_csv

    extras = [
        (
            c,
            {
                "design": r.graded_design or "",
                "design_from": "curator"
                if r.design
                else "publication types"
                if r.suggested_design
                else "",
                "retraction": r.retraction or "",
                "claims": "; ".join(cited.get(stored_id(r), [])),
            },
        )
        for c, r in zip(citations, refs, strict=True)
    ]
    return write_csv(extras, extra_columns=("design", "design_from", "retraction", "claims"))
