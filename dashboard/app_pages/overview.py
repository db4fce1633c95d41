"""Overview: every claim in its band — Supported, Disputed, Unproven — with verdict and why."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import Certainty, ClaimType, Verdict
from evidence.webui import data
from evidence.webui.render import BAND_BLURBS, BAND_ORDER, VERDICT_COLOURS, md_text, verdict_label

claims = data.claims()
VERDICT_RANK = {v.value: i for i, v in enumerate(reversed(list(Verdict)))}
CERTAINTY_RANK = {c.label: c.value for c in Certainty}

st.title("Evidence ledger")
st.caption(
    "Each claim's verdict is computed from the papers linked to it, GRADE-style: study design "
    "sets the starting certainty, recorded downgrades and upgrades move it, and the best "
    "supporting evidence is weighed against the best refuting evidence."
)

counts = {band: sum(1 for c in claims if c["band"] == band.value) for band in BAND_ORDER}
for column, band in zip(st.columns(len(BAND_ORDER)), BAND_ORDER, strict=True):
    column.metric(band.label, counts[band], help=BAND_BLURBS[band])

search_col, type_col = st.columns([3, 2])
query = search_col.text_input(
    "Search claims", placeholder="words in the claim, its id or tags", key="overview_search"
)
types = type_col.multiselect("Claim type", [t.value for t in ClaimType], key="overview_types")


def matches(claim: dict) -> bool:
    if types and claim["type"] not in types:
        return False
    if not query:
        return True
    haystack = " ".join([claim["id"], claim["statement"], *claim["tags"]]).lower()
    return all(word in haystack for word in query.lower().split())


def strongest_first(claim: dict) -> tuple:
    return (-VERDICT_RANK[claim["verdict"]], -CERTAINTY_RANK[claim["certainty"]], claim["id"])


shown = [c for c in claims if matches(c)]
if query or types:
    st.caption(f"{len(shown)} of {len(claims)} claims match.")

for band in BAND_ORDER:
    in_band = sorted((c for c in shown if c["band"] == band.value), key=strongest_first)
    st.header(f"{band.label} ({len(in_band)})", anchor=band.value, divider="gray")
    st.caption(BAND_BLURBS[band])
    if not in_band:
        st.write("No claims here." if not (query or types) else "No matching claims here.")
    for claim in in_band:
        with st.container(border=True, key=f"claim-{claim['id']}"):
            st.page_link(
                "app_pages/claim.py",
                label=f"**{md_text(claim['statement'])}**",
                query_params={"id": claim["id"]},
                icon=":material/arrow_forward:",
            )
            badges = st.columns([1, 1, 1, 3], gap="small")
            with badges[0]:
                st.badge(
                    verdict_label(claim["verdict"])
                    + (" (override)" if claim["overridden"] else ""),
                    color=VERDICT_COLOURS[claim["verdict"]],
                )
            badges[1].markdown(
                f"{claim['certainty_symbols']} {claim['certainty']}", help="GRADE certainty"
            )
            badges[2].caption(claim["type"])
            stats = f"{claim['supporting']} supporting · {claim['refuting']} refuting"
            if claim["retracted"]:
                stats += f" · :material/warning: {claim['retracted']} retracted (excluded)"
            badges[3].caption(stats)
            st.caption(md_text(claim["explanation"]))

if not claims:
    st.info("The ledger is empty: run `evidence seed` to load the starter content.")
