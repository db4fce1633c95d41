"""Curate one claim: edit it, attach and grade papers, record searches, override, link claims.

The router only runs this page for a curator; every write checks the role again. The page
holds what every form shares (the claim, widget keys, the write); each tab is a module of
evidence/webui/curating/.
"""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import (
    Role,
)
from evidence.webui import auth, curation, data
from evidence.webui.curating import (
    chain_link_form,
    claim_form,
    override_form,
    papers,
    search_form,
)
from evidence.webui.curating.form import Form
from evidence.webui.picker import chosen_claim
from evidence.webui.render import (
    VERDICT_COLOURS,
    certainty_text,
    md_text,
    verdict_label,
)

user = auth.user()
if user is None or not user.may(Role.curator):  # the router already refuses; be sure
    auth.refuse()
    st.stop()


def fresh_forms() -> None:
    st.session_state["curation_generation"] = st.session_state.get("curation_generation", 0) + 1


def write(change: curation.Change, **values: object) -> None:
    """Make one change as the signed-in curator. After it lands, every form is drawn afresh
    from the new state; after an error, the form keeps what was typed."""
    outcome = curation.attempt(change, user, **values)
    if outcome.ok:
        st.session_state[curation.FLASH] = outcome.message
        fresh_forms()
        st.rerun()
    st.error(md_text(outcome.message))
    if outcome.conflict:
        # in the sidebar: a plain button may not sit inside the form that failed
        st.sidebar.button(
            "Discard my changes and show the latest", on_click=fresh_forms, key="refresh"
        )


st.title("Curate a claim")
if curation.FLASH in st.session_state:
    st.success(md_text(st.session_state.pop(curation.FLASH)), icon=":material/check_circle:")
if not data.claim_count():
    st.info("The ledger has no claims yet.")
    st.page_link("app_pages/new_claim.py", label="Add a claim", icon=":material/add_circle:")
    st.stop()
claim = chosen_claim(
    key="curate_choice",
    none_chosen="Choose the claim to curate in the sidebar.",
    link=("app_pages/new_claim.py", "Or add a claim", ":material/add_circle:"),
)

# Widgets keep what they first showed until their key changes, so each form is keyed by
# what it edits and by a generation that moves on after every change made here; the version
# it writes with is the one stored when its widgets were first drawn. A change made
# elsewhere meanwhile is then a conflict, however often the form is submitted.
GEN = st.session_state.setdefault("curation_generation", 0)
cid = claim["id"]


def K(name: str, *scope: object) -> str:
    return ":".join([name, cid, *map(str, scope), str(GEN)])


def shown(form: str, version: int) -> int:
    return st.session_state.setdefault(f"version_shown:{form}", version)


st.subheader(md_text(claim["statement"]), anchor=False)
cols = st.columns([2, 3, 5], vertical_alignment="center")
with cols[0]:
    st.badge(
        verdict_label(claim["verdict"]) + (" · override" if claim["overridden"] else ""),
        color=VERDICT_COLOURS[claim["verdict"]],
    )
cols[1].markdown(certainty_text(claim))
cols[2].page_link(
    "app_pages/claim.py",
    label="As readers see it",
    query_params={"id": claim["id"]},
    icon=":material/visibility:",
)
st.caption(md_text(claim["explanation"]))

form = Form(claim, user, K, shown, write)
tabs = st.tabs(["Evidence", "Claim", "Searches", "Override", "Chain links"])
for tab, part in zip(
    tabs, (papers, claim_form, search_form, override_form, chain_link_form), strict=True
):
    with tab:
        part.draw(form)
