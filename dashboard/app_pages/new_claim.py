"""Add a claim: one checkable statement, its type and tags, and who asserts it."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import ClaimType, Role
from evidence.webui import auth, curation, data
from evidence.webui.render import md_text, option

user = auth.user()
if user is None or not user.may(Role.curator):  # the router already refuses; be sure
    auth.refuse()
    st.stop()

st.title("New claim")
st.caption(
    "One checkable statement, e.g. “Lumbar radiculopathy is more prevalent in people with "
    "plantar heel pain.” Its verdict is computed once papers are linked to it."
)
sources = data.sources()
with st.form("new_claim"):
    a, b = st.columns([2, 1])
    claim_id = a.text_input(
        "Id",
        placeholder="lower-case words joined by hyphens, e.g. heel-pain-radiculopathy",
        key="new_id",
    )
    claim_type = b.selectbox("Type", [t.value for t in ClaimType], key="new_type")
    statement = st.text_area("Statement", key="new_statement")
    tags = st.text_input("Tags (comma-separated)", key="new_tags")
    notes = st.text_area("Notes (optional)", key="new_notes")
    st.markdown("**Who asserts it** (optional)")
    a, b = st.columns([1, 2])
    source = a.selectbox(
        "Source",
        list(sources),
        index=None,
        format_func=lambda k: option(sources[k], k, 60),
        placeholder="Choose a source document",
        key="new_source",
    )
    quote = b.text_input("Locating quote", key="new_quote")
    unverified = b.checkbox(curation.UNVERIFIED, key="new_unverified")
    submitted = st.form_submit_button("Add claim", type="primary")

if submitted:
    outcome = curation.attempt(
        curation.new_claim,
        user,
        claim_id=claim_id.strip(),
        statement=statement,
        claim_type=claim_type,
        tags=curation.tag_list(tags),
        notes=notes or None,
        source_key=source,
        quote=quote,
        unverified=unverified,
    )
    if outcome.ok:
        st.session_state[curation.FLASH] = outcome.message
        st.switch_page("app_pages/curate.py", query_params={"id": claim_id.strip()})
    st.error(md_text(outcome.message))
