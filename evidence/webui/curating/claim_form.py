"""The Claim tab: edit the claim's statement, type, tags and notes."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import (
    ClaimType,
)
from evidence.webui import curation, data
from evidence.webui.curating.form import Form
from evidence.webui.render import (
    option,
)


def draw(form: Form) -> None:
    claim, K, shown, write = form.claim, form.key, form.shown, form.write
    claim_version = shown(K("edit"), claim["version"])
    with st.form(K("edit_claim")):
        statement = st.text_area("Statement", claim["statement"], key=K("edit_statement"))
        a, b = st.columns(2)
        types = [t.value for t in ClaimType]
        claim_type = a.selectbox(
            "Type", types, index=types.index(claim["type"]), key=K("edit_type")
        )
        tags = b.text_input("Tags (comma-separated)", ", ".join(claim["tags"]), key=K("edit_tags"))
        notes = st.text_area("Notes", claim["notes"] or "", key=K("edit_notes"))
        reason = st.text_input("Why (for the history)", key=K("edit_reason"))
        if st.form_submit_button("Save claim", type="primary"):
            write(
                curation.change_claim,
                claim_id=claim["id"],
                version=claim_version,
                statement=statement,
                claim_type=claim_type,
                tags=curation.tag_list(tags),
                notes=notes,
                reason=reason or None,
            )
    st.markdown("**Who asserts it**")
    sources = data.sources()
    with st.form(K("assert")):
        source = st.selectbox(
            "Source",
            list(sources),
            index=None,
            format_func=lambda k: option(sources[k], k),
            placeholder="Choose a source document",
            key=K("assert_source"),
        )
        said = st.text_input("Locating quote", key=K("assert_quote"))
        unverified = st.checkbox(
            curation.UNVERIFIED,
            key=K("assert_unverified"),
            help="A quote must be in the source's stored text, exactly or nearly. Tick this "
            "to record one that is not (or a quote from a source with no text stored): it is "
            "shown as not found, and `evidence check` lists it until it is found.",
        )
        if st.form_submit_button("Add quote"):
            write(
                curation.assert_claim,
                claim_id=claim["id"],
                source_key=source or "",
                quote=said,
                unverified=unverified,
            )
