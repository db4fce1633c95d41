"""The dashboard's reads: cached service calls, invalidated by the ledger's data version.

The engine is a cached resource per database URL; every run reads the data version (one
small query) and the cached views are keyed on it, so a change made from the CLI shows up
on the next rerun while unchanged data is never read twice. Nothing here grades: the
verdicts are the store's (see store/verdicts.py), and the overview's search, filters and
pages are SQL queries that read what a page shows (services/views/claim_listing.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

import streamlit as st
from sqlmodel import col, select

from evidence import settings
from evidence.domain.models import Assertion, Source
from evidence.domain.quote_location import QuoteMatch
from evidence.services.views import claim_listing
from evidence.services.views.claim_detail import ClaimDetail, claim_detail
from evidence.services.views.claim_index import claim_statements, source_titles
from evidence.services.views.claim_listing import Filters  # noqa: F401 (the pages take it from here)
from evidence.services.views.mechanisms import ClaimChains, chain
from evidence.services.views.summaries import ClaimSummary
from evidence.store.engine import Store
from evidence.store.history import data_version, list_history
from evidence.store.migrate import ensure_current


class ClaimPage(ClaimDetail):
    """What the claim page reads: the claim's detail, its chains and its recent history."""

    chain: ClaimChains
    history: list[dict[str, Any]]


_VERSION = "data_version_this_run"
NO_FILTERS = Filters()


@st.cache_resource(show_spinner=False, on_release=Store.close)
def _store(url: str) -> Store:
    store = Store.open(url)
    ensure_current(store)
    return store


def store() -> Store:
    return _store(settings.get().database_url)


def start_run() -> None:
    """Read the data version once for this run (the router calls it first), so every cached
    view the run shows belongs to the same version and it costs one query, not one per view."""
    st.session_state[_VERSION] = _read_version()


def version() -> tuple[int, int]:
    return st.session_state[_VERSION] if _VERSION in st.session_state else _read_version()


def _read_version() -> tuple[int, int]:
    with store().reading() as session:
        return data_version(session)


@st.cache_data(show_spinner=False, max_entries=64)
def _counts(url: str, version: tuple[int, int], filters: Filters) -> dict[str, int]:
    with _store(url).reading() as session:
        return dict(claim_listing.verdict_counts(session, filters))


@st.cache_data(show_spinner=False, max_entries=256)
def _page(
    url: str, version: tuple[int, int], filters: Filters, band: str | None, page: int, size: int
) -> list[ClaimSummary]:
    with _store(url).reading() as session:
        return claim_listing.claims_page(session, filters, band=band, page=page, size=size)


@st.cache_data(show_spinner=False, max_entries=4)
def _tags(url: str, version: tuple[int, int]) -> list[str]:
    with _store(url).reading() as session:
        return claim_listing.tags(session)


@st.cache_data(show_spinner=False, max_entries=256)
def _claim(url: str, version: tuple[int, int], claim_id: str) -> ClaimPage:
    with _store(url).reading() as session:
        return {
            **claim_detail(session, claim_id),
            "chain": chain(session, claim_id),
            "history": list_history(session, claim_id=claim_id, limit=100),
        }


def verdict_counts(filters: Filters = NO_FILTERS) -> dict[str, int]:
    """How many claims pass ``filters``, per verdict."""
    return _counts(settings.get().database_url, version(), filters)


def claims_page(filters: Filters, *, band: str | None, page: int, size: int) -> list[ClaimSummary]:
    """One page of the claims passing ``filters`` (in ``band``), strongest first."""
    return _page(settings.get().database_url, version(), filters, band, page, size)


def matching_claims(filters: Filters, *, limit: int | None = None) -> list[ClaimSummary]:
    """Every claim passing ``filters`` (for a download: read when asked for, not cached)."""
    with store().reading() as session:
        return list(claim_listing.matching_claims(session, filters, limit=limit))


def tags() -> list[str]:
    return _tags(settings.get().database_url, version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _statements(url: str, version: tuple[int, int]) -> dict[str, str]:
    with _store(url).reading() as session:
        return claim_statements(session)


@st.cache_resource(show_spinner=False, max_entries=4)
def _sources(url: str, version: tuple[int, int]) -> dict[str, str]:
    with _store(url).reading() as session:
        return source_titles(session)


def statements() -> dict[str, str]:
    """Every claim's statement by id (for the pickers of a small ledger: see picker.py)."""
    return _statements(settings.get().database_url, version())


@st.cache_data(show_spinner=False, max_entries=256)
def _statements_of(url: str, version: tuple[int, int], ids: tuple[str, ...]) -> dict[str, str]:
    with _store(url).reading() as session:
        return claim_statements(session, ids)


def statements_of(ids: Iterable[str]) -> dict[str, str]:
    """The statements of these claims (those that exist), by id."""
    return _statements_of(settings.get().database_url, version(), tuple(sorted(set(ids))))


@st.cache_data(show_spinner=False, max_entries=256)
def _found(url: str, version: tuple[int, int], query: str, limit: int) -> dict[str, str]:
    with _store(url).reading() as session:
        found = claim_listing.matching_claims(session, Filters(query=query), limit=limit)
        return {c["id"]: c["statement"] for c in found}


def find_claims(query: str, *, limit: int = 50) -> dict[str, str]:
    """The first ``limit`` claims the search finds (strongest first): id -> statement."""
    return _found(settings.get().database_url, version(), query, limit)


def claim_count() -> int:
    return sum(verdict_counts().values())


def sources() -> dict[str, str]:
    """Every source's title by key."""
    return _sources(settings.get().database_url, version())


def claim(claim_id: str) -> ClaimPage:
    return _claim(settings.get().database_url, version(), claim_id)


class DocumentQuote(TypedDict):
    """One assertion's quote and where it stands in its source's text."""

    claim_id: str
    quote: str
    match: str  # QuoteMatch
    score: float | None
    start: int | None  # character offsets into the text, when it was found there
    end: int | None


class SourceDocument(TypedDict):
    """A source's stored text (None when it has none) and the quotes of its assertions."""

    key: str
    title: str
    text: str | None
    sha256: str | None
    size: int | None  # bytes, UTF-8
    format: str | None
    quotes: list[DocumentQuote]


# a document may be megabytes: few are kept, and none is read until a page asks for it
@st.cache_data(show_spinner=False, max_entries=8)
def _source_document(url: str, version: tuple[int, int], key: str) -> SourceDocument | None:
    with _store(url).reading() as session:
        source = session.scalar(select(Source).where(col(Source.key) == key))
        if source is None:
            return None
        assertions = session.scalars(
            select(Assertion)
            .where(col(Assertion.source_id) == source.id)
            .order_by(col(Assertion.id))
        )
        return {
            "key": source.key,
            "title": source.title,
            "text": source.text,
            "sha256": source.text_sha256,
            "size": source.text_size,
            "format": source.text_format,
            "quotes": [
                {
                    "claim_id": a.claim_id,
                    "quote": a.quote,
                    "match": QuoteMatch.stored(a.quote_match).value,
                    "score": a.quote_score,
                    "start": a.quote_start,
                    "end": a.quote_end,
                }
                for a in assertions
            ],
        }


def source_document(key: str) -> SourceDocument | None:
    """A source's text and its assertions' quotes; None if there is no such source."""
    return _source_document(settings.get().database_url, version(), key)


def clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
