"""Choosing a claim: the address (?id=) is the source of truth, the picker follows it."""

from __future__ import annotations

from typing import Any

import streamlit as st

from evidence.errors import ClaimNotFound
from evidence.webui import data
from evidence.webui.render import md_text, option


def open_claim(claim_id: str, key: str = "claim_choice") -> None:
    """Links and the picker both just change the address."""
    st.query_params["id"] = claim_id
    st.session_state[key] = claim_id


def claim_picker(statements: dict[str, str], *, key: str = "claim_choice") -> str | None:
    """A sidebar picker of every claim; the chosen id, or None (an unknown id is reported)."""
    ids = sorted(statements, key=lambda i: statements[i].lower())
    wanted = st.query_params.get("id")
    # the picker follows the address, whatever changed it (a link, the back button, a bookmark)
    st.session_state[key] = wanted if wanted in statements else None
    choice = st.sidebar.selectbox(
        "Claim",
        ids,
        format_func=lambda i: option(statements[i], i),
        placeholder="Choose a claim",
        key=key,
        on_change=lambda: open_claim(st.session_state[key], key),
    )
    if wanted and wanted not in statements:
        st.error(md_text(f"There is no claim with id {wanted!r}."))
    return choice


def chosen_claim(
    statements: dict[str, str], *, key: str, none_chosen: str, link: tuple[str, str, str]
) -> dict[str, Any]:
    """The detail of the claim picked; otherwise says why there is none and ends the run.

    ``link`` is the page, label and icon of where to go when none is picked.
    """
    choice = claim_picker(statements, key=key)
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
