"""The Chain links tab: the claim's links to other claims, added and removed."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import (
    Relation,
)
from evidence.webui import curation, data
from evidence.webui.curating.form import Form, words
from evidence.webui.picker import claim_options
from evidence.webui.render import (
    md_text,
    option,
    short,
)


def draw(form: Form) -> None:
    claim, K, write = form.claim, form.key, form.write
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
