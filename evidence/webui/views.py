"""Cached reads for the chains, sources and evidence map pages, and what they list.

Same pattern as data.py: keyed on the database URL and the data version, so a change made
anywhere shows on the next rerun. Nothing here grades a claim: the verdicts are the
store's, read for the claims a page shows or counted in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from evidence import settings
from evidence.services.transfer.exporting import table_csv
from evidence.services.views import claim_listing, evidence_map
from evidence.services.views.claim_listing import Filters
from evidence.services.views.mechanisms import LedgerChains, all_chains
from evidence.services.views.source_scorecards import scorecards
from evidence.services.views.summaries import ClaimSummary, summaries_of
from evidence.webui import data, downloads
from evidence.webui.render import (
    DESIGN_LABELS,
    VERDICT_COLOURS,
    md_text,
    short,
    span,
    verdict_label,
)

ANY = evidence_map.ANY
GROUPS = evidence_map.GROUPS
RETRACTED = evidence_map.RETRACTED


def _url() -> str:
    return settings.get().database_url


@st.cache_data(show_spinner=False, max_entries=4)
def _chains(url: str, version: tuple[int, int]) -> LedgerChains:
    with data._store(url).reading() as session:
        return all_chains(session)


@st.cache_data(show_spinner=False, max_entries=4)
def _source_cards(url: str, version: tuple[int, int]) -> list[dict[str, Any]]:
    with data._store(url).reading() as session:
        return scorecards(session)


@st.cache_data(show_spinner=False, max_entries=4)
def _claim_cells(url: str, version: tuple[int, int]) -> list[dict[str, Any]]:
    with data._store(url).reading() as session:
        return evidence_map.claim_cells(session)


@st.cache_data(show_spinner=False, max_entries=64)
def _claims_in_cell(
    url: str, version: tuple[int, int], verdict: str, certainty: str
) -> list[ClaimSummary]:
    filters = Filters(
        verdicts=() if verdict == ANY else (verdict,),
        certainties=() if certainty == ANY else (certainty,),
    )
    with data._store(url).reading() as session:
        # in id order, as every list of claims here is
        return sorted(claim_listing.matching_claims(session, filters), key=lambda c: c["id"])


@st.cache_data(show_spinner=False, max_entries=64)
def _summaries(url: str, version: tuple[int, int], ids: tuple[str, ...]) -> list[ClaimSummary]:
    with data._store(url).reading() as session:
        found = summaries_of(session, ids)
    return [found[i] for i in ids if i in found]


@st.cache_data(show_spinner=False, max_entries=4)
def _evidence_cells(url: str, version: tuple[int, int]) -> list[dict[str, Any]]:
    with data._store(url).reading() as session:
        return evidence_map.evidence_cells(session)


@st.cache_data(show_spinner=False, max_entries=64)
def _claims_with_evidence(
    url: str, version: tuple[int, int], year: int | str | None, group: str
) -> list[str]:
    with data._store(url).reading() as session:
        return evidence_map.claims_with_evidence(session, year=year, group=group)


def chains() -> LedgerChains:
    """Every mechanism and chain: see services.views.mechanisms.all_chains."""
    return _chains(_url(), data.version())


def source_cards() -> list[dict[str, Any]]:
    """Each source with its claims by verdict and the ids of those claims."""
    return _source_cards(_url(), data.version())


def claim_cells() -> list[dict[str, Any]]:
    return _claim_cells(_url(), data.version())


def claims_in_cell(verdict: str = ANY, certainty: str = ANY) -> list[ClaimSummary]:
    return _claims_in_cell(_url(), data.version(), verdict, certainty)


def evidence_cells() -> list[dict[str, Any]]:
    return _evidence_cells(_url(), data.version())


def claims_with_evidence(year: int | str | None = ANY, group: str = ANY) -> list[ClaimSummary]:
    """The claims with evidence from papers of that year and group, in id order."""
    url, version = _url(), data.version()
    return _summaries(url, version, tuple(_claims_with_evidence(url, version, year, group)))


def claims_by_ids(ids: Sequence[str]) -> list[ClaimSummary]:
    return _summaries(_url(), data.version(), tuple(ids))


# --- what the pages list -------------------------------------------------------------------

SCORECARD_FIELDS = (
    "key",
    "title",
    "kind",
    "origin",
    "url",
    "conflicts_of_interest",
    "credibility_notes",
    "claims",
)
SCORECARD_COLUMNS = (*SCORECARD_FIELDS, *VERDICT_COLOURS)


def scorecards_csv(cards: Sequence[dict[str, Any]]) -> str:
    """The scorecards as listed, one row per source."""
    rows = (
        [c[field] for field in SCORECARD_FIELDS] + [c["verdicts"][v] for v in VERDICT_COLOURS]
        for c in cards
    )
    return table_csv(SCORECARD_COLUMNS, rows)


CHAIN_COLUMNS = (
    "chain",
    "step",
    "claim",
    "statement",
    "verdict",
    "certainty",
    "weakest_step",
    "chain_verdict",
    "chain_certainty",
)


def chains_csv(result: dict[str, Any], chain_numbers: Sequence[int]) -> str:
    """The chains listed, one row per step, each with its chain's overall verdict."""
    rows = []
    for n in chain_numbers:
        ch = result["chains"][n]
        for i, cid in enumerate(ch["steps"]):
            c = result["claims"][cid]
            rows.append(
                [n + 1, i + 1, cid, c["statement"], c["verdict"], c["certainty"]]
                + [str(i in ch["weakest_indexes"]).lower(), ch["verdict"], ch["certainty"]]
            )
    return table_csv(CHAIN_COLUMNS, rows)


def group_label(group: str) -> str:
    return DESIGN_LABELS.get(group, group.replace("_", " "))


def claim_line(claim: dict[str, Any], *, suffix: str = "", limit: int = 130) -> None:
    """One claim as a row: its verdict badge and a link to its page."""
    badge, link = st.columns([1.4, 8], vertical_alignment="center", gap="small")
    with badge:
        st.badge(
            verdict_label(claim["verdict"]) + (" · override" if claim["overridden"] else ""),
            color=VERDICT_COLOURS[claim["verdict"]],
        )
    link.page_link(
        "app_pages/claim.py",
        label=md_text(short(claim["statement"], limit) + suffix),
        query_params={"id": claim["id"]},
        help=md_text(f"{claim['id']} · {claim['certainty']} certainty"),
    )


def claim_list(
    claims: Sequence[dict[str, Any]],
    *,
    key: str,
    what: str,
    selection: str = "",
    page_size: int = 25,
) -> None:
    """A paginated list of claims (links to their pages) with a CSV of them all.

    ``selection`` names what is listed: a new selection starts again at its first page.
    """
    info, csv = st.columns([5, 1], vertical_alignment="center")
    pages = max(1, -(-len(claims) // page_size))
    page = st.pagination(pages, key=f"{key}_page:{selection}") if pages > 1 else 1
    first = (page - 1) * page_size
    shown = claims[first : first + page_size]
    if pages > 1:
        info.caption(
            md_text(f"{len(claims)} claims {what}; showing {span(first, len(shown), len(claims))}.")
        )
    else:
        info.caption(md_text(f"{len(claims)} claim{'s' if len(claims) != 1 else ''} {what}."))
    downloads.offer(
        csv,
        "CSV",
        lambda: downloads.claims_csv(claims),  # made when asked for, not on every rerun
        file_name=f"{key}-claims.csv",
        key=f"{key}_csv",
        help="Every claim listed here (all pages), one row each.",
        disabled=not claims,
    )
    for claim in shown:
        claim_line(claim)
