"""Overview: every claim in its band — Supported, Disputed, Unproven — with verdict and why."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import Certainty, ClaimType, Role, Verdict
from evidence.webui import auth, data, downloads, screening
from evidence.webui.data import Filters
from evidence.webui.render import (
    BAND_BLURBS,
    BAND_ORDER,
    band_counts_html,
    claim_cards_html,
    option,
    span,
    verdict_label,
)

PAGE_SIZE = 20
CERTAINTIES = {c.label: c for c in sorted(Certainty, reverse=True)}

# the whole ledger's counts: a grouped query over the stored verdicts, whatever its size
everything = data.verdict_counts()
total = sum(everything.values())

st.title("Evidence ledger")
st.caption(
    "Each claim's verdict is computed from the papers linked to it, GRADE-style: study design "
    "sets the starting certainty, recorded downgrades and upgrades move it, and the best "
    "supporting evidence is weighed against the best refuting evidence."
)

if not total:
    st.info("The ledger is empty: run `evidence seed` to load the starter content.")
    st.stop()

st.html(band_counts_html(everything))

# for curators only: what re-run searches brought in and nobody has screened yet (one cached
# grouped query; a reader never pays for it)
user = auth.user()
if user is not None and user.may(Role.curator):
    waiting = screening.new_from_reruns()
    if waiting:
        st.html(screening.new_candidates_html(waiting))

query = st.text_input(
    "Search claims",
    placeholder="words in the claim, its id, its tags or its papers' titles",
    help="Every word must appear; a word also finds longer ones it begins (fasci: fasciitis).",
    key="overview_search",
)
sources = data.sources()
cols = st.columns(5)
filters = Filters(
    query=query,
    types=tuple(
        cols[0].multiselect("Claim type", [t.value for t in ClaimType], key="overview_types")
    ),
    tags=tuple(cols[1].multiselect("Tag", data.tags(), key="overview_tags")),
    sources=tuple(
        cols[2].multiselect(
            "Asserted by",
            list(sources),
            format_func=lambda k: option(sources[k], k, 60),
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

counts = data.verdict_counts(filters) if filters.active else everything
matched = sum(counts.values())
info, csv_col, md_col = st.columns([4, 1, 1], vertical_alignment="center")
if filters.active:
    info.caption(f"{matched:,} of {total:,} claims match.")
else:
    info.caption(f"{total:,} claims.")
downloads.offer(
    csv_col,
    "CSV",
    lambda: downloads.claims_csv(data.matching_claims(filters)),  # made when clicked
    file_name="claims.csv",
    key="overview_csv",
    help="The claims listed here, one row each, with verdict, certainty and counts.",
    disabled=not matched,
)
over = matched > downloads.MARKDOWN_LIMIT
downloads.offer(
    md_col,
    "Summary",
    downloads.summary_maker(
        data.store(),
        lambda: [c["id"] for c in data.matching_claims(filters, limit=downloads.MARKDOWN_LIMIT)],
        f"Evidence summary: {filters.describe()}"
        + (f" (the first {downloads.MARKDOWN_LIMIT} of {matched} claims)" if over else ""),
    ),
    file_name="evidence-summary.md",
    key="overview_markdown",
    help="A Markdown evidence summary of the claims listed here, one table per claim"
    + (f" (the first {downloads.MARKDOWN_LIMIT})" if over else "")
    + ".",
    disabled=not matched,
)


for band in BAND_ORDER:
    in_band = sum(counts.get(v, 0) for v in Verdict if v.band is band)
    st.header(f"{band.label} ({in_band:,})", anchor=band.value, divider="gray")
    st.caption(BAND_BLURBS[band])
    if not in_band:
        st.write("No matching claims here." if filters.active else "No claims here.")
        continue
    pages = -(-in_band // PAGE_SIZE)
    page = 1
    if pages > 1:
        # keyed by the filters too: a new search starts again at the first page
        page = st.pagination(pages, key=f"overview_page_{band.value}:{hash(filters)}")
        first = (page - 1) * PAGE_SIZE
        st.caption(span(first, min(PAGE_SIZE, in_band - first), in_band))
    # one block of HTML per band; the statement wraps in full: a clinician must be able to
    # read what is judged
    shown = data.claims_page(filters, band=band.value, page=page, size=PAGE_SIZE)
    if shown:  # st.html refuses an empty block
        st.html(claim_cards_html(shown))
