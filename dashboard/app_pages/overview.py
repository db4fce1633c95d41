"""Overview: every claim in its band — Supported, Disputed, Unproven — with verdict and why."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from evidence.domain.vocab import Certainty, ClaimType, Verdict
from evidence.webui import data, downloads
from evidence.webui.filtering import Filters, matching
from evidence.webui.render import (
    BAND_BLURBS,
    BAND_ORDER,
    VERDICT_COLOURS,
    certainty_text,
    counts_text,
    md_text,
    option,
    span,
    verdict_label,
)

PAGE_SIZE = 20
CERTAINTIES = {c.label: c for c in sorted(Certainty, reverse=True)}

ledger = data.ledger()
claims = ledger.claims

st.title("Evidence ledger")
st.caption(
    "Each claim's verdict is computed from the papers linked to it, GRADE-style: study design "
    "sets the starting certainty, recorded downgrades and upgrades move it, and the best "
    "supporting evidence is weighed against the best refuting evidence."
)

if not claims:
    st.info("The ledger is empty: run `evidence seed` to load the starter content.")
    st.stop()

verdicts = Counter(c["verdict"] for c in claims)  # one pass: this runs on every rerun
for column, band in zip(st.columns(len(BAND_ORDER)), BAND_ORDER, strict=True):
    in_band = [v for v in Verdict if v.band is band]
    column.metric(band.label, sum(verdicts[v] for v in in_band), help=BAND_BLURBS[band])
    by_verdict = [f"{verdicts[v]} {v.label.lower()}" for v in in_band if verdicts[v]]
    column.caption(" · ".join(by_verdict) or "none")

query = st.text_input(
    "Search claims",
    placeholder="words in the claim, its id, its tags or its papers' titles",
    key="overview_search",
)
cols = st.columns(5)
filters = Filters(
    query=query,
    types=tuple(
        cols[0].multiselect("Claim type", [t.value for t in ClaimType], key="overview_types")
    ),
    tags=tuple(cols[1].multiselect("Tag", ledger.tags, key="overview_tags")),
    sources=tuple(
        cols[2].multiselect(
            "Asserted by",
            list(ledger.source_names),
            format_func=lambda k: option(ledger.source_names[k], k, 60),
            key="overview_sources",
        )
    ),
    certainties=tuple(
        cols[3].multiselect(
            "Certainty",
            list(CERTAINTIES),
            format_func=lambda label: f"{CERTAINTIES[label].symbols} {label}",
            key="overview_certainties",
        )
    ),
    verdicts=tuple(
        cols[4].multiselect(
            "Verdict",
            [v.value for v in Verdict],
            format_func=verdict_label,
            key="overview_verdicts",
        )
    ),
)

shown = matching(ledger, filters)
info, csv_col, md_col = st.columns([4, 1, 1], vertical_alignment="center")
if filters.active:
    info.caption(f"{len(shown)} of {len(claims)} claims match.")
else:
    info.caption(f"{len(claims)} claims.")
downloads.offer(
    csv_col,
    "CSV",
    lambda: downloads.claims_csv(shown),  # made when clicked: 20,000 rows take a while
    file_name="claims.csv",
    key="overview_csv",
    help="The claims listed here, one row each, with verdict, certainty and counts.",
    disabled=not shown,
)
downloads.offer(
    md_col,
    "Summary",
    downloads.summary_maker(
        data.store(),
        [c["id"] for c in shown],
        f"Evidence summary: {filters.describe()}"
        + (
            f" (the first {downloads.MARKDOWN_LIMIT} of {len(shown)} claims)"
            if len(shown) > downloads.MARKDOWN_LIMIT
            else ""
        ),
    ),
    file_name="evidence-summary.md",
    key="overview_markdown",
    help="A Markdown evidence summary of the claims listed here, one table per claim"
    + (f" (the first {downloads.MARKDOWN_LIMIT})" if len(shown) > downloads.MARKDOWN_LIMIT else "")
    + ".",
    disabled=not shown,
)


def claim_card(claim: dict) -> None:
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
        with cols[3]:
            st.caption(counts_text(claim))
            if claim["retracted"]:
                st.badge("Cites retracted evidence", color="red", icon=":material/warning:")
        st.caption(md_text(claim["explanation"]))
        st.page_link(
            "app_pages/claim.py",
            label="Evidence and details",
            query_params={"id": claim["id"]},
            icon=":material/arrow_forward:",
        )


for band in BAND_ORDER:
    in_band = [c for c in shown if c["band"] == band.value]
    st.header(f"{band.label} ({len(in_band)})", anchor=band.value, divider="gray")
    st.caption(BAND_BLURBS[band])
    if not in_band:
        st.write("No matching claims here." if filters.active else "No claims here.")
        continue
    pages = -(-len(in_band) // PAGE_SIZE)
    page = 1
    if pages > 1:
        # keyed by the filters too: a new search starts again at the first page
        page = st.pagination(pages, key=f"overview_page_{band.value}:{hash(filters)}")
        first = (page - 1) * PAGE_SIZE
        st.caption(span(first, min(PAGE_SIZE, len(in_band) - first), len(in_band)))
    for claim in in_band[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        claim_card(claim)
