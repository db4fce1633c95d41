"""One claim: verdict and why, the evidence table, who asserts it, searches, chain, history."""

from __future__ import annotations

import streamlit as st

from evidence.domain.chains import shared_start
from evidence.domain.vocab import Role
from evidence.webui import auth, data, downloads, prisma_chart, screening
from evidence.webui.evidence_table import evidence_table_html
from evidence.webui.picker import chosen_claim
from evidence.webui.quotes_html import asserted_by_html
from evidence.webui.render import (
    VERDICT_COLOURS,
    certainty_text,
    chain_heading,
    claim_link_html,
    counts_text,
    describe_change,
    md_text,
    notice_text,
    shared_as_above,
    shared_steps_title,
    short,
    verdict_label,
    weakest_of_note,
    weakest_reason,
)

user = auth.user()
if not data.claim_count():
    st.info("The ledger is empty: run `evidence seed` to load the starter content.")
    st.stop()

claim = chosen_claim(
    key="claim_choice",
    none_chosen="Choose a claim in the sidebar, or open one from the Overview.",
    link=("app_pages/overview.py", "Back to the overview", ":material/arrow_back:"),
)


def claim_link(
    claim_id: str,
    *,
    prefix: str = "",
    suffix: str = "",
    limit: int = 110,
    verdict: str | None = None,
) -> None:
    """A link to another claim's page; a plain link the page's script keeps in the app."""
    text = prefix + short(statements.get(claim_id, claim_id), limit) + suffix
    st.html(claim_link_html(claim_id, text, verdict))


# the statements of the claims this page links to, and no others
statements = data.statements_of(
    [x for link in claim["claim_links"] for x in (link["from"], link["to"])]
    + [step["id"] for path in claim["chain"]["paths"] for step in path["steps"]]
)

st.header(md_text(claim["statement"]), anchor=False)
cols = st.columns([2, 2, 5], vertical_alignment="center")
with cols[0]:
    st.badge(verdict_label(claim["verdict"]), color=VERDICT_COLOURS[claim["verdict"]])
cols[1].markdown(f"**{certainty_text(claim)}**", help="GRADE certainty of the evidence")
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
st.caption(counts_text(claim))
if claim["retracted"]:
    st.badge(
        "Cites retracted evidence (excluded from the verdict)",
        color="red",
        icon=":material/warning:",
    )

actions = st.columns([1, 1, 1, 3])
downloads.offer(
    actions[0],
    "Evidence CSV",
    lambda: downloads.evidence_csv(claim),  # made when clicked, not on every visit
    file_name=f"{claim['id']}-evidence.csv",
    key="claim_csv",
    help="This claim's evidence table, one row per paper.",
)
downloads.offer(
    actions[1],
    "Summary",
    downloads.summary_maker(data.store(), [claim["id"]], f"Evidence summary: {claim['id']}"),
    file_name=f"{claim['id']}-summary.md",
    key="claim_markdown",
    help="A Markdown evidence summary of this claim, in the spirit of a GRADE "
    "summary-of-findings table.",
)
if user is not None and user.may(Role.curator):
    actions[2].page_link(
        "app_pages/curate.py",
        label="Curate",
        query_params={"id": claim["id"]},
        icon=":material/edit_note:",
    )

st.subheader("Evidence", anchor=False)
if claim["evidence"]:
    st.html(evidence_table_html(claim["evidence"]))
    for e in claim["evidence"]:
        ref = e["reference"]
        if ref["retraction_notices"]:
            st.caption(
                md_text(f"{ref['title'] or ref['key']} — notices: ")
                + md_text(notice_text(ref["retraction_notices"]))
            )
else:
    st.write("No paper is linked to this claim yet.")

st.subheader("Who asserts it", anchor=False)
if claim["sources"]:
    # each quote with the sentences around it in its document, the quote marked, and
    # whether it was found there: one block of HTML, not a widget per quote
    st.html(asserted_by_html(claim["sources"]))
else:
    st.write("No source document is recorded as asserting this claim.")

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

flow = claim["prisma"]
if prisma_chart.has_flow(flow):  # searches the tool ran, whose records were screened here
    st.subheader("Screening: PRISMA 2020 flow", anchor=False)
    if said := flow["nothing_found"]:
        st.markdown("**" + md_text(said[:1].upper() + said[1:]) + ".**")
    svg = prisma_chart.prisma_svg(flow)
    if svg is not None:
        st.html(prisma_chart.diagram_html(svg, flow))
    else:  # no Graphviz on the server: the browser draws it (its WebAssembly fetched once)
        st.graphviz_chart(prisma_chart.prisma_dot(flow))
    by_hand = prisma_chart.hand_logged(flow)
    st.caption(
        md_text(prisma_chart.counts_text(flow))
        + (
            md_text(
                f". {by_hand} search{'es' if by_hand != 1 else ''} logged by hand: "
                "records not brought in, so not counted."
            )
            if by_hand
            else ""
        )
    )
    papers = claim["included_not_judged"]
    if papers:
        st.markdown(f"**Included, not yet judged ({len(papers):,})**")
        curator = user is not None and user.may(Role.curator)
        st.html(screening.included_html(papers, claim["id"], judge=curator))

st.subheader("Linked claims", anchor=False)
if not claim["claim_links"]:
    st.write("This claim is not linked to other claims.")
for link in claim["claim_links"]:
    words = link["relation"].replace("_", " ")
    if link["from"] == claim["id"]:
        claim_link(link["to"], prefix=f"This claim {words}: ")
    else:
        claim_link(link["from"], suffix=f" — {words} this claim")

paths = claim["chain"]["paths"]
if paths:
    st.subheader("Mechanism chains through this claim", anchor=False)
    st.caption("A chain is only as strong as its weakest step.")
    # chains through a claim often share their first steps: listed once, above the cards
    shared = shared_start([[s["id"] for s in p["steps"]] for p in paths]) if len(paths) > 1 else 0

    def chain_step(step: dict, note: str = "") -> None:
        here = step["id"] == claim["id"]
        suffix = f" ({step['certainty']})"
        if step["overridden"]:
            suffix += " (curator override)"
        claim_link(
            step["id"],
            verdict=step["verdict"],
            prefix="(this claim) " if here else "",
            suffix=suffix + note,
            limit=80 - len(note),  # the statement gives way to the note
        )

    if shared:
        with st.container(border=True):
            st.markdown(shared_steps_title(shared))
            for i, step in enumerate(paths[0]["steps"][:shared]):
                weakest_of = [n for n, p in enumerate(paths, 1) if p["weakest_index"] == i]
                chain_step(step, weakest_of_note(weakest_of, len(paths)))
    for n, path in enumerate(paths, start=1):
        with st.container(border=True):
            st.markdown(chain_heading(n, path, verdict_label(path["verdict"]).lower()))
            if why := weakest_reason(path):
                st.caption(why)
            if shared:
                st.caption(shared_as_above(shared))
            for i, step in enumerate(path["steps"]):
                if i >= shared:
                    note = " · ⚠ weakest step" if i == path["weakest_index"] else ""
                    chain_step(step, note)

with st.expander(f"History ({len(claim['history'])} changes)"):
    for h in claim["history"]:
        line = f"{h['at']} · {h['actor']} · {describe_change(h)}"
        st.markdown(md_text(line) + (" — *" + md_text(h["reason"]) + "*" if h["reason"] else ""))
