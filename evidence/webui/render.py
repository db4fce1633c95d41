"""Small rendering helpers shared by the dashboard pages. Ledger text is escaped, never markup."""

from __future__ import annotations

import re

from evidence.domain.vocab import Band, Verdict

VERDICT_COLOURS = {
    Verdict.supported.value: "green",
    Verdict.limited_support.value: "blue",
    Verdict.contested.value: "orange",
    Verdict.refuted.value: "red",
    Verdict.unproven.value: "gray",
}
BAND_ORDER = [Band.supported, Band.disputed, Band.unproven]
BAND_BLURBS = {
    Band.supported: "Evidence of low certainty or better supports it and none of that "
    "strength refutes it.",
    Band.disputed: "Evidence of low certainty or better refutes it (refuted), or stands on "
    "both sides (contested).",
    Band.unproven: "Not yet assessed, searched without result, or only very low certainty "
    "or insufficient evidence.",
}

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")


def md_text(text: object) -> str:
    """Text shown through st.markdown as literal text: every markdown character escaped.

    Streamlit never renders raw HTML here (unsafe_allow_html stays off); escaping also stops
    a claim or quote from turning itself into links, emphasis or headings.
    """
    return _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))


def verdict_label(verdict: str) -> str:
    return Verdict(verdict).label


def paper_url(reference: dict) -> str | None:
    if reference.get("doi"):
        return f"https://doi.org/{reference['doi']}"
    if reference.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{reference['pmid']}/"
    if reference.get("pmcid"):
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{reference['pmcid']}/"
    return None
