"""The Override tab: set or remove a curator's verdict, with its reason."""

from __future__ import annotations

import streamlit as st

from evidence.domain.vocab import (
    Certainty,
    Verdict,
)
from evidence.webui import curation
from evidence.webui.curating.form import Form
from evidence.webui.render import (
    md_text,
    verdict_label,
)


def _level_name(label: str | None) -> str | None:
    return label.replace(" ", "_") if label else None


def draw(form: Form) -> None:
    claim, K, shown, write = form.claim, form.key, form.shown, form.write
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
