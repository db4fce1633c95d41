"""Choosing a claim: the address (?id=) is the source of truth, the picker follows it.

A small ledger offers every claim in the picker. A large one (past FULL_LIST claims) would
send the browser a list of every statement on every run, so there the picker offers what a
search finds (strongest first), the claim on screen always among them.
"""

from __future__ import annotations

from collections.abc import Collection
from types import ModuleType

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from evidence.errors import ClaimNotFound
from evidence.webui import data
from evidence.webui.render import md_text, option

FULL_LIST = 300  # claims a picker lists whole
FOUND = 50  # claims a search offers in a large ledger


def open_claim(claim_id: str, key: str = "claim_choice") -> None:
    """Links and the picker both just change the address."""
    st.query_params["id"] = claim_id
    st.session_state[key] = claim_id


def claim_options(
    where: DeltaGenerator | ModuleType,
    *,
    key: str,
    keep: Collection[str] = (),
    label: str = "Find a claim",
) -> dict[str, str]:
    """The claims to offer, id -> statement: all of a small ledger's; in a large one those a
    search box finds, with ``keep`` (claims already chosen) first. The box is drawn in
    ``where``: a container, or the ``st`` module itself for the page's main area."""
    if data.claim_count() <= FULL_LIST:
        statements = data.statements()
        return {i: statements[i] for i in sorted(statements, key=lambda i: statements[i].lower())}
    query = where.text_input(
        label,
        key=f"{key}_find",
        placeholder="words of the claim, its id or tags",
        help=f"The first {FOUND} claims these words find, strongest first.",
    )
    found = data.find_claims(query, limit=FOUND)
    kept = data.statements_of(keep)
    return kept | {i: s for i, s in found.items() if i not in kept}


def claim_picker(*, key: str = "claim_choice") -> str | None:
    """A sidebar picker; the chosen id, or None (an unknown id is reported)."""
    wanted = st.query_params.get("id")
    options = claim_options(st.sidebar, key=key, keep=[wanted] if wanted else [])
    # the picker follows the address, whatever changed it (a link, the back button, a bookmark)
    st.session_state[key] = wanted if wanted in options else None
    choice = st.sidebar.selectbox(
        "Claim",
        list(options),
        format_func=lambda i: option(options[i], i),
        placeholder="Choose a claim",
        key=key,
        on_change=lambda: open_claim(st.session_state[key], key),
    )
    if wanted and wanted not in options:
        st.error(md_text(f"There is no claim with id {wanted!r}."))
    return choice


def chosen_claim(*, key: str, none_chosen: str, link: tuple[str, str, str]) -> data.ClaimPage:
    """The detail of the claim picked; otherwise says why there is none and ends the run.

    ``link`` is the page, label and icon of where to go when none is picked.
    """
    choice = claim_picker(key=key)
    if choice is None:
        st.info(none_chosen)
        page, label, icon = link
        st.page_link(page, label=label, icon=icon)
        st.stop()
    try:
        return data.claim(choice)
    except ClaimNotFound as exc:  # removed since the list was read
        st.error(md_text(str(exc)))
        st.stop()
