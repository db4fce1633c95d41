"""Sources: who asserts the claims, what kind of document each is, and how its claims fare."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import Verdict
from evidence.webui import data, downloads, views
from evidence.webui.charts import (
    KIND_BLURBS,
    KIND_COLOURS,
    KIND_LABELS,
    kind_label,
    scorecard_chart,
)
from evidence.webui.quotes_html import document_facts, document_html
from evidence.webui.render import VERDICT_COLOURS, md_text, verdict_label

PAGE_SIZE = 10
CLAIMS_SHOWN = 20  # per source; the CSV and the Overview's source filter have them all
ORDERS = {
    "Share of claims supported": lambda c: (
        -(c["bands"]["supported"] / c["claims"] if c["claims"] else -1),
        -c["claims"],
        c["title"].lower(),
    ),
    "Share of claims disputed": lambda c: (
        -(c["bands"]["disputed"] / c["claims"] if c["claims"] else -1),
        -c["claims"],
        c["title"].lower(),
    ),
    "Claims asserted": lambda c: (-c["claims"], c["title"].lower()),
    "Title": lambda c: (c["title"].lower(), c["key"]),
}

st.title("Sources")
st.caption(
    "The documents that assert the ledger's claims, and how those claims fare once graded: "
    "a source's scorecard counts its claims by verdict. What kind of document it is matters "
    "as much — a product page is not a guideline."
)

cards = views.source_cards()
if not cards:
    st.info("No source is recorded yet: run `evidence seed` to load the starter content.")
    st.stop()

cols = st.columns([3, 2, 1], vertical_alignment="bottom")
kinds_present = [k for k in KIND_LABELS if any(c["kind"] == k for c in cards)]
kinds_present += sorted({c["kind"] for c in cards} - set(kinds_present))
kinds = cols[0].multiselect(
    "Kind of document",
    kinds_present,
    format_func=kind_label,
    placeholder="Every kind",
    key="sources_kinds",
)
order = cols[1].selectbox("Order by", list(ORDERS), key="sources_order")
shares = cols[2].toggle("Shares", key="sources_shares", help="Each bar as shares of 100%.")

shown = sorted((c for c in cards if not kinds or c["kind"] in kinds), key=ORDERS[order])
pages = -(-len(shown) // PAGE_SIZE)
page = st.pagination(pages, key=f"sources_page_{len(shown)}") if pages > 1 else 1
first = (page - 1) * PAGE_SIZE
on_page = shown[first : first + PAGE_SIZE]

info, csv = st.columns([5, 1], vertical_alignment="center")
info.caption(
    (f"{len(shown)} of {len(cards)} sources" if kinds else f"{len(cards)} sources")
    + (f"; showing {first + 1}–{first + len(on_page)}." if pages > 1 else ".")
)
downloads.offer(
    csv,
    "CSV",
    views.scorecards_csv(shown),
    file_name="source-scorecards.csv",
    key="sources_csv",
    help="The scorecards of the sources listed (all pages), one row per source.",
    disabled=not shown,
)
if not shown:
    st.write("No source of that kind.")
    st.stop()

if any(c["claims"] for c in on_page):
    st.altair_chart(scorecard_chart(on_page, shares=shares), width="stretch")
st.dataframe(
    [
        {
            "Source": c["title"],
            "Kind": kind_label(c["kind"]),
            "Claims": c["claims"],
            **{verdict_label(v.value): c["verdicts"][v.value] for v in Verdict},
        }
        for c in on_page
    ],
    hide_index=True,
    # at 1,400 px a long title took the width and pushed Refuted and Unproven off the table
    column_config={
        "Source": st.column_config.TextColumn(width=220, help="The whole title: hover a cell."),
        "Kind": st.column_config.TextColumn(width=150),
    },
    key="sources_table",
)

for card in on_page:
    with st.container(border=True, key=f"source-{card['key']}"):
        st.subheader(md_text(card["title"]), anchor=False)
        kind = card["kind"]
        badge, blurb = st.columns([1, 4], vertical_alignment="center")
        with badge:
            st.badge(md_text(kind_label(kind)), color=KIND_COLOURS.get(kind, "gray"))
        blurb.caption(md_text(KIND_BLURBS.get(kind, "")))
        counts = " · ".join(
            f":{VERDICT_COLOURS[v.value]}-badge[{card['verdicts'][v.value]} {v.label.lower()}]"
            for v in Verdict
        )
        st.markdown(f"**{card['claims']} claims:** {counts}")
        for name, field in (
            ("Where it came from", "origin"),
            ("Address", "url"),
            ("Conflicts of interest", "conflicts_of_interest"),
            ("Credibility", "credibility_notes"),
        ):
            if field == "url" and not card[field]:
                continue  # most sources are documents with no address: nothing to say
            st.markdown(f"**{name}:** " + md_text(card[field] or "not recorded"))
        claims = views.claims_by_ids(card["claim_ids"])
        with st.expander(f"Its claims ({len(claims)})"):
            if not claims:
                st.write("No claim is recorded as asserted by this source.")
            for claim in claims[:CLAIMS_SHOWN]:
                views.claim_line(claim)
            if len(claims) > CLAIMS_SHOWN:
                st.caption(
                    f"The first {CLAIMS_SHOWN} of {len(claims)}: the Overview's “Asserted by” "
                    "filter lists them all."
                )
        # read and drawn only when asked for: a document may be megabytes, and a page of
        # ten would be sent on every visit
        if st.toggle(
            "Read the document, its claims marked",
            key=f"source_document_{card['key']}",
            help="The source's stored text, each claim's quote marked where it stands.",
        ):
            document = data.source_document(card["key"])
            if document is None:
                st.write("This source has been removed meanwhile.")
            elif document["text"] is None:
                st.caption(
                    md_text(
                        "The source's text is not stored, so its quotes cannot be shown in "
                        f"place: `evidence source text {card['key']} FILE` stores it."
                    )
                )
            else:
                st.html(
                    document_facts(document) + document_html(document, {c["id"]: c for c in claims})
                )
