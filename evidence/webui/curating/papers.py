"""The Evidence tab: attach a paper, type a paper's details, revise or remove a link."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import (
    Design,
    ReviewOf,
    Stance,
    Upgrade,
)
from evidence.webui import curation
from evidence.webui.curating.form import (
    DIRECTNESS,
    OTHER_DOWNGRADES,
    RISK_OF_BIAS,
    Form,
    words,
)
from evidence.webui.render import (
    DESIGN_LABELS,
    md_text,
    short,
)


def paper_details(form: Form, ref: dict) -> None:
    """Title, year, journal and authors typed by hand: a paper attached while PubMed and
    Crossref could not be reached has only its identifier until `evidence resolve` runs."""
    claim, K, write = form.claim, form.key, form.write
    if ref["metadata_pending"]:
        st.info(
            "Metadata pending: this paper has no title or year yet. Run `evidence resolve` "
            "where PubMed and Crossref can be reached, or type its details here."
        )
    st.markdown("**The paper**")
    with st.form(K("paper", ref["key"])):
        title = st.text_area("Title", ref["title"] or "", key=K("paper_title", ref["key"]))
        a, b = st.columns([1, 3])
        year = a.text_input(
            "Year",
            "" if ref["year"] is None else str(ref["year"]),
            help="Four digits; blank leaves it as it is.",
            key=K("paper_year", ref["key"]),
        )
        journal = b.text_input("Journal", ref["journal"] or "", key=K("paper_journal", ref["key"]))
        authors = st.text_area(
            "Authors, one a line",
            "\n".join(ref["authors"]),
            key=K("paper_authors", ref["key"]),
        )
        if st.form_submit_button("Save details", key=K("paper_save", ref["key"])):
            write(
                curation.edit_paper,
                claim_id=claim["id"],
                ref=ref["key"],
                title=title,
                year=year,
                journal=journal,
                authors=authors,
            )


def draw(form: Form) -> None:
    claim, K, shown, write = form.claim, form.key, form.shown, form.write
    st.markdown("**Attach a paper**")
    with st.form(K("attach"), clear_on_submit=False):
        identifier = st.text_input(
            "DOI, PMID, PMCID or link",
            placeholder="10.1000/xyz123 · PMID 12345678 · PMC1234567 · https://doi.org/…",
            key=K("attach_identifier"),
        )
        a, b = st.columns(2)
        stance = a.selectbox("Stance", [s.value for s in Stance], key=K("attach_stance"))
        design = b.selectbox(
            "Study design",
            [d.value for d in Design],
            index=None,
            format_func=DESIGN_LABELS.__getitem__,
            placeholder="keep the paper's (or leave unset)",
            key=K("attach_design"),
        )
        pooled = st.selectbox(
            "What the review pooled (a systematic review or meta-analysis only)",
            [r.value for r in ReviewOf],
            index=None,
            format_func=words,
            placeholder="keep the paper's (or leave unset)",
            help="A review starts where its studies start: a review of RCTs at high certainty, "
            "of observational studies (or of mixed designs) at low.",
            key=K("attach_review_of"),
        )
        a, b, c = st.columns(3)
        directness = a.radio("Directness", DIRECTNESS, key=K("attach_directness"))
        bias = b.radio("Risk of bias", RISK_OF_BIAS, format_func=words, key=K("attach_bias"))
        more = c.multiselect(
            "Other downgrades", OTHER_DOWNGRADES, format_func=words, key=K("attach_downgrades")
        )
        upgrades = st.multiselect(
            "Upgrades", [u.value for u in Upgrade], format_func=words, key=K("attach_upgrades")
        )
        rationale = st.text_area(
            "Rationale",
            placeholder="One sentence: how the paper bears on the claim.",
            key=K("attach_rationale"),
        )
        quote = st.text_input("Quote from the paper (optional)", key=K("attach_quote"))
        if st.form_submit_button("Attach", type="primary"):
            write(
                curation.attach_paper,
                claim_id=claim["id"],
                identifier=identifier,
                design=design,
                review_of=pooled,
                stance=stance,
                rationale=rationale,
                directness=directness,
                risk_of_bias=bias,
                downgrades=more,
                upgrades=upgrades,
                quote=quote,
            )

    st.markdown(f"**Linked papers ({len(claim['evidence'])})**")
    if not claim["evidence"]:
        st.write("No paper is linked to this claim yet.")
    for e in claim["evidence"]:
        ref = e["reference"]
        link_version = shown(K("rev", ref["key"]), e["version"])
        title = short(ref["title"] or ref["key"], 90)
        label = f"{title} — {e['stance']}, {e['certainty']}"
        if ref["metadata_pending"]:
            label += " · metadata pending"
        with st.expander(md_text(label)):
            st.caption(md_text(f"{ref['key']} · {e['design_label']} · version {e['version']}"))
            paper_details(form, ref)
            st.markdown("**This link's judgements**")
            with st.form(K("revise", ref["key"])):
                a, b, c = st.columns(3)
                stances = [s.value for s in Stance]
                r_stance = a.selectbox(
                    "Stance",
                    stances,
                    index=stances.index(e["stance"]),
                    key=K("rev_stance", ref["key"]),
                )
                r_direct = b.radio(
                    "Directness",
                    DIRECTNESS,
                    index=DIRECTNESS.index(e["directness"]),
                    key=K("rev_direct", ref["key"]),
                )
                r_bias = c.radio(
                    "Risk of bias",
                    RISK_OF_BIAS,
                    index=RISK_OF_BIAS.index(e["risk_of_bias"]),
                    format_func=words,
                    key=K("rev_bias", ref["key"]),
                )
                r_more = st.multiselect(
                    "Other downgrades",
                    OTHER_DOWNGRADES,
                    default=[d for d in e["downgrades"] if d in OTHER_DOWNGRADES],
                    format_func=words,
                    key=K("rev_down", ref["key"]),
                )
                r_up = st.multiselect(
                    "Upgrades",
                    [u.value for u in Upgrade],
                    default=e["upgrades"],
                    format_func=words,
                    key=K("rev_up", ref["key"]),
                )
                r_rationale = st.text_area(
                    "Rationale", e["rationale"], key=K("rev_rat", ref["key"])
                )
                r_reason = st.text_input("Why (for the history)", key=K("rev_reason", ref["key"]))
                save, remove = st.columns(2)
                if save.form_submit_button(
                    "Save judgements", type="primary", key=K("rev_save", ref["key"])
                ):
                    write(
                        curation.revise_link,
                        claim_id=claim["id"],
                        ref=ref["key"],
                        version=link_version,
                        stance=r_stance,
                        rationale=r_rationale,
                        directness=r_direct,
                        risk_of_bias=r_bias,
                        downgrades=r_more,
                        upgrades=r_up,
                        reason=r_reason or None,
                    )
                if remove.form_submit_button("Remove this link", key=K("rev_remove", ref["key"])):
                    write(
                        curation.remove_link,
                        claim_id=claim["id"],
                        ref=ref["key"],
                        version=link_version,
                        reason=r_reason or None,
                    )
