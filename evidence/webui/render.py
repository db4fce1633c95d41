"""Small rendering helpers shared by the dashboard pages. Ledger text is escaped, never markup."""

from __future__ import annotations

import html
import re
from typing import Literal
from urllib.parse import quote

from evidence.domain.identifiers import Identifier, IdKind
from evidence.domain.metadata import SERVICE_NAMES
from evidence.domain.vocab import Band, Design, Verdict
from evidence.services.views.history_text import describe_change  # noqa: F401 (the pages take it from here)

# the colours st.badge takes
Colour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]
VERDICT_COLOURS: dict[str, Colour] = {
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


# what a study design is called on screen
DESIGN_LABELS = {
    Design.systematic_review_meta_analysis.value: "Meta-analysis",
    Design.systematic_review.value: "Systematic review",
    Design.rct.value: "RCT",
    Design.cohort.value: "Cohort",
    Design.case_control.value: "Case-control",
    Design.cross_sectional.value: "Cross-sectional",
    Design.case_series.value: "Case series",
    Design.case_report.value: "Case report",
    Design.cadaver_anatomical.value: "Cadaver / anatomical",
    Design.lab_mechanistic.value: "Lab / mechanistic",
    Design.narrative_review.value: "Narrative review",
    Design.expert_opinion.value: "Expert opinion",
    "not_recorded": "Design not recorded",
    "retracted": "Retracted (excluded)",
}


def md_text(text: object) -> str:
    """Text shown through st.markdown as literal text: every markdown character escaped.

    Streamlit never renders raw HTML here (unsafe_allow_html stays off); escaping also stops
    a claim or quote from turning itself into links, emphasis or headings.
    """
    return _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))


def verdict_label(verdict: str) -> str:
    return Verdict(verdict).label


LINK_NAMES = {IdKind.pmid: "PubMed", IdKind.doi: "doi.org", IdKind.pmcid: "PMC"}


def links_out(reference: dict) -> str:
    """Markdown links to the paper on PubMed, doi.org and PMC, for those identifiers it has."""
    return " · ".join(
        f"[{name}]({_escaped_url(Identifier(kind, reference[kind.value]).url)})"
        for kind, name in LINK_NAMES.items()
        if reference.get(kind.value)
    )


def _escaped_url(url: str) -> str:
    # a DOI may hold ( ) < > # or spaces: percent-encoded they can neither end the
    # markdown link early nor become a fragment, and doi.org decodes them
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{quote(rest, safe='/:;,~+@=&')}"


