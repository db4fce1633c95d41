"""Overview: every claim in its band — Supported, Disputed, Unproven — with verdict and why."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import ClaimType, Verdict
from evidence.webui import data
from evidence.webui.render import (
    BAND_BLURBS,
    BAND_ORDER,
    VERDICT_COLOURS,
    certainty_text,
    counts_text,
    md_text,
    verdict_label,
)

claims = data.claims()

st.title("Evidence ledger")
st.caption(
    "Each claim's verdict is computed from the papers linked to it, GRADE-style: study design "
    "sets the starting certainty, recorded downgrades and upgrades move it, and the best "
    "supporting evidence is weighed against the best refuting evidence."
)

if not claims:
    st.info("The ledger is empty: run `evidence seed` to load the starter content.")
    st.stop()

for column, band in zip(st.columns(len(BAND_ORDER)), BAND_ORDER, strict=True):
    in_band = [c for c in claims if c["band"] == band.value]
    column.metric(band.label, len(in_band), help=BAND_BLURBS[band])
    by_verdict = [
        f"{n} {verdict_label(v.value).lower()}"
        for v in Verdict
        if v.band is band and (n := sum(c["verdict"] == v.value for c in in_band))
    ]
    column.caption(" · ".join(by_verdict) or "none")

search_col, type_col = st.columns([3, 2])
query = search_col.text_input(
    "Search claims", placeholder="words in the claim, its id or tags", key="overview_search"
)
types = type_col.multiselect("Claim type", [t.value for t in ClaimType], key="overview_types")


def matches(claim: dict) -> bool:
    if types and claim["type"] not in types:
        return False
    haystack = " ".join([claim["id"], claim["statement"], *claim["tags"]]).lower()
    return all(word in haystack for word in query.lower().split())


def strongest_first(claim: dict) -> tuple:
    return (*(-x for x in claim["strength"]), claim["id"])


shown = [c for c in claims if matches(c)]
if query or types:
    st.caption(f"{len(shown)} of {len(claims)} claims match.")

for band in BAND_ORDER:
    in_band = sorted((c for c in shown if c["band"] == band.value), key=strongest_first)
    st.header(f"{band.label} ({len(in_band)})", anchor=band.value, divider="gray")
    st.caption(BAND_BLURBS[band])
    if not in_band:
        st.write("No matching claims here." if query or types else "No claims here.")
    for claim in in_band:
        with st.container(border=True, key=f"claim-{claim['id']}"):
            # the statement wraps in full: a clinician must be able to read what is judged
            st.markdown(f"**{md_text(claim['statement'])}**")
            cols = st.columns([3, 4, 2, 6], gap="small", vertical_alignment="center")
            with cols[0]:
                label = verdict_label(claim["verdict"])
                st.badge(
                    label + (" · override" if claim["overridden"] else ""),
                    color=VERDICT_COLOURS[claim["verdict"]],
                )
            cols[1].markdown(certainty_text(claim), help="GRADE certainty of the evidence")
            cols[2].caption(claim["type"])
            cols[3].caption(counts_text(claim))
            st.caption(md_text(claim["explanation"]))
            st.page_link(
                "app_pages/claim.py",
                label="Evidence and details",
                query_params={"id": claim["id"]},
                icon=":material/arrow_forward:",
            )
