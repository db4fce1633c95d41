"""One claim: verdict and why, the evidence table, who asserts it, searches, chain, history."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import Certainty
from evidence.errors import ClaimNotFound
from evidence.webui import data
from evidence.webui.render import VERDICT_COLOURS, md_text, paper_url, verdict_label

CERTAINTY_RANK = {c.label: c.value for c in Certainty}
claims = data.claims()
ids = [c["id"] for c in claims]
wanted = st.query_params.get("id")

if not ids:
    st.info("The ledger is empty: run `evidence seed` to load the starter content.")
    st.stop()

choice = st.sidebar.selectbox(
    "Claim",
    ids,
    index=ids.index(wanted) if wanted in ids else None,
    placeholder="Choose a claim",
    key="claim_choice",
)
if wanted and wanted not in ids:
    st.error(f"There is no claim with id {wanted!r}.")
if choice is None:
    st.stop()
if choice != wanted:
    st.query_params["id"] = choice

try:
    claim = data.claim(choice)
except ClaimNotFound as exc:
    st.error(str(exc))
    st.stop()

st.header(md_text(claim["statement"]), anchor=False)
cols = st.columns([1, 1, 4])
with cols[0]:
    st.badge(verdict_label(claim["verdict"]), color=VERDICT_COLOURS[claim["verdict"]])
cols[1].markdown(f"**{claim['certainty_symbols']}** {claim['certainty']}")
cols[2].caption(
    md_text(
        f"{claim['type']} · {', '.join(claim['tags'])} · id {claim['id']} · "
        f"version {claim['version']}"
    )
)

if claim["override"]:
    o = claim["override"]
    st.warning(
        md_text(
            f"Curator override by {o['curator']}: {verdict_label(o['verdict'])}. "
            f"Reason: {o['reason']}"
        )
    )
    st.markdown("**Computed verdict:** " + md_text(claim["computed_explanation"]))
else:
    st.markdown(md_text(claim["explanation"]))
if claim["why_not_higher"]:
    st.markdown("**Why not higher:** " + md_text("; ".join(claim["why_not_higher"]) + "."))

st.subheader("Evidence", anchor=False)
if claim["evidence"]:
    rows = []
    for e in sorted(
        claim["evidence"], key=lambda e: (not e["counts"], -CERTAINTY_RANK[e["certainty"]])
    ):
        ref = e["reference"]
        url = paper_url(ref)
        title = md_text(ref["title"] or ref["key"])
        rows.append(
            {
                "Paper": ("**RETRACTED** — " if e["retracted"] else "")
                + (f"[{title}]({url})" if url else title),
                "Design": md_text(e["design_label"]),
                "Year": "" if ref["year"] is None else str(ref["year"]),
                "Stance": e["stance"],
                "Certainty": f"{e['certainty_symbols']} {e['certainty']}",
                "Downgrades / upgrades": md_text(
                    ", ".join(d.replace("_", " ") for d in e["downgrades"] + e["upgrades"])
                    or "none"
                ),
                "Rationale": md_text(e["rationale"]),
            }
        )
    st.table(rows, border="horizontal", hide_index=True)
else:
    st.write("No paper is linked to this claim yet.")

st.subheader("Who asserts it", anchor=False)
if not claim["sources"]:
    st.write("No source document is recorded as asserting this claim.")
for s in claim["sources"]:
    with st.container(border=True):
        st.markdown(f"**{md_text(s['title'])}** · {md_text(s['kind'].replace('_', ' '))}")
        st.markdown("> " + md_text(s["quote"]))
        if s["conflicts_of_interest"]:
            st.caption("Conflicts of interest: " + md_text(s["conflicts_of_interest"]))

st.subheader("Evidence searches", anchor=False)
if not claim["searches"]:
    st.write("No search is recorded for this claim.")
for s in claim["searches"]:
    hits = "?" if s["hits"] is None else s["hits"]
    st.markdown(
        md_text(f"{s['date'] or 'Date not recorded'} — {s['database']}: {s['query']} ({hits} hits)")
    )
    if s["notes"]:
        st.caption(md_text(s["notes"]))

st.subheader("Linked claims", anchor=False)
if not claim["claim_links"]:
    st.write("This claim is not linked to other claims.")
for link in claim["claim_links"]:
    other = link["to"] if link["from"] == claim["id"] else link["from"]
    words = link["relation"].replace("_", " ")
    text = (
        f"this claim {words} {other}"
        if link["from"] == claim["id"]
        else f"{other} {words} this claim"
    )
    st.page_link("app_pages/claim.py", label=md_text(text), query_params={"id": other})

paths = claim["chain"]["paths"]
if paths:
    st.subheader("Mechanism chains through this claim", anchor=False)
    for path in paths:
        steps = [
            ("**" if i == path["weakest_index"] else "")
            + md_text(f"{s['id']} ({verdict_label(s['verdict'])}, {s['certainty']})")
            + ("** ← weakest link" if i == path["weakest_index"] else "")
            for i, s in enumerate(path["steps"])
        ]
        st.markdown(" → ".join(steps))

with st.expander(f"History ({len(claim['history'])} changes)"):
    for h in claim["history"]:
        st.markdown(
            md_text(f"{h['at']} · {h['actor']} · {h['action']} {h['entity']} {h['key']}")
            + (" — " + md_text(h["reason"]) if h["reason"] else "")
        )
