"""The Searches tab: record a search done for the claim."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from evidence.webui import curation
from evidence.webui.curating.form import Form
from evidence.webui.render import (
    md_text,
)


def draw(form: Form) -> None:
    claim, K, write = form.claim, form.key, form.write
    for s in claim["searches"]:
        hits = "?" if s["hits"] is None else s["hits"]
        st.markdown(md_text(f"{s['date'] or 'undated'} — {s['database']}: {s['query']} ({hits})"))
    with st.form(K("search")):
        a, b, c = st.columns([2, 1, 1])
        database = a.text_input("Database", "PubMed", key=K("search_database"))
        searched_on = b.date_input(
            "Searched on", dt.date.today(), max_value=dt.date.today(), key=K("search_date")
        )
        hits = c.number_input("Hits", min_value=0, step=1, value=None, key=K("search_hits"))
        query_text = st.text_area("Query, as it was run", key=K("search_query"))
        search_notes = st.text_input("Notes (optional)", key=K("search_notes"))
        if st.form_submit_button("Record search", type="primary"):
            write(
                curation.record_search,
                claim_id=claim["id"],
                database=database,
                query=query_text,
                hits=None if hits is None else int(hits),
                searched_on=searched_on,
                notes=search_notes or None,
            )