def short(text: str, limit: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def span(first: int, count: int, total: int) -> str:
    """Which of ``total`` claims a page lists, from the 0-based ``first``."""
    if count == 1:
        return f"Claim {first + 1} of {total}"
    return f"Claims {first + 1}–{first + count} of {total}"


def option(text: str, key: str, limit: int = 80) -> str:
    """A picker's label: shortened text, then the id. Streamlit tells options apart by their
    labels, so two statements that start alike must not shorten to the same one."""
    return f"{short(text, limit)} · {key}"


def certainty_text(claim: dict) -> str:
    """The certainty as shown: under an override the one the curator's verdict stands at,
    with the grading's own verdict and certainty beside it."""
    text = f"{claim['certainty_symbols']} {claim['certainty']}"
    if claim.get("overridden"):
        computed = verdict_label(claim["computed_verdict"]).lower()
        return (
            f"{text} (computed: {computed}, "
            f"{claim['computed_certainty_symbols']} {claim['computed_certainty']})"
        )
    return text


def counts_text(claim: dict) -> str:
    parts = [f"{claim['supporting']} supporting", f"{claim['refuting']} refuting"]
    if claim["mixed"]:
        parts.append(f"{claim['mixed']} mixed (count on both sides)")
    if claim["retracted"]:
        parts.append(f"{claim['retracted']} retracted (excluded)")
    return " · ".join(parts)


NOTICE_LABELS = {
    "retracted": "RETRACTED",
    "retracted_and_republished": "RETRACTED AND REPUBLISHED",
    "expression_of_concern": "EXPRESSION OF CONCERN",
    "corrected": "CORRECTED",
}


def notice_text(notices: list[dict]) -> str:
    """Who said a paper was retracted, corrected or of concern, and in which notice."""
    return "; ".join(
        f"{SERVICE_NAMES.get(n['service'], n['service'])}: {n['detail']}"
        + (f" ({n['notice']})" if n.get("notice") else "")
        for n in notices
    )


# A badge's colour: the text in a mid tone and a faint fill of it, readable on the light
# theme and the dark one alike (Streamlit's own badge colours are theme variables that
# st.html cannot name).
_BADGE_RGB = {
    "green": "33, 150, 83",
    "blue": "28, 111, 209",
    "orange": "214, 104, 0",
    "red": "214, 45, 45",
    "gray": "120, 124, 134",
}
CARD_HELP = "Verdict · GRADE certainty of the evidence · kind of claim · papers counted"


def _badge(text: str, colour: str) -> str:
    rgb = _BADGE_RGB[colour]
    return (
        f'<span style="color: rgb({rgb}); background: rgba({rgb}, 0.12); border-radius: 0.5rem;'
        f' padding: 0.05rem 0.4rem; font-size: 0.875rem; white-space: nowrap">'
        f"{html.escape(text)}</span>"
    )


def claim_card_html(claim: dict) -> str:
    """A claim's statement, verdict line and explanation as one block of HTML.

    The overview shows sixty of these: as Markdown they were most of the browser's work on
    the page (each is parsed and drawn as a tree of React components), where HTML made here
    is set in one go. Every piece of ledger text is escaped.
    """
    label = verdict_label(claim["verdict"]) + (" · override" if claim["overridden"] else "")
    line = [
        _badge(label, VERDICT_COLOURS[claim["verdict"]]),
        html.escape(certainty_text(claim)),
        html.escape(claim["type"]),
        html.escape(counts_text(claim)),
    ]
    if claim["retracted"]:
        line.append(_badge("⚠ Cites retracted evidence", "red"))
    return (
        f'<p style="margin: 0 0 0.4rem; font-weight: 600">{html.escape(claim["statement"])}</p>'
        f'<p style="margin: 0 0 0.4rem" title="{html.escape(CARD_HELP)}">'
        + " · ".join(line)
        + "</p>"
        f'<p style="margin: 0; font-size: 0.875rem; opacity: 0.7">'
        f"{html.escape(claim['explanation'])}</p>"
    )


def shared_steps_title(shared: int) -> str:
    """The heading of the card that lists once the first steps every chain below shares."""
    if shared == 1:
        return "**The first step of every chain below**"
    return f"**The first {shared} steps of every chain below**"


def shared_as_above(shared: int) -> str:
    return f"Steps 1–{shared}: as above." if shared > 1 else "Step 1: as above."


def chain_heading(number: int, chain: dict, verdict: str) -> str:
    """A chain card's first line: what the chain is as strong as, and which step that is."""
    step = chain["weakest_index"] + 1
    return (
        f"**Chain {number}** — as strong as its weakest step, step {step}: "
        f"{verdict} ({chain['certainty']})"
    )


def weakest_reason(chain: dict) -> str | None:
    """Why that step is marked when others are as weak by verdict and certainty."""
    if not chain["weakest_why"]:
        return None
    return md_text(f"Step {chain['weakest_index'] + 1} is marked: {chain['weakest_why']}.")


def weakest_of_note(chain_numbers: list[int], total: int) -> str:
    """A shared step's mark: which of the chains below it is the weakest step of."""
    if not chain_numbers:
        return ""
    if len(chain_numbers) == total:
        return " · ⚠ weakest step of every chain below"
    s = "s" if len(chain_numbers) > 1 else ""
    return f" · ⚠ weakest step of chain{s} " + ", ".join(map(str, chain_numbers))
