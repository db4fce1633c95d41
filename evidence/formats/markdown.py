"""A readable evidence summary: one section and one table per claim, after GRADE's
summary-of-findings tables. Takes the claim details the services build (claim_detail).

Everything a curator or a source wrote is escaped: a claim, a quote or a rationale is shown
as text in whatever renders the Markdown, never as a link, HTML or script.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from evidence.domain.vocab import ExclusionReason

_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#!~])")


_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _escaped(flat: str) -> str:
    return _SPECIAL.sub(r"\\\1", flat).replace("&", "&amp;")


def text(value: object) -> str:
    """Markdown that shows ``value`` as the characters it is, on one line.

    A URL goes in a code span: escaping alone would not stop GitHub's renderer making a
    bare ``https://`` or ``www.`` into a link.
    """
    flat = " ".join(str(value or "").split())
    out, last = [], 0
    for match in _URL.finditer(flat):
        out.append(_escaped(flat[last : match.start()]))
        out.append("`" + match.group(0).replace("`", "'") + "`")
        last = match.end()
    out.append(_escaped(flat[last:]))
    return "".join(out)


def _words(name: str | None) -> str:
    return (name or "").replace("_", " ")


def _paper(ref: Mapping[str, Any]) -> str:
    bits = [text(ref.get("title") or ref["key"])]
    byline = ", ".join(text(x) for x in (ref.get("first_author"), ref.get("journal")) if x)
    if byline:
        bits.append(f"({byline})")
    links = []
    if ref.get("doi"):
        links.append(f"[DOI](https://doi.org/{quote(ref['doi'], safe='/')})")
    if ref.get("pmid"):
        links.append(f"[PubMed](https://pubmed.ncbi.nlm.nih.gov/{ref['pmid']}/)")
    if ref.get("retraction"):
        bits.insert(0, f"**{_words(ref['retraction']).upper()}**")
    return " ".join(bits + links)


def _evidence_table(rows: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    yield "| Paper | Design | Year | Stance | Certainty | Judgements | Rationale |\n"
    yield "|---|---|---|---|---|---|---|\n"
    for row in rows:
        judgements = [_words(d) for d in row["downgrades"]] + [
            f"+ {_words(u)}" for u in row["upgrades"]
        ]
        design = row.get("design_label") or _words(row.get("design")) or "design not set"
        if row.get("design_suggested"):
            design += " (suggested by publication types)"
        certainty = f"{row['certainty_symbols']} {row['certainty']}"
        if row.get("retracted"):
            certainty = "not counted (retracted)"
        elif row.get("status") == "insufficient":
            certainty = "not counted (insufficient)"
        cells = [
            _paper(row["reference"]),
            text(design),
            str(row["reference"].get("year") or ""),
            text(row["stance"]),
            certainty,
            text(", ".join(judgements)) or "none",
            text(row.get("rationale"))
            + (f" From the paper: “{text(row['quote'])}”" if row.get("quote") else ""),
        ]
        yield "| " + " | ".join(cells) + " |\n"


def claim_section(detail: Mapping[str, Any]) -> Iterator[str]:
    yield f"### {text(detail['statement'])}\n\n"
    tags = ", ".join(text(t) for t in detail.get("tags", []))
    yield f"`{detail['id']}` · {text(detail['type'])}" + (f" · tags: {tags}" if tags else "")
    yield "\n\n"
    override = detail.get("override")
    if override:
        # said once: the curator's verdict and why, then what the evidence says
        yield (
            f"{detail['certainty_symbols']} **{text(_words(override['verdict']).capitalize())} "
            f"({text(detail['certainty'])}; curator override)**\n\n"
        )
        computed = detail.get("computed_certainty_symbols", detail["certainty_symbols"])
        yield (
            f"> Overridden by {text(override['curator'])}: {text(override['reason'])}\n>\n"
            f"> Computed: {computed} {text(detail['computed_explanation'])}"
            "\n\n"
        )
    else:
        # the explanation opens with the verdict and certainty: "Limited support (low): ..."
        yield f"{detail['certainty_symbols']} **{text(detail['explanation'])}**\n\n"
    if detail.get("why_not_higher"):
        yield "Why not higher: " + "; ".join(text(w) for w in detail["why_not_higher"]) + ".\n\n"
    if detail["evidence"]:
        yield from _evidence_table(detail["evidence"])
        yield "\n"
    else:
        yield "No evidence linked.\n\n"
    if detail.get("sources"):
        yield "Asserted by:\n\n"
        quotes: dict[str, list[str]] = {}
        for source in detail["sources"]:
            quotes.setdefault(source["key"], []).append(source["quote"])
        shown = {s["key"]: s for s in detail["sources"]}
        for key, said in quotes.items():
            source = shown[key]
            coi = source.get("conflicts_of_interest")
            yield f"- *{text(source['title'])}* ({text(_words(source['kind']))})\n"
            if coi:
                yield f"  - conflicts of interest: {text(coi)}\n"
            for quote in said:
                yield f"  - “{text(quote)}”\n"
        yield "\n"
    if detail.get("searches"):
        yield "Searches:\n\n"
        for search in detail["searches"]:
            hits = search.get("hits")
            yield (
                f"- {text(search['database'])}: “{text(search['query'])}”"
                + (f" on {search['date']}" if search.get("date") else "")
                + (f", {hits} hits" if hits is not None else "")
                + "\n"
            )
        yield "\n"
    flow = detail.get("prisma")
    if flow and _has_flow(flow):
        yield from _prisma_section(flow)


def _has_flow(flow: Mapping[str, Any]) -> bool:
    """A search the tool ran, or candidates: a search logged by hand brought no records in,
    so there is no flow to count."""
    return bool(flow["candidates"]) or any(s.get("service") for s in flow["searches"])


def _reason(reason: str) -> str:
    try:
        return ExclusionReason(reason).label
    except ValueError:  # a reason no longer in the vocabulary: its stored spelling
        return _words(reason)


def _prisma_section(flow: Mapping[str, Any]) -> Iterator[str]:
    """The claim's PRISMA 2020 flow as a table of counts, stage by stage."""
    rows: list[tuple[str, int]] = [("Records identified", flow["identified"])]
    by_database: dict[str, int] = {}
    for s in flow["searches"]:
        if s.get("service"):
            by_database[s["database"]] = by_database.get(s["database"], 0) + (
                s.get("identified") or 0
            )
    rows += [(f"  from {text(db)}", n) for db, n in by_database.items()]
    rows.append(("Duplicates removed", flow["duplicates"]))
    lost = flow["identified"] - flow["duplicates"] - flow["candidates"]
    if lost > 0:
        rows.append(("Records that could not be read", lost))
    rows += [
        ("Candidates screened (title and abstract)", flow["screened"]),
        ("Awaiting screening", flow["unscreened"]),
        ("Excluded", flow["excluded"]),
    ]
    rows += [(f"  {text(_reason(r))}", n) for r, n in flow["excluded_by_reason"].items()]
    if flow["maybe"]:
        rows.append(("Maybe (to look at again)", flow["maybe"]))
    rows += [
        ("Included", flow["included"]),
        ("Judged (linked as evidence)", flow["judged"]),
        ("Included, not yet judged", flow["included_not_judged"]),
    ]
    yield "PRISMA 2020 flow:\n\n"
    if said := flow.get("nothing_found"):
        yield f"{text(said[:1].upper() + said[1:])}.\n\n"
    yield "| Stage | Records |\n|---|---:|\n"
    for stage, count in rows:
        # an indented row is a part of the row above: a database, a reason
        label = f"\u2003{stage.strip()}" if stage.startswith("  ") else stage
        yield f"| {label} | {count:,} |\n"
    yield "\n"


@dataclass(frozen=True)
class BandGroup:
    """The claims of one band, in the order they are written: (id, statement) for the
    contents, and their details (made as the section is written, so a large export streams)."""

    label: str
    claims: list[tuple[str, str]]
    details: Callable[[], Iterable[Mapping[str, Any]]]


def write_summary(groups: Sequence[BandGroup], *, title: str) -> Iterator[str]:
    """The title, a contents list by band with counts, then each band's claims."""
    yield f"# {text(title)}\n\n"
    yield "Contents:\n\n"
    for group in groups:
        yield f"- **{text(group.label)}** ({len(group.claims)})\n"
        for claim_id, statement in group.claims:
            yield f"  - `{claim_id}` {text(statement)}\n"
    yield "\n"
    for group in groups:
        yield f"## {text(group.label)} ({len(group.claims)})\n\n"
        if not group.claims:
            yield "No claims here.\n\n"
        for detail in group.details():
            yield from claim_section(detail)
