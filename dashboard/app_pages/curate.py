"""Curate one claim: edit it, attach and grade papers, record searches, override, link claims.

The router only runs this page for a curator; every write checks the role again.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from evidence.domain.vocab import (
    ClaimType,
    Design,
    Downgrade,
    Relation,
    Role,
    Stance,
    Upgrade,
    Verdict,
)
from evidence.errors import ClaimNotFound
from evidence.webui import auth, curation, data
from evidence.webui.picker import claim_picker
from evidence.webui.render import (
    VERDICT_COLOURS,
    certainty_text,
    md_text,
    option,
    short,
    verdict_label,
)

user = auth.user()
if user is None or not user.may(Role.curator):  # the router already refuses; be sure
    auth.refuse()
    st.stop()

OTHER_DOWNGRADES = [Downgrade.imprecision.value, Downgrade.inconsistency.value]
FLASH = "curation_flash"
SEEN = "curation_versions_shown"


def words(value: str) -> str:
    return value.replace("_", " ")


def done(ok: bool, message: str, form: str) -> None:
    """Show the outcome. After a change, empty that form and rerun, so every part of the page
    shows the new state; after an error, the form keeps what was typed."""
    if ok:
        st.session_state[FLASH] = message
        for key in [k for k in st.session_state if str(k).startswith(form)]:
            del st.session_state[key]
        st.rerun()
    st.error(md_text(message))


statements = data.statements()
st.title("Curate a claim")
if FLASH in st.session_state:
    st.success(md_text(st.session_state.pop(FLASH)), icon=":material/check_circle:")
if not statements:
    st.info("The ledger has no claims yet.")
    st.page_link("app_pages/new_claim.py", label="Add a claim", icon=":material/add_circle:")
    st.stop()
choice = claim_picker(statements, key="curate_choice")
if choice is None:
    st.info("Choose the claim to curate in the sidebar.")
    st.page_link("app_pages/new_claim.py", label="Or add a claim", icon=":material/add_circle:")
    st.stop()
try:
    claim = data.claim(choice)
except ClaimNotFound as exc:
    st.error(md_text(str(exc)))
    st.stop()

# Each form writes with the version of what it showed: the versions as of the previous run,
# since a submit reruns the page and would otherwise read (and so approve) any change made
# elsewhere in between.
shown_before: dict[str, int | None] = st.session_state.get(SEEN, {})
now_shown = {f"claim:{claim['id']}": claim["version"]}
now_shown |= {
    f"link:{claim['id']}:{e['reference']['key']}": e["version"] for e in claim["evidence"]
}
now_shown[f"override:{claim['id']}"] = claim["override"]["version"] if claim["override"] else None
st.session_state[SEEN] = now_shown


def seen(key: str) -> int | None:
    return shown_before.get(key, now_shown[key])


st.subheader(md_text(claim["statement"]), anchor=False)
cols = st.columns([2, 3, 5], vertical_alignment="center")
with cols[0]:
    st.badge(
        verdict_label(claim["verdict"]) + (" · override" if claim["overridden"] else ""),
        color=VERDICT_COLOURS[claim["verdict"]],
    )
cols[1].markdown(certainty_text(claim))
cols[2].page_link(
    "app_pages/claim.py",
    label="As readers see it",
    query_params={"id": claim["id"]},
    icon=":material/visibility:",
)
st.caption(md_text(claim["explanation"]))

evidence_tab, claim_tab, search_tab, override_tab, links_tab = st.tabs(
    ["Evidence", "Claim", "Searches", "Override", "Chain links"]
)

with evidence_tab:
    st.markdown("**Attach a paper**")
    with st.form("attach", clear_on_submit=False):
        identifier = st.text_input(
            "DOI, PMID, PMCID or link",
            placeholder="10.1000/xyz123 · PMID 12345678 · PMC1234567 · https://doi.org/…",
            key="attach_identifier",
        )
        a, b = st.columns(2)
        stance = a.selectbox("Stance", [s.value for s in Stance], key="attach_stance")
        design = b.selectbox(
            "Study design",
            [d.value for d in Design],
            index=None,
            format_func=words,
            placeholder="keep the paper's (or leave unset)",
            key="attach_design",
        )
        a, b, c = st.columns(3)
        directness = a.radio("Directness", ["direct", "indirect"], key="attach_directness")
        bias = b.radio(
            "Risk of bias", ["not_flagged", "high"], format_func=words, key="attach_bias"
        )
        more = c.multiselect(
            "Other downgrades", OTHER_DOWNGRADES, format_func=words, key="attach_downgrades"
        )
        upgrades = st.multiselect(
            "Upgrades", [u.value for u in Upgrade], format_func=words, key="attach_upgrades"
        )
        rationale = st.text_area(
            "Rationale",
            placeholder="One sentence: how the paper bears on the claim.",
            key="attach_rationale",
        )
        quote = st.text_input("Quote from the paper (optional)", key="attach_quote")
        if st.form_submit_button("Attach", type="primary"):
            done(
                *curation.attempt(
                    curation.attach_paper,
                    user,
                    claim_id=claim["id"],
                    identifier=identifier,
                    design=design,
                    stance=stance,
                    rationale=rationale,
                    directness=directness,
                    risk_of_bias=bias,
                    downgrades=more,
                    upgrades=upgrades,
                    quote=quote,
                ),
                "attach_",
            )

    st.markdown(f"**Linked papers ({len(claim['evidence'])})**")
    if not claim["evidence"]:
        st.write("No paper is linked to this claim yet.")
    for n, e in enumerate(claim["evidence"]):
        ref = e["reference"]
        title = short(ref["title"] or ref["key"], 90)
        label = f"{title} — {e['stance']}, {e['certainty']}"
        with st.expander(md_text(label)):
            st.caption(md_text(f"{ref['key']} · {e['design_label']} · version {e['version']}"))
            with st.form(f"revise-{n}"):
                a, b, c = st.columns(3)
                stances = [s.value for s in Stance]
                r_stance = a.selectbox(
                    "Stance", stances, index=stances.index(e["stance"]), key=f"rev_stance_{n}"
                )
                r_direct = b.radio(
                    "Directness",
                    ["direct", "indirect"],
                    index=["direct", "indirect"].index(e["directness"]),
                    key=f"rev_direct_{n}",
                )
                r_bias = c.radio(
                    "Risk of bias",
                    ["not_flagged", "high"],
                    index=["not_flagged", "high"].index(e["risk_of_bias"]),
                    format_func=words,
                    key=f"rev_bias_{n}",
                )
                r_more = st.multiselect(
                    "Other downgrades",
                    OTHER_DOWNGRADES,
                    default=[d for d in e["downgrades"] if d in OTHER_DOWNGRADES],
                    format_func=words,
                    key=f"rev_down_{n}",
                )
                r_up = st.multiselect(
                    "Upgrades",
                    [u.value for u in Upgrade],
                    default=e["upgrades"],
                    format_func=words,
                    key=f"rev_up_{n}",
                )
                r_rationale = st.text_area("Rationale", e["rationale"], key=f"rev_rat_{n}")
                r_reason = st.text_input("Why (for the history)", key=f"rev_reason_{n}")
                save, remove = st.columns(2)
                if save.form_submit_button("Save judgements", type="primary", key=f"rev_save_{n}"):
                    done(
                        *curation.attempt(
                            curation.revise_link,
                            user,
                            claim_id=claim["id"],
                            ref=ref["key"],
                            version=seen(f"link:{claim['id']}:{ref['key']}"),
                            stance=r_stance,
                            rationale=r_rationale,
                            directness=r_direct,
                            risk_of_bias=r_bias,
                            downgrades=r_more,
                            upgrades=r_up,
                            reason=r_reason or None,
                        ),
                        "rev_",
                    )
                if remove.form_submit_button("Remove this link", key=f"rev_remove_{n}"):
                    done(
                        *curation.attempt(
                            curation.remove_link,
                            user,
                            claim_id=claim["id"],
                            ref=ref["key"],
                            version=seen(f"link:{claim['id']}:{ref['key']}"),
                            reason=r_reason or None,
                        ),
                        "rev_",
                    )

with claim_tab:
    with st.form("edit_claim"):
        statement = st.text_area("Statement", claim["statement"], key="edit_statement")
        a, b = st.columns(2)
        types = [t.value for t in ClaimType]
        claim_type = a.selectbox("Type", types, index=types.index(claim["type"]), key="edit_type")
        tags = b.text_input("Tags (comma-separated)", ", ".join(claim["tags"]), key="edit_tags")
        notes = st.text_area("Notes", claim["notes"] or "", key="edit_notes")
        reason = st.text_input("Why (for the history)", key="edit_reason")
        if st.form_submit_button("Save claim", type="primary"):
            done(
                *curation.attempt(
                    curation.change_claim,
                    user,
                    claim_id=claim["id"],
                    version=seen(f"claim:{claim['id']}"),
                    statement=statement,
                    claim_type=claim_type,
                    tags=curation.tag_list(tags),
                    notes=notes,
                    reason=reason or None,
                ),
                "edit_",
            )
    st.markdown("**Who asserts it**")
    sources = data.sources()
    with st.form("assert"):
        source = st.selectbox(
            "Source",
            list(sources),
            index=None,
            format_func=lambda k: option(sources[k], k),
            placeholder="Choose a source document",
            key="assert_source",
        )
        said = st.text_input("Locating quote", key="assert_quote")
        if st.form_submit_button("Add quote"):
            done(
                *curation.attempt(
                    curation.assert_claim,
                    user,
                    claim_id=claim["id"],
                    source_key=source or "",
                    quote=said,
                ),
                "assert_",
            )

with search_tab:
    for s in claim["searches"]:
        hits = "?" if s["hits"] is None else s["hits"]
        st.markdown(md_text(f"{s['date'] or 'undated'} — {s['database']}: {s['query']} ({hits})"))
    with st.form("search"):
        a, b, c = st.columns([2, 1, 1])
        database = a.text_input("Database", "PubMed", key="search_database")
        searched_on = b.date_input(
            "Searched on", dt.date.today(), max_value=dt.date.today(), key="search_date"
        )
        hits = c.number_input("Hits", min_value=0, step=1, value=None, key="search_hits")
        query_text = st.text_area("Query, as it was run", key="search_query")
        search_notes = st.text_input("Notes (optional)", key="search_notes")
        if st.form_submit_button("Record search", type="primary"):
            done(
                *curation.attempt(
                    curation.record_search,
                    user,
                    claim_id=claim["id"],
                    database=database,
                    query=query_text,
                    hits=None if hits is None else int(hits),
                    searched_on=searched_on,
                    notes=search_notes or None,
                ),
                "search_",
            )

with override_tab:
    current = claim["override"]
    st.caption(
        "An override replaces the computed verdict on every page, with its reason beside it; "
        "the computed verdict stays visible. It needs a written reason."
    )
    if current:
        st.warning(
            md_text(
                f"Overridden by {current['curator']}: {verdict_label(current['verdict'])}. "
                f"Reason: {current['reason']}"
            )
        )
    with st.form("override"):
        verdicts = [v.value for v in Verdict]
        verdict = st.selectbox(
            "Verdict",
            verdicts,
            index=verdicts.index(current["verdict"]) if current else None,
            format_func=verdict_label,
            key="override_verdict",
        )
        why = st.text_area("Reason (required)", key="override_reason")
        set_col, clear_col = st.columns(2)
        if set_col.form_submit_button("Save override", type="primary"):
            done(
                *curation.attempt(
                    curation.override,
                    user,
                    claim_id=claim["id"],
                    verdict=verdict or "",
                    reason=why,
                    version=seen(f"override:{claim['id']}"),
                ),
                "override_",
            )
        if current and clear_col.form_submit_button("Remove override"):
            done(
                *curation.attempt(
                    curation.drop_override,
                    user,
                    claim_id=claim["id"],
                    reason=why,
                    version=seen(f"override:{claim['id']}"),
                ),
                "override_",
            )

with links_tab:
    for n, link in enumerate(claim["claim_links"]):
        a, b = st.columns([5, 1], vertical_alignment="center")
        a.markdown(
            md_text(
                f"{short(statements.get(link['from'], link['from']), 60)} "
                f"— {words(link['relation'])} → "
                f"{short(statements.get(link['to'], link['to']), 60)}"
            )
        )
        if b.button("Remove", key=f"unlink_{n}"):
            done(
                *curation.attempt(
                    curation.unlink_claim,
                    user,
                    from_claim=link["from"],
                    to_claim=link["to"],
                    relation=link["relation"],
                    reason=None,
                ),
                "link_",
            )
    with st.form("link_claims"):
        a, b = st.columns([1, 3])
        direction = a.radio(
            "This claim is the",
            ["first step", "next step"],
            key="link_direction",
            help="A 'leads to' link is one step of a mechanism chain: first → next.",
        )
        relation = a.selectbox(
            "Relation", [r.value for r in Relation], format_func=words, key="link_relation"
        )
        other = b.selectbox(
            "The other claim",
            [
                i
                for i in sorted(statements, key=lambda i: statements[i].lower())
                if i != claim["id"]
            ],
            index=None,
            format_func=lambda i: option(statements[i], i, 100),
            placeholder="Choose a claim",
            key="link_other",
        )
        link_reason = b.text_input("Why (for the history)", key="link_reason")
        if st.form_submit_button("Link claims", type="primary"):
            first, then = (
                (claim["id"], other) if direction == "first step" else (other, claim["id"])
            )
            done(
                *curation.attempt(
                    curation.link_to_claim,
                    user,
                    from_claim=first or "",
                    to_claim=then or "",
                    relation=relation,
                    reason=link_reason or None,
                ),
                "link_",
            )
