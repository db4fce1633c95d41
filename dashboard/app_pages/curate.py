"""Curate one claim: edit it, attach and grade papers, record searches, override, link claims.

The router only runs this page for a curator; every write checks the role again.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from evidence.domain.vocab import (
    Certainty,
    ClaimType,
    Design,
    Downgrade,
    Relation,
    ReviewOf,
    Role,
    Stance,
    Upgrade,
    Verdict,
)
from evidence.webui import auth, curation, data
from evidence.webui.picker import chosen_claim, claim_options
from evidence.webui.render import (
    DESIGN_LABELS,
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


def words(value: str) -> str:
    return value.replace("_", " ")


def fresh_forms() -> None:
    st.session_state["curation_generation"] = st.session_state.get("curation_generation", 0) + 1


def write(change: curation.Change, **values: object) -> None:
    """Make one change as the signed-in curator. After it lands, every form is drawn afresh
    from the new state; after an error, the form keeps what was typed."""
    outcome = curation.attempt(change, user, **values)
    if outcome.ok:
        st.session_state[curation.FLASH] = outcome.message
        fresh_forms()
        st.rerun()
    st.error(md_text(outcome.message))
    if outcome.conflict:
        # in the sidebar: a plain button may not sit inside the form that failed
        st.sidebar.button(
            "Discard my changes and show the latest", on_click=fresh_forms, key="refresh"
        )


st.title("Curate a claim")
if curation.FLASH in st.session_state:
    st.success(md_text(st.session_state.pop(curation.FLASH)), icon=":material/check_circle:")
if not data.claim_count():
    st.info("The ledger has no claims yet.")
    st.page_link("app_pages/new_claim.py", label="Add a claim", icon=":material/add_circle:")
    st.stop()
claim = chosen_claim(
    key="curate_choice",
    none_chosen="Choose the claim to curate in the sidebar.",
    link=("app_pages/new_claim.py", "Or add a claim", ":material/add_circle:"),
)

# Widgets keep what they first showed until their key changes, so each form is keyed by
# what it edits and by a generation that moves on after every change made here; the version
# it writes with is the one stored when its widgets were first drawn. A change made
# elsewhere meanwhile is then a conflict, however often the form is submitted.
GEN = st.session_state.setdefault("curation_generation", 0)
cid = claim["id"]


def K(name: str, *scope: object) -> str:
    return ":".join([name, cid, *map(str, scope), str(GEN)])


def shown(form: str, version: int) -> int:
    return st.session_state.setdefault(f"version_shown:{form}", version)


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


def paper_details(ref: dict) -> None:
    """Title, year, journal and authors typed by hand: a paper attached while PubMed and
    Crossref could not be reached has only its identifier until `evidence resolve` runs."""
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


with evidence_tab:
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
        directness = a.radio("Directness", ["direct", "indirect"], key=K("attach_directness"))
        bias = b.radio(
            "Risk of bias", ["not_flagged", "high"], format_func=words, key=K("attach_bias")
        )
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
            paper_details(ref)
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
                    ["direct", "indirect"],
                    index=["direct", "indirect"].index(e["directness"]),
                    key=K("rev_direct", ref["key"]),
                )
                r_bias = c.radio(
                    "Risk of bias",
                    ["not_flagged", "high"],
                    index=["not_flagged", "high"].index(e["risk_of_bias"]),
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

with claim_tab:
    claim_version = shown(K("edit"), claim["version"])
    with st.form(K("edit_claim")):
        statement = st.text_area("Statement", claim["statement"], key=K("edit_statement"))
        a, b = st.columns(2)
        types = [t.value for t in ClaimType]
        claim_type = a.selectbox(
            "Type", types, index=types.index(claim["type"]), key=K("edit_type")
        )
        tags = b.text_input("Tags (comma-separated)", ", ".join(claim["tags"]), key=K("edit_tags"))
        notes = st.text_area("Notes", claim["notes"] or "", key=K("edit_notes"))
        reason = st.text_input("Why (for the history)", key=K("edit_reason"))
        if st.form_submit_button("Save claim", type="primary"):
            write(
                curation.change_claim,
                claim_id=claim["id"],
                version=claim_version,
                statement=statement,
                claim_type=claim_type,
                tags=curation.tag_list(tags),
                notes=notes,
                reason=reason or None,
            )
    st.markdown("**Who asserts it**")
    sources = data.sources()
    with st.form(K("assert")):
        source = st.selectbox(
            "Source",
            list(sources),
            index=None,
            format_func=lambda k: option(sources[k], k),
            placeholder="Choose a source document",
            key=K("assert_source"),
        )
        said = st.text_input("Locating quote", key=K("assert_quote"))
        if st.form_submit_button("Add quote"):
            write(
                curation.assert_claim,
                claim_id=claim["id"],
                source_key=source or "",
                quote=said,
            )

with search_tab:
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


def _level_name(label: str | None) -> str | None:
    return label.replace(" ", "_") if label else None


with override_tab:
    current = claim["override"]
    st.caption(
        "An override replaces the computed verdict on every page, with its reason beside it; "
        "the computed verdict stays visible. It needs a written reason."
    )
    if current:
        st.warning(
            md_text(
                f"Overridden by {current['curator']}: {verdict_label(current['verdict'])}, "
                f"{claim['certainty_symbols']} {claim['certainty']} (computed: "
                f"{verdict_label(claim['computed_verdict']).lower()}, "
                f"{claim['computed_certainty_symbols']} {claim['computed_certainty']}). "
                f"Reason: {current['reason']}"
            )
        )
    override_version = shown(K("override"), current["version"] if current else 0)
    with st.form(K("override")):
        verdicts = [v.value for v in Verdict]
        verdict = st.selectbox(
            "Verdict",
            verdicts,
            index=verdicts.index(current["verdict"]) if current else None,
            format_func=verdict_label,
            key=K("override_verdict"),
        )
        levels = [None, *(c.name for c in Certainty)]
        level = st.selectbox(
            "Certainty",
            levels,
            index=levels.index(_level_name(current.get("certainty"))) if current else 0,
            format_func=lambda name: (
                "As computed, brought within what the verdict can have"
                if name is None
                else Certainty[name].label
            ),
            help="Unproven is very low, limited support low, supported moderate or high; "
            "contested and refuted low or above.",
            key=K("override_certainty"),
        )
        why = st.text_area("Reason (required)", key=K("override_reason"))
        set_col, clear_col = st.columns(2)
        if set_col.form_submit_button("Save override", type="primary"):
            write(
                curation.override,
                claim_id=claim["id"],
                verdict=verdict or "",
                certainty=level,
                reason=why,
                version=override_version,
            )
        if current and clear_col.form_submit_button("Remove override"):
            write(
                curation.drop_override,
                claim_id=claim["id"],
                reason=why,
                version=override_version,
            )

with links_tab:
    statements = data.statements_of(
        [x for link in claim["claim_links"] for x in (link["from"], link["to"])]
    )
    for link in claim["claim_links"]:
        a, b = st.columns([5, 1], vertical_alignment="center")
        a.markdown(
            md_text(
                f"{short(statements.get(link['from'], link['from']), 60)} "
                f"— {words(link['relation'])} → "
                f"{short(statements.get(link['to'], link['to']), 60)}"
            )
        )
        scope = (link["from"], link["relation"], link["to"])
        # a popover, so one stray click cannot break a chain; the reason goes in the history
        with b.popover("Remove", icon=":material/link_off:"):
            why = st.text_input("Why (for the history)", key=K("unlink_reason", *scope))
            if st.button("Remove this link", type="primary", key=K("unlink", *scope)):
                write(
                    curation.unlink_claim,
                    from_claim=link["from"],
                    to_claim=link["to"],
                    relation=link["relation"],
                    reason=why or None,
                )
    # outside the form: in a large ledger, typing here narrows the claims offered below
    others = {
        i: s
        for i, s in claim_options(st, key=K("link_other"), label="Find the other claim").items()
        if i != claim["id"]
    }
    with st.form(K("link_claims")):
        a, b = st.columns([1, 3])
        direction = a.radio(
            "This claim is the",
            ["first step", "next step"],
            key=K("link_direction"),
            help="A 'leads to' link is one step of a mechanism chain: first → next.",
        )
        relation = a.selectbox(
            "Relation", [r.value for r in Relation], format_func=words, key=K("link_relation")
        )
        other = b.selectbox(
            "The other claim",
            list(others),
            index=None,
            format_func=lambda i: option(others[i], i, 100),
            placeholder="Choose a claim",
            key=K("link_other"),
        )
        link_reason = b.text_input("Why (for the history)", key=K("link_reason"))
        if st.form_submit_button("Link claims", type="primary"):
            first, then = (
                (claim["id"], other) if direction == "first step" else (other, claim["id"])
            )
            write(
                curation.link_to_claim,
                from_claim=first or "",
                to_claim=then or "",
                relation=relation,
                reason=link_reason or None,
            )
