"""The dashboard's reads: cached service calls, invalidated by the ledger's data version.

The engine is a cached resource per database URL; every run reads the data version (one
small query) and the cached views are keyed on it, so a change made from the CLI shows up
on the next rerun while unchanged data is never recomputed. The graded ledger is not
recomputed either: it is brought up to date claim by claim (see live_ledger.py).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from evidence import settings
from evidence.services.chains import chain
from evidence.services.claim_detail import claim_detail
from evidence.services.claim_index import claim_statements, source_titles
from evidence.services.history import data_version, list_history
from evidence.store.engine import Store
from evidence.store.migrate import ensure_current
from evidence.webui.filtering import Ledger
from evidence.webui.live_ledger import LiveLedger

_VERSION = "data_version_this_run"


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


@st.cache_resource(show_spinner=False)
def _live(url: str) -> LiveLedger:
    return LiveLedger(_store(url))


# Callers treat what they get as read-only: it is shared by every session.
def _claims(url: str, version: tuple[int, int]) -> list[dict[str, Any]]:
    return _live(url).at(version).claims


def _ledger(url: str, version: tuple[int, int]) -> Ledger:
    return _live(url).at(version).ledger


@st.cache_data(show_spinner=False, max_entries=256)
def _claim(url: str, version: tuple[int, int], claim_id: str) -> dict[str, Any]:
    with _store(url).reading() as session:
        detail = claim_detail(session, claim_id)
        detail["chain"] = chain(session, claim_id)
        detail["history"] = list_history(session, claim_id=claim_id, limit=100)
        return detail


def claims() -> list[dict[str, Any]]:
    return _claims(settings.get().database_url, version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _statements(url: str, version: tuple[int, int]) -> dict[str, str]:
    with _store(url).reading() as session:
        return claim_statements(session)


@st.cache_resource(show_spinner=False, max_entries=4)
def _sources(url: str, version: tuple[int, int]) -> dict[str, str]:
    with _store(url).reading() as session:
        return source_titles(session)


def statements() -> dict[str, str]:
    """Every claim's statement by id, without grading anything (for pickers and links)."""
    return _statements(settings.get().database_url, version())


def sources() -> dict[str, str]:
    """Every source's title by key."""
    return _sources(settings.get().database_url, version())


def ledger() -> Ledger:
    """Every claim with what the overview searches and filters on."""
    return _ledger(settings.get().database_url, version())


def claim(claim_id: str) -> dict[str, Any]:
    return _claim(settings.get().database_url, version(), claim_id)


def clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
